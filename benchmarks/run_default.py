"""Benchmark both backends on the default (Luzhou 2030) case, one process per run.

Records, per backend: build seconds (case read → model handed to the solver), solve seconds,
results-extraction seconds, peak resident memory (ru_maxrss of the child process), sizes and
the objective, into ``benchmarks/results/default_case.json`` and ``.md``. No assertion is
made on any time: the figures are for reading and comparing within one run.

Usage::

    python benchmarks/run_default.py [--backends highs pyomo] [--hours N] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import gridopt
from gridopt.solve import as_case
case = as_case(None)
hours = int(sys.argv[2])
if hours:
    case = case.replace(snapshots=case.snapshots[:hours],
                        series={k: v.iloc[:hours] for k, v in case.series.items()})
t_read = time.perf_counter() - t0
r = gridopt.solve(case, backend=sys.argv[1])
t1 = time.perf_counter()
tables = r.tables() if r.ok else {}
t_extract = time.perf_counter() - t1
s = r.summary()
print(json.dumps({
    "backend": sys.argv[1], "status": r.status, "objective": r.objective,
    "read_seconds": t_read, "build_seconds": r.solution.build_seconds,
    "solve_seconds": r.solution.solve_seconds, "extract_seconds": t_extract,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "n_variables": s["n_variables"], "n_constraints": s["n_constraints"],
    "nonzeros": int(r.model.matrix().nnz), "n_snapshots": case.n_snapshots,
    "solver": s["solver"],
}))
"""


def run_child(code: str, args: list[str], label: dict) -> dict:
    """Run ``code`` in a fresh Python process; its last stdout line is a JSON record, to which
    the wall time is added (on failure: ``label`` with status "error" and stderr's tail)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        return {**label, "status": "error", "error": out.stderr[-2000:]}
    record = json.loads(out.stdout.strip().splitlines()[-1])
    record["wall_seconds"] = time.perf_counter() - t0
    return record


def run_one(backend: str, hours: int) -> dict:
    """Run one backend in a fresh Python process and return its figures."""
    return run_child(CHILD, [backend, str(hours)], {"backend": backend})


def to_markdown(records: list[dict], meta: dict) -> str:
    cols = ["backend", "status", "objective", "read_seconds", "build_seconds", "solve_seconds",
            "extract_seconds", "peak_rss_mib", "n_variables", "n_constraints", "nonzeros"]
    lines = [f"# Default case benchmark ({meta['date']}, {meta['machine']})", "",
             "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in records:
        cells = [f"{r.get(c):,.3f}" if isinstance(r.get(c), float) else str(r.get(c, ""))
                 for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    ok = [r for r in records if r.get("status") == "optimal"]
    if len(ok) >= 2:
        base = ok[0]["objective"]
        for r in ok[1:]:
            rel = abs(r["objective"] - base) / max(abs(base), 1.0)
            lines.append(f"\nRelative objective difference {ok[0]['backend']} vs "
                         f"{r['backend']}: {rel:.2e}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["highs", "pyomo"])
    parser.add_argument("--hours", type=int, default=0, help="first N hours only (0 = all)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--name", default="default_case")
    args = parser.parse_args()
    records = [run_one(b, args.hours) for _ in range(args.repeat) for b in args.backends]
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": platform.platform(),
            "python": platform.python_version(), "cpus": __import__("os").cpu_count()}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps({"meta": meta, "runs": records},
                                                          indent=2) + "\n")
    (RESULTS / f"{args.name}.md").write_text(to_markdown(records, meta))
    print(to_markdown(records, meta))


if __name__ == "__main__":
    main()
