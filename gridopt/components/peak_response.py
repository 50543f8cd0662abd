"""The peak-load response target (Luzhou plan T1). See ``models/peak_response.md``.

Peak hours H come from the system demand D_t = Σ_b D_{b,t} (top-k hours, hours above a share of
the peak, or named events), grouped into events of at least L consecutive hours. Each event is
simulated on its calendar day(s) (the *event scope*) with every DR family's own physics, and

- ``peak_response.hold``: R ≤ Σ_{i eligible} r^ev_{i,t}   for every t ∈ H
- ``peak_response.target`` (when enforced): R ≥ s · max_t D_t

so R is the response the enrolled resources can deliver at once and hold through every event.
The dual of ``peak_response.target`` is the marginal cost of one more MW of required response.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.case import Case, CaseError, Problem
from gridopt.case.settings import peak_settings
from gridopt.components._dr import Scope, dr_state
from gridopt.components.demand_response import add_scope
from gridopt.components.network import system_demand
from gridopt.components.vpp import eligible_mask
from gridopt.model.arrays import ArrayModel

FAMILY = "peak_response"


def peak_load(case: Case) -> float:
    """P^peak = max_t D_t, MW."""
    return float(system_demand(case).max())


def target_mw(case: Case, share: float | None = None) -> float:
    """The required response s · P^peak, MW."""
    return (peak_settings(case).share if share is None else share) * peak_load(case)


def peak_hours(case: Case) -> np.ndarray:
    """Positions of the peak hours H (sorted)."""
    s, demand = peak_settings(case), system_demand(case)
    if s.hours == "top_k":
        return np.sort(np.argsort(-demand, kind="stable")[: s.k])
    if s.hours == "threshold":
        return np.flatnonzero(demand >= s.threshold_pu * demand.max())
    if s.hours == "events":
        snaps = case.snapshots
        hits = [np.flatnonzero((snaps >= pd.Timestamp(a)) & (snaps < pd.Timestamp(b)))
                for a, b in s.events]
        return np.unique(np.concatenate(hits)) if hits else np.zeros(0, np.int64)
    raise ValueError(f"peak_response.hours must be top_k, threshold or events, not {s.hours!r}")


def peak_events(case: Case) -> list[np.ndarray]:
    """Runs of consecutive peak hours, each widened to ≥ L hours (Σ Δt_t over its snapshots;
    ⌈L/Δt⌉ snapshots of equal length) towards the higher neighbour. Consecutive means that a
    snapshot starts where the one before it ends: on a case of representative periods an
    event neither joins nor widens into a period that does not follow in the calendar."""
    hours, demand = peak_hours(case), system_demand(case)
    if not demand.size or demand.max() <= 0.0:
        raise CaseError([Problem("load_mw.csv", None, None, "peak-load-zero",
                                 "the system demand is never above 0 MW, so there is no peak "
                                 "load to respond to (peak_response needs a positive load)")])
    if hours.size == 0:
        raise CaseError([Problem("case.yaml", None, "peak_response", "peak-hours-empty",
                                 "no peak hour falls inside the snapshots: check "
                                 "peak_response.events (or hours/threshold_pu)")])
    follows = _follows(case)  # follows[t]: snapshot t is one step after t − 1
    breaks = np.flatnonzero((np.diff(hours) > 1) | ~follows[hours[1:]]) + 1
    runs = np.split(hours, breaks)
    dt = case.durations
    length = min(max(float(peak_settings(case).event_duration_h), float(dt.min())), float(dt.sum()))
    events: list[np.ndarray] = []
    for run in runs:
        lo, hi = int(run[0]), int(run[-1])
        while dt[lo:hi + 1].sum() < length - 1e-9:
            left = demand[lo - 1] if lo > 0 and follows[lo] else -np.inf
            right = demand[hi + 1] if hi + 1 < len(demand) and follows[hi + 1] else -np.inf
            if left == right == -np.inf:
                break  # no neighbour in time: the event stays shorter
            lo, hi = (lo - 1, hi) if left >= right else (lo, hi + 1)
        if events and (lo <= events[-1][-1] or (lo == events[-1][-1] + 1 and follows[lo])):
            lo = int(events.pop()[0])
        events.append(np.arange(lo, hi + 1))
    return events


def _follows(case: Case) -> np.ndarray:
    """True where a snapshot starts where the one before it ends; never at 0. The spacing is
    the median gap between snapshots (Δt; the gaps between representative periods are
    longer), or, on segmented periods, the previous snapshot's length Δt_{t−1}."""
    if case.n_snapshots < 2:
        return np.zeros(case.n_snapshots, bool)
    # the gaps (small) in ns, not the timestamps: a year before 1677 has no ns timestamp
    gaps = np.diff(case.snapshots.to_numpy()).astype("timedelta64[ns]").astype(np.int64)
    if case.periods is None or not case.periods.segmented:
        return np.r_[False, gaps == np.median(gaps)]
    spans = np.round(case.durations[:-1] * 3600e9).astype(np.int64)  # ns
    return np.r_[False, gaps == spans]


#: An event's window runs from 00:00 of its first day for this long past its last day's start,
#: so that energy deferred in an evening peak can be recovered overnight.
WINDOW_AFTER_DAY = pd.Timedelta(hours=36)


def event_scope(case: Case) -> tuple[Scope, np.ndarray]:
    """The event windows as one scope, and the positions within it of the event hours.

    Each event's window runs from 00:00 of its first day to 12:00 of the day after its last
    day; windows that overlap merge into one.
    """
    events, snaps = peak_events(case), case.snapshots
    days = snaps.normalize()
    window_of_hour = np.full(case.n_snapshots, -1)
    for k, ev in enumerate(events):
        inside = (snaps >= days[ev[0]]) & (snaps < days[ev[-1]] + WINDOW_AFTER_DAY)
        for old in np.unique(window_of_hour[inside & (window_of_hour >= 0)]):
            window_of_hour[window_of_hour == old] = k
        window_of_hour[inside] = k
    hours = np.flatnonzero(window_of_hour >= 0)
    window = np.unique(window_of_hour[hours], return_inverse=True)[1]
    scope = Scope("event", hours, window.astype(np.int64), snaps[hours], case.durations[hours])
    if not events:
        return scope, hours[:0]
    return scope, np.flatnonzero(np.isin(hours, np.concatenate(events)))


def add_capability(m: ArrayModel, case: Case, target: float | None) -> None:
    """Add every DR family in the event scope, R and ``peak_response.hold`` (and the target)."""
    scope, at = event_scope(case)
    add_scope(m, case, scope)
    r = m.add_variables(f"{FAMILY}.capability", (pd.Index(["R"], name="name"),)).index()
    entries, constant = [(np.arange(at.size), np.full(at.size, r[0]), 1.0)], np.zeros(at.size)
    for resp in dr_state(m).of(scope.name):
        ok = eligible_mask(case, resp)[:, None]
        for cols, coefs in resp.terms:
            rows = np.broadcast_to(np.arange(at.size), (len(ok), at.size))
            entries.append((rows, np.where(ok, cols[:, at], -1), -coefs[:, at]))
        constant += (resp.constant[:, at] * ok).sum(axis=0)
    m.add_rows(f"{FAMILY}.hold", (scope.labels[at],), entries, "<=", constant)
    if target is not None:
        m.add_constraints(f"{FAMILY}.target", (pd.Index(["R"], name="name"),), [(r, 1.0)],
                          ">=", target)


def add_peak_response(m: ArrayModel, case: Case) -> None:
    """In planning: enforce R ≥ s · P^peak when ``peak_response.enforce`` is set."""
    s = peak_settings(case)
    if s.enforce:
        add_capability(m, case, target_mw(case))
