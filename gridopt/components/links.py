"""Links: power taken at one bus and delivered, times an efficiency, at others (PyPSA's Link).
See ``models/links.md``.

For link l and snapshot t, with P_l = P̄_l + p^new_l and p_{l,t} the power taken at bus0:

- injections: −p_{l,t} at bus0, +η¹_l p_{l,t} at bus1, +η²_l p_{l,t} at bus2, +η³_l p_{l,t}
  at bus3 (η² or η³ < 0: an extra input, e.g. CO2 or gas drawn)
- ``links.p_upper``: p_{l,t} ≤ a_{l,t} P_l; ``links.p_lower``: p_{l,t} ≥ min(p^min_l, a_{l,t}) P_l
  (variable bounds when l is not extendable)
- reversible links (p^min_l < 0): the backward flow q_{l,t} ≥ 0 (``links.p_back``) with
  ``links.back_lower``: q_{l,t} + p_{l,t} ≥ 0 and ``links.back_upper``: q_{l,t} ≤ −p^min_l P_l;
  injections −(1 − η¹_l) q_{l,t} at bus0 and at bus1, so that a flow backwards loses 1 − η¹
  of what bus1 sends, as a flow forwards does of what bus0 sends
- ``links.ramp_up``: p_{l,t} − p_{l,t−1} ≤ r^up_l τ_t P_l; ``links.ramp_down``: the reverse
  (as for generators: every snapshot but a window's first, rows only where r τ_t < 1)
- objective: Σ_t w_t c_l (p_{l,t} + 2 q_{l,t}) + (CRF_l C^cap_l + C^fom_l) p^new_l + C^fom_l P̄_l
  (c per MWh taken at the sending bus: p + q forwards, q backwards)
"""

from __future__ import annotations

import numpy as np

from gridopt.case.case import Case
from gridopt.case.series import element_series
from gridopt.components._common import annuity, bus_positions, extendable_columns
from gridopt.components._dr import dispatch_scope, previous
from gridopt.model.arrays import ArrayModel

FAMILY = "links"
#: Extra outputs: (bus column, efficiency column).
OUTPUTS = (("bus1", "efficiency"), ("bus2", "efficiency2"), ("bus3", "efficiency3"))


def availability(case: Case) -> np.ndarray:
    """a_{l,t}: ``link_availability_pu.csv`` where given, else ``p_max_pu`` (L × T)."""
    links = case.table(FAMILY)
    return element_series(case.series.get("link_availability_pu"), links.index,
                          case.n_snapshots, links["p_max_pu"].to_numpy(float)).T


def add_links(m: ArrayModel, case: Case) -> None:
    """Add the flows, new capacity, their limits, costs and injections of all links."""
    links = case.table(FAMILY)
    if links.empty:
        return
    avail = availability(case)
    p_nom = links["p_nom_mw"].to_numpy(float)
    ext = links["extendable"].to_numpy(bool)
    low_pu = np.minimum(links["p_min_pu"].to_numpy(float)[:, None], avail)
    fixed = (~ext)[:, None]
    upper = np.where(fixed, avail * p_nom[:, None], np.inf)
    lower = np.where(fixed, low_pu * p_nom[:, None], np.where(low_pu < 0, -np.inf, 0.0))
    coords = (links.index, case.snapshots)
    p = m.add_variables(f"{FAMILY}.p", coords, lower, upper).index()
    new = m.add_variables(f"{FAMILY}.p_new", (links.index[ext],), 0.0,
                          links["p_nom_max_mw"].to_numpy(float)[ext] - p_nom[ext]).index()
    new_col = extendable_columns(len(links), ext, new)
    if ext.any():
        _add_capacity_limits(m, case, p[ext], new, avail[ext], low_pu[ext], p_nom[ext])
    _add_ramps(m, case, p, new_col)
    back = _add_backward(m, case, p, new_col)
    _add_injections(m, case, p, back)
    _add_costs(m, case, p, back, new_col)


def reversible(case: Case) -> np.ndarray:
    """Whether each link may run backwards (p^min < 0)."""
    return case.table(FAMILY)["p_min_pu"].to_numpy(float) < 0


def _add_capacity_limits(m: ArrayModel, case: Case, p: np.ndarray, new: np.ndarray,
                         avail: np.ndarray, low_pu: np.ndarray, p_nom: np.ndarray) -> None:
    """p − a p^new ≤ a P̄ (``p_upper``) and p − min(p^min, a) p^new ≥ min(p^min, a) P̄
    (``p_lower``, only for links with a nonzero floor)."""
    names = m.var_blocks[f"{FAMILY}.p_new"].coords[0]
    m.add_constraints(f"{FAMILY}.p_upper", (names, case.snapshots),
                      [(p, 1.0), (new[:, None], -avail)], "<=", avail * p_nom[:, None])
    floor = (low_pu != 0).any(axis=1)
    if floor.any():
        m.add_constraints(f"{FAMILY}.p_lower", (names[floor], case.snapshots),
                          [(p[floor], 1.0), (new[floor][:, None], -low_pu[floor])], ">=",
                          low_pu[floor] * p_nom[floor][:, None])


def _add_backward(m: ArrayModel, case: Case, p: np.ndarray, new_col: np.ndarray) -> np.ndarray:
    """q ≥ 0 for reversible links with q + p ≥ 0 and q ≤ −p^min P (R × T columns)."""
    links = case.table(FAMILY)
    rev = reversible(case)
    names = links.index[rev]
    if not rev.any():
        return np.zeros((0, case.n_snapshots), dtype=np.int64)
    p_min = links["p_min_pu"].to_numpy(float)[rev]
    p_nom = links["p_nom_mw"].to_numpy(float)[rev]
    ext = new_col[rev] >= 0
    q_up = np.where(ext, np.inf, -p_min * p_nom)[:, None]
    q = m.add_variables(f"{FAMILY}.p_back", (names, case.snapshots), 0.0, q_up).index()
    m.add_constraints(f"{FAMILY}.back_lower", (names, case.snapshots),
                      [(q, 1.0), (p[rev], 1.0)], ">=", 0.0)
    if ext.any():
        m.add_constraints(f"{FAMILY}.back_upper", (names[ext], case.snapshots),
                          [(q[ext], 1.0), (new_col[rev][ext][:, None], p_min[ext][:, None])],
                          "<=", (-p_min * p_nom)[ext][:, None])
    return q


def _add_injections(m: ArrayModel, case: Case, p: np.ndarray, back: np.ndarray) -> None:
    """−p at bus0, η_k p at bus k, −(1 − η¹) q at bus0 and bus1 of reversible links."""
    links, buses = case.table(FAMILY), case.table("buses").index
    m.add_injection(FAMILY, p, bus_positions(buses, links["bus0"]), -1.0)
    for bus, eff in OUTPUTS:
        has = (links[bus] != "").to_numpy(bool)
        if not has.any():
            continue
        eta = links[eff].to_numpy(float)[has]
        # one injection per distinct efficiency (an injection has one sign)
        for value in np.unique(eta):
            rows = np.flatnonzero(has)[eta == value]
            m.add_injection(FAMILY, p[rows], bus_positions(buses, links[bus].iloc[rows]), value)
    rev = np.flatnonzero(reversible(case))
    for k, i in enumerate(rev):
        loss = 1.0 - float(links["efficiency"].iloc[i])
        if loss == 0.0:
            continue
        for bus in ("bus0", "bus1"):
            m.add_injection(FAMILY, back[k : k + 1], bus_positions(buses, links[bus].iloc[[i]]),
                            -loss)


def _add_ramps(m: ArrayModel, case: Case, p: np.ndarray, new_col: np.ndarray) -> None:
    """Rows p_t − p_{t−1} − r^up τ_t p^new ≤ r^up τ_t P̄ (``ramp_up``) and the reverse
    (``ramp_down``) within each window of the dispatch scope; τ_t = (Δt_{t−1} + Δt_t) / 2 as
    for generators (:func:`gridopt.components.generators._add_ramps`)."""
    links = case.table(FAMILY)
    scope = dispatch_scope(case)
    later = ~scope.first_of_window()
    if not later.any():
        return
    dt = scope.dt
    gap = (0.5 * (np.roll(dt, 1) + dt))[later]
    cur, prev = p[:, later], previous(p, scope, cyclic=False)[:, later]
    p_nom = links["p_nom_mw"].to_numpy(float)
    # p swings at most from min(p^min, 0) to 1 per unit: a limit at or above that cannot bind
    swing = 1.0 - np.minimum(links["p_min_pu"].to_numpy(float), 0.0)
    for quantity, sign in (("ramp_up", 1.0), ("ramp_down", -1.0)):
        step = links[f"{quantity}_pu_per_h"].to_numpy(float)[:, None] * gap[None, :]
        lim = np.flatnonzero((step < swing[:, None]).any(axis=1))
        if lim.size == 0:
            continue
        m.add_constraints(f"{FAMILY}.{quantity}", (links.index[lim], case.snapshots[later]),
                          [(cur[lim], sign), (prev[lim], -sign),
                           (new_col[lim][:, None], -step[lim])],
                          "<=", step[lim] * p_nom[lim][:, None])


def _add_costs(m: ArrayModel, case: Case, p: np.ndarray, back: np.ndarray,
               new_col: np.ndarray) -> None:
    """w c p (+ 2 w c q for reversible links), CRF C^cap p^new, C^fom (P̄ + p^new)."""
    links = case.table(FAMILY)
    names = links.index.to_numpy(dtype=object)
    cost = links["marginal_cost_per_mwh"].to_numpy(float)
    m.add_cost(FAMILY, "marginal", p, case.weights[None, :] * cost[:, None], names[:, None])
    rev = reversible(case)
    if rev.any():
        m.add_cost(FAMILY, "marginal", back, 2.0 * case.weights[None, :] * cost[rev][:, None],
                   names[rev][:, None])
    ext = new_col >= 0
    crf = annuity(case.discount_rate, links["lifetime_yr"].to_numpy(float))
    fom = links["fom_per_mw_yr"].to_numpy(float)
    m.add_cost(FAMILY, "capital", new_col[ext], (crf * links["capex_per_mw"].to_numpy())[ext],
               names[ext])
    m.add_cost(FAMILY, "fixed_om", new_col[ext], fom[ext], names[ext])
    for name, value in zip(names, fom * links["p_nom_mw"].to_numpy(float), strict=True):
        m.add_constant_cost(FAMILY, "fixed_om", name, value)

