"""Two weeks of RTS-GMLC with unit commitment: the MIP, its LP relaxation and the HiGHS floor.

Loads the shipped case (``data/rts-gmlc``), keeps its first 14 days (336 hourly snapshots; the
case does not annualise, so the objective is the cost of these hours) and records, in one
process and one run:

- the MIP through ``gridopt.solve`` (HiGHS, ``mip_rel_gap`` 0.01, a time limit): build
  seconds (case → arrays → ``passModel``), solve seconds (``Highs.run`` of the MIP), the
  fixed-LP seconds (the pricing LP with the integers fixed), status, objective, dual bound,
  gap, nodes, integer columns, rows, starts and energy per carrier, load shed, CO2;
- the LP relaxation (``relax_integrality=True``) through ``gridopt.solve``;
- the HiGHS-only floor: the same arrays (``build_model``) passed straight to ``highspy`` with
  the same options and only ``h.run()`` timed, for the relaxation and (unless the MIP took
  longer than ``--floor-mip-max`` seconds) for the MIP.

Writes ``benchmarks/results/rts_gmlc_uc.md`` and ``.csv``. No time is asserted anywhere.

Usage::

    python benchmarks/rts_gmlc_uc.py [--days 14] [--gap 0.01] [--time-limit 600]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np

import gridopt
from gridopt.data import case_path
from gridopt.model.build import build_model

RESULTS = Path(__file__).resolve().parent / "results"


def first_days(case: gridopt.Case, days: int) -> gridopt.Case:
    """The first ``days`` days of ``case`` (as ``tests/test_default_case.py::week``)."""
    n = 24 * days
    return case.replace(snapshots=case.snapshots[:n],
                        series={k: v.iloc[:n] for k, v in case.series.items()})


def floor(case: gridopt.Case, options: dict[str, Any], relax: bool) -> dict[str, Any]:
    """The same model handed straight to highspy; only ``h.run()`` is timed."""
    m = build_model(case)
    if relax:
        m.relax_integrality()
    a = m.matrix("csc")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    h.passModel(m.n_cols, m.n_rows, a.nnz, 1, 1, m.offset,
                np.ascontiguousarray(m.cost_vector()), np.ascontiguousarray(m.lower),
                np.ascontiguousarray(m.upper), np.ascontiguousarray(m.row_lower),
                np.ascontiguousarray(m.row_upper), a.indptr.astype(np.int32),
                a.indices.astype(np.int32), a.data.astype(np.float64),
                m.integrality.astype(np.int32))
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    out = {"run": "floor " + ("LP relaxation" if relax else "MIP"),
           "status": h.modelStatusToString(h.getModelStatus()),
           "objective": info.objective_function_value, "solve_seconds": seconds,
           "columns": m.n_cols, "rows": m.n_rows, "nonzeros": int(a.nnz),
           "integer_columns": 0 if relax else m.n_integer}
    if not relax:
        out.update({"dual_bound": info.mip_dual_bound, "gap": info.mip_gap,
                    "nodes": info.mip_node_count})
    return out


def gridopt_run(case: gridopt.Case, label: str, **options: Any) -> tuple[dict, Any]:
    t0 = time.perf_counter()
    r = gridopt.solve(case, **options)
    wall = time.perf_counter() - t0
    sol, s = r.solution, r.summary()
    out: dict[str, Any] = {
        "run": label, "status": r.status, "objective": r.objective,
        "build_seconds": sol.build_seconds, "solve_seconds": sol.solve_seconds,
        "wall_seconds": wall, "columns": r.model.n_cols, "rows": r.model.n_rows,
        "nonzeros": int(r.model.matrix().nnz), "integer_columns": s.get("integer_columns", 0)}
    if sol.mip is not None and not options.get("relax_integrality"):
        out.update({"dual_bound": sol.mip.dual_bound, "gap": sol.mip.gap,
                    "nodes": sol.mip.node_count,
                    "fixed_lp_seconds": (sol.mip.fixed_lp_seconds
                                         if sol.mip.fixed_lp_status else None),
                    "fixed_lp_status": sol.mip.fixed_lp_status,
                    "fixed_lp_objective": sol.mip.fixed_lp_objective})
    if r.solution.x is not None:
        out["load_shed_mwh"] = float(r.load_shed.to_numpy().sum()) if r.load_shed.size else 0.0
        out["co2_t"] = float(r.energy["co2_t"].sum())
    return out, r


def by_carrier(r: Any) -> dict[str, dict[str, float]]:
    """Energy (GWh), fuel use and starts per carrier of a solved run."""
    e = r.energy
    table: dict[str, dict[str, float]] = {}
    for carrier, g in e.groupby("carrier"):
        table[str(carrier)] = {"energy_gwh": float(g["energy_mwh"].sum()) / 1e3,
                               "co2_t": float(g["co2_t"].sum())}
    gens = r.case.table("generators")
    c = r.commitment
    if not c.empty:
        starts = c["starts"].groupby(level="name").sum()
        on = c["units_on"].groupby(level="name").sum()
        for name, n in starts.items():
            carrier = str(gens.loc[name, "carrier"])
            row = table.setdefault(carrier, {"energy_gwh": 0.0, "co2_t": 0.0})
            row["starts"] = row.get("starts", 0.0) + float(n)
            row["unit_hours_on"] = row.get("unit_hours_on", 0.0) + float(on[name])
    if r.storage_discharge.size:
        table["storage (discharge)"] = {
            "energy_gwh": float(r.storage_discharge.to_numpy().sum()) / 1e3, "co2_t": 0.0}
    return table


def fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if abs(v) >= 1e4:
            return f"{v:,.0f}"
        return f"{v:,.{digits}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def to_markdown(meta: dict, runs: list[dict], carriers: dict, relaxed: dict) -> str:
    cols = ["run", "status", "objective", "dual_bound", "gap", "nodes", "build_seconds",
            "solve_seconds", "fixed_lp_seconds", "wall_seconds", "columns", "rows",
            "integer_columns", "load_shed_mwh", "co2_t"]
    lines = [f"# RTS-GMLC, {meta['days']} days with unit commitment ({meta['date']} UTC)", "",
             f"Command: `{meta['command']}`. Machine: {meta['machine']}, {meta['cpus']} cores "
             f"shared with other jobs (1-minute load average {meta['load_start']:.2f} at the "
             f"start, {meta['load_end']:.2f} at the end), Python {meta['python']}, HiGHS "
             f"{meta['highs']}. Options: {meta['options']} (HiGHS defaults otherwise, threads "
             "automatic). One run each, in one process; times on a shared machine are "
             "indicative only.", "",
             "Objective: USD, the cost of these hours (the case does not annualise). Build: "
             "case → arrays → `passModel`; solve: `Highs.run` (for the MIP, branch and bound "
             "only); fixed LP: the pricing LP with the integers fixed (its build and solve). "
             "Floor: the same arrays passed straight to highspy with the same options, only "
             "`h.run()` timed.", "",
             "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in runs:
        lines.append("| " + " | ".join(fmt(r.get(c)) for c in cols) + " |")
    names = sorted(set(carriers) | set(relaxed))
    lines += ["", "Per carrier, MIP incumbent (and LP relaxation): energy GWh, starts (units "
              "started over the horizon), unit-hours on, CO2 t.", "",
              "| carrier | energy GWh | LP relax. GWh | starts | LP relax. starts | "
              "unit-hours on | CO2 t |", "|---|---|---|---|---|---|---|"]
    for n in names:
        a, b = carriers.get(n, {}), relaxed.get(n, {})
        lines.append(f"| {n} | {fmt(a.get('energy_gwh'), 2)} | {fmt(b.get('energy_gwh'), 2)} | "
                     f"{fmt(a.get('starts'), 1)} | {fmt(b.get('starts'), 1)} | "
                     f"{fmt(a.get('unit_hours_on'), 0)} | {fmt(a.get('co2_t'), 0)} |")
    total = sum(v["energy_gwh"] for k, v in carriers.items() if k != "storage (discharge)")
    lines += ["", f"Generation {total:,.1f} GWh in total."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--floor-mip-max", type=float, default=240.0,
                        help="run the MIP floor only if gridopt's MIP solved within this (s)")
    args = parser.parse_args()
    meta: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "days": args.days,
        "machine": f"{platform.platform()}, {platform.processor() or platform.machine()}",
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "highs": highspy.Highs().version(),
        "load_start": os.getloadavg()[0],
        "command": f"python benchmarks/rts_gmlc_uc.py --days {args.days} --gap {args.gap} "
                   f"--time-limit {args.time_limit:g}"}
    opts = {"mip_rel_gap": args.gap, "time_limit": args.time_limit}
    meta["options"] = ", ".join(f"{k} {v:g}" for k, v in opts.items())
    t0 = time.perf_counter()
    case = first_days(gridopt.read_case(case_path("rts-gmlc")), args.days)
    meta["read_seconds"] = time.perf_counter() - t0
    runs: list[dict] = []
    lp, r_lp = gridopt_run(case, "gridopt LP relaxation", relax_integrality=True, **opts)
    runs.append(lp)
    print(lp, flush=True)
    runs.append(floor(case, opts, relax=True))
    print(runs[-1], flush=True)
    mip, r_mip = gridopt_run(case, "gridopt MIP", **opts)
    runs.append(mip)
    print(mip, flush=True)
    if mip["solve_seconds"] <= args.floor_mip_max:
        runs.append(floor(case, opts, relax=False))
        print(runs[-1], flush=True)
    carriers = by_carrier(r_mip) if r_mip.solution.x is not None else {}
    relaxed = by_carrier(r_lp) if r_lp.solution.x is not None else {}
    meta["load_end"] = os.getloadavg()[0]
    RESULTS.mkdir(exist_ok=True)
    md = to_markdown(meta, runs, carriers, relaxed)
    (RESULTS / "rts_gmlc_uc.md").write_text(md)
    keys = sorted({k for r in runs for k in r})
    with open(RESULTS / "rts_gmlc_uc.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["section", "name", "key", "value"])
        for k, v in meta.items():
            w.writerow(["meta", "", k, v])
        for r in runs:
            for k in keys:
                if k in r and k != "run":
                    w.writerow(["run", r["run"], k, r[k]])
        for label, table in (("carrier MIP", carriers), ("carrier LP relaxation", relaxed)):
            for n, row in table.items():
                for k, v in row.items():
                    w.writerow([label, n, k, v])
    print(md)


if __name__ == "__main__":
    main()
