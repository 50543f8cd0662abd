"""What a sweep shows: a live progress bar, and at the end its table and plots.

The table (``results.csv``, ``results.parquet``) has one row per scenario: the parameters, the
status, the key figures (:mod:`gridopt.studies.kpis`), the error of a failed scenario, its key
(content hash) and seconds. Each plot of the spec draws ``y`` against ``x`` with one line per
value of ``hue`` (the other parameters at every value: each line is the mean over them when
several scenarios share an ``x`` and ``hue``; the title says so); a ``y`` ending in ``*``
stacks every matching column (e.g. ``capacity_mw:*``, the capacity mix). Without plots in the
spec: ``objective`` against the first parameter, one line per value of the second.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from gridopt.studies.spec import Plot, Spec
from gridopt.studies.store import SweepStore, write_atomic


class _Bar:
    """Counts for the progress bar: done, failed; ``advance`` after each result."""

    def __init__(self, progress: Any, task: Any) -> None:
        self.progress, self.task, self.failed = progress, task, 0

    def advance(self, failed: bool = False) -> None:
        self.failed += int(failed)
        if self.progress is not None:
            self.progress.update(self.task, advance=1, failed=self.failed)


@contextmanager
def progress_bar(total: int, done: int, show: bool = True) -> Iterator[_Bar]:
    """A rich progress bar of ``total`` scenarios, ``done`` of them already in the folder:
    count, failures, elapsed and remaining time. Nothing is shown with ``show=False``."""
    if not show:
        yield _Bar(None, None)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("[bold]sweep[/bold]"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(),
               TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task("sweep", total=total, completed=done, failed=0)
        yield _Bar(progress, task)


def write_report(spec: Spec, store: SweepStore, table: pd.DataFrame) -> None:
    """``results.csv``, ``results.parquet``, ``plots/*.png`` and ``spec.yaml`` in the sweep
    folder, each written atomically."""
    out = store.out
    write_atomic(out / "results.csv", table.to_csv().encode())
    buffer = io.BytesIO()
    _parquet_safe(table).to_parquet(buffer)
    write_atomic(out / "results.parquet", buffer.getvalue())
    write_atomic(out / "spec.yaml", json.dumps(spec.model_dump(), indent=1))
    plots = spec.plots or default_plots(spec)
    (out / "plots").mkdir(exist_ok=True)
    ok = table[table["status"] == "ok"] if "status" in table else table
    for i, plot in enumerate(plots):
        name = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{i + 1}_{plot.y}_vs_{plot.x}").strip("_")
        write_atomic(out / "plots" / f"{name}.png", draw(ok, plot))


def _parquet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Object columns as text (Parquet needs one type per column)."""
    out = table.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype(str)
    return out


def default_plots(spec: Spec) -> list[Plot]:
    names = list(spec.parameters)
    return [Plot(x=names[0], y="objective", hue=names[1] if len(names) > 1 else None)]


def draw(table: pd.DataFrame, plot: Plot) -> bytes:
    """The PNG of one plot of the table."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    try:
        if table.empty or plot.x not in table:
            ax.text(0.5, 0.5, "no finished scenario", ha="center", transform=ax.transAxes)
        elif plot.y.endswith("*"):
            _stacked(ax, table, plot)
        else:
            _lines(ax, table, plot)
        ax.set_xlabel(plot.x)
        ax.set_title(textwrap.fill(plot.title or f"{plot.y} against {plot.x}", 70),
                     fontsize=10)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(fig)


def _lines(ax: Any, table: pd.DataFrame, plot: Plot) -> None:
    groups = [(None, table)] if plot.hue is None else table.groupby(plot.hue, sort=True)
    for label, part in groups:
        mean = part.groupby(plot.x, sort=True)[plot.y].mean()
        ax.plot(mean.index, mean.to_numpy(), marker="o",
                label=None if plot.hue is None else f"{plot.hue} = {label}")
    ax.set_ylabel(plot.y)
    if plot.hue is not None:
        ax.legend(fontsize=8)


def _stacked(ax: Any, table: pd.DataFrame, plot: Plot) -> None:
    prefix = plot.y[:-1]
    columns = [c for c in table.columns if str(c).startswith(prefix)]
    mean = table.groupby(plot.x, sort=True)[columns].mean()
    mean = mean.loc[:, (mean.abs() > 1e-9).any()]
    ax.stackplot(mean.index, mean.to_numpy().T,
                 labels=[str(c)[len(prefix):] for c in mean.columns])
    ax.set_ylabel(prefix.rstrip(":"))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
