"""Shiftable load (energy-intensive industry). See ``models/shiftable.md``.

For element i and hour t of a scope, with enrolled capacity X_i = X̄_i + x^new_i, participation
ρ_i, rebound κ_i, snapshot length Δt, shifting windows W (blocks of ``window_h`` inside the
scope's windows), maximum delay n^del_i and advance n^adv_i in snapshots:

- ``shiftable.reduce_upper``: d_{i,t} ≤ ρ_i X_i ;  ``shiftable.recover_upper``: u_{i,t} ≤ ρ_i X_i
- ``shiftable.energy_neutral``: Σ_{t ∈ W} u_{i,t} = (1 + κ_i) Σ_{t ∈ W} d_{i,t} for every window W
- ``shiftable.reduced_balance``: D_{i,t} = D_{i,t−1} + Δt d_{i,t}  (energy taken out so far in
  the window, D = 0 before its first hour)
- ``shiftable.recovered_balance``: S_{i,t} = S_{i,t−1} + Δt u_{i,t} / (1 + κ_i)  (energy put
  back so far, net of rebound); the backlog is b = D − S (GenX's deferred-demand state)
- ``shiftable.max_delay``: S_{i,t+n^del_i} ≥ D_{i,t}  ⇔  Σ_{τ=t+1}^{t+n^del} Δt u_τ/(1+κ) ≥ b_t
- ``shiftable.max_advance``: D_{i,t+n^adv_i} ≥ S_{i,t}  ⇔  Σ_{τ=t+1}^{t+n^adv} Δt d_τ ≥ −b_t
  (rows only where t + n lies inside the window, so D and S only when some limit is shorter
  than its window; n = 0 forbids that direction)
- response (load reduction) d_{i,t} − u_{i,t}; dispatch: injection +d −u at the element's bus,
  objective Σ_t w C^act_i d_{i,t}
- rows with ``indivisible`` true (a MIP): the down-shift d_{i,t} is ρ_i X_i in whole events
  or 0 (binary ``activated``/``start``, ``min_hours_per_event`` to ``max_hours_per_event``,
  notice, ``max_events_per_yr`` starts; :mod:`gridopt.components._events`); the recovery u
  stays continuous
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.components._dr import (
    Scope,
    add_dispatch_terms,
    add_enrolment,
    ahead,
    element_windows,
    first_of,
    previous_in,
    register_response,
)
from gridopt.components._events import add_whole_events
from gridopt.model.arrays import ArrayModel

FAMILY = "shiftable"


def add_shiftable(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Add the down-shift d and up-shift u of every shiftable load over ``scope``."""
    table = case.table(FAMILY)
    if table.empty or scope.n == 0:
        return
    enrol = add_enrolment(m, case, FAMILY)
    rho = table["participation"].to_numpy(float)[:, None]
    coords = (table.index, scope.labels)
    d = m.add_variables(scope.var(FAMILY, "reduce"), coords).index()
    u = m.add_variables(scope.var(FAMILY, "recover"), coords).index()
    for quantity, x in (("reduce_upper", d), ("recover_upper", u)):
        m.add_constraints(scope.var(FAMILY, quantity), coords, [(x, 1.0), *enrol.terms(rho)],
                          "<=", enrol.rhs(rho))
    window = element_windows(case, scope, table["window_h"].to_numpy(float))
    _add_energy_neutral(m, case, scope, d, u, window)
    _add_shift_limits(m, case, scope, d, u, window)
    add_whole_events(m, case, FAMILY, scope, d, enrol, rho[:, 0])
    if scope.is_dispatch:
        add_dispatch_terms(m, case, FAMILY, d, u)
    register_response(m, case, FAMILY, scope, [(d, 1.0), (u, -1.0)])


def row_labels(case: Case, family: str, scope: Scope, ii: np.ndarray,
               tt: np.ndarray, name: str = "hour") -> pd.Index:
    """Labels ``<element>|<YYYY-MM-DDTHH:MM>`` of ragged rows (element ii at scope hour tt)."""
    names = case.table(family).index.to_numpy(dtype=str)
    stamps = np.asarray(scope.labels.strftime("%Y-%m-%dT%H:%M"), dtype=str)
    return pd.Index(np.char.add(np.char.add(names[ii], "|"), stamps[tt]), name=name)


# -- shifting physics --------------------------------------------------------------------------
def _add_energy_neutral(m: ArrayModel, case: Case, scope: Scope, d: np.ndarray, u: np.ndarray,
                        window: np.ndarray) -> None:
    """Row (i, W): Σ_{t∈W} Δt_t u_{i,t} − (1 + κ_i) Σ_{t∈W} Δt_t d_{i,t} = 0."""
    kappa = case.table(FAMILY)["rebound_pu"].to_numpy(float)[:, None]
    dt = scope.dt[None, :]
    first = first_of(window)
    rank = np.cumsum(first, axis=1) - 1
    rows = np.r_[0, np.cumsum(rank[:, -1] + 1)[:-1]][:, None] + rank
    ii, tt = np.nonzero(first)
    m.add_rows(scope.var(FAMILY, "energy_neutral"),
               (row_labels(case, FAMILY, scope, ii, tt, "window"),),
               [(rows, u, dt), (rows, d, -(1.0 + kappa) * dt)], "==", 0.0)


def _add_shift_limits(m: ArrayModel, case: Case, scope: Scope, d: np.ndarray, u: np.ndarray,
                      window: np.ndarray) -> None:
    """Maximum delay and advance on the energy shifted so far in the window: D (taken out) and
    S (put back, net of rebound). Added only when some limit is shorter than its window."""
    table = case.table(FAMILY)
    limits = {}
    for quantity, column in (("max_delay", "max_delay_h"), ("max_advance", "max_advance_h")):
        limits[quantity] = ahead(scope, shift_hours(table[column].to_numpy(float), case.step_h),
                                 window)
    if all(ii.size == 0 for ii, _, _ in limits.values()):
        return
    coords = (table.index, scope.labels)
    dt = scope.dt[None, :]
    put_back = dt / (1.0 + table["rebound_pu"].to_numpy(float))[:, None]
    cum_d = m.add_variables(scope.var(FAMILY, "reduced"), coords).index()
    cum_u = m.add_variables(scope.var(FAMILY, "recovered"), coords).index()
    for quantity, cum, x, coef in (("reduced_balance", cum_d, d, dt),
                                   ("recovered_balance", cum_u, u, put_back)):
        m.add_constraints(scope.var(FAMILY, quantity), coords,
                          [(cum, 1.0), (previous_in(cum, window), -1.0), (x, -coef)], "==", 0.0)
    # delay: S_{t+n} ≥ D_t;  advance: D_{t+n} ≥ S_t  (t + n: the snapshot n hours on)
    for quantity, later, now in (("max_delay", cum_u, cum_d), ("max_advance", cum_d, cum_u)):
        ii, tt, target = limits[quantity]
        if ii.size:
            rows = np.arange(ii.size)
            m.add_rows(scope.var(FAMILY, quantity), (row_labels(case, FAMILY, scope, ii, tt),),
                       [(rows, later[ii, target], 1.0), (rows, now[ii, tt], -1.0)],
                       ">=", 0.0)


def shift_hours(hours: np.ndarray, step_h: float) -> np.ndarray:
    """The limit in whole snapshots of Δt, as hours (⌊h / Δt⌋ Δt); ∞ stays ∞ (no limit)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(hours), np.floor(hours / step_h + 1e-9) * step_h, np.inf)
