"""Peak-response target: peak hours, capability R, enforce, cost (hand-derived where possible)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gridopt
from gridopt.case.build import fill_defaults
from gridopt.components.peak_response import event_scope, peak_events, peak_hours
from gridopt.peak import TargetUnreachableError, check_reachable, cost_curve, verify, with_target
from tests.factory import gen, make_case

LOAD = [80.0, 100.0, 90.0, 70.0]


def dr_case(k: int = 1, duration: int = 1, share: float = 0.05, **interruptible):
    """One bus, four hours, load [80, 100, 90, 70] MW; gas 200 MW at 50; an interruptible
    C&I load of 6 MW enrolled, at most 1 hour per event (overridable)."""
    row = {"name": "ci", "bus": "b", "potential_mw": 6.0, "enrolled_mw": 6.0,
           "max_hours_per_event": 1.0, **interruptible}
    case = make_case(hours=4, generators=[gen("gas", p_nom_mw=200.0, vom_per_mwh=50.0)],
                     loads={"load": LOAD}, interruptible=[row])
    cfg = {**case.config, "peak_response": {"k": k, "event_duration_h": duration,
                                            "share": share}}
    return case.replace(config=cfg)


def test_peak_hours_and_events() -> None:
    """Top-1 hour is hour 1 (100 MW); widened to 2 hours it takes the higher neighbour, hour 2
    (90 > 80); top-2 hours are 1 and 2 — one event. The event's day is all four hours."""
    assert peak_hours(dr_case(k=1)).tolist() == [1]
    assert [e.tolist() for e in peak_events(dr_case(k=1, duration=2))] == [[1, 2]]
    assert [e.tolist() for e in peak_events(dr_case(k=2, duration=1))] == [[1, 2]]
    scope, at = event_scope(dr_case(k=2))
    assert scope.hours.tolist() == [0, 1, 2, 3] and at.tolist() == [1, 2]


def test_interruptible_in_the_peak_hour() -> None:
    """Event = hour 1 only: the 6 MW are delivered at once. R = 6 ≥ 5 % · 100 = 5: PASS."""
    rep = verify(dr_case(k=1, duration=1))
    assert rep.capability_mw == pytest.approx(6.0)
    assert rep.target_mw == pytest.approx(5.0)
    assert rep.passed
    assert rep.by_family["interruptible"] == pytest.approx(6.0)


def test_interruptible_held_over_two_hours() -> None:
    """Event = hours 1–2; at most 1 hour per event means 6 MWh per event, so the portfolio can
    hold 6 · 1 / 2 = 3 MW through both hours (members rotate). R = 3 < 5: FAIL by 2 MW; the
    potential equals the enrolment, so even full potential is 2 MW short."""
    rep = verify(dr_case(k=2, duration=2))
    assert rep.capability_mw == pytest.approx(3.0)
    assert not rep.passed
    assert rep.missing_mw == pytest.approx(2.0)
    assert rep.max_potential_mw == pytest.approx(3.0)
    assert "2.0 MW short" in rep.explanation


def test_participation_scales_the_response() -> None:
    """Participation 0.5: R = 0.5 · 6 = 3 in the peak hour."""
    assert verify(dr_case(participation=0.5)).capability_mw == pytest.approx(3.0)


def test_notice_longer_than_allowed_does_not_count() -> None:
    """A 48-hour notice exceeds the default 24 h: the resource does not count (R = 0)."""
    assert verify(dr_case(notice_h=48.0)).capability_mw == pytest.approx(0.0)


def test_gap_closed_by_cheapest_enrolment() -> None:
    """Two resources, 3 MW enrolled of 'ci' (potential 10, 20 per MW-yr) and 0 of 'ci2'
    (potential 10, 5 per MW-yr); target 5 MW in the peak hour: the cheapest closure enrols
    2 MW of 'ci2' at 10 per year."""
    case = dr_case(enrolled_mw=3.0, potential_mw=10.0, extendable=True,
                   enrolment_cost_per_mw_yr=20.0)
    ci2 = {"name": "ci2", "bus": "b", "potential_mw": 10.0, "enrolment_cost_per_mw_yr": 5.0}
    table = case.tables["interruptible"].copy()
    extra = fill_defaults("interruptible", pd.DataFrame([ci2]))
    case = case.replace(tables={**case.tables, "interruptible": pd.concat([table, extra])})
    rep = verify(case)
    assert rep.capability_mw == pytest.approx(3.0)
    closure = rep.gap_closure.set_index("name")
    assert closure.loc["ci2", "new_enrolment_mw"] == pytest.approx(2.0)
    assert closure["annual_cost"].sum() == pytest.approx(10.0)


def enforce_case(share: float):
    """As dr_case but the 6 MW can be enrolled at 1,000 per MW-yr and nothing is enrolled;
    the event is the peak hour. Enforcing R ≥ s · 100 enrols exactly 100 s MW."""
    return with_target(dr_case(enrolled_mw=0.0, extendable=True,
                               enrolment_cost_per_mw_yr=1000.0), share)


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_enforced_target_holds_and_costs_the_enrolment(backend: str) -> None:
    """s = 5 %: enrol exactly 5 MW. Each enrolled MW costs 1,000 a year but, with activation
    cost 0, also replaces gas in dispatch: at most 1 hour in any 2 consecutive hours, so 2 of
    the 4 hours, saving 2 · 50 = 100. Net cost of a required MW = 1,000 − 100 = 900 (the dual);
    without the target nothing is enrolled (900 > 0), so the target costs 5 · 900 = 4,500."""
    free = gridopt.solve(with_target(enforce_case(0.05), None, enforce=False), backend=backend)
    r = gridopt.solve(enforce_case(0.05), backend=backend)
    assert r.status == "optimal"
    assert free.variable("interruptible.enrolled_new")["ci"] == pytest.approx(0.0, abs=1e-9)
    assert r.variable("interruptible.enrolled_new")["ci"] == pytest.approx(5.0)
    assert r.variable("peak_response.capability")["R"] >= 5.0 - 1e-6
    assert r.dual_of("peak_response.target") == pytest.approx(900.0, rel=1e-6)
    assert r.objective - free.objective == pytest.approx(4500.0, rel=1e-9)


def test_cost_rises_with_the_share_and_unreachable_is_explained() -> None:
    curve = cost_curve(enforce_case(0.0), [0.0, 0.02, 0.04, 0.06, 0.08])
    costs = curve["objective"].to_numpy()
    assert np.all(np.diff(costs[~np.isnan(costs)]) >= -1e-6)
    assert np.isnan(curve.loc[0.08, "objective"])  # 8 MW > 6 MW potential
    assert "short" in curve.loc[0.08, "status"]
    with pytest.raises(TargetUnreachableError, match=r"2\.0 MW short"):
        check_reachable(enforce_case(0.08), 0.08)


def vpp_case(aggregate_mw: float = 7.0, vpp_notice_h: float = 0.0):
    """Two interruptible members of VPP 'v' (6 MW and 4 MW, 1 h per event) at different buses
    linked by a line; the VPP caps their sum at ``aggregate_mw``; platform activation 5 per MWh."""
    rows = [{"name": "ci", "bus": "b", "potential_mw": 6.0, "enrolled_mw": 6.0,
             "max_hours_per_event": 1.0, "vpp": "v", "activation_cost_per_mwh": 1.0},
            {"name": "ci2", "bus": "c", "potential_mw": 4.0, "enrolled_mw": 4.0,
             "max_hours_per_event": 1.0, "vpp": "v", "activation_cost_per_mwh": 1.0}]
    case = make_case(hours=4, buses=["b", "c"],
                     generators=[gen("gas", p_nom_mw=200.0, vom_per_mwh=50.0)],
                     loads={"load": LOAD}, interruptible=rows,
                     lines=[{"name": "bc", "bus0": "b", "bus1": "c", "cap_fwd_mw": 100.0}],
                     vpps=[{"name": "v", "aggregate_mw": aggregate_mw, "notice_h": vpp_notice_h,
                            "activation_cost_per_mwh": 5.0}])
    return case.replace(config={**case.config, "peak_response": {"k": 1,
                                                                   "event_duration_h": 1}})


def test_vpp_caps_the_members_together() -> None:
    """Members could give 6 + 4 = 10 MW in the peak hour; the VPP caps them at 7: R = 7, all
    of it via VPP 'v'."""
    rep = verify(vpp_case())
    assert rep.capability_mw == pytest.approx(7.0)
    assert rep.by_vpp["v"] == pytest.approx(7.0)


def test_vpp_notice_excludes_its_members() -> None:
    assert verify(vpp_case(vpp_notice_h=48.0)).capability_mw == pytest.approx(0.0)


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_vpp_dispatch_and_revenue(backend: str) -> None:
    """Dispatch: a MWh of DR saves 50 of gas and costs 1 (member) + 5 (VPP) = 6, so DR runs as
    much as its rules allow. 'ci' (6 MW) and 'ci2' (4 MW) may each interrupt at most 1 hour in
    any 2 consecutive hours: at most 12 and 8 MWh over the 4 hours, 20 MWh in all, and e.g.
    ci [6, 0, 6, 0] + ci2 [0, 4, 0, 4] = [6, 4, 6, 4] stays under the 7 MW cap. All-gas costs
    340 MWh · 50 = 17,000; DR saves 20 · (50 − 6) = 880: objective 16,120. Revenue of the VPP at
    the nodal price 50: 20 · 50 = 1,000."""
    r = gridopt.solve(vpp_case(), backend=backend)
    assert r.objective == pytest.approx(17_000.0 - 880.0)
    assert r.vpp_summary.loc["v", "delivered_mwh"] == pytest.approx(20.0)
    assert r.vpp_summary.loc["v", "net_energy_mwh"] == pytest.approx(20.0)
    assert r.vpp_dispatch["v"].max() <= 7.0 + 1e-6
    assert r.vpp_summary.loc["v", "revenue"] == pytest.approx(1000.0)


def test_warm_started_cost_curve_equals_cold_solves() -> None:
    """The curve re-solves from the previous basis; each point must equal a solve from scratch
    (objective and the dual of the target row)."""
    case = enforce_case(0.0)
    curve = cost_curve(case, [0.05, 0.02, 0.03])
    for share in (0.02, 0.03, 0.05):
        cold = gridopt.solve(with_target(case, share))
        assert curve.loc[share, "objective"] == pytest.approx(cold.objective, rel=1e-9)
        assert curve.loc[share, "marginal_cost_per_mw_yr"] == pytest.approx(
            cold.dual_of("peak_response.target"), rel=1e-6)
    free = gridopt.solve(with_target(case, None, enforce=False))
    assert curve.loc[0.05, "cost_increase"] == pytest.approx(cold.objective - free.objective)


# -- the peak-response target in the targets table (issue 18 review) -----------------------
def test_the_t1_row_of_the_targets_table_by_hand() -> None:
    """dr_case, event = the peak hour: R = 6 MW of a 100 MW peak, 6 % ≥ 5 %: PASS, margin 1
    point; required 5 MW. Held over two hours: R = 3 MW, 3 %: FAIL, 2 points short."""
    from gridopt.peak import T1_NAME, peak_verdict

    v = peak_verdict(dr_case(k=1, duration=1)).loc[T1_NAME]
    assert (v["kind"], v["year"], v["unit"], v["model_unit"]) == ("peak_response", 2030, "%",
                                                                   "MW")
    assert (v["required"], v["achieved"], v["required_model"], v["achieved_model"]) == (
        pytest.approx(5.0), pytest.approx(6.0), pytest.approx(5.0), pytest.approx(6.0))
    assert (v["verdict"], v["margin"], v["enforced"]) == ("PASS", pytest.approx(1.0), False)
    two = peak_verdict(dr_case(k=2, duration=2)).loc[T1_NAME]
    assert (two["achieved_model"], two["verdict"]) == (pytest.approx(3.0), "FAIL")
    assert two["margin"] == pytest.approx(-2.0)
    assert "2.0 MW short" in two["note"]


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_an_enforced_t1_reports_the_planned_enrolment_and_its_price(backend: str) -> None:
    """enforce_case(5 %): the plan enrols 5 MW, which deliver R = 5 MW = 5 % in the peak hour:
    PASS, priced at the dual 900 per MW-yr (see the enforced test above). The row is in
    Results.targets without a targets.csv."""
    r = gridopt.solve(enforce_case(0.05), backend=backend)
    v = r.targets.loc["T1-peak-response"]
    assert (v["achieved"], v["achieved_model"], v["verdict"]) == (
        pytest.approx(5.0), pytest.approx(5.0), "PASS")
    assert v["enforced"] is True
    assert (v["shadow_price"], v["shadow_price_unit"]) == (pytest.approx(900.0, rel=1e-6),
                                                           "EUR/MW-yr")
    assert v["note"].startswith("enforced in planning")


def test_the_default_case_t1_row_fails_at_2_41_percent() -> None:
    """verify only (no solve, under a second): the enrolled DR of the Luzhou case holds
    108.5 MW through the top-2-hour events of a 4,493.8 MW peak, 2.41 % < 5 %."""
    from gridopt.peak import T1_NAME, peak_verdict
    from gridopt.solve import as_case

    v = peak_verdict(as_case(None)).loc[T1_NAME]
    assert v["verdict"] == "FAIL"
    assert round(v["achieved"], 2) == 2.41
    assert v["required_model"] == pytest.approx(0.05 * 4493.8)


def test_gridopt_run_writes_and_prints_the_t1_row(tmp_path) -> None:
    """The tiny case with ``peak_response: {}`` and no DR: R = 0 of a 70 MW peak, FAIL."""
    import shutil
    from pathlib import Path

    from typer.testing import CliRunner

    from gridopt.cli import app

    case = tmp_path / "case"
    shutil.copytree(Path(__file__).parent / "cases" / "tiny", case)
    with (case / "case.yaml").open("a") as f:
        f.write("peak_response:\n  share: 0.05\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(case), "--out", str(out)],
                             env={"COLUMNS": "240"})
    assert res.exit_code == 0, res.output
    assert "T1-peak-response" in res.output and "尖峰负荷响应能力不低于5%" in res.output
    written = pd.read_csv(out / "targets.csv", index_col=0)
    assert written.loc["T1-peak-response", "verdict"] == "FAIL"
    assert written.loc["T1-peak-response", "required_model"] == pytest.approx(3.5)
    assert written.loc["T1-peak-response", "achieved"] == pytest.approx(0.0)
