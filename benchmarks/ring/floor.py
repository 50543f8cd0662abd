"""The floor: the ring LP assembled directly with numpy/scipy and passed to ``highspy``.

Written independently of gridopt (only :mod:`benchmarks.ring.problem` is shared): every
column block and row block of the formulation in :mod:`~benchmarks.ring.problem` is laid out by
hand, the triplets go through one ``scipy.sparse`` COO → CSC conversion and the arrays are
handed to HiGHS in one ``passModel`` call. No labels, no checks, 32-bit indices from the
start and no copies at the hand-over: the least work any tool can do to reach the same call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from benchmarks.ring.problem import (
    BATTERY_CAPEX,
    CAPEX,
    DURATION,
    EFF,
    GAS_MC,
    LINE_CAP,
    TECHS,
    UC_SOLAR_MW,
    UC_UNITS,
    UC_WIND_MW,
    VOLL,
    RingData,
)


def _ids(start: int, shape: tuple[int, ...]) -> np.ndarray:
    """Consecutive int32 positions (HiGHS indexes with 32-bit integers) shaped ``shape``."""
    return np.arange(start, start + int(np.prod(shape)), dtype=np.int32).reshape(shape)


@dataclass
class _Cols:
    """Column allocator: blocks of consecutive columns with bounds and costs."""

    n: int = 0
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    cost: list[np.ndarray] = field(default_factory=list)

    def add(self, shape: tuple[int, ...], lower: Any = 0.0, upper: Any = np.inf,
            cost: Any = 0.0) -> np.ndarray:
        ids = _ids(self.n, shape)
        for out, value in ((self.lower, lower), (self.upper, upper), (self.cost, cost)):
            out.append(np.broadcast_to(np.asarray(value, float), shape).ravel())
        self.n += ids.size
        return ids


@dataclass
class _Rows:
    """Row allocator and (row, col, value) triplets."""

    n: int = 0
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    triplets: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)

    def add(self, shape: tuple[int, ...], lower: Any, upper: Any) -> np.ndarray:
        ids = _ids(self.n, shape)
        self.lower.append(np.broadcast_to(np.asarray(lower, float), shape).ravel())
        self.upper.append(np.broadcast_to(np.asarray(upper, float), shape).ravel())
        self.n += ids.size
        return ids

    def put(self, rows: np.ndarray, cols: np.ndarray, value: Any) -> None:
        r, c, v = np.broadcast_arrays(rows, cols, np.asarray(value, float))
        keep = v != 0.0  # availability 0 (solar at night): no entry
        if keep.all():
            self.triplets.append((r.ravel(), c.ravel(), v.ravel()))
        else:
            self.triplets.append((r[keep], c[keep], v[keep]))


@dataclass
class Lp:
    """min cᵀx s.t. row_lower ≤ A x ≤ row_upper, lower ≤ x ≤ upper; ``cols`` names blocks."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: sp.csc_array
    cols: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]
    integrality: np.ndarray | None = None  # 1 = integer (the commitment variant); None: LP


def assemble(d: RingData) -> Lp:
    """Lay out the ring LP (see :mod:`benchmarks.ring.problem`) as arrays."""
    n, t, w = d.n_buses, d.hours, d.weight
    c = _Cols()
    x = {
        "shed": c.add((n, t), 0.0, d.load.T, w * VOLL),
        "flow": c.add((len(d.bus0), t), -LINE_CAP, LINE_CAP),
        "gen": c.add((3, n, t), cost=np.array([0.0, 0.0, w * GAS_MC])[:, None, None]),
        "cap": c.add((3, n), cost=np.array([CAPEX[k] for k in TECHS])[:, None]),
        "charge": c.add((n, t)),
        "discharge": c.add((n, t)),
        "soc": c.add((n, t)),
        "p_new": c.add((n,), cost=BATTERY_CAPEX),
        "e_new": c.add((n,)),
    }
    r = _Rows()
    rows = {"balance": _balance(r, x, d), "gen_upper": _gen_upper(r, x, d)}
    rows.update(_battery(r, x, n, t))
    return Lp(np.concatenate(c.cost), np.concatenate(c.lower), np.concatenate(c.upper),
              np.concatenate(r.lower), np.concatenate(r.upper), _csc(r, c.n), x, rows)


def _balance(r: _Rows, x: dict[str, np.ndarray], d: RingData) -> np.ndarray:
    rows = r.add((d.n_buses, d.hours), d.load.T, d.load.T)
    r.put(rows[None], x["gen"], 1.0)
    r.put(rows, x["shed"], 1.0)
    r.put(rows, x["discharge"], 1.0)
    r.put(rows, x["charge"], -1.0)
    r.put(rows[d.bus1], x["flow"], 1.0)
    r.put(rows[d.bus0], x["flow"], -1.0)
    return rows


def _gen_upper(r: _Rows, x: dict[str, np.ndarray], d: RingData) -> np.ndarray:
    avail = np.stack([d.availability(k).T for k in TECHS])  # 3 × N × T
    rows = r.add(avail.shape, -np.inf, 0.0)
    r.put(rows, x["gen"], 1.0)
    r.put(rows, x["cap"][:, :, None], -avail)
    return rows


def _battery(r: _Rows, x: dict[str, np.ndarray], n: int, t: int) -> dict[str, np.ndarray]:
    soc, p_new = x["soc"], x["p_new"][:, None]
    out = {"soc_balance": r.add((n, t), 0.0, 0.0)}
    r.put(out["soc_balance"], soc, 1.0)
    r.put(out["soc_balance"], np.roll(soc, 1, axis=1), -1.0)
    r.put(out["soc_balance"], x["charge"], -EFF)
    r.put(out["soc_balance"], x["discharge"], 1.0 / EFF)
    for name, var, cap in (("charge_upper", "charge", p_new), ("discharge_upper", "discharge",
                                                                p_new),
                           ("soc_upper", "soc", x["e_new"][:, None])):
        out[name] = r.add((n, t), -np.inf, 0.0)
        r.put(out[name], x[var], 1.0)
        r.put(out[name], cap, -1.0)
    out["duration"] = r.add((n,), 0.0, 0.0)
    r.put(out["duration"], x["e_new"], 1.0)
    r.put(out["duration"], x["p_new"], -DURATION)
    return out


def _csc(r: _Rows, n_cols: int) -> sp.csc_array:
    rows, cols, vals = (np.concatenate(parts) for parts in zip(*r.triplets, strict=True))
    return sp.csc_array((vals, (rows, cols)), shape=(r.n, n_cols))


def to_highs(lp: Lp, options: dict[str, Any]) -> highspy.Highs:
    """Hand the LP to a new ``Highs`` in one ``passModel`` call."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    a = lp.matrix
    h.passModel(a.shape[1], a.shape[0], a.nnz, 1, 1, 0.0, lp.cost, lp.lower, lp.upper,
                lp.row_lower, lp.row_upper, a.indptr.astype(np.int32, copy=False),
                a.indices.astype(np.int32, copy=False), a.data,
                np.zeros(a.shape[1], np.int32) if lp.integrality is None else lp.integrality)
    return h


def extract(h: highspy.Highs, lp: Lp, d: RingData) -> dict[str, pd.DataFrame]:
    """Dispatch, capacities and nodal prices as labelled frames."""
    sol = h.getSolution()
    x, y = np.asarray(sol.col_value), np.asarray(sol.row_dual)
    techs = pd.MultiIndex.from_product([TECHS, d.buses])
    hours = pd.RangeIndex(d.hours, name="hour")
    return {
        "dispatch": pd.DataFrame(x[lp.cols["gen"]].reshape(-1, d.hours).T, hours, techs),
        "capacity": pd.DataFrame({"p_new": x[lp.cols["cap"]].ravel()}, techs),
        "battery_p_new": pd.Series(x[lp.cols["p_new"]], d.buses),
        "prices": pd.DataFrame(y[lp.rows["balance"]].T / d.weight, hours, d.buses),
    }


def run(d: RingData, options: dict[str, Any]) -> tuple[float, dict[str, pd.DataFrame]]:
    """Build, solve and extract; return the objective and the result frames."""
    lp = assemble(d)
    h = to_highs(lp, options)
    h.run()
    return h.getInfo().objective_function_value, extract(h, lp, d)


# -- the commitment variant (a MIP; see "The commitment variant" in problem.py) -------------

def assemble_uc(d: RingData) -> Lp:
    """Lay out the commitment MIP: columns shed, flow, ren (wind, solar), p, u, v, w."""
    n, t, k = d.n_buses, d.hours, len(UC_UNITS)
    size = np.array([g[1] for g in UC_UNITS])[:, None, None]
    ren_cap = np.stack([UC_WIND_MW * d.wind.T, UC_SOLAR_MW * d.solar.T])
    c = _Cols()
    x = {
        "shed": c.add((n, t), 0.0, d.load.T, VOLL),
        "flow": c.add((len(d.bus0), t), -LINE_CAP, LINE_CAP),
        "ren": c.add((2, n, t), 0.0, ren_cap),
        "p": c.add((k, n, t), 0.0, size, np.array([g[3] for g in UC_UNITS])[:, None, None]),
        "u": c.add((k, n, t), 0.0, 1.0),
        "v": c.add((k, n, t), 0.0, 1.0, np.array([g[4] for g in UC_UNITS])[:, None, None]),
        "w": c.add((k, n, t), 0.0, 1.0),
    }
    r = _Rows()
    rows = {"balance": _uc_balance(r, x, d)}
    rows.update(_uc_commitment(r, x, n, t))
    integrality = np.zeros(c.n, np.int32)
    integrality[np.concatenate([x[v].ravel() for v in "uvw"])] = 1
    return Lp(np.concatenate(c.cost), np.concatenate(c.lower), np.concatenate(c.upper),
              np.concatenate(r.lower), np.concatenate(r.upper), _csc(r, c.n), x, rows,
              integrality)


def _uc_balance(r: _Rows, x: dict[str, np.ndarray], d: RingData) -> np.ndarray:
    rows = r.add((d.n_buses, d.hours), d.load.T, d.load.T)
    r.put(rows[None], x["ren"], 1.0)
    r.put(rows[None], x["p"], 1.0)
    r.put(rows, x["shed"], 1.0)
    r.put(rows[d.bus1], x["flow"], 1.0)
    r.put(rows[d.bus0], x["flow"], -1.0)
    return rows


def _uc_commitment(r: _Rows, x: dict[str, np.ndarray], n: int, t: int
                   ) -> dict[str, np.ndarray]:
    """transition, min_up, min_down, dispatch_lower, dispatch_upper (in gridopt's order)."""
    k = len(UC_UNITS)
    u, v, w, p = x["u"], x["v"], x["w"], x["p"]
    first = np.zeros((k, n, t))
    first[:, :, 0] = 1.0  # u_{-1} = 1: every unit on before the first hour
    out = {"transition": r.add((k, n, t), first, first)}
    r.put(out["transition"], u, 1.0)
    r.put(out["transition"][:, :, 1:], u[:, :, :-1], -1.0)
    r.put(out["transition"], v, -1.0)
    r.put(out["transition"], w, 1.0)
    for name, moves, sign, rhs, span in (("min_up", v, -1.0, 0.0, 5), ("min_down", w, 1.0, 1.0, 6)):
        out[name] = r.add((k, n, t), -np.inf, rhs)
        r.put(out[name], u, sign)
        for g, unit in enumerate(UC_UNITS):
            for lag in range(min(unit[span], t)):  # Σ_{τ = t−K+1}^{t}, τ ≥ 0
                r.put(out[name][g, :, lag:], moves[g, :, : t - lag], 1.0)
    size = np.array([g[1] for g in UC_UNITS])[:, None, None]
    p_min = np.array([g[2] for g in UC_UNITS])[:, None, None]
    out["dispatch_lower"] = r.add((k, n, t), 0.0, np.inf)
    r.put(out["dispatch_lower"], p, 1.0)
    r.put(out["dispatch_lower"], u, -p_min * size)
    out["dispatch_upper"] = r.add((k, n, t), -np.inf, 0.0)
    r.put(out["dispatch_upper"], p, 1.0)
    r.put(out["dispatch_upper"], u, -size)
    return out


def run_uc(d: RingData, options: dict[str, Any]) -> tuple[float, dict[str, pd.DataFrame]]:
    """Build and solve the commitment MIP; the objective, dispatch and units on."""
    lp = assemble_uc(d)
    h = to_highs(lp, options)
    h.run()
    x = np.asarray(h.getSolution().col_value)
    units = pd.MultiIndex.from_product([[g[0] for g in UC_UNITS], d.buses])
    hours = pd.RangeIndex(d.hours, name="hour")
    return h.getInfo().objective_function_value, {
        "dispatch": pd.DataFrame(x[lp.cols["p"]].reshape(-1, d.hours).T, hours, units),
        "status": pd.DataFrame(np.rint(x[lp.cols["u"]]).reshape(-1, d.hours).T, hours, units)}
