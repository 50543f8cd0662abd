"""Progress of a solve as plain events, for whoever shows them (the CLI's live line).

The solver layer knows nothing of terminals: :func:`reporting` installs a callable (a *sink*)
for the solves run inside it, and :func:`gridopt.model.highs_backend.run_interruptible` sends
it :class:`Progress` events from HiGHS's callbacks: the phase, HiGHS's iteration count, the
objective and, for a MIP, the relative gap. HiGHS calls its callbacks very often, so the
events are throttled at the source: at most one per ``interval`` seconds (a clock read and a
comparison per callback otherwise).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

#: Phases, in the order a solve goes through them.
PHASES = ("building", "presolve", "solving", "simplex", "ipm", "crossover", "mip")

#: Default least time between two events (seconds).
INTERVAL = 0.25


@dataclass(frozen=True)
class Progress:
    """One look at a running solve.

    ``elapsed``: seconds since :func:`reporting` began; ``phase``: one of :data:`PHASES`;
    ``iterations``: HiGHS's count for the phase (simplex or IPM iterations; a MIP's LP
    iterations), ``None`` when HiGHS gives none; ``objective``: the current objective (a
    MIP's incumbent), ``None`` if there is none yet; ``gap``: a MIP's relative gap between
    incumbent and bound; ``nodes``: a MIP's branch-and-bound nodes.
    """

    elapsed: float
    phase: str
    iterations: int | None = None
    objective: float | None = None
    gap: float | None = None
    nodes: int | None = None


Sink = Callable[[Progress], None]


@dataclass
class Reporter:
    """A sink with its clock: ``start`` of the reporting and the least ``interval``."""

    sink: Sink
    start: float
    interval: float

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def phase(self, phase: str) -> None:
        """Say that a phase begins (not throttled: phases change seldom)."""
        self.sink(Progress(self.elapsed(), phase))


_current: ContextVar[Reporter | None] = ContextVar("gridopt_progress", default=None)


@contextlib.contextmanager
def reporting(sink: Sink | None, interval: float = INTERVAL) -> Iterator[Reporter | None]:
    """Send the progress of every HiGHS solve run inside the block to ``sink`` (``None``:
    report nothing), at most one event per ``interval`` seconds while HiGHS runs."""
    if sink is None:
        yield None
        return
    reporter = Reporter(sink, time.monotonic(), interval)
    token = _current.set(reporter)
    try:
        yield reporter
    finally:
        _current.reset(token)


def current() -> Reporter | None:
    """The reporter installed by :func:`reporting` in this context, if any."""
    return _current.get()


def phase(name: str) -> None:
    """Tell the current reporter (if any) that phase ``name`` begins."""
    reporter = _current.get()
    if reporter is not None:
        reporter.phase(name)
