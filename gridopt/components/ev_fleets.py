"""EV fleets: orderly (smart) charging and optional vehicle-to-grid. See ``models/ev_fleets.md``.

``load_mw.csv`` already contains every fleet's *uncontrolled* charging; this family re-optimises
the enrolled share. All physics is per MW of enrolled charger power and linear in the enrolled
capacity X_i = X̄_i + x^new_i; the participating power is Y_i = ρ_i X_i. For fleet i and hour t
of a scope, with plugged share a_{i,t}, driving use u_{i,t} (MWh per MW), battery hours h_i,
uncontrolled charging b_{i,t} and its state ê_{i,t} (both per MW, computed from the data):

- ``ev_fleets.charge_upper``: c_{i,t} + v_{i,t} ≤ a_{i,t} Y_i   (v only for V2G fleets)
- ``ev_fleets.soc_balance``: e_{i,t} = e_{i,t−1} + η^c Δt c_{i,t} − Δt/η^d v_{i,t} − u_{i,t} Y_i;
  cyclic over the year (dispatch); from ê_{i,t0−1} Y_i at a window's start (event scope)
- ``ev_fleets.soc_upper``: e_{i,t} ≤ h_i Y_i;  ``ev_fleets.soc_lower``: e_{i,t} ≥ ℓ_{i,t} Y_i,
  ℓ_{i,t} = min(σ_i h_i a_{i,t}, ê_{i,t})
- ``ev_fleets.event_soc_end`` (event scope): e_{i,t1} ≥ ê_{i,t1} Y_i at a window's end
- response (load reduction): r_{i,t} = b_{i,t} Y_i − c_{i,t} + v_{i,t}
- dispatch: ``ev_fleets.baseline_def`` β_{i,t} = b_{i,t} Y_i; injection β − c + v at the bus;
  ``ev_fleets.reduce_lower`` r⁺_{i,t} ≥ β_{i,t} − c_{i,t} + v_{i,t}; cost Σ_t w C^act_i r⁺_{i,t}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridopt.case.case import Case, CaseError, Problem, csv_line
from gridopt.case.series import element_series
from gridopt.components._common import bus_positions
from gridopt.components._dr import Enrolment, Scope, add_enrolment, previous, register_response
from gridopt.model.arrays import ArrayModel

FAMILY = "ev_fleets"
FILE = f"{FAMILY}.csv"
HOURS_PER_DAY = 24.0
#: Relative tolerance of the data checks on the uncontrolled charging.
TOL = 1e-9


@dataclass(frozen=True)
class FleetProfiles:
    """Hourly data of every fleet per MW of participating charger power (E × T arrays).

    Attributes
    ----------
    plugged : np.ndarray
        a_{i,t}, share of the fleet plugged in (p.u.).
    driving : np.ndarray
        u_{i,t}, energy driven in snapshot t (MWh per MW).
    baseline : np.ndarray
        b_{i,t}, uncontrolled charging (MW per MW).
    soc_baseline : np.ndarray
        ê_{i,t}, uncontrolled fleet energy at the end of snapshot t (MWh per MW).
    soc_min : np.ndarray
        ℓ_{i,t} = min(σ_i h_i a_{i,t}, ê_{i,t}) (MWh per MW).
    battery_h : np.ndarray
        h_i = battery_kwh / charger_kw: battery energy per MW of charger power (h), shape (E,).
    """

    plugged: np.ndarray
    driving: np.ndarray
    baseline: np.ndarray
    soc_baseline: np.ndarray
    soc_min: np.ndarray
    battery_h: np.ndarray


def add_ev_fleets(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Add controlled charging c, V2G discharge v and fleet energy e of the fleets in ``scope``."""
    table = case.table(FAMILY)
    if table.empty:
        return
    prof = _profiles(m, case)
    enrol = add_enrolment(m, case, FAMILY)
    rho = table["participation"].to_numpy(float)[:, None]
    h = scope.hours
    coords = (table.index, scope.labels)
    c = m.add_variables(scope.var(FAMILY, "charge"), coords).index()
    v = _discharge_columns(m, table, scope)
    m.add_constraints(scope.var(FAMILY, "charge_upper"), coords,
                      [(c, 1.0), (v, 1.0), *enrol.terms(rho * prof.plugged[:, h])], "<=",
                      enrol.rhs(rho * prof.plugged[:, h]))
    _add_energy(m, case, scope, prof, enrol, c, v)
    baseline = rho * prof.baseline[:, h]
    if scope.is_dispatch:
        _add_dispatch_terms(m, case, enrol, baseline, c, v)
    new = np.broadcast_to(enrol.new_col[:, None], c.shape)
    register_response(m, case, FAMILY, scope,
                      [(c, -1.0), _term(v, 1.0), _term(new, baseline)],
                      baseline * enrol.existing[:, None])


def _term(cols: np.ndarray, coefs: object) -> tuple[np.ndarray, np.ndarray]:
    """A response term without −1 columns (column 0 with coefficient 0 instead), because
    consumers of responses (e.g. VPP activation cost) do not all drop −1 columns."""
    cols, coefs = np.broadcast_arrays(cols, np.asarray(coefs, float))
    return np.maximum(cols, 0), np.where(cols >= 0, coefs, 0.0)


def _discharge_columns(m: ArrayModel, table: pd.DataFrame, scope: Scope) -> np.ndarray:
    """V2G discharge v_{i,t} for fleets with ``v2g``; −1 (no term) for the others (E × H)."""
    v2g = table["v2g"].to_numpy(bool)
    cols = np.full((len(table), scope.n), -1, dtype=np.int64)
    if v2g.any():
        cols[v2g] = m.add_variables(scope.var(FAMILY, "discharge"),
                                    (table.index[v2g], scope.labels)).index()
    return cols


def _add_energy(m: ArrayModel, case: Case, scope: Scope, prof: FleetProfiles,
                enrol: Enrolment, c: np.ndarray, v: np.ndarray) -> None:
    """Fleet energy e: balance, upper and lower bounds, and (event scope) the end state."""
    table = case.table(FAMILY)
    rho = table["participation"].to_numpy(float)[:, None]
    h, dt, coords = scope.hours, scope.dt[None, :], (table.index, scope.labels)
    e = m.add_variables(scope.var(FAMILY, "soc"), coords).index()
    start = np.zeros((len(table), scope.n))  # ê before a window's first hour (event scope)
    if not scope.is_dispatch:
        first = scope.first_of_window()
        before = h[first] - 1  # h − 1 = −1 wraps to the end
        if case.periods is not None:  # a period's start follows its own end (periodic)
            p_first, p_last = case.periods.bounds()
            k = case.periods.period_of()[h[first]]
            before = np.where(h[first] == p_first[k], p_last[k], before)
        start[:, first] = prof.soc_baseline[:, before]
    net_use = rho * (prof.driving[:, h] - start)
    eff_c = table["eff_charge"].to_numpy(float)[:, None]
    eff_d = table["eff_discharge"].to_numpy(float)[:, None]
    m.add_constraints(scope.var(FAMILY, "soc_balance"), coords, [
        (e, 1.0), (previous(e, scope, cyclic=scope.is_dispatch), -1.0), (c, -eff_c * dt),
        (v, dt / eff_d), *enrol.terms(-net_use)], "==", enrol.rhs(-net_use))
    upper = rho * prof.battery_h[:, None]
    m.add_constraints(scope.var(FAMILY, "soc_upper"), coords, [(e, 1.0), *enrol.terms(upper)],
                      "<=", enrol.rhs(upper))
    lower = rho * prof.soc_min[:, h]
    m.add_constraints(scope.var(FAMILY, "soc_lower"), coords, [(e, 1.0), *enrol.terms(lower)],
                      ">=", enrol.rhs(lower))
    if not scope.is_dispatch:
        last = scope.last_of_window()
        end = rho * prof.soc_baseline[:, h[last]]
        m.add_constraints(scope.var(FAMILY, "soc_end"), (table.index, scope.labels[last]),
                          [(e[:, last], 1.0), *enrol.terms(end)], ">=", enrol.rhs(end))


def _add_dispatch_terms(m: ArrayModel, case: Case, enrol: Enrolment, baseline: np.ndarray,
                        c: np.ndarray, v: np.ndarray) -> None:
    """β = b Y (the enrolled part's uncontrolled charging), injection β − c + v, activation."""
    table = case.table(FAMILY)
    coords = (table.index, case.snapshots)
    beta = m.add_variables(f"{FAMILY}.baseline", coords).index()
    m.add_constraints(f"{FAMILY}.baseline_def", coords, [(beta, 1.0), *enrol.terms(baseline)],
                      "==", enrol.rhs(baseline))
    bus = bus_positions(case.table("buses").index, table["bus"])
    m.add_injection(FAMILY, beta, bus, 1.0)
    m.add_injection(FAMILY, c, bus, -1.0)
    v2g = table["v2g"].to_numpy(bool)
    if v2g.any():
        m.add_injection(FAMILY, v[v2g], bus[v2g], 1.0)
    price = table["activation_cost_per_mwh"].to_numpy(float)
    paid = price > 0
    if not paid.any():
        return
    r = m.add_variables(f"{FAMILY}.reduce", (table.index[paid], case.snapshots)).index()
    m.add_constraints(f"{FAMILY}.reduce_lower", (table.index[paid], case.snapshots),
                      [(r, 1.0), (beta[paid], -1.0), (c[paid], 1.0), (v[paid], -1.0)], ">=", 0.0)
    names = table.index.to_numpy(dtype=object)[paid][:, None]
    m.add_cost(FAMILY, "activation", r, case.weights * price[paid][:, None], names)


# -- data: plug-in, driving and the uncontrolled baseline ------------------------------------------
@dataclass
class _ProfileCache:
    """The fleets' profiles of one model (kept by :meth:`ArrayModel.state`)."""

    profiles: FleetProfiles | None = None


def _profiles(m: ArrayModel, case: Case) -> FleetProfiles:
    """The fleets' profiles, computed once per model and shared by the scopes."""
    cache = m.state(_ProfileCache)
    if cache.profiles is None:
        cache.profiles = fleet_profiles(case)
    return cache.profiles


def fleet_profiles(case: Case) -> FleetProfiles:
    """Plug-in share, driving use, uncontrolled charging and its state of charge, per MW.

    Raises :class:`CaseError` when a fleet's data admit no periodic uncontrolled charging
    (see :func:`uncontrolled_charging`) or its potential exceeds its chargers.
    """
    table = case.table(FAMILY)
    problems = check_ev_fleets(case)
    kw = table["charger_kw"].to_numpy(float)
    battery_h = table["battery_kwh"].to_numpy(float) / kw
    plugged = plugged_share(case)
    driving = (table["daily_energy_kwh"].to_numpy(float) / kw)[:, None] * driving_share(case)
    baseline, soc, found = _periodic_charging(case, table, plugged, driving, battery_h,
                                              table["eff_charge"].to_numpy(float))
    problems += found
    if problems:
        raise CaseError(problems)
    sigma = table["min_soc_departure_pu"].to_numpy(float)
    soc_min = np.minimum((sigma * battery_h)[:, None] * plugged, soc)
    return FleetProfiles(plugged, driving, baseline, soc, soc_min, battery_h)


def _periodic_charging(case: Case, table: pd.DataFrame, plugged: np.ndarray, driving: np.ndarray,
                       battery_h: np.ndarray, eff: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """:func:`uncontrolled_charging` over the horizon, or over each representative period on
    its own (periodic within the period, as the fleet energy is in the model)."""
    p, dt = case.periods, case.durations
    if p is None:
        return uncontrolled_charging(table, plugged, driving, battery_h, eff, dt)
    parts = [uncontrolled_charging(table, plugged[:, a:b + 1], driving[:, a:b + 1], battery_h,
                                   eff, dt[a:b + 1]) for a, b in zip(*p.bounds(), strict=True)]
    problems = list({(q.row, q.rule): q for part in parts for q in part[2]}.values())
    return (np.concatenate([part[0] for part in parts], axis=1),
            np.concatenate([part[1] for part in parts], axis=1), problems)


def check_ev_fleets(case: Case) -> list[Problem]:
    """Rows whose ``potential_mw`` exceeds the fleet's chargers, vehicles × charger_kw / 1000."""
    table = case.table(FAMILY)
    chargers = table["vehicles"].to_numpy(float) * table["charger_kw"].to_numpy(float) / 1e3
    potential = table["potential_mw"].to_numpy(float)
    return [Problem(FILE, csv_line(table, k), "potential_mw", "ev-potential-le-chargers",
                    f"EV fleet '{name}' has potential_mw {potential[k]:g} > vehicles × "
                    f"charger_kw / 1000 = {chargers[k]:g}")
            for k, name in enumerate(table.index) if potential[k] > chargers[k] * (1 + TOL)]


def plugged_share(case: Case) -> np.ndarray:
    """a_{i,t} from ``ev_plugged_pu.csv``; 1 (always plugged) for a fleet without a column."""
    return _series(case, "ev_plugged_pu", 1.0)


def driving_share(case: Case) -> np.ndarray:
    """d_{i,t}: share of a day's energy need driven in snapshot t (E × T).

    From ``ev_driving_pu.csv`` as given (a share per original snapshot: a segment of m_t
    snapshots drives m_t times its mean share). A fleet without a column drives while
    unplugged: d ∝ (1 − a) Δt within each calendar day, or in proportion to Δt when always
    plugged; each day's shares sum to (hours of that day in the horizon) / 24, i.e. 1 for a
    whole day.
    """
    dt = case.durations
    given = _series(case, "ev_driving_pu", np.nan) * (dt / case.step_h)[None, :]
    away = (1.0 - plugged_share(case)) * dt[None, :]
    day = pd.factorize(case.snapshots.normalize())[0]
    per_day = np.zeros((away.shape[0], day.max() + 1 if day.size else 0))
    np.add.at(per_day.T, day, away.T)
    hours = np.bincount(day, weights=dt) if day.size else np.zeros(0)
    even = np.broadcast_to(dt / hours[day], away.shape)
    derived = np.where(per_day[:, day] > 0, away / np.where(per_day > 0, per_day, 1.0)[:, day],
                       even)
    derived = derived * (hours[day] / HOURS_PER_DAY)
    return np.where(np.isnan(given), derived, given)


def _series(case: Case, kind: str, default: float) -> np.ndarray:
    """A fleet series as an E × T array, ``default`` for fleets without a column."""
    return element_series(case.series.get(kind), case.table(FAMILY).index, case.n_snapshots,
                          default).T


def uncontrolled_charging(table: pd.DataFrame, plugged: np.ndarray, driving: np.ndarray,
                          battery_h: np.ndarray, eff: np.ndarray, dt: np.ndarray | float
                          ) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Periodic uncontrolled charging b and state ê per MW: plugged chargers run at full power
    until the fleet's energy deficit is refilled (an aggregate of "charge on arrival").

    The deficit D_t = max(0, D_{t−1} + u_t − η Δt a_t) is a Lindley recursion, solved in closed
    form D_t = S_t − min(0, min_{τ≤t} S_τ) with S_t = D_{−1} + Σ_{τ≤t} (u_τ − η Δt a_τ). Starting
    from a full battery (D_{−1} = 0) the end deficit is the periodic start D_{−1} = D_{T−1}
    whenever Σ_t (u_t − η Δt a_t) ≤ 0. Then b_t = (D_{t−1} + u_t − D_t) / (η Δt), ê_t = h − D_t.
    """
    dt = np.broadcast_to(np.asarray(dt, float), plugged.shape[1:])[None, :]  # Δt_t, hours
    step = driving - (eff[:, None] * dt) * plugged

    def deficit(d0: np.ndarray) -> np.ndarray:
        s = d0[:, None] + np.cumsum(step, axis=1)
        return s - np.minimum(np.minimum.accumulate(s, axis=1), 0.0)

    start = deficit(np.zeros(len(table)))[:, -1]
    d = deficit(start)
    before = np.concatenate([start[:, None], d[:, :-1]], axis=1)
    baseline = _clean((before + driving - d) / (eff[:, None] * dt))
    problems = _baseline_problems(table, step.sum(axis=1), driving.sum(axis=1), d, battery_h)
    return baseline, battery_h[:, None] - d, problems


#: Per-MW values below this are the rounding of the cumulative sums above (≈ 1e-14), not data.
_ROUNDING = 1e-9


def _clean(x: np.ndarray) -> np.ndarray:
    """``x`` with |x| < 1e-9 set to exactly 0: the closed form subtracts cumulative sums, so a
    baseline that is zero by construction comes out as ±1e-14, which HiGHS then reads as an
    "excessively small row bound" on ``ev_fleets.baseline_def`` (a non-zero right-hand side that
    presolve cannot treat as 0)."""
    return np.where(np.abs(x) < _ROUNDING, 0.0, x)


def _baseline_problems(table: pd.DataFrame, surplus: np.ndarray, need: np.ndarray,
                       deficit: np.ndarray, battery_h: np.ndarray) -> list[Problem]:
    """Fleets whose need exceeds their charging, or whose deficit exceeds their battery,
    each named by its CSV line."""
    problems = []
    for k, name in enumerate(table.index):
        if surplus[k] > TOL * max(1.0, need[k]):
            problems.append(Problem(
                FILE, csv_line(table, k), "daily_energy_kwh", "ev-need-le-charging",
                f"EV fleet '{name}' drives {need[k]:g} MWh per MW of chargers over the horizon, "
                f"more than its plugged-in chargers can deliver; lower daily_energy_kwh or raise "
                f"ev_plugged_pu"))
        elif deficit[k].max() > battery_h[k] * (1 + TOL):
            problems.append(Problem(
                FILE, csv_line(table, k), "battery_kwh", "ev-battery-covers-driving",
                f"EV fleet '{name}' would run empty: charging on arrival, its energy deficit "
                f"reaches {deficit[k].max():g} h of charger power, more than battery_kwh / "
                f"charger_kw = {battery_h[k]:g} h"))
    return problems


def baseline_mw(case: Case) -> pd.DataFrame:
    """Uncontrolled charging of each whole fleet (MW, T × fleets): what ``load_mw`` must include.

    = b_{i,t} · vehicles · charger_kw / 1000.
    """
    table = case.table(FAMILY)
    if table.empty:
        return pd.DataFrame(index=case.snapshots)
    fleet_mw = table["vehicles"].to_numpy(float) * table["charger_kw"].to_numpy(float) / 1e3
    values = fleet_profiles(case).baseline * fleet_mw[:, None]
    return pd.DataFrame(values.T, index=case.snapshots, columns=table.index)
