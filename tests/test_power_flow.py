"""Linearised DC power flow (KVL on a cycle basis, PTDF), islands and line expansion
(``models/network.md``).

Every solve runs on both backends; after every DC solve :func:`check_dc` verifies, by a
computation independent of the model's cycle basis, that the flows obey Kirchhoff's voltage
law (voltage angles θ from a least-squares solve of f_l = (θ_bus0 − θ_bus1) / x_l leave no
residual), that Σ_{l∈c} C_{l,c} x_l f_l = 0 on every cycle of the basis, that every bus
balance closes and that every flow is within its (expanded) limits. The cases are not
annualised (w = 1 h per snapshot) and have discount rate 0, so a line of lifetime 1 year costs
its capex per MW once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.build import case_from_tables
from gridopt.case.case import Case, CaseError
from gridopt.case.validate import validate_tables
from gridopt.components.power_flow import ac_graph, cycle_basis, island_table, ptdf
from gridopt.model.build import build_model
from gridopt.results.write import write_results

BACKENDS = ["highs", "pyomo"]
TOL = 1e-6


def dc_case(flow_model: str, buses: list[str], generators: list[dict[str, Any]],
            loads: dict[str, tuple[str, list[float]]], lines: list[dict[str, Any]],
            validate: bool = True) -> Case:
    """A case with ``case.yaml: network: flow_model``; loads map name → (bus, hourly MW);
    generators are rows of generators.csv (marginal cost as ``vom_per_mwh``)."""
    hours = len(next(iter(loads.values()))[1])
    config = {"name": "dc", "currency": "EUR", "voll_per_mwh": 10_000.0, "discount_rate": 0.0,
              "snapshots": {"start": "2030-01-01 00:00", "hours": hours, "annualise": False},
              "network": {"flow_model": flow_model}}
    frames = {"buses": pd.DataFrame({"name": buses}),
              "generators": pd.DataFrame([{"carrier": "gas", **g} for g in generators]),
              "loads": pd.DataFrame({"name": list(loads), "bus": [b for b, _ in loads.values()]}),
              "lines": pd.DataFrame(lines)}
    series = {"load_mw": pd.DataFrame({"hour": range(1, hours + 1),
                                       **{n: v for n, (_, v) in loads.items()}})}
    return case_from_tables(config, frames, series, validate=validate)


def line(name: str, bus0: str, bus1: str, cap: float, x: float | None = 0.1,
         **kw: Any) -> dict[str, Any]:
    """A lines.csv row; ``x=None`` leaves x_pu blank (a controllable DC line)."""
    return {"name": name, "bus0": bus0, "bus1": bus1, "cap_fwd_mw": cap,
            "x_pu": np.nan if x is None else x, **kw}


def check_balance(r: gridopt.Results) -> None:
    """Every bus: Σ dispatch + Σ inflow − Σ outflow + shed = demand, every snapshot."""
    case = r.case
    gens, lines = case.table("generators"), case.table("lines")
    net = -r.demand + r.load_shed
    net = net.add(r.dispatch.T.groupby(gens["bus"]).sum().T, fill_value=0.0)
    flow = r.line_flow
    net = net.sub(flow.T.groupby(lines["bus0"]).sum().T, fill_value=0.0)
    net = net.add(flow.T.groupby(lines["bus1"]).sum().T, fill_value=0.0)
    assert np.abs(net.to_numpy()).max() < TOL


def dc_edges(r: gridopt.Results) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every AC branch that carries flow: bus0, bus1 (positions), x and flows (branch × T).

    The AC lines with their flow (the existing part ``lines.existing_flow`` of a line with
    candidate circuits, none for a candidate line without existing capacity) and every built
    circuit with x^c = x_l · max(F^fwd_l, F^rev_l) / S_l (x_l without existing capacity);
    an unbuilt circuit must carry nothing."""
    case = r.case
    lines, buses = case.table("lines"), case.table("buses").index
    flow = r.line_flow[lines.index].T
    part = (r.variable("lines.existing_flow").T if "lines.existing_flow" in r.model.var_blocks
            else pd.DataFrame(columns=flow.columns))
    x = lines["x_pu"]
    b0, b1 = buses.get_indexer(lines["bus0"]), buses.get_indexer(lines["bus1"])
    rows = []
    for i, name in enumerate(lines.index):
        if np.isnan(x[name]):
            continue
        candidate = "lines.flow_split" in r.model.con_blocks and \
            name in r.model.con_blocks["lines.flow_split"].coords[0]
        if candidate and name not in part.index:
            continue  # no existing capacity: only its circuits carry flow
        f = part.loc[name] if candidate else flow.loc[name]
        rows.append((b0[i], b1[i], x[name], f.to_numpy()))
    if "lines.circuit_built" in r.model.var_blocks:
        built = r.variable("lines.circuit_built")
        fc = r.variable("lines.circuit_flow")
        for label, y in built.items():
            name = label.rsplit("#", 1)[0]
            if y < 0.5:
                assert np.abs(fc[label]).max() < TOL
                continue
            i = lines.index.get_loc(name)
            existing = max(lines["cap_fwd_mw"].iloc[i], lines["cap_rev_mw"].iloc[i])
            xc = x[name] * existing / lines["circuit_mw"].iloc[i] if existing > 0 else x[name]
            rows.append((b0[i], b1[i], xc, fc[label].to_numpy()))
    u, v, xs, fs = zip(*rows, strict=True)
    return np.array(u), np.array(v), np.array(xs), np.array(fs)


def check_dc(r: gridopt.Results) -> None:
    """KVL by voltage angles (over every branch that carries flow) and on the model's cycle
    basis (existing network), balances and flow limits."""
    assert r.status == "optimal"
    check_balance(r)
    case = r.case
    lines, buses = case.table("lines"), case.table("buses").index
    u, v, x, flows = dc_edges(r)
    a = np.zeros((len(x), len(buses)))  # f = A θ with A_{l,bus0} = 1/x, A_{l,bus1} = −1/x
    a[np.arange(len(x)), u] = 1.0 / x
    a[np.arange(len(x)), v] = -1.0 / x
    for f in flows.T:
        theta = np.linalg.lstsq(a, f, rcond=None)[0]
        assert np.abs(a @ theta - f).max() < 1e-6 * max(1.0, np.abs(f).max())
    g = ac_graph(case)
    existing = r.line_flow[lines.index].to_numpy().copy()  # T × L
    if "lines.existing_flow" in r.model.var_blocks:
        part = r.variable("lines.existing_flow")
        existing[:, lines.index.get_indexer(part.columns)] = part.to_numpy()
    for members, signs in cycle_basis(g):
        assert np.abs(existing[:, g.lines[members]] @ (signs * g.x[members])).max() < 1e-6
    flow = r.line_flow[lines.index].to_numpy()
    new = pd.Series(0.0, index=lines.index)
    if "lines.p_new" in r.model.var_blocks:
        new.update(r.variable("lines.p_new"))
    assert (flow <= (lines["cap_fwd_mw"] + new).to_numpy() + TOL).all()
    assert (-flow <= (lines["cap_rev_mw"] + new).to_numpy() + TOL).all()


# -- three buses: Kirchhoff reverses a flow -------------------------------------------------

BUSES3 = ["b1", "b2", "b3"]
GENS3 = [{"name": "g1", "bus": "b1", "p_nom_mw": 200.0, "vom_per_mwh": 10.0},
         {"name": "g2", "bus": "b2", "p_nom_mw": 200.0, "vom_per_mwh": 50.0}]


def three_bus(flow_model: str, **l13: Any) -> Case:
    """g1 (10/MWh) at b1, g2 (50/MWh) at b2, 90 MW of load at b3, one hour; lines l12
    (b1→b2, 60 MW), l23 (b2→b3, 100 MW), l13 (b1→b3, 40 MW), all x = 0.1 p.u."""
    lines = [line("l12", "b1", "b2", 60.0), line("l23", "b2", "b3", 100.0),
             line("l13", "b1", "b3", 40.0, **l13)]
    return dc_case(flow_model, BUSES3, GENS3, {"load": ("b3", [90.0])}, lines)


@pytest.mark.parametrize("backend", BACKENDS)
def test_three_bus_transport_sends_l12_forward(backend: str) -> None:
    """Transport: g1 reaches b3 over l13 (≤ 40 MW) and over b1→b2→b3 (l12 ≤ 60 MW), together
    up to 100 MW ≥ 90: g1 = 90, g2 = 0, objective 90 × 10 = 900. The split is not unique, but
    f13 ≤ 40 forces f12 = f23 = 90 − f13 ≥ 50: l12 flows b1 → b2. No limit binds (at most one
    path is full), so every price is g1's 10."""
    r = gridopt.solve(three_bus("transport"), backend=backend)
    assert r.objective == pytest.approx(900.0, rel=1e-9)
    f = r.line_flow.iloc[0]
    assert f["l12"] >= 50.0 - TOL and f["l12"] + f["l13"] == pytest.approx(90.0)
    assert r.prices.iloc[0].to_numpy() == pytest.approx([10.0, 10.0, 10.0])
    check_balance(r)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("model", ["kvl", "ptdf"])
def test_three_bus_kvl_reverses_l12(backend: str, model: str) -> None:
    """DC power flow, equal reactances. KVL on the cycle b1→b2→b3→b1:
    x f12 + x f23 − x f13 = 0. Superposition with injections g1 at b1, g2 at b2 and −90 at
    b3: of power sent b1→b3, 2/3 takes l13 (reactance x) and 1/3 the path b1→b2→b3 (2x); of
    power sent b2→b3, 2/3 takes l23 and 1/3 b2→b1→b3. So f12 = (g1 − g2)/3,
    f13 = (2 g1 + g2)/3, f23 = (g1 + 2 g2)/3 with g1 + g2 = 90.
    The limit f13 ≤ 40 gives (2 g1 + 90 − g1)/3 ≤ 40, g1 ≤ 30: g1 = 30, g2 = 60, objective
    30 × 10 + 60 × 50 = 3,300 (vs 900 by transport), and f12 = (30 − 60)/3 = −10: l12 now
    flows b2 → b1, against the transport optimum's ≥ +50; f13 = 40, f23 = 50 (check: b1
    30 = −10 + 40, b2 60 − 10 = 50, b3 40 + 50 = 90; KVL −10 + 50 − 40 = 0).
    Prices: λ1 = 10, λ2 = 50 (both generators inside their limits); one more MW at b3 moves
    f13 ≤ 40 to g1 = 120 − D3: g1 −1, g2 +2: λ3 = −10 + 100 = 90."""
    r = gridopt.solve(three_bus(model), backend=backend)
    assert r.objective == pytest.approx(3300.0, rel=1e-9)
    assert r.dispatch.iloc[0].to_dict() == pytest.approx({"g1": 30.0, "g2": 60.0})
    assert r.line_flow.iloc[0].to_dict() == pytest.approx({"l12": -10.0, "l23": 50.0,
                                                           "l13": 40.0})
    assert r.prices.iloc[0].to_numpy() == pytest.approx([10.0, 50.0, 90.0])
    check_dc(r)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("model", ["kvl", "ptdf"])
def test_continuous_expansion_under_kvl(backend: str, model: str) -> None:
    """l13 extendable at 60 per MW (lifetime 1 year, rate 0: CRF = 1), reactance kept.
    With f13 = (2 g1 + g2)/3 = (g1 + 90)/3 ≤ 40 + p: g1 = 30 + 3p until g1 = 90 at p = 20.
    Each MW of p moves 3 MW from g2 to g1 and saves 3 × 40 = 120 > 60: p = 20, g1 = 90,
    objective 900 + 60 × 20 = 2,100; f12 = f23 = 30 and f13 = 60."""
    r = gridopt.solve(three_bus(model, extendable=True, capex_per_mw=60.0, lifetime_yr=1.0),
                      backend=backend)
    assert r.objective == pytest.approx(2100.0, rel=1e-9)
    assert r.variable("lines.p_new")["l13"] == pytest.approx(20.0)
    assert r.line_flow.iloc[0].to_dict() == pytest.approx({"l12": 30.0, "l23": 30.0,
                                                           "l13": 60.0})
    assert r.capacities.loc[("lines", "l13")].to_dict() == pytest.approx(
        {"existing_mw": 40.0, "new_mw": 20.0, "total_mw": 60.0})
    check_dc(r)


# -- whole circuits under DC power flow (candidate circuits, Garver-style) -----------------

def garver(flow_model: str, load: list[float] | None = None, **l13: Any) -> Case:
    """g1 (10/MWh) at b1, g2 (50/MWh) at b2, both 200 MW; 120 MW of load at b3; l12 (b1→b2,
    60 MW), l23 (b2→b3, 200 MW), l13 (b1→b3, 40 MW unless given), all x = 0.1 p.u.; l13 may
    add circuits of 40 MW at 30 per MW (lifetime 1 year, rate 0: 1,200 a circuit)."""
    lines = [line("l12", "b1", "b2", 60.0), line("l23", "b2", "b3", 200.0),
             line("l13", "b1", "b3", 40.0, **{"extendable": True, "circuit_mw": 40.0,
                                                "capex_per_mw": 30.0, "lifetime_yr": 1.0,
                                                **l13})]
    return dc_case(flow_model, BUSES3, GENS3, {"load": ("b3", load or [120.0])}, lines)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("model", ["kvl", "ptdf"])
def test_whole_circuits_change_the_susceptance(backend: str, model: str) -> None:
    """Each new circuit of l13 has the existing line's x = 0.1 (same reactance per MW), so with
    n new circuits l13 is 1 + n circuits in parallel, x13 = 0.1/(1 + n), each carrying
    f13/(1 + n) ≤ 40. Of power sent b1→b3 the share on l13 is 0.2/(0.2 + x13), of power sent
    b2→b3 it is 0.1/(0.2 + x13); with D = 120 = g1 + g2:
    n = 0: f13 = (2 g1 + g2)/3 = (g1 + 120)/3 ≤ 40: g1 = 0, g2 = 120, cost 6,000;
    n = 1: f13 = (4 g1 + 2 g2)/5 = (2 g1 + 240)/5 ≤ 80: g1 = 80, g2 = 40, 800 + 2,000 + 1,200
    = 4,000;
    n = 2: f13 = (6 g1 + 3 g2)/7 = (3 g1 + 360)/7 ≤ 120: g1 ≤ 160, so g1 = 120: 1,200 + 2,400
    = 3,600;  n = 3: 1,200 + 3,600 = 4,800 (cap_max 160 allows 3).
    So n = 2 (80 MW), objective 3,600; f13 = 6/7 × 120 = 720/7 MW split equally over the
    existing line and the two circuits (240/7 each), f12 = f23 = 120/7; prices all 10 (no
    limit binds). A model that kept l13's reactance (continuous expansion) would see n = 1
    suffice ((g1 + 120)/3 ≤ 80 lets g1 = 120: 1,200 + 1,200 = 2,400) and build too little."""
    r = gridopt.solve(garver(model, cap_max_mw=160.0), backend=backend)
    assert r.model.is_mip
    assert r.objective == pytest.approx(3600.0, rel=1e-6)
    assert r.variable("lines.n_new")["l13"] == pytest.approx(2.0)
    assert r.variable("lines.circuit_built").round().tolist() == [1.0, 1.0, 0.0]
    assert r.line_flow.iloc[0].to_dict() == pytest.approx(
        {"l12": 120.0 / 7, "l23": 120.0 / 7, "l13": 720.0 / 7}, abs=1e-6)
    assert r.variable("lines.existing_flow")["l13"].iloc[0] == pytest.approx(240.0 / 7)
    assert r.variable("lines.circuit_flow").iloc[0].to_numpy() == pytest.approx(
        [240.0 / 7, 240.0 / 7, 0.0], abs=1e-6)
    assert r.prices.iloc[0].to_numpy() == pytest.approx([10.0, 10.0, 10.0])
    assert r.capacities.loc[("lines", "l13"), "new_units"] == 2
    check_dc(r)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("model", ["kvl", "ptdf"])
def test_a_candidate_circuit_may_stay_unbuilt(backend: str, model: str) -> None:
    """l13 has no existing capacity (a candidate line, x 0.1 per circuit), one circuit of
    40 MW free of cost (cap_max 40). Unbuilt, all power takes b1→b2→b3: f12 = g1 ≤ 60, so
    g1 = 60, g2 = 60: 3,600. Built, the triangle has equal reactances and
    f13 = (g1 + 120)/3 ≤ 40 forces g1 = 0: 6,000. So it stays unbuilt even at no cost (a
    transport model would build it: g1 = 100, 2,000); its Kirchhoff rows are relaxed by
    their big-M: |x13 · 0 − (x12 f12 + x23 f23)| = 0.1 × 60 + 0.1 × 120 = 18 ≤ M = 4 + 6 + 20."""
    r = gridopt.solve(garver(model, cap_fwd_mw=0.0, cap_max_mw=40.0, capex_per_mw=0.0),
                      backend=backend)
    assert r.objective == pytest.approx(3600.0, rel=1e-6)
    assert r.variable("lines.n_new")["l13"] == pytest.approx(0.0)
    assert r.line_flow.iloc[0].to_dict() == pytest.approx({"l12": 60.0, "l23": 120.0,
                                                           "l13": 0.0}, abs=1e-6)
    check_dc(r)
    transport = gridopt.solve(garver("transport", cap_fwd_mw=0.0, cap_max_mw=40.0,
                                     capex_per_mw=0.0), backend=backend)
    assert transport.objective == pytest.approx(2000.0, rel=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_candidate_circuits_over_several_hours(backend: str) -> None:
    """Loads 120, 60, 100 MW: one set of built circuits serves every hour; KVL and PTDF give
    the same objective and flows, and every hour obeys Kirchhoff over the built circuits."""
    kvl, ptdf_r = (gridopt.solve(garver(model, [120.0, 60.0, 100.0], cap_max_mw=160.0),
                                 backend=backend) for model in ("kvl", "ptdf"))
    for r in (kvl, ptdf_r):
        check_dc(r)
    assert kvl.objective == pytest.approx(ptdf_r.objective, rel=1e-6)
    assert kvl.line_flow.to_numpy() == pytest.approx(ptdf_r.line_flow.to_numpy(), abs=1e-5)


# -- line expansion (transport) --------------------------------------------------------------

def two_bus(**ab: Any) -> Case:
    """'cheap' (10/MWh, 200 MW) at a, 'dear' (50/MWh, 200 MW) at b, load [100, 80] MW at b;
    line ab (a→b, 40 MW, a transport line: no x_pu) with the given columns."""
    gens = [{"name": "cheap", "bus": "a", "p_nom_mw": 200.0, "vom_per_mwh": 10.0},
            {"name": "dear", "bus": "b", "p_nom_mw": 200.0, "vom_per_mwh": 50.0}]
    return dc_case("transport", ["a", "b"], gens, {"load": ("b", [100.0, 80.0])},
                   [line("ab", "a", "b", 40.0, x=None, **ab)])


EXPANSION = {"extendable": True, "capex_per_mw": 30.0, "fom_per_mw_yr": 20.0,
             "lifetime_yr": 1.0}


@pytest.mark.parametrize("backend", BACKENDS)
def test_line_expansion_relieves_a_binding_line(backend: str) -> None:
    """Without expansion the line carries 40 MW both hours and 'dear' the rest:
    (400 + 60 × 50) + (400 + 40 × 50) = 5,800; λa = 10, λb = 50 in both hours.
    Expansion costs 30 + 20 = 50 per MW a year (CRF 1) and saves 50 − 10 = 40 per MW and hour
    in which the line binds: the first 40 MW bind in both hours (saving 80 > 50), the next 20
    only in hour 1 (40 < 50): p_new = 40 MW, capacity 80. Cost: hour 1 800 + 20 × 50 = 1,800,
    hour 2 800, expansion 40 × 50 = 2,000, and fixed O&M of the existing 40 MW 40 × 20 = 800
    (a constant): 5,400 (4,600 without that constant). Prices after: hour 1 λb = 50 ('dear'
    runs), hour 2 λb = 20 (one more MW at b: expand by 1 (50), save 40 in hour 1, buy 10 from
    'cheap'); λa = 10 both hours. (Line rent μ1 + μ2 = 40 + 10 = 50, the annual MW cost.)"""
    before = gridopt.solve(two_bus(), backend=backend)
    assert before.objective == pytest.approx(5800.0, rel=1e-9)
    assert before.prices.to_numpy() == pytest.approx(np.array([[10.0, 50.0], [10.0, 50.0]]))
    after = gridopt.solve(two_bus(**EXPANSION), backend=backend)
    assert after.objective == pytest.approx(5400.0, rel=1e-9)
    assert after.variable("lines.p_new")["ab"] == pytest.approx(40.0)
    assert after.prices.to_numpy() == pytest.approx(np.array([[10.0, 50.0], [10.0, 20.0]]))
    costs = after.costs.loc[("lines", "ab")]
    assert costs["capital"] == pytest.approx(1200.0)
    assert costs["fixed_om"] == pytest.approx(800.0 + 800.0)
    assert after.capacities.loc[("lines", "ab")].to_dict() == pytest.approx(
        {"existing_mw": 40.0, "new_mw": 40.0, "total_mw": 80.0})
    check_balance(after)


@pytest.mark.parametrize("backend", BACKENDS)
def test_line_expansion_up_to_cap_max(backend: str) -> None:
    """cap_max_mw 60 leaves room for 20 MW (both hours bind at capacity 60): hour 1
    600 + 40 × 50 = 2,600, hour 2 600 + 20 × 50 = 1,600, expansion 20 × 50 = 1,000, existing
    fixed O&M 800: 6,000."""
    r = gridopt.solve(two_bus(**EXPANSION, cap_max_mw=60.0), backend=backend)
    assert r.objective == pytest.approx(6000.0, rel=1e-9)
    assert r.variable("lines.p_new")["ab"] == pytest.approx(20.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_line_expansion_in_whole_circuits(backend: str) -> None:
    """Circuits of 25 MW at 50 per MW (1,250 each). Capacity C = 40 + 25 n, operating cost
    10 (min(100, C) + min(80, C)) + 50 ((100 − C)⁺ + (80 − C)⁺):
    n = 0: 5,800; n = 1 (C 65): 2,400 + 1,400 + 1,250 = 5,050; n = 2 (C 90): 1,400 + 800 +
    2,500 = 4,700; n = 3 (C 115): 1,000 + 800 + 3,750 = 5,550. So n = 2 (50 MW), objective
    4,700 + 800 (fixed O&M of the existing 40 MW) = 5,500."""
    r = gridopt.solve(two_bus(**EXPANSION, circuit_mw=25.0), backend=backend)
    assert r.model.is_mip
    assert r.objective == pytest.approx(5500.0, rel=1e-6)
    assert r.variable("lines.n_new")["ab"] == pytest.approx(2.0)
    assert r.variable("lines.p_new")["ab"] == pytest.approx(50.0)
    assert r.capacities.loc[("lines", "ab"), "new_units"] == 2
    check_balance(r)


def test_expansion_rows_and_pathway_names() -> None:
    """Structure: ``lines.p_new`` over the extendable lines only, |f| ≤ F + p_new as two row
    blocks, costs of kinds capital and fixed_om on ``lines.p_new`` (the pathway links
    ``<family>.p_new``); a case without extendable lines keeps its flow bounds and no rows."""
    m = build_model(two_bus(**EXPANSION))
    assert m.var_blocks["lines.p_new"].shape == (1,)
    assert {"lines.flow_upper", "lines.flow_lower"} <= set(m.con_blocks)
    p_new = set(m.var("lines.p_new").ravel())
    kinds = {t.kind for t in m.cost_terms if t.family == "lines" and set(t.cols) <= p_new}
    assert kinds == {"capital", "fixed_om"}
    plain = build_model(two_bus())
    assert "lines.p_new" not in plain.var_blocks and "lines.flow_upper" not in plain.con_blocks
    assert plain.upper[plain.var("lines.flow")].ravel() == pytest.approx([40.0, 40.0])


# -- a meshed case with islands: KVL = PTDF --------------------------------------------------

MESH_BUSES = ["n1", "n2", "n3", "n4", "n5", "n6", "n7"]
MESH_LINES = [
    line("a12", "n1", "n2", 80.0, 0.1),
    line("a12b", "n2", "n1", 50.0, 0.2),  # parallel to a12, the other way round
    line("a23", "n2", "n3", 100.0, 0.1),
    line("a13", "n1", "n3", 60.0, 0.15),
    line("a34", "n3", "n4", 100.0, 0.1),
    line("a41", "n4", "n1", 100.0, 0.12),
    line("b56", "n5", "n6", 80.0, 0.05),
    line("d25", "n2", "n5", 30.0, None),  # a controllable DC link between islands
    line("d24", "n2", "n4", 20.0, None),  # and one within island 0, beside its AC lines
]
MESH_GENS = [{"name": "g1", "bus": "n1", "p_nom_mw": 200.0, "vom_per_mwh": 10.0},
             {"name": "g2", "bus": "n2", "p_nom_mw": 100.0, "vom_per_mwh": 30.0},
             {"name": "g4", "bus": "n4", "p_nom_mw": 60.0, "vom_per_mwh": 20.0},
             {"name": "g5", "bus": "n5", "p_nom_mw": 100.0, "vom_per_mwh": 50.0},
             {"name": "g7", "bus": "n7", "p_nom_mw": 50.0, "vom_per_mwh": 40.0}]
MESH_LOADS = {"l3": ("n3", [120.0, 160.0, 90.0]), "l4": ("n4", [40.0, 50.0, 30.0]),
              "l6": ("n6", [50.0, 60.0, 40.0]), "l7": ("n7", [20.0, 30.0, 10.0])}


def mesh(flow_model: str) -> Case:
    """Island 0: n1–n4 with six AC lines (a 2-cycle of the parallel a12/a12b and two loops)
    and a DC link n2→n4, island 1: n5–n6 (one AC line), fed also over the DC link d25 from n2;
    island 2: n7 alone."""
    return dc_case(flow_model, MESH_BUSES, MESH_GENS, MESH_LOADS, MESH_LINES)


def test_mesh_graph() -> None:
    """6 AC lines on 4 buses: 6 − 4 + 1 = 3 cycles in island 0 (one of them the 2-cycle
    a12/a12b, +1 along a12 and +1 along a12b, which runs back n2→n1), none in the others;
    islands numbered by first bus with the first bus as slack; PTDF zero in slack columns and
    Σ_b H_{l,b} (K f)_b = f for flows obeying KVL."""
    case = mesh("kvl")
    g = ac_graph(case)
    cycles = cycle_basis(g)
    assert len(cycles) == 3
    two = [c for c in cycles if len(c[0]) == 2]
    assert len(two) == 1 and list(two[0][1]) == [1.0, 1.0]
    islands = island_table(case)
    assert islands["island"].tolist() == [0, 0, 0, 0, 1, 1, 2]
    assert islands["slack"].tolist() == ["n1"] * 4 + ["n5"] * 2 + ["n7"]
    assert islands["n_ac_lines"].tolist() == [6] * 4 + [1] * 2 + [0]
    h = ptdf(g)
    assert np.all(h[:, [0, 4, 6]] == 0.0)
    theta = np.array([0.0, -1.0, -3.0, 2.0, 0.0, -0.5, 0.0])  # any angles: f = B_d Kᵀ θ
    f = (theta[g.bus0] - theta[g.bus1]) / g.x
    k = np.zeros((g.n_bus, len(g.lines)))
    k[g.bus0, np.arange(len(g.lines))] = 1.0
    k[g.bus1, np.arange(len(g.lines))] = -1.0
    assert h @ (k @ f) == pytest.approx(f)


@pytest.mark.parametrize("backend", BACKENDS)
def test_kvl_and_ptdf_agree_on_a_meshed_case_with_islands(backend: str) -> None:
    """The same flows (KVL determines them from the injections) and objective both ways;
    both solve the three islands; the results have an ``islands`` table."""
    kvl = gridopt.solve(mesh("kvl"), backend=backend)
    ptdf_r = gridopt.solve(mesh("ptdf"), backend=backend)
    check_dc(kvl)
    check_dc(ptdf_r)
    assert kvl.objective == pytest.approx(ptdf_r.objective, rel=1e-9)
    assert kvl.line_flow.to_numpy() == pytest.approx(ptdf_r.line_flow.to_numpy(), abs=1e-6)
    assert kvl.prices.to_numpy() == pytest.approx(ptdf_r.prices.to_numpy(), abs=1e-6)
    assert kvl.load_shed.to_numpy().max() < TOL
    transport = gridopt.solve(mesh("transport"), backend=backend)
    assert transport.objective < kvl.objective - 1.0  # KVL restricts the flows, and binds
    assert "islands" in kvl.tables() and "islands" not in transport.tables()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("model", ["kvl", "ptdf"])
def test_two_islands(backend: str, model: str) -> None:
    """Two islands without any link: west (w1–w2, cheap 10/MWh at w1, load 30 at w2, line
    cap 100) and east (e1–e2, 40/MWh at e1, load 20 at e2): each serves itself,
    30 × 10 + 20 × 40 = 1,100; the west price 10 everywhere, the east 40; flows 30 and 20."""
    gens = [{"name": "gw", "bus": "w1", "p_nom_mw": 100.0, "vom_per_mwh": 10.0},
            {"name": "ge", "bus": "e1", "p_nom_mw": 100.0, "vom_per_mwh": 40.0}]
    case = dc_case(model, ["w1", "w2", "e1", "e2"], gens,
                   {"lw": ("w2", [30.0]), "le": ("e2", [20.0])},
                   [line("w", "w1", "w2", 100.0, 0.1), line("e", "e1", "e2", 100.0, 0.3)])
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(1100.0, rel=1e-9)
    assert r.line_flow.iloc[0].to_dict() == pytest.approx({"w": 30.0, "e": 20.0})
    assert r.prices.iloc[0].to_numpy() == pytest.approx([10.0, 10.0, 40.0, 40.0])
    assert r.tables()["islands"]["island"].tolist() == [0, 0, 1, 1]
    check_dc(r)


def test_run_writes_islands_and_line_capacities(tmp_path: Any) -> None:
    """The written results of a DC power-flow case: ``islands.csv`` (bus, island, slack),
    ``capacities.csv`` with the lines' existing, new and total MW, and the flow model and
    number of islands in ``summary.json``."""
    r = gridopt.solve(three_bus("kvl", extendable=True, capex_per_mw=60.0, lifetime_yr=1.0))
    folder = write_results(r, tmp_path / "out")
    islands = pd.read_csv(folder / "islands.csv", index_col=0)
    assert islands["island"].tolist() == [0, 0, 0] and set(islands["slack"]) == {"b1"}
    caps = pd.read_csv(folder / "capacities.csv", index_col=[0, 1])
    assert caps.loc[("lines", "l13"), "total_mw"] == pytest.approx(60.0)
    summary = r.summary()
    assert summary["flow_model"] == "kvl" and summary["islands"] == 1
    assert "islands" not in gridopt.solve(three_bus("transport")).summary()


def test_validate_reports_islands(tmp_path: Any) -> None:
    """``gridopt validate`` of a DC power-flow case names its islands and cycles (the meshed
    case: 3 islands, one of them the lone bus n7, 3 cycles); a transport case does not."""
    from typer.testing import CliRunner

    from gridopt.cli import app

    folder = tmp_path / "mesh"
    folder.mkdir()
    config = "".join(f"{k}: {v}\n" for k, v in (("name", "mesh"), ("currency", "EUR"),
                                                 ("voll_per_mwh", 10000)))
    config += ("snapshots:\n  start: 2030-01-01 00:00\n  hours: 3\n  annualise: false\n"
               "network:\n  flow_model: kvl\n")
    (folder / "case.yaml").write_text(config)
    pd.DataFrame({"name": MESH_BUSES}).to_csv(folder / "buses.csv", index=False)
    pd.DataFrame([{"carrier": "gas", **g} for g in MESH_GENS]).to_csv(
        folder / "generators.csv", index=False)
    pd.DataFrame({"name": list(MESH_LOADS), "bus": [b for b, _ in MESH_LOADS.values()]}).to_csv(
        folder / "loads.csv", index=False)
    pd.DataFrame(MESH_LINES).to_csv(folder / "lines.csv", index=False)
    pd.DataFrame({"hour": [1, 2, 3], **{n: v for n, (_, v) in MESH_LOADS.items()}}).to_csv(
        folder / "load_mw.csv", index=False)
    res = CliRunner().invoke(app, ["validate", str(folder)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())  # rich wraps long lines
    assert "3 island(s) (1 bus(es) without AC lines), 3 independent cycle(s)" in said
    assert "island 0: 4 buses, 6 AC lines, slack n1" in said
    assert "island 1: 2 buses, 1 AC lines, slack n5" in said
    text = (folder / "case.yaml").read_text().replace("flow_model: kvl", "flow_model: transport")
    (folder / "case.yaml").write_text(text)
    res = CliRunner().invoke(app, ["validate", str(folder)])
    assert res.exit_code == 0 and "DC power flow" not in res.output


def test_transport_is_the_default() -> None:
    """No ``network`` key: the transport model (no KVL or PTDF rows), the same model as
    ``flow_model: transport``."""
    case = mesh("transport")
    bare = case.replace(config={k: v for k, v in case.config.items() if k != "network"})
    for c in (case, bare):
        m = build_model(c)
        assert not {"lines.kvl", "lines.ptdf"} & set(m.con_blocks)
    assert build_model(bare).n_rows == build_model(case).n_rows
    assert {"lines.kvl"} <= set(build_model(mesh("kvl")).con_blocks)
    assert {"lines.ptdf", "buses.net_injection"} <= set(build_model(mesh("ptdf")).con_blocks)


# -- bad input -------------------------------------------------------------------------------

def problems_of(flow_model: str, **l13: Any) -> list[tuple]:
    """(file, row, column, rule) of every problem of the three-bus case with l13's columns."""
    with pytest.raises(CaseError) as caught:
        three_bus(flow_model, **l13)
    return [(p.file, p.row, p.column, p.rule) for p in caught.value.problems]


@pytest.mark.parametrize("model", ["kvl", "ptdf"])
@pytest.mark.parametrize("x", [0.0, -0.1])
def test_dc_power_flow_needs_positive_reactance(model: str, x: float) -> None:
    """l13 is row 4 of lines.csv (header line 1)."""
    assert problems_of(model, x_pu=x) == [("lines.csv", 4, "x_pu", "line-reactance")]


def test_transport_ignores_reactance() -> None:
    assert gridopt.solve(three_bus("transport", x_pu=0.0)).objective == pytest.approx(900.0)


@pytest.mark.parametrize(("columns", "column", "rule"), [
    ({"extendable": True, "circuit_mw": 0.0}, "circuit_mw", "range"),
    ({"extendable": True, "cap_max_mw": 30.0}, "cap_fwd_mw", "min-le-max"),
    ({"extendable": True, "capex_per_mw": -1.0}, "capex_per_mw", "range"),
    ({"extendable": True, "lifetime_yr": 0.0}, "lifetime_yr", "range"),
    ({"extendable": True, "fom_per_mw_yr": -5.0}, "fom_per_mw_yr", "range"),
    ({"extendable": "maybe"}, "extendable", "not-a-bool"),
])
def test_bad_expansion_columns(columns: dict[str, Any], column: str, rule: str) -> None:
    assert problems_of("transport", **columns) == [("lines.csv", 4, column, rule)]


def test_candidate_circuits_need_a_bound_and_a_path() -> None:
    """Whole circuits under kvl/ptdf need a finite cap_max_mw (one binary per circuit) and a
    path of existing AC lines between the line's buses (its big-M); transport needs neither,
    nor does a DC line (x_pu blank)."""
    whole = {"extendable": True, "circuit_mw": 25.0}
    for model in ("kvl", "ptdf"):
        assert problems_of(model, **whole) == [
            ("lines.csv", 4, "cap_max_mw", "line-circuits-cap-max")]
    three_bus("transport", **whole)
    three_bus("kvl", **whole, x_pu=np.nan)
    three_bus("kvl", **whole, cap_max_mw=90.0)
    lines = [line("l12", "b1", "b2", 60.0, None), line("l23", "b2", "b3", 100.0),
             line("l13", "b1", "b3", 0.0, **whole, cap_max_mw=50.0)]
    with pytest.raises(CaseError) as caught:
        dc_case("kvl", BUSES3, GENS3, {"load": ("b3", [90.0])}, lines)
    assert [(p.file, p.row, p.column, p.rule) for p in caught.value.problems] == [
        ("lines.csv", 4, "circuit_mw", "line-circuits-path")]


def test_bad_flow_model_key() -> None:
    config = {"name": "x", "currency": "EUR", "voll_per_mwh": 1.0,
              "snapshots": {"start": "2030-01-01", "hours": 1}}
    for network, rule in (({"flow_model": "acopf"}, "config-value"),
                          ({"flow_modle": "kvl"}, "config-unknown-key")):
        found = [(p.file, p.rule) for p in validate_tables({**config, "network": network}, {})
                 if p.file == "case.yaml"]
        assert found == [("case.yaml", rule)]
