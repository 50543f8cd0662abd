"""The Pyomo backend's model is the array model, entry by entry (issue 23, item 5).

The Pyomo build is lean (axes as shared ``Set``s, terms a_ij·x_j made once per distinct
(a_ij, j), a_ij = 1 as the bare variable, one float object per distinct value): these tests
read the built ``ConcreteModel`` back through Pyomo's own ``generate_standard_repn`` (an
independent reading, not the build code) and compare it with the arrays the HiGHS backend
hands to highspy: the same columns with the same bounds and integrality, the same rows with
the same coefficients and bounds, the same objective, and names in array order.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from pyomo.repn import generate_standard_repn

import gridopt
from gridopt.case.case import Case
from gridopt.model.arrays import ArrayModel
from gridopt.model.build import build_model
from gridopt.model.highs_backend import label_of, solve_highs
from gridopt.model.pyomo_backend import solve_pyomo, to_pyomo_model
from tests.factory import gen
from tests.test_default_case import committed_days  # noqa: F401  (a fixture)
from tests.test_links import chain_case
from tests.test_reserves import case_of, req

INF = float("inf")


def labels(m: ArrayModel, blocks: dict[str, Any], pos: int) -> tuple[str, ...]:
    """The labels Pyomo must show for array position ``pos`` (``label_of`` of each axis)."""
    block, coords = m.block_of_col(pos) if blocks is m.var_blocks else m.block_of_row(pos)
    return tuple(label_of(c) for c in coords) if block.coords else ("",)


def key_of(data: Any) -> tuple[str, ...]:
    index = data.index()
    return index if isinstance(index, tuple) else (index,)


def assert_same_model(m: ArrayModel, model: pyo.ConcreteModel) -> None:
    """Every column, row, coefficient, bound and cost of ``model`` equals the arrays'."""
    xs, rows = model._gridopt_vars, model._gridopt_rows
    assert len(xs) == m.n_cols == len(list(model.component_data_objects(pyo.Var)))
    assert len(rows) == m.n_rows == len(list(model.component_data_objects(pyo.Constraint)))
    position = {id(v): j for j, v in enumerate(xs)}
    lower, upper, integer = m.lower, m.upper, m.integrality
    for j, v in enumerate(xs):
        block, _ = m.block_of_col(j)
        assert v.parent_component().name == block.name, j
        assert key_of(v) == labels(m, m.var_blocks, j), j
        assert (-INF if v.lb is None else v.lb) == lower[j], v.name
        assert (INF if v.ub is None else v.ub) == upper[j], v.name
        assert v.is_integer() == bool(integer[j]), v.name
    a = m.matrix("csr")
    a.sort_indices()
    row_lo, row_hi = m.row_lower, m.row_upper
    nonzeros = 0
    for i, con in enumerate(rows):
        block, _ = m.block_of_row(i)
        assert con.parent_component().name == block.name, i
        assert key_of(con) == labels(m, m.con_blocks, i), i
        repn = generate_standard_repn(con.body, compute_values=True)
        assert repn.constant == 0 and repn.nonlinear_expr is None, con.name
        got = sorted((position[id(v)], c) for v, c in zip(repn.linear_vars, repn.linear_coefs,
                                                           strict=True))
        s, e = a.indptr[i], a.indptr[i + 1]
        assert got == list(zip(a.indices[s:e].tolist(), a.data[s:e].tolist(), strict=True)), \
            con.name
        nonzeros += len(got)
        assert (-INF if con.lower is None else pyo.value(con.lower)) == row_lo[i], con.name
        assert (INF if con.upper is None else pyo.value(con.upper)) == row_hi[i], con.name
    assert nonzeros == a.nnz
    repn = generate_standard_repn(model.objective.expr, compute_values=True)
    cost = np.zeros(m.n_cols)
    for v, c in zip(repn.linear_vars, repn.linear_coefs, strict=True):
        cost[position[id(v)]] += c
    assert cost.tolist() == m.cost_vector().tolist()
    assert repn.constant == pytest.approx(m.offset, rel=1e-15)
    assert model.objective.sense == pyo.minimize


def every_family_case() -> Case:
    """Links (one reversible, extendable) and a store on a hydrogen bus (test_links' chain with
    a reversible 'hvdc' to a second electricity bus), a committable unit with a spinning
    reserve requirement, extendable generators, lines: with the committed default-case days
    below, every family of ``gridopt.model.build.FAMILIES``."""
    case = chain_case()
    links = pd.concat([case.table("links"), case.table("links").iloc[[0]].rename(
        index={"electrolyser": "hvdc"}).assign(bus1="el2", efficiency=0.9, p_min_pu=-0.5)])
    buses = pd.concat([case.table("buses"), case.table("buses").iloc[[0]].rename(
        index={"el": "el2"})])
    return case.replace(tables={**case.tables, "links": links, "buses": buses})


def reserve_case() -> Case:
    """test_reserves' committed pair with 30 MW of spinning reserve up (a MIP)."""
    kw = {"p_nom_mw": 80.0, "committable": True, "p_min_pu": 0.25, "units_on_initial": 0}
    return case_of([60.0, 60.0], gen("a", vom_per_mwh=20.0, startup_cost=500.0, **kw),
                   gen("b", vom_per_mwh=30.0, startup_cost=300.0, **kw),
                   reserves=[req(fixed_mw=30.0)])


def test_links_stores_and_reserves_are_the_array_model() -> None:
    for case in (every_family_case(), reserve_case()):
        m = build_model(case)
        assert_same_model(m, to_pyomo_model(m))


def test_every_family_of_the_default_case_in_a_mip_is_the_array_model(
        committed_days: Case) -> None:  # noqa: F811
    """Three committed days of the default case (DR families, VPP, storage, lines, targets,
    peak response, unit commitment): built only, compared entry by entry."""
    m = build_model(committed_days)
    assert m.is_mip and m.n_rows > 1000
    assert_same_model(m, to_pyomo_model(m))


@pytest.mark.parametrize("case", [every_family_case, reserve_case])
def test_both_backends_reach_the_same_optimum(case: Any) -> None:
    a = gridopt.solve(case(), backend="highs")
    b = gridopt.solve(case(), backend="pyomo")
    assert a.status == b.status == "optimal"
    assert b.objective == pytest.approx(a.objective, rel=1e-9, abs=1e-9)


def ranged_model() -> ArrayModel:
    """Two hours, one element: x_t, y_t ≥ 0, y_t ≤ 4, c ≥ 0 (one column for both hours);
    rows 1 ≤ x_t + 2 y_t ≤ 3 (ranged: set on the arrays, the families add one-sided rows
    only) and x_t − y_t − c ≤ 0.5; cost x_t + 3 y_t + 10 c.

    By hand, each hour with the first row at its lower end, x = 1 − 2y, and the second
    x ≤ y + 0.5 + c: y ≥ (0.5 − c)/3 and the hour costs 1 + y = 1 + (0.5 − c)/3. Raising c
    saves 2/3 over both hours and costs 10: c = 0, y = 1/6, x = 2/3; objective
    2 · (1 + 1/6) = 7/3 (the other vertex x = 0, y = 1/2 costs 1.5 per hour).
    """
    m = ArrayModel(pd.date_range("2030-01-01", periods=2, freq="h"))
    e, t = pd.Index(["e"]), m.snapshots
    x = m.add_variables("toy.x", (e, t)).index()
    y = m.add_variables("toy.y", (e, t), 0.0, 4.0).index()
    c = m.add_variables("toy.c", (e,)).index()
    m.add_constraints("toy.range", (e, t), [(x, 1.0), (y, 2.0)], ">=", 1.0)
    m._row_hi[-1] = np.full(2, 3.0)
    m.add_constraints("toy.gap", (e, t), [(x, 1.0), (y, -1.0), (c[:, None], -1.0)], "<=",
                      0.5)
    m.add_cost("toy", "x", x, 1.0, "e")
    m.add_cost("toy", "y", y, 3.0, "e")
    m.add_cost("toy", "c", c, 10.0, "e")
    return m


def test_a_ranged_row_and_shared_terms() -> None:
    """The ranged row keeps both bounds; x_t's coefficient 1 is the variable itself; c's term
    −1·c is one expression object shared by both hours' rows; both backends give 7/3."""
    m = ranged_model()
    model = to_pyomo_model(m)
    assert_same_model(m, model)
    first, second = (model.toy.range["e", t] for t in ("2030-01-01T00:00", "2030-01-01T01:00"))
    assert (pyo.value(first.lower), pyo.value(second.upper)) == (1.0, 3.0)
    gaps = [model.toy.gap["e", t] for t in ("2030-01-01T00:00", "2030-01-01T01:00")]
    assert any(arg is model.toy.x["e", "2030-01-01T00:00"] for arg in gaps[0].body.args)
    c_terms = {id(arg) for g in gaps for arg in g.body.args
               if arg.is_expression_type() and arg.args[1] is model.toy.c["e"]}
    assert len(c_terms) == 1
    for solve in (solve_highs, solve_pyomo):
        s = solve(m)
        assert s.status == "optimal"
        assert s.objective == pytest.approx(7 / 3)
        assert s.x == pytest.approx([2 / 3, 2 / 3, 1 / 6, 1 / 6, 0.0], abs=1e-9)


def test_repeated_labels_on_an_axis_are_refused() -> None:
    """Two elements whose labels print the same cannot be told apart in Pyomo: a clear
    error naming the block, not a model with fewer variables than the arrays."""
    m = ArrayModel(pd.date_range("2030-01-01", periods=1, freq="h"))
    m.add_variables("toy.x", (pd.Index(["a", "a"]),))
    with pytest.raises(ValueError, match=r"toy\.x.*repeated labels"):
        to_pyomo_model(m)


def test_components_on_the_same_axes_share_their_keys() -> None:
    """x, y and the rows over (element, hour) hold one key tuple per entry between them (the
    same object), and c's single axis gives plain labels; the sets are the axes, not N·T
    keys."""
    model = to_pyomo_model(ranged_model())
    t = "2030-01-01T01:00"
    shared = {id(c[("e", t)].index()) for c in (model.toy.x, model.toy.y, model.toy.range,
                                                 model.toy.gap)}
    assert len(shared) == 1
    assert model.toy.c["e"].index() == "e"
    assert [len(s) for s in model.toy.x.index_set().subsets()] == [1, 2]


def test_a_transport_case_never_loads_networkx() -> None:
    """networkx (≈ 12 MiB resident once imported) is imported where a graph is searched only:
    importing gridopt, validating and solving a case with supply at every load bus and
    transport lines (the ring benchmark's shape, both backends) leaves it unloaded."""
    code = ("import sys, gridopt, gridopt.case.validate\n"
            "from benchmarks.ring.problem import make_ring\n"
            "from benchmarks.ring.gridopt_tool import ring_case\n"
            "case = ring_case(make_ring(3, 24, 1))\n"
            "for backend in ('highs', 'pyomo'):\n"
            "    assert gridopt.solve(case, backend=backend).status == 'optimal'\n"
            "print('networkx' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False", out.stderr
