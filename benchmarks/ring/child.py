"""One benchmark run in this process (the runner starts one per tool and size).

Usage: ``python -m benchmarks.ring.child TOOL N_BUSES HOURS OUT.json [--no-solve] [--seed S]
[--variant lp|uc]`` (``uc``: the commitment MIP, each tool's ``run_uc``, options
``UC_HIGHS_OPTIONS``)

Every tool reaches HiGHS through ``highspy.Highs.run``; a probe wrapped around that method
takes the same measurements for all of them: the moment the model is handed over (end of the
build), the peak RSS so far, and the sizes HiGHS sees. With ``--no-solve`` the probe writes the
record there and ends the process without solving.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import highspy
import numpy as np

from benchmarks.ring.problem import HIGHS_OPTIONS, MARKS, UC_HIGHS_OPTIONS, make_ring

#: tool → (module, package whose version is reported, keyword arguments of ``run``)
TOOLS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "floor": ("floor", "highspy", {}),
    "gridopt": ("gridopt_tool", "gridopt", {"backend": "highs"}),
    "gridopt-pyomo": ("gridopt_tool", "gridopt", {"backend": "pyomo"}),
    # a trusted in-code case: case_from_tables(..., validate=False); NOT the row the
    # build targets are judged on (a user's case_from_tables / read_case validates)
    "gridopt-novalidate": ("gridopt_tool", "gridopt", {"backend": "highs", "validate": False}),
    "linopy": ("linopy_tool", "linopy", {}),
    "pypsa": ("pypsa_tool", "pypsa", {}),
    "pyomo": ("pyomo_tool", "pyomo", {}),
}


def rss_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Probe:
    """Timestamps and figures around the solver call; writes the record as JSON."""

    out: Path
    solve: bool
    record: dict[str, Any]
    t_data: float = 0.0
    cpu_data: float = 0.0
    t_call: float | None = None
    cpu_call: float = 0.0
    t_run_end: float | None = None
    calls: list[float] = field(default_factory=list)

    def install(self) -> None:
        original: Callable[[highspy.Highs], Any] = highspy.Highs.run

        def run(h: highspy.Highs) -> Any:
            self.at_call(h)
            if not self.solve:
                self.write()
                os._exit(0)
            try:
                return original(h)
            finally:
                self.after_run(h)

        highspy.Highs.run = run  # type: ignore[method-assign]

    def at_call(self, h: highspy.Highs) -> None:
        self.t_call = time.perf_counter()
        self.cpu_call = time.process_time()
        self.calls.append(self.t_call)
        if len(self.calls) > 1:  # a later call (gridopt's fixed-integer pricing LP after a
            return  # MIP): the build ended at the first one
        if "input_ready" in MARKS:
            self.record["input_seconds"] = MARKS["input_ready"] - self.t_data
        self.record.update(build_seconds=self.t_call - self.t_data,
                           build_cpu_seconds=time.process_time() - self.cpu_data,
                           peak_rss_at_call_mib=rss_mib(), columns=h.getNumCol(),
                           rows=h.getNumRow(), nonzeros=h.getNumNz(), status="built")

    def after_run(self, h: highspy.Highs) -> None:
        """Solve seconds summed over every ``run`` (a MIP and its pricing LP); the status,
        objective and MIP figures are the first call's (the problem itself)."""
        self.t_run_end = time.perf_counter()
        seconds = self.t_run_end - (self.t_call or self.t_run_end)
        cpu = time.process_time() - self.cpu_call
        self.record["solve_seconds"] = self.record.get("solve_seconds", 0.0) + seconds
        self.record["solve_cpu_seconds"] = self.record.get("solve_cpu_seconds", 0.0) + cpu
        if len(self.calls) > 1:
            self.record["later_run_seconds"] = (self.record.get("later_run_seconds", 0.0)
                                                + seconds)
            return
        info = h.getInfo()
        self.record.update(highs_status=h.modelStatusToString(h.getModelStatus()),
                           highs_objective=info.objective_function_value,
                           ipm_iterations=info.ipm_iteration_count)
        if info.mip_node_count >= 0:  # a MIP (HiGHS leaves it at -1 after an LP)
            self.record.update(mip_gap=info.mip_gap, mip_dual_bound=info.mip_dual_bound,
                               mip_nodes=info.mip_node_count,
                               integer_columns=int(np.count_nonzero(
                                   np.asarray(h.getLp().integrality_, dtype=int))))

    def finish(self, objective: float) -> None:
        t_end = time.perf_counter()
        self.record.update(status="optimal", objective=objective,
                           extract_seconds=t_end - (self.t_run_end or t_end),
                           total_seconds=t_end - self.t_data, solver_calls=len(self.calls))

    def write(self) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.record.update(peak_rss_mib=rss_mib(), loadavg_end=list(os.getloadavg()),
                           process_cpu_seconds=usage.ru_utime + usage.ru_stime)
        self.out.write_text(json.dumps(self.record, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tool", choices=sorted(TOOLS))
    parser.add_argument("n_buses", type=int)
    parser.add_argument("hours", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-solve", action="store_true")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--variant", choices=("lp", "uc"), default="lp")
    parser.add_argument("--mip-gap", type=float, default=None,
                        help="uc: mip_rel_gap instead of UC_HIGHS_OPTIONS'")
    args = parser.parse_args()
    module, package, kwargs = TOOLS[args.tool]
    tool = importlib.import_module(f"benchmarks.ring.{module}")  # imports are not timed
    record = {"tool": args.tool, "n_buses": args.n_buses, "hours": args.hours,
              "mode": "build" if args.no_solve else "solve", "seed": args.seed,
              "variant": args.variant,
              "tool_version": version(package), "highs_version": version("highspy"),
              "python": platform.python_version(), "loadavg_start": list(os.getloadavg())}
    data = make_ring(args.n_buses, args.hours, args.seed)
    record["baseline_rss_mib"] = rss_mib()  # after imports and data generation
    probe = Probe(args.out, not args.no_solve, record)
    probe.install()
    probe.t_data, probe.cpu_data = time.perf_counter(), time.process_time()
    if args.variant == "uc":
        options = dict(UC_HIGHS_OPTIONS)
        if args.mip_gap is not None:
            options["mip_rel_gap"] = args.mip_gap
        record["highs_options"] = options
        objective, _ = tool.run_uc(data, options, **kwargs)
    else:
        objective, _ = tool.run(data, dict(HIGHS_OPTIONS), **kwargs)
    probe.finish(objective)
    probe.write()


if __name__ == "__main__":
    main()
