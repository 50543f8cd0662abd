"""Small helpers shared by the component families: annuity, bus lookup, capacity coupling,
decay over a segment."""

from __future__ import annotations

import numpy as np
import pandas as pd


def annuity(rate: float, lifetime_yr: np.ndarray | float) -> np.ndarray:
    """Capital recovery factor CRF(r, n) = r (1+r)^n / ((1+r)^n − 1); 1/n when r = 0."""
    n = np.asarray(lifetime_yr, float)
    if rate == 0.0:
        return 1.0 / n
    growth = (1.0 + rate) ** n
    return rate * growth / (growth - 1.0)


def bus_positions(buses: pd.Index, names: pd.Series) -> np.ndarray:
    """Integer position of each element's bus in the bus index (−1 where it has none).

    A dict lookup in plain Python: ``Index.get_indexer`` on pandas' string dtype costs a
    fixed ~0.15 ms a call and is slower at every size tried (1 to 5,000 buses). Bus names are
    unique (validated).
    """
    position = {name: i for i, name in enumerate(buses.to_numpy(object))}
    values = names.to_numpy(object)
    return np.fromiter((position.get(v, -1) for v in values), np.int64, len(values))


def extendable_columns(n: int, ext: np.ndarray, p_new_cols: np.ndarray) -> np.ndarray:
    """Per element, the column of its new-capacity variable, or −1 if not extendable."""
    out = np.full(n, -1, dtype=np.int64)
    out[ext] = p_new_cols
    return out


def segment_gain(loss: np.ndarray, durations: np.ndarray, step_h: float) -> np.ndarray:
    """g_{i,t} = (1 − (1 − λ_i)^{Δt_t}) / (m_t (1 − (1 − λ_i)^{Δt})), m_t = Δt_t / Δt (E × T).

    A constant flow x over the m_t original snapshots of a segment, decaying at λ_i per hour,
    leaves Σ_{j<m_t} κ^j Δt x = g m_t Δt x at the segment's end (κ = (1 − λ_i)^{Δt}: the
    hourly recursion e ← κ e + Δt x in closed form), so a state balance written with g_t Δt_t
    instead of Δt_t decays energy within segments as the snapshots would. g = 1 without loss
    and for an ordinary snapshot (m_t = 1): only segments of lossy states differ.
    """
    loss = np.asarray(loss, float)[:, None]
    m = (np.asarray(durations, float) / step_h)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        gain = (1.0 - (1.0 - loss) ** (m * step_h)) / (m * (1.0 - (1.0 - loss) ** step_h))
    return np.where((loss > 0) & (m != 1), gain, 1.0)
