"""Electrolysers with hydrogen storage: structure, hand optima on both backends, H2 invariants,
and the peak-response capability they give (``models/electrolysers.md``)."""

from __future__ import annotations

import numpy as np
import pytest

import gridopt
from gridopt.case.case import Case, CaseError
from gridopt.components._dr import Scope
from gridopt.components.electrolysers import add_electrolysers, baseline, check_electrolysers
from gridopt.model.arrays import ArrayModel
from gridopt.model.build import build_model
from gridopt.peak import verify
from gridopt.results.results import Results
from tests.factory import gen, make_case

BACKENDS = ["highs", "pyomo"]


def electrolyser(**kw: object) -> dict[str, object]:
    """P = 10 MW, η = 0.5 MWh H2/MWh, H2 demand 2 MWh/h → baseline b = 2 / 0.5 = 4 MW;
    4 MW enrolled (ρ = 1), a 4 MWh H2 store."""
    return {"name": "ely", "bus": "b", "potential_mw": 10.0, "enrolled_mw": 4.0,
            "efficiency_mwh_h2_per_mwh": 0.5, "h2_storage_mwh": 4.0,
            "h2_demand_mwh_per_h": 2.0, **kw}


def solar_case(series: dict | None = None, **kw: object) -> Case:
    """One bus, two hours, no other load; free solar 10 MW available [1, 0]; gas at 30/MWh."""
    return make_case(
        hours=2, generators=[gen("solar", "solar", p_nom_mw=10.0),
                             gen("gas", p_nom_mw=20.0, vom_per_mwh=30.0)],
        loads={"load": [0.0, 0.0]}, availability={"solar": [1.0, 0.0]},
        electrolysers=[electrolyser(**kw)], series=series)


def consumption(r: Results) -> list[float]:
    return r.variable("electrolysers.consumption")["ely"].tolist()


# -- structure (no solver) -----------------------------------------------------------------------
def test_rows_and_bounds_in_dispatch() -> None:
    """Two hours: h2_balance and response_upper 2 rows each; no activation cost → no 'reduce'.
    Balance row 2: h_2 − h_1 − η Δt e_2 = −2; row 1 wraps to h_2 (cyclic). Bounds: min load
    0.3 · 10 = 3 ≤ e ≤ 10; 0 ≤ h ≤ 4. response_upper: −e_t ≤ ρ X̄ − b = 4 − 4 = 0."""
    m = build_model(solar_case(min_load_pu=0.3))
    e, h = m.var("electrolysers.consumption")[0], m.var("electrolysers.h2_stored")[0]
    assert m.lower[e].tolist() == [3.0, 3.0] and m.upper[e].tolist() == [10.0, 10.0]
    assert m.upper[h].tolist() == [4.0, 4.0]
    bal = m.con_blocks["electrolysers.h2_balance"].index().ravel()
    a = m.matrix("csr")[bal].toarray()
    assert a[:, h].tolist() == [[1.0, -1.0], [-1.0, 1.0]]
    assert a[:, e].tolist() == [[-0.5, 0.0], [0.0, -0.5]]
    assert m.row_lower[bal].tolist() == [-2.0, -2.0]
    resp = m.con_blocks["electrolysers.response_upper"].index().ravel()
    assert m.row_upper[resp].tolist() == [0.0, 0.0]
    assert "electrolysers.reduce" not in m.var_blocks


def test_event_scope_starts_and_ends_half_full() -> None:
    """Event window of 2 hours: h at the last hour is fixed to σ H = 2; the first balance row
    has no h_{t−1} and σ H = 2 added to its right-hand side: h_1 − 0.5 e_1 = −2 + 2 = 0."""
    case = solar_case()
    scope = Scope("event", np.arange(2), np.zeros(2, np.int64), case.snapshots)
    m = ArrayModel(case.snapshots)
    add_electrolysers(m, case, scope)
    h = m.var("electrolysers.event_h2_stored")[0]
    assert m.lower[h].tolist() == [0.0, 2.0] and m.upper[h].tolist() == [4.0, 2.0]
    bal = m.con_blocks["electrolysers.event_h2_balance"].index().ravel()
    assert m.row_lower[bal].tolist() == [0.0, -2.0]
    assert m.matrix("csr")[bal].toarray()[0, h].tolist() == [1.0, 0.0]
    assert not m.injections and not m.cost_terms[1:]  # only the enrolment cost term


def test_baseline_is_the_mean_per_window() -> None:
    """Windows [0, 0, 1, 1], demand [1, 3, 2, 2] MWh/h, η = 0.5 → b = [4, 4, 4, 4]; demand
    [1, 3, 4, 6] → b = [4, 4, 10, 10]."""
    scope = Scope("event", np.arange(4), np.array([0, 0, 1, 1]), None)
    out = baseline(np.array([[1.0, 3.0, 2.0, 2.0], [1.0, 3.0, 4.0, 6.0]]), scope,
                   np.array([0.5, 0.5]))
    assert out.tolist() == [[4.0, 4.0, 4.0, 4.0], [4.0, 4.0, 10.0, 10.0]]


# -- hand optima ---------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_consumption_moves_to_the_free_hour(backend: str) -> None:
    """0.5 (e_1 + e_2) = 4 MWh H2 over two hours, so e_1 + e_2 = 8. All in hour 1 (free solar):
    e = [8, 0], h_1 − h_0 = 4 − 2 = 2 ≤ 4, response in hour 2 = 4 − 0 = 4 ≤ ρ X = 4: cost 0."""
    r = gridopt.solve(solar_case(), backend=backend)
    assert r.objective == pytest.approx(0.0, abs=1e-9)
    assert consumption(r) == pytest.approx([8.0, 0.0])
    assert r.dr_response[("electrolysers", "ely")].tolist() == pytest.approx([-4.0, 4.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_small_store_limits_the_shift(backend: str) -> None:
    """H = 1 MWh: h_1 − h_0 = 0.5 e_1 − 2 ≤ 1 → e_1 ≤ 6, e_2 = 2 from gas: 2 · 30 = 60."""
    r = gridopt.solve(solar_case(h2_storage_mwh=1.0), backend=backend)
    assert r.objective == pytest.approx(60.0)
    assert consumption(r) == pytest.approx([6.0, 2.0])
    assert r.variable("electrolysers.h2_stored")["ely"].tolist() == pytest.approx([1.0, 0.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_enrolment_limits_the_drop(backend: str) -> None:
    """X = 1: b − e_2 ≤ 1 → e_2 ≥ 3, e_1 = 5 (solar): gas 3 · 30 = 90. X = 0: the element runs
    flat at its baseline, e = [4, 4]: gas 4 · 30 = 120."""
    r = gridopt.solve(solar_case(enrolled_mw=1.0), backend=backend)
    assert r.objective == pytest.approx(90.0)
    assert consumption(r) == pytest.approx([5.0, 3.0])
    flat = gridopt.solve(solar_case(enrolled_mw=0.0), backend=backend)
    assert flat.objective == pytest.approx(120.0)
    assert consumption(flat) == pytest.approx([4.0, 4.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_min_load_limits_the_drop(backend: str) -> None:
    """min load 0.3 · 10 = 3 MW: e_2 ≥ 3, e_1 = 5: gas 90."""
    r = gridopt.solve(solar_case(min_load_pu=0.3), backend=backend)
    assert r.objective == pytest.approx(90.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_activation_paid_only_below_baseline(backend: str) -> None:
    """Activation 10/MWh on u_t ≥ b − e_t: hour 1 is 4 MW above baseline (u = 0), hour 2 is
    4 MW below (u = 4): 40, cheaper than 4 MWh of gas (120), so e = [8, 0] and cost 40."""
    r = gridopt.solve(solar_case(activation_cost_per_mwh=10.0), backend=backend)
    assert r.objective == pytest.approx(40.0)
    assert r.variable("electrolysers.reduce")["ely"].tolist() == pytest.approx([0.0, 4.0])
    assert r.costs.loc[("electrolysers", "ely"), "activation"] == pytest.approx(40.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hourly_demand_series(backend: str) -> None:
    """h2_demand_mwh.csv = [1, 3] (overrides the 2 MWh/h column; mean 2 → b = 4), H = 2:
    h_1 − h_0 = 0.5 e_1 − 1 ≤ 2 → e_1 ≤ 6, e_2 = 8 − 6 = 2 from gas: 60."""
    r = gridopt.solve(solar_case(series={"h2_demand_mwh": {"ely": [1.0, 3.0]}},
                                 h2_storage_mwh=2.0), backend=backend)
    assert r.objective == pytest.approx(60.0)
    assert consumption(r) == pytest.approx([6.0, 2.0])


# -- invariants ----------------------------------------------------------------------------------
def random_case(seed: int = 2, hours: int = 48, reverse: bool = False) -> Case:
    """Daily load and solar cycles, coal, gas; two electrolysers (one with an hourly demand
    series, one with activation cost and extendable enrolment) on two buses."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    load = 80 + 30 * np.sin(2 * np.pi * (t - 8) / 24) + rng.normal(0, 3, hours)
    solar = np.clip(np.sin(2 * np.pi * (t - 6) / 24), 0, None)
    elys = [electrolyser(name="chem", bus="A", potential_mw=30.0, enrolled_mw=20.0,
                         h2_storage_mwh=40.0, min_load_pu=0.2, efficiency_mwh_h2_per_mwh=0.65),
            electrolyser(name="steel", bus="B", potential_mw=20.0, enrolled_mw=5.0,
                         extendable=True, enrolment_cost_per_mw_yr=100.0,
                         activation_cost_per_mwh=5.0, h2_storage_mwh=10.0)]
    if reverse:
        elys = elys[::-1]
    return make_case(
        hours=hours, buses=["A", "B"], annualise=True, electrolysers=elys,
        generators=[gen("solar", "solar", bus="A", p_nom_mw=60.0),
                    gen("coal", "coal", bus="B", p_nom_mw=90.0, vom_per_mwh=30.0),
                    gen("gas", bus="B", p_nom_mw=60.0, vom_per_mwh=80.0)],
        lines=[{"name": "AB", "bus0": "A", "bus1": "B", "cap_fwd_mw": 40.0}],
        loads={"load": load}, load_bus={"load": "B"}, availability={"solar": solar},
        series={"h2_demand_mwh": {"chem": 6.0 + rng.uniform(0, 4, hours)}})


@pytest.fixture(scope="module")
def solved() -> Results:
    return gridopt.solve(random_case())


def test_h2_balance_closes_and_store_stays_in_bounds(solved) -> None:
    """h_t = h_{t−1} + η e_t − d_t (cyclic); 0 ≤ h ≤ H; mean e = mean d / η (the baseline)."""
    case, r = solved.case, solved
    table = case.table("electrolysers")
    e, h = r.variable("electrolysers.consumption"), r.variable("electrolysers.h2_stored")
    demand = case.series["h2_demand_mwh"].reindex(columns=table.index)
    demand = demand.fillna(table["h2_demand_mwh_per_h"])
    eta = table["efficiency_mwh_h2_per_mwh"]
    before = np.roll(h.to_numpy(), 1, axis=0)  # h_{t−1}, the last hour before the first
    np.testing.assert_allclose(h.to_numpy() - before, (e * eta - demand).to_numpy(), atol=1e-6)
    assert (h >= -1e-6).all().all() and (h <= table["h2_storage_mwh"] + 1e-6).all().all()
    np.testing.assert_allclose(e.mean(), demand.mean() / eta, rtol=1e-9)


def test_response_bounds_and_nodal_balance(solved) -> None:
    """b − e_t ≤ ρ X; min load ≤ e ≤ P; Σ gen − Σ e ± flows + shed = demand at each bus."""
    case, r = solved.case, solved
    table = case.table("electrolysers")
    e = r.variable("electrolysers.consumption")
    new = r.variable("electrolysers.enrolled_new").reindex(table.index, fill_value=0.0)
    drop = r.dr_response["electrolysers"]
    assert (drop <= table["participation"] * (table["enrolled_mw"] + new) + 1e-6).all().all()
    assert (e >= table["min_load_pu"] * table["potential_mw"] - 1e-6).all().all()
    assert (e <= table["potential_mw"] + 1e-6).all().all()
    inj = -r.demand.copy()
    for name, bus in case.table("generators")["bus"].items():
        inj[bus] += r.dispatch[name]
    for name, bus in table["bus"].items():
        inj[bus] -= e[name]
    inj["A"] -= r.line_flow["AB"]
    inj["B"] += r.line_flow["AB"]
    inj += r.load_shed
    np.testing.assert_allclose(inj.to_numpy(), 0.0, atol=1e-6)


def test_backends_agree_and_order_does_not_matter() -> None:
    case = random_case(hours=24)
    base = gridopt.solve(case)
    assert gridopt.solve(case, backend="pyomo").objective == pytest.approx(base.objective)
    assert gridopt.solve(random_case(hours=24, reverse=True)).objective == pytest.approx(
        base.objective)


# -- peak-response capability --------------------------------------------------------------------
LOAD = [50.0] * 10 + [90.0, 100.0, 80.0] + [50.0] * 11


def peak_case(k: int, series: dict | None = None, vpps: list | None = None,
              **kw: object) -> Case:
    """One day (24 h), peak 100 MW at hour 11 and 90 at hour 10. The electrolyser: P = 10,
    η = 0.5, H2 demand 3 MWh/h → b = 6 MW, min load 0.2 → e ≥ 2 (drop ≤ 4), 5 MW enrolled,
    a 1.5 MWh store, half full (0.75) at the start and end of the day."""
    row = electrolyser(**{"enrolled_mw": 5.0, "h2_demand_mwh_per_h": 3.0, "min_load_pu": 0.2,
                          "h2_storage_mwh": 1.5, **kw})
    tables = {"vpps": vpps} if vpps else {}
    case = make_case(hours=24, generators=[gen("g", p_nom_mw=300.0, vom_per_mwh=50.0)],
                     loads={"load": LOAD}, electrolysers=[row], series=series, **tables)
    return case.replace(config={**case.config, "peak_response": {"k": k,
                                                                 "event_duration_h": 1}})


def test_capability_limited_by_the_store_k1() -> None:
    """k = 1: event hour 11. The store fills to 1.5 before (headroom (10 − 6) · 0.5 = 2 MWh/h);
    in hour 11 e = 6 − R takes 0.5 R net from the store: 0.5 R ≤ 1.5 → R = 3 (< 4 min load,
    < 5 enrolled); then it refills to 0.75 by the end of the day. 3 < 5 % · 100: FAIL."""
    rep = verify(peak_case(1))
    assert rep.capability_mw == pytest.approx(3.0)
    assert rep.by_family["electrolysers"] == pytest.approx(3.0)
    assert not rep.passed


def test_capability_limited_by_the_store_k2() -> None:
    """k = 2: hours 10 and 11, one event: 2 · 0.5 R ≤ 1.5 → R = 1.5."""
    assert verify(peak_case(2)).capability_mw == pytest.approx(1.5)


def test_capability_limited_by_min_load_and_enrolment() -> None:
    """A 20 MWh store no longer binds: R = min(b − m P = 4, ρ X = 5) = 4 (k = 1 and k = 2);
    with 3 MW enrolled R = 3."""
    assert verify(peak_case(1, h2_storage_mwh=20.0)).capability_mw == pytest.approx(4.0)
    assert verify(peak_case(2, h2_storage_mwh=20.0)).capability_mw == pytest.approx(4.0)
    assert verify(peak_case(1, h2_storage_mwh=20.0,
                            enrolled_mw=3.0)).capability_mw == pytest.approx(3.0)


def test_capability_against_the_daily_mean_baseline() -> None:
    """Hourly demand 2 MWh/h in hours 0–11 and 4 in 12–23: the day's mean is 3, so b = 6 as
    before. Hour 11 (k = 1): e = 6 − R nets 0.5 (6 − R) − 2 = 1 − 0.5 R, from a full store
    1.5 + 1 − 0.5 R ≥ 0 → R ≤ 5; the min load caps it: R = 4."""
    series = {"h2_demand_mwh": {"ely": [2.0] * 12 + [4.0] * 12}}
    assert verify(peak_case(1, series=series)).capability_mw == pytest.approx(4.0)


def test_vpp_aggregate_caps_the_response() -> None:
    """In a VPP capped at 2.5 MW the (store-limited) 3 MW become 2.5."""
    vpps = [{"name": "h2vpp", "aggregate_mw": 2.5}]
    rep = verify(peak_case(1, vpps=vpps, vpp="h2vpp"))
    assert rep.capability_mw == pytest.approx(2.5)
    assert rep.by_vpp["h2vpp"] == pytest.approx(2.5)


# -- feasibility checks --------------------------------------------------------------------------
def test_problems_name_infeasible_electrolysers() -> None:
    """d / η = 6 / 0.5 = 12 > P = 10; min load 0.5 · 10 = 5 > b = 4: both found by the check
    and raised (as a CaseError naming file, row and column) when the model is built."""
    assert check_electrolysers(solar_case()) == []
    big = check_electrolysers(solar_case(h2_demand_mwh_per_h=6.0))
    assert [(p.file, p.row, p.column, p.rule) for p in big] == [
        ("electrolysers.csv", 2, "p_nom_mw", "electrolyser-meets-h2-demand")]
    assert "12–12 MW over the horizon" in big[0].message
    assert len(check_electrolysers(solar_case(min_load_pu=0.5))) == 1
    with pytest.raises(CaseError, match="electrolyser 'ely'"):
        gridopt.solve(solar_case(h2_demand_mwh_per_h=6.0))


def test_event_day_that_cannot_balance_is_named() -> None:
    """Two days, demand [2]*24 + [6]*24: b = 8 ≤ 10 over the horizon (dispatch is fine), but the
    peak is on day 2, whose own baseline 12 MW exceeds P: verify raises a CaseError."""
    load = [50.0] * 24 + [50.0] * 11 + [100.0] + [50.0] * 12
    case = make_case(hours=48, generators=[gen("g", p_nom_mw=200.0)], loads={"load": load},
                     electrolysers=[electrolyser(h2_storage_mwh=200.0)],
                     series={"h2_demand_mwh": {"ely": [2.0] * 24 + [6.0] * 24}})
    assert check_electrolysers(case) == []
    assert gridopt.solve(case).ok
    case = case.replace(config={**case.config, "peak_response": {"k": 1}})
    with pytest.raises(CaseError, match="on a peak-event day"):
        verify(case)


def test_validate_finds_the_event_day_problems() -> None:
    """Three days, the peak (hour 54) on day 3; H2 demand 0 on days 1–2 and 6 MWh/h on day 3:
    over the horizon b = 2 / 0.5 = 4 MW fits P = 10 MW, but on the event day b = 12 MW does
    not. ``case_problems`` (what ``gridopt validate`` runs) names it; a named event outside the
    snapshots is ``peak-hours-empty``."""
    from gridopt.checks import case_problems

    load = [1.0] * 72
    load[54] = 5.0
    case = make_case(72, [gen("gas", p_nom_mw=20.0, vom_per_mwh=30.0)], {"load": load},
                     electrolysers=[electrolyser(h2_demand_mwh_per_h=0.0)],
                     series={"h2_demand_mwh": {"ely": [0.0] * 48 + [6.0] * 24}})
    assert check_electrolysers(case) == []
    found = case_problems(case)
    assert [(p.file, p.row, p.rule) for p in found] == [
        ("electrolysers.csv", 2, "electrolyser-meets-h2-demand")]
    assert "on a peak-event day" in found[0].message
    events = {"hours": "events", "events": [["2031-01-01 00:00", "2031-01-02 00:00"]]}
    elsewhere = case.replace(config={**case.config, "peak_response": events})
    assert "peak-hours-empty" in {p.rule for p in case_problems(elsewhere)}
