"""The validated, immutable in-memory case.

A :class:`Case` is what every component family reads. Tables are pandas DataFrames indexed
by element name with every column of :mod:`gridopt.case.schema` present and defaults filled;
time series are DataFrames indexed by snapshot timestamps with one column per element.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case: where it is and which rule it breaks."""

    file: str
    row: int | None
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message} [{self.rule}]"


class CaseError(ValueError):
    """Raised when a case has one or more problems; carries all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the case:\n{lines}")


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

    @property
    def n_snapshots(self) -> int:
        return len(self.snapshots)

    @property
    def weight(self) -> float:
        """Snapshot weight w (hours each snapshot stands for in the objective).

        w = Δt · 8760 / (T · Δt) = 8760 / T when ``annualise``; otherwise w = Δt.
        """
        if self.annualise:
            return HOURS_PER_YEAR / self.n_snapshots
        return self.step_h

    def table(self, name: str) -> pd.DataFrame:
        """A component table, or an empty frame when the case has none."""
        return self.tables.get(name, pd.DataFrame())

    def digest(self) -> str:
        """A SHA-256 hash of everything that defines the optimisation problem."""
        h = hashlib.sha256()
        head = (self.name, self.currency, self.step_h, self.voll_per_mwh, self.discount_rate,
                self.annualise, tuple(sorted(self.solver_options.items())))
        h.update(repr(head).encode())
        h.update(np.asarray(self.snapshots.asi8).tobytes())
        for key in sorted(self.tables):
            h.update(key.encode())
            h.update(self.tables[key].to_csv().encode())
        for key in sorted(self.series):
            h.update(key.encode())
            h.update(np.ascontiguousarray(self.series[key].to_numpy(float)).tobytes())
            h.update(",".join(map(str, self.series[key].columns)).encode())
        return h.hexdigest()

    def replace(self, **changes: Any) -> Case:
        """A copy with some fields changed (tables/series given as dicts are frozen)."""
        from dataclasses import replace

        for key in ("tables", "series", "solver_options", "config"):
            if key in changes and not isinstance(changes[key], MappingProxyType):
                changes[key] = MappingProxyType(dict(changes[key]))
        return replace(self, **changes)
