"""Generators: dispatch, new capacity, availability, must-run, ramps, costs.

See ``models/generators.md``.

For generator g and snapshot t, with total capacity P_g = P̄_g + p^new_g:

- ``generators.dispatch_upper``: p_{g,t} ≤ a_{g,t} · P_g
- ``generators.dispatch_lower``: p_{g,t} ≥ min(p^min_g, a_{g,t}) · P_g
- ``generators.ramp_up``: p_{g,t} − p_{g,t−1} ≤ r^up_g · τ_t · P_g
- ``generators.ramp_down``: p_{g,t−1} − p_{g,t} ≤ r^down_g · τ_t · P_g
  for every snapshot t but the first of the horizon (of each representative period), with
  τ_t = (Δt_{t−1} + Δt_t) / 2 the hours between the middles of the two snapshots (Δt with
  equal snapshots); rows only for generators with r_g τ_t < 1 in some snapshot
- ``generators.p_new_units``: p^new_g − S_g · n^new_g = 0 with n^new_g ∈ {0, 1, …} (variable
  ``generators.n_new``), for extendable g with a unit size S_g (``unit_size_mw``): new capacity
  in whole units (a MIP; blank S_g: continuous p^new_g)
- objective: Σ_t w · c_{g,t} · p_{g,t} + (CRF_g · C^cap_g + C^fom_g) · p^new_g + C^fom_g · P̄_g

For a generator that is not extendable the dispatch limits are variable bounds, not rows;
ramp limits are always rows (r^up, r^down: ``ramp_up_pu_per_h``, ``ramp_down_pu_per_h``, share
of P_g per hour; blank = inf = no limit). For a committable generator neither the must-run
floor nor these ramp rows are written: :mod:`gridopt.components.commitment` applies p^min and
the ramps per committed unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.series import element_series
from gridopt.components._common import annuity, bus_positions, extendable_columns
from gridopt.components._dr import dispatch_scope, previous
from gridopt.components.commitment import committable
from gridopt.model.arrays import ArrayModel

FAMILY = "generators"
#: Room for new units counts whole within this many units: (P^max − P̄) / S = 2.9999999999 → 3.
UNIT_TOLERANCE = 1e-9


def marginal_cost(case: Case) -> np.ndarray:
    """c_{g,t}: hourly price series where given, else fuel price × heat rate + VOM (T × G)."""
    gens = case.table(FAMILY)
    return element_series(case.series.get("price_per_mwh"), gens.index, case.n_snapshots,
                          gens["marginal_cost_per_mwh"].to_numpy(float))


def add_generators(m: ArrayModel, case: Case) -> None:
    """Add dispatch, new capacity, their limits, costs and injections of all generators."""
    gens = case.table(FAMILY)
    if gens.empty:
        return
    avail = case.series["availability_pu"][gens.index].to_numpy().T  # G × T
    p_nom = gens["p_nom_mw"].to_numpy()
    ext = gens["extendable"].to_numpy(bool)
    floor = np.where(committable(case), 0.0, gens["p_min_pu"].to_numpy())
    p_min = np.minimum(floor[:, None], avail)  # committable: per committed unit (commitment)
    fixed = (~ext)[:, None]
    upper = np.where(fixed, avail * p_nom[:, None], np.inf)
    lower = np.where(fixed, p_min * p_nom[:, None], 0.0)
    p = m.add_variables(f"{FAMILY}.dispatch", (gens.index, case.snapshots), lower, upper).index()
    new = m.add_variables(f"{FAMILY}.p_new", (gens.index[ext],), 0.0,
                          gens["p_nom_max_mw"].to_numpy()[ext] - p_nom[ext]).index()
    if ext.any():
        _add_capacity_limits(m, case, p[ext], new, avail[ext], p_min[ext], p_nom[ext])
        _add_unit_builds(m, gens[ext], new)
    new_col = extendable_columns(len(gens), ext, new)
    _add_ramps(m, case, p, new_col)
    m.add_injection(FAMILY, p, bus_positions(case.table("buses").index, gens["bus"]), 1.0)
    _add_costs(m, case, p, new_col)


def _add_capacity_limits(m: ArrayModel, case: Case, p: np.ndarray, new: np.ndarray,
                         avail: np.ndarray, p_min: np.ndarray, p_nom: np.ndarray) -> None:
    names = m.var_blocks[f"{FAMILY}.p_new"].coords[0]
    coords = (names, case.snapshots)
    m.add_constraints(f"{FAMILY}.dispatch_upper", coords,
                      [(p, 1.0), (new[:, None], -avail)], "<=", avail * p_nom[:, None])
    must = (p_min > 0).any(axis=1)
    if must.any():
        m.add_constraints(f"{FAMILY}.dispatch_lower", (names[must], case.snapshots),
                          [(p[must], 1.0), (new[must][:, None], -p_min[must])], ">=",
                          p_min[must] * p_nom[must][:, None])


def _add_unit_builds(m: ArrayModel, gens: pd.DataFrame, new: np.ndarray) -> None:
    """New capacity in whole units where ``unit_size_mw`` is given: integer n^new_g with
    0 ≤ n^new_g ≤ ⌊(P^max_g − P̄_g) / S_g⌋ and the row p^new_g − S_g n^new_g = 0."""
    size = gens["unit_size_mw"].to_numpy(float) if "unit_size_mw" in gens else np.array([])
    sized = np.flatnonzero(~np.isnan(size))
    if sized.size == 0:
        return
    room = (gens["p_nom_max_mw"].to_numpy(float) - gens["p_nom_mw"].to_numpy(float))[sized]
    most = np.floor(room / size[sized] + UNIT_TOLERANCE)  # inf without a cap
    names = gens.index[sized]
    n = m.add_variables(f"{FAMILY}.n_new", (names,), 0.0, most, integer=True).index()
    m.add_constraints(f"{FAMILY}.p_new_units", (names,), [(new[sized], 1.0), (n, -size[sized])],
                      "==", 0.0)


def _add_ramps(m: ArrayModel, case: Case, p: np.ndarray, new_col: np.ndarray) -> None:
    """Rows p_t − p_{t−1} − r^up τ_t p^new ≤ r^up τ_t P̄ (``ramp_up``) and p_{t−1} − p_t − …
    (``ramp_down``) at every snapshot but the first of each window of the dispatch scope (the
    horizon, or a representative period: no ramp across a period boundary, none cyclic).

    τ_t = (Δt_{t−1} + Δt_t) / 2 as for self-owned plants. Since 0 ≤ p_{g,t} ≤ a_{g,t} P_g ≤
    P_g, a limit r τ_t ≥ 1 cannot bind; a generator whose limit cannot bind in any snapshot
    (or has none, r = inf) gets no rows.
    """
    gens = case.table(FAMILY)
    scope = dispatch_scope(case)
    later = ~scope.first_of_window()
    if not later.any():
        return
    dt = scope.dt
    gap = (0.5 * (np.roll(dt, 1) + dt))[later]
    cur, prev = p[:, later], previous(p, scope, cyclic=False)[:, later]
    p_nom = gens["p_nom_mw"].to_numpy(float)
    for quantity, sign in (("ramp_up", 1.0), ("ramp_down", -1.0)):
        step = gens[f"{quantity}_pu_per_h"].to_numpy(float)[:, None] * gap[None, :]
        lim = np.flatnonzero((step < 1.0).any(axis=1) & ~committable(case))
        if lim.size == 0:
            continue
        m.add_constraints(f"{FAMILY}.{quantity}", (gens.index[lim], case.snapshots[later]),
                          [(cur[lim], sign), (prev[lim], -sign),
                           (new_col[lim][:, None], -step[lim])],
                          "<=", step[lim] * p_nom[lim][:, None])


def _add_costs(m: ArrayModel, case: Case, p: np.ndarray, new_col: np.ndarray) -> None:
    gens = case.table(FAMILY)
    names = gens.index.to_numpy(dtype=object)
    m.add_cost(FAMILY, "operating", p, case.weights * marginal_cost(case).T, names[:, None])
    ext = new_col >= 0
    crf = annuity(case.discount_rate, gens["lifetime_yr"].to_numpy())
    capex = crf * gens["capex_per_mw"].to_numpy()
    fom = gens["fom_per_mw_yr"].to_numpy()
    m.add_cost(FAMILY, "capital", new_col[ext], capex[ext], names[ext])
    m.add_cost(FAMILY, "fixed_om", new_col[ext], fom[ext], names[ext])
    for name, value in zip(names, fom * gens["p_nom_mw"].to_numpy(), strict=True):
        m.add_constant_cost(FAMILY, "fixed_om", name, value)
