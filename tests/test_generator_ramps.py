"""Generator ramp limits (``generators.ramp_up`` / ``ramp_down``, ``models/generators.md``).

Hand optima on both backends, exact coefficients of the rows, the rows that are left out
(first snapshot, period boundaries, limits that cannot bind, blank columns) and the input
checks. The usual system: one bus, 'coal' 100 MW at 10/MWh with a ramp limit, 'gas' 100 MW
at 50/MWh without one, w = Δt = 1 h unless a test says otherwise.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.build import case_from_tables
from gridopt.case.case import Case, CaseError
from gridopt.case.io import read_case, validate_case
from gridopt.model.build import build_model
from gridopt.periods import aggregate
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]
TINY = Path(__file__).parent / "cases" / "tiny"


def coal_gas(load: list[float], step_h: float = 1.0, **coal: Any) -> Case:
    """One bus, 'coal' 100 MW at 10/MWh (columns ``coal`` added), 'gas' 100 MW at 50/MWh;
    snapshots of ``step_h`` hours, not annualised (w = Δt = step_h)."""
    generators = [gen("coal", "coal", **{"p_nom_mw": 100.0, "vom_per_mwh": 10.0, **coal}),
                  gen("gas", "gas", p_nom_mw=100.0, vom_per_mwh=50.0)]
    if step_h == 1.0:
        return make_case(len(load), generators, {"load": load})
    config = {"name": "test", "currency": "EUR", "voll_per_mwh": 10_000.0, "discount_rate": 0.0,
              "snapshots": {"start": "2030-01-01 00:00", "hours": len(load), "step_h": step_h,
                            "annualise": False}}
    frames = {"buses": pd.DataFrame({"name": ["b"]}), "generators": pd.DataFrame(generators),
              "loads": pd.DataFrame({"name": ["load"], "bus": ["b"]})}
    hour = list(range(1, len(load) + 1))
    return case_from_tables(config, frames, {"load_mw": pd.DataFrame({"hour": hour,
                                                                      "load": load})})


def solve_both(case: Case) -> list[gridopt.Results]:
    """Solve with both backends; both must be optimal."""
    out = [gridopt.solve(case, backend=b) for b in BACKENDS]
    assert [r.status for r in out] == ["optimal", "optimal"]
    return out


def ramp_blocks(case: Case) -> dict[str, int]:
    """Rows of each ramp block of the case's model."""
    m = build_model(case)
    return {k: b.size for k, b in m.con_blocks.items() if ".ramp_" in k}


# -- hand optima -------------------------------------------------------------------------------


def test_slow_coal_is_helped_by_gas_as_load_rises() -> None:
    """Load [40, 80, 100] MW; coal ramps up at most 0.25 · 100 = 25 MW/h.

    The first snapshot is free: coal 40. Then coal ≤ 40 + 25 = 65 (gas 15) and
    coal ≤ 65 + 25 = 90 (gas 10). Objective 10 · (40 + 65 + 90) + 50 · (15 + 10) = 1,950 +
    1,250 = 3,200 (without the limit: 10 · 220 = 2,200).

    Duals of ``generators.ramp_up`` (∂objective/∂rhs): one more MW of ramp into hour 2 lets
    coal replace gas in hour 2 *and* (through the next row) in hour 3: −(50 − 10) · 2 = −80;
    into hour 3 only there: −40.
    """
    for r in solve_both(coal_gas([40.0, 80.0, 100.0], ramp_up_pu_per_h=0.25)):
        assert r.objective == pytest.approx(3200.0)
        assert r.dispatch["coal"].tolist() == pytest.approx([40.0, 65.0, 90.0])
        assert r.dispatch["gas"].tolist() == pytest.approx([0.0, 15.0, 10.0])
        assert r.dual("generators.ramp_up")["coal"].tolist() == pytest.approx([-80.0, -40.0])
    assert solve_both(coal_gas([40.0, 80.0, 100.0]))[0].objective == pytest.approx(2200.0)


def test_ramp_down_holds_coal_back_before_the_load_falls() -> None:
    """Load [100, 40] MW; coal ramps down at most 25 MW/h: coal_1 − coal_2 ≤ 25 and coal_2 ≤ 40
    (nothing else takes power), so coal_1 ≤ 65 and gas gives 35 in hour 1.

    Objective 10 · 65 + 50 · 35 + 10 · 40 = 650 + 1,750 + 400 = 2,800 (without: 1,400).
    No ``ramp_up`` block: its column is blank.
    """
    case = coal_gas([100.0, 40.0], ramp_down_pu_per_h=0.25)
    assert ramp_blocks(case) == {"generators.ramp_down": 1}
    for r in solve_both(case):
        assert r.objective == pytest.approx(2800.0)
        assert r.dispatch["coal"].tolist() == pytest.approx([65.0, 40.0])


def test_the_limit_scales_with_new_capacity() -> None:
    """Coal extendable (existing 40 MW, capex 5 per MW, lifetime 1 yr, discount 0: 5 per
    MW-yr), ramp 0.5/h both ways; load [0, 60] MW; gas 100 MW at 50/MWh.

    Hour 1 coal = 0 (no load), so coal_2 ≤ 0.5 (40 + x). Serving 1 MW more by coal in hour 2
    needs 2 MW more capacity: 2 · 5 + 10 = 20 < 50, so coal serves all 60 MW:
    0.5 (40 + x) = 60 → x = 80 (not the 20 MW the energy alone would need).
    Objective 80 · 5 + 60 · 10 = 1,000 (without the limit: 20 · 5 + 600 = 700).
    """
    case = coal_gas([0.0, 60.0], p_nom_mw=40.0, extendable=True, capex_per_mw=5.0,
                    lifetime_yr=1.0, ramp_up_pu_per_h=0.5, ramp_down_pu_per_h=0.5)
    for r in solve_both(case):
        assert r.objective == pytest.approx(1000.0)
        assert r.capacities.loc[("generators", "coal"), "new_mw"] == pytest.approx(80.0)
        assert r.dispatch["gas"].tolist() == pytest.approx([0.0, 0.0], abs=1e-9)
    free = coal_gas([0.0, 60.0], p_nom_mw=40.0, extendable=True, capex_per_mw=5.0,
                    lifetime_yr=1.0)
    assert solve_both(free)[0].objective == pytest.approx(700.0)


def test_two_hour_snapshots_double_the_step() -> None:
    """step_h = 2 (w = Δt = 2 h), load [40, 100, 100] MW, coal ramp 0.25/h: the limit is
    0.25 · 2 · 100 = 50 MW per snapshot. Coal 40 → ≤ 90 (gas 10) → 100 (≤ 140).

    Objective 2 · (10 · (40 + 90 + 100) + 50 · 10) = 2 · 2,800 = 5,600. (Per snapshot, as
    PyPSA's ramp_limit_up, 25 MW would be allowed: coal 40, 65, 90 and 2 · 4,200 = 8,400.)
    """
    case = coal_gas([40.0, 100.0, 100.0], step_h=2.0, ramp_up_pu_per_h=0.25)
    for r in solve_both(case):
        assert r.objective == pytest.approx(5600.0)
        assert r.dispatch["coal"].tolist() == pytest.approx([40.0, 90.0, 100.0])


def test_no_ramp_across_representative_periods() -> None:
    """Two 2-hour 'days', load [40, 40 | 100, 100], K = 2 (each day its own period, w = 1).

    Over the full horizon coal ramps 40 → 65 → 90 (gas 35, 10): 10 · 235 + 50 · 45 = 4,600.
    With periods the second day's first snapshot is the start of a window, unlimited as the
    horizon's first (as self-owned plants restart their ramp there, storage is cut there):
    coal serves everything, 10 · 280 = 2,800, and the rows are at hours 1 and 3 only.
    """
    case = coal_gas([40.0, 40.0, 100.0, 100.0], ramp_up_pu_per_h=0.25)
    assert gridopt.solve(case).objective == pytest.approx(4600.0)
    agg = aggregate(case, 2, hours=2, keep_peak=False)
    block = build_model(agg).con_blocks["generators.ramp_up"]
    assert list(block.coords[1]) == [agg.snapshots[1], agg.snapshots[3]]
    for r in solve_both(agg):
        assert r.objective == pytest.approx(2800.0)


def test_segments_ramp_over_the_gap_between_their_middles() -> None:
    """One 4-hour day, load [40, 100, 100, 100], two segments: [40] (1 h) and [100] (3 h), w = Δt
    = [1, 3]. Between their middles lie (1 + 3) / 2 = 2 h: coal ramps 0.25 · 2 · 100 = 50 MW,
    40 → 90, gas 10 in the 3-hour segment.

    Objective 1 · 10 · 40 + 3 · (10 · 90 + 50 · 10) = 400 + 4,200 = 4,600.
    """
    agg = aggregate(coal_gas([40.0, 100.0, 100.0, 100.0], ramp_up_pu_per_h=0.25), 1,
                    hours=4, segments=2, keep_peak=False)
    np.testing.assert_allclose(agg.durations, [1.0, 3.0])
    for r in solve_both(agg):
        assert r.objective == pytest.approx(4600.0)
        assert r.dispatch["coal"].tolist() == pytest.approx([40.0, 90.0])


# -- structure -------------------------------------------------------------------------------


def test_extendable_row_coefficients() -> None:
    """Coal extendable, existing 40 MW, ramp up 0.5/h, hourly: the row at hour 1 reads
    p_1 − p_0 − 0.5 p^new ≤ 0.5 · 40 = 20; the first snapshot has no row."""
    case = coal_gas([0.0, 60.0], p_nom_mw=40.0, extendable=True, ramp_up_pu_per_h=0.5)
    m = build_model(case)
    block = m.con_blocks["generators.ramp_up"]
    assert block.shape == (1, 1)
    row = m.matrix("csr")[block.start].toarray().ravel()
    p, new = m.var("generators.dispatch")[0], m.var("generators.p_new")[0]
    expected = np.zeros(m.n_cols)
    expected[[p[1], p[0], new]] = [1.0, -1.0, -0.5]
    np.testing.assert_array_equal(row, expected)
    assert m.row_upper[block.start] == pytest.approx(20.0)
    assert m.row_lower[block.start] == -np.inf


@pytest.mark.parametrize(("rate", "step_h", "rows"), [
    (1.0, 1.0, 0),     # 1 · 1 h ≥ 1: from 0 to full in one step, cannot bind
    (0.99, 1.0, 2),    # can bind: rows at the 2 snapshots after the first
    (0.5, 2.0, 0),     # 0.5 · 2 h = 1: cannot bind
    (0.0, 1.0, 2),     # 0: output frozen after the first snapshot
])
def test_rows_only_where_the_limit_can_bind(rate: float, step_h: float, rows: int) -> None:
    """0 ≤ p_t ≤ a_t P ≤ P, so |p_t − p_{t−1}| ≤ P: a limit r Δ ≥ 1 never binds."""
    case = coal_gas([40.0, 80.0, 100.0], step_h=step_h, ramp_up_pu_per_h=rate,
                    ramp_down_pu_per_h=rate)
    expected = {"generators.ramp_up": rows, "generators.ramp_down": rows} if rows else {}
    assert ramp_blocks(case) == expected


def tiny_with_columns(tmp_path: Path, up: str, down: str) -> Path:
    """tests/cases/tiny with the two ramp columns added to generators.csv (values per row)."""
    folder = tmp_path / "case"
    shutil.copytree(TINY, folder)
    path = folder / "generators.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",ramp_up_pu_per_h,ramp_down_pu_per_h"
    lines[1] += f",{up},{down}"
    lines[2] += ",,"
    path.write_text("\n".join(lines) + "\n")
    return folder


def test_blank_columns_change_nothing(tmp_path: Path) -> None:
    """The tiny case with both columns present but blank reads them as inf (no limit): the
    same rows, columns and objective as without the columns."""
    plain, blank = read_case(TINY), read_case(tiny_with_columns(tmp_path, "", ""))
    assert np.isinf(blank.table("generators")[["ramp_up_pu_per_h",
                                                "ramp_down_pu_per_h"]].to_numpy()).all()
    m0, m1 = build_model(plain), build_model(blank)
    assert (m1.n_rows, list(m1.con_blocks)) == (m0.n_rows, list(m0.con_blocks))
    assert m1.matrix().nnz == m0.matrix().nnz
    assert gridopt.solve(blank).objective == pytest.approx(gridopt.solve(plain).objective,
                                                           rel=1e-12)


@pytest.mark.parametrize(("value", "rule"), [("-0.5", "range"), ("fast", "not-a-number")])
def test_bad_values_are_refused_naming_the_column(tmp_path: Path, value: str, rule: str) -> None:
    """A negative or non-numeric ramp is one problem at generators.csv, row 2 (gas_ccgt), with
    the column and the rule; reading the case raises it."""
    folder = tiny_with_columns(tmp_path, value, "")
    problems = validate_case(folder)
    assert [(p.file, p.row, p.column, p.rule) for p in problems] == [
        ("generators.csv", 2, "ramp_up_pu_per_h", rule)]
    with pytest.raises(CaseError, match="ramp_up_pu_per_h"):
        read_case(folder)
