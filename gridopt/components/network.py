"""Buses, loads, load shedding, lines (transport or DC power flow) and line expansion.
See ``models/network.md``.

For bus b, line l, cycle c and snapshot t:

- ``buses.balance``: Σ_{g at b} p_{g,t} + Σ_{s at b} (d_{s,t} − c_{s,t}) + Σ_{l into b} f_{l,t}
  − Σ_{l out of b} f_{l,t} + u_{b,t} = D_{b,t}   (dual / w = nodal price λ_{b,t})
- ``buses.shed`` bounds: 0 ≤ u_{b,t} ≤ D_{b,t}, or u_{b,t} = 0 where shedding is off (the
  case's ``load_shedding: false``, or the bus's ``load_shedding`` column false)
- ``lines.flow`` bounds: −F^rev_l ≤ f_{l,t} ≤ F^fwd_l (a line that is not extendable)
- ``lines.flow_upper`` / ``lines.flow_lower``: f_{l,t} − p^new_l ≤ F^fwd_l,
  f_{l,t} + p^new_l ≥ −F^rev_l (extendable l; 0 ≤ p^new_l ≤ F^max_l − max(F^fwd_l, F^rev_l))
- ``lines.p_new_circuits``: p^new_l − S_l n^new_l = 0, n^new_l integer (``circuit_mw`` given);
  under DC power flow an AC line's circuits are candidates with a binary each and
  disjunctive Kirchhoff rows (:mod:`gridopt.components.circuits`)
- ``lines.kvl`` (``flow_model: kvl``): Σ_{l∈c} C_{l,c} x_l f_{l,t} / max_{l∈c} x_l = 0 on a
  cycle basis of the existing AC lines (x_pu given; f^e for a line with candidate circuits)
- ``buses.net_injection`` and ``lines.ptdf`` (``flow_model: ptdf``):
  P_{b,t} − Σ_l K_{b,l} f_{l,t} = 0 and f_{l,t} − Σ_b H_{l,b} P_{b,t} = 0 for AC lines
- objective: Σ_{b,t} w · VOLL_b · u_{b,t} + Σ_l (CRF_l · C^cap_l + C^fom_l) · p^new_l
  + C^fom_l · F^fwd_l

Lines without x_pu are controllable (DC, NTC) links under every flow model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.components._common import annuity, bus_positions
from gridopt.components.carriers import electric_buses
from gridopt.components.circuits import add_circuits
from gridopt.components.power_flow import ac_graph, cycle_basis, flow_model, ptdf
from gridopt.model.arrays import ArrayModel

#: Room for new circuits counts whole within this many circuits (as for generator units).
UNIT_TOLERANCE = 1e-9


def bus_demand(case: Case) -> np.ndarray:
    """D_{b,t}: the sum of the loads at each bus (B × T, MW)."""
    buses = case.table("buses").index
    loads = case.table("loads")
    demand = np.zeros((len(buses), case.n_snapshots))
    if loads.empty:
        return demand
    series = case.series["load_mw"][loads.index].to_numpy().T
    at = bus_positions(buses, loads["bus"])
    if np.unique(at).size == at.size:  # one load per bus at most: no unbuffered np.add.at
        demand[at] = series
    else:
        np.add.at(demand, at, series)
    return demand


def system_demand(case: Case) -> np.ndarray:
    """D_t = Σ_{b ∈ E} D_{b,t} over the electricity buses E (``models/links.md``), MW: a
    hydrogen or heat load is not electricity demand."""
    return bus_demand(case)[electric_buses(case)].sum(axis=0)


def shedding_allowed(case: Case) -> np.ndarray:
    """Whether each bus may shed load: the case's ``load_shedding`` and the bus's column."""
    buses = case.table("buses")
    per_bus = (buses["load_shedding"].to_numpy(bool) if "load_shedding" in buses
               else np.ones(len(buses), bool))
    return per_bus & bool(case.config.get("load_shedding", True))


def add_load_shedding(m: ArrayModel, case: Case) -> None:
    """Add u_{b,t} (load not served) at the value of lost load of each bus; its upper bound is
    the demand, or 0 where shedding is off (so that the block keeps every bus)."""
    buses = case.table("buses")
    demand = bus_demand(case) * shedding_allowed(case)[:, None]
    u = m.add_variables("buses.shed", (buses.index, case.snapshots), 0.0, demand).index()
    m.add_injection("buses", u, np.arange(len(buses)), 1.0)
    names = buses.index.to_numpy(dtype=object)[:, None]
    m.add_cost("buses", "load_shedding", u,
               case.weights * buses["voll_per_mwh"].to_numpy()[:, None], names)


def add_lines(m: ArrayModel, case: Case) -> None:
    """Add line flows f_{l,t} within their limits in both directions, new line capacity where
    extendable and, with DC power flow (``case.yaml: network: flow_model: kvl``), Kirchhoff's
    voltage law on a cycle basis of the AC lines (``ptdf`` rows are written by
    :func:`close_balance`, which sees every injection)."""
    lines = case.table("lines")
    if lines.empty:
        return
    ext = lines["extendable"].to_numpy(bool)
    lo = np.where(ext, -np.inf, -lines["cap_rev_mw"].to_numpy())[:, None]
    hi = np.where(ext, np.inf, lines["cap_fwd_mw"].to_numpy())[:, None]
    f = m.add_variables("lines.flow", (lines.index, case.snapshots), lo, hi).index()
    buses = case.table("buses").index
    m.add_injection("lines", f, bus_positions(buses, lines["bus0"]), -1.0)
    m.add_injection("lines", f, bus_positions(buses, lines["bus1"]), 1.0)
    new_col = np.full(len(lines), -1, np.int64)
    if ext.any():
        new_col[ext] = _add_line_expansion(m, case, f[ext], lines[ext])
    _add_line_costs(m, case, new_col)
    flows = m.state(ExistingFlows).set(f)
    add_circuits(m, case, f, flows)
    if flow_model(case) == "kvl":
        _add_kvl(m, case, flows)


@dataclass
class ExistingFlows:
    """Per line and snapshot, the column of the flow that obeys the existing AC network's
    KVL or PTDF rows: f_{l,t}, or the existing part f^e_{l,t} of a line with candidate
    circuits (:mod:`gridopt.components.circuits`)."""

    cols: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int64))

    def set(self, f: np.ndarray) -> np.ndarray:
        self.cols = f.copy()
        return self.cols


def _add_line_expansion(m: ArrayModel, case: Case, f: np.ndarray,
                        lines: pd.DataFrame) -> np.ndarray:
    """p^new_l ≥ 0 (``lines.p_new``), at most F^max_l − max(F^fwd_l, F^rev_l), and the rows
    f_{l,t} − p^new_l ≤ F^fwd_l (``lines.flow_upper``), f_{l,t} + p^new_l ≥ −F^rev_l
    (``lines.flow_lower``); in whole circuits of C_l MW where ``circuit_mw`` is given:
    p^new_l − C_l n^new_l = 0 (``lines.p_new_circuits``), n^new_l ∈ {0, 1, …} (``lines.n_new``).
    Returns the columns of p^new."""
    fwd, rev = lines["cap_fwd_mw"].to_numpy(), lines["cap_rev_mw"].to_numpy()
    room = lines["cap_max_mw"].to_numpy() - np.maximum(fwd, rev)
    new = m.add_variables("lines.p_new", (lines.index,), 0.0, room).index()
    coords = (lines.index, case.snapshots)
    m.add_constraints("lines.flow_upper", coords, [(f, 1.0), (new[:, None], -1.0)], "<=",
                      fwd[:, None])
    m.add_constraints("lines.flow_lower", coords, [(f, 1.0), (new[:, None], 1.0)], ">=",
                      -rev[:, None])
    size = lines["circuit_mw"].to_numpy(float)
    sized = np.flatnonzero(~np.isnan(size))
    if sized.size:
        most = np.floor(room[sized] / size[sized] + UNIT_TOLERANCE)  # inf without a cap
        names = lines.index[sized]
        n = m.add_variables("lines.n_new", (names,), 0.0, most, integer=True).index()
        m.add_constraints("lines.p_new_circuits", (names,),
                          [(new[sized], 1.0), (n, -size[sized])], "==", 0.0)
    return new


def _add_line_costs(m: ArrayModel, case: Case, new_col: np.ndarray) -> None:
    """(CRF_l · C^cap_l + C^fom_l) · p^new_l (kinds ``capital`` and ``fixed_om``) and the
    constant C^fom_l · F^fwd_l of existing capacity."""
    lines = case.table("lines")
    names = lines.index.to_numpy(dtype=object)
    ext = new_col >= 0
    fom = lines["fom_per_mw_yr"].to_numpy()
    if ext.any():
        crf = annuity(case.discount_rate, lines["lifetime_yr"].to_numpy()[ext])
        m.add_cost("lines", "capital", new_col[ext], crf * lines["capex_per_mw"].to_numpy()[ext],
                   names[ext])
        m.add_cost("lines", "fixed_om", new_col[ext], fom[ext], names[ext])
    for name, value in zip(names, fom * lines["cap_fwd_mw"].to_numpy(), strict=True):
        m.add_constant_cost("lines", "fixed_om", name, value)


def _add_kvl(m: ArrayModel, case: Case, f: np.ndarray) -> None:
    """``lines.kvl[c, t]``: Σ_{l ∈ c} C_{l,c} x_l f_{l,t} / max_{l ∈ c} x_l = 0 for every cycle
    c of a cycle basis of the AC lines (scaled by the cycle's largest reactance)."""
    g = ac_graph(case)
    cycles = cycle_basis(g)
    if not cycles:
        return
    n_t = case.n_snapshots
    cyc = np.concatenate([np.full(len(ls), c) for c, (ls, _) in enumerate(cycles)])
    members = np.concatenate([ls for ls, _ in cycles])
    coef = np.concatenate([sign * g.x[ls] / g.x[ls].max() for ls, sign in cycles])
    local = cyc[:, None] * n_t + np.arange(n_t)[None, :]
    names = pd.Index([f"cycle_{c}" for c in range(len(cycles))], name="cycle")
    m.add_rows("lines.kvl", (names, case.snapshots),
               [(local, f[g.lines[members]], coef[:, None])], "==", 0.0)


def _add_ptdf(m: ArrayModel, case: Case) -> None:
    """``buses.p_inj`` P_{b,t}, the net injection of every bus whose PTDF column is not zero,
    defined by its AC lines (``buses.net_injection``: P_{b,t} − Σ_l K_{b,l} f_{l,t} = 0, which
    ``buses.balance`` makes the injection of everything else minus the demand), and
    ``lines.ptdf``: f_{l,t} − Σ_b H_{l,b} P_{b,t} = 0 for every AC line l.

    The demand stays in ``buses.balance`` alone, so that its dual is still the nodal price;
    of the ``lines.ptdf`` rows only |L_AC| − |B| + #islands are independent (the others repeat
    the balance), as many as KVL has cycles.
    """
    g = ac_graph(case)
    if not len(g.lines):
        return
    h = ptdf(g)
    used = np.flatnonzero((h != 0).any(axis=0))
    buses, n_t = case.table("buses").index, case.n_snapshots
    p_inj = m.add_variables("buses.p_inj", (buses[used], case.snapshots), -np.inf,
                            np.inf).index()
    pos = np.full(g.n_bus, -1, np.int64)
    pos[used] = np.arange(len(used))
    f = m.state(ExistingFlows).cols[g.lines]
    steps = np.arange(n_t)[None, :]
    entries = [(np.arange(p_inj.size).reshape(p_inj.shape), p_inj, 1.0)]
    for ends, sign in ((g.bus0, -1.0), (g.bus1, 1.0)):  # − K_{b,l} f_{l,t}
        at = pos[ends] >= 0
        entries.append((pos[ends][at][:, None] * n_t + steps, f[at], sign))
    m.add_rows("buses.net_injection", (buses[used], case.snapshots), entries, "==", 0.0)
    line, bus = np.nonzero(h[:, used])
    m.add_rows("lines.ptdf", (case.table("lines").index[g.lines], case.snapshots),
               [(np.arange(f.size).reshape(f.shape), f, 1.0),
                (line[:, None] * n_t + steps, p_inj[bus], -h[line, used[bus]][:, None])],
               "==", 0.0)


def close_balance(m: ArrayModel, case: Case) -> None:
    """Close the nodal balance once, after every family has added its injections (and, with
    ``flow_model: ptdf``, first tie the AC line flows to the net injections)."""
    if flow_model(case) == "ptdf":
        _add_ptdf(m, case)
    m.close_balance(case.table("buses").index, bus_demand(case))
