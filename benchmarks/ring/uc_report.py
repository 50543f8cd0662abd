"""``ring_uc.md``: the commitment variant's runs (``ringuc_*.json``) as tables, followed by
``ring_uc_notes.md`` when it exists (notes written after a round).

One table per mode (build only, build + solve), one row per (N, T, tool): the fastest run of
each (noise on a shared machine only makes runs slower), with its sizes as HiGHS saw them,
build and solve wall and CPU seconds, the build's ratio to the floor, the objective, the MIP
gap HiGHS reported and its difference to the floor's objective.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from benchmarks.ring.problem import UC_HIGHS_OPTIONS, UC_SOLAR_MW, UC_UNITS, UC_WIND_MW

TOOL_ORDER = ("floor", "gridopt", "gridopt-pyomo", "linopy", "pypsa", "pyomo")


def load(results: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every run and every file's meta from ``ringuc_*.json`` (not the scratch files)."""
    runs, metas = [], []
    for path in sorted(results.glob("ringuc_*.json")):
        if path.name.endswith(".run.json"):
            continue
        data = json.loads(path.read_text())
        metas.append(data["meta"])
        runs += data["runs"]
    return runs, metas


def best(runs: list[dict[str, Any]]) -> dict[tuple, dict[str, Any]]:
    """The fastest run with a record per (mode, N, T, tool); failed runs if none succeeded."""
    out: dict[tuple, dict[str, Any]] = {}
    for r in runs:
        key = (r["mode"], r["n_buses"], r["hours"], r["tool"])
        old = out.get(key)
        t = r.get("total_seconds", r.get("build_seconds", math.inf))
        if old is None or t < old.get("total_seconds", old.get("build_seconds", math.inf)):
            out[key] = r
    return out


def _f(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _gap_target(r: dict[str, Any]) -> str:
    """The run's ``mip_rel_gap`` (blank for build-only runs, which do not solve)."""
    if r.get("mode") == "build":
        return "–"
    return str(r.get("highs_options", UC_HIGHS_OPTIONS)["mip_rel_gap"])


def _rows(rows: dict[tuple, dict[str, Any]], mode: str) -> list[str]:
    cols = ["N", "T", "tool", "status", "columns", "rows", "nonzeros", "build s", "build CPU s",
            "× floor (CPU)", "solve s", "solve CPU s", "pricing LP s", "objective", "gap",
            "Δ floor", "nodes", "gap target", "peak RSS MiB"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    keys = sorted((k for k in rows if k[0] == mode),
                  key=lambda k: (k[1], k[2], TOOL_ORDER.index(k[3])
                                 if k[3] in TOOL_ORDER else 99))
    for key in keys:
        r = rows[key]
        fl = rows.get((mode, key[1], key[2], "floor"), {})
        ratio = (r["build_cpu_seconds"] / fl["build_cpu_seconds"]
                 if r.get("build_cpu_seconds") and fl.get("build_cpu_seconds") else None)
        diff = ((r["objective"] - fl["objective"]) / abs(fl["objective"])
                if r.get("objective") is not None and fl.get("objective") else None)
        lines.append("| " + " | ".join([
            str(key[1]), str(key[2]), key[3], r.get("status", "?"), _f(r.get("columns")),
            _f(r.get("rows")), _f(r.get("nonzeros")), _f(r.get("build_seconds"), 3),
            _f(r.get("build_cpu_seconds"), 3), _f(ratio), _f(r.get("solve_seconds")),
            _f(r.get("solve_cpu_seconds")), _f(r.get("later_run_seconds")),
            _f(r.get("objective")),
            "–" if r.get("mip_gap") is None else f"{r['mip_gap']:.2e}",
            "–" if diff is None else f"{diff:+.1e}", _f(r.get("mip_nodes")),
            _gap_target(r),
            _f(r.get("peak_rss_mib"), 0)]) + " |")
    return lines


def markdown(rows: dict[tuple, dict[str, Any]], metas: list[dict[str, Any]]) -> str:
    units = "; ".join(f"{g}: {p:g} MW, p_min {pm:g}, {mc:g}/MWh, start {su:,.0f}, "
                      f"up {up} h / down {dn} h" for g, p, pm, mc, su, up, dn in UC_UNITS)
    dates = sorted({m.get("date", "?") for m in metas})
    loads = [x for m in metas for x in (m.get("loadavg_start", [None])[0],
                                        m.get("loadavg_end", [None])[0]) if x is not None]
    machine = metas[0].get("machine", {}) if metas else {}
    lines = [
        "# Ring benchmark, commitment variant (a MIP)", "",
        "Written by `python -m benchmarks.ring --variant uc` (and `--no-solve` for build-only "
        "rows). The problem: `benchmarks/ring/problem.py`, \"The commitment variant\": per bus "
        f"wind {UC_WIND_MW:g} MW and solar {UC_SOLAR_MW:g} MW fixed, two committable gas units "
        f"({units}), load shedding, the ring's lines; no investment, cost of the T hours. "
        f"HiGHS options: {UC_HIGHS_OPTIONS} unless a row's `gap target` says otherwise "
        "(`--mip-gap`; HiGHS defaults otherwise); every tool solves "
        "the same MIP through `highspy.Highs.run`, timed as in the LP variant "
        "(benchmarks/README.md).", "",
        f"Runs: {', '.join(dates)}; machine: {machine.get('cpu', '?')}, "
        f"{machine.get('cpus', '?')} cores, Python {machine.get('python', '?')}. "
        f"1-minute load average {min(loads, default=math.nan):.1f}–"
        f"{max(loads, default=math.nan):.1f} at the starts and ends of the invocations: "
        "**the 2 cores were shared with other engineers' solves, so wall times are from a "
        "loaded machine**; CPU seconds (`time.process_time`, all threads of the process) "
        "are beside them. One run per row unless `--repeat` was given (the fastest shown).",
        "", "`gap`: HiGHS's final relative MIP gap; `Δ floor`: (objective − floor's) / "
        "floor's, which may differ by up to the gap between tools whose branch and bound "
        "took a different path (same MIP, different incumbents). `solve s`: every "
        "`Highs.run` of the tool summed; gridopt (both backends) solves the MIP and then "
        "the LP with the integers fixed, for prices (`pricing LP s`, included in `solve s`); "
        "sizes, status, gap and nodes are the MIP's.", ""]
    for mode, title in (("build", "Build only (`--no-solve`)"), ("solve", "Build and solve")):
        if any(k[0] == mode for k in rows):
            lines += [f"## {title}", "", *_rows(rows, mode), ""]
    return "\n".join(lines)


def write(results: Path) -> None:
    """Redraw ``ring_uc.md`` from every ``ringuc_*.json`` in ``results``."""
    runs, metas = load(results)
    notes = results / "ring_uc_notes.md"  # written by hand after a round, kept on redraws
    extra = "\n" + notes.read_text() if notes.exists() else ""
    (results / "ring_uc.md").write_text(markdown(best(runs), metas) + extra)
