"""EV fleets (orderly charging, optional V2G): structure, hand optima, invariants, capability.

Formulation: ``models/ev_fleets.md``. Every dispatch case is solved with both backends.
Common hand data ("the 4-hour day"): one bus, a fleet of 10 vehicles with 10 kW chargers
(0.1 MW, all enrolled, ρ = 1), 40 kWh batteries (h = 4 h per MW), 20 kWh driven per vehicle
per day (2 MWh per MW), plugged a = [1, 1, 1, 0], driving all in hour 4 (d = [0, 0, 0, 1]),
η = 1. Per MW the uncontrolled fleet refills the 2 MWh driven in hour 4 at full power from
hour 1: b = [1, 1, 0, 0], state ê = [3, 4, 4, 2] (starting from ê_0 = ê_4 = 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.case import Case, CaseError
from gridopt.components._dr import dispatch_scope
from gridopt.components.ev_fleets import (
    add_ev_fleets,
    baseline_mw,
    driving_share,
    fleet_profiles,
)
from gridopt.components.peak_response import event_scope
from gridopt.model.arrays import ArrayModel
from gridopt.model.build import build_model
from gridopt.peak import verify
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]


def fleet(**kw: object) -> dict:
    """The hand fleet: 10 × 10 kW, 40 kWh batteries, 20 kWh a day, all 0.1 MW enrolled."""
    return {"name": "fleet", "bus": "b", "potential_mw": 0.1, "enrolled_mw": 0.1,
            "vehicles": 10, "charger_kw": 10.0, "battery_kwh": 40.0, "daily_energy_kwh": 20.0,
            "min_soc_departure_pu": 0.5, **kw}


def four_hour_case(prices: list[float] | None = None, vpps: list[dict] | None = None,
                   **kw: object) -> Case:
    """The 4-hour day; load 1 MW + the fleet's baseline [0.1, 0.1, 0, 0]; a 'grid' generator
    with hourly prices (default [50, 40, 10, 100])."""
    more = {"vpps": vpps} if vpps else {}
    return make_case(
        4, [gen("grid", p_nom_mw=100.0)], {"city": [1.1, 1.1, 1.0, 1.0]},
        series={"price_per_mwh": {"grid": prices or [50.0, 40.0, 10.0, 100.0]},
                "ev_plugged_pu": {"fleet": [1.0, 1.0, 1.0, 0.0]},
                "ev_driving_pu": {"fleet": [0.0, 0.0, 0.0, 1.0]}},
        ev_fleets=[fleet(**kw)], **more)


def six_hour_case(**kw: object) -> Case:
    """A 6-hour day: plugged a = [1, 1, 1, 1, 1, 0], all driving in hour 6, σ = 0.25, so
    b = [1, 1, 0, 0, 0, 0] and ê = [3, 4, 4, 4, 4, 2] per MW; ℓ = min(σ h a, ê)
    = [1, 1, 1, 1, 1, 0]. Load [2, 1, 1, 1, 1, 1] MW + baseline [0.1, 0.1, 0, …]; grid prices
    [100, 10, 10, 10, 10, 50]; the peak is hour 1 (2.1 MW)."""
    return make_case(
        6, [gen("grid", p_nom_mw=100.0)], {"city": [2.1, 1.1, 1.0, 1.0, 1.0, 1.0]},
        series={"price_per_mwh": {"grid": [100.0, 10.0, 10.0, 10.0, 10.0, 50.0]},
                "ev_plugged_pu": {"fleet": [1.0] * 5 + [0.0]},
                "ev_driving_pu": {"fleet": [0.0] * 5 + [1.0]}},
        ev_fleets=[fleet(min_soc_departure_pu=0.25, **kw)])


def with_peak_settings(case: Case) -> Case:
    return case.replace(config={**case.config, "peak_response": {"k": 1, "event_duration_h": 1}})


# -- layer 1: data and structure, no solver ------------------------------------------------------
def test_uncontrolled_charging_of_the_four_hour_day() -> None:
    """b = [1, 1, 0, 0], ê = [3, 4, 4, 2], ℓ = min(0.5 · 4 · a, ê) = [2, 2, 2, 0] per MW;
    whole fleet (0.1 MW of chargers): [0.1, 0.1, 0, 0] MW."""
    prof = fleet_profiles(four_hour_case())
    assert prof.baseline[0].tolist() == pytest.approx([1.0, 1.0, 0.0, 0.0])
    assert prof.soc_baseline[0].tolist() == pytest.approx([3.0, 4.0, 4.0, 2.0])
    assert prof.soc_min[0].tolist() == pytest.approx([2.0, 2.0, 2.0, 0.0])
    assert baseline_mw(four_hour_case())["fleet"].tolist() == pytest.approx([0.1, 0.1, 0, 0])


def simulate_arrivals(plugged: np.ndarray, driving: np.ndarray, eff: float) -> np.ndarray:
    """Reference: charge the deficit at full plugged power, hour by hour, over a few laps."""
    deficit, out = 0.0, np.zeros_like(plugged)
    for _ in range(5):
        for t in range(len(plugged)):
            out[t] = min(plugged[t], (deficit + driving[t]) / eff)
            deficit += driving[t] - eff * out[t]
    return out


def test_closed_form_baseline_matches_an_hourly_simulation() -> None:
    """The vectorised Lindley recursion equals a plain loop charging on arrival (periodic)."""
    rng = np.random.default_rng(3)
    hours = 72
    plugged = np.clip(rng.uniform(-0.2, 1.0, hours), 0.0, 1.0)
    driving = rng.dirichlet(np.ones(24), 3).ravel() * (1.0 - plugged)
    driving *= 3 / driving.sum()  # 3 days × 1 day's need
    case = make_case(hours, [gen("grid", p_nom_mw=10.0)], {"city": [1.0] * hours},
                     series={"ev_plugged_pu": {"fleet": plugged},
                             "ev_driving_pu": {"fleet": driving}},
                     ev_fleets=[fleet(daily_energy_kwh=30.0, eff_charge=0.9)])
    prof = fleet_profiles(case)
    expect = simulate_arrivals(plugged, driving * 3.0, 0.9)  # 30 kWh / 10 kW = 3 h per MW
    np.testing.assert_allclose(prof.baseline[0], expect, atol=1e-9)


def test_baseline_is_exactly_zero_where_no_charging_happens() -> None:
    """A full battery stays full while plugged in: b_t = 0 there by construction. The closed
    form subtracts cumulative sums, whose rounding (≈ 1e-14) must not reach the model as a
    non-zero right-hand side of ``baseline_def`` (HiGHS: "excessively small row bounds").
    Every b_t is therefore either exactly 0 or a real charge (> 1e-9 per MW)."""
    rng = np.random.default_rng(11)
    hours = 24 * 7
    plugged = np.tile(np.r_[np.ones(7), np.zeros(2), np.full(8, 0.7), np.zeros(2), np.ones(5)], 7)
    driving = np.where(plugged == 0, rng.uniform(0.1, 0.3, hours), 0.0)
    case = make_case(hours, [gen("grid", p_nom_mw=10.0)], {"city": [1.0] * hours},
                     series={"ev_plugged_pu": {"fleet": plugged},
                             "ev_driving_pu": {"fleet": driving / driving.sum() * 7}},
                     ev_fleets=[fleet(daily_energy_kwh=30.0, eff_charge=0.93)])
    b = fleet_profiles(case).baseline[0]
    assert ((b == 0.0) | (np.abs(b) > 1e-9)).all()
    assert (b == 0.0).sum() > hours / 2  # most plugged hours find the battery full
    assert (b >= 0.0).all()


def test_driving_is_derived_from_plug_outs() -> None:
    """Without ev_driving_pu a fleet drives while unplugged: a = [1, 0.5, 0, 1] over a 4-hour
    day → d ∝ 1 − a = [0, 0.5, 1, 0], normalised to the 4/24 of a day the horizon holds."""
    case = make_case(4, [gen("grid", p_nom_mw=1.0)], {"city": [1.0] * 4},
                     series={"ev_plugged_pu": {"fleet": [1.0, 0.5, 0.0, 1.0]}},
                     ev_fleets=[fleet()])
    expect = np.array([0.0, 0.5, 1.0, 0.0]) / 1.5 * 4 / 24
    np.testing.assert_allclose(driving_share(case)[0], expect)


def test_inconsistent_fleets_are_reported() -> None:
    """Need 50 kWh but only 4 plugged hours × 10 kW = 40 kWh: no uncontrolled charging exists;
    and potential 0.2 MW > 10 vehicles × 10 kW."""
    case = four_hour_case(daily_energy_kwh=50.0, battery_kwh=60.0, potential_mw=0.2)
    with pytest.raises(CaseError) as err:
        fleet_profiles(case)
    rules = {p.rule for p in err.value.problems}
    assert rules == {"ev-need-le-charging", "ev-potential-le-chargers"}


def test_rows_and_coefficients() -> None:
    """Dispatch: charge, soc, baseline (4 each) and rows charge_upper, soc_balance, soc_upper,
    soc_lower, baseline_def (4 each); no V2G and no activation cost → no discharge, no reduce.
    soc_balance row 2: e_2 − e_1 − 1 · c_2 = −ρ u_2 X̄ = 0; row 4: e_4 − e_3 = −1 · 2 · 0.1."""
    m = build_model(four_hour_case())
    ev = {k for k in m.var_blocks if k.startswith("ev_fleets.")}
    assert ev == {"ev_fleets.charge", "ev_fleets.soc", "ev_fleets.baseline",
                  "ev_fleets.enrolled_new"}
    assert m.var_blocks["ev_fleets.enrolled_new"].size == 0
    rows = {k for k in m.con_blocks if k.startswith("ev_fleets.")}
    assert rows == {"ev_fleets.charge_upper", "ev_fleets.soc_balance", "ev_fleets.soc_upper",
                    "ev_fleets.soc_lower", "ev_fleets.baseline_def"}
    a, block = m.matrix("csr"), m.con_blocks["ev_fleets.soc_balance"]
    e, c = m.var("ev_fleets.soc")[0], m.var("ev_fleets.charge")[0]
    row = a[block.start + 1].toarray().ravel()
    assert (row[e[1]], row[e[0]], row[c[1]]) == (1.0, -1.0, -1.0)
    assert m.row_lower[block.start + 3] == pytest.approx(-0.2)
    assert m.row_upper[m.con_blocks["ev_fleets.baseline_def"].start] == pytest.approx(0.1)


def test_event_scope_adds_physics_only() -> None:
    """Event scope: no injection and no operating cost (only the shared enrolment), start from
    ê_0 = 2 · 0.1 MWh, end at ≥ ê_6 = 2 · 0.1 MWh."""
    case = with_peak_settings(six_hour_case())
    m = ArrayModel(case.snapshots)
    add_ev_fleets(m, case, event_scope(case)[0])
    assert m.injections == []
    assert {t.kind for t in m.cost_terms} <= {"enrolment"}
    first = m.con_blocks["ev_fleets.event_soc_balance"].start
    assert m.row_lower[first] == pytest.approx(0.2)
    end = m.con_blocks["ev_fleets.event_soc_end"]
    assert end.size == 1 and m.row_lower[end.start] == pytest.approx(0.2)


# -- layer 2: hand optima --------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_orderly_charging_moves_to_cheap_hours(backend: str) -> None:
    """Prices [50, 40, 10, 100]; uncontrolled cost 50·1.1 + 40·1.1 + 10·1 + 100·1 = 209.

    The fleet must put 0.2 MWh back in hours 1–3 at ≤ 0.1 MW: cheapest hours 2 and 3 → net
    load [1.0, 1.1, 1.1, 1.0], cost 50 + 44 + 11 + 100 = 205 (saving 0.1 · (50 − 10) = 4).
    Energy (cyclic, e_0 = e_4): e_1 = e_0 ≥ ℓ_1 Y = 0.2 and e_3 = e_0 + 0.2 ≤ h Y = 0.4, so
    e = [0.2, 0.3, 0.4, 0.2]; response b Y − c = [0.1, 0, −0.1, 0].
    """
    r = gridopt.solve(four_hour_case(), backend=backend)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(205.0)
    assert r.variable("ev_fleets.charge")["fleet"].tolist() == pytest.approx([0, 0.1, 0.1, 0])
    assert r.variable("ev_fleets.soc")["fleet"].tolist() == pytest.approx([0.2, 0.3, 0.4, 0.2])
    resp = r.dr_response[("ev_fleets", "fleet")]
    assert resp.tolist() == pytest.approx([0.1, 0.0, -0.1, 0.0], abs=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_nothing_enrolled_is_the_uncontrolled_cost(backend: str) -> None:
    """X̄ = 0, not extendable: the fleet charges as in load_mw; objective 209."""
    r = gridopt.solve(four_hour_case(enrolled_mw=0.0), backend=backend)
    assert r.objective == pytest.approx(209.0)


@pytest.mark.parametrize(("cost", "enrolled", "objective"), [(30.0, 0.1, 208.0),
                                                              (50.0, 0.0, 209.0)])
@pytest.mark.parametrize("backend", BACKENDS)
def test_enrolment_pays_when_the_saving_exceeds_its_cost(backend: str, cost: float,
                                                          enrolled: float,
                                                          objective: float) -> None:
    """Extendable from 0 to 0.1 MW: orderly charging saves 4 per 0.1 MW = 40 per MW.
    At 30 per MW-yr enrol all: 209 − 4 + 3 = 208; at 50 enrol nothing: 209."""
    case = four_hour_case(enrolled_mw=0.0, extendable=True, enrolment_cost_per_mw_yr=cost)
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(objective)
    assert r.variable("ev_fleets.enrolled_new")["fleet"] == pytest.approx(enrolled, abs=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_activation_cost_on_load_reduction(backend: str) -> None:
    """5 per MWh of positive response. Charging in hours {2, 3}: 205 + 0.1 MWh cut in hour 1 ·
    5 = 205.5; {1, 3}: 209 − 3 + 0.5 = 206.5; {1, 2}: 209 → hours 2 and 3, objective 205.5."""
    r = gridopt.solve(four_hour_case(activation_cost_per_mwh=5.0), backend=backend)
    assert r.objective == pytest.approx(205.5)
    assert r.costs.loc[("ev_fleets", "fleet"), "activation"] == pytest.approx(0.5)


@pytest.mark.parametrize(("v2g", "eff_discharge", "objective"), [(False, 1.0, 292.0),
                                                                 (True, 1.0, 283.0),
                                                                 (True, 0.9, 284.0)])
@pytest.mark.parametrize("backend", BACKENDS)
def test_v2g_sells_at_the_dear_hour(backend: str, v2g: bool, eff_discharge: float,
                                    objective: float) -> None:
    """The 6-hour day. Uncontrolled: 100 · 2.1 + 10 · 1.1 + 10 · 3 + 50 · 1 = 301.

    Orderly: hour 1's 0.1 MWh moves to a 10-hour → 301 − 9 = 292. V2G adds v_1 ≤ a_1 Y − c_1
    = 0.1, limited by energy: e_0 = e_6 = e_5 − 0.2 ≤ 0.4 − 0.2 and e_1 = e_0 − v_1 / η^d ≥ ℓ_1 Y
    = 0.1. With η^d = 1: v_1 = 0.1 sold at 100, 0.1 bought back at 10 → 292 − 9 = 283. With
    η^d = 0.9: v_1 = 0.09, worth 9, costing 0.1 · 10 = 1 to refill → 284. (Refill fits: hours
    2–5 charge 0.2 + 0.1 ≤ 0.4 MWh and e_5 = 0.4 ≤ h Y.)
    """
    r = gridopt.solve(six_hour_case(v2g=v2g, eff_discharge=eff_discharge), backend=backend)
    assert r.objective == pytest.approx(objective)
    assert ("ev_fleets.discharge" in r.model.var_blocks) == v2g
    if v2g:
        sold = r.variable("ev_fleets.discharge")["fleet"].iloc[0]
        assert sold == pytest.approx(0.1 * eff_discharge)


@pytest.mark.parametrize("backend", BACKENDS)
def test_vpp_caps_the_fleet_response(backend: str) -> None:
    """The fleet in a VPP of 0.05 MW: r_t = b_t Y − c_t ≤ 0.05, so c_1 ≥ 0.05 and c_2 ≥ 0.05;
    the remaining 0.1 MWh goes to hour 3 (price 10). Charging cost 50 · 0.05 + 40 · 0.05 +
    10 · 0.1 = 5.5 instead of 9: objective 209 − 3.5 = 205.5."""
    case = four_hour_case(vpp="v", vpps=[{"name": "v", "aggregate_mw": 0.05}])
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(205.5)
    assert r.dr_response[("ev_fleets", "fleet")].max() == pytest.approx(0.05)


# -- layer 4: invariants -----------------------------------------------------------------------
def invariant_case(reverse: bool = False) -> Case:
    """Two days, solar + gas at two buses; a home-charging fleet (driving derived from
    plug-outs) and an extendable V2G fleet with ρ = 0.8 and activation cost; load_mw includes
    both fleets' uncontrolled charging (from :func:`baseline_mw`)."""
    hours, t = 48, np.arange(48)
    home = np.where((t % 24 >= 18) | (t % 24 < 7), 0.9, 0.2)
    work = np.where((t % 24 >= 8) & (t % 24 < 17), 0.8, 0.1)
    work_drive = np.where(np.isin(t % 24, [7, 8, 17, 18]), 0.25, 0.0)
    solar = np.clip(np.sin(2 * np.pi * (t - 6) / 24), 0.0, None)
    fleets = [fleet(name="home", bus="A", potential_mw=2.2, enrolled_mw=1.5, vehicles=200,
                    charger_kw=11.0, battery_kwh=60.0, min_soc_departure_pu=0.7,
                    eff_charge=0.92),
              fleet(name="work", bus="B", potential_mw=2.0, enrolled_mw=0.5, extendable=True,
                    vehicles=300, charger_kw=7.0, battery_kwh=50.0, daily_energy_kwh=15.0,
                    participation=0.8, v2g=True, eff_charge=0.9, eff_discharge=0.9,
                    enrolment_cost_per_mw_yr=10.0, activation_cost_per_mwh=2.0)]
    fleets = fleets[::-1] if reverse else fleets
    other = 5.0 + 2.0 * np.sin(2 * np.pi * (t - 14) / 24)

    def build(loads: dict[str, np.ndarray]) -> Case:
        return make_case(
            hours, [gen("solar", "solar", bus="A", p_nom_mw=8.0),
                    gen("gas", bus="B", p_nom_mw=20.0, vom_per_mwh=60.0)],
            loads, buses=["A", "B"], load_bus={"north": "A", "south": "B"},
            lines=[{"name": "AB", "bus0": "A", "bus1": "B", "cap_fwd_mw": 3.0}],
            availability={"solar": solar}, ev_fleets=fleets,
            series={"ev_plugged_pu": {"home": home, "work": work},
                    "ev_driving_pu": {"work": work_drive}})

    base = baseline_mw(build({"north": other, "south": other}))
    return build({"north": other + base["home"].to_numpy(),
                  "south": other + base["work"].to_numpy()})


@pytest.fixture(scope="module")
def solved() -> gridopt.solve:
    return gridopt.solve(invariant_case())


def enrolled(r: gridopt.solve) -> pd.Series:
    """X_i = X̄_i + x^new_i."""
    table = r.case.table("ev_fleets")
    new = pd.Series(0.0, index=table.index)
    new.update(r.variable("ev_fleets.enrolled_new"))
    return table["enrolled_mw"] + new


def test_energy_soc_and_power_stay_within_the_physics(solved) -> None:
    """Per fleet: Σ_t (η^c c − v / η^d) = Σ_t u Y (cyclic year: driving is delivered);
    ℓ Y ≤ e ≤ h Y; c + v ≤ a Y; e follows its recursion."""
    r, table = solved, solved.case.table("ev_fleets")
    prof = fleet_profiles(r.case)
    y = (enrolled(r) * table["participation"]).to_numpy()
    c = r.variable("ev_fleets.charge")[table.index].to_numpy().T
    v = np.zeros_like(c)
    v[table["v2g"].to_numpy()] = r.variable("ev_fleets.discharge").to_numpy().T
    e = r.variable("ev_fleets.soc")[table.index].to_numpy().T
    eff_c = table["eff_charge"].to_numpy()[:, None]
    eff_d = table["eff_discharge"].to_numpy()[:, None]
    delivered = (eff_c * c - v / eff_d).sum(axis=1)
    np.testing.assert_allclose(delivered, prof.driving.sum(axis=1) * y, rtol=1e-7)
    assert (e >= prof.soc_min * y[:, None] - 1e-7).all()
    assert (e <= prof.battery_h[:, None] * y[:, None] + 1e-7).all()
    assert (c + v <= prof.plugged * y[:, None] + 1e-7).all()
    expect = np.roll(e, 1, axis=1) + eff_c * c - v / eff_d - prof.driving * y[:, None]
    np.testing.assert_allclose(e, expect, atol=1e-7)


def test_response_is_baseline_minus_controlled_charging(solved) -> None:
    """r = b Y − c + v, and the injected β equals b Y."""
    r, table = solved, solved.case.table("ev_fleets")
    y = enrolled(r) * table["participation"]
    base = baseline_mw(r.case) / (table["vehicles"] * table["charger_kw"] / 1e3) * y
    c = r.variable("ev_fleets.charge")
    v = r.variable("ev_fleets.discharge").reindex(columns=table.index, fill_value=0.0)
    resp = r.dr_response["ev_fleets"]
    pd.testing.assert_frame_equal(resp[table.index], (base - c + v)[table.index],
                                  check_names=False, atol=1e-7)
    pd.testing.assert_frame_equal(r.variable("ev_fleets.baseline"), base[table.index],
                                  check_names=False, atol=1e-7)


def test_balance_closes_with_the_response(solved) -> None:
    """Generation + net line inflow + shedding + Σ fleet responses = load_mw at each bus."""
    r, case = solved, solved.case
    inj = pd.DataFrame(0.0, index=case.snapshots, columns=case.table("buses").index)
    for name, bus in case.table("generators")["bus"].items():
        inj[bus] += r.dispatch[name]
    inj["A"] -= r.line_flow["AB"]
    inj["B"] += r.line_flow["AB"]
    for name, bus in case.table("ev_fleets")["bus"].items():
        inj[bus] += r.dr_response[("ev_fleets", name)]
    inj += r.load_shed
    np.testing.assert_allclose(inj.to_numpy(), r.demand.to_numpy(), atol=1e-6)


def test_backends_agree_and_order_does_not_matter(solved) -> None:
    pyomo = gridopt.solve(invariant_case(), backend="pyomo")
    assert pyomo.objective == pytest.approx(solved.objective, rel=1e-8)
    reverse = gridopt.solve(invariant_case(reverse=True))
    assert reverse.objective == pytest.approx(solved.objective, rel=1e-8)
    assert solved.costs["total"].sum() == pytest.approx(solved.objective, rel=1e-9)


def test_capability_is_bounded_by_baseline_and_v2g(solved) -> None:
    """0 ≤ R ≤ Σ_i Y_i (b_{i,t} + a_{i,t} [v2g_i]) at the peak hour (today's enrolment)."""
    case = with_peak_settings(solved.case)
    report = verify(case)
    table = case.table("ev_fleets")
    prof = fleet_profiles(case)
    t = int(np.argmax(solved.demand.sum(axis=1).to_numpy()))
    y = (table["enrolled_mw"] * table["participation"]).to_numpy()
    bound = (y * (prof.baseline[:, t] + prof.plugged[:, t] * table["v2g"].to_numpy())).sum()
    assert -1e-9 <= report.capability_mw <= bound + 1e-9


def test_dispatch_scope_is_the_default() -> None:
    """add_ev_fleets over the dispatch scope adds the injections β, −c (and +v for V2G)."""
    case = six_hour_case(v2g=True)
    m = ArrayModel(case.snapshots)
    add_ev_fleets(m, case, dispatch_scope(case))
    assert [(f, s) for f, _, _, s in m.injections] == [("ev_fleets", 1.0), ("ev_fleets", -1.0),
                                                       ("ev_fleets", 1.0)]


# -- capability (peak response) --------------------------------------------------------------
@pytest.mark.parametrize(("kw", "expect"), [
    ({}, 0.1),
    ({"v2g": True}, 0.2),
    ({"v2g": True, "eff_discharge": 0.9}, 0.19),
    ({"participation": 0.5}, 0.05),
])
def test_capability_at_the_peak_hour(kw: dict, expect: float) -> None:
    """The 6-hour day, peak in hour 1 (k = 1, 1-hour event); the event window is the day,
    starting at ê_0 Y = 0.2 MWh and ending at ≥ ê_6 Y = 0.2 MWh.

    Orderly only: defer hour 1's b_1 Y = 0.1 MW (e_1 = 0.2 ≥ ℓ_1 Y = 0.1; refill 0.2 MWh in
    hours 2–5) → R = 0.1. V2G, η = 1: also discharge v_1 ≤ a_1 Y = 0.1 with e_1 = 0.2 − 0.1
    = 0.1 ≥ 0.1, refill 0.3 MWh ≤ 4 · 0.1 → R = 0.2. η^d = 0.9: e_1 = 0.2 − v_1 / 0.9 ≥ 0.1 →
    v_1 = 0.09, R = 0.19. ρ = 0.5: Y = 0.05, R = b_1 Y = 0.05.
    """
    report = verify(with_peak_settings(six_hour_case(**kw)))
    assert report.capability_mw == pytest.approx(expect)
    assert report.by_family["ev_fleets"] == pytest.approx(expect)


def test_capability_needs_later_plugged_hours() -> None:
    """The 4-hour day with σ = 0.75: ℓ = min(3 a, ê) = [3, 3, 3, 0] per MW. Deferring x of
    hour 1's charging gives e_1 = 2 + 1 − x ≥ 3 → x = 0: nothing can be deferred, R = 0,
    although the baseline charges 0.1 MW at the peak (the departure floor binds)."""
    case = make_case(
        4, [gen("grid", p_nom_mw=100.0)], {"city": [2.1, 1.1, 1.0, 1.0]},
        series={"ev_plugged_pu": {"fleet": [1.0, 1.0, 1.0, 0.0]},
                "ev_driving_pu": {"fleet": [0.0, 0.0, 0.0, 1.0]}},
        ev_fleets=[fleet(min_soc_departure_pu=0.75)])
    report = verify(with_peak_settings(case))
    assert report.capability_mw == pytest.approx(0.0, abs=1e-9)
