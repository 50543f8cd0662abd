"""The validated, immutable in-memory case.

A :class:`Case` is what every component family reads. Tables are pandas DataFrames indexed
by element name with every column of :mod:`gridopt.case.schema` present and defaults filled;
time series are DataFrames indexed by snapshot timestamps with one column per element.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

HOURS_PER_YEAR = 8760.0


#: Longest run of non-blank characters a problem shows (a value is cut to this, with "…").
MAX_SHOWN_WORD = 200
#: Longest message a problem shows; file and column names are cut to MAX_SHOWN_NAME.
MAX_SHOWN_MESSAGE = 1000
MAX_SHOWN_NAME = 260
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LONG_WORD = re.compile(rf"\S{{{MAX_SHOWN_WORD + 1},}}")


def shown(text: object, limit: int = MAX_SHOWN_MESSAGE) -> str:
    """``text`` made safe to print: control characters (and bidirectional overrides)
    dropped, tabs and line breaks as spaces, each word longer than :data:`MAX_SHOWN_WORD`
    and the whole cut to ``limit`` characters with "…"."""
    clean = _CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else "", str(text))
    clean = _LONG_WORD.sub(lambda m: m.group()[: MAX_SHOWN_WORD - 1] + "…", clean)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case: where it is and which rule it breaks.

    The file, column and message are made safe to print when the problem is made
    (:func:`shown`): a bad value quoted from the case may be megabytes long or hold control
    characters (terminal escapes), and a problem shows only its beginning, cleaned.
    """

    file: str
    row: int | None
    column: str | None
    rule: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", shown(self.file, MAX_SHOWN_NAME))
        if self.column is not None:
            object.__setattr__(self, "column", shown(self.column, MAX_SHOWN_NAME))
        object.__setattr__(self, "message", shown(self.message))

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message} [{self.rule}]"


def line_numbers(frame: pd.DataFrame) -> np.ndarray:
    """CSV line of each row: the ``"line"`` index from the reader, else row position + 2."""
    if frame.index.name == "line" and pd.api.types.is_integer_dtype(frame.index.dtype):
        return frame.index.to_numpy(dtype=int)
    return np.arange(2, len(frame) + 2)


class LineNumbers(tuple):
    """The CSV line of each row of a case table, kept in ``DataFrame.attrs["lines"]``.

    pandas deep-copies ``attrs`` into every frame or column derived from a table (each
    ``table["column"]``): a list of line numbers cost O(rows) per column access. This tuple is
    immutable, so its deep copy is itself.
    """

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> LineNumbers:
        return self


def csv_line(table: pd.DataFrame, position: int) -> int:
    """The CSV line of row ``position`` of a case table (header = line 1; blank lines the
    reader skipped still count), as recorded when the case was built; position + 2 else."""
    lines = table.attrs.get("lines")
    return int(lines[position]) if lines and position < len(lines) else position + 2


class CaseError(ValueError):
    """Raised when a case has one or more problems; carries all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the case:\n{lines}")


@dataclass(frozen=True)
class Periods:
    """Representative periods of an aggregated case (made by :func:`gridopt.periods.aggregate`).

    Each original period holds L snapshots of the original horizon. The case's snapshots are K
    representative periods one after the other; without segmentation each has L snapshots,
    with segmentation (``steps``) its snapshots are segments of ``steps[t]`` consecutive
    original snapshots each (Δt_t = steps[t] · Δt). Original period d (d = 0 … N − 1,
    calendar order) is represented by period ``sequence[d]``; period k stands for ``count[k]``
    original periods. Storage with ``linked`` carries its state of charge through the original
    sequence (Kotzur et al., 2018); otherwise every store is cyclic within each period.
    """

    length: int
    count: np.ndarray
    sequence: np.ndarray
    starts: pd.DatetimeIndex
    original_snapshots: int
    linked: bool = True
    steps: np.ndarray | None = None

    @property
    def n_periods(self) -> int:
        """K, the number of representative periods."""
        return len(self.count)

    @property
    def n_original(self) -> int:
        """N, the number of original periods."""
        return len(self.sequence)

    @property
    def segmented(self) -> bool:
        """Whether some snapshot stands for more than one original snapshot."""
        return self.steps is not None and bool(np.any(np.asarray(self.steps) > 1))

    def snapshot_steps(self) -> np.ndarray:
        """Original snapshots each snapshot stands for (all 1 without segmentation)."""
        if self.steps is None:
            return np.ones(self.n_periods * self.length, np.int64)
        return np.asarray(self.steps, np.int64)

    def period_of(self) -> np.ndarray:
        """The representative period of each snapshot."""
        steps = self.snapshot_steps()
        return (np.cumsum(steps) - steps) // self.length

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(first, last) snapshot position of each representative period."""
        sizes = np.bincount(self.period_of(), minlength=self.n_periods)
        last = np.cumsum(sizes) - 1
        return last - sizes + 1, last

    def fingerprint(self) -> tuple:
        steps = () if self.steps is None else tuple(np.asarray(self.steps, int))
        return (self.length, tuple(np.asarray(self.count, float)), tuple(self.sequence),
                self.original_snapshots, self.linked, steps)


@dataclass(frozen=True)
class Case:
    """A power-system case, validated and with defaults filled.

    Attributes
    ----------
    snapshots : pd.DatetimeIndex
        The T snapshot timestamps.
    step_h : float
        Length Δt of each snapshot in hours.
    annualise : bool
        Whether operating cost is scaled to a year (see :attr:`weight`).
    tables : mapping
        ``"buses"``, ``"lines"``, ``"fuels"``, ``"generators"``, ``"storage"``, ``"loads"``
        (and tables of later families), each indexed by element name.
    series : mapping
        ``"load_mw"`` (T × loads) and ``"availability_pu"`` (T × generators, every generator
        present, filled from ``p_max_pu``).
    periods : Periods or None
        Representative periods when the case was aggregated (see :attr:`weights`).
    """

    name: str
    currency: str
    snapshots: pd.DatetimeIndex
    step_h: float
    voll_per_mwh: float
    discount_rate: float = 0.06
    annualise: bool = True
    description: str = ""
    solver_options: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    tables: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    series: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    sources: pd.DataFrame | None = None
    path: Path | None = None
    config: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    periods: Periods | None = None

    @property
    def n_snapshots(self) -> int:
        return len(self.snapshots)

    @property
    def durations(self) -> np.ndarray:
        """Δt_t, the hours each snapshot lasts: Δt, or steps_t · Δt for a segment."""
        if self.periods is None:
            return np.full(self.n_snapshots, self.step_h)
        return self.step_h * self.periods.snapshot_steps()

    @property
    def weights(self) -> np.ndarray:
        """Snapshot weights w_t (hours of operation each snapshot stands for in the objective).

        Without representative periods every snapshot has w = 8760 / T when ``annualise``
        (a horizon of T snapshots scaled to a year), otherwise w = Δt. With representative
        periods (:mod:`gridopt.periods`), w_t = n_k · m_t · w₀ for a snapshot of period k, where
        n_k is the number of original periods k stands for, m_t the number of original snapshots
        the snapshot stands for (1, or a segment's length) and w₀ the weight of one snapshot of
        the original horizon of N · L snapshots: w₀ = 8760 / (N L) when ``annualise``, else
        Δt · T₀ / (N L) with T₀ the original number of snapshots.
        """
        if self.periods is None:
            base = HOURS_PER_YEAR / self.n_snapshots if self.annualise else self.step_h
            return np.full(self.n_snapshots, base)
        p = self.periods
        slots = p.n_original * p.length
        base = (HOURS_PER_YEAR if self.annualise else self.step_h * p.original_snapshots) / slots
        return base * p.count[p.period_of()] * p.snapshot_steps()

    def table(self, name: str) -> pd.DataFrame:
        """A component table, or an empty frame when the case has none."""
        table = self.tables.get(name)  # no empty frame built when the table is there
        return pd.DataFrame() if table is None else table

    def digest(self) -> str:
        """A SHA-256 hash of everything that defines the optimisation problem: the settings,
        the whole configuration (``peak_response``, ``load_shedding``, …), snapshots, tables,
        series and representative periods. The order of the elements (rows of a table,
        columns of a series) does not count: a case with its rows reordered has the same hash."""
        h = hashlib.sha256()
        head = (self.name, self.currency, self.step_h, self.voll_per_mwh, self.discount_rate,
                self.annualise, tuple(sorted(self.solver_options.items())))
        h.update(repr(head).encode())
        h.update(json.dumps(dict(self.config), sort_keys=True, default=str).encode())
        h.update(np.asarray(self.snapshots.asi8).tobytes())
        for key in sorted(self.tables):  # elements in name order: row order means nothing
            table = self.tables[key]
            if table.index.name == "name":
                table = table.iloc[np.argsort(table.index.astype(str), kind="stable")]
            h.update(key.encode())
            h.update(table.to_csv().encode())
        if self.periods is not None:
            h.update(repr(self.periods.fingerprint()).encode())
        for key in sorted(self.series):
            frame = self.series[key]
            frame = frame.iloc[:, np.argsort(frame.columns.astype(str), kind="stable")]
            h.update(key.encode())
            h.update(np.ascontiguousarray(frame.to_numpy(float)).tobytes())
            h.update(",".join(map(str, frame.columns)).encode())
        return h.hexdigest()

    def first_hours(self, hours: float) -> Case:
        """The case on the snapshots of its first ``hours`` hours (costs annualised as the
        case says: with ``annualise`` every snapshot then weighs 8760 / T).

        Raises
        ------
        ValueError
            For a case on representative periods, or ``hours`` shorter than one snapshot.
        """
        if self.periods is not None:
            raise ValueError("first_hours: the case is on representative periods")
        n = int(np.floor(hours / self.step_h + 1e-9))
        if n < 1:
            raise ValueError(f"first_hours: {hours:g} h is shorter than one snapshot "
                             f"({self.step_h:g} h)")
        if n >= self.n_snapshots:
            return self
        return self.replace(snapshots=self.snapshots[:n],
                            series={k: v.iloc[:n] for k, v in self.series.items()})

    def replace(self, **changes: Any) -> Case:
        """A copy with some fields changed (tables/series given as dicts are frozen)."""
        from dataclasses import replace

        for key in ("tables", "series", "solver_options", "config"):
            if key in changes and not isinstance(changes[key], MappingProxyType):
                changes[key] = MappingProxyType(dict(changes[key]))
        return replace(self, **changes)
