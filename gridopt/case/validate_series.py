"""Check the time series of a case (wide or long): key column, length, elements, values.

The rules are listed in :mod:`gridopt.case.validate`; this module holds the series half of
them (``series-*``, ``timestamp`` and the value rules on series cells).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridopt.case.case import Problem, line_numbers
from gridopt.case.cells import (
    flag,
    huge,
    normalise_columns,
    noun_of,
    parse_numbers,
    strings,
    too_big,
)
from gridopt.case.schema import INF, SERIES
from gridopt.case.stamps import parse_stamps

#: At most this many problems per (series column, rule), then one summary problem.
MAX_SERIES_CELLS = 5
KEYS = ("snapshot", "hour")
#: Series that must have every element of their table (a generator may lack availability).
COMPLETE_SERIES = ("load_mw",)


@dataclass
class _Series:
    """A time series under check."""

    kind: str
    frame: pd.DataFrame
    lines: np.ndarray
    key: str | None
    snapshots: pd.DatetimeIndex | None
    names: set[str] | None

    @property
    def file(self) -> str:
        return f"{self.kind}.csv"

    @property
    def noun(self) -> str:
        return noun_of(SERIES[self.kind][0])


def check_series(kind: str, frame: pd.DataFrame, snapshots: pd.DatetimeIndex | None,
                 names: set[str] | None) -> list[Problem]:
    """Key column, length, element columns and values of one series (wide or long)."""
    file = f"{kind}.csv"
    frame, problems = normalise_columns(frame, file)
    key = next((k for k in KEYS if k in frame.columns), None)
    if key is None and not isinstance(frame.index, pd.DatetimeIndex):
        problems.append(Problem(file, None, "snapshot", "required-column",
                                f"{file} needs a first column 'snapshot' (date and time) "
                                "or 'hour' (1..T)"))
    ts = _Series(kind, frame, line_numbers(frame), key, snapshots, names)
    if {"name", "value"} <= set(frame.columns):
        return problems + _check_long(ts)
    return problems + _check_wide(ts)


def _check_wide(ts: _Series) -> list[Problem]:
    elements = [c for c in ts.frame.columns if c not in KEYS]
    dated = isinstance(ts.frame.index, pd.DatetimeIndex)
    if ts.key is None and not dated and elements and elements[0] not in (ts.names or ()):
        elements = elements[1:]  # a misnamed key column, already reported
    problems: list[Problem] = []
    n_snap = None if ts.snapshots is None else len(ts.snapshots)
    if n_snap is not None and len(ts.frame) != n_snap:
        problems.append(Problem(ts.file, None, None, "series-length",
                                f"{ts.file} has {len(ts.frame)} rows, but the case has "
                                f"{n_snap} snapshots"))
    problems += _check_wide_keys(ts, n_snap is not None and len(ts.frame) == n_snap)
    if ts.names is not None:
        problems += [Problem(ts.file, None, c, "series-unknown-element",
                             f"{ts.file} has a column '{c}', but there is no {ts.noun} '{c}'")
                     for c in elements if c not in ts.names]
        problems += _missing_elements(ts, elements, None)
        elements = [c for c in elements if c in ts.names]
    for c in _suspect_columns(ts, elements):
        problems += _check_values(ts, ts.frame[c], ts.lines, c, f"{ts.noun} '{c}'")
    return problems


def _suspect_columns(ts: _Series, elements: list[str]) -> list[str]:
    """The element columns that may hold a bad cell: all of them unless every column is
    numeric, else only those with a NaN or an out-of-range value (one 2-D scan)."""
    frame = ts.frame[elements]
    if frame.shape[1] != len(elements) or not all(
            pd.api.types.is_numeric_dtype(t) for t in frame.dtypes):
        return elements
    lo, hi = SERIES[ts.kind][1], SERIES[ts.kind][2]
    values = frame.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ok = (values >= lo) & (values <= hi) & np.isfinite(values) & ~huge(values)
    return [c for c, good in zip(elements, ok.all(axis=0), strict=True) if not good]


def _missing_elements(ts: _Series, present: Iterable[str], column: str | None) -> list[Problem]:
    """Every load needs a load series; other series may leave elements out."""
    if ts.kind not in COMPLETE_SERIES or ts.names is None:
        return []
    have = set(present)
    return [Problem(ts.file, None, column if column else name, "series-missing-element",
                    f"{ts.noun} '{name}' has no series in {ts.file}")
            for name in sorted(ts.names - have)]


def _expected_keys(ts: _Series) -> pd.Index:
    assert ts.snapshots is not None
    if ts.key == "hour":
        return pd.Index(np.arange(1, len(ts.snapshots) + 1, dtype=float))
    return ts.snapshots


def _key_values(ts: _Series) -> tuple[pd.Index | None, list[Problem]]:
    """The parsed key column (hours as floats, NaN if bad; snapshots as local timestamps,
    NaT if bad) and the ``timestamp`` problems of a snapshot column: cells that are not a
    date and time, or UTC offsets that differ between rows (then no keys)."""
    if ts.key is None:
        return (ts.frame.index if isinstance(ts.frame.index, pd.DatetimeIndex) else None), []
    raw = ts.frame[ts.key]
    if ts.key == "hour":
        return pd.Index(pd.to_numeric(raw, errors="coerce"), dtype=float), []
    stamps = parse_stamps(raw)
    if stamps.mixed_at is not None:
        i, first = stamps.mixed_at, stamps.offsets.iloc[0] or "none"
        return None, [Problem(ts.file, int(ts.lines[i]), "snapshot", "timestamp",
                              f"snapshot '{raw.iloc[i]}' has UTC offset "
                              f"{stamps.offsets.iloc[i] or 'none'}, but the first row has "
                              f"{first}: give every timestamp the same offset, or none")]
    problems = _cells(ts, "snapshot", "timestamp", stamps.bad,
                      lambda i: f"snapshot '{raw.iloc[i]}' is not a date and time "
                                "(write e.g. 2030-01-01 00:00)")
    return stamps.times, problems


def _backwards(ts: _Series, keys: pd.Index) -> list[Problem]:
    """Wide snapshots must run forward, each once: the first row that does not."""
    stamps = np.asarray(keys)
    back = np.flatnonzero(stamps[1:] <= stamps[:-1]) + 1
    if len(back) == 0:
        return []
    i, raw = int(back[0]), ts.frame["snapshot"]
    return [Problem(ts.file, int(ts.lines[i]), "snapshot", "timestamp",
                    f"snapshot '{raw.iloc[i]}' is not after the row before "
                    f"('{raw.iloc[i - 1]}'): snapshots must run forward, each once")]


def _check_wide_keys(ts: _Series, compare: bool) -> list[Problem]:
    """Snapshots that parse, in one offset, running forward; and, when ``compare``, the key
    column must run over the case's snapshots in order (the first mismatch)."""
    try:
        keys, problems = _key_values(ts)
    except (ValueError, TypeError, OverflowError):
        keys, problems = None, []
    if keys is None or problems:
        return problems
    if ts.key == "snapshot" and (problems := _backwards(ts, keys)):
        return problems
    if not compare:
        return []
    expected = _expected_keys(ts)
    wrong = np.flatnonzero(~_same(keys, expected))
    if len(wrong) == 0:
        return []
    i = int(wrong[0])
    column = ts.key or "snapshot"
    got = ts.frame[ts.key].iloc[i] if ts.key else keys[i]
    want = _key_text(expected[i])
    return [Problem(ts.file, int(ts.lines[i]), column, "series-index",
                    f"{column} on this row is '{got}', expected {want} "
                    f"({len(wrong)} rows differ from the case's snapshots)")]


def _same(keys: pd.Index, expected: pd.Index) -> np.ndarray:
    a, b = np.asarray(keys), np.asarray(expected)
    if a.dtype.kind == "M":
        return (a == b) & ~pd.isna(a)
    return a == b


def _key_text(value: Hashable) -> str:
    if isinstance(value, pd.Timestamp):
        return f"'{value:%Y-%m-%d %H:%M}'"
    return f"{float(value):g}"  # type: ignore[arg-type]


def _check_values(ts: _Series, values: pd.Series, lines: np.ndarray, column: str,
                  label: str) -> list[Problem]:
    """Blank, non-numeric and out-of-range cells of one element's series (first few each)."""
    lo, hi = SERIES[ts.kind][1], SERIES[ts.kind][2]
    numbers, blank, bad = parse_numbers(values)
    big = huge(numbers, values) & ~blank & ~bad
    with np.errstate(invalid="ignore"):
        out = ~blank & ~bad & ~big & ((numbers < lo) | (numbers > hi) | np.isinf(numbers))
    span = f"in [{lo:g}, {hi:g}]" if hi < INF and lo > -INF else (
        f">= {lo:g}" if lo > -INF else "a finite number")
    raw = values.to_numpy(dtype=object)
    checks = (("required-value", blank, lambda i: f"{label} has a blank value"),
              ("not-a-number", bad, lambda i: f"{label} has '{raw[i]}', which is not a number"),
              ("range", out, lambda i: f"{label} has {numbers[i]:g}; it must be {span}"),
              ("magnitude", big, lambda i: f"{label} has {too_big(raw[i])}"))
    return [p for rule, mask, message in checks
            for p in flag(ts.file, lines, column, rule, mask, message, MAX_SERIES_CELLS)]


def _check_long(ts: _Series) -> list[Problem]:
    """Long format: names, (key, name) pairs, rows per element and values per element."""
    names = pd.Series(strings(ts.frame["name"]))
    problems = _long_names(ts, names)
    known = names != ""
    if ts.names is not None:
        known &= names.isin(list(ts.names))
    keys, found = _key_values(ts) if ts.key is not None else (None, [])
    problems += found
    if keys is not None:
        problems += _long_keys(ts, names, keys, known.to_numpy())
    values = ts.frame["value"]
    for name, pos in names[known].groupby(names[known], sort=False).indices.items():
        pos = np.flatnonzero(known)[pos]
        if ts.snapshots is not None and len(pos) != len(ts.snapshots):
            problems.append(Problem(ts.file, None, None, "series-length",
                                    f"{ts.noun} '{name}' has {len(pos)} rows in {ts.file}, "
                                    f"but the case has {len(ts.snapshots)} snapshots"))
        problems += _check_values(ts, values.iloc[pos], ts.lines[pos], "value",
                                  f"{ts.noun} '{name}'")
    return problems


def _long_names(ts: _Series, names: pd.Series) -> list[Problem]:
    """Blank names, names of no element, and loads missing from a long series."""
    problems = _cells(ts, "name", "required-value", (names == "").to_numpy(),
                      lambda i: "the name is blank")
    if ts.names is not None:
        first = names[(names != "") & ~names.isin(list(ts.names))].drop_duplicates()
        problems += [Problem(ts.file, int(ts.lines[i]), "name", "series-unknown-element",
                             f"{ts.file} names '{n}', but there is no {ts.noun} '{n}'")
                     for i, n in first.items()]
        problems += _missing_elements(ts, names.unique(), "name")
    return problems


def _long_keys(ts: _Series, names: pd.Series, keys: pd.Index, known: np.ndarray) -> list[Problem]:
    """Unknown hours/snapshots, and (key, name) pairs given twice."""
    pairs = pd.DataFrame({"key": np.asarray(keys), "name": names.to_numpy()})
    dup = (pairs.duplicated() & known & ~pd.isna(pairs["key"])).to_numpy()
    problems = _cells(ts, ts.key or "", "series-duplicate", dup,
                      lambda i: f"{ts.noun} '{names[i]}' has a second row for "
                                f"{ts.key} '{ts.frame[ts.key].iloc[i]}'")
    if ts.snapshots is not None:
        outside = ~np.isin(np.asarray(keys), np.asarray(_expected_keys(ts))) & known
        if ts.key == "snapshot":
            outside &= ~np.asarray(pd.isna(keys))  # reported as timestamp problems
        problems += _cells(ts, ts.key or "", "series-index", outside,
                           lambda i: f"{ts.key} '{ts.frame[ts.key].iloc[i]}' is not one of "
                                     "the case's snapshots")
    return problems


def _cells(ts: _Series, column: str, rule: str, mask: np.ndarray,
           message: Callable[[int], str]) -> list[Problem]:
    return flag(ts.file, ts.lines, column, rule, mask, message, MAX_SERIES_CELLS)
