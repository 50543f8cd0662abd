"""Flexibility retrofit of committable generators (灵活性改造; ``models/commitment.md``,
"Flexibility retrofit").

Hand optima on both backends (objectives agree within the MIP gap), with the invariants of
:func:`check_retrofit` after every solve (y ≤ u, y ≤ R ≤ R̄, whole units, the retrofit floor
p ≥ p^min S (u − y) + p^r S y); exact rows; the input checks; a case without retrofit columns
builds the same model. One bus; the night-valley cases are annualised (3 snapshots, each
w = 8760 / 3 = 2,920 h) with discount rate 0, so a retrofit of lifetime 20 years costs
capex · S / 20 a year.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.case import Case, CaseError
from gridopt.components._common import annuity
from gridopt.components.commitment import retrofits, units
from gridopt.model.build import build_model
from gridopt.results.write import write_results
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]
#: HiGHS's default relative MIP gap: the two backends' optima may differ by this much.
MIP_GAP = 1e-4
TOL = 1e-6
#: Hours a year each of the 3 annualised snapshots stands for.
W = 8760.0 / 3


def coal(**kw: Any) -> dict[str, Any]:
    """'coal': one 100 MW committable unit at 10/MWh, minimum stable output 0.4 (40 MW),
    start-up cost 1,000, on before the horizon; a retrofit to 0.2 (20 MW) of lifetime 20 years
    (capex per MW in ``kw``)."""
    return gen("coal", "coal", **{"p_nom_mw": 100.0, "committable": True, "vom_per_mwh": 10.0,
                                  "p_min_pu": 0.4, "startup_cost": 1000.0,
                                  "retrofit_p_min_pu": 0.2, "retrofit_lifetime_yr": 20.0, **kw})


def valley(*generators: dict[str, Any], **kw: Any) -> Case:
    """Load [150, 60, 150] MW (a night valley in hour 2); 'wind' 100 MW at 0/MWh, available
    in full every hour; annualised."""
    return make_case(3, [*generators, gen("wind", "wind", p_nom_mw=100.0)],
                     {"load": [150.0, 60.0, 150.0]}, annualise=True, **kw)


def check_retrofit(r: gridopt.Results) -> None:
    """Invariants of a solution with retrofit options: R, y and u whole, 0 ≤ y_t ≤ u_t,
    y_t ≤ R ≤ R̄, and each committed unit at least at its (retrofitted) minimum."""
    un = units(r.case)
    rf = retrofits(r.case, un)
    u = r.variable("commitment.status")[un.names].to_numpy().T
    built = r.variable("commitment.retrofit")[rf.names].to_numpy()
    y = r.variable("commitment.retrofit_on")[rf.names].to_numpy().T
    for x in (u, built, y):
        np.testing.assert_allclose(x, np.rint(x), atol=TOL)
    assert (built >= -TOL).all() and (built <= rf.max_units + TOL).all()
    assert (y >= -TOL).all()
    assert (y <= u[rf.member] + TOL).all()
    assert (y <= built[:, None] + TOL).all()
    p = r.dispatch[un.names].to_numpy().T
    floor = un.p_min[:, None] * un.size[:, None] * u
    floor[rf.member] -= ((un.p_min[rf.member] - rf.p_min) * un.size[rf.member])[:, None] * y
    assert (p >= floor - TOL).all()


def solve_both(case: Case) -> list[gridopt.Results]:
    """Solve on both backends: optimal, the same optimum within the MIP gap, invariants."""
    out = [gridopt.solve(case, backend=b) for b in BACKENDS]
    assert [r.status for r in out] == ["optimal", "optimal"]
    assert out[1].objective == pytest.approx(out[0].objective, rel=MIP_GAP, abs=TOL)
    for r in out:
        check_retrofit(r)
    return out


# -- hand optima -------------------------------------------------------------------------------


@pytest.mark.parametrize(("capex", "built", "night", "objective"), [
    (100_000.0, 1.0, 20.0, W * 1200.0 + 500_000.0),  # 100 CNY/kW: built
    (500_000.0, 0.0, 40.0, W * 1400.0),  # 500 CNY/kW: not built, kept on at 40 MW
])
def test_a_retrofit_is_built_when_it_costs_less_than_it_saves(
        capex: float, built: float, night: float, objective: float) -> None:
    """Hours 1 and 3 (load 150): wind 100 + coal 50 = 500 each. Hour 2 (load 60), coal:

    - kept on at its minimum 40 MW, wind 20 (80 MW of wind spilled): 400;
    - cycled, off in hour 2 (wind 60: 0) and started again for hour 3: 1,000;
    - retrofitted, on at 20 MW, wind 40: 200.

    A year: kept on W (1,000 + 400) = W · 1,400 = 4,088,000; cycled W · 2,000 = 5,840,000;
    retrofitted W · 1,200 + capex · 100 MW / 20 yr. The retrofit saves W · 200 = 584,000 a
    year. At 100,000/MW (100 CNY/kW, the low end of LUZHOU-FACTS E) it costs 500,000 a year <
    584,000: R = 1, objective 3,504,000 + 500,000 = 4,004,000. At 500,000/MW (the high end)
    it costs 2,500,000 > 584,000: R = 0, the unit stays on at 40 MW, 4,088,000.
    """
    for r in solve_both(valley(coal(retrofit_capex_per_mw=capex))):
        assert r.objective == pytest.approx(objective)
        assert r.variable("commitment.retrofit")["coal"] == pytest.approx(built)
        assert r.variable("commitment.retrofit_on")["coal"].tolist() == \
            pytest.approx([0.0, built, 0.0], abs=TOL)
        assert r.variable("commitment.status")["coal"].tolist() == pytest.approx([1.0] * 3)
        assert r.dispatch["coal"].tolist() == pytest.approx([50.0, night, 50.0], abs=TOL)
        costs = r.costs.loc[("commitment", "coal")]
        assert costs["capital"] == pytest.approx(built * capex * 100.0 / 20.0)
        assert costs["startup"] == pytest.approx(0.0, abs=TOL)
        caps = r.capacities.loc[("generators", "coal")]
        assert (caps["retrofit_units"], caps["retrofit_mw"]) == pytest.approx((built,
                                                                              100.0 * built))
        assert np.isnan(r.capacities.loc[("generators", "wind"), "retrofit_units"])


def test_only_the_units_on_at_night_are_retrofitted() -> None:
    """The valley with 'coal' as two 50 MW units (minimum 20 MW each, 10 MW retrofitted), at
    most one of them retrofitted (R̄ = 1), capex 100,000/MW (one unit: 100,000 · 50 / 20 =
    250,000 a year). Hours 1 and 3: one unit at 50 (or two at 25), wind 100: 500 each. Hour 2:
    one unit on, at 20 MW (200) or retrofitted at 10 MW (100): the retrofit saves W · 100 =
    292,000 > 250,000, so R = 1 = y_2; objective W · 1,100 + 250,000 = 3,462,000 (without
    it W · 1,200 = 3,504,000). A second retrofit would save nothing (one unit is on at night).
    """
    fleet = coal(unit_size_mw=50.0, retrofit_max_units=1, retrofit_capex_per_mw=100_000.0)
    case = valley(fleet)
    assert build_model(case).upper[build_model(case).var("commitment.retrofit")].tolist() == [1.0]
    for r in solve_both(case):
        assert r.objective == pytest.approx(W * 1100.0 + 250_000.0)
        assert r.variable("commitment.retrofit")["coal"] == pytest.approx(1.0)
        assert r.variable("commitment.status")["coal"].iloc[1] == pytest.approx(1.0)
        assert r.variable("commitment.retrofit_on")["coal"].iloc[1] == pytest.approx(1.0)
        assert r.dispatch["coal"].iloc[1] == pytest.approx(10.0)


def test_a_retrofit_lets_a_unit_hold_down_reserve() -> None:
    """One hour, load 60, wind 100 MW free (no reserve), 'coal' on, 20 MW of down reserve,
    retrofit free (capex 0). Down reserve is held above the unit's floor: unretrofitted p ≥
    40 + 20 = 60 (coal 60, wind 0: 600), retrofitted p ≥ 20 + 20 = 40 (coal 40, wind 20: 400),
    so R = y = 1 and 400. The row of ``reserves.generator_down`` carries −(p^min − p^r) S y =
    −20 y."""
    case = make_case(1, [coal(retrofit_capex_per_mw=0.0, provides_reserve=True),
                         gen("wind", "wind", p_nom_mw=100.0, provides_reserve=False)],
                     {"load": [60.0]},
                     reserves=[{"name": "reg_down", "direction": "down", "fixed_mw": 20.0}])
    m = build_model(case)
    row = m.matrix("csr")[m.con_blocks["reserves.generator_down"].start]
    y, u = m.var("commitment.retrofit_on")[0, 0], m.var("commitment.status")[0, 0]
    entries = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
    assert (entries[u], entries[y]) == pytest.approx((40.0, -20.0))
    for r in solve_both(case):
        assert r.objective == pytest.approx(400.0)
        assert r.dispatch["coal"].iloc[0] == pytest.approx(40.0)
    plain = {k: v for k, v in coal().items() if not k.startswith("retrofit")}
    without = make_case(1, [{**plain, "provides_reserve": True},
                            gen("wind", "wind", p_nom_mw=100.0, provides_reserve=False)],
                        {"load": [60.0]},
                        reserves=[{"name": "reg_down", "direction": "down", "fixed_mw": 20.0}])
    assert solve_both_plain(without) == pytest.approx(600.0)


def solve_both_plain(case: Case) -> float:
    """The optimum of a case without retrofit options on both backends."""
    out = [gridopt.solve(case, backend=b) for b in BACKENDS]
    assert [r.status for r in out] == ["optimal", "optimal"]
    assert out[1].objective == pytest.approx(out[0].objective, rel=MIP_GAP, abs=TOL)
    return float(out[0].objective)


# -- structure and outputs ---------------------------------------------------------------------


def test_rows_and_annuity_of_a_retrofit_option() -> None:
    """Two 50 MW units, minimum 0.4, retrofit to 0.25 at 300,000/MW over 15 years at a 6 %
    discount rate: R ∈ [0, 2] and y_t ∈ [0, 2] integers; y_t − u_t ≤ 0, y_t − R ≤ 0;
    dispatch_lower p − 20 u + (0.4 − 0.25) · 50 y = p − 20 u + 7.5 y ≥ 0; the cost of R is
    CRF(6 %, 15) · 300,000 · 50 per unit a year under (commitment, capital)."""
    case = make_case(2, [coal(unit_size_mw=50.0, retrofit_p_min_pu=0.25,
                              retrofit_capex_per_mw=300_000.0, retrofit_lifetime_yr=15.0)],
                     {"load": [10.0, 10.0]}, discount_rate=0.06)
    m = build_model(case)
    a = m.matrix("csr")
    built = m.var("commitment.retrofit")
    y, u = m.var("commitment.retrofit_on")[0], m.var("commitment.status")[0]
    p = m.var("generators.dispatch")[0]
    assert m.upper[built].tolist() == [2.0] and m.upper[y].tolist() == [2.0, 2.0]
    assert m.integrality[np.r_[built, y]].all()

    def row(block: str, t: int) -> dict[int, float]:
        r = a[m.con_blocks[f"commitment.{block}"].start + t]
        return dict(zip(r.indices.tolist(), r.data.tolist(), strict=True))

    assert row("retrofit_status", 1) == {y[1]: 1.0, u[1]: -1.0}
    assert row("retrofit_built", 1) == {y[1]: 1.0, built[0]: -1.0}
    assert row("dispatch_lower", 1) == pytest.approx({p[1]: 1.0, u[1]: -20.0, y[1]: 7.5})
    crf = float(annuity(0.06, 15.0))
    assert m.cost_vector()[built[0]] == pytest.approx(crf * 300_000.0 * 50.0)


def test_a_case_without_retrofit_columns_builds_the_same_model() -> None:
    """No retrofit option (columns absent, or present and blank): no retrofit blocks, and the
    same matrix, bounds, integrality and costs as before."""
    plain = {k: v for k, v in coal().items() if not k.startswith("retrofit")}
    blank = {**plain, "retrofit_p_min_pu": None, "retrofit_capex_per_mw": None,
             "retrofit_lifetime_yr": None, "retrofit_max_units": None}
    models = [build_model(valley(g)) for g in (plain, blank)]
    for m in models:
        assert not any("retrofit" in k for k in {**m.var_blocks, **m.con_blocks})
        a = m.matrix("csr")
        r = a[m.con_blocks["commitment.dispatch_lower"].start]
        p, u = m.var("generators.dispatch")[0, 0], m.var("commitment.status")[0, 0]
        assert dict(zip(r.indices.tolist(), r.data.tolist(), strict=True)) == {p: 1.0,
                                                                             u: -40.0}
    first, second = models
    assert (first.matrix("csr") != second.matrix("csr")).nnz == 0
    for attr in ("lower", "upper", "row_lower", "row_upper", "integrality"):
        np.testing.assert_array_equal(getattr(first, attr), getattr(second, attr))
    np.testing.assert_array_equal(first.cost_vector(), second.cost_vector())
    r = gridopt.solve(valley(plain))
    assert r.objective == pytest.approx(W * 1400.0)
    assert "retrofit_units" not in r.capacities and "retrofit_on" not in r.commitment


def test_run_writes_retrofits(tmp_path: Path) -> None:
    """capacities.csv has retrofit_units and retrofit_mw (blank for generators without an
    option), commitment.csv retrofit_on (the cheap-retrofit solution above)."""
    r = gridopt.solve(valley(coal(retrofit_capex_per_mw=100_000.0)))
    folder = write_results(r, tmp_path / "out")
    caps = pd.read_csv(folder / "capacities.csv").set_index("name")
    assert caps.loc["coal", "retrofit_units"] == pytest.approx(1.0)
    assert caps.loc["coal", "retrofit_mw"] == pytest.approx(100.0)
    assert np.isnan(caps.loc["wind", "retrofit_units"])
    table = pd.read_csv(folder / "commitment.csv")
    assert table["retrofit_on"].round(6).tolist() == [0.0, 1.0, 0.0]


# -- input checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(("row", "column", "rule"), [
    ({"retrofit_p_min_pu": 0.4}, "retrofit_p_min_pu", "retrofit-p-min"),  # = p_min_pu
    ({"retrofit_p_min_pu": 0.5}, "retrofit_p_min_pu", "retrofit-p-min"),
    ({"retrofit_p_min_pu": None, "retrofit_capex_per_mw": 1.0}, "retrofit_p_min_pu",
     "retrofit-p-min"),
    ({"retrofit_capex_per_mw": -1.0}, "retrofit_capex_per_mw", "range"),
    ({"retrofit_lifetime_yr": 0.0}, "retrofit_lifetime_yr", "range"),
    ({"retrofit_max_units": 2.0}, "retrofit_max_units", "retrofit-units"),  # N = 1
    ({"retrofit_max_units": 0.5}, "retrofit_max_units", "retrofit-units"),
    ({"retrofit_max_units": -1.0}, "retrofit_max_units", "range"),
])
def test_bad_retrofit_data_is_refused(row: dict[str, Any], column: str, rule: str) -> None:
    """One problem at generators.csv, row 3 (the second generator), naming the column and the
    rule (the retrofit columns on a generator that is not committable: the next test)."""
    good = gen("cheap", "coal", p_nom_mw=100.0)
    with pytest.raises(CaseError) as caught:
        make_case(1, [good, coal(**row)], {"load": [10.0]})
    assert [(p.file, p.row, p.column, p.rule) for p in caught.value.problems] == [
        ("generators.csv", 3, column, rule)]
    assert column in caught.value.problems[0].message


def test_retrofit_columns_on_a_generator_that_is_not_committable_are_each_named() -> None:
    """Every retrofit column given on a generator that is not committable is named."""
    wind = gen("wind", "wind", p_nom_mw=100.0, retrofit_p_min_pu=0.1,
               retrofit_capex_per_mw=1.0, retrofit_lifetime_yr=10.0, retrofit_max_units=1)
    with pytest.raises(CaseError) as caught:
        make_case(1, [wind], {"load": [10.0]})
    assert [(p.row, p.column, p.rule) for p in caught.value.problems] == [
        (2, c, "retrofit-committable") for c in ("retrofit_p_min_pu", "retrofit_capex_per_mw",
                                                 "retrofit_lifetime_yr", "retrofit_max_units")]
