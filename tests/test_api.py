"""The public entry points a user scripts against: ``gridopt.to_pyomo`` and the exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyomo.environ as pyo
import pytest
from typer.testing import CliRunner

import gridopt
from gridopt.cli import app
from tests.test_hand_optima import solar_gas_case

CASES = Path(__file__).parent / "cases"
runner = CliRunner()


def test_to_pyomo_is_a_model_a_user_can_extend_and_solve() -> None:
    """STYLE's first hand optimum: load 1 MW in each of two hours, free solar [2, 0] MW, gas
    at 30/MWh: gas covers hour 2 only, objective 30. A user then adds a Pyomo constraint of
    their own (gas ≥ 0.5 MW in hour 1, so 0.5 MW of solar is spilled): 30 + 0.5 · 30 = 45."""
    model = gridopt.to_pyomo(solar_gas_case())
    assert {"generators", "buses"} <= {b.local_name for b in
                                       model.component_objects(pyo.Block, descend_into=False)}
    solver = pyo.SolverFactory("appsi_highs")
    solver.solve(model)
    assert pyo.value(model.objective) == pytest.approx(30.0)
    dispatch = model.generators.dispatch
    first = next(k for k in dispatch if k[0] == "gas")  # (gas, first hour)
    model.my_rule = pyo.Constraint(expr=dispatch[first] >= 0.5)
    solver.solve(model)
    assert pyo.value(model.objective) == pytest.approx(45.0)


def test_an_unreachable_enforced_target_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    """dr_four_hours: one interruptible load of at most 10 MW potential; 50 % of the 100 MW
    peak is 50 MW, 40 MW short even with the whole potential enrolled."""
    case = tmp_path / "case"
    shutil.copytree(CASES / "dr_four_hours", case)
    config = (case / "case.yaml").read_text().replace("share: 0.05", "share: 0.5")
    (case / "case.yaml").write_text(config + "  enforce: true\n")
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(case), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "40.0 MW short" in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_the_case_digest_covers_the_configuration() -> None:
    """Two cases that differ only in ``peak_response`` (share or enforce) are different
    problems and get different ``case_sha256``; the same configuration, the same hash."""
    base = solar_gas_case()
    share = base.replace(config={**base.config, "peak_response": {"share": 0.06}})
    enforce = base.replace(config={**base.config, "peak_response": {"enforce": True}})
    digests = {base.digest(), share.digest(), enforce.digest()}
    assert len(digests) == 3
    again = base.replace(config={**base.config, "peak_response": {"share": 0.06}})
    assert again.digest() == share.digest()


def test_peak_response_on_an_all_zero_load_is_a_clean_error(tmp_path: Path) -> None:
    """No peak to respond to: a problem naming load_mw.csv and the rule, exit 1 (it was a
    ZeroDivisionError)."""
    case = tmp_path / "case"
    shutil.copytree(CASES / "dr_four_hours", case)
    (case / "load_mw.csv").write_text("hour,load\n1,0\n2,0\n3,0\n4,0\n")
    res = runner.invoke(app, ["peak-response", str(case), "--out", str(tmp_path / "out"),
                              "--no-curve"])
    assert res.exit_code == 1, res.output
    assert "peak-load-zero" in res.output
    assert "load_mw.csv" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_a_solve_stopped_at_a_limit_writes_its_best_solution(tmp_path: Path,
                                                             monkeypatch) -> None:
    """A time limit with a solution: the run writes that solution, flags it (summary.json
    status, a message, exit 2) and writes no prices (an unfinished solve's duals mean
    nothing). The limit is simulated (a real one depends on the machine's speed): the
    optimal solution relabelled 'time_limit' without duals."""
    import dataclasses
    import importlib
    import json

    solve_module = importlib.import_module("gridopt.solve")  # the module, not gridopt.solve()

    real = solve_module.solve

    def stopped(case, **kw):
        r = real(case, **kw)
        return dataclasses.replace(r, solution=dataclasses.replace(
            r.solution, status="time_limit", row_dual=None, message="Time limit reached"))

    monkeypatch.setattr(solve_module, "solve", stopped)
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(CASES / "tiny"), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "time_limit" in res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "time_limit"
    assert summary["objective"] == pytest.approx(real(str(CASES / "tiny")).objective)
    assert (out / "dispatch.csv").exists() and not (out / "prices.csv").exists()
