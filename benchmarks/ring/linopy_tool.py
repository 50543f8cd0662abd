"""The ring problem written directly in linopy (xarray-labelled variables), solved via highspy.

Idiomatic linopy: one variable per quantity over named dimensions, line flows summed onto buses
with ``groupby``; ``io_api="direct"`` hands the model to highspy without an LP file.
"""

from __future__ import annotations

from typing import Any

import linopy
import numpy as np
import pandas as pd
import xarray as xr

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
)


def build(d: RingData) -> linopy.Model:
    """The linopy model of the ring problem (see :mod:`benchmarks.ring.problem`)."""
    bus = pd.Index(d.buses, name="bus")
    hour = pd.RangeIndex(d.hours, name="snapshot")
    tech = pd.Index(list(TECHS), name="tech")
    load = xr.DataArray(d.load.T, coords=[bus, hour])
    avail = xr.DataArray(np.stack([d.availability(k).T for k in TECHS]), coords=[tech, bus, hour])
    m = linopy.Model(force_dim_names=True)
    shed = m.add_variables(0.0, load, name="shed")
    gen = m.add_variables(lower=0.0, coords=[tech, bus, hour], name="gen")
    cap = m.add_variables(lower=0.0, coords=[tech, bus], name="cap")
    m.add_constraints(gen - avail * cap <= 0.0, name="gen_upper")
    net = _battery(m, bus, hour)
    balance = gen.sum("tech") + shed + net
    if len(d.bus0):
        balance = balance + _line_injection(m, d, hour)
    m.add_constraints(balance == load, name="balance")
    capex = xr.DataArray([CAPEX[k] for k in TECHS], coords=[tech])
    w = d.weight
    m.add_objective((w * VOLL * shed).sum() + (w * GAS_MC * gen.sel(tech="gas")).sum()
                    + (capex * cap).sum() + (BATTERY_CAPEX * m.variables["p_new"]).sum())
    return m


def _battery(m: linopy.Model, bus: pd.Index, hour: pd.Index) -> linopy.LinearExpression:
    """Battery variables and rows; returns discharge − charge (the injection)."""
    charge = m.add_variables(lower=0.0, coords=[bus, hour], name="charge")
    discharge = m.add_variables(lower=0.0, coords=[bus, hour], name="discharge")
    soc = m.add_variables(lower=0.0, coords=[bus, hour], name="soc")
    p_new = m.add_variables(lower=0.0, coords=[bus], name="p_new")
    e_new = m.add_variables(lower=0.0, coords=[bus], name="e_new")
    m.add_constraints(soc - soc.roll(snapshot=1) - EFF * charge + discharge / EFF == 0.0,
                      name="soc_balance")
    m.add_constraints(charge - p_new <= 0.0, name="charge_upper")
    m.add_constraints(discharge - p_new <= 0.0, name="discharge_upper")
    m.add_constraints(soc - e_new <= 0.0, name="soc_upper")
    m.add_constraints(e_new - DURATION * p_new == 0.0, name="duration")
    return discharge - charge


def _line_injection(m: linopy.Model, d: RingData, hour: pd.Index) -> linopy.LinearExpression:
    """Σ flows in − Σ flows out at every bus, by grouping the line flows by their end buses."""
    line = pd.Index(d.lines, name="line")
    flow = m.add_variables(-LINE_CAP, LINE_CAP, coords=[line, hour], name="flow")
    names = np.asarray(d.buses)
    to_bus = xr.DataArray(names[d.bus1], coords=[line], name="bus")
    from_bus = xr.DataArray(names[d.bus0], coords=[line], name="bus")
    return flow.groupby(to_bus).sum() - flow.groupby(from_bus).sum()


def extract(m: linopy.Model) -> dict[str, pd.DataFrame]:
    """Dispatch, capacities and nodal prices as pandas objects."""
    return {
        "dispatch": m.solution["gen"].to_dataframe(),
        "capacity": m.solution["cap"].to_pandas(),
        "battery_p_new": m.solution["p_new"].to_pandas(),
        "prices": m.dual["balance"].to_pandas(),
    }


def run(d: RingData, options: dict[str, Any]) -> tuple[float, dict[str, pd.DataFrame]]:
    """Build, solve (direct API) and extract."""
    m = build(d)
    status, condition = m.solve(solver_name="highs", io_api="direct", **options)
    if condition != "optimal":
        raise RuntimeError(f"linopy: {status} / {condition}")
    return float(m.objective.value), extract(m)


# -- the commitment variant (see "The commitment variant" in problem.py) -------------------

def build_uc(d: RingData) -> linopy.Model:
    """The commitment MIP in linopy: binary u, v, w over (unit, bus, snapshot)."""
    bus = pd.Index(d.buses, name="bus")
    hour = pd.RangeIndex(d.hours, name="snapshot")
    unit = pd.Index([g[0] for g in UC_UNITS], name="unit")
    kind = pd.Index(["wind", "solar"], name="kind")
    par = {key: xr.DataArray([g[i] for g in UC_UNITS], coords=[unit])
           for i, key in enumerate(("name", "size", "p_min", "mc", "su", "up", "down")) if i}
    load = xr.DataArray(d.load.T, coords=[bus, hour])
    ren_cap = xr.DataArray(np.stack([UC_WIND_MW * d.wind.T, UC_SOLAR_MW * d.solar.T]),
                           coords=[kind, bus, hour])
    m = linopy.Model(force_dim_names=True)
    shed = m.add_variables(0.0, load, name="shed")
    ren = m.add_variables(0.0, ren_cap, name="ren")
    p = m.add_variables(0.0, par["size"].broadcast_like(load), name="p")
    u, v, w = (m.add_variables(coords=[unit, bus, hour], name=x, binary=True)
               for x in ("u", "v", "w"))
    first = xr.DataArray(np.arange(d.hours) == 0, coords=[hour]).astype(float)
    previous = u.to_linexpr().shift(snapshot=1).fillna(0)  # no u_{-1} column: 1 on the right
    m.add_constraints(u - previous - v + w == first, name="transition")
    for g in unit:
        for name, moves, sign, rhs, span in (("min_up", v, -1, 0.0, "up"),
                                             ("min_down", w, 1, 1.0, "down")):
            k = min(int(par[span].sel(unit=g)), d.hours)
            lhs = sign * u.sel(unit=g) + sum(
                moves.sel(unit=g).to_linexpr().shift(snapshot=lag).fillna(0) for lag in range(k))
            m.add_constraints(lhs <= rhs, name=f"{name}_{g}")
    m.add_constraints(p - par["p_min"] * par["size"] * u >= 0.0, name="dispatch_lower")
    m.add_constraints(p - par["size"] * u <= 0.0, name="dispatch_upper")
    balance = ren.sum("kind") + p.sum("unit") + shed
    if len(d.bus0):
        balance = balance + _line_injection(m, d, hour)
    m.add_constraints(balance == load, name="balance")
    m.add_objective((VOLL * shed).sum() + (par["mc"] * p).sum() + (par["su"] * v).sum())
    return m


def run_uc(d: RingData, options: dict[str, Any]) -> tuple[float, dict[str, pd.DataFrame]]:
    """Build and solve the commitment MIP (direct API); dispatch and units on."""
    m = build_uc(d)
    status, condition = m.solve(solver_name="highs", io_api="direct", **options)
    if condition != "optimal":
        raise RuntimeError(f"linopy: {status} / {condition}")
    return float(m.objective.value), {"dispatch": m.solution["p"].to_dataframe(),
                                      "status": m.solution["u"].to_dataframe()}
