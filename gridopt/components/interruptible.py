"""Interruptible / curtailable load (commercial and industrial). See ``models/interruptible.md``.

For element i and hour t of a scope, with enrolled capacity X_i = X̄_i + x^new_i, participation
ρ_i and maximum hours per event h_i:

- ``interruptible.reduce_upper``: r_{i,t} ≤ ρ_i X_i
- ``interruptible.event_energy``: Σ_{τ=t}^{t+h_i} r_{i,τ} ≤ h_i ρ_i X_i for every h_i + 1
  consecutive hours (dispatch); Σ_{t ∈ window} r_{i,t} ≤ h_i ρ_i X_i (event scope: one event a day)
- ``interruptible.annual_hours``: Σ_t w r_{i,t} ≤ H_i ρ_i X_i, H_i = min(H^yr_i, N^ev_i h_i)
- objective (dispatch): Σ_t w C^act_i r_{i,t}; injection +r_{i,t} at the element's bus
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.components._common import bus_positions
from gridopt.components._dr import Enrolment, Scope, add_enrolment, register_response
from gridopt.model.arrays import ArrayModel

FAMILY = "interruptible"


def add_interruptible(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Add the curtailment r_{i,t} of every interruptible load over ``scope``."""
    table = case.table(FAMILY)
    if table.empty:
        return
    enrol = add_enrolment(m, case, FAMILY)
    rho = table["participation"].to_numpy(float)[:, None]
    r = m.add_variables(scope.var(FAMILY, "reduce"), (table.index, scope.labels)).index()
    m.add_constraints(scope.var(FAMILY, "reduce_upper"), (table.index, scope.labels),
                      [(r, 1.0), *enrol.terms(rho)], "<=", enrol.rhs(rho))
    _add_event_energy(m, case, scope, r, enrol, rho)
    if scope.is_dispatch:
        _add_annual_hours(m, case, r, enrol, rho)
        names = table.index.to_numpy(dtype=object)[:, None]
        m.add_cost(FAMILY, "activation", r,
                   case.weight * table["activation_cost_per_mwh"].to_numpy()[:, None], names)
        m.add_injection(FAMILY, r, bus_positions(case.table("buses").index, table["bus"]), 1.0)
    register_response(m, case, FAMILY, scope, [(r, 1.0)])


def _add_event_energy(m: ArrayModel, case: Case, scope: Scope, r: np.ndarray, enrol: Enrolment,
                      rho: np.ndarray) -> None:
    table = case.table(FAMILY)
    hours = table["max_hours_per_event"].to_numpy(float)
    limited = np.flatnonzero(np.isfinite(hours) & (hours < scope.n))
    entries, rhs, labels = [], [], []
    for i in limited:
        rows, cols = _event_windows(scope, r[i], int(hours[i]))
        if rows.size == 0:
            continue
        offset = len(rhs)
        n_rows = rows.max() + 1
        entries.append((offset + rows, cols, 1.0))
        new = enrol.new_col[i]
        if new >= 0:
            entries.append((offset + np.arange(n_rows), np.full(n_rows, new),
                            -hours[i] * rho[i, 0]))
        rhs.extend([hours[i] * rho[i, 0] * enrol.existing[i]] * n_rows)
        labels.extend(f"{table.index[i]}|{k}" for k in range(n_rows))
    if entries:
        m.add_rows(scope.var(FAMILY, "event_energy"), (pd.Index(labels, name="window"),),
                   entries, "<=", np.asarray(rhs))


def _event_windows(scope: Scope, r_i: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """(local row, column) pairs: rolling h+1-hour windows in dispatch, whole windows else."""
    if scope.is_dispatch:
        starts = np.arange(scope.n - h)
        starts = starts[scope.window[starts] == scope.window[starts + h]]
        rows = np.repeat(np.arange(len(starts)), h + 1)
        cols = r_i[(starts[:, None] + np.arange(h + 1)[None, :]).ravel()]
        return rows, cols
    _, rows = np.unique(scope.window, return_inverse=True)
    return rows, r_i


def _add_annual_hours(m: ArrayModel, case: Case, r: np.ndarray, enrol: Enrolment,
                      rho: np.ndarray) -> None:
    """Row i: Σ_t w r_{i,t} − H_i ρ_i x^new_i ≤ H_i ρ_i X̄_i."""
    table = case.table(FAMILY)
    cap = np.minimum(table["max_hours_per_yr"].to_numpy(float),
                     table["max_events_per_yr"].to_numpy(float)
                     * table["max_hours_per_event"].to_numpy(float))
    limited = np.flatnonzero(np.isfinite(cap))
    if limited.size == 0:
        return
    scale = cap[limited] * rho[limited, 0]
    n_t = r.shape[1]
    entries = [(np.repeat(np.arange(limited.size), n_t), r[limited].ravel(), case.weight),
               (np.arange(limited.size), enrol.new_col[limited], -scale)]
    m.add_rows(f"{FAMILY}.annual_hours", (table.index[limited],), entries, "<=",
               scale * enrol.existing[limited])
