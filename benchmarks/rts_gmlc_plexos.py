"""RTS-GMLC two weeks of unit commitment beside the published PLEXOS day-ahead solution.

The published PLEXOS DA solution (GridMod/RTS-GMLC, ``RTS_Data/FormattedData/PLEXOS/
PLEXOS_Solution/DAY_AHEAD Solution Files/allTX/``) covers 2020-07-05 00:00 – 2020-07-18 23:00
(336 hours). This script solves the shipped case (``data/rts-gmlc``) over the same 336 hours:

- as a rolling horizon (48 h windows stepping 24 h, each to 1 %), like PLEXOS's day-ahead
  runs (one day at a time with a look-ahead);
- as one two-week MIP (``mip_rel_gap`` 0.01, a time limit) started from that rolling plan
  (``Highs.setSolution`` with its units on, starts and stops; HiGHS completes the rest);

and compares, over the hours of the PLEXOS files copied to ``benchmarks/reference/
rts_gmlc_plexos/`` (see its README: which days, source, commit, licence): energy by carrier,
its shares, starts by carrier (a start = an hour with output after an hour without, within
the covered hours; every thermal unit has p_min > 0, so output > 0 ⇔ on) and, where the
PLEXOS cost file is there, the generation cost. gridopt's cost per hour is Σ_g (fuel price ×
heat rate + VOM) p_g + Σ starts × (start fuel × price + start cost): the same terms as its
objective (checked: their sum over the horizon equals the objective).

Writes ``benchmarks/results/rts_gmlc_plexos.md`` and ``.json``. No time is asserted.

Usage::

    python benchmarks/rts_gmlc_plexos.py [--time-limit 600] [--skip-mip]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd

import gridopt
from gridopt.data import case_path
from gridopt.model.build import build_model
from gridopt.model.highs_backend import to_highs

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from rts_gmlc_uc_levers import integer_start  # noqa: E402

RESULTS = HERE / "results"
REFERENCE = HERE / "reference" / "rts_gmlc_plexos"
START, HOURS = "2020-07-05 00:00", 336


def july_weeks(case: gridopt.Case, hours: int = HOURS) -> gridopt.Case:
    """The 336 hours PLEXOS's DA files cover (or their first ``hours``)."""
    first = case.snapshots.get_loc(pd.Timestamp(START))
    sl = slice(first, first + hours)
    return case.replace(snapshots=case.snapshots[sl],
                        series={k: v.iloc[sl] for k, v in case.series.items()})


def plexos(kind: str) -> pd.DataFrame:
    """Every copied PLEXOS file of one kind (``generation``, ``cost``), hours × units."""
    parts = [pd.read_csv(p, index_col=0, parse_dates=True)
             for p in sorted(REFERENCE.glob(f"PLEXOS_DA_{kind}_*.csv"))]
    return pd.concat(parts).sort_index() if parts else pd.DataFrame()


def unit_costs(case: gridopt.Case) -> tuple[pd.Series, pd.Series]:
    """Per generator: cost per MWh (fuel × heat rate + VOM) and cost per start."""
    g = case.table("generators")
    price = case.table("fuels")["price_per_gj"]
    fuel = g["fuel"].map(price).fillna(0.0)
    per_mwh = fuel * g["heat_rate_gj_per_mwh"].fillna(0.0) + g["vom_per_mwh"].fillna(0.0)
    per_start = fuel * g["startup_fuel_gj"].fillna(0.0) + g["startup_cost"].fillna(0.0)
    return per_mwh, per_start


def starts_of(output: pd.DataFrame, thermal: pd.Index) -> pd.Series:
    """Starts per unit inside the hours of ``output``: off (≤ 1e-6 MW) then on."""
    on = output[thermal.intersection(output.columns)] > 1e-6
    return (on & ~on.shift(1, fill_value=True)).iloc[1:].sum()


def by_carrier(output: pd.DataFrame, starts: pd.Series, cost: pd.Series | None,
               carrier: pd.Series) -> pd.DataFrame:
    """Energy (GWh), share, starts and cost (USD) per carrier."""
    energy = output.sum().groupby(carrier.reindex(output.columns).fillna("other")).sum() / 1e3
    out = pd.DataFrame({"energy_gwh": energy, "share": energy / energy.sum()})
    out["starts"] = starts.groupby(carrier.reindex(starts.index)).sum()
    if cost is not None:
        out["cost_usd"] = cost.groupby(carrier.reindex(cost.index).fillna("other")).sum()
    return out


def rolling(case: gridopt.Case, gap: float) -> tuple[Any, dict[str, Any]]:
    """The rolling 48:24 plan of the two weeks, timed."""
    from gridopt.rolling import solve_rolling
    t0, c0 = time.perf_counter(), time.process_time()
    rolled = solve_rolling(case, 48.0, 24.0, mip_rel_gap=gap)
    rec = {"run": "gridopt rolling 48:24", "status": rolled.status,
           "objective": rolled.objective, "seconds": time.perf_counter() - t0,
           "cpu_seconds": time.process_time() - c0, "windows": len(rolled.windows),
           "largest_window_gap": max((w.results.solution.mip.gap or 0.0)
                                     for w in rolled.windows if w.results.solution.mip)}
    return rolled, rec


def monolithic(case: gridopt.Case, on: np.ndarray, gap: float, limit: float
               ) -> tuple[dict[str, Any], np.ndarray | None, Any]:
    """The two-week MIP from the rolling plan's commitment; its record and solution."""
    t0, c0 = time.perf_counter(), time.process_time()
    m = build_model(case)
    h = to_highs(m, {"mip_rel_gap": gap, "time_limit": limit})
    cols, vals = integer_start(m, on)
    h.setSolution(len(cols), cols, vals)
    build = time.perf_counter() - t0
    h.run()
    info = h.getInfo()
    rec = {"run": "gridopt two-week MIP, rolling start",
           "status": h.modelStatusToString(h.getModelStatus()),
           "objective": info.objective_function_value, "dual_bound": info.mip_dual_bound,
           "gap": info.mip_gap, "nodes": info.mip_node_count, "build_seconds": build,
           "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}
    x = np.asarray(h.getSolution().col_value) if info.primal_solution_status else None
    return rec, x, m


def mip_tables(m: Any, x: np.ndarray, case: gridopt.Case) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dispatch (hours × generators) and starts (hours × committable) of a MIP solution."""
    def frame(name: str) -> pd.DataFrame:
        b = m.var_blocks[name]
        names, hours = b.coords
        return pd.DataFrame(x[b.index()].T, index=hours, columns=names)
    return frame("generators.dispatch"), frame("commitment.startup").round()


def hourly_cost(dispatch: pd.DataFrame, starts: pd.DataFrame, case: gridopt.Case
                ) -> pd.DataFrame:
    """Generation cost per hour and generator: energy plus start costs."""
    per_mwh, per_start = unit_costs(case)
    cost = dispatch * per_mwh.reindex(dispatch.columns).to_numpy()
    return cost.add(starts * per_start.reindex(starts.columns).to_numpy(), fill_value=0.0)


def compare(dispatch: pd.DataFrame, gen_cost: pd.DataFrame, ref_gen: pd.DataFrame,
            ref_cost: pd.DataFrame, case: gridopt.Case) -> dict[str, Any]:
    """Both sides over the hours the reference covers."""
    g = case.table("generators")
    carrier = g["carrier"]
    thermal = g.index[g["committable"].fillna(False).astype(bool)]
    hours = ref_gen.index
    ours = dispatch.loc[hours]
    ours_cost = gen_cost.loc[hours].sum() if not ref_cost.empty else None
    theirs_cost = ref_cost.loc[ref_cost.index.intersection(hours)].sum() if not \
        ref_cost.empty else None
    return {
        "hours": [str(hours[0]), str(hours[-1]), len(hours)],
        "gridopt": by_carrier(ours, starts_of(ours, thermal), ours_cost, carrier),
        "plexos": by_carrier(ref_gen, starts_of(ref_gen, thermal), theirs_cost, carrier),
        "load_mwh": float(case.series["load_mw"].loc[hours].to_numpy().sum())}


def table(cmp: dict[str, Any]) -> list[str]:
    a, b = cmp["gridopt"], cmp["plexos"]
    names = sorted(set(a.index) | set(b.index))
    lines = ["| carrier | gridopt GWh | PLEXOS GWh | gridopt share | PLEXOS share | gridopt "
             "starts | PLEXOS starts | gridopt cost USD | PLEXOS cost USD |",
             "|---|---|---|---|---|---|---|---|---|"]

    def f(frame: pd.DataFrame, n: str, col: str, fmt: str) -> str:
        if col not in frame or n not in frame.index or pd.isna(frame.loc[n, col]):
            return "–"
        return format(frame.loc[n, col], fmt)
    for n in names:
        lines.append(f"| {n} | {f(a, n, 'energy_gwh', ',.2f')} | {f(b, n, 'energy_gwh', ',.2f')}"
                     f" | {f(a, n, 'share', '.1%')} | {f(b, n, 'share', '.1%')} | "
                     f"{f(a, n, 'starts', ',.0f')} | {f(b, n, 'starts', ',.0f')} | "
                     f"{f(a, n, 'cost_usd', ',.0f')} | {f(b, n, 'cost_usd', ',.0f')} |")
    tot = {k: (a[k].sum() if k in a else None, b[k].sum() if k in b else None)
           for k in ("energy_gwh", "starts", "cost_usd")}

    def t(v: Any, fmt: str) -> str:
        return "–" if v is None else format(v, fmt)
    lines.append(f"| **total** | {t(tot['energy_gwh'][0], ',.2f')} | "
                 f"{t(tot['energy_gwh'][1], ',.2f')} | 100 % | 100 % | "
                 f"{t(tot['starts'][0], ',.0f')} | {t(tot['starts'][1], ',.0f')} | "
                 f"{t(tot['cost_usd'][0], ',.0f')} | {t(tot['cost_usd'][1], ',.0f')} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gap", type=float, default=0.01)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--skip-mip", action="store_true")
    parser.add_argument("--hours", type=int, default=HOURS, help="a shorter horizon (smoke)")
    parser.add_argument("--out", default="rts_gmlc_plexos", help="stem of the result files")
    args = parser.parse_args()
    meta = {"date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "machine": platform.platform(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "highs": highspy.Highs().version(),
            "load_start": os.getloadavg()[0], "command": " ".join(sys.argv)}
    case = july_weeks(gridopt.read_case(case_path("rts-gmlc")), args.hours)
    ref_gen, ref_cost = plexos("generation"), plexos("cost")
    rolled, roll_rec = rolling(case, args.gap)
    print(roll_rec, flush=True)
    runs = [roll_rec]
    d = rolled.dispatch  # hours × generators
    c = rolled.commitment["starts"].unstack("name")
    comparisons = {"rolling": compare(d, hourly_cost(d, c, case), ref_gen, ref_cost, case)}
    check = float(hourly_cost(d, c, case).to_numpy().sum())
    roll_rec["hourly_cost_sum"] = check
    if not args.skip_mip:
        on = rolled.commitment["units_on"].unstack("name")
        block_names = build_model(case).var_blocks["commitment.status"].coords[0]
        on = on.reindex(columns=block_names).to_numpy().T
        rec, x, m = monolithic(case, np.rint(on), args.gap, args.time_limit)
        print(rec, flush=True)
        runs.append(rec)
        if x is not None:
            dm, sm = mip_tables(m, x, case)
            rec["hourly_cost_sum"] = float(hourly_cost(dm, sm, case).to_numpy().sum())
            comparisons["mip"] = compare(dm, hourly_cost(dm, sm, case), ref_gen, ref_cost,
                                         case)
    meta["load_end"] = os.getloadavg()[0]
    write(meta, runs, comparisons, args.out)


def write(meta: dict[str, Any], runs: list[dict[str, Any]], cmps: dict[str, Any],
          stem: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    payload = {"meta": meta, "runs": runs,
               "comparisons": {k: {**v, "gridopt": v["gridopt"].to_dict(),
                                   "plexos": v["plexos"].to_dict()} for k, v in cmps.items()}}
    (RESULTS / f"{stem}.json").write_text(json.dumps(payload, indent=1, default=str))
    lines = [f"# RTS-GMLC 2020-07-05 … 07-18: gridopt beside PLEXOS's day-ahead solution "
             f"({meta['date']} UTC)", "",
             f"Command: `{meta['command']}`; {meta['machine']}, {meta['cpus']} cores shared "
             f"with other engineers' solves (1-minute load {meta['load_start']:.1f} at the "
             f"start, {meta['load_end']:.1f} at the end: wall times from a loaded machine), "
             f"Python {meta['python']}, HiGHS {meta['highs']}.", "",
             "| run | status | objective USD | bound | gap | seconds | CPU s | Σ hourly cost |",
             "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['run']} | {r['status']} | {r['objective']:,.0f} | "
                     f"{r.get('dual_bound', float('nan')):,.0f} | {r.get('gap', float('nan')):.2%}"
                     f" | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
                     f"{r.get('hourly_cost_sum', float('nan')):,.0f} |")
    for key, cmp in cmps.items():
        lines += ["", f"## {key}: hours {cmp['hours'][0]} … {cmp['hours'][1]} "
                  f"({cmp['hours'][2]} h of the PLEXOS files copied)", "", *table(cmp),
                  "", f"Load over these hours: {cmp['load_mwh'] / 1e3:,.2f} GWh."]
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
