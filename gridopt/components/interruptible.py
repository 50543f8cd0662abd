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

Rows with ``indivisible`` true (a MIP): binary u_{i,t} (``activated``) and s_{i,t} (``start``),
M_i = ρ_i P^pot_i if extendable else ρ_i X̄_i, k_i = max(1, ⌈m_i/Δt⌉), n_i = ⌊h_i/Δt⌋:

- ``indivisible_upper``: r_{i,t} ≤ M_i u_{i,t};
  ``indivisible_lower``: r_{i,t} ≥ ρ_i X_i − M_i (1 − u_{i,t})
- ``start_lower``: s_{i,t} ≥ u_{i,t} − u_{i,t−1}; ``start_upper``: s_{i,t} ≤ u_{i,t};
  ``start_after_rest``: s_{i,t} + u_{i,t−1} ≤ 1 (s is exactly an event's start)
- ``min_duration``: Σ_{τ=t−k_i+1}^{t} s_{i,τ} ≤ u_{i,t}; s_{i,t} = 0 where < k_i snapshots remain
- ``max_duration``: Σ_{τ=t}^{t+n_i} u_{i,τ} ≤ n_i
- notice (dispatch): s_{i,t} = 0 in the first ``notice_h`` hours of a window
- ``event_count``: Σ_t (w_t/Δt_t) s_{i,t} ≤ N^ev_i (dispatch), Σ_t s_{i,t} ≤ N^ev_i (event scope)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case, CaseError, Problem
from gridopt.components._dr import (
    Enrolment,
    Scope,
    add_dispatch_terms,
    add_enrolment,
    previous,
    register_response,
    seconds,
)
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
    _add_indivisible(m, case, scope, r, enrol, rho[:, 0])
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


# -- indivisible rows: whole events of the full reduction (a MIP; models/interruptible.md) ----
def _add_indivisible(m: ArrayModel, case: Case, scope: Scope, r: np.ndarray, enrol: Enrolment,
                     rho: np.ndarray) -> None:
    """Binary activation u_{i,t} and event start s_{i,t} of every indivisible row: r_{i,t} =
    ρ_i X_i u_{i,t} (big-M M_i = ρ_i P^pot_i when extendable), whole events of k_i..n_i
    snapshots, starts only after the notice (dispatch) and at most N^ev_i starts."""
    table = case.table(FAMILY)
    which = np.flatnonzero(table["indivisible"].to_numpy(bool))
    if which.size == 0:
        return
    _check_equal_steps(case, scope, table, which)
    idx = table.index[which]
    coords = (idx, scope.labels)
    k_min = np.maximum(np.ceil(table["min_hours_per_event"].to_numpy(float)[which]
                               / case.step_h - 1e-9), 1).astype(np.int64)
    u = m.add_variables(scope.var(FAMILY, "activated"), coords, 0.0, 1.0, integer=True).index()
    s = m.add_variables(scope.var(FAMILY, "start"), coords, 0.0,
                        _start_allowed(case, scope, table, which, k_min), integer=True).index()
    big = rho[which] * np.where(table["extendable"].to_numpy(bool),
                                table["potential_mw"].to_numpy(float), enrol.existing)[which]
    big_col = big[:, None]
    m.add_constraints(scope.var(FAMILY, "indivisible_upper"), coords,
                      [(r[which], 1.0), (u, -big_col)], "<=", 0.0)
    m.add_constraints(scope.var(FAMILY, "indivisible_lower"), coords,
                      [(r[which], 1.0), (enrol.new_col[which][:, None], -rho[which][:, None]),
                       (u, -big_col)], ">=", (rho * enrol.existing)[which][:, None] - big_col)
    before = previous(u, scope, cyclic=False)
    m.add_constraints(scope.var(FAMILY, "start_lower"), coords,
                      [(s, 1.0), (u, -1.0), (before, 1.0)], ">=", 0.0)
    m.add_constraints(scope.var(FAMILY, "start_upper"), coords, [(s, 1.0), (u, -1.0)], "<=", 0.0)
    m.add_constraints(scope.var(FAMILY, "start_after_rest"), coords,
                      [(s, 1.0), (before, 1.0)], "<=", 1.0)
    _add_run_rows(m, scope, "min_duration", idx, s, u, k_min)
    n_max = np.floor(table["max_hours_per_event"].to_numpy(float)[which] / case.step_h + 1e-9)
    _add_run_rows(m, scope, "max_duration", idx, u, None, n_max)
    _add_event_count(m, case, scope, table, which, s)


def _check_equal_steps(case: Case, scope: Scope, table: pd.DataFrame, which: np.ndarray) -> None:
    """Whole events are counted in snapshots of one length Δt: segments are refused."""
    if np.allclose(scope.dt, case.step_h):
        return
    raise CaseError([Problem(f"{FAMILY}.csv", int(i) + 2, "indivisible", "indivisible-segments",
                             f"interruptible load '{table.index[i]}' is indivisible, which needs "
                             "snapshots of equal length; segmented periods give them variable "
                             "lengths (plan without --segments)") for i in which])


def _start_allowed(case: Case, scope: Scope, table: pd.DataFrame, which: np.ndarray,
                   k_min: np.ndarray) -> np.ndarray:
    """Upper bound of s_{i,t}: 0 where fewer than k_i snapshots remain in t's window (an event
    could not last its minimum) or, in dispatch, within the notice n_i of the window's start."""
    pos = np.arange(scope.n)
    last = np.flatnonzero(scope.last_of_window())
    remaining = last[np.searchsorted(last, pos)] - pos + 1
    ok = remaining[None, :] >= k_min[:, None]
    if scope.is_dispatch:
        notice = seconds(table["notice_h"].to_numpy(float)[which])
        ok &= scope.elapsed()[None, :] >= notice[:, None]
    return ok.astype(float)


def _add_run_rows(m: ArrayModel, scope: Scope, quantity: str, idx: pd.Index, s: np.ndarray,
                  u: np.ndarray | None, length: np.ndarray) -> None:
    """``min_duration`` (u given): Σ_{τ=t−k+1}^{t} s_τ − u_t ≤ 0, an event started in the last
    k snapshots of t's window is still on; ``max_duration`` (u None): Σ_{τ=t}^{t+n} u_τ ≤ n
    over every n + 1 consecutive snapshots of a window. Non-finite n, or k = 1: no rows."""
    pos, window = np.arange(scope.n), scope.window
    entries, labels, rhs = [], [], []
    for e, size in enumerate(length):
        if not np.isfinite(size) or (u is not None and size <= 1):
            continue
        if u is not None:  # a row per t over t−k+1..t, cut at the window's start
            rows_t = pos
            members = pos[:, None] - np.arange(int(size))[None, :]
        else:  # a row per run of n + 1 snapshots that ends inside its window
            span = int(size) + 1
            rows_t = pos[:scope.n - span + 1] if scope.n >= span else pos[:0]
            rows_t = rows_t[window[rows_t] == window[rows_t + span - 1]]
            members = rows_t[:, None] + np.arange(span)[None, :]
        if rows_t.size == 0:
            continue
        held = (members >= 0) & (window[np.maximum(members, 0)] == window[rows_t][:, None])
        local = len(rhs) + np.arange(rows_t.size)
        entries.append((local[:, None], np.where(held, s[e][np.maximum(members, 0)], -1), 1.0))
        if u is not None:
            entries.append((local, u[e][rows_t], -1.0))
        rhs.extend([0.0 if u is not None else float(size)] * rows_t.size)
        labels.extend(f"{idx[e]}|{scope.labels[t]}" for t in rows_t)
    if entries:
        m.add_rows(scope.var(FAMILY, quantity), (pd.Index(labels, name="run"),), entries, "<=",
                   np.asarray(rhs))


def _add_event_count(m: ArrayModel, case: Case, scope: Scope, table: pd.DataFrame,
                     which: np.ndarray, s: np.ndarray) -> None:
    """``event_count[i]``: Σ_t (w_t / Δt_t) s_{i,t} ≤ N^ev_i (dispatch, starts per year) or
    Σ_t s_{i,t} ≤ N^ev_i over all peak days together (event scope)."""
    events = table["max_events_per_yr"].to_numpy(float)[which]
    limited = np.flatnonzero(np.isfinite(events))
    if limited.size == 0:
        return
    per_start = case.weights[scope.hours] / scope.dt if scope.is_dispatch else np.ones(scope.n)
    m.add_rows(scope.var(FAMILY, "event_count"), (table.index[which[limited]],),
               [(np.arange(limited.size)[:, None], s[limited], per_start[None, :])], "<=",
               events[limited])
