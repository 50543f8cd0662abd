"""Representative periods: a full-year case aggregated to K typical periods with ``tsam``.

:func:`aggregate` cuts the case's snapshots into N original periods of L snapshots (days by
default), keeps the periods that hold the peak-response events exactly as they are (weight 1),
clusters the others into K − (kept) typical periods with ``tsam`` and returns a new
:class:`~gridopt.case.case.Case` whose snapshots are the K periods one after the other. Each
period carries its weight n_k (how many original periods it stands for) into the objective
through the snapshot weights w_t (:attr:`Case.weights`); the original order of periods is kept
in ``case.periods.sequence`` so that storage can carry its state of charge across periods
(linked inter-period storage, Kotzur et al., 2018). See ``models/periods.md``.
"""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np
import pandas as pd

from gridopt.case.case import Case, Periods
from gridopt.components.commitment import refuse_periods

METHODS = ("hierarchical", "kmeans", "kmedoids", "kmaxoids", "averaging", "contiguous")
REPRESENTATIONS = ("medoid", "mean", "maxoid", "distribution", "distribution_minmax", "minmax_mean")
SEP = "\x1f"  # joins series name and column in the frame handed to tsam
INSTALL = "pip install 'gridopt[periods]'"


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message says which extra brings it."""


def require_tsam() -> ModuleType:
    """The ``tsam`` module, or :class:`MissingExtraError` naming the extra that installs it."""
    try:
        import tsam
    except ImportError as exc:
        raise MissingExtraError(f"representative periods need tsam, which is not installed: "
                                f"{INSTALL}", name="tsam") from exc
    return tsam


def aggregate(case: Case, periods: int, hours: float = 24.0, method: str = "hierarchical",
              representation: str = "medoid", linked: bool = True,
              keep_peak: bool = True, segments: int | None = None) -> Case:
    """The case on ``periods`` representative periods of ``hours`` hours each.

    Parameters
    ----------
    periods : int
        K, the number of representative periods in all, the kept peak periods included.
    hours : float
        Period length (24: typical days, 168: typical weeks). The horizon must hold a whole
        number of periods.
    method, representation : str
        ``tsam`` clustering method (:data:`METHODS`; ``kmedoids`` solves an exact MILP and
        takes about a minute for a year of days) and how a cluster is represented
        (:data:`REPRESENTATIONS`; ``medoid``: a real period of the year, rescaled so that
        every series keeps its mean).
    linked : bool
        Storage carries its state of charge through the original sequence of periods;
        otherwise every period is cyclic on its own.
    keep_peak : bool
        Keep every period that the peak-response event windows touch (the peak day and the
        morning after), unchanged and with weight 1, so that the peak hours, the peak load and
        the event scope of the 5 % target are those of the full year.
    segments : int, optional
        Segment every typical period into this many snapshots of variable length (tsam's
        segmentation: adjacent hours merged where the series vary least, each segment the mean
        of its hours, Δt_t its length). The kept peak periods stay hourly. ``None`` (or the
        period's number of snapshots) keeps every hour.
    """
    require_tsam()
    refuse_periods(case)
    length = _period_length(case, hours)
    n_orig = case.n_snapshots // length
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}: one of {', '.join(METHODS)}")
    if representation not in REPRESENTATIONS:
        raise ValueError(f"unknown representation {representation!r}: one of "
                         f"{', '.join(REPRESENTATIONS)}")
    segments = _segments(segments, length)
    frame = series_frame(case)
    kept = peak_periods(case, length) if keep_peak else np.zeros(0, np.int64)
    free = np.setdiff1d(np.arange(n_orig), kept)
    n_typical = periods - kept.size
    if n_typical < 1 or periods > n_orig:
        raise ValueError(f"periods must lie between {kept.size + 1} (the {kept.size} kept "
                         f"peak period(s) plus one) and {n_orig}, the number of {hours:g}-hour "
                         f"periods in the horizon; got {periods}")
    values = frame.to_numpy(float).reshape(n_orig, length, -1)
    if n_typical >= free.size and segments is None:  # every period its own: nothing to cluster
        reps = [values[d] for d in free]
        labels, assign, steps = free, np.arange(free.size), [np.ones(length, np.int64)] * free.size
    else:
        reps, labels, assign, steps = _cluster(values[free], free, min(n_typical, free.size),
                                               method, representation, frame.columns, segments)
    return _assemble(case, frame, length, values, kept, reps, labels, assign, steps, linked)


def _segments(segments: int | None, length: int) -> int | None:
    """The number of segments per period, ``None`` when every snapshot is kept."""
    if segments is None:
        return None
    if not 1 <= int(segments) <= length:
        raise ValueError(f"segments must lie between 1 and {length}, the snapshots of a period; "
                         f"got {segments}")
    return None if int(segments) == length else int(segments)


def _period_length(case: Case, hours: float) -> int:
    """L = hours / Δt snapshots; the horizon must hold whole periods."""
    if case.periods is not None:
        raise ValueError("the case is already aggregated")
    length = hours / case.step_h
    if length < 1 or abs(length - round(length)) > 1e-9:
        raise ValueError(f"a period of {hours:g} h is not a whole number of {case.step_h:g}-h "
                         "snapshots")
    length = round(length)
    if case.n_snapshots % length:
        raise ValueError(f"{case.n_snapshots} snapshots are not a whole number of "
                         f"{hours:g}-hour periods: cut the horizon or choose another length")
    return length


def series_frame(case: Case) -> pd.DataFrame:
    """Every time series of the case side by side, columns ``<series><SEP><column>``."""
    parts = []
    for key, frame in case.series.items():
        part = frame.astype(float).copy()
        part.columns = [f"{key}{SEP}{col}" for col in frame.columns]
        parts.append(part)
    if not parts:
        return pd.DataFrame(index=case.snapshots)
    return pd.concat(parts, axis=1)


def peak_periods(case: Case, length: int) -> np.ndarray:
    """Original periods touched by the peak-response event windows (none without load)."""
    from gridopt.components.network import system_demand
    from gridopt.components.peak_response import event_scope

    if case.n_snapshots == 0 or not np.any(system_demand(case) > 0):
        return np.zeros(0, np.int64)
    scope, _ = event_scope(case)
    return np.unique(scope.hours // length)


def _cluster(values: np.ndarray, free: np.ndarray, k: int, method: str, representation: str,
             columns: pd.Index, segments: int | None
             ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, list[np.ndarray]]:
    """tsam on the free periods: representatives (each segments × C), label period,
    assignment and the original snapshots of each segment."""
    tsam = require_tsam()
    from tsam import ClusterConfig, SegmentConfig

    n, length, n_col = values.shape
    # tsam wants a regular datetime index: the free periods get a synthetic, gap-free one
    index = pd.date_range("2001-01-01", periods=n * length, freq="h")
    frame = pd.DataFrame(values.reshape(n * length, n_col), index=index, columns=columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsam.aggregate(frame, n_clusters=k, period_duration=length,
                                temporal_resolution=1.0,
                                cluster=ClusterConfig(method=method,
                                                      representation=representation),
                                segments=None if segments is None else
                                SegmentConfig(n_segments=segments))
    n_seg = length if segments is None else segments
    flat = result.cluster_representatives.to_numpy(float).reshape(-1, n_seg, n_col)
    reps = list(flat)
    if segments is None:
        steps = [np.ones(length, np.int64)] * len(reps)
    else:
        steps = [np.asarray(d, np.int64) for d in result.segment_durations]
    assign = np.asarray(result.cluster_assignments, dtype=np.int64)
    centers = getattr(result.clustering, "cluster_centers", None)
    label = np.empty(len(reps), np.int64)
    for c in range(len(reps)):
        members = np.flatnonzero(assign == c)
        if centers is not None and len(centers) == len(reps):
            label[c] = int(centers[c])
        else:  # the member closest to the representative (expanded to every hour)
            full = np.repeat(flat[c], steps[c], axis=0)
            dist = ((values[members] - full) ** 2).sum(axis=(1, 2))
            label[c] = members[int(np.argmin(dist))]
    return reps, free[label], assign, steps


def _assemble(case: Case, frame: pd.DataFrame, length: int, values: np.ndarray,
              kept: np.ndarray, reps: list[np.ndarray], labels: np.ndarray, assign: np.ndarray,
              steps: list[np.ndarray], linked: bool) -> Case:
    """The aggregated case: periods in the calendar order of the days that label them; a
    segment carries the timestamp of its first hour in the labelling day."""
    count = np.bincount(assign, minlength=len(reps)).astype(float)
    all_reps = list(reps) + [values[d] for d in kept]
    all_steps = list(steps) + [np.ones(length, np.int64)] * kept.size
    all_labels = np.concatenate([labels, kept]).astype(np.int64)
    all_count = np.concatenate([count, np.ones(kept.size)])
    order = np.argsort(all_labels, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    sequence = np.empty(values.shape[0], np.int64)
    sequence[np.setdiff1d(np.arange(values.shape[0]), kept)] = rank[assign]
    sequence[kept] = rank[len(reps) + np.arange(kept.size)]
    day_snaps = case.snapshots.to_numpy().reshape(-1, length)
    snaps = np.concatenate([day_snaps[all_labels[j]][np.cumsum(all_steps[j]) - all_steps[j]]
                            for j in order])
    snapshots = pd.DatetimeIndex(snaps, name=case.snapshots.name)
    data = pd.DataFrame(np.concatenate([all_reps[j] for j in order]), index=snapshots,
                        columns=frame.columns)
    series = {}
    for key, original in case.series.items():
        cols = [f"{key}{SEP}{col}" for col in original.columns]
        part = data[cols].copy()
        part.columns = original.columns
        series[key] = part
    starts = pd.DatetimeIndex(case.snapshots[::length], name="period")
    step = np.concatenate([all_steps[j] for j in order])
    if any(int(np.sum(x)) != length for x in all_steps):
        raise RuntimeError("tsam returned segments that do not add up to the period length")
    periods = Periods(length, all_count[order], sequence, starts, case.n_snapshots, linked,
                      step if np.any(step > 1) else None)
    return case.replace(snapshots=snapshots, series=series, periods=periods)
