"""Existing capacity in service in a year: ``build_year`` and ``retire_year``.

Generators and storage carry the years their existing capacity (``p_nom_mw``, ``e_nom_mwh``)
enters and leaves service. A single-year case counts it in the year its snapshots start in; a
pathway (``gridopt.pathway``) in each modelled year (``models/pathway.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Tables whose existing capacity has ``build_year`` / ``retire_year`` and the columns it is in.
EXISTING_CAPACITY = {"generators": ("p_nom_mw",), "storage": ("p_nom_mw", "e_nom_mwh")}


def in_service(table: pd.DataFrame, year: int) -> np.ndarray:
    """Whether each element's existing capacity is in service in ``year``:
    (``build_year`` blank or ≤ year) and (``retire_year`` blank or > year)."""
    n = len(table)
    built = table["build_year"].to_numpy(float) if "build_year" in table else np.full(n, np.nan)
    gone = table["retire_year"].to_numpy(float) if "retire_year" in table else np.full(n, np.nan)
    with np.errstate(invalid="ignore"):
        return (np.isnan(built) | (built <= year)) & (np.isnan(gone) | (gone > year))


def existing_in_year(tables: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """The tables with existing capacity set to 0 where it is not in service in ``year``."""
    out = dict(tables)
    for family, columns in EXISTING_CAPACITY.items():
        table = tables.get(family)
        if table is None or table.empty:
            continue
        gone = ~in_service(table, year)
        if gone.any():
            table = table.copy()
            for column in columns:
                if column in table:
                    table.loc[gone, column] = 0.0
            out[family] = table
    return out
