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
``line-*``                  a line's reactance or whole circuits under DC power flow
                            (:mod:`gridopt.case.validate_network`)
``series-length``           a series has not exactly T rows (per element in long format)
``series-index``            the ``hour``/``snapshot`` column does not run over the snapshots
``timestamp``               a ``snapshot`` cell that is not a date and time, UTC offsets that
                            differ between rows, or wide snapshots not running forward
``series-unknown-element``  a series column (or long ``name``) naming no element
``series-missing-element``  a load without a column in ``load_mw.csv``
``series-duplicate``        a long series repeats a (snapshot, name) pair
``unreachable-load``        a bus with load but no path over lines or links to any supply
                            (generator, storage, store or self-owned plant)
``commitment-*``            the unit-commitment columns of a committable generator
                            (:mod:`gridopt.case.validate_commitment`)
``retrofit-*``              the flexibility-retrofit columns of a generator (the same module)
``reserve-direction``       a reserve requirement that is neither up nor down (with the
                            requirement's buses and ``provides_reserve``:
                            :mod:`gridopt.case.validate_reserves`)
``link-*``                  a link's buses and efficiencies (:mod:`gridopt.case.validate_links`)
``line-carrier``            a line between buses of two carriers (the same module)
==========================  ===============================================================

Rows are CSV line numbers: the header is line 1, the first data row line 2. A frame from
:func:`gridopt.case.io.read_case` carries its line numbers as an index named ``"line"`` (so
that skipped blank lines do not shift them); other frames count rows from line 2.
A mistake is reported once: a missing file or column is not followed by checks that need it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gridopt.case.case import Problem, line_numbers
from gridopt.case.cells import (
    as_frame,
    blank_mask,
    closest,
    flag,
    huge,
    normalise_columns,
    noun_of,
    parse_numbers,
    strings,
    too_big,
)
from gridopt.case.schema import (
    FALSE_WORDS,
    INF,
    ORDERED_PAIRS,
    REQUIRED_SERIES,
    REQUIRED_TABLES,
    SERIES,
    TABLES,
    TRUE_WORDS,
    Column,
)
from gridopt.case.validate_commitment import check_commitment
from gridopt.case.validate_config import CONFIG_FILE, check_config
from gridopt.case.validate_links import check_links
from gridopt.case.validate_network import check_lines
from gridopt.case.validate_pathway import check_pathway_changes
from gridopt.case.validate_reserves import check_reserves
from gridopt.case.validate_series import MAX_SERIES_CELLS, check_series

__all__ = ["MAX_SERIES_CELLS", "blank_mask", "flag", "noun_of", "order_problems",
           "validate_tables"]

#: At most this many problems per (column, rule) of a table, then one summary problem.
MAX_TABLE_ROWS = 20
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
    problems += check_lines(config, checked.get("lines"), MAX_TABLE_ROWS)
    problems += check_commitment(checked.get("generators"), MAX_TABLE_ROWS)
    problems += check_reserves(checked.get("reserves"), checked.get("buses"),
                               checked.get("generators"), MAX_TABLE_ROWS)
    problems += check_links(checked.get("links"), checked.get("lines"), checked.get("buses"),
                            MAX_TABLE_ROWS)
    for kind in SERIES:
        frame = series.get(kind)
        if frame is not None:
            owner = checked.get(SERIES[kind][0])
            problems += check_series(kind, as_frame(frame), snapshots, _element_names(owner))
    problems += check_pathway_changes(checked.get("pathway_changes"), checked, config)
    problems += _check_network(checked, problems)
    return order_problems(problems)


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
    frame, problems = normalise_columns(as_frame(frame), file)
    names = strings(frame["name"]) if "name" in frame.columns else np.full(len(frame), "")
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
        close = closest(name, known)
        hint = f"; did you mean '{close}'?" if close else ""
        problems.append(Problem(file, None, name, "unknown-column",
                                f"{file} has a column '{name}' that gridopt does not know and "
                                f"would ignore{hint}"))
    return problems


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
    big = np.zeros(len(values), bool)
    if col.kind == "float":
        big = huge(values, series) & ~blank & ~bad
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
                      lambda i: f"{label(i)} has {name} {too_big(table.raw(name, i))}")
    default = _default_array(col, len(values))
    table.values[name] = np.where(blank, default, values)
    table.ok[name] = ~(bad | out | big | (blank & col.required))
    table.given[name] = ~blank
    return problems


def _parse(series: pd.Series, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parsed values, blank mask and unparseable mask of one column."""
    if kind == "float":
        return parse_numbers(series)
    blank = blank_mask(series)
    if kind == "bool":
        parsed = [_bool_or_none(v) for v in series.to_numpy(dtype=object)]
        bad = np.array([p is None for p in parsed], dtype=bool) & ~blank
        return np.array([bool(p) for p in parsed], dtype=bool), blank, bad
    return strings(series), blank, np.zeros(len(series), bool)


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


def _range_text(col: Column, value: float) -> str:
    if math.isinf(value) and col.default != INF:
        rule = col.rule()
        return "a finite number" + ("" if rule == "any number" else f" {rule}")
    return col.rule()


def _rows(table: _Table, column: str, rule: str, mask: np.ndarray,
          message: Callable[[int], str]) -> list[Problem]:
    return flag(table.file, table.lines, column, rule, mask, message, MAX_TABLE_ROWS)


def _check_unique(table: _Table) -> list[Problem]:
    unique = any(c.name == "name" and c.unique for c in TABLES[table.kind])
    if "name" not in table.frame.columns or not unique:
        return []
    first: dict[str, int] = {}  # name → line of its first row (a plain pass: no Series)
    dup = np.zeros(len(table.names), bool)
    for i, n in enumerate(table.names):
        if n in first:
            dup[i] = n != ""
        else:
            first[n] = int(table.lines[i])
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
        close = closest(values[i], sorted(known))
        hint = f" (did you mean '{close}'?)" if close else ""
        return (f"{table.label(i)} names {noun} '{values[i]}', which is not in "
                f"{target}{hint}")

    return _rows(table, col.name, "unknown-reference", unknown, message)


# ---------------------------------------------------------------------------- presence, network


def _check_presence(tables: Mapping[str, object], series: Mapping[str, object]) -> list[Problem]:
    missing = [k for k in REQUIRED_TABLES if tables.get(k) is None]
    missing += [k for k in REQUIRED_SERIES if series.get(k) is None]
    return [Problem(f"{k}.csv", None, None, "required-table",
                    f"the case has no {k}.csv, which is required") for k in missing]


_BUS_COLUMNS = {None, "name", "bus", "bus0", "bus1"}
#: Tables whose elements can supply a bus's load (self-owned plants add output at their bus).
SUPPLY_TABLES = ("generators", "storage", "self_owned_plants", "stores")


def _check_network(checked: Mapping[str, _Table], problems: list[Problem]) -> list[Problem]:
    """Every bus with load must reach a bus with a generator, storage or self-owned plant
    over the lines."""
    files = {f"{k}.csv" for k in ("buses", "lines", "links", "loads", *SUPPLY_TABLES)}
    if any(p.file in files and p.column in _BUS_COLUMNS for p in problems):
        return []  # the bus graph is not trustworthy; those problems come first
    buses, loads = checked.get("buses"), checked.get("loads")
    if buses is None or loads is None:
        return []
    supply = {bus for kind in SUPPLY_TABLES if kind in checked
              for bus in checked[kind].values.get("bus", ())}
    if supply.issuperset(loads.values["bus"]):
        return []  # every load has supply at its own bus: no path to search (no graph built)
    import networkx as nx  # here only: ≈ 12 MiB a case with supply at every load bus never loads

    graph = nx.Graph()
    graph.add_nodes_from(buses.names)
    if "lines" in checked:
        graph.add_edges_from(zip(checked["lines"].values["bus0"],
                                 checked["lines"].values["bus1"], strict=True))
    if "links" in checked:  # a link carries supply to its bus1 (back to bus0 if reversible)
        graph.add_edges_from(zip(checked["links"].values["bus0"],
                                 checked["links"].values["bus1"], strict=True))
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
