"""Policy targets (``models/targets.md``): hand optima for each kind, both backends.

Every case here is one bus, one hour, w = 1 h (not annualised), discount rate 0, load 100 MW,
so MW and MWh coincide and every cost can be followed on paper.
"""

from __future__ import annotations

from typing import Any

import pytest

import gridopt
from gridopt.case.case import Case, CaseError
from gridopt.checks import case_problems
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]


def target(name: str, kind: str, bound: float, unit: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "year": 2030, "kind": kind, "bound": bound, "unit": unit,
            "enforce": True, **kw}


def co2_case(*targets: dict[str, Any]) -> Case:
    """Coal 10/MWh at 1 t/MWh, gas 30/MWh at 0.5 t/MWh, 200 MW each."""
    return make_case(1, [gen("coal", "coal", p_nom_mw=200.0, vom_per_mwh=10.0, co2_t_per_mwh=1.0),
                         gen("gas", "gas", p_nom_mw=200.0, vom_per_mwh=30.0, co2_t_per_mwh=0.5)],
                     {"city": [100.0]}, targets=list(targets))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_binding_co2_cap_is_priced_at_the_switching_cost(backend: str) -> None:
    """Cap 80 t: c + g = 100, c + 0.5 g ≤ 80 → g = 40, c = 60, cost 600 + 1,200 = 1,800.
    Moving one MWh from coal to gas saves 0.5 t and costs 20: the CO2 price is 40 per t."""
    r = gridopt.solve(co2_case(target("T5", "co2_max", 80.0, "t CO2")), backend=backend)
    assert r.objective == pytest.approx(1800.0)
    v = r.targets.loc["T5"]
    assert v["achieved"] == pytest.approx(80.0)
    assert v["verdict"] == "PASS"
    assert v["margin"] == pytest.approx(0.0, abs=1e-6)
    assert v["shadow_price"] == pytest.approx(40.0)
    assert v["shadow_price_unit"] == "EUR/t"


def test_the_cap_in_the_plans_unit_is_the_same_cap() -> None:
    """0.008 万吨 CO2 = 80 t."""
    r = gridopt.solve(co2_case(target("T5", "co2_max", 0.008, "万吨CO2")))
    assert r.objective == pytest.approx(1800.0)
    assert r.targets.loc["T5", "achieved"] == pytest.approx(0.008)


def test_a_reported_cap_does_not_change_the_plan_and_states_the_shortfall() -> None:
    """Not enforced: all coal (100 t, cost 1,000), FAIL by 20 t, no price."""
    r = gridopt.solve(co2_case(target("T5", "co2_max", 80.0, "t CO2", enforce=False)))
    assert r.objective == pytest.approx(1000.0)
    v = r.targets.loc["T5"]
    assert (v["achieved"], v["verdict"], v["margin"]) == (pytest.approx(100.0), "FAIL",
                                                         pytest.approx(-20.0))
    assert v["shadow_price"] != v["shadow_price"]  # NaN


def coal_case(*targets: dict[str, Any]) -> Case:
    """Raw coal of 20.93 GJ/t (0.7141 tce/t) at 1 per GJ burnt at 10 GJ/MWh: 10 per MWh;
    gas at 50 per MWh."""
    fuels = [{"name": "coal", "price_per_gj": 1.0, "gj_per_unit": 20.93, "unit": "t"}]
    return make_case(1, [gen("coal", "coal", p_nom_mw=200.0, fuel="coal",
                             heat_rate_gj_per_mwh=10.0),
                         gen("gas", "gas", p_nom_mw=200.0, vom_per_mwh=50.0)],
                     {"city": [100.0]}, fuels=fuels, targets=list(targets))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bound, unit", [(30.0, "t"), (0.003, "万吨"),
                                         (30 * 20.93 / 29.3076, "tce")])
def test_a_raw_coal_cap_limits_the_coal_unit(backend: str, bound: float, unit: str) -> None:
    """30 t of raw coal = 30 × 20.93 = 627.9 GJ = 21.42 tce (29.3076 GJ/tce): the coal unit
    burns 10 GJ/MWh, so it runs 62.79 MWh; gas the other 37.21. Cost 627.9 + 1,860.5."""
    r = gridopt.solve(coal_case(target("T4", "fuel_max", bound, unit, fuel="coal")),
                      backend=backend)
    assert r.dispatch["coal"].iloc[0] == pytest.approx(62.79)
    assert r.objective == pytest.approx(62.79 * 10 + 37.21 * 50)
    assert r.targets.loc["T4", "achieved"] == pytest.approx(bound)


def test_non_power_coal_use_counts_against_the_cap() -> None:
    """Of a 30 t cap the city burns 10 t outside power (``other``): the unit may burn 20 t =
    418.6 GJ, 41.86 MWh."""
    r = gridopt.solve(coal_case(target("T4", "fuel_max", 30.0, "t", fuel="coal", other=10.0)))
    assert r.dispatch["coal"].iloc[0] == pytest.approx(41.86)
    assert r.targets.loc["T4", "achieved"] == pytest.approx(30.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_minimum_wind_capacity_forces_a_build(backend: str) -> None:
    """Wind costs 1,000 per MW over 10 years at 0 %: 100 per MW-yr, and never blows here, so
    nothing is built without the target. T2 asks 5 万千瓦 = 50 MW: cost 5,000 above gas's
    100 × 20 = 2,000, and one more MW of target costs 100 per MW-yr."""
    case = make_case(1, [gen("gas", p_nom_mw=200.0, vom_per_mwh=20.0),
                         gen("wind", "wind", extendable=True, capex_per_mw=1000.0,
                             lifetime_yr=10.0)],
                     {"city": [100.0]}, availability={"wind": [0.0]},
                     targets=[target("T2", "capacity_min", 5.0, "万千瓦", carrier="wind")])
    r = gridopt.solve(case, backend=backend)
    assert r.capacities.loc[("generators", "wind"), "new_mw"] == pytest.approx(50.0)
    assert r.objective == pytest.approx(7000.0)
    v = r.targets.loc["T2"]
    assert v["achieved"] == pytest.approx(5.0)
    assert v["shadow_price"] == pytest.approx(100.0)
    assert v["shadow_price_unit"] == "EUR/MW-yr"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_gas_supply_limit_in_the_plans_unit(backend: str) -> None:
    """Gas of 40 GJ per 1000 m³ burnt at 8 GJ/MWh: 0.2 (1000 m³)/MWh at 20 per MWh; coal at
    40. A limit of 1.2 万立方米 = 12 (1000 m³) lets gas run 60 MWh: cost 1,200 + 1,600; one
    more 1000 m³ is 5 MWh moved from coal to gas, worth 100."""
    fuels = [{"name": "gas", "price_per_gj": 2.5, "gj_per_unit": 40.0, "unit": "1000 m3"}]
    case = make_case(1, [gen("gas", "gas", p_nom_mw=200.0, fuel="gas",
                             heat_rate_gj_per_mwh=8.0),
                         gen("coal", "coal", p_nom_mw=200.0, vom_per_mwh=40.0)],
                     {"city": [100.0]}, fuels=fuels,
                     targets=[target("T8", "fuel_max", 1.2, "万立方米", fuel="gas")])
    r = gridopt.solve(case, backend=backend)
    assert r.dispatch["gas"].iloc[0] == pytest.approx(60.0)
    assert r.objective == pytest.approx(2800.0)
    assert r.targets.loc["T8", "shadow_price"] == pytest.approx(100.0)
    assert r.targets.loc["T8", "shadow_price_unit"] == "EUR/1000 m3"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_renewable_share_of_generation(backend: str) -> None:
    """Wind at 20 per MW-yr (lifetime 1 y), always blowing; gas 10/MWh. A 50 % share of
    generation needs w ≥ 0.5 (w + g) → w = 50: cost 50 × 20 + 50 × 10 = 1,500."""
    case = make_case(1, [gen("gas", p_nom_mw=200.0, vom_per_mwh=10.0),
                         gen("wind", "wind", extendable=True, capex_per_mw=20.0,
                             lifetime_yr=1.0)],
                     {"city": [100.0]},
                     targets=[target("RE", "share_min", 50.0, "%", carrier="wind")])
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(1500.0)
    assert r.targets.loc["RE", "achieved"] == pytest.approx(50.0)
    assert r.targets.loc["RE", "verdict"] == "PASS"


@pytest.mark.parametrize("backend", BACKENDS)
def test_co2_intensity_per_mwh_of_demand(backend: str) -> None:
    """0.8 t/MWh of 100 MWh demand is the 80 t cap of the first test: the same plan, and the
    row e − 0.8 D ≤ 0 is priced, like the cap, at 40 per t of CO2."""
    r = gridopt.solve(co2_case(target("T6", "co2_intensity_max", 0.8, "t CO2/MWh")),
                      backend=backend)
    assert r.objective == pytest.approx(1800.0)
    assert r.targets.loc["T6", "achieved"] == pytest.approx(0.8)
    assert r.targets.loc["T6", "shadow_price"] == pytest.approx(40.0)
    assert r.targets.loc["T6", "shadow_price_unit"] == "EUR/t"


@pytest.mark.parametrize("backend", BACKENDS)
def test_co2_intensity_per_unit_of_gdp(backend: str) -> None:
    """GDP 1,000 万元 at 0.08 t/万元 allows 80 t: the same plan again."""
    r = gridopt.solve(co2_case(target("T6", "co2_intensity_max", 0.08, "t CO2/万元",
                                      gdp=1000.0)), backend=backend)
    assert r.objective == pytest.approx(1800.0)


def test_a_target_of_another_year_is_listed_as_not_modelled() -> None:
    r = gridopt.solve(co2_case(target("T5-2025", "co2_max", 1.0, "t CO2", year=2025)))
    assert r.objective == pytest.approx(1000.0)  # not enforced: it is not this year's
    assert r.targets.loc["T5-2025", "verdict"] == "not modelled (the case models 2030)"


@pytest.mark.parametrize("row, column, rule", [
    ({"kind": "co2_cap"}, "kind", "target-kind"),
    ({"unit": "MW"}, "unit", "target-unit"),
    ({"unit": "parsecs"}, "unit", "target-unit"),
    ({"kind": "capacity_max", "unit": "MW", "carrier": "wnd"}, "carrier", "target-carrier"),
    ({"kind": "share_min", "unit": "%", "carrier": "coal", "of_carriers": "Gas"},
     "of_carriers", "target-carrier"),
])
def test_bad_target_rows_are_named(row: dict[str, Any], column: str, rule: str) -> None:
    case = co2_case({**target("T5", "co2_max", 80.0, "t CO2"), **row})
    problems = case_problems(case)
    assert [(p.file, p.row, p.column, p.rule) for p in problems] == [
        ("targets.csv", 2, column, rule)]
    with pytest.raises(CaseError):
        gridopt.solve(case)


def test_a_fuel_cap_in_a_unit_the_fuel_is_not_counted_in() -> None:
    """Coal is counted in t: a cap in m³ cannot be converted (tce and GJ can)."""
    case = coal_case(target("T4", "fuel_max", 30.0, "m3", fuel="coal"))
    assert [p.rule for p in case_problems(case)] == ["target-unit"]


def test_gridopt_run_prints_and_writes_the_verdicts(tmp_path) -> None:
    """The tiny case with an enforced wind minimum of 15 万千瓦 and a reported CO2 cap of 0 t
    (the gas unit must run at 20 % at least, so it fails): targets.csv and the printed table."""
    import shutil
    from pathlib import Path

    import pandas as pd
    from typer.testing import CliRunner

    from gridopt.cli import app

    case = tmp_path / "case"
    shutil.copytree(Path(__file__).parent / "cases" / "tiny", case)
    (case / "targets.csv").write_text(
        "name,year,kind,bound,unit,carrier,enforce,name_zh\n"
        "T2,2030,capacity_min,15,万千瓦,wind,true,风电装机\n"
        "T5,2030,co2_max,0,t CO2,,false,二氧化碳排放\n"
        "T2-2025,2025,capacity_min,5,万千瓦,wind,true,风电装机\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(case), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "targets" in res.output and "风电装机" in res.output and "PASS" in res.output
    written = pd.read_csv(out / "targets.csv", index_col=0)
    assert written.loc["T2", "verdict"] == "PASS"
    assert written.loc["T2", "achieved"] >= 15.0 - 1e-9
    assert written.loc["T5", "verdict"] == "FAIL"
    assert written.loc["T5", "margin"] < 0
    assert written.loc["T2-2025", "verdict"].startswith("not modelled")


def test_an_unattainable_enforced_target_is_named_with_its_shortfall() -> None:
    """Cap 10 t, shedding off: 100 MWh emit at least 0.5 × 100 = 50 t (all gas), so the cap
    is 40 t short of attainable; diagnose names the target in its unit."""
    from gridopt.diagnose import diagnose

    case = co2_case(target("T5", "co2_max", 10.0, "t CO2"))
    case = case.replace(config={**case.config, "load_shedding": False})
    assert gridopt.solve(case).status == "infeasible"
    assert gridopt.solve(case, backend="pyomo").status == "infeasible"
    report = diagnose(case)
    assert "target 'T5' upper: ≤ 10 t" in [str(i) for i in report.iis]
    [violation] = report.elastic
    assert (violation.item.element, violation.side) == ("T5", "over")
    assert violation.amount == pytest.approx(40.0)
    assert violation.item.unit == "t"


def test_misspellings_in_a_target_get_a_suggestion() -> None:
    """A carrier that no generator has counts nothing: refused, with the closest carrier;
    a unit written in the wrong case gets the right spelling."""
    carrier = case_problems(co2_case(target("T2", "capacity_min", 5.0, "MW", carrier="gsa")))
    assert "did you mean 'gas'" in carrier[0].message
    unit = case_problems(co2_case(target("T2", "capacity_min", 5.0, "mw", carrier="gas")))
    assert "did you mean 'MW'" in unit[0].message


# -- the non-fossil share of energy consumption (T3) -----------------------------------------
#: GJ per MWh of a coal unit burning 0.35 tce per MWh (29.3076 GJ/tce): 350 gce/kWh.
COAL_HEAT_RATE = 0.35 * 29.3076


def nonfossil(name: str, bound: float, **kw: Any) -> dict[str, Any]:
    """A non-fossil share minimum in %, wind non-fossil, coal substitution at 300 gce/kWh."""
    return target(name, "nonfossil_share_min", bound, "%",
                  **{"carrier": "wind", "gce_per_kwh": 300.0, **kw})


def wind_coal_case(*targets: dict[str, Any], wind: dict[str, Any] | None = None,
                   availability: float = 1.0, extra: list | None = None) -> Case:
    """Coal 10/MWh burning 0.35 tce/MWh (200 MW); wind 100 MW at 0 (or ``wind``)."""
    return make_case(1, [gen("coal", "coal", p_nom_mw=200.0, vom_per_mwh=10.0,
                             heat_rate_gj_per_mwh=COAL_HEAT_RATE),
                         wind or gen("wind", "wind", p_nom_mw=100.0), *(extra or [])],
                     {"city": [100.0]}, availability={"wind": [availability]},
                     targets=list(targets))


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_nonfossil_share_by_coal_substitution_and_by_heat(backend: str) -> None:
    """Wind 40 MWh (availability 0.4), coal 60 MWh burning 0.35 tce/MWh: H = 21 tce.
    Coal substitution at 300 gce/kWh (c = 0.3 tce/MWh): N = 0.3 × 40 = 12, D = 21 + 12 = 33,
    36.36 %. Calorific (c = 0.1229 tce/MWh): N = 4.916, D = 25.916, 18.97 %. The share of
    generation would be 40 %. Both reported against 30 %: PASS and FAIL; the plan (cost 600)
    does not change."""
    case = wind_coal_case(nonfossil("T3-cs", 30.0, enforce=False),
                          nonfossil("T3-cal", 30.0, enforce=False, method="calorific",
                                    gce_per_kwh=None), availability=0.4)
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(600.0)
    cs, cal = r.targets.loc["T3-cs"], r.targets.loc["T3-cal"]
    assert (cs["achieved"], cs["verdict"]) == (pytest.approx(100 * 12 / 33), "PASS")
    assert (cal["achieved"], cal["verdict"]) == (pytest.approx(100 * 4.916 / 25.916), "FAIL")
    assert cal["margin"] == pytest.approx(100 * 4.916 / 25.916 - 30.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_enforced_nonfossil_share_builds_wind_in_place_of_coal(backend: str) -> None:
    """Wind at 20 per MW (lifetime 1 y), always blowing; coal 10/MWh at 0.35 tce/MWh. Outside
    power the city uses 20 tce, 5 of them non-fossil. With wind w: N = 0.3 w + 5,
    D = 0.35 (100 − w) + 0.3 w + 20 = 55 − 0.05 w. N ≥ 0.4 D ⇔ 0.32 w ≥ 17 ⇔ w = 53.125:
    cost 53.125 × 20 + 46.875 × 10 = 1,531.25. The row's left side N − 0.4 D = 0.32 w − 17
    rises 0.32 tce per MWh moved from coal (10) to wind (20): 10 / 0.32 = 31.25 per tce."""
    wind = gen("wind", "wind", extendable=True, capex_per_mw=20.0, lifetime_yr=1.0)
    case = wind_coal_case(nonfossil("T3", 40.0, other_nonfossil_tce=5.0, other_total_tce=20.0),
                          wind=wind)
    r = gridopt.solve(case, backend=backend)
    assert r.capacities.loc[("generators", "wind"), "new_mw"] == pytest.approx(53.125)
    assert r.objective == pytest.approx(1531.25)
    v = r.targets.loc["T3"]
    assert (v["achieved"], v["verdict"]) == (pytest.approx(40.0), "PASS")
    assert v["shadow_price"] == pytest.approx(31.25)
    assert v["shadow_price_unit"] == "EUR/tce"


@pytest.mark.parametrize("carrier, column", [("import", {}), ("grid", {"import_carriers": "grid"})])
def test_imported_electricity_counts_at_its_nonfossil_share(carrier: str,
                                                           column: dict[str, str]) -> None:
    """Imports 50 MWh (5/MWh, 50 MW), coal 50 MWh (H = 17.5 tce), no wind output; 40 % of
    imports non-fossil, c = 0.3: N = 0.3 × 0.4 × 50 = 6, D = 17.5 + 0.3 × 50 = 32.5, 18.46 %.
    Without the import share: N = 0, 0 %. The import carrier is ``import`` unless named."""
    imports = gen("imp", carrier, p_nom_mw=50.0, vom_per_mwh=5.0)
    case = wind_coal_case(nonfossil("T3", 30.0, enforce=False, import_nonfossil_pu=0.4,
                                    **column),
                          nonfossil("T3-none", 30.0, enforce=False, **column),
                          availability=0.0, extra=[imports])
    r = gridopt.solve(case)
    assert r.targets.loc["T3", "achieved"] == pytest.approx(100 * 6 / 32.5)
    assert r.targets.loc["T3-none", "achieved"] == pytest.approx(0.0)


def test_an_import_without_a_named_carrier_counts_as_fossil_heat() -> None:
    """A 'grid' import not named in import_carriers is neither non-fossil nor an import and
    has no heat rate: its primary energy is unknown, refused (it would count nothing)."""
    imports = gen("imp", "grid", p_nom_mw=50.0, vom_per_mwh=5.0)
    case = wind_coal_case(nonfossil("T3", 30.0, enforce=False), extra=[imports])
    [problem] = case_problems(case)
    assert (problem.column, problem.rule) == ("carrier", "target-fossil-heat")
    assert "'imp' of carrier 'grid'" in problem.message


@pytest.mark.parametrize("row, column, rule", [
    ({"gce_per_kwh": None}, "gce_per_kwh", "target-gce"),
    ({"method": "coal_substitution", "gce_per_kwh": None}, "gce_per_kwh", "target-gce"),
    ({"gce_per_kwh": 0.3}, "gce_per_kwh", "target-gce"),
    ({"method": "calorific"}, "gce_per_kwh", "target-gce"),
    ({"method": "calorfic"}, "method", "target-method"),
    ({"carrier": ""}, "carrier", "target-carrier"),
    ({"import_nonfossil_pu": 0.5}, "import_nonfossil_pu", "target-import"),
    ({"import_carriers": "wind"}, "import_carriers", "target-import"),
    ({"of_carriers": "coal"}, "of_carriers", "target-column"),
    ({"other": 5.0}, "other", "target-other"),
])
def test_bad_nonfossil_rows_are_named(row: dict[str, Any], column: str, rule: str) -> None:
    """Coal substitution without gce_per_kwh (blank method is coal substitution), a value in
    kgce, a gce for the calorific method, …: refused with file, row, column and rule."""
    case = wind_coal_case({**nonfossil("T3", 33.5), **row})
    problems = case_problems(case)
    assert [(p.file, p.row, p.column, p.rule) for p in problems] == [
        ("targets.csv", 2, column, rule)]
    with pytest.raises(CaseError):
        gridopt.solve(case)


def test_missing_gce_per_kwh_says_what_to_give() -> None:
    [problem] = case_problems(wind_coal_case({**nonfossil("T3", 33.5), "gce_per_kwh": None}))
    assert "'gce_per_kwh'" in problem.message and "coal_substitution" in problem.message


def test_nonfossil_columns_on_another_kind_are_refused() -> None:
    problems = case_problems(co2_case(target("T5", "co2_max", 80.0, "t CO2", gce_per_kwh=300)))
    assert [(p.column, p.rule) for p in problems] == [("gce_per_kwh", "target-column")]


def test_nonpower_nonfossil_energy_is_part_of_the_total() -> None:
    with pytest.raises(CaseError) as info:
        wind_coal_case(nonfossil("T3", 33.5, other_nonfossil_tce=30.0, other_total_tce=20.0))
    assert [(p.column, p.rule) for p in info.value.problems] == [
        ("other_nonfossil_tce", "min-le-max")]


# -- relative targets and targets that cannot be evaluated -----------------------------------
def relative(name: str, kind: str, unit: str, **kw: Any) -> dict[str, Any]:
    """A target without a bound (it comes from ``baseline`` and ``change_pct``)."""
    return {"name": name, "year": 2030, "kind": kind, "unit": unit, "enforce": True, **kw}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bound_relative_to_a_baseline(backend: str) -> None:
    """Baseline 100 t, change −20 %: B = 100 × (1 − 0.2) = 80 t, the cap of the first test
    (cost 1,800, 40 per t)."""
    r = gridopt.solve(co2_case(relative("T5", "co2_max", "t CO2", baseline=100.0,
                                        change_pct=-20.0)), backend=backend)
    assert r.objective == pytest.approx(1800.0)
    v = r.targets.loc["T5"]
    assert (v["required"], v["achieved"], v["verdict"]) == (
        pytest.approx(80.0), pytest.approx(80.0), "PASS")


def test_an_intensity_relative_to_an_unknown_baseline_is_not_evaluated() -> None:
    """T6 as the plan states it: CO2 per unit of GDP −19.5 % on 2020, whose value is not
    given. Reported: NOT EVALUATED with the reason; the achieved 100 t / 1,000 万元 = 0.1 is
    still reported; nothing constrains the plan (all coal, 1,000)."""
    r = gridopt.solve(co2_case(relative("T6", "co2_intensity_max", "t CO2/万元", gdp=1000.0,
                                        change_pct=-19.5, enforce=False)))
    assert r.objective == pytest.approx(1000.0)
    v = r.targets.loc["T6"]
    assert v["verdict"] == "NOT EVALUATED (baseline not given)"
    assert v["achieved"] == pytest.approx(0.1)
    assert v["required"] != v["required"] and v["margin"] != v["margin"]  # NaN


@pytest.mark.parametrize("row, verdict", [
    ({"kind": "co2_max", "unit": "t CO2"}, "NOT EVALUATED (no bound or baseline given)"),
    ({"kind": "co2_intensity_max", "unit": "t CO2/万元", "bound": 0.08},
     "NOT EVALUATED (gdp not given)"),
])
def test_a_reported_target_without_bound_or_gdp_is_not_evaluated(row: dict[str, Any],
                                                                 verdict: str) -> None:
    """No bound and no baseline; or an intensity per unit of GDP without the GDP (its
    achieved value is unknown too): reported as NOT EVALUATED, no crash, the plan as free."""
    case = co2_case(relative("T", enforce=False, **row))
    assert case_problems(case) == []
    r = gridopt.solve(case)
    assert r.objective == pytest.approx(1000.0)
    assert r.targets.loc["T", "verdict"] == verdict


@pytest.mark.parametrize("row, column, rule", [
    ({"kind": "co2_max", "unit": "t CO2"}, "bound", "target-bound"),
    ({"kind": "co2_max", "unit": "t CO2", "change_pct": -19.5}, "baseline", "target-bound"),
    ({"kind": "co2_intensity_max", "unit": "t CO2/万元", "bound": 0.08}, "gdp", "target-gdp"),
    ({"kind": "co2_max", "unit": "t CO2", "bound": 80.0, "baseline": 100.0,
      "change_pct": -20.0}, "baseline", "target-bound"),
    ({"kind": "co2_max", "unit": "t CO2", "bound": 80.0, "change_pct": -20.0}, "change_pct",
     "target-bound"),
    ({"kind": "co2_max", "unit": "t CO2", "baseline": 100.0}, "change_pct", "target-bound"),
])
def test_targets_that_cannot_be_enforced_or_are_ambiguous_are_refused(
        row: dict[str, Any], column: str, rule: str) -> None:
    """Enforced without a bound (or its baseline, or the GDP): refused naming the row, not
    NOT EVALUATED. A bound and a baseline (or a change on a bound) are ambiguous; a baseline
    needs its change: refused, enforced or not."""
    case = co2_case(relative("T", **row))
    problems = case_problems(case)
    assert [(p.file, p.row, p.column, p.rule) for p in problems] == [
        ("targets.csv", 2, column, rule)]
    assert "target 'T'" in problems[0].message
    with pytest.raises(CaseError):
        gridopt.solve(case)
    if column in ("bound", "gdp"):
        assert "NOT EVALUATED" in problems[0].message  # says how to report it instead


def test_a_target_of_another_year_without_a_bound_is_listed_not_crashed() -> None:
    """Rows of other years are not built: no bound, or an ambiguous one, still lists them as
    not modelled (``gridopt validate`` names the ambiguous one)."""
    case = co2_case(relative("T6-2025", "co2_max", "t CO2", year=2025, enforce=False),
                    relative("T6-bad", "co2_max", "t CO2", year=2025, bound=1.0,
                             baseline=2.0, change_pct=0.0))
    r = gridopt.solve(case)
    assert r.targets.loc["T6-2025", "verdict"] == "not modelled (the case models 2030)"
    assert r.targets.loc["T6-bad", "verdict"] == "not modelled (the case models 2030)"
    assert [p.rule for p in case_problems(case)] == ["target-bound"]


def test_gridopt_run_and_validate_with_relative_and_unevaluated_targets(tmp_path) -> None:
    """The tiny case: a CO2 cap of 200 kt − 10 % = 180 kt (reported; the plan's annualised
    CO2 is about 94 kt), a CO2 intensity per unit of GDP without its 2020 baseline, and a
    non-fossil share by coal substitution. run prints and writes every verdict (blank
    numbers, no 'nan'); validate names the row whose enforced target has no bound."""
    import shutil
    from pathlib import Path

    import pandas as pd
    from typer.testing import CliRunner

    from gridopt.cli import app

    case = tmp_path / "case"
    shutil.copytree(Path(__file__).parent / "cases" / "tiny", case)
    (case / "targets.csv").write_text(
        "name,year,kind,bound,unit,baseline,change_pct,gdp,carrier,gce_per_kwh,enforce\n"
        "T5,2030,co2_max,,kt CO2,200,-10,,,,false\n"
        "T6,2030,co2_intensity_max,,t CO2/万元,,-19.5,1000,,,false\n"
        "T3,2030,nonfossil_share_min,33.5,%,,,,wind,300,false\n")
    runner = CliRunner()
    res = runner.invoke(app, ["run", str(case), "--out", str(tmp_path / "out")],
                        env={"COLUMNS": "240"})
    assert res.exit_code == 0, res.output
    assert "NOT EVALUATED (baseline not given)" in res.output and "nan" not in res.output
    written = pd.read_csv(tmp_path / "out" / "targets.csv", index_col=0)
    assert written.loc["T5", "required"] == pytest.approx(180.0)
    assert written.loc["T5", "verdict"] == "PASS"
    assert written.loc["T6", "verdict"] == "NOT EVALUATED (baseline not given)"
    assert written.loc["T3", "verdict"] in ("PASS", "FAIL")
    text = (case / "targets.csv").read_text().replace("-19.5,1000,,,false", "-19.5,1000,,,true")
    (case / "targets.csv").write_text(text)
    bad = runner.invoke(app, ["validate", str(case)], env={"COLUMNS": "300"})
    assert bad.exit_code == 1
    assert "targets.csv" in bad.output and "target 'T6'" in bad.output
    assert "target-bound" in bad.output


# -- verdicts in both units, and targets met by shedding load (issue 18 review) -------------
def test_verdicts_state_the_bound_in_the_plans_unit_and_in_the_models() -> None:
    """60 万千瓦 of wind is 600 MW (10 MW per 万千瓦); 660 万吨 of raw coal is 6,600,000 t (the
    coal fuel is counted in t), 1 万吨标准煤 is 293,076 GJ (heat: 29.3076 GJ/tce). The coal
    case runs 100 MWh of coal at 10 GJ/MWh: 1,000 GJ = 47.78 t of 20.93 GJ/t."""
    wind = make_case(1, [gen("gas", p_nom_mw=200.0, vom_per_mwh=20.0),
                         gen("wind", "wind", extendable=True, capex_per_mw=1000.0,
                             lifetime_yr=10.0)],
                     {"city": [100.0]}, availability={"wind": [0.0]},
                     targets=[target("T2", "capacity_min", 60.0, "万千瓦", carrier="wind")])
    v = gridopt.solve(wind).targets.loc["T2"]
    assert (v["required"], v["unit"]) == (60.0, "万千瓦")
    assert (v["required_model"], v["achieved_model"], v["model_unit"]) == (
        pytest.approx(600.0), pytest.approx(600.0), "MW")
    r = gridopt.solve(coal_case(target("T4", "fuel_max", 660.0, "万吨", fuel="coal"),
                                target("T4h", "fuel_max", 1.0, "万吨标准煤", fuel="coal"),
                                target("T4-2025", "fuel_max", 700.0, "万吨", fuel="coal",
                                       year=2025)))
    coal, heat, other = r.targets.loc["T4"], r.targets.loc["T4h"], r.targets.loc["T4-2025"]
    assert (coal["required_model"], coal["model_unit"]) == (pytest.approx(6.6e6), "t")
    assert coal["achieved_model"] == pytest.approx(1000.0 / 20.93)
    assert coal["achieved"] == pytest.approx(1000.0 / 20.93 / 1e4)
    assert (heat["required_model"], heat["achieved_model"], heat["model_unit"]) == (
        pytest.approx(293076.0), pytest.approx(1000.0), "GJ")
    assert (other["required_model"], other["model_unit"]) == (pytest.approx(7e6), "t")


def test_shares_and_intensities_in_model_units() -> None:
    """A 50 % share is 0.5 pu; 0.8 t CO2/MWh is its own base unit."""
    r = gridopt.solve(co2_case(target("T6", "co2_intensity_max", 0.8, "t CO2/MWh"),
                               target("RE", "share_min", 50.0, "%", carrier="gas",
                                      enforce=False)))
    assert (r.targets.loc["RE", "required_model"], r.targets.loc["RE", "model_unit"]) == (
        pytest.approx(0.5), "pu")
    assert r.targets.loc["RE", "achieved_model"] == pytest.approx(0.4)
    assert r.targets.loc["T6", "model_unit"] == "t CO2/MWh"


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_impossible_cap_met_by_shedding_load_is_flagged(backend: str) -> None:
    """Cap 10 t with shedding allowed (VoLL 10,000): 100 MWh emit at least 50 t (all gas), so
    the optimum burns 20 MWh of gas (10 t) and sheds 80 MWh: cost 20 × 30 + 80 × 10,000 =
    800,600. The cap holds (PASS, margin 0) at a price set by VoLL: one more t lets 2 MWh of
    gas replace shed load, 2 × (10,000 − 30) = 19,940 per t. Flagged: binding while 80 MWh
    are shed. The 80 t cap of the first test binds too, but nothing is shed: not flagged."""
    r = gridopt.solve(co2_case(target("T5", "co2_max", 10.0, "t CO2")), backend=backend)
    assert r.objective == pytest.approx(800_600.0)
    v = r.targets.loc["T5"]
    assert (v["verdict"], v["margin"]) == ("PASS", pytest.approx(0.0, abs=1e-6))
    assert v["shadow_price"] == pytest.approx(19_940.0)
    assert v["met_by_shedding"] is True
    assert v["note"] == "binding while 80 MWh of load is shed: possibly met only by shedding load"
    fine = gridopt.solve(co2_case(target("T5", "co2_max", 80.0, "t CO2")), backend=backend)
    assert fine.targets.loc["T5", "met_by_shedding"] is False
    assert fine.targets.loc["T5", "note"] == ""


def test_a_reported_target_is_not_flagged_for_shedding() -> None:
    """Shedding forced by a 150 MW load on 100 MW of gas; a reported cap that fails (all the
    gas burns) is not a target the plan meets by shedding: not flagged."""
    case = make_case(1, [gen("gas", "gas", p_nom_mw=100.0, vom_per_mwh=30.0,
                             co2_t_per_mwh=0.5)], {"city": [150.0]},
                     targets=[target("T5", "co2_max", 10.0, "t CO2", enforce=False)])
    v = gridopt.solve(case).targets.loc["T5"]
    assert (v["verdict"], v["met_by_shedding"]) == ("FAIL", False)


def test_gridopt_run_warns_of_a_target_met_by_shedding(tmp_path) -> None:
    """The 10 t cap of co2_case as files: run prints the targets with both units and a
    warning naming T5; targets.csv flags it."""
    import pandas as pd
    from typer.testing import CliRunner

    from gridopt.cli import app

    case = tmp_path / "case"
    case.mkdir()
    (case / "case.yaml").write_text(
        "name: shed\ncurrency: EUR\nvoll_per_mwh: 10000\n"
        "snapshots:\n  start: 2030-01-01 00:00\n  hours: 1\n  annualise: false\n")
    (case / "buses.csv").write_text("name\nb\n")
    (case / "generators.csv").write_text(
        "name,bus,carrier,p_nom_mw,vom_per_mwh,co2_t_per_mwh\n"
        "coal,b,coal,200,10,1\ngas,b,gas,200,30,0.5\n")
    (case / "loads.csv").write_text("name,bus\ncity,b\n")
    (case / "load_mw.csv").write_text("hour,city\n1,100\n")
    (case / "targets.csv").write_text("name,year,kind,bound,unit,enforce\n"
                                      "T5,2030,co2_max,0.001,万吨CO2,true\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(case), "--out", str(out)],
                             env={"COLUMNS": "240"})
    assert res.exit_code == 0, res.output
    assert "warning: target T5 binding while 80 MWh of load is shed" in res.output
    assert "10 / 10 t" in res.output  # required / achieved in model units
    written = pd.read_csv(out / "targets.csv", index_col=0)
    assert bool(written.loc["T5", "met_by_shedding"])
    assert (written.loc["T5", "required"], written.loc["T5", "required_model"]) == (
        pytest.approx(0.001), pytest.approx(10.0))
