"""Buses, loads, load shedding and transport lines. See ``models/network.md``.

For bus b, line l and snapshot t:

- ``buses.balance``: Σ_{g at b} p_{g,t} + Σ_{s at b} (d_{s,t} − c_{s,t}) + Σ_{l into b} f_{l,t}
  − Σ_{l out of b} f_{l,t} + u_{b,t} = D_{b,t}   (dual / w = nodal price λ_{b,t})
- ``buses.shed`` bounds: 0 ≤ u_{b,t} ≤ D_{b,t}, or u_{b,t} = 0 where shedding is off (the
  case's ``load_shedding: false``, or the bus's ``load_shedding`` column false)
- ``lines.flow`` bounds: −F^rev_l ≤ f_{l,t} ≤ F^fwd_l
- objective: Σ_{b,t} w · VOLL_b · u_{b,t}
"""

from __future__ import annotations

import numpy as np

from gridopt.case.case import Case
from gridopt.components._common import bus_positions
from gridopt.model.arrays import ArrayModel


def bus_demand(case: Case) -> np.ndarray:
    """D_{b,t}: the sum of the loads at each bus (B × T, MW)."""
    buses = case.table("buses").index
    loads = case.table("loads")
    demand = np.zeros((len(buses), case.n_snapshots))
    if loads.empty:
        return demand
    series = case.series["load_mw"][loads.index].to_numpy().T
    np.add.at(demand, bus_positions(buses, loads["bus"]), series)
    return demand


def system_demand(case: Case) -> np.ndarray:
    """D_t = Σ_b D_{b,t}, MW."""
    return bus_demand(case).sum(axis=0)


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
    """Add line flows f_{l,t} within their limits in both directions (transport model)."""
    lines = case.table("lines")
    if lines.empty:
        return
    lo = -lines["cap_rev_mw"].to_numpy()[:, None]
    hi = lines["cap_fwd_mw"].to_numpy()[:, None]
    f = m.add_variables("lines.flow", (lines.index, case.snapshots), lo, hi).index()
    buses = case.table("buses").index
    m.add_injection("lines", f, bus_positions(buses, lines["bus0"]), -1.0)
    m.add_injection("lines", f, bus_positions(buses, lines["bus1"]), 1.0)


def close_balance(m: ArrayModel, case: Case) -> None:
    """Close the nodal balance once, after every family has added its injections."""
    m.close_balance(case.table("buses").index, bus_demand(case))
