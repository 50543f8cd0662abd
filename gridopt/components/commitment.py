"""Unit commitment of thermal generators: clustered integer commitment. See
``models/commitment.md``.

A committable generator g is a cluster of N_g identical units of size S_g (MW). For every
snapshot t, with p_{g,t} the generator's output (``generators.dispatch``), a_{g,t} its
availability, su/sd the start-up/shut-down ramps capped at a_{g,t}, K^up/K^down the minimum
up/down times in snapshots and U⁰ the units on before the horizon:

- ``commitment.status`` u_{g,t} ∈ {0 … N} units on; ``commitment.startup`` v ≥ 0 and
  ``commitment.shutdown`` w ≥ 0 units started and stopped (integers)
- ``commitment.transition``: u_t − u_{t−1} − v_t + w_t = 0 (u_{−1} = U⁰)
- ``commitment.min_up``: Σ_{τ ∈ (t−K^up, t]} v_τ − u_t ≤ −U⁰ while the initial units must stay
  on, else 0
- ``commitment.min_down``: Σ_{τ ∈ (t−K^down, t]} w_τ + u_t ≤ U⁰ while the initial off units
  must stay off, else N
- ``commitment.dispatch_lower``: p_t − p^min S u_t ≥ 0 (rows where p^min > 0)
- ``commitment.dispatch_upper``: p_t − a_t S u_t + (a_t − su_t) S v_t + c_t S w_{t+1} ≤ 0
- ``commitment.shutdown_upper`` (K^up = 1 only): p_t − a_t S u_t + (a_t − sd_t) S w_{t+1}
  + (sd_t − su_t)⁺ S v_t ≤ 0
- ``commitment.ramp_up``: p_t − p_{t−1} − r^up Δt S u_t + (r^up Δt − SU) S v_t ≤ 0
- ``commitment.ramp_down``: p_{t−1} − p_t − r^down Δt S u_t + r^down Δt S v_t − SD S w_t ≤ 0
- objective: ``startup`` (C^su + π_f F^su) v, ``shutdown`` C^sd w, ``no_load`` π_f F^nl Δt u,
  each scaled to a year (w_t / Δt per start or stop, w_t per hour)

Flexibility retrofit (灵活性改造), only for generators with ``retrofit_p_min_pu`` p^r < p^min:

- ``commitment.retrofit`` R_g ∈ {0 … R̄} units retrofitted (an investment, R̄ =
  ``retrofit_max_units``, blank N); ``commitment.retrofit_on`` y_{g,t} ∈ {0 … R̄} committed
  retrofitted units
- ``commitment.retrofit_status``: y_t − u_t ≤ 0; ``commitment.retrofit_built``: y_t − R ≤ 0
- ``commitment.dispatch_lower`` becomes p_t − p^min S u_t + (p^min − p^r) S y_t ≥ 0, i.e.
  p_t ≥ p^min S (u_t − y_t) + p^r S y_t
- objective: ``capital`` CRF(r, L^r) C^r S R (C^r = ``retrofit_capex_per_mw`` per MW of
  retrofitted unit capacity, L^r = ``retrofit_lifetime_yr``, blank ``lifetime_yr``)

The generic must-run floor and ramp rows of :mod:`gridopt.components.generators` are not
written for committable generators: p^min and the ramps are per committed unit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.validate_commitment import unit_counts
from gridopt.components._common import annuity
from gridopt.model.arrays import ArrayModel

FAMILY = "commitment"
GENERATORS = "generators"
#: Hours within this of a whole number of snapshots count as that number (min up/down).
_EPS = 1e-9


@dataclass(frozen=True)
class Units:
    """The committable generators' parameters, one entry per member (model units)."""

    names: pd.Index
    position: np.ndarray  # row of each member in the generators table
    n: np.ndarray  # N, units in the cluster
    size: np.ndarray  # S, MW per unit
    p_min: np.ndarray  # minimum stable output, share of S
    up: np.ndarray  # K^up, minimum up time in snapshots (≥ 1)
    down: np.ndarray  # K^down, minimum down time in snapshots (≥ 1)
    up_left: np.ndarray  # snapshots the initial units must stay on
    down_left: np.ndarray  # snapshots the initial off units must stay off
    on0: np.ndarray  # U⁰, units on before the horizon
    start_ramp: np.ndarray  # SU, share of S in the snapshot of a start (≤ 1)
    stop_ramp: np.ndarray  # SD, share of S in the snapshot before a stop (≤ 1)
    ramp_up: np.ndarray  # r^up, share of committed capacity per hour
    ramp_down: np.ndarray
    fuel_price: np.ndarray  # π_f, currency/GJ (0 without a fuel)


@dataclass(frozen=True)
class Retrofits:
    """The committable generators with a flexibility-retrofit option (``retrofit_p_min_pu``
    given), one entry per such generator."""

    member: np.ndarray  # position of each among the committable generators (:class:`Units`)
    names: pd.Index
    p_min: np.ndarray  # p^r, minimum stable output of a retrofitted unit, share of S (< p^min)
    max_units: np.ndarray  # R̄, units that may be retrofitted (blank: N)
    annual_per_unit: np.ndarray  # CRF(r, L^r) C^r S, currency a year per retrofitted unit


def committable(case: Case) -> np.ndarray:
    """Whether each generator of the case is committable (bool, one per generator)."""
    gens = case.table(GENERATORS)
    if gens.empty or "committable" not in gens:
        return np.zeros(len(gens), bool)
    return gens["committable"].to_numpy(bool)


def _unit_size(p_nom: np.ndarray, n: np.ndarray, given: pd.Series) -> np.ndarray:
    """S = P̄ / N; for a generator out of service in the modelled year (P̄ = 0, N = 0, see
    ``build_year``/``retire_year``) its ``unit_size_mw`` (or 0): no unit can be committed."""
    size = given.to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, p_nom / np.where(n > 0, n, 1.0), np.nan_to_num(size))


def units(case: Case) -> Units:
    """The committable generators of ``case`` (equal snapshots: see :func:`refuse_periods`)."""
    gens = case.table(GENERATORS)
    pos = np.flatnonzero(committable(case))
    g = gens.iloc[pos]
    dt = case.step_h
    p_nom = g["p_nom_mw"].to_numpy(float)
    n = np.rint(unit_counts(p_nom, g["unit_size_mw"].to_numpy(float)))
    u0 = g["units_on_initial"].to_numpy(float)
    u0 = np.where(np.isnan(u0), n, np.rint(u0))
    held = g["hours_in_state_initial"].to_numpy(float)
    return Units(
        names=g.index, position=pos, n=n, size=_unit_size(p_nom, n, g["unit_size_mw"]),
        p_min=g["p_min_pu"].to_numpy(float),
        up=_steps(g["min_up_h"].to_numpy(float), dt, 1),
        down=_steps(g["min_down_h"].to_numpy(float), dt, 1),
        up_left=_steps(g["min_up_h"].to_numpy(float) - held, dt, 0),
        down_left=_steps(g["min_down_h"].to_numpy(float) - held, dt, 0),
        on0=u0,
        start_ramp=np.minimum(g["startup_ramp_pu"].to_numpy(float), 1.0),
        stop_ramp=np.minimum(g["shutdown_ramp_pu"].to_numpy(float), 1.0),
        ramp_up=g["ramp_up_pu_per_h"].to_numpy(float),
        ramp_down=g["ramp_down_pu_per_h"].to_numpy(float),
        fuel_price=fuel_column(case, "price_per_gj", pos),
    )


def retrofits(case: Case, un: Units | None = None) -> Retrofits:
    """The retrofit options of the committable generators ``un`` (default: of ``case``)."""
    un = units(case) if un is None else un
    gens = case.table(GENERATORS).iloc[un.position]
    if "retrofit_p_min_pu" in gens:
        member = np.flatnonzero(~np.isnan(gens["retrofit_p_min_pu"].to_numpy(float)))
    else:
        member = np.zeros(0, np.int64)
    g = gens.iloc[member]
    n = un.n[member]
    limit = g["retrofit_max_units"].to_numpy(float) if member.size else np.zeros(0)
    life = g["retrofit_lifetime_yr"].to_numpy(float) if member.size else np.zeros(0)
    life = np.where(np.isnan(life), g["lifetime_yr"].to_numpy(float), life)
    capex = g["retrofit_capex_per_mw"].to_numpy(float) if member.size else np.zeros(0)
    annual = annuity(case.discount_rate, life) * capex * un.size[member] if member.size \
        else np.zeros(0)
    return Retrofits(member=member, names=g.index,
                     p_min=g["retrofit_p_min_pu"].to_numpy(float) if member.size else np.zeros(0),
                     max_units=np.where(np.isnan(limit), n, np.rint(limit)),
                     annual_per_unit=annual)


def _steps(hours: np.ndarray, dt: float, least: int) -> np.ndarray:
    """Snapshots of Δt covering ``hours`` (at least ``least``; inf and NaN count as 0 h)."""
    h = np.where(np.isfinite(hours), hours, 0.0)
    return np.maximum(np.ceil(h / dt - _EPS), least).astype(np.int64)


def fuel_column(case: Case, column: str, positions: np.ndarray | None = None) -> np.ndarray:
    """A column of ``fuels.csv`` (e.g. ``price_per_gj``, ``co2_t_per_gj``) for each generator
    (those at ``positions``, else all) by the fuel it burns; 0 for one without a fuel."""
    fuel = case.table(GENERATORS)["fuel"]
    if positions is not None:
        fuel = fuel.iloc[positions]
    has = (fuel != "").to_numpy()
    out = np.zeros(len(fuel))
    if has.any():
        out[has] = case.table("fuels").loc[fuel[has], column].to_numpy(float)
    return out


def refuse_periods(case: Case) -> None:
    """Refuse representative periods (or segments) for a case with committable generators:
    commitment needs one chronological horizon of equal snapshots (min up/down times and
    start-ups run through it). Called by :func:`gridopt.periods.aggregate` and the build."""
    on = committable(case)
    if on.any():
        names = ", ".join(f"'{n}'" for n in case.table(GENERATORS).index[on][:5])
        raise ValueError(f"unit commitment (committable generators {names}) needs the full "
                         "chronological horizon of equal snapshots: representative periods and "
                         "segments are not supported for committable generators yet; solve "
                         "without --periods, or set committable false")


def add_commitment(m: ArrayModel, case: Case) -> None:
    """Add the commitment variables, rows and costs of every committable generator."""
    if not committable(case).any():
        return
    if case.periods is not None:
        refuse_periods(case)
    un = units(case)
    coords = (un.names, case.snapshots)
    shape = (len(un.names), case.n_snapshots)
    upper = np.broadcast_to(un.n[:, None], shape)
    u = m.add_variables(f"{FAMILY}.status", coords, 0.0, upper, integer=True).index()
    v = m.add_variables(f"{FAMILY}.startup", coords, 0.0, upper, integer=True).index()
    w = m.add_variables(f"{FAMILY}.shutdown", coords, 0.0, upper, integer=True).index()
    p = m.var(f"{GENERATORS}.dispatch")[un.position]
    avail = case.series["availability_pu"][un.names].to_numpy(float).T
    _add_transitions(m, case, un, u, v, w)
    _add_min_times(m, case, un, u, v, w)
    y = _add_retrofits(m, case, un, u)
    _add_output_limits(m, case, un, avail, p, u, v, w, y)
    _add_ramps(m, case, un, p, u, v, w)
    _add_costs(m, case, un, u, v, w)


def _shift(cols: np.ndarray, k: int) -> np.ndarray:
    """Column of snapshot t − k (−1 where t − k < 0; k < 0 looks ahead, −1 past the end)."""
    out = np.full_like(cols, -1)
    if abs(k) >= cols.shape[1]:  # the whole horizon is shorter than the shift
        return out
    if k >= 0:
        out[:, k:] = cols[:, : cols.shape[1] - k]
    else:
        out[:, :k] = cols[:, -k:]
    return out


def _add_transitions(m: ArrayModel, case: Case, un: Units, u: np.ndarray, v: np.ndarray,
                     w: np.ndarray) -> None:
    """u_t − u_{t−1} − v_t + w_t = 0, with u_{−1} = U⁰ moved to the right-hand side."""
    rhs = np.zeros(u.shape)
    rhs[:, 0] = un.on0
    m.add_constraints(f"{FAMILY}.transition", (un.names, case.snapshots),
                      [(u, 1.0), (_shift(u, 1), -1.0), (v, -1.0), (w, 1.0)], "==", rhs)


def _add_min_times(m: ArrayModel, case: Case, un: Units, u: np.ndarray, v: np.ndarray,
                   w: np.ndarray) -> None:
    """Units started in the last K^up snapshots are on; units stopped in the last K^down
    snapshots are off; units on (off) before the horizon count as started (stopped) then,
    while their remaining minimum time lasts."""
    coords = (un.names, case.snapshots)
    local = np.arange(u.size).reshape(u.shape)
    t = np.arange(u.shape[1])[None, :]
    for name, moves, sign, span, left, initial, free in (
            ("min_up", v, -1.0, un.up, un.up_left, un.on0, np.zeros_like(un.n)),
            ("min_down", w, 1.0, un.down, un.down_left, un.n - un.on0, un.n)):
        entries = [(local, u, sign)]
        for k in range(int(span.max())):
            cols = np.where((k < span)[:, None], _shift(moves, k), -1)
            entries.append((local, cols, 1.0))
        rhs = free[:, None] - np.where(t < left[:, None], initial[:, None], 0.0)
        m.add_rows(f"{FAMILY}.{name}", coords, entries, "<=",
                   np.broadcast_to(rhs, u.shape))


def _add_retrofits(m: ArrayModel, case: Case, un: Units, u: np.ndarray) -> np.ndarray:
    """R (``retrofit``), y (``retrofit_on``), y_t ≤ u_t, y_t ≤ R and the annualised capex of R.
    Returns y as a committable × snapshot column array, −1 for generators without an option
    (nothing is added when no generator has one)."""
    y_all = np.full(u.shape, -1, dtype=u.dtype)
    rf = retrofits(case, un)
    if rf.member.size == 0:
        return y_all
    r = m.add_variables(f"{FAMILY}.retrofit", (rf.names,), 0.0, rf.max_units,
                        integer=True).index()
    coords = (rf.names, case.snapshots)
    upper = np.broadcast_to(rf.max_units[:, None], (rf.member.size, case.n_snapshots))
    y = m.add_variables(f"{FAMILY}.retrofit_on", coords, 0.0, upper, integer=True).index()
    m.add_constraints(f"{FAMILY}.retrofit_status", coords, [(y, 1.0), (u[rf.member], -1.0)],
                      "<=", 0.0)
    m.add_constraints(f"{FAMILY}.retrofit_built", coords,
                      [(y, 1.0), (np.broadcast_to(r[:, None], y.shape), -1.0)], "<=", 0.0)
    m.add_cost(FAMILY, "capital", r, rf.annual_per_unit, rf.names.to_numpy(dtype=object))
    y_all[rf.member] = y
    return y_all


def _add_output_limits(m: ArrayModel, case: Case, un: Units, avail: np.ndarray,
                       p: np.ndarray, u: np.ndarray, v: np.ndarray, w: np.ndarray,
                       y: np.ndarray) -> None:
    """p^min S (u_t − y_t) + p^r S y_t ≤ p_t ≤ a_t S u_t, less what units starting at t or
    stopping at t + 1 cannot reach (start-up and shut-down ramps); y_t (committed retrofitted
    units) only for generators with a retrofit option (−1 columns elsewhere)."""
    size = un.size[:, None]
    su = np.minimum(un.start_ramp[:, None], avail)
    sd = np.minimum(un.stop_ramp[:, None], avail)
    next_stop = _shift(w, -1)
    must = un.p_min > 0
    if must.any():
        terms = [(p[must], 1.0), (u[must], -(un.p_min * un.size)[must][:, None])]
        if (y >= 0).any():  # retrofit_p_min_pu < p_min_pu: every option is in ``must``
            rf = retrofits(case, un)
            relief = np.zeros(len(un.names))
            relief[rf.member] = (un.p_min[rf.member] - rf.p_min) * un.size[rf.member]
            terms.append((y[must], relief[must][:, None]))
        m.add_constraints(f"{FAMILY}.dispatch_lower", (un.names[must], case.snapshots),
                          terms, ">=", 0.0)
    single = (un.up == 1)[:, None]  # a unit may start at t and stop at t + 1
    stop_coef = np.where(single, np.maximum(su - sd, 0.0), avail - sd)
    m.add_constraints(f"{FAMILY}.dispatch_upper", (un.names, case.snapshots),
                      [(p, 1.0), (u, -avail * size), (v, (avail - su) * size),
                       (next_stop, stop_coef * size)], "<=", 0.0)
    rows = np.flatnonzero(single[:, 0] & (sd < avail).any(axis=1))
    if rows.size:
        m.add_constraints(f"{FAMILY}.shutdown_upper", (un.names[rows], case.snapshots),
                          [(p[rows], 1.0), (u[rows], -(avail * size)[rows]),
                           (next_stop[rows], ((avail - sd) * size)[rows]),
                           (v[rows], (np.maximum(sd - su, 0.0) * size)[rows])], "<=", 0.0)


def _add_ramps(m: ArrayModel, case: Case, un: Units, p: np.ndarray, u: np.ndarray,
               v: np.ndarray, w: np.ndarray) -> None:
    """Ramps per committed unit from snapshot t − 1 to t (none into the first snapshot):
    units on in both may move r Δt S each, a unit starting rises to at most SU S, a unit
    stopping falls from at most SD S. Rows only for generators whose r Δt < 1."""
    if u.shape[1] < 2:
        return
    later = case.snapshots[1:]
    size = un.size[:, None]
    cur, prev = p[:, 1:], p[:, :-1]
    for name, rate, sign in (("ramp_up", un.ramp_up, 1.0), ("ramp_down", un.ramp_down, -1.0)):
        step = rate * case.step_h
        g = np.flatnonzero(step < 1.0)
        if g.size == 0:
            continue
        s, one = size[g], step[g][:, None]
        if sign > 0:
            terms = [(v[g, 1:], (one - un.start_ramp[g][:, None]) * s)]
        else:
            terms = [(v[g, 1:], one * s), (w[g, 1:], -un.stop_ramp[g][:, None] * s)]
        m.add_constraints(f"{FAMILY}.{name}", (un.names[g], later),
                          [(cur[g], sign), (prev[g], -sign), (u[g, 1:], -one * s), *terms],
                          "<=", 0.0)


def _add_costs(m: ArrayModel, case: Case, un: Units, u: np.ndarray, v: np.ndarray,
               w: np.ndarray) -> None:
    """Start-up cost and fuel per start, shut-down cost per stop (w_t / Δt_t times a year),
    no-load fuel per committed unit-hour (w_t hours a year)."""
    gens = case.table(GENERATORS).iloc[un.position]
    names = un.names.to_numpy(dtype=object)[:, None]
    per_event = (case.weights / case.durations)[None, :]
    per_hour = case.weights[None, :]
    start = gens["startup_cost"].to_numpy(float) + un.fuel_price * \
        gens["startup_fuel_gj"].to_numpy(float)
    m.add_cost(FAMILY, "startup", v, start[:, None] * per_event, names)
    m.add_cost(FAMILY, "shutdown", w, gens["shutdown_cost"].to_numpy(float)[:, None]
               * per_event, names)
    no_load = un.fuel_price * gens["no_load_gj_per_h"].to_numpy(float)
    m.add_cost(FAMILY, "no_load", u, no_load[:, None] * per_hour, names)


def fuel_heat(m: ArrayModel, case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The commitment's annual fuel heat as (columns, GJ per unit of the column, generator
    position in the generators table): start-up fuel F^su w_t / Δt_t per start and no-load
    fuel F^nl w_t per committed unit. Empty arrays without committable generators."""
    if f"{FAMILY}.status" not in m.var_blocks:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
    pos = np.flatnonzero(committable(case))
    gens = case.table(GENERATORS).iloc[pos]
    parts = [(m.var(f"{FAMILY}.startup"), gens["startup_fuel_gj"], case.weights / case.durations),
             (m.var(f"{FAMILY}.status"), gens["no_load_gj_per_h"], case.weights)]
    cols, coefs, where = [], [], []
    for block, gj, per in parts:
        c = gj.to_numpy(float)[:, None] * per[None, :]
        keep = c != 0
        cols.append(block[keep])
        coefs.append(c[keep])
        where.append(np.broadcast_to(pos[:, None], block.shape)[keep])
    return (np.concatenate(cols).astype(np.int64), np.concatenate(coefs),
            np.concatenate(where).astype(np.int64))
