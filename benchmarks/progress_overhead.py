"""What the CLI's live progress line costs: ``gridopt run --hours N`` on the default case, on
a pseudo-terminal (the line drawn, HiGHS's callbacks reporting progress) and with
``--quiet`` (no line, no progress callbacks), alternately, one process per run.

Records HiGHS's solve seconds (summary.json ``solve_seconds``), the wall time and the CPU
time (user + system, of the child process: less disturbed by other work on the machine than
wall times) of each run into ``benchmarks/results/progress_overhead.json`` and ``.md``. No
assertion on any time.

Usage::

    python benchmarks/progress_overhead.py [--hours 744] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
MODES = {"line": [], "quiet": ["--quiet"]}


def run_once(hours: int, mode: str, folder: Path) -> dict:
    """One ``gridopt run`` on a pseudo-terminal; its figures."""
    out = folder / f"out-{mode}-{time.monotonic_ns()}"
    leader, follower = pty.openpty()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from gridopt.cli import main; main()",
                             "run", "--hours", str(hours), "--out", str(out), *MODES[mode]],
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    drawn = 0
    while True:  # drain the terminal, as a terminal would, until the child closes it
        if select.select([leader], [], [], 0.5)[0]:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            drawn += len(data)
    _, status, usage = os.wait4(proc.pid, 0)  # reaps the child: its CPU time
    proc.returncode = os.waitstatus_to_exitcode(status)
    os.close(leader)
    wall = time.perf_counter() - t0
    summary = json.loads((out / "summary.json").read_text())
    return {"mode": mode, "returncode": proc.returncode, "status": summary["status"],
            "objective": summary["objective"], "solve_seconds": summary["solve_seconds"],
            "wall_seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "terminal_bytes": drawn}


def to_markdown(records: list[dict], meta: dict) -> str:
    lines = [f"# Progress line overhead ({meta['date']}, {meta['machine']}, "
             f"{meta['cpus']} CPUs)", "",
             f"`gridopt run --hours {meta['hours']}` on the default case, on a pseudo-terminal "
             "(line drawn, HiGHS callbacks reporting progress at most every 0.25 s) versus "
             "`--quiet` (neither), alternately, one process per run.", "",
             "| run | mode | status | objective | solve s | wall s | CPU s | terminal bytes |",
             "|---|---|---|---|---|---|---|---|"]
    for k, r in enumerate(records, 1):
        lines.append(f"| {k} | {r['mode']} | {r['status']} | {r['objective']:,.3f} | "
                     f"{r['solve_seconds']:.2f} | {r['wall_seconds']:.2f} | "
                     f"{r['cpu_seconds']:.2f} | {r['terminal_bytes']:,} |")
    lines.append("")
    for mode in MODES:
        solve = [r["solve_seconds"] for r in records if r["mode"] == mode]
        wall = [r["wall_seconds"] for r in records if r["mode"] == mode]
        cpu = [r["cpu_seconds"] for r in records if r["mode"] == mode]
        lines.append(f"- {mode}: solve median {statistics.median(solve):.2f} s "
                     f"(min {min(solve):.2f}, max {max(solve):.2f}); wall median "
                     f"{statistics.median(wall):.2f} s; CPU median {statistics.median(cpu):.2f} "
                     f"s (min {min(cpu):.2f}, max {max(cpu):.2f})")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=744)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--name", default="progress_overhead")
    args = parser.parse_args()
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):
            order = ("line", "quiet") if k % 2 == 0 else ("quiet", "line")
            for mode in order:
                records.append(run_once(args.hours, mode, Path(tmp)))
                print(records[-1], flush=True)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": platform.platform(),
            "python": platform.python_version(), "cpus": os.cpu_count(), "hours": args.hours}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps({"meta": meta, "runs": records},
                                                          indent=2) + "\n")
    (RESULTS / f"{args.name}.md").write_text(to_markdown(records, meta))
    print(to_markdown(records, meta))


if __name__ == "__main__":
    main()
