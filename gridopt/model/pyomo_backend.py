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
from contextlib import nullcontext
from typing import Any

import numpy as np
import pandas as pd
import pyomo
import pyomo.environ as pyo
import pyomo.version
from pyomo.common.gc_manager import PauseGC
from pyomo.common.log import LoggingIntercept
from pyomo.core.expr.numeric_expr import LinearExpression

from gridopt.case.solver_options import is_highs
from gridopt.model.arrays import ArrayModel, Block
from gridopt.model.highs_backend import (
    LIMITS,
    MipInfo,
    Solution,
    label_of,
    labels_of,
    prepare_threads,
)

log = logging.getLogger(__name__)
INF = float("inf")


def _family_block(model: pyo.ConcreteModel, family: str) -> pyo.Block:
    if not hasattr(model, family):
        model.add_component(family, pyo.Block())
    return getattr(model, family)


def _coord_labels(coord: Any, cache: dict[int, tuple[Any, list[str]]]) -> list[str]:
    """The labels of one axis (``label_of`` of each entry), formatted once per index object."""
    hit = cache.get(id(coord))
    if hit is None or hit[0] is not coord:
        if isinstance(coord, pd.DatetimeIndex):
            labels = list(coord.strftime("%Y-%m-%dT%H:%M"))
        else:
            labels = [label_of(v) for v in coord]
        hit = cache[id(coord)] = (coord, labels)
    return hit[1]


def _index_keys(block: Block, cache: dict[int, tuple[Any, list[str]]]) -> list:
    """Index keys in storage order: labels, or tuples of labels for several axes."""
    if not block.coords:
        return labels_of(block)
    parts = [_coord_labels(coord, cache) for coord in block.coords]
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return [(a, b) for a in parts[0] for b in parts[1]]
    grids = np.meshgrid(*[np.asarray(p, dtype=object) for p in parts], indexing="ij")
    return list(zip(*[g.ravel() for g in grids], strict=True))


def to_pyomo_model(m: ArrayModel) -> pyo.ConcreteModel:
    """Build a ``ConcreteModel`` with the same variables, rows and objective as ``m``.

    Python's cyclic garbage collector is paused meanwhile (Pyomo's ``PauseGC``): the build
    creates millions of objects and no garbage, and full collections over a growing heap
    would make it superlinear in the model size.
    """
    with PauseGC():
        return _build(m)


def _build(m: ArrayModel) -> pyo.ConcreteModel:
    model = pyo.ConcreteModel(name="gridopt")
    lower, upper = m.lower.tolist(), m.upper.tolist()
    integer = m.integrality
    cache: dict[int, tuple[Any, list[str]]] = {}
    var_data: list[Any] = []
    for block in m.var_blocks.values():
        keys = _index_keys(block, cache)
        end = block.start + block.size
        lo, hi = lower[block.start:end], upper[block.start:end]
        marks = integer[block.start:end]
        # one domain for the common cases (x ≥ 0, x free); single bounds set only where needed
        within = pyo.NonNegativeReals if all(x == 0.0 for x in lo) else pyo.Reals
        var = pyo.Var(keys, dense=True, within=within)
        _family_block(model, block.family).add_component(block.quantity, var)
        data = [var[key] for key in keys]
        if marks.any():  # integer columns: domain Integers, the block's bounds set one by one
            within = pyo.Reals
            for k in np.flatnonzero(marks):
                data[k].domain = pyo.Integers
        if within is pyo.Reals:
            for v, x in zip(data, lo, strict=True):
                if x != -INF:
                    v.setlb(x)
        for v, x in zip(data, hi, strict=True):
            if x != INF:
                v.setub(x)
        var_data.extend(data)
    _add_rows(model, m, var_data, cache)
    cost = m.cost_vector()
    nz = np.flatnonzero(cost)
    model.objective = pyo.Objective(expr=LinearExpression(
        constant=m.offset, linear_coefs=cost[nz].tolist(),
        linear_vars=[var_data[j] for j in nz]), sense=pyo.minimize)
    model._gridopt_vars = var_data  # array order, for mapping a solution back
    return model


def _add_rows(model: pyo.ConcreteModel, m: ArrayModel, var_data: list[Any],
              cache: dict[int, tuple[Any, list[str]]]) -> None:
    a = m.matrix("csr")
    indptr, cols, vals = a.indptr.tolist(), a.indices.tolist(), a.data.tolist()
    lo, hi = m.row_lower.tolist(), m.row_upper.tolist()
    rows: list[Any] = []
    for block in m.con_blocks.values():
        keys = _index_keys(block, cache)
        bodies = {}
        for k, key in enumerate(keys):
            i = block.start + k
            j0, j1 = indptr[i], indptr[i + 1]
            expr = LinearExpression(constant=0.0, linear_coefs=vals[j0:j1],
                                    linear_vars=[var_data[j] for j in cols[j0:j1]])
            bodies[key] = _bounded(expr, lo[i], hi[i])
        con = pyo.Constraint(keys, rule=lambda _, *key, b=bodies: b[key[0] if len(key) == 1
                                                                     else key])
        _family_block(model, block.family).add_component(block.quantity, con)
        rows.extend(con[key] for key in keys)
    model._gridopt_rows = rows


def _bounded(expr: Any, lo: float, hi: float) -> Any:
    if lo == hi:
        return expr == lo
    return (None if lo == -INF else lo, expr, None if hi == INF else hi)


def solve_pyomo(m: ArrayModel, solver: str = "appsi_highs",
                options: dict[str, Any] | None = None) -> Solution:
    """Build the Pyomo model, solve it with ``solver`` and return the solution in array order."""
    t0 = time.perf_counter()
    model = to_pyomo_model(m)
    if not m.is_mip:  # a MIP has no duals (prices: the LP with integers fixed)
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    t1 = time.perf_counter()
    opt = pyo.SolverFactory(solver)
    if is_highs(solver):
        prepare_threads(options)
    for key, value in (options or {}).items():
        opt.options[key] = value
    with PauseGC():  # the translation to the solver creates many objects too
        result = opt.solve(model, load_solutions=False)
    t2 = time.perf_counter()
    status = _status(result)
    x = y = objective = None
    # a MIP stopped at a limit keeps its incumbent, as on the highs backend (Pyomo 6.8 reports
    # a HiGHS node or solution limit as 'unknown': kept when it returns one, never 'optimal')
    at_limit = m.is_mip and status in (*LIMITS, "unknown") and _has_solution(result)
    if status == "optimal" or at_limit:
        # at a limit Pyomo warns of "an 'aborted' status, but containing a solution": expected
        with LoggingIntercept(module="pyomo.core") if at_limit else nullcontext():
            model.solutions.load_from(result)
        x = np.array([v.value if v.value is not None else 0.0 for v in model._gridopt_vars])
        if not m.is_mip:
            y = np.array([model.dual.get(c, 0.0) for c in model._gridopt_rows])
        objective = float(pyo.value(model.objective))
    return Solution(status, objective, x, y, f"pyomo {pyomo.version.version} / {solver}",
                    t1 - t0, t2 - t1, message=str(result.solver.termination_condition),
                    extra={"pyomo_model": model},
                    mip=_mip_info(result, opt, objective) if m.is_mip else None)


def _has_solution(result: Any) -> bool:
    return len(getattr(result, "solution", ())) > 0


def _mip_info(result: Any, opt: Any, objective: float | None) -> MipInfo:
    """Bound, gap and nodes of a MIP solve: the bound from Pyomo's result (any solver); the
    gap as HiGHS defines it, |incumbent − bound| / |incumbent|; nodes where the solver says
    (HiGHS through appsi), else ``None``."""
    bound = _number(getattr(result.problem, "lower_bound", None))
    gap = None
    if bound is not None and objective is not None:
        gap = abs(objective - bound) / max(abs(objective), 1e-12)
        gap = 0.0 if abs(objective - bound) <= 1e-12 else gap
    nodes = None
    highs = getattr(opt, "_solver_model", None)
    if highs is not None and hasattr(highs, "getInfo"):
        nodes = int(highs.getInfo().mip_node_count)
    return MipInfo(bound, gap, nodes)


def _number(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


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
