"""The open backend: the same array model as a Pyomo ``ConcreteModel``.

Each family is a Pyomo ``Block`` (``model.generators``, ``model.storage``, …); each variable
block a ``Var`` and each constraint block a ``Constraint`` inside it, indexed by the block's
labels (element names and snapshot timestamps as ``YYYY-MM-DDTHH:MM``). A user can add
constraints in Pyomo syntax and solve with any solver Pyomo knows; :func:`solve_pyomo` does
that with HiGHS (``appsi_highs``) by default and maps the solution back to the array order.

The model is built in Pyomo's leanest form for the same rows (issue 23, item 5: its memory no
higher than a hand-written Pyomo model's): components indexed by products of shared per-axis
sets (never a materialised set of N·T keys), row bodies as ``LinearExpression``s whose terms
are the bare variable where the coefficient is 1 and otherwise one ``MonomialTermExpression``
per distinct (coefficient, column) shared by every row that has it, coefficients and bounds
as one Python float per distinct value, and nothing of the build kept once it is done
(``benchmarks/results/pyomo_memory.md``).
"""

from __future__ import annotations

import itertools
import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo
import pyomo.environ as pyo
import pyomo.version
from pyomo.common.gc_manager import PauseGC
from pyomo.common.log import LoggingIntercept
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import (
    EqualityExpression,
    InequalityExpression,
    RangedExpression,
)

from gridopt.case.solver_options import is_highs
from gridopt.model.arrays import ArrayModel, Block
from gridopt.model.highs_backend import (
    LIMITS,
    MipInfo,
    Solution,
    label_of,
    prepare_threads,
)

log = logging.getLogger(__name__)
INF = float("inf")


def _family_block(model: pyo.ConcreteModel, family: str) -> pyo.Block:
    if not hasattr(model, family):
        model.add_component(family, pyo.Block())
    return getattr(model, family)


@dataclass
class _Indexing:
    """The index sets and keys of the model's components, each made once.

    One ordered Pyomo ``Set`` per axis (labels as :func:`label_of` writes them, snapshots as
    ``YYYY-MM-DDTHH:MM``), shared by every block on that axis: a component indexed by several
    is indexed by their product, which Pyomo does not store (no set of N·T keys beside each
    ``Var`` and ``Constraint``). The keys (label tuples in storage order, first axis slowest)
    are made once per combination of axes and shared by every component on those axes, e.g.
    a battery's charge, discharge and level variables and its four rows per hour: one key
    tuple per (battery, hour), not seven.
    """

    sets: dict[int, tuple[pd.Index, Any]] = field(default_factory=dict)
    keys: dict[tuple[int, ...], tuple[tuple[pd.Index, ...], list[Any]]] = field(
        default_factory=dict)

    def index_sets(self, block: Block) -> list[Any]:
        """One set per axis of ``block``; a block without axes has the one label ``""``."""
        if not block.coords:
            return [_label_set(block, 0, pd.Index([""]))]
        out = []
        for axis, coord in enumerate(block.coords):
            hit = self.sets.get(id(coord))
            if hit is None or hit[0] is not coord:
                hit = self.sets[id(coord)] = (coord, _label_set(block, axis, coord))
            out.append(hit[1])
        return out

    def index_keys(self, block: Block, sets: list[Any]) -> list[Any]:
        """The keys of ``block``'s entries in storage order (labels, or tuples of labels)."""
        if len(sets) == 1:
            return list(sets[0])
        hit = self.keys.get(tuple(map(id, block.coords)))
        if hit is None or any(a is not b for a, b in zip(hit[0], block.coords, strict=True)):
            keys = list(itertools.product(*(list(s) for s in sets)))
            hit = self.keys[tuple(map(id, block.coords))] = (block.coords, keys)
        return hit[1]


def _label_set(block: Block, axis: int, coord: pd.Index) -> Any:
    if isinstance(coord, pd.DatetimeIndex):
        labels = list(coord.strftime("%Y-%m-%dT%H:%M"))
    else:
        labels = [label_of(v) for v in coord]
    index = pyo.Set(initialize=labels, ordered=True, dimen=1)
    index.construct()
    if len(index) != len(labels):
        raise ValueError(f"block {block.name!r}: axis {axis} has repeated labels, so its "
                         "entries cannot be named apart in Pyomo")
    return index


def _shared_floats(values: np.ndarray) -> list[float]:
    """``values`` as Python floats, one float object per distinct value (not one per entry:
    the model keeps every coefficient and bound it is given)."""
    if values.size == 0:
        return []
    distinct, which = np.unique(values, return_inverse=True)
    return list(map(distinct.tolist().__getitem__, which.ravel().tolist()))


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
    indexing = _Indexing()
    var_data = _add_variables(model, m, indexing)
    _add_rows(model, m, var_data, indexing)
    cost = m.cost_vector()
    nz = np.flatnonzero(cost)
    model.objective = pyo.Objective(expr=LinearExpression(
        constant=m.offset, linear_coefs=_shared_floats(cost[nz]),
        linear_vars=[var_data[j] for j in nz.tolist()]), sense=pyo.minimize)
    model._gridopt_vars = var_data  # array order, for mapping a solution back
    return model


def _add_variables(model: pyo.ConcreteModel, m: ArrayModel, indexing: _Indexing) -> list[Any]:
    """One ``Var`` per variable block, x_lo ≤ x ≤ x_hi; the variables in array order.

    The domain is ``NonNegativeReals`` for a block whose lower bounds are all 0, else
    ``Reals`` with finite lower bounds set one by one; finite upper bounds are set one by one;
    integer columns get the domain ``Integers`` and keep their bounds.
    """
    lower, upper, integer = m.lower, m.upper, m.integrality
    var_data: list[Any] = []
    for block in m.var_blocks.values():
        part = slice(block.start, block.start + block.size)
        lo, hi, marks = lower[part], upper[part], integer[part]
        within = pyo.NonNegativeReals if not lo.any() else pyo.Reals
        sets = indexing.index_sets(block)
        var = pyo.Var(*sets, dense=False, within=within)  # entries made below, on shared keys
        _family_block(model, block.family).add_component(block.quantity, var)
        data = [var[key] for key in indexing.index_keys(block, sets)]
        if marks.any():  # integer columns: domain Integers, the block's bounds set one by one
            within = pyo.Reals
            for k in np.flatnonzero(marks).tolist():
                data[k].domain = pyo.Integers
        if within is pyo.Reals:
            _set_bounds(data, lo, lo != -INF, "setlb")
        _set_bounds(data, hi, hi != INF, "setub")
        var_data.extend(data)
    return var_data


def _set_bounds(data: list[Any], values: np.ndarray, where: np.ndarray, method: str) -> None:
    at = np.flatnonzero(where)
    for k, x in zip(at.tolist(), _shared_floats(values[at]), strict=True):
        getattr(data[k], method)(x)


def _add_rows(model: pyo.ConcreteModel, m: ArrayModel, var_data: list[Any],
              indexing: _Indexing) -> None:
    """One ``Constraint`` per row block: r_lo ≤ Σ_j a_ij x_j ≤ r_hi, row by row.

    Each row's body is a ``LinearExpression`` of its terms a_ij x_j. A term is the variable
    itself where a_ij = 1 (as Pyomo writes ``x + y``), else a ``MonomialTermExpression``
    made once per distinct (a_ij, j) and shared by every row that has it (Pyomo expressions
    are immutable, so sharing them is safe), e.g. −P_new of a battery in each hour's
    charge limit. Coefficients and bounds are one Python float per distinct value.
    """
    a = m.matrix("csr")
    term_of_entry, terms = _terms(a.indices, a.data, var_data)
    row_lo, row_hi = m.row_lower, m.row_upper
    rows: list[Any] = []
    for block in m.con_blocks.values():
        start, end = block.start, block.start + block.size
        ptr = a.indptr[start:end + 1]
        flat = list(map(terms.__getitem__, term_of_entry[ptr[0]:ptr[-1]].tolist()))
        ptr = (ptr - ptr[0]).tolist()
        lo = _shared_floats(row_lo[start:end])
        hi = _shared_floats(row_hi[start:end])
        exprs = map(_relation, map(flat.__getitem__, map(slice, ptr[:-1], ptr[1:])), lo, hi)
        sets = indexing.index_sets(block)
        con = pyo.Constraint(*sets)  # rows set below, on shared keys
        _family_block(model, block.family).add_component(block.quantity, con)
        keys = indexing.index_keys(block, sets)
        for key, expr in zip(keys, exprs, strict=True):
            con[key] = expr
        rows.extend(map(con.__getitem__, keys))
    model._gridopt_rows = rows


def _terms(cols: np.ndarray, vals: np.ndarray, var_data: list[Any]) -> tuple[np.ndarray,
                                                                             list[Any]]:
    """The distinct terms (a, j) of the matrix's entries and, per entry, which one it is."""
    if cols.size == 0:
        return np.zeros(0, np.int64), []
    order = np.lexsort((vals, cols))
    sc, sv = cols[order], vals[order]
    first = np.ones(sc.size, bool)
    first[1:] = (sc[1:] != sc[:-1]) | (sv[1:] != sv[:-1])
    which = np.empty(sc.size, np.int64)
    which[order] = np.cumsum(first) - 1
    terms = [var_data[j] if v == 1.0 else MonomialTermExpression((v, var_data[j]))
             for j, v in zip(sc[first].tolist(), _shared_floats(sv[first]), strict=True)]
    return which, terms


def _relation(args: list[Any], lo: float, hi: float) -> Any:
    """r_lo ≤ body ≤ r_hi as Pyomo's relational expression: ``==`` when r_lo = r_hi, one
    inequality when one side is infinite, a ranged expression otherwise."""
    body = LinearExpression(args)
    if lo == hi:
        return EqualityExpression((body, lo))
    if lo == -INF:
        return InequalityExpression((body, hi), False)
    if hi == INF:
        return InequalityExpression((lo, body), False)
    return RangedExpression((lo, body, hi), (False, False))


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
