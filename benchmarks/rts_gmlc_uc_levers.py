"""Levers toward the two-week RTS-GMLC commitment MIP at 1 % gap (issue 23, item 4).

Each lever is one run in its own child process (so its CPU seconds are the child's, read by
``resource.getrusage(RUSAGE_CHILDREN)``), on the model of ``benchmarks/rts_gmlc_uc.py`` (the
shipped case's first 14 days, built by ``gridopt.model.build.build_model`` and handed to
highspy through ``gridopt.model.highs_backend.to_highs``), ``mip_rel_gap`` 0.01 and a time
limit. Levers:

- ``default``: HiGHS defaults;
- ``heuristic-0.3``, ``heuristic-1.0``: ``mip_heuristic_effort`` 0.3 / 1.0 (default 0.05);
- ``start-rolling``: a MIP start from the rolling horizon (``gridopt.rolling.solve_rolling``,
  48 h windows stepping 24 h, each window to 1 %): its units on, starts and stops are passed
  to ``Highs.setSolution`` as a partial solution (integer columns only; HiGHS completes the
  continuous ones by an LP). The rolling solve's own seconds are recorded and counted in the
  lever's total;
- ``start-rolling-24``, ``start-rolling-36``: the same with 24 h windows stepping 24 h (no
  look-ahead) or 36 h windows stepping 24 h: cheaper rolling plans;
- ``start-lp-round``: a MIP start from the LP relaxation: units on rounded up (u = ⌈u_LP −
  1e-6⌉, which keeps every dispatch of the relaxation within the committed limits except
  where minimum stable output binds), starts and stops from the differences, passed the same
  way. HiGHS rejects the start when it is infeasible (e.g. a minimum up/down time broken).

Writes ``benchmarks/results/rts_gmlc_uc_levers.json`` (every run, appended) and ``.md``.
No time is asserted anywhere. Usage::

    python benchmarks/rts_gmlc_uc_levers.py default heuristic-0.3 start-rolling \
        [--days 14] [--time-limit 600]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np

import gridopt
from gridopt.data import case_path
from gridopt.model.arrays import ArrayModel
from gridopt.model.build import build_model
from gridopt.model.highs_backend import to_highs

RESULTS = Path(__file__).resolve().parent / "results"
LEVERS = ("default", "heuristic-0.3", "heuristic-1.0", "start-rolling", "start-rolling-24",
          "start-rolling-36", "start-lp-round")


def first_days(case: gridopt.Case, days: int) -> gridopt.Case:
    n = 24 * days
    return case.replace(snapshots=case.snapshots[:n],
                        series={k: v.iloc[:n] for k, v in case.series.items()})


def integer_start(m: ArrayModel, on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns and values of u, v, w for units on ``on`` (generators × snapshots).

    v_t = (u_t − u_{t−1})⁺, w_t = (u_{t−1} − u_t)⁺ with u_{−1} = N (the case gives no
    initial state: every unit starts on, ``models/commitment.md``).
    """
    u_cols = m.var("commitment.status")
    n = m.upper[u_cols[:, 0]]
    prev = np.concatenate([n[:, None], on[:, :-1]], axis=1)
    diff = on - prev
    cols = np.concatenate([u_cols.ravel(), m.var("commitment.startup").ravel(),
                           m.var("commitment.shutdown").ravel()])
    vals = np.concatenate([on.ravel(), np.maximum(diff, 0).ravel(),
                           np.maximum(-diff, 0).ravel()]).astype(float)
    return cols.astype(np.int32), vals


def rolling_on(case: gridopt.Case, m: ArrayModel, gap: float, window: float = 48.0
               ) -> tuple[np.ndarray, dict]:
    """Units on (generators × snapshots, in the model's order) of the rolling window:24
    plan."""
    from gridopt.rolling import solve_rolling
    t0, c0 = time.perf_counter(), time.process_time()
    rolled = solve_rolling(case, window, 24.0, mip_rel_gap=gap)
    info = {"start_seconds": time.perf_counter() - t0, "start_cpu_seconds":
            time.process_time() - c0, "start_objective": rolled.objective,
            "start_complete": rolled.complete}
    block = m.var_blocks["commitment.status"]
    table = rolled.commitment["units_on"].unstack("name")
    on = table.reindex(index=block.coords[1], columns=block.coords[0]).to_numpy().T
    return np.rint(on), info


def lp_round_on(m: ArrayModel, options: dict[str, Any]) -> tuple[np.ndarray, dict]:
    """Units on of the LP relaxation rounded up (generators × snapshots)."""
    t0, c0 = time.perf_counter(), time.process_time()
    lp = build_model_copy(m)
    lp.relax_integrality()
    h = to_highs(lp, options)
    h.run()
    x = np.asarray(h.getSolution().col_value)
    on = np.ceil(x[m.var("commitment.status")] - 1e-6)
    info = {"start_seconds": time.perf_counter() - t0,
            "start_cpu_seconds": time.process_time() - c0,
            "start_objective": h.getInfo().objective_function_value}
    return on, info


def build_model_copy(m: ArrayModel) -> ArrayModel:
    import copy
    return copy.deepcopy(m)


def one(lever: str, days: int, gap: float, limit: float) -> dict[str, Any]:
    """Run one lever in this process; its record."""
    case = first_days(gridopt.read_case(case_path("rts-gmlc")), days)
    t0, c0 = time.perf_counter(), time.process_time()
    m = build_model(case)
    options: dict[str, Any] = {"mip_rel_gap": gap, "time_limit": limit}
    if lever.startswith("heuristic-"):
        options["mip_heuristic_effort"] = float(lever.split("-", 1)[1])
    rec: dict[str, Any] = {"lever": lever, "options": dict(options),
                           "build_seconds": time.perf_counter() - t0,
                           "loadavg_start": os.getloadavg()[0]}
    start = None
    if lever.startswith("start-rolling"):
        window = float(lever.rsplit("-", 1)[1]) if lever != "start-rolling" else 48.0
        on, info = rolling_on(case, m, gap, window)
        rec.update(info)
        start = integer_start(m, on)
    elif lever == "start-lp-round":
        on, info = lp_round_on(m, {})
        rec.update(info)
        start = integer_start(m, on)
    h = to_highs(m, options)
    if start is not None:
        cols, vals = start
        status = h.setSolution(len(cols), cols, vals)
        rec["set_solution"] = str(status)
    t1, c1 = time.perf_counter(), time.process_time()
    h.run()
    info = h.getInfo()
    rec.update(mip_seconds=time.perf_counter() - t1, mip_cpu_seconds=time.process_time() - c1,
               status=h.modelStatusToString(h.getModelStatus()),
               objective=info.objective_function_value, dual_bound=info.mip_dual_bound,
               gap=info.mip_gap, nodes=info.mip_node_count,
               total_seconds=time.perf_counter() - t0,
               total_cpu_seconds=time.process_time() - c0,
               loadavg_end=os.getloadavg()[0])
    return rec


def run_child(lever: str, args: argparse.Namespace) -> dict[str, Any]:
    """One lever in a fresh interpreter; its record with the child's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, __file__, lever, "--one", "--days", str(args.days),
           "--gap", str(args.gap), "--time-limit", str(args.time_limit)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    try:
        rec = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        rec = {"lever": lever, "status": "error", "error": proc.stderr[-2000:]}
    rec.update(child_wall_seconds=time.perf_counter() - t0, child_cpu_seconds=cpu,
               date=time.strftime("%Y-%m-%d %H:%M", time.gmtime()))
    return rec


def fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:,.4g}" if abs(v) < 1 else f"{v:,.1f}"
    return str(v)


def write(runs: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    (RESULTS / "rts_gmlc_uc_levers.json").write_text(
        json.dumps({"meta": meta, "runs": runs}, indent=1) + "\n")
    cols = ["date", "lever", "status", "objective", "dual_bound", "gap", "nodes",
            "start_objective", "start_seconds", "mip_seconds", "total_seconds",
            "child_cpu_seconds", "set_solution", "loadavg_start", "loadavg_end"]
    lines = ["# RTS-GMLC two weeks with unit commitment: levers toward 1 % gap", "",
             f"Written by `python benchmarks/rts_gmlc_uc_levers.py` ({meta['machine']}, "
             f"{meta['cpus']} cores shared with two other engineers' solves: wall times are "
             f"from a loaded machine; Python {meta['python']}, HiGHS {meta['highs']}). One run "
             "per lever, each in its own process; `mip_rel_gap` 0.01 and the time limit of the "
             "run in `options` of the JSON. Seconds: `start` = the heuristic that makes the "
             "MIP start (rolling horizon or LP relaxation), `mip` = `Highs.run` of the MIP, "
             "`total` = case read excluded, build + start + MIP; CPU = the child process's "
             "user + system seconds (all threads).", "",
             "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(r.get(c)) for c in cols) + " |" for r in runs]
    (RESULTS / "rts_gmlc_uc_levers.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("levers", nargs="+", choices=LEVERS)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.levers[0], args.days, args.gap, args.time_limit)))
        return
    path = RESULTS / "rts_gmlc_uc_levers.json"
    runs = json.loads(path.read_text())["runs"] if path.exists() else []
    meta = {"machine": f"{platform.platform()}", "cpus": os.cpu_count(),
            "python": platform.python_version(), "highs": highspy.Highs().version(),
            "days": args.days}
    for lever in args.levers:
        rec = run_child(lever, args)
        print(json.dumps(rec), flush=True)
        runs.append(rec)
        write(runs, meta)


if __name__ == "__main__":
    main()
