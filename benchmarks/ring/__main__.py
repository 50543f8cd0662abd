"""Run the ring benchmark: every tool × size in its own process, then write the report.

Usage (from the repository root)::

    python -m benchmarks.ring                       # N = 1 5 20 50, T = 8760, solve
    python -m benchmarks.ring --sizes 20 50 --no-solve --repeat 3
    python -m benchmarks.ring --sizes 3 --hours 48 --tools floor gridopt
    python -m benchmarks.ring --report-only         # redraw ring.md / ring.png
    python -m benchmarks.ring --variant uc --sizes 1 5 20 --hours 168   # the commitment MIP

Each run writes ``benchmarks/results/ring_<tool>_n<N>_t<T>_<mode>.json`` (the commitment
variant: ``ringuc_<tool>_…``); the report (``ring.md``, ``ring.png``; ``ring_uc.md``) is
redrawn from every such file present.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.ring import report, uc_report
from benchmarks.ring.child import TOOLS

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
PYOMO_TOOLS = ("gridopt-pyomo", "pyomo")
OPTIONAL = {"linopy": "linopy", "pypsa": "pypsa"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ring",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 20, 50],
                        help="numbers of buses N")
    parser.add_argument("--hours", type=int, default=8760, help="hours T")
    parser.add_argument("--tools", nargs="+", choices=sorted(TOOLS), default=list(TOOLS))
    parser.add_argument("--no-solve", action="store_true",
                        help="stop at the solver call: build time and memory only")
    parser.add_argument("--pyomo-max-buses", type=int, default=5,
                        help="run the Pyomo tools only up to this N")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool and size")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--append", action="store_true",
                        help="keep the runs already in the result files (more repeats)")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--variant", choices=("lp", "uc"), default="lp",
                        help="lp: the ring LP; uc: the commitment MIP (problem.py)")
    parser.add_argument("--mip-gap", type=float, default=None,
                        help="uc: HiGHS mip_rel_gap (default: UC_HIGHS_OPTIONS')")
    return parser.parse_args(argv)


def available(tool: str) -> bool:
    """Whether the tool's optional package can be imported here."""
    package = OPTIONAL.get(tool)
    return package is None or importlib.util.find_spec(package) is not None


def plan(args: argparse.Namespace) -> list[tuple[str, int]]:
    """(tool, N) pairs to run, skipping missing packages and Pyomo at large N."""
    tools = [t for t in args.tools if available(t)]
    for t in set(args.tools) - set(tools):
        print(f"skipping {t}: not installed (pip install -e '.[bench]')")
    return [(t, n) for n in args.sizes for t in tools
            if t not in PYOMO_TOOLS or n <= args.pyomo_max_buses]


def run_child(tool: str, n: int, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """One run in a fresh interpreter; its record, or why it has none."""
    cmd = [sys.executable, "-m", "benchmarks.ring.child", tool, str(n), str(args.hours),
           str(out), "--seed", str(args.seed), "--variant", args.variant] + (
               ["--no-solve"] if args.no_solve else []) + (
               ["--mip-gap", str(args.mip_gap)] if args.mip_gap is not None else [])
    base = {"tool": tool, "n_buses": n, "hours": args.hours,
            "mode": "build" if args.no_solve else "solve"}
    if args.variant == "uc" and args.mip_gap is not None:  # kept on a timeout's record too
        base["highs_options"] = {"mip_rel_gap": args.mip_gap}
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                              timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired:
        return {**base, "status": "timeout", "wall_seconds": args.timeout}
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not out.exists():
        return {**base, "status": "error", "error": proc.stderr[-3000:], "wall_seconds": wall}
    return {**json.loads(out.read_text()), "wall_seconds": wall}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    info = {"platform": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count()}
    for path, key, field in (("/proc/cpuinfo", "cpu", "model name"),
                             ("/proc/meminfo", "memory", "MemTotal")):
        try:
            lines = Path(path).read_text().splitlines()
            info[key] = next(x.split(":", 1)[1].strip() for x in lines if x.startswith(field))
        except (OSError, StopIteration):
            pass
    return info


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    args.results.mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        run_all(args)
    if args.variant == "uc":
        uc_report.write(args.results)
        print((args.results / "ring_uc.md").read_text())
        return
    report.write(args.results)
    print((args.results / "ring.md").read_text())


def earlier(path: Path) -> list[dict[str, Any]]:
    """The runs already recorded in a result file (none if it does not exist)."""
    return json.loads(path.read_text())["runs"] if path.exists() else []


def run_all(args: argparse.Namespace) -> None:
    """Run the plan round-robin (repeat k runs every tool once before the next round)."""
    mode = "build" if args.no_solve else "solve"
    pairs = plan(args)
    prefix = "ringuc" if args.variant == "uc" else "ring"
    stem = {p: f"{prefix}_{p[0]}_n{p[1]}_t{args.hours}_{mode}" for p in pairs}
    runs = {p: earlier(args.results / f"{stem[p]}.json") if args.append else [] for p in pairs}
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
            "command": " ".join(sys.argv), "loadavg_start": list(os.getloadavg())}
    for n in args.sizes:
        for _ in range(args.repeat):
            for tool, size in (p for p in pairs if p[1] == n):
                scratch = args.results / f"{stem[tool, size]}.run.json"
                record = run_child(tool, size, args, scratch)
                runs[tool, size].append(record)
                print(f"{tool:14s} N={size:<3d} {record['status']:8s} "
                      f"build {record.get('build_seconds', float('nan')):8.2f} s  "
                      f"total {record.get('total_seconds', float('nan')):8.2f} s", flush=True)
                scratch.unlink(missing_ok=True)
                path = args.results / f"{stem[tool, size]}.json"
                path.write_text(json.dumps({"meta": {**meta, "loadavg_end":
                                                     list(os.getloadavg())},
                                            "runs": runs[tool, size]}, indent=1) + "\n")


if __name__ == "__main__":
    main()
