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
