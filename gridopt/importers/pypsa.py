"""Build a gridopt case from a PyPSA network (a netCDF file, a CSV folder or a ``pypsa.Network``).

:func:`convert` returns the case's files as text (file name → text), as the RTS-GMLC importer
does, together with the warnings of the conversion; ``gridopt import pypsa PATH --out CASE``
writes them. Anything the case cannot represent is refused with a :class:`PypsaError` that
lists every offending component, name and attribute (never silently dropped): any input
attribute of a component that differs from PyPSA's default and is not in the mapping below,
any non-empty component gridopt has no family for (transformers, shunt impedances, …), and
every time-varying attribute outside the mapping. The mapping, one rule per attribute (each
rule is also a row of the case's ``sources.csv``; the table both ways is ``docs/pypsa.md``):

- snapshots: T snapshots; ``step_h`` = the uniform ``snapshot_weightings.stores`` Δ (the
  hours a snapshot lasts for storage); the objective weight w = ``snapshot_weightings.
  objective`` is gridopt's w_t: ``annualise: false`` when w = Δ (then w_t = step_h), and
  ``annualise: true`` when w = 8760 / T (w_t = 8760 / T); any other or non-uniform weighting
  is refused. ``generators`` weightings must equal ``objective`` when a global constraint
  counts emissions (gridopt counts CO2 with w_t). Timestamps are kept; a non-datetime index
  (PyPSA's default ``now``) becomes hourly steps from 2000-01-01 00:00 (warned).
- money: ``discount_rate: 0`` and every ``lifetime_yr`` 1, so CRF(0, 1) = 1 and gridopt's
  ``capex_per_mw`` is PyPSA's periodised capital cost (``capital_cost``, or the annuity of
  ``overnight_cost`` plus ``fom_cost``) per MW-year (per MWh-year for stores): the same
  objective term. Extendable components need ``p_nom_min = p_nom`` (``s_nom_min``,
  ``e_nom_min``): ``p_nom`` is gridopt's existing capacity, new capacity is ≥ 0, and the
  cost of the existing part (PyPSA's ``objective_constant``) is in neither objective.
- buses: name, x, y; carrier ``AC``/``DC``/blank → ``electricity``, any other by its name;
  ``load_shedding: false`` in ``case.yaml`` (PyPSA has no load shedding), so that the optimum
  is the same.
- generators: p_nom → p_nom_mw, p_nom_extendable → extendable, p_nom_max → p_nom_max_mw,
  p_min_pu, p_max_pu (static) and the ``p_max_pu`` series → availability_pu.csv, marginal_cost
  → vom_per_mwh (a series → price_per_mwh.csv), emissions: the carrier's ``co2_emissions``
  (t per MWh of primary energy) / efficiency → co2_t_per_mwh; ramp_limit_up/down (share of
  p_nom per snapshot) / step_h → ramp_up/down_pu_per_h; committable → committable with
  unit_size_mw = p_nom (one unit), min_up/down_time × step_h → min_up/down_h,
  start_up_cost → startup_cost, shut_down_cost → shutdown_cost (× step_h / w when
  annualised, since gridopt weighs a start by w_t / Δt and PyPSA not at all),
  ramp_limit_start_up / shut_down → startup/shutdown_ramp_pu (each at most the ramp limit
  once any is given: see :meth:`_Converter.check_commitment_ramps`), up_time_before > 0 → one
  unit on before the start for up_time_before × step_h hours, else off for
  down_time_before × step_h.
- loads: p_set (static or series, ≥ 0) → loads.csv and load_mw.csv.
- lines (AC buses only): s_nom × s_max_pu → cap_fwd_mw (both ways), x and r → x_pu, r_pu on a
  100 MVA base: x · 100 / v_nom² (PyPSA's own x_pu, ×100; only ratios of x matter in
  Kirchhoff's voltage law, and per unit on one base makes lines of different voltage levels
  comparable, exactly as PyPSA's KVL rows); ``network: flow_model: kvl`` whenever there are
  lines; s_nom_extendable → extendable with cap_max_mw = s_nom_max × s_max_pu and
  capex_per_mw = capital cost / s_max_pu (gridopt's new capacity is in MW of flow).
- links: bus0, bus1, efficiency, bus2/bus3 with efficiency2/3, p_nom, extendable, p_nom_max,
  p_min_pu (≥ −1; < 0 only lossless), p_max_pu (static or series →
  link_availability_pu.csv), marginal_cost, ramp limits as for generators.
- storage units → storage.csv: p_nom, e_nom_mwh = p_nom × max_hours, duration_h = max_hours,
  efficiency_store/dispatch → eff_charge/eff_discharge, standing_loss, cyclic_state_of_charge
  → cyclic, state_of_charge_initial / e_nom → soc_initial_pu, marginal_cost → vom_per_mwh
  (per MWh dispatched), capital cost per MW → capex_per_mw.
- stores: e_nom, extendable, e_nom_max, e_cyclic → cyclic, e_initial / e_nom → e_initial_pu,
  standing_loss, capital cost per MWh → capex_per_mwh.
- global constraint ``primary_energy`` on ``co2_emissions`` with sense ``<=`` → a
  ``targets.csv`` row of kind ``co2_max`` (unit ``t CO2``, enforced) with its constant as the bound.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HOURS_PER_YEAR = 8760.0
#: The system base of x_pu and r_pu, MVA.
BASE_MVA = 100.0
#: Start of the snapshots when the network's index is not made of timestamps.
DEFAULT_START = pd.Timestamp("2000-01-01 00:00")
VOLL = 100_000.0
ELECTRIC = ("AC", "DC", "")

#: Components with a mapping, and their attributes that the mapping reads (besides ``name``).
MAPPED: dict[str, set[str]] = {
    "Bus": {"x", "y", "carrier", "v_nom"},
    "Carrier": {"co2_emissions"},
    "Generator": {"bus", "carrier", "p_nom", "p_nom_extendable", "p_nom_min", "p_nom_max",
                  "p_min_pu", "p_max_pu", "marginal_cost", "capital_cost", "overnight_cost",
                  "discount_rate", "fom_cost", "lifetime", "efficiency", "ramp_limit_up",
                  "ramp_limit_down", "committable", "min_up_time", "min_down_time",
                  "start_up_cost", "shut_down_cost", "up_time_before", "down_time_before",
                  "ramp_limit_start_up", "ramp_limit_shut_down"},
    "Load": {"bus", "p_set", "carrier"},
    "Line": {"bus0", "bus1", "x", "r", "s_nom", "s_nom_extendable", "s_nom_min", "s_nom_max",
             "s_max_pu", "capital_cost", "overnight_cost", "discount_rate", "fom_cost",
             "lifetime", "carrier", "type", "num_parallel", "length"},
    "Link": {"bus0", "bus1", "carrier", "efficiency", "p_nom", "p_nom_extendable", "p_nom_min",
             "p_nom_max", "p_min_pu", "p_max_pu", "marginal_cost", "capital_cost",
             "overnight_cost", "discount_rate", "fom_cost", "lifetime", "ramp_limit_up",
             "ramp_limit_down", "length"},
    "StorageUnit": {"bus", "carrier", "p_nom", "p_nom_extendable", "p_nom_min", "p_nom_max",
                    "max_hours", "efficiency_store", "efficiency_dispatch", "standing_loss",
                    "cyclic_state_of_charge", "state_of_charge_initial", "marginal_cost",
                    "capital_cost", "overnight_cost", "discount_rate", "fom_cost", "lifetime",
                    "spill_cost"},
    "Store": {"bus", "carrier", "e_nom", "e_nom_extendable", "e_nom_min", "e_nom_max",
              "e_cyclic", "e_initial", "standing_loss", "capital_cost", "overnight_cost",
              "discount_rate", "fom_cost", "lifetime"},
    "GlobalConstraint": {"type", "carrier_attribute", "sense", "constant"},
}
#: Attributes that do not change a linear optimum and are left out without a word: reactive
#: power, voltage magnitudes and angles, labels, weights for clustering, the build year of a
#: single-period model (``active`` is not among them: an inactive component is refused).
IGNORED = {"control", "q_set", "v_mag_pu_set", "v_mag_pu_min", "v_mag_pu_max", "v_ang_min",
           "v_ang_max", "unit", "location", "color", "nice_name", "weight", "build_year",
           "terrain_factor", "type", "sign"}
#: Time-varying attributes with a mapping.
MAPPED_SERIES = {"Generator": {"p_max_pu", "marginal_cost"}, "Load": {"p_set"},
                 "Link": {"p_max_pu"}}
#: Component types that are not elements of a network (type libraries, internal sets).
NOT_ELEMENTS = {"LineType", "TransformerType", "SubNetwork", "Shape", "Carrier"}
#: Extra ports of a link gridopt has (bus2, bus3).
EXTRA_PORTS = (2, 3)


class PypsaError(ValueError):
    """The network holds something a gridopt case cannot represent (listed in the message)."""

    def __init__(self, problems: list[str],
                 heading: str = "the PyPSA network cannot be converted exactly") -> None:
        self.problems = problems
        super().__init__(f"{heading}:\n  - " + "\n  - ".join(problems))


@dataclass
class Conversion:
    """The case's files (file name → text) and the conversion's warnings."""

    files: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def read_network(path: str | Path) -> Any:
    """A ``pypsa.Network`` from a netCDF file (``.nc``), an HDF5 file or a CSV folder."""
    import pypsa

    path = Path(path)
    if not path.exists():
        raise PypsaError([f"{path}: no such file or folder"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pypsa.Network(str(path))


def convert(network: Any, name: str = "pypsa-import", currency: str = "EUR") -> Conversion:
    """Convert ``network`` (a ``pypsa.Network`` or a path) into a gridopt case's files."""
    n = network if not isinstance(network, str | Path) else read_network(network)
    conv = _Converter(n, name, currency)
    return conv.run()


class _Converter:
    """One conversion: collects problems (refusals) and warnings while building the tables."""

    def __init__(self, n: Any, name: str, currency: str) -> None:
        self.n = n
        self.name = name
        self.currency = currency
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.sources: list[tuple] = []

    # -- checks ---------------------------------------------------------------------------
    def refuse(self, component: str, name: str, attribute: str, why: str) -> None:
        self.problems.append(f"{component} {name!r} attribute {attribute!r}: {why}")

    def check_components(self) -> None:
        for comp in self.n.components:
            cname = comp.name
            if cname in NOT_ELEMENTS or comp.static.empty:
                continue
            if cname not in MAPPED:
                self.problems.append(f"{cname} {list(comp.static.index)[:5]!r}: gridopt has no "
                                     f"{cname} component (not mapped)")
                continue
            self.check_defaults(cname, comp)
            self.check_series(cname, comp)

    def check_defaults(self, cname: str, comp: Any) -> None:
        """Every input attribute outside the mapping must keep PyPSA's default."""
        defaults = comp.defaults
        static = comp.static
        for attr in static.columns:
            if _port_attr(cname, attr):
                self._check_port(static, attr)
                continue
            if attr in MAPPED[cname] or attr in IGNORED or attr not in defaults.index:
                continue
            if not str(defaults.loc[attr, "status"]).startswith("Input"):
                continue
            default = defaults.loc[attr, "default"]
            for elem, value in static[attr].items():
                if not _same(value, default):
                    self.refuse(cname, str(elem), attr, f"{value!r} differs from PyPSA's "
                                f"default {default!r} and has no gridopt equivalent")
        if cname == "Load" and "sign" in static:
            for elem, value in static["sign"].items():
                if value != -1:
                    self.refuse(cname, str(elem), "sign", f"{value!r}: only -1 (consumption)")
        if cname in ("Generator", "StorageUnit", "Store") and "sign" in static:
            for elem, value in static["sign"].items():
                if value != 1:
                    self.refuse(cname, str(elem), "sign", f"{value!r}: only 1")

    def _check_port(self, static: pd.DataFrame, attr: str) -> None:
        port = int(attr.removeprefix("bus").removeprefix("efficiency") or 1)
        if port in EXTRA_PORTS or port < 2:
            return
        for elem, value in static[attr].items():
            used = (value not in ("", None) and not _isnan(value)) if attr.startswith("bus") \
                else False
            if used:
                self.refuse("Link", str(elem), attr, "gridopt links have bus0..bus3 only")

    def check_series(self, cname: str, comp: Any) -> None:
        mapped = MAPPED_SERIES.get(cname, set())
        for attr, frame in comp.dynamic.items():
            if frame.empty or attr in mapped or attr in IGNORED:
                continue
            if attr not in comp.defaults.index or \
                    not str(comp.defaults.loc[attr, "status"]).startswith("Input"):
                continue  # results (p, status, mu_…) of an earlier solve
            for elem in frame.columns:
                self.refuse(cname, str(elem), attr, "time-varying values have no gridopt "
                            "equivalent (give it as a static value)")

    # -- snapshots -------------------------------------------------------------------------
    def snapshots(self) -> tuple[pd.DatetimeIndex, float, bool]:
        n = self.n
        w = n.snapshot_weightings
        if getattr(n, "_multi_invest", False) or isinstance(n.snapshots, pd.MultiIndex):
            self.problems.append("Network: investment periods (multi-period snapshots) are "
                                 "not mapped")
            return pd.DatetimeIndex([DEFAULT_START]), 1.0, False
        obj, sto, gen = (w[c].to_numpy(float) for c in ("objective", "stores", "generators"))
        if not np.allclose(sto, sto[0], rtol=1e-12, atol=0):
            self.refuse("Network", "snapshot_weightings", "stores", "not uniform: gridopt "
                        "snapshots all last step_h hours")
        if not np.allclose(obj, obj[0], rtol=1e-12, atol=0):
            self.refuse("Network", "snapshot_weightings", "objective", "not uniform: gridopt "
                        "weighs every snapshot alike (w_t = step_h, or 8760 / T)")
        step = float(sto[0])
        n_snap = len(obj)
        if math.isclose(obj[0], step, rel_tol=1e-12):
            annualise = False
        elif math.isclose(obj[0], HOURS_PER_YEAR / n_snap, rel_tol=1e-12):
            annualise = True
        else:
            self.refuse("Network", "snapshot_weightings", "objective",
                        f"{obj[0]:g} is neither the stores weighting {step:g} (annualise: "
                        f"false) nor 8760 / T = {HOURS_PER_YEAR / n_snap:g} (annualise: true)")
            annualise = False
        if not np.allclose(gen, obj, rtol=1e-12, atol=0):
            if self.global_constraints_used():
                self.refuse("Network", "snapshot_weightings", "generators",
                            "differs from objective while a global constraint counts "
                            "emissions (gridopt counts CO2 with the objective weights)")
            else:
                self.warnings.append("snapshot_weightings.generators differs from objective: "
                                     "it weighs only statistics here (no global constraint)")
        index = n.snapshots
        if isinstance(index, pd.DatetimeIndex):
            stamps = pd.DatetimeIndex(index).tz_localize(None) if index.tz else index
        else:
            stamps = pd.date_range(DEFAULT_START, periods=n_snap,
                                   freq=pd.Timedelta(hours=step))
            self.warnings.append(f"snapshots {list(index[:3])!r}… are not timestamps: written "
                                 f"as steps of {step:g} h from {DEFAULT_START:%Y-%m-%d %H:%M}")
        self.step, self.weight, self.T = step, float(obj[0]), n_snap
        return pd.DatetimeIndex(stamps), step, annualise

    def global_constraints_used(self) -> bool:
        return not self.n.global_constraints.empty

    # -- tables ----------------------------------------------------------------------------
    def periodic(self, cname: str) -> pd.Series:
        """PyPSA's periodised capital cost per unit of capacity (what its objective uses)."""
        from pypsa.costs import periodized_cost

        static = self.n.static(cname)
        if static.empty:
            return pd.Series(dtype=float)
        cost = periodized_cost(capital_cost=static["capital_cost"],
                               overnight_cost=static["overnight_cost"],
                               discount_rate=static["discount_rate"],
                               lifetime=static["lifetime"],
                               fom_cost=static.get("fom_cost", 0.0), nyears=self.n.nyears)
        return pd.Series(cost, index=static.index).astype(float)

    def check_extendable(self, cname: str, static: pd.DataFrame, nom: str,
                         ext: str) -> None:
        for elem, row in static.iterrows():
            if row[ext] and not math.isclose(row[f"{nom}_min"], row[nom], abs_tol=1e-9):
                self.refuse(cname, str(elem), f"{nom}_min", f"{row[f'{nom}_min']:g} ≠ {nom} "
                            f"{row[nom]:g}: gridopt keeps {nom} as existing capacity and builds "
                            "only more (set them equal)")
            if not row[ext] and row.get(f"{nom}_max", math.inf) < row[nom]:
                self.refuse(cname, str(elem), f"{nom}_max", "below the fixed capacity")

    def buses(self) -> pd.DataFrame:
        b = self.n.buses
        carrier = [("electricity" if c in ELECTRIC else c) for c in b["carrier"].astype(str)]
        return pd.DataFrame({"name": b.index.astype(str), "carrier": carrier,
                             "x": b["x"].to_numpy(float), "y": b["y"].to_numpy(float)})

    def co2_factor(self, carrier: pd.Series, efficiency: pd.Series) -> pd.Series:
        co2 = self.n.carriers["co2_emissions"] if not self.n.carriers.empty else pd.Series()
        per_primary = carrier.map(co2).fillna(0.0).astype(float)
        return per_primary / efficiency.astype(float)

    def generators(self) -> pd.DataFrame:
        g = self.n.generators
        if g.empty:
            return _frame(["name", "bus", "carrier", "p_nom_mw"])
        self.check_extendable("Generator", g, "p_nom", "p_nom_extendable")
        cost = self.periodic("Generator")
        for elem, row in g.iterrows():
            if row["marginal_cost"] < 0:
                self.refuse("Generator", str(elem), "marginal_cost", f"{row['marginal_cost']:g}"
                            " < 0 (gridopt's vom_per_mwh is ≥ 0; a series may be negative)")
            if row["committable"] and row["p_nom_extendable"]:
                self.refuse("Generator", str(elem), "committable", "committable and "
                            "extendable together are not mapped")
            if row["committable"] and row["p_nom"] <= 0:
                self.refuse("Generator", str(elem), "p_nom", "a committable unit needs p_nom > 0")
            if row["committable"]:
                self.check_commitment_ramps(str(elem), row)
            if not 0 <= row["p_min_pu"] <= 1 or not 0 <= row["p_max_pu"] <= 1:
                self.refuse("Generator", str(elem), "p_min_pu/p_max_pu", "outside [0, 1]")
            if row["efficiency"] <= 0:
                self.refuse("Generator", str(elem), "efficiency", "≤ 0")
        carrier = g["carrier"].astype(str)
        co2 = self.co2_factor(g["carrier"], g["efficiency"].where(g["efficiency"] > 0, 1.0))
        table = pd.DataFrame({
            "name": g.index.astype(str), "bus": g["bus"].astype(str),
            "carrier": np.where(carrier == "", "generator", carrier),
            "p_nom_mw": g["p_nom"].to_numpy(float),
            "extendable": g["p_nom_extendable"].astype(bool).to_numpy(),
            "p_nom_max_mw": g["p_nom_max"].to_numpy(float),
            "p_min_pu": g["p_min_pu"].to_numpy(float), "p_max_pu": g["p_max_pu"].to_numpy(float),
            "capex_per_mw": np.where(g["p_nom_extendable"], cost.to_numpy(), 0.0),
            "lifetime_yr": 1.0, "vom_per_mwh": g["marginal_cost"].to_numpy(float),
            "co2_t_per_mwh": co2.to_numpy(float),
            "ramp_up_pu_per_h": _ramp(g["ramp_limit_up"], self.step),
            "ramp_down_pu_per_h": _ramp(g["ramp_limit_down"], self.step),
        })
        table = table.reset_index(drop=True)
        if g["committable"].any():
            table = pd.concat([table, self.commitment(g)], axis=1)
        return table

    def check_commitment_ramps(self, elem: str, row: pd.Series) -> None:
        """PyPSA's committable ramp rows, p_t − p_{t−1} ≤ ru P u_{t−1} + rsu P (u_t − u_{t−1})
        and p_{t−1} − p_t ≤ rd P u_t + rsd P (u_{t−1} − u_t) (blank limits: 1, when any is
        given), also bind a stop (p_{t−1} ≥ (rsu − ru) P) and a start (p_t ≥ (rsd − rd) P)
        when rsu > ru or rsd > rd; gridopt's rows do not. Equal otherwise, so refused only
        then."""
        limits = row[["ramp_limit_up", "ramp_limit_start_up", "ramp_limit_down",
                      "ramp_limit_shut_down"]].astype(float)
        if limits.isna().all():
            return
        ru, rsu, rd, rsd = limits.fillna(1.0)
        if rsu > ru:
            self.refuse("Generator", elem, "ramp_limit_start_up", f"{rsu:g} > ramp_limit_up "
                        f"{ru:g} (blank is 1): PyPSA's ramp row then makes a stopping unit "
                        "produce at least their difference × p_nom before it stops, gridopt's "
                        "not; set ramp_limit_start_up ≤ ramp_limit_up")
        if rsd > rd:
            self.refuse("Generator", elem, "ramp_limit_shut_down", f"{rsd:g} > "
                        f"ramp_limit_down {rd:g} (blank is 1): PyPSA's ramp row then makes a "
                        "starting unit produce at least their difference × p_nom, gridopt's "
                        "not; set ramp_limit_shut_down ≤ ramp_limit_down")

    def commitment(self, g: pd.DataFrame) -> pd.DataFrame:
        """The unit-commitment columns: each committable PyPSA generator is one unit."""
        com = g["committable"].astype(bool).to_numpy()
        start_scale = 1.0 if not self.annualise else self.step / self.weight
        on = (g["up_time_before"].to_numpy(float) > 0)
        before = np.where(on, g["up_time_before"], g["down_time_before"]).astype(float)
        return pd.DataFrame({
            "committable": com,
            "unit_size_mw": np.where(com, g["p_nom"], np.nan),
            "min_up_h": np.where(com, g["min_up_time"].astype(float) * self.step, 0.0),
            "min_down_h": np.where(com, g["min_down_time"].astype(float) * self.step, 0.0),
            "startup_cost": np.where(com, g["start_up_cost"] * start_scale, 0.0),
            "shutdown_cost": np.where(com, g["shut_down_cost"] * start_scale, 0.0),
            "startup_ramp_pu": np.where(com, g["ramp_limit_start_up"].fillna(1.0), 1.0),
            "shutdown_ramp_pu": np.where(com, g["ramp_limit_shut_down"].fillna(1.0), 1.0),
            "units_on_initial": np.where(com, on.astype(float), np.nan),
            "hours_in_state_initial": np.where(com, before * self.step, math.inf),
        }, index=range(len(g)))

    def loads(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        ld = self.n.loads
        series = pd.DataFrame(index=range(self.T))
        for elem, row in ld.iterrows():
            values = self.n.loads_t.p_set[elem].to_numpy(float) \
                if elem in self.n.loads_t.p_set else np.full(self.T, float(row["p_set"]))
            if (values < 0).any():
                self.refuse("Load", str(elem), "p_set", "negative (gridopt loads are ≥ 0; "
                            "a negative load is a generator)")
            series[str(elem)] = values
        table = pd.DataFrame({"name": ld.index.astype(str), "bus": ld["bus"].astype(str)})
        return table, series

    def lines(self) -> pd.DataFrame:
        lines = self.n.lines
        if lines.empty:
            return lines.iloc[:0]
        self.check_extendable("Line", lines, "s_nom", "s_nom_extendable")
        bus_carrier = self.n.buses["carrier"].astype(str)
        v_nom = self.n.buses["v_nom"].astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.n.calculate_dependent_values()  # x_pu_eff: x (or the line type's) / v_nom²
        lines = self.n.lines
        for elem, row in lines.iterrows():
            for end in ("bus0", "bus1"):
                if bus_carrier.get(row[end], "AC") != "AC":
                    self.refuse("Line", str(elem), end, f"bus {row[end]!r} is not an AC bus "
                                "(DC networks of lines are not mapped: use a link)")
            if row["x"] <= 0 and row["type"] == "":
                self.refuse("Line", str(elem), "x", "must be > 0 for DC power flow")
            if row["s_nom_extendable"] and row["s_max_pu"] <= 0:
                self.refuse("Line", str(elem), "s_max_pu", "must be > 0 when extendable")
            if not math.isclose(v_nom[row["bus0"]], v_nom[row["bus1"]]):
                self.warnings.append(f"Line {elem!r} joins buses of v_nom "
                                     f"{v_nom[row['bus0']]:g} and {v_nom[row['bus1']]:g} kV: "
                                     "x per unit on the v_nom of bus0, as PyPSA does")
        base = v_nom.reindex(lines["bus0"]).to_numpy() ** 2 / BASE_MVA
        cap = lines["s_nom"].to_numpy(float) * lines["s_max_pu"].to_numpy(float)
        ext = lines["s_nom_extendable"].astype(bool).to_numpy()
        s_max = lines["s_max_pu"].to_numpy(float)
        cost = self.periodic("Line").to_numpy()
        return pd.DataFrame({
            "name": lines.index.astype(str), "bus0": lines["bus0"].astype(str),
            "bus1": lines["bus1"].astype(str), "cap_fwd_mw": cap, "cap_rev_mw": cap,
            "x_pu": lines["x_pu_eff"].to_numpy(float) * BASE_MVA if "x_pu_eff" in lines
            else lines["x"].to_numpy(float) / base,
            "r_pu": lines["r_pu_eff"].to_numpy(float) * BASE_MVA if "r_pu_eff" in lines
            else lines["r"].to_numpy(float) / base,
            "extendable": ext,
            "cap_max_mw": np.where(ext, lines["s_nom_max"].to_numpy(float) * s_max, math.inf),
            "capex_per_mw": np.where(ext, cost / np.where(s_max > 0, s_max, 1.0), 0.0),
            "lifetime_yr": 1.0,
        })

    def links(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        lk = self.n.links
        if lk.empty:
            return lk.iloc[:0], pd.DataFrame(index=range(self.T))
        self.check_extendable("Link", lk, "p_nom", "p_nom_extendable")
        cost = self.periodic("Link").to_numpy()
        for elem, row in lk.iterrows():
            if row["p_min_pu"] < -1 or row["p_max_pu"] > 1 or row["p_max_pu"] < 0:
                self.refuse("Link", str(elem), "p_min_pu/p_max_pu", "outside [-1, 1] / [0, 1]")
            if row["p_min_pu"] < 0 and row["efficiency"] != 1:
                self.refuse("Link", str(elem), "efficiency", "a reversible link (p_min_pu < 0) "
                            "must be lossless: PyPSA's backward flow gains where gridopt's "
                            "loses (model it as two links)")
            if row["p_min_pu"] < 0 and row["marginal_cost"] != 0:
                self.refuse("Link", str(elem), "marginal_cost", "on a reversible link "
                            "(PyPSA earns it on backward flow)")
            if row["marginal_cost"] < 0:
                self.refuse("Link", str(elem), "marginal_cost", "< 0")
            if row["efficiency"] <= 0:
                self.refuse("Link", str(elem), "efficiency", "≤ 0 (gridopt needs > 0)")
        table = pd.DataFrame({
            "name": lk.index.astype(str), "bus0": lk["bus0"].astype(str),
            "bus1": lk["bus1"].astype(str), "carrier": lk["carrier"].astype(str),
            "efficiency": lk["efficiency"].to_numpy(float),
        })
        for port in EXTRA_PORTS:
            bus = lk.get(f"bus{port}", pd.Series("", index=lk.index)).fillna("").astype(str)
            eff = lk.get(f"efficiency{port}", pd.Series(1.0, index=lk.index)).astype(float)
            if (bus != "").any():
                for elem in lk.index[(bus != "") & (eff == 0)]:
                    self.refuse("Link", str(elem), f"efficiency{port}", "0 at a connected bus")
                table[f"bus{port}"] = bus.to_numpy()
                table[f"efficiency{port}"] = np.where(bus != "", eff, 1.0)
        table = table.assign(
            p_nom_mw=lk["p_nom"].to_numpy(float),
            extendable=lk["p_nom_extendable"].astype(bool).to_numpy(),
            p_nom_max_mw=lk["p_nom_max"].to_numpy(float),
            p_min_pu=lk["p_min_pu"].to_numpy(float), p_max_pu=lk["p_max_pu"].to_numpy(float),
            capex_per_mw=np.where(lk["p_nom_extendable"], cost, 0.0), lifetime_yr=1.0,
            marginal_cost_per_mwh=lk["marginal_cost"].to_numpy(float),
            ramp_up_pu_per_h=_ramp(lk["ramp_limit_up"], self.step),
            ramp_down_pu_per_h=_ramp(lk["ramp_limit_down"], self.step))
        avail = self.n.links_t.p_max_pu
        series = pd.DataFrame({str(c): avail[c].to_numpy(float) for c in avail.columns},
                              index=range(self.T))
        for elem in avail.columns:
            if ((avail[elem] < 0) | (avail[elem] > 1)).any():
                self.refuse("Link", str(elem), "p_max_pu", "series outside [0, 1]")
        return table, series

    def storage(self) -> pd.DataFrame:
        su = self.n.storage_units
        if su.empty:
            return su.iloc[:0]
        self.check_extendable("StorageUnit", su, "p_nom", "p_nom_extendable")
        cost = self.periodic("StorageUnit").to_numpy()
        e_nom = su["p_nom"].to_numpy(float) * su["max_hours"].to_numpy(float)
        for (elem, row), e in zip(su.iterrows(), e_nom, strict=True):
            for attr in ("efficiency_store", "efficiency_dispatch"):
                if not 0 < row[attr] <= 1:
                    self.refuse("StorageUnit", str(elem), attr, "outside (0, 1]")
            if row["max_hours"] <= 0:
                self.refuse("StorageUnit", str(elem), "max_hours", "must be > 0")
            if row["marginal_cost"] < 0:
                self.refuse("StorageUnit", str(elem), "marginal_cost", "< 0")
            init = row["state_of_charge_initial"]
            if not row["cyclic_state_of_charge"] and init > 0 and (e <= 0 or init > e):
                self.refuse("StorageUnit", str(elem), "state_of_charge_initial",
                            "above the existing energy capacity p_nom × max_hours (gridopt's "
                            "initial state is a share of it)")
        ext = su["p_nom_extendable"].astype(bool).to_numpy()
        soc0 = np.where(e_nom > 0, su["state_of_charge_initial"].to_numpy(float)
                        / np.where(e_nom > 0, e_nom, 1.0), 0.0)
        return pd.DataFrame({
            "name": su.index.astype(str), "bus": su["bus"].astype(str),
            "carrier": su["carrier"].astype(str).replace("", "battery").to_numpy(),
            "p_nom_mw": su["p_nom"].to_numpy(float), "e_nom_mwh": e_nom,
            "extendable": ext, "duration_h": su["max_hours"].to_numpy(float),
            "p_nom_max_mw": su["p_nom_max"].to_numpy(float),
            "e_nom_max_mwh": su["p_nom_max"].to_numpy(float) * su["max_hours"].to_numpy(float),
            "capex_per_mw": np.where(ext, cost, 0.0), "lifetime_yr": 1.0,
            "vom_per_mwh": su["marginal_cost"].to_numpy(float),
            "eff_charge": su["efficiency_store"].to_numpy(float),
            "eff_discharge": su["efficiency_dispatch"].to_numpy(float),
            "standing_loss_per_h": su["standing_loss"].to_numpy(float),
            "cyclic": su["cyclic_state_of_charge"].astype(bool).to_numpy(),
            "soc_initial_pu": np.clip(soc0, 0.0, 1.0),
        })

    def stores(self) -> pd.DataFrame:
        st = self.n.stores
        if st.empty:
            return st.iloc[:0]
        self.check_extendable("Store", st, "e_nom", "e_nom_extendable")
        cost = self.periodic("Store").to_numpy()
        e_nom = st["e_nom"].to_numpy(float)
        for (elem, row), e in zip(st.iterrows(), e_nom, strict=True):
            if not row["e_cyclic"] and row["e_initial"] > 0 and (e <= 0 or row["e_initial"] > e):
                self.refuse("Store", str(elem), "e_initial", "above the existing e_nom "
                            "(gridopt's initial level is a share of it)")
            if not 0 <= row["standing_loss"] < 1:
                self.refuse("Store", str(elem), "standing_loss", "outside [0, 1)")
        ext = st["e_nom_extendable"].astype(bool).to_numpy()
        init = np.where(e_nom > 0, st["e_initial"].to_numpy(float)
                        / np.where(e_nom > 0, e_nom, 1.0), 0.0)
        return pd.DataFrame({
            "name": st.index.astype(str), "bus": st["bus"].astype(str),
            "carrier": st["carrier"].astype(str).to_numpy(), "e_nom_mwh": e_nom,
            "extendable": ext, "e_nom_max_mwh": st["e_nom_max"].to_numpy(float),
            "capex_per_mwh": np.where(ext, cost, 0.0), "lifetime_yr": 1.0,
            "standing_loss_per_h": st["standing_loss"].to_numpy(float),
            "cyclic": st["e_cyclic"].astype(bool).to_numpy(),
            "e_initial_pu": np.clip(init, 0.0, 1.0),
        })

    def targets(self, year: int) -> pd.DataFrame:
        gc = self.n.global_constraints
        rows = []
        for elem, row in gc.iterrows():
            if row["type"] != "primary_energy" or row["carrier_attribute"] != "co2_emissions":
                self.refuse("GlobalConstraint", str(elem), "type", f"{row['type']!r} on "
                            f"{row['carrier_attribute']!r}: only primary_energy on "
                            "co2_emissions is mapped (to a co2_max target)")
                continue
            if row["sense"] != "<=":
                self.refuse("GlobalConstraint", str(elem), "sense", f"{row['sense']!r}: only "
                            "'<=' (a cap) is mapped")
                continue
            if row["constant"] < 0:
                self.refuse("GlobalConstraint", str(elem), "constant", "< 0")
                continue
            rows.append({"name": str(elem), "year": year, "kind": "co2_max",
                         "bound": float(row["constant"]), "unit": "t CO2", "enforce": True})
        self.check_storage_emissions()
        return pd.DataFrame(rows)

    def check_storage_emissions(self) -> None:
        """PyPSA counts the emissions of a non-cyclic store's drawn-down carrier; gridopt not."""
        if self.n.global_constraints.empty or self.n.carriers.empty:
            return
        co2 = self.n.carriers["co2_emissions"]
        for cname, table in (("StorageUnit", self.n.storage_units), ("Store", self.n.stores)):
            for elem, carrier in table.get("carrier", pd.Series(dtype=str)).items():
                if co2.get(carrier, 0.0) != 0:
                    self.refuse(cname, str(elem), "carrier", f"{carrier!r} has co2_emissions: "
                                "emissions of storage are not mapped")

    # -- series ----------------------------------------------------------------------------
    def generator_series(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        gt = self.n.generators_t
        avail = pd.DataFrame({str(c): gt.p_max_pu[c].to_numpy(float)
                              for c in gt.p_max_pu.columns}, index=range(self.T))
        for elem in gt.p_max_pu.columns:
            if ((gt.p_max_pu[elem] < 0) | (gt.p_max_pu[elem] > 1)).any():
                self.refuse("Generator", str(elem), "p_max_pu", "series outside [0, 1]")
            if self.n.generators.loc[elem, "p_min_pu"] > 0 and \
                    (gt.p_max_pu[elem] < self.n.generators.loc[elem, "p_min_pu"]).any():
                self.warnings.append(f"Generator {elem!r}: p_min_pu above p_max_pu in some "
                                     "snapshots; gridopt caps the floor at the availability")
        price = pd.DataFrame({str(c): gt.marginal_cost[c].to_numpy(float)
                              for c in gt.marginal_cost.columns}, index=range(self.T))
        return avail, price

    # -- the whole case --------------------------------------------------------------------
    def run(self) -> Conversion:
        self.check_components()
        stamps, step, annualise = self.snapshots()
        self.annualise = annualise
        tables: dict[str, pd.DataFrame] = {"buses": self.buses(),
                                           "generators": self.generators()}
        tables["loads"], load = self.loads()
        tables["lines"] = self.lines()
        tables["links"], link_avail = self.links()
        tables["storage"] = self.storage()
        tables["stores"] = self.stores()
        tables["targets"] = self.targets(int(stamps[0].year))
        avail, price = self.generator_series()
        if self.problems:
            raise PypsaError(self.problems)
        files = {"case.yaml": self.case_yaml(stamps, step, annualise,
                                             kvl=not tables["lines"].empty)}
        for name, table in tables.items():
            if name in ("buses", "generators", "loads") or not table.empty:
                files[f"{name}.csv"] = _csv(table)
        for name, frame in (("load_mw", load), ("availability_pu", avail),
                            ("price_per_mwh", price), ("link_availability_pu", link_avail)):
            if name == "load_mw" or not frame.empty:
                frame = frame.copy()
                frame.index = stamps
                files[f"{name}.csv"] = _series_csv(frame)
        files["sources.csv"] = _csv(sources(step, annualise, tables))
        return Conversion(files, self.warnings)

    def case_yaml(self, stamps: pd.DatetimeIndex, step: float, annualise: bool,
                  kvl: bool) -> str:
        gaps = stamps.to_series().diff().iloc[1:]
        regular = bool((gaps == pd.Timedelta(hours=step)).all())
        snaps = (f'  start: "{stamps[0]:%Y-%m-%d %H:%M:%S}"\n  hours: {len(stamps)}\n'
                 if regular else "  list:\n" + "".join(f'    - "{s:%Y-%m-%d %H:%M:%S}"\n'
                                                      for s in stamps))
        network = "network:\n  flow_model: kvl\n" if kvl else ""
        return (f"# Imported from a PyPSA network by `gridopt import pypsa` (gridopt/importers/"
                f"pypsa.py; the mapping in docs/pypsa.md and sources.csv).\n"
                f"name: {_yaml_str(self.name)}\ncurrency: {_yaml_str(self.currency)}\n"
                f"snapshots:\n{snaps}  step_h: {step!r}\n"
                f"  annualise: {str(annualise).lower()}\n"
                f"discount_rate: 0\nvoll_per_mwh: {VOLL:g}\nload_shedding: false\n{network}")


def sources(step: float, annualise: bool, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per mapping rule (``table, name, column, value, source, confidence``)."""
    pypsa = "PyPSA network, converted by gridopt.importers.pypsa"
    rows = [
        ("case.yaml", "*", "snapshots", f"step_h {step:g}; annualise {annualise}",
         f"{pypsa}: step_h = snapshot_weightings.stores; objective weighting = step_h "
         "(annualise false) or 8760/T (annualise true)", "H"),
        ("case.yaml", "*", "discount_rate", "0", "with every lifetime_yr 1, CRF = 1: capex is "
         "PyPSA's periodised capital cost (capital_cost, or annuity of overnight_cost + "
         "fom_cost) per MW-year", "H"),
        ("case.yaml", "*", "load_shedding", "false", "PyPSA has no load shedding", "H"),
        ("buses", "*", "carrier", "", "Bus.carrier: AC, DC or blank -> electricity", "H"),
        ("generators", "*", "*", "", "Generator: p_nom, p_nom_extendable, p_nom_max, "
         "p_min_pu, p_max_pu, marginal_cost, committable (one unit of p_nom), min_up_time/"
         "min_down_time x step_h, start_up_cost, shut_down_cost, ramp limits / step_h", "H"),
        ("generators", "*", "co2_t_per_mwh", "", "Carrier.co2_emissions / Generator."
         "efficiency", "H"),
        ("loads", "*", "*", "", "Load.p_set (static or series) -> load_mw.csv", "H"),
        ("links", "*", "*", "", "Link: bus0..bus3, efficiency..efficiency3, p_nom, "
         "p_nom_extendable, p_nom_max, p_min_pu, p_max_pu, marginal_cost", "H"),
        ("storage", "*", "*", "", "StorageUnit: p_nom, e_nom = p_nom x max_hours, duration_h = "
         "max_hours, efficiency_store/dispatch, standing_loss, cyclic_state_of_charge, "
         "state_of_charge_initial / e_nom", "H"),
        ("stores", "*", "*", "", "Store: e_nom, e_nom_extendable, e_nom_max, e_cyclic, "
         "e_initial / e_nom, standing_loss", "H"),
    ]
    if not tables["lines"].empty:
        rows.append(("lines", "*", "x_pu", "", f"Line x_pu (x / v_nom^2) x {BASE_MVA:g}: per "
                     "unit on a 100 MVA base; cap = s_nom x s_max_pu; flow_model kvl", "H"))
    if not tables["targets"].empty:
        rows.append(("targets", "*", "bound", "", "GlobalConstraint primary_energy on "
                     "co2_emissions, sense <=: co2_max in t, enforced", "H"))
    return pd.DataFrame(rows, columns=["table", "name", "column", "value", "source",
                                       "confidence"])


def write(files: dict[str, str], folder: str | Path) -> Path:
    """Write ``files`` into ``folder`` (made if missing); a non-empty folder is refused unless
    it holds a case this importer wrote (its ``case.yaml`` starts with the import line)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise PypsaError([f"{folder} is not a folder"])
    config = folder / "case.yaml"
    ours = config.is_file() and "gridopt import pypsa" in config.read_text(encoding="utf-8")
    if folder.exists() and any(folder.iterdir()) and not ours:
        raise PypsaError([f"{folder} is not empty and holds no imported PyPSA case: give a "
                          "new or empty folder"])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv") if ours else ():
        if old.name not in files:
            old.unlink()
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


def _port_attr(cname: str, attr: str) -> bool:
    if cname != "Link":
        return False
    for prefix in ("bus", "efficiency"):
        rest = attr.removeprefix(prefix)
        if rest != attr and rest.isdigit() and int(rest) >= 2:
            return True
    return False


def _ramp(limit: pd.Series, step: float) -> np.ndarray:
    """PyPSA's ramp limit per snapshot (NaN: none) as gridopt's share per hour (inf: none)."""
    values = limit.astype(float).to_numpy()
    return np.where(np.isnan(values), math.inf, values / step)


def _same(value: Any, default: Any) -> bool:
    if _isnan(value) and _isnan(default):
        return True
    try:
        return bool(value == default) or (isinstance(value, float | int | np.number)
                                          and isinstance(default, float | int | np.number)
                                          and math.isclose(float(value), float(default)))
    except (TypeError, ValueError):
        return False


def _isnan(value: Any) -> bool:
    return isinstance(value, float | np.floating) and math.isnan(value)


def _frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in columns})


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def _series_csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    out.index = out.index.strftime("%Y-%m-%d %H:%M:%S")
    return out.rename_axis("snapshot").to_csv(lineterminator="\n")
