"""Whole new circuits of AC lines under DC power flow: candidate circuits with a binary each
and disjunctive (big-M) Kirchhoff rows, Garver-style. See ``models/network.md``.

For a candidate line l (extendable, x_pu and ``circuit_mw`` given, ``flow_model`` kvl or
ptdf), circuit k = 1 … K_l (K_l = ⌊(F^max_l − max(F^fwd_l, F^rev_l)) / S_l⌋) and snapshot t:

- ``lines.flow_split``: f_{l,t} − f^e_{l,t} − Σ_k f^c_{l,k,t} = 0 (f^e: the existing part,
  variable ``lines.existing_flow`` within −F^rev_l … F^fwd_l; none without existing capacity)
- ``lines.circuit_flow_upper`` / ``_lower``: −S_l y_{l,k} ≤ f^c_{l,k,t} ≤ S_l y_{l,k}
  (y_{l,k} ∈ {0, 1}: variable ``lines.circuit_built``)
- ``lines.circuit_kvl_upper`` / ``_lower``: |x^c_l f^c_{l,k,t} − Σ_{j∈P_l} s_j x_j f_{j,t}|
  ≤ M_l (1 − y_{l,k}), with P_l a path of existing AC lines from bus0(l) to bus1(l) (s_j = ±1
  along it; Σ_{j∈P_l} s_j x_j f_{j,t} = θ_bus0 − θ_bus1) and M_l = x^c_l S_l + Σ_{j∈P_l} x_j F_j
- ``lines.circuit_order``: y_{l,k} ≤ y_{l,k−1} (circuits are built in order)
- ``lines.circuits_built``: n^new_l − Σ_k y_{l,k} = 0 (so p^new_l = S_l n^new_l)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.grid import (
    circuit_paths,
    circuit_reactance,
    existing_network,
    flow_limits,
    has_existing,
)
from gridopt.components.power_flow import candidate_lines
from gridopt.model.arrays import ArrayModel

#: Room for new circuits counts whole within this many circuits (as for generator units).
UNIT_TOLERANCE = 1e-9


def add_circuits(m: ArrayModel, case: Case, f: np.ndarray, flows: np.ndarray) -> None:
    """Add the candidate circuits of every candidate line; ``flows`` (lines × snapshots) is
    updated in place to the columns of the existing part f^e, the flow that obeys the existing
    network's KVL or PTDF rows."""
    lines = case.table("lines")
    cand = candidate_lines(case)
    if not cand.any():
        return
    idx = np.flatnonzero(cand)
    fwd, rev = lines["cap_fwd_mw"].to_numpy(float), lines["cap_rev_mw"].to_numpy(float)
    size = lines["circuit_mw"].to_numpy(float)[idx]
    room = lines["cap_max_mw"].to_numpy(float)[idx] - np.maximum(fwd, rev)[idx]
    count = np.floor(room / size + UNIT_TOLERANCE).astype(np.int64)
    existing = has_existing(lines)
    with_part = cand & existing
    if with_part.any():
        part = m.add_variables("lines.existing_flow", (lines.index[with_part], case.snapshots),
                               -rev[with_part][:, None], fwd[with_part][:, None]).index()
        flows[with_part] = part
    owner = np.repeat(np.arange(len(idx)), count)  # position in idx of each circuit's line
    order = np.concatenate([np.arange(1, k + 1) for k in count]) if count.sum() else owner
    labels = pd.Index([f"{lines.index[idx[o]]}#{k}" for o, k in zip(owner, order, strict=True)],
                      name="circuit")
    built = m.add_variables("lines.circuit_built", (labels,), 0.0, 1.0, integer=True).index()
    fc = m.add_variables("lines.circuit_flow", (labels, case.snapshots), -size[owner][:, None],
                         size[owner][:, None]).index()
    _add_split(m, case, f[idx], flows[idx], with_part[idx], fc, owner)
    coords = (labels, case.snapshots)
    m.add_constraints("lines.circuit_flow_upper", coords,
                      [(fc, 1.0), (built[:, None], -size[owner][:, None])], "<=", 0.0)
    m.add_constraints("lines.circuit_flow_lower", coords,
                      [(fc, 1.0), (built[:, None], size[owner][:, None])], ">=", 0.0)
    _add_circuit_kvl(m, case, idx, owner, labels, built, fc, flows, cand)
    later = order > 1
    if later.any():
        m.add_constraints("lines.circuit_order", (labels[later],),
                          [(built[later], 1.0), (built[np.flatnonzero(later) - 1], -1.0)],
                          "<=", 0.0)
    n_new = m.var_blocks["lines.n_new"]
    n_col = n_new.index()[n_new.coords[0].get_indexer(lines.index[idx])]
    m.add_rows("lines.circuits_built", (lines.index[idx],),
               [(np.arange(len(idx)), n_col, 1.0), (owner, built, -1.0)], "==", 0.0)


def _add_split(m: ArrayModel, case: Case, f: np.ndarray, part: np.ndarray,
               with_part: np.ndarray, fc: np.ndarray, owner: np.ndarray) -> None:
    """``lines.flow_split``: f_{l,t} − f^e_{l,t} − Σ_k f^c_{l,k,t} = 0 per candidate line."""
    n_t = case.n_snapshots
    steps = np.arange(n_t)[None, :]
    local = np.arange(len(f))[:, None] * n_t + steps
    entries = [(local, f, 1.0), (local[with_part], part[with_part], -1.0),
               (owner[:, None] * n_t + steps, fc, -1.0)]
    names = case.table("lines").index[candidate_lines(case)]
    m.add_rows("lines.flow_split", (names, case.snapshots), entries, "==", 0.0)


def _add_circuit_kvl(m: ArrayModel, case: Case, idx: np.ndarray, owner: np.ndarray,
                     labels: pd.Index, built: np.ndarray, fc: np.ndarray, flows: np.ndarray,
                     cand: np.ndarray) -> None:
    """``lines.circuit_kvl_upper`` / ``_lower``: the disjunctive Ohm's law of each circuit
    against a path of existing AC lines (see the module docstring)."""
    lines = case.table("lines")
    buses = case.table("buses").index
    bus0 = buses.get_indexer(lines["bus0"].to_numpy())
    bus1 = buses.get_indexer(lines["bus1"].to_numpy())
    x = lines["x_pu"].to_numpy(float)
    limit = flow_limits(lines, cand)
    fwd, rev = lines["cap_fwd_mw"].to_numpy(float), lines["cap_rev_mw"].to_numpy(float)
    size = lines["circuit_mw"].to_numpy(float)
    xc = circuit_reactance(x, np.maximum(fwd, rev), size)
    paths = circuit_paths(bus0, bus1, x, limit, existing_network(lines, cand), cand)
    if any(p is None for p in paths):  # refused by the check line-circuits-path
        raise ValueError("a candidate line has no path of existing AC lines between its buses")
    n_t = case.n_snapshots
    steps = np.arange(n_t)[None, :]
    big_m = np.array([xc[i] * size[i] + float(np.sum(x[p[0]] * limit[p[0]]))
                      for i, p in zip(idx, paths, strict=True)])
    local = np.arange(len(owner))[:, None] * n_t + steps
    entries = [(local, fc, xc[idx][owner][:, None])]
    for circuit, line in enumerate(owner):
        members, signs = paths[line]
        entries.append((circuit * n_t + steps, flows[members], -(signs * x[members])[:, None]))
    coords = (labels, case.snapshots)
    m_of = big_m[owner][:, None]
    m.add_rows("lines.circuit_kvl_upper", coords,
               [*entries, (local, np.broadcast_to(built[:, None], local.shape), m_of)], "<=",
               np.broadcast_to(m_of, local.shape))
    m.add_rows("lines.circuit_kvl_lower", coords,
               [*entries, (local, np.broadcast_to(built[:, None], local.shape), -m_of)], ">=",
               np.broadcast_to(-m_of, local.shape))
