"""Per-element time series with a default: the one reader of "this series where given, else
the element's own value" (availability, prices, EV plug-in and driving, occupancy, H2 demand)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def element_series(given: pd.DataFrame | None, elements: pd.Index, n_snapshots: int,
                   default: object) -> np.ndarray:
    """x_{t,i} (T × E): the cell of column i of ``given`` where it has one and it is a number,
    else ``default`` (a scalar, or one value per element; NaN keeps a blank blank).

    ``given`` has one row per snapshot, in snapshot order; columns that name no element are
    ignored (the validator reports them).
    """
    base = np.broadcast_to(np.asarray(default, float), (len(elements),))
    values = np.tile(base, (n_snapshots, 1))
    if given is not None and given.shape[1]:
        pos = elements.get_indexer(given.columns)
        keep = pos >= 0
        cells = given.to_numpy(float)[:, keep]
        values[:, pos[keep]] = np.where(np.isnan(cells), values[:, pos[keep]], cells)
    return values
