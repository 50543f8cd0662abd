"""Column specifications of the case tables: one place for names, types, defaults and rules.

The loader fills defaults from here and the validator checks every rule from here, so the
documentation in ``docs/case-format.md``, the defaults and the checks cannot drift apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INF = math.inf
#: Largest magnitude a number of a case may have (|x| ≤ 1e12, e.g. MW, MWh or currency per
#: unit); beyond it a number is surely a mistake, and the solver could not use it
#: (``magnitude``). Infinity is allowed only where a column documents it.
MAX_MAGNITUDE = 1e12


@dataclass(frozen=True)
class Column:
    """One column of a case table.

    ``kind`` is ``"str"``, ``"float"`` or ``"bool"``; ``default`` ``None`` means required
    (for ``"str"`` columns ``""`` means optional and blank). ``ref`` names the table whose
    ``name`` column this column must point to. ``lo``/``hi`` bound the value; ``lo_open`` and
    ``hi_open`` make a bound strict. Infinity is refused unless it is the default or
    ``inf_ok`` (``inf`` means something, e.g. "the whole horizon"); finite values beyond
    :data:`MAX_MAGNITUDE` are always refused.
    """

    name: str
    kind: str = "float"
    default: object = None
    lo: float = -INF
    hi: float = INF
    lo_open: bool = False
    hi_open: bool = False
    ref: str | None = None
    unique: bool = False
    inf_ok: bool = False

    @property
    def required(self) -> bool:
        return self.default is None

    def rule(self) -> str:
        """The range rule in words, e.g. ``"in (0, 1]"`` or ``">= 0"``."""
        if self.lo > -INF and self.hi < INF:
            left = "(" if self.lo_open else "["
            right = ")" if self.hi_open else "]"
            return f"in {left}{_fmt(self.lo)}, {_fmt(self.hi)}{right}"
        if self.lo > -INF:
            return (">" if self.lo_open else ">=") + f" {_fmt(self.lo)}"
        if self.hi < INF:
            return ("<" if self.hi_open else "<=") + f" {_fmt(self.hi)}"
        return "any number"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _name() -> Column:
    return Column("name", "str", None, unique=True)


def _nonneg(name: str, default: object = 0.0) -> Column:
    return Column(name, "float", default, lo=0.0)


def _share(name: str, default: object = 0.0) -> Column:
    return Column(name, "float", default, lo=0.0, hi=1.0)


def _eff(name: str) -> Column:
    return Column(name, "float", 1.0, lo=0.0, hi=1.0, lo_open=True)


def _positive(name: str, default: object) -> Column:
    return Column(name, "float", default, lo=0.0, lo_open=True)


def _dr_common() -> tuple[Column, ...]:
    """Columns every demand-response family has: where, which VPP, how much, at what cost."""
    return (
        _name(),
        Column("bus", "str", None, ref="buses"),
        Column("vpp", "str", "", ref="vpps"),
        _nonneg("potential_mw", None),
        _nonneg("enrolled_mw"),
        Column("extendable", "bool", False),
        _share("participation", 1.0),
        _nonneg("enrolment_cost_per_mw_yr"),
        _nonneg("activation_cost_per_mwh"),
        _nonneg("notice_h"),
    )


TABLES: dict[str, tuple[Column, ...]] = {
    "buses": (
        _name(),
        Column("voll_per_mwh", "float", INF, lo=0.0),  # INF here means "use the case value"
        Column("load_shedding", "bool", True),  # and case.yaml's load_shedding
        Column("x", "float", math.nan),
        Column("y", "float", math.nan),
        # models/links.md: electricity (blank, AC, DC) or any other name (hydrogen, heat, …)
        Column("carrier", "str", "electricity"),
    ),
    "lines": (
        _name(),
        Column("bus0", "str", None, ref="buses"),
        Column("bus1", "str", None, ref="buses"),
        _nonneg("cap_fwd_mw", None),
        Column("cap_rev_mw", "float", math.nan, lo=0.0),  # NaN means "same as cap_fwd_mw"
        # kept for DC power flow (per unit on the system base); the transport model ignores them
        Column("x_pu", "float", math.nan),  # NaN: not given (e.g. a controllable DC line)
        Column("r_pu", "float", math.nan, lo=0.0),
        # line expansion (models/network.md): new capacity p_new, the same in both directions
        Column("extendable", "bool", False),
        _nonneg("cap_max_mw", INF),  # limit on cap_fwd_mw + p_new and on cap_rev_mw + p_new
        _nonneg("capex_per_mw"),
        _positive("lifetime_yr", 40.0),
        _nonneg("fom_per_mw_yr"),
        Column("circuit_mw", "float", math.nan, lo=0.0, lo_open=True),  # NaN: continuous
    ),
    "fuels": (
        _name(),
        _nonneg("price_per_gj", None),
        _nonneg("co2_t_per_gj"),
        _positive("gj_per_unit", 1.0),
        Column("unit", "str", "GJ"),
    ),
    "generators": (
        _name(),
        Column("bus", "str", None, ref="buses"),
        Column("carrier", "str", None),
        _nonneg("p_nom_mw"),
        Column("extendable", "bool", False),
        _nonneg("p_nom_max_mw", INF),
        _share("p_min_pu"),
        _share("p_max_pu", 1.0),
        _nonneg("capex_per_mw"),
        _positive("lifetime_yr", 25.0),
        _nonneg("fom_per_mw_yr"),
        _nonneg("vom_per_mwh"),
        Column("fuel", "str", "", ref="fuels"),
        _nonneg("heat_rate_gj_per_mwh"),
        Column("co2_t_per_mwh", "float", math.nan, lo=0.0),  # NaN means "from the fuel"
        _nonneg("ramp_up_pu_per_h", INF),  # INF: no ramp limit
        _nonneg("ramp_down_pu_per_h", INF),
        # unit commitment (models/commitment.md): read only when committable is true
        Column("committable", "bool", False),
        Column("unit_size_mw", "float", math.nan, lo=0.0, lo_open=True),  # NaN: case-format.md
        _nonneg("min_up_h"),
        _nonneg("min_down_h"),
        _nonneg("startup_cost"),  # currency per start of one unit
        _nonneg("shutdown_cost"),  # currency per stop of one unit
        _nonneg("startup_fuel_gj"),  # GJ of the generator's fuel per start of one unit
        _nonneg("no_load_gj_per_h"),  # GJ per committed unit and hour
        _nonneg("startup_ramp_pu", 1.0),  # share of unit size in the snapshot of a start
        _nonneg("shutdown_ramp_pu", 1.0),  # share of unit size in the snapshot before a stop
        Column("units_on_initial", "float", math.nan, lo=0.0),  # NaN: all units on
        _nonneg("hours_in_state_initial", INF),  # INF: min up/down impose nothing at start
        # flexibility retrofit of a committable generator's units (models/commitment.md);
        # NaN retrofit_p_min_pu: no retrofit option
        Column("retrofit_p_min_pu", "float", math.nan, lo=0.0, hi=1.0),
        _nonneg("retrofit_capex_per_mw"),  # currency per MW of retrofitted unit capacity
        # NaN retrofit_lifetime_yr: the generator's lifetime_yr
        Column("retrofit_lifetime_yr", "float", math.nan, lo=0.0, lo_open=True),
        Column("retrofit_max_units", "float", math.nan, lo=0.0),  # NaN: all N units
        # operating reserves (models/reserves.md): true/false; blank: thermal (a fuel, or
        # committable) generators hold reserve, others do not
        Column("provides_reserve", "str", ""),
        # planning years (models/pathway.md): existing capacity in service from build_year
        # (blank: before the horizon) until the year before retire_year (blank: never retires);
        # new capacity built in a modelled year at most build_rate_max_mw_per_yr × the years
        # since the modelled year before it (blank: no limit)
        Column("build_year", "float", math.nan, lo=1900.0, hi=2200.0),
        Column("retire_year", "float", math.nan, lo=1900.0, hi=2200.0),
        _nonneg("build_rate_max_mw_per_yr", INF),
    ),
    "storage": (
        _name(),
        Column("bus", "str", None, ref="buses"),
        Column("carrier", "str", "battery"),
        _nonneg("p_nom_mw"),
        _nonneg("e_nom_mwh"),
        Column("extendable", "bool", False),
        Column("duration_h", "float", math.nan, lo=0.0, lo_open=True),
        _nonneg("p_nom_max_mw", INF),
        _nonneg("e_nom_max_mwh", INF),
        _nonneg("capex_per_mw"),
        _nonneg("capex_per_mwh"),
        _positive("lifetime_yr", 15.0),
        _nonneg("fom_per_mw_yr"),
        _nonneg("vom_per_mwh"),
        _eff("eff_charge"),
        _eff("eff_discharge"),
        Column("standing_loss_per_h", "float", 0.0, lo=0.0, hi=1.0, hi_open=True),
        Column("cyclic", "bool", True),
        _share("soc_initial_pu"),
        Column("provides_reserve", "bool", True),  # models/reserves.md
        # planning years (models/pathway.md): existing capacity in service from build_year
        # (blank: before the horizon) until the year before retire_year (blank: never retires);
        # new capacity built in a modelled year at most build_rate_max_mw_per_yr × the years
        # since the modelled year before it (blank: no limit)
        Column("build_year", "float", math.nan, lo=1900.0, hi=2200.0),
        Column("retire_year", "float", math.nan, lo=1900.0, hi=2200.0),
        _nonneg("build_rate_max_mw_per_yr", INF),
    ),
    "loads": (
        _name(),
        Column("bus", "str", None, ref="buses"),
    ),
    # -- demand response and virtual power plants (models/demand_response.md) --------------
    "vpps": (
        _name(),
        _nonneg("aggregate_mw", INF),
        _share("availability_pu", 1.0),
        _nonneg("notice_h"),
        _nonneg("enrolment_cost_per_mw_yr"),
        _nonneg("activation_cost_per_mwh"),
    ),
    "interruptible": (
        *_dr_common(),
        Column("max_hours_per_event", "float", INF, lo=0.0, lo_open=True),
        Column("max_events_per_yr", "float", INF, lo=0.0),
        Column("max_hours_per_yr", "float", INF, lo=0.0),
        # indivisible (models/interruptible.md): whole events of the full reduction, a MIP
        Column("indivisible", "bool", False),
        _nonneg("min_hours_per_event"),  # read only when indivisible is true
    ),
    # <shiftable>
    "shiftable": (
        *_dr_common(),
        Column("max_delay_h", "float", INF, lo=0.0),  # INF: anywhere later in the window
        Column("max_advance_h", "float", INF, lo=0.0),  # 0: consumption is only postponed
        Column("window_h", "float", 24.0, lo=0.0, lo_open=True, inf_ok=True),  # inf: one window
        _nonneg("rebound_pu"),
        # indivisible (models/shiftable.md): whole events of the full down-shift, a MIP; the
        # three event columns are read only when indivisible is true
        Column("indivisible", "bool", False),
        _nonneg("min_hours_per_event"),
        Column("max_hours_per_event", "float", INF, lo=0.0, lo_open=True),
        Column("max_events_per_yr", "float", INF, lo=0.0),
    ),
    # </shiftable>
    # <ev_fleets>
    "ev_fleets": (  # models/ev_fleets.md
        *_dr_common(),
        _positive("vehicles", None),
        _positive("charger_kw", None),
        _positive("battery_kwh", None),
        _nonneg("daily_energy_kwh", None),
        _share("min_soc_departure_pu"),
        Column("v2g", "bool", False),
        _eff("eff_charge"),
        _eff("eff_discharge"),
    ),
    # </ev_fleets>
    # <self_owned_plants>
    "self_owned_plants": (  # models/self_owned_plants.md
        *_dr_common(),
        _nonneg("ramp_pu_per_h", 1.0),
        _share("p_max_pu", 1.0),
        Column("fuel", "str", "", ref="fuels"),
        _nonneg("heat_rate_gj_per_mwh"),
        _nonneg("vom_per_mwh"),
        Column("co2_t_per_mwh", "float", math.nan, lo=0.0),  # NaN means "from the fuel"
    ),
    # </self_owned_plants>
    # <electrolysers>
    "electrolysers": (  # models/electrolysers.md
        *_dr_common(),
        Column("p_nom_mw", "float", math.nan, lo=0.0),  # NaN means "= potential_mw"
        Column("efficiency_mwh_h2_per_mwh", "float", None, lo=0.0, hi=1.0, lo_open=True),
        _nonneg("h2_storage_mwh"),
        _nonneg("h2_demand_mwh_per_h"),
        _share("min_load_pu"),
    ),
    # </electrolysers>
    # <flexible_buildings>
    "flexible_buildings": (
        *_dr_common(),
        _nonneg("energy_band_mwh_per_mw", None),
        Column("loss_per_h", "float", 0.0, lo=0.0, hi=1.0, hi_open=True),
        Column("window_h", "float", 24.0, lo=0.0, lo_open=True, inf_ok=True),  # inf: one window
    ),
    # </flexible_buildings>
    # <targets>
    "targets": (  # models/targets.md: the plan's targets, enforced or reported
        _name(),
        Column("year", "float", None, lo=1900.0, hi=2200.0),
        Column("kind", "str", None),
        Column("bound", "float", math.nan, lo=0.0),  # blank: from baseline and change_pct
        Column("unit", "str", None),
        Column("baseline", "float", math.nan, lo=0.0),  # base-year value, in ``unit``
        Column("change_pct", "float", math.nan, lo=-100.0),  # B = baseline (1 + change/100)
        Column("carrier", "str", ""),  # capacity and share numerator: carriers, ';'-separated
        Column("of_carriers", "str", ""),  # share denominator: carriers (blank: all generators)
        Column("fuel", "str", "", ref="fuels"),
        _nonneg("other"),  # outside the power system (e.g. non-power coal), in ``unit``
        Column("gdp", "float", math.nan, lo=0.0, lo_open=True),  # for CO2 per unit of GDP
        # non-fossil share of energy consumption (nonfossil_share_min / _max) only:
        Column("method", "str", ""),  # coal_substitution (blank) or calorific
        Column("gce_per_kwh", "float", math.nan, lo=0.0, lo_open=True),  # coal substitution
        Column("import_carriers", "str", ""),  # blank: carrier 'import' if the case has it
        _share("import_nonfossil_pu"),  # the non-fossil share of imported electricity
        _nonneg("other_nonfossil_tce"),  # non-fossil energy used outside the power system
        _nonneg("other_total_tce"),  # all non-electric energy used outside the power system
        Column("enforce", "bool", False),
        Column("name_en", "str", ""),
        Column("name_zh", "str", ""),
        Column("scope", "str", ""),
    ),
    # </targets>
    # <pathway_changes>
    # models/pathway.md: a cell of a table set from a modelled year on (year-specific data)
    "pathway_changes": (
        Column("year", "float", None, lo=1900.0, hi=2200.0),
        Column("table", "str", None),
        Column("name", "str", None),
        Column("column", "str", None),
        Column("value", "float", None, inf_ok=True),  # checked against the column it sets
    ),
    # </pathway_changes>
    # <reserves>
    "reserves": (  # models/reserves.md: operating reserve requirements
        _name(),
        Column("direction", "str", None),  # up or down
        Column("buses", "str", ""),  # ';'-separated bus names; blank: every bus
        _nonneg("fixed_mw"),
        _nonneg("load_share"),  # share of the buses' demand
        _nonneg("wind_share"),  # share of the buses' wind generators' available output
        _nonneg("solar_share"),  # share of the buses' solar generators' available output
        Column("shortfall_cost_per_mwh", "float", math.nan, lo=0.0),  # blank: hard
    ),
    # </reserves>
    # <links>
    "links": (  # models/links.md: power taken at bus0, delivered × efficiency at bus1, …
        _name(),
        Column("bus0", "str", None, ref="buses"),
        Column("bus1", "str", None, ref="buses"),
        Column("carrier", "str", ""),
        _positive("efficiency", 1.0),  # η₁ (> 1 for a heat pump's COP)
        Column("bus2", "str", "", ref="buses"),  # extra output (or input: efficiency2 < 0)
        Column("efficiency2", "float", 1.0),
        Column("bus3", "str", "", ref="buses"),
        Column("efficiency3", "float", 1.0),
        _nonneg("p_nom_mw"),
        Column("extendable", "bool", False),
        _nonneg("p_nom_max_mw", INF),
        Column("p_min_pu", "float", 0.0, lo=-1.0, hi=1.0),  # < 0: reversible
        _share("p_max_pu", 1.0),
        _nonneg("capex_per_mw"),
        _positive("lifetime_yr", 25.0),
        _nonneg("fom_per_mw_yr"),
        _nonneg("marginal_cost_per_mwh"),  # per MWh taken at the sending bus
        _nonneg("ramp_up_pu_per_h", INF),  # INF: no ramp limit
        _nonneg("ramp_down_pu_per_h", INF),
    ),
    # </links>
    # <stores>
    "stores": (  # models/stores.md: energy-only stores (PyPSA's Store) on any bus
        _name(),
        Column("bus", "str", None, ref="buses"),
        Column("carrier", "str", ""),
        _nonneg("e_nom_mwh"),
        Column("extendable", "bool", False),
        _nonneg("e_nom_max_mwh", INF),
        _nonneg("capex_per_mwh"),
        _positive("lifetime_yr", 25.0),
        _nonneg("fom_per_mwh_yr"),
        Column("standing_loss_per_h", "float", 0.0, lo=0.0, hi=1.0, hi_open=True),
        Column("cyclic", "bool", True),
        _share("e_initial_pu"),  # read only when cyclic is false
        _nonneg("marginal_cost_per_mwh"),  # per MWh withdrawn
    ),
    # </stores>
}

#: Tables that must exist as files; the others are optional.
REQUIRED_TABLES = ("buses", "generators", "loads")

#: Time-series files: name → (the table whose elements are its columns, lower, upper bound).
SERIES: dict[str, tuple[str, float, float]] = {
    "load_mw": ("loads", 0.0, INF),
    "availability_pu": ("generators", 0.0, 1.0),
    "price_per_mwh": ("generators", -INF, INF),
    # <series: DR families add theirs between their own markers>
    # <ev_fleets>
    "ev_plugged_pu": ("ev_fleets", 0.0, 1.0),
    "ev_driving_pu": ("ev_fleets", 0.0, 1.0),
    # </ev_fleets>
    # <electrolysers>
    "h2_demand_mwh": ("electrolysers", 0.0, INF),  # MWh of H2 (LHV) per hour
    # </electrolysers>
    # <flexible_buildings>
    "building_occupancy_pu": ("flexible_buildings", 0.0, 1.0),
    # </flexible_buildings>
    # <links>
    "link_availability_pu": ("links", 0.0, 1.0),  # hourly p_max_pu of links
    # </links>
}
REQUIRED_SERIES = ("load_mw",)

#: Spellings accepted in ``"bool"`` columns (compared lower-case); any other text is an error.
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")

#: Pairs (lower column, upper column) per table that must satisfy lower <= upper.
ORDERED_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "lines": (("cap_fwd_mw", "cap_max_mw"), ("cap_rev_mw", "cap_max_mw")),
    "generators": (("p_min_pu", "p_max_pu"), ("p_nom_mw", "p_nom_max_mw"),
                   ("build_year", "retire_year")),
    "storage": (("p_nom_mw", "p_nom_max_mw"), ("e_nom_mwh", "e_nom_max_mwh"),
                ("build_year", "retire_year")),
    "interruptible": (("enrolled_mw", "potential_mw"),
                      ("min_hours_per_event", "max_hours_per_event")),
    "shiftable": (("enrolled_mw", "potential_mw"),
                  ("min_hours_per_event", "max_hours_per_event")),
    "ev_fleets": (("enrolled_mw", "potential_mw"),),
    "self_owned_plants": (("enrolled_mw", "potential_mw"),),
    "electrolysers": (("enrolled_mw", "potential_mw"),),
    "flexible_buildings": (("enrolled_mw", "potential_mw"),),
    "targets": (("other_nonfossil_tce", "other_total_tce"),),  # O^nf is a part of O^tot
    "links": (("p_min_pu", "p_max_pu"), ("p_nom_mw", "p_nom_max_mw")),
    "stores": (("e_nom_mwh", "e_nom_max_mwh"),),
}
