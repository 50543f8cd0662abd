"""The ring benchmark's report: a markdown table with ratios to the floor, targets and a plot.

Of repeated runs of one tool, size and mode the fastest is shown (the fastest build, or the
fastest end-to-end run when solving): on a shared machine noise only ever makes runs slower.
The table says how many runs there were.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.ring.problem import lp_size

ORDER = ("floor", "gridopt", "gridopt-novalidate", "linopy", "pypsa", "gridopt-pyomo",
         "pyomo")
#: How a tool is named in the tables (others by their own name).
LABELS = {"gridopt-novalidate": "gridopt (validate=False)"}
Key = tuple[str, int, int, str]  # tool, N, T, mode
OK = ("optimal", "built")


def load(results: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every run and every file's meta from ``ring_*.json`` (not the per-run scratch files)."""
    runs, metas = [], []
    for path in sorted(results.glob("ring_*.json")):
        if path.name.endswith(".run.json"):
            continue
        content = json.loads(path.read_text())
        metas.append(content["meta"])
        runs.extend(content["runs"])
    return runs, metas


def best(runs: Iterable[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    """Per tool, N, T and mode: the fastest successful run (build, or end-to-end if solved)."""
    out: dict[Key, dict[str, Any]] = {}
    for r in runs:
        key = (r["tool"], r["n_buses"], r["hours"], r["mode"])
        ok = r.get("status") in OK
        prev = out.get(key)
        field = "total_seconds" if r["mode"] == "solve" else "build_seconds"
        better = prev is None or (ok and (prev.get("status") not in OK
                                          or r[field] < prev[field]))
        n_runs = (prev or {}).get("runs", 0) + 1
        builds = [*(prev or {}).get("builds", []), *([r["build_seconds"]] if ok else [])]
        out[key] = {**(r if better else prev), "runs": n_runs, "builds": builds}
    return out


def _sorted(rows: dict[Key, dict[str, Any]], mode: str) -> list[dict[str, Any]]:
    keys = [k for k in rows if k[3] == mode]
    rank = {t: i for i, t in enumerate(ORDER)}
    return [rows[k] for k in sorted(keys, key=lambda k: (-k[2], k[1], rank.get(k[0], 99)))]


def _f(x: Any, digits: int | None = None) -> str:
    """Integers with separators; floats with 3 decimals below 10, else 1 (or ``digits``)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, int):
        return f"{x:,}"
    if digits is None:
        digits = 3 if abs(x) < 10 else 1
    return f"{x:,.{digits}f}"


def _ratio(r: dict[str, Any], floor: dict[str, Any] | None, field: str) -> str:
    if not floor or r.get(field) is None or not floor.get(field):
        return "–"
    return f"{r[field] / floor[field]:.2f}×"


def _reldiff(r: dict[str, Any], floor: dict[str, Any] | None) -> str:
    if not floor or r.get("objective") is None or floor.get("objective") is None:
        return "–"
    return f"{abs(r['objective'] - floor['objective']) / abs(floor['objective']):.1e}"


SOLVE_HEAD = ("| N | T | tool | runs | columns | rows | nonzeros | build s | × floor | solve s "
              "| extract s | total s | build + extract s | RSS at call MiB | × floor "
              "| peak RSS MiB | objective | rel. diff | load |")
BUILD_HEAD = ("| N | T | tool | runs | columns | rows | nonzeros | input s | build s "
              "| build s (slowest) | × floor | build CPU s | × floor | RSS at call MiB | × floor "
              "| load |")


def _row(r: dict[str, Any], floor: dict[str, Any] | None, mode: str) -> str:
    head = [str(r["n_buses"]), str(r["hours"]), LABELS.get(r["tool"], r["tool"]), str(r["runs"])]
    if r.get("status") not in OK:
        return "| " + " | ".join([*head, f"**{r.get('status')}**"]) + " |"
    sizes = [_f(r.get(k)) for k in ("columns", "rows", "nonzeros")]
    load = _f((r.get("loadavg_start") or [None])[0], 1)
    rss = [_f(r.get("peak_rss_at_call_mib"), 0), _ratio(r, floor, "peak_rss_at_call_mib")]
    if mode == "build":
        cells = [_f(r.get("input_seconds")), _f(r["build_seconds"]), _f(max(r["builds"])),
                 _ratio(r, floor, "build_seconds"), _f(r.get("build_cpu_seconds")),
                 _ratio(r, floor, "build_cpu_seconds"), *rss, load]
    else:
        cells = [_f(r["build_seconds"]), _ratio(r, floor, "build_seconds"),
                 _f(r.get("solve_seconds")), _f(r.get("extract_seconds")),
                 _f(r.get("total_seconds")), _f(r["build_seconds"] + r["extract_seconds"]),
                 *rss, _f(r.get("peak_rss_mib"), 0),
                 f"{r['objective']:.9e}", _reldiff(r, floor), load]
    return "| " + " | ".join(head + sizes + cells) + " |"


def table(rows: dict[Key, dict[str, Any]], mode: str) -> list[str]:
    """Markdown lines of one mode's table."""
    head = SOLVE_HEAD if mode == "solve" else BUILD_HEAD
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in _sorted(rows, mode):
        floor = rows.get(("floor", r["n_buses"], r["hours"], mode))
        lines.append(_row(r, floor if floor and floor.get("status") in OK else None, mode))
    return lines


def pick(rows: dict[Key, dict[str, Any]], tool: str, n: int, t: int) -> dict[str, Any] | None:
    """The fastest successful build of a tool at N, T, over both modes."""
    found = [rows[k] for k in ((tool, n, t, "build"), (tool, n, t, "solve"))
             if k in rows and rows[k].get("status") in OK]
    return min(found, key=lambda r: r["build_seconds"]) if found else None


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def build_targets(rows: dict[Key, dict[str, Any]], n: int, t: int) -> list[str]:
    """Build time vs the floor and linopy, memory vs linopy, at one size."""
    g, f, lp = (pick(rows, tool, n, t) for tool in ("gridopt", "floor", "linopy"))
    out = []
    if g and f:
        ratio = g["build_seconds"] / f["build_seconds"]
        out.append(f"- N = {n}, T = {t}: gridopt build {g['build_seconds']:.2f} s = "
                   f"{ratio:.2f} × floor ({f['build_seconds']:.2f} s), target ≤ 1.3×: "
                   f"{_verdict(ratio <= 1.3)}{_cpu(g, f)}")
    if g and lp:
        out.append(f"- N = {n}, T = {t}: gridopt build {g['build_seconds']:.2f} s vs linopy "
                   f"{lp['build_seconds']:.2f} s, target below: "
                   f"{_verdict(g['build_seconds'] < lp['build_seconds'])}{_cpu(g, lp)}")
        gm, lm = g["peak_rss_at_call_mib"], lp["peak_rss_at_call_mib"]
        out.append(f"- N = {n}, T = {t}: gridopt peak RSS at the solver call {gm:.0f} MiB vs "
                   f"linopy {lm:.0f} MiB, target ≤: {_verdict(gm <= lm)}")
    return out


def _cpu(g: dict[str, Any], other: dict[str, Any]) -> str:
    if not g.get("build_cpu_seconds") or not other.get("build_cpu_seconds"):
        return ""
    cpu_g, cpu_o = g["build_cpu_seconds"], other["build_cpu_seconds"]
    return f" (CPU seconds of those runs: {cpu_g:.2f} vs {cpu_o:.2f}, {cpu_g / cpu_o:.2f}×)"


def solve_targets(rows: dict[Key, dict[str, Any]], n: int, t: int) -> list[str]:
    """End-to-end vs PyPSA and the Pyomo backend vs plain Pyomo, at one solved size."""
    get = {tool: rows.get((tool, n, t, "solve")) for tool in ORDER}
    ok = {k: v for k, v in get.items() if v and v.get("status") == "optimal"}
    out = []
    if "gridopt" in ok and "pypsa" in ok:
        g, p = ok["gridopt"], ok["pypsa"]
        out.append(f"- N = {n}, T = {t}: end-to-end gridopt {g['total_seconds']:.2f} s vs PyPSA "
                   f"{p['total_seconds']:.2f} s, target below: "
                   f"{_verdict(g['total_seconds'] < p['total_seconds'])}; outside the solver "
                   f"(build + extract) {_overhead(g):.2f} s vs {_overhead(p):.2f} s")
    return out


def _overhead(r: dict[str, Any]) -> float:
    return float(r["build_seconds"] + r["extract_seconds"])


def pyomo_targets(rows: dict[Key, dict[str, Any]], n: int, t: int) -> list[str]:
    """gridopt's Pyomo backend vs a Pyomo model written by hand: build time and memory."""
    g, p = pick(rows, "gridopt-pyomo", n, t), pick(rows, "pyomo", n, t)
    if not (g and p):
        return []
    gb, pb = g["build_seconds"], p["build_seconds"]
    gm, pm = g["peak_rss_at_call_mib"], p["peak_rss_at_call_mib"]
    return [f"- N = {n}, T = {t}: Pyomo backend build {gb:.2f} s vs plain Pyomo {pb:.2f} s "
            f"({gb / pb:.2f}×), target no slower: {_verdict(gb <= pb)}; RSS at the solver call "
            f"{gm:.0f} vs {pm:.0f} MiB ({gm / pm:.2f}×, not a target)"]


def targets(rows: dict[Key, dict[str, Any]]) -> list[str]:
    """The issue's targets, each with its numbers and verdict, for every size measured."""
    sizes = sorted({(k[1], k[2]) for k in rows}, key=lambda s: (s[1], s[0]))
    lines = [x for n, t in sizes if n >= 20 and t >= 8760 for x in build_targets(rows, n, t)]
    lines += [x for n, t in sizes for x in solve_targets(rows, n, t)]
    lines += [x for n, t in sizes for x in pyomo_targets(rows, n, t)]
    return lines or ["- no size measured that the targets speak of (N ≥ 20, or solved runs)"]


def plot(rows: dict[Key, dict[str, Any]], path: Path) -> None:
    """Log-log scaling: build seconds, RSS at the solver call and end-to-end seconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    hours = max(k[2] for k in rows)
    panels = (("build_seconds", f"build (data → solver call), s; T = {hours}"),
              ("peak_rss_at_call_mib", f"peak RSS at the solver call, MiB; T = {hours}"),
              ("total_seconds", "end-to-end (build + solve + extract), s; solved runs"))
    for ax, (field, title) in zip(axes, panels, strict=True):
        for tool in ORDER:
            pts = _points(rows, tool, field, hours)
            style = {"linestyle": "none"} if field == "total_seconds" else {}
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", label=LABELS.get(tool, tool),
                        **style)
        ax.set(xscale="log", yscale="log", title=title, xlabel="LP columns (gridopt/floor)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.suptitle("ring benchmark: N buses × T hours, same LP in every tool")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _points(rows: dict[Key, dict[str, Any]], tool: str, field: str,
            hours: int) -> list[tuple[int, float]]:
    """(LP columns, value) of a tool; build and memory at ``hours`` only, so lines scale N."""
    sizes = sorted({(k[1], k[2]) for k in rows
                    if k[0] == tool and (field == "total_seconds" or k[2] == hours)})
    pts = []
    for n, t in sizes:
        r = (rows.get((tool, n, t, "solve")) if field == "total_seconds"
             else pick(rows, tool, n, t))
        if r and r.get(field) is not None and r.get("status") in OK:
            pts.append((lp_size(n, t)[0], float(r[field])))
    return sorted(pts)


def markdown(rows: dict[Key, dict[str, Any]], metas: list[dict[str, Any]]) -> str:
    """The whole report page."""
    machine = metas[-1]["machine"] if metas else {}
    loads = [m["loadavg_start"][0] for m in metas] + [m["loadavg_end"][0] for m in metas]
    lines = ["# Ring benchmark", "",
             f"Machine: {machine.get('cpu', '?')}, {machine.get('cpus', '?')} CPUs, "
             f"{machine.get('memory', '?')}, {machine.get('platform', '?')}, Python "
             f"{machine.get('python', '?')}. Runs from {min(m['date'] for m in metas)} to "
             f"{max(m['date'] for m in metas)}; 1-minute load average "
             f"{min(loads):.1f}–{max(loads):.1f} (shared machine: timings are noisy; the "
             "fastest of repeated runs is shown).", "",
             "HiGHS options everywhere: `solver=ipm`, `run_crossover=off`. *build* = data ready "
             "→ model handed to HiGHS (`Highs.run` called); *input* = data → the tool's own "
             "case/network object; *rel. diff* = |objective − floor| / |floor|.", ""]
    for mode, title in (("solve", "Build and solve"), ("build", "Build only (`--no-solve`)")):
        if any(k[3] == mode for k in rows):
            lines += [f"## {title}", "", *table(rows, mode), ""]
    lines += ["## Targets (issue #7)", "", *targets(rows), "", "![scaling](ring.png)", ""]
    return "\n".join(lines)


def write(results: Path) -> None:
    """Redraw ``ring.md`` and ``ring.png`` from every ``ring_*.json`` in ``results``."""
    runs, metas = load(results)
    rows = best(runs)
    (results / "ring.md").write_text(markdown(rows, metas))
    plot(rows, results / "ring.png")
