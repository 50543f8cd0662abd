"""Rolling horizon (``gridopt/rolling.py``, ``models/rolling.md``): hand cases where the
look-ahead suffices (rolling = full horizon), the commitment state and the state of charge
carried across windows, a case where look-ahead matters (rolling costs more), refusals and
``gridopt run --rolling``. One bus, w = Δt = 1 h (not annualised) unless a test says so."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import gridopt
from gridopt.case.case import Periods
from gridopt.cli import app
from gridopt.rolling import RollingError, solve_rolling
from tests.factory import gen, make_case

MIP_GAP = 1e-4


def store(**kw) -> dict:
    return {"name": "bat", "bus": "b", "p_nom_mw": 50.0, "e_nom_mwh": 100.0,
            "soc_initial_pu": 0.0, "cyclic": False, **kw}


def daily_case(days: int = 4, eff: float = 1.0, annualise: bool = False):
    """Night (12 h) 50 MW, day (12 h) 150 MW. 'coal' one committable 100 MW unit (p_min 0.5,
    VOM 10, on at the start), 'gas' 200 MW at 50, a 50 MW / 100 MWh store starting empty.
    Each day the store fills at night from coal and empties by day: nothing carries past a
    day's end, so 24 h of look-ahead suffice. Per day (eff 1): coal 1,900 MWh x 10 + gas
    (150 - 100) x 12 - 100 = 500 MWh x 50 = 44,000."""
    load = ([50.0] * 12 + [150.0] * 12) * days
    return make_case(24 * days, [
        gen("coal", "coal", p_nom_mw=100.0, committable=True, p_min_pu=0.5, vom_per_mwh=10.0,
            min_up_h=6, min_down_h=6, startup_cost=500.0),
        gen("gas", p_nom_mw=200.0, vom_per_mwh=50.0)],
        {"load": load}, storage=[store(eff_charge=eff, eff_discharge=eff)],
        annualise=annualise)


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_rolling_equals_the_full_horizon_when_look_ahead_suffices(backend: str) -> None:
    case = daily_case()
    full = gridopt.solve(case, backend=backend)
    rolled = solve_rolling(case, 48, 24, backend=backend)
    assert full.status == rolled.status == "optimal"
    assert full.objective == pytest.approx(4 * 44_000.0, rel=MIP_GAP)
    assert rolled.objective == pytest.approx(full.objective, rel=MIP_GAP)
    assert [w.kept for w in rolled.windows] == [24, 24, 48]
    assert [w.snapshots for w in rolled.windows] == [48, 48, 48]
    # the states at every day's end: store empty, coal on
    ends = np.arange(23, 96, 24)
    np.testing.assert_allclose(rolled.storage_soc["bat"].to_numpy()[ends], 0.0, atol=1e-6)
    np.testing.assert_allclose(full.storage_soc["bat"].to_numpy()[ends], 0.0, atol=1e-6)
    on = rolled.commitment["units_on"].to_numpy()
    assert len(on) == 96 and (on > 0.5).all()
    assert rolled.dispatch.index.equals(case.snapshots)
    # costs by element and kind: the stitched ones are the full horizon's
    pd.testing.assert_series_equal(rolled.costs["total"].sort_index(),
                                   full.costs["total"].sort_index(), rtol=1e-6, atol=1e-6)


def test_annualised_costs_are_weighted_over_the_whole_horizon() -> None:
    case = daily_case(annualise=True)
    full = gridopt.solve(case)
    rolled = solve_rolling(case, 48, 24)
    assert full.objective == pytest.approx(8760 / 96 * 4 * 44_000.0, rel=MIP_GAP)
    assert rolled.objective == pytest.approx(full.objective, rel=MIP_GAP)
    # prices from each window's fixed LP, per MWh: 50 by day (gas at the margin)
    assert rolled.prices["b"].iloc[12:24].to_numpy() == pytest.approx([50.0] * 12)


def test_storage_state_is_continuous_across_windows() -> None:
    """e_t = e_{t−1} + η c_t − d_t / η at every hour of the stitched schedule, window
    boundaries included, from e_{−1} = 0."""
    eff = 0.9
    rolled = solve_rolling(daily_case(eff=eff), 48, 24)
    e = rolled.storage_soc["bat"].to_numpy()
    c = rolled.storage_charge["bat"].to_numpy()
    d = rolled.storage_discharge["bat"].to_numpy()
    before = np.r_[0.0, e[:-1]]
    np.testing.assert_allclose(e, before + eff * c - d / eff, atol=1e-6)
    assert e.max() > 50.0  # the store is used every day


def test_a_state_mid_day_is_carried() -> None:
    """A day ending with a half-full store: the next window starts from it (soc_initial_pu
    of the second window = the kept end state / 100 MWh)."""
    load = [50.0] * 12 + [150.0] * 12 + [150.0] * 4 + [50.0] * 20
    case = make_case(48, [gen("cheap", p_nom_mw=100.0, vom_per_mwh=10.0),
                          gen("gas", p_nom_mw=200.0, vom_per_mwh=50.0)],
                     {"load": load}, storage=[store(soc_initial_pu=0.5)])
    rolled = solve_rolling(case, 36, 24)
    second = rolled.windows[1].results.case.table("storage")
    end = rolled.storage_soc["bat"].iloc[23]
    assert second.loc["bat", "soc_initial_pu"] == pytest.approx(end / 100.0)
    assert not second.loc["bat", "cyclic"]
    assert rolled.objective == pytest.approx(gridopt.solve(case).objective, rel=MIP_GAP)


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_minimum_up_time_carried_into_the_next_window(backend: str) -> None:
    """'unit' (off at the start, min up 36 h, p_min 50 MW, VOM 10, start 1,000) starts at hour
    20 for a 4-hour peak of 160 MW (else the peaker at 100/MWh) and must stay on through hour
    55 although 'cheap' (60 MW at 5) could serve the 60 MW after it. Window 2 starts at hour
    24 with units_on_initial 1 and hours_in_state_initial 4: on through its hour 31."""
    load = [60.0] * 20 + [160.0] * 4 + [60.0] * 48
    case = make_case(72, [
        gen("unit", p_nom_mw=100.0, committable=True, p_min_pu=0.5, vom_per_mwh=10.0,
            min_up_h=36, startup_cost=1000.0, units_on_initial=0),
        gen("cheap", p_nom_mw=60.0, vom_per_mwh=5.0),
        gen("peaker", p_nom_mw=200.0, vom_per_mwh=100.0)], {"load": load})
    rolled = solve_rolling(case, 48, 24, backend=backend)
    assert rolled.ok
    second = rolled.windows[1].results.case.table("generators").loc["unit"]
    assert second["units_on_initial"] == 1
    assert second["hours_in_state_initial"] == pytest.approx(4.0)
    on = rolled.commitment.xs("unit", level="name")["units_on"].to_numpy()
    assert on.tolist() == [0] * 20 + [1] * 36 + [0] * 16
    # 60 x 20 x 5 + start 1,000 + (100 x 10 + 60 x 5) x 4 + 36 h of 50 x 10 + 10 x 5 - 4 h ...
    full = gridopt.solve(case, backend=backend)
    assert rolled.objective == pytest.approx(full.objective, rel=MIP_GAP)
    hand = 60 * 20 * 5 + 1000 + (100 * 10 + 60 * 5) * 4 + 32 * (50 * 10 + 10 * 5) \
        + 16 * 60 * 5
    assert full.objective == pytest.approx(hand, rel=MIP_GAP)


def test_cluster_hours_held_from_the_last_start() -> None:
    """Two units (min up 10 h, min down 5 h), both on, started 8 h and 4 h before the window:
    held 4 h (both kept on 6 more hours: conservative, from the last start); relaxed, none."""
    from gridopt.rolling import carried_hours

    gens = pd.DataFrame({"p_nom_mw": [200.0], "unit_size_mw": [100.0], "min_up_h": [10.0],
                         "min_down_h": [5.0]})
    on2 = np.array([2.0])
    assert carried_hours(gens, on2, [[8.0, 4.0]], [[30.0]]).tolist() == [4.0]
    assert carried_hours(gens, on2, [[8.0, 4.0]], [[30.0]], relaxed=True).tolist() == [np.inf]
    # one unit off, stopped 2 h ago (min down 5), the other started 4 h ago: 2 (the smaller)
    assert carried_hours(gens, np.array([1.0]), [[4.0]], [[2.0]]).tolist() == [2.0]
    # nothing binds: ∞ (a start 12 h ago; the stop does not count with every unit on)
    assert carried_hours(gens, on2, [[12.0]], [[1.0]]).tolist() == [np.inf]


def test_rolling_is_never_better_than_the_full_horizon() -> None:
    """Cheap energy (10) only on day 1, 'mid' (30) on days 1-3, only the peaker (100) on day
    4; a 100 MWh store. With the whole horizon the store carries day 1's energy to day 4
    (195,000); a 48 h window does not see day 4 and spends it on day 2 (202,000)."""
    hours = 96
    avail_cheap = [1.0] * 24 + [0.0] * 72
    avail_mid = [1.0] * 72 + [0.0] * 24
    case = make_case(hours, [gen("cheap", p_nom_mw=200.0, vom_per_mwh=10.0),
                             gen("mid", p_nom_mw=50.0, vom_per_mwh=30.0),
                             gen("peaker", p_nom_mw=200.0, vom_per_mwh=100.0)],
                     {"load": [50.0] * hours}, storage=[store()],
                     availability={"cheap": avail_cheap, "mid": avail_mid})
    full = gridopt.solve(case)
    rolled = solve_rolling(case, 48, 24)
    assert full.objective == pytest.approx(195_000.0)
    assert rolled.objective == pytest.approx(202_000.0)
    assert rolled.objective >= full.objective * (1 - MIP_GAP)
    # with a window over the whole horizon, rolling is the full solve
    assert solve_rolling(case, 96, 96).objective == pytest.approx(full.objective)


def test_refusals() -> None:
    case = daily_case(days=2)
    with pytest.raises(RollingError, match="'wind' are extendable"):
        solve_rolling(make_case(4, [gen("wind", "wind", p_nom_mw=0.0, extendable=True,
                                        p_nom_max_mw=10.0, capex_per_mw=1.0)],
                                {"load": [1.0] * 4}))
    periods = Periods(length=24, count=np.array([2.0]), sequence=np.zeros(2, int),
                      starts=case.snapshots[[0, 24]], original_snapshots=48)
    with pytest.raises(RollingError, match="representative periods"):
        solve_rolling(case.replace(periods=periods))
    with pytest.raises(RollingError, match="peak_response"):
        solve_rolling(case.replace(config={**case.config, "peak_response": {"k": 2}}))
    retrofit = make_case(48, [gen("coal", "coal", p_nom_mw=100.0, committable=True,
                                  p_min_pu=0.5, vom_per_mwh=10.0, retrofit_p_min_pu=0.3,
                                  retrofit_capex_per_mw=1000.0),
                              gen("peaker", p_nom_mw=200.0, vom_per_mwh=100.0)],
                         {"load": [60.0] * 48})
    with pytest.raises(RollingError, match=r"not per snapshot: commitment\.retrofit;"):
        solve_rolling(retrofit)  # a retrofit is an investment: caught by the model check
    with pytest.raises(ValueError, match="must not be longer than the window"):
        solve_rolling(case, 24, 48)
    with pytest.raises(ValueError, match="whole number"):
        solve_rolling(case, 36.5, 24)


def test_cli_run_rolling_writes_the_tables(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(
        "name: roll\ncurrency: EUR\nvoll_per_mwh: 10000\ndiscount_rate: 0\n"
        "snapshots:\n  start: 2030-01-01 00:00\n  hours: 96\n  annualise: false\n")
    (folder / "buses.csv").write_text("name\nb\n")
    (folder / "loads.csv").write_text("name,bus\nload,b\n")
    load = ([50] * 12 + [150] * 12) * 4
    (folder / "load_mw.csv").write_text(
        "hour,load\n" + "".join(f"{h + 1},{v}\n" for h, v in enumerate(load)))
    (folder / "generators.csv").write_text(
        "name,bus,carrier,p_nom_mw,committable,p_min_pu,vom_per_mwh,min_up_h,min_down_h,"
        "startup_cost\ncoal,b,coal,100,true,0.5,10,6,6,500\ngas,b,gas,200,false,,50,,,\n")
    (folder / "storage.csv").write_text(
        "name,bus,p_nom_mw,e_nom_mwh,soc_initial_pu,cyclic\nbat,b,50,100,0,false\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(folder), "--out", str(out), "--rolling", "48:24"])
    assert res.exit_code == 0, res.output
    for name in ("dispatch", "commitment", "storage_soc", "prices", "costs"):
        assert (out / f"{name}.csv").exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(4 * 44_000.0, rel=MIP_GAP)
    assert summary["rolling"] == {"window_h": 48.0, "step_h": 24.0, "n_windows": 3}
    assert [w["kept"] for w in summary["windows"]] == [24, 24, 48]
    assert all("mip_gap" in w for w in summary["windows"])
    assert len(pd.read_csv(out / "dispatch.csv")) == 96
    bad = CliRunner().invoke(app, ["run", str(folder), "--out", str(out), "--rolling", "48"])
    assert bad.exit_code != 0


def test_reserves_and_commitment_rolled() -> None:
    """tests/test_reserves.py's second unit, over 72 h: both units start once (800) and run
    'a' 40, 'b' 20 MW every hour (1,400/h) for 30 MW of up reserve; the windows after the
    first start with both units on (no new start-up)."""
    from tests.test_reserves import req

    kw = {"p_nom_mw": 80.0, "committable": True, "p_min_pu": 0.25, "units_on_initial": 0}
    case = make_case(72, [gen("a", vom_per_mwh=20.0, startup_cost=500.0, **kw),
                          gen("b", vom_per_mwh=30.0, startup_cost=300.0, **kw)],
                     {"load": [60.0] * 72}, reserves=[req(fixed_mw=30.0)])
    rolled = solve_rolling(case, 48, 24)
    assert rolled.objective == pytest.approx(800.0 + 72 * 1400.0, rel=MIP_GAP)
    assert rolled.commitment["starts"].sum() == pytest.approx(2.0)
    assert rolled.windows[1].results.case.table("generators")["units_on_initial"].tolist() \
        == [1.0, 1.0]
    assert sorted(set(rolled.reserves.index)) == list(case.snapshots)


def cluster_case() -> gridopt.Case:
    """Three 50 MW units (min up 8 h, min down 6 h, p_min 0.4, start-up 300; all on before
    the horizon) under a load swinging between 20 and 150 MW with a 17 h period (the units
    must cycle: 20 MW holds one unit at most), a 60/MWh peaker."""
    t = np.arange(72)
    load = (20.0 + 130.0 * np.sin(2 * np.pi * t / 17.0) ** 2).round(1).tolist()
    return make_case(72, [
        gen("units", p_nom_mw=150.0, unit_size_mw=50.0, committable=True, p_min_pu=0.4,
            vom_per_mwh=20.0, min_up_h=8, min_down_h=6, startup_cost=300.0),
        gen("peaker", p_nom_mw=300.0, vom_per_mwh=60.0)], {"load": load})


def breaches(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> int:
    """Hours breaking min up 8 / min down 6 of the three units (all on, long, before)."""
    assert np.allclose(u - np.r_[3.0, u[:-1]], v - w)
    return sum(v[max(0, k - 7): k + 1].sum() > u[k] + 1e-6
               or w[max(0, k - 5): k + 1].sum() > 3 - u[k] + 1e-6 for k in range(len(u)))


def test_a_cluster_keeps_its_minimum_times_across_windows() -> None:
    """48 h stepping 24 h: the conservative hold makes the second window infeasible (both
    units on had to stay on, though one was free), so it is solved again without a carried
    hold for the cluster (``relaxed_hold``); the stitched schedule breaks no minimum time here
    and equals the full-horizon optimum. 24 h stepping 12 h: the relaxed windows let units
    stop early; the breaches are counted in the summary, and the check by hand agrees."""
    case = cluster_case()
    full = gridopt.solve(case)
    for (window, step), relaxed, expected in (((48, 24), [False, True], 0),
                                              ((24, 12), None, None)):
        rolled = solve_rolling(case, window, step)
        assert rolled.ok
        if relaxed is not None:
            assert [w.relaxed_hold for w in rolled.windows] == relaxed
        c = rolled.commitment.xs("units", level="name")
        by_hand = breaches(*(np.rint(c[k].to_numpy()) for k in ("units_on", "starts", "stops")))
        summary = rolled.summary()
        assert summary["min_time_violations"] == {"units": by_hand}
        assert [w["relaxed_hold"] for w in summary["windows"]] == \
            [w.relaxed_hold for w in rolled.windows]
        if expected is not None:
            assert by_hand == expected
            assert rolled.objective == pytest.approx(full.objective, rel=MIP_GAP)
        else:
            assert by_hand > 0 and any(w.relaxed_hold for w in rolled.windows)


def test_cli_warns_of_broken_minimum_times(tmp_path: Path) -> None:
    """gridopt run --rolling 24:12 on the swinging cluster: written, with a warning naming
    the generator and the snapshots the relaxed windows break a minimum time in."""
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(
        "name: swing\ncurrency: EUR\nvoll_per_mwh: 10000\ndiscount_rate: 0\n"
        "snapshots:\n  start: 2030-01-01 00:00\n  hours: 72\n  annualise: false\n")
    (folder / "buses.csv").write_text("name\nb\n")
    (folder / "loads.csv").write_text("name,bus\nload,b\n")
    load = cluster_case().series["load_mw"]["load"].tolist()
    (folder / "load_mw.csv").write_text(
        "hour,load\n" + "".join(f"{h + 1},{v}\n" for h, v in enumerate(load)))
    (folder / "generators.csv").write_text(
        "name,bus,carrier,p_nom_mw,unit_size_mw,committable,p_min_pu,vom_per_mwh,min_up_h,"
        "min_down_h,startup_cost\nunits,b,gas,150,50,true,0.4,20,8,6,300\n"
        "peaker,b,gas,300,,false,,60,,,\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(folder), "--out", str(out), "--rolling", "24:12"])
    assert res.exit_code == 0, res.output
    assert "minimum up/down times broken" in res.output and "units in" in res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["min_time_violations"]["units"] > 0


@pytest.mark.parametrize("committed", [False, True])
def test_ramps_are_not_carried_and_the_boundary_excess_is_reported(committed: bool) -> None:
    """'slow' (100 MW, VOM 10, ramp 0.1 of its size per hour; committable: one unit, on, with
    start-up and shut-down ramps 0.1)
    and a peaker at 100; the load steps from 10 to 100 MW. At hour 24, on a window boundary:
    the full horizon ramps 'slow' 10, 20, … 100 from hour 24 (the load holds it at 10
    before); the second window starts unbound by the first's last output, so 'slow' jumps from
    10 to 100 MW, 80 MW beyond its 10 MW/h ramp, reported as boundary_ramp_excess_mw (and the
    stitched cost is below the full optimum: the schedule breaks a row of the full problem).
    At hour 30, inside the second window: ramped as in the full horizon, no excess."""
    extra = {"committable": True, "startup_ramp_pu": 0.1, "shutdown_ramp_pu": 0.1} \
        if committed else {}
    for at, excess in ((24, 80.0), (30, 0.0)):
        case = make_case(72, [gen("slow", "coal", p_nom_mw=100.0, vom_per_mwh=10.0,
                                  ramp_up_pu_per_h=0.1, ramp_down_pu_per_h=0.1, **extra),
                              gen("peaker", p_nom_mw=200.0, vom_per_mwh=100.0)],
                         {"load": [10.0] * at + [100.0] * (72 - at)})
        rolled = solve_rolling(case, 48, 24)
        full = gridopt.solve(case)
        assert rolled.summary()["boundary_ramp_excess_mw"] == {"slow": pytest.approx(excess)}
        if excess:
            assert rolled.dispatch["slow"].iloc[23:25].tolist() == pytest.approx([10.0, 100.0])
            assert rolled.objective < full.objective
        else:
            assert rolled.objective == pytest.approx(full.objective, rel=MIP_GAP)


def test_the_api_names() -> None:
    import gridopt.rolling

    assert gridopt.solve_rolling is gridopt.rolling.solve_rolling
