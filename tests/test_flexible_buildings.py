"""Flexible buildings (光储直柔): structure, hand optima, invariants and peak capability
(``models/flexible_buildings.md``).

The hand cases share the system of ``tests/test_shiftable.py``: one bus, load
[80, 100, 90, 70] MW, 'cheap' 90 MW at 10/MWh, 'dear' 100 MW at 100/MWh; without DR 4,300.
Spare cheap capacity: hour 1 10 MW, hour 3 none, hour 4 20 MW.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.build import case_from_tables
from gridopt.case.case import Case, CaseError
from gridopt.components.flexible_buildings import OCCUPANCY
from gridopt.model.build import build_model
from gridopt.peak import verify
from tests.factory import four_hour_case, gen, make_case, with_peak

BACKENDS = ["highs", "pyomo"]


def building(**kw: object) -> dict[str, object]:
    """4 MW of flexible power enrolled, band 1 MWh per MW (e ∈ [−2, 2] MWh), activation 5."""
    return {"name": "f", "bus": "b", "potential_mw": 4.0, "enrolled_mw": 4.0,
            "energy_band_mwh_per_mw": 1.0, "activation_cost_per_mwh": 5.0, **kw}


def with_occupancy(case: Case, occupancy: dict[str, list[float]]) -> Case:
    """The case with an hourly occupancy series (T × buildings)."""
    frame = pd.DataFrame(occupancy, index=case.snapshots)
    frame.columns.name = "name"
    return case.replace(series={**case.series, OCCUPANCY: frame})


def values(r: gridopt.Results, quantity: str, name: str = "f") -> list[float]:
    return r.variable(f"flexible_buildings.{quantity}")[name].tolist()


# -- layer 1: structure and input -------------------------------------------------------------
def test_blocks_rows_and_bounds() -> None:
    """4 hours, window 2 h, loss 0.2: reduce, increase, state 4 each; rows reduce_upper,
    increase_upper, state_balance, state_upper, state_lower 4 each. The state is fixed at 0 at
    each window's last hour (hours 2 and 4); state_balance at hour 2: e_2 − 0.8 e_1 + d_2 − c_2
    = 0, at hour 3 (a window's first hour) no e_2 term."""
    m = build_model(four_hour_case(flexible_buildings=[building(window_h=2.0, loss_per_h=0.2)]))
    rows = {n: b.size for n, b in m.con_blocks.items() if n.startswith("flexible_buildings.")}
    assert rows == {f"flexible_buildings.{q}": 4 for q in (
        "reduce_upper", "increase_upper", "state_balance", "state_upper", "state_lower")}
    e, d, c = (m.var(f"flexible_buildings.{q}")[0] for q in ("state", "reduce", "increase"))
    assert m.lower[e].tolist() == [-np.inf, 0.0, -np.inf, 0.0]
    assert m.upper[e].tolist() == [np.inf, 0.0, np.inf, 0.0]
    a = m.matrix("csr")
    start = m.con_blocks["flexible_buildings.state_balance"].start
    assert dict(zip(a[start + 1].indices, a[start + 1].data, strict=True)) == pytest.approx(
        {e[1]: 1.0, e[0]: -0.8, d[1]: 1.0, c[1]: -1.0})
    assert set(a[start + 2].indices) == {e[2], d[2], c[2]}


def test_occupancy_is_read_and_checked() -> None:
    """``building_occupancy_pu.csv`` is a series of the buildings, each value in [0, 1]."""
    base = four_hour_case()
    tables = {"buses": pd.DataFrame({"name": ["b"]}),
              "generators": pd.DataFrame([gen("g", p_nom_mw=200.0)]),
              "loads": pd.DataFrame({"name": ["load"], "bus": ["b"]}),
              "flexible_buildings": pd.DataFrame([building()])}
    hour = [1, 2, 3, 4]
    series = {"load_mw": pd.DataFrame({"hour": hour, "load": [1.0] * 4}),
              OCCUPANCY: pd.DataFrame({"hour": hour, "f": [1.0, 0.5, 0.0, 1.0]})}
    case = case_from_tables(dict(base.config), tables, series)
    assert case.series[OCCUPANCY]["f"].tolist() == [1.0, 0.5, 0.0, 1.0]
    series[OCCUPANCY] = pd.DataFrame({"hour": hour, "f": [1.0, 1.5, 0.0, 1.0]})
    with pytest.raises(CaseError, match=OCCUPANCY):
        case_from_tables(dict(base.config), tables, series)


def test_band_is_required() -> None:
    """No default for the energy band: a missing ``energy_band_mwh_per_mw`` is an error."""
    row = building()
    del row["energy_band_mwh_per_mw"]
    with pytest.raises(CaseError, match="energy_band_mwh_per_mw"):
        four_hour_case(flexible_buildings=[row])


# -- layer 2: hand optima ---------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_precool_and_recover(backend: str) -> None:
    """Band ±2 MWh, power 4 MW. Reduce 4 MW in hour 2 (saves dear 100): the state must go
    2 → −2, so pre-consume 2 MWh in hour 1 and recover 2 MWh in hour 4 (both cheap; hour 3
    has no cheap room). Cheap 330 + 4 → 3,340; dear 6 → 600; activation 4 · 5 = 20:
    objective 3,960; state [2, −2, −2, 0]."""
    r = gridopt.solve(four_hour_case(flexible_buildings=[building()]), backend=backend)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(3960.0)
    assert values(r, "reduce") == pytest.approx([0, 4, 0, 0], abs=1e-9)
    assert values(r, "increase") == pytest.approx([2, 0, 0, 2], abs=1e-9)
    assert values(r, "state") == pytest.approx([2, -2, -2, 0], abs=1e-9)
    assert r.dr_response[("flexible_buildings", "f")].tolist() == pytest.approx(
        [-2, 4, 0, -2], abs=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_occupancy_limits_power(backend: str) -> None:
    """Occupancy 0.5 in hour 2: d_2 ≤ 2 MW. Saves 2 · (100 − 10 − 5) = 170 → 4,130."""
    case = with_occupancy(four_hour_case(flexible_buildings=[building()]),
                          {"f": [1.0, 0.5, 1.0, 1.0]})
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(4130.0)
    assert values(r, "reduce")[1] == pytest.approx(2.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_standing_loss_recovers_a_deficit(backend: str) -> None:
    """Two hours, load 10 MW, one unit at 100; band ±2, loss 0.5 per hour, no activation cost.

    e_1 = c_1 − d_1 ≥ −2, e_2 = 0.5 e_1 + c_2 − d_2 = 0, so Σ (d − c) = −0.5 e_1 ≤ 1: a deficit
    halves by itself. Best: d_1 = 2, c_2 = 1: 19 MWh → 1,900 (with activation 5: + 10)."""
    for activation, objective in ((0.0, 1900.0), (5.0, 1910.0)):
        case = make_case(2, [gen("g", p_nom_mw=50.0, vom_per_mwh=100.0)],
                         {"load": [10.0, 10.0]},
                         flexible_buildings=[building(loss_per_h=0.5,
                                                      activation_cost_per_mwh=activation)])
        r = gridopt.solve(case, backend=backend)
        assert r.objective == pytest.approx(objective)
        assert values(r, "state") == pytest.approx([-2, 0], abs=1e-9)


# -- layer 4: invariants ----------------------------------------------------------------------
def two_day_case(reverse: bool = False) -> Case:
    """48 h of a daily load cycle, two buildings (one lossy with a 12 h window, one with an
    occupancy profile)."""
    t = np.arange(48)
    load = (95 + 20 * np.sin(2 * np.pi * (t - 10) / 24) + 3 * np.cos(t)).tolist()
    rows = [building(name="lossy", potential_mw=6.0, enrolled_mw=5.0, loss_per_h=0.1,
                     window_h=12.0, energy_band_mwh_per_mw=2.0),
            building(name="office", participation=0.7, activation_cost_per_mwh=1.0)]
    case = four_hour_case(48, load, flexible_buildings=rows[::-1] if reverse else rows)
    office = np.where((t % 24 >= 8) & (t % 24 < 20), 1.0, 0.2)
    return with_occupancy(case, {"office": office.tolist()})


@pytest.mark.parametrize("backend", BACKENDS)
def test_invariants(backend: str) -> None:
    """After the solve: the buildings move energy; d, c ≤ ρ o X; the state balance holds with
    e = 0 before and at the end of every window; |e| ≤ B ρ X / 2; the balance closes;
    reordering the buildings changes nothing."""
    case = two_day_case()
    r = gridopt.solve(case, backend=backend)
    table = case.table("flexible_buildings")
    occupancy = case.series[OCCUPANCY]
    assert r.variable("flexible_buildings.reduce").to_numpy().sum() > 1.0
    for name in table.index:
        row = table.loc[name]
        d, c, e = (np.asarray(values(r, q, name)) for q in ("reduce", "increase", "state"))
        power = row["participation"] * row["enrolled_mw"] * (
            occupancy[name].to_numpy() if name in occupancy else 1.0)
        assert np.all(d <= power + 1e-6) and np.all(c <= power + 1e-6)
        window = int(row["window_h"])
        start = np.arange(48) % window == 0
        before = np.where(start, 0.0, np.roll(e, 1))
        assert e == pytest.approx((1 - row["loss_per_h"]) * before + c - d, abs=1e-6)
        assert e[window - 1::window] == pytest.approx(0.0, abs=1e-9)
        half = 0.5 * row["energy_band_mwh_per_mw"] * row["participation"] * row["enrolled_mw"]
        assert np.abs(e).max() <= half + 1e-6
    supply = r.dispatch.sum(axis=1) + r.dr_response.sum(axis=1) + r.load_shed["b"]
    assert supply.to_numpy() == pytest.approx(r.demand["b"].to_numpy(), abs=1e-6)
    assert gridopt.solve(two_day_case(reverse=True), backend=backend).objective == pytest.approx(
        r.objective)


def test_backends_agree() -> None:
    """The same optimum from HiGHS arrays and from Pyomo."""
    case = two_day_case()
    assert gridopt.solve(case, backend="pyomo").objective == pytest.approx(
        gridopt.solve(case, backend="highs").objective)


# -- peak capability --------------------------------------------------------------------------
@pytest.mark.parametrize(("k", "extra", "occupancy", "expected"), [
    (1, {}, None, 4.0), (2, {}, None, 2.0), (2, {"loss_per_h": 0.5}, None, 5 / 3),
    (1, {}, [1.0, 0.5, 1.0, 1.0], 2.0), (1, {"participation": 0.5}, None, 2.0),
    (2, {"participation": 0.5}, None, 1.0)])
def test_capability(k: int, extra: dict, occupancy: list[float] | None,
                    expected: float) -> None:
    """Event day = the 4 hours, e_0 = 0, e_4 = 0; peak hour 2 (k = 1) or hours 2–3 (k = 2).

    - k = 1: c_1 = 2 (e_1 = 2), d_2 = 4 (e_2 = −2), c_3 + c_4 = 2: R = 4 (power limit).
    - k = 2: e_1 = 2, e_3 = 2 − 2R ≥ −2: R = 2 (band limit); c_4 = 2 returns to 0.
    - k = 2, loss 0.5: e_1 ≤ 2, e_2 = 0.5 e_1 − R, e_3 = 0.25 e_1 − 1.5 R ≥ −2 → R ≤ 5/3;
      e_4 = 0.5 e_3 + c_4 = 0 with c_4 = 1.
    - k = 1, occupancy 0.5 in hour 2: d_2 ≤ 0.5 · 4: R = 2.
    - participation 0.5: power 2 MW, band ±1 MWh: k = 1 → 2; k = 2 → e_1 = 1, 1 − 2R ≥ −1: 1.
    """
    case = four_hour_case(flexible_buildings=[building(**extra)])
    if occupancy is not None:
        case = with_occupancy(case, {"f": occupancy})
    report = verify(with_peak(case, k))
    assert report.capability_mw == pytest.approx(expected)


@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_capability_never_exceeds_the_potential(k: int) -> None:
    """R ≤ Σ_i ρ_i X_i ≤ Σ_i ρ_i P^pot_i (d ≤ ρ o X, c ≥ 0): enrolled lossy 5 of 6 MW (ρ = 1),
    office 4 of 4 MW at ρ = 0.7 → R ≤ 7.8, and with the whole potential R ≤ 8.8."""
    report = verify(with_peak(two_day_case(), k, share=0.5))
    assert not report.passed
    assert report.capability_mw <= 7.8 + 1e-6
    assert report.max_potential_mw <= 8.8 + 1e-6
