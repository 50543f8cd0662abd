"""Policy targets of a plan, in its own terms: capacity, CO2, fuel use and shares.
See ``models/targets.md``.

Each target k of the modelled year compares an annual quantity with a bound B_k (converted
from the target's unit to the model's: MW, t CO2, GJ or the fuel's own unit, MWh, tce), given
as ``bound`` or relative to a base year as ``baseline`` × (1 + ``change_pct`` / 100):

- ``capacity_min`` / ``capacity_max``: Σ_{g ∈ C_k} (P̄_g + p^new_g) ≥ / ≤ B_k   (MW)
- ``co2_max``: Σ_g Σ_t w_t e_g p_{g,t} + Σ_i Σ_t w_t e_i q_{i,t} + O_k ≤ B_k   (t)
- ``co2_intensity_max``: the same emissions ≤ B_k · Y_k, with Y_k the demand energy Σ_t w_t D_t
  (t/MWh; D_t of the electricity buses only) or the GDP given in the row (t per unit of GDP)
- ``fuel_max``: Σ_{g burns f} Σ_t w_t φ_g p_{g,t} (+ self-owned plants) + O_k ≤ B_k, in the
  fuel's unit (t of raw coal, 1000 m³ of gas) or in heat (GJ, tce at 29.3076 GJ/tce)
- ``share_min`` / ``share_max``: Σ_{g ∈ C_k} Σ_t w_t p_{g,t} ≥ / ≤ B_k Σ_{g ∈ G_k} Σ_t w_t p_{g,t}
  (generation of carriers C_k over that of G_k, all generators when blank; generation counts
  generators at electricity buses only, while capacity, CO2 and fuel count every carrier's)
- ``nonfossil_share_min`` / ``_max``: N_k ≥ / ≤ B_k D_k, the non-fossil share of the city's
  primary energy consumption (tce): N_k = c (Σ_{g ∈ C_k} Σ_t w_t p_{g,t} + s Σ_{g ∈ I_k} Σ_t
  w_t p_{g,t}) + O^nf_k and D_k = H(x) + c (Σ_{g ∈ C_k ∪ I_k} Σ_t w_t p_{g,t}) + O^tot_k, with
  c the tce per MWh of electricity (coal substitution: the row's gce/kWh; calorific: 0.1229),
  I_k the import carriers, s their non-fossil share and H the heat of the fuel burnt by the
  other generators and the self-owned plants' extra output

Committable generators add their start-up and no-load fuel (``models/commitment.md``) to
the fuel, the emissions and the fossil heat H. O_k (``other``) is the part outside the power
system (e.g. the city's non-power coal use), an input. Enforced targets become rows
``targets.lower`` / ``targets.upper``, one per target, whose duals are the targets' shadow
prices; reported ones are only evaluated. A reported target whose bound or GDP is not given is
listed as NOT EVALUATED, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridopt.case.case import Case, CaseError, Problem, csv_line
from gridopt.case.cells import closest
from gridopt.case.schema import TABLES
from gridopt.case.units import BASE, TCE_GJ, UNITS, convert, dimension, to_base
from gridopt.components.carriers import electric_at
from gridopt.components.commitment import fuel_column, fuel_heat
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
    "nonfossil_share_min": (">=", ("share",)),
    "nonfossil_share_max": ("<=", ("share",)),
}
#: Kinds whose quantity may include a part outside the power system (``other``).
OTHER_KINDS = ("capacity_min", "capacity_max", "co2_max", "fuel_max")
#: The non-fossil share of energy consumption, and the columns only these kinds read.
NONFOSSIL_KINDS = ("nonfossil_share_min", "nonfossil_share_max")
NONFOSSIL_COLUMNS = ("method", "gce_per_kwh", "import_carriers", "import_nonfossil_pu",
                     "other_nonfossil_tce", "other_total_tce")
#: How electricity counts as primary energy: coal substitution (China's official method,
#: 发电煤耗法, at the row's gce/kWh) or its heat equivalent (电热当量).
METHODS = ("coal_substitution", "calorific")
#: The heat equivalent of electricity, gce per kWh (NBS: 0.1229 kgce/kWh ≈ 3.6 GJ/MWh).
HEAT_EQUIVALENT_GCE_PER_KWH = 122.9


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
    missing: str = ""  # why a reported target cannot be evaluated (no bound, no GDP)

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
    _check_columns(row)
    missing = _missing(row, dim)
    num, den, model_unit = _quantity(m, case, row, dim)
    factor = _factor(case, row, dim)
    other = constant(float(row["other"]) * factor)
    return Target(name, sense, _bound(row) * factor, num + other, den, model_unit, factor,
                  missing)


def _check_columns(row: pd.Series) -> None:
    """Refuse a column the row's kind would not read (it would be ignored silently)."""
    kind = row["kind"]
    if float(row["other"]) and kind not in OTHER_KINDS:
        hint = "; use other_nonfossil_tce and other_total_tce" if kind in NONFOSSIL_KINDS \
            else ""
        raise _RowError("other", "target-other", f"'other' adds a quantity outside the power "
                        f"system to {', '.join(OTHER_KINDS)} targets only, not to {kind}{hint}")
    for column in NONFOSSIL_COLUMNS:
        if kind not in NONFOSSIL_KINDS and _given(row, column):
            raise _RowError(column, "target-column", f"'{column}' is read by "
                            f"{' and '.join(NONFOSSIL_KINDS)} only, not by {kind}")
    if kind in NONFOSSIL_KINDS and _given(row, "of_carriers"):
        raise _RowError("of_carriers", "target-column", f"{kind} has no carriers in its "
                        "denominator: it is the city's whole primary energy consumption")


def _given(row: pd.Series, column: str) -> bool:
    """Whether the row's ``column`` differs from the schema's default (blank)."""
    default = next(c.default for c in TABLES[FAMILY] if c.name == column)
    value = row[column]
    if isinstance(default, float):
        return not (np.isnan(value) if np.isnan(default) else float(value) == default)
    return str(value).strip() != str(default)


def _bound(row: pd.Series) -> float:
    """The bound in the row's unit: ``bound``, or ``baseline`` × (1 + ``change_pct`` / 100);
    NaN when neither is given (see :func:`_missing`)."""
    if _given(row, "baseline"):
        if _given(row, "bound"):
            raise _RowError("baseline", "target-bound", f"both bound {row['bound']:g} and "
                            f"baseline {row['baseline']:g} are given: give the bound, or the "
                            "baseline with change_pct, not both")
        if not _given(row, "change_pct"):
            raise _RowError("change_pct", "target-bound", "a baseline needs change_pct, the "
                            "change from it in % (e.g. -19.5; 0 for the baseline itself)")
        return float(row["baseline"]) * (1.0 + float(row["change_pct"]) / 100.0)
    if _given(row, "bound") and _given(row, "change_pct"):
        raise _RowError("change_pct", "target-bound", f"change_pct {row['change_pct']:g} is a "
                        "change from a baseline; with a bound it would be ignored: give the "
                        "bound, or the baseline with change_pct, not both")
    return float(row["bound"])


def _missing(row: pd.Series, dim: str) -> str:
    """Why the row cannot be evaluated ("" when it can): no bound (nor baseline) or, for an
    intensity per unit of GDP, no GDP. Refused when the row is enforced."""
    column, why = "", ""
    if dim == "co2_per_gdp" and not float(row["gdp"]) > 0:
        column, why = "gdp", "gdp not given"
    elif np.isnan(_bound(row)):
        column = "baseline" if _given(row, "change_pct") else "bound"
        why = "baseline not given" if column == "baseline" else "no bound or baseline given"
    if why and bool(row["enforce"]):
        rule = "target-gdp" if column == "gdp" else "target-bound"
        need = "the year's GDP in column 'gdp' (> 0)" if column == "gdp" else \
            "a bound: 'bound', or 'baseline' with 'change_pct'"
        raise _RowError(column, rule, f"an enforced target needs {need} ({why}); with "
                        "enforce false it is listed as NOT EVALUATED")
    return why


def _quantity(m: ArrayModel, case: Case, row: pd.Series, dim: str) -> tuple[Expr, Expr, str]:
    """(numerator, denominator, model unit of the numerator) of a target row."""
    one = constant(1.0)
    kind = row["kind"]
    if kind.startswith("capacity"):
        return capacity(m, case, _known(case, row, "carrier", storage=True)), one, "MW"
    if kind == "co2_max":
        return emissions(m, case), one, "t"
    if kind == "co2_intensity_max":
        if dim == "co2_per_gdp":  # NaN without a GDP: the target is NOT EVALUATED
            return emissions(m, case), constant(float(row["gdp"])), "t"
        return emissions(m, case), constant(np.dot(case.weights, system_demand(case))), "t"
    if kind == "fuel_max":
        return fuel_use(m, case, row["fuel"], heat=dim == "heat"), one, \
            "GJ" if dim == "heat" else _fuel_unit(case, row["fuel"])
    carriers = _known(case, row, "carrier")
    if not carriers:
        raise _RowError("carrier", "target-carrier", "a share needs the carriers it counts")
    if kind in NONFOSSIL_KINDS:
        return (*nonfossil_energy(m, case, row, carriers), "tce")
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


def _commitment_fuel(m: ArrayModel, case: Case, per_gj: np.ndarray) -> Expr:
    """Σ_g per_gj_g · (annual start-up and no-load fuel of generator g, GJ): the fuel that
    unit commitment burns besides the heat rate × output (``models/commitment.md``)."""
    cols, gj, where = fuel_heat(m, case)
    coefs = gj * per_gj[where] if cols.size else gj
    keep = coefs != 0
    return Expr(cols[keep], coefs[keep])


def emissions(m: ArrayModel, case: Case) -> Expr:
    """Annual CO2 of generators (start-up and no-load fuel included) and self-owned plants'
    extra output (t)."""
    out = ZERO
    if not case.table("generators").empty:
        out = _commitment_fuel(m, case, fuel_column(case, "co2_t_per_gj"))
    for block, table in _sources(case):
        if not table.empty:
            out = out + _weighted(m, case, block, table["co2_t_per_mwh"].to_numpy(float))
    return out


def fuel_use(m: ArrayModel, case: Case, fuel: str, heat: bool) -> Expr:
    """Annual use of ``fuel``: in GJ (``heat``) or in the fuel's own unit (start-up and
    no-load fuel of committed units included)."""
    out = ZERO
    gens = case.table("generators")
    if not gens.empty:
        per_unit = 1.0 if heat else 1.0 / np.where(gens["fuel"] == "", 1.0,
                                                    fuel_column(case, "gj_per_unit"))
        out = _commitment_fuel(m, case, np.where(gens["fuel"] == fuel, per_unit, 0.0))
    for block, table in _sources(case):
        if table.empty:
            continue
        burns = (table["fuel"] == fuel).to_numpy()
        rate = table["heat_rate_gj_per_mwh" if heat else "fuel_units_per_mwh"].to_numpy(float)
        out = out + _weighted(m, case, block, np.where(burns, rate, 0.0))
    return out


def generation(m: ArrayModel, case: Case, carriers: list[str]) -> Expr:
    """Annual electricity generation of the generators of ``carriers`` (all when empty), MWh:
    generators at electricity buses only (a hydrogen or heat source is no power generation,
    ``models/links.md``)."""
    gens = case.table("generators")
    if gens.empty:
        return ZERO
    mine = gens["carrier"].isin(carriers).to_numpy() if carriers else np.ones(len(gens), bool)
    mine = mine & electric_at(case, gens["bus"])
    return _weighted(m, case, "generators.dispatch", mine.astype(float))


def nonfossil_energy(m: ArrayModel, case: Case, row: pd.Series,
                     carriers: list[str]) -> tuple[Expr, Expr]:
    """(non-fossil, total) primary energy consumption of the city, tce: electricity of the
    non-fossil ``carriers`` and of imports at c tce/MWh (imports non-fossil in the share
    ``import_nonfossil_pu``), the heat of the fuel the other generators and the self-owned
    plants burn, and the energy outside the power system (``other_*_tce``)."""
    c = _tce_per_mwh(row)
    imports = _import_carriers(case, row, carriers)
    power = generation(m, case, carriers).scaled(c)
    imported = generation(m, case, imports).scaled(c) if imports else ZERO
    num = power + imported.scaled(float(row["import_nonfossil_pu"])) \
        + constant(float(row["other_nonfossil_tce"]))
    den = fossil_heat(m, case, carriers + imports) + power + imported \
        + constant(float(row["other_total_tce"]))
    return num, den


def _tce_per_mwh(row: pd.Series) -> float:
    """c: tce of primary energy per MWh of electricity under the row's ``method``."""
    method = str(row["method"]).strip() or METHODS[0]
    if method not in METHODS:
        close = closest(method, list(METHODS))
        hint = f" (did you mean '{close}'?)" if close else ""
        raise _RowError("method", "target-method", f"unknown method '{method}'{hint}; one of "
                        f"{', '.join(METHODS)}")
    gce = float(row["gce_per_kwh"])
    if method == "calorific":
        if not np.isnan(gce):
            raise _RowError("gce_per_kwh", "target-gce", "the calorific method counts a kWh "
                            f"at its heat, {HEAT_EQUIVALENT_GCE_PER_KWH:g} gce; gce_per_kwh "
                            "would be ignored: leave it blank, or use coal_substitution")
        return HEAT_EQUIVALENT_GCE_PER_KWH / 1000.0
    if np.isnan(gce):
        raise _RowError("gce_per_kwh", "target-gce", "the coal_substitution method needs the "
                        "year's average supply coal consumption of thermal power in "
                        "'gce_per_kwh' (gce/kWh, e.g. 300)")
    if gce < HEAT_EQUIVALENT_GCE_PER_KWH:
        raise _RowError("gce_per_kwh", "target-gce", f"gce_per_kwh {gce:g} is below "
                        f"{HEAT_EQUIVALENT_GCE_PER_KWH:g}, the heat of a kWh (a thermal plant "
                        "above 100 % efficiency); it is in g, not kg, of coal equivalent per kWh")
    return gce / 1000.0  # g/kWh = kg/MWh


def _import_carriers(case: Case, row: pd.Series, carriers: list[str]) -> list[str]:
    """I_k: ``import_carriers``, or when blank the carrier ``import`` if a generator has it
    (and it is not counted as non-fossil already)."""
    if _given(row, "import_carriers"):
        names = _known(case, row, "import_carriers")
        both = sorted(set(names) & set(carriers))
        if both:
            raise _RowError("import_carriers", "target-import", f"'{both[0]}' is in carrier "
                            "and in import_carriers; an import's non-fossil part is "
                            "import_nonfossil_pu")
    else:
        gens = case.table("generators")
        have = set(gens["carrier"]) if not gens.empty else set()
        names = [c for c in ("import",) if c in have and c not in carriers]
    if not names and float(row["import_nonfossil_pu"]):
        raise _RowError("import_nonfossil_pu", "target-import", "import_nonfossil_pu is given "
                        "but no generator is an import (name their carrier in import_carriers)")
    return names


def fossil_heat(m: ArrayModel, case: Case, not_fossil: list[str]) -> Expr:
    """H: the heat (tce) of the fuel burnt by the generators of carriers other than
    ``not_fossil`` and by the self-owned plants' extra output."""
    out = ZERO
    for block, table in _sources(case):
        if table.empty:
            continue
        rate = table["heat_rate_gj_per_mwh"].to_numpy(float) / TCE_GJ
        if block == "generators.dispatch":
            fossil = ~table["carrier"].isin(not_fossil).to_numpy()
            _check_heat(table, fossil & (rate <= 0))
            rate = np.where(fossil, rate, 0.0)
            out = out + _commitment_fuel(m, case, np.where(fossil, 1.0 / TCE_GJ, 0.0))
        out = out + _weighted(m, case, block, rate)
    return out


def _check_heat(gens: pd.DataFrame, unknown: np.ndarray) -> None:
    if unknown.any():
        name, carrier = gens.index[unknown][0], gens["carrier"][unknown].iloc[0]
        raise _RowError("carrier", "target-fossil-heat", f"generator '{name}' of carrier "
                        f"'{carrier}' counts as fossil but has no heat_rate_gj_per_mwh, so its "
                        f"primary energy is unknown: add '{carrier}' to carrier if it is "
                        "non-fossil or to import_carriers if it is an import, or give it a "
                        "heat rate")


# -- verdicts --------------------------------------------------------------------------------
VERDICT_COLUMNS = ["year", "kind", "name_en", "name_zh", "scope", "required", "achieved", "unit",
                   "required_model", "achieved_model", "model_unit", "verdict", "margin",
                   "enforced", "shadow_price", "shadow_price_unit", "met_by_shedding", "note"]
#: Load shed (MWh a year) above which a binding enforced target is flagged ``met_by_shedding``.
SHED_TOLERANCE_MWH = 1e-3


def verdicts(m: ArrayModel, case: Case, x: np.ndarray | None,
             row_dual: np.ndarray | None) -> pd.DataFrame:
    """One row per declared target: required and achieved in the target's own unit and in the
    model's (``required_model``, ``achieved_model``, ``model_unit``), PASS / FAIL (or NOT
    EVALUATED with the reason, or that its year is not modelled), the margin (positive: room
    left; negative: the shortfall) and, for an enforced target, its shadow price: the cost of
    tightening it by one model unit (currency per t, per MW-yr, per GJ or fuel unit, per MWh,
    per tce). An enforced target that binds while the solution sheds load is flagged
    (``met_by_shedding``, with the shed MWh in ``note``): it may hold only because load is
    shed at the value of lost load."""
    table = case.table(FAMILY)
    out = pd.DataFrame(index=table.index, columns=VERDICT_COLUMNS, dtype=object)
    if table.empty:
        return out
    built = built_targets(m, case) if x is not None else {}
    year = modelled_year(case)
    shed = shed_mwh(m, case, x)
    for name, row in table.iterrows():
        out.loc[name] = _verdict(m, case, row, built.get(name), x, row_dual, year, shed)
    return out


def shed_mwh(m: ArrayModel, case: Case, x: np.ndarray | None) -> float:
    """Σ_b Σ_t w_t shed_{b,t} of the solution, MWh a year (0 without shedding or solution)."""
    if x is None or "buses.shed" not in m.var_blocks:
        return 0.0
    return float((x[m.var("buses.shed")] * case.weights[None, :]).sum())


def _verdict(m: ArrayModel, case: Case, row: pd.Series, target: Target | None,
             x: np.ndarray | None, row_dual: np.ndarray | None, year: int,
             shed: float) -> list:
    required = _required(row)
    model_unit, factor = _model_units(case, row)
    head = [int(row["year"]), row["kind"], row["name_en"], row["name_zh"], row["scope"],
            required]
    enforced = bool(row["enforce"])
    if target is None or x is None:
        why = f"not modelled (the case models {year})" if int(row["year"]) != year else \
            "no solution"
        return [*head, np.nan, row["unit"], required * factor, np.nan, model_unit, why, np.nan,
                enforced, np.nan, "", False, ""]
    achieved = target.achieved(x) / target.factor
    models = [required * factor, achieved * factor, model_unit]
    if target.missing:
        return [*head, achieved, row["unit"], *models, f"NOT EVALUATED ({target.missing})",
                np.nan, enforced, np.nan, "", False, ""]
    sign = 1.0 if target.sense == ">=" else -1.0
    margin = sign * (achieved - required) + 0.0  # not -0.0
    tol = 1e-6 * max(1.0, abs(required))
    ok = margin >= -tol
    price, price_unit = _price(m, case, row, target, row_dual) if enforced else (np.nan, "")
    binding = abs(margin) <= tol or (price == price and abs(price) > 1e-9)
    by_shedding = enforced and binding and shed > SHED_TOLERANCE_MWH
    note = f"binding while {_mwh(shed)} MWh of load is shed: possibly met only by shedding " \
        "load" if by_shedding else ""
    return [*head, achieved, row["unit"], *models, "PASS" if ok else "FAIL", margin, enforced,
            price, price_unit, by_shedding, note]


def _mwh(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _model_units(case: Case, row: pd.Series) -> tuple[str, float]:
    """(the model's unit of the row's achieved value, model units per unit of the row's
    ``unit``): MW, t, GJ or the fuel's unit, tce, pu, t CO2/MWh, …; ("", NaN) for a row that
    cannot be read (``gridopt validate`` names it)."""
    dim = dimension(row["unit"])
    kind = row["kind"]
    try:
        if kind not in KINDS or dim not in KINDS[kind][1]:
            return "", np.nan
        factor = _factor(case, row, dim)
    except (_RowError, KeyError, ValueError):
        return "", np.nan
    if kind.startswith("capacity"):
        return "MW", factor
    if kind == "co2_max":
        return "t", factor
    if kind == "fuel_max":
        return ("GJ" if dim == "heat" else _fuel_unit(case, row["fuel"])), factor
    return BASE[dim], factor  # shares (pu) and intensities (t CO2/MWh, t CO2/万元)


def _required(row: pd.Series) -> float:
    """The bound in the row's unit; NaN when it is not given or cannot be read (a row of
    another year is not built, so its problems surface in ``gridopt validate`` only)."""
    try:
        return _bound(row)
    except _RowError:
        return np.nan


def _price(m: ArrayModel, case: Case, row: pd.Series, target: Target,
           row_dual: np.ndarray | None) -> tuple[float, str]:
    """The shadow price of an enforced target, per model unit of its row's left-hand side."""
    block = f"{FAMILY}.{'lower' if target.sense == '>=' else 'upper'}"
    if row_dual is None or block not in m.con_blocks:
        return np.nan, ""
    names = m.con_blocks[block].coords[0]
    dual = row_dual[m.con_blocks[block].start + names.get_loc(row.name)]
    price = (1.0 if target.sense == ">=" else -1.0) * float(dual)
    if abs(price) < 1e-12:
        price = 0.0  # a slack target: 0, not "-0.00"
    per = "MW-yr" if target.model_unit == "MW" else target.model_unit
    return price, f"{case.currency}/{per}"
