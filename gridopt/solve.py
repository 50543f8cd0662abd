"""``solve(case) -> Results``: build, solve with the chosen backend, label the outcome."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyomo.environ as pyo

from gridopt.case.case import Case
from gridopt.case.solver_options import check_solver_options, is_highs, split_options
from gridopt.model import progress
from gridopt.model.arrays import ArrayModel
from gridopt.model.build import build_model
from gridopt.model.highs_backend import Solution, solve_highs, write_model
from gridopt.model.mip import price_fixed_lp
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
          pyomo_solver: str = "appsi_highs", solver_log: str | Path | None = None,
          **solver_options: Any) -> Results:
    """Build and solve ``case``; return :class:`Results` whatever the status.

    ``solver_options`` update the case's own ``solver`` options (HiGHS option names, e.g.
    ``solver="ipm"``, ``time_limit=60``, ``mip_rel_gap=0.01``, ``threads=2``), and gridopt's
    switch ``relax_integrality=True``: every integer column solved as continuous. With
    ``backend="pyomo"`` the model is built as a Pyomo ``ConcreteModel`` and solved with
    ``pyomo_solver``; a solver other than HiGHS gets only the ``solver_options`` given here,
    unchecked, since the case's options are HiGHS's.
    Options that read or write files are refused (:mod:`gridopt.case.solver_options`);
    ``solver_log`` is the file HiGHS logs to. Ctrl-C during the HiGHS solve stops it and
    raises ``KeyboardInterrupt``; a time limit returns the best solution found, if any, with
    status ``time_limit``.

    A model with integer columns is solved as a MIP; when it is solved to optimality (within
    ``mip_rel_gap``), the LP with every integer column fixed at its value is solved with the
    same backend and options and gives the duals (prices): :mod:`gridopt.model.mip`.
    """
    case = as_case(case)
    setup = solver_setup(case, backend, pyomo_solver, solver_log, solver_options)
    t0 = time.perf_counter()
    progress.phase("building")
    model = build_model(case)
    if setup.relax:
        model.relax_integrality()
    t_arrays = time.perf_counter() - t0
    solution = run_model(model, setup)
    solution.build_seconds += t_arrays
    log.info("%s: %s in %.2f s build + %.2f s solve", case.name, solution.status,
             solution.build_seconds, solution.solve_seconds)
    return Results(case, model, solution, backend)


@dataclass(frozen=True)
class SolverSetup:
    """How a model is solved: backend, solver, checked options, relaxation, log file."""

    backend: str
    pyomo_solver: str
    options: dict[str, Any]
    relax: bool
    solver_log: str | Path | None


def solver_setup(case: Case, backend: str, pyomo_solver: str,
                 solver_log: str | Path | None, solver_options: dict[str, Any],
                 cases: dict[Any, Case] | None = None) -> SolverSetup:
    """Check the backend, the options (the case's and ``solver_options``) and the log file,
    and that an enforced peak-response target can be reached (in ``case``, or in each of
    ``cases``: the years of a pathway), before anything is built."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    solver = "highs" if backend == "highs" else pyomo_solver
    own, given = split_options(solver_options)
    switches = {**split_options(case.solver_options)[0], **own}
    options = _options_for(case, solver, given)
    check_solver_options(switches, solver)  # a switch that is not true or false
    if solver_log is not None and not is_highs(solver):
        raise ValueError(f"a solver log file is written by HiGHS only, not {solver}")
    for each in (cases or {None: case}).values():
        _check_target(each)
    return SolverSetup(backend, pyomo_solver, options,
                       bool(switches.get("relax_integrality", False)), solver_log)


def run_model(model: ArrayModel, setup: SolverSetup) -> Solution:
    """Solve ``model`` as ``setup`` says; a MIP solved to optimality is priced by the LP with
    its integers fixed (:func:`gridopt.model.mip.price_fixed_lp`)."""
    def run(m: ArrayModel) -> Solution:
        if setup.backend == "highs":
            return solve_highs(m, setup.options, log_file=setup.solver_log)
        log_option = {} if setup.solver_log is None else {"log_file": str(setup.solver_log)}
        return solve_pyomo(m, setup.pyomo_solver, {**setup.options, **log_option})

    solution = run(model)
    if model.is_mip and solution.ok:
        price_fixed_lp(model, solution, run)
    return solution


def _options_for(case: Case, solver: str, given: dict[str, Any]) -> dict[str, Any]:
    """The options ``solver`` gets, checked: the case's (HiGHS) options and ``given`` for
    HiGHS; only ``given`` for any other solver."""
    case_options = split_options(case.solver_options)[1]  # gridopt's switches left out
    if is_highs(solver):
        options = {**case_options, **given}
    else:
        if case_options:
            log.warning("%s: the case's solver options are HiGHS options and are not passed "
                        "to %s: %s", case.name, solver, ", ".join(map(str, case_options)))
        options = dict(given)
    check_solver_options(options, solver)  # before the build; to_highs checks HiGHS's again
    return options


def _check_target(case: Case) -> None:
    """With ``peak_response.enforce``, explain an unreachable target before solving."""
    from gridopt.case.settings import peak_settings

    s = peak_settings(case)
    if s.enforce:
        from gridopt.peak import check_reachable  # its imports cost ~10 ms: only when needed

        check_reachable(case, s.share)


def to_pyomo(case: Case | str | Path | None = None) -> pyo.ConcreteModel:
    """The case's model as a Pyomo ``ConcreteModel`` (one Block per component family)."""
    return to_pyomo_model(build_model(as_case(case)))


def export(case: Case | str | Path | None, path: str | Path) -> Path:
    """Write the case's model to ``path`` as MPS or LP (by suffix) for other solvers."""
    model: ArrayModel = build_model(as_case(case))
    return write_model(model, path)
