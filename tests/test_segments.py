"""Segmented representative periods: snapshots of variable length Δt_t inside typical periods.

References: the full-horizon solve of the same case (where segments lose nothing), values
derived by hand in the docstrings, and the unsegmented aggregation.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import gridopt
from gridopt.cli import app
from gridopt.components._dr import Scope, ahead, windows_of
from gridopt.components.interruptible import _event_groups
from gridopt.components.peak_response import event_scope, peak_hours, peak_load
from gridopt.model.build import build_model
from gridopt.periods import aggregate, series_frame
from gridopt.solve import as_case
from tests.factory import gen, make_case

from .test_default_case import check_solution
from .test_electrolysers import electrolyser
from .test_flexible_buildings import building
from .test_shiftable import shiftable

# -- the hour arithmetic of a segmented scope, by hand ------------------------------------------

#: one window of five snapshots lasting 1, 3, 2, 1 and 1 h: they start at 0, 1, 4, 6 and 7 h
DURATIONS = np.array([1.0, 3.0, 2.0, 1.0, 1.0])


def scope() -> Scope:
    stamps = pd.date_range("2030-01-01", periods=5, freq="h")
    return Scope("dispatch", np.arange(5), np.zeros(5, np.int64), stamps, DURATIONS)


def test_clock_and_blocks_of_hours() -> None:
    """The clock counts whole seconds; blocks of 4 h hold the snapshots that start in [0, 4)
    and [4, 8) h of their window, and a new window starts its own clock."""
    s = scope()
    np.testing.assert_array_equal(s.clock(), np.array([0, 1, 4, 6, 7]) * 3600)
    assert windows_of(s, 4.0).tolist() == [0, 0, 1, 1, 1]
    two = Scope("dispatch", np.arange(5), np.array([0, 0, 0, 1, 1]), s.labels, DURATIONS)
    np.testing.assert_array_equal(two.elapsed(), np.array([0, 1, 4, 0, 1]) * 3600)
    assert windows_of(two, 4.0).tolist() == [0, 0, 1, 100_000, 100_000]


def test_shift_targets_count_hours_not_snapshots() -> None:
    """A 2-hour limit from t reaches the last snapshot starting by clock_t + 2: from 0 h that
    is snapshot 1 (starts at 1 h), from 1 h still 1 (the next starts at 4 h), from 4 h
    snapshot 3 (6 h); from 6 h it would be 4, the window's last, where the window's own end
    is the limit (no row). In two windows, a target never crosses into the next one."""
    ii, tt, target = ahead(scope(), np.array([2.0]), np.zeros((1, 5), np.int64))
    assert tt.tolist() == [0, 1, 2] and target.tolist() == [1, 1, 3]
    assert ii.tolist() == [0, 0, 0]
    _, tt, target = ahead(scope(), np.array([2.0]), np.array([[0, 0, 0, 1, 1]]))
    assert tt.tolist() == [0, 1] and target.tolist() == [1, 1]  # from 4 h: the window ends


def test_sub_hourly_windows_add_up_over_a_year() -> None:
    """12-minute snapshots over a year: windows of 2, 3, 4 and 24 h hold exactly 10, 15, 20 and
    120 snapshots each (a floating-point clock would drift across block edges)."""
    from gridopt.components._dr import element_windows

    n = 8760 * 5
    stamps = pd.date_range("2030-01-01", periods=n, freq="12min")
    s = Scope("dispatch", np.arange(n), np.zeros(n, np.int64), stamps, np.full(n, 0.2))
    out = element_windows(SimpleNamespace(step_h=0.2), s, np.array([2.0, 3.0, 4.0, 24.0]))
    for row, size in zip(out, (10, 15, 20, 120), strict=True):
        np.testing.assert_array_equal(row, np.arange(n) // size)


def test_interruption_windows_span_hours() -> None:
    """h = 1 h → n + 1 = 2 snapshots of the case's Δt = 1 h, i.e. 2 h: every start whose next
    2 h end by 8 h (the window's end); each row holds the snapshots starting within them,
    weighted by their Δt_t."""
    case = SimpleNamespace(step_h=1.0)
    rows, cols, dt = _event_groups(case, scope(), np.arange(10, 15), 1.0)
    groups = [cols[rows == k].tolist() for k in range(rows.max() + 1)]
    assert groups == [[10, 11], [11], [12], [13, 14]]
    np.testing.assert_allclose(dt, [1, 3, 3, 2, 1, 1])


def test_interruption_rows_hold_the_tail_of_a_period() -> None:
    """Segments of 6, 4, 4, 8 and 2 h, h = 1.5 h → runs of 3 h: runs from 0, 6, 10 and 14 h fit
    the day, the one from 22 h does not; the last segment, held by no run, gets a row of its
    own (cut at 24 h), so it cannot run 2 h at full curtailment against a 1.5 h limit."""
    stamps = pd.date_range("2030-01-01", periods=5, freq="h")
    seg = Scope("dispatch", np.arange(5), np.zeros(5, np.int64), stamps,
                np.array([6.0, 4.0, 4.0, 8.0, 2.0]))
    rows, cols, _ = _event_groups(SimpleNamespace(step_h=1.0), seg, np.arange(5), 1.5)
    assert [cols[rows == k].tolist() for k in range(rows.max() + 1)] == [[0], [1], [2], [3],
                                                                         [4]]


# -- a case whose hours are constant within blocks: segments lose nothing -----------------------

BLOCKS = [6, 4, 8, 6]  # hours of the four blocks of a day


def blocky(days: int = 5, h2: bool = True, loss: float = 0.0) -> gridopt.Case:
    """Every day four blocks of 6, 4, 8 and 6 hours (night, morning, afternoon, evening) inside
    which every series is constant; the days differ in level. Cheap extendable solar, dear gas, an
    extendable battery (no standing loss), a shiftable load and a flexible building, both
    returning to neutral within the day, and an electrolyser (1 MW, η = 0.5, 2 MWh H2 store)
    whose hydrogen demand follows the blocks (``h2``)."""
    level = 1.0 + 0.1 * np.arange(days)
    load = np.repeat(np.array([[0.8, 1.2, 1.0, 1.5]]) * level[:, None], BLOCKS, axis=1).ravel()
    sun = np.repeat(np.array([[0.0, 0.6, 0.9, 0.1]]) / level[:, None], BLOCKS, axis=1).ravel()
    store = {"name": "bat", "bus": "b", "extendable": True, "capex_per_mw": 20.0,
             "capex_per_mwh": 5.0, "lifetime_yr": 1.0, "eff_charge": 0.9,
             "eff_discharge": 0.9, "cyclic": True, "standing_loss_per_h": loss}
    demand = np.tile(np.repeat([0.1, 0.3, 0.2, 0.1], BLOCKS), days)
    ely = {"series": {"h2_demand_mwh": {"ely": list(demand)}},
           "electrolysers": [electrolyser(potential_mw=1.0, enrolled_mw=0.3,
                                          h2_storage_mwh=2.0)]} if h2 else {}
    return make_case(
        24 * days, [gen("solar", "solar", extendable=True, capex_per_mw=150.0, lifetime_yr=1.0),
                    gen("gas", "gas", p_nom_mw=5.0, vom_per_mwh=60.0)],
        {"l": list(load)}, availability={"solar": list(sun)}, storage=[store],
        **ely,
        shiftable=[shiftable(potential_mw=0.3, enrolled_mw=0.3, window_h=24.0)],
        flexible_buildings=[building(potential_mw=0.2, enrolled_mw=0.2, window_h=24.0)])


def test_segments_find_the_blocks_and_lose_nothing_against_hourly_periods() -> None:
    """Every day its own period (K = N = 5) cut into 4 segments: tsam merges the identical hours
    into the four blocks. Since nothing varies within a block, an hourly optimum averaged over
    each block is feasible for the segments and a segment optimum held over its hours is
    feasible hourly (the states in between are convex combinations): the optimum is that of
    the same five periods kept hourly. (Against the full horizon, only the DR chronology that
    crosses days would differ: the electrolyser's H2 store is cyclic per period.)"""
    case = blocky()
    agg = aggregate(case, 5, segments=4, keep_peak=False)
    assert agg.n_snapshots == 20
    np.testing.assert_array_equal(agg.periods.snapshot_steps(), np.tile(BLOCKS, 5))
    np.testing.assert_allclose(agg.durations, np.tile(BLOCKS, 5))
    np.testing.assert_allclose(agg.weights, np.tile(BLOCKS, 5))  # n_k = 1, w_t = m_t
    assert agg.snapshots.hour.tolist()[:4] == [0, 6, 10, 18]
    hourly, seg = gridopt.solve(aggregate(case, 5, keep_peak=False)), gridopt.solve(agg)
    assert hourly.status == seg.status == "optimal"
    assert seg.objective == pytest.approx(hourly.objective, rel=1e-8)
    # without it, the segments reproduce the full horizon (storage linked across the days)
    plain = blocky(h2=False)
    assert gridopt.solve(aggregate(plain, 5, segments=4, keep_peak=False)).objective == (
        pytest.approx(gridopt.solve(plain).objective, rel=1e-8))
    # the DR families and the battery are used (otherwise the test would prove little)
    assert seg.variable("shiftable.reduce").to_numpy().max() > 0.01
    assert seg.capacities.loc[("storage", "bat"), "total_mw"] > 0.01
    # energy shifted within each day comes back within that day: Σ Δt (d − u) = 0
    net = (seg.variable("shiftable.reduce") - seg.variable("shiftable.recover")).to_numpy()
    np.testing.assert_allclose((net[:, 0] * agg.durations).reshape(5, 4).sum(axis=1), 0.0,
                               atol=1e-7)


def test_clustered_segmented_days_keep_energy_and_backends_agree() -> None:
    """Two typical days of 4 segments each out of five: Σ_t w_t x_t is the full horizon's for
    every series, Σ w = 120 h, and both backends reach the same optimum."""
    case = blocky()
    agg = aggregate(case, 2, segments=4, keep_peak=False)
    assert agg.weights.sum() == pytest.approx(120.0)
    np.testing.assert_allclose(series_frame(agg).to_numpy().T @ agg.weights,
                               series_frame(case).to_numpy().sum(axis=0), rtol=1e-9)
    a, b = gridopt.solve(agg), gridopt.solve(agg, backend="pyomo")
    assert a.status == b.status == "optimal"
    assert b.objective == pytest.approx(a.objective, rel=1e-7)


def test_standing_loss_over_a_segment_is_per_hour_to_the_power_of_its_hours() -> None:
    """Identical days of 12 h of surplus solar (2 MW, load 1 MW) and 12 h without (gas at 30),
    one period of two 12-hour segments, each store cyclic within it, store 1 MW / 12 MWh with
    λ = 1 %/h. Per day: 12 MWh charged in the first segment (e = 12), κ = 0.99^12 of it kept
    to the second, which discharges 12 κ MWh; gas serves 12 (1 − κ) MWh:
    3 days × 30 × 12 × (1 − 0.99^12) = 122.70 by hand."""
    days = 3
    store = {"name": "s", "bus": "b", "p_nom_mw": 1.0, "e_nom_mwh": 12.0, "cyclic": True,
             "standing_loss_per_h": 0.01}
    case = make_case(24 * days, [gen("solar", "solar", p_nom_mw=2.0),
                                 gen("gas", "gas", p_nom_mw=5.0, vom_per_mwh=30.0)],
                     {"l": [1.0] * 24 * days},
                     availability={"solar": ([1.0] * 12 + [0.0] * 12) * days}, storage=[store])
    agg = aggregate(case, 1, segments=2, keep_peak=False, linked=False)
    np.testing.assert_allclose(agg.durations, [12.0, 12.0])
    r = gridopt.solve(agg)
    assert r.objective == pytest.approx(days * 30 * 12 * (1 - 0.99 ** 12), rel=1e-9)


def test_linked_state_is_reported_at_every_segment_end_over_the_calendar() -> None:
    """One value per segment of every original day, stamped with the segment's start, within
    [0, E]; with standing loss too, the state at the end of day d is where day d + 1 starts
    (S_{d+1}, the variable ``storage.soc_start``)."""
    case = blocky(loss=0.002)
    agg = aggregate(case, 2, segments=4, keep_peak=False)
    r = gridopt.solve(agg)
    soc = r.storage_soc["bat"]
    assert len(soc) == 5 * 4 and soc.index.is_monotonic_increasing
    assert soc.index.hour.tolist()[:4] == [0, 6, 10, 18]
    assert soc.min() >= -1e-7
    assert soc.max() <= r.capacities.loc[("storage", "bat"), "total_mwh"] + 1e-7
    start = r.variable("storage.soc_start")["bat"].to_numpy()
    np.testing.assert_allclose(soc.to_numpy()[3::4][:-1], start[1:], atol=1e-7)
    assert soc.max() > 0.01


def test_standing_loss_inside_a_segment_decays_as_the_hours_would() -> None:
    """A constant charge c over a segment of m hours adds η c Σ_{j<m} κ^j to the state (κ =
    1 − λ per hour), the hourly recursion summed: the model's coefficient on c equals that of
    the hourly simulation, for every segment of a segmented day."""
    case = blocky(loss=0.01, h2=False)
    agg = aggregate(case, 2, segments=4, keep_peak=False)
    m = build_model(agg)
    a = m.matrix("csr")
    rows = m.con_blocks["storage.soc_balance"].index()[0]
    cols = m.var_blocks["storage.charge"].index()[0]
    coef = np.array([a[r, c] for r, c in zip(rows, cols, strict=True)])
    hourly = np.array([sum(0.99 ** j for j in range(int(h))) for h in agg.durations])
    np.testing.assert_allclose(coef, -0.9 * hourly, rtol=1e-12)


def test_segments_with_standing_loss_are_no_better_than_the_full_horizon() -> None:
    """Days of 12 h of sun at levels 1, 0.5, 0.25 and 0 then 12 h of night, a lossy store
    (1 %/h): a segment holds its flow constant over its hours, so a segmented plan can be
    replayed hour by hour; it can never beat the full horizon (without the decay within
    segments it did: 1,142.9 against 1,157.6)."""
    days = 4
    sun = np.concatenate([np.r_[np.full(12, lvl), np.zeros(12)] for lvl in (1, 0.5, 0.25, 0)])
    store = {"name": "s", "bus": "b", "p_nom_mw": 1.0, "e_nom_mwh": 30.0, "cyclic": True,
             "standing_loss_per_h": 0.01}
    case = make_case(24 * days, [gen("solar", "solar", p_nom_mw=2.0),
                                 gen("gas", "gas", p_nom_mw=5.0, vom_per_mwh=30.0)],
                     {"l": [1.0] * 24 * days}, availability={"solar": list(sun)},
                     storage=[store])
    full = gridopt.solve(case).objective
    for segments in (2, 3, 6):
        seg = gridopt.solve(aggregate(case, 4, segments=segments, keep_peak=False)).objective
        assert seg >= full * (1 - 1e-9)


def test_ev_driving_and_baseline_follow_the_segment_lengths() -> None:
    """A segment drives m_t times its mean share: Σ_k n_k Σ_{t∈k} d_t equals the horizon's
    driving energy; the uncontrolled charging refills each period's driving
    (Σ η Δt_t b_t = Σ d_t)."""
    from gridopt.components.ev_fleets import fleet_profiles

    from .test_ev_fleets import fleet

    days = 14
    plug = ([1.0] * 16 + [0.0] * 2 + [1.0] * 6) * days
    drive = ([0.0] * 16 + [0.5] * 2 + [0.0] * 6) * days
    case = make_case(24 * days, [gen("grid", p_nom_mw=100.0, vom_per_mwh=50.0)],
                     {"city": [1.0] * 24 * days},
                     series={"ev_plugged_pu": {"fleet": plug}, "ev_driving_pu": {"fleet": drive}},
                     ev_fleets=[fleet()])
    agg = aggregate(case, 2, segments=5, keep_peak=False)
    assert agg.periods.segmented
    full, short = fleet_profiles(case), fleet_profiles(agg)
    count = agg.periods.count[agg.periods.period_of()]
    assert (short.driving[0] * count).sum() == pytest.approx(full.driving[0].sum())
    eff = agg.table("ev_fleets")["eff_charge"].iloc[0]
    per_period = np.bincount(agg.periods.period_of(),
                             weights=eff * agg.durations * short.baseline[0] - short.driving[0])
    np.testing.assert_allclose(per_period, 0.0, atol=1e-9)
    assert gridopt.solve(agg).status == "optimal"


# -- the default case ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def luzhou() -> gridopt.Case:
    return as_case(None)


@pytest.fixture(scope="module")
def luzhou_seg(luzhou) -> gridopt.Case:
    return aggregate(luzhou, 12, segments=6)


def test_segmented_default_case_keeps_energy_and_the_year(luzhou, luzhou_seg) -> None:
    assert luzhou_seg.periods.segmented
    assert luzhou_seg.weights.sum() == pytest.approx(8760.0)
    np.testing.assert_allclose(series_frame(luzhou_seg).to_numpy().T @ luzhou_seg.weights,
                               series_frame(luzhou).to_numpy().sum(axis=0), rtol=1e-9,
                               atol=1e-9)


def test_peak_hours_survive_segmentation(luzhou, luzhou_seg) -> None:
    """The peak periods stay hourly and unchanged: the peak load, the peak hours, the event
    scope (every hour of it lasting 1 h) and the capability R are the full year's."""
    from gridopt.peak import verify

    assert peak_load(luzhou_seg) == peak_load(luzhou)
    assert luzhou_seg.snapshots[peak_hours(luzhou_seg)].equals(
        luzhou.snapshots[peak_hours(luzhou)])
    full_scope, seg_scope = event_scope(luzhou)[0], event_scope(luzhou_seg)[0]
    assert seg_scope.labels.equals(full_scope.labels)
    np.testing.assert_allclose(seg_scope.dt, 1.0)
    assert verify(luzhou_seg).capability_mw == pytest.approx(verify(luzhou).capability_mw,
                                                             rel=1e-6)


def test_segmented_default_case_solves_balances_and_backends_agree(luzhou_seg) -> None:
    a = gridopt.solve(luzhou_seg)
    check_solution(a)
    assert a.summary()["periods"]["segments"] == 6
    b = gridopt.solve(luzhou_seg, backend="pyomo")
    assert b.objective == pytest.approx(a.objective, rel=1e-6)


# -- requests and the command line --------------------------------------------------------------


@pytest.mark.parametrize("segments", [0, 25])
def test_bad_segment_counts_are_explained(luzhou, segments) -> None:
    with pytest.raises(ValueError, match="segments must lie between 1 and 24"):
        aggregate(luzhou, 12, segments=segments)


def test_cli_run_with_segments_writes_the_snapshot_weights(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", "--periods", "8", "--segments", "6", "--out",
                                   str(out)])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["periods"]["segments"] == 6
    snaps = pd.read_csv(out / "snapshots.csv")
    assert snaps["weight_h"].sum() == pytest.approx(8760.0)
    np.testing.assert_allclose(snaps.groupby("period")["duration_h"].sum(), 24.0)


def test_cli_segments_without_periods_exit_1(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["run", "--segments", "6", "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and "--segments needs --periods" in res.output
    assert not (tmp_path / "o").exists()
