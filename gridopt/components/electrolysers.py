"""Electrolysers with hydrogen storage and demand. See ``models/electrolysers.md``.

An element is a whole electrolyser of rated power P_i (its consumption is added here, never in
``load_mw.csv``). Its enrolment X_i = X̄_i + x^new_i is how far, times ρ_i, it may drop below
its baseline b_{i,w} = mean_{t ∈ w} d_{i,t} / η_i (flat consumption meeting the H2 demand of
window w). For element i and hour t of a scope:

- bounds: m_i P_i ≤ e_{i,t} ≤ P_i (consumption); 0 ≤ h_{i,t} ≤ H_i (H2 stored, MWh LHV)
- ``electrolysers.h2_balance``: h_{i,t} = h_{i,t−1} + η_i Δt e_{i,t} − Δt d_{i,t}, cyclic in
  dispatch; in the event scope each window starts and ends at σ H_i, σ = 1/2
- ``electrolysers.response_upper``: b_{i,w} − e_{i,t} ≤ ρ_i X_i
- ``electrolysers.reduce_lower`` (dispatch, C^act_i > 0): u_{i,t} ≥ b_{i,w} − e_{i,t}, u ≥ 0
- objective (dispatch): Σ_t w C^act_i u_{i,t}; injection −e_{i,t} at the element's bus
- response: b_{i,w} − e_{i,t} (signed: negative while refilling the store)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case, CaseError, Problem, csv_line
from gridopt.case.series import element_series
from gridopt.components._common import bus_positions
from gridopt.components._dr import (
    Enrolment,
    Scope,
    add_enrolment,
    dispatch_scope,
    previous,
    register_response,
)
from gridopt.model.arrays import ArrayModel

FAMILY = "electrolysers"
#: σ: the H2 store's level (share of H_i) at the start and end of every event window.
EVENT_LEVEL_PU = 0.5
#: Relative tolerance of :func:`check_electrolysers`.
TOL = 1e-9


def rated_power(table: pd.DataFrame) -> np.ndarray:
    """P_i: ``p_nom_mw``, or ``potential_mw`` where it is blank (MW)."""
    p_nom = table["p_nom_mw"].to_numpy(float)
    return np.where(np.isnan(p_nom), table["potential_mw"].to_numpy(float), p_nom)


def h2_demand(case: Case) -> np.ndarray:
    """d_{i,t}: ``h2_demand_mwh.csv`` where given, else ``h2_demand_mwh_per_h`` (E × T, MWh/h)."""
    table = case.table(FAMILY)
    return element_series(case.series.get("h2_demand_mwh"), table.index, case.n_snapshots,
                          table["h2_demand_mwh_per_h"].to_numpy(float)).T


def baseline(demand: np.ndarray, scope: Scope, efficiency: np.ndarray) -> np.ndarray:
    """b_{i,w} = Σ_{t∈w} Δt_t d_{i,t} / (η_i Σ_{t∈w} Δt_t): the mean H2 demand / η over each
    window w of ``scope``, per hour (E × H, MW)."""
    _, window = np.unique(scope.window, return_inverse=True)
    dt = scope.dt
    sums = np.zeros((window.max() + 1, demand.shape[0]))
    np.add.at(sums, window, (demand * dt[None, :]).T)
    mean = sums / np.bincount(window, weights=dt)[:, None]
    return (mean[window] / efficiency[None, :]).T


def add_electrolysers(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Add consumption e_{i,t} and H2 storage h_{i,t} of every electrolyser over ``scope``.

    Parameters
    ----------
    m : ArrayModel
        The model to add to.
    case : Case
        The case; its ``electrolysers`` table (and ``h2_demand_mwh`` series) give the elements.
    scope : Scope
        Dispatch (balance and costs too) or event (physics and response only).

    Raises
    ------
    CaseError
        When an element's H2 demand cannot be met in a window (:func:`check_electrolysers`).
    """
    table = case.table(FAMILY)
    if table.empty:
        return
    problems = check_electrolysers(case, scope)
    if problems:
        raise CaseError(problems)
    enrol = add_enrolment(m, case, FAMILY)
    eta = table["efficiency_mwh_h2_per_mwh"].to_numpy(float)
    demand = h2_demand(case)[:, scope.hours]
    base = baseline(demand, scope, eta)
    p_nom = rated_power(table)[:, None]
    lower = table["min_load_pu"].to_numpy(float)[:, None] * p_nom
    e = m.add_variables(scope.var(FAMILY, "consumption"), (table.index, scope.labels),
                        np.broadcast_to(lower, base.shape),
                        np.broadcast_to(p_nom, base.shape)).index()
    _add_h2_storage(m, case, scope, e, demand)
    _add_response_upper(m, scope, table, e, base, enrol)
    if scope.is_dispatch:
        _add_activation(m, case, e, base)
        m.add_injection(FAMILY, e, bus_positions(case.table("buses").index, table["bus"]), -1.0)
    register_response(m, case, FAMILY, scope, [(e, -1.0)], constant=base)


def _add_h2_storage(m: ArrayModel, case: Case, scope: Scope, e: np.ndarray,
                    demand: np.ndarray) -> None:
    """h_t − h_{t−1} − η Δt e_t = −Δt d_t; fixed at σ H before and after each event window."""
    table = case.table(FAMILY)
    cap = table["h2_storage_mwh"].to_numpy(float)[:, None]
    eta = table["efficiency_mwh_h2_per_mwh"].to_numpy(float)[:, None]
    shape = demand.shape
    lower, upper = np.zeros(shape), np.broadcast_to(cap, shape).copy()
    dt = scope.dt[None, :]
    rhs = -dt * demand
    if not scope.is_dispatch:
        level = EVENT_LEVEL_PU * cap
        last = scope.last_of_window()
        lower[:, last] = upper[:, last] = np.broadcast_to(level, (shape[0], last.sum()))
        rhs[:, scope.first_of_window()] += level
    h = m.add_variables(scope.var(FAMILY, "h2_stored"), (table.index, scope.labels),
                        lower, upper).index()
    m.add_constraints(scope.var(FAMILY, "h2_balance"), (table.index, scope.labels),
                      [(h, 1.0), (previous(h, scope, cyclic=scope.is_dispatch), -1.0),
                       (e, -eta * dt)], "==", rhs)


def _add_response_upper(m: ArrayModel, scope: Scope, table: pd.DataFrame, e: np.ndarray,
                        base: np.ndarray, enrol: Enrolment) -> None:
    """Row −e_t − ρ x^new ≤ ρ X̄ − b_w: the drop below baseline stays within ρ X."""
    rho = table["participation"].to_numpy(float)[:, None]
    m.add_constraints(scope.var(FAMILY, "response_upper"), (table.index, scope.labels),
                      [(e, -1.0), *enrol.terms(rho)], "<=", enrol.rhs(rho) - base)


def _add_activation(m: ArrayModel, case: Case, e: np.ndarray, base: np.ndarray) -> None:
    """u_{i,t} ≥ b − e_{i,t}, u ≥ 0, at w C^act_i per MWh: pay only for the drop below b."""
    table = case.table(FAMILY)
    cost = table["activation_cost_per_mwh"].to_numpy(float)
    paid = np.flatnonzero(cost > 0)
    if paid.size == 0:
        return
    coords = (table.index[paid], m.snapshots)
    u = m.add_variables(f"{FAMILY}.reduce", coords).index()
    m.add_constraints(f"{FAMILY}.reduce_lower", coords, [(u, 1.0), (e[paid], 1.0)], ">=",
                      base[paid])
    names = table.index.to_numpy(dtype=object)[paid][:, None]
    m.add_cost(FAMILY, "activation", u, case.weights * cost[paid][:, None], names)


def check_electrolysers(case: Case, scope: Scope | None = None) -> list[Problem]:
    """Electrolysers that cannot meet their H2 demand in some window of ``scope`` (default: the
    dispatch scope): the window's baseline b_{i,w} = mean d / η must lie in [m_i P_i, P_i],
    since a cyclic (dispatch) or half-full-to-half-full (event) store makes the window's mean
    consumption equal b_{i,w}. An empty list when every element is feasible."""
    table = case.table(FAMILY)
    if table.empty:
        return []
    scope = dispatch_scope(case) if scope is None else scope
    base = baseline(h2_demand(case)[:, scope.hours], scope,
                    table["efficiency_mwh_h2_per_mwh"].to_numpy(float))
    p_nom = rated_power(table)
    low = table["min_load_pu"].to_numpy(float) * p_nom
    where = "over the horizon" if scope.is_dispatch else "on a peak-event day"
    problems = []
    for k, name in enumerate(table.index):
        lo, hi = base[k].min(), base[k].max()
        if hi > p_nom[k] * (1 + TOL) or lo < low[k] * (1 - TOL):
            problems.append(Problem(
                f"{FAMILY}.csv", csv_line(table, k), "p_nom_mw", "electrolyser-meets-h2-demand",
                f"electrolyser '{name}': H2 demand / efficiency averages {lo:g}–{hi:g} MW "
                f"{where}, outside [min_load_pu · P, P] = [{low[k]:g}, {p_nom[k]:g}] MW"))
    return problems
