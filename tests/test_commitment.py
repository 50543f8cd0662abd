"""Unit commitment (``gridopt/components/commitment.py``, ``models/commitment.md``).

Hand optima solved as MIPs on both backends (the objectives agree within the MIP gap), with
the invariants of :func:`check_solution` after every solve; exact rows of a toy case; the input
checks. Every case is one bus, w = Δt = 1 h (not annualised), so MW and MWh coincide, and
costs are VOM only unless a test says otherwise.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.build import case_from_tables
from gridopt.case.case import Case, CaseError
from gridopt.components.commitment import units
from gridopt.model.build import build_model
from gridopt.model.highs_backend import solve_highs
from gridopt.results.write import write_results
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]
#: HiGHS's default relative MIP gap: the two backends' optima may differ by this much.
MIP_GAP = 1e-4


def unit(name: str, carrier: str = "gas", **kw: Any) -> dict[str, Any]:
    """A committable generator of one 100 MW unit (columns ``kw`` added)."""
    return gen(name, carrier, **{"p_nom_mw": 100.0, "committable": True, **kw})


def case_of(load: list[float], *generators: dict[str, Any], **tables: Any) -> Case:
    return make_case(len(load), list(generators), {"load": load}, **tables)


def relaxed_objective(case: Case) -> float:
    """The optimum with every integer column continuous (the LP relaxation)."""
    m = build_model(case)
    m.relax_integrality()
    solution = solve_highs(m)
    assert solution.status == "optimal"
    return float(solution.objective)


def check_solution(r: gridopt.Results) -> None:
    """Invariants of a committed solution: whole units, u_t − u_{t−1} = v_t − w_t, the
    minimum up and down times (initial conditions included), p^min S u ≤ p ≤ a S u, and an
    objective not below the LP relaxation."""
    case, un = r.case, units(r.case)
    u, v, w = (r.variable(f"commitment.{q}")[un.names].to_numpy().T
               for q in ("status", "startup", "shutdown"))
    for x in (u, v, w):
        np.testing.assert_allclose(x, np.rint(x), atol=1e-6)
    before = np.c_[un.on0, u[:, :-1]]
    np.testing.assert_allclose(u - before, v - w, atol=1e-6)
    n_t = u.shape[1]
    for g in range(len(un.names)):
        for t in range(n_t):
            started = v[g, max(0, t - un.up[g] + 1): t + 1].sum()
            stopped = w[g, max(0, t - un.down[g] + 1): t + 1].sum()
            assert started + un.on0[g] * (t < un.up_left[g]) <= u[g, t] + 1e-6
            assert stopped + (un.n[g] - un.on0[g]) * (t < un.down_left[g]) \
                <= un.n[g] - u[g, t] + 1e-6
    p = r.dispatch[un.names].to_numpy().T
    avail = case.series["availability_pu"][un.names].to_numpy().T
    size = un.size[:, None]
    assert (p >= un.p_min[:, None] * size * u - 1e-6).all()
    assert (p <= avail * size * u + 1e-6).all()
    assert r.objective >= relaxed_objective(case) - 1e-6


def solve_both(case: Case) -> list[gridopt.Results]:
    """Solve on both backends: optimal, the same optimum within the MIP gap, invariants."""
    out = [gridopt.solve(case, backend=b) for b in BACKENDS]
    assert [r.status for r in out] == ["optimal", "optimal"]
    assert out[1].objective == pytest.approx(out[0].objective, rel=MIP_GAP, abs=1e-6)
    for r in out:
        assert r.model.is_mip
        check_solution(r)
    return out


def series(r: gridopt.Results, quantity: str, name: str) -> list[float]:
    return r.variable(f"commitment.{quantity}")[name].round(6).tolist()


# -- hand optima -------------------------------------------------------------------------------


def test_minimum_up_time_keeps_a_started_unit_on() -> None:
    """Load [30, 120, 60] MW; 'cheap' 100 MW at 10/MWh; 'gas' one 100 MW unit at 50/MWh,
    minimum stable output 0.4 (40 MW), minimum up time 2 h, off before the horizon.

    Hour 1: cheap 30 (300). Hour 2: 120 > 100, gas starts and runs at its minimum 40, cheap
    80 (2,000 + 800). Hour 3: a unit started in hour 2 must stay on (v_2 + v_3 ≤ u_3): gas 40,
    cheap 20 (2,000 + 200). Objective 300 + 2,800 + 2,200 = 5,300. Without the minimum up
    time gas stops in hour 3 (cheap 60: 600): 3,700.

    Duals (of the LP with the commitment fixed, in the generic dual table): one MW more of
    minimum output in hours 2–3 moves a MW from cheap to gas, +40 (``dispatch_lower``); cheap
    is marginal everywhere, so the price is 10.
    """
    gas = unit("gas", vom_per_mwh=50.0, p_min_pu=0.4, min_up_h=2.0, units_on_initial=0)
    cheap = gen("cheap", "coal", p_nom_mw=100.0, vom_per_mwh=10.0)
    for r in solve_both(case_of([30.0, 120.0, 60.0], gas, cheap)):
        assert r.objective == pytest.approx(5300.0)
        assert series(r, "status", "gas") == [0.0, 1.0, 1.0]
        assert series(r, "startup", "gas") == [0.0, 1.0, 0.0]
        assert r.dispatch["gas"].tolist() == pytest.approx([0.0, 40.0, 40.0], abs=1e-6)
        assert r.dual("commitment.dispatch_lower")["gas"].iloc[1:].tolist() == \
            pytest.approx([40.0, 40.0])
        assert r.prices["b"].tolist() == pytest.approx([10.0, 10.0, 10.0])
    free = case_of([30.0, 120.0, 60.0], {**gas, "min_up_h": 0.0}, cheap)
    assert solve_both(free)[0].objective == pytest.approx(3700.0)


@pytest.mark.parametrize(("start_cost", "objective", "status"), [
    (2000.0, 8700.0, [1.0, 1.0, 1.0]),  # kept on at its minimum
    (500.0, 8000.0, [1.0, 0.0, 1.0]),  # cycled
])
def test_start_up_cost_decides_between_keeping_on_and_cycling(
        start_cost: float, objective: float, status: list[float]) -> None:
    """Load [150, 50, 150]; 'cheap' 100 MW at 10/MWh; 'gas' one 100 MW unit at 50/MWh,
    minimum 0.3 (30 MW), on before the horizon, start-up cost C.

    Hours 1 and 3: cheap 100 + gas 50 = 1,000 + 2,500 = 3,500 each. Hour 2 (load 50): keep gas
    on at its minimum 30 with cheap backing down to 20 (1,500 + 200 = 1,700), or stop it
    (cheap 50: 500) and start it again for hour 3 (C). Kept on: 3,500 · 2 + 1,700 = 8,700;
    cycled: 7,000 + 500 + C. C = 2,000 → kept on (8,700 < 9,500); C = 500 → cycled (8,000).
    """
    gas = unit("gas", vom_per_mwh=50.0, p_min_pu=0.3, startup_cost=start_cost)
    cheap = gen("cheap", "coal", p_nom_mw=100.0, vom_per_mwh=10.0)
    for r in solve_both(case_of([150.0, 50.0, 150.0], gas, cheap)):
        assert r.objective == pytest.approx(objective)
        assert series(r, "status", "gas") == status
        on = status[1] == 1.0
        assert r.dispatch["cheap"].iloc[1] == pytest.approx(20.0 if on else 50.0)
        costs = r.costs.loc[("commitment", "gas")]
        assert costs["startup"] == pytest.approx(0.0 if on else start_cost)


def test_costs_scale_to_a_year() -> None:
    """The cycled case above annualised: each of the 3 snapshots stands for w = 8760 / 3 =
    2,920 h, and each start for w / Δt = 2,920 starts a year. Objective 2,920 · 8,000 =
    23,360,000; start-up cost 2,920 · 500; 2,920 starts a year in the summary."""
    gas = unit("gas", vom_per_mwh=50.0, p_min_pu=0.3, startup_cost=500.0)
    cheap = gen("cheap", "coal", p_nom_mw=100.0, vom_per_mwh=10.0)
    case = make_case(3, [gas, cheap], {"load": [150.0, 50.0, 150.0]}, annualise=True)
    for r in solve_both(case):
        assert r.objective == pytest.approx(23_360_000.0)
        assert r.costs.loc[("commitment", "gas"), "startup"] == pytest.approx(2920.0 * 500.0)
        assert r.summary()["starts_per_yr"]["gas"] == pytest.approx(2920.0)


@pytest.mark.parametrize(("min_up_h", "objective"), [(3.0, 10_600.0), (2.0, 7_400.0)])
def test_two_hour_snapshots_count_minimum_times_in_snapshots(min_up_h: float,
                                                            objective: float) -> None:
    """The first test's case on 2-hour snapshots (w = Δt = 2 h): a minimum up time of 3 h
    covers ⌈3 / 2⌉ = 2 snapshots (gas on in snapshots 2 and 3: 2 · 5,300 = 10,600), one of
    2 h a single snapshot (gas stops: 2 · 3,700 = 7,400)."""
    gas = unit("gas", vom_per_mwh=50.0, p_min_pu=0.4, min_up_h=min_up_h, units_on_initial=0)
    cheap = gen("cheap", "coal", p_nom_mw=100.0, vom_per_mwh=10.0)
    config = {"name": "test", "currency": "EUR", "voll_per_mwh": 10_000.0,
              "discount_rate": 0.0, "snapshots": {"start": "2030-01-01 00:00", "hours": 3,
                                                  "step_h": 2.0, "annualise": False}}
    frames = {"buses": pd.DataFrame({"name": ["b"]}), "generators": pd.DataFrame([gas, cheap]),
              "loads": pd.DataFrame({"name": ["load"], "bus": ["b"]})}
    load = pd.DataFrame({"hour": [1, 2, 3], "load": [30.0, 120.0, 60.0]})
    case = case_from_tables(config, frames, {"load_mw": load})
    assert units(case).up.tolist() == [int(np.ceil(min_up_h / 2.0))]
    for r in solve_both(case):
        assert r.objective == pytest.approx(objective)


def test_ramp_limit_calls_on_a_dearer_unit() -> None:
    """Load [40, 100, 100]; 'coal' one 100 MW unit at 10/MWh, minimum 0.2, ramp 0.3/h of the
    committed capacity (30 MW/h), on before the horizon; 'gas' 100 MW at 50/MWh.

    Hour 1 is free (no ramp into the first snapshot): coal 40. Hour 2: coal ≤ 40 + 30 = 70,
    gas 30. Hour 3: coal 100. Objective 400 + 700 + 1,500 + 1,000 = 3,600 (without the
    limit 2,400). The generic ``generators.ramp_up`` rows are not written for it.
    """
    coal = unit("coal", "coal", vom_per_mwh=10.0, p_min_pu=0.2, ramp_up_pu_per_h=0.3)
    gas = gen("gas", p_nom_mw=100.0, vom_per_mwh=50.0)
    case = case_of([40.0, 100.0, 100.0], coal, gas)
    assert "generators.ramp_up" not in build_model(case).con_blocks
    for r in solve_both(case):
        assert r.objective == pytest.approx(3600.0)
        assert r.dispatch["coal"].tolist() == pytest.approx([40.0, 70.0, 100.0])


def test_start_up_ramp_limits_the_first_hour_on() -> None:
    """As above, but coal is off before the horizon, may start at 0.5 of its size and load is
    [0, 100, 100]. Hour 2: coal starts, p ≤ SU S = 50, gas 50. Hour 3: the unit is on in
    both hours, p_3 − p_2 ≤ 30: coal 80, gas 20. Objective 500 + 2,500 + 800 + 1,000 = 4,800
    (start-up ramp alone: 500 + 2,500 + 1,000 = 4,000; neither: 2,000)."""
    coal = unit("coal", "coal", vom_per_mwh=10.0, p_min_pu=0.2, ramp_up_pu_per_h=0.3,
                startup_ramp_pu=0.5, units_on_initial=0)
    gas = gen("gas", p_nom_mw=100.0, vom_per_mwh=50.0)
    load = [0.0, 100.0, 100.0]
    for r in solve_both(case_of(load, coal, gas)):
        assert r.objective == pytest.approx(4800.0)
        assert r.dispatch["coal"].tolist() == pytest.approx([0.0, 50.0, 80.0], abs=1e-6)
    no_ramp = {k: v for k, v in coal.items() if k != "ramp_up_pu_per_h"}
    assert solve_both(case_of(load, no_ramp, gas))[0].objective == pytest.approx(4000.0)


@pytest.mark.parametrize("min_up_h", [0.0, 2.0])
def test_shut_down_ramp_holds_output_back_before_a_stop(min_up_h: float) -> None:
    """Load [100, 0]; coal one 100 MW unit at 10/MWh, minimum 0.2, shut-down ramp 0.5, on
    for long before the horizon; gas 100 MW at 50/MWh. Hour 2 has no load, so coal stops
    (20 MW minimum > 0) and in hour 1 may give only SD S = 50: gas 50. Objective 500 +
    2,500 = 3,000. With a minimum up time of 1 snapshot this is ``shutdown_upper``; with
    2 h, the w_{t+1} term of ``dispatch_upper``."""
    coal = unit("coal", "coal", vom_per_mwh=10.0, p_min_pu=0.2, shutdown_ramp_pu=0.5,
                min_up_h=min_up_h)
    case = case_of([100.0, 0.0], coal, gen("gas", p_nom_mw=100.0, vom_per_mwh=50.0))
    assert ("commitment.shutdown_upper" in build_model(case).con_blocks) == (min_up_h == 0.0)
    for r in solve_both(case):
        assert r.objective == pytest.approx(3000.0)
        assert series(r, "shutdown", "coal") == [0.0, 1.0]


def test_minimum_stable_output_decommits_a_cheap_unit() -> None:
    """Load [80, 30]; coal 100 MW at 10/MWh with minimum 0.5, on; gas 100 MW at 50/MWh.

    One unit of 100 MW: in hour 2 a committed unit makes ≥ 50 > 30, so coal stops and gas
    runs: 800 + 1,500 = 2,300. Two units of 50 MW (minimum 25 each): one unit serves 30:
    800 + 300 = 1,100. (As a generic must-run floor, 0.5 of 100 MW would make hour 2
    infeasible.)"""
    gas = gen("gas", p_nom_mw=100.0, vom_per_mwh=50.0)
    for size, objective, on in ((100.0, 2300.0, 0.0), (50.0, 1100.0, 1.0)):
        coal = unit("coal", "coal", vom_per_mwh=10.0, p_min_pu=0.5, unit_size_mw=size)
        for r in solve_both(case_of([80.0, 30.0], coal, gas)):
            assert r.objective == pytest.approx(objective)
            assert series(r, "status", "coal")[1] == on
            assert r.dispatch["coal"].iloc[1] == pytest.approx(30.0 * on, abs=1e-6)


def fuel_case(*targets: dict[str, Any]) -> Case:
    """Load [0, 100, 100]; 'coal' one 100 MW unit burning coal (2 per GJ, 0.1 t CO2/GJ,
    20 GJ/t) at 10 GJ/MWh, 500 GJ per start, 50 GJ per unit-hour on, off before the horizon;
    'gas' 100 MW at 100/MWh, no fuel."""
    fuels = [{"name": "coal", "price_per_gj": 2.0, "co2_t_per_gj": 0.1, "gj_per_unit": 20.0,
              "unit": "t"}]
    coal = unit("coal", "coal", fuel="coal", heat_rate_gj_per_mwh=10.0, startup_fuel_gj=500.0,
                no_load_gj_per_h=50.0, units_on_initial=0)
    more = {"targets": list(targets)} if targets else {}
    return case_of([0.0, 100.0, 100.0], coal, gen("gas", p_nom_mw=100.0, vom_per_mwh=100.0),
                   fuels=fuels, **more)


def target(name: str, kind: str, bound: float, unit: str, enforce: bool = False,
           **kw: Any) -> dict[str, Any]:
    return {"name": name, "year": 2030, "kind": kind, "bound": bound, "unit": unit,
            "enforce": enforce, **kw}


def test_start_up_and_no_load_fuel_are_priced_and_counted() -> None:
    """Coal starts in hour 2 (500 GJ: 1,000) and runs hours 2–3 at 100 MW (2 · 10 · 100 =
    2,000 GJ: 4,000) with 50 GJ no-load each hour (100 GJ: 200); gas at 100/MWh is dearer.
    Objective 5,200. Fuel 2,000 + 500 + 100 = 2,600 GJ = 130 t of coal, CO2 260 t: in
    ``energy``, ``summary`` and the targets (reported: achieved 260 t and 130 t).
    """
    case = fuel_case(target("T5", "co2_max", 1000.0, "t CO2"),
                     target("T4", "fuel_max", 1000.0, "t", fuel="coal"))
    for r in solve_both(case):
        assert r.objective == pytest.approx(5200.0)
        costs = r.costs.loc[("commitment", "coal")]
        assert (costs["startup"], costs["no_load"]) == pytest.approx((1000.0, 200.0))
        assert r.energy.loc["coal", "fuel_use"] == pytest.approx(130.0)
        assert r.energy.loc["coal", "co2_t"] == pytest.approx(260.0)
        assert r.summary()["co2_t"] == pytest.approx(260.0)
        assert r.summary()["starts_per_yr"] == {"coal": pytest.approx(1.0)}
        assert r.targets.loc["T5", "achieved"] == pytest.approx(260.0)
        assert r.targets.loc["T4", "achieved"] == pytest.approx(130.0)


def test_an_enforced_co2_cap_sees_the_commitment_fuel() -> None:
    """Cap 250 t: the 260 t above must fall by 10 t. Start-up and no-load fuel stay (coal
    runs), so coal gives 10 MWh less (1 t CO2 per MWh) and gas takes them at 100 instead of
    20: 5,200 + 10 · 80 = 6,000. (Counting output alone, 200 MWh · 1 t = 200 t would pass.)"""
    case = fuel_case(target("T5", "co2_max", 250.0, "t CO2", enforce=True))
    for r in solve_both(case):
        assert r.objective == pytest.approx(6000.0)
        assert r.energy.loc["coal", "co2_t"] == pytest.approx(250.0)


@pytest.mark.parametrize(("initial", "objective"), [
    ({}, 1500.0),  # long in state: nothing binds
    ({"units_on_initial": 1, "hours_in_state_initial": 1.0}, 4700.0),
    ({"units_on_initial": 0, "hours_in_state_initial": 1.0}, 5500.0),
])
def test_initial_conditions_bind(initial: dict[str, Any], objective: float) -> None:
    """Load [50, 50, 50].

    - Nothing given (on, long in state): 'cheap' (100 MW at 10) serves all, 1,500, whatever
      the committable units do.
    - 'gas' (one 100 MW unit at 50/MWh, minimum 40, min up 3 h) has been on for 1 h: it must
      stay on 3 − 1 = 2 more hours at ≥ 40: (2,000 + 100) · 2 + 500 = 4,700.
    - 'coal' (one 100 MW unit at 10/MWh, min down 3 h) has been off for 1 h: it may start
      only in hour 3; 'dear' (100 MW at 50) serves hours 1–2: 5,000 + 500 = 5,500.
    The gas case puts 'gas' in, the coal case 'coal' and 'dear' instead of 'cheap'."""
    if initial.get("units_on_initial", 1) == 1:
        fleet = [unit("gas", vom_per_mwh=50.0, p_min_pu=0.4, min_up_h=3.0, **initial),
                 gen("cheap", "coal", p_nom_mw=100.0, vom_per_mwh=10.0)]
    else:
        fleet = [unit("coal", "coal", vom_per_mwh=10.0, min_down_h=3.0, **initial),
                 gen("dear", p_nom_mw=100.0, vom_per_mwh=50.0)]
    for r in solve_both(case_of([50.0, 50.0, 50.0], *fleet)):
        assert r.objective == pytest.approx(objective)


def brute_force(load: np.ndarray, up: int, down: int, on0: int, held: int, start: float,
                p_min: float) -> float:
    """The cheapest schedule of one 100 MW unit at 10/MWh (minimum p_min · 100) beside a
    100/MWh unit of unlimited size, by enumerating every on/off sequence: a run of one state
    must last ``up`` (on) or ``down`` (off) hours unless the horizon ends it; the first run
    continues the state held for ``held`` hours before the horizon."""
    best = np.inf
    for bits in range(2 ** len(load)):
        x = [(bits >> t) & 1 for t in range(len(load))]
        runs, state, length = [], on0, held
        for s in x:
            if s == state:
                length += 1
            else:
                runs.append((state, length))
                state, length = s, 1
        if any(n < (up if s else down) for s, n in runs):
            continue  # a run that ended too early (the last run may be cut by the horizon)
        if any(s and d < 100 * p_min for s, d in zip(x, load, strict=True)):
            continue  # a committed unit cannot go below its minimum (no other sink)
        starts = sum(s and not p for s, p in zip(x, [on0, *x[:-1]], strict=True))
        out = [min(d, 100.0) if s else 0.0 for s, d in zip(x, load, strict=True)]
        cost = start * starts + sum(10 * o + 100 * (d - o) for o, d in zip(out, load,
                                                                        strict=True))
        best = min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(8))
def test_minimum_times_and_initial_state_agree_with_enumeration(seed: int) -> None:
    """Random 5-hour cases of one unit (minimum up/down 1–3 h, initial state and hours in it,
    start-up cost, minimum stable output): the MIP optimum equals the best schedule found by
    enumerating all 32 on/off sequences under the rules stated in :func:`brute_force`."""
    rng = np.random.default_rng(seed)
    load = np.round(rng.uniform(0.0, 150.0, 5))
    up, down, held = (int(k) for k in rng.integers(1, 4, 3))
    on0, start, p_min = int(rng.integers(0, 2)), float(rng.choice([0.0, 300.0, 2000.0])), 0.3
    coal = unit("coal", "coal", vom_per_mwh=10.0, p_min_pu=p_min, min_up_h=up,
                min_down_h=down, units_on_initial=on0, hours_in_state_initial=held,
                startup_cost=start)
    dear = gen("dear", p_nom_mw=1000.0, vom_per_mwh=100.0)
    r = gridopt.solve(case_of(load.tolist(), coal, dear))
    assert r.status == "optimal"
    check_solution(r)
    assert r.objective == pytest.approx(brute_force(load, up, down, on0, held, start, p_min))


# -- structure and outputs ---------------------------------------------------------------------


def test_rows_of_a_two_unit_cluster() -> None:
    """Two 50 MW units (N = 2, S = 50), minimum 0.4, min up 2 h, min down 3 h, on for 1 h
    before the horizon, start-up ramp 0.6, availability [1, 0.5, 1]: exact rows."""
    coal = unit("coal", "coal", unit_size_mw=50.0, p_min_pu=0.4, min_up_h=2.0, min_down_h=3.0,
                units_on_initial=2, hours_in_state_initial=1.0, startup_ramp_pu=0.6)
    case = make_case(3, [coal], {"load": [10.0, 10.0, 10.0]},
                     availability={"coal": [1.0, 0.5, 1.0]})
    m = build_model(case)
    a = m.matrix("csr")
    p = m.var("generators.dispatch")[0]
    u, v, w = (m.var(f"commitment.{q}")[0] for q in ("status", "startup", "shutdown"))
    assert m.upper[u].tolist() == [2.0, 2.0, 2.0]
    assert m.integrality[np.r_[u, v, w]].all() and not m.integrality[p].any()

    def row(block: str, t: int) -> dict[int, float]:
        r = a[m.con_blocks[f"commitment.{block}"].start + t]
        return dict(zip(r.indices.tolist(), r.data.tolist(), strict=True))

    def rhs(block: str, t: int) -> tuple[float, float]:
        i = m.con_blocks[f"commitment.{block}"].start + t
        return m.row_lower[i], m.row_upper[i]

    assert row("transition", 0) == {u[0]: 1.0, v[0]: -1.0, w[0]: 1.0}
    assert rhs("transition", 0) == (2.0, 2.0)
    assert row("transition", 1) == {u[1]: 1.0, u[0]: -1.0, v[1]: -1.0, w[1]: 1.0}
    # min up 2 h, on for 1 h: the 2 initial units stay on in hour 1 only
    assert row("min_up", 1) == {u[1]: -1.0, v[1]: 1.0, v[0]: 1.0}
    assert [rhs("min_up", t)[1] for t in range(3)] == [-2.0, 0.0, 0.0]
    # min down 3 h: Σ of the last 3 stops + u ≤ N (no initial off units: N − U⁰ = 0)
    assert row("min_down", 2) == {u[2]: 1.0, w[2]: 1.0, w[1]: 1.0, w[0]: 1.0}
    assert [rhs("min_down", t)[1] for t in range(3)] == [2.0, 2.0, 2.0]
    assert row("dispatch_lower", 1) == {p[1]: 1.0, u[1]: -20.0}
    # hour 2 (a = 0.5 < SU = 0.6): p − 25 u + 0 v + (a − sd) 50 w_3 = p − 25 u ≤ 0;
    # hour 1: p − 50 u + (1 − 0.6) · 50 v ≤ 0 and, min up ≥ 2, the stop term (1 − 1) · 50 = 0
    assert row("dispatch_upper", 1) == {p[1]: 1.0, u[1]: -25.0}
    assert row("dispatch_upper", 0) == pytest.approx({p[0]: 1.0, u[0]: -50.0, v[0]: 20.0})
    assert "commitment.shutdown_upper" not in m.con_blocks  # min up ≥ 2 snapshots
    assert "commitment.ramp_up" not in m.con_blocks  # no ramp limit
    assert "generators.dispatch_lower" not in m.con_blocks  # p_min is per committed unit
    assert m.lower[p].tolist() == [0.0, 0.0, 0.0]


def test_a_case_without_committable_generators_is_unchanged() -> None:
    """No committable generator: no commitment block, an LP, no commitment table."""
    case = case_of([50.0], gen("cheap", "coal", p_nom_mw=100.0, vom_per_mwh=10.0, p_min_pu=0.2))
    m = build_model(case)
    assert not any(k.startswith("commitment.") for k in {**m.var_blocks, **m.con_blocks})
    assert not m.is_mip and "generators.dispatch_lower" not in m.con_blocks
    assert m.lower[m.var("generators.dispatch")[0]].tolist() == [20.0]
    r = gridopt.solve(case)
    assert "commitment" not in r.tables() and r.commitment.empty


def test_run_writes_the_commitment_table(tmp_path: Path) -> None:
    """The results folder has commitment.csv: a row per (snapshot, generator) with units on,
    starts and stops (the first test's solution), and summary.json the starts per year."""
    gas = unit("gas", vom_per_mwh=50.0, p_min_pu=0.4, min_up_h=2.0, units_on_initial=0)
    cheap = gen("cheap", "coal", p_nom_mw=100.0, vom_per_mwh=10.0)
    r = gridopt.solve(case_of([30.0, 120.0, 60.0], gas, cheap))
    folder = write_results(r, tmp_path / "out")
    table = pd.read_csv(folder / "commitment.csv")
    assert list(table.columns) == ["snapshot", "name", "units_on", "starts", "stops"]
    assert table["units_on"].round(6).tolist() == [0.0, 1.0, 1.0]
    assert table["starts"].round(6).tolist() == [0.0, 1.0, 0.0]
    assert not any(f.name.startswith("commitment_") for f in folder.iterdir())
    assert (folder / "summary.json").read_text().count('"starts_per_yr"') == 1


def test_an_infeasible_commitment_is_explained_in_the_case_terms() -> None:
    """One 100 MW unit with minimum 0.5 and a minimum up time of 2 h started just before the
    horizon (on for 0 h): it must stay on in hour 1 and give ≥ 50 MW into a 10 MW load with
    nothing to take the rest. The infeasible subset names the generator's minimum up time (in
    units) and its minimum stable output."""
    from gridopt.diagnose import diagnose

    gas = unit("gas", p_min_pu=0.5, min_up_h=2.0, units_on_initial=1, hours_in_state_initial=0)
    case = case_of([10.0, 10.0], gas)
    assert gridopt.solve(case).status == "infeasible"
    short = diagnose(case, elastic=False).short()
    assert re.search(r"generator 'gas' minimum up time at 2030-01-01 0[01]:00: ≤ -1 units", short)
    assert "generator 'gas' minimum stable output" in short


def test_representative_periods_are_refused() -> None:
    """Commitment needs the chronological horizon: aggregating a case with a committable
    generator is refused with a clear message."""
    from gridopt.periods import aggregate

    case = case_of([10.0] * 4, unit("coal", "coal"))
    with pytest.raises(ValueError, match=r"representative periods.*not supported"):
        aggregate(case, 1, hours=2, keep_peak=False)


# -- input checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(("columns", "column", "rule"), [
    ({"p_nom_mw": 250.0, "unit_size_mw": 100.0}, "unit_size_mw", "commitment-units"),
    ({"unit_size_mw": 150.0}, "unit_size_mw", "commitment-units"),  # N = 0.67
    ({"p_nom_mw": 0.0}, "p_nom_mw", "commitment-units"),
    ({"extendable": True}, "extendable", "commitment-extendable"),
    ({"unit_size_mw": 50.0, "units_on_initial": 3}, "units_on_initial", "commitment-initial"),
    ({"units_on_initial": 0.5}, "units_on_initial", "commitment-initial"),
    ({"p_min_pu": 0.4, "startup_ramp_pu": 0.3}, "startup_ramp_pu", "commitment-ramp"),
    ({"p_min_pu": 0.4, "shutdown_ramp_pu": 0.3}, "shutdown_ramp_pu", "commitment-ramp"),
    ({"startup_fuel_gj": 10.0}, "startup_fuel_gj", "commitment-fuel"),
    ({"no_load_gj_per_h": 10.0}, "no_load_gj_per_h", "commitment-fuel"),
])
def test_bad_commitment_data_is_refused(columns: dict[str, Any], column: str,
                                        rule: str) -> None:
    """One problem at generators.csv, row 3 (the second generator), naming the column and
    the rule; the same values on a generator that is not committable are not read."""
    good = gen("cheap", "coal", p_nom_mw=100.0)
    with pytest.raises(CaseError) as caught:
        case_of([10.0], good, unit("coal", "coal", **columns))
    assert [(p.file, p.row, p.column, p.rule) for p in caught.value.problems] == [
        ("generators.csv", 3, column, rule)]
    if rule != "commitment-units" or "p_nom_mw" not in columns:
        case_of([10.0], good, unit("coal", "coal", **{**columns, "committable": False}))


def test_non_integer_units_named_in_a_case_folder(tmp_path: Path) -> None:
    """Through ``gridopt validate``'s path: the CSV line, column and rule of the problem."""
    from gridopt.case.io import validate_case

    folder = tmp_path / "case"
    shutil.copytree(Path(__file__).parent / "cases" / "tiny", folder)
    path = folder / "generators.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",committable,unit_size_mw"
    lines[1] += ",true,30"
    lines[2] += ",,"
    path.write_text("\n".join(lines) + "\n")
    problems = validate_case(folder)
    assert [(p.file, p.row, p.column, p.rule) for p in problems] == [
        ("generators.csv", 2, "unit_size_mw", "commitment-units")]
    assert "100 / unit_size_mw 30 = 3.33333 units" in problems[0].message


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_minimum_times_longer_than_the_horizon(backend: str) -> None:
    """Two hours, load [50, 20], one 100 MW unit (minimum 0.2, 10/MWh, start-up 100), off
    before the horizon, with minimum up and down times of 5 h, longer than the horizon (the
    rows look back past the start: an edge that once raised a broadcast error). It starts in
    hour 0 and stays on: 100 + 10 × 50 + 10 × 20 = 800."""
    c = case_of([50.0, 20.0], unit("gas", p_min_pu=0.2, vom_per_mwh=10.0, startup_cost=100.0,
                                   min_up_h=5.0, min_down_h=5.0, units_on_initial=0))
    r = gridopt.solve(c, backend=backend)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(800.0)
    assert r.commitment["units_on"].tolist() == [1, 1]
