"""The progress of a solve: events from HiGHS's callbacks, the CLI's live line, ``--quiet``
and no HiGHS output on the terminal.

No assertion is made on any time: the throttle is set to 0 (every callback sends an event)
and the line's delay to 0 (the progress fields from the first draw); the line is drawn on a
console forced to be a terminal, whose written text (escape sequences included) is read.
The solves are the generated LP of ``tests/test_interrupt.py`` (a ring of 4 buses, simplex
without presolve) on a few hundred hours: thousands of simplex iterations.
"""

from __future__ import annotations

import io
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console
from typer.testing import CliRunner

import gridopt
import gridopt.cli as cli
import gridopt.cli_progress as cli_progress
from gridopt.case.io import read_case
from gridopt.model import progress
from gridopt.model.highs_backend import _Watch
from gridopt.results.folder import LOG_HEADER
from tests import test_interrupt
from tests.test_mip import knapsack_case

runner = CliRunner()
HOURS = 300


def small_case(folder: Path, hours: int = HOURS) -> Path:
    """The interrupt test's ring case, on ``hours`` hours."""
    old = test_interrupt.HOURS
    test_interrupt.HOURS = hours
    try:
        return test_interrupt.write_big_case(folder)
    finally:
        test_interrupt.HOURS = old


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_events_of_a_solve(tmp_path: Path, backend: str) -> None:
    """Every event's elapsed time is at least the one before; on the highs backend the phases
    are building, solving (presolve is off), simplex, with non-decreasing iteration counts and
    an objective once HiGHS has logged its first iteration line. The pyomo backend has no
    callbacks: only "building" is reported, and the solve is the same."""
    case = read_case(small_case(tmp_path / "ring"))
    events: list[progress.Progress] = []
    with progress.reporting(events.append, interval=0.0):
        r = gridopt.solve(case, backend=backend)
    assert r.ok
    times = [e.elapsed for e in events]
    assert times == sorted(times) and times[0] >= 0
    assert events[0].phase == "building"
    if backend == "pyomo":
        assert [e.phase for e in events] == ["building"]
        return
    assert events[1].phase == "solving"
    simplex = [e for e in events if e.phase == "simplex"]
    assert len(simplex) > 10
    counts = [e.iterations for e in simplex]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    assert any(e.objective is not None for e in simplex)
    assert all(e.gap is None and e.nodes is None for e in events)


def test_no_events_outside_reporting(tmp_path: Path) -> None:
    """Without a reporter the backend installs only its interrupt check."""
    assert progress.current() is None
    with progress.reporting(None) as reporter:
        assert reporter is None and progress.current() is None
    case = read_case(small_case(tmp_path / "ring", hours=24))
    assert gridopt.solve(case).ok


def test_events_of_a_mip() -> None:
    """A MIP (the knapsack of tests/test_mip.py) reports the phase "mip": the incumbents are
    feasible, so each is at least the optimum and none is above the one before (minimising);
    the nodes never decrease, a gap is never negative."""
    events: list[progress.Progress] = []
    with progress.reporting(events.append, interval=0.0):
        r = gridopt.solve(knapsack_case(), mip_rel_gap=1e-6)
    assert r.ok
    mip = [e for e in events if e.phase == "mip"]
    assert mip
    incumbents = [e.objective for e in mip if e.objective is not None]
    assert incumbents and incumbents == sorted(incumbents, reverse=True)
    assert min(incumbents) >= r.objective * (1 - 1e-9)
    nodes = [e.nodes for e in mip]
    assert nodes == sorted(nodes) and all(e.gap is None or e.gap >= 0 for e in mip)


def test_mip_event_carries_gap_and_nodes() -> None:
    """A MIP callback's incumbent, gap and nodes become the event's objective, gap and
    nodes; after it the LP callbacks (the MIP's sub-solves) send nothing; an infinite
    incumbent (none yet) is no objective."""
    events: list[progress.Progress] = []
    reporter = progress.Reporter(events.append, time.monotonic(), 0.0)
    stop = SimpleNamespace(is_set=lambda: False)
    watch = _Watch(reporter, stop)  # type: ignore[arg-type]

    def event(**out: float) -> SimpleNamespace:
        return SimpleNamespace(data_out=SimpleNamespace(**out), interrupt=lambda: None)

    watch.mip(event(mip_primal_bound=float("inf"), mip_gap=float("inf"), mip_node_count=0))
    watch.mip(event(mip_primal_bound=120.0, mip_gap=0.25, mip_node_count=7))
    watch.simplex(event(simplex_iteration_count=5))
    assert [(e.phase, e.objective, e.gap, e.nodes) for e in events] == [
        ("mip", None, None, 0), ("mip", 120.0, 0.25, 7)]


def test_log_lines_give_objective_and_crossover() -> None:
    """HiGHS's simplex and IPX log lines (as HiGHS 1.15 writes them) set the objective and
    IPM iteration; "Running crossover" switches the phase."""
    events: list[progress.Progress] = []
    watch = _Watch(progress.Reporter(events.append, time.monotonic(), 0.0),
                   SimpleNamespace(is_set=lambda: False))  # type: ignore[arg-type]
    tick = SimpleNamespace(data_out=SimpleNamespace(simplex_iteration_count=13489),
                           interrupt=lambda: None)
    watch.logged(SimpleNamespace(message="      13489     3.8736591242e+07 Pr: 2157(67360); "
                                         "Du: 0(5.76898e-08) 5.2s\n"))
    watch.simplex(tick)
    watch.logged(SimpleNamespace(message="  31    4.01821556e+07   4.01326602e+07   1.90e-11"
                                         "   1.27e-10  1.23e-03       5.1"))
    watch.ipm(tick)
    watch.logged(SimpleNamespace(message="Running crossover as requested\n"))
    watch.ipm(tick)
    assert [(e.phase, e.iterations, e.objective) for e in events] == [
        ("simplex", 13489, 3.8736591242e07), ("ipm", 31, 4.01821556e07),
        ("crossover", None, 4.01821556e07)]


def test_stop_interrupts_without_event() -> None:
    """Once Ctrl-C set the stop flag, a callback interrupts HiGHS and sends nothing."""
    events: list[progress.Progress] = []
    stopped: list[bool] = []
    watch = _Watch(progress.Reporter(events.append, time.monotonic(), 0.0),
                   SimpleNamespace(is_set=lambda: True))  # type: ignore[arg-type]
    watch.simplex(SimpleNamespace(data_out=SimpleNamespace(simplex_iteration_count=1),
                                  interrupt=lambda: stopped.append(True)))
    assert stopped == [True] and events == []


def test_describe() -> None:
    """The line's fields: elapsed, phase, iteration, objective, and a MIP's gap and nodes."""
    assert cli_progress.describe(None, 3.04) == "3.0 s"
    assert cli_progress.describe(progress.Progress(12.34, "simplex", 12345, 40175112.99),
                                 12.34) == "12.3 s · simplex · iteration 12,345 · " \
                                           "objective 40,175,113"
    assert cli_progress.describe(progress.Progress(1, "mip", None, 120.0, 0.012, 310), 5) == \
        "5.0 s · MIP branch-and-bound · objective 120 · gap 1.20% · 310 nodes"
    assert cli_progress.describe(progress.Progress(1, "simplex", 0, -0.0052107), 1) == \
        "1.0 s · simplex · iteration 0 · objective -0.005211"


def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Make the CLI's stderr console a terminal writing to a buffer; the line's delay 0."""
    buffer = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=buffer, force_terminal=True, width=200))
    monkeypatch.setattr(cli_progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    return buffer


def test_cli_shows_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``gridopt run`` draws the line with the phase, iteration and objective fields (rich
    draws the last state when the line closes, so the last event of the solve is drawn)."""
    buffer = terminal(monkeypatch)
    case = small_case(tmp_path / "ring")
    result = runner.invoke(cli.app, ["run", str(case), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    drawn = buffer.getvalue()
    assert "solving big" in drawn
    assert "simplex · iteration " in drawn and " · objective " in drawn
    assert "results written to" in result.output and "capacity and energy" in result.output


def test_quiet_shows_no_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--quiet``: nothing drawn, no summary tables; where the results are is said."""
    buffer = terminal(monkeypatch)
    case = small_case(tmp_path / "ring", hours=48)
    result = runner.invoke(cli.app, ["run", str(case), "--out", str(tmp_path / "out"),
                                     "--quiet"])
    assert result.exit_code == 0, result.output
    assert buffer.getvalue() == ""
    assert "results written to" in result.output
    assert "capacity and energy" not in result.output and "objective" not in result.output


@pytest.mark.parametrize("extra", [[], ["--quiet"], ["--backend", "pyomo"]])
def test_no_highs_output_on_the_terminal(tmp_path: Path, extra: list[str]) -> None:
    """A real process: neither HiGHS's banner ("Running HiGHS", copyright) nor its log
    ("Model status", "HiGHS run time") reaches stdout or stderr (HiGHS writes to the C
    stdout, which CliRunner would not see)."""
    case = small_case(tmp_path / "ring", hours=48)
    proc = subprocess.run([sys.executable, "-c", "from gridopt.cli import main; main()",
                           "run", str(case), "--out", str(tmp_path / "out"), *extra],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for text in (proc.stdout, proc.stderr):
        for word in ("Running HiGHS", "Copyright", "Model status", "HiGHS run time",
                     "Presolv", "Iteration"):
            assert word not in text
    assert "results written to" in proc.stdout


def read_all(fd: int, seconds: float = 60) -> str:
    """What the child writes to its terminal until it closes it (or ``seconds`` pass)."""
    chunks, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not select.select([fd], [], [], 0.5)[0]:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals and SIGINT are POSIX")
def test_ctrl_c_with_the_line_on_a_terminal(tmp_path: Path) -> None:
    """On a pseudo-terminal (the line is drawn, the callbacks report progress) Ctrl-C still
    stops the solve: exit 130, "nothing was written", no output folder."""
    case, out = test_interrupt.write_big_case(tmp_path / "big"), tmp_path / "out"
    log = tmp_path / "h.log"
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", "from gridopt.cli import main; main()",
                             "run", str(case), "--out", str(out), "--solver-log", str(log)],
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    try:
        deadline = time.monotonic() + 120  # only against a hang
        while not (log.exists() and log.stat().st_size > len(LOG_HEADER)) \
                and proc.poll() is None:
            assert time.monotonic() < deadline, "HiGHS never started"
            time.sleep(0.05)
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        output = read_all(leader)
        proc.wait(timeout=60)
    except BaseException:
        proc.kill()
        raise
    finally:
        os.close(leader)
    assert proc.returncode == 130, output
    assert "nothing was written" in output
    assert not out.exists()
