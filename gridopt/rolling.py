"""A long horizon (a year of unit commitment) solved as a rolling horizon. See
``models/rolling.md``.

``solve_rolling(case, window_h=48, step_h=24)`` solves windows of W hours that start every H
hours, keeps the first H hours of each window and carries the state at the end of the kept
part into the next window: the state of charge of every store (``soc_initial_pu``), the
units on of every committable generator (``units_on_initial``) and how long they have been in
that state (``hours_in_state_initial``, conservative for clusters of several units: see
:func:`carried_hours`). The kept hours of every window are stitched into one set of tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.validate_commitment import unit_counts
from gridopt.components.carriers import electric_buses
from gridopt.components.commitment import committable
from gridopt.components.storage import energy_capacity
from gridopt.model.arrays import ArrayModel
from gridopt.model.build import build_model
from gridopt.results.results import Results

#: Tables whose elements a rolling horizon handles: the others hold demand response, fleets
#: or targets with state or limits over the whole horizon that are not carried across windows.
ROLLING_TABLES = frozenset({"buses", "lines", "fuels", "generators", "storage", "loads",
                            "reserves"})
#: Snapshots within this of a whole number count as that number (window and step lengths).
_EPS = 1e-9


class RollingError(ValueError):
    """The case cannot be solved as a rolling horizon (the message says why)."""


@dataclass
class Window:
    """One solved window: where it starts, how many snapshots it solved and kept, and the
    solve's outcome (the full :class:`Results` in ``results``)."""

    index: int
    first: int  # position of the window's first snapshot in the case
    snapshots: int
    kept: int
    results: Results
    relaxed_hold: bool = False  # solved again with the relaxed hours in state

    def record(self) -> dict[str, Any]:
        """The window's line of ``summary.json``: status, objective, MIP gap and times."""
        r, sol = self.results, self.results.solution
        out: dict[str, Any] = {
            "window": self.index, "start": str(r.case.snapshots[0]),
            "snapshots": self.snapshots, "kept": self.kept, "status": sol.status,
            "objective": sol.objective, "build_seconds": round(sol.build_seconds, 4),
            "solve_seconds": round(sol.solve_seconds, 4), "relaxed_hold": self.relaxed_hold}
        if sol.mip is not None:
            out.update({"mip_gap": sol.mip.gap, "mip_dual_bound": sol.mip.dual_bound,
                        "fixed_lp_status": sol.mip.fixed_lp_status})
        return out


@dataclass
class RollingResults:
    """The kept hours of every window stitched over the case's horizon.

    Tables are indexed by the case's snapshots like those of :class:`Results`; ``costs`` is
    the annual cost of the stitched schedule (each window's per-snapshot costs of its kept
    hours at the full horizon's weights, the horizon-independent constant costs once);
    ``objective`` its total. ``status`` is ``optimal`` when every window was solved to
    optimality (within its MIP gap), else the first other status.
    """

    case: Case
    window_h: float
    step_h: float
    backend: str
    windows: list[Window] = field(default_factory=list)
    tables_: dict[str, pd.DataFrame] = field(default_factory=dict)
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def status(self) -> str:
        bad = [w.results.status for w in self.windows if w.results.status != "optimal"]
        return bad[0] if bad else "optimal"

    @property
    def ok(self) -> bool:
        return self.status == "optimal" and self.complete

    @property
    def complete(self) -> bool:
        """Whether the windows cover the whole horizon (a window without a solution stops)."""
        return sum(w.kept for w in self.windows) == self.case.n_snapshots

    @property
    def objective(self) -> float:
        return float(self.costs["total"].sum()) if not self.costs.empty else math.nan

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables_", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The stitched tables by file stem (as written by ``gridopt run --rolling``)."""
        return {**self.tables_, "costs": self.costs}

    def summary(self) -> dict[str, Any]:
        """Status, objective, the rolling settings and one record per window."""
        w = self.case.weights
        out: dict[str, Any] = {
            "case": self.case.name, "status": self.status, "complete": self.complete,
            "objective": self.objective, "currency": self.case.currency,
            "backend": self.backend, "n_snapshots": self.case.n_snapshots,
            "rolling": {"window_h": self.window_h, "step_h": self.step_h,
                        "n_windows": len(self.windows)},
            "build_seconds": round(sum(x.results.solution.build_seconds
                                       for x in self.windows), 4),
            "solve_seconds": round(sum(x.results.solution.solve_seconds
                                       for x in self.windows), 4),
            "case_sha256": self.case.digest(),
        }
        gaps = [x.results.solution.mip.gap for x in self.windows
                if x.results.solution.mip is not None and x.results.solution.mip.gap is not None]
        if gaps:
            out["max_mip_gap"] = max(gaps)
        if self.complete:
            kept = self.tables_
            electric = electric_buses(self.case)  # electricity buses only, as Results.summary
            out["demand_mwh"] = float(w @ kept["demand"].to_numpy()[:, electric].sum(axis=1))
            out["load_shed_mwh"] = float(w @ kept["load_shed"].to_numpy()[:, electric]
                                         .sum(axis=1))
            if "commitment" in kept:
                out["min_time_violations"] = min_time_violations(self.case, kept["commitment"])
            ramps = boundary_ramp_excess(self.case, kept["dispatch"], kept.get("commitment"),
                                         [x.first for x in self.windows[1:]])
            if ramps:
                out["boundary_ramp_excess_mw"] = ramps
            if "prices" in kept:
                prices = kept["prices"].to_numpy()[:, electric]
                out["mean_price_per_mwh"] = float(np.nansum(w[:, None] * prices)
                                                  / (w.sum() * prices.shape[1]))
        out["windows"] = [x.record() for x in self.windows]
        return out


def check_rollable(case: Case) -> None:
    """Raise :class:`RollingError` naming why ``case`` cannot be rolled: representative
    periods, investment decisions (extendable generators, storage or lines; they would be
    decided anew in every window), tables whose state or limits span the horizon (demand
    response, fleets, targets, peak response)."""
    why = []
    if case.periods is not None:
        why.append("it is on representative periods (a rolling horizon needs the "
                   "chronological hours; solve the full case)")
    for family in ("generators", "storage", "lines"):
        table = case.table(family)
        if not table.empty and "extendable" in table and table["extendable"].any():
            names = ", ".join(f"'{n}'" for n in table.index[table["extendable"].to_numpy(bool)][:5])
            why.append(f"{family} {names} are extendable: an investment would be decided anew "
                       "in every window; fix the capacities (extendable false, p_nom_mw the "
                       "built capacity, e.g. from a full-horizon or representative-period plan)")
    others = sorted(k for k, t in case.tables.items() if k not in ROLLING_TABLES and not t.empty)
    if others:
        why.append(f"it has {', '.join(others)}: their state or limits over the whole horizon "
                   "(enrolment, events or energy per year, targets) are not carried across "
                   "windows")
    if case.config.get("peak_response") is not None:
        why.append("it declares peak_response (a capability over the horizon's peak hours)")
    if why:
        raise RollingError(f"{case.name} cannot be solved as a rolling horizon: "
                           + "; ".join(why))


def _check_model(model: ArrayModel, snapshots: pd.DatetimeIndex) -> None:
    """Refuse a model with variables or rows not indexed by snapshot (a quantity or a limit
    over the whole window, which a rolling horizon would decide per window)."""
    flat = [name for name, b in {**model.var_blocks, **model.con_blocks}.items()
            if b.size and (not b.coords or not _is_time(b.coords[-1], snapshots))]
    if flat:
        raise RollingError("the model has variables or rows over the whole horizon, not per "
                           f"snapshot: {', '.join(sorted(flat)[:8])}; they would be decided "
                           "anew in every window")


def _is_time(axis: pd.Index, snapshots: pd.DatetimeIndex) -> bool:
    return isinstance(axis, pd.DatetimeIndex) and bool(axis.isin(snapshots).all())


def _snapshot_of_columns(model: ArrayModel, snapshots: pd.DatetimeIndex) -> np.ndarray:
    """The snapshot position of every column (−1 for a column not indexed by snapshot)."""
    out = np.full(model.n_cols, -1, np.int64)
    for block in model.var_blocks.values():
        if block.coords and _is_time(block.coords[-1], snapshots):
            pos = snapshots.get_indexer(block.coords[-1])
            out[block.index().reshape(-1, len(pos))] = pos[None, :]
    return out


def _steps(hours: float, dt: float, what: str) -> int:
    n = hours / dt
    if not np.isfinite(n) or n < 1 - _EPS or abs(n - round(n)) > 1e-6:
        raise ValueError(f"{what} {hours:g} h must be a positive whole number of the case's "
                         f"{dt:g} h snapshots")
    return round(n)


def solve_rolling(case: Case | str | Path | None = None, window_h: float = 48.0,
                  step_h: float = 24.0, backend: str = "highs",
                  **solve_options: Any) -> RollingResults:
    """Solve ``case`` as windows of ``window_h`` hours stepping ``step_h`` hours (keeping the
    first ``step_h`` hours of each; the last window runs to the end of the horizon and keeps
    it all), carrying storage and commitment state across windows.

    ``solve_options`` go to :func:`gridopt.solve` for every window (``mip_rel_gap``,
    ``time_limit`` per window, ``threads``, …). A window that ends without a solution stops
    the roll: the result then has ``complete`` false and the windows solved so far.
    Raises :class:`RollingError` for a case that cannot be rolled (:func:`check_rollable`).
    """
    from gridopt.solve import as_case, solve

    case = as_case(case)
    check_rollable(case)
    n_win = _steps(window_h, case.step_h, "the window")
    n_step = _steps(step_h, case.step_h, "the step")
    if n_step > n_win:
        raise ValueError(f"the step ({step_h:g} h) must not be longer than the window "
                         f"({window_h:g} h): the hours between would not be solved")
    total = case.n_snapshots
    state = _State.of(case)
    out = RollingResults(case, float(window_h), float(step_h), backend)
    kept_tables: dict[str, list[pd.DataFrame]] = {}
    cost_parts: list[pd.DataFrame] = []
    first = 0
    while first < total:
        last = min(first + n_win, total)
        keep = last - first if last == total else n_step
        sliced = _slice(case, first, last)
        window_case = state.apply(sliced)
        if not out.windows:
            _check_model(build_model(window_case), window_case.snapshots)
        r = solve(window_case, backend=backend, **solve_options)
        relaxed = r.solution.x is None and state.relaxable(sliced)
        if relaxed:  # the conservative hours in state may be what makes it infeasible
            r = solve(state.apply(sliced, relaxed=True), backend=backend, **solve_options)
        out.windows.append(Window(len(out.windows), first, last - first, 0, r, relaxed))
        if r.solution.x is None:  # nothing to keep: the roll stops here
            break
        out.windows[-1].kept = keep
        for name, frame in _window_tables(r).items():
            kept_tables.setdefault(name, []).append(_first(frame, r.case.snapshots[:keep]))
        factor = float(case.weights[0] / window_case.weights[0])
        cost_parts.append(_kept_costs(r, keep, factor, constants=first == 0))
        state.advance(r, keep)
        first += keep
    out.tables_ = {name: pd.concat(frames) for name, frames in kept_tables.items()}
    if cost_parts:
        costs = pd.concat(cost_parts)["cost"].groupby(level=[0, 1, 2]).sum()
        table = costs.unstack("kind", fill_value=0.0)
        table.columns.name = None
        table["total"] = table.sum(axis=1)
        out.costs = table
    return out


def _slice(case: Case, first: int, last: int) -> Case:
    """Snapshots first … last − 1 of ``case`` with their series (weights over the window)."""
    return case.replace(snapshots=case.snapshots[first:last],
                        series={k: v.iloc[first:last] for k, v in case.series.items()})


def _first(frame: pd.DataFrame, snapshots: pd.DatetimeIndex) -> pd.DataFrame:
    """The rows of ``frame`` (indexed by snapshot first) at ``snapshots``."""
    return frame[frame.index.get_level_values(0).isin(snapshots)]


def _window_tables(r: Results) -> dict[str, pd.DataFrame]:
    """The per-snapshot tables of one window that are stitched."""
    out = {"dispatch": r.dispatch, "storage_charge": r.storage_charge,
           "storage_discharge": r.storage_discharge, "storage_soc": r.storage_soc,
           "load_shed": r.load_shed, "demand": r.demand}
    if not r.case.table("lines").empty:
        out["line_flow"] = r.line_flow
    out["prices"] = r.prices if r.solution.row_dual is not None else pd.DataFrame(
        np.nan, index=r.case.snapshots, columns=r.case.table("buses").index)  # no duals
    if "commitment.status" in r.model.var_blocks:
        out["commitment"] = r.commitment
    if "reserves.requirement" in r.model.con_blocks:
        out["reserves"] = r.reserves
    return out


def _kept_costs(r: Results, keep: int, factor: float, constants: bool) -> pd.Series:
    """Cost per (component, name, kind) of the window's first ``keep`` snapshots at the full
    horizon's weights (× ``factor``), with the constant (annual) costs when ``constants``."""
    m, x = r.model, r.solution.x
    when = _snapshot_of_columns(m, r.case.snapshots)
    rows = []
    for t in m.cost_terms:
        if not t.cols.size:
            continue
        inside = (when[t.cols] >= 0) & (when[t.cols] < keep)
        values = t.coefs[inside] * x[t.cols[inside]] * factor
        rows.append(pd.DataFrame({"component": t.family, "name": np.asarray(t.elements)[inside],
                                  "kind": t.kind, "cost": values}))
    if constants:
        rows.append(pd.DataFrame([(f, e, k, v) for f, k, e, v in m.constant_costs],
                                 columns=["component", "kind", "name", "cost"]))
    frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["component", "name", "kind", "cost"])
    frame["cost"] = frame["cost"].astype(float)
    return frame.groupby(["component", "name", "kind"])["cost"].sum().to_frame()


@dataclass
class _State:
    """What is carried from one window to the next: each store's state of charge (share of its
    energy capacity) and, per committable generator, the units on and the times of its starts
    and stops (hours before the next window's start; the case's initial state counts as a
    start and a stop ``hours_in_state_initial`` before the horizon)."""

    soc_pu: np.ndarray
    on: np.ndarray
    starts: list[list[float]]
    stops: list[list[float]]
    carried: bool = False

    @classmethod
    def of(cls, case: Case) -> _State:
        gens = case.table("generators")
        c = gens[committable(case)] if not gens.empty else gens
        held = c["hours_in_state_initial"].to_numpy(float) if len(c) else np.zeros(0)
        st = case.table("storage")
        return cls(st["soc_initial_pu"].to_numpy(float) if not st.empty else np.zeros(0),
                   c["units_on_initial"].to_numpy(float) if len(c) else np.zeros(0),
                   [[h] for h in held], [[h] for h in held])

    def apply(self, case: Case, relaxed: bool = False) -> Case:
        """``case`` (a window) with the carried state as its initial state; stores not cyclic.
        ``relaxed``: the hours in state from the oldest binding move (see
        :func:`carried_hours`)."""
        tables = dict(case.tables)
        st = case.table("storage")
        if not st.empty:
            st = st.copy()
            st["cyclic"] = False
            st["soc_initial_pu"] = self.soc_pu
            tables["storage"] = st
        on = committable(case)
        if on.any() and self.carried:
            gens = case.table("generators").copy()
            c = gens.iloc[np.flatnonzero(on)]
            gens.loc[c.index, "units_on_initial"] = self.on
            gens.loc[c.index, "hours_in_state_initial"] = carried_hours(
                c, self.on, self.starts, self.stops, relaxed)
            tables["generators"] = gens
        return case.replace(tables=tables)

    def relaxable(self, case: Case) -> bool:
        """Whether the relaxed hours in state differ from the conservative ones."""
        on = committable(case)
        if not (on.any() and self.carried):
            return False
        c = case.table("generators").iloc[np.flatnonzero(on)]
        return not np.array_equal(carried_hours(c, self.on, self.starts, self.stops),
                                  carried_hours(c, self.on, self.starts, self.stops, True))

    def advance(self, r: Results, keep: int) -> None:
        """The state at the end of the window's first ``keep`` snapshots; start and stop times
        re-expressed as hours before the next window's start."""
        case, dt = r.case, r.case.step_h
        st = case.table("storage")
        if not st.empty:
            cap = energy_capacity(st)
            soc = r.storage_soc.iloc[keep - 1].to_numpy(float)
            self.soc_pu = np.clip(np.divide(soc, cap, out=np.zeros_like(soc), where=cap > 0),
                                  0.0, 1.0)
        if "commitment.status" in r.model.var_blocks:
            names = case.table("generators").index[committable(case)]
            u = np.rint(r.variable("commitment.status")[names].to_numpy()[:keep])
            v = np.rint(r.variable("commitment.startup")[names].to_numpy()[:keep])
            w = np.rint(r.variable("commitment.shutdown")[names].to_numpy()[:keep])
            since = (keep - np.arange(keep)) * dt  # a move at t happens at t's start
            for g in range(len(names)):
                self.starts[g] = [h + keep * dt for h in self.starts[g]] + \
                    since[v[:, g] > 0].tolist()
                self.stops[g] = [h + keep * dt for h in self.stops[g]] + \
                    since[w[:, g] > 0].tolist()
            self.on = u[-1]
        self.carried = True


def carried_hours(gens: pd.DataFrame, on: np.ndarray, starts: list, stops: list,
                  relaxed: bool = False) -> np.ndarray:
    """``hours_in_state_initial`` for the next window, per committable generator.

    The model has one count H⁰ per cluster: the U⁰ units on must stay on for UT − H⁰ more
    hours and the N − U⁰ units off stay off for DT − H⁰. ``starts`` / ``stops`` hold, per
    generator, the hours since each start / stop of any of its units. The binding moves are
    the starts less than UT ago (when units are on) and the stops less than DT ago (when units
    are off). H⁰ is the hours since the most recent binding move, ∞ when none binds. Exact for
    a single unit; for a cluster it is conservative: every unit on is held as long as the one
    started last (every unit off as long as the one stopped last), so the stitched schedule
    keeps every unit's minimum times, but a window may become infeasible where only some of
    the units had to stay. ``relaxed`` (used only to solve such a window again): ∞ for
    clusters of several units, no minimum time carried for them (single units keep their
    exact H⁰); the breaches this allows are counted by :func:`min_time_violations`.
    """
    n = np.rint(unit_counts(gens["p_nom_mw"].to_numpy(float),
                            gens["unit_size_mw"].to_numpy(float)))
    up = np.nan_to_num(gens["min_up_h"].to_numpy(float), nan=0.0, posinf=0.0)
    down = np.nan_to_num(gens["min_down_h"].to_numpy(float), nan=0.0, posinf=0.0)
    held = np.full(len(gens), np.inf)
    for g in range(len(gens)):
        binding = [h for h in (starts[g] if on[g] > 0 else []) if h < up[g]] + \
            [h for h in (stops[g] if on[g] < n[g] else []) if h < down[g]]
        if binding and not (relaxed and n[g] > 1):
            held[g] = min(binding)
    return held


def min_time_violations(case: Case, commitment: pd.DataFrame) -> dict[str, int]:
    """Snapshots where the stitched schedule breaks a minimum up or down time of a unit
    (from the case's initial state), per committable generator."""
    from gridopt.components.commitment import units

    un = units(case)
    out = {}
    for g, name in enumerate(un.names):
        c = commitment.xs(name, level="name")
        u, v, w = (np.rint(c[k].to_numpy()) for k in ("units_on", "starts", "stops"))
        bad = 0
        for t in range(len(u)):
            started = v[max(0, t - un.up[g] + 1): t + 1].sum() + un.on0[g] * (t < un.up_left[g])
            stopped = w[max(0, t - un.down[g] + 1): t + 1].sum() + \
                (un.n[g] - un.on0[g]) * (t < un.down_left[g])
            bad += int(started > u[t] + 1e-6 or stopped > un.n[g] - u[t] + 1e-6)
        out[str(name)] = bad
    return out


def boundary_ramp_excess(case: Case, dispatch: pd.DataFrame, commitment: pd.DataFrame | None,
                         firsts: list[int]) -> dict[str, float]:
    """For every ramp-limited generator, the largest amount (MW) by which the stitched
    schedule breaks its ramp rows from the last kept snapshot of a window to the first of the
    next (snapshot positions ``firsts``), 0 when it does not: the rows of
    :mod:`gridopt.components.generators` (r Δt P̄) and, for committable generators, those of
    :mod:`gridopt.components.commitment` (per committed unit, with start-up and shut-down
    ramps). The windows themselves write no ramp row into their first snapshot."""
    from gridopt.components.commitment import units

    gens = case.table("generators")
    t = np.asarray(firsts, np.int64)
    out: dict[str, float] = {}
    if gens.empty or t.size == 0:
        return out
    p = dispatch[gens.index].to_numpy(float)
    dt = case.step_h
    rise = p[t] - p[t - 1]  # firsts × generators
    on = committable(case)
    for quantity, sign in (("ramp_up", 1.0), ("ramp_down", -1.0)):
        step = gens[f"{quantity}_pu_per_h"].to_numpy(float) * dt
        for g in np.flatnonzero((step < 1.0) & ~on):
            excess = sign * rise[:, g] - step[g] * gens["p_nom_mw"].iloc[g]
            out[str(gens.index[g])] = max(out.get(str(gens.index[g]), 0.0),
                                          float(max(excess.max(), 0.0)))
    if on.any() and commitment is not None and len(commitment):
        un = units(case)
        for k, name in enumerate(un.names):
            c = commitment.xs(name, level="name")
            u, v, w = (np.rint(c[q].to_numpy(float))[t] for q in ("units_on", "starts", "stops"))
            g = un.position[k]
            size = un.size[k]
            worst = 0.0
            up, down = un.ramp_up[k] * dt, un.ramp_down[k] * dt
            if up < 1.0:
                worst = max(worst, float((rise[:, g] - up * size * u
                                          + (up - un.start_ramp[k]) * size * v).max()))
            if down < 1.0:
                worst = max(worst, float((-rise[:, g] - down * size * u + down * size * v
                                          - un.stop_ramp[k] * size * w).max()))
            if up < 1.0 or down < 1.0:
                out[str(name)] = max(worst, 0.0)
    return out


def parse_rolling(text: str) -> tuple[float, float]:
    """``"48:24"`` → (48.0, 24.0): window and step in hours (``gridopt run --rolling``)."""
    parts = str(text).split(":")
    try:
        window, step = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"--rolling {text!r}: give the window and the step in hours as W:H, "
                         "e.g. 48:24") from None
    return window, step


def write_rolling(rolled: RollingResults, out: str | Path, *, protect: Any = ()) -> Path:
    """Write the stitched tables as CSV and ``summary.json`` (with one record per window)
    into ``out``, as :func:`gridopt.results.write.write_results` does for one solve."""
    from gridopt.results.write import write_folder

    summary = rolled.summary()
    return write_folder(out, rolled.tables(), {"summary.json": summary}, protect=protect,
                        note={"case_sha256": summary.get("case_sha256")})
