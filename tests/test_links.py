"""Links, carriers and energy-only stores (``models/links.md``, ``models/stores.md``): hand
optima on both backends, the balance of every bus of every carrier, electricity-only system
quantities, representative periods and the validation rules.

Every case is not annualised (w = Δt = 1 h), discount rate 0 and lifetimes of 1 year, so that
an annuity is the capex itself (CRF(0, 1) = 1) and MW and MWh per hour coincide.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.case import Case, CaseError
from gridopt.components.network import system_demand
from gridopt.components.peak_response import peak_hours, peak_load
from gridopt.periods import aggregate
from gridopt.results.results import Results
from gridopt.results.write import write_results
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]


def link(name: str, bus0: str, bus1: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "bus0": bus0, "bus1": bus1, **kw}


def balance_residual(r: Results) -> pd.DataFrame:
    """Σ injections − demand + shed per bus and snapshot, from the result tables only
    (dispatch, storage, line flows, link flows p0..p3, store withdrawals)."""
    case = r.case
    inj = pd.DataFrame(0.0, index=case.snapshots, columns=case.table("buses").index)
    gens = case.table("generators")
    for g in gens.index:
        inj[gens.at[g, "bus"]] += r.dispatch[g].to_numpy()
    st = case.table("storage")
    for s in st.index:
        inj[st.at[s, "bus"]] += (r.storage_discharge[s] - r.storage_charge[s]).to_numpy()
    lines = case.table("lines")
    for name in lines.index:
        inj[lines.at[name, "bus0"]] -= r.line_flow[name].to_numpy()
        inj[lines.at[name, "bus1"]] += r.line_flow[name].to_numpy()
    links = case.table("links")
    for name in links.index:
        flow = r.link_flow.xs(name, level="name")
        inj[links.at[name, "bus0"]] -= flow["p0_mw"].to_numpy()
        for k, bus in enumerate(("bus1", "bus2", "bus3"), start=1):
            if links.at[name, bus]:
                inj[links.at[name, bus]] += flow[f"p{k}_mw"].to_numpy()
    stores = case.table("stores")
    for s in stores.index:
        inj[stores.at[s, "bus"]] += r.store_withdrawal[s].to_numpy()
    return inj - r.demand + r.load_shed


def solve(case: Case, backend: str) -> Results:
    """Solve, check optimality and that every bus of every carrier balances."""
    r = gridopt.solve(case, backend=backend)
    assert r.status == "optimal"
    assert np.abs(balance_residual(r).to_numpy()).max() < 1e-6
    return r


# -- the power-to-hydrogen-to-power chain -----------------------------------------------------
def chain_case(**config: Any) -> Case:
    """Buses el (electricity) and h2 (hydrogen); 'cheap' 10/MWh only in hour 1, 'dear'
    100/MWh in both; electricity load 0 then 100 MW; electrolyser el → h2 (η 0.7, 1 per MW),
    tank on h2 (0.5 per MWh), turbine h2 → el (η 0.5, 2 per MW of hydrogen taken), all
    extendable from zero."""
    return make_case(
        2, [gen("cheap", bus="el", p_nom_mw=1000.0, vom_per_mwh=10.0),
            gen("dear", bus="el", p_nom_mw=1000.0, vom_per_mwh=100.0)],
        {"load": [0.0, 100.0]}, buses=["el", "h2"], carriers={"h2": "hydrogen"},
        availability={"cheap": [1.0, 0.0]},
        links=[link("electrolyser", "el", "h2", efficiency=0.7, extendable=True,
                    capex_per_mw=1.0, lifetime_yr=1.0),
               link("turbine", "h2", "el", efficiency=0.5, extendable=True, capex_per_mw=2.0,
                    lifetime_yr=1.0)],
        stores=[{"name": "tank", "bus": "h2", "extendable": True, "capex_per_mwh": 0.5,
                 "lifetime_yr": 1.0}], **config)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hydrogen_round_trip_sized_and_priced_by_hand(backend: str) -> None:
    """Round trip η = 0.7 · 0.5 = 0.35. The 100 MWh of hour 2 come from the turbine taking
    100 / 0.5 = 200 MW of hydrogen (turbine 200 MW, capacities at bus0), drawn from the tank
    (200 MWh), filled in hour 1 by the electrolyser delivering 200 MW of H2 from 200 / 0.7 =
    285.714 MW of electricity bought at 10.

    Per MWh delivered: energy 10 / 0.35 = 28.571, electrolyser 1 / 0.35 = 2.857, tank 0.5 · 2
    = 1, turbine 2 · 2 = 4: 36.429 < 100 of 'dear', so all 100 MWh go round the chain.
    Objective 2,857.143 + 285.714 + 100 + 400 = 3,642.857.

    Prices (duals of the balances): λ_el,1 = 10 (cheap at the margin); λ_h2,1 = (10 + 1) /
    0.7 = 15.714 (the hydrogen price is the electricity price over η, with the electrolyser's
    capacity rent of 1 per MW added to the electricity it takes); λ_h2,2 = 15.714 + 0.5 =
    16.214 (one more MWh in hour 2: made in hour 1 and kept in one more MWh of tank);
    λ_el,2 = (16.214 + 2) / 0.5 = 36.429, the cost per MWh delivered above.
    """
    r = solve(chain_case(), backend)
    assert r.objective == pytest.approx(10 * 200 / 0.7 + 200 / 0.7 + 0.5 * 200 + 2 * 200)
    caps = r.capacities
    assert caps.loc[("links", "electrolyser"), "new_mw"] == pytest.approx(200 / 0.7)
    assert caps.loc[("links", "turbine"), "new_mw"] == pytest.approx(200.0)
    assert caps.loc[("stores", "tank"), "new_mwh"] == pytest.approx(200.0)
    flow = r.link_flow
    assert flow["p0_mw"].to_numpy() == pytest.approx([200 / 0.7, 0.0, 0.0, 200.0])
    assert flow["p1_mw"].to_numpy() == pytest.approx([200.0, 0.0, 0.0, 100.0])
    assert r.store_level["tank"].to_numpy() == pytest.approx([200.0, 0.0])
    assert r.store_withdrawal["tank"].to_numpy() == pytest.approx([-200.0, 200.0])
    assert r.dispatch["cheap"].to_numpy() == pytest.approx([200 / 0.7, 0.0])
    assert r.dispatch["dear"].to_numpy() == pytest.approx([0.0, 0.0])
    prices = r.prices
    assert prices["el"].to_numpy() == pytest.approx([10.0, (11 / 0.7 + 0.5 + 2) / 0.5])
    assert prices["h2"].to_numpy() == pytest.approx([11 / 0.7, 11 / 0.7 + 0.5])
    assert r.bus_carriers["carrier"].to_dict() == {"el": "electricity", "h2": "hydrogen"}
    costs = r.costs
    assert costs.loc[("links", "electrolyser"), "capital"] == pytest.approx(200 / 0.7)
    assert costs.loc[("stores", "tank"), "capital"] == pytest.approx(100.0)


def test_the_chain_is_written_by_run(tmp_path: Any) -> None:
    """The result folder has the link flows, store levels, bus carriers and the capacities of
    links (MW at bus0) and stores (MWh); the summary counts electricity only (100 MWh)."""
    out = write_results(solve(chain_case(), "highs"), tmp_path / "out")
    for name in ("link_flow", "store_level", "store_withdrawal", "bus_carriers", "capacities"):
        assert (out / f"{name}.csv").exists()
    caps = pd.read_csv(out / "capacities.csv", index_col=[0, 1])
    assert caps.loc[("stores", "tank"), "total_mwh"] == pytest.approx(200.0)
    assert caps.loc[("links", "turbine"), "total_mw"] == pytest.approx(200.0)
    summary = pd.read_json(out / "summary.json", typ="series")
    assert summary["demand_mwh"] == pytest.approx(100.0)
    assert summary["mean_price_per_mwh"] == pytest.approx((10.0 + 11 / 0.7 / 0.5 + 5.0) / 2)


# -- one link each: a hydrogen load, a heat pump, HVDC both ways, a second output ----------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_hydrogen_load_met_through_an_electrolyser(backend: str) -> None:
    """70 MW of hydrogen load (loads.csv at the h2 bus) from a 200 MW electrolyser, η 0.7:
    100 MW of electricity at 20 → 2,000 per hour, 4,000 in two hours; hydrogen priced
    20 / 0.7 = 28.571. The electricity system demand D_t is 10 MW (the el load), not 80."""
    case = make_case(2, [gen("gas", bus="el", p_nom_mw=500.0, vom_per_mwh=20.0)],
                     {"city": [10.0, 10.0], "refinery": [70.0, 70.0]},
                     buses=["el", "h2"], carriers={"h2": "hydrogen"},
                     load_bus={"city": "el", "refinery": "h2"},
                     links=[link("pem", "el", "h2", efficiency=0.7, p_nom_mw=200.0)])
    r = solve(case, backend)
    assert r.objective == pytest.approx(2 * 20.0 * (10.0 + 100.0))
    assert r.prices["h2"].to_numpy() == pytest.approx([20 / 0.7] * 2)
    assert system_demand(case) == pytest.approx([10.0, 10.0])
    summary = r.summary()
    assert summary["demand_mwh"] == pytest.approx(20.0)
    assert summary["other_carriers"]["hydrogen"]["demand_mwh"] == pytest.approx(140.0)
    assert summary["mean_price_per_mwh"] == pytest.approx(20.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_heat_pump_with_a_cop_of_three(backend: str) -> None:
    """Heat load 90 MW; heat pump η = 3 (COP), 20 MW of electricity at 30 → 60 MW of heat
    at 10 per MWh; the other 30 MW from a boiler at 15: 600 + 450 = 1,050. Heat is priced
    at the boiler (15), electricity at 30; the pump's capacity rent is 3 · 15 − 30 = 15 per
    MW and hour (the dual of its bound, not a row)."""
    case = make_case(1, [gen("grid", bus="el", p_nom_mw=500.0, vom_per_mwh=30.0),
                         gen("boiler", carrier="gas", bus="heat", p_nom_mw=500.0,
                             vom_per_mwh=15.0)],
                     {"district": [90.0]}, buses=["el", "heat"], carriers={"heat": "heat"},
                     load_bus={"district": "heat"},
                     links=[link("pump", "el", "heat", efficiency=3.0, p_nom_mw=20.0)])
    r = solve(case, backend)
    assert r.objective == pytest.approx(1050.0)
    assert r.link_flow["p1_mw"].to_numpy() == pytest.approx([60.0])
    assert r.prices["heat"].to_numpy() == pytest.approx([15.0])
    assert r.prices["el"].to_numpy() == pytest.approx([30.0])


def hvdc_case(p_min_pu: float = -1.0) -> Case:
    """Buses a and b joined by a 100 MW reversible HVDC link a → b (p_min_pu −1, η 0.9).
    Hour 1: 80 MW at b, cheap 10/MWh only at a. Hour 2: 45 MW at a, 20/MWh only at b. Dear
    generators (50) at both buses all the time."""
    return make_case(
        2, [gen("a_cheap", bus="a", p_nom_mw=500.0, vom_per_mwh=10.0),
            gen("b_cheap", bus="b", p_nom_mw=500.0, vom_per_mwh=20.0),
            gen("a_dear", bus="a", p_nom_mw=500.0, vom_per_mwh=50.0),
            gen("b_dear", bus="b", p_nom_mw=500.0, vom_per_mwh=50.0)],
        {"la": [0.0, 45.0], "lb": [80.0, 0.0]}, buses=["a", "b"],
        carriers={"a": "AC", "b": "AC"}, load_bus={"la": "a", "lb": "b"},
        availability={"a_cheap": [1.0, 0.0], "b_cheap": [0.0, 1.0]},
        links=[link("hvdc", "a", "b", efficiency=0.9, p_nom_mw=100.0, p_min_pu=p_min_pu)])


@pytest.mark.parametrize("backend", BACKENDS)
def test_hvdc_runs_both_ways_and_loses_ten_percent_each_way(backend: str) -> None:
    """Hour 1 forwards: a sends 80 / 0.9 = 88.889 MW, b receives 80: cost 888.889,
    λ_a = 10, λ_b = 10 / 0.9 = 11.111. Hour 2 backwards: b sends 45 / 0.9 = 50 MW, a
    receives 45: cost 1,000, λ_b = 20, λ_a = 20 / 0.9 = 22.222. Total 1,888.889. Going
    backwards loses 10 % too (a lossless or gaining reverse would price a at 20 or less).
    links.p is −50 in hour 2 (what b sends); link_flow has p0 −45 (a receives 45) and p1 −50
    (b sends 50)."""
    r = solve(hvdc_case(), backend)
    assert r.objective == pytest.approx(800 / 0.9 + 1000.0)
    assert r.variable("links.p")["hvdc"].to_numpy() == pytest.approx([80 / 0.9, -50.0])
    flow = r.link_flow
    assert flow["p0_mw"].to_numpy() == pytest.approx([80 / 0.9, -45.0])
    assert flow["p1_mw"].to_numpy() == pytest.approx([80.0, -50.0])
    assert r.prices["a"].to_numpy() == pytest.approx([10.0, 20 / 0.9])
    assert r.prices["b"].to_numpy() == pytest.approx([10 / 0.9, 20.0])
    assert r.summary()["demand_mwh"] == pytest.approx(125.0)  # AC buses are electricity


@pytest.mark.parametrize("backend", BACKENDS)
def test_hvdc_capacity_limits_the_reverse_flow(backend: str) -> None:
    """p_min_pu −0.4: backwards at most 40 MW taken at b, 36 MW reach a; the other 9 MW of
    hour 2 from a_dear (50): hour 2 costs 40 · 20 + 9 · 50 = 1,250, λ_a = 50."""
    r = solve(hvdc_case(-0.4), backend)
    assert r.objective == pytest.approx(800 / 0.9 + 800.0 + 450.0)
    assert r.prices["a"].to_numpy()[1] == pytest.approx(50.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_second_output_and_an_extra_input(backend: str) -> None:
    """CHP on gas: 40 MW of electricity at η 0.4 takes 100 MW of gas at 20 and gives 50 MW
    of heat (bus2, η2 0.5) toward a 60 MW heat load, whose other 10 MW come from a boiler at
    30: 2,000 + 300 = 2,300; λ_heat = 30, λ_gas = 20, λ_el = (20 − 0.5 · 30) / 0.4 = 12.5.

    Methanation h2 → gas (η 0.8) drawing CO2 (bus2, η2 −0.2) is idle: its gas would cost
    (h2 40 + 0.2 · CO2 50) / 0.8 = 62.5 > 20."""
    case = make_case(
        1, [gen("well", carrier="gas", bus="gas", p_nom_mw=500.0, vom_per_mwh=20.0),
            gen("boiler", carrier="gas", bus="heat", p_nom_mw=500.0, vom_per_mwh=30.0),
            gen("h2_supply", carrier="h2", bus="h2", p_nom_mw=500.0, vom_per_mwh=40.0),
            gen("co2_supply", carrier="co2", bus="co2", p_nom_mw=500.0, vom_per_mwh=50.0)],
        {"city": [40.0], "district": [60.0]}, buses=["el", "gas", "heat", "h2", "co2"],
        carriers={"gas": "gas", "heat": "heat", "h2": "hydrogen", "co2": "co2"},
        load_bus={"city": "el", "district": "heat"},
        links=[link("chp", "gas", "el", efficiency=0.4, bus2="heat", efficiency2=0.5,
                    p_nom_mw=300.0),
               link("methanation", "h2", "gas", efficiency=0.8, bus2="co2",
                    efficiency2=-0.2, p_nom_mw=100.0)])
    r = solve(case, backend)
    assert r.objective == pytest.approx(2300.0)
    chp = r.link_flow.xs("chp", level="name").iloc[0]
    assert (chp["p0_mw"], chp["p1_mw"], chp["p2_mw"]) == pytest.approx((100.0, 40.0, 50.0))
    assert r.prices.iloc[0].to_dict() == pytest.approx(
        {"el": 12.5, "gas": 20.0, "heat": 30.0, "h2": 40.0, "co2": 50.0})


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_extra_input_is_drawn(backend: str) -> None:
    """A gas load of 80 MW with a 200 MW methanation the only gas source: 100 MW of H2 at 40 and
    20 t of CO2 at 50: 4,000 + 1,000 = 5,000; λ_gas = (40 + 0.2 · 50) / 0.8 = 62.5."""
    case = make_case(
        1, [gen("h2_supply", carrier="h2", bus="h2", p_nom_mw=500.0, vom_per_mwh=40.0),
            gen("co2_supply", carrier="co2", bus="co2", p_nom_mw=500.0, vom_per_mwh=50.0)],
        {"grid": [80.0]}, buses=["gas", "h2", "co2"],
        carriers={"gas": "gas", "h2": "hydrogen", "co2": "co2"},
        links=[link("methanation", "h2", "gas", efficiency=0.8, bus2="co2",
                    efficiency2=-0.2, p_nom_mw=200.0)])
    r = solve(case, backend)
    assert r.objective == pytest.approx(5000.0)
    assert r.link_flow["p2_mw"].to_numpy() == pytest.approx([-20.0])
    assert r.prices["gas"].to_numpy() == pytest.approx([62.5])


# -- availability, ramps, store details -------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_link_availability_and_ramp(backend: str) -> None:
    """A 100 MW import corridor (5/MWh) into a bus with a 100/MWh plant; load 80 MW in three
    hours. Availability [1, 0.5, 1] caps hour 2 at 50 MW; ramp up 0.2 per hour (20 MW/h)
    caps hour 3 at 70: imports [80, 50, 70], plant [0, 30, 10]:
    5 · 200 + 100 · 40 = 5,000."""
    case = make_case(3, [gen("plant", bus="b", p_nom_mw=500.0, vom_per_mwh=100.0),
                         gen("abroad", bus="x", p_nom_mw=500.0, vom_per_mwh=5.0)],
                     {"city": [80.0] * 3}, buses=["b", "x"], load_bus={"city": "b"},
                     links=[link("corridor", "x", "b", p_nom_mw=100.0, ramp_up_pu_per_h=0.2)],
                     series={"link_availability_pu": {"corridor": [1.0, 0.5, 1.0]}})
    r = solve(case, backend)
    assert r.link_flow["p0_mw"].to_numpy() == pytest.approx([80.0, 50.0, 70.0])
    assert r.objective == pytest.approx(5000.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_store_with_standing_loss_initial_level_and_withdrawal_cost(backend: str) -> None:
    """A 100 MWh hydrogen tank, not cyclic, starting at 0.5 · 100 = 50 MWh, losing 10 % an
    hour, the only supply of a hydrogen load [0, 40.5]: e_1 = 0.9 · 50 = 45, e_2 = 0.9 · 45 −
    40.5 = 0; withdrawal cost 2 per MWh: objective 81. The tank's fixed O&M of 1 per MWh-year
    adds 100 (a constant)."""
    case = make_case(2, [gen("gas", bus="el", p_nom_mw=10.0, vom_per_mwh=20.0)],
                     {"h2_load": [0.0, 40.5]}, buses=["el", "h2"], carriers={"h2": "hydrogen"},
                     load_bus={"h2_load": "h2"},
                     stores=[{"name": "tank", "bus": "h2", "e_nom_mwh": 100.0, "cyclic": False,
                              "e_initial_pu": 0.5, "standing_loss_per_h": 0.1,
                              "marginal_cost_per_mwh": 2.0, "fom_per_mwh_yr": 1.0}])
    r = solve(case, backend)
    assert r.objective == pytest.approx(81.0 + 100.0)
    assert r.store_level["tank"].to_numpy() == pytest.approx([45.0, 0.0])


# -- electricity-only system quantities -------------------------------------------------------
def peak_case(**config: Any) -> Case:
    """Electricity load [50, 100]; hydrogen load [200, 0] at h2 met through a 500 MW
    electrolyser (η 0.5) from a gas plant at 1 t CO2/MWh."""
    return make_case(2, [gen("gas", bus="el", p_nom_mw=1000.0, vom_per_mwh=20.0,
                             co2_t_per_mwh=1.0)],
                     {"city": [50.0, 100.0], "h2": [200.0, 0.0]}, buses=["el", "h2"],
                     carriers={"h2": "hydrogen"}, load_bus={"city": "el", "h2": "h2"},
                     links=[link("pem", "el", "h2", efficiency=0.5, p_nom_mw=500.0)], **config)


def test_peak_response_and_intensity_count_electricity_load_only() -> None:
    """Counting the hydrogen load, hour 1 would peak at 250 MW; electricity alone peaks at
    100 MW in hour 2. T1's peak load and peak hour are those of electricity."""
    case = peak_case()
    assert system_demand(case) == pytest.approx([50.0, 100.0])
    peaked = case.replace(config={**case.config, "peak_response": {"k": 1,
                                                                  "event_duration_h": 1}})
    assert peak_load(peaked) == pytest.approx(100.0)
    assert list(peak_hours(peaked)) == [1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_co2_intensity_per_mwh_of_electricity_demand(backend: str) -> None:
    """Gas makes 50 + 100 MWh for the city and 400 MWh for the electrolyser: 550 t. Per MWh
    of electricity demand (150 MWh; the 200 MWh of hydrogen are not electricity demand):
    3.667 t/MWh (with the hydrogen load counted it would be 1.571). The generation share of
    'gas' counts generators at electricity buses: 100 %."""
    targets = [{"name": "T6", "year": 2030, "kind": "co2_intensity_max", "bound": 5.0,
                "unit": "t CO2/MWh"},
               {"name": "RE", "year": 2030, "kind": "share_max", "bound": 100.0, "unit": "%",
                "carrier": "gas"}]
    r = solve(peak_case(targets=targets), backend)
    assert r.targets.loc["T6", "achieved"] == pytest.approx(550.0 / 150.0)
    assert r.targets.loc["RE", "achieved"] == pytest.approx(100.0)


def test_generation_shares_ignore_sources_at_other_carriers() -> None:
    """A hydrogen 'generator' (an import of hydrogen, carrier 'gas' by mistake or design) at
    the h2 bus is no power generation: the gas share of electricity stays 100 % although
    half of all 'generator' output is at the h2 bus."""
    case = make_case(1, [gen("plant", carrier="gas", bus="el", p_nom_mw=100.0,
                             vom_per_mwh=10.0),
                         gen("import", carrier="wind", bus="h2", p_nom_mw=100.0,
                             vom_per_mwh=10.0)],
                     {"city": [50.0], "h2": [50.0]}, buses=["el", "h2"],
                     carriers={"h2": "hydrogen"}, load_bus={"city": "el", "h2": "h2"},
                     targets=[{"name": "W", "year": 2030, "kind": "share_max", "bound": 100.0,
                               "unit": "%", "carrier": "wind"}])
    r = solve(case, "highs")
    assert r.targets.loc["W", "achieved"] == pytest.approx(0.0)


def test_reserve_load_share_counts_electricity_load_only() -> None:
    """A 10 % up-reserve over every bus: 10 % of the 50 MW electricity load = 5 MW, not 10."""
    from gridopt.components.reserves import requirement_mw

    case = make_case(1, [gen("plant", bus="el", p_nom_mw=200.0, vom_per_mwh=10.0)],
                     {"city": [50.0], "h2": [50.0]}, buses=["el", "h2"],
                     carriers={"h2": "hydrogen"}, load_bus={"city": "el", "h2": "h2"},
                     links=[link("pem", "el", "h2", p_nom_mw=100.0)],
                     reserves=[{"name": "up", "direction": "up", "load_share": 0.1}])
    assert requirement_mw(case).ravel() == pytest.approx([5.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_system_wide_reserve_is_held_at_electricity_buses_only(backend: str) -> None:
    """A 20 MW up-reserve over every bus (blank), 1,000 per MW short. 'cheap' (60 MW at 10)
    serves the 50 MW electricity load and holds its 10 MW of headroom; the hydrogen plant
    (100 MW at 5, 10 MW of hydrogen load) holds no electricity reserve, so 10 MW are short:
    500 + 50 + 10,000 = 10,550 (counting the h2 bus it would be 550)."""
    case = make_case(1, [gen("cheap", bus="el", p_nom_mw=60.0, vom_per_mwh=10.0,
                             provides_reserve="true"),
                         gen("h2_plant", bus="h2", p_nom_mw=100.0, vom_per_mwh=5.0,
                             provides_reserve="true")],
                     {"city": [50.0], "h2": [10.0]}, buses=["el", "h2"],
                     carriers={"h2": "hydrogen"}, load_bus={"city": "el", "h2": "h2"},
                     reserves=[{"name": "up", "direction": "up", "fixed_mw": 20.0,
                                "shortfall_cost_per_mwh": 1000.0}])
    r = solve(case, backend)
    assert r.objective == pytest.approx(10550.0)


# -- representative periods -------------------------------------------------------------------
def three_days() -> Case:
    """72 h: a cheap 10/MWh source on day 1 only, dear 100/MWh always, 10 MW of electricity
    load every hour; the chain of :func:`chain_case` can carry day 1's energy to days 2
    and 3 (the tank loses 1 % an hour)."""
    hours = 72
    cheap = [1.0] * 24 + [0.0] * 48
    return make_case(
        hours, [gen("cheap", bus="el", p_nom_mw=1000.0, vom_per_mwh=10.0),
                gen("dear", bus="el", p_nom_mw=1000.0, vom_per_mwh=100.0)],
        {"load": [10.0] * hours}, buses=["el", "h2"], carriers={"h2": "hydrogen"},
        availability={"cheap": cheap},
        links=[link("electrolyser", "el", "h2", efficiency=0.7, extendable=True,
                    capex_per_mw=1.0, lifetime_yr=1.0),
               link("turbine", "h2", "el", efficiency=0.5, extendable=True, capex_per_mw=2.0,
                    lifetime_yr=1.0)],
        stores=[{"name": "tank", "bus": "h2", "extendable": True, "capex_per_mwh": 0.5,
                 "lifetime_yr": 1.0, "standing_loss_per_h": 0.01}])


@pytest.mark.parametrize("backend", BACKENDS)
def test_periods_every_day_its_own_agree_with_the_full_horizon(backend: str) -> None:
    """K = N = 3 daily periods, linked: the same LP as the full 72 h (the tank's level is
    carried from day to day), so the same optimum; unlinked, each day is cyclic on its own
    and days 2 and 3 cannot use day 1's cheap energy: dearer."""
    case = three_days()
    full = solve(case, backend)
    linked = solve(aggregate(case, 3, hours=24, keep_peak=False), backend)
    assert linked.objective == pytest.approx(full.objective, rel=1e-9)
    assert linked.store_level["tank"].to_numpy() == pytest.approx(
        full.store_level["tank"].to_numpy(), abs=1e-6)
    cyclic = solve(aggregate(case, 3, hours=24, linked=False, keep_peak=False), backend)
    assert cyclic.objective > full.objective + 1.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_fewer_periods_with_links_and_stores_solve(backend: str) -> None:
    """K = 2 of 3 days: an optimum whose every bus balances (``solve`` checks) and whose
    tank level, carried over the calendar of the original days, stays in [0, E]."""
    agg = aggregate(three_days(), 2, hours=24, keep_peak=False)
    r = solve(agg, backend)
    level = r.store_level["tank"].to_numpy()
    total = r.capacities.loc[("stores", "tank"), "total_mwh"]
    assert level.min() >= -1e-6 and level.max() <= total + 1e-6


# -- validation -------------------------------------------------------------------------------
def problems_of(**kw: Any) -> list[tuple[str, int | None, str | None, str]]:
    """(file, row, column, rule) of every problem of the chain case with ``kw`` replaced."""
    base: dict[str, Any] = dict(
        hours=1, generators=[gen("g", bus="el", p_nom_mw=10.0)], loads={"l": [1.0]},
        buses=["el", "h2"], carriers={"h2": "hydrogen"})
    base.update(kw)
    with pytest.raises(CaseError) as info:
        make_case(**base)
    return [(p.file, p.row, p.column, p.rule) for p in info.value.problems]


@pytest.mark.parametrize(("links", "expected"), [
    ([link("x", "el", "el")], ("links.csv", 2, "bus1", "link-same-bus")),
    ([link("x", "el", "h2", bus2="el")], ("links.csv", 2, "bus2", "link-same-bus")),
    ([link("x", "el", "h2", efficiency2=0.3)], ("links.csv", 2, "efficiency2",
                                                "link-efficiency")),
    ([link("x", "el", "h2", bus2="b3", efficiency2=0.0)], ("links.csv", 2, "efficiency2",
                                                           "link-efficiency")),
    ([link("x", "el", "h2", p_min_pu=-1.0, bus2="b3")], ("links.csv", 2, "p_min_pu",
                                                         "link-reversible-output")),
    ([link("x", "el", "h2", p_min_pu=-1.0, efficiency=1.5)], ("links.csv", 2, "efficiency",
                                                              "link-reversible-gain")),
    ([link("x", "el", "h2", p_min_pu=0.8, p_max_pu=0.5)], ("links.csv", 2, "p_min_pu",
                                                           "min-le-max")),
    ([link("x", "el", "nowhere")], ("links.csv", 2, "bus1", "unknown-reference")),
    ([link("x", "el", "h2", efficiency=0.0)], ("links.csv", 2, "efficiency", "range")),
    ([link("x", "el", "h2", p_min_pu=-2.0)], ("links.csv", 2, "p_min_pu", "range")),
    ([link("x", "el", "h2", efficency=0.7)], ("links.csv", None, "efficency",
                                             "unknown-column")),
])
def test_link_rules_name_file_row_column(links: list[dict[str, Any]],
                                         expected: tuple[Any, ...]) -> None:
    found = problems_of(links=links, buses=["el", "h2", "b3"])
    assert expected in found


def test_a_line_joins_buses_of_one_carrier() -> None:
    found = problems_of(lines=[{"name": "pipe", "bus0": "el", "bus1": "h2", "cap_fwd_mw": 10}])
    assert ("lines.csv", 2, "bus1", "line-carrier") in found


def test_store_rules() -> None:
    found = problems_of(stores=[{"name": "s", "bus": "mars", "e_nom_mwh": 5.0,
                                 "e_nom_max_mwh": 1.0, "standing_loss_per_h": 1.0}])
    assert ("stores.csv", 2, "bus", "unknown-reference") in found
    assert ("stores.csv", 2, "e_nom_mwh", "min-le-max") in found
    assert ("stores.csv", 2, "standing_loss_per_h", "range") in found


def test_a_load_reached_only_through_a_link_is_reachable() -> None:
    """A hydrogen load whose bus has no supply but a link from el: valid."""
    case = make_case(1, [gen("g", bus="el", p_nom_mw=10.0)], {"h2": [1.0]},
                     buses=["el", "h2"], carriers={"h2": "hydrogen"}, load_bus={"h2": "h2"},
                     links=[link("pem", "el", "h2", p_nom_mw=5.0)])
    assert case.table("links").index.tolist() == ["pem"]


def test_link_availability_series_is_a_known_file(tmp_path: Any) -> None:
    """``link_availability_pu.csv`` out of [0, 1] is refused with its file and column."""
    with pytest.raises(CaseError) as info:
        make_case(1, [gen("g", bus="el", p_nom_mw=10.0)], {"l": [1.0]},
                  buses=["el", "h2"], links=[link("pem", "el", "h2", p_nom_mw=5.0)],
                  series={"link_availability_pu": {"pem": [1.5]}})
    assert any(p.file == "link_availability_pu.csv" and p.column == "pem"
               for p in info.value.problems)


# -- from files, through the command line ---------------------------------------------------
def write_chain(folder: Path, links_extra: str = "") -> Path:
    """:func:`chain_case` as a case folder."""
    folder.mkdir()
    (folder / "case.yaml").write_text(
        "name: chain\ncurrency: EUR\nvoll_per_mwh: 10000\ndiscount_rate: 0\n"
        "snapshots:\n  start: 2030-01-01 00:00\n  hours: 2\n  annualise: false\n")
    (folder / "buses.csv").write_text("name,carrier\nel,\nh2,hydrogen\n")
    (folder / "generators.csv").write_text("name,bus,carrier,p_nom_mw,vom_per_mwh\n"
                                           "cheap,el,wind,1000,10\ndear,el,gas,1000,100\n")
    (folder / "availability_pu.csv").write_text("hour,cheap\n1,1\n2,0\n")
    (folder / "loads.csv").write_text("name,bus\nload,el\n")
    (folder / "load_mw.csv").write_text("hour,load\n1,0\n2,100\n")
    (folder / "links.csv").write_text(
        "name,bus0,bus1,efficiency,extendable,capex_per_mw,lifetime_yr\n"
        "electrolyser,el,h2,0.7,true,1,1\nturbine,h2,el,0.5,true,2,1\n" + links_extra)
    (folder / "stores.csv").write_text("name,bus,extendable,capex_per_mwh,lifetime_yr\n"
                                       "tank,h2,true,0.5,1\n")
    return folder


def test_gridopt_run_reads_links_and_stores_from_files(tmp_path: Path) -> None:
    """The chain from CSV files: the hand optimum 3,642.857 and the link and store tables."""
    from typer.testing import CliRunner

    from gridopt.cli import app

    folder = write_chain(tmp_path / "chain")
    case = gridopt.read_case(folder)
    assert gridopt.solve(case).objective == pytest.approx(10 * 200 / 0.7 + 200 / 0.7 + 500.0)
    res = CliRunner().invoke(app, ["run", str(folder), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    flow = pd.read_csv(tmp_path / "out" / "link_flow.csv", index_col=[0, 1])
    assert flow["p1_mw"].max() == pytest.approx(200.0)
    carriers = pd.read_csv(tmp_path / "out" / "bus_carriers.csv", index_col=0)
    assert carriers["carrier"].to_dict() == {"el": "electricity", "h2": "hydrogen"}


def test_a_bad_link_row_is_named_by_its_csv_line(tmp_path: Path) -> None:
    """The third data row (CSV line 4) takes and delivers at el."""
    folder = write_chain(tmp_path / "chain", "loop,el,el,1,false,0,1\n")
    with pytest.raises(CaseError) as info:
        gridopt.read_case(folder)
    found = [(p.file, p.row, p.column, p.rule) for p in info.value.problems]
    assert found == [("links.csv", 4, "bus1", "link-same-bus")]


# -- structure (no solver) --------------------------------------------------------------------
def test_rows_and_coefficients_of_links_and_stores() -> None:
    """The chain with a reversible 'hvdc' el → el2 (η 0.9, p_min_pu −0.5, extendable): the
    balance of h2 has −1 for the turbine's p, +0.7 for the electrolyser's and +1 for the tank's
    withdrawal; el2 has +0.9 on hvdc's p and −0.1 on its backward flow q, as el has −0.1 (and
    −1 on p); rows p_upper for the three extendable links, p_lower (floor −0.5) and
    back_lower/back_upper for hvdc only; no ramp rows (no limit given)."""
    from gridopt.model.build import build_model

    case = chain_case()
    links = pd.concat([case.table("links"), case.table("links").iloc[[0]].rename(
        index={"electrolyser": "hvdc"}).assign(bus1="el2", efficiency=0.9, p_min_pu=-0.5)])
    buses = pd.concat([case.table("buses"), case.table("buses").iloc[[0]].rename(
        index={"el": "el2"})])
    case = case.replace(tables={**case.tables, "links": links, "buses": buses})
    m = build_model(case)
    a = m.matrix("csr")
    bal = m.con_blocks["buses.balance"].index()  # B × T
    p, q, d = m.var("links.p"), m.var("links.p_back"), m.var("stores.p")

    def coef(row: int, col: int) -> float:
        return float(a[row, col])

    h2, el, el2 = (case.table("buses").index.get_loc(b) for b in ("h2", "el", "el2"))
    assert coef(bal[h2, 0], p[1, 0]) == -1.0
    assert coef(bal[h2, 0], p[0, 0]) == pytest.approx(0.7)
    assert coef(bal[h2, 0], d[0, 0]) == 1.0
    assert coef(bal[el2, 1], p[2, 1]) == pytest.approx(0.9)
    assert coef(bal[el2, 1], q[0, 1]) == pytest.approx(-0.1)
    assert coef(bal[el, 1], q[0, 1]) == pytest.approx(-0.1)
    assert coef(bal[el, 1], p[2, 1]) == -1.0
    assert m.con_blocks["links.p_upper"].shape == (3, 2)
    assert list(m.con_blocks["links.p_lower"].coords[0]) == ["hvdc"]
    assert list(m.con_blocks["links.back_upper"].coords[0]) == ["hvdc"]
    assert "links.ramp_up" not in m.con_blocks
    assert m.con_blocks["stores.balance"].shape == (1, 2)
