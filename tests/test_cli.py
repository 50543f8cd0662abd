"""The gridopt command as a user runs it: run, validate, export, atomic output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from gridopt.cli import app

CASES = Path(__file__).parent / "cases"
runner = CliRunner()


def test_run_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(CASES / "two_bus"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(2000.0)
    assert summary["currency"] == "EUR"
    assert len(summary["case_sha256"]) == 64
    for key in ("build_seconds", "solve_seconds", "n_variables", "n_constraints", "solver",
                "gridopt_version"):
        assert key in summary
    for name in ("dispatch", "prices", "line_flow", "capacities", "costs", "energy"):
        assert (out / f"{name}.csv").is_file()
    assert "2,000" in res.output


def test_run_pyomo_backend_same_objective(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(CASES / "two_bus"), "--out", str(out),
                              "--backend", "pyomo"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "summary.json").read_text())["objective"] == pytest.approx(2000.0)


def test_a_failed_run_keeps_the_earlier_good_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(CASES / "two_bus"), "--out", str(out)]).exit_code == 0
    before = (out / "summary.json").read_text()
    broken = tmp_path / "broken"
    shutil.copytree(CASES / "two_bus", broken)
    (broken / "generators.csv").write_text("name,bus,carrier,p_nom_mw\ncheap,Z,gas,-5\n")
    res = runner.invoke(app, ["run", str(broken), "--out", str(out)])
    assert res.exit_code == 1
    assert (out / "summary.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_validate_lists_problems_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(CASES / "two_bus", broken)
    (broken / "generators.csv").write_text(
        "name,bus,carrier,p_nom_mw,vom_per_mwh\ncheap,Z,gas,-5,10\ncheap,B,gas,100,x\n")
    (broken / "lines.csv").write_text("name,bus0,bus1,cap_fwd_mw\nAB,A,Q,50\n")
    res = runner.invoke(app, ["validate", str(broken)])
    assert res.exit_code == 1
    text = res.output
    for needle in ("generators.csv", "lines.csv", "Z", "Q", "bus1", "p_nom_mw"):
        assert needle in text
    assert "Traceback" not in text


def unworkable_dr_case(tmp_path: Path, blank_lines: int = 0) -> Path:
    """The two-bus case with DR tables that pass on their own but whose derived data cannot
    work: an EV fleet driving 300 kWh a day (12.5 kWh in the one hour, 1.25 h of charger
    power) with 0.9 h of charging and a potential above its chargers, and an electrolyser
    whose H2 demand / η = 12 MW exceeds its 10 MW. ``blank_lines`` precede the fleet's row."""
    folder = tmp_path / "case"
    shutil.copytree(CASES / "two_bus", folder)
    (folder / "ev_fleets.csv").write_text(
        "name,bus,potential_mw,vehicles,charger_kw,battery_kwh,daily_energy_kwh\n"
        + "\n" * blank_lines + "fleet,B,0.2,10,10,400,300\n")
    (folder / "electrolysers.csv").write_text(
        "name,bus,potential_mw,p_nom_mw,efficiency_mwh_h2_per_mwh,h2_demand_mwh_per_h\n"
        "ely,B,10,10,0.5,6\n")
    return folder


def test_validate_checks_the_derived_dr_data(tmp_path: Path) -> None:
    """validate lists the three problems of :func:`unworkable_dr_case` (exit 1), as run
    meets them when building."""
    folder = unworkable_dr_case(tmp_path)
    res = runner.invoke(app, ["validate", str(folder)], env={"COLUMNS": "240"})
    assert res.exit_code == 1, res.output
    assert "3 problem(s)" in res.output
    for needle in ("ev-need-le-charging", "ev-potential-le-chargers",
                   "electrolyser-meets-h2-demand", "ev_fleets.csv", "electrolysers.csv"):
        assert needle in res.output
    assert "Traceback" not in res.output
    run = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out")],
                        env={"COLUMNS": "240"})
    assert run.exit_code == 1 and "ev-need-le-charging" in run.output
    assert not (tmp_path / "out").exists()


def test_validate_names_the_csv_line_and_prints_brackets_verbatim(tmp_path: Path) -> None:
    """Two blank lines before the fleet: its row is CSV line 4, as the table checks would say;
    a cell "[/oops]" (rich markup) and "[min_load_pu · P, P]" in a message print as written."""
    folder = unworkable_dr_case(tmp_path, blank_lines=2)
    res = runner.invoke(app, ["validate", str(folder)], env={"COLUMNS": "300"})
    lines = [line for line in res.output.splitlines() if "ev_fleets.csv" in line]
    assert lines and all("│ 4 " in line for line in lines), res.output
    assert "[min_load_pu · P, P]" in res.output
    (folder / "generators.csv").write_text(
        (folder / "generators.csv").read_text().replace(",100,", ",[/oops],", 1))
    bad = runner.invoke(app, ["validate", str(folder)], env={"COLUMNS": "300"})
    assert bad.exit_code == 1 and "[/oops]" in bad.output and "Traceback" not in bad.output


def test_validate_ok(tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", str(CASES / "two_bus")])
    assert res.exit_code == 0
    assert "ok" in res.output


def test_missing_folder_is_a_clean_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["run", str(tmp_path / "nope")])
    assert res.exit_code == 1
    assert "Traceback" not in res.output


def test_infeasible_is_explicit_and_writes_nothing(tmp_path: Path) -> None:
    """A must-run floor above the load with no way to spill: infeasible, exit 2, no folder."""
    case = tmp_path / "case"
    shutil.copytree(CASES / "two_bus", case)
    (case / "generators.csv").write_text(
        "name,bus,carrier,p_nom_mw,p_min_pu,vom_per_mwh\n"
        "cheap,A,coal,100,1.0,10\ndear,B,gas,100,1.0,50\n")
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(case), "--out", str(out)])
    assert res.exit_code == 2
    assert "infeasible" in res.output
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["mps", "lp"])
def test_export(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"model.{fmt}"
    res = runner.invoke(app, ["export", str(CASES / "two_bus"), "--format", fmt, "--out",
                              str(target)])
    assert res.exit_code == 0, res.output
    text = target.read_text()
    assert "generators.dispatch" in text and "buses.balance" in text


def test_peak_response_command(tmp_path: Path) -> None:
    """Verdict FAIL (R = 3 of 5 MW), closure 2 MW, cost curve CSV and PNG written."""
    out = tmp_path / "pr"
    res = runner.invoke(app, ["peak-response", str(CASES / "dr_four_hours"), "--out", str(out),
                              "--shares", "0,0.05,0.2"])
    assert res.exit_code == 0, res.output
    assert "FAIL" in res.output
    verdict = pd.read_csv(out / "peak_response.csv", index_col=0)["value"]
    assert float(verdict["capability_mw"]) == pytest.approx(3.0)
    assert float(verdict["missing_mw"]) == pytest.approx(2.0)
    closure = pd.read_csv(out / "gap_closure.csv")
    assert closure["new_enrolment_mw"].sum() == pytest.approx(2.0)
    curve = pd.read_csv(out / "cost_curve.csv", index_col=0)
    assert curve.loc[0.2, "objective"] != curve.loc[0.2, "objective"]  # NaN: unreachable
    assert (out / "cost_curve.png").stat().st_size > 1000


def test_run_hours_solves_the_first_hours_only(tmp_path: Path) -> None:
    """``--hours 6`` on the shipped RTS-GMLC case (hourly, not annualised): six snapshots,
    the objective labelled as the cost of those hours; half a snapshot is refused."""
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", "rts-gmlc", "--hours", "6", "--relax", "--out", str(out)],
                        terminal_width=160)
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_snapshots"] == 6
    assert len(pd.read_csv(out / "dispatch.csv")) == 6
    assert "for 6 h (not annualised)" in res.output
    bad = runner.invoke(app, ["run", "rts-gmlc", "--hours", "0.5", "--out", str(tmp_path / "b")])
    assert bad.exit_code == 1
    assert "shorter than one snapshot" in bad.output
