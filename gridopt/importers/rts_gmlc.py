"""Build a gridopt case from the RTS-GMLC test system (NREL / GridMod, the ``RTS_Data`` folder).

:func:`convert` reads ``SourceData/*.csv`` and the ``DAY_AHEAD`` (hourly) series that
``SourceData/timeseries_pointers.csv`` names, and returns the case's files as text (file name →
text), so that a shipped case can be compared with a fresh conversion byte for byte
(``gridopt import rts-gmlc PATH --out CASE --check``). The mapping, one rule per column
(each rule is also a row of the case's ``sources.csv``, :mod:`gridopt.importers.rts_gmlc_text`):

- buses: one per ``bus.csv`` row, named by its Bus ID; x, y = lng, lat; the RTS-96 name, area,
  sub-area, zone, kV and MW load in ``description``.
- lines: ``branch.csv`` (AC lines and transformers) with ``cap_fwd_mw`` = Cont Rating (both
  directions), ``x_pu``/``r_pu`` = X/R (p.u. on 100 MVA); ``dc_branch.csv`` as lines of its
  MW Load (the scheduled power) both ways, without reactance.
- generators: one row per unit of ``gen.csv`` (synchronous condensers and the storage unit
  left out); carrier from Unit Type and Fuel (:data:`CARRIERS`); p_nom = PMax; thermal units
  (CC, CT, STEAM, NUCLEAR) burn a fuel at their average heat rate at PMax, are committable with
  p_min_pu = PMin/PMax, min up/down, start heat of the state at the end of the minimum down
  time and non-fuel start cost; ramp = MW/min · 60 / PMax per hour (blank from 1 p.u./h up);
  units whose DAY_AHEAD PMin series is their PMax series (hydro, rooftop PV) must take it
  (p_min_pu 1); wind, PV, CSP and hydro follow their hourly profile / PMax (CSP's natural
  inflow clipped at PMax: its thermal storage is not modelled).
- fuels: one per fuel (split by unit type where units of one fuel differ in price or CO2 rate),
  $/MMBtu → USD/GJ, CO2 lb/MMBtu → t/GJ, unit MMBtu.
- storage: the STORAGE unit with the volume of its head reservoir and √ of its round-trip
  efficiency each way.
- loads: one per bus with MW Load > 0, hourly = its area's DAY_AHEAD regional load × the bus's
  share of the area's MW Load (the RTS rule), in MW to 0.01.

``commitment=False`` (``--lp``) leaves out the unit-commitment columns and the thermal units'
minimum output (p_min_pu 0): a pure LP dispatch of the same system.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gridopt.importers import rts_gmlc_text as text

#: GJ in one MMBtu (the International Table Btu, 1055.05585262 J).
GJ_PER_MMBTU = 1.05505585262
#: tonnes in one pound (avoirdupois).
T_PER_LB = 0.00045359237
#: Carrier of each (Unit Type, Fuel) of gen.csv.
CARRIERS: dict[tuple[str, str], str] = {
    ("CC", "NG"): "gas_cc", ("CT", "NG"): "gas_ct", ("CT", "Oil"): "oil_ct",
    ("STEAM", "Coal"): "coal", ("STEAM", "Oil"): "oil_steam",
    ("NUCLEAR", "Nuclear"): "nuclear", ("HYDRO", "Hydro"): "hydro",
    ("ROR", "Hydro"): "hydro_ror", ("WIND", "Wind"): "wind", ("PV", "Solar"): "solar",
    ("RTPV", "Solar"): "solar_rooftop", ("CSP", "Solar"): "solar_csp",
}
#: Unit types that burn a fuel and are committed (one unit per row).
THERMAL = ("CC", "CT", "STEAM", "NUCLEAR")
#: Unit types of gen.csv that are not generators of the case, and why.
LEFT_OUT = {"SYNC_COND": "synchronous condenser (0 MW active power)",
            "STORAGE": "written to storage.csv"}
#: The unit-commitment columns of generators.csv, in order.
COMMITMENT_COLUMNS = ("committable", "unit_size_mw", "min_up_h", "min_down_h", "startup_cost",
                      "startup_fuel_gj", "no_load_gj_per_h", "units_on_initial",
                      "hours_in_state_initial")
SIMULATION = "DAY_AHEAD"
NOTICE = "LICENSE_DATA_USE_DISCLAIMER.md"
NOTICE_HEADING = "## DATA USE DISCLAIMER AGREEMENT"


class RtsGmlcError(ValueError):
    """The folder is not an RTS-GMLC data folder this importer can read."""


@dataclass(frozen=True)
class RtsData:
    """The RTS-GMLC source tables and the DAY_AHEAD series (snapshot × column, MW)."""

    root: Path
    buses: pd.DataFrame
    branches: pd.DataFrame
    dc_branches: pd.DataFrame
    gens: pd.DataFrame
    storage: pd.DataFrame
    pointers: pd.DataFrame
    notice: str

    def series(self, category: str, parameter: str) -> pd.DataFrame:
        """The DAY_AHEAD values of ``parameter`` for every object of ``category``: one column
        per object, named as in its file (a storage's inflow by its unit), indexed by
        hour-beginning timestamps."""
        rows = self.pointers[(self.pointers["Category"] == category)
                             & (self.pointers["Parameter"] == parameter)]
        columns = {}
        for data_file, group in rows.groupby("Data File", sort=True):
            frame = _read_series(_resolve(self.root / "SourceData", str(data_file)))
            for obj in group["Object"]:
                column = self._column(obj, frame)
                columns[column] = frame[column]
        return pd.DataFrame(columns)

    def _column(self, obj: str, frame: pd.DataFrame) -> str:
        if obj in frame:
            return obj
        unit = self.storage.loc[self.storage["Storage"] == obj, "GEN UID"]  # CSP inflow
        if len(unit) == 1 and unit.iloc[0] in frame:
            return str(unit.iloc[0])
        raise RtsGmlcError(f"no column for {obj!r} in its DAY_AHEAD series file")


def read_rts(path: str | Path) -> RtsData:
    """Read an RTS-GMLC folder: ``RTS_Data`` itself, a folder holding it, or a copy with
    ``SourceData/`` and ``timeseries_data_files/`` side by side."""
    root = Path(path)
    if not (root / "SourceData").is_dir() and (root / "RTS_Data" / "SourceData").is_dir():
        root = root / "RTS_Data"
    src = root / "SourceData"
    if not src.is_dir():
        raise RtsGmlcError(f"{path}: no SourceData folder (give the RTS_Data folder of "
                           "GridMod/RTS-GMLC)")
    read = {n: pd.read_csv(src / f"{n}.csv", dtype={"GEN UID": str, "Storage": str})
            for n in ("bus", "branch", "dc_branch", "gen", "storage", "timeseries_pointers")}
    pointers = read["timeseries_pointers"]
    pointers = pointers[pointers["Simulation"] == SIMULATION].astype({"Object": str})
    return RtsData(root, read["bus"], read["branch"], read["dc_branch"], read["gen"],
                   read["storage"], pointers, _notice(root))


def _notice(root: Path) -> str:
    """NREL's Data Use Disclaimer Agreement, which must go with every copy of the data."""
    for folder in (root, root.parent):
        if (folder / NOTICE).is_file():
            return (folder / NOTICE).read_text(encoding="utf-8")
        for name in ("README.md", "README_upstream.md"):  # upstream: the README's last part
            body = (folder / name).read_text(encoding="utf-8") \
                if (folder / name).is_file() else ""
            if NOTICE_HEADING in body:
                return body[body.index(NOTICE_HEADING):]
    raise RtsGmlcError(f"{root}: NREL's data use notice ({NOTICE}, or the upstream README.md) "
                       "was not found; it must go with every copy of the data")


def _resolve(base: Path, relative: str) -> Path:
    """``base / relative`` with each part matched case-insensitively (the pointers say
    ``HYDRO/`` where the folder is ``Hydro/``)."""
    path = base
    for part in Path(relative).parts:
        if part in (".", ".."):
            path = path.parent if part == ".." else path
            continue
        exact = path / part
        if exact.exists():
            path = exact
            continue
        match = [p for p in path.iterdir() if p.name.lower() == part.lower()] \
            if path.is_dir() else []
        if len(match) != 1:
            raise RtsGmlcError(f"series file {relative!r} not found under {base}")
        path = match[0]
    return path


def _read_series(path: Path) -> pd.DataFrame:
    """A DAY_AHEAD file (Year, Month, Day, Period 1-24, one column per object) indexed by the
    hour-beginning timestamp of each period; checked to be consecutive hours."""
    frame = pd.read_csv(path)
    frame.columns = [str(c) for c in frame.columns]
    day = pd.to_datetime(frame[["Year", "Month", "Day"]].rename(columns=str.lower))
    stamps = day + pd.to_timedelta(frame["Period"] - 1, unit="h")
    if len(stamps) < 2 or not (np.diff(stamps.to_numpy()) == np.timedelta64(1, "h")).all():
        raise RtsGmlcError(f"{path.name}: the rows are not consecutive hours")
    return frame.drop(columns=["Year", "Month", "Day", "Period"]).set_index(
        pd.DatetimeIndex(stamps, name="snapshot"))


# -- the case tables ----------------------------------------------------------------------


def buses(rts: RtsData) -> pd.DataFrame:
    b = rts.buses
    description = [f"{r['Bus Name']}; area {r['Area']}; sub-area {r['Sub Area']:g}; zone "
                   f"{r['Zone']:g}; {r['BaseKV']:g} kV; MW load {r['MW Load']:g}"
                   for _, r in b.iterrows()]
    return pd.DataFrame({"name": b["Bus ID"].astype(str), "x": b["lng"], "y": b["lat"],
                         "description": description})


def lines(rts: RtsData) -> pd.DataFrame:
    ac = rts.branches
    kind = np.where(ac["Tr Ratio"] > 0, "transformer, ratio " + ac["Tr Ratio"].astype(str),
                    "AC line, " + ac["Length"].astype(str) + " mi")
    ac_rows = pd.DataFrame({"name": ac["UID"], "bus0": ac["From Bus"].astype(str),
                            "bus1": ac["To Bus"].astype(str),
                            "cap_fwd_mw": ac["Cont Rating"].astype(float),
                            "x_pu": ac["X"], "r_pu": ac["R"], "description": kind})
    dc = rts.dc_branches
    dc_rows = pd.DataFrame({"name": dc["UID"], "bus0": dc["From Bus"].astype(str),
                            "bus1": dc["To Bus"].astype(str),
                            "cap_fwd_mw": dc["MW Load"].astype(float),
                            "x_pu": np.nan, "r_pu": np.nan,
                            "description": "DC line (controllable), " + dc["Control Mode"]
                            + " control"})
    return pd.concat([ac_rows, dc_rows], ignore_index=True)


def kept_units(rts: RtsData) -> pd.DataFrame:
    """The units of gen.csv that become generators, with their carrier; unknown kinds refused."""
    g = rts.gens
    g = g[~g["Unit Type"].isin(list(LEFT_OUT))].copy()
    keys = list(zip(g["Unit Type"], g["Fuel"], strict=True))
    unknown = sorted({k for k in keys if k not in CARRIERS})
    if unknown:
        raise RtsGmlcError(f"gen.csv: unit type and fuel not known to the importer: {unknown}")
    g["carrier"] = [CARRIERS[k] for k in keys]
    return g.set_index("GEN UID")


def fuel_names(units: pd.DataFrame) -> pd.Series:
    """The fuel of each thermal unit: Fuel lower-case, or Fuel_UnitType where the units of one
    Fuel differ in price or CO2 rate (oil: 160 lb/MMBtu in CTs, 170 in steam units)."""
    thermal = units[units["Unit Type"].isin(THERMAL)]
    key = thermal[["Fuel Price $/MMBTU", "Emissions CO2 Lbs/MMBTU"]].apply(tuple, axis=1)
    split = key.groupby(thermal["Fuel"]).nunique() > 1
    return pd.Series([f"{f}_{t}".lower() if split[f] else f.lower()
                      for f, t in zip(thermal["Fuel"], thermal["Unit Type"], strict=True)],
                     index=thermal.index)


def fuels(units: pd.DataFrame) -> pd.DataFrame:
    names = fuel_names(units)
    first = units.loc[names.index].groupby(names.to_numpy()).first()
    return pd.DataFrame({
        "name": first.index,
        "price_per_gj": (first["Fuel Price $/MMBTU"] / GJ_PER_MMBTU).round(6).to_numpy(),
        "co2_t_per_gj": (first["Emissions CO2 Lbs/MMBTU"] * T_PER_LB / GJ_PER_MMBTU)
        .round(8).to_numpy(),
        "gj_per_unit": GJ_PER_MMBTU, "unit": "MMBtu"})


def heat_rate_at_pmax(units: pd.DataFrame) -> pd.Series:
    """Average heat rate at PMax, BTU/kWh: (P₀ · HR_avg_0 + Σ_k (P_k − P_{k−1}) HR_incr_k) / Pmax
    with P_k = Output_pct_k · PMax, over the points given (blank ones left out)."""
    pmax = units["PMax MW"]
    fuel = pd.Series(0.0, index=units.index)
    previous = pd.Series(0.0, index=units.index)
    for k in range(10):
        pct = f"Output_pct_{k}"
        rate = "HR_avg_0" if k == 0 else f"HR_incr_{k}"
        if pct not in units or rate not in units:
            break
        point = units[pct] * pmax
        given = units[pct].notna() & units[rate].notna()
        fuel += np.where(given, (point - previous) * units[rate], 0.0)
        previous = previous.where(~given, point)
    return fuel / pmax


def start_state(units: pd.DataFrame) -> pd.Series:
    """The heat state in which a unit can restart soonest: the state reached when its minimum
    down time ends (cold if Min Down ≥ Start Time Cold, warm if ≥ Start Time Warm, else hot)."""
    down = units["Min Down Time Hr"]
    return pd.Series(np.where(down >= units["Start Time Cold Hr"], "Cold",
                              np.where(down >= units["Start Time Warm Hr"], "Warm", "Hot")),
                     index=units.index)


def generators(rts: RtsData, commitment: bool) -> pd.DataFrame:
    units = kept_units(rts)
    thermal = units["Unit Type"].isin(THERMAL)
    pmax = units["PMax MW"].astype(float)
    must_take = _must_take(rts, units.index)
    ramp = (units["Ramp Rate MW/Min"] * 60.0 / pmax).round(6)
    ramp = ramp.where(ramp < 1.0)  # 1 p.u./h or more: no limit within an hour
    p_min = np.where(must_take, 1.0,
                     np.where(thermal & commitment, (units["PMin MW"] / pmax).round(6), 0.0))
    hr = (heat_rate_at_pmax(units) * GJ_PER_MMBTU / 1000.0).round(6)
    table = pd.DataFrame({
        "name": units.index, "bus": units["Bus ID"].astype(str).to_numpy(),
        "carrier": units["carrier"].to_numpy(), "p_nom_mw": pmax.to_numpy(),
        "p_min_pu": p_min, "vom_per_mwh": units["VOM"].astype(float).to_numpy(),
        "fuel": fuel_names(units).reindex(units.index).fillna("").to_numpy(),
        "heat_rate_gj_per_mwh": hr.where(thermal).to_numpy(),
        "ramp_up_pu_per_h": ramp.to_numpy(), "ramp_down_pu_per_h": ramp.to_numpy()})
    if commitment:
        table = pd.concat([table, _commitment(units, thermal)], axis=1)
    return table


def _must_take(rts: RtsData, names: pd.Index) -> np.ndarray:
    """Units whose DAY_AHEAD PMin is the same series file as their PMax (RTS fixes their output
    to the profile: hydro and rooftop PV)."""
    p = rts.pointers[rts.pointers["Category"] == "Generator"]
    files = {par: p[p["Parameter"] == par].set_index("Object")["Data File"]
             for par in ("PMin MW", "PMax MW")}
    same = files["PMin MW"].eq(files["PMax MW"].reindex(files["PMin MW"].index))
    return names.isin(same[same].index)


def _commitment(units: pd.DataFrame, thermal: pd.Series) -> pd.DataFrame:
    state = start_state(units)
    heat = [units.at[n, f"Start Heat {s} MBTU"] for n, s in state.items()]
    blank = np.full(len(units), np.nan)
    cols = {
        "committable": np.where(thermal, "true", "false"),
        "unit_size_mw": units["PMax MW"].astype(float).where(thermal).to_numpy(),
        "min_up_h": units["Min Up Time Hr"].astype(float).where(thermal).to_numpy(),
        "min_down_h": units["Min Down Time Hr"].astype(float).where(thermal).to_numpy(),
        "startup_cost": units["Non Fuel Start Cost $"].astype(float).where(thermal).to_numpy(),
        "startup_fuel_gj": (pd.Series(heat, index=units.index) * GJ_PER_MMBTU).round(4)
        .where(thermal).to_numpy(),
        "no_load_gj_per_h": blank, "units_on_initial": blank, "hours_in_state_initial": blank,
    }
    return pd.DataFrame(cols)


def storage(rts: RtsData) -> pd.DataFrame:
    units = rts.gens[rts.gens["Unit Type"] == "STORAGE"].set_index("GEN UID")
    head = rts.storage[rts.storage["position"] == "head"].set_index("GEN UID")
    rows = []
    for name, u in units.iterrows():
        if u["Pump Load MW"] != u["PMax MW"]:
            raise RtsGmlcError(f"{name}: pump load {u['Pump Load MW']} MW differs from PMax "
                               f"{u['PMax MW']} MW (one power rating per store)")
        eff = round(math.sqrt(u["Storage Roundtrip Efficiency"] / 100.0), 6)
        rows.append({"name": name, "bus": str(u["Bus ID"]), "carrier": "storage",
                     "p_nom_mw": float(u["PMax MW"]),
                     "e_nom_mwh": float(head.at[name, "Max Volume GWh"]) * 1000.0,
                     "eff_charge": eff, "eff_discharge": eff, "cyclic": "true"})
    return pd.DataFrame(rows)


def bus_load_shares(rts: RtsData) -> pd.DataFrame:
    """Each bus with load: its area and its share of the area's MW Load."""
    b = rts.buses[rts.buses["MW Load"] > 0]
    total = rts.buses.groupby("Area")["MW Load"].sum()
    return pd.DataFrame({"bus": b["Bus ID"].astype(str).to_numpy(),
                         "area": b["Area"].astype(str).to_numpy(),
                         "share": (b["MW Load"] / b["Area"].map(total)).to_numpy()})


def load_series(rts: RtsData) -> pd.DataFrame:
    shares = bus_load_shares(rts)
    regional = rts.series("Area", "MW Load")
    values = regional[shares["area"]].to_numpy() * shares["share"].to_numpy()
    return pd.DataFrame(np.round(values, 2), index=regional.index,
                        columns=("load_" + shares["bus"]).tolist())


def availability(rts: RtsData, gens: pd.DataFrame, inflow: pd.DataFrame) -> pd.DataFrame:
    """profile / PMax, clipped to [0, 1], to 4 decimals, for every unit with a profile (the
    PMax MW series, or the natural ``inflow`` of a CSP unit)."""
    pmax = gens.set_index("name")["p_nom_mw"]
    profiles = pd.concat([rts.series("Generator", "PMax MW"), inflow], axis=1)
    kept = [c for c in gens["name"] if c in profiles]
    return (profiles[kept] / pmax[kept]).clip(0.0, 1.0).round(4)


# -- the files ----------------------------------------------------------------------------


def convert(path: str | Path, commitment: bool | None = None) -> dict[str, str]:
    """The case's files (name → text) from the RTS-GMLC folder ``path``.

    ``commitment`` None: the unit-commitment columns are written if this gridopt's
    generators table has them (``committable``); False: a pure LP dispatch (``--lp``).
    """
    if commitment is None:
        commitment = commitment_supported()
    rts = read_rts(path)
    gens = generators(rts, commitment)
    load = load_series(rts)
    inflow = rts.series("Generator", "Natural_Inflow")
    avail = availability(rts, gens, inflow)
    if not (avail.index.equals(load.index) and inflow.index.equals(load.index)):
        raise RtsGmlcError("the DAY_AHEAD load and generator series cover different hours")
    units = kept_units(rts)
    units["fuel"] = fuel_names(units).reindex(units.index).fillna("")
    tables = {"buses": buses(rts), "lines": lines(rts), "fuels": fuels(units),
              "generators": gens, "storage": storage(rts),
              "loads": pd.DataFrame({"name": load.columns,
                                     "bus": [c.removeprefix("load_") for c in load.columns]})}
    files = {f"{k}.csv": _csv(v) for k, v in tables.items()}
    files["load_mw.csv"] = _series_csv(load)
    files["availability_pu.csv"] = _series_csv(avail)
    files["case.yaml"] = text.case_yaml(load.index[0], len(load))
    files["sources.csv"] = _csv(text.sources(tables, units, load, inflow, commitment))
    files[NOTICE] = rts.notice
    return files


def commitment_supported() -> bool:
    from gridopt.case.schema import TABLES

    return all(any(c.name == name for c in TABLES["generators"])
               for name in COMMITMENT_COLUMNS)


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def _series_csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    out.index = out.index.strftime("%Y-%m-%d %H:%M")
    return out.rename_axis("snapshot").to_csv(lineterminator="\n")


def differences(files: dict[str, str], folder: str | Path) -> list[str]:
    """The files that are missing from ``folder`` or differ from ``files``."""
    folder = Path(folder)
    return [n for n, body in files.items()
            if not (folder / n).is_file() or (folder / n).read_text(encoding="utf-8") != body]


def write(files: dict[str, str], folder: str | Path) -> Path:
    """Write ``files`` into ``folder`` (made if missing). A non-empty folder is refused unless
    it already holds an RTS-GMLC case (its ``case.yaml`` says ``name: rts-gmlc``); only the
    files of ``files`` are replaced, others (a README) are kept."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise RtsGmlcError(f"{folder} is not a folder")
    if folder.exists() and any(folder.iterdir()) and not _is_rts_case(folder):
        raise RtsGmlcError(f"{folder} is not empty and holds no RTS-GMLC case: give a new or "
                           "empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


def _is_rts_case(folder: Path) -> bool:
    config = folder / "case.yaml"
    return config.is_file() and "\nname: rts-gmlc\n" in config.read_text(encoding="utf-8")
