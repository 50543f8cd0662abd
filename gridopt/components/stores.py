"""Stores: energy-only stores on a bus of any carrier (PyPSA's Store). See ``models/stores.md``.

For store s and snapshot t, with E_s = Ē_s + e^new_s:

- ``stores.balance``: e_{s,t} = (1 − λ_s)^{Δt_t} e_{s,t−1} − g_{s,t} Δt_t p_{s,t}, with
  p_{s,t} (``stores.p``, free sign) the net withdrawal injected at the store's bus, and
  e_{s,−1} = e_{s,T−1} (cyclic) or σ_s Ē_s (given initial level; new capacity starts empty)
- ``stores.e_upper``: e_{s,t} ≤ E_s (a variable bound when s is not extendable)
- with representative periods the level runs within each period, cyclic there, or (linked)
  relative to the period's start with the level carried through the original sequence of
  periods, by the same rows as storage (:func:`gridopt.components.storage._add_linked_soc`:
  ``stores.soc_link``, ``stores.start_upper``, …)
- ``stores.out_lower``: p^out_{s,t} ≥ p_{s,t}, p^out ≥ 0 (``stores.p_out``, only for stores with
  a withdrawal cost)
- objective: Σ_t w_t c_s p^out_{s,t} + (CRF_s C^E_s + C^fom_s) e^new_s + C^fom_s Ē_s
"""

from __future__ import annotations

import numpy as np

from gridopt.case.case import Case
from gridopt.components._common import (
    annuity,
    bus_positions,
    extendable_columns,
    segment_gain,
)
from gridopt.components._dr import dispatch_scope, previous
from gridopt.components.storage import _add_linked_soc, keep_over
from gridopt.model.arrays import ArrayModel

FAMILY = "stores"


def add_stores(m: ArrayModel, case: Case) -> None:
    """Add levels, net withdrawals, new energy capacity, their limits, costs and injections."""
    st = case.table(FAMILY)
    if st.empty:
        return
    ext = st["extendable"].to_numpy(bool)
    e_nom = st["e_nom_mwh"].to_numpy(float)
    coords = (st.index, case.snapshots)
    linked = case.periods is not None and case.periods.linked
    # linked periods: e is the level relative to the period's start (δ), of either sign
    e_up = np.where(ext, np.inf, e_nom)[:, None]
    e = m.add_variables(f"{FAMILY}.e", coords, -np.inf if linked else 0.0,
                        np.inf if linked else e_up).index()
    p = m.add_variables(f"{FAMILY}.p", coords, -np.inf, np.inf).index()
    names = st.index[ext]
    e_new = m.add_variables(f"{FAMILY}.e_new", (names,), 0.0,
                            st["e_nom_max_mwh"].to_numpy(float)[ext] - e_nom[ext]).index()
    e_new_col = extendable_columns(len(st), ext, e_new)
    _add_balance(m, case, e, p, e_nom)
    if linked:
        _add_linked_soc(m, case, e, e_nom, e_new_col, family=FAMILY, initial="e_initial_pu")
    elif ext.any():
        m.add_constraints(f"{FAMILY}.e_upper", (names, case.snapshots),
                          [(e[ext], 1.0), (e_new[:, None], -1.0)], "<=", e_nom[ext][:, None])
    m.add_injection(FAMILY, p, bus_positions(case.table("buses").index, st["bus"]), 1.0)
    _add_costs(m, case, p, e_new_col)


def _add_balance(m: ArrayModel, case: Case, e: np.ndarray, p: np.ndarray,
                 e_nom: np.ndarray) -> None:
    """e_t − κ_t e_{t−1} + g_t Δt_t p_t = 0 within each window, as storage's state of charge
    (:func:`gridopt.components.storage._add_soc_balance`): at a window's first snapshot
    e_{t−1} is the window's last (cyclic; every store in unlinked periods), σ Ē (given initial
    level, no periods: on the right-hand side) or 0 (linked periods: e is relative)."""
    st = case.table(FAMILY)
    hours = case.durations
    if case.periods is None or not case.periods.segmented:
        hours = hours[:1]  # one Δt for every snapshot: S × 1 coefficients, broadcast
    dt = hours[None, :] * segment_gain(st["standing_loss_per_h"].to_numpy(), hours, case.step_h)
    keep = keep_over(case, hours, FAMILY)
    scope = dispatch_scope(case)
    first = np.broadcast_to(scope.first_of_window(), e.shape)
    periods = case.periods
    cyclic = np.broadcast_to(st["cyclic"].to_numpy(bool)[:, None], e.shape)
    if periods is not None:
        cyclic = np.broadcast_to(not periods.linked, e.shape)
    starts_here = first & ~cyclic
    prev = previous(e, scope, cyclic=True)
    prev[starts_here] = -1
    given = starts_here & (periods is None)
    sigma = st["e_initial_pu"].to_numpy(float)[:, None]
    rhs = np.where(given, keep * sigma * e_nom[:, None], 0.0)
    m.add_constraints(f"{FAMILY}.balance", (st.index, case.snapshots),
                      [(e, 1.0), (prev, -keep), (p, dt)], "==", rhs)


def _add_costs(m: ArrayModel, case: Case, p: np.ndarray, e_new_col: np.ndarray) -> None:
    """w c p^out (with p^out ≥ p, p^out ≥ 0), CRF C^E e^new, C^fom (Ē + e^new)."""
    st = case.table(FAMILY)
    names = st.index.to_numpy(dtype=object)
    cost = st["marginal_cost_per_mwh"].to_numpy(float)
    paid = cost > 0
    if paid.any():
        coords = (st.index[paid], case.snapshots)
        out = m.add_variables(f"{FAMILY}.p_out", coords, 0.0).index()
        m.add_constraints(f"{FAMILY}.out_lower", coords, [(out, 1.0), (p[paid], -1.0)], ">=",
                          0.0)
        m.add_cost(FAMILY, "marginal", out, case.weights[None, :] * cost[paid][:, None],
                   names[paid][:, None])
    ext = e_new_col >= 0
    crf = annuity(case.discount_rate, st["lifetime_yr"].to_numpy(float))
    fom = st["fom_per_mwh_yr"].to_numpy(float)
    m.add_cost(FAMILY, "capital", e_new_col[ext], (crf * st["capex_per_mwh"].to_numpy())[ext],
               names[ext])
    m.add_cost(FAMILY, "fixed_om", e_new_col[ext], fom[ext], names[ext])
    for name, value in zip(names, fom * st["e_nom_mwh"].to_numpy(float), strict=True):
        m.add_constant_cost(FAMILY, "fixed_om", name, value)
