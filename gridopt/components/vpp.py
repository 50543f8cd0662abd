"""Virtual power plants: named aggregations of DR members. See ``models/vpp.md``.

For VPP v with aggregate limit A_v and availability α_v, and its members i ∈ M_v (rows of any
DR table whose ``vpp`` column names v), in every hour t of a scope:

- ``vpps.aggregate_upper``: Σ_{i ∈ M_v} r_{i,t} ≤ α_v A_v (event scope: eligible members only)
- ``vpps.delivered_lower`` (dispatch, when C^act_v > 0): a_{v,t} ≥ Σ_{i ∈ M_v} r_{i,t}, a ≥ 0
- objective (dispatch): C^enr_v Σ_{i ∈ M_v} X_i + Σ_t w C^act_v a_{v,t}

A member counts towards the peak response only if its own notice and its VPP's notice are
within ``peak_response.max_notice_h`` and its VPP is available.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.settings import peak_settings
from gridopt.components._dr import Response, Scope, dr_state, evaluate
from gridopt.model.arrays import ArrayModel

FAMILY = "vpps"


def add_vpp_limits(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Cap each VPP's summed member response in every hour of ``scope``.

    In the event scope only members that count towards the peak response are summed, so a
    member that does not count cannot free room under the cap by consuming more.
    """
    vpps = case.table(FAMILY)
    if vpps.empty:
        return
    alpha, cap = vpps["availability_pu"].to_numpy(float), vpps["aggregate_mw"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        limit = np.where(alpha > 0, alpha * cap, 0.0)  # α · ∞ = ∞, but 0 · ∞ = 0
    entries, constant = [], np.zeros((len(vpps), scope.n))
    for resp in _members(m, scope):
        v = vpps.index.get_indexer(resp.vpp)
        mine = v >= 0
        if not scope.is_dispatch:
            mine &= eligible_mask(case, resp)
        rows = (v[mine][:, None] * scope.n + np.arange(scope.n)[None, :])
        for cols, coefs in resp.terms:
            entries.append((rows, cols[mine], coefs[mine]))
        np.add.at(constant, v[mine], resp.constant[mine])
    if np.isfinite(limit).any() and entries:
        m.add_rows(scope.var(FAMILY, "aggregate_upper"), (vpps.index, scope.labels), entries,
                   "<=", limit[:, None] - constant)
    _add_enrolment_fees(m, case, scope)
    if scope.is_dispatch:
        _add_activation(m, case, scope)


def _members(m: ArrayModel, scope: Scope) -> list[Response]:
    """The responses of ``scope`` with a VPP member (the scope must be closed)."""
    return [r for r in dr_state(m).of(scope.name) if (r.vpp != "").any()]


def _add_enrolment_fees(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Platform fee C^enr_v on members' enrolled X_i, added once whichever scope comes first
    (enrolment is shared), so that the peak-response gap closure prices it too."""
    vpps, state = case.table(FAMILY), dr_state(m)
    for resp in _members(m, scope):
        enrol = state.enrolments.get(resp.family)
        if enrol is None or resp.family in state.vpp_fees:
            continue
        state.vpp_fees.add(resp.family)
        v = vpps.index.get_indexer(resp.vpp)
        mine = np.flatnonzero(v >= 0)
        names = vpps.index.to_numpy(dtype=object)[v[mine]]
        fee = vpps["enrolment_cost_per_mw_yr"].to_numpy()[v[mine]]
        m.add_cost(FAMILY, "enrolment", enrol.new_col[mine], fee, names)
        for name, value in zip(names, fee * enrol.existing[mine], strict=True):
            m.add_constant_cost(FAMILY, "enrolment", name, float(value))


def _add_activation(m: ArrayModel, case: Case, scope: Scope) -> None:
    """a_{v,t} ≥ Σ_{i ∈ M_v} r_{i,t}, a ≥ 0, cost w C^act_v a_{v,t}: paid on delivered MWh
    (the positive part), so a member that recovers shifted energy earns no credit."""
    vpps = case.table(FAMILY)
    cost = vpps["activation_cost_per_mwh"].to_numpy(float)
    if not (cost > 0).any():
        return
    a = m.add_variables(scope.var(FAMILY, "delivered"), (vpps.index, scope.labels)).index()
    entries, constant = [(np.arange(a.size).reshape(a.shape), a, 1.0)], np.zeros(a.shape)
    for resp in _members(m, scope):
        v = vpps.index.get_indexer(resp.vpp)
        mine = v >= 0
        rows = v[mine][:, None] * scope.n + np.arange(scope.n)[None, :]
        entries += [(rows, cols[mine], -coefs[mine]) for cols, coefs in resp.terms]
        np.add.at(constant, v[mine], resp.constant[mine])
    m.add_rows(scope.var(FAMILY, "delivered_lower"), (vpps.index, scope.labels), entries, ">=",
               constant)
    names = vpps.index.to_numpy(dtype=object)[:, None]
    m.add_cost(FAMILY, "activation", a, case.weights * cost[:, None], names)


def eligible_mask(case: Case, resp: Response) -> np.ndarray:
    """Members that count towards the peak response (notice and VPP availability)."""
    limit = peak_settings(case).max_notice_h
    table = case.table(resp.family)
    ok = table["notice_h"].to_numpy(float) <= limit if "notice_h" in table else np.ones(
        len(table), bool)
    vpps = case.table(FAMILY)
    if not vpps.empty:
        v = vpps.index.get_indexer(resp.vpp)
        in_vpp = v >= 0
        vpp_ok = (vpps["notice_h"].to_numpy() <= limit) & (vpps["availability_pu"].to_numpy() > 0)
        ok = ok & (~in_vpp | vpp_ok[np.maximum(v, 0)])
    return ok


def vpp_series(responses: list[Response], x: np.ndarray, case: Case) -> pd.DataFrame:
    """Each VPP's hourly delivered response (MW), summed over its members' dispatch
    ``responses``."""
    vpps = case.table(FAMILY)
    out = pd.DataFrame(0.0, index=case.snapshots, columns=vpps.index)
    for resp in responses:
        values = evaluate(resp, x)
        for name in vpps.index:
            mine = resp.vpp == name
            if mine.any():
                out[name] += values[mine].sum(axis=0)
    return out
