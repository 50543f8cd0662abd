"""The key figures of one solved scenario, as one flat row of the sweep's table.

Columns: ``status``, ``objective`` (the case's annual system cost), ``demand_mwh``,
``load_shed_mwh``, ``co2_t``, ``mean_price_per_mwh``, ``capacity_mw:<carrier>`` (total installed
generator capacity), ``new_mw:<carrier>`` (built by the model), ``storage_mw``,
``storage_mwh``, ``energy_mwh:<carrier>`` (annual generation), ``peak_response_mw`` and
``peak_response_share`` (the plan's T1: what the DR and VPP resources deliver at the peak, and
its share of peak load, when the case sets ``peak_response``), ``<target>:verdict`` and
``<target>:achieved`` for each target of the modelled year (targets of other years are left
out), ``build_seconds``,
``solve_seconds``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gridopt.results.results import Results


def kpis(results: Results) -> dict[str, Any]:
    """The row of one scenario (only status and timings when the solve has no solution)."""
    s = results.summary()
    row: dict[str, Any] = {"status": s["status"], "objective": s["objective"],
                           "build_seconds": s["build_seconds"],
                           "solve_seconds": s["solve_seconds"]}
    if results.solution.x is None:
        return row
    for key in ("demand_mwh", "load_shed_mwh", "co2_t", "mean_price_per_mwh"):
        row[key] = s.get(key, np.nan)
    row.update(_capacities(results))
    row.update(_energy(results))
    if results.has_targets:
        row.update(_targets(results))
    return row


def _capacities(results: Results) -> dict[str, float]:
    caps = results.capacities
    out: dict[str, float] = {}
    if "generators" in caps.index.get_level_values(0):
        gens = caps.loc["generators"]
        carrier = results.case.table("generators")["carrier"].reindex(gens.index)
        for c, v in gens["total_mw"].groupby(carrier).sum().items():
            out[f"capacity_mw:{c}"] = float(v)
        for c, v in gens["new_mw"].groupby(carrier).sum().items():
            out[f"new_mw:{c}"] = float(v)
    if "storage" in caps.index.get_level_values(0):
        st = caps.loc["storage"]
        out["storage_mw"] = float(st["total_mw"].sum())
        out["storage_mwh"] = float(st["total_mwh"].sum()) if "total_mwh" in st else np.nan
    return out


def _energy(results: Results) -> dict[str, float]:
    energy = results.energy
    if energy.empty:
        return {}
    by = energy.groupby("carrier")["energy_mwh"].sum()
    return {f"energy_mwh:{c}": float(v) for c, v in by.items()}


def _targets(results: Results) -> dict[str, Any]:
    out: dict[str, Any] = {}
    verdicts = results.targets
    for name, v in verdicts.iterrows():
        if str(v["verdict"]).startswith("not modelled"):
            continue
        if v["kind"] == "peak_response":
            out["peak_response_mw"] = float(v["achieved_model"])
            out["peak_response_share"] = float(v["achieved"]) / 100.0
        out[f"{name}:verdict"] = str(v["verdict"])
        out[f"{name}:achieved"] = float(v["achieved"])
    return out
