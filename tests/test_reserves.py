"""Operating reserves (``gridopt/components/reserves.py``, ``models/reserves.md``).

Hand optima on both backends (LP without commitment, MIP with it: prices from the LP with
the integers fixed), with the invariants of :func:`check_reserves` after every solve; the
requirement's right-hand side from load, wind and solar; the diagnosis of an unattainable
requirement; bad input; a case without reserves. Every case is one bus (unless a test says
otherwise), w = Δt = 1 h, costs VOM only, so MW, MWh and currency/MWh coincide.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.case import Case, CaseError
from gridopt.components.commitment import committable, units
from gridopt.components.reserves import add_reserves, requirement_mw
from gridopt.model.build import FAMILIES, build_model
from gridopt.results.write import write_results
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]
TOL = 1e-6


def req(name: str = "spin", direction: str = "up", **kw: Any) -> dict[str, Any]:
    """A reserves.csv row."""
    return {"name": name, "direction": direction, **kw}


def case_of(load: list[float], *generators: dict[str, Any], reserves: list[dict[str, Any]],
            **kw: Any) -> Case:
    return make_case(len(load), list(generators), {"load": load}, reserves=reserves, **kw)


def held(r: gridopt.Results, kind: str, direction: str) -> pd.DataFrame:
    """R^dir_{j,t}: each provider's reserve summed over its requirements of ``direction``
    (snapshots × providers)."""
    name = f"reserves.{kind}"
    table = r.case.table("generators" if kind == "generator" else "storage")
    out = pd.DataFrame(0.0, index=r.case.snapshots, columns=table.index)
    if name not in r.model.var_blocks:
        return out
    values = r.variable(name)
    up = r.case.table("reserves")["direction"].str.lower()
    for (k, j), col in values.items():
        if up[k] == direction:
            out[j] += col
    return out


def check_reserves(r: gridopt.Results) -> None:
    """Invariants of every solve: reserve ≥ 0; each requirement met (less its shortfall);
    generators: p + R^up ≤ a × capacity and p − R^down ≥ floor × capacity (capacity S u when
    committable, P̄ else), R ≤ r (1 h) × capacity; stores: d − c + R^up ≤ P, c − d + R^down ≤ P,
    Δt R^up / η^d ≤ e, η^c Δt R^down ≤ E − e."""
    case = r.case
    for kind in ("generator", "storage"):
        if f"reserves.{kind}" in r.model.var_blocks:
            assert (r.variable(f"reserves.{kind}").to_numpy() >= -TOL).all()
    need = pd.DataFrame(requirement_mw(case).T, index=case.snapshots,
                        columns=case.table("reserves").index)
    total = pd.DataFrame(0.0, index=need.index, columns=need.columns)
    for k in ("generator", "storage"):
        if f"reserves.{k}" in r.model.var_blocks:
            total = total.add(r.variable(f"reserves.{k}").T.groupby(level="requirement").sum().T,
                              fill_value=0.0)
    if "reserves.shortfall" in r.model.var_blocks:
        total = total.add(r.variable("reserves.shortfall"), fill_value=0.0)
    assert (total.reindex(columns=need.columns, fill_value=0.0) >= need - TOL).all().all()
    gens = case.table("generators")
    p = r.dispatch[gens.index]
    avail = case.series["availability_pu"][gens.index]
    cap = pd.DataFrame(np.broadcast_to(gens["p_nom_mw"].to_numpy(float), p.shape),
                       index=p.index, columns=p.columns)
    floor = np.minimum(gens["p_min_pu"].to_numpy(float), avail)
    if committable(case).any():
        un = units(case)
        cap[un.names] = r.variable("commitment.status")[un.names] * un.size
        floor[un.names] = np.broadcast_to(un.p_min, (len(p), len(un.names)))
    up, down = held(r, "generator", "up"), held(r, "generator", "down")
    assert (p + up <= avail * cap + TOL).all().all()
    assert (p - down >= floor * cap - TOL).all().all()
    for held_mw, rate in ((up, "ramp_up_pu_per_h"), (down, "ramp_down_pu_per_h")):
        assert (held_mw <= np.minimum(gens[rate].to_numpy(), 1.0) * cap + TOL).all().all()
    st = case.table("storage")
    if not st.empty:
        c, d, e = r.storage_charge, r.storage_discharge, r.storage_soc
        up, down = held(r, "storage", "up"), held(r, "storage", "down")
        power = st["p_nom_mw"].to_numpy()
        assert (d - c + up <= power + TOL).all().all()
        assert (c - d + down <= power + TOL).all().all()
        assert (up / st["eff_discharge"].to_numpy() <= e + TOL).all().all()
        assert (st["eff_charge"].to_numpy() * down <= st["e_nom_mwh"].to_numpy() - e + TOL
                ).all().all()


def solve_both(case: Case) -> list[gridopt.Results]:
    """Optimal on both backends with the same objective, and the invariants hold."""
    out = [gridopt.solve(case, backend=b) for b in BACKENDS]
    assert [x.status for x in out] == ["optimal", "optimal"]
    assert out[1].objective == pytest.approx(out[0].objective, rel=1e-6, abs=1e-6)
    for x in out:
        check_reserves(x)
    return out


# -- hand optima -------------------------------------------------------------------------------


def test_a_reserve_requirement_commits_a_second_unit() -> None:
    """Load 60 MW; committable 80 MW units 'a' (20/MWh, start-up 500) and 'b' (30/MWh,
    start-up 300), both off before the horizon, minimum stable output 0.25 (20 MW).

    Without reserve: start 'a' alone, 60 · 20 + 500 = 1,700 ('b' alone: 1,800 + 300).
    With 30 MW of up reserve: one unit at 60 has 20 MW of committed headroom (80 − 60) < 30,
    so both start (800); output least-cost with each ≥ 20: 'b' at its minimum 20, 'a' 40:
    800 + 600 + 800 = 2,200 (headroom 40 + 60 = 100 ≥ 30).

    Prices from the LP with the commitment fixed: 'a' is marginal, 20/MWh; with both units
    on the requirement does not bind there, so its price is 0 (the start-up it caused is paid
    in the MIP, not priced by the fixed LP).
    """
    kw = {"p_nom_mw": 80.0, "committable": True, "p_min_pu": 0.25, "units_on_initial": 0}
    a = gen("a", vom_per_mwh=20.0, startup_cost=500.0, **kw)
    b = gen("b", vom_per_mwh=30.0, startup_cost=300.0, **kw)
    for r in solve_both(case_of([60.0], a, b, reserves=[req(fixed_mw=0.0)])):
        assert r.objective == pytest.approx(1700.0)
    for r in solve_both(case_of([60.0], a, b, reserves=[req(fixed_mw=30.0)])):
        assert r.model.is_mip
        assert r.objective == pytest.approx(2200.0)
        assert r.variable("commitment.status").iloc[0].tolist() == pytest.approx([1.0, 1.0])
        assert r.dispatch.iloc[0].tolist() == pytest.approx([40.0, 20.0])
        assert r.prices["b"].iloc[0] == pytest.approx(20.0)
        assert r.reserve_prices["spin"].iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_the_reserve_price_is_the_opportunity_cost() -> None:
    """Load 100; 'cheap' 100 MW at 10/MWh holds reserve, 'dear' 100 MW at 50/MWh does not
    (``provides_reserve`` false). 30 MW up: cheap runs at most 70, dear 30:
    700 + 1,500 = 2,200 (without the requirement: 1,000).

    One more MW of requirement moves one MW of energy from cheap to dear: the reserve price is
    50 − 10 = 40/MW-h; dear is marginal for energy, 50/MWh.
    """
    cheap = gen("cheap", p_nom_mw=100.0, vom_per_mwh=10.0, provides_reserve=True)
    dear = gen("dear", p_nom_mw=100.0, vom_per_mwh=50.0, provides_reserve=False)
    for r in solve_both(case_of([100.0], cheap, dear, reserves=[req(fixed_mw=30.0)])):
        assert not r.model.is_mip
        assert r.objective == pytest.approx(2200.0)
        assert r.dispatch.iloc[0].tolist() == pytest.approx([70.0, 30.0])
        assert r.reserve_prices["spin"].iloc[0] == pytest.approx(40.0)
        assert r.prices["b"].iloc[0] == pytest.approx(50.0)
        assert r.reserves["reserve_mw"].tolist() == pytest.approx([30.0])


def test_down_reserve_is_held_above_the_minimum() -> None:
    """Load 60; 'cheap' 100 MW at 10/MWh does not hold reserve; 'dear' 100 MW at 50/MWh holds
    it, minimum 0.1 (10 MW). 20 MW down: dear must run at 10 + 20 = 30, cheap 30:
    300 + 1,500 = 1,800. One more MW of down reserve: dear +1, cheap −1, price 40/MW-h."""
    cheap = gen("cheap", p_nom_mw=100.0, vom_per_mwh=10.0, provides_reserve=False)
    dear = gen("dear", p_nom_mw=100.0, vom_per_mwh=50.0, p_min_pu=0.1, provides_reserve=True)
    for r in solve_both(case_of([60.0], cheap, dear,
                                reserves=[req("reg_down", "down", fixed_mw=20.0)])):
        assert r.objective == pytest.approx(1800.0)
        assert r.dispatch.iloc[0].tolist() == pytest.approx([30.0, 30.0])
        assert r.reserve_prices["reg_down"].iloc[0] == pytest.approx(40.0)


def test_the_ramp_limit_caps_reserve_and_a_shortfall_is_priced() -> None:
    """Load 50; 'cheap' 100 MW at 10/MWh ramps 0.2 of its capacity per hour (reserve is a
    60-minute product: at most 20 MW); 'dear' does not hold reserve. 30 MW up with a
    shortfall cost of 1,000/MW-h: cheap holds 20, 10 MW short: 500 + 10,000 = 10,500; the
    reserve price is the shortfall cost, 1,000."""
    cheap = gen("cheap", p_nom_mw=100.0, vom_per_mwh=10.0, ramp_up_pu_per_h=0.2,
                provides_reserve=True)
    dear = gen("dear", p_nom_mw=100.0, vom_per_mwh=50.0, provides_reserve=False)
    spin = req(fixed_mw=30.0, shortfall_cost_per_mwh=1000.0)
    for r in solve_both(case_of([50.0], cheap, dear, reserves=[spin])):
        assert r.objective == pytest.approx(10_500.0)
        assert r.variable("reserves.shortfall")["spin"].iloc[0] == pytest.approx(10.0)
        assert r.reserve_prices["spin"].iloc[0] == pytest.approx(1000.0)
        assert r.costs.loc[("reserves", "spin"), "shortfall"] == pytest.approx(10_000.0)


def test_load_and_wind_shares_set_the_requirement() -> None:
    """Two hours, load [100, 200]; wind 100 MW (carrier wind, no reserve) available
    [0.5, 0.2]; 'cheap' 200 MW at 10/MWh holds reserve, 'dear' 300 MW at 50/MWh does not.
    Requirement 10 + 0.1 · load + 0.2 · available wind = [10 + 10 + 10, 10 + 20 + 4] =
    [30, 34] MW.

    Hour 1: wind 50, cheap 50 (500), headroom 150. Hour 2: wind 20, net load 180; cheap at
    most 200 − 34 = 166 (1,660), dear 14 (700). Objective 2,860; reserve prices [0, 40].
    """
    wind = gen("wind", "wind", p_nom_mw=100.0)
    cheap = gen("cheap", p_nom_mw=200.0, vom_per_mwh=10.0, provides_reserve=True)
    dear = gen("dear", p_nom_mw=300.0, vom_per_mwh=50.0)
    spin = req(fixed_mw=10.0, load_share=0.1, wind_share=0.2)
    case = case_of([100.0, 200.0], wind, cheap, dear, reserves=[spin],
                   availability={"wind": [0.5, 0.2]})
    assert requirement_mw(case)[0].tolist() == pytest.approx([30.0, 34.0])
    for r in solve_both(case):
        assert r.objective == pytest.approx(2860.0)
        assert r.dispatch["dear"].tolist() == pytest.approx([0.0, 14.0])
        assert r.reserve_prices["spin"].tolist() == pytest.approx([0.0, 40.0])


def test_a_zonal_requirement_counts_its_buses_only() -> None:
    """Buses n and s; load 100 at n and 50 at s; wind 100 MW at n (available 0.5), solar
    40 MW at s. A requirement on n: 0.5 · 100 + 0.2 · 50 (wind at n) + 0.5 · 0 (no solar at
    n) = 60 MW, held by n's generator only; a system-wide one: 0.1 · 150 + 0.5 · 40 = 35.
    Wind 50 and solar 40 are free, gn gives the other 60 at 10/MWh: 600 (gn's headroom 140
    holds the 60 of n; gs's the system's 35)."""
    gens = [gen("wind", "wind", bus="n", p_nom_mw=100.0),
            gen("pv", "solar", bus="s", p_nom_mw=40.0),
            gen("gn", bus="n", p_nom_mw=200.0, vom_per_mwh=10.0, provides_reserve=True),
            gen("gs", bus="s", p_nom_mw=200.0, vom_per_mwh=20.0, provides_reserve=True)]
    reserves = [req("north", buses="n", load_share=0.5, wind_share=0.2, solar_share=0.5),
                req("all", load_share=0.1, solar_share=0.5)]
    case = make_case(1, gens, {"ln": [100.0], "ls": [50.0]}, buses=["n", "s"],
                     load_bus={"ln": "n", "ls": "s"},
                     lines=[{"name": "l", "bus0": "n", "bus1": "s", "cap_fwd_mw": 500.0}],
                     availability={"wind": [0.5]}, reserves=reserves)
    assert requirement_mw(case)[:, 0].tolist() == pytest.approx([60.0, 35.0])
    m = build_model(case)
    pairs = m.var_blocks["reserves.generator"].coords[0]
    assert list(pairs) == [("north", "gn"), ("all", "gn"), ("all", "gs")]
    for r in solve_both(case):
        assert r.objective == pytest.approx(600.0)


def test_storage_up_reserve_is_limited_by_its_energy() -> None:
    """Load 50; 'cheap' 100 MW at 10/MWh does not hold reserve; a 50 MW / 20 MWh store, full
    at the start (not cyclic), discharge efficiency 0.8. 20 MW up, shortfall 100/MW-h.

    Power allows 50 MW, but one hour of reserve must be in store: Δt r / η^d ≤ e, so
    r ≤ 0.8 · 20 = 16 MW (discharging d would cut it by d while saving only 10 per MWh):
    shortfall 4 → 500 + 400 = 900; reserve price 100."""
    cheap = gen("cheap", p_nom_mw=100.0, vom_per_mwh=10.0, provides_reserve=False)
    store = {"name": "bat", "bus": "b", "p_nom_mw": 50.0, "e_nom_mwh": 20.0,
             "eff_discharge": 0.8, "cyclic": False, "soc_initial_pu": 1.0}
    spin = req(fixed_mw=20.0, shortfall_cost_per_mwh=100.0)
    for r in solve_both(case_of([50.0], cheap, storage=[store], reserves=[spin])):
        assert r.objective == pytest.approx(900.0)
        assert r.variable("reserves.storage")[("spin", "bat")].iloc[0] == pytest.approx(16.0)
        assert r.reserve_prices["spin"].iloc[0] == pytest.approx(100.0)


def test_rows_of_a_committable_provider() -> None:
    """Structure: p + r ≤ a S u for a committable unit (2 × 50 MW, availability 0.9), the
    requirement Σ r ≥ R, and no down rows without a down requirement."""
    unit = gen("a", p_nom_mw=100.0, unit_size_mw=50.0, committable=True, vom_per_mwh=1.0)
    case = case_of([10.0], unit, reserves=[req(fixed_mw=5.0)], availability={"a": [0.9]})
    m = build_model(case)
    a = m.matrix("csr")
    p, u = m.var("generators.dispatch")[0, 0], m.var("commitment.status")[0, 0]
    r = m.var("reserves.generator")[0, 0]
    row = m.con_blocks["reserves.generator_up"].start
    got = dict(zip(a[row].indices.tolist(), a[row].data.tolist(), strict=True))
    assert got == pytest.approx({p: 1.0, r: 1.0, u: -45.0})
    assert m.row_upper[row] == 0.0
    req_row = m.con_blocks["reserves.requirement"].start
    assert m.row_lower[req_row] == 5.0
    assert "reserves.generator_down" not in m.con_blocks


# -- infeasibility, input, results -------------------------------------------------------------


def test_an_unattainable_requirement_is_infeasible_and_named() -> None:
    """150 MW of up reserve from a 100 MW generator cannot be held: infeasible; the
    diagnosis names the reserve requirement (short by 50 MW in the elastic solve) and the
    generator's headroom row."""
    from gridopt.diagnose import diagnose

    case = case_of([50.0], gen("cheap", p_nom_mw=100.0, vom_per_mwh=10.0,
                               provides_reserve=True), reserves=[req(fixed_mw=150.0)])
    assert gridopt.solve(case).status == "infeasible"
    report = diagnose(case)
    text = "\n".join(report.lines())
    assert "reserve 'spin' requirement (reserve held by its providers) at 2030-01-01 00:00: " \
           "≥ 150 MW" in text
    assert "generator 'cheap' output plus up reserve within its capacity" in text
    assert str(report.elastic[0]).startswith("reserve 'spin' requirement")
    assert "short by 50 MW" in str(report.elastic[0])


@pytest.mark.parametrize(("row", "file", "column", "rule"), [
    ({"direction": "sideways"}, "reserves.csv", "direction", "reserve-direction"),
    ({"buses": "b;nowhere"}, "reserves.csv", "buses", "unknown-reference"),
    ({"load_share": -0.1}, "reserves.csv", "load_share", "range"),
    ({"fixed_mw": "lots"}, "reserves.csv", "fixed_mw", "not-a-number"),
    ({"flag": "maybe"}, "generators.csv", "provides_reserve", "not-a-bool"),
])
def test_bad_reserve_data_is_refused(row: dict[str, Any], file: str, column: str,
                                     rule: str) -> None:
    """One problem naming the file, row 2 (the first data row), the column and the rule."""
    flag = row.pop("flag", "")
    g = gen("cheap", p_nom_mw=100.0, provides_reserve=flag)
    with pytest.raises(CaseError) as caught:
        case_of([10.0], g, reserves=[{**req(fixed_mw=5.0), **row}])
    assert [(p.file, p.row, p.column, p.rule) for p in caught.value.problems] == [
        (file, 2, column, rule)]


def test_a_case_without_reserves_is_unchanged() -> None:
    """No reserves.csv: the model is the one built without the reserves family, entry for
    entry (matrix, bounds, costs), and no reserve table is written."""
    gens = [gen("cheap", p_nom_mw=100.0, vom_per_mwh=10.0),
            gen("gas", p_nom_mw=100.0, vom_per_mwh=50.0, committable=True, p_min_pu=0.2)]
    case = make_case(3, gens, {"load": [50.0, 150.0, 80.0]})
    with_family = build_model(case)
    without = build_model(case, [f for f in FAMILIES if f is not add_reserves])
    assert (with_family.matrix() != without.matrix()).nnz == 0
    for attr in ("lower", "upper", "row_lower", "row_upper"):
        np.testing.assert_array_equal(getattr(with_family, attr), getattr(without, attr))
    np.testing.assert_array_equal(with_family.cost_vector(), without.cost_vector())
    assert list(with_family.con_blocks) == list(without.con_blocks)
    tables = gridopt.solve(case).tables()
    assert not {"reserves", "reserve_prices", "reserve_shortfall"} & set(tables)


def test_run_writes_reserves_and_reserve_prices(tmp_path: Path) -> None:
    """The results folder has reserves.csv (one row per snapshot, requirement and provider)
    and reserve_prices.csv (snapshots × requirements), the opportunity-cost case's."""
    cheap = gen("cheap", p_nom_mw=100.0, vom_per_mwh=10.0, provides_reserve=True)
    dear = gen("dear", p_nom_mw=100.0, vom_per_mwh=50.0, provides_reserve=False)
    r = gridopt.solve(case_of([100.0], cheap, dear, reserves=[req(fixed_mw=30.0)]))
    folder = write_results(r, tmp_path / "out")
    table = pd.read_csv(folder / "reserves.csv")
    assert list(table.columns) == ["snapshot", "requirement", "direction", "provider_type",
                                   "provider", "reserve_mw"]
    assert table[["requirement", "provider", "reserve_mw"]].values.tolist() == [
        ["spin", "cheap", 30.0]]
    prices = pd.read_csv(folder / "reserve_prices.csv", index_col=0)
    assert prices["spin"].tolist() == pytest.approx([40.0])
    assert not (folder / "reserves_generator.csv").exists()
