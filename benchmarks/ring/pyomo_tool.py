"""The ring problem written directly in Pyomo (sets, indexed variables, rules).

This is how a modeller writes it by hand, without gridopt's arrays: one ``Var`` per quantity
over Pyomo sets and one rule per constraint family. Solved with ``appsi_highs`` as gridopt's
Pyomo backend is, so the two Pyomo paths differ only in how the ``ConcreteModel`` is made.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from benchmarks.ring.problem import (
    BATTERY_CAPEX,
    CAPEX,
    DURATION,
    EFF,
    GAS_MC,
    LINE_CAP,
    TECHS,
    UC_SOLAR_MW,
    UC_UNITS,
    UC_WIND_MW,
    VOLL,
    RingData,
)


def build(d: RingData) -> pyo.ConcreteModel:
    """The ConcreteModel of the ring problem (see :mod:`benchmarks.ring.problem`)."""
    m = pyo.ConcreteModel(name="ring")
    m.B = pyo.RangeSet(0, d.n_buses - 1)
    m.T = pyo.RangeSet(0, d.hours - 1)
    m.L = pyo.RangeSet(0, len(d.bus0) - 1) if len(d.bus0) else pyo.Set(initialize=[])
    m.K = pyo.Set(initialize=TECHS, ordered=True)
    load = d.load
    m.shed = pyo.Var(m.B, m.T, bounds=lambda _, b, t: (0.0, float(load[t, b])))
    m.flow = pyo.Var(m.L, m.T, bounds=(-LINE_CAP, LINE_CAP))
    m.gen = pyo.Var(m.K, m.B, m.T, within=pyo.NonNegativeReals)
    m.cap = pyo.Var(m.K, m.B, within=pyo.NonNegativeReals)
    for name in ("charge", "discharge", "soc"):
        m.add_component(name, pyo.Var(m.B, m.T, within=pyo.NonNegativeReals))
    m.p_new = pyo.Var(m.B, within=pyo.NonNegativeReals)
    m.e_new = pyo.Var(m.B, within=pyo.NonNegativeReals)
    _constraints(m, d)
    w = d.weight
    m.objective = pyo.Objective(expr=(
        sum(w * VOLL * m.shed[b, t] + w * GAS_MC * m.gen["gas", b, t] for b in m.B for t in m.T)
        + sum(CAPEX[k] * m.cap[k, b] for k in m.K for b in m.B)
        + sum(BATTERY_CAPEX * m.p_new[b] for b in m.B)), sense=pyo.minimize)
    return m


def _constraints(m: pyo.ConcreteModel, d: RingData) -> None:
    avail = {k: d.availability(k) for k in TECHS}
    into = {b: [i for i in range(len(d.bus1)) if d.bus1[i] == b] for b in m.B}
    out_of = {b: [i for i in range(len(d.bus0)) if d.bus0[i] == b] for b in m.B}
    last = d.hours - 1

    m.balance = pyo.Constraint(m.B, m.T, rule=lambda m, b, t: (
        sum(m.gen[k, b, t] for k in m.K) + m.shed[b, t] + m.discharge[b, t] - m.charge[b, t]
        + sum(m.flow[i, t] for i in into[b]) - sum(m.flow[i, t] for i in out_of[b])
        == float(d.load[t, b])))
    m.gen_upper = pyo.Constraint(m.K, m.B, m.T, rule=lambda m, k, b, t: (
        m.gen[k, b, t] - float(avail[k][t, b]) * m.cap[k, b] <= 0.0))
    m.soc_balance = pyo.Constraint(m.B, m.T, rule=lambda m, b, t: (
        m.soc[b, t] - m.soc[b, last if t == 0 else t - 1] - EFF * m.charge[b, t]
        + m.discharge[b, t] / EFF == 0.0))
    m.charge_upper = pyo.Constraint(m.B, m.T, rule=lambda m, b, t: m.charge[b, t] <= m.p_new[b])
    m.discharge_upper = pyo.Constraint(m.B, m.T,
                                       rule=lambda m, b, t: m.discharge[b, t] <= m.p_new[b])
    m.soc_upper = pyo.Constraint(m.B, m.T, rule=lambda m, b, t: m.soc[b, t] <= m.e_new[b])
    m.duration = pyo.Constraint(m.B, rule=lambda m, b: m.e_new[b] == DURATION * m.p_new[b])


def extract(m: pyo.ConcreteModel, d: RingData) -> dict[str, Any]:
    """Dispatch, capacities and nodal prices as pandas objects."""
    prices = np.array([m.dual[m.balance[b, t]] for b in m.B for t in m.T])
    return {
        "dispatch": pd.Series(m.gen.extract_values()),
        "capacity": pd.Series(m.cap.extract_values()),
        "battery_p_new": pd.Series(m.p_new.extract_values()),
        "prices": pd.DataFrame(prices.reshape(d.n_buses, d.hours).T / d.weight,
                               columns=d.buses),
    }


def run(d: RingData, options: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """Build, solve with ``appsi_highs`` and extract."""
    m = build(d)
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    opt = pyo.SolverFactory("appsi_highs")
    for key, value in options.items():
        opt.options[key] = value
    result = opt.solve(m, load_solutions=False)
    if result.solver.termination_condition != pyo.TerminationCondition.optimal:
        raise RuntimeError(f"pyomo: {result.solver.termination_condition}")
    m.solutions.load_from(result)
    return float(pyo.value(m.objective)), extract(m, d)


# -- the commitment variant (see "The commitment variant" in problem.py) -------------------

def build_uc(d: RingData) -> pyo.ConcreteModel:
    """The commitment MIP as a ConcreteModel: binary u, v, w per unit, bus and hour."""
    m = pyo.ConcreteModel(name="ring_uc")
    m.B = pyo.RangeSet(0, d.n_buses - 1)
    m.T = pyo.RangeSet(0, d.hours - 1)
    m.L = pyo.RangeSet(0, len(d.bus0) - 1) if len(d.bus0) else pyo.Set(initialize=[])
    m.G = pyo.RangeSet(0, len(UC_UNITS) - 1)
    m.R = pyo.Set(initialize=("wind", "solar"), ordered=True)
    cap = {"wind": UC_WIND_MW * d.wind, "solar": UC_SOLAR_MW * d.solar}
    m.shed = pyo.Var(m.B, m.T, bounds=lambda _, b, t: (0.0, float(d.load[t, b])))
    m.flow = pyo.Var(m.L, m.T, bounds=(-LINE_CAP, LINE_CAP))
    m.ren = pyo.Var(m.R, m.B, m.T, bounds=lambda _, k, b, t: (0.0, float(cap[k][t, b])))
    m.p = pyo.Var(m.G, m.B, m.T, bounds=lambda _, g, b, t: (0.0, UC_UNITS[g][1]))
    for name in ("u", "v", "w"):
        m.add_component(name, pyo.Var(m.G, m.B, m.T, within=pyo.Binary))
    _uc_constraints(m, d)
    m.objective = pyo.Objective(expr=(
        sum(VOLL * m.shed[b, t] for b in m.B for t in m.T)
        + sum(UC_UNITS[g][3] * m.p[g, b, t] + UC_UNITS[g][4] * m.v[g, b, t]
              for g in m.G for b in m.B for t in m.T)), sense=pyo.minimize)
    return m


def _uc_constraints(m: pyo.ConcreteModel, d: RingData) -> None:
    into = {b: [i for i in range(len(d.bus1)) if d.bus1[i] == b] for b in m.B}
    out_of = {b: [i for i in range(len(d.bus0)) if d.bus0[i] == b] for b in m.B}
    m.balance = pyo.Constraint(m.B, m.T, rule=lambda m, b, t: (
        sum(m.ren[k, b, t] for k in m.R) + sum(m.p[g, b, t] for g in m.G) + m.shed[b, t]
        + sum(m.flow[i, t] for i in into[b]) - sum(m.flow[i, t] for i in out_of[b])
        == float(d.load[t, b])))
    m.transition = pyo.Constraint(m.G, m.B, m.T, rule=lambda m, g, b, t: (
        m.u[g, b, t] - (m.u[g, b, t - 1] if t > 0 else 1.0) - m.v[g, b, t] + m.w[g, b, t]
        == 0.0))
    m.min_up = pyo.Constraint(m.G, m.B, m.T, rule=lambda m, g, b, t: (
        sum(m.v[g, b, s] for s in range(max(0, t - UC_UNITS[g][5] + 1), t + 1))
        - m.u[g, b, t] <= 0.0))
    m.min_down = pyo.Constraint(m.G, m.B, m.T, rule=lambda m, g, b, t: (
        sum(m.w[g, b, s] for s in range(max(0, t - UC_UNITS[g][6] + 1), t + 1))
        + m.u[g, b, t] <= 1.0))
    m.dispatch_lower = pyo.Constraint(m.G, m.B, m.T, rule=lambda m, g, b, t: (
        m.p[g, b, t] - UC_UNITS[g][2] * UC_UNITS[g][1] * m.u[g, b, t] >= 0.0))
    m.dispatch_upper = pyo.Constraint(m.G, m.B, m.T, rule=lambda m, g, b, t: (
        m.p[g, b, t] - UC_UNITS[g][1] * m.u[g, b, t] <= 0.0))


def run_uc(d: RingData, options: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """Build, solve the commitment MIP with ``appsi_highs``; dispatch and units on."""
    m = build_uc(d)
    opt = pyo.SolverFactory("appsi_highs")
    for key, value in options.items():
        opt.options[key] = value
    result = opt.solve(m, load_solutions=False)
    if result.solver.termination_condition != pyo.TerminationCondition.optimal:
        raise RuntimeError(f"pyomo: {result.solver.termination_condition}")
    m.solutions.load_from(result)
    return float(pyo.value(m.objective)), {"dispatch": pd.Series(m.p.extract_values()),
                                           "status": pd.Series(m.u.extract_values())}
