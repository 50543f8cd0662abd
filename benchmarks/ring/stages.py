"""Where the build time of the ring goes: CPU milliseconds per stage, floor and gridopt.

Usage (from the repository root)::

    python -m benchmarks.ring.stages --sizes 1 5 --repeat 5

Each run is a fresh interpreter set up as :mod:`benchmarks.ring.child` sets it up (the same
imports, data made before timing), so first-call costs count as they do in the benchmark. The
timed path is also run a second time in the same process (*again* columns): what is left
when pandas' and gridopt's first-call work (code paths, caches) is done. Stages are timed
with ``time.process_time`` around the functions named in :data:`GRIDOPT_STAGES` (process
CPU: on a loaded machine CPU seconds are the figure to read); the build ends where
``Highs.run`` would be called. Writes ``results/ring-stages.json`` (not ``ring_*.json``: those
are the runner's, read by its report); prints a Markdown table (the fastest run of each stage,
and the fastest total).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"

#: (label, module, function): each wrapped by a CPU timer in the child. A stage marked "·"
#: runs inside the one above it (``case_from_tables`` holds validation, defaults, series …).
GRIDOPT_STAGES: tuple[tuple[str, str, str], ...] = (
    ("ring_case (tables → Case)", "benchmarks.ring.gridopt_tool", "ring_case"),
    ("· case_from_tables", "benchmarks.ring.gridopt_tool", "case_from_tables"),
    ("· · validate_tables", "gridopt.case.build", "validate_tables"),
    ("· · fill_defaults (18 tables)", "gridopt.case.build", "fill_defaults"),
    ("· · series_frame (8 series)", "gridopt.case.build", "series_frame"),
    ("· · full_availability", "gridopt.case.build", "full_availability"),
    ("· · derive_generator_columns", "gridopt.case.build", "derive_generator_columns"),
    ("· · existing_in_year", "gridopt.case.build", "existing_in_year"),
    ("· · make_snapshots", "gridopt.case.build", "make_snapshots"),
    ("gridopt.solve (until Highs.run)", "gridopt", "solve"),
    ("· solver_setup", "gridopt.solve", "solver_setup"),
    ("· build_model", "gridopt.solve", "build_model"),
    ("· to_highs", "gridopt.model.highs_backend", "to_highs"),
    ("· · matrix (COO → CSC)", "gridopt.model.arrays", "ArrayModel.matrix"),
    ("· · cost_vector", "gridopt.model.arrays", "ArrayModel.cost_vector"),
    ("· · Highs.passModel", "highspy", "Highs.passModel"),
)
FLOOR_STAGES: tuple[tuple[str, str, str], ...] = (
    ("assemble", "benchmarks.ring.floor", "assemble"),
    ("· matrix (COO → CSC)", "benchmarks.ring.floor", "_csc"),
    ("to_highs", "benchmarks.ring.floor", "to_highs"),
    ("· Highs.passModel", "highspy", "Highs.passModel"),
)


TOTAL = "total (data → Highs.run)"


class _StopAtRunError(Exception):
    """Raised where ``Highs.run`` would be called: the build is over."""


def _wrap(owner: Any, name: str, label: str, acc: dict[str, float]) -> None:
    """Replace ``owner.name`` by a wrapper adding its CPU seconds to ``acc[label]``."""
    func = getattr(owner, name)

    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            acc[label] = acc.get(label, 0.0) + time.process_time() - start

    setattr(owner, name, timed)


def _install(stages: tuple[tuple[str, str, str], ...], acc: dict[str, float]) -> None:
    for label, module, path in stages:
        owner: Any = sys.modules[module]
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        _wrap(owner, name, label, acc)


def child(tool: str, n: int, hours: int, seed: int) -> dict[str, Any]:
    """One fresh process: the timed path twice (first call, again); CPU ms per stage."""
    import highspy

    from benchmarks.ring import floor, gridopt_tool
    from benchmarks.ring.problem import HIGHS_OPTIONS, make_ring

    __import__("gridopt.solve")  # the module (gridopt.solve is also the function's name)
    data = make_ring(n, hours, seed)
    acc: dict[str, float] = {}
    _install(GRIDOPT_STAGES if tool == "gridopt" else FLOOR_STAGES, acc)

    def stop(h: highspy.Highs) -> None:
        raise _StopAtRunError

    highspy.Highs.run = stop  # type: ignore[method-assign]
    if tool == "gridopt":  # gridopt runs HiGHS in a thread: stop before it starts one
        backend = sys.modules["gridopt.model.highs_backend"]
        backend.run_interruptible = stop  # type: ignore[attr-defined]
    run: Callable[..., Any] = gridopt_tool.run if tool == "gridopt" else floor.run
    out: dict[str, Any] = {"tool": tool, "n_buses": n, "hours": hours}
    for round_ in ("first", "again"):
        acc.clear()
        start = time.process_time()
        with contextlib.suppress(_StopAtRunError):
            run(data, dict(HIGHS_OPTIONS))
        acc[TOTAL] = time.process_time() - start
        out[round_] = {k: round(v * 1000, 3) for k, v in acc.items()}
    return out


def _table(records: list[dict[str, Any]], tool: str, n: int) -> list[str]:
    """Markdown rows: the fastest first-call and again value of every stage."""
    runs = [r for r in records if r["tool"] == tool and r["n_buses"] == n]
    stages = GRIDOPT_STAGES if tool == "gridopt" else FLOOR_STAGES
    labels = [label for label, _, _ in stages] + [TOTAL]
    lines = []
    for label in labels:
        first = min(r["first"].get(label, 0.0) for r in runs)
        again = min(r["again"].get(label, 0.0) for r in runs)
        lines.append(f"| {n} | {tool} | {label} | {first:.1f} | {again:.1f} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ring.stages",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=RESULTS / "ring-stages.json")
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        record = child(args.child[0], int(args.child[1]), args.hours, args.seed)
        print(json.dumps(record))
        sys.stdout.flush()
        os._exit(0)  # as the benchmark child: no teardown of what was built
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "command": " ".join(sys.argv),
            "loadavg_start": list(os.getloadavg())}
    records = []
    for _ in range(args.repeat):  # round-robin, as the ring runner
        for n in args.sizes:
            for tool in ("floor", "gridopt"):
                cmd = [sys.executable, "-m", "benchmarks.ring.stages", "--child", tool, str(n),
                       "--hours", str(args.hours), "--seed", str(args.seed)]
                done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                                      check=True)
                records.append(json.loads(done.stdout.strip().splitlines()[-1]))
    meta["loadavg_end"] = list(os.getloadavg())
    args.out.write_text(json.dumps({"meta": meta, "runs": records}, indent=1) + "\n")
    print("| N | tool | stage | CPU ms, first call | CPU ms, again |\n|---|---|---|---|---|")
    for n in args.sizes:
        for tool in ("floor", "gridopt"):
            print("\n".join(_table(records, tool, n)))


if __name__ == "__main__":
    main()
