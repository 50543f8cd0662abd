"""Mixed-integer models: integer columns in the array model and both backends.

Hand optimum (the toy model below, no case): build n ∈ {0, …, 5} units of 100 MW at 100 each
or buy p ≥ 0 MW spot at 3/MW to cover 150 MW: 100 n + p ≥ 150. Two units cost 200; one unit
and 50 MW spot cost 250; no unit 450. Optimum n = 2, p = 0, objective 200. With n continuous
(the LP relaxation) n = 1.5 at 150.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gridopt.model.arrays import ArrayModel
from gridopt.model.highs_backend import solve_highs
from gridopt.model.pyomo_backend import solve_pyomo, to_pyomo_model

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
