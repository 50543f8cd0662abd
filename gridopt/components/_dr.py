"""Shared pieces of the demand-response families: scopes, enrolment, chronology, responses.

Every DR family writes its physics **once** for a :class:`Scope`:

- the *dispatch* scope: all snapshots, the family's variables take part in the nodal
  balance and the objective (ordinary operation, DR used when cheaper than generation);
- the *event* scope (:mod:`gridopt.components.peak_response`): the calendar days around the
  system's peak events; the same physics, no balance and no operating cost, used to measure
  the response capability R that the enrolled resources can deliver at once and hold.

Enrolled capacity X_i = X̄_i + x^new_i is one variable shared by both scopes, so enforcing
R ≥ target co-optimises enrolment with generation and storage. See
``models/demand_response.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.components._common import bus_positions, extendable_columns
from gridopt.model.arrays import ArrayModel


@dataclass(frozen=True)
class Scope:
    """The snapshots a DR family is written over, cut into chronological windows.

    ``hours`` are positions into ``case.snapshots``; ``window`` gives each its window id;
    ``durations`` the hours Δt_t each lasts (1 h each when not given). Chronology (state of
    charge, backlog) runs inside a window and never across windows.
    """

    name: str
    hours: np.ndarray
    window: np.ndarray
    labels: pd.Index
    durations: np.ndarray | None = None

    @property
    def is_dispatch(self) -> bool:
        return self.name == "dispatch"

    def var(self, family: str, quantity: str) -> str:
        """Block name: ``<family>.<quantity>`` in dispatch, ``<family>.event_<quantity>`` else."""
        return f"{family}.{quantity}" if self.is_dispatch else f"{family}.{self.name}_{quantity}"

    @property
    def n(self) -> int:
        return len(self.hours)

    @property
    def dt(self) -> np.ndarray:
        """Δt_t of each position, hours."""
        return np.ones(self.n) if self.durations is None else np.asarray(self.durations, float)

    def clock(self) -> np.ndarray:
        """Whole seconds from the scope's first snapshot to the start of each position
        (integers, so that a year of sub-hourly snapshots adds up without rounding)."""
        dt = seconds(self.dt)
        return np.cumsum(dt) - dt

    def elapsed(self) -> np.ndarray:
        """Whole seconds from the start of each position's window to the start of it."""
        clock = self.clock()
        first = self.first_of_window()
        return clock - np.maximum.accumulate(np.where(first, clock, 0))

    def window_end(self) -> np.ndarray:
        """Whole seconds from the scope's first snapshot to the end of each position's window."""
        last = np.flatnonzero(self.last_of_window())
        end = (self.clock() + seconds(self.dt))[last]
        return end[np.searchsorted(last, np.arange(self.n))]

    def first_of_window(self) -> np.ndarray:
        """True at the first hour of each window."""
        return np.r_[True, self.window[1:] != self.window[:-1]]

    def last_of_window(self) -> np.ndarray:
        return np.r_[self.window[1:] != self.window[:-1], True]


def seconds(hours: object) -> np.ndarray:
    """Hours as whole seconds (int64): the clock of the hour-based windows and limits."""
    return np.rint(np.asarray(hours, float) * 3600.0).astype(np.int64)


def dispatch_scope(case: Case) -> Scope:
    """All snapshots as one window, or one window per representative period."""
    n = case.n_snapshots
    window = np.zeros(n, dtype=np.int64) if case.periods is None else case.periods.period_of()
    return Scope("dispatch", np.arange(n), window, case.snapshots, case.durations)


def previous(cols: np.ndarray, scope: Scope, cyclic: bool) -> np.ndarray:
    """Column of the previous hour in the same window (E × H); at a window's first hour the
    window's last hour when ``cyclic``, else −1 (no term)."""
    first = scope.first_of_window()
    prev = np.roll(cols, 1, axis=-1)
    if cyclic:
        starts = np.flatnonzero(first)
        ends = np.r_[starts[1:], scope.n] - 1
        prev[..., starts] = cols[..., ends]
    else:
        prev[..., first] = -1
    return prev


def windows_of(scope: Scope, hours: float) -> np.ndarray:
    """Sub-window id per position: each scope window cut into blocks of ``hours`` hours, by
    the hour each snapshot starts (a segment belongs to the block it starts in)."""
    if not np.isfinite(hours) or seconds(hours) <= 0:
        return scope.window
    return scope.window * 100_000 + scope.elapsed() // seconds(hours)


# -- windows of the families that return to neutral within a window (shiftable, buildings) --
def element_windows(case: Case, scope: Scope, window_h: np.ndarray) -> np.ndarray:
    """Window id per element and scope hour (E × H): each scope window cut into blocks of
    ``window_h`` hours (whole snapshots of Δt, at least one); a non-finite ``window_h`` keeps
    the scope's."""
    steps = np.where(np.isfinite(window_h),
                     np.maximum(np.floor(window_h / case.step_h + 1e-9), 1.0), np.inf)
    out = np.empty((len(window_h), scope.n), dtype=np.int64)
    for value in np.unique(steps):
        out[steps == value] = windows_of(scope, float(value) * case.step_h)
    return out


def ahead(scope: Scope, hours: np.ndarray, window: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(element, position, target) triples where a limit of ``hours[i]`` ends before the end
    of the element's window: target is the last snapshot starting at most ``hours[i]`` after
    position t starts (t + ⌊h/Δt⌋ with equal snapshots). Non-finite hours: no limit."""
    n_t = scope.n
    pos = np.arange(n_t)
    end = np.minimum.accumulate(np.where(last_of(window), pos, n_t)[:, ::-1], axis=1)[:, ::-1]
    clock = scope.clock()
    finite = np.isfinite(hours)
    reach = clock[None, :] + seconds(np.where(finite, hours, 0.0))[:, None]
    target = np.searchsorted(clock, reach.ravel(), side="right").reshape(reach.shape) - 1
    ii, tt = np.nonzero(finite[:, None] & (target < end))
    return ii, tt, target[ii, tt]


def first_of(window: np.ndarray) -> np.ndarray:
    """True at the first hour of each window (E × H)."""
    return np.c_[np.ones((len(window), 1), bool), window[:, 1:] != window[:, :-1]]


def last_of(window: np.ndarray) -> np.ndarray:
    """True at the last hour of each window (E × H)."""
    return np.c_[window[:, 1:] != window[:, :-1], np.ones((len(window), 1), bool)]


def previous_in(cols: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Column of the previous hour in the same window; −1 (no term) at a window's first hour."""
    prev = np.roll(cols, 1, axis=1)
    prev[first_of(window)] = -1
    return prev


@dataclass
class Enrolment:
    """Enrolled capacity X_i = X̄_i + x^new_i of one family (columns −1 where not extendable)."""

    existing: np.ndarray
    new_col: np.ndarray

    def terms(self, scale: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(cols, coefs)`` of scale · x^new (to put on the left-hand side)."""
        return [(self.new_col[:, None], -np.asarray(scale, float))]

    def rhs(self, scale: np.ndarray) -> np.ndarray:
        """scale · X̄ (the constant part, on the right-hand side)."""
        return np.asarray(scale, float) * self.existing[:, None]


def add_enrolment(m: ArrayModel, case: Case, family: str) -> Enrolment:
    """Add ``<family>.enrolled_new`` and the enrolment cost C^enr_i · X_i (per MW-year).

    Called by every scope; the variables are added once and shared.
    """
    enrolments = dr_state(m).enrolments
    if family not in enrolments:
        enrolments[family] = _new_enrolment(m, case, family)
    return enrolments[family]


def _new_enrolment(m: ArrayModel, case: Case, family: str) -> Enrolment:
    table = case.table(family)
    existing = table["enrolled_mw"].to_numpy(float)
    ext = table["extendable"].to_numpy(bool)
    new = m.add_variables(f"{family}.enrolled_new", (table.index[ext],), 0.0,
                          table["potential_mw"].to_numpy()[ext] - existing[ext]).index()
    cost = table["enrolment_cost_per_mw_yr"].to_numpy(float)
    names = table.index.to_numpy(dtype=object)
    m.add_cost(family, "enrolment", new, cost[ext], names[ext])
    for name, value in zip(names, cost * existing, strict=True):
        m.add_constant_cost(family, "enrolment", name, value)
    return Enrolment(existing, extendable_columns(len(table), ext, new))


@dataclass
class Response:
    """Load reduction of one family's elements in one scope: Σ_k coef_k · x[cols_k] (E × H).

    A constant baseline part (e.g. an EV fleet's uncontrolled charging) is in ``constant``.
    """

    family: str
    scope: str
    elements: pd.Index
    buses: np.ndarray
    vpp: np.ndarray
    terms: list[tuple[np.ndarray, np.ndarray]]
    constant: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


@dataclass
class DRState:
    """What the DR families of one model share, typed (kept by :meth:`ArrayModel.state`).

    ``enrolments``: family → its :class:`Enrolment`, one set of X^new columns for every scope.
    ``responses``: scope → the :class:`Response` of each family in that scope, in build order.
    ``closed``: the scopes whose families have all been added (:func:`close_scope`); the
    consumers of a scope's responses (VPP limits, the peak-response rows) read them through
    :meth:`of`, which refuses an open scope, so their place after the families is a declared
    dependency, not an accident of order.
    ``vpp_fees``: families whose members' VPP platform fee is priced already (once per model).
    """

    enrolments: dict[str, Enrolment] = field(default_factory=dict)
    responses: dict[str, list[Response]] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)
    vpp_fees: set[str] = field(default_factory=set)

    def add(self, resp: Response) -> None:
        """Record a family's response in its (open) scope."""
        if resp.scope in self.closed:
            raise RuntimeError(f"{resp.family}: scope {resp.scope!r} is closed; every DR "
                               "family must be added before the scope's responses are read")
        self.responses.setdefault(resp.scope, []).append(resp)

    def close(self, scope: str) -> None:
        """Every family of ``scope`` has been added: its responses may now be read."""
        self.closed.add(scope)
        self.responses.setdefault(scope, [])

    def of(self, scope: str) -> list[Response]:
        """The responses of a closed scope (RuntimeError while families may still add)."""
        if scope not in self.closed:
            raise RuntimeError(f"the DR responses of scope {scope!r} are read before every "
                               "DR family has added its own (close the scope first)")
        return self.responses[scope]

    def recorded(self, scope: str) -> list[Response]:
        """The responses of ``scope`` recorded so far ([] when none): for results."""
        return self.responses.get(scope, [])


def dr_state(m: ArrayModel) -> DRState:
    """The model's :class:`DRState`."""
    return m.state(DRState)


def add_dispatch_terms(m: ArrayModel, case: Case, family: str, down: np.ndarray,
                       up: np.ndarray | None = None) -> None:
    """Dispatch scope: activation cost Σ_t w_t C^act_i down_{i,t} and the injections +down
    (and −up, energy taken back) at each element's bus."""
    table = case.table(family)
    names = table.index.to_numpy(dtype=object)[:, None]
    m.add_cost(family, "activation", down,
               case.weights * table["activation_cost_per_mwh"].to_numpy()[:, None], names)
    buses = bus_positions(case.table("buses").index, table["bus"])
    m.add_injection(family, down, buses, 1.0)
    if up is not None:
        m.add_injection(family, up, buses, -1.0)


def register_response(m: ArrayModel, case: Case, family: str, scope: Scope,
                      terms: list[tuple[np.ndarray, object]],
                      constant: np.ndarray | None = None) -> None:
    """Record a family's response (load reduction, MW) for VPP limits, reports and R."""
    table = case.table(family)
    shape = (len(table), scope.n)
    terms = [(np.broadcast_to(c, shape), np.broadcast_to(np.asarray(v, float), shape))
             for c, v in terms]
    vpp = table["vpp"].to_numpy(dtype=object) if "vpp" in table else np.full(len(table), "")
    dr_state(m).add(Response(
        family, scope.name, table.index, bus_positions(case.table("buses").index, table["bus"]),
        vpp, terms, np.zeros(shape) if constant is None else np.broadcast_to(constant, shape)))


def evaluate(resp: Response, x: np.ndarray) -> np.ndarray:
    """The response's value (E × H, MW) at a solution x."""
    out = np.array(resp.constant, dtype=float, copy=True)
    for cols, coefs in resp.terms:
        out += np.where(cols >= 0, coefs * x[np.maximum(cols, 0)], 0.0)
    return out
