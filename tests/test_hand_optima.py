"""Tiny cases whose optimum is derived by hand in each docstring (layer 2 of STYLE.md).

Every case is solved with both backends; both must reach the hand-derived optimum.
"""

from __future__ import annotations

import numpy as np
import pytest

import gridopt
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]


def solar_gas_case(storage: list[dict] | None = None):
    """One bus, two hours, load 1 MW each hour, free solar [2, 0] MW, gas at 30 per MWh."""
    return make_case(
        hours=2,
        generators=[gen("solar", "solar", p_nom_mw=2.0),
                    gen("gas", "gas", p_nom_mw=5.0, vom_per_mwh=30.0)],
        loads={"load": [1.0, 1.0]},
        availability={"solar": [1.0, 0.0]},
        storage=storage,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_solar_and_gas(backend: str) -> None:
    """Hour 1 solar covers the load (1 of 2 MW, rest curtailed); hour 2 gas 1 MWh × 30 = 30."""
    r = gridopt.solve(solar_gas_case(), backend=backend)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(30.0)
    assert r.dispatch["gas"].tolist() == pytest.approx([0.0, 1.0])
    assert r.curtailment["solar"].tolist() == pytest.approx([1.0, 0.0])
    assert r.prices["b"].iloc[1] == pytest.approx(30.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lossless_store_makes_it_free(backend: str) -> None:
    """A lossless 1 MW / 1 MWh cyclic store shifts the 1 MWh surplus: objective 0.

    Hour 1: solar 2 MW = load 1 + charge 1 (soc 0 → 1); hour 2: discharge 1 → soc 0 = start.
    """
    store = [{"name": "bat", "bus": "b", "p_nom_mw": 1.0, "e_nom_mwh": 1.0}]
    r = gridopt.solve(solar_gas_case(store), backend=backend)
    assert r.objective == pytest.approx(0.0, abs=1e-9)
    assert r.storage_discharge["bat"].tolist() == pytest.approx([0.0, 1.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_lossy_store(backend: str) -> None:
    """With η_c = η_d = 0.9: charge 1 MWh → soc 0.9 → 0.81 MWh delivered; gas 0.19 × 30 = 5.7."""
    store = [{"name": "bat", "bus": "b", "p_nom_mw": 1.0, "e_nom_mwh": 1.0,
              "eff_charge": 0.9, "eff_discharge": 0.9}]
    r = gridopt.solve(solar_gas_case(store), backend=backend)
    assert r.objective == pytest.approx(5.7)
    assert r.storage_soc["bat"].tolist() == pytest.approx([0.9, 0.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_standing_loss_and_initial_state(backend: str) -> None:
    """Not cyclic, initial soc 1 MWh (σ = 1), standing loss 10 %/h, no solar, load [0, 1].

    Hour 1: soc = 0.9 · 1 = 0.9 (nothing to serve); hour 2: soc_2 = 0.9 · 0.9 − d ≥ 0, so the
    store delivers d = 0.81 MWh; gas 0.19 MWh × 30 = 5.7.
    """
    case = make_case(
        hours=2, generators=[gen("gas", "gas", p_nom_mw=5.0, vom_per_mwh=30.0)],
        loads={"load": [0.0, 1.0]},
        storage=[{"name": "bat", "bus": "b", "p_nom_mw": 1.0, "e_nom_mwh": 1.0,
                  "cyclic": False, "soc_initial_pu": 1.0, "standing_loss_per_h": 0.1}])
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(5.7)
    assert r.storage_soc["bat"].tolist() == pytest.approx([0.9, 0.0], abs=1e-9)


@pytest.mark.parametrize(("existing_mwh", "expected"), [(0.0, 60.0), (1.0, 30.0)])
def test_new_storage_starts_empty(existing_mwh: float, expected: float) -> None:
    """A non-cyclic store that starts full (σ = 1), energy extendable at 1 per MWh-year and
    power at 1 per MW-year; load 1 MW for 2 h, gas at 30/MWh. If σ applied to new capacity,
    building 2 MWh / 1 MW (cost 3) would conjure 2 MWh and save 60: objective 3. σ applies to
    the existing capacity Ē only: with Ē = 0 nothing is worth building (2 × 30 = 60); with
    Ē = 1 MWh (and 1 MW) the store gives its 1 MWh once (1 × 30 = 30)."""
    case = make_case(
        hours=2, generators=[gen("gas", "gas", p_nom_mw=5.0, vom_per_mwh=30.0)],
        loads={"load": [1.0, 1.0]},
        storage=[{"name": "bat", "bus": "b", "p_nom_mw": existing_mwh,
                  "e_nom_mwh": existing_mwh, "extendable": True, "capex_per_mw": 1.0,
                  "capex_per_mwh": 1.0, "lifetime_yr": 1.0, "cyclic": False,
                  "soc_initial_pu": 1.0}])
    for backend in ("highs", "pyomo"):
        r = gridopt.solve(case, backend=backend)
        assert r.objective == pytest.approx(expected)
        assert r.capacities.loc[("storage", "bat"), "new_mwh"] == pytest.approx(0.0, abs=1e-9)


def two_bus_case():
    """Bus A: cheap 10/MWh, 100 MW; bus B: 50/MWh, 100 MW, load 80 MW; line A→B 50 MW."""
    return make_case(
        hours=1, buses=["A", "B"],
        generators=[gen("cheap", bus="A", p_nom_mw=100.0, vom_per_mwh=10.0),
                    gen("dear", bus="B", p_nom_mw=100.0, vom_per_mwh=50.0)],
        loads={"load": [80.0]}, load_bus={"load": "B"},
        lines=[{"name": "AB", "bus0": "A", "bus1": "B", "cap_fwd_mw": 50.0}])


@pytest.mark.parametrize("backend", BACKENDS)
def test_binding_line_splits_prices(backend: str) -> None:
    """The line carries its limit 50 MW; B's own unit gives 30 MW.

    Objective 50 · 10 + 30 · 50 = 2,000. One more MW at A would be served by 'cheap' (λ_A = 10),
    at B by 'dear' (λ_B = 50): two different nodal prices across the binding line.
    """
    r = gridopt.solve(two_bus_case(), backend=backend)
    assert r.objective == pytest.approx(2000.0)
    assert r.line_flow["AB"].iloc[0] == pytest.approx(50.0)
    assert r.prices.iloc[0].to_dict() == pytest.approx({"A": 10.0, "B": 50.0})


def expansion_case(annual_capex: float):
    """Two snapshots, annualised (w = 8760 / 2 = 4380 h each), load [10, 4] MW.

    'peaker': existing 20 MW at 100/MWh. 'base': extendable at 20/MWh, lifetime 20 yr,
    discount rate 5 %, overnight cost K = annual_capex / CRF(5 %, 20).
    """
    crf = 0.05 * 1.05**20 / (1.05**20 - 1.0)  # = 0.0802426 (independent of gridopt's code)
    return make_case(
        hours=2, annualise=True, discount_rate=0.05,
        generators=[gen("peaker", p_nom_mw=20.0, vom_per_mwh=100.0),
                    gen("base", extendable=True, vom_per_mwh=20.0,
                        capex_per_mw=annual_capex / crf, lifetime_yr=20.0)],
        loads={"load": [10.0, 4.0]})


@pytest.mark.parametrize("backend", BACKENDS)
def test_expansion_follows_the_annuity(backend: str) -> None:
    """A MW of 'base' below 4 MW runs 8,760 h and saves (100 − 20) · 8,760 = 700,800 a year; a MW
    between 4 and 10 MW runs 4,380 h and saves 350,400. With an annuity of 500,000 per MW-year
    the optimum builds exactly 4 MW. Objective = annuity 4 · 500,000 + peaker 6 MW · 100 · 4,380
    (first snapshot) + base (4 + 4) MW · 20 · 4,380 = 2,000,000 + 2,628,000 + 700,800
    = 5,328,800.
    """
    r = gridopt.solve(expansion_case(500_000.0), backend=backend)
    assert r.capacities.loc[("generators", "base"), "new_mw"] == pytest.approx(4.0)
    assert r.objective == pytest.approx(5_328_800.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cheap_capital_builds_to_the_peak(backend: str) -> None:
    """With an annuity of 300,000 < 350,400 every MW up to the 10 MW peak pays: build 10 MW.

    Objective = 10 · 300,000 + (10 + 4) · 20 · 4,380 = 3,000,000 + 1,226,400 = 4,226,400.
    """
    r = gridopt.solve(expansion_case(300_000.0), backend=backend)
    assert r.capacities.loc[("generators", "base"), "new_mw"] == pytest.approx(10.0)
    assert r.objective == pytest.approx(4_226_400.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_storage_expansion_with_fixed_duration(backend: str) -> None:
    """Free solar [2, 0] MW, load 1 MW, gas 30/MWh, an extendable lossless 1-hour store at
    5 per MW-year of power (lifetime 1 yr, r = 0 → CRF = 1) and 0 per MWh.

    Each MW built shifts 1 MWh and saves 30 − 5 = 25; the surplus is 1 MW, so build 1 MW /
    1 MWh; objective = 5.
    """
    case = make_case(
        hours=2,
        generators=[gen("solar", "solar", p_nom_mw=2.0),
                    gen("gas", "gas", p_nom_mw=5.0, vom_per_mwh=30.0)],
        loads={"load": [1.0, 1.0]}, availability={"solar": [1.0, 0.0]},
        storage=[{"name": "bat", "bus": "b", "extendable": True, "duration_h": 1.0,
                  "capex_per_mw": 5.0, "lifetime_yr": 1.0}])
    r = gridopt.solve(case, backend=backend)
    caps = r.capacities.loc[("storage", "bat")]
    assert caps["new_mw"] == pytest.approx(1.0)
    assert caps["new_mwh"] == pytest.approx(1.0)
    assert r.objective == pytest.approx(5.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_load_shedding_at_voll(backend: str) -> None:
    """Load 12 MW, one 10 MW unit at 30: 2 MW shed at VOLL 1,000; objective 300 + 2,000;
    the price is VOLL."""
    case = make_case(hours=1, generators=[gen("gas", p_nom_mw=10.0, vom_per_mwh=30.0)],
                     loads={"load": [12.0]}, voll=1000.0)
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(2300.0)
    assert r.load_shed["b"].iloc[0] == pytest.approx(2.0)
    assert r.prices["b"].iloc[0] == pytest.approx(1000.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_fuel_cost_emissions_and_fixed_om(backend: str) -> None:
    """Coal: heat rate 9 GJ/MWh, fuel 3 per GJ, 0.1 t CO2 per GJ, 20 GJ per t; VOM 2.
    Marginal cost 9 · 3 + 2 = 29; load 10 MW for 2 h → 580. Existing 15 MW with fixed O&M
    4 per MW-yr adds 60. Emissions 20 MWh · 0.9 t = 18 t; fuel 20 · 9 / 20 = 9 t."""
    case = make_case(
        hours=2, generators=[gen("coal", "coal", p_nom_mw=15.0, fuel="coal", vom_per_mwh=2.0,
                                 heat_rate_gj_per_mwh=9.0, fom_per_mw_yr=4.0)],
        loads={"load": [10.0, 10.0]},
        fuels=[{"name": "coal", "price_per_gj": 3.0, "co2_t_per_gj": 0.1, "gj_per_unit": 20.0,
                "unit": "t"}])
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(640.0)
    assert r.energy.loc["coal", "co2_t"] == pytest.approx(18.0)
    assert r.energy.loc["coal", "fuel_use"] == pytest.approx(9.0)
    costs = r.costs.loc[("generators", "coal")]
    assert costs["operating"] == pytest.approx(580.0)
    assert costs["fixed_om"] == pytest.approx(60.0)
    assert np.isclose(r.costs["total"].sum(), r.objective)
