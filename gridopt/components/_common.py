"""Small helpers shared by the component families: annuity, bus lookup, capacity coupling."""

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
    """Integer position of each element's bus in the bus index."""
    return buses.get_indexer(names.to_numpy()).astype(np.int64)


def extendable_columns(n: int, ext: np.ndarray, p_new_cols: np.ndarray) -> np.ndarray:
    """Per element, the column of its new-capacity variable, or −1 if not extendable."""
    out = np.full(n, -1, dtype=np.int64)
    out[ext] = p_new_cols
    return out
