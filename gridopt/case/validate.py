"""Check a case against the format (``docs/case-format.md``) and report every problem at once.

:func:`validate_tables` takes the configuration mapping, the tables and the time series, either
as string-typed frames read from CSV (:mod:`gridopt.case.io`) or as typed frames built in code,
and returns a list of :class:`~gridopt.case.case.Problem`. Every rule on a column comes from
:mod:`gridopt.case.schema`. Rule ids:

==========================  ===============================================================
``config-required``         a required key of ``case.yaml`` is missing
``config-type``             a key has the wrong type (e.g. ``hours: ten``)
``config-range``            a value is out of range (``hours: 0``, ``discount_rate: 1.2``)
``config-value``            a value is malformed (unparseable datetime, unordered snapshots)
``config-conflict``         ``snapshots`` gives both ``hours`` and ``list``
``required-table``          a required table or series is missing (or fuels are named
                            but there is no ``fuels.csv``)
``required-column``         a required column is missing
``duplicate-column``        a column name appears twice in one file
``unknown-column``          a column the table does not have (a typo would be ignored);
                            free-text columns (``source``, ``note``, …) are allowed
``required-value``          a required cell (or a series cell) is blank
``not-a-number``            a cell of a number column is not a number
``not-a-bool``              a cell of a true/false column is not true/false
``range``                   a number is outside the column's range (or infinite where the
                            column does not document ``inf``)
``magnitude``               a finite number beyond ±1e12 (``schema.MAX_MAGNITUDE``)
``unique``                  a name is used twice in one table
``unknown-reference``       a bus or fuel name that its table does not have
``min-le-max``              a pair of ``schema.ORDERED_PAIRS`` with lower > upper
``duration-mismatch``       storage ``e_nom_mwh`` ≠ ``p_nom_mw`` × ``duration_h``
``same-bus``                a line from a bus to itself
``series-length``           a series has not exactly T rows (per element in long format)
``series-index``            the ``hour``/``snapshot`` column does not run over the snapshots
``timestamp``               a ``snapshot`` cell that is not a date and time, UTC offsets that
                            differ between rows, or wide snapshots not running forward
``series-unknown-element``  a series column (or long ``name``) naming no element
``series-missing-element``  a load without a column in ``load_mw.csv``
``series-duplicate``        a long series repeats a (snapshot, name) pair
``unreachable-load``        a bus with load but no path over lines to any supply (generator,
                            storage or self-owned plant)
==========================  ===============================================================

Rows are CSV line numbers: the header is line 1, the first data row line 2. A frame from
:func:`gridopt.case.io.read_case` carries its line numbers as an index named ``"line"`` (so
that skipped blank lines do not shift them); other frames count rows from line 2.
A mistake is reported once: a missing file or column is not followed by checks that need it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from gridopt.case.case import Problem, line_numbers
from gridopt.case.schema import (
    FALSE_WORDS,
    INF,
    MAX_MAGNITUDE,
    ORDERED_PAIRS,
    REQUIRED_SERIES,
    REQUIRED_TABLES,
    SERIES,
    TABLES,
    TRUE_WORDS,
    Column,
)
from gridopt.case.stamps import parse_stamps
from gridopt.case.validate_config import CONFIG_FILE, check_config

#: At most this many problems per (column, rule) of a table, then one summary problem.
MAX_TABLE_ROWS = 20
#: At most this many problems per (series column, rule), then one summary problem.
MAX_SERIES_CELLS = 5
KEYS = ("snapshot", "hour")
#: Series that must have every element of their table (a generator may lack availability).
COMPLETE_SERIES = ("load_mw",)
NOUNS = {"buses": "bus", "lines": "line", "fuels": "fuel", "generators": "generator",
         "storage": "storage unit", "loads": "load"}
#: Files in the order their problems are listed.
FILE_ORDER = (CONFIG_FILE, *(f"{k}.csv" for k in TABLES), *(f"{k}.csv" for k in SERIES))


def validate_tables(config: Mapping[str, Any], tables: Mapping[str, pd.DataFrame | None],
                    series: Mapping[str, pd.DataFrame | None] | None = None) -> list[Problem]:
    """Every problem of a case, in file order; an empty list when the case is valid.

    Parameters
    ----------
    config : mapping
        The contents of ``case.yaml``.
    tables : mapping
        Table kind (``"buses"``, ``"generators"``, …) → frame, or ``None`` when absent.
        Kinds not in :data:`gridopt.case.schema.TABLES` are ignored here.
    series : mapping, optional
        Series kind (``"load_mw"``, …) → wide or long frame, or ``None`` when absent.

    Returns
    -------
    list of Problem
    """
    series = series or {}
    problems, snapshots = check_config(config)
    problems += _check_presence(tables, series)
    checked: dict[str, _Table] = {}
    for kind in TABLES:
        frame = tables.get(kind)
        if frame is not None:
            table, found = _check_table(kind, frame)
            checked[kind] = table
            problems += found
    problems += _check_references(checked)
    problems += _check_storage_duration(checked.get("storage"))
    problems += _check_line_buses(checked.get("lines"))
    for kind in SERIES:
        frame = series.get(kind)
        if frame is not None:
            owner = checked.get(SERIES[kind][0])
            problems += _check_series(kind, _as_frame(frame), snapshots, owner)
    problems += _check_network(checked, problems)
    return order_problems(problems)


def noun_of(kind: str) -> str:
    """What one element of a table is called in messages: ``"generator"``, ``"ev fleet"``."""
    return NOUNS.get(kind) or kind.replace("_", " ").removesuffix("s")


def order_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems grouped by file (``case.yaml``, tables, series, others), stable within a file."""
    rank = {name: i for i, name in enumerate(FILE_ORDER)}
    return sorted(problems, key=lambda p: rank.get(p.file, len(rank)))


# ---------------------------------------------------------------------------- tables


@dataclass
class _Table:
    """A table under check: its frame, line numbers, element labels and parsed columns."""

    kind: str
    frame: pd.DataFrame
    lines: np.ndarray
    names: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    ok: dict[str, np.ndarray] = field(default_factory=dict)
    given: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"{self.kind}.csv"

    def label(self, i: int) -> str:
        """``generator 'gas'``, or ``generator on row 7`` when the name is blank."""
        noun = noun_of(self.kind)
        name = self.names[i]
        return f"{noun} '{name}'" if name else f"{noun} on row {self.lines[i]}"

    def raw(self, column: str, i: int) -> object:
        return self.frame[column].iloc[i]


def _check_table(kind: str, frame: object) -> tuple[_Table, list[Problem]]:
    """Columns, cells and unique names of one table."""
    file = f"{kind}.csv"
    frame, problems = _normalise_columns(_as_frame(frame), file)
    names = _strings(frame["name"]) if "name" in frame.columns else np.full(len(frame), "")
    table = _Table(kind, frame, line_numbers(frame), names)
    for col in TABLES[kind]:
        if col.name in frame.columns:
            problems += _check_column(table, col)
        elif col.required:
            problems.append(Problem(file, None, col.name, "required-column",
                                    f"{file} has no column '{col.name}', which is required"))
        else:
            table.values[col.name] = _default_array(col, len(frame))
            table.ok[col.name] = np.ones(len(frame), bool)
            table.given[col.name] = np.zeros(len(frame), bool)
    problems += _check_unknown_columns(kind, frame.columns)
    problems += _check_unique(table)
    for low, high in ORDERED_PAIRS.get(kind, ()):
        problems += _check_pair(table, low, high)
    return table, problems


#: Columns any table may carry for people, never read by the model.
FREE_TEXT_COLUMNS = frozenset({"source", "sources", "note", "notes", "comment", "comments",
                               "description"})


def _check_unknown_columns(kind: str, columns: Iterable[str]) -> list[Problem]:
    """A column the schema does not know would be silently ignored: report it (with the
    closest known name), so that a misspelt cost or capacity never goes unnoticed."""
    file, known = f"{kind}.csv", [c.name for c in TABLES[kind]]
    problems = []
    for name in columns:
        if name in known or name.lower() in FREE_TEXT_COLUMNS:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        problems.append(Problem(file, None, name, "unknown-column",
                                f"{file} has a column '{name}' that gridopt does not know and "
                                f"would ignore{hint}"))
    return problems


def _as_frame(frame: object) -> pd.DataFrame:
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)


def _normalise_columns(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Column names as stripped strings; a repeated column is reported and its copies dropped."""
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    dup = frame.columns.duplicated()
    problems = [Problem(file, None, name, "duplicate-column",
                        f"{file} has more than one column '{name}'; only the first is used")
                for name in dict.fromkeys(frame.columns[dup])]
    return frame.loc[:, ~dup], problems


def _default_array(col: Column, n: int) -> np.ndarray:
    if col.kind == "float":
        return np.full(n, math.nan if col.default is None else float(col.default))  # type: ignore[arg-type]
    if col.kind == "bool":
        return np.full(n, bool(col.default))
    return np.full(n, "" if col.default is None else str(col.default), dtype=object)


def _check_column(table: _Table, col: Column) -> list[Problem]:
    """Blank required cells, unparseable cells and ranges of one column; keep the values."""
    series = table.frame[col.name]
    values, blank, bad = _parse(series, col.kind)
    big = huge(values) & ~blank & ~bad if col.kind == "float" else np.zeros(len(values), bool)
    out = _out_of_range(values, col) & ~blank & ~bad & ~big
    name, label = col.name, table.label
    what = "a number" if col.kind == "float" else "true or false"
    problems = _rows(table, name, "required-value", blank & col.required,
                     lambda i: f"{label(i)} has no {name}, which is required")
    problems += _rows(table, name, "not-a-number" if col.kind == "float" else "not-a-bool", bad,
                      lambda i: f"{label(i)} has {name} '{table.raw(name, i)}', "
                                f"which is not {what}")
    problems += _rows(table, name, "range", out,
                      lambda i: f"{label(i)} has {name} {values[i]:g}; "
                                f"it must be {_range_text(col, values[i])}")
    problems += _rows(table, name, "magnitude", big,
                      lambda i: f"{label(i)} has {name} {_too_big(values[i])}")
    default = _default_array(col, len(values))
    table.values[name] = np.where(blank, default, values)
    table.ok[name] = ~(bad | out | big | (blank & col.required))
    table.given[name] = ~blank
    return problems


def _parse(series: pd.Series, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parsed values, blank mask and unparseable mask of one column."""
    if kind == "float":
        return _parse_numbers(series)
    blank = blank_mask(series)
    if kind == "bool":
        parsed = [_bool_or_none(v) for v in series.to_numpy(dtype=object)]
        bad = np.array([p is None for p in parsed], dtype=bool) & ~blank
        return np.array([bool(p) for p in parsed], dtype=bool), blank, bad
    return _strings(series), blank, np.zeros(len(series), bool)


def _parse_numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values (NaN where blank or bad), blank mask and not-a-number mask of a column."""
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        return values, np.isnan(values), np.zeros(len(series), bool)
    numbers = pd.to_numeric(series.astype(object), errors="coerce")
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    missing = np.flatnonzero(np.isnan(values))  # only these can be blank: scan just them
    blank = np.zeros(len(values), bool)
    blank[missing] = blank_mask(series.iloc[missing])
    return values, blank, np.isnan(values) & ~blank


def blank_mask(series: pd.Series) -> np.ndarray:
    """True where a cell is missing or only whitespace."""
    blank = series.isna().to_numpy(dtype=bool, copy=True)
    if not pd.api.types.is_numeric_dtype(series.dtype):
        text = series.astype(object).where(~blank, "").astype(str)
        blank |= (text.str.strip() == "").to_numpy(dtype=bool)
    return blank


def _strings(series: pd.Series) -> np.ndarray:
    blank = blank_mask(series)
    text = [str(v).strip() for v in series.to_numpy(dtype=object)]
    return np.where(blank, "", np.array(text, dtype=object))


def _bool_or_none(value: object) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.number)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    return True if text in TRUE_WORDS else False if text in FALSE_WORDS else None


def _out_of_range(values: np.ndarray, col: Column) -> np.ndarray:
    if col.kind != "float":
        return np.zeros(len(values), bool)
    with np.errstate(invalid="ignore"):
        low = (values <= col.lo) if col.lo_open else (values < col.lo)
        high = (values >= col.hi) if col.hi_open else (values > col.hi)
        infinite = np.isinf(values) & (col.default != INF) & (not col.inf_ok)
    return low | high | infinite


def huge(values: np.ndarray) -> np.ndarray:
    """Finite values beyond ±:data:`~gridopt.case.schema.MAX_MAGNITUDE` (``magnitude``)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (np.abs(values) > MAX_MAGNITUDE)


def _too_big(value: float) -> str:
    return (f"{value:g} is beyond ±{MAX_MAGNITUDE:g}, the largest magnitude gridopt accepts "
            "(check the unit)")


def _range_text(col: Column, value: float) -> str:
    if math.isinf(value) and col.default != INF:
        rule = col.rule()
        return "a finite number" + ("" if rule == "any number" else f" {rule}")
    return col.rule()


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


def _rows(table: _Table, column: str, rule: str, mask: np.ndarray,
          message: Callable[[int], str]) -> list[Problem]:
    return flag(table.file, table.lines, column, rule, mask, message, MAX_TABLE_ROWS)


def _check_unique(table: _Table) -> list[Problem]:
    if "name" not in table.frame.columns:
        return []
    names = pd.Series(table.names)
    dup = (names.duplicated() & (names != "")).to_numpy()
    first = {n: int(table.lines[i]) for i, n in reversed(list(enumerate(table.names)))}
    noun = noun_of(table.kind)
    return _rows(table, "name", "unique", dup,
                 lambda i: f"{noun} name '{table.names[i]}' is used again "
                           f"(first on row {first[table.names[i]]})")


def _check_pair(table: _Table, low: str, high: str) -> list[Problem]:
    if low not in table.values or high not in table.values:
        return []
    lo, hi = table.values[low], table.values[high]
    with np.errstate(invalid="ignore"):
        wrong = table.ok[low] & table.ok[high] & (lo > hi)
    return _rows(table, low, "min-le-max", wrong,
                 lambda i: f"{table.label(i)} has {low} {lo[i]:g} > {high} {hi[i]:g}")


def _check_storage_duration(table: _Table | None) -> list[Problem]:
    """A storage unit with duration_h, p_nom_mw and e_nom_mwh all given must have e = p · d."""
    cols = ("duration_h", "p_nom_mw", "e_nom_mwh")
    if table is None or any(c not in table.values for c in cols):
        return []
    d, p, e = (table.values[c] for c in cols)
    given = np.logical_and.reduce([table.given[c] & table.ok[c] for c in cols])
    with np.errstate(invalid="ignore"):
        wrong = given & ~np.isclose(e, p * d, rtol=1e-6, atol=1e-6)
    problems = _rows(table, "duration_h", "duration-mismatch", wrong,
                     lambda i: f"{table.label(i)} has e_nom_mwh {e[i]:g}, but p_nom_mw {p[i]:g} "
                               f"× duration_h {d[i]:g} = {p[i] * d[i]:g}")
    return problems + _check_derived_energy(table)


def _check_derived_energy(table: _Table) -> list[Problem]:
    """Energy derived as p_nom_mw × duration_h (e_nom_mwh blank) must not exceed e_nom_max_mwh."""
    if "e_nom_max_mwh" not in table.values:
        return []
    d, p = table.values["duration_h"], table.values["p_nom_mw"]
    e_max = table.values["e_nom_max_mwh"]
    ok = table.given["duration_h"] & table.ok["duration_h"] & table.ok["p_nom_mw"]
    ok &= ~table.given["e_nom_mwh"] & table.given["e_nom_max_mwh"] & table.ok["e_nom_max_mwh"]
    with np.errstate(invalid="ignore"):
        wrong = ok & (p * d > e_max * (1 + 1e-9))
    return _rows(table, "e_nom_max_mwh", "min-le-max", wrong,
                 lambda i: f"{table.label(i)} has p_nom_mw {p[i]:g} × duration_h {d[i]:g} = "
                           f"{p[i] * d[i]:g} MWh > e_nom_max_mwh {e_max[i]:g}")


def _check_line_buses(table: _Table | None) -> list[Problem]:
    if table is None or "bus0" not in table.values or "bus1" not in table.values:
        return []
    bus0, bus1 = table.values["bus0"], table.values["bus1"]
    same = (bus0 == bus1) & (bus0 != "")
    return _rows(table, "bus1", "same-bus", same,
                 lambda i: f"{table.label(i)} runs from bus '{bus0[i]}' to itself")


def _element_names(table: _Table | None) -> set[str] | None:
    """Names of a table's elements, or None when the table or its name column is missing."""
    if table is None or "name" not in table.frame.columns:
        return None
    return {n for n in table.names if n}


def _check_references(checked: Mapping[str, _Table]) -> list[Problem]:
    """Bus and fuel names must exist; a missing optional target table is reported once."""
    problems: list[Problem] = []
    for kind, table in checked.items():
        for col in TABLES[kind]:
            if col.ref is None or col.name not in table.frame.columns:
                continue
            values = table.values[col.name]
            named = values != ""
            if col.ref not in checked:
                if col.ref not in REQUIRED_TABLES and named.any():
                    problems.append(_missing_target(table, col, values[named]))
                continue
            known = _element_names(checked[col.ref])
            if known is not None:
                problems += _unknown_references(table, col, values, named, known)
    return problems


def _missing_target(table: _Table, col: Column, values: np.ndarray) -> Problem:
    target = f"{col.ref}.csv"
    listed = ", ".join(f"'{v}'" for v in dict.fromkeys(values))
    return Problem(target, None, None, "required-table",
                   f"{table.file} names {col.name} {listed}, but there is no {target}")


def _unknown_references(table: _Table, col: Column, values: np.ndarray, named: np.ndarray,
                        known: set[str]) -> list[Problem]:
    unknown = named & ~np.isin(values.astype(str), list(known))
    target, noun = f"{col.ref}.csv", noun_of(col.ref or "element")

    def message(i: int) -> str:
        close = difflib.get_close_matches(str(values[i]), sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return (f"{table.label(i)} names {noun} '{values[i]}', which is not in "
                f"{target}{hint}")

    return _rows(table, col.name, "unknown-reference", unknown, message)


# ---------------------------------------------------------------------------- series


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


def _check_series(kind: str, frame: pd.DataFrame, snapshots: pd.DatetimeIndex | None,
                  owner: _Table | None) -> list[Problem]:
    """Key column, length, element columns and values of one series (wide or long)."""
    file = f"{kind}.csv"
    frame, problems = _normalise_columns(frame, file)
    key = next((k for k in KEYS if k in frame.columns), None)
    if key is None and not isinstance(frame.index, pd.DatetimeIndex):
        problems.append(Problem(file, None, "snapshot", "required-column",
                                f"{file} needs a first column 'snapshot' (date and time) "
                                "or 'hour' (1..T)"))
    ts = _Series(kind, frame, line_numbers(frame), key, snapshots, _element_names(owner))
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
    numbers, blank, bad = _parse_numbers(values)
    big = huge(numbers) & ~blank & ~bad
    with np.errstate(invalid="ignore"):
        out = ~blank & ~bad & ~big & ((numbers < lo) | (numbers > hi) | np.isinf(numbers))
    span = f"in [{lo:g}, {hi:g}]" if hi < INF and lo > -INF else (
        f">= {lo:g}" if lo > -INF else "a finite number")
    raw = values.to_numpy(dtype=object)
    checks = (("required-value", blank, lambda i: f"{label} has a blank value"),
              ("not-a-number", bad, lambda i: f"{label} has '{raw[i]}', which is not a number"),
              ("range", out, lambda i: f"{label} has {numbers[i]:g}; it must be {span}"),
              ("magnitude", big, lambda i: f"{label} has {_too_big(numbers[i])}"))
    return [p for rule, mask, message in checks
            for p in flag(ts.file, lines, column, rule, mask, message, MAX_SERIES_CELLS)]


def _check_long(ts: _Series) -> list[Problem]:
    """Long format: names, (key, name) pairs, rows per element and values per element."""
    names = pd.Series(_strings(ts.frame["name"]))
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


# ---------------------------------------------------------------------------- presence, network


def _check_presence(tables: Mapping[str, object], series: Mapping[str, object]) -> list[Problem]:
    missing = [k for k in REQUIRED_TABLES if tables.get(k) is None]
    missing += [k for k in REQUIRED_SERIES if series.get(k) is None]
    return [Problem(f"{k}.csv", None, None, "required-table",
                    f"the case has no {k}.csv, which is required") for k in missing]


_BUS_COLUMNS = {None, "name", "bus", "bus0", "bus1"}
#: Tables whose elements can supply a bus's load (self-owned plants add output at their bus).
SUPPLY_TABLES = ("generators", "storage", "self_owned_plants")


def _check_network(checked: Mapping[str, _Table], problems: list[Problem]) -> list[Problem]:
    """Every bus with load must reach a bus with a generator, storage or self-owned plant
    over the lines."""
    files = {f"{k}.csv" for k in ("buses", "lines", "loads", *SUPPLY_TABLES)}
    if any(p.file in files and p.column in _BUS_COLUMNS for p in problems):
        return []  # the bus graph is not trustworthy; those problems come first
    buses, loads = checked.get("buses"), checked.get("loads")
    if buses is None or loads is None:
        return []
    graph = nx.Graph()
    graph.add_nodes_from(buses.names)
    if "lines" in checked:
        graph.add_edges_from(zip(checked["lines"].values["bus0"],
                                 checked["lines"].values["bus1"], strict=True))
    supply = {bus for kind in SUPPLY_TABLES if kind in checked
              for bus in checked[kind].values.get("bus", ())}
    loads_at: dict[str, list[str]] = {}
    for name, bus in zip(loads.names, loads.values["bus"], strict=True):
        loads_at.setdefault(bus, []).append(name)
    row = {name: int(line) for name, line in zip(buses.names, buses.lines, strict=True)}
    found = []
    for bus in buses.names:
        if bus in loads_at and not (nx.node_connected_component(graph, bus) & supply):
            listed = ", ".join(f"'{n}'" for n in loads_at[bus])
            found.append(Problem("buses.csv", row[bus], "name", "unreachable-load",
                                 f"bus '{bus}' has load ({listed}) but no path to any supply "
                                 "(a generator, storage or self-owned plant)"))
    return found
