"""Whole events of the full reduction: the ``indivisible`` rows of a DR family (a MIP).

Formulation: ``models/interruptible.md`` ("Indivisible rows"), shared by the families whose
table has the columns ``indivisible``, ``min_hours_per_event``, ``max_hours_per_event``,
``max_events_per_yr`` and ``notice_h`` (interruptible, shiftable). For an indivisible row i
with reduction r_{i,t} (MW), binary u_{i,t} (``<family>.activated``) and s_{i,t}
(``<family>.start``), M_i = ρ_i P^pot_i if extendable else ρ_i X̄_i, k_i = max(1, ⌈m_i/Δt⌉),
n_i = ⌊h_i/Δt⌋:

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
from gridopt.case.cells import noun_of
from gridopt.components._dr import Enrolment, Scope, previous, seconds
from gridopt.model.arrays import ArrayModel


def add_whole_events(m: ArrayModel, case: Case, family: str, scope: Scope, r: np.ndarray,
                     enrol: Enrolment, rho: np.ndarray) -> None:
    """Binary activation u_{i,t} and event start s_{i,t} of every indivisible row: r_{i,t} =
    ρ_i X_i u_{i,t} (big-M M_i = ρ_i P^pot_i when extendable), whole events of k_i..n_i
    snapshots, starts only after the notice (dispatch) and at most N^ev_i starts."""
    table = case.table(family)
    which = np.flatnonzero(table["indivisible"].to_numpy(bool))
    if which.size == 0:
        return
    _check_equal_steps(case, scope, family, table, which)
    idx = table.index[which]
    coords = (idx, scope.labels)
    k_min = np.maximum(np.ceil(table["min_hours_per_event"].to_numpy(float)[which]
                               / case.step_h - 1e-9), 1).astype(np.int64)
    u = m.add_variables(scope.var(family, "activated"), coords, 0.0, 1.0, integer=True).index()
    s = m.add_variables(scope.var(family, "start"), coords, 0.0,
                        _start_allowed(case, scope, table, which, k_min), integer=True).index()
    big = rho[which] * np.where(table["extendable"].to_numpy(bool),
                                table["potential_mw"].to_numpy(float), enrol.existing)[which]
    big_col = big[:, None]
    m.add_constraints(scope.var(family, "indivisible_upper"), coords,
                      [(r[which], 1.0), (u, -big_col)], "<=", 0.0)
    m.add_constraints(scope.var(family, "indivisible_lower"), coords,
                      [(r[which], 1.0), (enrol.new_col[which][:, None], -rho[which][:, None]),
                       (u, -big_col)], ">=", (rho * enrol.existing)[which][:, None] - big_col)
    before = previous(u, scope, cyclic=False)
    m.add_constraints(scope.var(family, "start_lower"), coords,
                      [(s, 1.0), (u, -1.0), (before, 1.0)], ">=", 0.0)
    m.add_constraints(scope.var(family, "start_upper"), coords, [(s, 1.0), (u, -1.0)], "<=", 0.0)
    m.add_constraints(scope.var(family, "start_after_rest"), coords,
                      [(s, 1.0), (before, 1.0)], "<=", 1.0)
    _add_run_rows(m, scope, family, "min_duration", idx, s, u, k_min)
    n_max = np.floor(table["max_hours_per_event"].to_numpy(float)[which] / case.step_h + 1e-9)
    _add_run_rows(m, scope, family, "max_duration", idx, u, None, n_max)
    _add_event_count(m, scope, case, family, table, which, s)


def _check_equal_steps(case: Case, scope: Scope, family: str, table: pd.DataFrame,
                       which: np.ndarray) -> None:
    """Whole events are counted in snapshots of one length Δt: segments are refused."""
    if np.allclose(scope.dt, case.step_h):
        return
    raise CaseError([Problem(f"{family}.csv", int(i) + 2, "indivisible", "indivisible-segments",
                             f"{noun_of(family)} load '{table.index[i]}' is indivisible, which "
                             "needs snapshots of equal length; segmented periods give them "
                             "variable lengths (plan without --segments)") for i in which])


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


def _add_run_rows(m: ArrayModel, scope: Scope, family: str, quantity: str, idx: pd.Index,
                  s: np.ndarray, u: np.ndarray | None, length: np.ndarray) -> None:
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
        m.add_rows(scope.var(family, quantity), (pd.Index(labels, name="run"),), entries, "<=",
                   np.asarray(rhs))


def _add_event_count(m: ArrayModel, scope: Scope, case: Case, family: str, table: pd.DataFrame,
                     which: np.ndarray, s: np.ndarray) -> None:
    """``event_count[i]``: Σ_t (w_t / Δt_t) s_{i,t} ≤ N^ev_i (dispatch, starts per year) or
    Σ_t s_{i,t} ≤ N^ev_i over all peak days together (event scope)."""
    events = table["max_events_per_yr"].to_numpy(float)[which]
    limited = np.flatnonzero(np.isfinite(events))
    if limited.size == 0:
        return
    per_start = case.weights[scope.hours] / scope.dt if scope.is_dispatch else np.ones(scope.n)
    m.add_rows(scope.var(family, "event_count"), (table.index[which[limited]],),
               [(np.arange(limited.size)[:, None], s[limited], per_start[None, :])], "<=",
               events[limited])
