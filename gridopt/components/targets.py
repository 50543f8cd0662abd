"""Policy targets of a plan, in its own terms: capacity, CO2, fuel use and shares.
See ``models/targets.md``.

Each target k of the modelled year compares an annual quantity with a bound B_k (converted
from the target's unit to the model's: MW, t CO2, GJ or the fuel's own unit, MWh):

- ``capacity_min`` / ``capacity_max``: Σ_{g ∈ C_k} (P̄_g + p^new_g) ≥ / ≤ B_k   (MW)
- ``co2_max``: Σ_g Σ_t w_t e_g p_{g,t} + Σ_i Σ_t w_t e_i q_{i,t} + O_k ≤ B_k   (t)
- ``co2_intensity_max``: the same emissions ≤ B_k · Y_k, with Y_k the demand energy Σ_t w_t D_t
  (t/MWh) or the GDP given in the row (t per unit of GDP)
- ``fuel_max``: Σ_{g burns f} Σ_t w_t φ_g p_{g,t} (+ self-owned plants) + O_k ≤ B_k, in the
  fuel's unit (t of raw coal, 1000 m³ of gas) or in heat (GJ, tce at 29.3076 GJ/tce)
- ``share_min`` / ``share_max``: Σ_{g ∈ C_k} Σ_t w_t p_{g,t} ≥ / ≤ B_k Σ_{g ∈ G_k} Σ_t w_t p_{g,t}
  (generation of carriers C_k over that of G_k, all generators when blank)

O_k (``other``) is the part outside the power system (e.g. the city's non-power coal use),
an input. Enforced targets become rows ``targets.lower`` / ``targets.upper``, one per target,
whose duals are the targets' shadow prices; reported ones are only evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridopt.case.case import Case, CaseError, Problem, csv_line
from gridopt.case.cells import closest
from gridopt.case.units import UNITS, convert, dimension, to_base
from gridopt.components.network import system_demand
from gridopt.components.self_owned_plants import plant_table
from gridopt.model.arrays import ArrayModel

FAMILY = "targets"
FILE = "targets.csv"
#: kind → (sense, dimension of the bound's unit). Senses: ">=" for a minimum, "<=" a maximum.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "capacity_min": (">=", ("power",)),
    "capacity_max": ("<=", ("power",)),
    "co2_max": ("<=", ("co2",)),
    "co2_intensity_max": ("<=", ("co2_per_energy", "co2_per_gdp")),
    "fuel_max": ("<=", ("heat", "mass", "volume")),
    "share_min": (">=", ("share",)),
    "share_max": ("<=", ("share",)),
}
#: Kinds whose quantity may include a part outside the power system (``other``).
OTHER_KINDS = ("capacity_min", "capacity_max", "co2_max", "fuel_max")


@dataclass(frozen=True)
class Expr:
    """Σ coefs · x[cols] + const, an annual quantity in model units."""

    cols: np.ndarray
    coefs: np.ndarray
    const: float = 0.0

    def value(self, x: np.ndarray) -> float:
        return float(self.const + np.dot(self.coefs, x[self.cols])) if self.cols.size \
            else float(self.const)

    def __add__(self, other: Expr) -> Expr:
        return Expr(np.r_[self.cols, other.cols].astype(np.int64),
                    np.r_[self.coefs, other.coefs], self.const + other.const)

    def scaled(self, factor: float) -> Expr:
        return Expr(self.cols, self.coefs * factor, self.const * factor)


ZERO = Expr(np.zeros(0, np.int64), np.zeros(0))


def constant(value: float) -> Expr:
    """An expression without variables."""
    return Expr(ZERO.cols, ZERO.coefs, float(value))


@dataclass(frozen=True)
class Target:
    """One target in model units: ratio num / den compared with ``bound`` (``sense``)."""

    name: str
    sense: str
    bound: float
    num: Expr
    den: Expr
    model_unit: str
    factor: float  # one unit of the target's unit in model units

    def achieved(self, x: np.ndarray) -> float:
        """num(x) / den(x) in model units (den = 1 for absolute targets)."""
        den = self.den.value(x)
        return self.num.value(x) / den if den else float("nan")


def modelled_year(case: Case) -> int:
    """The calendar year the case's snapshots start in."""
    return int(case.snapshots[0].year)


def targets_of_year(case: Case) -> pd.DataFrame:
    """The rows of ``targets.csv`` for the modelled year."""
    table = case.table(FAMILY)
    if table.empty:
        return table
    return table[table["year"].astype(float) == modelled_year(case)]


def add_targets(m: ArrayModel, case: Case) -> None:
    """Add ``targets.lower`` / ``targets.upper``: one row num − B · den (≥ / ≤) 0 per
    enforced target of the modelled year."""
    rows = [t for name, t in built_targets(m, case).items()
            if _enforced(case.table(FAMILY), name)]
    for sense, block in ((">=", "lower"), ("<=", "upper")):
        mine = [t for t in rows if t.sense == sense]
        if not mine:
            continue
        entries, rhs = [], []
        for k, t in enumerate(mine):
            diff = t.num + t.den.scaled(-t.bound)
            entries.append((np.full(diff.cols.size, k), diff.cols, diff.coefs))
            rhs.append(-diff.const)
        names = pd.Index([t.name for t in mine], name="name")
        m.add_rows(f"{FAMILY}.{block}", (names,), entries, sense, np.array(rhs))


def _enforced(table: pd.DataFrame, name: str) -> bool:
    return bool(table.loc[name, "enforce"])


def built_targets(m: ArrayModel, case: Case, every_year: bool = False) -> dict[str, Target]:
    """Every target of the modelled year (or of every year) as a :class:`Target` on ``m``'s
    variables.

    Raises
    ------
    CaseError
        Naming the row, column and rule of every target that cannot be read (unknown kind, a
        unit of the wrong dimension, a fuel without that unit, a share without carriers, …).
    """
    cache = m.state(_Built)
    if not every_year and cache.targets is not None:
        return cache.targets  # built once per model: by add_targets, then read by verdicts
    table = case.table(FAMILY) if every_year else targets_of_year(case)
    out, problems = {}, []
    for name, row in table.iterrows():
        try:
            out[name] = _target(m, case, name, row)
        except _RowError as bad:
            line = csv_line(case.table(FAMILY), case.table(FAMILY).index.get_loc(name))
            problems.append(Problem(FILE, line, bad.column, bad.rule, f"target '{name}': {bad}"))
    if problems:
        raise CaseError(problems)
    if not every_year:
        cache.targets = out
    return out


@dataclass
class _Built:
    """The targets of the modelled year on one model (kept by :meth:`ArrayModel.state`)."""

    targets: dict[str, Target] | None = None


def check_targets(case: Case) -> list[Problem]:
    """The problems of every row of ``targets.csv``, found without building the model."""
    if case.table(FAMILY).empty:
        return []
    try:
        built_targets(ArrayModel(case.snapshots), case, every_year=True)
    except CaseError as exc:
        return exc.problems
    return []


class _RowError(ValueError):
    def __init__(self, column: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.column, self.rule = column, rule


def _target(m: ArrayModel, case: Case, name: str, row: pd.Series) -> Target:
    kind = row["kind"]
    if kind not in KINDS:
        raise _RowError("kind", "target-kind", f"unknown kind '{kind}' (one of {', '.join(KINDS)})")
    sense, dims = KINDS[kind]
    unit, dim = row["unit"], dimension(row["unit"])
    if dim not in dims:
        fits = [u for u, (d, _) in UNITS.items() if d in dims]
        lowered = {u.lower(): u for u in fits}
        close = closest(str(unit).lower(), lowered, cutoff=0.5)
        hint = f"did you mean '{lowered[close]}'? " if close else ""
        raise _RowError("unit", "target-unit", f"'{unit}' is not a unit for {kind} ({hint}"
                        f"units of {' or '.join(dims)}: {', '.join(fits)})")
    num, den, model_unit = _quantity(m, case, row, dim)
    factor = _factor(case, row, dim)
    other = float(row["other"])
    if other and kind not in OTHER_KINDS:
        raise _RowError("other", "target-other", f"'other' adds a quantity outside the power "
                   f"system to {', '.join(OTHER_KINDS)} targets only, not to {kind}")
    return Target(name, sense, float(row["bound"]) * factor, num + constant(other * factor),
                  den, model_unit, factor)


def _quantity(m: ArrayModel, case: Case, row: pd.Series, dim: str) -> tuple[Expr, Expr, str]:
    """(numerator, denominator, model unit of the numerator) of a target row."""
    one = constant(1.0)
    kind = row["kind"]
    if kind.startswith("capacity"):
        return capacity(m, case, _known(case, row, "carrier", storage=True)), one, "MW"
    if kind == "co2_max":
        return emissions(m, case), one, "t"
    if kind == "co2_intensity_max":
        if dim == "co2_per_gdp":
            gdp = float(row["gdp"])
            if not gdp > 0:
                raise _RowError("gdp", "target-gdp", "a CO2 intensity per unit of GDP needs the "
                           "year's GDP in column 'gdp' (> 0)")
            return emissions(m, case), constant(gdp), "t"
        return emissions(m, case), constant(np.dot(case.weights, system_demand(case))), "t"
    if kind == "fuel_max":
        return fuel_use(m, case, row["fuel"], heat=dim == "heat"), one, \
            "GJ" if dim == "heat" else _fuel_unit(case, row["fuel"])
    carriers = _known(case, row, "carrier")
    if not carriers:
        raise _RowError("carrier", "target-carrier", "a share needs the carriers it counts")
    return generation(m, case, carriers), \
        generation(m, case, _known(case, row, "of_carriers")), "MWh"


def _factor(case: Case, row: pd.Series, dim: str) -> float:
    """Model units per unit of the row's ``unit``."""
    unit = row["unit"]
    if row["kind"] != "fuel_max" or dim == "heat":
        return to_base(unit)
    fuel_unit = _fuel_unit(case, row["fuel"])
    if dimension(fuel_unit) != dim:
        raise _RowError("unit", "target-unit", f"fuel '{row['fuel']}' is counted in '{fuel_unit}' "
                   f"(fuels.csv), which '{unit}' cannot be converted to; give the bound in "
                   f"'{fuel_unit}', GJ or tce")
    return convert(1.0, unit, fuel_unit)


def _fuel_unit(case: Case, fuel: str) -> str:
    fuels = case.table("fuels")
    if fuel not in fuels.index:
        raise _RowError("fuel", "target-fuel", f"fuel '{fuel}' is not in fuels.csv")
    return str(fuels.loc[fuel, "unit"])


def _carriers(text: str) -> list[str]:
    return [c.strip() for c in str(text).split(";") if c.strip()]


def _known(case: Case, row: pd.Series, column: str, storage: bool = False) -> list[str]:
    """The carriers a row names in ``column``, each one a carrier of the case's generators
    (or stores): a misspelt carrier would count nothing and pass or fail silently."""
    names = _carriers(row[column])
    tables = ("generators", "storage") if storage else ("generators",)
    have = sorted({str(c) for t in tables if not case.table(t).empty
                   for c in case.table(t)["carrier"]})
    for name in names:
        if name not in have:
            close = closest(name, have)
            hint = f" (did you mean '{close}'?)" if close else ""
            raise _RowError(column, "target-carrier", f"no {' or '.join(tables)} of carrier "
                            f"'{name}'{hint}; the case has: {', '.join(have) or 'none'}")
    return names


# -- the annual quantities, as expressions on the model's variables ---------------------------
def capacity(m: ArrayModel, case: Case, carriers: list[str]) -> Expr:
    """Σ (P̄ + p^new) of the generators and stores of ``carriers`` (MW)."""
    out = ZERO
    for family in ("generators", "storage"):
        table = case.table(family)
        if table.empty:
            continue
        mine = table["carrier"].isin(carriers).to_numpy()
        out = out + constant(table["p_nom_mw"].to_numpy()[mine].sum())
        block = f"{family}.p_new"
        if block in m.var_blocks:
            names = m.var_blocks[block].coords[0]
            ext = table.loc[names, "carrier"].isin(carriers).to_numpy()
            out = out + Expr(m.var(block)[ext].astype(np.int64), np.ones(int(ext.sum())))
    return out


def _weighted(m: ArrayModel, case: Case, block: str, per_mwh: np.ndarray) -> Expr:
    """Σ_e Σ_t w_t · per_mwh_e · x_{e,t} over a (E × T) dispatch-like block."""
    if block not in m.var_blocks or not per_mwh.size:
        return ZERO
    cols = m.var(block)
    coefs = per_mwh[:, None] * case.weights[None, :]
    keep = coefs != 0
    return Expr(cols[keep].astype(np.int64), coefs[keep])


def _sources(case: Case) -> list[tuple[str, pd.DataFrame]]:
    """(dispatch block, table with co2_t_per_mwh / fuel / fuel_units_per_mwh) per source."""
    out = [("generators.dispatch", case.table("generators"))]
    if not case.table("self_owned_plants").empty:
        out.append(("self_owned_plants.output", plant_table(case)))
    return out


def emissions(m: ArrayModel, case: Case) -> Expr:
    """Annual CO2 of generators and self-owned plants' extra output (t)."""
    out = ZERO
    for block, table in _sources(case):
        if not table.empty:
            out = out + _weighted(m, case, block, table["co2_t_per_mwh"].to_numpy(float))
    return out


def fuel_use(m: ArrayModel, case: Case, fuel: str, heat: bool) -> Expr:
    """Annual use of ``fuel``: in GJ (``heat``) or in the fuel's own unit."""
    out = ZERO
    for block, table in _sources(case):
        if table.empty:
            continue
        burns = (table["fuel"] == fuel).to_numpy()
        rate = table["heat_rate_gj_per_mwh" if heat else "fuel_units_per_mwh"].to_numpy(float)
        out = out + _weighted(m, case, block, np.where(burns, rate, 0.0))
    return out


def generation(m: ArrayModel, case: Case, carriers: list[str]) -> Expr:
    """Annual generation of the generators of ``carriers`` (all when empty), MWh."""
    gens = case.table("generators")
    if gens.empty:
        return ZERO
    mine = gens["carrier"].isin(carriers).to_numpy() if carriers else np.ones(len(gens), bool)
    return _weighted(m, case, "generators.dispatch", mine.astype(float))




# -- verdicts --------------------------------------------------------------------------------
VERDICT_COLUMNS = ["year", "kind", "name_en", "name_zh", "scope", "required", "achieved", "unit",
                   "verdict", "margin", "enforced", "shadow_price", "shadow_price_unit"]


def verdicts(m: ArrayModel, case: Case, x: np.ndarray | None,
             row_dual: np.ndarray | None) -> pd.DataFrame:
    """One row per declared target: required and achieved in the target's own unit, PASS /
    FAIL (or that its year is not modelled), the margin (positive: room left; negative: the
    shortfall) and, for an enforced target, its shadow price: the cost of tightening it by
    one model unit (currency per t, per MW-yr, per GJ or fuel unit, per MWh)."""
    table = case.table(FAMILY)
    out = pd.DataFrame(index=table.index, columns=VERDICT_COLUMNS, dtype=object)
    if table.empty:
        return out
    built = built_targets(m, case) if x is not None else {}
    year = modelled_year(case)
    for name, row in table.iterrows():
        out.loc[name] = _verdict(m, case, row, built.get(name), x, row_dual, year)
    return out


def _verdict(m: ArrayModel, case: Case, row: pd.Series, target: Target | None,
             x: np.ndarray | None, row_dual: np.ndarray | None, year: int) -> list:
    head = [int(row["year"]), row["kind"], row["name_en"], row["name_zh"], row["scope"],
            float(row["bound"])]
    enforced = bool(row["enforce"])
    if target is None or x is None:
        why = f"not modelled (the case models {year})" if int(row["year"]) != year else \
            "no solution"
        return [*head, np.nan, row["unit"], why, np.nan, enforced, np.nan, ""]
    achieved = target.achieved(x) / target.factor
    sign = 1.0 if target.sense == ">=" else -1.0
    margin = sign * (achieved - float(row["bound"]))
    ok = margin >= -1e-6 * max(1.0, abs(float(row["bound"])))
    price, price_unit = np.nan, ""
    block = f"{FAMILY}.{'lower' if target.sense == '>=' else 'upper'}"
    if enforced and row_dual is not None and block in m.con_blocks:
        names = m.con_blocks[block].coords[0]
        dual = row_dual[m.con_blocks[block].start + names.get_loc(row.name)]
        price = sign * float(dual)  # per model unit of the row's left-hand side
        if abs(price) < 1e-12:
            price = 0.0  # a slack target: 0, not "-0.00"
        per = "MW-yr" if target.model_unit == "MW" else target.model_unit
        price_unit = f"{case.currency}/{per}"
    return [*head, achieved, row["unit"], "PASS" if ok else "FAIL", margin, enforced, price,
            price_unit]
