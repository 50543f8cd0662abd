"""Self-owned plants (自备电厂) raising output on call. See ``models/self_owned_plants.md``.

For plant i and hour t of a scope, with enrolled capacity X_i = X̄_i + x^new_i, participation
ρ_i, availability a_i and ramp limit R_i (share of X_i per hour):

- ``self_owned_plants.output_upper``: q_{i,t} ≤ ρ_i a_i X_i (a variable bound when not extendable)
- ``self_owned_plants.ramp_up`` / ``ramp_down``: ±(q_{i,t} − q_{i,t−1}) ≤ R_i Δt X_i, with
  q = 0 (the baseline) before each window starts; rows only where R_i Δt < ρ_i a_i
- objective (dispatch): ``operating`` Σ_t w (π_f h_i + C^vom_i) q_{i,t}, ``activation``
  Σ_t w C^act_i q_{i,t}; injection +q_{i,t} at the plant's bus
- response: q_{i,t} (extra output above the baseline already netted out of ``load_mw.csv``)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridopt.case.build import derive_generator_columns
from gridopt.case.case import Case
from gridopt.components._common import bus_positions
from gridopt.components._dr import Enrolment, Scope, add_enrolment, previous, register_response
from gridopt.model.arrays import ArrayModel

FAMILY = "self_owned_plants"


def plant_table(case: Case) -> pd.DataFrame:
    """The plants with ``marginal_cost_per_mwh`` (π_f h + VOM), ``co2_t_per_mwh`` and
    ``fuel_units_per_mwh`` derived from the fuels table exactly as for generators."""
    return derive_generator_columns(case.table(FAMILY), case.table("fuels"))


def add_self_owned_plants(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Add the extra output q_{i,t} of every self-owned plant over ``scope``.

    Parameters
    ----------
    m : ArrayModel
        The model to add to.
    case : Case
        The case; its ``self_owned_plants`` table gives the plants.
    scope : Scope
        Dispatch (balance and costs too) or event (physics and response only).
    """
    table = case.table(FAMILY)
    if table.empty:
        return
    enrol = add_enrolment(m, case, FAMILY)
    scale = (table["participation"] * table["p_max_pu"]).to_numpy(float)
    q = _add_output(m, scope, table.index, enrol, scale)
    _add_ramps(m, case, scope, q, enrol, scale)
    if scope.is_dispatch:
        _add_costs(m, case, q)
        m.add_injection(FAMILY, q, bus_positions(case.table("buses").index, table["bus"]), 1.0)
    register_response(m, case, FAMILY, scope, [(q, 1.0)])


def _add_output(m: ArrayModel, scope: Scope, names: pd.Index, enrol: Enrolment,
                scale: np.ndarray) -> np.ndarray:
    """q_{i,t} ∈ [0, ρ_i a_i X_i]: bounds for fixed enrolment, rows where X_i may grow."""
    ext = enrol.new_col >= 0
    upper = np.where(ext, np.inf, scale * enrol.existing)[:, None]
    q = m.add_variables(scope.var(FAMILY, "output"), (names, scope.labels), 0.0,
                        np.broadcast_to(upper, (len(names), scope.n))).index()
    if ext.any():
        m.add_constraints(scope.var(FAMILY, "output_upper"), (names[ext], scope.labels),
                          [(q[ext], 1.0), (enrol.new_col[ext][:, None], -scale[ext][:, None])],
                          "<=", (scale * enrol.existing)[ext][:, None])
    return q


def _add_ramps(m: ArrayModel, case: Case, scope: Scope, q: np.ndarray, enrol: Enrolment,
               scale: np.ndarray) -> None:
    """Rows q_t − q_{t−1} − R τ_t x^new ≤ R τ_t X̄ (up) and q_{t−1} − q_t − … (down), with
    τ_t = (Δt_{t−1} + Δt_t) / 2 the hours between the middles of the two snapshots (Δt with
    equal snapshots; τ_t = Δt_t at a window's first snapshot).

    The hour before a window is the baseline q = 0, so the first hour ramps up from zero. A
    plant whose ramp R τ ≥ ρ a in every snapshot cannot be limited by it and gets no rows.
    """
    table = case.table(FAMILY)
    dt = scope.dt
    gap = np.where(scope.first_of_window(), dt, 0.5 * (np.roll(dt, 1) + dt))
    step = table["ramp_pu_per_h"].to_numpy(float)[:, None] * gap[None, :]
    lim = np.flatnonzero((step < scale[:, None]).any(axis=1))
    if lim.size == 0:
        return
    cur, prev = q[lim], previous(q[lim], scope, cyclic=False)
    new = (enrol.new_col[lim][:, None], -step[lim])
    rhs = step[lim] * enrol.existing[lim][:, None]
    coords = (table.index[lim], scope.labels)
    m.add_constraints(scope.var(FAMILY, "ramp_up"), coords, [(cur, 1.0), (prev, -1.0), new],
                      "<=", rhs)
    m.add_constraints(scope.var(FAMILY, "ramp_down"), coords, [(prev, 1.0), (cur, -1.0), new],
                      "<=", rhs)


def _add_costs(m: ArrayModel, case: Case, q: np.ndarray) -> None:
    """Fuel and VOM (``operating``) and the DR payment (``activation``), per MWh of q."""
    table = plant_table(case)
    names = table.index.to_numpy(dtype=object)[:, None]
    m.add_cost(FAMILY, "operating", q,
               case.weights * table["marginal_cost_per_mwh"].to_numpy()[:, None], names)
    m.add_cost(FAMILY, "activation", q,
               case.weights * table["activation_cost_per_mwh"].to_numpy()[:, None], names)
