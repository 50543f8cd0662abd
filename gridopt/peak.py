"""Verify, enforce and cost the peak-load response target (Luzhou plan T1).

- :func:`verify`: the largest response R the *enrolled* resources deliver at once and hold
  through every peak event (an LP over the event days only; a MIP when a DR row is
  ``indivisible``: such a row gives its full reduction through whole events or nothing),
  PASS/FAIL against s · P^peak, the contribution of each family and VPP, and for FAIL the
  cheapest new enrolment that closes the gap (or, when even the whole potential falls short,
  by how much and why). The report says which (``PeakReport.method``).
- :func:`cost_curve`: the planning optimum with the target enforced at several shares, the cost
  difference to no target, and the marginal cost of one more MW (dual of the target row).

Formulation: ``models/peak_response.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import highspy
import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.settings import peak_settings
from gridopt.case.solver_options import split_options
from gridopt.components._dr import dr_state, evaluate
from gridopt.components.demand_response import DR_FAMILIES
from gridopt.components.peak_response import (
    add_capability,
    event_scope,
    peak_events,
    peak_load,
    target_mw,
)
from gridopt.components.vpp import eligible_mask
from gridopt.model.arrays import ArrayModel
from gridopt.model.highs_backend import (
    Solution,
    run_interruptible,
    solution_of,
    solve_highs,
    to_highs,
)


@dataclass
class PeakReport:
    """The verdict of :func:`verify`."""

    peak_mw: float
    share: float
    target_mw: float
    capability_mw: float
    events: list[pd.DatetimeIndex]
    by_family: pd.Series
    by_vpp: pd.Series
    by_element: pd.DataFrame
    gap_closure: pd.DataFrame = field(default_factory=pd.DataFrame)
    max_potential_mw: float | None = None
    explanation: str = ""
    #: The DR rows read as indivisible (whole events of the full reduction; interruptible and
    #: shiftable): R is then the optimum of a MIP, not an LP.
    indivisible: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        """How R was computed: ``"LP"``, or ``"MIP (indivisible: a, b)"``."""
        if not self.indivisible:
            return "LP"
        return f"MIP (indivisible: {', '.join(self.indivisible)})"

    @property
    def passed(self) -> bool:
        return self.capability_mw >= self.target_mw * (1 - 1e-9)

    @property
    def missing_mw(self) -> float:
        return max(0.0, self.target_mw - self.capability_mw)

    def table(self) -> pd.DataFrame:
        """One-column verdict table (written as ``peak_response.csv``)."""
        rows: dict[str, Any] = {
            "peak_load_mw": self.peak_mw, "target_share": self.share,
            "target_mw": self.target_mw, "capability_mw": self.capability_mw,
            "capability_share": self.capability_mw / self.peak_mw if self.peak_mw else 0.0,
            "verdict": "PASS" if self.passed else "FAIL", "missing_mw": self.missing_mw,
            "events": "; ".join(f"{e[0]:%Y-%m-%d %H:%M}..{e[-1]:%H:%M}" for e in self.events),
            "capability_model": self.method,
        }
        rows.update({f"family:{k}": v for k, v in self.by_family.items()})
        rows.update({f"vpp:{k}": v for k, v in self.by_vpp.items()})
        if self.max_potential_mw is not None:
            rows["max_with_full_potential_mw"] = self.max_potential_mw
        return pd.Series(rows, name="value").to_frame()


def _with_enrolment(case: Case, mode: str) -> Case:
    """A copy whose DR enrolment is fixed at what is enrolled (``"fixed"``) or may grow to the
    potential (``"potential"``)."""
    tables = dict(case.tables)
    for family in DR_FAMILIES:
        t = case.table(family)
        if t.empty:
            continue
        t = t.copy()
        t["extendable"] = mode == "potential"
        tables[family] = t
    return case.replace(tables=tables)


def _capability_model(case: Case, target: float | None, objective: str) -> ArrayModel:
    m = ArrayModel(case.snapshots)
    add_capability(m, case, target)
    r = m.var("peak_response.capability")
    if objective == "max_R":
        m.keep_costs()
        m.add_cost("peak_response", "capability", r, -1.0, np.array(["R"], dtype=object))
    else:  # min enrolment cost only
        m.keep_costs(frozenset({"enrolment"}), constants=True)
    return m


def _solve(m: ArrayModel) -> Solution:
    sol = solve_highs(m)
    if not sol.ok:
        kind = "MIP" if m.is_mip else "LP"
        raise RuntimeError(f"peak-response {kind} ended '{sol.status}' ({sol.message})")
    return sol


def indivisible_rows(case: Case) -> list[str]:
    """Names of the DR rows with ``indivisible`` true (their events are integer)."""
    names = []
    for family in DR_FAMILIES:
        table = case.table(family)
        if not table.empty and "indivisible" in table:
            names += [str(n) for n in table.index[table["indivisible"].to_numpy(bool)]]
    return names


def _contributions(case: Case, m: ArrayModel, x: np.ndarray) -> pd.DataFrame:
    """Each element's response at the binding event hour (the hour where the total is least)."""
    _, at = event_scope(case)
    rows = []
    for resp in dr_state(m).of("event"):
        value = evaluate(resp, x)[:, at] * eligible_mask(case, resp)[:, None]
        for k, name in enumerate(resp.elements):
            rows.append((resp.family, name, resp.vpp[k], value[k]))
    if not rows:
        return pd.DataFrame(columns=["family", "name", "vpp", "mw"])
    values = np.array([r[3] for r in rows])
    binding = int(np.argmin(values.sum(axis=0)))
    return pd.DataFrame({"family": [r[0] for r in rows], "name": [r[1] for r in rows],
                         "vpp": [r[2] for r in rows], "mw": values[:, binding]})


def verify(case: Case) -> PeakReport:
    """R with today's enrolment, PASS/FAIL, contributions, and how to close a gap."""
    s = peak_settings(case)
    fixed = _with_enrolment(case, "fixed")
    m = _capability_model(fixed, None, "max_R")
    sol = _solve(m)
    capability = float(sol.x[m.var("peak_response.capability")[0]])
    by_element = _contributions(fixed, m, sol.x)
    report = PeakReport(
        peak_mw=peak_load(case), share=s.share, target_mw=target_mw(case),
        capability_mw=capability, events=[case.snapshots[e] for e in peak_events(case)],
        by_family=by_element.groupby("family")["mw"].sum() if len(by_element) else pd.Series(),
        by_vpp=by_element[by_element["vpp"] != ""].groupby("vpp")["mw"].sum()
        if len(by_element) else pd.Series(),
        by_element=by_element, indivisible=indivisible_rows(case))
    if not report.passed:
        _explain_gap(case, report)
    return report


def _explain_gap(case: Case, report: PeakReport) -> None:
    """Cheapest new enrolment that reaches the target, or how far the full potential falls short."""
    full = _with_enrolment(case, "potential")
    m = _capability_model(full, None, "max_R")
    sol = _solve(m)
    report.max_potential_mw = float(sol.x[m.var("peak_response.capability")[0]])
    if report.max_potential_mw < report.target_mw * (1 - 1e-9):
        short = report.target_mw - report.max_potential_mw
        report.explanation = (
            f"Even with every resource enrolled up to its potential, R = "
            f"{report.max_potential_mw:,.1f} MW < target {report.target_mw:,.1f} MW: "
            f"{short:,.1f} MW short. Add DR potential or relax the event duration / notice."
            + _indivisible_note(report))
        return
    m = _capability_model(full, report.target_mw, "min_cost")
    sol = _solve(m)
    rows = []
    for family in DR_FAMILIES:
        block = m.var_blocks.get(f"{family}.enrolled_new")
        if block is None:
            continue
        table = full.table(family)
        values = sol.x[block.index()]
        for name, mw in zip(block.coords[0], values, strict=True):
            if mw > 1e-6:
                cost = float(table.loc[name, "enrolment_cost_per_mw_yr"]) + _vpp_fee(full,
                                                                                     table, name)
                rows.append((family, name, mw, cost, mw * cost))
    report.gap_closure = pd.DataFrame(rows, columns=["family", "name", "new_enrolment_mw",
                                                     "cost_per_mw_yr", "annual_cost"])
    report.explanation = (f"Missing {report.missing_mw:,.1f} MW; the cheapest new enrolment "
                          f"that closes it costs {report.gap_closure['annual_cost'].sum():,.0f} "
                          f"{case.currency}/yr (listed)." + _indivisible_note(report))


def _indivisible_note(report: PeakReport) -> str:
    """What an indivisible row means for R (empty when there is none)."""
    if not report.indivisible:
        return ""
    return (f" R is a MIP: the indivisible rows ({', '.join(report.indivisible)}) count with "
            "their full reduction through whole events of their minimum to maximum length, or "
            "not at all.")


def _vpp_fee(case: Case, table: pd.DataFrame, name: str) -> float:
    """The platform enrolment fee of the element's VPP (0 when it has none)."""
    vpp = table.loc[name, "vpp"] if "vpp" in table else ""
    vpps = case.table("vpps")
    return float(vpps.loc[vpp, "enrolment_cost_per_mw_yr"]) if vpp in vpps.index else 0.0


def with_target(case: Case, share: float | None, enforce: bool = True) -> Case:
    """A copy of ``case`` whose planning enforces R ≥ share · P^peak (or nothing)."""
    cfg = dict(case.config)
    pr = dict(cfg.get("peak_response") or {})
    pr["enforce"] = enforce
    if share is not None:
        pr["share"] = share
    cfg["peak_response"] = pr
    return case.replace(config=cfg)


def check_reachable(case: Case, share: float) -> None:
    """Raise a clear error when the enrolment that planning may choose (each row's
    ``extendable`` flag, up to its potential) cannot reach share · P^peak."""
    m = _capability_model(case, None, "max_R")
    best = float(_solve(m).x[m.var("peak_response.capability")[0]])
    need = target_mw(case, share)
    if best < need * (1 - 1e-9):
        raise TargetUnreachableError(
            f"peak-response target {share:.1%} of {peak_load(case):,.1f} MW = {need:,.1f} MW "
            f"cannot be met: with every extendable DR resource enrolled to its potential (and "
            f"the others at their enrolment) the response "
            f"held through the peak events is at most {best:,.1f} MW "
            f"({best / peak_load(case):.2%}), {need - best:,.1f} MW short.")


def _fixed_lp_dual(m: ArrayModel, x: np.ndarray, row: int, need: float) -> float:
    """Dual of the target row (R ≥ need) in the LP with every integer column fixed at x."""
    fixed = m.fix_integers(x)
    lower = fixed.row_lower.copy()
    lower[row] = need
    sol = solve_highs(replace(fixed, _row_lo=[lower], _row_hi=[fixed.row_upper]))
    return float(sol.row_dual[row]) if sol.ok and sol.row_dual is not None else np.nan


class TargetUnreachableError(ValueError):
    """The required peak response exceeds what every DR potential can deliver."""


def cost_curve(case: Case, shares: list[float], **solver_options: Any) -> pd.DataFrame:
    """Planning optimum with R ≥ s · P^peak for each share s; cost increase over s = 0 (which
    is planning without the target, since R ≥ 0 always holds) and the marginal cost (dual).

    The model is built and solved once (with crossover, for a basis); each further share only
    changes the right-hand side of ``peak_response.target`` and re-solves by dual simplex from
    the previous basis (a warm start).
    """
    from gridopt.model.build import build_model

    options = {**split_options(case.solver_options)[1], **solver_options,
               "run_crossover": "on"}
    base_case = with_target(case, 0.0)
    m = build_model(base_case)
    h = to_highs(m, options)
    run_interruptible(h)
    base = solution_of(h, 0.0, 0.0)
    if not base.ok:
        raise RuntimeError(f"planning without the target ended '{base.status}'")
    row = m.con_blocks["peak_response.target"].start
    h.setOptionValue("solver", "simplex")
    rows = []
    for share in sorted(shares):
        need = target_mw(case, share)
        try:
            check_reachable(base_case, share)
        except TargetUnreachableError as exc:
            rows.append((share, need, np.nan, np.nan, np.nan, str(exc)))
            continue
        h.changeRowBounds(row, need, highspy.kHighsInf)
        run_interruptible(h)
        sol = solution_of(h, 0.0, 0.0)
        dual = float(sol.row_dual[row]) if sol.row_dual is not None else np.nan
        obj = sol.objective if sol.ok else np.nan
        if m.is_mip and sol.ok:  # a MIP has no duals: the LP with its integers fixed
            dual = _fixed_lp_dual(m, sol.x, row, need)
        rows.append((share, need, obj, obj - base.objective, dual, sol.status))
    return pd.DataFrame(rows, columns=["share", "target_mw", "objective", "cost_increase",
                                       "marginal_cost_per_mw_yr", "status"]).set_index("share")


#: The name of the peak-response row in the targets table (``gridopt run``'s targets.csv).
T1_NAME = "T1-peak-response"


def peak_verdict(case: Case, m: ArrayModel | None = None, x: np.ndarray | None = None,
                 row_dual: np.ndarray | None = None) -> pd.DataFrame:
    """The row of :func:`peak_assessment` (the verdict without the report)."""
    return peak_assessment(case, m, x, row_dual)[0]


def peak_assessment(case: Case, m: ArrayModel | None = None, x: np.ndarray | None = None,
                    row_dual: np.ndarray | None = None
                    ) -> tuple[pd.DataFrame, PeakReport | None]:
    """The peak-response target (plan T1) as one row of the targets table
    (:data:`gridopt.components.targets.VERDICT_COLUMNS`), for a case with
    ``case.yaml: peak_response``: required s and achieved R / P^peak in %, the same in MW.

    Not enforced: R of the enrolled resources (:func:`verify`, an LP over the event days only).
    Enforced: R of the planned enrolment (enrolled plus the solution's ``enrolled_new``, held
    fixed, through :func:`verify`), and the dual of ``peak_response.target`` as its price.
    Returns the row and the :class:`PeakReport` it was judged from (``None`` when R was not
    evaluated), whose ``by_element`` is each resource's response r_e at the binding event hour.
    """
    from gridopt.components.targets import VERDICT_COLUMNS, modelled_year

    s = peak_settings(case)
    peak = peak_load(case)
    row: dict[str, Any] = dict.fromkeys(VERDICT_COLUMNS, np.nan)
    row.update(year=modelled_year(case), kind="peak_response",
               name_en=f"peak-load response capability ≥ {100 * s.share:g} % of peak load",
               name_zh=f"尖峰负荷响应能力不低于{100 * s.share:g}%",
               scope=f"system peak load {peak:,.1f} MW; R held through every peak event "
                     f"({s.hours}, {s.event_duration_h} h, notice ≤ {s.max_notice_h:g} h; "
                     "case.yaml: peak_response)",
               required=100 * s.share, unit="%", required_model=s.share * peak,
               model_unit="MW", enforced=s.enforce, shadow_price_unit="",
               met_by_shedding=False, note="")
    try:
        if s.enforce:
            if m is None or x is None:
                row.update(verdict="no solution", note="enforced in planning")
                return _one(row), None
            report = verify(_planned(case, m, x))
            row["note"] = ("enforced in planning: R of the planned enrolment (enrolled plus "
                           "new), each resource held at it")
            block = m.con_blocks.get("peak_response.target")
            if row_dual is not None and block is not None:
                price = float(row_dual[block.start])
                row.update(shadow_price=0.0 if abs(price) < 1e-12 else price,
                           shadow_price_unit=f"{case.currency}/MW-yr")
        else:
            report = verify(case)
            row["note"] = "R of the enrolled resources (gridopt.peak.verify)" + (
                f"; {report.explanation}" if report.explanation else "")
    except (RuntimeError, ValueError) as exc:
        row.update(verdict=f"NOT EVALUATED ({exc})")
        return _one(row), None
    r = report.capability_mw + 0.0  # not -0.0
    achieved = 100 * r / peak if peak else np.nan
    need = row["required_model"]  # as the other targets: PASS within 1e-6 of the bound
    ok = r >= need - 1e-6 * max(1.0, need)
    row.update(achieved=achieved, achieved_model=r,
               verdict="PASS" if ok else "FAIL", margin=achieved - row["required"] + 0.0)
    return _one(row), report


def _one(row: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame([row], index=pd.Index([T1_NAME], name="name"), dtype=object)


def _planned(case: Case, m: ArrayModel, x: np.ndarray) -> Case:
    """A copy whose DR enrolment is what the solution plans: enrolled_mw + enrolled_new."""
    tables = dict(case.tables)
    for family in DR_FAMILIES:
        block = m.var_blocks.get(f"{family}.enrolled_new")
        if block is None or case.table(family).empty:
            continue
        t = case.table(family).copy()
        names = block.coords[0]
        t.loc[names, "enrolled_mw"] = t.loc[names, "enrolled_mw"].to_numpy(float) \
            + x[block.index()]
        tables[family] = t
    return case.replace(tables=tables)
