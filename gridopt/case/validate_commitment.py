"""Checks of the unit-commitment columns of ``generators.csv`` (``models/commitment.md``).

Only rows with ``committable`` true are checked (the columns are not read otherwise). Rule ids:

========================  =================================================================
``commitment-units``      p_nom_mw is 0, or p_nom_mw / unit_size_mw is not a whole number of
                          units (tolerance :data:`WHOLE_TOLERANCE`)
``commitment-extendable`` committable and extendable together (not yet supported)
``commitment-initial``    units_on_initial not a whole number in 0 … N
``commitment-ramp``       a start-up or shut-down ramp below p_min_pu (no unit could start
                          or stop)
``commitment-fuel``       start-up or no-load fuel without a fuel to price and count it
``retrofit-committable``  a retrofit column given on a generator that is not committable
``retrofit-p-min``        retrofit_p_min_pu not below p_min_pu, or other retrofit columns
                          given without retrofit_p_min_pu (the option would be ignored)
``retrofit-units``        retrofit_max_units not a whole number in 0 … N
========================  =================================================================

The capex (≥ 0) and lifetime (> 0) of a retrofit are the schema's ``range`` rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gridopt.case.case import Problem
from gridopt.case.cells import flag

#: N = p_nom_mw / unit_size_mw must lie this close to a whole number.
WHOLE_TOLERANCE = 1e-6
FILE = "generators.csv"
#: The columns these checks read.
COLUMNS = ("committable", "extendable", "p_nom_mw", "unit_size_mw", "units_on_initial",
           "p_min_pu", "startup_ramp_pu", "shutdown_ramp_pu", "fuel", "startup_fuel_gj",
           "no_load_gj_per_h")
#: The flexibility-retrofit columns (read only for committable generators).
RETROFIT = ("retrofit_p_min_pu", "retrofit_capex_per_mw", "retrofit_lifetime_yr",
            "retrofit_max_units")


def unit_counts(p_nom: np.ndarray, unit_size: np.ndarray) -> np.ndarray:
    """N = P̄ / S (S blank: one unit), not rounded."""
    size = np.where(np.isnan(unit_size), p_nom, unit_size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(size > 0, p_nom / size, np.nan)


def check_commitment(table: Any, limit: int = 20) -> list[Problem]:
    """The problems of the committable rows of a checked generators table.

    ``table`` is the validator's table under check: ``values``, ``ok`` (cell parsed and in
    range) and ``given`` per column, ``lines`` and ``label(i)``. A cell that is already
    reported (not ok) is not checked again.
    """
    if table is None or any(c not in table.values for c in (*COLUMNS, *RETROFIT)):
        return []
    v, ok = table.values, table.ok
    on = ok["committable"] & v["committable"].astype(bool)
    problems = _retrofit_elsewhere(table, ok["committable"] & ~on, limit)
    if not on.any():
        return problems

    def rows(column: str, rule: str, mask: np.ndarray, message: Callable[[int], str]) -> list:
        return flag(FILE, table.lines, column, rule, on & mask, message, limit)

    label = table.label
    problems += rows("extendable", "commitment-extendable",
                    ok["extendable"] & v["extendable"].astype(bool),
                    lambda i: f"{label(i)} is committable and extendable: unit commitment of "
                              "new capacity is not yet supported (make it one or the other)")
    p_nom, size = v["p_nom_mw"], v["unit_size_mw"]
    sized = ok["p_nom_mw"] & ok["unit_size_mw"]
    problems += rows("p_nom_mw", "commitment-units", sized & ~(p_nom > 0),
                     lambda i: f"{label(i)} is committable with p_nom_mw {p_nom[i]:g}; its units "
                               "need a capacity (p_nom_mw > 0)")
    n = unit_counts(p_nom, size)
    whole = np.rint(n)
    with np.errstate(invalid="ignore"):
        bad_n = sized & (p_nom > 0) & ((np.abs(n - whole) > WHOLE_TOLERANCE) | (whole < 1))
    problems += rows("unit_size_mw", "commitment-units", bad_n,
                     lambda i: f"{label(i)} has p_nom_mw {p_nom[i]:g} / unit_size_mw "
                               f"{size[i]:g} = {n[i]:.6g} units; a committable generator is a "
                               "whole number (≥ 1) of identical units")
    problems += _initial(table, on & sized & ~bad_n & (p_nom > 0), whole, limit)
    problems += _ramps(table, on, limit)
    problems += _retrofit(table, on, on & sized & ~bad_n & (p_nom > 0), whole, limit)
    for column in ("startup_fuel_gj", "no_load_gj_per_h"):
        burns = ok[column] & (v[column] > 0) & ok["fuel"] & (v["fuel"] == "")
        problems += rows(column, "commitment-fuel", burns,
                         lambda i, c=column: f"{label(i)} has {c} {v[c][i]:g} but no fuel: "
                                             "name the fuel it burns (to price and count it)")
    return problems


def _initial(table: Any, fine: np.ndarray, n: np.ndarray, limit: int) -> list[Problem]:
    """units_on_initial (blank: N) must be a whole number of units in 0 … N."""
    u0 = table.values["units_on_initial"]
    check = fine & table.ok["units_on_initial"] & table.given["units_on_initial"]
    with np.errstate(invalid="ignore"):
        wrong = check & ((np.abs(u0 - np.rint(u0)) > WHOLE_TOLERANCE) | (u0 > n + WHOLE_TOLERANCE))
    return flag(FILE, table.lines, "units_on_initial", "commitment-initial", wrong,
                lambda i: f"{table.label(i)} has units_on_initial {u0[i]:g}; it must be a whole "
                          f"number of units from 0 to {n[i]:g} (p_nom_mw / unit_size_mw)", limit)


def _ramps(table: Any, on: np.ndarray, limit: int) -> list[Problem]:
    """A start-up (shut-down) ramp below p_min_pu: a unit could never start (stop)."""
    v, ok = table.values, table.ok
    p_min = v["p_min_pu"]
    problems = []
    for column, what in (("startup_ramp_pu", "start"), ("shutdown_ramp_pu", "stop")):
        low = on & ok[column] & ok["p_min_pu"] & (v[column] < p_min)
        problems += flag(FILE, table.lines, column, "commitment-ramp", low,
                         lambda i, c=column, w=what: f"{table.label(i)} has {c} {v[c][i]:g} "
                         f"below p_min_pu {p_min[i]:g}: a unit could never {w} (its output "
                         "in that snapshot must be at least its minimum stable output)", limit)
    return problems


def _retrofit_elsewhere(table: Any, off: np.ndarray, limit: int) -> list[Problem]:
    """A retrofit column given on a generator that is not committable (it would be ignored)."""
    problems = []
    for column in RETROFIT:
        problems += flag(FILE, table.lines, column, "retrofit-committable",
                         off & table.given[column],
                         lambda i, c=column: f"{table.label(i)} has {c} but is not "
                         "committable: the flexibility retrofit lowers the minimum stable "
                         "output of committed units (set committable true, or leave it blank)",
                         limit)
    return problems


def _retrofit(table: Any, on: np.ndarray, fine: np.ndarray, n: np.ndarray,
              limit: int) -> list[Problem]:
    """retrofit_p_min_pu below p_min_pu (and given when another retrofit column is);
    retrofit_max_units a whole number of units in 0 … N."""
    v, ok, given = table.values, table.ok, table.given
    label = table.label
    r, p_min = v["retrofit_p_min_pu"], v["p_min_pu"]
    has = on & given["retrofit_p_min_pu"] & ok["retrofit_p_min_pu"]
    problems = flag(FILE, table.lines, "retrofit_p_min_pu", "retrofit-p-min",
                    has & ok["p_min_pu"] & (r >= p_min),
                    lambda i: f"{label(i)} has retrofit_p_min_pu {r[i]:g}, not below its "
                              f"p_min_pu {p_min[i]:g}: a retrofit must lower the minimum "
                              "stable output", limit)
    others = np.zeros(len(r), bool)
    for column in RETROFIT[1:]:
        others |= given[column]
    problems += flag(FILE, table.lines, "retrofit_p_min_pu", "retrofit-p-min",
                     on & others & ~given["retrofit_p_min_pu"],
                     lambda i: f"{label(i)} has retrofit columns but no retrofit_p_min_pu "
                               "(the minimum stable output of a retrofitted unit); without "
                               "it there is no retrofit option", limit)
    most = v["retrofit_max_units"]
    check = fine & given["retrofit_max_units"] & ok["retrofit_max_units"]
    with np.errstate(invalid="ignore"):
        wrong = check & ((np.abs(most - np.rint(most)) > WHOLE_TOLERANCE)
                         | (most > n + WHOLE_TOLERANCE))
    problems += flag(FILE, table.lines, "retrofit_max_units", "retrofit-units", wrong,
                     lambda i: f"{label(i)} has retrofit_max_units {most[i]:g}; it must be a "
                               f"whole number of units from 0 to {n[i]:g} (p_nom_mw / "
                               "unit_size_mw)", limit)
    return problems
