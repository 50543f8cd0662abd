"""The CLI's live progress line: :mod:`gridopt.model.progress` events drawn with rich.

While a command solves, one transient line on the terminal shows a spinner and what the
command does; after ``delay`` seconds (2) it shows first the elapsed time, the phase
(building, presolve, simplex, IPM, crossover, MIP branch-and-bound), HiGHS's iteration count,
the objective and, for a MIP, the gap and nodes. HiGHS's thread only stores the latest event
(throttled at the source); rich redraws the line ``refresh`` times a second from its own
thread. On a console that is not a terminal nothing is drawn (rich's Live), and ``--quiet``
draws nothing at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from gridopt.model import progress
from gridopt.model.progress import Progress, reporting

#: Seconds before the progress fields appear on the line (short solves show only the label).
DELAY = 2.0

#: How a phase is named on the line.
PHASE_NAMES = {"building": "building", "presolve": "presolve", "solving": "solving",
               "simplex": "simplex", "ipm": "IPM", "crossover": "crossover",
               "mip": "MIP branch-and-bound"}


def describe(event: Progress | None, elapsed: float) -> str:
    """The progress part of the line, e.g. ``12.3 s · simplex · iteration 12,345 · objective
    40,175,113`` (``· gap 1.20% · 310 nodes`` for a MIP)."""
    parts = [f"{elapsed:.1f} s"]
    if event is None:  # no solve has reported yet (e.g. aggregating)
        return parts[0]
    parts.append(PHASE_NAMES.get(event.phase, event.phase))
    if event.iterations is not None:
        parts.append(f"iteration {event.iterations:,}")
    if event.objective is not None:
        parts.append(f"objective {_number(event.objective)}")
    if event.gap is not None:
        parts.append(f"gap {event.gap:.2%}")
    if event.nodes is not None:
        parts.append(f"{event.nodes:,} nodes")
    return " · ".join(parts)


def _number(x: float) -> str:
    """An objective as a planner reads it: 40,175,113 (or 4 significant digits below 1000)."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


class ProgressLine:
    """The renderable of the line: spinner, label, and from ``delay`` on the progress."""

    def __init__(self, label: str, delay: float, clock=time.monotonic) -> None:
        self.label, self.delay, self.clock = label, delay, clock
        self.start = clock()
        self.latest: Progress | None = None
        self.spinner = Spinner("dots")

    def update(self, event: Progress) -> None:
        """The sink: keep the latest event (called from HiGHS's thread; no drawing here)."""
        self.latest = event

    def text(self) -> str:
        """The progress part of the line ("" before ``delay``)."""
        elapsed = self.clock() - self.start
        return "" if elapsed < self.delay else describe(self.latest, elapsed)

    def __rich__(self) -> RenderableType:
        """Progress first (a narrow terminal cuts the end of the line, the label), then the
        label."""
        words = Text(overflow="ellipsis", no_wrap=True)
        progress_text = self.text()
        if progress_text:
            words.append(f"{progress_text} · ")
        words.append_text(Text.from_markup(self.label))
        grid = Table.grid(padding=(0, 1))
        grid.add_row(self.spinner, words)
        return Group(grid)


@contextmanager
def progress_line(console: Console, label: str, quiet: bool = False,
                  delay: float | None = None, refresh: float = 4.0,
                  interval: float | None = None) -> Iterator[ProgressLine | None]:
    """Show the live line on ``console`` while the block runs (nothing when ``quiet``).

    ``label`` is text for rich (markup allowed; escape case-derived parts); ``delay``: seconds
    before the progress fields appear (:data:`DELAY`); ``refresh``: redraws a second;
    ``interval``: least seconds between two events of a solve (:data:`progress.INTERVAL`).
    A console that is not a terminal draws nothing, so the solve's callbacks report nothing
    there either.
    """
    if quiet:
        yield None
        return
    line = ProgressLine(label, DELAY if delay is None else delay)
    sink = line.update if console.is_terminal else None
    with Live(line, console=console, transient=True, refresh_per_second=refresh), \
            reporting(sink, progress.INTERVAL if interval is None else interval):
        yield line
