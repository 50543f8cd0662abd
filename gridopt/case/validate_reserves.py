"""Checks of ``reserves.csv`` and the ``provides_reserve`` column of ``generators.csv``
(``models/reserves.md``). Ranges (shares ≥ 0, …) are the schema's; here the rules a column
type cannot say. Rule ids:

=====================  ==================================================================
``reserve-direction``  a requirement's direction is not ``up`` or ``down``
``unknown-reference``  a name in a requirement's ``buses`` that buses.csv does not have
``not-a-bool``         a generator's ``provides_reserve`` is not true, false or blank
=====================  ==================================================================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gridopt.case.case import Problem
from gridopt.case.cells import closest, flag
from gridopt.case.schema import FALSE_WORDS, TRUE_WORDS

FILE = "reserves.csv"
DIRECTIONS = ("up", "down")


def check_reserves(table: Any, buses: Any, generators: Any, limit: int = 20) -> list[Problem]:
    """The problems of a checked reserves table (and of ``provides_reserve``).

    The tables are the validator's tables under check (``values``, ``ok``, ``lines``,
    ``names``, ``label(i)``); ``None`` when absent.
    """
    problems = _check_flags(generators, limit)
    if table is None:
        return problems
    if "direction" in table.values:
        d = np.array([str(x).strip().lower() for x in table.values["direction"]], dtype=object)
        bad = table.ok["direction"] & (d != "") & ~np.isin(d, DIRECTIONS)
        problems += flag(FILE, table.lines, "direction", "reserve-direction", bad,
                         lambda i: f"{table.label(i)} has direction "
                                   f"'{table.values['direction'][i]}'; it must be up or down",
                         limit)
    if buses is not None and "name" in buses.frame.columns and "buses" in table.values:
        problems += _check_buses(table, {n for n in buses.names if n}, limit)
    return problems


def _check_buses(table: Any, known: set[str], limit: int) -> list[Problem]:
    """Every ';'-separated name of ``buses`` must be a bus."""
    unknown = {}
    for i, text in enumerate(table.values["buses"]):
        names = [b.strip() for b in str(text).split(";") if b.strip()]
        missing = [b for b in names if b not in known]
        if missing:
            unknown[i] = missing

    def message(i: int) -> str:
        name = unknown[i][0]
        close = closest(name, sorted(known))
        hint = f" (did you mean '{close}'?)" if close else ""
        listed = ", ".join(f"'{b}'" for b in unknown[i])
        return f"{table.label(i)} names bus {listed}, which is not in buses.csv{hint}"

    mask = np.zeros(len(table.lines), bool)
    mask[list(unknown)] = True
    return flag(FILE, table.lines, "buses", "unknown-reference", mask, message, limit)


def _check_flags(generators: Any, limit: int) -> list[Problem]:
    if generators is None or "provides_reserve" not in generators.values:
        return []
    text = np.array([str(x).strip().lower() for x in generators.values["provides_reserve"]],
                    dtype=object)
    bad = (text != "") & ~np.isin(text, (*TRUE_WORDS, *FALSE_WORDS))
    return flag("generators.csv", generators.lines, "provides_reserve", "not-a-bool", bad,
                lambda i: f"{generators.label(i)} has provides_reserve "
                          f"'{generators.values['provides_reserve'][i]}', which is not true or "
                          "false (blank: thermal generators hold reserve)", limit)
