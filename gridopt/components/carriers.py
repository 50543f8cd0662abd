"""Carriers of buses: which buses carry electricity. See ``models/links.md``.

A bus's ``carrier`` (``buses.csv``) names what its balance counts: ``electricity`` (the
default; ``AC`` and ``DC`` are read as electricity, as PyPSA writes them), or any other name,
e.g. ``hydrogen``, ``heat`` or ``gas``, whose balance is in MW of that carrier (MWh per hour,
LHV for fuels). Every system-level *electricity* quantity (the system demand D_t of the
peak-response target, per-MWh target intensities, the peak periods, reserves' load shares,
the summary's demand, load shed and mean price) counts the electricity buses E only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.validate_links import ELECTRIC_CARRIERS, normalise

__all__ = ["ELECTRIC_CARRIERS", "bus_carriers", "electric_at", "electric_buses", "normalise"]


def bus_carriers(case: Case) -> pd.Series:
    """The carrier of each bus (``electricity`` for blank, AC and DC), by bus name."""
    buses = case.table("buses")
    raw = buses["carrier"] if "carrier" in buses else pd.Series("", index=buses.index)
    return pd.Series(normalise(raw.to_numpy()), index=buses.index, name="carrier")


def electric_buses(case: Case) -> np.ndarray:
    """Whether each bus (in the bus table's order) carries electricity (bool, B)."""
    return (bus_carriers(case) == "electricity").to_numpy(bool)


def electric_at(case: Case, bus_names: object) -> np.ndarray:
    """Whether each element's bus (``bus_names``) carries electricity (bool)."""
    carriers = bus_carriers(case)
    names = pd.Index(np.asarray(bus_names, dtype=object))
    return (carriers.reindex(names).fillna("electricity") == "electricity").to_numpy(bool)
