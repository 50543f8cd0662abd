"""Mixed-integer models: integer columns in the array model and both backends.

Hand optimum (the toy model below, no case): build n ∈ {0, …, 5} units of 100 MW at 100 each
or buy p ≥ 0 MW spot at 3/MW to cover 150 MW: 100 n + p ≥ 150. Two units cost 200; one unit
and 50 MW spot cost 250; no unit 450. Optimum n = 2, p = 0, objective 200. With n continuous
(the LP relaxation) n = 1.5 at 150.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import gridopt
from gridopt.case.case import Case
from gridopt.case.validate_config import check_config
from gridopt.cli import app
from gridopt.model.arrays import ArrayModel
from gridopt.model.build import build_model
from gridopt.model.highs_backend import solve_highs
from gridopt.model.mip import agrees
from gridopt.model.pyomo_backend import solve_pyomo, to_pyomo_model
from gridopt.results.results import Results
from tests.factory import gen, make_case

runner = CliRunner()

SOLVERS = {"highs": solve_highs, "pyomo": solve_pyomo}


def toy_model(integer: bool = True) -> ArrayModel:
    """min 100 n + 3 p  s.t.  100 n + p ≥ 150, n ∈ {0..5} (integer or not), p ≥ 0."""
    m = ArrayModel(pd.date_range("2030-01-01", periods=1, freq="h"))
    unit = pd.Index(["u"])
    n = m.add_variables("toy.n", (unit,), 0.0, 5.0, integer=integer).index()
    p = m.add_variables("toy.p", (unit,)).index()
    m.add_constraints("toy.cover", (unit,), [(n, 100.0), (p, 1.0)], ">=", 150.0)
    m.add_cost("toy", "build", n, 100.0, "u")
    m.add_cost("toy", "spot", p, 3.0, "u")
    return m


def test_integrality_is_stored_per_column() -> None:
    m = toy_model()
    assert m.is_mip
    assert m.integrality.tolist() == [True, False]
    lp = toy_model(integer=False)
    assert not lp.is_mip
    assert lp.integrality.tolist() == [False, False]


def test_integer_marks_broadcast_over_a_block() -> None:
    m = ArrayModel(pd.date_range("2030-01-01", periods=2, freq="h"))
    names = pd.Index(["a", "b", "c"])
    m.add_variables("x.free", (names, m.snapshots))
    m.add_variables("x.mixed", (names, m.snapshots), integer=np.array([[True], [False], [True]]))
    assert m.integrality.tolist() == [False] * 6 + [True, True, False, False, True, True]


@pytest.mark.parametrize("backend", SOLVERS)
def test_integer_column_solves_by_hand(backend: str) -> None:
    solution = SOLVERS[backend](toy_model())
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(200.0)
    assert solution.x == pytest.approx([2.0, 0.0], abs=1e-9)
    assert solution.row_dual is None  # a MIP has no duals


@pytest.mark.parametrize("backend", SOLVERS)
def test_without_integers_the_relaxation_is_solved(backend: str) -> None:
    solution = SOLVERS[backend](toy_model(integer=False))
    assert solution.objective == pytest.approx(150.0)
    assert solution.x == pytest.approx([1.5, 0.0])
    assert solution.row_dual is not None


def test_pyomo_domains() -> None:
    model = to_pyomo_model(toy_model())
    n, p = model._gridopt_vars
    assert n.is_integer() and (n.lb, n.ub) == (0, 5)
    assert p.is_continuous() and p.lb == 0


# -- integer builds of generators (issue 19 item 3) ---------------------------------------------
def unit_case(**solver: object) -> Case:
    """One bus, two hours, load [150, 50] MW; one extendable gas plant built in units of
    S = 100 MW, capital 1,000 per MW-yr (lifetime 1 yr, discount 0), 10/MWh, w = 1 h.

    - MIP: 150 MW at the peak needs n = 2 units: 200 MW × 1,000 + 200 MWh × 10 = 202,000.
      With n fixed at 2 the capacity never binds, so both prices are the marginal cost 10.
    - LP relaxation: n = 1.5, p_new = 150 MW: 150,000 + 2,000 = 152,000; the peak hour's
      price carries the capacity: [10 + 1,000, 10] = [1,010, 10].
    """
    case = make_case(2, [gen("gas", p_nom_mw=0.0, extendable=True, unit_size_mw=100.0,
                             capex_per_mw=1000.0, lifetime_yr=1.0, vom_per_mwh=10.0)],
                     {"city": [150.0, 50.0]})
    return case if not solver else replace(case, solver_options=MappingProxyType(solver))


@pytest.mark.parametrize("backend", SOLVERS)
def test_units_are_built_whole(backend: str) -> None:
    r = gridopt.solve(unit_case(), backend=backend)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(202_000.0)
    assert r.variable("generators.n_new")["gas"] == pytest.approx(2.0)
    assert r.capacities.loc[("generators", "gas"), "new_mw"] == pytest.approx(200.0)
    assert r.prices["b"].to_numpy() == pytest.approx([10.0, 10.0])
    mip = r.solution.mip
    assert mip.fixed_lp_status == "optimal"
    assert mip.fixed_lp_objective == pytest.approx(r.objective)
    assert mip.gap == pytest.approx(0.0, abs=1e-9)
    assert mip.dual_bound == pytest.approx(202_000.0)


@pytest.mark.parametrize("backend", SOLVERS)
def test_the_relaxation_builds_one_and_a_half_units(backend: str) -> None:
    r = gridopt.solve(unit_case(), backend=backend, relax_integrality=True)
    assert r.objective == pytest.approx(152_000.0)
    assert r.variable("generators.n_new")["gas"] == pytest.approx(1.5)
    assert r.prices["b"].to_numpy() == pytest.approx([1010.0, 10.0])
    assert r.solution.mip is None
    assert r.summary()["relax_integrality"] is True


def test_relax_integrality_from_case_yaml() -> None:
    r = gridopt.solve(unit_case(relax_integrality=True))
    assert r.objective == pytest.approx(152_000.0)
    assert not r.model.is_mip and r.model.n_integer == 1


def test_relax_integrality_must_be_true_or_false() -> None:
    with pytest.raises(ValueError, match=r"relax_integrality.*true or false"):
        gridopt.solve(unit_case(), relax_integrality="yes")
    config = {"name": "x", "currency": "EUR", "voll_per_mwh": 1,
              "snapshots": {"start": "2030-01-01", "hours": 1},
              "solver": {"relax_integrality": 1, "mip_rel_gap": 0.01}}
    problems, _ = check_config(config)
    assert [p.column for p in problems] == ["solver.relax_integrality"]
    assert "true or false" in problems[0].message


def test_unit_build_structure() -> None:
    """n_new only for extendable generators with a unit size; its bound is the whole units
    that fit under the cap: ⌊(250 − 20) / 100⌋ = 2; one row p_new − 100 n_new = 0."""
    case = make_case(1, [
        gen("gas", p_nom_mw=20.0, extendable=True, unit_size_mw=100.0, p_nom_max_mw=250.0),
        gen("wind", p_nom_mw=0.0, extendable=True),
        gen("coal", p_nom_mw=50.0, unit_size_mw=25.0)], {"city": [10.0]})
    m = build_model(case)
    assert list(m.var_blocks["generators.n_new"].coords[0]) == ["gas"]
    n = m.var("generators.n_new")
    assert m.integrality.sum() == 1 and m.integrality[n].all()
    assert m.upper[n] == pytest.approx([2.0])
    row = m.con_blocks["generators.p_new_units"]
    a = m.matrix("csr")[row.start]
    p_new = m.var("generators.p_new")[0]
    assert dict(zip(a.indices.tolist(), a.data.tolist(), strict=True)) == {p_new: 1.0,
                                                                           n[0]: -100.0}
    assert (m.row_lower[row.start], m.row_upper[row.start]) == (0.0, 0.0)


def test_without_unit_sizes_the_model_is_the_lp_of_before() -> None:
    """A blank unit_size_mw adds nothing: the same matrix, bounds and costs as without the
    column, and no integer column."""
    rows = [gen("gas", p_nom_mw=0.0, extendable=True, capex_per_mw=1000.0, vom_per_mwh=10.0)]
    plain = build_model(make_case(2, rows, {"city": [150.0, 50.0]}))
    blank = build_model(make_case(2, [{**rows[0], "unit_size_mw": ""}], {"city": [150.0, 50.0]}))
    assert not blank.is_mip and blank.n_integer == 0
    assert (plain.matrix() != blank.matrix()).nnz == 0
    for attr in ("lower", "upper", "row_lower", "row_upper"):
        assert np.array_equal(getattr(plain, attr), getattr(blank, attr))
    assert np.array_equal(plain.cost_vector(), blank.cost_vector())
    assert list(plain.var_blocks) == list(blank.var_blocks)


# -- invariants on a MIP that is not trivial ------------------------------------------------------
def knapsack_case(n: int = 12, hours: int = 4, seed: int = 1) -> Case:
    """``n`` extendable plants in random unit sizes (101–996 MW, at most three units each) with
    random hourly availability and near-equal capital costs, covering a random load: a
    multi-dimensional covering problem whose LP relaxation is below its MIP optimum."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(101, 997, n)
    gens = [gen(f"g{i}", p_nom_mw=0.0, extendable=True, unit_size_mw=float(s),
                p_nom_max_mw=float(3 * s), capex_per_mw=1000.0 + float(rng.uniform(-1, 1)),
                lifetime_yr=1.0, vom_per_mwh=float(rng.uniform(5, 15)))
            for i, s in enumerate(sizes)]
    avail = {f"g{i}": list(rng.uniform(0.2, 1.0, hours)) for i in range(n)}
    return make_case(hours, gens, {"city": list(rng.uniform(4000, 6000, hours))},
                     availability=avail)


@pytest.fixture(scope="module")
def knapsack() -> dict[str, Results]:
    case = knapsack_case()
    return {"highs": gridopt.solve(case, mip_rel_gap=1e-6),
            "pyomo": gridopt.solve(case, backend="pyomo", mip_rel_gap=1e-6),
            "relaxed": gridopt.solve(case, relax_integrality=True)}


def test_the_mip_is_not_below_its_relaxation(knapsack: dict[str, Results]) -> None:
    mip, lp = knapsack["highs"], knapsack["relaxed"]
    assert mip.status == lp.status == "optimal"
    assert mip.objective >= lp.objective - 1e-6 * abs(lp.objective)
    assert mip.objective > lp.objective * (1 + 1e-4)  # they differ on this case
    assert mip.solution.mip.dual_bound >= lp.objective - 1e-6 * abs(lp.objective)


def test_both_backends_agree_within_the_gap(knapsack: dict[str, Results]) -> None:
    highs, pyomo = knapsack["highs"], knapsack["pyomo"]
    assert pyomo.status == "optimal"
    gap = max(highs.solution.mip.gap, pyomo.solution.mip.gap, 1e-6)
    assert pyomo.objective == pytest.approx(highs.objective, rel=gap)


@pytest.mark.parametrize("backend", SOLVERS)
def test_prices_come_from_the_lp_with_integers_fixed(knapsack: dict[str, Results],
                                                     backend: str) -> None:
    """The duals of the MIP's results are those of the LP solved anew with every integer
    column fixed at its rounded value; that LP's objective is the MIP's within the gap."""
    r = knapsack[backend]
    fixed = r.model.fix_integers(r.solution.x)
    assert not fixed.is_mip
    ints = r.model.declared_integer
    assert np.array_equal(fixed.lower[ints], np.round(r.solution.x[ints]))
    assert np.array_equal(fixed.upper[ints], fixed.lower[ints])
    lp = solve_highs(fixed)
    assert r.solution.row_dual == pytest.approx(lp.row_dual, rel=1e-6, abs=1e-6)
    assert r.solution.mip.fixed_lp_objective == pytest.approx(lp.objective, rel=1e-9)
    gap = r.solution.mip.gap
    assert lp.objective == pytest.approx(r.objective, rel=gap + 1e-9)
    assert agrees(r.solution)
    assert "prices" in r.tables()


@pytest.mark.parametrize("backend", SOLVERS)
def test_a_mip_stopped_at_a_limit_reports_its_gap(backend: str) -> None:
    """A 60-plant, 24-hour covering MIP stopped after its first branch-and-bound node
    (``mip_max_nodes: 1``, deterministic, unlike a time limit on a shared machine): the
    incumbent (shedding everything is feasible, so there is one at once) is kept with its
    bound and gap; no fixed LP, no prices. HiGHS calls the stop 'solution_limit'; Pyomo's
    appsi interface reports it as an iteration limit (Pyomo 6.8: 'unknown', without the
    incumbent)."""
    r = gridopt.solve(knapsack_case(60, 24, 3), backend=backend, mip_max_nodes=1,
                      mip_rel_gap=0.0, threads=1)
    expected = {"highs": ("solution_limit",), "pyomo": ("iteration_limit", "unknown")}
    assert r.status in expected[backend]
    assert not r.ok
    if r.status == "unknown":  # Pyomo 6.8's appsi: no status and no incumbent returned
        assert r.objective is None and r.solution.row_dual is None
        return
    assert r.objective is not None and r.solution.x is not None
    mip = r.solution.mip
    assert mip.gap is not None and mip.gap > 0
    assert mip.dual_bound <= r.objective
    assert mip.fixed_lp_status is None and r.solution.row_dual is None
    summary = r.summary()
    assert summary["mip_gap"] == pytest.approx(mip.gap)
    assert summary["mip_dual_bound"] == pytest.approx(mip.dual_bound)
    assert "prices" not in r.tables() and "mean_price_per_mwh" not in summary


@pytest.mark.parametrize("backend", SOLVERS)
def test_mip_rel_gap_reaches_the_solver(backend: str) -> None:
    """A 50 % gap ends the hard MIP at once, optimal within it."""
    r = gridopt.solve(knapsack_case(60, 24, 3), backend=backend, mip_rel_gap=0.5)
    assert r.status == "optimal"
    assert r.solution.mip.gap <= 0.5
    assert r.solution.mip.fixed_lp_status == "optimal"


# -- the command line ---------------------------------------------------------------------------
def write_case(folder: Path, generators: list[dict], load: list[float],
               solver: dict | None = None) -> Path:
    folder.mkdir()
    config = {"name": "mip", "currency": "EUR", "discount_rate": 0.0, "voll_per_mwh": 10000,
              "snapshots": {"start": "2030-01-01 00:00", "hours": len(load),
                            "annualise": False}}
    if solver:
        config["solver"] = solver
    (folder / "case.yaml").write_text(yaml.safe_dump(config))
    (folder / "buses.csv").write_text("name\nb\n")
    (folder / "loads.csv").write_text("name,bus\ncity,b\n")
    pd.DataFrame(generators).to_csv(folder / "generators.csv", index=False)
    stamps = pd.date_range("2030-01-01", periods=len(load), freq="h").strftime("%Y-%m-%d %H:%M")
    pd.DataFrame({"snapshot": stamps, "city": load}).to_csv(folder / "load_mw.csv", index=False)
    return folder


UNIT_GAS = gen("gas", p_nom_mw=0.0, extendable=True, unit_size_mw=100.0, capex_per_mw=1000.0,
               lifetime_yr=1.0, vom_per_mwh=10.0)


def test_run_reports_the_mip(tmp_path: Path) -> None:
    case = write_case(tmp_path / "case", [UNIT_GAS], [150.0, 50.0])
    res = runner.invoke(app, ["run", str(case), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(202_000.0)
    assert summary["integer_columns"] == 1 and summary["relax_integrality"] is False
    assert summary["mip_gap"] == pytest.approx(0.0, abs=1e-9)
    assert summary["fixed_lp_objective"] == pytest.approx(202_000.0)
    assert summary["mean_price_per_mwh"] == pytest.approx(10.0)
    prices = pd.read_csv(tmp_path / "out" / "prices.csv")
    assert prices["b"].tolist() == pytest.approx([10.0, 10.0])
    for text in ("MIP bound / gap", "prices from", "202,000"):
        assert text in res.output


def test_run_relax_flag_and_case_switch(tmp_path: Path) -> None:
    case = write_case(tmp_path / "case", [UNIT_GAS], [150.0, 50.0])
    res = runner.invoke(app, ["run", str(case), "--out", str(tmp_path / "a"), "--relax"])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "a" / "summary.json").read_text())["objective"] == \
        pytest.approx(152_000.0)
    assert "relaxed" in res.output
    switched = write_case(tmp_path / "switched", [UNIT_GAS], [150.0, 50.0],
                          solver={"relax_integrality": True})
    res = runner.invoke(app, ["run", str(switched), "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(152_000.0)
    assert summary["relax_integrality"] is True


def test_run_of_a_mip_stopped_at_a_limit_is_written_flagged_without_prices(
        tmp_path: Path) -> None:
    """The node limit (case.yaml solver: mip_max_nodes 1) stops the covering MIP with an
    incumbent: written, the gap printed, no prices, exit 2."""
    kc = knapsack_case(60, 24, 3)
    gens = kc.table("generators").reset_index()[["name", "bus", "carrier", "p_nom_mw",
                                                 "extendable", "unit_size_mw", "p_nom_max_mw",
                                                 "capex_per_mw", "lifetime_yr", "vom_per_mwh"]]
    case = write_case(tmp_path / "case", gens.to_dict("records"),
                      kc.series["load_mw"]["city"].tolist(), solver={"mip_max_nodes": 1})
    avail = kc.series["availability_pu"][gens["name"]].copy()
    avail.insert(0, "snapshot", kc.snapshots.strftime("%Y-%m-%d %H:%M"))
    avail.to_csv(case / "availability_pu.csv", index=False)
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(case), "--out", str(out), "--mip-gap", "0",
                              "--threads", "1"])
    assert res.exit_code == 2, res.output
    assert "MIP gap" in res.output and "no prices" in res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "solution_limit"
    assert summary["mip_gap"] > 0
    assert not (out / "prices.csv").exists()


def test_export_marks_the_integer_columns(tmp_path: Path) -> None:
    """The LP file lists the units under ``gen`` (general integers) for another solver."""
    text = gridopt.export(unit_case(), tmp_path / "units.lp").read_text()
    integers = text.split("\ngen\n", 1)[1].split("\n")[0]
    assert integers.strip() == "generators.n_new(gas)"
