"""Representative periods against the full year on the default (Luzhou 2030) case.

For the full year and for each K (typical days by default), optionally segmented into S
snapshots of variable length per typical day (``KxS``), one fresh process each: aggregate
(none for the full year), solve the plan, cost the peak-response target at 5 % (warm-started
re-solve of the planning model with R ≥ 0.05 P^peak) and measure R on the event days. Records
objective, new capacities, the target's cost and marginal cost, R, times and sizes into
``benchmarks/results/periods.json`` and ``periods.md`` with the errors against the full year
and the speed-up. No assertion is made on any time.

Usage::

    python -m benchmarks.periods [--ks 4,8,12,24,48,96,12x6,48x6] [--hours 24]
                                 [--variant default|open] [--reuse-full]
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

from benchmarks.run_default import run_child

RESULTS = Path(__file__).resolve().parent / "results"

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import gridopt
from gridopt.solve import as_case
from gridopt.periods import aggregate
from gridopt.peak import cost_curve, verify
k, hours, variant, segments = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
case = as_case(None)
if variant == "open":  # what-if: renewable build limits x 10, so that capacities are decided
    gens = case.table("generators").copy()
    vre = gens["carrier"].isin(["wind", "solar"])
    gens.loc[vre, "p_nom_max_mw"] *= 10.0
    case = case.replace(tables={**case.tables, "generators": gens})
t1 = time.perf_counter()
if k:
    case = aggregate(case, k, hours, segments=segments or None)
t_agg = time.perf_counter() - t1
r = gridopt.solve(case)
caps = r.capacities
new = {f"{c}/{n}": float(v) for (c, n), v in caps["new_mw"].items()}
if "new_mwh" in caps:
    new.update({f"{c}/{n}/mwh": float(v) for (c, n), v in caps["new_mwh"].dropna().items()})
t2 = time.perf_counter()
curve = cost_curve(case, [0.05])
t_curve = time.perf_counter() - t2
report = verify(case)
print(json.dumps({
    "k": k, "segments": segments, "hours": hours, "status": r.status, "objective": r.objective,
    "aggregate_seconds": t_agg, "build_seconds": r.solution.build_seconds,
    "solve_seconds": r.solution.solve_seconds, "cost_curve_seconds": t_curve,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "n_variables": r.model.n_cols, "n_constraints": r.model.n_rows,
    "new_capacity": new,
    "target_cost": float(curve["cost_increase"].iloc[0]),
    "target_marginal": float(curve["marginal_cost_per_mw_yr"].iloc[0]),
    "capability_share": report.capability_mw / report.peak_mw,
    "peak_mw": report.peak_mw,
}))
"""


def run_one(k: int, hours: float, variant: str, segments: int = 0) -> dict:
    """One configuration in a fresh process (k = 0: the full year; segments 0: hourly)."""
    return run_child(CHILD, [str(k), str(hours), variant, str(segments)],
                     {"k": k, "segments": segments})


def parse_spec(spec: str) -> tuple[int, int]:
    """``"12"`` → (12, 0); ``"12x6"`` → 12 typical periods of 6 segments each."""
    k, _, segments = spec.lower().partition("x")
    return int(k), int(segments or 0)


def label(rec: dict) -> str:
    if not rec["k"]:
        return "full year (8760 h)"
    segments = rec.get("segments") or 0
    return f"{rec['k']} × {segments} segments" if segments else str(rec["k"])


def compare(full: dict, rec: dict) -> dict:
    """Errors of ``rec`` against the full year."""
    if rec.get("status") != "optimal" or full.get("status") != "optimal":
        return {}
    caps_full, caps = full["new_capacity"], rec["new_capacity"]
    diffs = {key: caps.get(key, 0.0) - value for key, value in caps_full.items()}
    worst = max(diffs, key=lambda key: abs(diffs[key]))
    return {
        "objective_error": rec["objective"] / full["objective"] - 1.0,
        "largest_capacity_error_mw": diffs[worst],
        "largest_capacity_error_of": worst,
        "total_new_mw_error": sum(v for key, v in diffs.items() if not key.endswith("/mwh")),
        "target_cost_error": rec["target_cost"] / full["target_cost"] - 1.0
        if full["target_cost"] else float("nan"),
        "capability_share_error": rec["capability_share"] - full["capability_share"],
        "speed_up_solve": full["solve_seconds"] / rec["solve_seconds"],
        "speed_up_plan": (full["build_seconds"] + full["solve_seconds"])
        / (rec["aggregate_seconds"] + rec["build_seconds"] + rec["solve_seconds"]),
    }


VARIANTS = {
    "default": "the default case (Luzhou 2030) as shipped",
    "open": "the default case with the wind and solar build limits x 10 (a what-if in which "
            "the new capacities are decided by the optimisation, not by the limits)",
}


def markdown(records: list[dict], machine: str, variant: str) -> str:
    full = next(r for r in records if r["k"] == 0)
    lines = [
        f"# Representative periods: {VARIANTS[variant]}",
        "",
        f"One run of `python -m benchmarks.periods` on {machine}; one fresh process per row;",
        "HiGHS options of the case (dual simplex). *plan* = aggregation + build + solve of the",
        "planning LP; *5 % cost* = the increase of the annual cost when R ≥ 0.05 P^peak is",
        "enforced (warm-started re-solve); *R share* = capability of the enrolled resources on",
        "the event days (`verify`). Errors are against the full year in the same run.",
        "",
        "| K days | rows | plan s | speed-up | objective (M CNY/yr) | objective error | "
        "largest new-capacity error | total new MW error | 5 % cost (M CNY/yr) | 5 % cost error "
        "| R share |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rec in records:
        if rec.get("status") != "optimal":
            lines.append(f"| {label(rec)} | – | – | – | {rec.get('status')} "
                         "| | | | | | |")
            continue
        plan = rec.get("aggregate_seconds", 0) + rec["build_seconds"] + rec["solve_seconds"]
        err = compare(full, rec) if rec["k"] else {}
        cap = "–"
        if err and abs(err["largest_capacity_error_mw"]) < 0.05:
            cap = "0 (all equal)"
        elif err:
            cap = (f"{err['largest_capacity_error_mw']:+,.1f} MW "
                   f"({err['largest_capacity_error_of']})")
        lines.append(
            f"| {label(rec)} | {rec['n_constraints']:,} | {plan:,.1f} | "
            f"{err.get('speed_up_plan', 1.0):,.0f}× | {rec['objective'] / 1e6:,.1f} | "
            f"{err.get('objective_error', 0.0):+.2%} | {cap} | "
            f"{err.get('total_new_mw_error', 0.0):+,.1f} | {rec['target_cost'] / 1e6:,.2f} | "
            f"{err.get('target_cost_error', 0.0):+.1%} | {rec['capability_share']:.2%} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", default="4,8,12,24,48,96,12x6,24x6,48x6,48x12,96x6",
                        help="K typical periods, or KxS: K periods of S segments each")
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="default")
    parser.add_argument("--report-only", action="store_true",
                        help="redraw the markdown from the results file")
    parser.add_argument("--reuse-full", action="store_true",
                        help="take the full-year row from the last results file")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    stem = "periods" if args.variant == "default" else f"periods_{args.variant}"
    path = RESULTS / f"{stem}.json"
    if args.report_only:
        saved = json.loads(path.read_text())
        (RESULTS / f"{stem}.md").write_text(markdown(saved["records"], saved["machine"],
                                                     args.variant))
        return
    records = []
    if args.reuse_full and path.exists():
        records = [r for r in json.loads(path.read_text())["records"] if r["k"] == 0]
    if not records:
        print("full year …", flush=True)
        records.append(run_one(0, args.hours, args.variant))
    for k, segments in (parse_spec(x) for x in args.ks.split(",")):
        print(f"K = {k}{f' x {segments} segments' if segments else ''} …", flush=True)
        records.append(run_one(k, args.hours, args.variant, segments))
    full = records[0]
    for rec in records[1:]:
        rec["errors"] = compare(full, rec)
    machine = f"{platform.node()} ({platform.processor() or platform.machine()}, " \
              f"{__import__('os').cpu_count()} cores)"
    path.write_text(json.dumps({"machine": machine, "variant": args.variant,
                                "records": records}, indent=1))
    (RESULTS / f"{stem}.md").write_text(markdown(records, machine, args.variant))
    print((RESULTS / f"{stem}.md").read_text())


if __name__ == "__main__":
    main()
