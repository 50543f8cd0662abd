"""The ring problem as a PyPSA network, solved with ``n.optimize(solver_name="highs")``.

Transport lines are ``Link`` components with ``p_min_pu = −1`` (a PyPSA ``Line`` would add
Kirchhoff voltage law rows). Load shedding is a non-extendable generator per bus with
``p_nom`` = peak load and ``p_max_pu`` = load / peak, so that its bound is the load, as in the
other tools. Objective weightings are w = 8760 / T; SOC and energy weightings stay 1 h.
PyPSA keeps the battery energy as ``max_hours · p_nom`` and bounds extendable dispatch with
rows (not variable bounds), so it has fewer columns and more rows than the others.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import pypsa

from benchmarks.ring.problem import (
    BATTERY_CAPEX,
    CAPEX,
    DURATION,
    EFF,
    GAS_MC,
    LINE_CAP,
    TECHS,
    UC_SOLAR_MW,
    UC_UNITS,
    UC_WIND_MW,
    VOLL,
    RingData,
    mark,
)


def build(d: RingData) -> pypsa.Network:
    """The network: buses, loads, links, generators (incl. shedding) and batteries."""
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(d.hours, name="snapshot"))
    n.snapshot_weightings = n.snapshot_weightings.astype(float)
    n.snapshot_weightings["objective"] = d.weight
    n.add("Carrier", [*TECHS, "shed", "battery", "AC"])
    n.add("Bus", d.buses)
    n.add("Load", [f"load_{b}" for b in d.buses], bus=d.buses,
          p_set=pd.DataFrame(d.load, n.snapshots, [f"load_{b}" for b in d.buses]))
    if len(d.bus0):
        names = np.asarray(d.buses)
        n.add("Link", d.lines, bus0=names[d.bus0], bus1=names[d.bus1], p_nom=LINE_CAP,
              p_min_pu=-1.0, efficiency=1.0)
    for k in TECHS:
        names = [f"{k}_{b}" for b in d.buses]
        avail = 1.0 if k == "gas" else pd.DataFrame(d.availability(k), n.snapshots, names)
        n.add("Generator", names, bus=d.buses, carrier=k, p_nom_extendable=True,
              capital_cost=CAPEX[k], marginal_cost=GAS_MC if k == "gas" else 0.0,
              p_max_pu=avail)
    _shedding(n, d)
    n.add("StorageUnit", [f"battery_{b}" for b in d.buses], bus=d.buses, carrier="battery",
          p_nom_extendable=True, max_hours=DURATION, capital_cost=BATTERY_CAPEX,
          efficiency_store=EFF, efficiency_dispatch=EFF, cyclic_state_of_charge=True)
    return n


def _shedding(n: pypsa.Network, d: RingData) -> None:
    names = [f"shed_{b}" for b in d.buses]
    peak = d.load.max(axis=0)
    n.add("Generator", names, bus=d.buses, carrier="shed", p_nom=peak, marginal_cost=VOLL,
          p_max_pu=pd.DataFrame(d.load / peak, n.snapshots, names))


def run(d: RingData, options: dict[str, Any]) -> tuple[float, dict[str, pd.DataFrame]]:
    """Build the network and optimise it (direct API); results land on the network."""
    logging.getLogger("pypsa").setLevel(logging.WARNING)
    logging.getLogger("linopy").setLevel(logging.WARNING)
    n = build(d)
    mark("input_ready")
    status, condition = n.optimize(solver_name="highs", io_api="direct",
                                   include_objective_constant=False, **options)
    if condition != "optimal":
        raise RuntimeError(f"pypsa: {status} / {condition}")
    objective = float(n.objective + n.objective_constant)
    return objective, {"dispatch": n.generators_t.p, "capacity": n.generators.p_nom_opt,
                       "battery_p_new": n.storage_units.p_nom_opt,
                       "prices": n.buses_t.marginal_price}


# -- the commitment variant (see "The commitment variant" in problem.py) -------------------

def build_uc(d: RingData) -> pypsa.Network:
    """Fixed wind and solar, two committable gas generators per bus (``up_time_before`` the
    whole horizon: on before the first hour with no minimum up time left, as in gridopt),
    shedding and links; objective weightings 1 (the cost of the T hours)."""
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(d.hours, name="snapshot"))
    n.add("Carrier", ["wind", "solar", "gas", "shed", "AC"])
    n.add("Bus", d.buses)
    n.add("Load", [f"load_{b}" for b in d.buses], bus=d.buses,
          p_set=pd.DataFrame(d.load, n.snapshots, [f"load_{b}" for b in d.buses]))
    if len(d.bus0):
        names = np.asarray(d.buses)
        n.add("Link", d.lines, bus0=names[d.bus0], bus1=names[d.bus1], p_nom=LINE_CAP,
              p_min_pu=-1.0, efficiency=1.0)
    for k, cap, series in (("wind", UC_WIND_MW, d.wind), ("solar", UC_SOLAR_MW, d.solar)):
        names = [f"{k}_{b}" for b in d.buses]
        n.add("Generator", names, bus=d.buses, carrier=k, p_nom=cap,
              p_max_pu=pd.DataFrame(series, n.snapshots, names))
    for g, size, p_min, mc, su, up, down in UC_UNITS:
        n.add("Generator", [f"{g}_{b}" for b in d.buses], bus=d.buses, carrier="gas",
              p_nom=size, committable=True, p_min_pu=p_min, marginal_cost=mc,
              start_up_cost=su, min_up_time=up, min_down_time=down,
              up_time_before=d.hours + max(up, down), down_time_before=0)
    _shedding(n, d)
    return n


def run_uc(d: RingData, options: dict[str, Any]) -> tuple[float, dict[str, pd.DataFrame]]:
    """Build the network and optimise the commitment MIP (direct API)."""
    logging.getLogger("pypsa").setLevel(logging.WARNING)
    logging.getLogger("linopy").setLevel(logging.WARNING)
    n = build_uc(d)
    mark("input_ready")
    status, condition = n.optimize(solver_name="highs", io_api="direct",
                                   include_objective_constant=False, **options)
    if condition != "optimal":
        raise RuntimeError(f"pypsa: {status} / {condition}")
    return float(n.objective + n.objective_constant), {"dispatch": n.generators_t.p,
                                                      "status": n.generators_t.status}
