"""The fuzz suite (issue 16, item 6): mutated cases end cleanly, never in a traceback, a hang
or a silent change.

Each example copies one of the small valid cases of ``tests/cases`` into a temporary folder,
applies mutations from :mod:`tests.fuzz_strategies` and reads it as a user would:

- any mutation: :func:`gridopt.read_case` ends in a :class:`CaseError` whose every problem
  names a file and a rule, or in a Case that ``gridopt validate``'s checks accept or refuse
  the same way and that solves (any status); never another exception, never a hang (each
  example has :data:`TIMEOUT_S`);
- a mutation that changes the meaning must be reported, by the rule it breaks;
- a mutation that keeps the meaning must give the same :meth:`Case.digest`;
- renaming an element everywhere (unicode, quotes, formulas, control characters) changes
  nothing but names: the same optimum;
- the command line (``gridopt validate``, ``run`` and ``peak-response``) exits 0, 1 with a
  table of problems, or 2, without a traceback; a FIFO or ``/dev/zero`` named like a table
  does not hang a real ``gridopt`` process.

Hypothesis runs derandomized without an example database, so every CI run tries the same
examples; the example counts add up to several hundred and the file runs in about a minute.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import gridopt
from gridopt.case.case import Case, CaseError, Problem
from gridopt.checks import case_problems
from gridopt.cli import app
from gridopt.peak import TargetUnreachableError, verify
from tests.fuzz_strategies import (
    BASES,
    CASES,
    CONFIG,
    FILE_KINDS,
    INVENTORY,
    KEYS,
    Mutation,
    any_mutation,
    element_kinds,
    make_file_kind,
    meaning_change,
    meaning_keeper,
    names,
    rename_element,
)

#: Seconds one example may take before it counts as a hang (the cases solve in < 0.1 s).
TIMEOUT_S = 30
RULE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
STATUSES = {"optimal", "infeasible", "unbounded", "infeasible_or_unbounded", "time_limit",
            "iteration_limit", "interrupted", "error", "unknown"}


#: ``GRIDOPT_FUZZ_SCALE=10`` runs ten times the examples; ``GRIDOPT_FUZZ_RANDOM=1`` other
#: examples on each run (for a long search by hand; CI runs the fixed default).
SCALE = float(os.environ.get("GRIDOPT_FUZZ_SCALE", "1"))
RANDOM = os.environ.get("GRIDOPT_FUZZ_RANDOM", "") not in ("", "0")


def fuzz(examples: int) -> settings:
    """Reproducible settings: derandomized, no database, no deadline (CI machines vary)."""
    return settings(max_examples=max(1, round(examples * SCALE)), deadline=None,
                    derandomize=not RANDOM, database=None,
                    print_blob=False, phases=[Phase.explicit, Phase.generate, Phase.shrink],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


class Hang(BaseException):
    """An example that did not finish within :data:`TIMEOUT_S`."""


@contextmanager
def time_limit(seconds: int = TIMEOUT_S) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def mutated(base: str, *mutations: Mutation) -> Iterator[Path]:
    """A copy of ``tests/cases/<base>`` with the mutations applied, removed afterwards
    (a temporary folder per example: function fixtures are not reset between examples)."""
    with tempfile.TemporaryDirectory(prefix="gridopt-fuzz-") as tmp:
        folder = Path(tmp) / base
        shutil.copytree(CASES / base, folder, symlinks=True)
        with time_limit():  # an edit must not hang either (e.g. by opening a FIFO)
            for mutation in mutations:
                mutation.edit(folder)
        yield folder


def check_problems(problems: list[Problem]) -> None:
    """A clean refusal: at least one problem, each naming a file and a rule, printable."""
    assert problems, "a CaseError without problems"
    for p in problems:
        assert isinstance(p.file, str) and p.file.strip(), f"no file: {p!r}"
        assert RULE.fullmatch(p.rule), f"no rule id: {p!r}"
        assert p.message.strip(), f"no message: {p!r}"
        assert p.row is None or (isinstance(p.row, int) and p.row >= 1), f"bad row: {p!r}"
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", str(p)), f"control characters: {p!r}"


@dataclass
class Outcome:
    """How reading (and then checking and solving) a case folder ended."""

    problems: list[Problem]
    case: Case | None = None
    status: str | None = None
    objective: float | None = None

    @property
    def rules(self) -> set[str]:
        return {p.rule for p in self.problems}


def outcome(folder: Path, solve: bool = True) -> Outcome:
    """Read ``folder``; if it reads, run ``gridopt validate``'s checks, measure the peak
    response and solve it. Any exception but a CaseError (or an unreachable enforced target)
    propagates."""
    with time_limit():
        try:
            case = gridopt.read_case(folder)
        except CaseError as exc:
            check_problems(exc.problems)
            return Outcome(exc.problems)
        found = case_problems(case)
        if found:
            check_problems(found)
        if not solve:
            return Outcome(found, case)
        try:
            verify(case)  # what gridopt peak-response measures first
            results = gridopt.solve(case)
        except CaseError as exc:
            check_problems(exc.problems)
            return Outcome(found + exc.problems, case)
        except TargetUnreachableError:
            return Outcome(found, case, "target-unreachable")
    assert results.status in STATUSES, results.status
    if results.ok:
        assert math.isfinite(results.objective)
    return Outcome(found, case, results.status, results.objective)


def replace_text(file: str, old: str, new: str, count: int = -1) -> Callable[[Path], None]:
    """An edit replacing ``old`` (which must be there) by ``new`` in ``file``."""

    def edit(folder: Path) -> None:
        text = (folder / file).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        (folder / file).write_text(text.replace(old, new, count), encoding="utf-8")

    return edit


def _both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        for e in edits:
            e(folder)

    return edit


@cache
def base_outcome(base: str) -> Outcome:
    with mutated(base) as folder:
        result = outcome(folder)
    assert not result.problems and result.status == "optimal", result.problems
    return result


bases = st.sampled_from(BASES)


# ---------------------------------------------------------------------------- properties


@fuzz(300)
@given(st.data())
def test_any_mutation_ends_in_problems_or_a_solve(data: st.DataObject) -> None:
    base = data.draw(bases, label="base")
    mutations = data.draw(st.lists(any_mutation(base), min_size=1, max_size=3), label="mutations")
    with mutated(base, *mutations) as folder:
        outcome(folder)


@fuzz(250)
@given(st.data())
def test_a_change_of_meaning_is_reported(data: st.DataObject) -> None:
    base = data.draw(bases, label="base")
    mutation = data.draw(meaning_change(base), label="mutation")
    with mutated(base, mutation) as folder:
        result = outcome(folder, solve=False)
    shown = "\n".join(map(str, result.problems)) or "no problem at all"
    assert result.problems, f"{mutation.what}: silently accepted"
    hits = [p for p in result.problems if p.rule in mutation.rules]
    assert hits, f"{mutation.what}: expected one of {sorted(mutation.rules)}, got\n{shown}"
    if mutation.file is not None:
        assert any(p.file == mutation.file for p in hits), \
            f"{mutation.what}: no {sorted(mutation.rules)} problem names {mutation.file}:\n{shown}"


@fuzz(150)
@given(st.data())
def test_a_change_that_keeps_the_meaning_keeps_the_digest(data: st.DataObject) -> None:
    base = data.draw(bases, label="base")
    mutations = data.draw(st.lists(meaning_keeper(base), min_size=1, max_size=4),
                          label="mutations")
    with mutated(base, *mutations) as folder:
        result = outcome(folder, solve=False)
    assert result.case is not None, "\n".join(map(str, result.problems))
    assert result.case.digest() == base_outcome(base).case.digest()


def _must_work(base: str, kind: str, new: str) -> bool:
    """Whether a name must be accepted: not blank, no series key word, not taken."""
    name = new.strip()
    header = INVENTORY[base][f"{kind}.csv"][0]
    taken = {r[header.index("name")].strip() for r in INVENTORY[base][f"{kind}.csv"][1:]}
    return bool(name) and name not in (*KEYS, "name", "value") and name not in taken


@fuzz(80)
@given(st.data())
def test_renaming_an_element_everywhere_changes_only_names(data: st.DataObject) -> None:
    base = data.draw(bases, label="base")
    kind = data.draw(st.sampled_from(element_kinds(base)), label="kind")
    index, new = data.draw(st.integers(0, 5), label="index"), data.draw(names, label="name")
    mutation = Mutation(f"{kind} {index} renamed {new!r}", rename_element(kind, index, new))
    with mutated(base, mutation) as folder:
        result = outcome(folder)
    if not _must_work(base, kind, new):
        return
    assert result.case is not None, "\n".join(map(str, result.problems))
    assert new.strip() in result.case.table(kind).index
    assert result.status == "optimal" and result.objective == pytest.approx(
        base_outcome(base).objective, rel=1e-9)


# ---------------------------------------------------------------------------- the command line

runner = CliRunner()


@fuzz(40)
@given(st.data())
def test_the_command_line_exits_cleanly(data: st.DataObject) -> None:
    base = data.draw(bases, label="base")
    mutations = data.draw(st.lists(st.one_of(any_mutation(base), meaning_change(base)),
                                   min_size=1, max_size=2), label="mutations")
    with mutated(base, *mutations) as folder, time_limit():
        for args in (["validate", str(folder)],
                     ["run", str(folder), "--out", str(folder.parent / "out")],
                     ["peak-response", str(folder), "--no-curve", "--out",
                      str(folder.parent / "out-peak")]):
            res = runner.invoke(app, args)
            shown = f"gridopt {' '.join(args[:1])} exited {res.exit_code}:\n{res.output}"
            assert res.exception is None or isinstance(res.exception, SystemExit), \
                f"{shown}\n{res.exception!r}"
            assert "Traceback" not in res.output, shown
            assert res.exit_code in (0, 1, 2), shown
            if res.exit_code == 1:
                assert "problem(s)" in res.output, shown


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "sparse 600 MiB"])
def test_a_real_gridopt_process_does_not_hang_on_a_special_file(kind: str) -> None:
    """The command in its own process (a subprocess with a timeout: a hang fails, it cannot
    block the suite): a FIFO, /dev/zero or a huge file named like a table is a problem."""
    mutation = Mutation(f"load_mw.csv is a {kind}", make_file_kind("load_mw.csv", kind))
    with mutated("tiny", mutation) as folder:
        try:
            done = subprocess.run(
                [sys.executable, "-c", "from gridopt.cli import app; app()", "validate",
                 str(folder)], capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            pytest.fail(f"gridopt validate hung on {mutation.what}")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output and "load_mw.csv" in output, output


# ---------------------------------------------------------------------------- every file kind

FILES_TO_REPLACE = ("case.yaml", "buses.csv", "load_mw.csv", "storage.csv", "price_per_mwh.csv",
                    "sources.csv")


@pytest.mark.parametrize("kind", sorted(FILE_KINDS))
@pytest.mark.parametrize("name", FILES_TO_REPLACE)
def test_a_file_that_is_not_a_regular_file_is_a_problem(name: str, kind: str) -> None:
    """Each kind of special file, in place of a file of the case (or of an optional file it
    lacks): one problem naming that file, by the kind's rule (hypothesis draws these rarely)."""
    mutation = Mutation(f"{name} is a {kind}", make_file_kind(name, kind, b"junk"),
                        FILE_KINDS[kind], name)
    with mutated("tiny", mutation) as folder:
        result = outcome(folder, solve=False)
    assert [p.rule for p in result.problems if p.file == name and p.rule in FILE_KINDS[kind]], \
        "\n".join(map(str, result.problems)) or "no problem"


@pytest.mark.parametrize("text", ["1e309", "-1e309", "1" + "0" * 400, "1e400"])
@pytest.mark.parametrize(("file", "old", "new"), [
    ("generators.csv", "wind,south,wind,0,true,200,", "wind,south,wind,0,true,{},"),
    ("buses.csv", "north,0,1", "north,{},1"),
    ("load_mw.csv", "2,50,10", "2,{},10"),
])
def test_a_number_beyond_the_float_range_is_not_read_as_infinity(file: str, old: str, new: str,
                                                                  text: str) -> None:
    """A finite number too large for a float (1e309) overflows to infinity when parsed; where
    infinity is the column's default ("no limit", "the case's value of lost load") it must not
    be accepted as that: it is a number beyond ±1e12 (``magnitude``)."""
    if file == "buses.csv":
        edit = replace_text("buses.csv", "name,x,y\nnorth,0,1",
                            "name,voll_per_mwh,x,y\nnorth," + text + ",0,1", count=1)
        edit2 = replace_text("buses.csv", "south,0,0", "south,,0,0")
        mutation = Mutation(f"buses.csv: north voll_per_mwh {text}", _both(edit, edit2))
    else:
        mutation = Mutation(f"{file}: {new.format(text)}",
                            replace_text(file, old, new.format(text)))
    with mutated("tiny", mutation) as folder:
        result = outcome(folder, solve=False)
    assert result.rules & {"magnitude", "range"}, \
        f"{mutation.what}: " + ("\n".join(map(str, result.problems)) or "silently accepted")


def test_reordered_elements_give_the_same_digest() -> None:
    """Regression (found by the fuzz suite): the digest hashed the tables in row order, so a
    case with its generators (or a series' columns) in another order got another hash."""
    flipped = _both(
        replace_text("generators.csv", "gas_ccgt,north,gas,100,false,,0.2,,gas,7,2\n"
                     "wind,south,wind,0,true,200,,1000000,,,\n",
                     "wind,south,wind,0,true,200,,1000000,,,\n"
                     "gas_ccgt,north,gas,100,false,,0.2,,gas,7,2\n"),
        replace_text("load_mw.csv", "hour,city,works\n1,40,10\n2,50,10\n3,60,10\n4,45,10\n",
                     "works,hour,city\n10,1,40\n10,2,50\n10,3,60\n10,4,45\n"))
    with mutated("tiny", Mutation("generators and load columns reordered", flipped)) as folder:
        case = gridopt.read_case(folder)
    assert list(case.table("generators").index) == ["wind", "gas_ccgt"]
    assert case.digest() == gridopt.read_case(CASES / "tiny").digest()


def test_a_case_before_1677_is_checked_and_solved() -> None:
    """Regression (found by the fuzz suite): snapshots starting in 1500 are valid (pandas keeps
    them in µs), but the peak-event scope converted them to ns timestamps and
    ``gridopt validate`` ended in OutOfBoundsDatetime."""
    start = replace_text(CONFIG, "start: 2030-01-01 00:00", "start: '1500-01-01 00:00'")
    with mutated("tiny", Mutation("snapshots start in 1500", start)) as folder:
        result = outcome(folder)
    if result.case is None:  # pandas < 3 keeps timestamps in ns only: a clean refusal
        assert [(p.file, p.column, p.rule) for p in result.problems] == [
            ("case.yaml", "snapshots", "config-value")]
        assert int(pd.__version__.split(".")[0]) < 3
        return
    assert result.case.snapshots[0].year == 1500
    assert result.problems == [] and result.status == "optimal"
    assert result.objective == pytest.approx(base_outcome("tiny").objective, rel=1e-9)
