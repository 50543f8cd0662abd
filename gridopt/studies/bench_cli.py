"""``gridopt bench-solvers``: write benchmark instances, list the solvers, run the benchmark.

A typer sub-app, registered in :mod:`gridopt.cli` as ``bench-solvers``.
"""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

bench_app = typer.Typer(no_args_is_help=True, help=(
    "Benchmark LP/MIP solvers on gridopt models (MPS instances) on Dask: HiGHS (simplex, "
    "IPM, PDLP), SCIP, CLP, CBC, GLPK, and Gurobi, CPLEX, Xpress when installed."))
console = Console()
err = Console(stderr=True)


class InstanceSet(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


@bench_app.command("instances")
def instances(folder: Annotated[Path, typer.Argument(help="Folder to write (replaced if "
                                                          "gridopt wrote it).")],
              size: Annotated[InstanceSet, typer.Option(
                  "--set", help="small: seconds (tests); medium: Luzhou K=4, K=12 days, first "
                                "week, RTS-GMLC 12 h UC, 24 h UC and LP; large: + RTS-GMLC 48 h."
              )] = InstanceSet.small) -> None:
    """Write the instance set as MPS files plus the manifest instances.csv."""
    from gridopt.results.write import OutputError
    from gridopt.studies.instances import make_instances

    try:
        manifest = make_instances(folder, size.value)
    except (OutputError, OSError, ValueError) as exc:
        err.print(f"[red]error[/red]: {escape(str(exc))}")
        raise typer.Exit(1) from exc
    table = Table("instance", "kind", "rows", "columns", "nonzeros", "integers", "options")
    for name, row in manifest.iterrows():
        table.add_row(escape(str(name)), row["kind"], f"{row['rows']:,}", f"{row['columns']:,}",
                      f"{row['nonzeros']:,}", f"{row['integer_columns']:,}",
                      escape(f"{row['source_case']}: {row['options']}"))
    console.print(table)
    console.print(f"instances written to [bold]{escape(str(folder.resolve()))}[/bold]")


@bench_app.command("solvers")
def solvers() -> None:
    """List the solvers gridopt knows, the kinds each solves and whether it is installed
    here (a licence is only checked when it runs)."""
    import importlib.util

    from gridopt.studies.solvers import ADAPTERS

    table = Table("solver", "kinds", "package", "here")
    for name, a in ADAPTERS.items():
        found = importlib.util.find_spec(a.module) is not None
        table.add_row(name, "/".join(sorted(a.kinds)), a.module,
                      "installed" if found else "not installed")
    console.print(table)


@bench_app.command("run")
def run(folder: Annotated[Path, typer.Argument(help="Instance folder (bench-solvers "
                                                    "instances).")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Result folder.")] = Path(
            "out-bench"),
        solver_names: Annotated[str | None, typer.Option(
            "--solvers", show_default=False,
            help="Comma-separated solvers (default: all; see bench-solvers solvers).")] = None,
        repeats: Annotated[int, typer.Option("--repeats", min=1,
                                             help="Runs of each solver on each instance "
                                                  "(the median time is used).")] = 1,
        time_limit: Annotated[float, typer.Option(
            "--time-limit", min=0.1, help="Seconds per run; a failure counts at this time. "
                                          "A run is killed at 1.5 × it + 30 s.")] = 60.0,
        threads: Annotated[int, typer.Option("--threads", min=1,
                                             help="Threads per run.")] = 1,
        mip_gap: Annotated[float, typer.Option("--mip-gap", min=0.0,
                                               help="Relative MIP gap asked.")] = 1e-4,
        workers: Annotated[int, typer.Option(
            "--workers", min=1, help="Worker processes of the local Dask cluster.")] = 2,
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", show_default=False,
            help="Address of an existing Dask scheduler (tcp://host:8786) instead of a local "
                 "cluster; every worker must see FOLDER at the same path.")] = None) -> None:
    """Run every (instance, solver, repeat) as a Dask task; write runs, results, solvers,
    performance profiles (CSV and PNG) and summary.json to OUT."""
    from gridopt.results.write import OutputError
    from gridopt.studies.bench import benchmark
    from gridopt.studies.cluster import MissingExtraError
    from gridopt.studies.solvers import Options

    names = [s.strip() for s in solver_names.split(",") if s.strip()] if solver_names else None
    options = Options(time_limit=time_limit, threads=threads, mip_gap=mip_gap)
    try:
        with console.status("benchmarking"):
            tables = benchmark(folder, out, names, repeats, options, scheduler, workers)
    except (OutputError, OSError, ValueError, MissingExtraError) as exc:
        err.print(f"[red]error[/red]: {escape(str(exc))}")
        raise typer.Exit(1) from exc
    print_solvers(tables["solvers"])
    print_disagreements(tables["results"])
    console.print(f"results written to [bold]{escape(str(out.resolve()))}[/bold] (runs.csv, "
                  "results.csv, solvers.csv, profile.csv, performance_profile.png)")


def _seconds(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


def print_solvers(solvers_table) -> None:
    """Per solver: availability, solved, failures, disagreements and shifted geometric
    means (failures at the time limit)."""
    table = Table("solver", "availability", "solved", "failures", "disagreements",
                  "SGM LP (s)", "SGM MIP (s)", title="Solvers (SGM: shift 10 s, a failure at "
                                                     "the time limit)")
    for name, row in solvers_table.iterrows():
        table.add_row(escape(str(name)), row["availability"],
                      f"{row['solved']}/{row['instances']}", str(row["failures"]),
                      str(row["disagreements"]), _seconds(row["sgm_lp_s"]),
                      _seconds(row["sgm_mip_s"]))
    console.print(table)


def print_disagreements(results) -> None:
    """Each instance on which a solver's objective disagrees with the majority."""
    wrong = results[results["agrees"] == False]  # noqa: E712 (NA-safe)
    for _, row in wrong.iterrows():
        err.print(escape(f"disagreement: {row['instance']}: {row['solver']} found "
                         f"{row['objective']:.10g} ({row['status']})"))
