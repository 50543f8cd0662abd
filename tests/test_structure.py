"""Structural tests without a solver: counts and exact coefficients (layer 1 of STYLE.md)."""

from __future__ import annotations

import numpy as np
import pytest

from gridopt.components._common import annuity
from gridopt.model.build import build_model
from tests.factory import gen, make_case


def test_annuity_matches_the_formula() -> None:
    """CRF(5 %, 20) = 0.05 · 1.05²⁰ / (1.05²⁰ − 1) = 0.0802426; CRF(0, 25) = 1/25."""
    assert annuity(0.05, 20.0) == pytest.approx(0.0802425872)
    assert annuity(0.0, 25.0) == pytest.approx(0.04)


def case_with_everything():
    return make_case(
        hours=3, buses=["A", "B"],
        generators=[gen("wind", "wind", bus="A", p_nom_mw=10.0, extendable=True,
                        p_nom_max_mw=50.0),
                    gen("gas", bus="B", p_nom_mw=20.0, p_min_pu=0.25, vom_per_mwh=40.0)],
        loads={"load": [5.0, 6.0, 7.0]}, load_bus={"load": "B"},
        availability={"wind": [0.2, 0.5, 0.8]},
        storage=[{"name": "bat", "bus": "B", "extendable": True, "duration_h": 4.0,
                  "eff_charge": 0.9, "eff_discharge": 0.8}],
        lines=[{"name": "AB", "bus0": "A", "bus1": "B", "cap_fwd_mw": 30.0,
                "cap_rev_mw": 10.0}])


def test_blocks_and_counts() -> None:
    """Variables: shed 2×3, flow 1×3, dispatch 2×3, p_new 1, charge/discharge/soc 3×(1×3),
    p_new 1, e_new 1 → 6+3+6+1+9+2 = 27. Rows: dispatch_upper 3 (wind only; gas is fixed so its
    limits are bounds), soc_balance 3, charge/discharge/soc upper 3 each, duration 1, balance
    2×3 → 3+3+9+1+6 = 22."""
    m = build_model(case_with_everything())
    assert m.n_cols == 27
    assert m.n_rows == 22
    assert set(m.con_blocks) == {"generators.dispatch_upper", "storage.soc_balance",
                                 "storage.charge_upper", "storage.discharge_upper",
                                 "storage.soc_upper", "storage.duration", "buses.balance"}


def test_fixed_generator_limits_are_bounds() -> None:
    """Gas is not extendable: 0.25 · 20 = 5 ≤ p ≤ 20 as bounds; line bounds −10 ≤ f ≤ 30."""
    m = build_model(case_with_everything())
    gas = m.var("generators.dispatch")[1]
    assert m.lower[gas].tolist() == [5.0] * 3
    assert m.upper[gas].tolist() == [20.0] * 3
    flow = m.var("lines.flow")[0]
    assert m.lower[flow].tolist() == [-10.0] * 3
    assert m.upper[flow].tolist() == [30.0] * 3


def test_dispatch_upper_coefficients() -> None:
    """Row t of wind: p_t − a_t · p_new ≤ a_t · 10 with a = [0.2, 0.5, 0.8]."""
    m = build_model(case_with_everything())
    a = m.matrix("csr")
    block = m.con_blocks["generators.dispatch_upper"]
    p_new = m.var("generators.p_new")[0]
    wind = m.var("generators.dispatch")[0]
    for t, avail in enumerate([0.2, 0.5, 0.8]):
        row = a.getrow(block.start + t).toarray().ravel()
        assert row[wind[t]] == 1.0
        assert row[p_new] == pytest.approx(-avail)
        assert np.count_nonzero(row) == 2
        assert m.row_upper[block.start + t] == pytest.approx(10.0 * avail)


def test_soc_balance_coefficients_and_wrap() -> None:
    """e_t − e_{t−1} − 0.9 c_t + (1/0.8) d_t = 0; the first row wraps to e_{T−1} (cyclic)."""
    m = build_model(case_with_everything())
    a = m.matrix("csr")
    block = m.con_blocks["storage.soc_balance"]
    e, c, d = (m.var(f"storage.{q}")[0] for q in ("soc", "charge", "discharge"))
    row = a.getrow(block.start).toarray().ravel()
    assert row[e[0]] == 1.0 and row[e[2]] == -1.0
    assert row[c[0]] == pytest.approx(-0.9)
    assert row[d[0]] == pytest.approx(1.25)


def test_balance_signs() -> None:
    """At bus B: + gas + discharge − charge + flow(AB) + shed = load; at A: wind − flow."""
    m = build_model(case_with_everything())
    a = m.matrix("csr")
    block = m.con_blocks["buses.balance"]
    row_b = a.getrow(block.start + 3).toarray().ravel()  # bus B, hour 0
    assert row_b[m.var("generators.dispatch")[1, 0]] == 1.0
    assert row_b[m.var("storage.discharge")[0, 0]] == 1.0
    assert row_b[m.var("storage.charge")[0, 0]] == -1.0
    assert row_b[m.var("lines.flow")[0, 0]] == 1.0
    assert row_b[m.var("buses.shed")[1, 0]] == 1.0
    assert m.row_lower[block.start + 3] == 5.0
    row_a = a.getrow(block.start).toarray().ravel()
    assert row_a[m.var("lines.flow")[0, 0]] == -1.0
    assert row_a[m.var("generators.dispatch")[0, 0]] == 1.0


# -- the array model's cost terms ------------------------------------------------------------


def test_cost_terms_broadcast_together_and_keep_any_label() -> None:
    """Columns (2 × 1), coefficients (2 × 3) and labels (2 × 1) broadcast together; −1 columns
    are dropped; a blank (NaN) label is kept as its own element; repeated columns add up in
    the cost vector, which is float even when no term has an entry."""
    import pandas as pd

    from gridopt.model.arrays import ArrayModel

    m = ArrayModel(pd.DatetimeIndex([]))
    m.add_variables("x", (pd.RangeIndex(4),))
    m.add_cost("f", "k", np.array([[0], [-1]]), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
               np.array([["a"], [np.nan]], dtype=object))
    m.add_cost("f", "k", np.array([0, 3]), 0.5, np.array([np.nan, "b"], dtype=object))
    np.testing.assert_allclose(m.cost_vector(), [6.5, 0.0, 0.0, 0.5])
    first, second = m.cost_terms
    assert first.cols.tolist() == [0, 0, 0] and first.elements.tolist() == ["a"] * 3
    assert second.elements[0] != second.elements[0]  # NaN: a label of its own
    empty = ArrayModel(pd.DatetimeIndex([]))
    empty.add_variables("x", (pd.RangeIndex(2),))
    empty.add_cost("f", "k", np.array([-1, -1]), 1.0, "a")
    assert empty.cost_vector().dtype == float and not empty.cost_vector().any()


def test_positions_beyond_int32_are_refused() -> None:
    """HiGHS indexes with 32-bit integers: a block that would pass 2³¹ − 1 positions raises
    instead of wrapping round to negative positions (which would read as "no variable")."""
    import pandas as pd

    from gridopt.model.arrays import ArrayModel

    m = ArrayModel(pd.DatetimeIndex([]))
    m.n_cols = 2**31 - 3
    with pytest.raises(OverflowError, match="HiGHS's limit"):
        m.add_variables("x", (pd.RangeIndex(5),))
