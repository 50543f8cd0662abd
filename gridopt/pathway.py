"""Several planning years in one model: what to build when, and what retires.

See ``models/pathway.md``. A case with ``case.yaml: pathway: years: [y₁, …, y_n]`` is solved as
one LP (or MIP) made of one *year model* per modelled year y, each the case's own model
(:func:`gridopt.model.build.build_model`) of the **year case** (:func:`year_case`): the case
with its snapshots moved to year y, its load scaled by ``load_scale[y]``, and its existing
capacity counted only while in service (``build_year`` ≤ y < ``retire_year``). Every family,
target and option works in each year as in a single-year case; the pathway adds:

- **vintages** b_{e,v} ≥ 0 (``pathway.<family>_<quantity>_built``): capacity of element e built
  in modelled year v, for every extendable capacity block ``<family>.p_new`` /
  ``<family>.e_new`` (generators, storage, lines, links, stores);
- ``pathway.<family>_<quantity>_vintages[e, y]``: x^new_{e,y} − Σ_{v ≤ y < v + L_e} b_{e,v} = 0,
  the new capacity in service in year y is what was built in a modelled year v ≤ y and has not
  reached its lifetime L_e (``lifetime_yr``) by y;
- build-rate limits as bounds: b_{e,v} ≤ R_e · Δ_v (R_e: ``build_rate_max_mw_per_yr``; Δ_v the
  years since the modelled year before v, for the first year the years it stands for);
- whole units: b_{e,v} = S_e k_{e,v} with k_{e,v} ∈ {0, 1, …} for generators with
  ``unit_size_mw`` (rows ``pathway.generators_p_new_units``);
- the objective Σ_y W_y · (the year model's annual cost, its capital cost left out)
  + Σ_{e,v} C_{e,v} Σ_{y ∈ Y: v ≤ y < v + L_e} W_y · b_{e,v}, with
  W_y = Σ_{k=0}^{n_y−1} (1 + r)^{−(y + k − y₀)} the discounted years y stands for
  (n_y: the gap to the next modelled year; for the last ``final_span_yr``), y₀ the base year,
  and C_{e,v} the annualised capital cost CRF_e · capex_e of year v's case.

End of horizon: an asset pays its annuity CRF · capex in each year of the horizon it is in
service (PyPSA's multi-investment convention); annuities after the horizon are not counted,
which is the same as crediting the asset's remaining value at the end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridopt.case.build import derive_generator_columns
from gridopt.case.case import Case
from gridopt.case.service import existing_in_year
from gridopt.model.arrays import ArrayModel, Block, CostTerm
from gridopt.model.build import build_model
from gridopt.model.highs_backend import Solution
from gridopt.results.results import Results
from gridopt.solve import as_case, run_model, solver_setup

log = logging.getLogger(__name__)

#: Capacity blocks that are built in vintages: ``<family>.<quantity>``.
VINTAGED = ("p_new", "e_new")
PREFIX = "y{year}_"


@dataclass(frozen=True)
class Pathway:
    """The modelled years y, the years n_y each stands for, the base year y₀ and the rate r."""

    years: tuple[int, ...]
    spans: tuple[int, ...]
    base_year: int
    rate: float
    load_scale: dict[int, float] = field(default_factory=dict)

    @property
    def weights(self) -> np.ndarray:
        """W_y = Σ_{k=0}^{n_y−1} (1 + r)^{−(y + k − y₀)}: the discounted years y stands for."""
        return np.array([sum((1.0 + self.rate) ** -(y + k - self.base_year) for k in range(n))
                         for y, n in zip(self.years, self.spans, strict=True)])

    @property
    def build_spans(self) -> np.ndarray:
        """Δ_v: years since the modelled year before v (the first: the years it stands for)."""
        years = np.asarray(self.years)
        return np.concatenate([[self.spans[0]], np.diff(years)]).astype(float)


def pathway_of(case: Case) -> Pathway | None:
    """The case's ``pathway`` settings (checked when the case was read), or ``None``."""
    cfg = case.config.get("pathway")
    if not cfg:
        return None
    years = tuple(int(y) for y in cfg["years"])
    gaps = list(np.diff(years).astype(int))
    final = cfg.get("final_span_yr") or (gaps[-1] if gaps else 1)
    scale = {int(k): float(v) for k, v in (cfg.get("load_scale") or {}).items()}
    return Pathway(years, (*map(int, gaps), int(final)), int(cfg.get("base_year") or years[0]),
                   case.discount_rate, scale)


def changed_tables(case: Case, year: int) -> dict[str, pd.DataFrame]:
    """The case's tables with ``pathway_changes.csv`` applied for ``year``: every row of a
    year ≤ ``year`` sets its cell, rows of later years over earlier ones (a value holds from
    its year on); generators' marginal cost and emissions are derived again from the fuels."""
    tables = dict(case.tables)
    changes = case.table("pathway_changes")
    if changes.empty:
        return tables
    due = changes[changes["year"].to_numpy(float) <= year]
    due = due.iloc[np.argsort(due["year"].to_numpy(float), kind="stable")]
    for table in due["table"].unique():
        frame = tables[table].copy()
        for name, row in due[due["table"] == table].iterrows():
            frame.loc[name, row["column"]] = float(row["value"])
        tables[table] = frame
    if {"generators", "fuels"} & set(due["table"]):
        gens = tables["generators"].copy()
        gens["co2_t_per_mwh"] = _stated_co2(case, gens)
        tables["generators"] = derive_generator_columns(gens, tables["fuels"])
    return tables


def _stated_co2(case: Case, gens: pd.DataFrame) -> np.ndarray:
    """co2_t_per_mwh as the case states it: blank (NaN: from the fuel) where it was derived
    from the fuel, so that a fuel's new emission factor is taken up."""
    fuel = gens["fuel"].to_numpy(dtype=object)
    fuels = case.table("fuels")
    derived = np.array([f != "" and f in fuels.index for f in fuel])
    if not derived.any():
        return gens["co2_t_per_mwh"].to_numpy(float)
    own = gens["co2_t_per_mwh"].to_numpy(float).copy()
    from_fuel = np.zeros(len(gens))
    hr = gens["heat_rate_gj_per_mwh"].to_numpy(float)
    from_fuel[derived] = fuels.loc[fuel[derived], "co2_t_per_gj"].to_numpy(float) * hr[derived]
    own[derived & np.isclose(own, from_fuel, rtol=1e-12, atol=0.0)] = np.nan
    return own


def year_case(case: Case, year: int, load_scale: float = 1.0) -> Case:
    """The case of one modelled year: snapshots moved to ``year`` (same calendar position,
    same length), ``pathway_changes.csv`` applied, load × ``load_scale``, existing capacity
    only while in service; the ``pathway`` key is left out of its configuration (it is a
    single-year case)."""
    start = case.snapshots[0]
    try:
        moved = start.replace(year=year)
    except ValueError:  # 29 February in a year without it
        moved = start.replace(year=year, day=28)
    shift = moved - start
    snapshots = case.snapshots + shift
    series = {}
    for key, frame in case.series.items():
        frame = frame.copy()
        frame.index = snapshots
        if key == "load_mw" and load_scale != 1.0:
            frame = frame * load_scale
        series[key] = frame
    config = {k: v for k, v in case.config.items() if k != "pathway"}
    periods = case.periods
    if periods is not None:
        periods = replace(periods, starts=periods.starts + shift)
    return case.replace(name=f"{case.name} {year}", snapshots=snapshots, series=series,
                        tables=existing_in_year(changed_tables(case, year), year), config=config,
                        periods=periods)


def year_cases(case: Case, pathway: Pathway,
               prepare: Callable[[Case], Case] | None = None) -> dict[int, Case]:
    """The case of every modelled year, each passed through ``prepare`` (e.g. aggregation to
    representative periods) when given."""
    check_pathway_case(case)
    out = {}
    for year in pathway.years:
        c = year_case(case, year, pathway.load_scale.get(year, 1.0))
        out[year] = prepare(c) if prepare is not None else c
    return out


def check_pathway_case(case: Case) -> None:
    """Refuse what a pathway does not model: the flexibility retrofit (a decision that would
    be taken again, independently, every year)."""
    gens = case.table("generators")
    if not gens.empty and "retrofit_p_min_pu" in gens and gens["retrofit_p_min_pu"].notna().any():
        names = ", ".join(map(str, gens.index[gens["retrofit_p_min_pu"].notna()][:5]))
        raise ValueError(f"generators.csv: the flexibility retrofit (column 'retrofit_p_min_pu',"
                         f" {names}) is not modelled over several planning years; leave it "
                         "blank in a pathway case (models/pathway.md)")


# -- the merged model ------------------------------------------------------------------------

@dataclass(frozen=True)
class YearPart:
    """Where one year model sits in the merged model: its columns and rows."""

    year: int
    model: ArrayModel
    col0: int
    row0: int
    weight: float

    @property
    def cols(self) -> slice:
        return slice(self.col0, self.col0 + self.model.n_cols)

    @property
    def rows(self) -> slice:
        return slice(self.row0, self.row0 + self.model.n_rows)


@dataclass(frozen=True)
class Vintages:
    """The vintage block of one capacity block: b_{e,v} for elements e and modelled years v,
    which vintage is in service in which year (``active[e, v, y]``) and the annuity
    C_{e,v} of each vintage (from year v's case)."""

    capacity: str  # e.g. "generators.p_new"
    built: str  # e.g. "pathway.generators_p_new_built"
    elements: pd.Index
    lifetime: np.ndarray
    active: np.ndarray
    annuity: np.ndarray

    def annuities_in(self, j: int, b: np.ndarray) -> np.ndarray:
        """Σ_{v in service in year j} C_{e,v} b_{e,v}: each element's capital cost in year j."""
        return (self.active[:, :, j] * self.annuity * b).sum(axis=1)


def merge_years(parts: list[tuple[int, ArrayModel]], pathway: Pathway,
                cases: dict[int, Case]) -> tuple[ArrayModel, list[YearPart], list[Vintages]]:
    """One model of every year's model: blocks renamed ``y<year>_<family>.<quantity>``, costs
    × W_y (capital costs of vintaged blocks left out), then the vintages and their rows."""
    snapshots = pd.DatetimeIndex(np.concatenate([m.snapshots.to_numpy() for _, m in parts]))
    merged = ArrayModel(snapshots)
    placed = []
    weights = dict(zip(pathway.years, pathway.weights, strict=True))
    for year, m in parts:
        placed.append(YearPart(year, m, merged.n_cols, merged.n_rows, float(weights[year])))
        _append(merged, m, year, float(weights[year]))
    vintages = _add_vintages(merged, placed, pathway, cases)
    return merged, placed, vintages


def _vintaged_blocks(m: ArrayModel, case: Case) -> list[str]:
    """The capacity blocks of ``m`` built in vintages: ``<family>.p_new``/``.e_new`` whose
    table has ``lifetime_yr``."""
    return [name for name, b in m.var_blocks.items()
            if b.quantity in VINTAGED and "lifetime_yr" in case.table(b.family)]


def _append(merged: ArrayModel, m: ArrayModel, year: int, weight: float) -> None:
    """Copy ``m`` into ``merged`` at the next columns and rows, costs × ``weight``."""
    col0, row0, pre = merged.n_cols, merged.n_rows, PREFIX.format(year=year)
    skip = np.zeros(m.n_cols, bool)
    for name in merged_vintaged(m):
        b = m.var_blocks[name]
        skip[b.start:b.start + b.size] = True
    for name, b in m.var_blocks.items():
        merged.var_blocks[pre + name] = Block(pre + name, b.start + col0, b.coords)
    for name, b in m.con_blocks.items():
        merged.con_blocks[pre + name] = Block(pre + name, b.start + row0, b.coords)
    merged._lb += m._lb
    merged._ub += m._ub
    merged._int += m._int
    merged._rows += [r + np.int32(row0) for r in m._rows]
    merged._cols += [c + np.int32(col0) for c in m._cols]
    merged._vals += m._vals
    merged._row_lo += m._row_lo
    merged._row_hi += m._row_hi
    for t in m.cost_terms:
        keep = ~skip[t.cols] if t.kind == "capital" else np.ones(t.cols.size, bool)
        merged.cost_terms.append(CostTerm(pre + t.family, t.kind, t.cols[keep] + col0,
                                          t.coefs[keep] * weight, t.codes[keep], t.names))
    merged.constant_costs += [(pre + f, k, e, v * weight) for f, k, e, v in m.constant_costs]
    merged.n_cols += m.n_cols
    merged.n_rows += m.n_rows


def merged_vintaged(m: ArrayModel) -> set[str]:
    """Names of ``m``'s vintaged blocks (recorded on the model by :func:`build_years`)."""
    return set(m.states.get(_VintagedNames, _VintagedNames()).names)


@dataclass
class _VintagedNames:
    names: list[str] = field(default_factory=list)


def _capital(m: ArrayModel, block: Block) -> np.ndarray:
    """The capital cost coefficient of each entry of ``block`` in ``m`` (CRF · capex)."""
    out = np.zeros(block.size)
    for t in m.cost_terms:
        if t.kind != "capital":
            continue
        inside = (t.cols >= block.start) & (t.cols < block.start + block.size)
        np.add.at(out, t.cols[inside] - block.start, t.coefs[inside])
    return out


def _add_vintages(merged: ArrayModel, placed: list[YearPart], pathway: Pathway,
                  cases: dict[int, Case]) -> list[Vintages]:
    out = []
    years = pd.Index(pathway.years, name="year")
    y = np.asarray(pathway.years, float)
    for name in sorted(set().union(*(merged_vintaged(p.model) for p in placed))):
        family, quantity = name.split(".", 1)
        elements = placed[0].model.var_blocks[name].coords[0]
        table = cases[placed[0].year].table(family).loc[elements]
        life = table["lifetime_yr"].to_numpy(float)
        # active[e, v, y]: vintage v of e is in service in year y (v ≤ y < v + L_e)
        active = (y[None, :, None] <= y[None, None, :]) & \
                 (y[None, None, :] < y[None, :, None] + life[:, None, None])
        annuity = np.column_stack([_capital(p.model, p.model.var_blocks[name]) for p in placed])
        v = Vintages(name, f"pathway.{family}_{quantity}_built", elements, life, active, annuity)
        _add_vintage_block(merged, v, placed, pathway, table, years)
        out.append(v)
    return out


def _add_vintage_block(merged: ArrayModel, v: Vintages, placed: list[YearPart],
                       pathway: Pathway, table: pd.DataFrame, years: pd.Index) -> None:
    """b_{e,v} with its build-rate bound, the rows tying it to each year's x^new and its cost
    C_{e,v} Σ_{y: v in service} W_y."""
    rate = (table["build_rate_max_mw_per_yr"].to_numpy(float)
            if "build_rate_max_mw_per_yr" in table and v.capacity.endswith("p_new")
            else np.full(len(table), np.inf))
    upper = rate[:, None] * pathway.build_spans[None, :]
    b = merged.add_variables(v.built, (v.elements, years), 0.0, upper).index()
    entries = []
    n_e = len(v.elements)
    for j, part in enumerate(placed):
        block = part.model.var_blocks[v.capacity]
        col = np.arange(block.size, dtype=np.int32) + part.col0 + block.start
        local = np.arange(n_e) * len(placed) + j
        entries.append((local, col, 1.0))
        for k in range(len(placed)):
            on = v.active[:, k, j]
            entries.append((local[on], b[on, k], -1.0))
    merged.add_rows(f"pathway.{v.built.split('.', 1)[1].removesuffix('_built')}_vintages",
                    (v.elements, years), entries, "==", 0.0)
    w = np.array([p.weight for p in placed])
    cost = v.annuity * (v.active * w[None, None, :]).sum(axis=2)
    names = v.elements.to_numpy(dtype=object)[:, None]
    merged.add_cost("pathway", "capital", b, cost, names)
    _add_whole_units(merged, v, table, b, years)


def _add_whole_units(merged: ArrayModel, v: Vintages, table: pd.DataFrame, b: np.ndarray,
                     years: pd.Index) -> None:
    """b_{e,v} = S_e k_{e,v}, k integer, for generators built in whole units of S_e MW."""
    if v.capacity != "generators.p_new" or "unit_size_mw" not in table:
        return
    size = table["unit_size_mw"].to_numpy(float)
    whole = ~np.isnan(size)
    if not whole.any():
        return
    k = merged.add_variables("pathway.generators_p_new_units", (v.elements[whole], years), 0.0,
                             np.inf, integer=True).index()
    merged.add_constraints("pathway.generators_p_new_unit_rows", (v.elements[whole], years),
                           [(b[whole], 1.0), (k, -size[whole][:, None])], "==", 0.0)


# -- solve and results ---------------------------------------------------------------------

def build_years(cases: dict[int, Case]) -> list[tuple[int, ArrayModel]]:
    """Each year's model, with the names of its vintaged blocks recorded on it."""
    out = []
    for year, c in cases.items():
        m = build_model(c)
        m.state(_VintagedNames).names = _vintaged_blocks(m, c)
        out.append((year, m))
    return out


def pathway_model(case: Case, prepare: Callable[[Case], Case] | None = None) -> ArrayModel:
    """The one model of every modelled year of ``case`` (for export to MPS/LP)."""
    pathway = pathway_of(case)
    if pathway is None:
        raise ValueError(f"{case.name}: case.yaml has no 'pathway' (the years to model)")
    cases = year_cases(case, pathway, prepare)
    return merge_years(build_years(cases), pathway, cases)[0]


def export_pathway(case: Case, path: str | Path) -> Path:
    """Write the pathway's model to ``path`` as MPS or LP (by suffix)."""
    from gridopt.model.highs_backend import write_model

    return write_model(pathway_model(case), path)


def solve_pathway(case: Case | str | Path | None = None, backend: str = "highs",
                  pyomo_solver: str = "appsi_highs",
                  prepare: Callable[[Case], Case] | None = None,
                  solver_log: str | Path | None = None,
                  **solver_options: Any) -> PathwayResults:
    """Build every modelled year of ``case``, link their investments and solve them as one
    model; ``prepare`` is applied to each year case (e.g. ``first_hours`` or aggregation)."""
    case = as_case(case)
    pathway = pathway_of(case)
    if pathway is None:
        raise ValueError(f"{case.name}: case.yaml has no 'pathway' (the years to model)")
    cases = year_cases(case, pathway, prepare)
    setup = solver_setup(case, backend, pyomo_solver, solver_log, solver_options, cases)
    t0 = time.perf_counter()
    merged, placed, vintages = merge_years(build_years(cases), pathway, cases)
    if setup.relax:
        merged.relax_integrality()
    built = time.perf_counter() - t0
    solution = run_model(merged, setup)
    solution.build_seconds += built
    log.info("%s: %s in %.2f s build + %.2f s solve", case.name, solution.status,
             solution.build_seconds, solution.solve_seconds)
    return PathwayResults(case, pathway, merged, solution, backend, placed, vintages, cases)


def _capital_by_element(m: ArrayModel, capacity: str, x: np.ndarray) -> pd.Series:
    """The capital cost terms of ``m`` on block ``capacity`` at ``x``, by element."""
    block = m.var_blocks[capacity]
    value = _capital(m, block) * x[block.index()]
    return pd.Series(value, index=block.coords[0])


def _year_solution(part: YearPart, solution: Solution) -> Solution:
    """The solution of one year: its columns, its duals / W_y, its annual cost."""
    x = None if solution.x is None else solution.x[part.cols]
    dual = None if solution.row_dual is None else solution.row_dual[part.rows] / part.weight
    objective = None
    if x is not None:
        objective = float(part.model.cost_vector() @ x + part.model.offset)
    return Solution(solution.status, objective, x, dual, solution.solver,
                    message=solution.message, mip=solution.mip)


@dataclass
class PathwayResults:
    """The outcome of :func:`solve_pathway`: the merged solve and one :class:`Results` per
    modelled year (annual, undiscounted quantities of that year; prices per MWh)."""

    case: Case
    pathway: Pathway
    model: ArrayModel
    solution: Solution
    backend: str
    parts: list[YearPart]
    vintages: list[Vintages]
    cases: dict[int, Case]

    @property
    def status(self) -> str:
        return self.solution.status

    @property
    def ok(self) -> bool:
        return self.solution.ok

    @property
    def objective(self) -> float | None:
        """Σ_y W_y · annual cost_y + discounted capital of the vintages, discounted to y₀."""
        return self.solution.objective

    @cached_property
    def years(self) -> dict[int, Results]:
        """Each modelled year's results (annual cost, dispatch, prices, targets of that year).

        A year's capital cost is the annuities of the vintages in service that year, each at
        the capex of its build year (``costs``, kind ``capital``), and its objective the sum of
        its costs table: the annual cost of that year."""
        out = {}
        for j, p in enumerate(self.parts):
            res = Results(self.cases[p.year], p.model, _year_solution(p, self.solution),
                          self.backend)
            if res.solution.x is not None:
                costs = self._year_costs(j, res.costs)
                res.__dict__["costs"] = costs  # replaces the cached property's value
                res.solution.objective = float(costs["total"].sum())
            out[p.year] = res
        return out

    def _year_costs(self, j: int, costs: pd.DataFrame) -> pd.DataFrame:
        """Year j's costs with the capital of vintaged capacity from its vintages."""
        costs = costs.copy()
        x = self.solution.x
        for v in self.vintages:
            family = v.capacity.split(".", 1)[0]
            b = x[self.model.var_blocks[v.built].index()]
            paid = pd.Series(v.annuities_in(j, b), index=v.elements)
            own = _capital_by_element(self.parts[j].model, v.capacity, x[self.parts[j].cols])
            change = (paid - own.reindex(paid.index, fill_value=0.0))
            change = change[change.abs() > 0]
            if change.empty:
                continue
            if "capital" not in costs:
                costs.insert(0, "capital", 0.0)
            for name, delta in change.items():
                key = (family, name)
                if key not in costs.index:
                    costs.loc[key, :] = 0.0
                costs.loc[key, "capital"] += delta
        costs["total"] = costs.drop(columns="total").sum(axis=1)
        return costs

    @cached_property
    def built(self) -> pd.DataFrame:
        """b_{e,v}: capacity built in each modelled year, MW (MWh for ``e_new``), one row per
        (component, quantity, name)."""
        x = self.solution.x
        if x is None:
            raise RuntimeError(f"no solution to read: the solve ended '{self.status}'")
        frames = []
        for v in self.vintages:
            block = self.model.var_blocks[v.built]
            values = x[block.index()]
            family, quantity = v.capacity.split(".", 1)
            index = pd.MultiIndex.from_product([[family], [quantity], v.elements],
                                               names=["component", "quantity", "name"])
            frames.append(pd.DataFrame(values, index=index, columns=block.coords[1]))
        return pd.concat(frames) if frames else pd.DataFrame()

    @cached_property
    def capacities(self) -> pd.DataFrame:
        """The capacity path: each year's capacities table with a ``year`` level."""
        return _stack({y: r.capacities for y, r in self.years.items()})

    def capacity_path(self) -> pd.DataFrame:
        """Total MW by carrier (generators) and storage, carrier × year."""
        rows = {}
        for year, r in self.years.items():
            caps = r.capacities
            col = {}
            if "generators" in caps.index.get_level_values(0):
                gens = caps.loc["generators"]
                carrier = r.case.table("generators")["carrier"].reindex(gens.index)
                col.update(gens["total_mw"].groupby(carrier).sum().to_dict())
            if "storage" in caps.index.get_level_values(0):
                col["storage (MW)"] = float(caps.loc["storage"]["total_mw"].sum())
            rows[year] = col
        return pd.DataFrame(rows).fillna(0.0).rename_axis("carrier")

    @cached_property
    def targets(self) -> pd.DataFrame:
        """Each year's target verdicts, each target judged in its own year; a target of a year
        that is not modelled appears once, as not modelled."""
        frames = []
        for year, r in self.years.items():
            if not r.has_targets:
                continue
            v = r.targets
            frames.append(v[v["year"].astype(int) == year])
        if not frames:
            return pd.DataFrame()
        first = next(iter(self.years.values()))
        if first.has_targets:
            v = first.targets
            v = v[~v["year"].astype(int).isin(self.pathway.years)].copy()
            years = ", ".join(map(str, self.pathway.years))
            v.loc[v["verdict"].astype(str).str.startswith("not modelled"), "verdict"] = \
                f"not modelled (the pathway models {years})"
            frames.append(v)
        out = pd.concat(frames)
        again = out.index.duplicated(keep=False)  # T1-peak-response: one row a year
        out.index = [f"{n}-{int(y)}" if d else n
                     for n, y, d in zip(out.index, out["year"], again, strict=True)]
        out.index.name = "name"
        return out

    @property
    def has_targets(self) -> bool:
        return any(r.has_targets for r in self.years.values())

    def weights_table(self) -> pd.DataFrame:
        """Each modelled year: the years it stands for n_y, its weight W_y and annual cost."""
        return pd.DataFrame({
            "years_represented": self.pathway.spans,
            "build_span_yr": self.pathway.build_spans,
            "discounted_weight": self.pathway.weights,
            "annual_cost": [r.objective for r in self.years.values()]},
            index=pd.Index(self.pathway.years, name="year"))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every year's tables with a ``year`` level, plus ``built``, ``capacity_path`` and
        ``pathway`` (weights and annual costs)."""
        per_year = {y: r.tables() for y, r in self.years.items()}
        names = list(dict.fromkeys(n for t in per_year.values() for n in t))
        out = {}
        for name in names:
            if name == "targets":
                continue
            out[name] = _stack({y: t[name] for y, t in per_year.items() if name in t})
        if self.has_targets:
            out["targets"] = self.targets
        if self.vintages:
            out["built"] = self.built
        out["capacity_path"] = self.capacity_path()
        out["pathway"] = self.weights_table()
        return out

    def summary(self) -> dict[str, Any]:
        """The pathway's status and discounted objective, and each year's summary."""
        first = next(iter(self.years.values())).summary()
        keep = ("case_sha256", "gridopt_version", "solver", "backend", "currency")
        sol = self.solution
        out = {"case": self.case.name, "status": sol.status, "objective": sol.objective,
               "objective_basis": f"discounted to 1 January {self.pathway.base_year} at "
                                  f"{self.pathway.rate:.4g} a year",
               **{k: first[k] for k in keep if k in first},
               "build_seconds": round(sol.build_seconds, 4),
               "solve_seconds": round(sol.solve_seconds, 4),
               "n_variables": self.model.n_cols, "n_constraints": self.model.n_rows,
               "years": {str(y): _year_summary(r.summary()) for y, r in self.years.items()},
               "weights": dict(zip(map(str, self.pathway.years),
                                   map(float, self.pathway.weights), strict=True))}
        return out


def _year_summary(s: dict[str, Any]) -> dict[str, Any]:
    drop = ("case_sha256", "gridopt_version", "solver", "backend", "currency", "build_seconds",
            "solve_seconds", "n_variables", "n_constraints")
    out = {k: v for k, v in s.items() if k not in drop}
    out["annual_cost"] = out.pop("objective")
    return out


def _stack(frames: dict[int, pd.DataFrame | pd.Series]) -> pd.DataFrame:
    """Frames of each year, one after the other, with a first index level ``year``."""
    parts = {y: f.to_frame() if isinstance(f, pd.Series) else f for y, f in frames.items()}
    return pd.concat(parts, names=["year"])


def write_pathway(results: PathwayResults, out: str | Path, *, protect: Any = ()) -> Path:
    """Write every table (with its year level) and ``summary.json`` into ``out``."""
    from gridopt.results.write import write_folder

    summary = results.summary()
    return write_folder(out, results.tables(), {"summary.json": summary}, protect=protect,
                        note={"case_sha256": summary.get("case_sha256")})
