"""Checks of ``lines.csv`` for DC power flow and line expansion (``models/network.md``).

Ranges (x_pu any number, circuit_mw > 0, cap_fwd_mw ≤ cap_max_mw, …) are the schema's; here
the rules that depend on ``case.yaml: network: flow_model``. Rule ids:

=======================  ================================================================
``line-reactance``       with ``flow_model: kvl`` or ``ptdf``, an AC line (x_pu given) has
                         x_pu ≤ 0; DC power flow needs x_pu > 0 (blank = a DC link)
``line-circuits-dc-pf``  with ``flow_model: kvl`` or ``ptdf``, an extendable AC line gives
                         ``circuit_mw``: whole new circuits change the line's reactance, which
                         gridopt does not model; give no circuit_mw (continuous expansion at
                         a fixed reactance) or use ``flow_model: transport``
=======================  ================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gridopt.case.case import Problem
from gridopt.case.cells import flag

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
    if {"x_pu", "circuit_mw", "extendable"} <= set(table.values):
        ac = table.given["x_pu"]
        whole = ac & table.values["extendable"] & table.given["circuit_mw"]
        problems += flag(FILE, table.lines, "circuit_mw", "line-circuits-dc-pf", whole,
                         lambda i: f"{table.label(i)} is an extendable AC line with circuit_mw "
                                   f"{table.values['circuit_mw'][i]:g}; with flow_model "
                                   f"{model} new capacity keeps the line's reactance, so it "
                                   "cannot come in whole circuits: leave circuit_mw blank or "
                                   "use flow_model transport", limit)
    return problems
