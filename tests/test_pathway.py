"""Several planning years (``gridopt.pathway``, ``models/pathway.md``): hand optima.

The usual system: one bus, one snapshot per year, annualised (w = 8760 h), discount rate
r = 0.1, modelled years 2025 and 2030, each standing for five years (``final_span_yr: 5``),
costs discounted to 1 January 2025. Then

- W_2025 = Σ_{k=0}^{4} 1.1^{−k} = (1 − 1.1^{−5}) / (1 − 1.1^{−1}) (the closed form of the
  geometric sum, an independent computation of the weight gridopt sums term by term),
- W_2030 = 1.1^{−5} · W_2025,
- the annuity of a lifetime of L years is CRF(L) = r / (1 − (1 + r)^{−L}).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gridopt.case.build import case_from_tables
from gridopt.case.case import Case, CaseError
from gridopt.cli import app
from gridopt.pathway import pathway_of, solve_pathway, year_case
from gridopt.periods import aggregate
from tests.factory import gen

BACKENDS = ["highs", "pyomo"]
R = 0.1
W25 = (1 - 1.1 ** -5) / (1 - 1.1 ** -1)
W30 = 1.1 ** -5 * W25
HOURS = 8760.0


def crf(lifetime: float) -> float:
    return R / (1 - (1 + R) ** -lifetime)


def pathway_case(generators: list[dict[str, Any]], load: list[float] | None = None,
                 pathway: dict[str, Any] | None = None, **tables: Any) -> Case:
    """One bus 'b', load 'city' (100 MW in one snapshot unless ``load``), annualised,
    r = 0.1, pathway 2025 and 2030 with five years each unless ``pathway`` says more."""
    load = load or [100.0]
    config = {"name": "pathway-test", "currency": "EUR", "voll_per_mwh": 10_000.0,
              "discount_rate": R,
              "snapshots": {"start": "2030-01-01 00:00", "hours": len(load), "annualise": True},
              "pathway": {"years": [2025, 2030], "final_span_yr": 5, **(pathway or {})}}
    frames = {"buses": pd.DataFrame({"name": ["b"]}),
              "generators": pd.DataFrame(generators),
              "loads": pd.DataFrame({"name": ["city"], "bus": ["b"]}),
              **{k: pd.DataFrame(v) for k, v in tables.items()}}
    series = {"load_mw": pd.DataFrame({"hour": range(1, len(load) + 1), "city": load})}
    return case_from_tables(config, frames, series)


def old_and_new(capex: float, lifetime: float, new_vom: float, **new: Any) -> list[dict]:
    """'old': 100 MW at 50/MWh, retiring in 2030; 'new': extendable at ``capex``/MW."""
    return [gen("old", p_nom_mw=100.0, vom_per_mwh=50.0, retire_year=2030),
            gen("new", extendable=True, capex_per_mw=capex, lifetime_yr=lifetime,
                vom_per_mwh=new_vom, **new)]


def test_weights_are_the_discounted_years_each_year_stands_for() -> None:
    p = pathway_of(pathway_case(old_and_new(1e6, 5, 10.0)))
    assert p.spans == (5, 5) and p.base_year == 2025
    assert p.weights == pytest.approx([W25, W30], rel=1e-12)
    # a base year before the first modelled year discounts every year further
    p = pathway_of(pathway_case(old_and_new(1e6, 5, 10.0), pathway={"base_year": 2020}))
    assert p.weights == pytest.approx([1.1 ** -5 * W25, 1.1 ** -10 * W25], rel=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("lifetime", "built_2030"), [(5.0, 100.0), (10.0, 0.0)])
def test_a_vintage_that_retires_is_built_again(backend: str, lifetime: float,
                                               built_2030: float) -> None:
    """'new' at capex 1e6/MW and 10/MWh against 'old' at 50/MWh: per MW-year new costs
    a + 10 · 8760 with a = CRF(L) · 1e6, old 50 · 8760 = 438,000. With L = 5,
    a = 263,797.48, so new (351,397.48) beats old in 2025: 100 MW built in 2025. That vintage
    is in service 2025–2029 only (lifetime 5), and old retires in 2030, so 100 MW are built
    again in 2030. With L = 10 (a = 162,745.39) the 2025 vintage serves both years and
    nothing is built in 2030. Either way each year pays 100 · a + 100 · 10 · 8760 (the
    annuity of the capacity in service that year), so the objective is
    (W_2025 + W_2030) · (100 a + 8.76e6), and the price of each year is a / 8760 + 10 where a
    MW more must be built for that year alone (L = 5)."""
    r = solve_pathway(pathway_case(old_and_new(1e6, lifetime, 10.0)), backend=backend)
    assert r.ok
    a = crf(lifetime) * 1e6
    assert r.objective == pytest.approx((W25 + W30) * (100 * a + 100 * 10 * HOURS), rel=1e-9)
    built = r.built.loc[("generators", "p_new", "new")]
    assert built.to_numpy() == pytest.approx([100.0, built_2030], abs=1e-6)
    caps = r.capacities
    assert caps.loc[(2025, "generators", "old"), "total_mw"] == pytest.approx(100.0)
    assert caps.loc[(2030, "generators", "old"), "total_mw"] == pytest.approx(0.0)
    assert caps.loc[(2030, "generators", "new"), "new_mw"] == pytest.approx(100.0)
    annual = r.weights_table()["annual_cost"]
    assert annual.to_numpy() == pytest.approx([100 * a + 876_000.0 * 10] * 2, rel=1e-9)
    assert (r.weights_table()["discounted_weight"] * annual).sum() == \
        pytest.approx(r.objective, rel=1e-12)
    if lifetime == 5.0:
        for year in (2025, 2030):
            price = r.years[year].prices.iloc[0, 0]
            assert price == pytest.approx(a / HOURS + 10.0, rel=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_expensive_plant_is_built_only_when_the_old_one_retires(backend: str) -> None:
    """capex 1.5e6, L = 5: a = 395,696.22, new (483,296.22 per MW-year) loses to old in 2025;
    in 2030 old is gone and 100 MW are built. Objective:
    W_2025 · 100 · 50 · 8760 + W_2030 · (100 a + 100 · 10 · 8760)."""
    r = solve_pathway(pathway_case(old_and_new(1.5e6, 5.0, 10.0)), backend=backend)
    a = crf(5.0) * 1.5e6
    assert r.objective == pytest.approx(W25 * 100 * 50 * HOURS + W30 * (100 * a + 100 * 10
                                                                         * HOURS), rel=1e-9)
    assert r.built.loc[("generators", "p_new", "new")].to_numpy() == pytest.approx([0, 100])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_build_rate_limit_spreads_investment_over_years(backend: str) -> None:
    """Load 50 MW in 2025 (``load_scale`` 0.5) and 100 MW in 2030; 'new' costs as much to run
    as 'old' (50/MWh), so building early saves nothing and costs annuities: without a limit
    100 MW are built in 2030. At 10 MW a year, at most 10 · 5 = 50 MW may be built for 2030,
    so the other 50 MW are built for 2025 (its own five years: Δ_2025 = 5). With
    a = CRF(30) · 1e6 = 106,079.25 the objective is
    W_2025 (50 · 50 · 8760 + 50 a) + W_2030 (100 · 50 · 8760 + 100 a)."""
    scale = {"load_scale": {2025: 0.5}}
    free = solve_pathway(pathway_case(old_and_new(1e6, 30.0, 50.0), pathway=scale),
                         backend=backend)
    assert free.built.loc[("generators", "p_new", "new")].to_numpy() == pytest.approx([0, 100])
    limited = solve_pathway(pathway_case(old_and_new(1e6, 30.0, 50.0,
                                                     build_rate_max_mw_per_yr=10.0),
                                         pathway=scale), backend=backend)
    built = limited.built.loc[("generators", "p_new", "new")]
    assert built.to_numpy() == pytest.approx([50.0, 50.0], abs=1e-6)
    a = crf(30.0) * 1e6
    assert limited.objective == pytest.approx(
        W25 * (50 * 50 * HOURS + 50 * a) + W30 * (100 * 50 * HOURS + 100 * a), rel=1e-9)
    assert free.objective == pytest.approx(
        W25 * 50 * 50 * HOURS + W30 * (100 * 50 * HOURS + 100 * a), rel=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_whole_units_per_vintage(backend: str) -> None:
    """Units of 30 MW, L = 5, capex 1e6 (a = 263,797.48): in 2025 each unit saves
    30 · 40 · 8760 = 10.5 M a year against 'old' and costs 30 a = 7.9 M, so 3 units (90 MW)
    replace 90 MW of old; a 4th would save only the last 10 MW (3.5 M). In 2030 old is gone:
    4 units (120 MW) for 100 MW. Each vintage is a whole number of units (the 2030 one is 4,
    not 120 − 90 = 30 MW: the 2025 vintage has retired). Objective:
    W_2025 (90 a + 90 · 10 · 8760 + 10 · 50 · 8760) + W_2030 (120 a + 100 · 10 · 8760)."""
    r = solve_pathway(pathway_case(old_and_new(1e6, 5.0, 10.0, unit_size_mw=30.0)),
                      backend=backend)
    assert r.ok
    built = r.built.loc[("generators", "p_new", "new")].to_numpy()
    assert built == pytest.approx([90.0, 120.0], abs=1e-6)
    a = crf(5.0) * 1e6
    assert r.objective == pytest.approx(
        W25 * (90 * a + 90 * 10 * HOURS + 10 * 50 * HOURS)
        + W30 * (120 * a + 100 * 10 * HOURS), rel=1e-9)


def wind_targets() -> list[dict[str, Any]]:
    return [{"name": "wind-2025", "year": 2025, "kind": "capacity_min", "bound": 10.0,
             "unit": "MW", "carrier": "wind", "enforce": False},
            {"name": "wind-2030", "year": 2030, "kind": "capacity_min", "bound": 40.0,
             "unit": "MW", "carrier": "wind", "enforce": True},
            {"name": "wind-2035", "year": 2035, "kind": "capacity_min", "bound": 80.0,
             "unit": "MW", "carrier": "wind", "enforce": False}]


@pytest.mark.parametrize("backend", BACKENDS)
def test_targets_are_declared_and_judged_per_year(backend: str) -> None:
    """Wind (capex 2e6, L = 30, no energy: availability 0) is built only because the 2030
    target asks for 40 MW: in 2030, not in 2025 (where it would pay annuities for nothing).
    The 2025 target (10 MW, reported) fails in 2025 with 0 MW; the 2030 one binds with shadow
    price a = CRF(30) · 2e6 per MW-year (the year's own annual unit: duals / W_2030); the 2035
    one is not modelled."""
    gens = [gen("old", p_nom_mw=200.0, vom_per_mwh=50.0),
            gen("wind", "wind", extendable=True, capex_per_mw=2e6, lifetime_yr=30.0,
                p_max_pu=0.0)]
    r = solve_pathway(pathway_case(gens, targets=wind_targets()), backend=backend)
    assert r.built.loc[("generators", "p_new", "wind")].to_numpy() == pytest.approx([0, 40])
    v = r.targets
    assert v.loc["wind-2025", "verdict"] == "FAIL"
    assert v.loc["wind-2025", "achieved"] == pytest.approx(0.0, abs=1e-9)
    assert v.loc["wind-2030", "verdict"] == "PASS"
    assert v.loc["wind-2030", "shadow_price"] == pytest.approx(crf(30.0) * 2e6, rel=1e-9)
    assert v.loc["wind-2035", "verdict"] == "not modelled (the pathway models 2025, 2030)"
    assert list(v["year"].astype(int)) == [2025, 2030, 2035]


@pytest.mark.parametrize("backend", BACKENDS)
def test_representative_periods_with_several_years(backend: str) -> None:
    """Two days of hours, each day its own representative period (K = N = 2): the pathway on
    the aggregated case equals the pathway on the full horizon."""
    load = [60.0 + 40.0 * np.sin(np.pi * h / 24.0) ** 2 for h in range(24)]
    load += [0.8 * x for x in load]
    gens = [gen("old", p_nom_mw=80.0, vom_per_mwh=50.0, retire_year=2030),
            gen("new", extendable=True, capex_per_mw=5e5, lifetime_yr=20.0, vom_per_mwh=20.0)]
    storage = [{"name": "bat", "bus": "b", "extendable": True, "duration_h": 4.0,
                "capex_per_mw": 2e5, "lifetime_yr": 15.0}]
    case = pathway_case(gens, load, pathway={"load_scale": {2030: 1.2}}, storage=storage)
    full = solve_pathway(case, backend=backend)
    agg = solve_pathway(aggregate(case, 2, 24.0, keep_peak=False), backend=backend)
    assert full.ok and agg.ok
    assert agg.objective == pytest.approx(full.objective, rel=1e-7)
    assert agg.capacity_path().to_numpy() == pytest.approx(full.capacity_path().to_numpy(),
                                                           rel=1e-6, abs=1e-6)


def test_balances_close_in_every_year() -> None:
    """Invariant: in each year, generation + storage discharge − charge + shed = demand."""
    load = [60.0, 100.0, 80.0]
    gens = old_and_new(1e6, 5.0, 10.0)
    storage = [{"name": "bat", "bus": "b", "extendable": True, "duration_h": 2.0,
                "capex_per_mw": 1e4, "lifetime_yr": 15.0}]
    r = solve_pathway(pathway_case(gens, load, {"load_scale": {2030: 1.5}}, storage=storage))
    for year, res in r.years.items():
        supply = res.dispatch.sum(axis=1) + res.storage_discharge.sum(axis=1) \
            - res.storage_charge.sum(axis=1) + res.load_shed.sum(axis=1)
        scale = 1.5 if year == 2030 else 1.0
        assert supply.to_numpy() == pytest.approx(np.array(load) * scale, abs=1e-6)
        assert res.case.snapshots[0].year == year


def test_year_case_moves_snapshots_scales_load_and_retires() -> None:
    gens = [gen("a", p_nom_mw=10.0, build_year=2028), gen("b", p_nom_mw=20.0, retire_year=2030),
            gen("c", p_nom_mw=30.0)]
    case = pathway_case(gens, [5.0, 6.0], pathway={"load_scale": {2025: 2.0}})
    c25, c30 = year_case(case, 2025, 2.0), year_case(case, 2030)
    assert str(c25.snapshots[0]) == "2025-01-01 00:00:00"
    assert c25.series["load_mw"]["city"].tolist() == [10.0, 12.0]
    assert c25.table("generators")["p_nom_mw"].tolist() == [0.0, 20.0, 30.0]
    assert c30.table("generators")["p_nom_mw"].tolist() == [10.0, 0.0, 30.0]
    assert "pathway" not in c30.config


def test_a_single_year_case_counts_existing_capacity_in_its_year() -> None:
    """Without ``pathway`` the case's year (2030) decides: retired in 2030 → 0 MW; built in
    2031 → 0 MW; built 2029, retiring 2031 → in service."""
    config = {"name": "t", "currency": "EUR", "voll_per_mwh": 1000.0,
              "snapshots": {"start": "2030-01-01 00:00", "hours": 1}}
    frames = {"buses": pd.DataFrame({"name": ["b"]}),
              "generators": pd.DataFrame([gen("a", p_nom_mw=10.0, retire_year=2030),
                                          gen("b", p_nom_mw=10.0, build_year=2031),
                                          gen("c", p_nom_mw=10.0, build_year=2029,
                                              retire_year=2031)]),
              "loads": pd.DataFrame({"name": ["city"], "bus": ["b"]})}
    case = case_from_tables(config, frames, {"load_mw": pd.DataFrame({"hour": [1],
                                                                      "city": [5.0]})})
    assert case.table("generators")["p_nom_mw"].tolist() == [0.0, 0.0, 10.0]


@pytest.mark.parametrize(("pathway", "key", "words"), [
    ({"years": [2030, 2025]}, "pathway", "must increase"),
    ({"years": [2025, 2030], "base_year": 2026}, "pathway", "after the first"),
    ({"years": [2025, 2030], "load_scale": {2035: 1.2}}, "pathway", "not modelled"),
    ({"years": [2025, 2030], "final_span": 5}, "pathway.final_span", "did you mean"),
    ({"years": []}, "pathway.years", ""),
    ({"years": [2025, 2030], "load_scale": {2025: -1}}, "pathway.load_scale", ""),
])
def test_bad_pathway_settings_are_named(pathway: dict, key: str, words: str) -> None:
    with pytest.raises(CaseError) as exc:
        pathway_case(old_and_new(1e6, 5.0, 10.0), pathway=pathway)
    problem = exc.value.problems[0]
    assert problem.file == "case.yaml"
    assert (problem.column or "").startswith(key)
    assert words in problem.message


def test_build_year_after_retire_year_is_refused() -> None:
    with pytest.raises(CaseError) as exc:
        pathway_case([gen("a", p_nom_mw=10.0, build_year=2031, retire_year=2030)])
    p = exc.value.problems[0]
    assert (p.file, p.row, p.column, p.rule) == ("generators.csv", 2, "build_year", "min-le-max")


def test_a_single_year_solve_of_a_pathway_case_is_refused() -> None:
    import gridopt

    with pytest.raises(ValueError, match="several years"):
        gridopt.solve(pathway_case(old_and_new(1e6, 5.0, 10.0)))


def test_the_retrofit_is_refused_in_a_pathway() -> None:
    gens = [gen("coal", "coal", p_nom_mw=300.0, committable=True, unit_size_mw=300.0,
                p_min_pu=0.5, retrofit_p_min_pu=0.3, vom_per_mwh=20.0)]
    with pytest.raises(ValueError, match="retrofit"):
        solve_pathway(pathway_case(gens))


def write_folder(folder: Path, case: Case) -> None:
    """A pathway case as a folder (what a user writes)."""
    folder.mkdir()
    (folder / "case.yaml").write_text(
        "name: pathway-cli\ncurrency: EUR\nvoll_per_mwh: 10000\ndiscount_rate: 0.1\n"
        "snapshots: {start: '2030-01-01 00:00', hours: 1}\n"
        "pathway: {years: [2025, 2030], final_span_yr: 5}\n")
    (folder / "buses.csv").write_text("name\nb\n")
    (folder / "loads.csv").write_text("name,bus\ncity,b\n")
    (folder / "load_mw.csv").write_text("hour,city\n1,100\n")
    (folder / "generators.csv").write_text(
        "name,bus,carrier,p_nom_mw,vom_per_mwh,extendable,capex_per_mw,lifetime_yr,"
        "retire_year,p_max_pu\n"
        "old,b,gas,100,50,false,0,25,2030,1\n"
        "new,b,gas,0,10,true,1000000,5,,1\n"
        "wind,b,wind,0,0,true,2000000,30,,0\n")
    pd.DataFrame(wind_targets()).to_csv(folder / "targets.csv", index=False)


def test_gridopt_run_prints_the_capacity_path_and_verdicts_per_year(tmp_path: Path) -> None:
    write_folder(tmp_path / "case", None)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(tmp_path / "case"), "--out", str(out)],
                             terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "capacity path" in res.output and "PASS" in res.output and "FAIL" in res.output
    assert "discounted to 1 January 2025" in res.output
    path = pd.read_csv(out / "capacity_path.csv", index_col=0)
    assert path.loc["wind", "2030"] == pytest.approx(40.0)
    assert path.loc["gas", "2025"] == pytest.approx(200.0)  # old 100 + new 100
    caps = pd.read_csv(out / "capacities.csv")
    assert sorted(set(caps["year"])) == [2025, 2030]
    targets = pd.read_csv(out / "targets.csv", index_col=0)
    assert targets.loc["wind-2030", "verdict"] == "PASS"
    assert (out / "built.csv").exists() and (out / "pathway.csv").exists()
    dispatch = pd.read_csv(out / "dispatch.csv")
    assert list(dispatch.columns[:2]) == ["year", "snapshot"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_lines_and_links_are_built_in_vintages(backend: str) -> None:
    """Two buses: 'cheap' (10/MWh, 200 MW) at a, the load (100 MW, × 1.5 in 2030) at b with
    'dear' (100/MWh, 200 MW). An extendable line a → b (capex 1e6/MW, L = 40) and an extendable
    link a → b (efficiency 1, capex 2e6/MW, L = 40): the line is cheaper, so it carries the
    whole trade: a per MW-year = CRF(40) · 1e6 = 102,259.41 < the saving 90 · 8760 = 788,400,
    so the line is built to the load: 100 MW for 2025 and 50 MW more for 2030 (vintages), the
    link not at all. Objective: W_2025 (100 a + 100 · 10 · 8760)
    + W_2030 (150 a + 150 · 10 · 8760)."""
    config = {"name": "net", "currency": "EUR", "voll_per_mwh": 10_000.0, "discount_rate": R,
              "snapshots": {"start": "2030-01-01 00:00", "hours": 1},
              "pathway": {"years": [2025, 2030], "final_span_yr": 5, "load_scale": {2030: 1.5}}}
    frames = {"buses": pd.DataFrame({"name": ["a", "b"]}),
              "generators": pd.DataFrame([gen("cheap", bus="a", p_nom_mw=200.0,
                                              vom_per_mwh=10.0),
                                          gen("dear", bus="b", p_nom_mw=200.0,
                                              vom_per_mwh=100.0)]),
              "loads": pd.DataFrame({"name": ["city"], "bus": ["b"]}),
              "lines": pd.DataFrame([{"name": "ab", "bus0": "a", "bus1": "b", "cap_fwd_mw": 0.0,
                                      "extendable": True, "capex_per_mw": 1e6,
                                      "lifetime_yr": 40.0}]),
              "links": pd.DataFrame([{"name": "hvdc", "bus0": "a", "bus1": "b",
                                      "extendable": True, "capex_per_mw": 2e6,
                                      "lifetime_yr": 40.0}])}
    case = case_from_tables(config, frames, {"load_mw": pd.DataFrame({"hour": [1],
                                                                      "city": [100.0]})})
    r = solve_pathway(case, backend=backend)
    assert r.ok
    assert r.built.loc[("lines", "p_new", "ab")].to_numpy() == pytest.approx([100, 50], abs=1e-6)
    assert r.built.loc[("links", "p_new", "hvdc")].to_numpy() == pytest.approx([0, 0], abs=1e-6)
    a = crf(40.0) * 1e6
    assert r.objective == pytest.approx(W25 * (100 * a + 100 * 10 * HOURS)
                                        + W30 * (150 * a + 150 * 10 * HOURS), rel=1e-9)


def test_the_shipped_luzhou_pathway_solves_its_first_two_days() -> None:
    """data/luzhou-pathway (built by scripts/build_luzhou_case.py): three years, the 2030
    case's tables; on its first 48 h each year's load is the 2030 load × the year's scale, the
    plan's enforced wind target of 2030 holds in 2030, and each year's verdicts are its own."""
    from gridopt.data import case_path
    from gridopt.solve import as_case

    case = as_case(case_path("luzhou-pathway"))
    p = pathway_of(case)
    assert p.years == (2025, 2030, 2035) and p.spans == (5, 5, 5)
    assert p.load_scale == pytest.approx({2025: 1.05 ** -5, 2035: 1.05 ** 5}, rel=1e-6)
    r = solve_pathway(case.first_hours(48))
    assert r.ok
    base = case.series["load_mw"].iloc[:48].to_numpy()
    for year, scale in ((2025, 1.05 ** -5), (2030, 1.0), (2035, 1.05 ** 5)):
        demand = r.years[year].demand.to_numpy()
        assert demand.sum() == pytest.approx(base.sum() * scale, rel=1e-5)
    v = r.targets
    assert v.loc["T2-wind-2030", "verdict"] == "PASS"
    assert set(v.loc[["T1-peak-response-2025", "T1-peak-response-2035"], "year"]) == {2025, 2035}
    wind = r.capacity_path().loc["wind"]  # built wind lasts 30 years: it never falls
    assert wind[2030] >= 600.0 - 1e-6
    assert np.all(np.diff(wind.to_numpy()) >= -1e-6) and wind[2025] >= 250.0 - 1e-6


def test_one_year_commands_refuse_a_pathway_and_export_writes_all_years(tmp_path: Path) -> None:
    """peak-response measures one year (refused with the reason, exit 1); export writes the one
    model of every year (its columns: both years' and the vintages)."""
    write_folder(tmp_path / "case", None)
    runner = CliRunner()
    res = runner.invoke(app, ["peak-response", str(tmp_path / "case"), "--out",
                              str(tmp_path / "pr")])
    assert res.exit_code == 1 and "one year" in res.output
    assert not (tmp_path / "pr").exists()
    res = runner.invoke(app, ["run", str(tmp_path / "case"), "--rolling", "24:12", "--out",
                              str(tmp_path / "r")])
    assert res.exit_code == 1 and not (tmp_path / "r").exists()
    res = runner.invoke(app, ["export", str(tmp_path / "case"), "--format", "lp", "--out",
                              str(tmp_path / "m.lp")])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "m.lp").read_text()
    assert "y2025_generators" in text and "y2030_buses" in text
    assert "pathway" in text


def changes(*rows: tuple) -> list[dict[str, Any]]:
    return [dict(zip(("year", "table", "name", "column", "value"), r, strict=True))
            for r in rows]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_falling_capex_makes_the_plan_wait(backend: str) -> None:
    """'new' (10/MWh, L = 30) costs 4e6/MW in 2025 and, from 2030 on (pathway_changes.csv),
    2e6. In 2025 a = CRF(30) · 4e6 = 424,317.03 > the saving 40 · 8760 = 350,400 against
    'old' (50/MWh): nothing is built. In 2030 a = 212,158.51 < 350,400: 100 MW are built.
    Objective W_2025 · 100 · 50 · 8760 + W_2030 (100 a_2030 + 100 · 10 · 8760)."""
    gens = [gen("old", p_nom_mw=100.0, vom_per_mwh=50.0),
            gen("new", extendable=True, capex_per_mw=4e6, lifetime_yr=30.0, vom_per_mwh=10.0)]
    case = pathway_case(gens, pathway_changes=changes((2030, "generators", "new",
                                                       "capex_per_mw", 2e6)))
    r = solve_pathway(case, backend=backend)
    assert r.built.loc[("generators", "p_new", "new")].to_numpy() == pytest.approx([0, 100])
    a30 = crf(30.0) * 2e6
    assert r.objective == pytest.approx(W25 * 100 * 50 * HOURS
                                        + W30 * (100 * a30 + 100 * 10 * HOURS), rel=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_vintage_pays_the_capex_of_its_year(backend: str) -> None:
    """No existing plant; load 100 MW in 2025 and 200 MW in 2030 (``load_scale``); 'new'
    (10/MWh, L = 30) at 3e6/MW in 2025 and 1e6 from 2030. 100 MW must be built for 2025
    (a_2025 = CRF(30) · 3e6 = 318,237.76 a year while in service: 2025 and 2030) and the other
    100 MW for 2030 (a_2030 = 106,079.25); building more in 2025 would cost a_2025 in both
    years instead of a_2030 in one. Year 2030's capital cost is 100 a_2025 + 100 a_2030 (both
    vintages in service), its price a_2030 / 8760 + 10 (one more MW of 2030 load is a 2030
    build). Objective W_2025 (100 a_2025 + 100 · 10 · 8760)
    + W_2030 (100 a_2025 + 100 a_2030 + 200 · 10 · 8760)."""
    gens = [gen("new", extendable=True, capex_per_mw=3e6, lifetime_yr=30.0, vom_per_mwh=10.0)]
    case = pathway_case(gens, pathway={"load_scale": {2030: 2.0}},
                        pathway_changes=changes((2030, "generators", "new", "capex_per_mw",
                                                 1e6)))
    r = solve_pathway(case, backend=backend)
    assert r.built.loc[("generators", "p_new", "new")].to_numpy() == pytest.approx([100, 100])
    a25, a30 = crf(30.0) * 3e6, crf(30.0) * 1e6
    assert r.objective == pytest.approx(W25 * (100 * a25 + 100 * 10 * HOURS)
                                        + W30 * (100 * a25 + 100 * a30 + 200 * 10 * HOURS),
                                        rel=1e-9)
    costs = r.years[2030].costs
    assert costs.loc[("generators", "new"), "capital"] == pytest.approx(100 * (a25 + a30))
    assert r.years[2025].costs.loc[("generators", "new"), "capital"] == pytest.approx(100 * a25)
    assert r.years[2030].prices.iloc[0, 0] == pytest.approx(a30 / HOURS + 10.0, rel=1e-9)
    annual = r.weights_table()["annual_cost"].to_numpy()
    assert annual == pytest.approx([100 * a25 + 100 * 10 * HOURS,
                                    100 * (a25 + a30) + 200 * 10 * HOURS], rel=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fuel_price_from_a_year_on_changes_the_merit_order(backend: str) -> None:
    """Coal (10 GJ/MWh at 2/GJ = 20/MWh, 0.1 t/GJ) runs before gas (8 GJ/MWh at 3/GJ = 24) in
    2025; from 2030 coal costs 3/GJ (30/MWh) and gas runs: annual costs 100 · 20 · 8760 and
    100 · 24 · 8760, CO2 876,000 t and 0 (a row for 2025 sets the value of 2025 and later, the
    later row wins from 2030)."""
    fuels = [{"name": "coal", "price_per_gj": 1.0, "co2_t_per_gj": 0.1},
             {"name": "gas", "price_per_gj": 3.0, "co2_t_per_gj": 0.0}]
    gens = [gen("coal", "coal", p_nom_mw=100.0, fuel="coal", heat_rate_gj_per_mwh=10.0),
            gen("gas", "gas", p_nom_mw=100.0, fuel="gas", heat_rate_gj_per_mwh=8.0)]
    case = pathway_case(gens, fuels=fuels, pathway_changes=changes(
        (2030, "fuels", "coal", "price_per_gj", 3.0), (2025, "fuels", "coal", "price_per_gj",
                                                       2.0)))
    r = solve_pathway(case, backend=backend)
    annual = r.weights_table()["annual_cost"].to_numpy()
    assert annual == pytest.approx([100 * 20 * HOURS, 100 * 24 * HOURS], rel=1e-12)
    assert r.years[2025].summary()["co2_t"] == pytest.approx(876_000.0)
    assert r.years[2030].summary()["co2_t"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(("row", "column", "rule"), [
    ((2027, "generators", "new", "capex_per_mw", 1.0), "year", "pathway-year"),
    ((2030, "generatorz", "new", "capex_per_mw", 1.0), "table", "pathway-table"),
    ((2030, "targets", "x", "bound", 1.0), "table", "pathway-table"),
    ((2030, "generators", "neu", "capex_per_mw", 1.0), "name", "pathway-element"),
    ((2030, "generators", "new", "capex", 1.0), "column", "pathway-column"),
    ((2030, "generators", "new", "extendable", 0.0), "column", "pathway-column"),
    ((2030, "generators", "new", "capex_per_mw", -5.0), "value", "pathway-value"),
    ((2030, "generators", "new", "p_max_pu", 1.5), "value", "pathway-value"),
])
def test_bad_pathway_changes_are_named(row: tuple, column: str, rule: str) -> None:
    with pytest.raises(CaseError) as exc:
        pathway_case(old_and_new(1e6, 5.0, 10.0), pathway_changes=changes(row))
    p = exc.value.problems[0]
    assert (p.file, p.row, p.column, p.rule) == ("pathway_changes.csv", 2, column, rule)


def test_pathway_changes_twice_or_without_a_pathway_are_refused() -> None:
    twice = changes((2030, "generators", "new", "capex_per_mw", 1.0),
                    (2030, "generators", "new", "capex_per_mw", 2.0))
    with pytest.raises(CaseError) as exc:
        pathway_case(old_and_new(1e6, 5.0, 10.0), pathway_changes=twice)
    p = exc.value.problems[0]
    assert (p.row, p.rule) == (3, "pathway-duplicate") and "first on row 2" in p.message
    config = {"name": "t", "currency": "EUR", "voll_per_mwh": 1000.0,
              "snapshots": {"start": "2030-01-01 00:00", "hours": 1}}
    frames = {"buses": pd.DataFrame({"name": ["b"]}),
              "generators": pd.DataFrame([gen("a", p_nom_mw=10.0)]),
              "loads": pd.DataFrame({"name": ["city"], "bus": ["b"]}),
              "pathway_changes": pd.DataFrame(changes((2030, "generators", "a", "p_nom_mw", 5)))}
    with pytest.raises(CaseError) as exc:
        case_from_tables(config, frames, {"load_mw": pd.DataFrame({"hour": [1], "city": [5.0]})})
    assert exc.value.problems[0].rule == "pathway-changes-alone"


def test_an_infeasible_pathway_is_explained_in_the_years_names(tmp_path: Path) -> None:
    """No load shedding; 'old' (100 MW) is the only plant and retires in 2030 with nothing to
    build: 2030's balance cannot hold. gridopt run writes nothing and points to diagnose, which
    names the 2030 balance (family y2030_buses) and the 100 MW missing."""
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(
        "name: short\ncurrency: EUR\nvoll_per_mwh: 10000\nload_shedding: false\n"
        "snapshots: {start: '2030-01-01 00:00', hours: 1}\n"
        "pathway: {years: [2025, 2030]}\n")
    (folder / "buses.csv").write_text("name\nb\n")
    (folder / "loads.csv").write_text("name,bus\ncity,b\n")
    (folder / "load_mw.csv").write_text("hour,city\n1,100\n")
    (folder / "generators.csv").write_text("name,bus,carrier,p_nom_mw,retire_year\n"
                                           "old,b,gas,100,2030\n")
    runner = CliRunner()
    res = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "infeasible" in res.output and "diagnose" in res.output
    assert not (tmp_path / "out").exists()
    res = runner.invoke(app, ["diagnose", str(folder)], terminal_width=200)
    assert res.exit_code == 2, res.output
    assert "year 2030: bus 'b' balance" in res.output and "2025" not in res.output
    assert "100" in res.output


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_committed_fleet_that_retires_has_no_units_in_later_years() -> None:
    """A committable coal cluster (2 × 100 MW) retiring in 2030: in 2030 it has no unit to
    commit (0 on, no start), the new plant serves the load; both backends agree."""
    gens = [gen("coal", "coal", p_nom_mw=200.0, committable=True, unit_size_mw=100.0,
                p_min_pu=0.4, vom_per_mwh=20.0, retire_year=2030, startup_cost=1000.0),
            gen("new", extendable=True, capex_per_mw=1e5, lifetime_yr=30.0, vom_per_mwh=30.0)]
    case = pathway_case(gens, [50.0, 120.0, 80.0])
    r, p = solve_pathway(case), solve_pathway(case, backend="pyomo")
    assert r.ok and p.ok
    assert p.objective == pytest.approx(r.objective, rel=1e-9)
    on = r.years[2030].tables()["commitment"]["units_on"]
    assert on.abs().max() == pytest.approx(0.0, abs=1e-9)
    assert r.years[2030].dispatch["new"].to_numpy() == pytest.approx([50.0, 120.0, 80.0])
    assert r.capacity_path().loc["coal"].to_numpy() == pytest.approx([200.0, 0.0])
