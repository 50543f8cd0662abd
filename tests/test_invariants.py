"""Invariants after a solve, and equality of the two backends (layers 3 and 4 of STYLE.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.case import Case
from tests.factory import gen, make_case


def random_case(seed: int = 0, hours: int = 48, split_gas: bool = False,
                reverse: bool = False) -> Case:
    """Three buses on a line, wind/solar/gas/coal, an extendable store, a sized store, shedding.

    Data drawn from a seeded generator; used for invariants, not for a known optimum.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    load = 100 + 30 * np.sin(2 * np.pi * (t - 8) / 24) + rng.normal(0, 5, hours)
    solar = np.clip(np.sin(2 * np.pi * (t - 6) / 24), 0, None) * rng.uniform(0.6, 1, hours)
    wind = np.clip(rng.beta(2, 3, hours), 0, 1)
    gas = [gen("gas", bus="C", p_nom_mw=60.0, vom_per_mwh=70.0, fom_per_mw_yr=1000.0)]
    if split_gas:
        gas = [gen("gas_a", bus="C", p_nom_mw=30.0, vom_per_mwh=70.0, fom_per_mw_yr=1000.0),
               gen("gas_b", bus="C", p_nom_mw=30.0, vom_per_mwh=70.0, fom_per_mw_yr=1000.0)]
    gens = [gen("wind", "wind", bus="A", p_nom_mw=40.0, extendable=True, p_nom_max_mw=300.0,
                capex_per_mw=3000.0, lifetime_yr=25.0),
            gen("solar", "solar", bus="B", extendable=True, capex_per_mw=1500.0,
                p_nom_max_mw=200.0),
            gen("coal", "coal", bus="B", p_nom_mw=50.0, p_min_pu=0.3, vom_per_mwh=35.0),
            *gas]
    stores = [{"name": "bat", "bus": "B", "extendable": True, "capex_per_mw": 400.0,
               "capex_per_mwh": 300.0, "eff_charge": 0.95, "eff_discharge": 0.95,
               "standing_loss_per_h": 0.001},
              {"name": "phs", "bus": "C", "p_nom_mw": 20.0, "duration_h": 6.0,
               "eff_charge": 0.87, "eff_discharge": 0.87}]
    if reverse:
        gens, stores = gens[::-1], stores[::-1]
    return make_case(
        hours=hours, buses=["A", "B", "C"], generators=gens, storage=stores,
        loads={"north": load * 0.4, "south": load * 0.6},
        load_bus={"north": "A", "south": "C"},
        availability={"wind": wind, "solar": solar},
        lines=[{"name": "AB", "bus0": "A", "bus1": "B", "cap_fwd_mw": 60.0},
               {"name": "BC", "bus0": "B", "bus1": "C", "cap_fwd_mw": 70.0, "cap_rev_mw": 40.0}],
        annualise=True, discount_rate=0.06, voll=5000.0)


@pytest.fixture(scope="module")
def solved() -> gridopt.solve:
    return gridopt.solve(random_case())


def test_balance_closes(solved) -> None:
    """Σ injections at each bus and hour equals demand (from the result tables alone)."""
    r, case = solved, solved.case
    inj = pd.DataFrame(0.0, index=case.snapshots, columns=case.table("buses").index)
    for name, bus in case.table("generators")["bus"].items():
        inj[bus] += r.dispatch[name]
    for name, bus in case.table("storage")["bus"].items():
        inj[bus] += r.storage_discharge[name] - r.storage_charge[name]
    for name, line in case.table("lines").iterrows():
        inj[line["bus0"]] -= r.line_flow[name]
        inj[line["bus1"]] += r.line_flow[name]
    inj += r.load_shed
    np.testing.assert_allclose(inj.to_numpy(), r.demand.to_numpy(), atol=1e-6)


def test_storage_stays_in_bounds_and_follows_its_recursion(solved) -> None:
    r, case = solved, solved.case
    caps = r.capacities.loc["storage"]
    st = case.table("storage")
    soc, c, d = r.storage_soc, r.storage_charge, r.storage_discharge
    assert (soc >= -1e-6).all().all()
    assert (soc <= caps["total_mwh"] + 1e-6).all().all()
    assert (c <= caps["total_mw"] + 1e-6).all().all() and (d <= caps["total_mw"] + 1e-6).all().all()
    for s in st.index:
        keep = 1 - st.loc[s, "standing_loss_per_h"]
        prev = np.roll(soc[s].to_numpy(), 1)
        expect = keep * prev + st.loc[s, "eff_charge"] * c[s] - d[s] / st.loc[s, "eff_discharge"]
        np.testing.assert_allclose(soc[s].to_numpy(), expect.to_numpy(), atol=1e-6)


def test_dispatch_within_availability(solved) -> None:
    r, case = solved, solved.case
    total = r.capacities.loc["generators", "total_mw"]
    avail = case.series["availability_pu"]
    assert (r.dispatch <= avail * total + 1e-6).all().all()
    coal_floor = 0.3 * total["coal"]
    assert (r.dispatch["coal"] >= coal_floor - 1e-6).all()


def test_costs_add_up_to_the_objective(solved) -> None:
    assert solved.costs["total"].sum() == pytest.approx(solved.objective, rel=1e-9)


def test_prices_are_marginal_costs(solved) -> None:
    """Perturbation check of the dual: +1 MW at bus C in hour 10 raises cost by ≈ λ · w."""
    case = solved.case
    loads = case.series["load_mw"].copy()
    loads.iloc[10, loads.columns.get_loc("south")] += 1.0
    bumped = gridopt.solve(case.replace(series={**case.series, "load_mw": loads}))
    delta = bumped.objective - solved.objective
    price = solved.prices["C"].iloc[10] * case.weights[10]
    assert delta == pytest.approx(price, rel=1e-4, abs=1e-3)


def test_backends_agree() -> None:
    """Same optimum, same prices and same capacities from the HiGHS and the Pyomo backends."""
    case = random_case(seed=1, hours=24)
    a, b = gridopt.solve(case, backend="highs"), gridopt.solve(case, backend="pyomo")
    assert a.status == b.status == "optimal"
    assert b.objective == pytest.approx(a.objective, rel=1e-8)
    pd.testing.assert_frame_equal(a.capacities, b.capacities, atol=1e-4)
    np.testing.assert_allclose(a.prices.to_numpy(), b.prices.to_numpy(), atol=1e-5)


def test_splitting_a_unit_in_halves_changes_nothing(solved) -> None:
    split = gridopt.solve(random_case(split_gas=True))
    assert split.objective == pytest.approx(solved.objective, rel=1e-9)


def test_reordering_members_changes_nothing(solved) -> None:
    rev = gridopt.solve(random_case(reverse=True))
    assert rev.objective == pytest.approx(solved.objective, rel=1e-9)
    pd.testing.assert_frame_equal(rev.capacities.sort_index(), solved.capacities.sort_index(),
                                  atol=1e-4)


def test_same_case_same_numbers(solved) -> None:
    again = gridopt.solve(random_case())
    assert again.objective == solved.objective
    assert again.case.digest() == solved.case.digest()
