"""Benchmark analysis: shifted geometric means, Dolan–Moré performance profiles and the
cross-check of objectives between solvers.

Times are a table ``t`` with one row per instance p and one column per solver s; a failure
(not solved to optimality: time limit, error, timeout, wrong answer) is ``NaN``.

- **Shifted geometric mean** (Mittelmann's convention, shift σ = 10 s), a failure counted at
  the time limit T:  ``sgm_s = exp( (1/n) Σ_p ln(t_ps + σ) ) − σ``, with ``t_ps := T`` when s
  failed on p.
- **Performance profile** (Dolan and Moré, Math. Program. 91, 2002): the ratio
  ``r_ps = t_ps / min_s' t_ps'`` (the best time on p among the solvers that solved it;
  ``r_ps = ∞`` when s failed), and ``ρ_s(τ) = |{p : r_ps ≤ τ}| / n``, the fraction of
  instances s solves within a factor τ of the best.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

SHIFT_S = 10.0
LP_RTOL = 1e-6


def shifted_geometric_mean(times: pd.DataFrame, time_limit: float, shift: float = SHIFT_S
                           ) -> pd.Series:
    """``exp(mean(ln(t + shift))) − shift`` per solver (column); a failure (``NaN``) and
    any time above the limit count as ``time_limit``.

    Example: times 1 s and 100 s, shift 10: exp((ln 11 + ln 110)/2) − 10 = √1210 − 10
    = 24.785 s (the plain geometric mean would be 10 s).
    """
    capped = times.fillna(time_limit).clip(upper=time_limit)
    return np.exp(np.log(capped + shift).mean()) - shift


def performance_ratios(times: pd.DataFrame) -> pd.DataFrame:
    """``r_ps = t_ps / min_s' t_ps'`` (``∞`` for a failure; every solver ``∞`` on an
    instance no solver solved)."""
    best = times.min(axis=1)
    ratios = times.div(best, axis=0)
    return ratios.fillna(math.inf)


def performance_profile(times: pd.DataFrame, taus: np.ndarray | None = None) -> pd.DataFrame:
    """``ρ_s(τ)`` for each solver (columns) at each τ (index): the fraction of instances
    whose ratio is at most τ. Default τ: 1 and every finite ratio that occurs (the profile's
    steps), sorted."""
    ratios = performance_ratios(times)
    if taus is None:
        finite = ratios.to_numpy()[np.isfinite(ratios.to_numpy())]
        taus = np.unique(np.concatenate([[1.0], finite]))
    profile = {s: [(ratios[s] <= tau).mean() for tau in taus] for s in ratios.columns}
    return pd.DataFrame(profile, index=pd.Index(taus, name="tau"))


def agreement(results: pd.DataFrame, mip_gap: float, rtol: float = LP_RTOL) -> pd.Series:
    """For each row of ``results`` (one instance × solver, columns instance, kind, solver,
    status, objective, gap): whether its objective agrees with the other solvers' on that
    instance (``True``/``False``; ``<NA>`` when it has no objective to compare or nothing to
    compare with).

    Two LP optima z_a, z_b agree when |z_a − z_b| ≤ rtol · max(|z_a|, |z_b|, 1). Two MIP
    incumbents (minimising) agree when they lie within their gaps of each other: the optimum
    z* lies in [z − g·|z|, z] for an incumbent z with relative gap g, so the two intervals
    must meet: |z_a − z_b| ≤ g_hi · |z_hi| (+ the LP tolerance), where z_hi is the larger
    incumbent and g_hi its gap (:func:`mip_gaps`).
    A solver's objective agrees if it is close to a strict majority of the objectives on the
    instance (its own counted): with two solvers that differ, both are flagged; with three of
    which two agree, the third is.
    """
    out = pd.Series(pd.NA, index=results.index, dtype="boolean")
    usable = results[results["status"].isin(["optimal", "time_limit"])
                     & results["objective"].notna()]
    for _, group in usable.groupby("instance"):
        if len(group) < 2:
            continue
        z = group["objective"].to_numpy(float)
        g = mip_gaps(group, mip_gap) if group["kind"].iloc[0] == "MIP" else np.zeros(len(z))
        hi = np.maximum.outer(z, z)
        g_hi = np.where(z[:, None] >= z[None, :], g[:, None], g[None, :])
        scale = np.maximum(np.maximum(np.abs(z)[:, None], np.abs(z)[None, :]), 1.0)
        close = np.abs(z[:, None] - z[None, :]) <= g_hi * np.abs(hi) + rtol * scale
        out.loc[group.index] = close.sum(axis=1) > len(z) / 2
    return out


def mip_gaps(group: pd.DataFrame, mip_gap: float) -> np.ndarray:
    """Each run's relative gap as reported; when the solver reports none (GLPK), the gap
    asked (``mip_gap``) for an optimal run and ∞ for a run stopped at its limit (its
    incumbent then bounds the optimum from one side only)."""
    optimal = (group["status"] == "optimal").to_numpy()
    gap = group["gap"].to_numpy(float)
    return np.where(np.isnan(gap), np.where(optimal, mip_gap, np.inf), gap)
