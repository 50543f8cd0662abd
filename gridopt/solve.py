"""``solve(case) -> Results``: build, solve with the chosen backend, label the outcome."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pyomo.environ as pyo

from gridopt.case.case import Case
from gridopt.model.arrays import ArrayModel
from gridopt.model.build import build_model
from gridopt.model.highs_backend import check_options, solve_highs, write_model
from gridopt.model.pyomo_backend import solve_pyomo, to_pyomo_model
from gridopt.results.results import Results

log = logging.getLogger(__name__)

BACKENDS = ("highs", "pyomo")


def as_case(case: Case | str | Path | None) -> Case:
    """A Case as given, or read from a folder; ``None`` means the embedded default case."""
    if isinstance(case, Case):
        return case
    from gridopt.case.io import read_case
    from gridopt.data import default_case_path

    return read_case(default_case_path() if case is None else case)


def solve(case: Case | str | Path | None = None, backend: str = "highs",
          pyomo_solver: str = "appsi_highs", **solver_options: Any) -> Results:
    """Build and solve ``case``; return :class:`Results` whatever the status.

    ``solver_options`` update the case's own ``solver`` options (HiGHS option names, e.g.
    ``solver="ipm"``, ``time_limit=60``). With ``backend="pyomo"`` the model is built as a
    Pyomo ``ConcreteModel`` and solved with ``pyomo_solver``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    case = as_case(case)
    options = {**case.solver_options, **solver_options}
    check_options(options)
    _check_target(case)
    t0 = time.perf_counter()
    model = build_model(case)
    t_arrays = time.perf_counter() - t0
    if backend == "highs":
        solution = solve_highs(model, options)
    else:
        solution = solve_pyomo(model, pyomo_solver, options)
    solution.build_seconds += t_arrays
    log.info("%s: %s in %.2f s build + %.2f s solve", case.name, solution.status,
             solution.build_seconds, solution.solve_seconds)
    return Results(case, model, solution, backend)


def _check_target(case: Case) -> None:
    """With ``peak_response.enforce``, explain an unreachable target before solving."""
    from gridopt.case.settings import peak_settings
    from gridopt.peak import check_reachable

    s = peak_settings(case)
    if s.enforce:
        check_reachable(case, s.share)


def to_pyomo(case: Case | str | Path | None = None) -> pyo.ConcreteModel:
    """The case's model as a Pyomo ``ConcreteModel`` (one Block per component family)."""
    return to_pyomo_model(build_model(as_case(case)))


def export(case: Case | str | Path | None, path: str | Path) -> Path:
    """Write the case's model to ``path`` as MPS or LP (by suffix) for other solvers."""
    model: ArrayModel = build_model(as_case(case))
    return write_model(model, path)
