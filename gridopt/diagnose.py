"""Explain a model that has no optimum, in the case's own terms.

:func:`diagnose` builds the case's model (without the peak-response pre-check, so that an
unreachable enforced target is explained like any other infeasibility) and solves it with
HiGHS. When it is infeasible:

- the *irreducible infeasible subset* (HiGHS ``getIis``): a smallest set of rows and bounds
  that cannot hold together; each is named by family, element, snapshot and rule, e.g.
  ``bus 'north' balance at 2030-07-21 14:00: = 120 MW``;
- the *elastic* solve (HiGHS ``feasibilityRelaxation``): every row and bound may be violated
  at a penalty per unit (the case's requirements, :data:`REQUIREMENTS`, cheapest), and each
  limit that the cheapest relaxation violates is reported with the amount, in the row's unit.

When it is unbounded, the columns of HiGHS's primal ray name the elements that can grow
without limit. The CLI (``gridopt diagnose``, and ``gridopt run`` in a short form) only prints
the :class:`Diagnosis`.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import highspy
import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.solver_options import split_options
from gridopt.case.validate import noun_of
from gridopt.components.targets import built_targets
from gridopt.model.arrays import ArrayModel, Block
from gridopt.model.build import build_model
from gridopt.model.highs_backend import run_interruptible, solution_of, to_highs

log = logging.getLogger(__name__)

#: Rows that state what the case requires (demand served, a target met): the elastic solve
#: relaxes these first, at penalty 1 per unit; every other row and bound costs
#: :data:`LIMIT_PENALTY` per unit, so that the report says which requirement cannot be met.
REQUIREMENTS = ("buses.balance", "peak_response.target", "targets.lower", "targets.upper",
                "reserves.requirement")
LIMIT_PENALTY = 10.0
#: Violations smaller than this (in the row's or column's unit) are solver noise.
TOLERANCE = 1e-6
NOUNS = {"buses": "bus", "storage": "store", "peak_response": "peak response",
         "commitment": "generator"}
#: Plain words for block names whose quantity alone says too little.
WORDS = {"buses.shed": "load shedding", "generators.p_new": "new capacity",
         "storage.p_new": "new power capacity", "storage.e_new": "new energy capacity",
         "storage.soc": "state of charge", "storage.soc_balance": "state-of-charge balance",
         "commitment.status": "units on", "commitment.startup": "start-ups",
         "commitment.shutdown": "shut-downs", "commitment.transition": "units-on balance",
         "commitment.min_up": "minimum up time", "commitment.min_down": "minimum down time",
         "commitment.dispatch_lower": "minimum stable output",
         "commitment.dispatch_upper": "committed capacity",
         "commitment.retrofit": "units given the flexibility retrofit",
         "commitment.retrofit_on": "committed retrofitted units",
         "commitment.retrofit_status": "retrofitted units on within units on",
         "commitment.retrofit_built": "retrofitted units on within units retrofitted",
         "reserves.requirement": "requirement (reserve held by its providers)",
         "reserves.generator_up": "output plus up reserve within its capacity",
         "reserves.generator_down": "output less down reserve above its minimum",
         "reserves.generator_ramp_up": "up reserve within its hourly ramp",
         "reserves.generator_ramp_down": "down reserve within its hourly ramp",
         "reserves.storage_up": "discharge plus up reserve within its power",
         "reserves.storage_down": "charge plus down reserve within its power",
         "reserves.storage_up_energy": "energy for its up reserve",
         "reserves.storage_down_energy": "room for its down reserve"}
#: The element noun of blocks whose family noun would misname it (a reserve row of a generator).
BLOCK_NOUNS = {**{f"reserves.generator_{q}": "generator"
                  for q in ("up", "down", "ramp_up", "ramp_down")},
               **{f"reserves.storage_{q}": "store"
                  for q in ("up", "down", "up_energy", "down_energy")},
               "reserves.requirement": "reserve", "reserves.shortfall": "reserve"}
#: Quantities measured in MWh (all others in MW).
ENERGY_WORDS = ("soc", "e_new", "energy", "delta", "h2", "stored")
#: Blocks counted in units (unit commitment), not MW.
UNIT_COUNTS = frozenset({"commitment.status", "commitment.startup", "commitment.shutdown",
                         "commitment.transition", "commitment.min_up", "commitment.min_down",
                         "commitment.retrofit", "commitment.retrofit_on",
                         "commitment.retrofit_status", "commitment.retrofit_built"})


@dataclass(frozen=True)
class Item:
    """One row or bound of the model, in the case's terms.

    ``family`` and ``quantity`` split the block name (``"buses"``, ``"balance"``);
    ``element`` is the element (or ``""``); ``time`` the snapshot (or ``None``); ``kind`` is
    ``"row"`` or ``"bound"``; ``sense`` is ``"="``, ``"≥"`` or ``"≤"`` and ``limit`` the value
    that side asks for, in ``unit``.
    """

    family: str
    quantity: str
    element: str
    time: pd.Timestamp | None
    kind: str
    sense: str
    limit: float
    unit: str

    @property
    def year_and_family(self) -> tuple[str, str]:
        """("2030", "buses") for a pathway's block family ``y2030_buses``; ("", family) else."""
        found = YEAR_FAMILY.fullmatch(self.family)
        return (found.group(1), found.group(2)) if found else ("", self.family)

    @property
    def rule(self) -> str:
        """``"balance"``, ``"dispatch upper bound"``, …"""
        family = self.year_and_family[1]
        words = WORDS.get(f"{family}.{self.quantity}", self.quantity.replace("_", " "))
        if self.kind == "bound":
            words += " upper bound" if self.sense == "≤" else " lower bound"
        return words

    def where(self) -> str:
        """``bus 'north' balance at 2030-07-21 14:00`` (a pathway's: ``… in year 2030 …``)."""
        year, family = self.year_and_family
        noun = BLOCK_NOUNS.get(f"{family}.{self.quantity}") or NOUNS.get(family) \
            or noun_of(family)
        if year:
            noun = f"year {year}: {noun}"
        text = f"{noun} '{self.element}' {self.rule}" if self.element else f"{noun} {self.rule}"
        if self.time is not None:
            text += f" at {self.time:%Y-%m-%d %H:%M}"
        return text

    def __str__(self) -> str:
        return f"{self.where()}: {self.sense} {self.limit:,.6g} {self.unit}"


#: The family of a pathway's year block: ``y2030_buses`` (``gridopt.pathway.PREFIX``).
YEAR_FAMILY = re.compile(r"y(\d{4})_(.+)")


@dataclass(frozen=True)
class Violation:
    """A limit the elastic solve could not meet: ``amount`` (> 0, in ``item.unit``) short of a
    lower side (``"short"``) or over an upper side (``"over"``)."""

    item: Item
    amount: float
    side: str

    def __str__(self) -> str:
        return f"{self.item.where()}: {self.side} by {self.amount:,.6g} {self.item.unit} " \
               f"(limit {self.item.sense} {self.item.limit:,.6g})"


@dataclass
class Diagnosis:
    """What :func:`diagnose` found: the status and, when there is no optimum, why."""

    case: str
    status: str
    message: str = ""
    iis: list[Item] = field(default_factory=list)
    elastic: list[Violation] = field(default_factory=list)
    unbounded: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "optimal"

    def lines(self) -> list[str]:
        """The full report, one line each."""
        out = [f"{self.case}: {self.status}" + (f" ({self.message})" if self.message else "")]
        if self.iis:
            out.append(f"these {len(self.iis)} rows and bounds cannot all hold "
                       "(irreducible infeasible subset):")
            out += [f"  {item}" for item in self.iis]
        if self.elastic:
            out.append("the cheapest relaxation leaves these limits unmet:")
            out += [f"  {v}" for v in self.elastic]
        if self.unbounded:
            out.append("these can grow without limit (primal ray):")
            out += [f"  {name}" for name in self.unbounded]
        return out + [f"note: {n}" for n in self.notes]

    def short(self, n: int = 4) -> str:
        """A few lines for ``gridopt run``: the first items of the subset, or the ray."""
        parts = [str(v) for v in self.elastic[:n]] or [str(i) for i in self.iis[:n]]
        parts = parts or self.unbounded[:n]
        more = max(len(self.elastic or self.iis or self.unbounded) - n, 0)
        return "; ".join(parts) + (f"; and {more} more" if more else "")


def diagnose(case: Case, options: Mapping[str, Any] | None = None,
             elastic: bool = True, model: ArrayModel | None = None) -> Diagnosis:
    """Solve ``case`` (or ``model``, the case's model built another way, e.g. a pathway's
    model of all its years) with HiGHS and explain an infeasible or unbounded outcome."""
    m = build_model(case) if model is None else model
    contradictions = contradictory_bounds(m)
    if contradictions:
        return Diagnosis(case.name, "infeasible", "contradictory bounds",
                         iis=[v.item for v in contradictions], elastic=contradictions,
                         notes=["each bound above is below its own lower side (a limit of "
                                "the case contradicts another); fix these first, then "
                                "diagnose again for any further infeasibility"])
    options = {**split_options(case.solver_options)[1], **(options or {})}
    h = to_highs(m, options)
    run_interruptible(h)
    status = solution_of(h, 0.0, 0.0).status
    if status == "infeasible_or_unbounded":  # presolve could not tell: solve without it
        h.setOptionValue("presolve", "off")
        h.clearSolver()
        run_interruptible(h)
        status = solution_of(h, 0.0, 0.0).status
    report = Diagnosis(case.name, status, h.modelStatusToString(h.getModelStatus()))
    if status == "infeasible":
        report.iis = irreducible_subset(h, m)
        if elastic:
            report.elastic = relax(m, options)
    elif status == "unbounded":
        report.unbounded = unbounded_elements(h, m)
    return with_target_units(report, m, case)


def with_target_units(report: Diagnosis, m: ArrayModel, case: Case) -> Diagnosis:
    """Rows of enforced targets in their model unit (t CO2, MW, GJ or the fuel's unit, MWh, tce),
    which their block name cannot tell."""
    if "targets.lower" not in m.con_blocks and "targets.upper" not in m.con_blocks:
        return report
    units = {name: t.model_unit for name, t in built_targets(m, case).items()}

    def fix(item: Item) -> Item:
        if item.family != "targets" or item.element not in units:
            return item
        return replace(item, unit=units[item.element])

    report.iis = [fix(i) for i in report.iis]
    report.elastic = [replace(v, item=fix(v.item)) for v in report.elastic]
    return report


# -- names ---------------------------------------------------------------------------------------
class Locator:
    """Maps a global row or column position to its block and labels (bisect on block starts)."""

    def __init__(self, blocks: Mapping[str, Block]) -> None:
        self.blocks = sorted((b for b in blocks.values() if b.size), key=lambda b: b.start)
        self.starts = [b.start for b in self.blocks]

    def __call__(self, pos: int) -> tuple[Block, tuple]:
        block = self.blocks[bisect.bisect_right(self.starts, pos) - 1]
        local = np.unravel_index(pos - block.start, block.shape) if block.coords else ()
        return block, tuple(c[i] for c, i in zip(block.coords, local, strict=True))


def unit_of(block: Block) -> str:
    """MWh for stored energy and energy budgets, units for unit commitment's counts, MW for
    everything else."""
    if block.name in UNIT_COUNTS:
        return "units"
    return "MWh" if any(w in block.quantity for w in ENERGY_WORDS) else "MW"


def item_of(block: Block, labels: tuple, kind: str, lo: float, hi: float,
            side: str | None = None) -> Item:
    """The :class:`Item` of one row or column with bounds [lo, hi]; ``side`` (``"lower"`` or
    ``"upper"``) picks the binding side, else equality, or the finite one."""
    times = [v for v in labels if isinstance(v, pd.Timestamp)]
    element = ",".join(str(v) for v in labels if not isinstance(v, pd.Timestamp))
    if lo == hi and side is None:
        sense, limit = "=", lo
    elif side == "upper" or (side is None and np.isfinite(hi)):
        sense, limit = "≤", hi
    else:
        sense, limit = "≥", lo
    return Item(block.family, block.quantity, element, times[0] if times else None, kind,
                sense, float(limit), unit_of(block))


def contradictory_bounds(m: ArrayModel) -> list[Violation]:
    """Columns and rows whose lower side exceeds their upper side (e.g. a maximum capacity
    below the existing one): each is infeasible alone, by lower − upper."""
    out = []
    for locate, kind, lo, hi in ((Locator(m.var_blocks), "bound", m.lower, m.upper),
                                 (Locator(m.con_blocks), "row", m.row_lower, m.row_upper)):
        for i in np.flatnonzero(lo > hi + TOLERANCE):
            out.append(Violation(item_of(*locate(int(i)), kind, lo[i], hi[i], "upper"),
                                 float(lo[i] - hi[i]), "over"))
    return out


def irreducible_subset(h: highspy.Highs, m: ArrayModel) -> list[Item]:
    """HiGHS's IIS of the (infeasible) model in ``h``, rows first, each named; only the
    bounds that take part (lower, upper or both) are listed."""
    h.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyIrreducible))
    status, iis = h.getIis()
    if status == highspy.HighsStatus.kError or not iis.valid_:
        log.warning("HiGHS found no irreducible infeasible subset")
        return []
    sides = {2: "lower", 3: "upper"}  # IisBoundStatus: kIisBoundStatusLower / Upper
    rows, cols = Locator(m.con_blocks), Locator(m.var_blocks)
    r_lo, r_hi, c_lo, c_hi = m.row_lower, m.row_upper, m.lower, m.upper
    out = []
    for i, bound in zip(iis.row_index_, iis.row_bound_, strict=True):
        side = None if r_lo[i] == r_hi[i] else sides.get(int(bound))
        out.append(item_of(*rows(i), "row", r_lo[i], r_hi[i], side))
    for j, bound in zip(iis.col_index_, iis.col_bound_, strict=True):
        if int(bound) == 4:  # boxed: both bounds take part
            out += [item_of(*cols(j), "bound", c_lo[j], c_hi[j], s) for s in sides.values()]
        elif int(bound) in sides:
            out.append(item_of(*cols(j), "bound", c_lo[j], c_hi[j], sides[int(bound)]))
    return out


# -- elastic ---------------------------------------------------------------------------------------
def relax(m: ArrayModel, options: Mapping[str, Any] | None = None) -> list[Violation]:
    """The limits that the cheapest relaxation violates (requirements at penalty 1, every other
    row and bound at :data:`LIMIT_PENALTY`), largest first."""
    h = to_highs(m, dict(options or {}))
    row_penalty = np.full(m.n_rows, LIMIT_PENALTY)
    for name in REQUIREMENTS:
        block = m.con_blocks.get(name)
        if block is not None:
            row_penalty[block.start:block.start + block.size] = 1.0
    col_penalty = np.full(m.n_cols, LIMIT_PENALTY)
    h.feasibilityRelaxation(LIMIT_PENALTY, LIMIT_PENALTY, LIMIT_PENALTY, col_penalty,
                            col_penalty, row_penalty)
    sol = h.getSolution()
    out = _violations(Locator(m.con_blocks), "row", np.asarray(sol.row_value), m.row_lower,
                      m.row_upper)
    out += _violations(Locator(m.var_blocks), "bound", np.asarray(sol.col_value), m.lower,
                       m.upper)
    return sorted(out, key=lambda v: -v.amount)


def _violations(locate: Locator, kind: str, value: np.ndarray, lo: np.ndarray,
                hi: np.ndarray) -> list[Violation]:
    if value.size != lo.size:  # no relaxed solution
        return []
    short, over = lo - value, value - hi
    out = []
    for i in np.flatnonzero(short > TOLERANCE * np.maximum(1.0, np.abs(lo))):
        out.append(Violation(item_of(*locate(int(i)), kind, lo[i], hi[i], "lower"),
                             float(short[i]), "short"))
    for i in np.flatnonzero(over > TOLERANCE * np.maximum(1.0, np.abs(hi))):
        out.append(Violation(item_of(*locate(int(i)), kind, lo[i], hi[i], "upper"),
                             float(over[i]), "over"))
    return out


# -- unbounded -------------------------------------------------------------------------------------
def unbounded_elements(h: highspy.Highs, m: ArrayModel) -> list[str]:
    """The variables (family, element, quantity) that move along HiGHS's primal ray."""
    status, has_ray, ray = h.getPrimalRay()
    if status == highspy.HighsStatus.kError or not has_ray:
        return []
    locate, seen = Locator(m.var_blocks), {}
    for j in np.flatnonzero(np.abs(np.asarray(ray)) > TOLERANCE):
        block, labels = locate(int(j))
        item = item_of(block, labels, "row", 0.0, 0.0)
        seen.setdefault(item.where().split(" at ")[0], None)
    return list(seen)
