"""The ring problem as a gridopt case (tables in code, as :func:`case_from_tables` takes them).

``gridopt.case.validate`` is imported here, with the other imports, because
:func:`case_from_tables` imports it lazily on its first call (networkx and pydantic: about
0.6 s once per process); the benchmark times no tool's imports.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import gridopt
import gridopt.case.validate  # imported here so that its one-off import is not timed
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
from gridopt.case.build import case_from_tables
from gridopt.case.case import Case


def ring_case(d: RingData, validate: bool = True) -> Case:
    """The gridopt case: CRF = 1 (discount 0, lifetime 1 year), w = 8760 / T (annualise)."""
    config = {"name": f"ring_{d.n_buses}x{d.hours}", "currency": "EUR", "voll_per_mwh": VOLL,
              "discount_rate": 0.0,
              "snapshots": {"start": "2030-01-01 00:00", "hours": d.hours, "annualise": True}}
    tables = {
        "buses": pd.DataFrame({"name": d.buses}),
        "lines": pd.DataFrame({"name": d.lines, "bus0": [d.buses[i] for i in d.bus0],
                               "bus1": [d.buses[i] for i in d.bus1], "cap_fwd_mw": LINE_CAP}),
        "generators": _generators(d),
        "storage": pd.DataFrame({
            "name": [f"battery_{b}" for b in d.buses], "bus": d.buses, "extendable": True,
            "duration_h": DURATION, "capex_per_mw": BATTERY_CAPEX, "lifetime_yr": 1.0,
            "eff_charge": EFF, "eff_discharge": EFF, "cyclic": True}),
        "loads": pd.DataFrame({"name": [f"load_{b}" for b in d.buses], "bus": d.buses}),
    }
    return case_from_tables(config, tables, _series(d), validate=validate)


def _generators(d: RingData) -> pd.DataFrame:
    rows = [{"name": f"{k}_{b}", "bus": b, "carrier": k, "extendable": True,
             "capex_per_mw": CAPEX[k], "lifetime_yr": 1.0,
             "vom_per_mwh": GAS_MC if k == "gas" else 0.0}
            for k in TECHS for b in d.buses]
    return pd.DataFrame(rows)


def _series(d: RingData) -> dict[str, pd.DataFrame]:
    hour = pd.RangeIndex(1, d.hours + 1, name="hour")
    load = pd.DataFrame(d.load, index=hour, columns=[f"load_{b}" for b in d.buses])
    avail = pd.concat([pd.DataFrame(d.availability(k), index=hour,
                                    columns=[f"{k}_{b}" for b in d.buses])
                       for k in ("wind", "solar")], axis=1)
    return {"load_mw": load.reset_index(), "availability_pu": avail.reset_index()}


def run(d: RingData, options: dict[str, Any], backend: str = "highs", validate: bool = True
        ) -> tuple[float, dict[str, pd.DataFrame]]:
    """Build the case, solve it with ``backend`` and extract every result table.

    ``validate=False`` (the runner's ``gridopt-novalidate`` row): the tables are trusted, as
    a case written in code may be; every other step of the build is the same.
    """
    case = ring_case(d, validate=validate)
    mark("input_ready")
    result = gridopt.solve(case, backend=backend, **options)
    if not result.ok:
        raise RuntimeError(f"gridopt ({backend}): {result.status}")
    return float(result.objective), result.tables()


def ring_uc_case(d: RingData, validate: bool = True) -> Case:
    """The commitment variant: fixed wind and solar, two committable gas units per bus, no
    battery, not annualised (the objective is the cost of the T hours)."""
    config = {"name": f"ring_uc_{d.n_buses}x{d.hours}", "currency": "EUR",
              "voll_per_mwh": VOLL,
              "snapshots": {"start": "2030-01-01 00:00", "hours": d.hours, "annualise": False}}
    ren = [{"name": f"{k}_{b}", "bus": b, "carrier": k, "p_nom_mw": cap}
           for k, cap in (("wind", UC_WIND_MW), ("solar", UC_SOLAR_MW)) for b in d.buses]
    gas = [{"name": f"{g}_{b}", "bus": b, "carrier": "gas", "p_nom_mw": size,
            "committable": True, "p_min_pu": p_min, "vom_per_mwh": mc, "startup_cost": su,
            "min_up_h": float(up), "min_down_h": float(down)}
           for g, size, p_min, mc, su, up, down in UC_UNITS for b in d.buses]
    tables = {
        "buses": pd.DataFrame({"name": d.buses}),
        "lines": pd.DataFrame({"name": d.lines, "bus0": [d.buses[i] for i in d.bus0],
                               "bus1": [d.buses[i] for i in d.bus1], "cap_fwd_mw": LINE_CAP}),
        "generators": pd.DataFrame(ren + gas),
        "loads": pd.DataFrame({"name": [f"load_{b}" for b in d.buses], "bus": d.buses}),
    }
    return case_from_tables(config, tables, _series(d), validate=validate)


def run_uc(d: RingData, options: dict[str, Any], backend: str = "highs",
           validate: bool = True) -> tuple[float, dict[str, pd.DataFrame]]:
    """Build the commitment case, solve the MIP with ``backend``; every result table."""
    case = ring_uc_case(d, validate=validate)
    mark("input_ready")
    result = gridopt.solve(case, backend=backend, **options)
    if not result.ok:
        raise RuntimeError(f"gridopt ({backend}): {result.status}")
    return float(result.objective), result.tables()
