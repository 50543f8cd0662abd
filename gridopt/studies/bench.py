"""Solver benchmarks on Dask: ``gridopt bench-solvers run``.

Every (instance, solver, repeat) is one Dask task (:func:`gridopt.studies.cluster.dask_client`:
a local cluster of worker processes, or the scheduler given). The task runs the solver's
adapter (:mod:`gridopt.studies.solvers`) in a child process killed at a hard timeout, with
one thread by default, so the workers' runs do not compete for cores. The instances are an
instance folder (:mod:`gridopt.studies.instances`; every file's sha256 is checked against the
manifest before anything runs); on a cluster of several machines the folder must be at the
same path on every worker (a shared file system).

The result folder (:func:`write_benchmark`):

- ``runs.csv``: every run (instance, solver, repeat, status, objective, dual bound, gap,
  seconds around the solve only, iterations, nodes, message);
- ``results.csv``: per instance and solver: the status over the repeats (``optimal`` only if
  every repeat was), the median time, the objective, and ``agrees``: the objective
  cross-check between solvers (:func:`gridopt.studies.profiles.agreement`);
- ``solvers.csv``: per solver: availability (``not installed`` / ``no licence`` is not a
  failure), instances solved, failures, disagreements, shifted geometric mean of times per
  kind (LP, MIP);
- ``profile.csv``, ``ratios.csv`` and ``performance_profile.png``: Dolan–Moré performance
  profiles per kind;
- ``instances.csv`` (the manifest) and ``summary.json`` (options, machine, date, versions).

Timing conventions: a run that is not ``optimal``, or whose objective disagrees with the
majority of solvers, is a failure; a failure counts at the time limit in the shifted
geometric mean and as never solved (ratio ∞) in the profiles. Solvers not installed, not
licensed or not applicable to a kind are left out of that kind's means and profiles.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
from collections.abc import Callable
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridopt._version import __version__
from gridopt.results.write import write_folder
from gridopt.studies.cluster import dask_client, require_distributed
from gridopt.studies.instances import read_manifest
from gridopt.studies.profiles import (
    SHIFT_S,
    agreement,
    performance_profile,
    performance_ratios,
    shifted_geometric_mean,
)
from gridopt.studies.solvers import (
    ADAPTERS,
    FIELDS,
    NOT_RUN,
    Adapter,
    Options,
    hard_timeout,
    outcome,
    payload,
    run_payload,
)

log = logging.getLogger(__name__)

KINDS = ("LP", "MIP")
PACKAGES = ("highspy", "pyscipopt", "cylp", "swiglpk", "gurobipy", "cplex", "xpress")


def run_task(data: bytes, timeout: float, threads: int) -> dict[str, Any]:
    """One Dask task: one run, made on the client by :func:`gridopt.studies.solvers.payload`,
    in a child process killed after ``timeout`` seconds."""
    return run_payload(data, timeout, threads)


def choose(solvers: list[str] | None, adapters: dict[str, Adapter] | None = None
           ) -> list[Adapter]:
    """The adapters named (all known ones by default); an unknown name is a ValueError."""
    adapters = ADAPTERS if adapters is None else adapters
    names = solvers if solvers else list(adapters)
    unknown = [n for n in names if n not in adapters]
    if unknown:
        raise ValueError(f"unknown solver(s) {', '.join(unknown)}: known are "
                         f"{', '.join(adapters)}")
    return [adapters[n] for n in names]


def run_benchmark(instances: str | Path, solvers: list[str] | None = None, repeats: int = 1,
                  options: Options | None = None, scheduler: str | None = None,
                  workers: int = 2, adapters: dict[str, Adapter] | None = None,
                  timeout: float | None = None) -> pd.DataFrame:
    """Run every (instance, solver, repeat) of the instance folder ``instances`` as a Dask
    task; return the runs (one row each). A solver is skipped on a kind it does not solve.

    ``adapters`` replaces the registry (:data:`gridopt.studies.solvers.ADAPTERS`), e.g. to add
    a solver of one's own; ``timeout`` the hard timeout of a run
    (:func:`gridopt.studies.solvers.hard_timeout` by default).
    """
    options = options or Options()
    folder = Path(instances).resolve()
    manifest = read_manifest(folder)
    chosen = choose(solvers, adapters)
    jobs = [(name, row["kind"], a, r) for name, row in manifest.iterrows() for a in chosen
            if row["kind"] in a.kinds for r in range(repeats)]
    timeout = hard_timeout(options) if timeout is None else timeout
    data = {(name, a.name): payload(a, folder / manifest.loc[name, "file"], kind, options)
            for name, kind, a, _ in jobs}
    with dask_client(scheduler, workers) as client:
        futures = {client.submit(run_task, data[name, a.name], timeout, options.threads,
                                 pure=False,
                                 key=f"bench-{name}-{a.name}-{r}-{os.urandom(4).hex()}"):
                   (name, kind, a.name, r) for name, kind, a, r in jobs}
        rows = []
        for future in require_distributed().as_completed(futures):
            name, kind, solver, r = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # the task itself failed (a worker lost, say)
                record = outcome("error", message=f"task failed: {type(exc).__name__}: {exc}")
            log.info("%s / %s / %d: %s in %.3g s", name, solver, r, record["status"],
                     record["seconds"])
            rows.append({"instance": name, "kind": kind, "solver": solver, "repeat": r,
                         **record})
    columns = ["instance", "kind", "solver", "repeat", *FIELDS]
    runs = pd.DataFrame(rows, columns=columns)
    return runs.sort_values(["instance", "solver", "repeat"], ignore_index=True)


def summarise(runs: pd.DataFrame, options: Options) -> dict[str, pd.DataFrame]:
    """The tables ``results``, ``solvers``, ``profile`` and ``ratios`` of ``runs``."""
    results = per_instance(runs, options)
    tables = {"results": results}
    times = {kind: timing_table(results, kind) for kind in KINDS}
    tables["solvers"] = solver_table(results, times, options)
    tables["profile"] = pd.concat(
        [performance_profile(t).reset_index().melt(id_vars="tau", var_name="solver",
                                                   value_name="fraction").assign(kind=kind)
         for kind, t in times.items() if not t.empty] or [pd.DataFrame(
             columns=["tau", "solver", "fraction", "kind"])], ignore_index=True
    )[["kind", "solver", "tau", "fraction"]]
    tables["ratios"] = pd.concat(
        [performance_ratios(t).rename_axis(index="instance", columns="solver").stack()
         .rename("ratio").reset_index().assign(kind=kind)
         for kind, t in times.items() if not t.empty] or [pd.DataFrame(
             columns=["instance", "solver", "ratio", "kind"])], ignore_index=True)
    return tables


def per_instance(runs: pd.DataFrame, options: Options) -> pd.DataFrame:
    """One row per instance and solver: status over the repeats, median seconds, the first
    repeat's numbers, and the objective cross-check ``agrees``."""
    def one(group: pd.DataFrame) -> pd.Series:
        statuses = group["status"]
        status = "optimal" if (statuses == "optimal").all() else \
            statuses[statuses != "optimal"].iloc[0]
        first = group.sort_values("repeat").iloc[0]
        return pd.Series({"kind": first["kind"], "status": status, "runs": len(group),
                          "solved_runs": int((statuses == "optimal").sum()),
                          "median_seconds": group["seconds"].median(),
                          "objective": first["objective"], "dual_bound": first["dual_bound"],
                          "gap": first["gap"], "iterations": first["iterations"],
                          "nodes": first["nodes"], "message": first["message"]})

    keys = ["instance", "solver"]
    results = runs.groupby(keys, sort=True)[list(runs.columns.drop(keys))].apply(one)
    results = results.reset_index()
    results["agrees"] = agreement(results, options.mip_gap)
    return results


def timing_table(results: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Instance × solver median seconds of the runs that count as solved (optimal in every
    repeat and not disagreeing), ``NaN`` for a failure; solvers that never ran on this kind
    (not installed, no licence, not applicable) are left out."""
    part = results[(results["kind"] == kind) & ~results["status"].isin(NOT_RUN)]
    solved = (part["status"] == "optimal") & (part["agrees"].fillna(True))
    seconds = part["median_seconds"].where(solved)
    return pd.DataFrame({"instance": part["instance"], "solver": part["solver"],
                         "seconds": seconds}).pivot(index="instance", columns="solver",
                                                    values="seconds")


def solver_table(results: pd.DataFrame, times: dict[str, pd.DataFrame], options: Options
                 ) -> pd.DataFrame:
    """Per solver: availability, instances run and solved, failures (a run that was
    neither optimal nor not-run), disagreements, and the shifted geometric mean of times per
    kind (failures at the time limit)."""
    rows = []
    for solver, group in results.groupby("solver", sort=False):
        ran = group[~group["status"].isin(NOT_RUN)]
        unavailable = group["status"][group["status"].isin(["not installed", "no licence"])]
        row = {"solver": solver,
               "availability": unavailable.iloc[0] if len(ran) == 0 and len(unavailable)
               else "ok",
               "instances": len(ran), "solved": int((ran["status"] == "optimal").sum()),
               "failures": int((ran["status"] != "optimal").sum()),
               "disagreements": int((ran["agrees"] == False).sum()),  # noqa: E712 (NA-safe)
               "failed": ", ".join(f"{i} ({s})" for i, s in zip(
                   ran["instance"], ran["status"], strict=True) if s != "optimal")}
        for kind, t in times.items():
            row[f"sgm_{kind.lower()}_s"] = (shifted_geometric_mean(t[[solver]],
                                                                   options.time_limit)[solver]
                                            if solver in t.columns and len(t) else np.nan)
        rows.append(row)
    return pd.DataFrame(rows).set_index("solver").sort_index()


def plot_profiles(profile: pd.DataFrame, path: Path, title: str = "") -> None:
    """Step plot of ρ_s(τ) per kind (one panel each), log τ axis, written to ``path``."""
    from matplotlib.figure import Figure

    kinds = [k for k in KINDS if (profile["kind"] == k).any()] or ["LP"]
    fig = Figure(figsize=(5.0 * len(kinds), 4.0), layout="constrained")
    axes = fig.subplots(1, len(kinds), squeeze=False)[0]
    for ax, kind in zip(axes, kinds, strict=True):
        part = profile[profile["kind"] == kind]
        top = max(2.0, float(part["tau"].max()) * 1.5) if len(part) else 2.0
        for solver, curve in part.groupby("solver", sort=True):
            tau = np.append(curve["tau"].to_numpy(float), top)
            rho = np.append(curve["fraction"].to_numpy(float), curve["fraction"].iloc[-1])
            ax.step(tau, rho, where="post", label=solver)
        ax.set_xscale("log")
        ax.set_xlim(1.0, top)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("τ: time within a factor τ of the best solver")
        ax.set_ylabel("fraction of instances solved")
        ax.set_title(f"{kind} instances {title}".strip())
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="lower right", fontsize="small")
    fig.savefig(path, dpi=110)


def machine() -> dict[str, Any]:
    """The machine the benchmark ran on (as the client sees it), the date and versions."""
    cpu = platform.processor()
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in lines
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {"date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"), "cpu": cpu,
            "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "gridopt": __version__,
            "solver_packages": versions}


def write_benchmark(out: str | Path, runs: pd.DataFrame, manifest: pd.DataFrame,
                    options: Options, meta: dict[str, Any] | None = None,
                    ) -> dict[str, pd.DataFrame]:
    """Summarise ``runs`` and write the result folder ``out`` atomically; return the tables."""
    tables = summarise(runs, options)
    summary = {"options": asdict(options), "shift_s": SHIFT_S,
               "conventions": "seconds: wall time around the solve call only; a failure "
                              "(not optimal, or an objective that disagrees with the majority) "
                              "counts at the time limit in the shifted geometric mean "
                              f"(shift {SHIFT_S:g} s) and as never solved in the performance "
                              "profiles; LP optima agree to a relative 1e-6, MIP incumbents "
                              "within their gaps",
               **(meta or {})}
    writers: dict[str, Callable[[Path], Any]] = {
        "performance_profile.png": lambda p: plot_profiles(tables["profile"], p)}
    write_folder(out, {"runs": runs.set_index(["instance", "solver", "repeat"]),
                       "results": tables["results"].set_index(["instance", "solver"]),
                       "solvers": tables["solvers"],
                       "profile": tables["profile"].set_index(["kind", "solver", "tau"]),
                       "ratios": tables["ratios"].set_index(["kind", "instance", "solver"]),
                       "instances": manifest},
                 {"summary.json": summary}, writers=writers)
    return tables


def benchmark(instances: str | Path, out: str | Path, solvers: list[str] | None = None,
              repeats: int = 1, options: Options | None = None, scheduler: str | None = None,
              workers: int = 2, adapters: dict[str, Adapter] | None = None,
              timeout: float | None = None) -> dict[str, pd.DataFrame]:
    """Run the benchmark of the instance folder ``instances`` and write the result folder
    ``out``; return its tables (``runs`` among them)."""
    options = options or Options()
    meta = {**machine(), "instances": str(instances), "repeats": repeats,
            "scheduler": scheduler or f"local cluster of {workers} worker processes"}
    runs = run_benchmark(instances, solvers, repeats, options, scheduler, workers, adapters,
                         timeout)
    tables = write_benchmark(out, runs, read_manifest(instances, check=False), options, meta)
    return {"runs": runs, **tables}
