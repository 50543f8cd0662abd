"""``gridopt bench-solvers``: instances, solver adapters on Dask, cross-checks and profiles.

The small instance set is written once (about 5 s) and benchmarked once through the CLI on a
2-worker local cluster (about 20 s); the other tests reuse them. Solvers that are not
installed here are skipped by the checks that need them (CI installs at least HiGHS).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import math
import shutil
import sys
import time
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import gridopt
from gridopt.cli import app
from gridopt.data import case_path
from gridopt.studies.bench import run_benchmark, summarise
from gridopt.studies.instances import SMALL, make_instances, read_manifest
from gridopt.studies.profiles import (
    agreement,
    performance_profile,
    performance_ratios,
    shifted_geometric_mean,
)
from gridopt.studies.solvers import ADAPTERS, Adapter, Options, outcome, run_isolated, solve_file

runner = CliRunner()
HIGHS = ("highs-simplex", "highs-ipm", "highs-pdlp")
OTHERS = {"scip": "pyscipopt", "glpk-simplex": "swiglpk", "clp": "cylp", "cbc": "cylp"}
INSTALLED = [s for s, m in OTHERS.items() if importlib.util.find_spec(m) is not None]


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "instances"
    make_instances(folder, "small")
    return folder


@pytest.fixture(scope="module")
def bench(instances: Path) -> Path:
    """The CLI on the small set: every solver, 2 workers, 30 s per run."""
    out = instances.parent / "out"
    done = runner.invoke(app, ["bench-solvers", "run", str(instances), "--out", str(out),
                               "--workers", "2", "--time-limit", "30"])
    assert done.exit_code == 0, done.output
    return out


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv")


# --- instances ---------------------------------------------------------------------------

def test_the_manifest_matches_the_files_and_generation_is_deterministic(
        instances: Path, tmp_path: Path) -> None:
    """Every sha256 of the manifest is the file's; a second generation writes identical
    bytes; the sizes are those HiGHS reads back, the MIP has integer columns and its LP
    relaxation the same rows and columns but none."""
    manifest = pd.read_csv(instances / "instances.csv", index_col="name")
    assert list(manifest.index) == [s.name for s in SMALL]
    for name, row in manifest.iterrows():
        data = (instances / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"], name
        assert row["gridopt_version"] == gridopt.__version__
    again = make_instances(tmp_path / "again", "small")
    for f in manifest["file"]:
        assert (tmp_path / "again" / f).read_bytes() == (instances / f).read_bytes(), f
    assert list(again["sha256"]) == list(manifest["sha256"])
    uc, lp = manifest.loc["rts-3h-uc"], manifest.loc["rts-3h-lp"]
    assert (uc["kind"], lp["kind"]) == ("MIP", "LP")
    assert uc["integer_columns"] > 0 and lp["integer_columns"] == 0
    assert (uc["rows"], uc["columns"], uc["nonzeros"]) == (lp["rows"], lp["columns"],
                                                           lp["nonzeros"])
    assert manifest.loc["luzhou-24h", "source_case"] == "luzhou-2030"


def test_a_changed_instance_file_is_refused(instances: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(instances, copy)
    with open(copy / "luzhou-24h.mps", "a") as f:
        f.write("* changed\n")
    with pytest.raises(ValueError, match=r"luzhou-24h\.mps"):
        read_manifest(copy)
    done = runner.invoke(app, ["bench-solvers", "run", str(copy), "--out",
                               str(tmp_path / "out")])
    assert done.exit_code == 1 and "changed since the manifest" in done.output


def test_an_unknown_solver_is_named(instances: Path, tmp_path: Path) -> None:
    done = runner.invoke(app, ["bench-solvers", "run", str(instances), "--out",
                               str(tmp_path / "out"), "--solvers", "highs-simplex,nosuch"])
    assert done.exit_code == 1 and "nosuch" in done.output


# --- the benchmark through the CLI -------------------------------------------------------

def test_the_cli_writes_tables_and_the_profile_plot(bench: Path) -> None:
    for name in ("runs", "results", "solvers", "profile", "ratios", "instances"):
        assert (bench / f"{name}.csv").is_file(), name
    assert (bench / "performance_profile.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (bench / "summary.json").is_file()
    profile = read(bench, "profile")
    assert set(profile["kind"]) == {"LP", "MIP"}
    assert profile["fraction"].between(0, 1).all()


def test_each_solver_reports_its_failures_and_agreement(bench: Path) -> None:
    """solvers.csv counts, per solver, the runs that were not optimal and the objectives that
    disagree; the solvers that ran here solved the small set and agree."""
    results, solvers = read(bench, "results"), read(bench, "solvers").set_index("solver")
    ran = results[~results["status"].isin(["not installed", "no licence"])]
    for solver, group in ran.groupby("solver"):
        assert solvers.loc[solver, "failures"] == (group["status"] != "optimal").sum()
        assert solvers.loc[solver, "disagreements"] == (group["agrees"] == False).sum()  # noqa: E712
    for solver in (*HIGHS, *INSTALLED):
        assert solvers.loc[solver, "availability"] == "ok"
        assert solvers.loc[solver, "failures"] == 0, solver
        assert solvers.loc[solver, "disagreements"] == 0, solver
    assert results["agrees"].dropna().astype(bool).all()


def test_lp_objectives_agree_with_gridopts_own_solve(bench: Path) -> None:
    """Every HiGHS method and SCIP, GLPK and CLP (where installed) find the optimum that
    gridopt.solve finds for the same case (Luzhou, first 24 h), to a relative 1e-6; the
    RTS-GMLC MIP solvers agree to within the gap asked (1e-4), and the MIP's optimum is not
    below its LP relaxation."""
    own = gridopt.solve(gridopt.read_case(case_path("luzhou-2030")).first_hours(24)).objective
    results = read(bench, "results").set_index(["instance", "solver"])
    for solver in (*HIGHS, *(s for s in INSTALLED if s != "cbc")):
        z = results.loc[("luzhou-24h", solver), "objective"]
        assert z == pytest.approx(own, rel=1e-6), solver
    mip = results.loc["rts-3h-uc"]
    mip = mip[mip["status"] == "optimal"]["objective"]
    assert "highs-simplex" in mip.index
    assert mip.max() - mip.min() <= 1e-4 * mip.abs().max()
    relaxed = results.loc[("rts-3h-lp", "highs-simplex"), "objective"]
    assert relaxed <= mip.min() * (1 + 1e-9)


# --- missing solvers, wrong answers, hung solvers ----------------------------------------

def _wrong(path: Path, kind: str, opt: Options) -> dict:
    """A solver that answers HiGHS's optimum + 0.1 %."""
    right = ADAPTERS["highs-simplex"].run(path, kind, opt)
    return {**right, "objective": right["objective"] * 1.001}


def _hang(path: Path, kind: str, opt: Options) -> dict:
    """A solver that ignores its time limit."""
    time.sleep(600)
    return outcome("optimal", 0.0)


def test_a_missing_solver_is_not_installed_not_failed(monkeypatch: pytest.MonkeyPatch,
                                                      instances: Path) -> None:
    """An import that fails (``sys.modules[name] = None``) makes the run "not installed"."""
    monkeypatch.setitem(sys.modules, "pyscipopt", None)
    record = solve_file(ADAPTERS["scip"], instances / "luzhou-24h.mps", "LP", Options())
    assert record["status"] == "not installed"


def test_missing_and_wrong_solvers_on_dask(instances: Path) -> None:
    """With the registry patched: a solver whose package is missing is reported "not
    installed" (no failure, no time); a solver 0.1 % off is flagged as disagreeing with the
    two HiGHS methods on every LP, and counts as failed in the timings."""
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    adapters = {"highs-simplex": ADAPTERS["highs-simplex"], "highs-ipm": ADAPTERS["highs-ipm"],
                "missing": dataclasses.replace(ADAPTERS["scip"], name="missing",
                                               module="gridopt_no_such_solver"),
                "wrong": Adapter("wrong", "highspy", frozenset({"LP"}), _wrong)}
    options = Options(time_limit=30)
    runs = run_benchmark(instances, list(adapters), options=options, workers=2,
                         adapters=adapters)
    tables = summarise(runs, options)
    solvers, results = tables["solvers"], tables["results"].set_index(["instance", "solver"])
    assert solvers.loc["missing", "availability"] == "not installed"
    assert solvers.loc["missing", "failures"] == 0
    assert solvers.loc["wrong", "disagreements"] == 2  # the two LP instances
    assert solvers.loc["highs-simplex", "disagreements"] == 0
    assert not results.loc[("luzhou-24h", "wrong"), "agrees"]
    assert results.loc[("luzhou-24h", "highs-ipm"), "agrees"]
    assert solvers.loc["wrong", "sgm_lp_s"] == pytest.approx(30.0)  # failures at the limit
    assert "missing" not in set(tables["profile"]["solver"])


def test_a_solver_that_ignores_its_time_limit_is_killed(instances: Path) -> None:
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    hang = Adapter("hang", "time", frozenset({"LP"}), _hang)
    t0 = time.perf_counter()
    record = run_isolated(hang, instances / "luzhou-24h.mps", "LP", Options(time_limit=1),
                          timeout=2.0)
    assert record["status"] == "timeout"
    assert time.perf_counter() - t0 < 15


# --- the analysis, by hand ---------------------------------------------------------------

TIMES = pd.DataFrame({"A": [1.0, 10.0, np.nan], "B": [2.0, 5.0, 20.0]},
                     index=["p1", "p2", "p3"])


def test_shifted_geometric_mean_by_hand() -> None:
    """Shift 10 s, time limit 100 s; A failed on p3, so p3 counts at 100 s:
    A: (11 · 20 · 110)^(1/3) − 10 = 24200^(1/3) − 10 = 18.92489...
    B: (12 · 15 · 30)^(1/3) − 10 = 5400^(1/3) − 10 = 7.54411...
    A time above the limit counts at the limit too: C = [1, 10, 500] gives A's value."""
    times = TIMES.assign(C=[1.0, 10.0, 500.0])
    sgm = shifted_geometric_mean(times, time_limit=100.0)
    assert sgm["A"] == pytest.approx(18.924895, abs=1e-6)
    assert sgm["B"] == pytest.approx(7.544106, abs=1e-6)
    assert sgm["C"] == pytest.approx(sgm["A"])


def test_performance_profile_by_hand() -> None:
    """Best times: p1 1 s (A), p2 5 s (B), p3 20 s (B, A failed). Ratios r = t / best:
    A = [1, 2, ∞], B = [2, 1, 1]. ρ_A(1) = 1/3, ρ_A(2) = 2/3 (never 1: p3 unsolved);
    ρ_B(1) = 2/3, ρ_B(2) = 1. An instance nobody solved has ratio ∞ for all."""
    ratios = performance_ratios(TIMES)
    assert ratios["A"].tolist() == [1.0, 2.0, math.inf]
    assert ratios["B"].tolist() == [2.0, 1.0, 1.0]
    profile = performance_profile(TIMES)
    assert profile.index.tolist() == [1.0, 2.0]
    assert profile["A"].tolist() == pytest.approx([1 / 3, 2 / 3])
    assert profile["B"].tolist() == pytest.approx([2 / 3, 1.0])
    nobody = performance_ratios(pd.DataFrame({"A": [np.nan], "B": [np.nan]}))
    assert nobody.iloc[0].tolist() == [math.inf, math.inf]


def test_agreement_rules_by_hand() -> None:
    """LP: 100 and 100 + 5e-5 agree (5e-7 relative ≤ 1e-6), 100.01 does not (1e-4).
    MIP (gap 1 % each): a = 100, b = 100.5 agree (0.5 ≤ 0.01 · 100.5 = 1.005: the optimum can
    lie in [99.5, 100]); c = 103 agrees with neither (3 > 1.03, 2.5 > 1.03), so c alone is
    flagged. Two LP solvers that differ are both flagged (no majority). A run stopped at its
    time limit without a reported gap (GLPK) bounds the optimum from one side only: its
    incumbent 105 agrees with an optimum of 100 (gap 1e-4) since 100 ≤ z* is possible, while
    an optimal run without a reported gap gets the gap asked: 105 disagrees with 100 then."""
    rows = [("lp", "LP", "x", 100.0, np.nan), ("lp", "LP", "y", 100.00005, np.nan),
            ("lp", "LP", "z", 100.01, np.nan),
            ("mip", "MIP", "a", 100.0, 0.01), ("mip", "MIP", "b", 100.5, 0.01),
            ("mip", "MIP", "c", 103.0, 0.01),
            ("two", "LP", "x", 1.0, np.nan), ("two", "LP", "y", 2.0, np.nan)]
    frame = pd.DataFrame(rows, columns=["instance", "kind", "solver", "objective", "gap"])
    frame["status"] = "optimal"
    agrees = agreement(frame, mip_gap=1e-4).tolist()
    assert agrees == [True, True, False, True, True, False, False, False]
    glpk = pd.DataFrame({"instance": "m", "kind": "MIP", "solver": ["highs", "glpk"],
                         "objective": [100.0, 105.0], "gap": [1e-4, np.nan],
                         "status": ["optimal", "time_limit"]})
    assert agreement(glpk, mip_gap=1e-4).tolist() == [True, True]
    glpk["status"] = "optimal"
    assert agreement(glpk, mip_gap=1e-4).tolist() == [False, False]
