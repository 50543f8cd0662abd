"""Scenario sweeps on Dask (``gridopt.studies``, README "Scenario sweeps").

The sweep of the issue: 24 scenarios of the default case on two representative days
(DR potential × import price × required peak-response share) on a 2-worker local cluster,
killed half-way and run again (only the rest is computed); a smaller sweep of 4 with a worker
killed mid-sweep (nothing lost), and the same 4 on one worker (identical results). Overrides are
checked on the case they build, and one scenario against the same case solved directly.
(The smaller sweep has 4 scenarios: DR potential × required share.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

pytest.importorskip("distributed")
pytest.importorskip("tsam")

from gridopt.case.case import CaseError
from gridopt.results.folder import OutputError
from gridopt.studies.overrides import scenario_case
from gridopt.studies.store import MARKER
from gridopt.studies.sweep import Study, reduce_case

REDUCE = {"periods": 2, "period_hours": 24, "keep_peak": False}
DR = {"values": [0.5, 1.0, 1.5],
      "set": [{"table": "interruptible", "column": "potential_mw", "scale": True},
              {"table": "shiftable", "column": "potential_mw", "scale": True}]}
IMPORT = {"values": [0.8, 1.0, 1.2, 1.4],
          "set": [{"series": "price_per_mwh", "column": "import_sichuan_grid", "scale": True}]}
PEAK = {"values": [0.0, 0.05],
        "set": [{"config": "peak_response.share"},
                {"config": "peak_response.enforce", "value": True}]}


def spec(tmp_path: Path, name: str = "sweep", **parameters: Any) -> Path:
    """A spec file of the default case on two representative days, threads 1."""
    body = {"name": name, "base": "luzhou-2030", "reduce": REDUCE, "solver": {"threads": 1},
            "parameters": parameters or {"dr_potential": DR, "import_price": IMPORT,
                                         "peak_share": PEAK},
            "plots": [{"x": "peak_share", "y": "objective", "hue": "dr_potential"},
                      {"x": "import_price", "y": "capacity_mw:*"}]}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body))
    return path


def small(tmp_path: Path) -> Path:
    """4 scenarios: DR potential 0.5/1.5 × share 0/0.05 (import price as in the case)."""
    return spec(tmp_path, "small", dr_potential={**DR, "values": [0.5, 1.5]},
                peak_share=PEAK)


def sweep_command(spec_file: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-c", "from gridopt.cli import app; app()", "sweep",
            str(spec_file), "--out", str(out), "--no-progress", *extra]


def records(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (out / "scenarios").glob("*.json")}


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The 24-scenario sweep killed (SIGKILL to its whole process group: client and local
    cluster) once at least 6 scenarios have results, then run again to the end."""
    tmp = tmp_path_factory.mktemp("sweep24")
    spec_file, out = spec(tmp), tmp / "out"
    proc = subprocess.Popen(sweep_command(spec_file, out), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while len(list((out / "scenarios").glob("*.json"))) < 6 and proc.poll() is None:
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = records(out)
    done = subprocess.run(sweep_command(spec_file, out), capture_output=True, text=True,
                          timeout=900)
    return {"spec": spec_file, "out": out, "before": before, "after": records(out),
            "run": done}


def test_a_killed_sweep_resumes_without_recomputing(killed_and_resumed: dict) -> None:
    before, after = killed_and_resumed["before"], killed_and_resumed["after"]
    run = killed_and_resumed["run"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert 6 <= len(before) < 24, "the kill came too late to test a resume"
    assert len(after) == 24
    for key, record in before.items():  # finished before the kill: kept, not run again
        assert after[key] == record
    assert f"{len(before)} with results" in run.stdout
    assert f"{24 - len(before)} to run" in run.stdout
    table = pd.read_csv(killed_and_resumed["out"] / "results.csv", index_col="scenario")
    assert len(table) == 24 and (table["status"] == "ok").all()
    assert sorted(table.index) == list(range(24))
    parquet = pd.read_parquet(killed_and_resumed["out"] / "results.parquet")
    assert parquet["objective"].to_numpy() == pytest.approx(table["objective"].to_numpy())
    plots = sorted(p.name for p in (killed_and_resumed["out"] / "plots").iterdir())
    assert plots == ["1_objective_vs_peak_share.png", "2_capacity_mw_vs_import_price.png"]


def test_the_sweep_table_answers_the_questions(killed_and_resumed: dict) -> None:
    """Physics of the 24 results: a dearer import never makes the system cheaper; enforcing
    the 5 % share reaches it (R / peak ≥ 0.05) and costs at least as much as not; more DR
    potential never makes meeting the share dearer."""
    table = pd.read_csv(killed_and_resumed["out"] / "results.csv", index_col="scenario")
    for (dr, share), part in table.groupby(["dr_potential", "peak_share"]):
        cost = part.sort_values("import_price")["objective"].to_numpy()
        assert np.all(np.diff(cost) >= -1e-6 * cost[:-1]), (dr, share)
    enforced = table[table["peak_share"] == 0.05]
    assert (enforced["peak_response_share"] >= 0.05 - 1e-9).all()
    for _, part in table.groupby(["dr_potential", "import_price"]):
        free = part.loc[part["peak_share"] == 0.0, "objective"].iloc[0]
        held = part.loc[part["peak_share"] == 0.05, "objective"].iloc[0]
        assert held >= free - 1e-6 * free
    for price, part in enforced.groupby("import_price"):
        cost = part.sort_values("dr_potential")["objective"].to_numpy()
        assert np.all(np.diff(cost) <= 1e-6 * cost[:-1]), price


def test_one_scenario_equals_the_case_solved_directly(killed_and_resumed: dict) -> None:
    """DR × 1, import × 1, share 0: the shipped case on the same two days, solved through
    gridopt.solve without any override (an independent route to the same LP)."""
    import gridopt
    from gridopt.periods import aggregate

    table = pd.read_csv(killed_and_resumed["out"] / "results.csv", index_col="scenario")
    row = table[(table["dr_potential"] == 1.0) & (table["import_price"] == 1.0)
                & (table["peak_share"] == 0.0)].iloc[0]
    case = gridopt.read_case(Path(gridopt.__file__).parents[1] / "data" / "luzhou-2030")
    case = case.replace(config={**case.config, "peak_response": {
        **case.config["peak_response"], "share": 0.0, "enforce": True}})
    direct = gridopt.solve(aggregate(case, 2, 24.0, keep_peak=False), threads=1)
    assert row["objective"] == pytest.approx(direct.objective, rel=1e-9)


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """The 4-scenario sweep on a 2-worker cluster whose first worker is killed (SIGKILL) after
    the first result, and on one worker."""
    from distributed import Client, LocalCluster

    tmp = tmp_path_factory.mktemp("sweep8")
    study = Study(small(tmp))
    killed: list[int] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        def kill_one(scenario: Any, record: dict) -> None:
            if not killed:
                pids = client.run(os.getpid)
                killed.append(next(iter(pids.values())))
                os.kill(killed[0], signal.SIGKILL)

        two = study.run(tmp / "two", scheduler=cluster.scheduler_address, progress=False,
                        on_result=kill_one)
    one = Study(small(tmp)).run(tmp / "one", workers=1, progress=False)
    return {"two": two, "one": one, "killed": killed}


def test_a_worker_killed_mid_sweep_loses_nothing(small_runs: dict) -> None:
    assert small_runs["killed"], "no worker was killed"
    two = small_runs["two"]
    assert len(two) == 4 and (two["status"] == "ok").all()


def test_results_are_identical_with_one_or_two_workers(small_runs: dict) -> None:
    one, two = small_runs["one"], small_runs["two"]
    numeric = [c for c in one.columns if one[c].dtype.kind == "f" and "seconds" not in c]
    assert list(one["key"]) == list(two["key"])
    assert one[numeric].to_numpy() == pytest.approx(two[numeric].to_numpy(), rel=1e-9,
                                                    abs=1e-6, nan_ok=True)


def test_overrides_build_the_case_they_say(tmp_path: Path) -> None:
    """Scale factors multiply the named column / series, constants and settings are set."""
    study = Study(spec(tmp_path))
    raw = study.raw()
    s = next(x for x in study.scenarios()
             if x.values == {"dr_potential": 1.5, "import_price": 0.8, "peak_share": 0.05})
    case = scenario_case(raw, list(s.overrides))
    base = scenario_case(raw, [])
    assert case.table("interruptible")["potential_mw"].to_numpy() == pytest.approx(
        1.5 * base.table("interruptible")["potential_mw"].to_numpy())
    assert case.table("shiftable")["potential_mw"].to_numpy() == pytest.approx(
        1.5 * base.table("shiftable")["potential_mw"].to_numpy())
    price = case.series["price_per_mwh"]["import_sichuan_grid"].to_numpy()
    assert price == pytest.approx(0.8 * base.series["price_per_mwh"]["import_sichuan_grid"])
    assert case.config["peak_response"]["share"] == 0.05
    assert case.config["peak_response"]["enforce"] is True
    assert case.table("generators").equals(base.table("generators"))
    assert reduce_case(case, REDUCE).periods.n_periods == 2


def test_the_hash_covers_case_overrides_and_options(tmp_path: Path) -> None:
    keys = [s.key for s in Study(spec(tmp_path)).scenarios()]
    assert len(set(keys)) == 24
    other = yaml.safe_load(spec(tmp_path).read_text())
    other["solver"] = {"threads": 2}
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(other))
    assert not set(keys) & {s.key for s in Study(tmp_path / "other.yaml").scenarios()}
    assert keys == [s.key for s in Study(spec(tmp_path)).scenarios()]  # stable


@pytest.mark.parametrize(("change", "key", "words"), [
    ({"parameters": {"x": {"values": [1], "set": [{"table": "generatorz", "column": "p"}]}}},
     "parameters.x.set.0.table", "did you mean 'generators'"),
    ({"parameters": {"x": {"values": [1], "set": [{"table": "generators",
                                                   "column": "p_nom"}]}}},
     "parameters.x.set.0.column", "did you mean 'p_nom_mw'"),
    ({"parameters": {"x": {"values": [1], "set": [{"table": "generators", "column": "p_nom_mw",
                                                   "name": "coal_chuanan"}]}}},
     "parameters.x.set.0.name", "did you mean 'coal_chuannan'"),
    ({"parameters": {"x": {"values": [1], "set": [{"series": "price_per_mwh",
                                                   "column": "import", "scale": True}]}}},
     "parameters.x.set.0.column", "no element 'import'"),
    ({"workers": 2}, "workers", "not a key"),
])
def test_a_bad_spec_is_named(tmp_path: Path, change: dict, key: str, words: str) -> None:
    body = yaml.safe_load(spec(tmp_path).read_text())
    body.update(change)
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(body))
    with pytest.raises(CaseError) as exc:
        Study(tmp_path / "bad.yaml").scenarios()
    p = exc.value.problems[0]
    assert p.file == "bad.yaml" and p.column == key and words in p.message


def test_a_failed_scenario_is_recorded_and_the_others_go_on(tmp_path: Path) -> None:
    """A scale of −1 makes a negative DR potential: that scenario fails with the case's own
    error (file, row, column, rule); the other is solved; exit code 2 from the CLI."""
    path = spec(tmp_path, "fail", dr_potential={**DR, "values": [-1.0, 1.0]})
    out = tmp_path / "out"
    done = subprocess.run(sweep_command(path, out, "--workers", "1"), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 2, done.stdout + done.stderr
    table = pd.read_csv(out / "results.csv", index_col="scenario")
    assert list(table["status"]) == ["failed", "ok"]
    assert "interruptible.csv, row 2, column 'potential_mw'" in table.loc[0, "error"]
    assert "[range]" in table.loc[0, "error"]


def test_a_sweep_never_writes_into_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(OutputError, match="not a gridopt sweep folder"):
        Study(spec(tmp_path)).run(out, progress=False)
    assert (out / "notes.txt").read_text() == "keep me"
    assert not (out / MARKER).exists()


def test_one_sweep_at_a_time_in_a_folder(tmp_path: Path) -> None:
    """While a sweep holds the folder's lock, another sweep into it is refused (a scenario is
    never run twice at once; the Dask key is the content hash as well)."""
    from gridopt.studies.store import SweepStore

    study = Study(spec(tmp_path))
    with SweepStore(tmp_path / "out").opened("first"), \
            pytest.raises(OutputError, match="another sweep is running"):
        study.run(tmp_path / "out", progress=False)


def test_the_readme_sweep_spec_is_valid() -> None:
    """docs/luzhou-sweep.yaml (the README's example) reads, names the shipped case and has
    3 × 4 × 4 scenarios."""
    study = Study(Path(__file__).parents[1] / "docs" / "luzhou-sweep.yaml")
    assert study.base_path.name == "luzhou-2030"
    assert len(study.scenarios()) == 48


def test_a_target_out_of_reach_is_an_infeasible_answer_not_a_failure(tmp_path: Path) -> None:
    """An enforced peak-response share of 50 % cannot be met by the case's DR: the scenario is
    'infeasible' with the reason (how much is missing), not 'failed'."""
    from gridopt.studies.sweep import run_scenario

    study = Study(spec(tmp_path, "far", peak_share={**PEAK, "values": [0.5]}))
    (s,) = study.scenarios()
    record = run_scenario(study.raw(), s.overrides, REDUCE, {"threads": 1})
    assert record["status"] == "infeasible"
    assert "cannot be met" in record["error"] and "short" in record["error"]
