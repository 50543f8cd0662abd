"""Load shedding switched off, and infeasible or unbounded models explained in the case's terms.

Each planted infeasibility is derived by hand in its test's docstring; the tests assert on the
names (family, element, snapshot, rule) of the irreducible infeasible subset and on the
amounts of the elastic solve.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import gridopt
from gridopt.case.case import Case
from gridopt.cli import app
from gridopt.diagnose import diagnose
from gridopt.peak import TargetUnreachableError
from tests.factory import gen, make_case
from tests.test_regressions import ci, day_case

T0, T1 = pd.Timestamp("2030-01-01 00:00"), pd.Timestamp("2030-01-01 01:00")
runner = CliRunner()


def no_shedding(case: Case) -> Case:
    return case.replace(config={**case.config, "load_shedding": False})


def names(items) -> set[tuple]:
    """(family, quantity, element, time, sense) of each item."""
    return {(i.family, i.quantity, i.element, i.time, i.sense) for i in items}


def short_gas_case() -> Case:
    """One bus, load [50, 100] MW, gas 60 MW at 10/MWh, VOLL 10,000."""
    return make_case(2, [gen("gas", p_nom_mw=60.0, vom_per_mwh=10.0)], {"load": [50.0, 100.0]})


def test_shedding_on_sheds_at_voll() -> None:
    """Shedding on (default): 50 + 60 MWh of gas at 10 and 40 MWh shed at 10,000 = 401,100."""
    assert gridopt.solve(short_gas_case()).objective == pytest.approx(401_100.0)


def test_bus_balance_with_shedding_off_is_named() -> None:
    """Shedding off: at 01:00 the bus needs 100 MW and gas gives at most 60, so the balance at
    01:00, shedding's bound 0 and gas's bound 60 cannot hold together; 40 MW short."""
    case = no_shedding(short_gas_case())
    assert gridopt.solve(case).status == "infeasible"
    d = diagnose(case)
    assert d.status == "infeasible"
    assert names(d.iis) == {("buses", "balance", "b", T1, "="),
                            ("buses", "shed", "b", T1, "≤"),
                            ("generators", "dispatch", "gas", T1, "≤")}
    assert {i.limit for i in d.iis} == {100.0, 0.0, 60.0}
    assert [(v.item.where(), v.side, v.item.unit) for v in d.elastic] == [
        ("bus 'b' balance at 2030-01-01 01:00", "short", "MW")]
    assert d.elastic[0].amount == pytest.approx(40.0)


def test_shedding_off_per_bus() -> None:
    """Two unconnected buses, shedding off at 'north' only (buses column): north needs 10 MW
    and has gas 6 MW (4 short); south has 'small' 4 MW and sheds 6 MW, which is allowed, so
    only north is named. With north's shedding on again the case solves:
    (6 + 4)·10 + (4 + 6)·1000 = 10,100."""
    case = make_case(1, [gen("gas", bus="north", p_nom_mw=6.0, vom_per_mwh=10.0),
                         gen("small", bus="south", p_nom_mw=4.0, vom_per_mwh=10.0)],
                     {"n": [10.0], "s": [10.0]}, buses=["north", "south"],
                     load_bus={"n": "north", "s": "south"}, voll=1000.0)
    buses = case.table("buses").assign(load_shedding=[False, True])
    d = diagnose(case.replace(tables={**case.tables, "buses": buses}))
    assert {i.element for i in d.iis} == {"north", "gas"}
    assert [(v.item.element, v.item.quantity) for v in d.elastic] == [("north", "balance")]
    assert d.elastic[0].amount == pytest.approx(4.0)
    assert gridopt.solve(case).objective == pytest.approx(10_100.0)


def test_storage_cycle_that_cannot_close() -> None:
    """No generator, a cyclic store (10 MW, 20 MWh), load [0, 10] MW and no shedding: the store
    must deliver 10 MWh net over the cycle but must end where it started. The subset is both
    state-of-charge balances, both bus balances and shedding's bounds; 10 MW short at 01:00."""
    case = no_shedding(make_case(2, [], {"load": [0.0, 10.0]}, validate=False,
                                 storage=[{"name": "s", "bus": "b", "p_nom_mw": 10.0,
                                           "e_nom_mwh": 20.0}]))
    d = diagnose(case)
    assert names(d.iis) == {("storage", "soc_balance", "s", T0, "="),
                            ("storage", "soc_balance", "s", T1, "="),
                            ("buses", "balance", "b", T0, "="),
                            ("buses", "balance", "b", T1, "="),
                            ("buses", "shed", "b", T0, "≤"), ("buses", "shed", "b", T1, "≤")}
    assert "store 's' state-of-charge balance at 2030-01-01 01:00" in [i.where() for i in d.iis]
    assert [(v.item.quantity, v.item.time) for v in d.elastic] == [("balance", T1)]
    assert d.elastic[0].amount == pytest.approx(10.0)


def test_contradictory_min_max_capacity() -> None:
    """Existing 100 MW but at most 50 MW in total (a case built in code, unvalidated): new
    capacity must lie in [0, 50 − 100], 50 MW over its upper side; nothing else is named."""
    case = make_case(1, [gen("gas", p_nom_mw=100.0, p_nom_max_mw=50.0, extendable=True)],
                     {"load": [1.0]}, validate=False)
    d = diagnose(case)
    assert names(d.iis) == {("generators", "p_new", "gas", None, "≤")}
    assert d.iis[0].limit == -50.0
    assert len(d.elastic) == 1 and d.elastic[0].amount == pytest.approx(50.0)


def test_enforced_peak_share_above_the_resources() -> None:
    """Peak 200 MW at 18:00, 10 % enforced = 20 MW, but the one interruptible load can give
    10 MW: solve refuses before solving; diagnose names the target, the hold row at 18:00 and
    the load's limit, 10 MW short."""
    case = day_case({"share": 0.1, "enforce": True}, interruptible=[ci()])
    with pytest.raises(TargetUnreachableError):
        gridopt.solve(case)
    d = diagnose(case)
    at_18 = pd.Timestamp("2030-01-01 18:00")
    got = names(d.iis)
    assert ("peak_response", "target", "R", None, "≥") in got
    assert ("peak_response", "hold", "", at_18, "≤") in got
    assert any(f == "interruptible" and e == "ci" and t == at_18 for f, _, e, t, _ in got)
    assert [(v.item.quantity, v.side) for v in d.elastic] == [("target", "short")]
    assert d.elastic[0].amount == pytest.approx(10.0)
    assert d.elastic[0].item.limit == pytest.approx(20.0)


def test_unbounded_names_the_ray() -> None:
    """A generator paid 10/MWh with free unlimited capacity and a free lossy store burning the
    energy (tests/test_regressions.py test 16): the ray runs through both."""
    case = make_case(hours=1, generators=[gen("g", extendable=True)], loads={"load": [1.0]},
                     storage=[{"name": "s", "bus": "b", "extendable": True, "eff_charge": 0.5,
                               "eff_discharge": 0.5}],
                     series={"price_per_mwh": {"g": [-10.0]}})
    d = diagnose(case)
    assert d.status == "unbounded"
    assert {"generator 'g' dispatch", "store 's' charge"} <= set(d.unbounded)


def test_feasible_case_has_nothing_to_explain() -> None:
    d = diagnose(short_gas_case())
    assert d.ok and not d.iis and not d.elastic


# -- the case folder and the CLI -----------------------------------------------------------------
def write_case(folder: Path, case_shedding: bool = True, bus_column: str | None = None) -> Path:
    """One bus 'b', load [50, 100] MW, gas 60 MW at 10/MWh, as files."""
    folder.mkdir()
    (folder / "case.yaml").write_text(
        "name: short\ncurrency: EUR\nvoll_per_mwh: 10000\n"
        f"load_shedding: {str(case_shedding).lower()}\n"
        "snapshots:\n  start: 2030-01-01 00:00\n  hours: 2\n  annualise: false\n")
    extra = "" if bus_column is None else f",{bus_column}"
    (folder / "buses.csv").write_text(
        f"name{',load_shedding' if bus_column is not None else ''}\nb{extra}\n")
    (folder / "generators.csv").write_text("name,bus,carrier,p_nom_mw,vom_per_mwh\n"
                                           "gas,b,gas,60,10\n")
    (folder / "loads.csv").write_text("name,bus\nload,b\n")
    (folder / "load_mw.csv").write_text("hour,load\n1,50\n2,100\n")
    return folder


@pytest.mark.parametrize("case_shedding, bus_column", [(False, None), (True, "false")])
def test_switches_read_from_files(tmp_path: Path, case_shedding: bool,
                                  bus_column: str | None) -> None:
    """``load_shedding: false`` in case.yaml, or ``false`` in the bus's column: infeasible."""
    case = gridopt.read_case(write_case(tmp_path / "c", case_shedding, bus_column))
    assert gridopt.solve(case).status == "infeasible"


def test_cli_diagnose_prints_the_report(tmp_path: Path) -> None:
    folder = write_case(tmp_path / "c", case_shedding=False)
    res = runner.invoke(app, ["diagnose", str(folder)])
    assert res.exit_code == 2, res.output
    assert "bus 'b' balance at 2030-01-01 01:00: = 100 MW" in res.output
    assert "generator 'gas' dispatch upper bound at 2030-01-01 01:00: ≤ 60 MW" in res.output
    assert "bus 'b' balance at 2030-01-01 01:00: short by 40 MW" in res.output


def test_cli_run_prints_the_short_form(tmp_path: Path) -> None:
    folder, out = write_case(tmp_path / "c", case_shedding=False), tmp_path / "out"
    res = runner.invoke(app, ["run", str(folder), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "'infeasible'" in res.output
    assert "bus 'b' balance at 2030-01-01 01:00" in res.output
    assert "gridopt diagnose" in res.output
    assert not out.exists()
