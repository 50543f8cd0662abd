"""The graph of a case's lines as plain arrays, shared by the checks (``gridopt.case``)
and the DC power-flow rows (``gridopt.components.power_flow``, ``.circuits``).

See ``models/network.md``: candidate circuits of an extendable AC line under DC power flow
need a path of existing AC lines between its buses (for the big-M of their disjunctive
Kirchhoff rows); new circuits have the existing line's reactance per MW of rating.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd


def has_existing(lines: pd.DataFrame) -> np.ndarray:
    """Whether each line has existing capacity in some direction."""
    return (lines["cap_fwd_mw"].to_numpy(float) > 0) | (lines["cap_rev_mw"].to_numpy(float) > 0)


def flow_limits(lines: pd.DataFrame, candidates: np.ndarray) -> np.ndarray:
    """The largest |f| each line's existing-network part can carry: F^max_l for an extendable
    line with continuous expansion (may be ∞), else max(F^fwd_l, F^rev_l)."""
    fwd, rev = lines["cap_fwd_mw"].to_numpy(float), lines["cap_rev_mw"].to_numpy(float)
    rev = np.where(np.isnan(rev), fwd, rev)
    ext = lines["extendable"].to_numpy(bool) & ~candidates
    return np.where(ext, lines["cap_max_mw"].to_numpy(float), np.maximum(fwd, rev))


def existing_network(lines: pd.DataFrame, candidates: np.ndarray) -> np.ndarray:
    """The lines of the existing AC network: x_pu given, and not a candidate line without
    existing capacity."""
    return (~np.isnan(lines["x_pu"].to_numpy(float))
            & ~(candidates & ~has_existing(lines)))


def circuit_reactance(x: np.ndarray, existing_mw: np.ndarray, size: np.ndarray) -> np.ndarray:
    """x^c_l: the reactance of one new circuit, x_l F_l / S_l (the same reactance per MW of
    rating as the existing line, F_l = max(F^fwd_l, F^rev_l)), or x_l without existing
    capacity (x_pu is then the circuit's own)."""
    return np.where(existing_mw > 0, x * existing_mw / size, x)


def circuit_paths(bus0: np.ndarray, bus1: np.ndarray, x: np.ndarray, limit: np.ndarray,
                  existing: np.ndarray, candidates: np.ndarray
                  ) -> list[tuple[np.ndarray, np.ndarray] | None]:
    """For each candidate line, a path between its buses over existing AC lines: the lines
    and their signs (+1 run bus0 → bus1), or ``None`` when there is none with finite limits.

    ``existing`` marks the lines of the existing AC network (with x_l and finite or infinite
    ``limit``, the largest |f| the line can carry); a path minimises Σ x_l · limit_l, so
    that the big-M of the disjunctive rows (``models/network.md``) is the smallest this
    simple rule gives. A candidate with existing capacity is its own path (parallel).
    """
    import networkx as nx  # only where a path is searched: ≈ 12 MiB the other cases never load

    graph = nx.Graph()
    for line in np.flatnonzero(existing & np.isfinite(limit)):
        u, v, w = bus0[line], bus1[line], x[line] * limit[line]
        if not graph.has_edge(u, v) or w < graph.edges[u, v]["weight"]:
            graph.add_edge(u, v, weight=w, line=line)
    out: list[tuple[np.ndarray, np.ndarray] | None] = []
    for line in np.flatnonzero(candidates):
        if existing[line] and np.isfinite(limit[line]):
            out.append((np.array([line]), np.array([1.0])))
            continue
        try:
            nodes = nx.shortest_path(graph, bus0[line], bus1[line], weight="weight")
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            out.append(None)
            continue
        members = [graph.edges[u, v]["line"] for u, v in pairwise(nodes)]
        signs = [1.0 if bus0[m] == u else -1.0 for m, u in zip(members, nodes, strict=False)]
        out.append((np.array(members), np.array(signs)))
    return out
