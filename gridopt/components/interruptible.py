"""Interruptible / curtailable load (commercial and industrial). See ``models/interruptible.md``.

For element i and snapshot t of a scope, with enrolled capacity X_i = X̄_i + x^new_i,
participation ρ_i, step Δt, longest interruption h_i hours (n_i = ⌈h_i/Δt⌉ snapshots) and
annual limit H_i = min(H^yr_i, N^ev_i h_i) hours:

- ``interruptible.reduce_upper``: r_{i,t} ≤ ρ_i X_i
- ``interruptible.event_energy``: Σ Δt_τ r_{i,τ} ≤ h_i ρ_i X_i over every n_i + 1 consecutive
  snapshots (dispatch; with segments of variable Δt_t, the snapshots that start within
  (n_i + 1) Δt hours), or over each calendar day (event scope: one event a day)
- ``interruptible.annual_hours``: Σ_t w_t r_{i,t} ≤ H_i ρ_i X_i (dispatch); in the event scope
  ``interruptible.event_annual_hours``: Σ_t Δt r_{i,t} ≤ H_i ρ_i X_i over all peak days
- objective (dispatch): Σ_t w C^act_i r_{i,t}; injection +r_{i,t} at the element's bus

Rows with ``indivisible`` true (a MIP): the curtailment is ρ_i X_i in whole events or 0
(binary ``activated``/``start``, minimum and maximum event length, notice, event count) — see
:mod:`gridopt.components._events`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.components._dr import (
    Enrolment,
    Scope,
    add_dispatch_terms,
    add_enrolment,
    register_response,
    seconds,
)
from gridopt.components._events import add_whole_events
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
    _add_event_energy(m, case, scope, r, enrol, rho[:, 0])
    _add_annual_hours(m, case, scope, r, enrol, rho[:, 0])
    add_whole_events(m, case, FAMILY, scope, r, enrol, rho[:, 0])
    if scope.is_dispatch:
        add_dispatch_terms(m, case, FAMILY, r)
    register_response(m, case, FAMILY, scope, [(r, 1.0)])


def annual_hours(table: pd.DataFrame) -> np.ndarray:
    """H_i = min(H^yr_i, N^ev_i · h_i) in hours, with 0 · ∞ = 0 (no events, no hours)."""
    events = table["max_events_per_yr"].to_numpy(float)
    per_event = table["max_hours_per_event"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        by_events = np.where(events == 0, 0.0, events * per_event)
    return np.minimum(table["max_hours_per_yr"].to_numpy(float), by_events)


def _add_event_energy(m: ArrayModel, case: Case, scope: Scope, r: np.ndarray, enrol: Enrolment,
                      rho: np.ndarray) -> None:
    """Energy per event: rolling windows of n_i + 1 snapshots in dispatch, days in events."""
    table = case.table(FAMILY)
    hours = table["max_hours_per_event"].to_numpy(float)
    entries, rhs, labels = [], [], []
    for i in np.flatnonzero(np.isfinite(hours)):
        rows, cols, dt = _event_groups(case, scope, r[i], hours[i])
        if rows.size == 0:
            continue
        offset, n_rows = len(rhs), int(rows.max()) + 1
        entries.append((offset + rows, cols, dt))
        if enrol.new_col[i] >= 0:
            entries.append((offset + np.arange(n_rows), np.full(n_rows, enrol.new_col[i]),
                            -hours[i] * rho[i]))
        rhs.extend([hours[i] * rho[i] * enrol.existing[i]] * n_rows)
        labels.extend(f"{table.index[i]}|{k}" for k in range(n_rows))
    if entries:
        m.add_rows(scope.var(FAMILY, "event_energy"), (pd.Index(labels, name="window"),),
                   entries, "<=", np.asarray(rhs))


def _event_groups(case: Case, scope: Scope, r_i: np.ndarray, hours: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(local row, column, Δt) triples of the event-energy rows of one element.

    Dispatch: a run of n_i + 1 snapshots of Δt (n_i = ⌈h_i / Δt⌉) counted in hours from the
    start of snapshot t; one row per t whose run ends inside t's window, holding every snapshot
    that starts within the run. With segments, a snapshot that no such run holds (the tail of a
    period) starts a row of its own, cut at the window's end; with equal snapshots every
    snapshot is held already, so nothing is added."""
    dt = scope.dt
    if not scope.is_dispatch:  # one event a calendar day of the event scope
        _, rows = np.unique(scope.labels.normalize(), return_inverse=True)
        return rows, r_i, dt
    span = seconds((np.ceil(hours / case.step_h - 1e-9) + 1) * case.step_h)
    clock, end = scope.clock(), scope.window_end()
    full = np.flatnonzero(clock + span <= end)
    if full.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    stop = np.searchsorted(clock, clock + span, side="left")  # first snapshot after the run
    held = np.cumsum(np.bincount(full, minlength=scope.n + 1)
                     - np.bincount(stop[full], minlength=scope.n + 1))[:scope.n] > 0
    tail = ~held & np.isin(scope.window, scope.window[full])
    starts = np.flatnonzero(np.isin(np.arange(scope.n), full) | tail)
    last = np.flatnonzero(scope.last_of_window())
    size = np.minimum(stop[starts], last[np.searchsorted(last, starts)] + 1) - starts
    rows = np.repeat(np.arange(starts.size), size)
    members = np.repeat(starts - np.cumsum(size) + size, size) + np.arange(size.sum())
    return rows, r_i[members], dt[members]


def _add_annual_hours(m: ArrayModel, case: Case, scope: Scope, r: np.ndarray, enrol: Enrolment,
                      rho: np.ndarray) -> None:
    """Row i: Σ_t c_t r_{i,t} − H_i ρ_i x^new_i ≤ H_i ρ_i X̄_i with c_t = w_t (dispatch: a year)
    or c = Δt (event scope: all peak days together)."""
    table = case.table(FAMILY)
    cap = annual_hours(table)
    limited = np.flatnonzero(np.isfinite(cap))
    if limited.size == 0:
        return
    scale = cap[limited] * rho[limited]
    per_hour = case.weights[scope.hours] if scope.is_dispatch else scope.dt
    entries = [(np.repeat(np.arange(limited.size), scope.n), r[limited].ravel(),
                np.tile(per_hour, limited.size)),
               (np.arange(limited.size), enrol.new_col[limited], -scale)]
    m.add_rows(scope.var(FAMILY, "annual_hours"), (table.index[limited],), entries, "<=",
               scale * enrol.existing[limited])

