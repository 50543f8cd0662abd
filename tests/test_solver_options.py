"""Solver options: file options refused in a case and in a call, checked per backend, one
definition for ``case.yaml`` and the solve; ``--solver-log`` the explicit way to a log."""

from __future__ import annotations

from pathlib import Path

import pytest

import gridopt
from gridopt.case.solver_options import check_solver_options, option_problems
from gridopt.case.validate_config import check_config
from tests.factory import gen, make_case

CONFIG = {"name": "x", "currency": "EUR", "voll_per_mwh": 1.0,
          "snapshots": {"start": "2030-01-01", "hours": 4}}


def small_case():
    """One bus, load [50, 100] MW, gas 60 MW at 10/MWh, VOLL 10,000: 401,100."""
    return make_case(2, [gen("gas", p_nom_mw=60.0, vom_per_mwh=10.0)], {"load": [50.0, 100.0]})


def test_file_options_in_case_yaml_are_refused() -> None:
    solver = {"log_file": "/tmp/x.log", "solution_file": "/tmp/x.sol",
              "write_solution_to_file": True, "write_model_file": "m.mps", "threads": 1,
              "time_limit": 5.0}
    problems, _ = check_config({**CONFIG, "solver": solver})
    assert [(p.column, p.rule) for p in problems] == [
        ("solver.log_file", "config-refused"), ("solver.solution_file", "config-refused"),
        ("solver.write_solution_to_file", "config-refused"),
        ("solver.write_model_file", "config-refused")]
    assert all(p.file == "case.yaml" and p.row is None for p in problems)


def test_unknown_and_refused_together() -> None:
    """One definition: the same check names a typo and a file option, for the case and the
    solve."""
    found = option_problems({"bogus_option": 1, "log_file": "x", "solver": "ipm"})
    assert sorted(found) == ["bogus_option", "log_file"]
    assert "HiGHS has no option" in found["bogus_option"]
    problems, _ = check_config({**CONFIG, "solver": {"bogus_option": 1, "log_file": "x"}})
    assert [(p.column, p.rule) for p in problems] == [("solver.log_file", "config-refused"),
                                                      ("solver.bogus_option", "config-value")]


def test_file_options_in_a_call_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    target = tmp_path / "x.sol"
    with pytest.raises(ValueError, match=r"solution_file.*write_solution_to_file"):
        gridopt.solve(small_case(), solution_file=str(target), write_solution_to_file=True)
    assert not target.exists()


def test_options_are_checked_per_backend() -> None:
    """appsi_highs gets HiGHS's list; cbc its own options unchecked, but not its file ones."""
    with pytest.raises(ValueError, match="bogus"):
        check_solver_options({"bogus": 1}, "appsi_highs")
    check_solver_options({"bogus": 1, "seconds": 5}, "cbc")  # not HiGHS: passed through
    for solver, key in (("gurobi", "LogFile"), ("gurobi_direct", "ResultFile"),
                        ("cbc", "solu"), ("glpk", "wlp"), ("ipopt", "output_file"),
                        ("any_solver", "my_file")):
        with pytest.raises(ValueError, match=key):
            check_solver_options({key: "x"}, solver)


def test_pyomo_with_another_solver_refuses_file_options_before_solving() -> None:
    with pytest.raises(ValueError, match="LogFile"):
        gridopt.solve(small_case(), backend="pyomo", pyomo_solver="gurobi", LogFile="x")
    with pytest.raises(ValueError, match="HiGHS only"):
        gridopt.solve(small_case(), backend="pyomo", pyomo_solver="cbc", solver_log="x.log")


def test_solver_log_is_written_on_request(tmp_path: Path) -> None:
    log = tmp_path / "highs.log"
    r = gridopt.solve(small_case(), solver_log=log)
    assert r.objective == pytest.approx(401_100.0)
    assert "HiGHS" in log.read_text()


def test_a_limit_returns_its_status() -> None:
    """No simplex iteration allowed (and no presolve to solve it first): the status says the
    limit, and there is no optimum to read."""
    r = gridopt.solve(small_case(), simplex_iteration_limit=0, presolve="off")
    assert r.status == "iteration_limit"
    assert r.objective is None


def _run_with_log(tmp_path: Path, log: Path) -> tuple[int, str, Path]:
    """``gridopt run`` of a copy of the tiny case with ``--solver-log log``."""
    import shutil

    from typer.testing import CliRunner

    from gridopt.cli import app

    case = tmp_path / "case"
    if not case.exists():
        shutil.copytree(Path(__file__).parent / "cases" / "tiny", case)
    res = CliRunner().invoke(app, ["run", str(case), "--out", str(tmp_path / "out"),
                                   "--solver-log", str(log)])
    return res.exit_code, res.output, case


def test_the_solver_log_never_writes_into_the_case(tmp_path: Path) -> None:
    """HiGHS appends to its log file: pointed at case.yaml it would corrupt the case."""
    before = (Path(__file__).parent / "cases" / "tiny" / "case.yaml").read_text()
    code, output, case = _run_with_log(tmp_path, tmp_path / "case" / "case.yaml")
    assert code == 1 and "log-in-case" in output
    assert (case / "case.yaml").read_text() == before
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind, rule", [("folder", "log-not-a-file"),
                                        ("text", "log-not-a-log"),
                                        ("missing-parent", "log-parent-missing")])
def test_a_solver_log_that_is_not_a_new_file_or_a_log_is_refused(tmp_path: Path, kind: str,
                                                                 rule: str) -> None:
    log = {"folder": tmp_path, "text": tmp_path / "notes.txt",
           "missing-parent": tmp_path / "nope" / "x.log"}[kind]
    if kind == "text":
        log.write_text("my notes\n")
    code, output, _ = _run_with_log(tmp_path, log)
    assert code == 1 and rule in output, output
    if kind == "text":
        assert log.read_text() == "my notes\n"


def test_a_solver_log_is_written_and_appended_to_on_the_next_run(tmp_path: Path) -> None:
    log = tmp_path / "highs.log"
    assert _run_with_log(tmp_path, log)[0] == 0
    first = log.read_text()
    assert first.startswith("# gridopt solver log") and "HiGHS run time" in first
    assert _run_with_log(tmp_path, log)[0] == 0
    assert log.read_text().startswith(first) and len(log.read_text()) > len(first)


def test_every_path_to_highs_refuses_file_options(tmp_path: Path) -> None:
    """The check sits where options reach HiGHS (to_highs), so the cost curve and diagnose
    refuse a file option too, not only gridopt.solve."""
    from gridopt.diagnose import diagnose
    from gridopt.peak import cost_curve
    from tests.factory import four_hour_case

    log = tmp_path / "evil.log"
    with pytest.raises(ValueError, match="log_file"):
        cost_curve(four_hour_case(), [0.0], log_file=str(log))
    with pytest.raises(ValueError, match="log_file"):
        diagnose(small_case(), options={"log_file": str(log)})
    assert not log.exists()
