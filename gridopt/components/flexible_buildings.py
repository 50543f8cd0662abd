"""Flexible buildings (光储直柔: PV, storage, DC distribution, flexible loads). See
``models/flexible_buildings.md``.

A virtual store around the building's baseline consumption. For element i and hour t of a scope,
with enrolled flexible power X_i = X̄_i + x^new_i, participation ρ_i, occupancy o_{i,t}, energy
band B_i (MWh per MW), standing loss λ_i, snapshot length Δt and windows W (blocks of
``window_h`` inside the scope's windows):

- ``flexible_buildings.reduce_upper``: d_{i,t} ≤ ρ_i o_{i,t} X_i
- ``flexible_buildings.increase_upper``: c_{i,t} ≤ ρ_i o_{i,t} X_i
- ``flexible_buildings.state_balance``: e_{i,t} = (1 − λ_i)^Δt e_{i,t−1} + g Δt (c_{i,t} − d_{i,t}),
  e = 0 (neutral) before each window's first hour (Δt = Δt_t; g = 1 but on segments with
  loss, ``_common.segment_gain``)
- ``flexible_buildings.state_upper`` / ``state_lower``: −B_i ρ_i X_i / 2 ≤ e_{i,t} ≤ B_i ρ_i X_i / 2
- bound: e_{i,t} = 0 at the last hour of each window (back to neutral)
- response (load reduction) d_{i,t} − c_{i,t}; dispatch: injection +d −c at the element's bus,
  objective Σ_t w C^act_i d_{i,t}
"""

from __future__ import annotations

import numpy as np

from gridopt.case.case import Case
from gridopt.case.series import element_series
from gridopt.components._common import segment_gain
from gridopt.components._dr import (
    Enrolment,
    Scope,
    add_dispatch_terms,
    add_enrolment,
    element_windows,
    last_of,
    previous_in,
    register_response,
)
from gridopt.model.arrays import INF, ArrayModel

FAMILY = "flexible_buildings"
OCCUPANCY = "building_occupancy_pu"


def add_flexible_buildings(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Add the deviations d (consume less), c (consume more) and the virtual state e."""
    table = case.table(FAMILY)
    if table.empty or scope.n == 0:
        return
    enrol = add_enrolment(m, case, FAMILY)
    power = table["participation"].to_numpy(float)[:, None] * occupancy(case, scope)
    coords = (table.index, scope.labels)
    d = m.add_variables(scope.var(FAMILY, "reduce"), coords).index()
    c = m.add_variables(scope.var(FAMILY, "increase"), coords).index()
    for quantity, x in (("reduce_upper", d), ("increase_upper", c)):
        m.add_constraints(scope.var(FAMILY, quantity), coords,
                          [(x, 1.0), *enrol.terms(power)], "<=", enrol.rhs(power))
    _add_state(m, case, scope, d, c, enrol)
    if scope.is_dispatch:
        add_dispatch_terms(m, case, FAMILY, d, c)
    register_response(m, case, FAMILY, scope, [(d, 1.0), (c, -1.0)])


def occupancy(case: Case, scope: Scope) -> np.ndarray:
    """o_{i,t} ∈ [0, 1] (E × H) from ``building_occupancy_pu.csv``; 1 where not given."""
    table = case.table(FAMILY)
    out = element_series(case.series.get(OCCUPANCY), table.index, case.n_snapshots, 1.0).T
    return out[:, scope.hours]


def _add_state(m: ArrayModel, case: Case, scope: Scope, d: np.ndarray, c: np.ndarray,
               enrol: Enrolment) -> None:
    """The virtual state e (MWh above the baseline's energy), its balance and its band."""
    table = case.table(FAMILY)
    window = element_windows(case, scope, table["window_h"].to_numpy(float))
    end = last_of(window)
    coords = (table.index, scope.labels)
    e = m.add_variables(scope.var(FAMILY, "state"), coords, np.where(end, 0.0, -INF),
                        np.where(end, 0.0, INF)).index()
    loss = table["loss_per_h"].to_numpy(float)[:, None]
    keep = (1.0 - loss) ** scope.dt[None, :]  # (1 − λ)^{Δt_t}
    dt = scope.dt[None, :] * segment_gain(loss[:, 0], scope.dt, case.step_h)
    m.add_constraints(scope.var(FAMILY, "state_balance"), coords,
                      [(e, 1.0), (previous_in(e, window), -keep), (d, dt), (c, -dt)], "==", 0.0)
    half = (0.5 * table["energy_band_mwh_per_mw"].to_numpy(float)
            * table["participation"].to_numpy(float))[:, None]
    for quantity, sign in (("state_upper", 1.0), ("state_lower", -1.0)):
        m.add_constraints(scope.var(FAMILY, quantity), coords, [(e, sign), *enrol.terms(half)],
                          "<=", enrol.rhs(half))

