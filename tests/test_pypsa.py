"""PyPSA import and export (gridopt/importers/pypsa.py, pypsa_export.py; docs/pypsa.md).

Each network is built with PyPSA's own API and solved by PyPSA with HiGHS; the imported case
solved by gridopt (both backends) must give the same objective (relative 1e-6) and the same
optimal capacities. PyPSA reports ``n.objective`` without its ``objective_constant`` (the
capital cost of the capacity extendable components already have); gridopt's objective
holds no cost of existing capacity either (``capex_per_mw`` applies to new capacity only,
and the import writes no fixed O&M), so the two are compared as they are, and every
network here has ``objective_constant`` 0 or the test says so.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import pytest

pypsa = pytest.importorskip("pypsa")

import gridopt  # noqa: E402
from gridopt.importers.pypsa import PypsaError, convert, write  # noqa: E402

BACKENDS = ["highs", "pyomo"]


@pytest.fixture(autouse=True)
def _quiet():
    logging.disable(logging.INFO)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


def _hours(n, hours: int) -> np.ndarray:
    n.set_snapshots(pd.date_range("2030-01-01", periods=hours, freq="h"))
    return np.arange(hours)


def _pypsa_solve(n, **options) -> float:
    status, _ = n.optimize(solver_name="highs", **options)
    assert status == "ok"
    return float(n.objective)


def _import(n, tmp_path):
    conv = convert(n)
    return write(conv.files, tmp_path / "case")


def _close(a: float, b: float, rel: float = 1e-6) -> None:
    assert a == pytest.approx(b, rel=rel, abs=1e-6)


def _capacities(result) -> pd.Series:
    """Total capacity by element name: MW, and MWh (named "<name> [MWh]") of stores."""
    caps = result.capacities
    out = {}
    for (component, name), row in caps.iterrows():
        if component == "stores":
            out[f"{name} [MWh]"] = row["total_mwh"]
        else:
            out[name] = row["total_mw"]
            if component == "storage":
                out[f"{name} [MWh]"] = row["total_mwh"]
    return pd.Series(out)


def single_node() -> pypsa.Network:
    """(a) one electricity bus and a hydrogen bus over 48 h: wind (strong the first day, a
    lull the second), solar (a sine by day), a 4-hour battery, and electrolysis → H2 tank →
    fuel cell, all extendable; the lull makes the cheap tank worth its two conversions."""
    n = pypsa.Network()
    h = _hours(n, 48)
    n.add("Carrier", ["AC", "wind", "solar", "H2"])
    n.add("Bus", "el")
    n.add("Bus", "h2", carrier="H2")
    n.add("Load", "demand", bus="el", p_set=100 + 20 * np.sin(2 * np.pi * h / 24))
    solar = 0.8 * np.clip(np.sin(np.pi * (h % 24 - 6) / 12), 0, None)
    n.add("Generator", "wind", bus="el", carrier="wind", p_nom_extendable=True,
          capital_cost=300, p_max_pu=np.where(h < 24, 0.9, 0.05))
    n.add("Generator", "solar", bus="el", carrier="solar", p_nom_extendable=True,
          capital_cost=200, p_max_pu=solar)
    n.add("StorageUnit", "battery", bus="el", p_nom_extendable=True, max_hours=4,
          capital_cost=400, efficiency_store=0.95, efficiency_dispatch=0.95,
          cyclic_state_of_charge=True)
    n.add("Link", "electrolysis", bus0="el", bus1="h2", efficiency=0.7, carrier="H2",
          p_nom_extendable=True, capital_cost=150)
    n.add("Store", "h2 tank", bus="h2", e_nom_extendable=True, e_cyclic=True, capital_cost=5)
    n.add("Link", "fuel cell", bus0="h2", bus1="el", efficiency=0.5, p_nom_extendable=True,
          capital_cost=200)
    return n


def meshed() -> pypsa.Network:
    """(b) a triangle of 380 kV AC lines a–b–c (x 10, 20, 10 Ω) with a lossless DC link b–c
    (reversible, 30 MW, halved in hours 2-3 by a p_max_pu series), a cheap generator at a, a
    dear one at c (an hourly marginal cost series), an extendable one at b; the line a–c
    (100 MW) binds, so Kirchhoff's voltage law shapes the dispatch. By hand, the capacity at b:
    it is built until every path out of b is full in an hour with the link open, serving its
    50 MW load, 100 MW on b–c, 100 MW on b–a and 30 MW on the link: 280 MW."""
    n = pypsa.Network()
    h = _hours(n, 6)
    for bus in "abc":
        n.add("Bus", bus, v_nom=380.0)
    n.add("Line", "ab", bus0="a", bus1="b", x=10.0, r=1.0, s_nom=200)
    n.add("Line", "bc", bus0="b", bus1="c", x=20.0, r=1.0, s_nom=200)
    n.add("Line", "ac", bus0="a", bus1="c", x=10.0, r=1.0, s_nom=100)
    n.add("Link", "dc bc", bus0="b", bus1="c", p_nom=30, p_min_pu=-1, carrier="DC",
          p_max_pu=[1.0, 1.0, 0.5, 0.5, 1.0, 1.0])
    n.add("Generator", "cheap a", bus="a", p_nom=400, marginal_cost=10)
    n.add("Generator", "mid b", bus="b", p_nom_extendable=True, capital_cost=20,
          marginal_cost=30)
    n.add("Generator", "dear c", bus="c", p_nom=300, marginal_cost=80 + 5 * h)
    n.add("Load", "load b", bus="b", p_set=50.0)
    n.add("Load", "load c", bus="c", p_set=200 + 20 * h)
    return n


def committed() -> pypsa.Network:
    """(c) one bus over a day: a 150 MW base unit (min 40 % = 60 MW, up 4 h, down 6 h,
    start 2,000) on before the start, a 100 MW peaker (min 30 %, up 5 h, down 2 h, start 500,
    stop 100) off before, and a dear non-committed reserve. The night load (40 MW, hours 0-4)
    is below the base unit's minimum, so it stops and must stay off 6 h (into hour 5, where
    the load is already 80), the peaker covering the night; the evening peak (170 MW) needs
    the peaker again, for at least its 5-hour minimum."""
    n = pypsa.Network()
    h = _hours(n, 24)
    n.add("Bus", "el")
    load = np.where(h < 5, 40.0, 80 + 90 * np.exp(-((h - 18) / 3.0) ** 2)
                    + 20 * np.exp(-((h - 9) / 2.0) ** 2))
    n.add("Load", "demand", bus="el", p_set=load)
    n.add("Generator", "base", bus="el", p_nom=150, committable=True, p_min_pu=0.4,
          min_up_time=4, min_down_time=6, start_up_cost=2000, marginal_cost=20,
          up_time_before=5)
    n.add("Generator", "peaker", bus="el", p_nom=100, committable=True, p_min_pu=0.3,
          min_up_time=5, min_down_time=2, start_up_cost=500, shut_down_cost=100,
          marginal_cost=60, up_time_before=0, down_time_before=3)
    n.add("Generator", "reserve", bus="el", p_nom=100, marginal_cost=300)
    return n


def co2_capped() -> pypsa.Network:
    """(d) one bus over 24 h: gas (0.2 t CO2 per MWh of gas, efficiency 0.5: 0.4 t/MWh) and
    extendable wind; a cap of 200 t a day binds (gas alone would emit ≈ 960 t)."""
    n = pypsa.Network()
    h = _hours(n, 24)
    n.add("Carrier", "gas", co2_emissions=0.2)
    n.add("Carrier", "wind")
    n.add("Bus", "el")
    n.add("Load", "demand", bus="el", p_set=100.0)
    n.add("Generator", "gas", bus="el", carrier="gas", p_nom=150, efficiency=0.5,
          marginal_cost=50)
    n.add("Generator", "wind", bus="el", carrier="wind", p_nom_extendable=True,
          capital_cost=400, p_max_pu=0.2 + 0.6 * (h % 12) / 11)
    n.add("GlobalConstraint", "co2 cap", type="primary_energy",
          carrier_attribute="co2_emissions", sense="<=", constant=200.0)
    return n


def _check(n, tmp_path, backends=BACKENDS, constant=0.0, **options) -> list:
    expected = _pypsa_solve(n, **options)
    assert n.objective_constant == pytest.approx(constant)
    case = _import(n, tmp_path)
    results = []
    for backend in backends:
        r = gridopt.solve(case, backend=backend, **options)
        assert r.ok, r.status
        _close(r.objective, expected)
        results.append(r)
    return results


def _pypsa_capacities(n) -> pd.Series:
    parts = [n.generators.p_nom_opt, n.links.p_nom_opt, n.storage_units.p_nom_opt,
             n.stores.e_nom_opt.add_suffix(" [MWh]")]
    return pd.concat([p for p in parts if len(p)])


@pytest.mark.parametrize("backend", BACKENDS)
def test_single_node_wind_solar_battery_hydrogen(tmp_path, backend):
    n = single_node()
    (r,) = _check(n, tmp_path, backends=[backend])
    ours = _capacities(r)
    theirs = _pypsa_capacities(n)
    for name, value in theirs.items():
        assert ours[name] == pytest.approx(value, rel=1e-5, abs=1e-4), name
    assert theirs["h2 tank [MWh]"] > 100 and theirs["battery"] > 10  # both are used
    assert ours["battery [MWh]"] == pytest.approx(4 * theirs["battery"], rel=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_meshed_ac_with_dc_link(tmp_path, backend):
    n = meshed()
    (r,) = _check(n, tmp_path, backends=[backend])
    flows = r.line_flow
    for line in n.lines.index:
        np.testing.assert_allclose(flows[line].to_numpy(), n.lines_t.p0[line].to_numpy(),
                                   rtol=1e-6, atol=1e-5)
    assert abs(n.lines_t.p0["ac"]).max() == pytest.approx(100)  # the binding line
    link = r.link_flow
    np.testing.assert_allclose(
        link["p0_mw"].unstack()["dc bc"].to_numpy() if "p0_mw" in link else 0,
        n.links_t.p0["dc bc"].to_numpy(), rtol=1e-6, atol=1e-5)
    assert _capacities(r)["mid b"] == pytest.approx(n.generators.p_nom_opt["mid b"],
                                                    rel=1e-6, abs=1e-5)
    assert _capacities(r)["mid b"] == pytest.approx(50 + 100 + 100 + 30, rel=1e-6)


def test_committable_generators_over_a_day(tmp_path):
    """The same objective and schedules of the same shape in both: the base unit off for
    hours 0-5 (its 6-hour minimum down time holds it off in hour 5), the peaker on for 0-5
    and then for one block of exactly 5 hours (its minimum up time) holding the hours above
    150 MW (17-19). Where the block starts (15 or 16) is a tie: one hour at the peaker's
    30 MW minimum costs the same at either end."""
    n = committed()
    results = _check(n, tmp_path, mip_rel_gap=0.0)
    schedules = [n.generators_t.status] + [r.variable("commitment.status") for r in results]
    for status in schedules:
        base = "".join(f"{abs(v):.0f}" for v in status["base"])
        peaker = "".join(f"{abs(v):.0f}" for v in status["peaker"])
        assert base == "0" * 6 + "1" * 18
        assert peaker[:6] == "111111" and peaker[6:].strip("0") == "11111"
        assert peaker[17:20] == "111"


def test_co2_cap_binds(tmp_path):
    """By hand: gas emits 0.2 / 0.5 = 0.4 t/MWh, so the 200 t cap allows 500 MWh of gas in
    the day; wind W MW gives min(W a_h, 100) with a_h = 0.2 + 0.6 k / 11 (k = h mod 12, each
    k twice). Guess that hours k ≤ 6 are short of wind (checked below): gas = 2 Σ_{k≤6}
    (100 − W a_k) = 2 (700 − W (1.4 + 0.6 · 21 / 11)) = 1400 − 5.0909 W = 500, so
    W = 900 / 5.0909 = 176.786 MW (then 100 / W = 0.566: a_6 = 0.527 is short and a_7 = 0.582
    not, as guessed), and the cost is 400 W + 50 · 500 = 70,714.29 + 25,000 = 95,714.29."""
    n = co2_capped()
    results = _check(n, tmp_path)
    wind = 900 / (2 * (1.4 + 0.6 * 21 / 11))
    assert wind == pytest.approx(176.7857, rel=1e-6)
    assert n.objective == pytest.approx(400 * wind + 50 * 500, rel=1e-9)
    gas = n.generators_t.p["gas"].sum()
    assert gas * 0.4 == pytest.approx(200.0, rel=1e-6)  # binds
    for r in results:
        assert _capacities(r)["wind"] == pytest.approx(n.generators.p_nom_opt["wind"],
                                                       rel=1e-6)


def _refused(n, *words):
    with pytest.raises(PypsaError) as info:
        convert(n)
    text = str(info.value)
    for word in words:
        assert word in text, text
    return text


def test_unsupported_attributes_are_named():
    n = co2_capped()
    n.generators.loc["gas", "marginal_cost_quadratic"] = 0.01
    n.generators.loc["wind", "sign"] = -1.0
    n.add("ShuntImpedance", "shunt", bus="el", g=0.1)
    text = _refused(n, "Generator 'gas' attribute 'marginal_cost_quadratic'",
                    "Generator 'wind' attribute 'sign'", "ShuntImpedance ['shunt']")
    assert text.count("\n  - ") == 3


def test_transformers_and_retiring_capacity_are_refused():
    n = meshed()
    n.add("Bus", "d", v_nom=110.0)
    n.add("Transformer", "t1", bus0="c", bus1="d", x=0.1, s_nom=100)
    n.generators.loc["mid b", "p_nom"] = 10.0
    _refused(n, "Transformer ['t1']", "Generator 'mid b' attribute 'p_nom_min'")


def test_non_uniform_weightings_are_refused():
    n = co2_capped()
    n.snapshot_weightings.loc[n.snapshots[0], "objective"] = 2.0
    _refused(n, "snapshot_weightings' attribute 'objective'")


def _tables_equal(a, b) -> None:
    for name in a.tables:
        pd.testing.assert_frame_equal(a.table(name), b.table(name), check_dtype=False,
                                      check_like=True, obj=name)


@pytest.mark.parametrize("build", [single_node, meshed, committed, co2_capped])
def test_export_then_import_returns_the_same_case(tmp_path, build):
    """Case → PyPSA → case: the same tables (the import's lifetimes 1 and discount rate 0
    give capital_cost = capex exactly), and PyPSA solving the exported network and gridopt
    the re-imported case both reach the original case's optimum (no fixed O&M: offset 0)."""
    from gridopt.importers.pypsa_export import export

    first = gridopt.read_case(_import(build(), tmp_path / "a"))
    exported = export(first)
    assert exported.offset == 0 and exported.warnings == []
    second = gridopt.read_case(_import(exported.network, tmp_path / "b"))
    _tables_equal(first, second)
    expected = gridopt.solve(first, mip_rel_gap=0.0).objective
    _close(gridopt.solve(second, mip_rel_gap=0.0).objective, expected)
    _close(_pypsa_solve(exported.network, mip_rel_gap=0.0), expected)


def _gridopt_case():
    """A case outside the import's conventions: annualised (w = 8760/4 per snapshot),
    discount rate 6 %, lifetimes 20-30 years, fuels with heat rates and CO2, fixed O&M on
    existing capacity, a 4-hour battery and a store without duration, a transport line, load
    shedding allowed, and an enforced CO2 cap."""
    from tests.factory import gen, make_case

    return make_case(
        4, annualise=True, discount_rate=0.06, buses=["n", "s"], voll=5000.0,
        generators=[
            gen("coal", bus="n", carrier="coal", p_nom_mw=80, fuel="coal",
                heat_rate_gj_per_mwh=9.5, vom_per_mwh=3, fom_per_mw_yr=40_000,
                ramp_up_pu_per_h=0.5),
            gen("gas", bus="s", carrier="gas", p_nom_mw=60, fuel="gas",
                heat_rate_gj_per_mwh=7.0, fom_per_mw_yr=20_000),
            gen("solar", bus="s", carrier="solar", extendable=True, capex_per_mw=600_000,
                lifetime_yr=25, fom_per_mw_yr=10_000, p_nom_max_mw=300),
        ],
        availability={"solar": [0.0, 0.6, 0.9, 0.3]},
        loads={"north": [50.0, 60.0, 70.0, 55.0], "south": [60.0, 90.0, 100.0, 80.0]},
        load_bus={"north": "n", "south": "s"},
        storage=[
            {"name": "battery", "bus": "s", "extendable": True, "duration_h": 4,
             "capex_per_mw": 200_000, "capex_per_mwh": 150_000, "lifetime_yr": 15,
             "eff_charge": 0.95, "eff_discharge": 0.95},
            {"name": "pumped", "bus": "n", "p_nom_mw": 20, "e_nom_mwh": 100,
             "eff_charge": 0.9, "eff_discharge": 0.85, "fom_per_mw_yr": 5_000},
        ],
        lines=[{"name": "ns", "bus0": "n", "bus1": "s", "cap_fwd_mw": 40, "cap_rev_mw": 30}],
        fuels=[{"name": "coal", "price_per_gj": 3.0, "co2_t_per_gj": 0.095},
               {"name": "gas", "price_per_gj": 8.0, "co2_t_per_gj": 0.056}],
        targets=[{"name": "cap", "year": 2030, "kind": "co2_max", "bound": 0.35,
                  "unit": "Mt CO2", "enforce": True}],
    )


def test_gridopt_case_exported_and_solved_in_pypsa(tmp_path):
    """PyPSA's objective on the exported network = gridopt's − the fixed O&M of existing
    capacity (80·40,000 + 60·20,000 + 20·5,000 = 4,500,000, a constant of gridopt's
    objective that PyPSA leaves out), on the same capacities; it also survives netCDF."""
    from gridopt.importers.pypsa_export import export, write_network

    case = _gridopt_case()
    result = gridopt.solve(case)
    assert result.ok
    exported = export(case)
    assert exported.offset == pytest.approx(4_500_000.0)
    path = write_network(exported.network, tmp_path / "net.nc")
    n = pypsa.Network(str(path))
    _close(_pypsa_solve(n) + exported.offset, result.objective)
    assert n.generators.p_nom_opt["solar"] == pytest.approx(
        result.capacities.loc[("generators", "solar"), "total_mw"], rel=1e-5, abs=1e-4)
    assert n.global_constraints.loc["cap", "constant"] == 350_000.0
    assert any("load shedding" in w for w in exported.warnings)


def test_export_refuses_what_pypsa_cannot_hold():
    from gridopt.importers.pypsa_export import export
    from tests.factory import gen, make_case

    case = make_case(2, generators=[gen("g", p_nom_mw=100, vom_per_mwh=10)],
                     loads={"d": [50.0, 60.0]},
                     links=[{"name": "l", "bus0": "b", "bus1": "h", "efficiency": 0.9,
                             "p_min_pu": -1, "p_nom_mw": 10}],
                     buses=["b", "h"], carriers={"h": "heat"},
                     stores=[{"name": "tank", "bus": "h", "e_nom_mwh": 5,
                              "marginal_cost_per_mwh": 1.0}])
    with pytest.raises(PypsaError) as info:
        export(case)
    text = str(info.value)
    assert "links.csv 'l' column 'efficiency'" in text
    assert "stores.csv 'tank' column 'marginal_cost_per_mwh'" in text


def test_cli_import_and_export(tmp_path):
    """``gridopt import pypsa`` of a netCDF file and of a CSV folder, ``gridopt export
    pypsa`` back to netCDF, and a refusal's message on the command line."""
    from typer.testing import CliRunner

    from gridopt.cli import app

    runner = CliRunner()
    n = co2_capped()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n.export_to_netcdf(str(tmp_path / "n.nc"))
        n.export_to_csv_folder(str(tmp_path / "csv"))
    a = runner.invoke(app, ["import", "pypsa", str(tmp_path / "n.nc"), "--out",
                            str(tmp_path / "a")])
    assert a.exit_code == 0, a.output
    b = runner.invoke(app, ["import", "pypsa", str(tmp_path / "csv"), "--out",
                            str(tmp_path / "b")])
    assert b.exit_code == 0, b.output
    yaml = [(tmp_path / f / "case.yaml").read_text() for f in "ab"]
    assert yaml[0] == yaml[1]
    _tables_equal(gridopt.read_case(tmp_path / "a"), gridopt.read_case(tmp_path / "b"))
    # PyPSA's CSV folder keeps 15 significant digits, netCDF all 17: series agree to 1e-12
    pd.testing.assert_frame_equal(gridopt.read_case(tmp_path / "a").series["availability_pu"],
                                  gridopt.read_case(tmp_path / "b").series["availability_pu"],
                                  rtol=1e-12)
    c = runner.invoke(app, ["export", "pypsa", str(tmp_path / "a"), "--out",
                            str(tmp_path / "back.nc")])
    assert c.exit_code == 0, c.output
    assert (tmp_path / "back.nc").is_file()
    n.generators.loc["gas", "marginal_cost_quadratic"] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n.export_to_netcdf(str(tmp_path / "bad.nc"))
    d = runner.invoke(app, ["import", "pypsa", str(tmp_path / "bad.nc"), "--out",
                            str(tmp_path / "d")])
    assert d.exit_code == 1
    assert "marginal_cost_quadratic" in d.output


@pytest.mark.parametrize("build", [committed, co2_capped])
def test_annualised_weightings(tmp_path, build):
    """Objective weighting 8760 / 24 = 365 per snapshot (stores 1 h): imported with
    ``annualise: true`` and step_h 1; start-up costs, which PyPSA does not weight, are
    divided by gridopt's w_t / Δt = 365; the CO2 cap counts the weighted (generators)
    energy, so it is raised to 365 × 200 t to stay as binding as before."""
    n = build()
    n.snapshot_weightings.loc[:, ["objective", "generators"]] = 365.0
    if len(n.global_constraints):
        n.global_constraints.loc["co2 cap", "constant"] = 365 * 200.0
    conv = convert(n)
    assert "annualise: true" in conv.files["case.yaml"]
    _check(n, tmp_path, backends=["highs"], mip_rel_gap=0.0)


def test_inactive_component_and_series_are_refused():
    n = single_node()
    n.generators.loc["solar", "active"] = False
    n.generators_t.p_min_pu["wind"] = 0.1
    n.links_t.efficiency["electrolysis"] = 0.6
    _refused(n, "Generator 'solar' attribute 'active'", "Generator 'wind' attribute 'p_min_pu'",
             "Link 'electrolysis' attribute 'efficiency'")


def test_snapshots_without_timestamps_are_hours_from_2000(tmp_path):
    n = pypsa.Network()
    n.set_snapshots(range(3))
    n.add("Bus", "b")
    n.add("Load", "d", bus="b", p_set=[1.0, 2.0, 3.0])
    n.add("Generator", "g", bus="b", p_nom=5, marginal_cost=2.0)
    conv = convert(n)
    assert 'start: "2000-01-01 00:00:00"' in conv.files["case.yaml"]
    assert any("not timestamps" in w for w in conv.warnings)
    case = write(conv.files, tmp_path / "c")
    assert gridopt.solve(case).objective == pytest.approx(2.0 * 6)


def test_committable_ramp_limits(tmp_path):
    """Ramp limits of committed units (share of p_nom per hour, start-up and shut-down
    limits no higher than the ramp) give PyPSA's optimum; a start-up limit above the ramp
    (blank: 1) is refused, PyPSA's rows then binding stops and starts as gridopt's do not."""
    n = committed()
    for g in ("base", "peaker"):
        n.generators.loc[g, ["ramp_limit_up", "ramp_limit_start_up", "ramp_limit_down",
                             "ramp_limit_shut_down"]] = [0.6, 0.5, 0.45, 0.45]
    _check(n, tmp_path, backends=["highs"], mip_rel_gap=0.0)
    n.generators.loc["base", "ramp_limit_start_up"] = np.nan
    _refused(n, "Generator 'base' attribute 'ramp_limit_start_up'")


def test_existing_extendable_capacity_and_objective_constant(tmp_path):
    """Wind of (d) with 50 MW already built (p_nom = p_nom_min = 50, extendable): PyPSA's
    ``objective_constant`` is 400 · 50 = 20,000 and ``n.objective`` leaves it out, charging
    400 per MW built beyond 50; the import makes the 50 MW existing capacity and charges
    ``capex_per_mw`` 400 on new capacity only, so gridopt's objective is ``n.objective``
    (95,714.29 − 20,000 = 75,714.29, the optimum of (d) being unchanged) and the total wind
    the same 176.786 MW."""
    n = co2_capped()
    n.generators.loc["wind", ["p_nom", "p_nom_min"]] = 50.0
    results = _check(n, tmp_path, backends=["highs"], constant=20_000.0)
    assert n.objective == pytest.approx(95_714.2857 - 20_000, rel=1e-6)
    caps = results[0].capacities.loc[("generators", "wind")]
    assert (caps["existing_mw"], caps["total_mw"]) == (50.0, pytest.approx(176.7857, rel=1e-6))
