"""Check ``pathway_changes.csv``: cells of the case's tables set from a modelled year on.

Rules (each naming the row and column of ``pathway_changes.csv``):

``pathway-changes-alone``  the file without ``case.yaml: pathway``
``pathway-year``           a year that is not one of ``pathway.years``
``pathway-table``          a table gridopt does not know, or one that cannot change by year
``pathway-element``        a name that is not an element of that table
``pathway-column``         a column the table does not have, or one that is not a number
                           (names, buses, carriers and switches such as ``extendable`` stay
                           the same in every year)
``pathway-value``          a value outside the range of the column it sets
``pathway-duplicate``      the same year, table, name and column twice
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gridopt.case.case import Problem
from gridopt.case.cells import closest
from gridopt.case.schema import TABLES, Column

FILE = "pathway_changes.csv"
#: Tables whose cells may change by year (targets are declared per year in targets.csv).
CHANGEABLE = frozenset(TABLES) - {"pathway_changes", "targets"}


def check_pathway_changes(changes: Any, checked: Mapping[str, Any],
                          config: Mapping[str, Any]) -> list[Problem]:
    """Every problem of ``pathway_changes.csv`` (``changes``: the checked table, or None)."""
    if changes is None or len(changes.lines) == 0:
        return []
    pathway = config.get("pathway") if isinstance(config, Mapping) else None
    if not isinstance(pathway, Mapping):
        return [Problem(FILE, None, None, "pathway-changes-alone",
                        f"{FILE} sets values by year, but case.yaml has no 'pathway' (the "
                        "years to model)")]
    years = {int(y) for y in pathway.get("years") or [] if isinstance(y, int)}
    seen: dict[tuple, int] = {}
    problems = []
    for i, line in enumerate(changes.lines):
        if not all(changes.ok[c][i] for c in ("year", "table", "name", "column", "value")):
            continue  # already reported as a cell problem
        problem = _check_row(changes, i, int(line), years, checked)
        key = tuple(changes.values[c][i] for c in ("year", "table", "name", "column"))
        if problem is None and key in seen:
            problem = Problem(FILE, int(line), "column", "pathway-duplicate",
                              f"{key[1]} '{key[2]}' {key[3]} is set for {int(key[0])} again "
                              f"(first on row {seen[key]})")
        seen.setdefault(key, int(line))
        if problem is not None:
            problems.append(problem)
    return problems


def _check_row(changes: Any, i: int, line: int, years: set[int],
               checked: Mapping[str, Any]) -> Problem | None:
    year = changes.values["year"][i]
    table, name = str(changes.values["table"][i]), str(changes.values["name"][i])
    column, value = str(changes.values["column"][i]), float(changes.values["value"][i])
    if year != int(year) or int(year) not in years:
        return Problem(FILE, line, "year", "pathway-year",
                       f"year {year:g} is not a modelled year ({sorted(years)})")
    if table not in CHANGEABLE:
        near = closest(table, sorted(CHANGEABLE))
        why = "its rows are per year already" if table == "targets" else "no such table"
        return Problem(FILE, line, "table", "pathway-table",
                       f"table '{table}' cannot change by year: {why}"
                       + (f"; did you mean '{near}'?" if near and near != table else ""))
    owner = checked.get(table)
    if owner is None or name not in set(owner.names):
        return Problem(FILE, line, "name", "pathway-element",
                       f"{table}.csv has no element '{name}'")
    col = next((c for c in TABLES[table] if c.name == column), None)
    if col is None or col.kind != "float":
        what = "no such column" if col is None else "not a number that may change by year"
        return Problem(FILE, line, "column", "pathway-column",
                       f"{table}.csv column '{column}': {what}")
    if not _in_range(value, col):
        return Problem(FILE, line, "value", "pathway-value",
                       f"{table} '{name}' {column} {value:g}: it must be {col.rule()}"
                       + ("" if col.default == np.inf or col.inf_ok else ", finite"))
    return None


def _in_range(value: float, col: Column) -> bool:
    if np.isinf(value) and col.default != np.inf and not col.inf_ok:
        return False
    low = value <= col.lo if col.lo_open else value < col.lo
    high = value >= col.hi if col.hi_open else value > col.hi
    return not (low or high)
