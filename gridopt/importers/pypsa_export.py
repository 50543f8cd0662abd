"""Write a gridopt case as a PyPSA network (``gridopt export pypsa CASE --out PATH``).

:func:`export` returns a ``pypsa.Network`` whose optimum is the case's: solved by PyPSA it
gives gridopt's objective less :attr:`Export.offset`, the fixed O&M of existing capacity
(a constant of gridopt's objective that PyPSA's leaves out: PyPSA charges ``capital_cost``
only on capacity built). What the network cannot express is refused with a
:class:`~gridopt.importers.pypsa.PypsaError` naming table, element and column; nothing is
dropped silently. The mapping (the inverse of :mod:`gridopt.importers.pypsa`; the table both
ways is ``docs/pypsa.md``):

- snapshots: the case's timestamps; ``snapshot_weightings``: objective and generators = w_t
  (``Case.weights``), stores = Δt_t (``Case.durations``).
- money: ``capital_cost`` = CRF(r, n) · capex + fixed O&M per MW-year (MWh-year for stores)
  on extendable components (PyPSA charges it on p_nom_opt − p_nom, gridopt on new capacity;
  ``p_nom_min`` = ``p_nom`` keeps the existing capacity); ``marginal_cost`` = vom + fuel
  price × heat rate (the ``price_per_mwh`` series where given).
- buses: electricity → carrier ``AC`` (v_nom 10 kV, so that x in Ω equals gridopt's x_pu on
  100 MVA: PyPSA's x_pu = x / v_nom² = x_pu / 100); other carriers by name.
  ``load_shedding`` true (case and bus): one generator ``<bus> load shedding`` per
  electricity bus with load, p_nom = its peak load, p_max_pu = load / peak, marginal cost =
  VOLL (gridopt's shedding variable, 0 ≤ shed ≤ load).
- generators: p_nom, extendable (p_nom_min = p_nom), p_nom_max, p_min_pu (a series
  min(p_min_pu, a_t) where the availability falls below it, as gridopt caps the floor),
  availability → p_max_pu series, ramp limits × step_h (per snapshot), committable (one unit
  only: unit_size_mw = p_nom_mw): min up/down ⌈h / step_h⌉ snapshots, start-up cost × w / Δt
  (PyPSA does not weight starts; gridopt by w_t / Δt) plus the start-up fuel's cost, no-load
  fuel cost → stand_by_cost, initial state → up_time_before / down_time_before; emissions:
  a carrier per generator carrier with co2_emissions = the largest e_g of that carrier, and
  efficiency = that / e_g.
- lines: under ``kvl``/``ptdf`` AC lines (with x_pu) → Line x = x_pu, r = r_pu, s_nom =
  cap_fwd_mw (cap_rev_mw must equal it); extendable → s_nom_extendable; lines without x_pu,
  and every line under ``transport``, → lossless links (p_min_pu = −cap_rev / cap_fwd).
- links, stores: column for column (e_initial = e_initial_pu × e_nom_mwh).
- storage with ``duration_h`` → StorageUnit (max_hours = duration_h); without (energy apart
  from power), not extendable → a Store on a bus ``<name> storage`` with a charging and a
  discharging link (p_nom of discharge = P / η_d, its capacity being at its input).
- targets: enforced ``co2_max`` → GlobalConstraint primary_energy ≤ bound − other (t CO2);
  reported targets are left out (warned); other enforced kinds are refused.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.schema import TABLES
from gridopt.case.units import convert as convert_unit
from gridopt.components._common import annuity
from gridopt.importers.pypsa import PypsaError

#: v_nom (kV) of exported AC buses: with it PyPSA's x (Ω) is gridopt's x_pu (100 MVA base).
V_NOM = 10.0
HEADING = "the case cannot be written as a PyPSA network exactly"
#: Tables of families the network has no counterpart for (refused when not empty).
NOT_MAPPED = ("interruptible", "shiftable", "ev_fleets", "self_owned_plants", "electrolysers",
              "flexible_buildings", "vpps", "reserves", "pathway_changes")
#: Columns of each exported table that the mapping reads (others must keep their default).
READ: dict[str, set[str]] = {
    "buses": {"carrier", "x", "y", "voll_per_mwh", "load_shedding"},
    "generators": {"bus", "carrier", "p_nom_mw", "extendable", "p_nom_max_mw", "p_min_pu",
                   "p_max_pu", "capex_per_mw", "lifetime_yr", "fom_per_mw_yr", "vom_per_mwh",
                   "fuel", "heat_rate_gj_per_mwh", "co2_t_per_mwh", "ramp_up_pu_per_h",
                   "ramp_down_pu_per_h", "committable", "unit_size_mw", "min_up_h",
                   "min_down_h", "startup_cost", "shutdown_cost", "startup_fuel_gj",
                   "no_load_gj_per_h", "startup_ramp_pu", "shutdown_ramp_pu",
                   "units_on_initial", "hours_in_state_initial", "provides_reserve"},
    "lines": {"bus0", "bus1", "cap_fwd_mw", "cap_rev_mw", "x_pu", "r_pu", "extendable",
              "cap_max_mw", "capex_per_mw", "lifetime_yr", "fom_per_mw_yr"},
    "links": {"bus0", "bus1", "carrier", "efficiency", "bus2", "efficiency2", "bus3",
              "efficiency3", "p_nom_mw", "extendable", "p_nom_max_mw", "p_min_pu", "p_max_pu",
              "capex_per_mw", "lifetime_yr", "fom_per_mw_yr", "marginal_cost_per_mwh",
              "ramp_up_pu_per_h", "ramp_down_pu_per_h"},
    "storage": {"bus", "carrier", "p_nom_mw", "e_nom_mwh", "extendable", "duration_h",
                "p_nom_max_mw", "e_nom_max_mwh", "capex_per_mw", "capex_per_mwh",
                "lifetime_yr", "fom_per_mw_yr", "vom_per_mwh", "eff_charge", "eff_discharge",
                "standing_loss_per_h", "cyclic", "soc_initial_pu", "provides_reserve"},
    "stores": {"bus", "carrier", "e_nom_mwh", "extendable", "e_nom_max_mwh", "capex_per_mwh",
               "lifetime_yr", "fom_per_mwh_yr", "standing_loss_per_h", "cyclic",
               "e_initial_pu", "marginal_cost_per_mwh"},
    "loads": {"bus"},
    "fuels": {"price_per_gj", "co2_t_per_gj", "gj_per_unit", "unit"},
    "targets": {"year", "kind", "bound", "unit", "baseline", "change_pct", "other", "enforce",
                "name_en", "name_zh", "scope"},
}
FREE_TEXT = {"source", "note", "notes", "comment", "comments", "description", "name"}


@dataclass
class Export:
    """The network, the constant gridopt's objective has on top of PyPSA's, and warnings."""

    network: Any
    offset: float = 0.0
    warnings: list[str] = field(default_factory=list)


def export(case: Case | str | Path) -> Export:
    """The case as a ``pypsa.Network`` (see the module docstring for the mapping)."""
    from gridopt.case.io import read_case

    case = case if isinstance(case, Case) else read_case(case)
    return _Exporter(case).run()


def write_network(network: Any, path: str | Path) -> Path:
    """Write ``network`` as netCDF (a path ending ``.nc``) or as a CSV folder (any other)."""
    path = Path(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if path.suffix == ".nc":
            network.export_to_netcdf(str(path))
        else:
            network.export_to_csv_folder(str(path))
    return path


class _Exporter:
    def __init__(self, case: Case) -> None:
        import pypsa

        self.case = case
        self.n = pypsa.Network()
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.offset = 0.0
        self.r = float(case.discount_rate)

    def refuse(self, table: str, name: str, column: str, why: str) -> None:
        self.problems.append(f"{table}.csv {name!r} column {column!r}: {why}")

    def table(self, name: str) -> pd.DataFrame:
        return self.case.table(name)

    # -- checks ----------------------------------------------------------------------------
    def check_scope(self) -> None:
        case = self.case
        if case.periods is not None:
            self.problems.append("the case is aggregated into representative periods: export "
                                 "the full case")
        for key in ("pathway", "peak_response"):
            if case.config.get(key):
                self.problems.append(f"case.yaml {key!r}: not mapped to PyPSA")
        for name in NOT_MAPPED:
            table = self.table(name)
            if not table.empty:
                self.problems.append(f"{name}.csv: {len(table)} row(s) of a family PyPSA has "
                                     "no component for (not mapped)")
        if not np.allclose(case.weights, case.weights[0]):
            self.problems.append("snapshot weights differ (not mapped)")
        for name, read in READ.items():
            table = self.table(name)
            defaults = {c.name: c.default for c in TABLES[name]}
            for column in table.columns:
                if column in read or column in FREE_TEXT or column not in defaults:
                    continue
                for elem, value in table[column].items():
                    if not _default(value, defaults[column]):
                        self.refuse(name, str(elem), column, f"{value!r} (not mapped to PyPSA)")

    # -- elements --------------------------------------------------------------------------
    def snapshots(self) -> None:
        n, case = self.n, self.case
        n.set_snapshots(case.snapshots)
        n.snapshot_weightings.loc[:, "objective"] = case.weights
        n.snapshot_weightings.loc[:, "generators"] = case.weights
        n.snapshot_weightings.loc[:, "stores"] = case.durations
        self.w, self.dt = float(case.weights[0]), float(case.step_h)

    def capital(self, row: pd.Series, capex: str = "capex_per_mw",
                fom: str = "fom_per_mw_yr", existing: float = 0.0) -> float:
        """CRF · capex + fixed O&M per unit-year; the fixed O&M of ``existing`` is the offset."""
        self.offset += float(row.get(fom, 0.0)) * existing
        crf = float(annuity(self.r, float(row["lifetime_yr"])))
        return crf * float(row[capex]) + float(row.get(fom, 0.0))

    def buses(self) -> None:
        self.electric = set()
        for name, row in self.table("buses").iterrows():
            carrier = str(row.get("carrier", "electricity"))
            electric = carrier in ("electricity", "AC", "DC", "")
            if electric:
                self.electric.add(name)
            self.n.add("Bus", name, carrier="AC" if electric else carrier,
                       v_nom=V_NOM, x=_num(row.get("x")), y=_num(row.get("y")))
            if not electric and carrier not in self.n.carriers.index:
                self.n.add("Carrier", carrier)

    def loads(self) -> None:
        load = self.case.series["load_mw"]
        for name, row in self.table("loads").iterrows():
            self.n.add("Load", name, bus=row["bus"], p_set=load[name].to_numpy(float))
        self.shedding(load)

    def shedding(self, load: pd.DataFrame) -> None:
        if not bool(self.case.config.get("load_shedding", True)):
            return
        buses = self.table("buses")
        loads = self.table("loads")
        for bus in buses.index:
            allowed = bool(buses.loc[bus].get("load_shedding", True))
            names = loads.index[loads["bus"] == bus]
            if not allowed or bus not in self.electric or len(names) == 0:
                continue
            total = load[names].sum(axis=1).to_numpy(float)
            peak = float(total.max())
            if peak <= 0:
                continue
            voll = float(buses.loc[bus].get("voll_per_mwh", math.inf))
            voll = self.case.voll_per_mwh if not math.isfinite(voll) else voll
            self.n.add("Generator", f"{bus} load shedding", bus=bus, carrier="load shedding",
                       p_nom=peak, p_max_pu=total / peak, marginal_cost=voll)
            self.warnings.append(f"bus {bus!r} may shed load: written as generator "
                                 f"'{bus} load shedding' at VOLL {voll:g}")

    def emission_factors(self) -> pd.Series:
        gens, fuels = self.table("generators"), self.table("fuels")
        e = gens["co2_t_per_mwh"].astype(float).copy()
        for name, row in gens.iterrows():
            if math.isnan(e[name]):
                fuel = row.get("fuel", "")
                e[name] = (float(row["heat_rate_gj_per_mwh"]) * float(fuels.loc[fuel,
                           "co2_t_per_gj"]) if fuel else 0.0)
        return e

    def generators(self) -> None:
        gens, fuels = self.table("generators"), self.table("fuels")
        avail = self.case.series["availability_pu"]
        price = self.case.series.get("price_per_mwh")
        e = self.emission_factors()
        carrier_co2 = e.groupby(gens["carrier"]).max()
        for carrier, co2 in carrier_co2.items():
            if carrier not in self.n.carriers.index:
                self.n.add("Carrier", carrier, co2_emissions=float(co2))
        for name, row in gens.iterrows():
            fuel = row.get("fuel", "")
            fuel_price = float(fuels.loc[fuel, "price_per_gj"]) if fuel else 0.0
            cost = float(row["vom_per_mwh"]) + fuel_price * float(row["heat_rate_gj_per_mwh"])
            marginal: Any = cost
            if price is not None and name in price:
                marginal = price[name].to_numpy(float)
            co2 = float(carrier_co2[row["carrier"]])
            if co2 > 0 and e[name] <= 0:
                self.refuse("generators", name, "co2_t_per_mwh", f"0 while carrier "
                            f"{row['carrier']!r} emits: PyPSA counts emissions by carrier "
                            "(give the generator its own carrier)")
            a = avail[name].to_numpy(float)
            p_min = float(row["p_min_pu"])
            ext = bool(row["extendable"])
            kw: dict[str, Any] = dict(
                bus=row["bus"], carrier=row["carrier"], p_nom=float(row["p_nom_mw"]),
                p_nom_extendable=ext, p_nom_min=float(row["p_nom_mw"]) if ext else 0.0,
                p_nom_max=float(row["p_nom_max_mw"]),
                p_min_pu=np.minimum(p_min, a) if (a < p_min).any() and not row["committable"]
                else p_min,
                p_max_pu=a if not np.allclose(a, a[0]) else float(a[0]),
                marginal_cost=marginal,
                efficiency=co2 / e[name] if co2 > 0 else 1.0,
                ramp_limit_up=_ramp(row["ramp_up_pu_per_h"], self.dt),
                ramp_limit_down=_ramp(row["ramp_down_pu_per_h"], self.dt),
                capital_cost=self.capital(row, existing=float(row["p_nom_mw"])) if ext else 0.0)
            if not ext:
                self.offset += float(row["fom_per_mw_yr"]) * float(row["p_nom_mw"])
            if bool(row["committable"]):
                kw.update(self.commitment(name, row, fuel_price))
            self.n.add("Generator", name, **kw)

    def commitment(self, name: str, row: pd.Series, fuel_price: float) -> dict[str, Any]:
        size = row["unit_size_mw"]
        size = float(row["p_nom_mw"]) if math.isnan(size) else float(size)
        if not math.isclose(size, float(row["p_nom_mw"]), rel_tol=1e-9):
            self.refuse("generators", name, "unit_size_mw", f"{size:g} < p_nom_mw: PyPSA's "
                        "committable generator is one unit")
        if row["extendable"]:
            self.refuse("generators", name, "extendable", "committable and extendable")
        ramps = [float(row[c]) * self.dt for c in ("ramp_up_pu_per_h", "ramp_down_pu_per_h")]
        for ramp, column in zip(ramps, ("startup_ramp_pu", "shutdown_ramp_pu"), strict=True):
            if ramp < 1 and float(row[column]) > ramp:
                self.refuse("generators", name, column, f"{float(row[column]):g} above the "
                            f"ramp per snapshot {ramp:g}: PyPSA's committable ramp rows would "
                            "also bind the snapshot of a stop or start (docs/pypsa.md)")
        per_start = self.w / self.dt
        start = float(row["startup_cost"]) + fuel_price * float(row["startup_fuel_gj"])
        up = max(1, math.ceil(float(row["min_up_h"]) / self.dt - 1e-9))
        down = max(1, math.ceil(float(row["min_down_h"]) / self.dt - 1e-9))
        on_units = row["units_on_initial"]
        on = True if math.isnan(on_units) else on_units > 0.5
        held = float(row["hours_in_state_initial"])
        held_snaps = max(up, down) if not math.isfinite(held) else \
            math.floor(held / self.dt + 1e-9)
        return dict(committable=True, min_up_time=up if row["min_up_h"] > 0 else 0,
                    min_down_time=down if row["min_down_h"] > 0 else 0,
                    start_up_cost=start * per_start,
                    shut_down_cost=float(row["shutdown_cost"]) * per_start,
                    stand_by_cost=fuel_price * float(row["no_load_gj_per_h"]) / 1.0,
                    ramp_limit_start_up=float(row["startup_ramp_pu"]),
                    ramp_limit_shut_down=float(row["shutdown_ramp_pu"]),
                    up_time_before=held_snaps if on else 0,
                    down_time_before=0 if on else held_snaps)

    def lines(self) -> None:
        model = str((self.case.config.get("network") or {}).get("flow_model", "transport"))
        for name, row in self.table("lines").iterrows():
            fwd = float(row["cap_fwd_mw"])
            rev = fwd if math.isnan(row["cap_rev_mw"]) else float(row["cap_rev_mw"])
            ext = bool(row["extendable"])
            cost = self.capital(row, existing=fwd) if ext else 0.0
            if not ext:
                self.offset += float(row["fom_per_mw_yr"]) * fwd
            if model != "transport" and not math.isnan(row["x_pu"]):
                if not math.isclose(fwd, rev):
                    self.refuse("lines", name, "cap_rev_mw", "differs from cap_fwd_mw on an "
                                "AC line (PyPSA's s_nom holds both ways)")
                self.n.add("Line", name, bus0=row["bus0"], bus1=row["bus1"],
                           x=float(row["x_pu"]), r=_num(row["r_pu"], 0.0), s_nom=fwd,
                           s_nom_extendable=ext, s_nom_min=fwd if ext else 0.0,
                           s_nom_max=float(row["cap_max_mw"]), capital_cost=cost)
                continue
            if ext and not math.isclose(fwd, rev):
                self.refuse("lines", name, "cap_rev_mw", "an extendable transport line with "
                            "cap_rev_mw ≠ cap_fwd_mw")
            if fwd <= 0 and rev > 0:
                self.refuse("lines", name, "cap_fwd_mw", "0 with cap_rev_mw > 0")
            self.n.add("Link", name, bus0=row["bus0"], bus1=row["bus1"], p_nom=fwd,
                       p_min_pu=-rev / fwd if fwd > 0 else 0.0, carrier="transport line",
                       p_nom_extendable=ext, p_nom_min=fwd if ext else 0.0,
                       p_nom_max=float(row["cap_max_mw"]), capital_cost=cost)
            why = "transport model" if model == "transport" else "no x_pu"
            self.warnings.append(f"line {name!r} ({why}): written as a lossless link")

    def links(self) -> None:
        avail = self.case.series.get("link_availability_pu")
        for name, row in self.table("links").iterrows():
            ext = bool(row["extendable"])
            if float(row["p_min_pu"]) < 0 and float(row["efficiency"]) != 1:
                self.refuse("links", name, "efficiency", "a lossy reversible link: PyPSA's "
                            "backward flow gains where gridopt's loses")
            if float(row["p_min_pu"]) < 0 and float(row["marginal_cost_per_mwh"]) != 0:
                self.refuse("links", name, "marginal_cost_per_mwh", "on a reversible link")
            kw: dict[str, Any] = dict(
                bus0=row["bus0"], bus1=row["bus1"], carrier=row.get("carrier", ""),
                efficiency=float(row["efficiency"]), p_nom=float(row["p_nom_mw"]),
                p_nom_extendable=ext, p_nom_min=float(row["p_nom_mw"]) if ext else 0.0,
                p_nom_max=float(row["p_nom_max_mw"]), p_min_pu=float(row["p_min_pu"]),
                p_max_pu=float(row["p_max_pu"]),
                marginal_cost=float(row["marginal_cost_per_mwh"]),
                ramp_limit_up=_ramp(row["ramp_up_pu_per_h"], self.dt),
                ramp_limit_down=_ramp(row["ramp_down_pu_per_h"], self.dt),
                capital_cost=self.capital(row, existing=float(row["p_nom_mw"])) if ext else 0.0)
            if not ext:
                self.offset += float(row["fom_per_mw_yr"]) * float(row["p_nom_mw"])
            if avail is not None and name in avail:
                kw["p_max_pu"] = avail[name].to_numpy(float)
            for port in (2, 3):
                bus = row.get(f"bus{port}", "")
                if isinstance(bus, str) and bus:
                    kw[f"bus{port}"] = bus
                    kw[f"efficiency{port}"] = float(row[f"efficiency{port}"])
            self.n.add("Link", name, **kw)

    def storage(self) -> None:
        for name, row in self.table("storage").iterrows():
            ext = bool(row["extendable"])
            p, e, h = float(row["p_nom_mw"]), float(row["e_nom_mwh"]), row["duration_h"]
            if not math.isnan(h):
                self.storage_unit(name, row, p, e, float(h), ext)
            elif ext:
                self.refuse("storage", name, "duration_h", "blank on an extendable store: "
                            "PyPSA's StorageUnit has a fixed duration (max_hours)")
            else:
                self.storage_as_store(name, row, p, e)

    def storage_unit(self, name: str, row: pd.Series, p: float, e: float, h: float,
                     ext: bool) -> None:
        if not math.isclose(e, p * h, rel_tol=1e-9, abs_tol=1e-9) and e > 0:
            self.refuse("storage", name, "e_nom_mwh", f"{e:g} ≠ p_nom_mw × duration_h")
        if ext and math.isfinite(row["e_nom_max_mwh"]) and \
                not math.isclose(row["e_nom_max_mwh"], row["p_nom_max_mw"] * h):
            self.refuse("storage", name, "e_nom_max_mwh", "≠ p_nom_max_mw × duration_h")
        cost = 0.0
        if ext:
            cost = self.capital(row, existing=p) + float(annuity(
                self.r, float(row["lifetime_yr"]))) * float(row["capex_per_mwh"]) * h
        else:
            self.offset += float(row["fom_per_mw_yr"]) * p
        self.n.add("StorageUnit", name, bus=row["bus"], carrier=row["carrier"], p_nom=p,
                   p_nom_extendable=ext, p_nom_min=p if ext else 0.0,
                   p_nom_max=float(row["p_nom_max_mw"]), max_hours=h,
                   efficiency_store=float(row["eff_charge"]),
                   efficiency_dispatch=float(row["eff_discharge"]),
                   standing_loss=float(row["standing_loss_per_h"]),
                   cyclic_state_of_charge=bool(row["cyclic"]),
                   state_of_charge_initial=float(row["soc_initial_pu"]) * p * h,
                   marginal_cost=float(row["vom_per_mwh"]), capital_cost=cost)

    def storage_as_store(self, name: str, row: pd.Series, p: float, e: float) -> None:
        bus = f"{name} storage"
        self.offset += float(row["fom_per_mw_yr"]) * p
        if float(row["vom_per_mwh"]) != 0:
            self.refuse("storage", name, "vom_per_mwh", "on a store without duration_h "
                        "(written as a Store and two links)")
        self.n.add("Bus", bus, carrier=f"{row['carrier']} storage")
        self.n.add("Store", bus, bus=bus, e_nom=e, e_cyclic=bool(row["cyclic"]),
                   e_initial=float(row["soc_initial_pu"]) * e,
                   standing_loss=float(row["standing_loss_per_h"]))
        eta_d = float(row["eff_discharge"])
        self.n.add("Link", f"{name} charge", bus0=row["bus"], bus1=bus, p_nom=p,
                   efficiency=float(row["eff_charge"]))
        self.n.add("Link", f"{name} discharge", bus0=bus, bus1=row["bus"], p_nom=p / eta_d,
                   efficiency=eta_d)
        self.warnings.append(f"storage {name!r} (no duration_h): written as Store {bus!r} "
                             f"with links '{name} charge' and '{name} discharge'")

    def stores(self) -> None:
        for name, row in self.table("stores").iterrows():
            ext = bool(row["extendable"])
            e = float(row["e_nom_mwh"])
            if float(row["marginal_cost_per_mwh"]) != 0:
                self.refuse("stores", name, "marginal_cost_per_mwh", "PyPSA's Store charges "
                            "marginal_cost on the signed flow (filling earns it)")
            cost = self.capital(row, "capex_per_mwh", "fom_per_mwh_yr", existing=e) \
                if ext else 0.0
            if not ext:
                self.offset += float(row["fom_per_mwh_yr"]) * e
            self.n.add("Store", name, bus=row["bus"], carrier=row.get("carrier", ""),
                       e_nom=e, e_nom_extendable=ext, e_nom_min=e if ext else 0.0,
                       e_nom_max=float(row["e_nom_max_mwh"]), e_cyclic=bool(row["cyclic"]),
                       e_initial=float(row["e_initial_pu"]) * e,
                       standing_loss=float(row["standing_loss_per_h"]), capital_cost=cost)

    def targets(self) -> None:
        year = self.case.snapshots[0].year
        for name, row in self.table("targets").iterrows():
            if int(row["year"]) != year:
                continue
            if not bool(row["enforce"]):
                self.warnings.append(f"target {name!r} is only reported: left out")
                continue
            if row["kind"] != "co2_max":
                self.refuse("targets", name, "kind", f"{row['kind']!r} enforced: only co2_max "
                            "is mapped (to a primary_energy GlobalConstraint)")
                continue
            bound = row["bound"] if not math.isnan(row["bound"]) else \
                row["baseline"] * (1 + row["change_pct"] / 100)
            cap = convert_unit(float(bound) - float(row["other"]), row["unit"], "t CO2")
            self.n.add("GlobalConstraint", name, type="primary_energy",
                       carrier_attribute="co2_emissions", sense="<=", constant=cap)
        gens = self.table("generators")
        if len(self.n.global_constraints) and "committable" in gens:
            fuels = self.table("fuels")
            for name, row in gens[gens["committable"].astype(bool)].iterrows():
                fuel = row.get("fuel", "")
                burns = row["startup_fuel_gj"] > 0 or row["no_load_gj_per_h"] > 0
                if fuel and burns and fuels.loc[fuel, "co2_t_per_gj"] > 0:
                    self.refuse("generators", name, "startup_fuel_gj", "start-up / no-load "
                                "fuel emits CO2 under a cap: PyPSA counts only output")

    def run(self) -> Export:
        self.check_scope()
        if self.problems:
            raise PypsaError(self.problems, HEADING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.snapshots()
            self.buses()
            self.loads()
            self.generators()
            self.lines()
            self.links()
            self.storage()
            self.stores()
            self.targets()
        if self.problems:
            raise PypsaError(self.problems, HEADING)
        return Export(self.n, self.offset, self.warnings)


def _default(value: Any, default: Any) -> bool:
    if default is None:
        return True
    if isinstance(default, float) and math.isnan(default):
        return isinstance(value, float) and math.isnan(value)
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False


def _ramp(limit: float, step: float) -> float:
    return float(limit) * step if math.isfinite(float(limit)) else math.nan


def _num(value: Any, default: float = 0.0) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(value) else value
