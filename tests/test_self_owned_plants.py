"""Self-owned plants (自备电厂): structure, hand optima on both backends, ramps, fuel and CO2,
and the peak-response capability they give (``models/self_owned_plants.md``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.case import Case
from gridopt.model.build import build_model
from gridopt.peak import verify
from gridopt.results.results import Results
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]
GAS = {"name": "gas", "price_per_gj": 5.0, "co2_t_per_gj": 0.056, "gj_per_unit": 36.0,
       "unit": "1000 m3"}


def plant(**kw: object) -> dict[str, object]:
    """A 3 MW enrolled gas plant: 5/GJ × 8 GJ/MWh + VOM 5 = 45/MWh, activation 5/MWh."""
    return {"name": "mill", "bus": "b", "potential_mw": 3.0, "enrolled_mw": 3.0,
            "fuel": "gas", "heat_rate_gj_per_mwh": 8.0, "vom_per_mwh": 5.0,
            "activation_cost_per_mwh": 5.0, **kw}


def dispatch_case(**kw: object) -> Case:
    """One bus, load [5, 10] MW; 'cheap' 6 MW at 10/MWh, 'dear' 10 MW at 100/MWh; the plant."""
    return make_case(
        hours=2, generators=[gen("cheap", p_nom_mw=6.0, vom_per_mwh=10.0),
                             gen("dear", p_nom_mw=10.0, vom_per_mwh=100.0)],
        loads={"load": [5.0, 10.0]}, fuels=[GAS], self_owned_plants=[plant(**kw)])


# -- structure (no solver) -----------------------------------------------------------------------
def test_fixed_enrolment_is_a_bound_and_ramps_are_rows() -> None:
    """Not extendable: 0 ≤ q ≤ ρ a X̄ = 0.5 · 0.8 · 3 = 1.2 as bounds. Ramp 0.25/h · 3 MW =
    0.75 MW/h < 1.2 binds, so ramp_up and ramp_down have 2 rows each; the first hour has only
    q (the hour before the window is the baseline 0), the second q_2 − q_1."""
    m = build_model(dispatch_case(participation=0.5, p_max_pu=0.8, ramp_pu_per_h=0.25))
    q = m.var("self_owned_plants.output")[0]
    assert m.upper[q].tolist() == pytest.approx([1.2, 1.2])
    assert "self_owned_plants.output_upper" not in m.con_blocks
    up = m.con_blocks["self_owned_plants.ramp_up"]
    a = m.matrix("csr")[up.index().ravel()].toarray()[:, q]
    assert a.tolist() == [[1.0, 0.0], [-1.0, 1.0]]
    assert m.row_upper[up.index().ravel()].tolist() == pytest.approx([0.75, 0.75])


def test_loose_ramp_adds_no_rows_and_extendable_adds_upper_rows() -> None:
    """Ramp 1/h ≥ ρ a = 1 cannot bind: no ramp rows. Extendable: q − x^new ≤ X̄ as rows."""
    m = build_model(dispatch_case(extendable=True, potential_mw=5.0))
    assert not any(name.startswith("self_owned_plants.ramp") for name in m.con_blocks)
    assert m.con_blocks["self_owned_plants.output_upper"].size == 2
    assert m.upper[m.var("self_owned_plants.enrolled_new")].tolist() == [2.0]


# -- hand optima ---------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_plant_displaces_the_dear_unit_at_the_peak(backend: str) -> None:
    """Without ramp limits the plant (50/MWh incl. activation) runs only where 'dear' (100)
    would: hour 1 cheap 5 → 50; hour 2 cheap 6 (60) + plant 3 (150) + dear 1 (100) → 360."""
    r = gridopt.solve(dispatch_case(), backend=backend)
    assert r.objective == pytest.approx(360.0)
    assert r.variable("self_owned_plants.output")["mill"].tolist() == pytest.approx([0.0, 3.0])
    assert r.costs.loc[("self_owned_plants", "mill"), "operating"] == pytest.approx(135.0)
    assert r.costs.loc[("self_owned_plants", "mill"), "activation"] == pytest.approx(15.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_ramp_limit_makes_the_plant_start_early(backend: str) -> None:
    """Ramp 0.5/h · 3 MW = 1.5 MW/h from q = 0 before hour 1. With q_1 = a ≤ 1.5, q_2 ≤ a + 1.5:
    cost = (50 + 40a) [hour 1: cheap 10(5 − a) + plant 50a] + (385 − 50a) [hour 2: cheap 60 +
    plant 50(1.5 + a) + dear 100(2.5 − a)] = 435 − 10a, least at a = 1.5: q = [1.5, 3], 420."""
    r = gridopt.solve(dispatch_case(ramp_pu_per_h=0.5), backend=backend)
    assert r.objective == pytest.approx(420.0)
    assert r.variable("self_owned_plants.output")["mill"].tolist() == pytest.approx([1.5, 3.0])
    assert r.prices["b"].tolist() == pytest.approx([10.0, 100.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_fuel_and_emissions_of_the_plant(backend: str) -> None:
    """With the ramp, q = [1.5, 3]: 4.5 MWh × 8 GJ/MWh = 36 GJ = 1.0 thousand m3 of gas
    (36 GJ each); CO2 4.5 × 8 × 0.056 = 2.016 t, all of the case total."""
    r = gridopt.solve(dispatch_case(ramp_pu_per_h=0.5), backend=backend)
    row = r.self_owned_plants_energy.loc["mill"]
    assert row["energy_mwh"] == pytest.approx(4.5)
    assert row["fuel_use"] == pytest.approx(1.0)
    assert row["fuel_unit"] == "1000 m3"
    assert row["co2_t"] == pytest.approx(2.016)
    assert r.total_emissions_t == pytest.approx(2.016)  # the grid units here emit nothing


def test_direct_emission_factor_overrides_the_fuel() -> None:
    """co2_t_per_mwh = 0.9 given: 3 MWh at the peak × 0.9 = 2.7 t, whatever the fuel says."""
    r = gridopt.solve(dispatch_case(co2_t_per_mwh=0.9))
    assert r.self_owned_plants_energy.loc["mill", "co2_t"] == pytest.approx(2.7)


def test_availability_and_participation_scale_the_output() -> None:
    """ρ = 0.5, p_max = 0.8: q ≤ 1.2 MW; hour 2: cheap 6 + plant 1.2 + dear 2.8
    → 50 + 60 + 60 + 280 = 450."""
    r = gridopt.solve(dispatch_case(participation=0.5, p_max_pu=0.8))
    assert r.objective == pytest.approx(450.0)


# -- invariants ----------------------------------------------------------------------------------
def random_case(seed: int = 1, hours: int = 48) -> Case:
    """Daily load cycle, coal and a peaker; 'steel' burns gas (50/MWh incl. activation),
    'paper' has no fuel (waste heat: VOM 5 + activation 5 = 10/MWh) and may enrol more."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    load = 100 + 40 * np.sin(2 * np.pi * (t - 8) / 24) + rng.normal(0, 3, hours)
    plants = [plant(name="steel", potential_mw=20.0, enrolled_mw=20.0, ramp_pu_per_h=0.2),
              plant(name="paper", potential_mw=30.0, enrolled_mw=5.0, extendable=True,
                    enrolment_cost_per_mw_yr=10.0, ramp_pu_per_h=0.3, p_max_pu=0.9,
                    heat_rate_gj_per_mwh=9.0, fuel="")]
    return make_case(
        hours=hours, annualise=True, fuels=[GAS], self_owned_plants=plants,
        generators=[gen("coal", "coal", p_nom_mw=80.0, vom_per_mwh=30.0),
                    gen("peaker", p_nom_mw=60.0, vom_per_mwh=120.0)],
        loads={"load": load})


@pytest.fixture(scope="module")
def solved() -> Results:
    return gridopt.solve(random_case())


def test_balance_closes_and_ramps_hold(solved) -> None:
    """Generation + plant output = demand every hour; |Δq| ≤ R X (from 0 before hour 1)."""
    r, case = solved, solved.case
    q = r.variable("self_owned_plants.output")
    supply = r.dispatch.sum(axis=1) + q.sum(axis=1) + r.load_shed.sum(axis=1)
    np.testing.assert_allclose(supply, r.demand.sum(axis=1), atol=1e-6)
    table = case.table("self_owned_plants")
    new = r.variable("self_owned_plants.enrolled_new").reindex(table.index, fill_value=0.0)
    enrolled = table["enrolled_mw"] + new
    steps = q.diff().fillna(q.iloc[0]).abs()
    assert (steps <= table["ramp_pu_per_h"] * enrolled + 1e-6).all().all()
    assert (q <= table["participation"] * table["p_max_pu"] * enrolled + 1e-6).all().all()


def test_plants_reduce_the_peaker_and_report_fuel(solved) -> None:
    """'steel' (50/MWh) replaces the peaker (120/MWh) at the peaks and emits 8 · 0.056 =
    0.448 t/MWh; 'paper' has no fuel, so it burns nothing and emits nothing."""
    e = solved.self_owned_plants_energy
    assert e.loc["steel", "energy_mwh"] > 0
    assert e.loc["steel", "co2_t"] == pytest.approx(e.loc["steel", "energy_mwh"] * 0.448)
    assert e.loc["paper", "fuel_use"] == 0.0 and e.loc["paper", "co2_t"] == 0.0


def test_backends_agree_and_order_does_not_matter() -> None:
    """Same optimum from Pyomo, and with the plants listed in reverse order."""
    case = random_case(hours=24)
    base = gridopt.solve(case)
    assert gridopt.solve(case, backend="pyomo").objective == pytest.approx(base.objective)
    table = case.tables["self_owned_plants"].iloc[::-1]
    flipped = case.replace(tables={**case.tables, "self_owned_plants": table})
    assert gridopt.solve(flipped).objective == pytest.approx(base.objective)


# -- peak-response capability --------------------------------------------------------------------
def peak_case(k: int, load: list[float], **kw: object) -> Case:
    """One bus, load as given; gas 200 MW; the plant: 10 MW enrolled, ρ = 0.8, p_max 0.9 → 7.2 MW
    available, ramp 0.25 · 10 = 2.5 MW/h from 0 at the start of the event day."""
    row = plant(potential_mw=10.0, enrolled_mw=10.0, participation=0.8, p_max_pu=0.9,
                ramp_pu_per_h=0.25, **kw)
    case = make_case(hours=len(load), generators=[gen("g", p_nom_mw=200.0, vom_per_mwh=50.0)],
                     loads={"load": load}, fuels=[GAS], self_owned_plants=[row])
    pr = {"k": k, "event_duration_h": 1}
    return case.replace(config={**case.config, "peak_response": pr})


def test_capability_limited_by_the_ramp_k1() -> None:
    """Load [90, 100, 80, 70]: k = 1 → event hour 1. q_0 ≤ 2.5, q_1 ≤ 5.0 < 7.2: R = 5.0 ≥
    5 % · 100 = 5: PASS."""
    rep = verify(peak_case(1, [90.0, 100.0, 80.0, 70.0]))
    assert rep.capability_mw == pytest.approx(5.0)
    assert rep.passed
    assert rep.by_family["self_owned_plants"] == pytest.approx(5.0)


def test_capability_limited_by_the_ramp_k2() -> None:
    """k = 2 → hours 0 and 1 (one event): R ≤ q_0 ≤ 2.5 MW: FAIL, 2.5 MW missing."""
    rep = verify(peak_case(2, [90.0, 100.0, 80.0, 70.0]))
    assert rep.capability_mw == pytest.approx(2.5)
    assert rep.missing_mw == pytest.approx(2.5)


def test_capability_limited_by_availability() -> None:
    """Load [70, 80, 90, 100]: event hour 3, reached after 4 ramp hours (≤ 10): R = ρ a X = 7.2;
    with k = 2 (hours 2 and 3) q_2 ≤ 7.5 too: R = 7.2."""
    assert verify(peak_case(1, [70.0, 80.0, 90.0, 100.0])).capability_mw == pytest.approx(7.2)
    assert verify(peak_case(2, [70.0, 80.0, 90.0, 100.0])).capability_mw == pytest.approx(7.2)


def test_gap_closed_by_enrolling_more_plant() -> None:
    """Enrolled 2 of 10 MW potential at 7 per MW-yr, ρ = a = 1, no ramp limit, k = 1: R = 2 <
    5; the whole potential gives 10; closing the gap enrols 3 MW for 21 per year."""
    row = plant(potential_mw=10.0, enrolled_mw=2.0, extendable=True,
                enrolment_cost_per_mw_yr=7.0)
    case = make_case(hours=4, generators=[gen("g", p_nom_mw=200.0)],
                     loads={"load": [80.0, 100.0, 90.0, 70.0]}, fuels=[GAS],
                     self_owned_plants=[row])
    case = case.replace(config={**case.config, "peak_response": {"k": 1,
                                                                 "event_duration_h": 1}})
    rep = verify(case)
    assert rep.capability_mw == pytest.approx(2.0)
    assert rep.max_potential_mw == pytest.approx(10.0)
    closure = rep.gap_closure.set_index("name")
    assert closure.loc["mill", "new_enrolment_mw"] == pytest.approx(3.0)
    assert closure["annual_cost"].sum() == pytest.approx(21.0)


def test_results_table_is_empty_without_plants() -> None:
    r = gridopt.solve(make_case(hours=1, generators=[gen("g", p_nom_mw=5.0)],
                                loads={"load": [1.0]}))
    assert isinstance(r.self_owned_plants_energy, pd.DataFrame)
    assert r.self_owned_plants_energy.empty
