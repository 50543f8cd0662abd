"""Indivisible interruptible contracts: whole events of the full reduction (a MIP).

See ``models/interruptible.md`` ("Indivisible rows"). Every optimum below is derived by hand in
its test's docstring; the MIPs are solved on both backends (within the MIP gap, 1e-4).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gridopt
from gridopt.case.case import CaseError
from gridopt.case.io import validate_case
from gridopt.peak import verify
from tests.factory import gen, make_case
from tests.test_peak_response import dr_case
from tests.test_validation import tiny_with, where

BACKENDS = ["highs", "pyomo"]
MIP_GAP = 1e-4


def spike_case(hours_load: list[float], indivisible: bool = True, **row: object):
    """One bus; 'cheap' 100 MW at 10/MWh, 'dear' 100 MW at 1,000/MWh; one interruptible
    contract 'ci' of 50 MW enrolled (participation 1), activation 200/MWh (overridable)."""
    ci = {"name": "ci", "bus": "b", "potential_mw": 50.0, "enrolled_mw": 50.0,
          "activation_cost_per_mwh": 200.0, "indivisible": indivisible, **row}
    return make_case(len(hours_load), [gen("cheap", p_nom_mw=100.0, vom_per_mwh=10.0),
                                       gen("dear", p_nom_mw=100.0, vom_per_mwh=1000.0)],
                     {"load": hours_load}, interruptible=[ci])


SPIKE = [100.0, 130.0, 100.0, 100.0]  # a 1-hour spike of 30 MW above the cheap unit
TWO_SPIKES = [100.0, 130.0, 100.0, 100.0, 130.0, 100.0]


def check_events(r: gridopt.Results, full_mw: float, min_h: int, max_h: float) -> None:
    """Invariants: every hour is all or nothing (0 or the full ρX), every run of activated
    hours lasts at least ``min_h`` and at most ``max_h`` hours, and the starts are exactly the
    hours where a run begins."""
    reduce = r.variable("interruptible.reduce")["ci"].to_numpy()
    on = r.variable("interruptible.activated")["ci"].to_numpy()
    start = r.variable("interruptible.start")["ci"].to_numpy()
    assert np.allclose(on, np.round(on), atol=1e-6)
    on = np.round(on).astype(int)
    np.testing.assert_allclose(reduce, on * full_mw, atol=1e-5)
    np.testing.assert_allclose(start, np.diff(np.r_[0, on]).clip(0), atol=1e-6)
    runs = [len(run) for run in "".join(map(str, on)).split("0") if run]
    assert all(min_h <= n <= max_h for n in runs), runs


@pytest.mark.parametrize("backend", BACKENDS)
def test_spike_lp_reading_shaves_what_pays(backend: str) -> None:
    """LP reading (indivisible false), min event 2 h, max 2 h. Only hour 1 uses 'dear' (30 MW
    at 1,000); curtailing there at 200 saves 800/MWh, elsewhere it would replace 'cheap' at 10
    (a loss). So r = [0, 30, 0, 0]: cheap 400 MWh · 10 = 4,000, DR 30 · 200 = 6,000 → 10,000.
    (Without DR: 4,000 + 30 · 1,000 = 34,000.)"""
    r = gridopt.solve(spike_case(SPIKE, False, min_hours_per_event=2.0,
                                 max_hours_per_event=2.0), backend=backend)
    assert r.objective == pytest.approx(10_000.0, rel=1e-9)
    np.testing.assert_allclose(r.variable("interruptible.reduce")["ci"].to_numpy(),
                               [0, 30, 0, 0], atol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_spike_indivisible_interrupts_everything_for_two_hours(backend: str) -> None:
    """Indivisible, min 2 h, max 2 h: an event is 50 MW for exactly 2 hours, and must cover
    hour 1 to help: hours {0, 1} or {1, 2}. Hour 1: 130 − 50 = 80 MW from 'cheap' (no 'dear');
    the other event hour: 100 − 50 = 50 MW; the two other hours 100 MW each. Cheap:
    (80 + 50 + 200) · 10 = 3,300; DR 100 MWh · 200 = 20,000 → 23,300 < 34,000 (no event).
    The LP reading (10,000) is cheaper: integer events cost 13,300 here."""
    r = gridopt.solve(spike_case(SPIKE, min_hours_per_event=2.0, max_hours_per_event=2.0),
                      backend=backend)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(23_300.0, rel=MIP_GAP)
    check_events(r, 50.0, 2, 2)
    assert r.variable("interruptible.activated")["ci"].to_numpy()[1] == pytest.approx(1.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_spike_indivisible_too_dear_is_not_used(backend: str) -> None:
    """Activation 700/MWh: the LP reading curtails 30 MW in hour 1 (saves 300/MWh): 4,000 +
    21,000 = 25,000. An indivisible event costs 3,300 + 100 · 700 = 73,300 > 34,000 without
    it, so none: 34,000."""
    lp = gridopt.solve(spike_case(SPIKE, False, min_hours_per_event=2.0,
                                  max_hours_per_event=2.0, activation_cost_per_mwh=700.0),
                       backend=backend)
    mip = gridopt.solve(spike_case(SPIKE, min_hours_per_event=2.0, max_hours_per_event=2.0,
                                   activation_cost_per_mwh=700.0), backend=backend)
    assert lp.objective == pytest.approx(25_000.0, rel=1e-9)
    assert mip.objective == pytest.approx(34_000.0, rel=MIP_GAP)
    check_events(mip, 50.0, 2, 2)
    assert mip.variable("interruptible.reduce").to_numpy().max() == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_event_count_limit_counts_integer_starts(backend: str) -> None:
    """Two 1-hour spikes (hours 1 and 4); min 1 h, max 2 h per event, so the annual hours
    H = N^ev · 2 allow 100 MWh with N^ev = 1: the energy rows alone would allow two 1-hour
    events. Each event (50 MW in a spike hour; a second hour would only replace 'cheap' at a
    loss) saves 30 · 1,000 + 20 · 10 − 50 · 200 = 20,200 on 66,000 (cheap 6,000 + dear
    60,000). N^ev = 2: two starts, 66,000 − 40,400 = 25,600; N^ev = 1: one start, 45,800.
    The LP reading with N^ev = 1 shaves 30 MW in both spikes (60 MWh ≤ 100): 6,000 + 12,000 =
    18,000."""
    row = {"min_hours_per_event": 1.0, "max_hours_per_event": 2.0}
    two = gridopt.solve(spike_case(TWO_SPIKES, max_events_per_yr=2.0, **row), backend=backend)
    one = gridopt.solve(spike_case(TWO_SPIKES, max_events_per_yr=1.0, **row), backend=backend)
    lp = gridopt.solve(spike_case(TWO_SPIKES, False, max_events_per_yr=1.0, **row),
                       backend=backend)
    assert two.objective == pytest.approx(25_600.0, rel=MIP_GAP)
    assert one.objective == pytest.approx(45_800.0, rel=MIP_GAP)
    assert lp.objective == pytest.approx(18_000.0, rel=1e-9)
    assert two.variable("interruptible.start").to_numpy().sum() == pytest.approx(2.0)
    assert one.variable("interruptible.start").to_numpy().sum() == pytest.approx(1.0)
    for r in (one, two):
        check_events(r, 50.0, 1, 2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_notice_forbids_a_start_before_it_could_be_given(backend: str) -> None:
    """Notice 2 h: no event may start in the first 2 hours of the horizon (the notice would
    fall before it), so the spike in hour 1 cannot be curtailed (min 1 h, max 1 h): 34,000;
    with notice 1 h it can: cheap (100 · 3 + 80) · 10 = 3,800, DR 50 · 200 = 10,000 → 13,800."""
    row = {"min_hours_per_event": 1.0, "max_hours_per_event": 1.0}
    late = gridopt.solve(spike_case(SPIKE, notice_h=2.0, **row), backend=backend)
    soon = gridopt.solve(spike_case(SPIKE, notice_h=1.0, **row), backend=backend)
    assert late.objective == pytest.approx(34_000.0, rel=MIP_GAP)
    assert soon.objective == pytest.approx(13_800.0, rel=MIP_GAP)


def test_min_event_longer_than_the_room_left_is_not_started() -> None:
    """Min 3 h, max 3 h on four hours: an event starts at hour 0 or 1 (hour 2 would end after
    the horizon). Covering the spike in hour 1 costs 3 · 50 · 200 = 30,000 DR, cheap (80 + 50
    + 50 + 100) · 10 = 2,800 → 32,800 < 34,000; the invariants hold on the result."""
    r = gridopt.solve(spike_case(SPIKE, min_hours_per_event=3.0, max_hours_per_event=3.0))
    assert r.objective == pytest.approx(32_800.0, rel=MIP_GAP)
    check_events(r, 50.0, 3, 3)


def test_default_is_bit_identical_to_the_lp_reading() -> None:
    """indivisible false (and min_hours_per_event given or not) builds the same model as a
    table without the new columns: the same matrix, bounds and costs, no integer column."""
    from gridopt.model.build import build_model

    base = spike_case(SPIKE, max_hours_per_event=2.0)
    old = base.tables["interruptible"].drop(columns=["indivisible", "min_hours_per_event"])
    plain = base.replace(tables={**base.tables, "interruptible": old.assign(indivisible=False,
                                                                            min_hours_per_event=0.0)})
    given = base.replace(tables={**base.tables, "interruptible": old.assign(
        indivisible=False, min_hours_per_event=2.0)})
    a, b = build_model(plain), build_model(given)
    assert not a.is_mip and a.n_integer == 0
    for attr in ("lower", "upper", "row_lower", "row_upper"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    np.testing.assert_array_equal(a.cost_vector(), b.cost_vector())
    assert list(a.con_blocks) == list(b.con_blocks)
    ra, rb = gridopt.solve(plain), gridopt.solve(given)
    assert ra.objective == rb.objective
    np.testing.assert_array_equal(ra.variable("interruptible.reduce").to_numpy(),
                                  rb.variable("interruptible.reduce").to_numpy())


def test_peak_capability_of_an_indivisible_row_is_all_or_nothing() -> None:
    """The peak-response case of tests/test_peak_response.py: 6 MW, at most 1 hour per event,
    event = hours 1–2 (2 hours). LP reading: 6 MWh per event held over 2 hours → R = 3 MW.
    Indivisible: a whole event of the full 6 MW lasts at most 1 hour, so it cannot cover both
    event hours: R = min over the event hours = 0 (FAIL, and full potential is no better).
    With max 2 h per event: 6 MW through both hours, R = 6. The report says R is a MIP."""
    lp = verify(dr_case(k=2, duration=2))
    mip = verify(dr_case(k=2, duration=2, indivisible=True))
    whole = verify(dr_case(k=2, duration=2, indivisible=True, max_hours_per_event=2.0))
    assert lp.capability_mw == pytest.approx(3.0) and lp.method == "LP"
    assert mip.capability_mw == pytest.approx(0.0, abs=1e-6)
    assert mip.max_potential_mw == pytest.approx(0.0, abs=1e-6)
    assert mip.method == "MIP (indivisible: ci)"
    assert mip.table().loc["capability_model", "value"] == "MIP (indivisible: ci)"
    assert "indivisible" in mip.explanation
    assert whole.capability_mw == pytest.approx(6.0)


def test_peak_capability_with_a_minimum_event_longer_than_the_peak() -> None:
    """Event = hour 1 only; min 3 h, max 3 h per event on the 4-hour event day: an event
    starting at 0 or 1 covers hour 1 with the full 6 MW, so R = 6 (the LP reading gives 6 as
    well); with min 4 h > max 3 h the row is refused (see the validation test)."""
    assert verify(dr_case(k=1, duration=1, indivisible=True, min_hours_per_event=3.0,
                          max_hours_per_event=3.0)).capability_mw == pytest.approx(6.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_enforced_target_with_an_indivisible_row(backend: str) -> None:
    """As test_enforced_target_holds_and_costs_the_enrolment (test_peak_response.py) with the
    row indivisible (max 1 h, min 0): the event is the peak hour, so R = X and 5 MW are
    enrolled; in dispatch whole 1-hour events still fit 2 of the 4 hours, saving 2 · 50 per MW,
    so the target costs 5 · 900 = 4,500 and the dual of the LP with integers fixed is 900."""
    from gridopt.peak import with_target

    case = dr_case(enrolled_mw=0.0, extendable=True, enrolment_cost_per_mw_yr=1000.0,
                   indivisible=True)
    free = gridopt.solve(with_target(case, None, enforce=False), backend=backend)
    r = gridopt.solve(with_target(case, 0.05), backend=backend)
    assert r.variable("interruptible.enrolled_new")["ci"] == pytest.approx(5.0)
    assert r.objective - free.objective == pytest.approx(4500.0, rel=MIP_GAP)
    assert r.dual_of("peak_response.target") == pytest.approx(900.0, rel=1e-6)


def test_bad_input_is_refused_naming_file_row_column(tmp_path: Path) -> None:
    """'maybe' is not a boolean; min_hours_per_event 3 > max_hours_per_event 2 is refused."""
    text = ("name,bus,potential_mw,enrolled_mw,indivisible,min_hours_per_event,"
            "max_hours_per_event\ncut,north,10,5,maybe,1,2\nlong,north,10,5,true,3,2\n")
    problems = validate_case(tiny_with(tmp_path, ("interruptible.csv", None, text)))
    found = set(where(problems))
    assert ("interruptible.csv", 2, "indivisible", "not-a-bool") in found
    assert ("interruptible.csv", 3, "min_hours_per_event", "min-le-max") in found


def test_bad_shiftable_input_is_refused(tmp_path: Path) -> None:
    """The same rules on shiftable.csv: a non-boolean indivisible, min event > max event."""
    text = ("name,bus,potential_mw,enrolled_mw,indivisible,min_hours_per_event,"
            "max_hours_per_event\ns1,north,10,5,2,1,2\ns2,north,10,5,yes,4,3\n")
    found = set(where(validate_case(tiny_with(tmp_path, ("shiftable.csv", None, text)))))
    assert ("shiftable.csv", 2, "indivisible", "not-a-bool") in found
    assert ("shiftable.csv", 3, "min_hours_per_event", "min-le-max") in found


def test_indivisible_on_segments_is_refused() -> None:
    """Whole events are counted in equal snapshots: segmented periods are refused, naming the
    file, row and column."""
    pytest.importorskip("tsam")
    from gridopt.periods import aggregate

    case = spike_case([100.0, 130.0, 100.0, 100.0] * 12, min_hours_per_event=1.0)
    with pytest.raises(CaseError) as info:
        gridopt.solve(aggregate(case, 1, segments=4, keep_peak=False))
    assert where(info.value.problems) == [("interruptible.csv", 2, "indivisible",
                                           "indivisible-segments")]


def enumerate_optimum(load: list[float], act: float, k: int, n: int, events: float,
                      notice: int) -> float:
    """Cheapest cost over every activation pattern u ∈ {0, 1}^H whose runs last k..n hours,
    start at hour ≥ notice, and number at most ``events``; per hour, 'cheap' serves up to
    100 MW at 10 and 'dear' the rest at 1,000, net of 50 u_t MW curtailed at ``act``/MWh."""
    best = np.inf
    for bits in range(2 ** len(load)):
        u = [(bits >> t) & 1 for t in range(len(load))]
        starts = [t for t in range(len(load)) if u[t] and (t == 0 or not u[t - 1])]
        runs = "".join(map(str, u)).split("0")
        if any(t < notice for t in starts) or len(starts) > events:
            continue
        if any(not k <= len(run) <= n for run in runs if run):
            continue
        net = np.asarray(load) - 50.0 * np.asarray(u)
        cost = (10.0 * np.minimum(net, 100.0) + 1000.0 * np.maximum(net - 100.0, 0.0)).sum()
        best = min(best, cost + act * 50.0 * sum(u))
    return float(best)


@pytest.mark.parametrize("seed", range(8))
def test_random_cases_against_enumeration(seed: int) -> None:
    """Six hours of random load (60–140 MW), a 50 MW indivisible contract with random minimum
    (1–3 h) and maximum (≥ minimum, ≤ 4 h) event, event limit, notice and activation cost:
    the MIP equals the enumeration of every all-or-nothing pattern, and the invariants hold."""
    rng = np.random.default_rng(seed)
    load = rng.uniform(60.0, 140.0, 6).round(1).tolist()
    k = int(rng.integers(1, 4))
    n = int(rng.integers(k, 5))
    events = float(rng.choice([1.0, 2.0, np.inf]))
    notice = int(rng.integers(0, 3))
    act = round(float(rng.uniform(0.0, 500.0)), 1)
    r = gridopt.solve(spike_case(load, min_hours_per_event=float(k),
                                 max_hours_per_event=float(n), max_events_per_yr=events,
                                 notice_h=float(notice), activation_cost_per_mwh=act))
    assert r.objective == pytest.approx(enumerate_optimum(load, act, k, n, events, notice),
                                        rel=MIP_GAP)
    check_events(r, 50.0, k, n)


def test_exact_rows_of_one_indivisible_row() -> None:
    """Structure on four hours (one window), min 2 h, max 3 h, no event limit: 4 rows each of
    indivisible_upper/lower and start_lower/upper/after_rest, 4 min_duration rows (t = 0..3,
    each over s_{t−1}, s_t within the window), 1 max_duration row (hours 0..3 ≤ 3); the start
    at hour 3 is bounded to 0 (only 1 snapshot left < 2); 8 integer columns."""
    from gridopt.model.build import build_model

    m = build_model(spike_case(SPIKE, min_hours_per_event=2.0, max_hours_per_event=3.0))
    sizes = {name: b.size for name, b in m.con_blocks.items() if name.startswith("interr")}
    for q in ("indivisible_upper", "indivisible_lower", "start_lower", "start_upper",
              "start_after_rest", "min_duration"):
        assert sizes[f"interruptible.{q}"] == 4, q
    assert sizes["interruptible.max_duration"] == 1
    assert "interruptible.event_count" not in sizes
    assert m.n_integer == 8
    start = m.var_blocks["interruptible.start"].index()[0]
    assert m.upper[start].tolist() == [1.0, 1.0, 1.0, 0.0]


# -- shiftable rows (the same whole-event rows on the down-shift d) -----------------------------
def shift_case(act: float, indivisible: bool = True, **row: object):
    """tests/test_shiftable.py's system (load [80, 100, 90, 70], 'cheap' 90 MW at 10, 'dear'
    100 MW at 100; 4,300 without DR) with a 20 MW shiftable load, events of exactly 1 hour."""
    from tests.factory import four_hour_case

    s = {"name": "s", "bus": "b", "potential_mw": 20.0, "enrolled_mw": 20.0,
         "activation_cost_per_mwh": act, "indivisible": indivisible,
         "min_hours_per_event": 1.0, "max_hours_per_event": 1.0, **row}
    return four_hour_case(shiftable=[s])


@pytest.mark.parametrize("backend", BACKENDS)
def test_shiftable_indivisible_shifts_the_whole_load(backend: str) -> None:
    """Activation 5/MWh. LP reading: shift the 10 MW of 'dear' out of hour 1 into spare cheap
    capacity (hour 0: 10 MW, hour 3: 20 MW): saves 10 · (100 − 10 − 5) = 850 → 3,450.
    Indivisible: d = 20 MW in hour 1 (the only hour worth it), the 20 MWh recovered (continuous)
    in the spare 30 MW: all 340 MWh from 'cheap' = 3,400, plus 20 · 5 = 100 → 3,500.
    Activation 50/MWh: LP saves 10 · (100 − 10 − 50) = 400 → 3,900; an indivisible event
    costs 3,400 + 20 · 50 = 4,400 > 4,300, so none: 4,300."""
    assert gridopt.solve(shift_case(5.0, False), backend=backend).objective == pytest.approx(
        3_450.0, rel=1e-9)
    r = gridopt.solve(shift_case(5.0), backend=backend)
    assert r.objective == pytest.approx(3_500.0, rel=MIP_GAP)
    np.testing.assert_allclose(r.variable("shiftable.reduce")["s"].to_numpy(), [0, 20, 0, 0],
                               atol=1e-5)
    assert gridopt.solve(shift_case(50.0, False), backend=backend).objective == pytest.approx(
        3_900.0, rel=1e-9)
    dear = gridopt.solve(shift_case(50.0), backend=backend)
    assert dear.objective == pytest.approx(4_300.0, rel=MIP_GAP)
    assert dear.variable("shiftable.start")["s"].to_numpy().sum() == pytest.approx(0.0, abs=1e-6)


def test_shiftable_indivisible_peak_capability() -> None:
    """Peak event = hours 1–2 (the top-2 hours). LP reading (no event limit in the LP shiftable
    family): d = 20 in both hours, recovered in hours 0 and 3 → R = 20. Indivisible with events
    of at most 1 hour: the full 20 MW covers only one of the two hours → R = 0; with
    max_events_per_yr 0 nothing starts at all (R = 0 also for a 1-hour event)."""
    from tests.factory import with_peak

    assert verify(with_peak(shift_case(5.0, False), k=2)).capability_mw == pytest.approx(20.0)
    mip = verify(with_peak(shift_case(5.0), k=2))
    assert mip.capability_mw == pytest.approx(0.0, abs=1e-6)
    assert mip.method == "MIP (indivisible: s)"
    assert verify(with_peak(shift_case(5.0), k=1)).capability_mw == pytest.approx(20.0)
    assert verify(with_peak(shift_case(5.0, max_events_per_yr=0.0), k=1)
                  ).capability_mw == pytest.approx(0.0, abs=1e-6)


def test_peak_response_command_says_r_is_a_mip(tmp_path: Path) -> None:
    """tests/cases/dr_four_hours with its row indivisible: the event is the peak hour (1 h) and
    events last at most 1 h, so the 3 MW enrolled count whole: R = 3 < 5, FAIL, closed by 2 MW
    more (R = X = 5). The printed table and peak_response.csv say R is a MIP; the cost curve's
    marginal cost at 5 % comes from the LP with the integers fixed: 1,000 per MW-yr less the
    2 hours · 50 that a MW saves in dispatch (whole 1-hour events in 2 of the 4 hours) = 900."""
    import shutil

    import pandas as pd
    from typer.testing import CliRunner

    from gridopt.cli import app

    case = tmp_path / "case"
    shutil.copytree(Path(__file__).parent / "cases" / "dr_four_hours", case)
    csv = case / "interruptible.csv"
    lines = csv.read_text().splitlines()
    csv.write_text(f"{lines[0]},indivisible\n{lines[1]},true\n")
    out = tmp_path / "pr"
    res = CliRunner().invoke(app, ["peak-response", str(case), "--out", str(out),
                                   "--shares", "0,0.05"])
    assert res.exit_code == 0, res.output
    assert "MIP (indivisible: ci)" in res.output
    verdict = pd.read_csv(out / "peak_response.csv", index_col=0)["value"]
    assert verdict["capability_model"] == "MIP (indivisible: ci)"
    assert float(verdict["capability_mw"]) == pytest.approx(3.0)
    assert pd.read_csv(out / "gap_closure.csv")["new_enrolment_mw"].sum() == pytest.approx(2.0)
    curve = pd.read_csv(out / "cost_curve.csv", index_col=0)
    assert curve.loc[0.05, "marginal_cost_per_mw_yr"] == pytest.approx(900.0, rel=1e-6)
