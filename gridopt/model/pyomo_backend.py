"""The open backend: the same array model as a Pyomo ``ConcreteModel``.

Each family is a Pyomo ``Block`` (``model.generators``, ``model.storage``, …); each variable
block a ``Var`` and each constraint block a ``Constraint`` inside it, indexed by the block's
labels (element names and snapshot timestamps as ``YYYY-MM-DDTHH:MM``). A user can add
constraints in Pyomo syntax and solve with any solver Pyomo knows; :func:`solve_pyomo` does
that with HiGHS (``appsi_highs``) by default and maps the solution back to the array order.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pyomo
import pyomo.environ as pyo
import pyomo.version
from pyomo.core.expr.numeric_expr import LinearExpression

from gridopt.model.arrays import ArrayModel, Block
from gridopt.model.highs_backend import Solution, label_of, labels_of

log = logging.getLogger(__name__)


def _family_block(model: pyo.ConcreteModel, family: str) -> pyo.Block:
    if not hasattr(model, family):
        model.add_component(family, pyo.Block())
    return getattr(model, family)


def _index_keys(block: Block) -> list:
    """Index keys in storage order: labels, or tuples of labels for several axes."""
    if len(block.coords) <= 1:
        return labels_of(block)
    parts = [[label_of(v) for v in coord] for coord in block.coords]
    grids = np.meshgrid(*[np.asarray(p, dtype=object) for p in parts], indexing="ij")
    return list(zip(*[g.ravel() for g in grids], strict=True))


def to_pyomo_model(m: ArrayModel) -> pyo.ConcreteModel:
    """Build a ``ConcreteModel`` with the same variables, rows and objective as ``m``."""
    model = pyo.ConcreteModel(name="gridopt")
    lower, upper = m.lower, m.upper
    var_data: list[Any] = []
    for block in m.var_blocks.values():
        keys = _index_keys(block)
        var = pyo.Var(keys, dense=True, within=pyo.Reals)
        _family_block(model, block.family).add_component(block.quantity, var)
        for k, key in enumerate(keys):
            v = var[key]
            j = block.start + k
            v.setlb(None if np.isneginf(lower[j]) else float(lower[j]))
            v.setub(None if np.isposinf(upper[j]) else float(upper[j]))
            var_data.append(v)
    _add_rows(model, m, var_data)
    cost = m.cost_vector()
    nz = np.flatnonzero(cost)
    model.objective = pyo.Objective(expr=LinearExpression(
        constant=m.offset, linear_coefs=cost[nz].tolist(),
        linear_vars=[var_data[j] for j in nz]), sense=pyo.minimize)
    model._gridopt_vars = var_data  # array order, for mapping a solution back
    return model


def _add_rows(model: pyo.ConcreteModel, m: ArrayModel, var_data: list[Any]) -> None:
    a = m.matrix("csr")
    lo, hi = m.row_lower, m.row_upper
    rows: list[Any] = []
    for block in m.con_blocks.values():
        keys = _index_keys(block)
        con = pyo.Constraint(keys)
        _family_block(model, block.family).add_component(block.quantity, con)
        for k, key in enumerate(keys):
            i = block.start + k
            cols = a.indices[a.indptr[i]:a.indptr[i + 1]]
            expr = LinearExpression(constant=0.0,
                                    linear_coefs=a.data[a.indptr[i]:a.indptr[i + 1]].tolist(),
                                    linear_vars=[var_data[j] for j in cols])
            con[key] = _bounded(expr, lo[i], hi[i])
            rows.append(con[key])
    model._gridopt_rows = rows


def _bounded(expr: Any, lo: float, hi: float) -> Any:
    if lo == hi:
        return expr == float(lo)
    return (None if np.isneginf(lo) else float(lo), expr, None if np.isposinf(hi) else float(hi))


def solve_pyomo(m: ArrayModel, solver: str = "appsi_highs",
                options: dict[str, Any] | None = None) -> Solution:
    """Build the Pyomo model, solve it with ``solver`` and return the solution in array order."""
    t0 = time.perf_counter()
    model = to_pyomo_model(m)
    model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    t1 = time.perf_counter()
    opt = pyo.SolverFactory(solver)
    for key, value in (options or {}).items():
        opt.options[key] = value
    result = opt.solve(model, load_solutions=False)
    t2 = time.perf_counter()
    status = _status(result)
    x = y = objective = None
    if status == "optimal":
        model.solutions.load_from(result)
        x = np.array([v.value if v.value is not None else 0.0 for v in model._gridopt_vars])
        y = np.array([model.dual.get(c, 0.0) for c in model._gridopt_rows])
        objective = float(pyo.value(model.objective))
    return Solution(status, objective, x, y, f"pyomo {pyomo.version.version} / {solver}",
                    t1 - t0, t2 - t1, message=str(result.solver.termination_condition),
                    extra={"pyomo_model": model})


def _status(result: Any) -> str:
    tc = pyo.TerminationCondition
    cond = result.solver.termination_condition
    return {
        tc.optimal: "optimal",
        tc.infeasible: "infeasible",
        tc.unbounded: "unbounded",
        tc.infeasibleOrUnbounded: "infeasible_or_unbounded",
        tc.maxTimeLimit: "time_limit",
        tc.maxIterations: "iteration_limit",
    }.get(cond, str(cond))
