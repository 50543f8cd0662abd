"""Regression tests for findings of the first correctness review (each names its finding)."""

from __future__ import annotations

import pytest

import gridopt
from gridopt.case.case import CaseError
from gridopt.peak import TargetUnreachableError, verify, with_target
from tests.factory import gen, make_case

LOAD24 = [100.0] * 24
LOAD24[18], LOAD24[19] = 200.0, 190.0


def day_case(peak: dict | None = None, hours: int = 24, load: list[float] | None = None,
             **tables):
    """A day of 100 MW with an evening peak (200 MW at 18:00, 190 MW at 19:00), gas at 50."""
    case = make_case(hours=hours, generators=[gen("gas", p_nom_mw=500.0, vom_per_mwh=50.0)],
                     loads={"load": load or LOAD24}, **tables)
    cfg = {"k": 1, "event_duration_h": 1, **(peak or {})}
    return case.replace(config={**case.config, "peak_response": cfg})


def ci(**kw) -> dict:
    return {"name": "ci", "bus": "b", "potential_mw": 10.0, "enrolled_mw": 10.0, **kw}


def test_1_ineligible_member_cannot_free_room_under_the_vpp_cap() -> None:
    """VPP capped at 5 MW: R = 5 whether or not an ineligible (48 h notice) member joins."""
    vpp = [{"name": "v", "aggregate_mw": 5.0}]
    alone = day_case(vpps=vpp, interruptible=[ci(vpp="v")])
    assert verify(alone).capability_mw == pytest.approx(5.0)
    other = ci(name="late", notice_h=48.0, vpp="v", max_hours_per_event=1.0)
    both = day_case(vpps=vpp, interruptible=[ci(vpp="v"), other])
    assert verify(both).capability_mw == pytest.approx(5.0)


def test_2_annual_hours_limit_the_event_too() -> None:
    """A 2-hour event and at most 1 hour a year: 10 MWh over 2 h, R = 5 (not 10)."""
    case = day_case({"event_duration_h": 2}, interruptible=[ci(max_hours_per_yr=1.0)])
    assert verify(case).capability_mw == pytest.approx(5.0)


def test_3_zero_events_means_no_response() -> None:
    """max_events_per_yr = 0 with unlimited hours per event: 0 · ∞ = 0 hours, R = 0, and in
    dispatch nothing is curtailed."""
    case = day_case(interruptible=[ci(max_events_per_yr=0.0)])
    assert verify(case).capability_mw == pytest.approx(0.0, abs=1e-9)
    r = gridopt.solve(case)
    assert r.variable("interruptible.reduce").to_numpy().max() == pytest.approx(0.0, abs=1e-9)


def test_3_unavailable_vpp_next_to_a_capped_one() -> None:
    """α = 0 with an unlimited aggregate is 0 (not NaN); the model still solves."""
    vpps = [{"name": "off", "availability_pu": 0.0}, {"name": "v", "aggregate_mw": 5.0}]
    case = day_case(vpps=vpps, interruptible=[ci(vpp="v"), ci(name="ci2", vpp="off")])
    assert gridopt.solve(case).status == "optimal"
    assert verify(case).capability_mw == pytest.approx(5.0)


def test_4_event_duration_and_interruptions_are_hours_not_snapshots() -> None:
    """Half-hour snapshots: a 2-hour event is 4 snapshots; 1 hour per event = 10 MWh, so the
    10 MW portfolio holds 10 · 1 / 2 = 5 MW through the event (not 10)."""
    case = make_case(hours=48, generators=[gen("gas", p_nom_mw=500.0, vom_per_mwh=50.0)],
                     loads={"load": [100.0] * 36 + [200.0, 190.0] + [100.0] * 10},
                     interruptible=[ci(max_hours_per_event=1.0)])
    case = case.replace(step_h=0.5, config={**case.config, "peak_response": {
        "k": 1, "event_duration_h": 2}})
    assert verify(case).capability_mw == pytest.approx(5.0)


def test_5_events_on_consecutive_days_each_get_their_budget() -> None:
    """Two 1-hour events on two days, 1 hour per event: each day 10 MWh, R = 10."""
    load = LOAD24 + LOAD24
    case = day_case({"k": 2, "event_duration_h": 1}, hours=48, load=load,
                    interruptible=[ci(max_hours_per_event=1.0)])
    # top-2 hours are both 200 MW peaks (hours 18 and 42): two events on two days
    assert verify(case).capability_mw == pytest.approx(10.0)


def test_7_gap_closure_prices_the_vpp_fee() -> None:
    """'a' costs 5 + VPP fee 25 = 30 per MW-yr, 'z' 10 (no VPP): the 5 MW gap (target 10 MW
    = 5 % of 200) is closed by 'z' at 50 a year."""
    vpps = [{"name": "v", "enrolment_cost_per_mw_yr": 25.0}]
    rows = [ci(name="a", enrolled_mw=5.0, extendable=True, enrolment_cost_per_mw_yr=5.0, vpp="v"),
            ci(name="z", enrolled_mw=0.0, extendable=True, enrolment_cost_per_mw_yr=10.0)]
    rep = verify(day_case(vpps=vpps, interruptible=rows))
    closure = rep.gap_closure.set_index("name")
    assert list(closure.index) == ["z"]
    assert closure["annual_cost"].sum() == pytest.approx(50.0)


def test_8_enforcing_an_unreachable_target_is_explained() -> None:
    """Only 10 MW can respond and 'ci' is not extendable: 10 % of 200 = 20 MW is 10 MW short."""
    case = with_target(day_case(interruptible=[ci(potential_mw=30.0)]), 0.10)
    with pytest.raises(TargetUnreachableError, match=r"10\.0 MW short"):
        gridopt.solve(case)


def test_9_pyomo_keeps_names_that_differ_only_by_a_space() -> None:
    case = make_case(hours=2, generators=[gen("g 1", p_nom_mw=5.0, vom_per_mwh=10.0),
                                          gen("g_1", p_nom_mw=5.0, vom_per_mwh=20.0)],
                     loads={"load": [8.0, 8.0]})
    a, b = gridopt.solve(case), gridopt.solve(case, backend="pyomo")
    assert a.objective == pytest.approx(2 * (5 * 10 + 3 * 20))
    assert b.objective == pytest.approx(a.objective)


def test_11_a_case_without_generators_runs() -> None:
    """Storage and shedding only: solves (all shed at VOLL) and writes its tables."""
    case = make_case(hours=2, generators=[], loads={"load": [1.0, 1.0]}, validate=False)
    r = gridopt.solve(case)
    assert r.objective == pytest.approx(20_000.0)
    assert "curtailment" in r.tables()


def test_12_unknown_solver_option_is_a_clear_error() -> None:
    case = make_case(hours=1, generators=[gen("g", p_nom_mw=5.0)], loads={"load": [1.0]})
    with pytest.raises(ValueError, match="bogus_option"):
        gridopt.solve(case, bogus_option=1)
    with pytest.raises(ValueError, match="bogus_option"):
        gridopt.solve(case, backend="pyomo", bogus_option=1)


def test_13_events_outside_the_horizon_are_a_case_error() -> None:
    case = day_case({"hours": "events", "events": [["2031-01-01 00:00", "2031-01-01 02:00"]]},
                    interruptible=[ci()])
    with pytest.raises(CaseError, match="no peak hour"):
        verify(case)


def test_16_unbounded_has_no_solution_values() -> None:
    """A generator paid 10 per MWh to produce, with free unlimited capacity, and a free lossy
    store that can charge and discharge at once (η = 0.5) to burn any amount of energy: the LP
    is unbounded. The status says so and there is no solution to read."""
    case = make_case(hours=1, generators=[gen("g", extendable=True)], loads={"load": [1.0]},
                     storage=[{"name": "s", "bus": "b", "extendable": True, "eff_charge": 0.5,
                               "eff_discharge": 0.5}],
                     series={"price_per_mwh": {"g": [-10.0]}})
    r = gridopt.solve(case)
    assert r.status in ("unbounded", "infeasible_or_unbounded")
    assert r.objective is None
    with pytest.raises(RuntimeError, match="no solution"):
        r.dispatch  # noqa: B018 - reading the table is the test


def test_12_unknown_solver_option_in_case_yaml_is_a_problem() -> None:
    from gridopt.case.validate_config import check_config

    config = {"name": "x", "currency": "EUR", "voll_per_mwh": 1.0,
              "snapshots": {"start": "2030-01-01", "hours": 4},
              "solver": {"solver": "ipm", "bogus_option": 1}}
    problems, _ = check_config(config)
    assert [(p.column, p.rule) for p in problems] == [("solver.bogus_option", "config-value")]


def test_14_derived_energy_above_its_maximum_is_a_problem() -> None:
    """10 MW × 4 h = 40 MWh of energy, but e_nom_max_mwh = 30."""
    with pytest.raises(CaseError, match="e_nom_max_mwh 30"):
        make_case(hours=1, generators=[gen("g", p_nom_mw=5.0)], loads={"load": [1.0]},
                  storage=[{"name": "s", "bus": "b", "p_nom_mw": 10.0, "duration_h": 4.0,
                            "e_nom_max_mwh": 30.0}])


def test_a_threads_option_after_an_earlier_solve_still_solves() -> None:
    """HiGHS sizes its thread scheduler at a process's first solve and leaves a later solve
    with another ``threads`` value unsolved (status not set); gridopt restarts the scheduler,
    so solves with threads 2, 1 and the default in one process all reach the optimum (30)."""
    case = make_case(hours=2, generators=[gen("solar", "solar", p_nom_mw=2.0),
                                          gen("gas", "gas", p_nom_mw=5.0, vom_per_mwh=30.0)],
                     loads={"l": [1.0, 1.0]}, availability={"solar": [1.0, 0.0]})
    for options in ({}, {"threads": 2}, {"threads": 1}, {}, {"threads": 2}):
        for backend in ("highs", "pyomo"):
            r = gridopt.solve(case, backend=backend, **options)
            assert r.status == "optimal", (backend, options)
            assert r.objective == pytest.approx(30.0)
