"""Solver adapters for ``gridopt bench-solvers``: read an MPS file, solve, say what happened.

Every adapter is a :class:`Adapter`: the module it needs, the problem kinds it solves ("LP",
"MIP") and a function ``run(path, kind, options) -> dict`` with the keys of :data:`FIELDS`.
``seconds`` is wall time around the solve call only (reading the file is not timed).
:func:`solve_file` turns the adapter's import failure into "not installed" and a licence
error into "no licence", never into a failure; :func:`run_isolated` runs it in a child
process that is killed at a hard timeout, so that a solver that ignores its time limit (CLP
has none through cylp) cannot hang the benchmark.

Statuses: ``optimal`` (for a MIP: within the relative gap asked), ``time_limit`` (the
solver stopped at its limit, with its incumbent if any), ``infeasible``, ``unbounded``,
``other``, ``error`` (an exception; see ``message``), ``timeout`` (killed at the hard
timeout), ``not installed``, ``no licence``, ``not applicable`` (e.g. PDLP on a MIP).
"""

from __future__ import annotations

import importlib
import math
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIELDS = ("status", "objective", "dual_bound", "gap", "seconds", "iterations", "nodes",
          "message")
NOT_RUN = ("not installed", "no licence", "not applicable")


class LicenceError(RuntimeError):
    """The solver is installed but refuses to run without a licence."""


@dataclass(frozen=True)
class Options:
    """What every run gets: time limit (s), threads and the relative MIP gap."""

    time_limit: float = 60.0
    threads: int = 1
    mip_gap: float = 1e-4


@dataclass(frozen=True)
class Adapter:
    """One solver (and method): its import name, the kinds it solves and its run function."""

    name: str
    module: str
    kinds: frozenset[str]
    run: Callable[[Path, str, Options], dict[str, Any]]


def outcome(status: str, objective: float = math.nan, seconds: float = math.nan,
            dual_bound: float = math.nan, gap: float = math.nan, iterations: float = math.nan,
            nodes: float = math.nan, message: str = "") -> dict[str, Any]:
    """A run's record with every field of :data:`FIELDS`."""
    return {"status": status, "objective": objective, "dual_bound": dual_bound, "gap": gap,
            "seconds": seconds, "iterations": iterations, "nodes": nodes, "message": message}


def relative_gap(objective: float, bound: float) -> float:
    """|z − b| / max(|z|, 1e-10): the gap of incumbent z and dual bound b (HiGHS/Gurobi's)."""
    if math.isnan(objective) or math.isnan(bound) or math.isinf(objective):
        return math.nan
    return abs(objective - bound) / max(abs(objective), 1e-10)


# --- HiGHS -------------------------------------------------------------------------------

def _highs(method: str) -> Callable[[Path, str, Options], dict[str, Any]]:
    def run(path: Path, kind: str, opt: Options) -> dict[str, Any]:
        import highspy

        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.readModel(str(path))
        for key, value in (("solver", method), ("time_limit", float(opt.time_limit)),
                           ("threads", int(opt.threads)), ("mip_rel_gap", float(opt.mip_gap))):
            h.setOptionValue(key, value)
        t0 = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - t0
        info, status = h.getInfo(), h.getModelStatus()
        s = highspy.HighsModelStatus
        name = {s.kOptimal: "optimal", s.kTimeLimit: "time_limit", s.kInfeasible: "infeasible",
                s.kUnbounded: "unbounded"}.get(status, "other")
        has_value = info.primal_solution_status == 2  # kSolutionStatusFeasible
        objective = info.objective_function_value if has_value else math.nan
        iterations = {"simplex": info.simplex_iteration_count, "ipm": info.ipm_iteration_count,
                      "pdlp": info.pdlp_iteration_count}[method]
        if kind == "MIP":
            return outcome(name, objective, seconds, info.mip_dual_bound,
                           relative_gap(objective, info.mip_dual_bound), iterations,
                           info.mip_node_count, h.modelStatusToString(status))
        return outcome(name, objective, seconds, iterations=iterations,
                       message=h.modelStatusToString(status))
    return run


# --- SCIP --------------------------------------------------------------------------------

def _scip(path: Path, kind: str, opt: Options) -> dict[str, Any]:
    import pyscipopt

    m = pyscipopt.Model()
    m.hideOutput()
    m.readProblem(str(path))
    m.setParam("limits/time", float(opt.time_limit))
    m.setParam("limits/gap", float(opt.mip_gap))
    m.setParam("parallel/maxnthreads", int(opt.threads))
    t0 = time.perf_counter()
    m.optimize()
    seconds = time.perf_counter() - t0
    status = m.getStatus()
    name = {"optimal": "optimal", "timelimit": "time_limit", "gaplimit": "optimal",
            "infeasible": "infeasible", "unbounded": "unbounded"}.get(status, "other")
    objective = m.getObjVal() if m.getNSols() > 0 else math.nan
    bound = m.getDualbound() if kind == "MIP" else math.nan
    return outcome(name, objective, seconds, bound, relative_gap(objective, bound),
                   m.getNLPIterations(), m.getNNodes() if kind == "MIP" else math.nan, status)


# --- CLP and CBC (cylp) ------------------------------------------------------------------

def _read_cylp(path: Path) -> Any:
    from cylp.cy import CyClpSimplex

    s = CyClpSimplex()
    s.logLevel = 0
    if s.readMps(str(path)) != 0:
        raise OSError(f"CLP could not read {path}")
    return s


def _clp(path: Path, kind: str, opt: Options) -> dict[str, Any]:
    """CLP's dual simplex. cylp exposes no time limit: the hard timeout stops it."""
    s = _read_cylp(path)
    t0 = time.perf_counter()
    status = s.dual()
    seconds = time.perf_counter() - t0
    name = {"optimal": "optimal", "primal infeasible": "infeasible",
            "dual infeasible": "unbounded"}.get(status, "other")
    objective = s.objectiveValue if name == "optimal" else math.nan  # constant included
    return outcome(name, objective, seconds, iterations=s.iteration, message=status)


def _cbc(path: Path, kind: str, opt: Options) -> dict[str, Any]:
    s = _read_cylp(path)
    cbc = s.getCbcModel()
    cbc.logLevel = 0
    cbc.maximumSeconds = float(opt.time_limit)
    cbc.allowableFractionGap = float(opt.mip_gap)
    cbc.numberThreads = int(opt.threads)
    t0 = time.perf_counter()
    status = cbc.solve()
    seconds = time.perf_counter() - t0
    found = cbc.solutionCount > 0 or cbc.numberHeuristicSolutions > 0
    objective = cbc.objectiveValue if found else math.nan  # the objective's constant included
    bound = cbc.bestPossibleObjValue
    gap = relative_gap(objective, bound)
    name = {"solution": "optimal", "stopped on gap": "optimal"}.get(cbc.status, "other")
    if not found and "infeasible" in cbc.status:
        name = "infeasible"
    if name == "optimal" and not gap <= opt.mip_gap * (1 + 1e-9) and gap > 1e-9:
        name = "time_limit"
    if cbc.status == "stopped on time":
        name = "time_limit"
    return outcome(name, objective, seconds, bound, gap, math.nan, cbc.nodeCount,
                   f"{status}: {cbc.status}")


# --- GLPK (swiglpk) ----------------------------------------------------------------------

def _glpk(method: str) -> Callable[[Path, str, Options], dict[str, Any]]:
    def run(path: Path, kind: str, opt: Options) -> dict[str, Any]:
        import swiglpk as g

        g.glp_term_out(g.GLP_OFF)
        lp = g.glp_create_prob()
        if g.glp_read_mps(lp, g.GLP_MPS_FILE, None, str(path)) != 0:
            raise OSError(f"GLPK could not read {path}")
        _fix_constant(g, lp)
        limit_ms = int(min(opt.time_limit * 1000, 2**31 - 1))
        t0 = time.perf_counter()
        if kind == "MIP":
            return _glpk_mip(g, lp, limit_ms, opt, t0)
        if method == "interior":
            ipcp = g.glp_iptcp()
            g.glp_init_iptcp(ipcp)
            ipcp.msg_lev = g.GLP_MSG_OFF
            g.glp_scale_prob(lp, g.GLP_SF_AUTO)  # unscaled, it stopped unstable on gridopt cases
            code = g.glp_interior(lp, ipcp)
            seconds = time.perf_counter() - t0
            status, objective = g.glp_ipt_status(lp), g.glp_ipt_obj_val(lp)
        else:
            smcp = g.glp_smcp()
            g.glp_init_smcp(smcp)
            smcp.msg_lev, smcp.presolve, smcp.tm_lim = g.GLP_MSG_OFF, g.GLP_ON, limit_ms
            code = g.glp_simplex(lp, smcp)
            seconds = time.perf_counter() - t0
            status, objective = g.glp_get_status(lp), g.glp_get_obj_val(lp)
        name = _glpk_status(g, code, status)
        return outcome(name, objective if name == "optimal" else math.nan, seconds,
                       message=f"return code {code}, status {status}")
    return run


def _fix_constant(g: Any, lp: Any) -> None:
    """GLPK reads the RHS r of the objective row as the objective's constant +r; the MPS
    convention (which HiGHS writes and CLP, SCIP and HiGHS read) is −r. Measured on a gridopt
    case with fixed costs: GLPK's optimum was off by exactly 2r until flipped."""
    g.glp_set_obj_coef(lp, 0, -g.glp_get_obj_coef(lp, 0))


def _glpk_status(g: Any, code: int, status: int) -> str:
    if code == g.GLP_EMIPGAP:
        return "optimal"  # stopped within the relative gap asked
    if code == g.GLP_ETMLIM:
        return "time_limit"
    if code != 0:
        return "other"
    return {g.GLP_OPT: "optimal", g.GLP_NOFEAS: "infeasible",
            g.GLP_UNBND: "unbounded"}.get(status, "other")


def _glpk_mip(g: Any, lp: Any, limit_ms: int, opt: Options, t0: float) -> dict[str, Any]:
    iocp = g.glp_iocp()
    g.glp_init_iocp(iocp)
    iocp.msg_lev, iocp.presolve, iocp.tm_lim = g.GLP_MSG_OFF, g.GLP_ON, limit_ms
    iocp.mip_gap = float(opt.mip_gap)
    code = g.glp_intopt(lp, iocp)
    seconds = time.perf_counter() - t0
    status = g.glp_mip_status(lp)
    found = status in (g.GLP_OPT, g.GLP_FEAS)
    objective = g.glp_mip_obj_val(lp) if found else math.nan
    name = _glpk_status(g, code, status)
    if code == 0 and status == g.GLP_FEAS:
        name = "other"
    return outcome(name, objective, seconds, message=f"return code {code}, status {status}")


# --- Commercial solvers: used when importable and licensed -------------------------------

def _licence(exc: Exception) -> Exception:
    """A :class:`LicenceError` if the solver's error is about its licence, else the error."""
    return LicenceError(str(exc)) if "licen" in str(exc).lower() else exc


def _gurobi(path: Path, kind: str, opt: Options) -> dict[str, Any]:
    import gurobipy as gp

    try:
        env = gp.Env(params={"OutputFlag": 0})
        m = gp.read(str(path), env=env)
    except gp.GurobiError as exc:
        raise _licence(exc) from exc
    m.Params.TimeLimit, m.Params.Threads, m.Params.MIPGap = opt.time_limit, opt.threads, \
        opt.mip_gap
    t0 = time.perf_counter()
    m.optimize()
    seconds = time.perf_counter() - t0
    s = gp.GRB
    name = {s.OPTIMAL: "optimal", s.TIME_LIMIT: "time_limit", s.INFEASIBLE: "infeasible",
            s.UNBOUNDED: "unbounded"}.get(m.Status, "other")
    objective = m.ObjVal if m.SolCount > 0 else math.nan
    if kind == "MIP":
        return outcome(name, objective, seconds, m.ObjBound, relative_gap(objective, m.ObjBound),
                       m.IterCount, m.NodeCount, f"status {m.Status}")
    return outcome(name, objective, seconds, iterations=m.IterCount, message=f"status {m.Status}")


def _cplex(path: Path, kind: str, opt: Options) -> dict[str, Any]:
    import cplex

    c = cplex.Cplex()
    for stream in (c.set_log_stream, c.set_results_stream, c.set_warning_stream):
        stream(None)
    c.read(str(path))
    c.parameters.timelimit.set(opt.time_limit)
    c.parameters.threads.set(opt.threads)
    c.parameters.mip.tolerances.mipgap.set(opt.mip_gap)
    t0 = time.perf_counter()
    try:
        c.solve()
    except cplex.exceptions.CplexError as exc:
        raise _licence(exc) from exc
    seconds = time.perf_counter() - t0
    text = c.solution.get_status_string()
    name = ("optimal" if "optimal" in text else "time_limit" if "time limit" in text
            else "infeasible" if "infeasible" in text else "other")
    try:
        objective = c.solution.get_objective_value()
    except cplex.exceptions.CplexError:
        objective = math.nan
    if kind == "MIP":
        bound = c.solution.MIP.get_best_objective()
        return outcome(name, objective, seconds, bound, relative_gap(objective, bound),
                       nodes=c.solution.progress.get_num_nodes_processed(), message=text)
    return outcome(name, objective, seconds,
                   iterations=c.solution.progress.get_num_iterations(), message=text)


def _xpress(path: Path, kind: str, opt: Options) -> dict[str, Any]:
    import xpress

    try:
        p = xpress.problem()
    except Exception as exc:  # xpress raises its own error types for licensing
        raise _licence(exc) from exc
    p.setControl({"outputlog": 0, "threads": opt.threads, "miprelstop": opt.mip_gap,
                  "timelimit": opt.time_limit})
    p.read(str(path))
    t0 = time.perf_counter()
    p.optimize()
    seconds = time.perf_counter() - t0
    text = str(p.attributes.solstatus)
    name = "optimal" if text.endswith("OPTIMAL") else "other"
    objective = p.attributes.objval
    if kind == "MIP":
        bound = p.attributes.bestbound
        return outcome(name, objective, seconds, bound, relative_gap(objective, bound),
                       nodes=p.attributes.nodes, message=text)
    return outcome(name, objective, seconds, message=text)


LP, MIP = frozenset({"LP"}), frozenset({"LP", "MIP"})
ADAPTERS: dict[str, Adapter] = {a.name: a for a in (
    Adapter("highs-simplex", "highspy", MIP, _highs("simplex")),
    Adapter("highs-ipm", "highspy", LP, _highs("ipm")),
    Adapter("highs-pdlp", "highspy", LP, _highs("pdlp")),
    Adapter("scip", "pyscipopt", MIP, _scip),
    Adapter("clp", "cylp", LP, _clp),
    Adapter("cbc", "cylp", frozenset({"MIP"}), _cbc),
    Adapter("glpk-simplex", "swiglpk", MIP, _glpk("simplex")),
    Adapter("glpk-interior", "swiglpk", LP, _glpk("interior")),
    Adapter("gurobi", "gurobipy", MIP, _gurobi),
    Adapter("cplex", "cplex", MIP, _cplex),
    Adapter("xpress", "xpress", MIP, _xpress),
)}
"""Every solver gridopt knows. HiGHS's MIP solver (branch and cut on the dual simplex) is
listed as ``highs-simplex``; GLPK's MIP (``glp_intopt``) as ``glpk-simplex``."""


def solve_file(adapter: Adapter, path: str | Path, kind: str, options: Options
               ) -> dict[str, Any]:
    """Run ``adapter`` on the MPS ``path`` in this process; never raises."""
    if kind not in adapter.kinds:
        return outcome("not applicable", message=f"{adapter.name} does not solve a {kind}")
    try:
        importlib.import_module(adapter.module)
    except ImportError as exc:
        return outcome("not installed", message=f"{adapter.module}: {exc}")
    try:
        return adapter.run(Path(path), kind, options)
    except LicenceError as exc:
        return outcome("no licence", message=str(exc))
    except Exception as exc:
        return outcome("error", message=f"{type(exc).__name__}: {exc}")


def hard_timeout(options: Options) -> float:
    """Seconds after which a run is killed: 1.5 × the time limit + 30 s (start and read)."""
    return 1.5 * options.time_limit + 30.0


CHILD = ("import pickle, sys; run, args = pickle.loads(sys.stdin.buffer.read()); "
         "record = run(*args); open(sys.argv[1], 'wb').write(pickle.dumps(record))")
"""The child's program: unpickle a function and its arguments, run, pickle the record."""


def payload(adapter: Adapter, path: str | Path, kind: str, options: Options) -> bytes:
    """The child's input: :func:`solve_file` and its arguments, pickled by ``cloudpickle``
    with this module by value (the child imports neither gridopt nor Pyomo, a second or two
    at every start). An adapter defined in a script or a test travels by value too once its
    module is registered (``cloudpickle.register_pickle_by_value``) in the process that
    makes the payload: make it where that is known (the Dask client), not on a worker."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    return cloudpickle.dumps((solve_file, (adapter, str(path), kind, options)))


def run_isolated(adapter: Adapter, path: str | Path, kind: str, options: Options,
                 timeout: float | None = None) -> dict[str, Any]:
    """:func:`solve_file` in a child Python process, killed after ``timeout`` seconds
    (:func:`hard_timeout` by default); a killed run has status ``timeout``."""
    timeout = hard_timeout(options) if timeout is None else timeout
    return run_payload(payload(adapter, path, kind, options), timeout, options.threads)


def run_payload(data: bytes, timeout: float, threads: int = 1) -> dict[str, Any]:
    """Run a :func:`payload` in a child process (``-P``: no current directory on its path;
    ``OMP_NUM_THREADS`` = ``threads``), killed after ``timeout`` seconds (status
    ``timeout``); the child writes its record, pickled, to a temporary file."""
    with tempfile.TemporaryDirectory(prefix="gridopt-bench-") as tmp:
        out = Path(tmp) / "result.pickle"
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
        try:
            done = subprocess.run([sys.executable, "-P", "-c", CHILD, str(out)], input=data,
                                  capture_output=True, timeout=timeout, check=False, env=env)
        except subprocess.TimeoutExpired:
            return outcome("timeout", message=f"killed after {timeout:g} s")
        if not out.is_file():
            tail = done.stderr.decode(errors="replace")[-400:]
            return outcome("error", message=f"exit code {done.returncode}: {tail}")
        return pickle.loads(out.read_bytes())
