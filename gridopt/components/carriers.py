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

#: Carrier names (compared lower-case, stripped) read as electricity; blank is the default.
ELECTRIC_CARRIERS = frozenset({"", "electricity", "ac", "dc"})


def normalise(carriers: object) -> np.ndarray:
    """Carrier names compared as gridopt reads them: stripped, lower-case, AC/DC/blank →
    ``electricity``."""
    text = np.array([str(c).strip().lower() for c in np.asarray(carriers, dtype=object)],
                    dtype=object)
    return np.where(np.isin(text, list(ELECTRIC_CARRIERS)), "electricity", text)


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
