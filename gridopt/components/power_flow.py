"""The graph of the AC lines for linearised DC power flow: islands, a cycle basis and PTDFs.

See ``models/network.md``. An AC line is a line with a reactance x_l (``lines.csv: x_pu``);
a line without one is a controllable (DC, NTC) link and is no part of this graph.

- islands: the connected components of the AC graph over every bus (a bus without AC lines
  is an island of one), numbered in the order of their first bus; the slack of an island is
  its first bus
- cycle basis: one cycle per independent loop of each island (|L_AC| − |B| + #islands of
  them); a cycle is a list of (line, C_{l,c}) with C = +1 where the cycle runs bus0 → bus1
  along the line and −1 against it; parallel lines give 2-cycles
- PTDF: f_l = Σ_b H_{l,b} P_b per island, H = B_d K_rᵀ (K_r B_d K_rᵀ)⁻¹ with the incidence K
  (K_{b,l} = +1 at bus0, −1 at bus1), B_d = diag(1/x_l) and the slack's row dropped (r)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.grid import has_existing
from gridopt.components._common import bus_positions

#: The flow models of ``case.yaml: network: flow_model``.
FLOW_MODELS = ("transport", "kvl", "ptdf")
#: PTDF entries smaller than this (in magnitude) are dropped as round-off.
PTDF_TOLERANCE = 1e-10


def flow_model(case: Case) -> str:
    """``case.yaml: network: flow_model``: ``"transport"`` (default), ``"kvl"`` or ``"ptdf"``."""
    network = case.config.get("network") or {}
    return str(network.get("flow_model", "transport"))


@dataclass(frozen=True)
class AcGraph:
    """The AC lines of a case as bus positions: line l runs from ``bus0[l]`` to ``bus1[l]``
    with reactance ``x[l]``; ``lines`` are the positions of the AC lines in ``lines.csv``."""

    n_bus: int
    lines: np.ndarray
    bus0: np.ndarray
    bus1: np.ndarray
    x: np.ndarray


def ac_graph(case: Case) -> AcGraph:
    """The existing AC lines of ``case``: x_pu given, but not a candidate line without
    existing capacity (:func:`candidate_lines`), which has no flow until a circuit is built."""
    buses, lines = case.table("buses").index, case.table("lines")
    if lines.empty:
        empty = np.zeros(0, np.int64)
        return AcGraph(len(buses), empty, empty, empty, np.zeros(0))
    x = lines["x_pu"].to_numpy(float)
    ac = np.flatnonzero(~np.isnan(x) & ~(candidate_lines(case) & ~has_existing(lines)))
    return AcGraph(len(buses), ac, bus_positions(buses, lines["bus0"])[ac],
                   bus_positions(buses, lines["bus1"])[ac], x[ac])


def candidate_lines(case: Case) -> np.ndarray:
    """Lines built in whole candidate circuits with DC power flow (bool per line): extendable
    AC lines with ``circuit_mw`` under ``flow_model: kvl`` or ``ptdf``."""
    lines = case.table("lines")
    if lines.empty or flow_model(case) == "transport":
        return np.zeros(len(lines), bool)
    return (lines["extendable"].to_numpy(bool) & ~np.isnan(lines["x_pu"].to_numpy(float))
            & ~np.isnan(lines["circuit_mw"].to_numpy(float)))


def island_of(g: AcGraph) -> np.ndarray:
    """The island of each bus (0, 1, …, numbered in the order of their first bus)."""
    import networkx as nx  # DC power flow only: ≈ 12 MiB a transport model never loads

    graph = nx.Graph()
    graph.add_nodes_from(range(g.n_bus))
    graph.add_edges_from(zip(g.bus0.tolist(), g.bus1.tolist(), strict=True))
    island = np.full(g.n_bus, -1, np.int64)
    count = 0
    for b in range(g.n_bus):
        if island[b] < 0:
            island[list(nx.node_connected_component(graph, b))] = count
            count += 1
    return island


def island_table(case: Case) -> pd.DataFrame:
    """Per bus: its island, the island's slack bus and its number of buses and AC lines."""
    g = ac_graph(case)
    island = island_of(g)
    buses = case.table("buses").index
    slack = {k: buses[np.flatnonzero(island == k)[0]] for k in np.unique(island)}
    n_bus = np.bincount(island, minlength=island.max() + 1 if island.size else 0)
    n_line = np.bincount(island[g.bus0], minlength=n_bus.size)
    return pd.DataFrame({"island": island, "slack": [slack[k] for k in island],
                         "n_buses": n_bus[island], "n_ac_lines": n_line[island]},
                        index=buses)


def cycle_basis(g: AcGraph) -> list[tuple[np.ndarray, np.ndarray]]:
    """A cycle basis of the AC graph: per cycle, the AC lines (positions in ``g``) and C_{l,c}.

    Of several parallel lines between two buses the first stands in the simple graph that
    ``networkx.cycle_basis`` walks; each further one closes a 2-cycle with it (+1 along the
    first, ∓1 back along the parallel one).
    """
    import networkx as nx  # DC power flow only: ≈ 12 MiB a transport model never loads

    graph = nx.Graph()
    graph.add_nodes_from(range(g.n_bus))
    cycles: list[tuple[np.ndarray, np.ndarray]] = []
    first: dict[tuple[int, int], int] = {}
    for line, (u, v) in enumerate(zip(g.bus0.tolist(), g.bus1.tolist(), strict=True)):
        key = (min(u, v), max(u, v))
        if key in first:
            r = first[key]
            back = -1.0 if g.bus0[line] == g.bus0[r] else 1.0
            cycles.append((np.array([r, line]), np.array([1.0, back])))
        else:
            first[key] = line
            graph.add_edge(u, v, line=line)
    for nodes in nx.cycle_basis(graph):
        pairs = list(zip(nodes, nodes[1:] + nodes[:1], strict=True))
        members = np.array([graph.edges[u, v]["line"] for u, v in pairs])
        signs = np.array([1.0 if g.bus0[line] == u else -1.0
                          for line, (u, _) in zip(members, pairs, strict=True)])
        cycles.append((members, signs))
    return cycles


def ptdf(g: AcGraph) -> np.ndarray:
    """H (AC lines × buses): f_l = Σ_b H_{l,b} P_b for net injections P that sum to zero
    over each island; the column of each island's slack bus is zero."""
    island = island_of(g)
    h = np.zeros((len(g.lines), g.n_bus))
    line_island = island[g.bus0]
    for k in np.unique(line_island):
        nodes = np.flatnonzero(island == k)
        members = np.flatnonzero(line_island == k)
        local = np.full(g.n_bus, -1, np.int64)
        local[nodes] = np.arange(len(nodes))
        incidence = np.zeros((len(nodes), len(members)))
        incidence[local[g.bus0[members]], np.arange(len(members))] = 1.0
        incidence[local[g.bus1[members]], np.arange(len(members))] = -1.0
        reduced = incidence[1:]  # the first bus of the island is its slack
        b_diag = 1.0 / g.x[members]
        b_bus = (reduced * b_diag) @ reduced.T
        block = np.linalg.solve(b_bus, reduced * b_diag).T  # B_d K_rᵀ B_r⁻¹ (B_r symmetric)
        h[np.ix_(members, nodes[1:])] = block
    h[np.abs(h) < PTDF_TOLERANCE] = 0.0
    return h
