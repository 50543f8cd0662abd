"""Storage: charge, discharge, state of charge, power and energy. See ``models/storage.md``.

For store s and snapshot t, with P_s = P̄_s + p^new_s, E_s = Ē_s + e^new_s and Δt the step:

- ``storage.soc_balance``:
  e_{s,t} = (1 − λ_s)^Δt · e_{s,t−1} + η^c_s Δt · c_{s,t} − Δt/η^d_s · d_{s,t},
  with e_{s,−1} = e_{s,T−1} (cyclic) or e_{s,−1} = σ_s · Ē_s (given initial state, a share of
  the existing energy capacity: new capacity starts empty)
- ``storage.charge_upper`` c ≤ P, ``storage.discharge_upper`` d ≤ P, ``storage.soc_upper`` e ≤ E
- ``storage.duration``: e^new_s = h_s · p^new_s (fixed duration)
- with representative periods the balance runs within each period, cyclic there, or (linked)
  relative to the period's start with the state carried through the original sequence of
  periods (:func:`_add_linked_soc`)
- objective: Σ_t w C^vom_s d_{s,t} + CRF_s (C^P_s p^new_s + C^E_s e^new_s) + C^fom_s P_s
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.components._common import (
    annuity,
    bus_positions,
    extendable_columns,
    segment_gain,
)
from gridopt.components._dr import dispatch_scope, previous
from gridopt.model.arrays import ArrayModel

FAMILY = "storage"


def energy_capacity(stores: pd.DataFrame) -> np.ndarray:
    """Ē_s: the given energy capacity, or P̄_s · h_s when only a duration is given."""
    e_nom = stores["e_nom_mwh"].to_numpy()
    by_duration = stores["p_nom_mw"].to_numpy() * stores["duration_h"].to_numpy()
    return np.where((e_nom == 0) & ~np.isnan(by_duration), by_duration, e_nom)


def keep_over(case: Case, hours: object, family: str = FAMILY) -> np.ndarray:
    """κ_s(h) = (1 − λ_s)^h: the share of stored energy each store keeps over ``hours``
    (S × shape of ``hours``; over one snapshot: κ_{s,t} = (1 − λ_s)^{Δt_t}); ``family``: the
    table with ``standing_loss_per_h`` (``storage``, or ``stores``)."""
    hours = np.asarray(hours, float)
    loss = case.table(family)["standing_loss_per_h"].to_numpy()
    return (1.0 - loss).reshape((-1,) + (1,) * hours.ndim) ** hours[None]


def add_storage(m: ArrayModel, case: Case) -> None:
    """Add charge, discharge, state of charge, new capacity, their limits and costs."""
    st = case.table(FAMILY)
    if st.empty:
        return
    ext = st["extendable"].to_numpy(bool)
    p_nom, e_nom = st["p_nom_mw"].to_numpy(), energy_capacity(st)
    coords = (st.index, case.snapshots)
    fixed = (~ext)[:, None]
    p_up = np.where(fixed, p_nom[:, None], np.inf)
    c = m.add_variables(f"{FAMILY}.charge", coords, 0.0, p_up).index()
    d = m.add_variables(f"{FAMILY}.discharge", coords, 0.0, p_up).index()
    linked = case.periods is not None and case.periods.linked
    e_up = np.where(fixed, e_nom[:, None], np.inf)
    # linked periods: e is the state relative to the period's start (δ), of either sign
    e = m.add_variables(f"{FAMILY}.soc", coords, -np.inf if linked else 0.0,
                        np.inf if linked else e_up).index()
    names = st.index[ext]
    p_new = m.add_variables(f"{FAMILY}.p_new", (names,), 0.0,
                            st["p_nom_max_mw"].to_numpy()[ext] - p_nom[ext]).index()
    e_new = m.add_variables(f"{FAMILY}.e_new", (names,), 0.0,
                            st["e_nom_max_mwh"].to_numpy()[ext] - e_nom[ext]).index()
    e_new_col = extendable_columns(len(st), ext, e_new)
    _add_soc_balance(m, case, c, d, e, e_nom)
    if ext.any():
        _add_capacity_limits(m, case, c[ext], d[ext], None if linked else e[ext], p_new, e_new,
                             p_nom[ext], e_nom[ext])
    if linked:
        _add_linked_soc(m, case, e, e_nom, e_new_col)
    bus = bus_positions(case.table("buses").index, st["bus"])
    m.add_injection(FAMILY, d, bus, 1.0)
    m.add_injection(FAMILY, c, bus, -1.0)
    _add_costs(m, case, d, extendable_columns(len(st), ext, p_new), e_new_col)


def _add_soc_balance(m: ArrayModel, case: Case, c: np.ndarray, d: np.ndarray, e: np.ndarray,
                     e_nom: np.ndarray) -> None:
    """e_t = κ_t e_{t−1} + η^c g_t Δt_t c_t − g_t Δt_t/η^d d_t within each window (the horizon,
    or each representative period; g_t = 1 but in segments of lossy stores, see
    :func:`~gridopt.components._common.segment_gain`). At a window's first hour e_{t−1} is the
    window's last hour (cyclic; every store in unlinked periods, since a given initial state
    would otherwise be counted once per period), σ Ē (given initial state, no periods: a share
    of the existing energy capacity, since new capacity starts empty) or 0
    (linked periods: e is relative to the period's start)."""
    st = case.table(FAMILY)
    hours = case.durations
    if case.periods is None or not case.periods.segmented:
        hours = hours[:1]  # one Δt for every snapshot: S × 1 coefficients, broadcast
    dt = hours[None, :] * segment_gain(st["standing_loss_per_h"].to_numpy(), hours, case.step_h)
    keep = keep_over(case, hours)
    scope = dispatch_scope(case)
    first = np.broadcast_to(scope.first_of_window(), e.shape)
    periods = case.periods
    cyclic = np.broadcast_to(st["cyclic"].to_numpy(bool)[:, None], e.shape)
    if periods is not None:  # linked: from 0 (relative state); not linked: cyclic per period
        cyclic = np.broadcast_to(not periods.linked, e.shape)
    starts_here = first & ~cyclic  # rows that start from a given state (σ Ē, or 0 if linked)
    prev = previous(e, scope, cyclic=True)
    prev[starts_here] = -1
    given = starts_here & (periods is None)  # σ·Ē enters these rows
    sigma = st["soc_initial_pu"].to_numpy()[:, None]
    rhs = np.where(given, keep * sigma * e_nom[:, None], 0.0)
    m.add_constraints(f"{FAMILY}.soc_balance", (st.index, case.snapshots), [
        (e, 1.0), (prev, -keep),
        (c, -st["eff_charge"].to_numpy()[:, None] * dt),
        (d, dt / st["eff_discharge"].to_numpy()[:, None]),
    ], "==", rhs)


def _add_linked_soc(m: ArrayModel, case: Case, e: np.ndarray, e_nom: np.ndarray,
                    e_new_col: np.ndarray, family: str = FAMILY,
                    initial: str = "soc_initial_pu") -> None:
    """State of charge carried through the original sequence of periods (Kotzur et al., 2018).

    ``family`` names the table and the blocks (``storage``, or ``stores`` for energy-only
    stores, whose initial level is the column ``initial``: ``e_initial_pu``).

    With S_{s,d} the state at the start of original period d, k(d) its representative period,
    δ the state relative to the period's start (``storage.soc``), κ_s(h) = (1 − λ_s)^h and
    L Δt the hours of a period:

    - ``storage.soc_link``: S_{d+1} = κ(L Δt) S_d + δ_{k(d),last} (cyclic: S_0 follows S_{N−1};
      otherwise S_0 = σ Ē, new capacity starting empty)
    - ``storage.delta_upper`` / ``delta_lower``: δ_{k,τ} ≤ δ^max_k, δ_{k,τ} ≥ δ^min_k
      (variables ``storage.delta_max`` / ``delta_min``)
    - ``storage.start_upper``: κ(Δt_first) S_d + δ^max_{k(d)} ≤ E (Δt_first: the period's first
      snapshot); ``storage.start_lower``: κ(L Δt) S_d + δ^min_{k(d)} ≥ 0 (exact without
      standing loss, conservative with it)
    """
    st, p = case.table(family), case.periods
    n_st, n_orig = len(st), p.n_original
    first_idx, last_idx = p.bounds()
    keep_period = keep_over(case, p.length * case.step_h, family)  # κ(L Δt), S
    keep_first = keep_over(case, case.durations[first_idx][p.sequence], family)  # S × N
    starts = pd.Index(p.starts, name="period")
    s_var = m.add_variables(f"{family}.soc_start", (st.index, starts), 0.0).index()
    reps = pd.RangeIndex(p.n_periods, name="period")
    hi = m.add_variables(f"{family}.delta_max", (st.index, reps), -np.inf).index()
    lo = m.add_variables(f"{family}.delta_min", (st.index, reps), -np.inf).index()
    period = p.period_of()
    m.add_constraints(f"{family}.delta_upper", (st.index, case.snapshots),
                      [(e, 1.0), (hi[:, period], -1.0)], "<=", 0.0)
    m.add_constraints(f"{family}.delta_lower", (st.index, case.snapshots),
                      [(e, 1.0), (lo[:, period], -1.0)], ">=", 0.0)
    last = e[:, last_idx[p.sequence]]  # δ at the end of each original period
    cyclic = st["cyclic"].to_numpy(bool)[:, None]
    before = np.roll(s_var, 1, axis=1)
    first = np.zeros((n_st, n_orig), bool)
    first[:, 0] = True
    given = first & ~cyclic
    sigma = st[initial].to_numpy()[:, None]
    m.add_constraints(f"{family}.soc_link", (st.index, starts), [
        (s_var, 1.0), (np.where(given, -1, before), -keep_period[:, None]),
        (np.where(given, -1, np.roll(last, 1, axis=1)), -1.0),
    ], "==", np.where(given, sigma * e_nom[:, None], 0.0))
    new = np.broadcast_to(e_new_col[:, None], (n_st, n_orig))
    m.add_constraints(f"{family}.start_upper", (st.index, starts),
                      [(s_var, keep_first), (hi[:, p.sequence], 1.0), (new, -1.0)], "<=",
                      e_nom[:, None])
    m.add_constraints(f"{family}.start_lower", (st.index, starts),
                      [(s_var, keep_period[:, None]), (lo[:, p.sequence], 1.0)], ">=", 0.0)


def _add_capacity_limits(m: ArrayModel, case: Case, c: np.ndarray, d: np.ndarray,
                         e: np.ndarray | None, p_new: np.ndarray, e_new: np.ndarray,
                         p_nom: np.ndarray, e_nom: np.ndarray) -> None:
    st = case.table(FAMILY)
    ext = st["extendable"].to_numpy(bool)
    coords = (st.index[ext], case.snapshots)
    pn, en = p_new[:, None], e_new[:, None]
    m.add_constraints(f"{FAMILY}.charge_upper", coords, [(c, 1.0), (pn, -1.0)], "<=",
                      p_nom[:, None])
    m.add_constraints(f"{FAMILY}.discharge_upper", coords, [(d, 1.0), (pn, -1.0)], "<=",
                      p_nom[:, None])
    if e is not None:  # (linked periods bound the state through storage.start_upper)
        m.add_constraints(f"{FAMILY}.soc_upper", coords, [(e, 1.0), (en, -1.0)], "<=",
                          e_nom[:, None])
    hours = st["duration_h"].to_numpy()[ext]
    has = ~np.isnan(hours)
    if has.any():
        m.add_constraints(f"{FAMILY}.duration", (st.index[ext][has],),
                          [(e_new[has], 1.0), (p_new[has], -hours[has])], "==", 0.0)


def _add_costs(m: ArrayModel, case: Case, d: np.ndarray, p_new_col: np.ndarray,
               e_new_col: np.ndarray) -> None:
    st = case.table(FAMILY)
    names = st.index.to_numpy(dtype=object)
    m.add_cost(FAMILY, "operating", d, case.weights * st["vom_per_mwh"].to_numpy()[:, None],
               names[:, None])
    ext = p_new_col >= 0
    crf = annuity(case.discount_rate, st["lifetime_yr"].to_numpy())
    fom = st["fom_per_mw_yr"].to_numpy()
    m.add_cost(FAMILY, "capital", p_new_col[ext], (crf * st["capex_per_mw"].to_numpy())[ext],
               names[ext])
    m.add_cost(FAMILY, "capital", e_new_col[ext], (crf * st["capex_per_mwh"].to_numpy())[ext],
               names[ext])
    m.add_cost(FAMILY, "fixed_om", p_new_col[ext], fom[ext], names[ext])
    for name, value in zip(names, fom * st["p_nom_mw"].to_numpy(), strict=True):
        m.add_constant_cost(FAMILY, "fixed_om", name, value)
