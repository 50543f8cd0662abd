"""Representative periods (``gridopt.periods``): weights, energy, peak hours, linked storage.

The reference in every optimum test is an independent solve of the same case on all of its
snapshots, or a value derived by hand in the docstring.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import gridopt
from gridopt.cli import app
from gridopt.components.peak_response import event_scope, peak_hours, peak_load
from gridopt.periods import aggregate, series_frame
from gridopt.solve import as_case
from tests.factory import gen, make_case

from .test_default_case import check_solution

# -- hand-derived ---------------------------------------------------------------------------


def repeated_days(days: int, storage: list[dict] | None = None) -> gridopt.Case:
    """The two-hour case of issue 3 repeated: each 'day' is hours [0, 1], load 1 MW each hour,
    free solar [2, 0] MW, gas at 30/MWh (periods of 2 h)."""
    return make_case(
        2 * days, [gen("solar", "solar", p_nom_mw=2.0, vom_per_mwh=0.0),
                   gen("gas", "gas", p_nom_mw=10.0, vom_per_mwh=30.0)],
        {"l": [1.0] * (2 * days)}, availability={"solar": [1.0, 0.0] * days}, storage=storage)


STORE = {"name": "s", "bus": "b", "p_nom_mw": 1.0, "e_nom_mwh": 1.0, "cyclic": True}


@pytest.mark.parametrize(("storage", "per_day"), [
    (None, 30.0),                                               # gas covers hour 1: 30
    ([STORE], 0.0),                                             # the store moves 1 MWh: 0
    ([{**STORE, "eff_charge": 0.9, "eff_discharge": 0.9}], 5.7),  # 0.81 MWh back: 0.19 × 30
])
def test_identical_days_collapse_into_one_period_of_weight_three(storage, per_day) -> None:
    """Three identical days, K = 1: the one period has weight n = 3 and the objective is
    3 × the one-day optimum (30, 0 and 5.7 by hand), equal to the full solve."""
    case = repeated_days(3, storage)
    agg = aggregate(case, 1, hours=2, keep_peak=False)
    assert agg.n_snapshots == 2
    np.testing.assert_allclose(agg.weights, [3.0, 3.0])
    full, short = gridopt.solve(case), gridopt.solve(agg)
    assert full.objective == pytest.approx(3 * per_day, abs=1e-6)
    assert short.objective == pytest.approx(3 * per_day, abs=1e-6)
    # prices per MWh are divided by the weight: the same as the full case's
    np.testing.assert_allclose(short.prices.to_numpy().ravel(),
                               full.prices.to_numpy()[:2].ravel(), atol=1e-6)


# -- linked storage reproduces the full year -------------------------------------------------


def seasonal(days: int = 60, loss: float = 0.0, cyclic: bool = True) -> gridopt.Case:
    """A one-bus case whose cheap solar comes in the first half only, so that the cheapest
    plan stores energy for weeks (a seasonal store: energy capacity cheap, power dear)."""
    hours = 24 * days
    hour = np.arange(hours) % 24
    day = np.arange(hours) // 24
    sun = np.where((hour >= 8) & (hour < 17), 0.7, 0.0) * np.where(day < days // 2, 1.0, 0.1)
    load = 1.0 + 0.3 * np.sin(2 * np.pi * hour / 24) + 0.1 * np.cos(2 * np.pi * day / 7)
    store = {"name": "seasonal", "bus": "b", "extendable": True, "capex_per_mw": 2_000.0,
             "capex_per_mwh": 1.0, "lifetime_yr": 1.0, "eff_charge": 0.8,
             "eff_discharge": 0.8, "standing_loss_per_h": loss, "cyclic": cyclic,
             "soc_initial_pu": 0.0}
    return make_case(
        hours, [gen("solar", "solar", extendable=True, capex_per_mw=300.0, lifetime_yr=1.0),
                gen("gas", "gas", p_nom_mw=5.0, vom_per_mwh=100.0)],
        {"l": list(load)}, availability={"solar": list(sun)}, storage=[store])


@pytest.mark.parametrize("cyclic", [True, False])
def test_linked_storage_with_one_period_per_day_reproduces_the_full_horizon(cyclic) -> None:
    """K = N = 60 daily periods, each its own representative with weight 1: the linked
    formulation (inter-period state S_d, intra-period δ, bounds through δ^min/δ^max) is the
    full-horizon model rewritten, so the optimum is the same to solver precision."""
    case = seasonal(cyclic=cyclic)
    agg = aggregate(case, 60, keep_peak=False)
    np.testing.assert_allclose(agg.weights, 1.0)
    full, linked = gridopt.solve(case), gridopt.solve(agg)
    assert full.status == linked.status == "optimal"
    assert linked.objective == pytest.approx(full.objective, rel=1e-9)
    # the store is used across the seasons (otherwise the test would prove little)
    soc = linked.storage_soc["seasonal"]
    assert soc.max() > 10.0
    assert soc.min() >= -1e-6
    assert soc.max() <= linked.capacities.loc[("storage", "seasonal"), "total_mwh"] + 1e-6
    assert len(soc) == case.n_snapshots and soc.index.equals(case.snapshots)


def test_unlinked_days_cannot_store_across_seasons() -> None:
    """Each day cyclic on its own: no energy carried between seasons, so the optimum is
    dearer than the full horizon's (and the linked one's)."""
    case = seasonal()
    full = gridopt.solve(case)
    cyclic_days = gridopt.solve(aggregate(case, 60, keep_peak=False, linked=False))
    assert cyclic_days.objective > full.objective * 1.01


def test_unlinked_periods_give_no_initial_energy_per_period() -> None:
    """A non-cyclic store starting full (σ = 1, 4 MWh) in a flat 30-day case: the full
    horizon uses the 4 MWh once (21,600 − 4 × 30 = 21,480 by hand); linked periods reproduce
    that; unlinked periods are cyclic for every store, so they may not use it at all
    (21,600), and never once per period (which would be 21,600 − 30 × 120 = 18,000)."""
    store = {"name": "s", "bus": "b", "p_nom_mw": 1.0, "e_nom_mwh": 4.0, "cyclic": False,
             "soc_initial_pu": 1.0}
    case = make_case(720, [gen("gas", "gas", p_nom_mw=10.0, vom_per_mwh=30.0)],
                     {"l": [1.0] * 720}, storage=[store])
    assert gridopt.solve(case).objective == pytest.approx(21_480.0)
    for k in (30, 3):
        linked = gridopt.solve(aggregate(case, k, keep_peak=False))
        unlinked = gridopt.solve(aggregate(case, k, keep_peak=False, linked=False))
        assert linked.objective == pytest.approx(21_480.0)
        assert unlinked.objective == pytest.approx(21_600.0)


def test_ev_baseline_is_periodic_within_each_period() -> None:
    """EV fleet days that differ (weekdays drive, weekends do not): the uncontrolled charging
    is computed per representative period, so within each period charging refills driving
    (Σ η Δt b = Σ u), the weighted baseline equals the energy in the load, and with the
    baseline in the load and a flat price the optimum is the full horizon's (5,800)."""
    from gridopt.components.ev_fleets import baseline_mw, fleet_profiles

    from .test_ev_fleets import fleet

    days = 28
    weekday = np.arange(days) % 7 < 5
    plug = np.where(weekday[:, None], [1, 1, 1, 0], [1, 1, 1, 1]).ravel().tolist()
    drive = np.where(weekday[:, None], [0, 0, 0, 1], [0, 0, 0, 0]).ravel().tolist()

    def with_load(load: list[float]) -> gridopt.Case:
        return make_case(4 * days, [gen("grid", p_nom_mw=100.0, vom_per_mwh=50.0)],
                         {"city": load},
                         series={"ev_plugged_pu": {"fleet": plug},
                                 "ev_driving_pu": {"fleet": drive}},
                         ev_fleets=[fleet()])

    ev = baseline_mw(with_load([1.0] * 4 * days))["fleet"].to_numpy()
    case = with_load(list(1.0 + ev))
    assert gridopt.solve(case).objective == pytest.approx(5_800.0)
    for k in (2, 3):
        agg = aggregate(case, k, hours=4, keep_peak=False)
        prof = fleet_profiles(agg)
        eff = agg.table("ev_fleets")["eff_charge"].iloc[0]
        per_period = (eff * prof.baseline[0] - prof.driving[0]).reshape(k, 4).sum(axis=1)
        np.testing.assert_allclose(per_period, 0.0, atol=1e-12)
        assert agg.weights @ (prof.baseline[0] * 0.1) == pytest.approx(ev.sum())
        assert gridopt.solve(agg).objective == pytest.approx(5_800.0)


def test_peak_events_do_not_widen_into_another_period() -> None:
    """The peak (10 MW) is the first hour of day 6; its 2-hour event widens forward in the full
    year. On the aggregated case the snapshot before it is the last hour of an unrelated
    typical day (9.5 MW, higher than the hour after): the event must not reach back into it,
    so the event scope stays days 6 and 7, as in the full year."""
    load = np.full(240, 5.0)
    load[23::24] = [9.5, 9.4, 9.45, 9.42, 8.9, 9.5, 9.5, 9.5, 9.5, 9.5]
    load[120], load[121] = 10.0, 9.0
    case = make_case(240, [gen("g", "gas", p_nom_mw=100.0, vom_per_mwh=10.0)], {"l": list(load)})
    case = case.replace(config={**case.config, "peak_response": {"k": 1, "event_duration_h": 2}})
    agg = aggregate(case, 3)
    full_scope, short_scope = event_scope(case)[0], event_scope(agg)[0]
    assert short_scope.labels.equals(full_scope.labels)
    assert full_scope.labels.normalize().unique().strftime("%m-%d").tolist() == ["01-06", "01-07"]


def test_linked_bounds_with_standing_loss_are_conservative() -> None:
    """With standing loss λ > 0 the start bounds κ S_d + δ^max ≤ E and κ^L S_d + δ^min ≥ 0
    are sufficient, not necessary: the optimum is no better than the full horizon's and
    close to it."""
    case = seasonal(loss=0.001)
    full, linked = gridopt.solve(case), gridopt.solve(aggregate(case, 60, keep_peak=False))
    assert linked.objective >= full.objective * (1 - 1e-9)
    assert linked.objective == pytest.approx(full.objective, rel=0.05)


def test_both_backends_agree_on_linked_periods() -> None:
    agg = aggregate(seasonal(), 6, keep_peak=False)
    a, b = gridopt.solve(agg), gridopt.solve(agg, backend="pyomo")
    assert a.status == b.status == "optimal"
    assert b.objective == pytest.approx(a.objective, rel=1e-6)


# -- the default case ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def luzhou() -> gridopt.Case:
    return as_case(None)


@pytest.fixture(scope="module")
def luzhou12(luzhou) -> gridopt.Case:
    return aggregate(luzhou, 12)


def test_aggregation_preserves_the_energy_of_every_series(luzhou, luzhou12) -> None:
    """Σ_t w_t x_t over the periods equals Σ_t x_t over the year for every column of every
    series (load, availability, prices, EV and building profiles); Σ_t w_t = 8760 h."""
    assert luzhou12.weights.sum() == pytest.approx(8760.0)
    full, short = series_frame(luzhou), series_frame(luzhou12)
    np.testing.assert_allclose(short.to_numpy().T @ luzhou12.weights,
                               full.to_numpy().sum(axis=0), rtol=1e-9, atol=1e-9)


def test_peak_hours_survive_aggregation(luzhou, luzhou12) -> None:
    """The periods that the peak-response events touch are kept unchanged with weight 1: the
    peak load, the peak hours and the event scope of the target are the full year's."""
    assert peak_load(luzhou12) == peak_load(luzhou)
    assert luzhou12.snapshots[peak_hours(luzhou12)].equals(luzhou.snapshots[peak_hours(luzhou)])
    full_scope, short_scope = event_scope(luzhou)[0], event_scope(luzhou12)[0]
    assert short_scope.labels.equals(full_scope.labels)
    kept = np.unique(short_scope.hours // 24)
    np.testing.assert_allclose(luzhou12.periods.count[kept], 1.0)
    for key in luzhou.series:
        pd.testing.assert_frame_equal(luzhou12.series[key].loc[short_scope.labels],
                                      luzhou.series[key].loc[full_scope.labels])


def test_the_peak_response_capability_is_the_full_years(luzhou, luzhou12) -> None:
    """R is measured on the event days, which aggregation keeps exactly."""
    from gridopt.peak import verify

    a, b = verify(luzhou), verify(luzhou12)
    assert b.capability_mw == pytest.approx(a.capability_mw, rel=1e-6)


def test_the_aggregated_default_case_solves_and_balances(luzhou12) -> None:
    r = gridopt.solve(luzhou12)
    check_solution(r)
    assert r.summary()["periods"]["k"] == 12
    # DR chronology stays inside each period: shifted energy returns within the day
    shifted = r.variable("shiftable.reduce") - r.variable("shiftable.recover")
    per_day = shifted.groupby(np.arange(len(shifted)) // 24).sum()
    np.testing.assert_allclose(per_day.to_numpy(), 0.0, atol=1e-6)


def test_both_backends_agree_on_the_aggregated_default_case(luzhou) -> None:
    agg = aggregate(luzhou, 8)
    a, b = gridopt.solve(agg), gridopt.solve(agg, backend="pyomo")
    assert b.objective == pytest.approx(a.objective, rel=1e-6)


@pytest.mark.slow
def test_twelve_days_plan_within_two_percent_of_the_full_year(luzhou, luzhou12) -> None:
    full, short = gridopt.solve(luzhou), gridopt.solve(luzhou12)
    assert short.objective == pytest.approx(full.objective, rel=0.02)


# -- mistakes --------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"periods": 400}, "between"),
    ({"periods": 2}, "kept peak"),
    ({"periods": 12, "hours": 168}, "whole number of 168-hour periods"),
    ({"periods": 12, "hours": 0.5}, "not a whole number"),
    ({"periods": 12, "method": "magic"}, "unknown aggregation method"),
])
def test_bad_aggregation_requests_are_explained(luzhou, kwargs, words) -> None:
    with pytest.raises(ValueError, match=words):
        aggregate(luzhou, **kwargs)


def test_cli_run_with_periods(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", "--periods", "8", "--out", str(out)])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["periods"]["k"] == 8
    assert sum(summary["periods"]["weights"]) == 365


def test_cli_bad_periods_exit_1_and_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", "--periods", "999", "--out", str(out)])
    assert res.exit_code == 1
    assert "between" in res.output and "Traceback" not in res.output
    assert not out.exists()


def test_cli_cluster_method(tmp_path: Path) -> None:
    ok = CliRunner().invoke(app, ["run", "--periods", "8", "--cluster-method", "kmeans",
                                  "--no-linked", "--out", str(tmp_path / "a")])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(app, ["run", "--periods", "8", "--cluster-method", "magic",
                                   "--out", str(tmp_path / "b")])
    assert bad.exit_code == 1 and "unknown aggregation method" in bad.output
    assert not (tmp_path / "b").exists()
