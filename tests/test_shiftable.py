"""Shiftable load: structure, hand optima, invariants and peak capability (``models/shiftable.md``).

The hand cases share one system: one bus, four hours, load [80, 100, 90, 70] MW, 'cheap' 90 MW at
10/MWh and 'dear' 100 MW at 100/MWh. Without DR: cheap [80, 90, 90, 70] = 330 MWh → 3,300,
dear 10 MWh in hour 2 → 1,000; objective 4,300. Spare cheap capacity: hour 1 10 MW, hour 3
none (one more MWh there costs 100), hour 4 20 MW.
"""

from __future__ import annotations

import numpy as np
import pytest

import gridopt
from gridopt.case.case import Case
from gridopt.model.build import build_model
from gridopt.peak import verify, with_target
from tests.factory import four_hour_case, with_peak

BACKENDS = ["highs", "pyomo"]


def shiftable(**kw: object) -> dict[str, object]:
    """A 3 MW enrolled shiftable load at bus 'b', activation 5/MWh, defaults otherwise."""
    return {"name": "s", "bus": "b", "potential_mw": 3.0, "enrolled_mw": 3.0,
            "activation_cost_per_mwh": 5.0, **kw}


def values(r: gridopt.Results, quantity: str, name: str = "s") -> list[float]:
    """Hourly values of ``shiftable.<quantity>``; ``"backlog"`` is D − S (MWh still owed)."""
    if quantity == "backlog":
        return (r.variable("shiftable.reduced")[name]
                - r.variable("shiftable.recovered")[name]).tolist()
    return r.variable(f"shiftable.{quantity}")[name].tolist()


# -- layer 1: structure -----------------------------------------------------------------------
def test_blocks_rows_and_coefficients() -> None:
    """4 hours, one window, max delay 1 h, advance 0, rebound 0.25.

    Variables: reduce d, recover u, reduced D, recovered S, 4 each. Rows: reduce_upper,
    recover_upper, reduced_balance, recovered_balance 4 each; energy_neutral 1; max_delay
    S_{t+1} ≥ D_t where t + 1 is not the window's last hour: t = 1, 2 → 2 rows; max_advance
    with n = 0, D_t ≥ S_t for t = 1, 2, 3 → 3 rows. Coefficients: max_delay at hour 1
    S_2 − D_1 ≥ 0; recovered_balance at hour 2 S_2 − S_1 − u_2 / 1.25 = 0; energy_neutral
    Σ u − 1.25 Σ d = 0. Without a limit shorter than the window: no D, S and no limit rows.
    """
    m = build_model(four_hour_case(shiftable=[shiftable(max_delay_h=1.0, max_advance_h=0.0,
                                                        rebound_pu=0.25)]))
    rows = {n: b.size for n, b in m.con_blocks.items() if n.startswith("shiftable.")}
    assert rows == {"shiftable.reduce_upper": 4, "shiftable.recover_upper": 4,
                    "shiftable.energy_neutral": 1, "shiftable.reduced_balance": 4,
                    "shiftable.recovered_balance": 4, "shiftable.max_delay": 2,
                    "shiftable.max_advance": 3}
    cum_d, cum_u, u, d = (m.var(f"shiftable.{q}")[0]
                          for q in ("reduced", "recovered", "recover", "reduce"))
    a = m.matrix("csr")

    def row(name: str, k: int = 0) -> dict:
        r = m.con_blocks[name].start + k
        return dict(zip(a[r].indices, a[r].data, strict=True))

    assert row("shiftable.max_delay") == pytest.approx({cum_u[1]: 1.0, cum_d[0]: -1.0})
    assert row("shiftable.max_advance", 2) == pytest.approx({cum_d[2]: 1.0, cum_u[2]: -1.0})
    assert row("shiftable.recovered_balance", 1) == pytest.approx(
        {cum_u[1]: 1.0, cum_u[0]: -1.0, u[1]: -0.8})
    assert row("shiftable.energy_neutral") == pytest.approx(
        {**{c: 1.0 for c in u}, **{c: -1.25 for c in d}})
    assert m.con_blocks["shiftable.max_delay"].coords[0].tolist() == [
        "s|2030-01-01T00:00", "s|2030-01-01T01:00"]
    free = build_model(four_hour_case(shiftable=[shiftable(max_delay_h=3.0)]))
    assert "shiftable.recovered" not in free.var_blocks
    assert not {"shiftable.max_delay", "shiftable.max_advance"} & set(free.con_blocks)


# -- layer 2: hand optima ---------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_delay_to_the_cheap_hour(backend: str) -> None:
    """Delay only (max_advance_h = 0), 3 MW: move 3 MWh from hour 2 (dear, 100) to hour 4
    (cheap, 10); hour 3 has no cheap room. Cheap 333 MWh → 3,330, dear 7 → 700, activation
    3 · 5 = 15: objective 4,045 (saves 3 · (100 − 10 − 5) = 255). Unique: recovery at hour 3
    would cost 100, bringing hour 1 forward is not allowed."""
    r = gridopt.solve(four_hour_case(shiftable=[shiftable(max_advance_h=0.0)]), backend=backend)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(4045.0)
    assert values(r, "reduce") == pytest.approx([0, 3, 0, 0], abs=1e-9)
    assert values(r, "recover") == pytest.approx([0, 0, 0, 3], abs=1e-9)
    assert values(r, "backlog") == pytest.approx([0, 3, 3, 0], abs=1e-9)
    assert r.dr_response[("shiftable", "s")].tolist() == pytest.approx([0, 3, 0, -3], abs=1e-9)
    assert r.costs.loc[("shiftable", "s"), "activation"] == pytest.approx(15.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_advance_to_the_cheap_hour(backend: str) -> None:
    """Advance only (max_delay_h = 0, max_advance_h = 1): consume 3 MWh more in hour 1 (cheap,
    room 10 MW) and 3 less in hour 2. Same cost as delaying: 4,045. Backlog [−3, 0, 0, 0]."""
    case = four_hour_case(shiftable=[shiftable(max_delay_h=0.0, max_advance_h=1.0)])
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(4045.0)
    assert values(r, "recover") == pytest.approx([3, 0, 0, 0], abs=1e-9)
    assert values(r, "reduce") == pytest.approx([0, 3, 0, 0], abs=1e-9)
    assert values(r, "backlog") == pytest.approx([-3, 0, 0, 0], abs=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("max_delay_h", "activation", "objective"), [
    (2.0, 5.0, 4045.0), (1.0, 5.0, 4060.0), (1.0, 50.0, 4300.0), (0.0, 5.0, 4300.0)])
def test_max_delay(backend: str, max_delay_h: float, activation: float,
                   objective: float) -> None:
    """Delay only; hour 2's 3 MWh are worth moving to hour 4, two hours later.

    - max 2 h: direct, 4,045 as above.
    - max 1 h: the deferral of hour 2 must be served in hour 3 (u_3 = 3); hour 3 defers its own
      3 MWh to hour 4 (d_3 = 3): each MWh waits one hour (FIFO), net [0, −3, 0, +3] again but
      activated twice: 4,300 − 3 · (100 − 10 − 2 · 5) = 4,060 (the documented relay).
    - max 1 h at activation 50: relaying saves 100 − 10 − 2 · 50 < 0 per MWh, the direct
      1-hour move 100 − 100 − 50 < 0: no shift, 4,300.
    - max 0 h (and no advance): nothing can move, 4,300.
    """
    case = four_hour_case(shiftable=[shiftable(max_delay_h=max_delay_h, max_advance_h=0.0,
                                               activation_cost_per_mwh=activation)])
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(objective)
    if (max_delay_h, activation) == (1.0, 5.0):
        assert values(r, "reduce") == pytest.approx([0, 3, 3, 0], abs=1e-9)
        assert values(r, "recover") == pytest.approx([0, 0, 3, 3], abs=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rebound_costs_extra_energy(backend: str) -> None:
    """Delay only, rebound 0.1: x MWh taken from hour 2 come back as 1.1 x in hour 4, capped by
    u ≤ 3 MW → x = 3 / 1.1. Each MWh saves 100 − 1.1 · 10 − 5 = 84 → 4,300 − 84 · 30/11
    = 4,070.909…; Σ u = 1.1 Σ d."""
    case = four_hour_case(shiftable=[shiftable(max_advance_h=0.0, rebound_pu=0.1)])
    r = gridopt.solve(case, backend=backend)
    assert r.objective == pytest.approx(4300.0 - 84.0 * 30.0 / 11.0)
    assert values(r, "reduce") == pytest.approx([0, 30 / 11, 0, 0], abs=1e-9)
    assert sum(values(r, "recover")) == pytest.approx(1.1 * sum(values(r, "reduce")))


@pytest.mark.parametrize("backend", BACKENDS)
def test_participation_scales_the_shift(backend: str) -> None:
    """Participation 0.5: at most 1.5 MW moves, saving 1.5 · 85 → 4,300 − 127.5 = 4,172.5."""
    case = four_hour_case(shiftable=[shiftable(max_advance_h=0.0, participation=0.5)])
    assert gridopt.solve(case, backend=backend).objective == pytest.approx(4172.5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_windows_cut_the_day(backend: str) -> None:
    """window_h = 2: hours {1, 2} and {3, 4} are separate windows. Hour 2's reduction can only
    come back in hour 1 (advance, cheap room): still 4,045. With max_advance_h = 0 it cannot
    move at all (hour 2 ends its window): 4,300."""
    both = four_hour_case(shiftable=[shiftable(window_h=2.0)])
    delay = four_hour_case(shiftable=[shiftable(window_h=2.0, max_advance_h=0.0)])
    assert gridopt.solve(both, backend=backend).objective == pytest.approx(4045.0)
    assert gridopt.solve(delay, backend=backend).objective == pytest.approx(4300.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_enforced_target_buys_enrolment(backend: str) -> None:
    """Extendable shiftable, nothing enrolled, potential 10 MW at 1,000 per MW-yr; target 3 % of
    the 100 MW peak = 3 MW over the peak hour (k = 1). Each enrolled MW also saves 85 in
    dispatch (as above, room for 10), so X = 3 exactly: 4,300 − 3 · 85 + 3 · 1,000 = 7,045."""
    case = four_hour_case(shiftable=[shiftable(enrolled_mw=0.0, potential_mw=10.0,
                                               extendable=True, max_advance_h=0.0,
                                               enrolment_cost_per_mw_yr=1000.0)])
    r = gridopt.solve(with_target(with_peak(case, 1), 0.03), backend=backend)
    assert r.objective == pytest.approx(7045.0)
    assert r.variable("shiftable.enrolled_new")["s"] == pytest.approx(3.0)


# -- layer 4: invariants ----------------------------------------------------------------------
def two_day_case(reverse: bool = False, participation: float | None = None) -> Case:
    """48 h of a daily load cycle with two shiftable loads of different windows and limits."""
    t = np.arange(48)
    load = (95 + 20 * np.sin(2 * np.pi * (t - 10) / 24) + 3 * np.cos(t)).tolist()
    loads = [shiftable(name="a", potential_mw=8.0, enrolled_mw=6.0, max_delay_h=3.0,
                       max_advance_h=2.0, rebound_pu=0.05, activation_cost_per_mwh=1.0),
             shiftable(name="b", potential_mw=5.0, enrolled_mw=5.0, window_h=12.0,
                       max_advance_h=0.0, participation=0.8, activation_cost_per_mwh=2.0)]
    if participation is not None:
        loads = [{**row, "participation": participation} for row in loads]
    return four_hour_case(48, load, shiftable=loads[::-1] if reverse else loads)


def cumulative_in_windows(x: np.ndarray, window: int) -> np.ndarray:
    """Σ_{τ ≤ t, τ in t's window} x_τ."""
    return np.concatenate([np.cumsum(x[i:i + window]) for i in range(0, len(x), window)])


@pytest.mark.parametrize("backend", BACKENDS)
def test_invariants(backend: str) -> None:
    """After the solve: shifting happens; d, u ≤ ρ X; Σ u = (1 + κ) Σ d in every window; FIFO
    limits D(t) ≤ U'(t + n^del) and U'(t) ≤ D(t + n^adv) (cumulative, within the window);
    the balance closes; reordering the elements changes nothing."""
    case = two_day_case()
    r = gridopt.solve(case, backend=backend)
    table = case.table("shiftable")
    assert r.variable("shiftable.reduce").to_numpy().sum() > 1.0
    for name, window in (("a", 24), ("b", 12)):
        row = table.loc[name]
        d = np.asarray(values(r, "reduce", name))
        u = np.asarray(values(r, "recover", name)) / (1 + row["rebound_pu"])
        cap = row["participation"] * row["enrolled_mw"]
        assert d.max() <= cap + 1e-6 and u.max() * (1 + row["rebound_pu"]) <= cap + 1e-6
        done_d, done_u = cumulative_in_windows(d, window), cumulative_in_windows(u, window)
        ends = np.arange(window - 1, 48, window)
        assert done_u[ends] == pytest.approx(done_d[ends], abs=1e-6)
        assert np.asarray(values(r, "backlog", name)) == pytest.approx(done_d - done_u, abs=1e-6)
        for t in range(48):
            end = (t // window + 1) * window - 1
            if np.isfinite(row["max_delay_h"]):
                assert done_d[t] <= done_u[min(t + int(row["max_delay_h"]), end)] + 1e-6
            assert done_u[t] <= done_d[min(t + int(row["max_advance_h"]), end)] + 1e-6
    supply = r.dispatch.sum(axis=1) + r.dr_response.sum(axis=1) + r.load_shed["b"]
    assert supply.to_numpy() == pytest.approx(r.demand["b"].to_numpy(), abs=1e-6)
    assert gridopt.solve(two_day_case(reverse=True), backend=backend).objective == pytest.approx(
        r.objective)


def test_backends_agree() -> None:
    """The same optimum from HiGHS arrays and from Pyomo."""
    case = two_day_case()
    assert gridopt.solve(case, backend="pyomo").objective == pytest.approx(
        gridopt.solve(case, backend="highs").objective)


# -- peak capability --------------------------------------------------------------------------
@pytest.mark.parametrize(("k", "extra", "expected"), [
    (1, {}, 3.0), (2, {}, 3.0), (2, {"max_advance_h": 0.0}, 1.5),
    (2, {"max_delay_h": 1.0, "max_advance_h": 0.0}, 1.5), (1, {"participation": 0.5}, 1.5),
    (2, {"max_delay_h": 1.0, "max_advance_h": 1.0}, 3.0)])
def test_capability(k: int, extra: dict, expected: float) -> None:
    """Event day = the 4 hours (one window); peak hour 2 (k = 1) or hours 2–3 (k = 2).

    - k = 1: d_2 = 3 and the 3 MWh come back in another hour: R = 3.
    - k = 2, both directions free: u_1 = 3 (advance), d_2 = d_3 = 3, u_4 = 3 (delay): R = 3.
    - k = 2, delay only: b ≥ 0, so nothing is consumed ahead; the 2R MWh come back in hour 4
      at u_4 ≤ 3 MW: R = 1.5.
    - k = 2, delay ≤ 1 h only: still 1.5 by the relay: d_2 = 1.5 is served in hour 3
      (u_3 = 1.5), hour 3 defers d_3 = 3 (response 3 − 1.5 = 1.5) to hour 4 (u_4 = 3).
    - participation 0.5: the responding capacity is 1.5 MW: R = 1.5.
    - k = 2, ≤ 1 h either way: the R = 3 schedule moves every MWh by one hour: R = 3.
    """
    report = verify(with_peak(four_hour_case(shiftable=[shiftable(**extra)]), k))
    assert report.capability_mw == pytest.approx(expected)
    assert report.by_family["shiftable"] == pytest.approx(expected)


@pytest.mark.parametrize(("limit_h", "expected"), [(np.inf, 3.0), (1.0, 2.0)])
def test_capability_limited_by_delay_and_advance(limit_h: float, expected: float) -> None:
    """Six hours, load [80, 100, 95, 90, 70, 70], k = 3: the event is hours 2–4.

    Unlimited: u_1 = 3, d_2 = d_3 = d_4 = 3, u_5 = u_6 = 3: R = 3.
    Max delay = max advance = 1 h: b_1 = d_1 − u_1 ≥ −3 and the delay row at hour 4 gives
    b_4 ≤ u_5 ≤ 3, while b_4 − b_1 = Σ_{t=2..4} (d_t − u_t) ≥ 3R: R ≤ 2. Reached by
    u_1 = 3; d_2 = 3, u_2 = 1; d_3 = 2; d_4 = 3, u_4 = 1; u_5 = 3 (backlog −3, −1, 1, 3, 0, 0;
    every delay and advance row holds).
    """
    case = four_hour_case(6, [80.0, 100.0, 95.0, 90.0, 70.0, 70.0],
                          shiftable=[shiftable(max_delay_h=limit_h, max_advance_h=limit_h)])
    assert verify(with_peak(case, 3)).capability_mw == pytest.approx(expected)


@pytest.mark.parametrize(("k", "expected"), [(1, 9.0), (2, 6.0)])
def test_capability_with_interruptible(k: int, expected: float) -> None:
    """Shiftable 3 MW within the day plus an interruptible 6 MW for at most 1 hour per event.

    k = 1 (hour 2): 3 + 6 = 9. k = 2 (hours 2–3): the shiftable holds 3 (above); the
    interruptible may curtail 1 h · 6 MW = 6 MWh per event day, held over 2 hours by rotation
    at 3 MW each (``interruptible.event_energy``): R = 3 + 3 = 6.
    """
    case = four_hour_case(shiftable=[shiftable()],
                          interruptible=[{"name": "i", "bus": "b", "potential_mw": 6.0,
                                          "enrolled_mw": 6.0, "max_hours_per_event": 1.0}])
    report = verify(with_peak(case, k))
    assert report.capability_mw == pytest.approx(expected)
    assert report.by_family.to_dict() == pytest.approx(
        {"interruptible": expected - 3.0, "shiftable": 3.0})


@pytest.mark.parametrize("k", [1, 2, 3, 6])
@pytest.mark.parametrize("participation", [0.3, 1.0])
def test_capability_never_exceeds_the_potential(k: int, participation: float) -> None:
    """R ≤ Σ_i ρ_i X_i ≤ Σ_i ρ_i P^pot_i: every d ≤ ρ X and u ≥ 0.

    Two days, enrolled a: 6 of 8 MW, b: 5 of 5 MW. With a 50 % target (FAIL) ``verify`` also
    finds R with every potential enrolled (``max_potential_mw``). For k = 1 both bounds are
    reached: one peak hour, the rest of its window to recover in.
    """
    report = verify(with_peak(two_day_case(participation=participation), k, share=0.5))
    assert not report.passed
    assert report.capability_mw <= participation * 11.0 + 1e-6
    assert report.max_potential_mw <= participation * 13.0 + 1e-6
    if k == 1:
        assert report.capability_mw == pytest.approx(participation * 11.0)
        assert report.max_potential_mw == pytest.approx(participation * 13.0)
