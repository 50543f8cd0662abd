"""Safe output: gridopt replaces only its own results, swaps atomically, survives kill -9,
serialises writers, and writes CSVs that spreadsheets open as text."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from gridopt.cli import app
from gridopt.results import folder
from gridopt.results.folder import MARKER, OutputError, check_out, read_marker, tidy
from gridopt.results.write import spreadsheet_safe, write_folder, write_results
from gridopt.solve import solve
from tests.factory import gen, make_case

CASES = Path(__file__).parent / "cases"
runner = CliRunner()
fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _no_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any solve fail loudly: a refusal must come before the long work."""
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved although --out was refused")
    import gridopt.peak

    monkeypatch.setattr(sys.modules["gridopt.solve"], "solve", boom)
    monkeypatch.setattr(gridopt.peak, "verify", boom)


def _refused(args: list[str], rule: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 1, res.output
    assert rule in res.output and "Traceback" not in res.output, res.output


# ---------------------------------------------------------------- what may be replaced


def test_out_with_a_user_file_is_refused_and_kept(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    _no_solve(monkeypatch)
    for command in ("run", "peak-response"):
        _refused([command, str(CASES / "two_bus"), "--out", str(out)], "out-not-a-result")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "my notes"


def test_a_file_added_to_a_result_stops_the_replace(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(CASES / "two_bus"), "--out", str(out)]).exit_code == 0
    assert read_marker(out)["complete"] is True
    assert runner.invoke(app, ["run", str(CASES / "two_bus"), "--out", str(out)]).exit_code == 0
    (out / "my_chart.xlsx").write_text("mine")
    _refused(["run", str(CASES / "two_bus"), "--out", str(out)], "out-not-a-result")
    assert (out / "my_chart.xlsx").read_text() == "mine"


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    res = runner.invoke(app, ["run", str(CASES / "two_bus"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "summary.json").read_text())["objective"] == pytest.approx(2000.0)


def test_out_that_is_a_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "result"
    out.write_text("a file")
    _no_solve(monkeypatch)
    _refused(["run", str(CASES / "two_bus"), "--out", str(out)], "out-not-a-folder")
    assert out.read_text() == "a file"


def test_out_equal_to_or_holding_the_case_or_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = tmp_path / "data" / "mycase"
    shutil.copytree(CASES / "two_bus", case)
    files = sorted(p.name for p in case.iterdir())
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    _no_solve(monkeypatch)
    for out in (case, case.parent, tmp_path, Path("."), Path(".."), work):
        _refused(["run", str(case), "--out", str(out)], "out-holds-protected")
    assert sorted(p.name for p in case.iterdir()) == files and Path.cwd() == work
    assert list(work.iterdir()) == []


def test_a_marked_current_folder_is_still_protected(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = write_folder(tmp_path / "out", {"t": pd.DataFrame({"v": [1]})}, {})
    monkeypatch.chdir(out)
    with pytest.raises(OutputError, match="out-holds-protected"):
        write_folder(".", {"t": pd.DataFrame({"v": [2]})}, {})
    assert pd.read_csv(out / "t.csv")["v"].tolist() == [1]


def test_parent_that_is_a_file_ends_cleanly_before_the_solve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Really unwritable even for root: a path through a file cannot hold a folder."""
    (tmp_path / "blocker").write_text("x")
    _no_solve(monkeypatch)
    _refused(["run", str(CASES / "two_bus"), "--out", str(tmp_path / "blocker" / "sub" / "out")],
             "out-parent-not-a-folder")
    assert (tmp_path / "blocker").read_text() == "x"


def test_read_only_parent_ends_cleanly_before_the_solve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root writes through permission bits, so the check is ``os.access`` (which also sees a
    read-only file system): here it is made to say no for the parent, as for a normal user."""
    parent = tmp_path / "locked"
    parent.mkdir()
    asked: list[Path] = []
    real = os.access

    def access(path: os.PathLike[str] | str, mode: int, **kw: object) -> bool:
        if Path(path) == parent:
            asked.append(Path(path))
            return False
        return real(path, mode, **kw)

    monkeypatch.setattr(os, "access", access)
    _no_solve(monkeypatch)
    _refused(["run", str(CASES / "two_bus"), "--out", str(parent / "new" / "out")],
             "out-parent-read-only")
    assert asked and not (parent / "new").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root writes through permission bits")
def test_read_only_parent_for_a_normal_user(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="out-parent-read-only"):
            check_out(parent / "out")
    finally:
        parent.chmod(0o755)


def test_a_write_failure_is_a_clean_error_and_keeps_the_old(tmp_path: Path) -> None:
    out = write_folder(tmp_path / "out", {"t": pd.DataFrame({"v": [1]})}, {})

    def broken(path: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="out-write-failed"):
        write_folder(out, {"t": pd.DataFrame({"v": [2]})}, {}, {"plot.png": broken})
    assert pd.read_csv(out / "t.csv")["v"].tolist() == [1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# ---------------------------------------------------------------- spreadsheet-safe CSVs


def test_formula_cells_and_labels_are_escaped_numbers_untouched() -> None:
    frame = pd.DataFrame({"carrier": ["=1+2", "gas", "@SUM(A1)", "\tx", "\rx", "-x", "+x"],
                          "=cost": [-5.0, 2.0, 0.0, 1.0, 1.0, 1.0, 1.0]},
                         index=pd.Index(["-g", "h", "i", "j", "k", "l", "m"], name="+name"))
    safe = spreadsheet_safe(frame)
    assert safe["carrier"].tolist() == ["'=1+2", "gas", "'@SUM(A1)", "'\tx", "'\rx", "'-x", "'+x"]
    assert list(safe.columns) == ["carrier", "'=cost"]
    assert safe.index[0] == "'-g" and safe.index.name == "'+name"
    assert safe["'=cost"].tolist() == [-5.0, 2.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    assert frame["carrier"].iloc[0] == "=1+2"  # the caller's frame is not changed
    plain = pd.DataFrame({"v": [-1.0]}, index=["a"])
    assert spreadsheet_safe(plain) is plain
    series = spreadsheet_safe(pd.Series([-1.0, 2.0], index=["=a", "b"], name="@w"))
    assert isinstance(series, pd.Series) and series.name == "'@w"
    assert series.index.tolist() == ["'=a", "b"] and series.tolist() == [-1.0, 2.0]


def test_a_generator_named_hyperlink_is_written_as_text(tmp_path: Path) -> None:
    """One bus '-north', load 5 MW for 2 h, one 10 MW generator at 3/MWh: it runs 5 MW each
    hour, the objective is 2 x 5 x 3 = 30 and the price 3/MWh."""
    name = '=HYPERLINK("http://x.test","click")'
    case = make_case(2, [gen(name, bus="-north", p_nom_mw=10, vom_per_mwh=3)],
                     {"town": [5.0, 5.0]}, buses=["-north"])
    results = solve(case)
    assert results.objective == pytest.approx(30.0)
    out = write_results(results, tmp_path / "out")
    with (out / "dispatch.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][1] == "'" + name
    assert [float(r[1]) for r in rows[1:]] == [5.0, 5.0]
    prices = pd.read_csv(out / "prices.csv", index_col=0)
    assert list(prices.columns) == ["'-north"] and prices["'-north"].tolist() == [3.0, 3.0]
    energy = pd.read_csv(out / "energy.csv", index_col=0)
    assert list(energy.index) == ["'" + name]
    assert read_marker(out)["case_sha256"] == case.digest()


# ---------------------------------------------------------------- kill -9 at every phase


def _result(out: Path, tag: str, hook: Callable[[str], None] | None = None) -> None:
    """Write a result whose every file says ``tag`` (so a mixed folder would show)."""
    folder._hook = hook
    try:
        write_folder(out, {"a": pd.DataFrame({"tag": [tag] * 3}),
                           "b": pd.DataFrame({"tag": [tag]})}, {"summary.json": {"tag": tag}})
    finally:
        folder._hook = None


def _tag(out: Path) -> str:
    """The tag of a complete result in ``out`` (asserting it is complete and consistent)."""
    info = read_marker(out)
    assert info is not None and info["complete"] is True
    assert sorted(info["files"]) == ["a.csv", "b.csv", "summary.json"]
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, *info["files"]])
    tags = {json.loads((out / "summary.json").read_text())["tag"],
            *pd.read_csv(out / "a.csv")["tag"], *pd.read_csv(out / "b.csv")["tag"]}
    assert len(tags) == 1
    return tags.pop()


def _in_child(work: Callable[[], None]) -> int:
    """Run ``work`` in a forked child; its wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return os.waitpid(pid, 0)[1]


def _phases(tmp_path: Path) -> list[str]:
    """The phases a write passes through (with stale leftovers to tidy, an old result)."""
    seen: list[str] = []
    _stage(tmp_path / "probe")
    _result(tmp_path / "probe" / "out", "new", seen.append)
    shutil.rmtree(tmp_path / "probe")
    return seen


def _stage(parent: Path) -> Path:
    """An old result, two leftovers of killed writers, and a user's look-alike folder."""
    out = parent / "out"
    _result(out, "old")
    stale = parent / ".out.tmp-1-abc"
    stale.mkdir()
    (stale / MARKER).write_text('{"complete": false}')
    (stale / "a.csv").write_text("half")
    (parent / ".out.old-2-def").mkdir()
    (parent / ".out.tmp-notes").mkdir()
    (parent / ".out.tmp-notes" / "mine.txt").write_text("keep me")
    return out


@fork_only
@pytest.mark.parametrize("portable", [False, True], ids=["exchange", "portable"])
def test_kill_at_every_phase_keeps_a_complete_result(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     portable: bool) -> None:
    """SIGKILL the writer at each phase: ``out`` holds the old result until the swap and the
    new one from then on (the portable swap may leave it under its hidden name, which the
    next writer's tidy puts back); the next run cleans every leftover gridopt made."""
    if portable:
        monkeypatch.setattr(folder, "_renameat2", lambda: None)
    phases = _phases(tmp_path)
    swap = phases.index("new moved in" if portable else "swapped")
    assert ("old moved aside" in phases) == portable and "tidied one" in phases
    for k, phase in enumerate(phases):
        parent = tmp_path / f"kill{k}"
        out = _stage(parent)

        passed: list[str] = []

        def hook(p: str, passed: list[str] = passed, k: int = k) -> None:
            passed.append(p)
            if len(passed) == k + 1:
                os.kill(os.getpid(), signal.SIGKILL)

        status = _in_child(lambda out=out, hook=hook: _result(out, "new", hook))
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, phase
        if not out.exists():
            assert portable and phase == "old moved aside"
            tidy(out)
        assert _tag(out) == ("old" if k < swap else "new"), phase
        _result(out, "next")
        assert _tag(out) == "next"
        assert sorted(p.name for p in parent.iterdir()) == [".out.tmp-notes", "out"], phase
        assert (parent / ".out.tmp-notes" / "mine.txt").read_text() == "keep me"


# ---------------------------------------------------------------- two writers, one --out


def _blocked_on_lock(timeout: float = 10.0) -> None:
    """Wait until some process waits for a lock (``->`` in /proc/locks), at most ``timeout``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if "->" in Path("/proc/locks").read_text():
            return
        time.sleep(0.01)


@fork_only
@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_two_writers_into_one_out_are_serialised(tmp_path: Path) -> None:
    """Writer A takes the lock and holds it until writer B is seen waiting for a lock (or
    10 s pass): without the lock B would log 'B in' before 'A out'."""
    out, log = tmp_path / "out", tmp_path / "log"
    log.write_text("")

    def logger(who: str, hold: bool) -> Callable[[str], None]:
        def hook(phase: str) -> None:
            if phase in ("locked", "done"):
                with log.open("a") as f:
                    f.write(f"{who} {'in' if phase == 'locked' else 'out'}\n")
                if phase == "locked" and hold:
                    _blocked_on_lock()
        return hook

    a = os.fork()
    if a == 0:  # pragma: no cover - child A
        try:
            _result(out, "A", logger("A", hold=True))
        finally:
            os._exit(0)
    end = time.monotonic() + 30
    while "A in" not in log.read_text() and time.monotonic() < end:
        time.sleep(0.01)
    status_b = _in_child(lambda: _result(out, "B", logger("B", hold=False)))
    os.waitpid(a, 0)
    assert os.WIFEXITED(status_b) and os.WEXITSTATUS(status_b) == 0
    assert log.read_text().split("\n")[:-1] == ["A in", "A out", "B in", "B out"]
    assert _tag(out) == "B"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log", "out"]


def test_a_file_dropped_into_out_while_it_is_replaced_is_kept(tmp_path: Path) -> None:
    """The user writes a note into the old result after the pre-flight check, while the new
    result is being written: the swap puts the old folder aside, gridopt removes only the
    files its marker lists, and the note survives (in the old folder, kept for that reason)."""
    out = tmp_path / "out"
    _result(out, "old")

    def drop_note(phase: str) -> None:
        if phase == "sealed":
            (out / "my_notes.txt").write_text("mine")

    _result(out, "new", drop_note)
    assert _tag(out) == "new"
    notes = list(tmp_path.rglob("my_notes.txt"))
    assert [n.read_text() for n in notes] == ["mine"]
    assert sorted(p.name for p in notes[0].parent.iterdir()) == [MARKER, "my_notes.txt"]
