"""Checks of ``lines.csv`` for DC power flow and line expansion (``models/network.md``).

Ranges (x_pu any number, circuit_mw > 0, cap_fwd_mw ≤ cap_max_mw, …) are the schema's; here
the rules that depend on ``case.yaml: network: flow_model``. Rule ids:

==========================  ============================================================
``line-reactance``          with ``flow_model: kvl`` or ``ptdf``, an AC line (x_pu given)
                            has x_pu ≤ 0; DC power flow needs x_pu > 0 (blank = a DC link)
``line-circuits-cap-max``   with ``flow_model: kvl`` or ``ptdf``, an extendable AC line with
                            ``circuit_mw`` (candidate circuits, a binary each) has no finite
                            ``cap_max_mw``, so the number of candidates is not bounded
``line-circuits-path``      such a line's buses are not joined by existing AC lines of
                            finite limits (its disjunctive Kirchhoff rows need one)
==========================  ============================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from gridopt.case.case import Problem
from gridopt.case.cells import flag
from gridopt.case.grid import circuit_paths, existing_network, flow_limits

FILE = "lines.csv"
#: Flow models that write Kirchhoff's voltage law (``case.yaml: network: flow_model``).
DC_FLOW_MODELS = ("kvl", "ptdf")


def configured_flow_model(config: object) -> str:
    """The flow model a configuration asks for (``"transport"`` when not given or malformed:
    a malformed key is reported by the configuration check)."""
    network = config.get("network") if isinstance(config, Mapping) else None
    model = network.get("flow_model") if isinstance(network, Mapping) else None
    return model if isinstance(model, str) else "transport"


def check_lines(config: object, table: Any, limit: int = 20) -> list[Problem]:
    """The DC power-flow problems of a checked lines table (``None`` when absent).

    ``table`` is the validator's table under check (``values``, ``ok``, ``given``, ``lines``,
    ``label(i)``).
    """
    if table is None or configured_flow_model(config) not in DC_FLOW_MODELS:
        return []
    model = configured_flow_model(config)
    problems = []
    if "x_pu" in table.values:
        x = table.values["x_pu"]
        with np.errstate(invalid="ignore"):
            bad = table.ok["x_pu"] & table.given["x_pu"] & (x <= 0)
        problems += flag(FILE, table.lines, "x_pu", "line-reactance", bad,
                         lambda i: f"{table.label(i)} has x_pu {x[i]:g}; with flow_model "
                                   f"{model} an AC line needs x_pu > 0 (leave it blank for a "
                                   "controllable DC line)", limit)
    return problems + _check_circuits(table, model, limit)


_CIRCUIT_COLUMNS = ("bus0", "bus1", "x_pu", "circuit_mw", "extendable", "cap_fwd_mw",
                    "cap_rev_mw", "cap_max_mw")


def _check_circuits(table: Any, model: str, limit: int) -> list[Problem]:
    """Candidate circuits need a finite cap_max_mw and a path of existing AC lines."""
    if any(c not in table.values or not table.ok[c].all() for c in _CIRCUIT_COLUMNS):
        return []  # those problems come first
    v = table.values
    cand = v["extendable"] & table.given["x_pu"] & table.given["circuit_mw"]
    if not cand.any():
        return []
    cap_max = v["cap_max_mw"]
    unbounded = cand & ~np.isfinite(cap_max)
    problems = flag(FILE, table.lines, "cap_max_mw", "line-circuits-cap-max", unbounded,
                    lambda i: f"{table.label(i)} is built in whole circuits of "
                              f"{v['circuit_mw'][i]:g} MW under flow_model {model}: give it "
                              "a finite cap_max_mw (each candidate circuit has a binary)",
                    limit)
    frame = pd.DataFrame({k: v[k] for k in ("x_pu", "extendable", "cap_fwd_mw", "cap_rev_mw",
                                            "cap_max_mw", "circuit_mw")})
    frame["circuit_mw"] = np.where(cand, frame["circuit_mw"], np.nan)
    existing = existing_network(frame, cand)
    paths = circuit_paths(v["bus0"], v["bus1"], v["x_pu"], flow_limits(frame, cand), existing,
                          cand)
    none = np.zeros(len(cand), bool)
    none[np.flatnonzero(cand)] = [p is None for p in paths]
    problems += flag(FILE, table.lines, "circuit_mw", "line-circuits-path", none,
                     lambda i: f"{table.label(i)} is built in whole circuits under flow_model "
                               f"{model}, but its buses '{v['bus0'][i]}' and '{v['bus1'][i]}' "
                               "are not joined by existing AC lines of finite capacity, which "
                               "its disjunctive Kirchhoff rows need", limit)
    return problems
