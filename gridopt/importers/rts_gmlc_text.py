"""The texts of the RTS-GMLC import: ``case.yaml`` and ``sources.csv`` (one row per rule).

Kept apart from :mod:`gridopt.importers.rts_gmlc` so that the mapping reads as code there and
as sentences here; every number in the case is either taken from a named RTS-GMLC file and
column or made by a rule stated in these rows.
"""

from __future__ import annotations

import pandas as pd

VOLL = 10_000
BTU = "1 MMBtu = 1.05505585262 GJ (International Table Btu)"
BASE = ("per unit on the 100 MVA system base (mpc.baseMVA = 100.0 in upstream "
        "RTS_Data/FormattedData/MATPOWER/RTS_GMLC.m; SourceData gives no base)")


def case_yaml(start: pd.Timestamp, hours: int) -> str:
    return f"""\
# RTS-GMLC (NREL / GridMod) as a gridopt case: written by `gridopt import rts-gmlc`.
# Every number here and in the CSVs has its origin in sources.csv; read README.md first.
name: rts-gmlc
description: "RTS-GMLC: 73 buses, 3 areas, {hours} hourly day-ahead snapshots of 2020"
currency: USD
snapshots:
  start: "{start:%Y-%m-%d %H:%M}"
  hours: {hours}
  step_h: 1
  annualise: false
voll_per_mwh: {VOLL}
solver:
  mip_rel_gap: 0.01
  time_limit: 3600
"""


def sources(tables: dict[str, pd.DataFrame], units: pd.DataFrame, load: pd.DataFrame,
            inflow: pd.DataFrame, commitment: bool) -> pd.DataFrame:
    """The rows of ``sources.csv``: ``units`` are the generators' gen.csv rows (indexed by
    GEN UID, with their ``fuel``), ``inflow`` the CSP natural inflow (MW, one column a unit)."""
    rows = (_config_rows(load, tables) + _network_rows() + _fuel_rows(units, tables["fuels"])
            + _generator_rows(commitment) + _storage_rows()
            + _series_rows(load, inflow, tables["generators"]))
    return pd.DataFrame(rows, columns=["table", "name", "column", "value", "source",
                                       "confidence"])


def _config_rows(load: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[tuple]:
    gens, fuels = tables["generators"], tables["fuels"].set_index("name")
    burn = gens[gens["fuel"] != ""]
    cost = burn["heat_rate_gj_per_mwh"] * burn["fuel"].map(fuels["price_per_gj"]) \
        + burn["vom_per_mwh"]
    top = burn.loc[cost.idxmax()]
    return [
        ("case.yaml", "*", "snapshots",
         f"start {load.index[0]:%Y-%m-%d %H:%M}; hours {len(load)}; step_h 1; annualise false",
         "RTS-GMLC timeseries_data_files DAY_AHEAD series: the year 2020 (a leap year, "
         f"{len(load)} hours), Period 1-24 of each day read as the hours beginning 00:00-23:00, "
         "local time without a zone (the RTS gives none); annualise false: nothing is built, so "
         "the objective is the cost of these hours as they are", "H"),
        ("case.yaml", "*", "voll_per_mwh", str(VOLL),
         f"assumption: {VOLL:,} USD/MWh, above every marginal cost of the case (the highest is "
         f"{cost.max():.1f} USD/MWh, {top['name']}) so that load is shed only where it cannot be "
         "served; RTS-GMLC SourceData gives no value of lost load", "L"),
        ("case.yaml", "*", "solver", "mip_rel_gap 0.01; time_limit 3600",
         "HiGHS options: stop the unit commitment at a 1 % relative MIP gap (no effect on an "
         "LP); 1 h time limit; no data", "H"),
    ]


def _network_rows() -> list[tuple]:
    return [
        ("buses.csv", "*", "name", "", "RTS-GMLC SourceData/bus.csv Bus ID (the RTS-96 bus "
         "name, area, sub-area, zone, base kV and MW Load in the description column)", "H"),
        ("buses.csv", "*", "x", "", "bus.csv lng (degrees east; the RTS's nominal locations "
         "in the south-western US, RTS-GMLC_updates.md item 2)", "H"),
        ("buses.csv", "*", "y", "", "bus.csv lat (degrees north; as x)", "H"),
        ("lines.csv", "*", "bus0", "", "branch.csv / dc_branch.csv From Bus", "H"),
        ("lines.csv", "*", "bus1", "", "branch.csv / dc_branch.csv To Bus", "H"),
        ("lines.csv", "*", "cap_fwd_mw", "", "AC lines and transformers: branch.csv Cont "
         "Rating (continuous MW rating), both directions; the DC line: dc_branch.csv MW Load "
         "(its scheduled power), both directions", "H"),
        ("lines.csv", "*", "cap_rev_mw", "", "blank = same as cap_fwd_mw (RTS ratings hold "
         "both ways)", "H"),
        ("lines.csv", "*", "x_pu", "", f"branch.csv X, {BASE}; kept for DC power flow, the "
         "transport model ignores it; blank for the DC line (controllable; its R Line of "
         "5 ohm is on the DC side and is not kept)", "H"),
        ("lines.csv", "*", "r_pu", "", f"branch.csv R, {BASE}; blank for the DC line", "H"),
        ("loads.csv", "*", "bus", "", "one load per bus with MW Load > 0 in bus.csv (51 of "
         "the 73 buses)", "H"),
    ]


def _fuel_rows(units: pd.DataFrame, fuels: pd.DataFrame) -> list[tuple]:
    rows = [("fuels.csv", "*", "gj_per_unit", "1.05505585262",
             f"{BTU}: fuel use is counted in MMBtu, the RTS unit", "H")]
    for f in fuels.itertuples():
        members = units[units["fuel"] == f.name]
        kinds = ", ".join(f"{n} {t}/{fuel}" for (t, fuel), n in
                          members.groupby(["Unit Type", "Fuel"]).size().items())
        price = members["Fuel Price $/MMBTU"].iloc[0]
        lbs = members["Emissions CO2 Lbs/MMBTU"].iloc[0]
        rows += [
            ("fuels.csv", f.name, "price_per_gj", f"{f.price_per_gj:g}",
             f"gen.csv Fuel Price $/MMBTU {price:g} of its units ({kinds}) / 1.05505585262 "
             "GJ/MMBtu", "H"),
            ("fuels.csv", f.name, "co2_t_per_gj", f"{f.co2_t_per_gj:g}",
             f"gen.csv Emissions CO2 Lbs/MMBTU {lbs:g} of its units x 0.45359237 kg/lb / "
             "1.05505585262 GJ/MMBtu" + ("; a fuel of its own because the units of this RTS "
                                         "Fuel differ in CO2 rate or price" if "_" in f.name
                                         else ""), "H"),
        ]
    return rows


_GEN_RULES: tuple[tuple[str, str], ...] = (
    ("bus", "gen.csv Bus ID (names: gen.csv GEN UID; the 3 SYNC_COND units, 0 MW, are left "
            "out; the STORAGE unit is in storage.csv)"),
    ("carrier", "gen.csv Unit Type and Fuel: CC/NG gas_cc, CT/NG gas_ct, CT/Oil oil_ct, "
                "STEAM/Coal coal, STEAM/Oil oil_steam, NUCLEAR nuclear, HYDRO hydro, ROR "
                "hydro_ror, WIND wind, PV solar, RTPV solar_rooftop, CSP solar_csp"),
    ("p_nom_mw", "gen.csv PMax MW"),
    ("vom_per_mwh", "gen.csv VOM ($/MWh; 0 for every unit but the CSP unit)"),
    ("fuel", "gen.csv Fuel of the thermal units (CC, CT, STEAM, NUCLEAR); see fuels.csv"),
    ("heat_rate_gj_per_mwh",
     "average heat rate at PMax of gen.csv's curve: (P0 HR_avg_0 + sum_k (P_k - P_k-1) "
     "HR_incr_k) / PMax with P_k = Output_pct_k PMax, BTU/kWh x 0.00105505585262 GJ/MWh; "
     "blank for units without fuel. Not split into no-load and incremental fuel: a straight "
     "line through the curve's ends (PMin, PMax) gives a negative no-load fuel for 4 units "
     "(123_STEAM_2, 221_CC_1, 323_CC_1, 323_CC_2) whose curves are not convex, and a zero "
     "incremental rate for the nuclear unit; the average at PMax undercounts fuel at part "
     "load (e.g. 101_CT_1: 13,114 BTU/kWh at PMin against 11,102 at PMax)"),
    ("co2_t_per_mwh", "blank = heat rate x the fuel's co2_t_per_gj"),
    ("ramp_up_pu_per_h",
     "gen.csv Ramp Rate MW/Min x 60 / PMax MW (one rate up and down); blank where this is "
     "1 p.u./h or more (no limit within an hour): only the CC units (0.6997) and the 350 MW "
     "coal units (0.6857) are limited"),
    ("ramp_down_pu_per_h", "as ramp_up_pu_per_h"),
)

_P_MIN = ("gen.csv PMin MW / PMax MW for the thermal units (their minimum stable output when "
          "committed); 1 for the units whose DAY_AHEAD PMin MW series is their PMax MW series "
          "in timeseries_pointers.csv (the 20 hydro and 31 rooftop PV units: the RTS fixes "
          "their output to the profile); 0 for wind, PV and CSP")
_P_MIN_LP = ("as an LP without commitment (--lp): 0 for the thermal units (a minimum output "
             "without commitment would force every unit on all year); 1 for the units whose "
             "DAY_AHEAD PMin MW series is their PMax MW series in timeseries_pointers.csv (the "
             "20 hydro and 31 rooftop PV units: the RTS fixes their output to the profile); 0 "
             "for wind, PV and CSP")

_UC_RULES: tuple[tuple[str, str], ...] = (
    ("committable", "true for the thermal units (CC, CT, STEAM, NUCLEAR), false otherwise "
                    "(CSP is dispatched as a solar plant without commitment)"),
    ("unit_size_mw", "= PMax MW: one unit per row, as in gen.csv"),
    ("min_up_h", "gen.csv Min Up Time Hr"),
    ("min_down_h", "gen.csv Min Down Time Hr"),
    ("startup_cost", "gen.csv Non Fuel Start Cost $ (0 for every thermal unit; the "
                     "shutdown cost, Non Fuel Shutdown Cost $, is 0 too and not written)"),
    ("startup_fuel_gj",
     "gen.csv Start Heat (MMBtu, the files' 'MBTU' headers; SourceData/README.md: million "
     "BTU) x 1.05505585262 of the state a unit is in when its minimum down time ends, the "
     "soonest it can restart: Cold if Min Down Time >= Start Time Cold, Warm if >= Start "
     "Time Warm, else Hot (CC and gas CTs cold, 350 MW coal warm, 76/155 MW coal, oil steam "
     "and nuclear hot; the nuclear unit's hot start heat 9999 is the file's placeholder); a "
     "unit restarting after a longer stop pays more in the RTS"),
    ("no_load_gj_per_h", "blank: the heat-rate curve is not split (see heat_rate_gj_per_mwh)"),
    ("units_on_initial", "blank = all units on at the start: the RTS gives no initial "
                         "commitment (its power-flow set point MW Inj has every thermal unit on)"),
    ("hours_in_state_initial", "blank: no time in state given, minimum up/down times bind "
                               "only after the first change"),
)


def _generator_rows(commitment: bool) -> list[tuple]:
    rules = [*_GEN_RULES, ("p_min_pu", _P_MIN if commitment else _P_MIN_LP)]
    if commitment:
        rules += _UC_RULES
    return [("generators.csv", "*", col, "", src, "H") for col, src in rules]


def _storage_rows() -> list[tuple]:
    return [
        ("storage.csv", "*", "name", "", "gen.csv STORAGE unit 313_STORAGE_1 (a 50 MW store "
         "with head and tail reservoirs in storage.csv)", "H"),
        ("storage.csv", "*", "bus", "", "gen.csv Bus ID", "H"),
        ("storage.csv", "*", "p_nom_mw", "", "gen.csv PMax MW (= its Pump Load MW)", "H"),
        ("storage.csv", "*", "e_nom_mwh", "", "storage.csv Max Volume GWh of the head "
         "reservoir x 1000 (the tail reservoir holds the same 0.15 GWh)", "H"),
        ("storage.csv", "*", "eff_charge", "", "square root of gen.csv Storage Roundtrip "
         "Efficiency (85 %): the round trip split evenly", "H"),
        ("storage.csv", "*", "eff_discharge", "", "as eff_charge", "H"),
        ("storage.csv", "*", "cyclic", "", "true: the state of charge ends where it starts "
         "(storage.csv's Initial Volume, half full, is not imposed); the CSP thermal store and "
         "the hydro reservoirs of storage.csv are not modelled (see availability_pu.csv)", "M"),
    ]


def _series_rows(load: pd.DataFrame, inflow: pd.DataFrame, gens: pd.DataFrame
                 ) -> list[tuple]:
    total = load.sum(axis=1)
    rows = [
        ("load_mw.csv", "*", "*",
         f"{total.sum() / 1e6:.3f} TWh; peak {total.max():,.0f} MW at "
         f"{total.idxmax():%Y-%m-%d %H:%M}",
         "DAY_AHEAD_regional_Load.csv (Load/) column of the bus's area x the bus's share of "
         "its area's MW Load in bus.csv (the RTS rule, timeseries_data_files/README.md), to "
         "0.01 MW", "H"),
        ("availability_pu.csv", "*", "*", "",
         "the unit's DAY_AHEAD PMax MW series (WIND/, PV/, RTPV/, Hydro/ files via "
         "timeseries_pointers.csv) / its gen.csv PMax MW, to 4 decimals", "H"),
    ]
    pmax_of = gens.set_index("name")["p_nom_mw"]
    for name, series in inflow.items():
        pmax = float(pmax_of[name])
        lost = (series - series.clip(upper=pmax)).sum() / series.sum()
        rows.append(("availability_pu.csv", "*", name, f"{lost:.1%} of the inflow spilled",
                     "CSP/DAY_AHEAD_Natural_Inflow.csv (the solar power reaching the plant, up "
                     f"to {series.max() / pmax:.2f} x PMax) / PMax MW, clipped at 1: its "
                     "1.2 GWh thermal store is not modelled, so the energy above PMax is "
                     "spilled", "M"))
    return rows
