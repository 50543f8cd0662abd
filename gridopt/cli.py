"""The ``gridopt`` command: run, validate and export cases.

Every mistake in a case ends with a list of problems (file, row, column, rule) and exit
code 1; a solve without a solution (infeasible, unbounded) is explained, writes nothing and
exits 2; a solve stopped at a limit writes its best solution, flagged, and exits 2; Ctrl-C
writes nothing and exits 130.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gridopt.case.case import Case, CaseError, Problem, shown
from gridopt.cli_progress import progress_line
from gridopt.data import resolve_case
from gridopt.studies.bench_cli import bench_app

T = TypeVar("T")
app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="gridopt: plan and dispatch power systems with HiGHS or Pyomo.")
console = Console()
err = Console(stderr=True)


class Backend(StrEnum):
    highs = "highs"
    pyomo = "pyomo"


class ModelFormat(StrEnum):
    mps = "mps"
    lp = "lp"


CaseArg = Annotated[Path | None, typer.Argument(
    help="Case folder, or the name of a shipped case (luzhou-2030, rts-gmlc) when no such "
         "folder exists (default: the embedded Luzhou 2030 case).", show_default=False,
    callback=resolve_case)]
PeriodsOpt = Annotated[int | None, typer.Option(
    "--periods", "-k", min=1, show_default=False,
    help="Plan on K representative periods (tsam; the peak periods kept) instead of every "
         "snapshot.")]
PeriodHoursOpt = Annotated[float, typer.Option(
    "--period-hours", help="Length of a representative period (24: days, 168: weeks).")]
LinkedOpt = Annotated[bool, typer.Option(
    "--linked/--no-linked", help="Storage carries its state across periods (seasonal).")]
MethodOpt = Annotated[str, typer.Option(
    "--cluster-method", help="tsam clustering: hierarchical, kmeans, kmedoids, kmaxoids, "
                             "averaging or contiguous.")]
QuietOpt = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress line; only the essential output (errors, warnings, "
                          "where the results are).")]
SegmentsOpt = Annotated[int | None, typer.Option(
    "--segments", min=1, show_default=False,
    help="With --periods: segment each typical period into S snapshots of variable length "
         "(tsam segmentation; the peak periods stay hourly).")]


def _aggregated(c: Case, periods: int | None, hours: float, linked: bool,
                case: Path | None, method: str = "hierarchical",
                segments: int | None = None, quiet: bool = False) -> Case:
    """The case itself, or on ``periods`` representative periods (``segments`` per period)."""
    if periods is None:
        if segments is not None:
            err.print("[red]--segments needs --periods[/red]")
            raise typer.Exit(1)
        return c
    from gridopt.periods import MissingExtraError, aggregate, require_tsam

    try:
        require_tsam()
    except MissingExtraError as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}")
        raise typer.Exit(1) from None
    with progress_line(err, _safe(f"aggregating {c.name} to {periods} periods of {hours:g} h"),
                       quiet):
        return _guard(lambda: aggregate(c, periods, hours, method=method, linked=linked,
                                        segments=segments), case)


def _load(case: Path | None) -> Case:
    """Read a case or exit 1 with every problem listed."""
    from gridopt.solve import as_case

    try:
        return as_case(case)
    except CaseError as exc:
        _print_problems(exc.problems, case)
        raise typer.Exit(1) from None
    except (FileNotFoundError, NotADirectoryError) as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}")
        raise typer.Exit(1) from None


def _guard(work: Callable[[], T], case: Path | None) -> T:
    """Run ``work``; a case mistake found while building the model ends like a bad case."""
    from gridopt.peak import TargetUnreachableError

    try:
        return work()
    except CaseError as exc:
        _print_problems(exc.problems, case)
        raise typer.Exit(1) from None
    except TargetUnreachableError as exc:
        err.print(f"[red]infeasible target:[/red] {_safe(str(exc))}")
        raise typer.Exit(2) from None
    except (ValueError, RuntimeError) as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}")
        raise typer.Exit(1) from None


def _out_guard(work: Callable[[], T]) -> T:
    """Check or write ``--out``; a folder gridopt may not replace (see
    :mod:`gridopt.results.folder`) or cannot write ends with a clean error and exit 1."""
    from gridopt.results.folder import OutputError

    try:
        return work()
    except OutputError as exc:
        err.print(f"[red]output folder:[/red] {_safe(str(exc))}")
        raise typer.Exit(1) from None


def _protected(case: Path | None) -> list[Path]:
    """Folders ``--out`` must neither be nor contain: the case's (the current one always)."""
    from gridopt.data import default_case_path

    return [case if case is not None else default_case_path()]


def _safe(text: object) -> str:
    """Case-derived text for the terminal: control characters and bidirectional overrides
    dropped (an element named with an escape sequence must not drive the terminal), long
    words cut, rich markup escaped."""
    return escape(shown(text, 100_000))


def _print_problems(problems: list[Problem], case: Path | None) -> None:
    table = Table(title=_safe(f"{len(problems)} problem(s) in {case or 'the default case'}"))
    for col in ("file", "row", "column", "rule", "problem"):
        table.add_column(col, overflow="fold")
    for p in problems:
        table.add_row(*(_safe(x) for x in (p.file, "" if p.row is None else str(p.row),
                                            p.column or "", p.rule, p.message)))
    err.print(table)


@app.command()
def validate(case: CaseArg = None) -> None:
    """Check a case folder and list every problem (exit 1 if there is any): its tables and
    series, then the data the DR families derive from them (EV charging, electrolysers)."""
    from gridopt.checks import case_problems

    c = _load(case)
    problems = _guard(lambda: case_problems(c), case)
    if problems:
        _print_problems(problems, case)
        raise typer.Exit(1)
    console.print(f"[green]ok[/green]: {_safe(str(case or 'default case'))} is a valid case")
    _print_islands(c)


def _print_islands(case: Case) -> None:
    """With DC power flow: the islands of the AC network and the cycles KVL is written on."""
    from gridopt.components.power_flow import (
        ac_graph,
        cycle_basis,
        flow_model,
        island_table,
    )

    model = flow_model(case)
    if model == "transport":
        return
    islands = island_table(case)
    alone = int((islands["n_buses"] == 1).sum())
    console.print(f"DC power flow ({model}): {islands['island'].nunique()} island(s) "
                  f"({alone} bus(es) without AC lines), "
                  f"{len(cycle_basis(ac_graph(case)))} independent cycle(s)")
    for k, group in islands[islands["n_ac_lines"] > 0].groupby("island"):
        console.print(f"  island {k}: {len(group)} buses, {group['n_ac_lines'].iloc[0]} AC "
                      f"lines, slack {_safe(str(group['slack'].iloc[0]))}")


@app.command()
def run(case: CaseArg = None,
        out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
        backend: Annotated[Backend, typer.Option(help="Model backend.")] = Backend.highs,
        periods: PeriodsOpt = None, period_hours: PeriodHoursOpt = 24.0,
        linked: LinkedOpt = True, cluster_method: MethodOpt = "hierarchical",
        segments: SegmentsOpt = None,
        verbose: Annotated[bool, typer.Option(
            "--verbose", "-v", help="Log gridopt's steps (build, solve, status).")] = False,
        quiet: QuietOpt = False,
        solver_log: Annotated[Path | None, typer.Option(
            "--solver-log", help="Write HiGHS's log to this file.", show_default=False)] = None,
        time_limit: Annotated[float | None, typer.Option(
            "--time-limit", min=0.0, show_default=False,
            help="Stop the solve after this many seconds (HiGHS time_limit).")] = None,
        mip_gap: Annotated[float | None, typer.Option(
            "--mip-gap", min=0.0, show_default=False,
            help="A MIP is optimal within this relative gap (HiGHS mip_rel_gap).")] = None,
        threads: Annotated[int | None, typer.Option(
            "--threads", min=0, show_default=False, help="HiGHS threads (0: automatic).")] = None,
        relax: Annotated[bool, typer.Option(
            "--relax", help="Solve integer variables as continuous (the LP relaxation).")] = False,
        rolling: Annotated[str | None, typer.Option(
            "--rolling", metavar="W:H", show_default=False,
            help="Solve as a rolling horizon: windows of W hours stepping H hours (e.g. 48:24), "
                 "keeping the first H hours of each (models/rolling.md).")] = None,
        hours: Annotated[float | None, typer.Option(
            "--hours", min=0.0, show_default=False,
            help="Solve only the first HOURS hours of the case (e.g. 336 for two weeks); "
                 "costs are annualised as the case says.")] = None,
        report: Annotated[bool, typer.Option(
            "--report", help="Also write report.html (gridopt report) into the output "
                             "folder.")] = False
        ) -> None:
    """Solve a case (the embedded default when none is given) and write its results.

    ``--time-limit``, ``--mip-gap`` and ``--threads`` override the case's ``solver`` options;
    ``--relax`` is the case's ``solver: relax_integrality: true``.
    """
    from gridopt.results.folder import begin_log_file, check_log_file
    from gridopt.results.write import check_out, write_results
    from gridopt.solve import solve

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    loaded, protect = _load(case), _protected(case)
    _out_guard(lambda: check_out(out, protect))  # before the long work
    if solver_log is not None:
        solver_log = _out_guard(lambda: check_log_file(solver_log, protect))
        begin_log_file(solver_log)
    if hours is not None:
        loaded = _guard(lambda: loaded.first_hours(hours), case)
    c = _aggregated(loaded, periods, period_hours, linked, case, cluster_method, segments,
                    quiet)
    given = {"time_limit": time_limit, "mip_rel_gap": mip_gap, "threads": threads,
             "relax_integrality": relax or None}
    options = {key: value for key, value in given.items() if value is not None}
    if c.config.get("pathway"):
        if rolling is not None:
            err.print("[red]--rolling solves one year in windows[/red]; a pathway (case.yaml "
                      "'pathway') is solved as one model of all its years")
            raise typer.Exit(1)
        _run_pathway(c, case, out, protect, backend.value, solver_log, options, report, quiet)
        return
    if rolling is not None:
        _run_rolling(c, case, rolling, out, protect, backend.value, options, report, quiet)
        return
    with progress_line(err, _safe(f"solving {c.name} ({c.n_snapshots} snapshots, "
                                  f"{backend.value})"), quiet):
        results = _interruptible(lambda: _guard(
            lambda: solve(c, backend=backend.value, solver_log=solver_log, **options), case))
    if not results.ok and results.objective is None:
        _explain(c, results, quiet)
        raise typer.Exit(2)
    path = _out_guard(lambda: write_results(results, out, protect=protect))
    if not quiet:
        _print_summary(results)
    console.print(f"results written to [bold]{_safe(str(path))}[/bold]")
    if report:
        _write_report(path)
    if not results.ok:  # stopped at a limit with a solution: written, flagged, exit 2
        gap = results.solution.mip.gap if results.solution.mip is not None else None
        within = "" if gap is None else f" (MIP gap {gap:.2%} to the bound)"
        err.print(f"[red]the solve stopped at its {_safe(results.status)}[/red]: the results "
                  f"are the best solution found{within}, not an optimum (summary.json "
                  "'status'); no prices, since the duals of an unfinished solve mean nothing")
        raise typer.Exit(2)
    if results.solution.mip is not None and results.solution.row_dual is None:
        # a MIP whose LP with integers fixed did not solve
        err.print("[yellow]no prices[/yellow]: the LP with integers fixed ended "
                  f"'{_safe(results.solution.mip.fixed_lp_status)}'")


def _write_report(folder: Path) -> None:
    """Write ``report.html`` of a written result folder (``run --report``)."""
    from gridopt.results.report import write_report

    page = _out_guard(lambda: write_report(folder))
    console.print(f"report written to [bold]{_safe(str(page))}[/bold]")


def _run_pathway(c: Case, case: Path | None, out: Path, protect: list[Path], backend: str,
                 solver_log: Path | None, options: dict, report: bool = False,
                 quiet: bool = False) -> None:
    """``gridopt run`` of a pathway: solve every year as one model, write the tables with a
    year level, print the capacity path and each year's target verdicts."""
    from gridopt.pathway import solve_pathway, write_pathway

    years = c.config["pathway"]["years"]
    with progress_line(err, _safe(f"solving {c.name} for {', '.join(map(str, years))} "
                                  f"({backend})"), quiet):
        results = _interruptible(lambda: _guard(lambda: solve_pathway(
            c, backend=backend, solver_log=solver_log, **options), case))
    if results.solution.x is None:
        err.print(f"[red]{_safe(c.name)}: the solve ended '{results.status}'[/red] "
                  f"({_safe(results.solution.message)}); nothing was written. Run "
                  "[bold]gridopt diagnose[/bold] on the case to find why (rows are named "
                  "y<year>_<family>).")
        raise typer.Exit(2)
    path = _out_guard(lambda: write_pathway(results, out, protect=protect))
    if not quiet:
        _print_pathway(results)
    console.print(f"results written to [bold]{_safe(str(path))}[/bold]")
    if report:
        _write_report(path)
    if not results.ok:
        err.print(f"[red]the solve stopped at its {_safe(results.status)}[/red]: the results "
                  "are the best solution found, not an optimum; no prices")
        raise typer.Exit(2)


def _print_pathway(results) -> None:
    """The discounted objective, each year's annual cost, the capacity path and the target
    verdicts of each year."""
    s, p = results.summary(), results.pathway
    head = Table(title=_safe(f"{s['case']}: {s['status']}"), show_header=False)
    head.add_row("objective", _safe(f"{s['objective']:,.0f} {s['currency']} "
                                    f"({s['objective_basis']})"))
    head.add_row("build / solve", f"{s['build_seconds']:.1f} s / {s['solve_seconds']:.1f} s")
    head.add_row("variables / constraints", f"{s['n_variables']:,} / {s['n_constraints']:,}")
    console.print(head)
    years = Table(title="years")
    for col in ("year", "stands for", "weight", "annual cost", "CO2 Mt", "shed MWh"):
        years.add_column(col, justify="right")
    for (year, y), span, w in zip(s["years"].items(), p.spans, p.weights, strict=True):
        cost = y.get("annual_cost")
        years.add_row(year, f"{span} yr", f"{w:.4f}",
                      "–" if cost is None else _safe(f"{cost:,.0f}"),
                      f"{y.get('co2_t', float('nan')) / 1e6:,.3f}",
                      f"{y.get('load_shed_mwh', float('nan')):,.0f}")
    console.print(years)
    path = results.capacity_path()
    table = Table(title="capacity path, MW")
    table.add_column("carrier")
    for year in path.columns:
        table.add_column(str(year), justify="right")
    for carrier, row in path.iterrows():
        table.add_row(_safe(str(carrier)), *(f"{v:,.0f}" for v in row))
    console.print(table)
    if results.has_targets:
        _print_targets(results.targets)


def _run_rolling(c: Case, case: Path | None, text: str, out: Path, protect: list[Path],
                 backend: str, options: dict, report: bool = False,
                 quiet: bool = False) -> None:
    """``gridopt run --rolling W:H``: solve the windows, write the stitched tables."""
    from gridopt.rolling import parse_rolling, solve_rolling, write_rolling

    window, step = _guard(lambda: parse_rolling(text), case)
    with progress_line(err, _safe(f"solving {c.name} in windows of {window:g} h every "
                                  f"{step:g} h"), quiet):
        rolled = _interruptible(lambda: _guard(
            lambda: solve_rolling(c, window, step, backend=backend, **options), case))
    if not rolled.complete:
        last = rolled.windows[-1]
        err.print(f"[red]window {last.index} (from {last.results.case.snapshots[0]}) ended "
                  f"'{_safe(last.results.status)}'[/red]; nothing was written.")
        raise typer.Exit(2)
    path = _out_guard(lambda: write_rolling(rolled, out, protect=protect))
    if report:
        _write_report(path)
    s = rolled.summary()
    console.print(_safe(f"{c.name}: {s['status']}, {len(rolled.windows)} windows of {window:g} h "
                        f"every {step:g} h, objective {s['objective']:,.0f} {s['currency']}"
                        + ("/yr" if c.annualise else f" for {c.n_snapshots * c.step_h:g} h")
                        + (f", largest MIP gap {s['max_mip_gap']:.2e}" if "max_mip_gap" in s
                           else "")))
    console.print(f"results written to [bold]{_safe(str(path))}[/bold]")
    broken = {k: n for k, n in s.get("min_time_violations", {}).items() if n}
    if broken:
        err.print("[yellow]minimum up/down times broken[/yellow] (windows solved again "
                  "without the carried hold, models/rolling.md): " + _safe(", ".join(
                      f"{k} in {n} snapshots" for k, n in broken.items())))
    if not rolled.ok:
        err.print(f"[red]a window ended '{_safe(rolled.status)}'[/red]: its best solution was "
                  "kept (summary.json 'windows')")
        raise typer.Exit(2)


def _interruptible(work: Callable[[], T]) -> T:
    """Run ``work``; Ctrl-C (HiGHS stopped by then) ends with a message and exit 130."""
    try:
        return work()
    except KeyboardInterrupt:
        err.print("[red]interrupted[/red]: the solve was stopped; nothing was written.")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)  # not a normal exit: HiGHS's C++ teardown after an interrupt can abort


#: Above this many rows ``gridopt run`` does not search an infeasible subset itself (HiGHS's
#: IIS on a year of hours can take longer than the solve); ``gridopt diagnose`` always does.
SHORT_DIAGNOSIS_ROWS = 50_000


def _explain(c: Case, results, quiet: bool = False) -> None:
    """Why a solve ended without a solution: the short diagnosis (a solve stopped at a limit
    with a solution is written instead, see ``run``)."""
    from gridopt.diagnose import diagnose

    err.print(f"[red]{_safe(c.name)}: the solve ended '{results.status}'[/red] "
              f"({_safe(results.solution.message)}); nothing was written.")
    if results.model.n_rows > SHORT_DIAGNOSIS_ROWS:
        err.print(f"the model has {results.model.n_rows:,} rows: an infeasible subset of it "
                  "may take long to find, so it is not searched here")
    elif results.status in ("infeasible", "unbounded", "infeasible_or_unbounded"):
        with progress_line(err, _safe(f"diagnosing {c.name}"), quiet):
            report = _interruptible(lambda: diagnose(c, elastic=False))
        if report.iis or report.unbounded:
            err.print(_safe(report.short()))
        err.print("run [bold]gridopt diagnose[/bold] on the case for the full report")


def _print_summary(results) -> None:
    s = results.summary()
    head = Table(title=_safe(f"{s['case']}: {s['status']}"), show_header=False)
    c = results.case
    per = "/yr" if c.annualise else f" for {c.n_snapshots * c.step_h:g} h (not annualised)"
    head.add_row("objective", _safe(f"{s['objective']:,.0f} {s['currency']}{per}"))
    head.add_row("build / solve", f"{s['build_seconds']:.1f} s / {s['solve_seconds']:.1f} s")
    head.add_row("variables / constraints", f"{s['n_variables']:,} / {s['n_constraints']:,}")
    if "periods" in s:
        p = s["periods"]
        segs = f", {p['segments']} segments each" if p.get("segments") else ""
        head.add_row("representative periods", f"{p['k']} x {p['hours']:g} h of {p['n_original']}"
                     f"{segs} ({'linked' if p['linked'] else 'cyclic'} storage)")
    head.add_row("demand / shed",
                 f"{s['demand_mwh'] / 1e6:,.3f} TWh / {s['load_shed_mwh']:,.0f} MWh")
    head.add_row("CO2", f"{s['co2_t'] / 1e6:,.3f} Mt")
    if "integer_columns" in s:
        _add_mip_rows(head, s)
    if "mean_price_per_mwh" in s:
        head.add_row("mean nodal price",
                     _safe(f"{s['mean_price_per_mwh']:,.1f} {s['currency']}/MWh"))
    console.print(head)
    by_carrier = _by_carrier(results)
    table = Table(title="capacity and energy by carrier")
    for col in ("carrier", "existing MW", "new MW", "energy TWh", "CO2 Mt"):
        table.add_column(col, justify="right" if col != "carrier" else "left")
    for carrier, row in by_carrier.iterrows():
        table.add_row(_safe(carrier), f"{row.existing_mw:,.0f}", f"{row.new_mw:,.0f}",
                      f"{row.energy_mwh / 1e6:,.3f}", f"{row.co2_t / 1e6:,.3f}")
    console.print(table)
    if results.has_targets:
        _print_targets(results.targets)


def _add_mip_rows(head: Table, s: dict) -> None:
    """A model with integer variables: relaxed, or the MIP's bound, gap, nodes and the LP with
    integers fixed that gave the prices (README, "Mixed-integer problems")."""
    if s["relax_integrality"]:
        head.add_row("integer variables", f"{s['integer_columns']:,}, relaxed (LP relaxation)")
        return
    head.add_row("integer variables", f"{s['integer_columns']:,}")
    bound, gap = s.get("mip_dual_bound"), s.get("mip_gap")
    head.add_row("MIP bound / gap", ("–" if bound is None else _safe(f"{bound:,.0f}")) + " / " +
                 ("–" if gap is None else f"{gap:.4%}"))
    if s.get("mip_node_count") is not None:
        head.add_row("MIP nodes", f"{s['mip_node_count']:,}")
    if s.get("fixed_lp_objective") is not None:
        head.add_row("prices from", _safe(f"LP with integers fixed, objective "
                                          f"{s['fixed_lp_objective']:,.0f}"))


def _print_targets(verdicts: pd.DataFrame) -> None:
    """The plan's targets: required, achieved (in the target's unit, then in the model's),
    verdict (PASS, FAIL, NOT EVALUATED with the reason, not modelled), price; blank where there
    is no number. A warning names each enforced target that binds while load is shed."""
    table = Table(title="targets")
    wide = console.width >= 120  # else the model's units are in targets.csv only
    for col in ("target", "year", "required", "achieved", "unit", "in model units", "verdict",
                "margin", "shadow price"):
        if col != "in model units" or wide:
            table.add_column(col, justify="left" if col in ("target", "unit", "verdict")
                             else "right")
    for name, v in verdicts.iterrows():
        label = f"{name} {v['name_zh'] or v['name_en']}".strip()
        price = "" if v["shadow_price"] != v["shadow_price"] else (
            f"{v['shadow_price']:,.2f} {v['shadow_price_unit']}")
        model = "" if v["required_model"] != v["required_model"] else (
            f"{_number(v['required_model'])} / {_number(v['achieved_model']) or '–'} "
            f"{v['model_unit']}")
        cells = [_safe(label), str(v["year"]), _number(v["required"]), _number(v["achieved"]),
                 _safe(str(v["unit"])), _safe(model), _safe(str(v["verdict"])),
                 _number(v["margin"]), _safe(price)]
        table.add_row(*(cells if wide else cells[:5] + cells[6:]))
    console.print(table)
    for name, v in verdicts[verdicts["met_by_shedding"] == True].iterrows():  # noqa: E712
        err.print(_safe(f"warning: target {name} {v['note']} (set load_shedding: false, or "
                        "run gridopt diagnose, to see whether the plan can meet it without)"))
    for name, v in verdicts[verdicts["kind"] == "peak_response"].iterrows():
        if v["note"]:
            console.print(_safe(f"{name}: {v['note']}"))


def _number(x: float) -> str:
    return "" if x != x else f"{x:,.4g}"


def _by_carrier(results) -> pd.DataFrame:
    if results.case.table("generators").empty:
        return pd.DataFrame(columns=["existing_mw", "new_mw", "energy_mwh", "co2_t"])
    caps = results.capacities.loc["generators"]
    energy = results.energy
    frame = caps[["existing_mw", "new_mw"]].join(energy[["carrier", "energy_mwh", "co2_t"]])
    return frame.groupby("carrier").sum()


def _shares(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(f"--shares takes numbers like 0,0.02,0.05, not {text!r}") from None


@app.command("peak-response")
def peak_response(
    case: CaseArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path(
        "out-peak-response"),
    shares: Annotated[str, typer.Option(help="Required shares for the cost curve.")] =
        "0,0.02,0.04,0.05,0.06,0.08,0.10",
    curve: Annotated[bool, typer.Option("--curve/--no-curve", help="Also cost the target.")] =
        True,
    periods: PeriodsOpt = None, period_hours: PeriodHoursOpt = 24.0, linked: LinkedOpt = True,
    cluster_method: MethodOpt = "hierarchical", segments: SegmentsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Verify the peak-load response target (PASS/FAIL), cost it, write CSV and a plot."""
    from gridopt.peak import cost_curve, verify
    from gridopt.results.plots import plot_cost_curve
    from gridopt.results.write import check_out, write_folder

    loaded, protect = _load(case), _protected(case)
    if loaded.config.get("pathway"):
        err.print("[red]peak-response measures one year[/red]: this case models several "
                  "(case.yaml 'pathway'); `gridopt run` reports T1 for each of them")
        raise typer.Exit(1)
    _out_guard(lambda: check_out(out, protect))  # before the long work
    c = _aggregated(loaded, periods, period_hours, linked, case, cluster_method, segments,
                    quiet)
    with progress_line(err, _safe(f"measuring the peak response of {c.name}"), quiet):
        report = _interruptible(lambda: _guard(lambda: verify(c), case))
    _print_peak(report, c.currency)
    tables = {"peak_response": report.table(), "peak_response_by_element": report.by_element}
    if not report.gap_closure.empty:
        tables["gap_closure"] = report.gap_closure
    if curve:
        with progress_line(err, _safe(f"costing the target at {shares}"), quiet):
            frame = _interruptible(lambda: _guard(lambda: cost_curve(c, _shares(shares)),
                                                  case))
        tables["cost_curve"] = frame
        console.print(frame)
    writers = {}
    if curve:
        writers["cost_curve.png"] = lambda p: plot_cost_curve(
            tables["cost_curve"], c.currency, p,
            title=f"{c.name}: cost of the peak-load response target")
    path = _out_guard(lambda: write_folder(out, tables, {}, writers, protect=protect))
    console.print(f"written to [bold]{_safe(str(path))}[/bold]")


def _print_peak(report, currency: str) -> None:
    verdict = "[green]PASS[/green]" if report.passed else "[red]FAIL[/red]"
    table = Table(title=f"peak-load response: {verdict}", show_header=False)
    table.add_row("peak load", f"{report.peak_mw:,.1f} MW")
    table.add_row("target", f"{report.share:.1%} = {report.target_mw:,.1f} MW")
    table.add_row("capability R", f"{report.capability_mw:,.1f} MW "
                  f"({report.capability_mw / report.peak_mw:.2%} of peak)")
    table.add_row("R computed as", _safe(report.method))
    for family, mw in report.by_family.items():
        table.add_row(_safe(f"  from {family}"), f"{mw:,.1f} MW")
    for vpp, mw in report.by_vpp.items():
        table.add_row(_safe(f"  via VPP {vpp}"), f"{mw:,.1f} MW")
    if not report.passed:
        table.add_row("missing", f"{report.missing_mw:,.1f} MW")
    console.print(table)
    if report.explanation:
        console.print(_safe(report.explanation))
    if not report.gap_closure.empty:
        closure = Table(title="cheapest new enrolment that closes the gap")
        for col in ("family", "name", "new MW", f"{currency}/MW-yr", f"{currency}/yr"):
            closure.add_column(col, justify="left" if col in ("family", "name") else "right")
        for row in report.gap_closure.itertuples(index=False):
            closure.add_row(_safe(row.family), _safe(row.name), f"{row.new_enrolment_mw:,.1f}",
                            f"{row.cost_per_mw_yr:,.0f}", f"{row.annual_cost:,.0f}")
        console.print(closure)


@app.command("report")
def report_cmd(
        folder: Annotated[Path, typer.Argument(
            help="A result folder written by gridopt run (CSV tables and summary.json).",
            exists=True, file_okay=False, dir_okay=True)],
        output: Annotated[Path | None, typer.Option(
            "--output", "-o", show_default=False,
            help="Write the page here instead of FOLDER/report.html.")] = None) -> None:
    """Write one self-contained HTML page (figures embedded, no network, no JavaScript) of a
    result folder: summary, capacity mix, dispatch of the peak and a typical week, storage,
    price duration curves, curtailment, the peak-response chart, target verdicts and costs."""
    from gridopt.results.report import write_report

    try:
        page = write_report(folder, output)
    except (OSError, ValueError) as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}")
        raise typer.Exit(1) from None
    console.print(f"report written to [bold]{_safe(str(page))}[/bold]")


@app.command()
def export(case: CaseArg = None,
           pypsa_case: Annotated[Path | None, typer.Argument(
               help="After the word pypsa: the case to write as a PyPSA network.",
               show_default=False, callback=resolve_case)] = None,
           fmt: Annotated[ModelFormat, typer.Option("--format", "-f")] = ModelFormat.mps,
           out: Annotated[Path | None, typer.Option(
               "--out", "-o", help="File to write (pypsa: a .nc file or a CSV folder).")] = None
           ) -> None:
    """Write the case's model as MPS or LP for other solvers; `gridopt export pypsa CASE
    --out network.nc` writes the case as a PyPSA network instead (netCDF, or a CSV folder;
    docs/pypsa.md)."""
    if case is not None and case.name == "pypsa" and len(case.parts) == 1 and (
            pypsa_case is not None or not case.exists()):
        if pypsa_case is None:
            err.print("[red]error:[/red] give the case: gridopt export pypsa CASE --out FILE")
            raise typer.Exit(1)
        _export_pypsa(pypsa_case, out)
        return
    if pypsa_case is not None:
        err.print(f"[red]error:[/red] unexpected argument {_safe(str(pypsa_case))} (a second "
                  "argument follows only the word pypsa)")
        raise typer.Exit(1)
    from gridopt.pathway import export_pathway
    from gridopt.solve import export as export_model

    c = _load(case)
    target = out or Path(f"{c.name}.{fmt.value}")
    write = export_pathway if c.config.get("pathway") else export_model
    _guard(lambda: write(c, target), case)
    console.print(f"model written to [bold]{_safe(str(target))}[/bold]")


@app.command("diagnose")
def diagnose_case(case: CaseArg = None, elastic: Annotated[bool, typer.Option(
        "--elastic/--no-elastic", help="Also relax the model and report what cannot be met "
                                       "and by how much.")] = True,
                  quiet: QuietOpt = False) -> None:
    """Solve a case and explain an infeasible or unbounded model (exit 2 then): the rows and
    bounds that cannot hold together, in the case's terms, and by how much they fail."""
    from gridopt.diagnose import diagnose
    from gridopt.pathway import pathway_model

    c = _load(case)
    model = _guard(lambda: pathway_model(c), case) if c.config.get("pathway") else None
    with progress_line(err, _safe(f"diagnosing {c.name}"), quiet):
        report = _interruptible(lambda: _guard(
            lambda: diagnose(c, elastic=elastic, model=model), case))
    for line in report.lines():
        console.print(_safe(line))
    if not report.ok:
        raise typer.Exit(2)


@app.command()
def sweep(spec: Annotated[Path, typer.Argument(help="The sweep's SPEC.yaml.",
                                               show_default=False)],
          out: Annotated[Path, typer.Option("--out", "-o", help="Sweep folder.")] = Path(
              "out-sweep"),
          workers: Annotated[int, typer.Option(
              "--workers", min=1, help="Worker processes of the local Dask cluster.")] = 2,
          scheduler: Annotated[str | None, typer.Option(
              "--scheduler", show_default=False,
              help="Address of an existing Dask scheduler (tcp://host:8786) instead of a "
                   "local cluster.")] = None,
          show_progress: Annotated[bool, typer.Option(
              "--progress/--no-progress", help="Show the progress bar.")] = True,
          dry_run: Annotated[bool, typer.Option(
              "--dry-run", help="List the scenarios and which have results; solve nothing.")]
          = False) -> None:
    """Run a scenario sweep on Dask (models/ and README, "Scenario sweeps"): every scenario
    of SPEC.yaml without a result in OUT, then the table (results.csv, results.parquet) and
    the plots. Run again to finish an interrupted sweep. Exit 2 if a scenario failed (an
    error); an infeasible scenario (e.g. a target out of reach) is an answer, not a failure."""
    from gridopt.studies.store import SweepStore
    from gridopt.studies.sweep import Study

    study = _guard(lambda: Study(spec), spec)
    scenarios = _guard(study.scenarios, spec)
    done = SweepStore(out).done()
    left = sum(s.key not in done for s in scenarios)
    console.print(_safe(f"{study.spec.name}: {len(scenarios)} scenarios of "
                        f"{study.base_path.name}, {len(scenarios) - left} with results in "
                        f"{out}, {left} to run"))
    if dry_run:
        return
    table = _out_guard(lambda: _interruptible(lambda: study.run(
        out, workers=workers, scheduler=scheduler, progress=show_progress)))
    status = table["status"] if "status" in table else pd.Series(dtype=str)
    failed = table[status == "failed"]
    console.print(f"results written to [bold]{_safe(str(Path(out).resolve()))}[/bold] "
                  "(results.csv, results.parquet, plots/)")
    others = status[~status.isin(["ok", "failed"])].value_counts()
    if len(others):
        console.print(_safe("without an optimum (see the 'error' column): " + ", ".join(
            f"{n} {what}" for what, n in others.items())))
    if len(failed):
        for index, row in failed.head(10).iterrows():
            err.print(_safe(f"scenario {index} failed: {str(row['error'])[:300]}"))
        raise typer.Exit(2)


import_app = typer.Typer(no_args_is_help=True,
                         help="Build a gridopt case folder from another dataset's files.")
app.add_typer(import_app, name="import")
app.add_typer(bench_app, name="bench-solvers")


@import_app.command("rts-gmlc")
def import_rts_gmlc(
    path: Annotated[Path, typer.Argument(
        help="The RTS_Data folder of GridMod/RTS-GMLC (SourceData/ and timeseries_data_files/)"
    )],
    out: Annotated[Path, typer.Option("--out", "-o", help="Case folder to write.")] = Path(
        "rts-gmlc"),
    lp: Annotated[bool, typer.Option(
        "--lp", help="Leave out unit commitment (no committable units, no minimum output of "
                     "thermal units): an LP dispatch.")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing: compare a fresh conversion with the files in --out "
                        "(exit 1 if any differs).")] = False,
) -> None:
    """Convert the RTS-GMLC test system (73 buses, 2020 hourly day-ahead data) into a case
    (the mapping: data/rts-gmlc/README.md and the case's sources.csv)."""
    from gridopt.importers.rts_gmlc import RtsGmlcError, convert, differences, write

    try:
        with console.status(f"converting {_safe(str(path))}"):
            files = convert(path, commitment=False if lp else None)
        if check:
            bad = differences(files, out)
            if bad:
                err.print(_safe(f"{out} differs from a fresh conversion: {', '.join(bad)}"))
                raise typer.Exit(1)
            console.print(_safe(f"{out} is up to date ({len(files)} files)"))
            return
        written = write(files, out)
    except (RtsGmlcError, OSError) as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}")
        raise typer.Exit(1) from None
    console.print(_safe(f"wrote {len(files)} files to {written}; check it with "
                        f"'gridopt validate {written}'"))



@import_app.command("pypsa")
def import_pypsa(
    path: Annotated[Path, typer.Argument(
        help="A PyPSA network: a netCDF file (.nc) or a CSV folder")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Case folder to write.")] = Path(
        "pypsa-case"),
    name: Annotated[str, typer.Option(help="The case's name (case.yaml).")] = "pypsa-import",
    currency: Annotated[str, typer.Option(
        help="The currency of the network's costs (PyPSA does not say).")] = "EUR",
) -> None:
    """Convert a PyPSA network into a case with the same optimum (the mapping and what is
    refused: docs/pypsa.md; needs the extra gridopt[pypsa])."""
    try:
        from gridopt.importers.pypsa import PypsaError, convert, write
    except ImportError as exc:  # pragma: no cover - pypsa missing
        err.print(f"[red]error:[/red] {_safe(str(exc))}: pip install 'gridopt[pypsa]'")
        raise typer.Exit(1) from None
    try:
        with console.status(f"converting {_safe(str(path))}"):
            conv = convert(path, name=name, currency=currency)
        written = write(conv.files, out)
    except ImportError as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}: pip install 'gridopt[pypsa]'")
        raise typer.Exit(1) from None
    except (PypsaError, OSError) as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}")
        raise typer.Exit(1) from None
    for warning in conv.warnings:
        err.print(f"[yellow]warning:[/yellow] {_safe(warning)}")
    console.print(_safe(f"wrote {len(conv.files)} files to {written}; check it with "
                        f"'gridopt validate {written}'"))


def _export_pypsa(case: Path, out: Path | None) -> None:
    """``gridopt export pypsa CASE``: the case as a PyPSA network with the same optimum
    (PyPSA's objective is gridopt's less the fixed O&M of existing capacity, printed)."""
    from gridopt.case.case import CaseError

    try:
        from gridopt.importers.pypsa import PypsaError
        from gridopt.importers.pypsa_export import export, write_network
        result = export(case)
        written = write_network(result.network, out or Path(f"{case.name}.nc"))
    except ImportError as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}: pip install 'gridopt[pypsa]'")
        raise typer.Exit(1) from None
    except (PypsaError, CaseError, OSError) as exc:
        err.print(f"[red]error:[/red] {_safe(str(exc))}")
        raise typer.Exit(1) from None
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/yellow] {_safe(warning)}")
    console.print(_safe(f"wrote {written}; PyPSA's objective = gridopt's - "
                        f"{result.offset:,.2f} (fixed O&M of existing capacity)"))

def main() -> None:  # pragma: no cover
    app()
