"""The fast backend: one sparse matrix handed to ``highspy`` in a single call.

No Python object per variable or row is created: the arrays of the
:class:`~gridopt.model.arrays.ArrayModel` go to ``Highs.passModel`` as they are.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import numpy as np

from gridopt.case.solver_options import check_solver_options
from gridopt.model import progress
from gridopt.model.arrays import ArrayModel

log = logging.getLogger(__name__)

#: Statuses of a solve stopped at a limit: its incumbent (if any) is kept, as a MIP's best.
LIMITS = ("time_limit", "iteration_limit", "solution_limit")

_STATUS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnbounded": "unbounded",
    "kUnboundedOrInfeasible": "infeasible_or_unbounded",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "iteration_limit",
    "kSolutionLimit": "solution_limit",  # a MIP node, leaf or improving-solution limit
    "kInterrupt": "interrupted",
    "kHighsInterrupt": "interrupted",
    "kMemoryLimit": "memory_limit",
    "kModelEmpty": "optimal",
}


@dataclass
class MipInfo:
    """How a MIP solve ended: the solver's bound on the optimum, the relative gap between
    it and the incumbent, the branch-and-bound nodes, and the LP with integers fixed that
    priced the incumbent (``None`` until it is solved; not solved when stopped at a limit)."""

    dual_bound: float | None
    gap: float | None
    node_count: int | None
    fixed_lp_objective: float | None = None
    fixed_lp_status: str | None = None
    fixed_lp_seconds: float = 0.0


@dataclass
class Solution:
    """What a backend returns: status, objective, primal values x and row duals y.

    For a MIP, ``objective`` and ``x`` are the incumbent's, ``mip`` says how far it is from
    the bound, and ``row_dual`` are the duals of the LP with integers fixed (set by
    :func:`gridopt.model.mip.price_fixed_lp`; ``None`` straight from a backend).
    """

    status: str
    objective: float | None
    x: np.ndarray | None
    row_dual: np.ndarray | None
    solver: str
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    mip: MipInfo | None = None

    @property
    def ok(self) -> bool:
        return self.status == "optimal"


def highs_version() -> str:
    """The HiGHS version string, e.g. ``"1.16.0"``."""
    h = highspy.Highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def prepare_threads(options: dict[str, Any] | None) -> None:
    """HiGHS sizes one thread scheduler per process at its first solve and refuses a later
    solve that asks for another ``threads`` value (status not set). When ``threads`` is given,
    restart the scheduler so that each solve gets the threads it asks for."""
    if options and "threads" in options:
        highspy.Highs.resetGlobalScheduler(True)


def to_highs(m: ArrayModel, options: dict[str, Any] | None = None) -> highspy.Highs:
    """Pass the model to a new ``Highs`` instance in one call (CSC matrix).

    Every path to HiGHS goes through here, so the options are checked here (unknown, refused
    values, and any option that reads or writes a file: :mod:`gridopt.case.solver_options`).
    """
    check_solver_options(options or {}, "highs")
    prepare_threads(options)
    a = m.matrix("csc")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in (options or {}).items():
        _set_option(h, key, value)
    status = h.passModel(
        m.n_cols, m.n_rows, a.nnz, 1, 1, m.offset,  # 1: column-wise; 1: minimise
        np.ascontiguousarray(m.cost_vector()), np.ascontiguousarray(m.lower),
        np.ascontiguousarray(m.upper), np.ascontiguousarray(m.row_lower),
        np.ascontiguousarray(m.row_upper), a.indptr.astype(np.int32, copy=False),
        a.indices.astype(np.int32, copy=False), a.data.astype(np.float64, copy=False),
        m.integrality.astype(np.int32),  # 0 continuous, 1 integer (HighsVarType)
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS refused the model (passModel returned an error)")
    return h


def _set_option(h: highspy.Highs, key: str, value: Any) -> None:
    if h.setOptionValue(key, value) == highspy.HighsStatus.kError:
        raise ValueError(f"HiGHS does not accept option {key} = {value!r}")


def solve_highs(m: ArrayModel, options: dict[str, Any] | None = None,
                log_file: str | Path | None = None) -> Solution:
    """Solve with HiGHS; the status is always explicit, values only when a solution exists.

    ``log_file``: where HiGHS writes its log (the CLI's ``--solver-log``; never from a case).
    Ctrl-C stops HiGHS at its next interrupt check (see :func:`run_interruptible`) and raises
    ``KeyboardInterrupt``.
    """
    t0 = time.perf_counter()
    h = to_highs(m, options)
    if log_file is not None:
        _set_option(h, "log_file", str(log_file))
        _set_option(h, "output_flag", True)
        _set_option(h, "log_to_console", False)
    t1 = time.perf_counter()
    run_interruptible(h)
    return solution_of(h, t1 - t0, time.perf_counter() - t1)


def run_interruptible(h: highspy.Highs) -> None:
    """``h.run()`` in a solver thread, so that Ctrl-C reaches Python at once.

    On ``KeyboardInterrupt`` HiGHS is stopped through its interrupt callback (simplex, IPM and
    MIP check it every few iterations), the thread is joined and the interrupt raised again:
    nothing runs on after the user asked to stop. Inside :func:`gridopt.model.progress.reporting`
    the same callbacks also send the solve's progress (:class:`_Watch`).
    """
    stop = threading.Event()
    reporter = progress.current()
    if reporter is None:
        def check(event: Any) -> None:
            if stop.is_set():
                event.interrupt()

        handlers = [(h.cbSimplexInterrupt, check), (h.cbIpmInterrupt, check),
                    (h.cbMipInterrupt, check)]
    else:
        watch = _Watch(reporter, stop)
        handlers = [(h.cbSimplexInterrupt, watch.simplex), (h.cbIpmInterrupt, watch.ipm),
                    (h.cbMipInterrupt, watch.mip)]
        if not (_CALLBACK_NEEDS_CONSOLE and _option(h, "log_file")):
            # highspy 1.13 gives a logging callback the log file's lines too: the user's
            # --solver-log would stay empty, so there the line shows no LP objective
            handlers.append((h.cbLogging, watch.logged))
        quiet = not _option(h, "output_flag")
        if quiet:  # HiGHS's log lines go to the callback only: the objective is in them
            _set_option(h, "output_flag", True)
            _set_option(h, "log_to_console", _CALLBACK_NEEDS_CONSOLE)
        reporter.phase("presolve" if _option(h, "presolve") != "off" else "solving")
    for cb, fn in handlers:
        cb += fn
    thread = threading.Thread(target=_run_and_release, args=(h,), name="highs", daemon=True)
    try:
        thread.start()
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        log.warning("interrupted: stopping HiGHS")
        stop.set()
        while not _joined(thread):
            pass
        highspy.Highs.resetGlobalScheduler(True)
        raise
    finally:
        for cb, fn in handlers:
            cb -= fn
        if reporter is not None and quiet:
            _set_option(h, "output_flag", False)


def _callback_needs_console() -> bool:
    """Whether HiGHS calls the logging callback only with ``log_to_console`` on: highspy 1.13
    does (and then prints nothing itself: the callback takes the console's lines); from 1.14
    the callback is called either way and ``log_to_console`` also prints (measured with
    highspy 1.13.0, 1.14.0 and 1.15.1)."""
    try:
        major, minor = (int(p) for p in highs_version().split(".")[:2])
    except ValueError:
        return False
    return (major, minor) < (1, 14)


_CALLBACK_NEEDS_CONSOLE = _callback_needs_console()


def _option(h: highspy.Highs, name: str) -> Any:
    """An option's value (highspy returns it bare or as ``(status, value)``)."""
    value = h.getOptionValue(name)
    return value[1] if isinstance(value, tuple) else value


class _Watch:
    """HiGHS's callbacks when progress is reported. Each interrupt callback checks the stop
    flag and, at most once per ``reporter.interval`` seconds, sends a
    :class:`progress.Progress`; between two events it costs a clock read and a comparison.

    HiGHS 1.15's LP interrupt callbacks carry the simplex iteration count but no objective
    (``objective_function_value`` is -inf) and no IPM count (-1): those are read from HiGHS's
    own log lines (the logging callback; a few lines a second at most): a simplex line
    ``iteration objective Pr: …``, an IPX line ``iteration primal-objective dual-objective
    …`` and "Running crossover". A MIP callback carries the incumbent, gap and nodes; once
    one is seen, the LP callbacks (its sub-solves) send nothing.
    """

    __slots__ = ("crossover", "in_mip", "ipm_iterations", "next_at", "objective", "reporter",
                 "stop")

    def __init__(self, reporter: progress.Reporter, stop: threading.Event) -> None:
        self.reporter, self.stop = reporter, stop
        self.next_at = 0.0
        self.in_mip = self.crossover = False
        self.objective: float | None = None
        self.ipm_iterations: int | None = None

    def _due(self, event: Any) -> bool:
        """Interrupt if asked; say whether an event is due (and set the next time)."""
        if self.stop.is_set():
            event.interrupt()
            return False
        now = time.monotonic()
        if now < self.next_at:
            return False
        self.next_at = now + self.reporter.interval
        return True

    def simplex(self, event: Any) -> None:
        if self._due(event) and not self.in_mip:
            self._send("simplex", event.data_out.simplex_iteration_count, self.objective)

    def ipm(self, event: Any) -> None:
        if self._due(event) and not self.in_mip:
            if self.crossover:
                self._send("crossover", None, self.objective)
            else:
                self._send("ipm", self.ipm_iterations, self.objective)

    def mip(self, event: Any) -> None:
        self.in_mip = True
        if self._due(event):
            d = event.data_out
            self._send("mip", None, _finite(d.mip_primal_bound), _finite(d.mip_gap),
                       d.mip_node_count)

    def logged(self, event: Any) -> None:
        """Keep the objective (and IPM iteration) of HiGHS's latest iteration log line."""
        text = event.message
        if "crossover" in text:
            self.crossover = True
            return
        line = _SIMPLEX_LINE.match(text)
        if line is not None:
            self.objective = float(line.group(2))
            return
        line = _IPX_LINE.match(text)
        if line is not None:
            self.ipm_iterations, self.objective = int(line.group(1)), float(line.group(2))

    def _send(self, phase: str, iterations: int | None, objective: float | None,
              gap: float | None = None, nodes: int | None = None) -> None:
        try:
            self.reporter.sink(progress.Progress(self.reporter.elapsed(), phase, iterations,
                                                 objective, gap, nodes))
        except Exception:  # a display that fails must not stop the solve: no more events
            log.exception("progress display failed; progress is no longer shown")
            self.next_at = float("inf")


_NUMBER = r"([-+]?\d\.\d+e[-+]\d+)"
#: HiGHS simplex log: ``     13489     3.8736591242e+07 Pr: 2157(67360); Du: 0(5.8e-08) 5.2s``
_SIMPLEX_LINE = re.compile(r"\s*(\d+)\s+" + _NUMBER + r"\s+(?:Pr|Ph1|Du)")
#: IPX log: ``  31    4.01821556e+07   4.01326602e+07   1.90e-11 …`` (``31*`` too)
_IPX_LINE = re.compile(r"\s*(\d+)\*?\s+" + _NUMBER + r"\s+" + _NUMBER + r"\s")


def _run_and_release(h: highspy.Highs) -> None:
    """Run HiGHS, then let its worker threads go (as ``highspy``'s own threaded solve does):
    a process that exits after an interrupt must not find them still joinable."""
    try:
        h.run()
    finally:
        highspy.Highs.resetGlobalScheduler(False)


def _joined(thread: threading.Thread) -> bool:
    """Wait a moment for ``thread``; a further Ctrl-C meanwhile is ignored."""
    with contextlib.suppress(KeyboardInterrupt):
        thread.join(0.1)
    return not thread.is_alive()


def solution_of(h: highspy.Highs, build_seconds: float, solve_seconds: float) -> Solution:
    """The outcome of the last ``h.run()`` as a :class:`Solution` (values only when usable)."""
    status = _STATUS.get(h.getModelStatus().name, h.getModelStatus().name.removeprefix("k"))
    info = h.getInfo()
    sol = h.getSolution()
    has_x = info.primal_solution_status == 2  # feasible primal solution
    has_y = info.dual_solution_status == 2
    keep = status == "optimal" or (has_x and status in LIMITS)
    x = np.asarray(sol.col_value) if keep else None
    y = np.asarray(sol.row_dual) if (has_y and status == "optimal") else None
    objective = h.getObjectiveValue() if x is not None else None
    log.info("HiGHS: %s, objective %s, %.2f s", status, objective, solve_seconds)
    mip = None
    if info.mip_node_count >= 0:  # HiGHS leaves it at -1 after an LP solve
        mip = MipInfo(_finite(info.mip_dual_bound), _finite(info.mip_gap), info.mip_node_count)
    return Solution(status, objective, x, y, f"highs {highs_version()}", build_seconds,
                    solve_seconds,
                    message=h.modelStatusToString(h.getModelStatus()),
                    extra={"iterations": {"simplex": info.simplex_iteration_count,
                                          "ipm": info.ipm_iteration_count}}, mip=mip)


def _finite(value: float) -> float | None:
    """A solver's number, or ``None`` for ±inf / NaN (no bound or no incumbent yet)."""
    return float(value) if np.isfinite(value) else None


def write_model(m: ArrayModel, path: str | Path) -> Path:
    """Write the model as MPS or LP (by the file's suffix) through HiGHS."""
    path = Path(path)
    if path.suffix.lower() not in (".mps", ".lp"):
        raise ValueError(f"unknown model format {path.suffix!r}: use .mps or .lp")
    h = to_highs(m)
    _pass_names(h, m)
    if h.writeModel(str(path)) == highspy.HighsStatus.kError:
        raise OSError(f"HiGHS could not write {path}")
    return path


def _pass_names(h: highspy.Highs, m: ArrayModel) -> None:
    """Give every column and row a readable name, e.g. ``generators.dispatch(gas,2030-01-01T0000)``.

    LP-file names may not contain operators, brackets or colons: those become ``_``. If that
    makes two names equal, HiGHS falls back to generic names ``c0``, ``r0``, … for the file.
    """
    for blocks, pass_name in ((m.var_blocks, h.passColName), (m.con_blocks, h.passRowName)):
        for block in blocks.values():
            for k, label in enumerate(labels_of(block)):
                pass_name(block.start + k, f"{block.name}({label.translate(_LP_UNSAFE)})")


_LP_UNSAFE = str.maketrans({c: "_" for c in "-:[] +*/<>=^"})


def labels_of(block: Any) -> list[str]:
    """Flat, readable labels of a block's entries in storage order (no spaces)."""
    parts = [[label_of(v) for v in coord] for coord in block.coords]
    if not parts:
        return [""]
    grids = np.meshgrid(*[np.asarray(p, dtype=object) for p in parts], indexing="ij")
    flat = [g.ravel() for g in grids]
    return [",".join(items) for items in zip(*flat, strict=True)]


def label_of(v: Any) -> str:
    """A snapshot as ``YYYY-MM-DDTHH:MM``; any other label as its own text, unchanged."""
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%dT%H:%M")
    return str(v)
