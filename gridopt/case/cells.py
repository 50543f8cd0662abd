"""Cells of case tables and series as the validator reads them: parsing, blanks, messages.

Shared by :mod:`gridopt.case.validate` (tables) and :mod:`gridopt.case.validate_series`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from gridopt.case.case import Problem
from gridopt.case.schema import MAX_MAGNITUDE

#: What one element of a table is called in messages (else its name, singular).
NOUNS = {"buses": "bus", "lines": "line", "fuels": "fuel", "generators": "generator",
         "storage": "storage unit", "loads": "load"}


def closest(word: object, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice closest to ``word`` (for "did you mean"), or None when none is close."""
    found = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None


def noun_of(kind: str) -> str:
    """What one element of a table is called in messages: ``"generator"``, ``"ev fleet"``."""
    return NOUNS.get(kind) or kind.replace("_", " ").removesuffix("s")


def as_frame(frame: object) -> pd.DataFrame:
    """A frame as given, or one made from records or columns."""
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)


def normalise_columns(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Column names as stripped strings; a repeated column is reported and its copies dropped.

    The validator only reads the frame: when the names are stripped strings already and none
    repeats (the usual case), the frame itself is returned, with no copy and no index scan.
    """
    names = [str(c).strip() for c in frame.columns]
    if len(set(names)) == len(names) and names == list(frame.columns):
        return frame, []
    frame = frame.copy(deep=False)  # a new frame on the same data (copy-on-write)
    frame.columns = names
    dup = frame.columns.duplicated()
    problems = [Problem(file, None, name, "duplicate-column",
                        f"{file} has more than one column '{name}'; only the first is used")
                for name in dict.fromkeys(frame.columns[dup])]
    return frame.loc[:, ~dup], problems


def parse_numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values (NaN where blank or bad), blank mask and not-a-number mask of a column."""
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        return values, np.isnan(values), np.zeros(len(series), bool)
    numbers = pd.to_numeric(series.astype(object), errors="coerce")
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    missing = np.flatnonzero(np.isnan(values))  # only these can be blank: scan just them
    blank = np.zeros(len(values), bool)
    blank[missing] = blank_mask(series.iloc[missing])
    _overflowing(series, values, missing[~blank[missing]])
    return values, blank, np.isnan(values) & ~blank


def _overflowing(series: pd.Series, values: np.ndarray, bad: np.ndarray) -> None:
    """Put ±inf into ``values`` where a cell that pandas could not read is a number too large
    for a float (``1e309``; older pandas gives NaN there, newer inf), so that it is found as
    ``magnitude`` (:func:`huge`), not as ``not-a-number``, whatever the pandas version."""
    for i in bad:
        try:
            number = float(str(series.iloc[i]).strip())
        except ValueError:
            continue
        if np.isinf(number):
            values[i] = number


def blank_mask(series: pd.Series) -> np.ndarray:
    """True where a cell is missing or only whitespace."""
    blank = series.isna().to_numpy(dtype=bool, copy=True)
    if not pd.api.types.is_numeric_dtype(series.dtype):
        blank |= np.array([s == "" for s in _stripped(series)], dtype=bool)
    return blank


def strings(series: pd.Series) -> np.ndarray:
    """Cells as stripped strings (``""`` where blank)."""
    text = _stripped(series)
    blank = series.isna().to_numpy(dtype=bool, copy=True)
    if not pd.api.types.is_numeric_dtype(series.dtype):
        blank |= np.array([s == "" for s in text], dtype=bool)
    out = np.empty(len(text), dtype=object)  # not np.array(text): that makes a "<U" array
    out[:] = text
    out[blank] = ""
    return out


def _stripped(series: pd.Series) -> list[str]:
    """``str(cell).strip()`` of every cell, in one pass of plain Python over the values
    (pandas' string methods cost a fixed ~1 ms per column, which dominates small tables)."""
    return [str(v).strip() for v in series.to_numpy(dtype=object)]


#: How an infinite value is written (lower case, sign dropped); other text that parses as
#: infinity is a finite number too large for a float (``1e309``).
INF_WORDS = ("inf", "infinity")


def huge(values: np.ndarray, cells: pd.Series | None = None) -> np.ndarray:
    """Values beyond ±:data:`~gridopt.case.schema.MAX_MAGNITUDE` (``magnitude``): finite
    ones, and infinite ones parsed from ``cells`` (text) that do not write ``inf``."""
    with np.errstate(invalid="ignore"):
        big = np.isfinite(values) & (np.abs(values) > MAX_MAGNITUDE)
    if cells is not None and not pd.api.types.is_numeric_dtype(cells.dtype):
        for i in np.flatnonzero(np.isinf(values)):
            big[i] = str(cells.iloc[i]).strip().lower().lstrip("+-") not in INF_WORDS
    return big


def too_big(value: object) -> str:
    """The message part of a ``magnitude`` problem about ``value`` (a number or its text)."""
    shown = f"{value:g}" if isinstance(value, float) else str(value).strip()
    return (f"{shown}, beyond ±{MAX_MAGNITUDE:g}, the largest magnitude gridopt accepts "
            "(check the unit)")


def flag(file: str, lines: np.ndarray, column: str, rule: str, mask: np.ndarray,
         message: Callable[[int], str], limit: int) -> list[Problem]:
    """One problem per flagged row position (the first ``limit``), then one summary."""
    positions = np.flatnonzero(mask)
    problems = [Problem(file, int(lines[i]), column, rule, message(int(i)))
                for i in positions[:limit]]
    if len(positions) > limit:
        problems.append(Problem(file, None, column, rule,
                                f"{len(positions)} cells in column '{column}' break this "
                                f"rule; the first {limit} are listed"))
    return problems
