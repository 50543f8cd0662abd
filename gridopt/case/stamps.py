"""Parse the ``snapshot`` column of a time series: local times, one UTC offset or none.

A column that mixes offsets (``+08:00`` on some rows, ``+09:00`` or none on others) cannot be
put on one clock without guessing, so it is refused (``timestamp``); a column with one offset
throughout is read as the local times written (the offset dropped), as a column without one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A UTC offset at the end of a timestamp: ``Z``, ``+08:00``, ``-0530``.
OFFSET = r"(Z|[+-]\d{2}:?\d{2})$"


@dataclass
class Stamps:
    """A parsed column: local times (NaT where a cell is not a date and time), the mask of
    those cells, and the position of the first cell whose UTC offset differs from the first
    cell's (None when all agree; then ``times`` is empty)."""

    times: pd.DatetimeIndex
    bad: np.ndarray
    offsets: pd.Series
    mixed_at: int | None = None


def parse_stamps(raw: pd.Series) -> Stamps:
    """The timestamps of ``raw`` (text cells) as local times, see :class:`Stamps`."""
    text = raw.astype(str).str.strip()
    offsets = text.str.extract(OFFSET, expand=False).fillna("").str.replace(":", "")
    differs = np.flatnonzero((offsets != offsets.iloc[0]).to_numpy()) if len(text) else []
    if len(differs):
        empty = pd.DatetimeIndex([])
        return Stamps(empty, np.zeros(len(text), bool), offsets, int(differs[0]))
    times = pd.DatetimeIndex(pd.to_datetime(text, format="mixed", errors="coerce"))
    if times.tz is not None:
        times = times.tz_localize(None)
    return Stamps(times, np.asarray(times.isna()), offsets)
