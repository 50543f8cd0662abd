"""Labelled result tables, extracted generically from variable blocks and row duals.

A variable block ``"<family>.<quantity>"`` with axes (elements, snapshots) becomes a
DataFrame indexed by snapshot with one column per element; a block with one axis becomes a
Series. A new component family therefore needs no writer of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from gridopt._version import __version__
from gridopt.case.case import Case, Periods
from gridopt.components._dr import dr_state, evaluate
from gridopt.components.carriers import bus_carriers, electric_buses
from gridopt.components.commitment import fuel_column, fuel_heat, units
from gridopt.components.network import bus_demand
from gridopt.components.power_flow import flow_model, island_table
from gridopt.components.storage import energy_capacity, keep_over
from gridopt.components.targets import verdicts
from gridopt.components.vpp import vpp_series
from gridopt.model.arrays import ArrayModel
from gridopt.model.highs_backend import Solution

#: Families whose variables the named tables (dispatch, storage_soc, line_flow, load_shed,
#: capacities, vpp_dispatch, …) report; every other family's variables are written as they
#: are (:meth:`Results.family_variables`).
TABLED_FAMILIES = frozenset({"buses", "lines", "generators", "commitment", "storage", "vpps",
                             "peak_response", "targets", "reserves", "links", "stores"})


@dataclass
class Results:
    """The outcome of :func:`gridopt.solve`: status, objective and labelled tables.

    Tables are ``None``-free only when ``status == "optimal"``; otherwise :attr:`ok` is false
    and the tables raise a clear error.
    """

    case: Case
    model: ArrayModel
    solution: Solution
    backend: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.solution.status

    @property
    def ok(self) -> bool:
        return self.solution.ok

    @property
    def objective(self) -> float | None:
        return self.solution.objective

    def _x(self) -> np.ndarray:
        if self.solution.x is None:
            raise RuntimeError(f"no solution to read: the solve ended '{self.status}'")
        return self.solution.x

    # -- generic extraction ------------------------------------------------------------------
    def variable(self, name: str) -> pd.DataFrame | pd.Series:
        """The values of variable block ``name``: snapshots × elements, or a Series."""
        block = self.model.var_blocks[name]
        values = self._x()[block.index()]
        if len(block.coords) == 1:
            return pd.Series(values, index=block.coords[0], name=name)
        return pd.DataFrame(values.T, index=block.coords[1], columns=block.coords[0])

    def dual(self, name: str) -> pd.DataFrame:
        """Row duals of constraint block ``name`` (snapshots × elements), per unit objective."""
        if self.solution.row_dual is None:
            raise RuntimeError(f"no duals to read: the solve ended '{self.status}'")
        block = self.model.con_blocks[name]
        values = self.solution.row_dual[block.index()]
        if len(block.coords) == 1:
            return pd.DataFrame({name: values}, index=block.coords[0])
        return pd.DataFrame(values.T, index=block.coords[1], columns=block.coords[0])

    def dual_of(self, name: str) -> float:
        """The dual of a one-row constraint block (e.g. ``peak_response.target``)."""
        if self.solution.row_dual is None:
            raise RuntimeError(f"no duals to read: the solve ended '{self.status}'")
        return float(self.solution.row_dual[self.model.con_blocks[name].start])

    def _maybe(self, name: str, columns: pd.Index) -> pd.DataFrame:
        if name in self.model.var_blocks:
            return self.variable(name)
        return pd.DataFrame(index=self.case.snapshots, columns=columns, dtype=float)

    # -- named tables --------------------------------------------------------------------------
    @cached_property
    def dispatch(self) -> pd.DataFrame:
        """p_{g,t}, MW."""
        return self._maybe("generators.dispatch", self.case.table("generators").index)

    @cached_property
    def curtailment(self) -> pd.DataFrame:
        """a_{g,t} · P_g − p_{g,t} for generators with an hourly availability series, MW."""
        gens = self.case.table("generators")
        if gens.empty:
            return pd.DataFrame(index=self.case.snapshots)
        avail = self.case.series["availability_pu"]
        total = self.capacities.loc["generators", "total_mw"].reindex(gens.index)
        possible = avail[gens.index] * total.to_numpy()
        out = (possible - self.dispatch).clip(lower=0.0)
        variable = gens.index[(avail[gens.index].nunique() > 1).to_numpy()]
        return out[variable]

    @cached_property
    def storage_charge(self) -> pd.DataFrame:
        return self._maybe("storage.charge", self.case.table("storage").index)

    @cached_property
    def storage_discharge(self) -> pd.DataFrame:
        return self._maybe("storage.discharge", self.case.table("storage").index)

    @cached_property
    def storage_soc(self) -> pd.DataFrame:
        """e_{s,t} at the end of each snapshot, MWh.

        With linked representative periods, the state over the original calendar:
        e_{s,d,τ} = κ_s(h_τ) S_{s,d} + δ_{s,k(d),τ} for snapshot τ of original period d, where
        h_τ is the hours from the period's start to the end of τ (every hour, or the end of
        every segment when the periods are segmented).
        """
        return self._state("storage", "soc")

    def _state(self, family: str, quantity: str) -> pd.DataFrame:
        """The state ``<family>.<quantity>`` of a store (MWh), over the original calendar when
        representative periods are linked (see :attr:`storage_soc`)."""
        p = self.case.periods
        if p is None or not p.linked or f"{family}.soc_start" not in self.model.var_blocks:
            return self._maybe(f"{family}.{quantity}", self.case.table(family).index)
        st = self.case.table(family)
        start = self.variable(f"{family}.soc_start").to_numpy()  # N × S
        delta = self.variable(f"{family}.{quantity}").to_numpy()  # T × S
        first, last = p.bounds()
        size = (last - first + 1)[p.sequence]  # snapshots of each original period's representative
        pos = np.repeat(first[p.sequence] - (np.cumsum(size) - size), size) + np.arange(size.sum())
        dt = self.case.durations
        cum = np.cumsum(dt)
        to_end = cum - (cum - dt)[first][p.period_of()]  # hours from the period's start to t's end
        soc = keep_over(self.case, to_end[pos], family).T * np.repeat(start, size, axis=0) \
            + delta[pos]
        stamps = pd.DatetimeIndex(np.repeat(p.starts.to_numpy(), size)
                                  + pd.to_timedelta(to_end[pos] - dt[pos], unit="h"),
                                  name=self.case.snapshots.name)
        return pd.DataFrame(soc, index=stamps, columns=st.index)

    @cached_property
    def store_level(self) -> pd.DataFrame:
        """e_{s,t}: the level of each energy-only store at the end of each snapshot, MWh
        (``models/stores.md``; over the original calendar with linked periods)."""
        return self._state("stores", "e")

    @cached_property
    def store_withdrawal(self) -> pd.DataFrame:
        """p_{s,t}: each store's net withdrawal, injected at its bus (MW; < 0: filling)."""
        return self._maybe("stores.p", self.case.table("stores").index)

    @cached_property
    def link_flow(self) -> pd.DataFrame:
        """Per (snapshot, link): ``p0_mw`` taken at bus0 and ``p1_mw`` … ``p3_mw`` delivered at
        bus1 … bus3 (MW; a negative p2/p3 is an extra input; a reversible link running
        backwards has p0 < 0 and p1 < 0), backward losses included (``models/links.md``)."""
        links = self.case.table("links")
        index = pd.MultiIndex.from_product([self.case.snapshots, links.index],
                                           names=["snapshot", "name"])
        if "links.p" not in self.model.var_blocks:
            return pd.DataFrame(columns=["p0_mw", "p1_mw", "p2_mw", "p3_mw"], index=index,
                                dtype=float)
        p = self.variable("links.p").to_numpy()  # T × L
        loss = np.zeros_like(p)
        if "links.p_back" in self.model.var_blocks:
            back = self.variable("links.p_back")
            eta = links.loc[back.columns, "efficiency"].to_numpy(float)
            loss[:, links.index.get_indexer(back.columns)] = back.to_numpy() * (1.0 - eta)
        out = {"p0_mw": p + loss,
               "p1_mw": p * links["efficiency"].to_numpy(float) - loss}
        for k in ("2", "3"):
            eta = np.where(links[f"bus{k}"] != "", links[f"efficiency{k}"].to_numpy(float), 0.0)
            out[f"p{k}_mw"] = p * eta
        return pd.DataFrame({k: v.ravel() for k, v in out.items()}, index=index)

    @cached_property
    def bus_carriers(self) -> pd.DataFrame:
        """Each bus's carrier (``electricity`` for blank, AC and DC): what its price is per."""
        return bus_carriers(self.case).to_frame()

    @cached_property
    def line_flow(self) -> pd.DataFrame:
        return self._maybe("lines.flow", self.case.table("lines").index)

    @cached_property
    def load_shed(self) -> pd.DataFrame:
        return self.variable("buses.shed")

    @cached_property
    def demand(self) -> pd.DataFrame:
        """D_{b,t}, MW."""
        buses = self.case.table("buses").index
        return pd.DataFrame(bus_demand(self.case).T, index=self.case.snapshots, columns=buses)

    @cached_property
    def prices(self) -> pd.DataFrame:
        """Nodal prices λ_{b,t} = dual of ``buses.balance`` / w, currency/MWh."""
        return self.dual("buses.balance").div(self.case.weights, axis=0)

    @cached_property
    def capacities(self) -> pd.DataFrame:
        """Existing, new and total capacity of generators and storage (MW and MWh), and of
        lines when some are extendable (existing = ``cap_fwd_mw``; new is added both ways)."""
        frames = []
        lines = ("lines",) if "lines.p_new" in self.model.var_blocks else ()
        for family in ("generators", "storage", "links", *lines):
            table = self.case.table(family)
            if table.empty:
                continue
            existing = table["cap_fwd_mw" if family == "lines" else "p_nom_mw"].astype(float)
            new = pd.Series(0.0, index=table.index)
            if f"{family}.p_new" in self.model.var_blocks:
                new.update(self.variable(f"{family}.p_new"))
            frame = pd.DataFrame({"existing_mw": existing, "new_mw": new,
                                  "total_mw": existing + new})
            if f"{family}.n_new" in self.model.var_blocks:  # built in whole units (a MIP)
                frame["new_units"] = self.variable(f"{family}.n_new").round()
            if family == "generators" and "commitment.retrofit" in self.model.var_blocks:
                frame = frame.join(self._retrofits(table))
            if family == "storage":
                frame = frame.join(self._storage_energy(table))
            frame.index = pd.MultiIndex.from_product([[family], table.index],
                                                     names=["component", "name"])
            frames.append(frame)
        if not self.case.table("stores").empty:  # energy-only stores: MWh only
            frames.append(self._store_energy(self.case.table("stores")))
        return pd.concat(frames) if frames else pd.DataFrame()

    def _retrofits(self, table: pd.DataFrame) -> pd.DataFrame:
        """Units given the flexibility retrofit and their MW (``models/commitment.md``); blank
        for generators without a retrofit option."""
        built = self.variable("commitment.retrofit").round().reindex(table.index)
        un = units(self.case)
        size = pd.Series(un.size, index=un.names).reindex(table.index)
        return pd.DataFrame({"retrofit_units": built, "retrofit_mw": built * size})

    def _store_energy(self, table: pd.DataFrame) -> pd.DataFrame:
        """Existing, new and total energy of the energy-only stores (MWh); links are in the
        MW columns like generators (their capacity at bus0)."""
        existing = table["e_nom_mwh"].astype(float)
        new = pd.Series(0.0, index=table.index)
        if "stores.e_new" in self.model.var_blocks:
            new.update(self.variable("stores.e_new"))
        frame = pd.DataFrame({"existing_mwh": existing, "new_mwh": new,
                              "total_mwh": existing + new})
        frame.index = pd.MultiIndex.from_product([["stores"], table.index],
                                                 names=["component", "name"])
        return frame

    def _storage_energy(self, table: pd.DataFrame) -> pd.DataFrame:
        existing = pd.Series(energy_capacity(table), index=table.index)
        new = pd.Series(0.0, index=table.index)
        if "storage.e_new" in self.model.var_blocks:
            new.update(self.variable("storage.e_new"))
        return pd.DataFrame({"existing_mwh": existing, "new_mwh": new,
                             "total_mwh": existing + new})

    @cached_property
    def costs(self) -> pd.DataFrame:
        """Annual cost by component, element and kind (capital, fixed_om, operating, …)."""
        x = self._x()
        columns = ["component", "name", "kind", "cost"]
        terms = [t for t in self.model.cost_terms if t.cols.size]
        parts = [pd.DataFrame({  # one row per entry; pivot_table sums them (compensated)
            "component": np.repeat([t.family for t in terms], [t.cols.size for t in terms]),
            "name": np.concatenate([t.elements for t in terms]),
            "kind": np.repeat([t.kind for t in terms], [t.cols.size for t in terms]),
            "cost": np.concatenate([t.coefs * x[t.cols] for t in terms])})] if terms else []
        if self.model.constant_costs:
            parts.append(pd.DataFrame([(f, e, k, v) for f, k, e, v in self.model.constant_costs],
                                      columns=columns))
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
        table = frame.pivot_table(index=["component", "name"], columns="kind", values="cost",
                                  aggfunc="sum", fill_value=0.0)
        table.columns.name = None
        table["total"] = table.sum(axis=1)
        return table

    @cached_property
    def energy(self) -> pd.DataFrame:
        """Annual (weighted) generation, fuel use and emissions per generator (with the
        start-up and no-load fuel of committed units, ``models/commitment.md``)."""
        gens = self.case.table("generators")
        mwh = self.dispatch.mul(self.case.weights, axis=0).sum()
        fuels = self.case.table("fuels")
        units = dict(zip(fuels.index, fuels["unit"], strict=True)) if not fuels.empty else {}
        cols, gj, where = fuel_heat(self.model, self.case)
        extra = np.bincount(where, gj * self._x()[cols], minlength=len(gens))
        per_unit = np.where(gens["fuel"] == "", 0.0, 1.0 / np.where(
            gens["fuel"] == "", 1.0, fuel_column(self.case, "gj_per_unit")))
        return pd.DataFrame({
            "carrier": gens["carrier"],
            "energy_mwh": mwh,
            "fuel": gens["fuel"],
            "fuel_use": mwh * gens["fuel_units_per_mwh"] + extra * per_unit,
            "fuel_unit": [units.get(f, "") for f in gens["fuel"]],
            "co2_t": mwh * gens["co2_t_per_mwh"] + extra * fuel_column(self.case,
                                                                        "co2_t_per_gj"),
        })

    @cached_property
    def commitment(self) -> pd.DataFrame:
        """Units on, started and stopped per committable generator and snapshot (a row per
        (snapshot, name)); empty without committable generators."""
        columns = {"units_on": "status", "starts": "startup", "stops": "shutdown"}
        if "commitment.status" not in self.model.var_blocks:
            index = pd.MultiIndex.from_arrays([[], []], names=["snapshot", "name"])
            return pd.DataFrame(columns=list(columns), index=index, dtype=float)
        block = self.model.var_blocks["commitment.status"]
        index = pd.MultiIndex.from_product([block.coords[1], block.coords[0]],
                                           names=["snapshot", "name"])
        out = pd.DataFrame({k: self.variable(f"commitment.{v}").to_numpy().ravel()
                            for k, v in columns.items()}, index=index)
        if "commitment.retrofit_on" in self.model.var_blocks:  # blank without an option
            on = self.variable("commitment.retrofit_on").reindex(columns=block.coords[0])
            out["retrofit_on"] = on.to_numpy().ravel()
        return out

    @cached_property
    def reserves(self) -> pd.DataFrame:
        """Reserve held per (snapshot, requirement, provider): ``direction``, ``provider_type``
        (generator, storage) and ``reserve_mw`` (``models/reserves.md``); empty without
        requirements."""
        frames = []
        for kind in ("generator", "storage"):
            name = f"reserves.{kind}"
            if name not in self.model.var_blocks or not self.model.var_blocks[name].size:
                continue
            values = self.variable(name).stack(["requirement", "provider"], future_stack=True)
            frame = values.rename("reserve_mw").reset_index()
            frame.insert(3, "provider_type", kind)
            frames.append(frame)
        columns = ["snapshot", "requirement", "direction", "provider_type", "provider",
                   "reserve_mw"]
        if not frames:
            return pd.DataFrame(columns=columns)
        out = pd.concat(frames, ignore_index=True)
        direction = self.case.table("reserves")["direction"].str.strip().str.lower()
        out["direction"] = out["requirement"].map(direction)
        return out[columns].sort_values(["snapshot", "requirement", "provider_type"],
                                        kind="stable").set_index("snapshot")

    @cached_property
    def reserve_prices(self) -> pd.DataFrame:
        """Reserve prices: the dual of ``reserves.requirement`` / w_t, currency per MW and
        hour held (snapshots × requirements)."""
        return self.dual("reserves.requirement").div(self.case.weights, axis=0)

    @cached_property
    def self_owned_plants_energy(self) -> pd.DataFrame:
        """Annual (weighted) extra output, fuel use and emissions per self-owned plant.

        Incremental to the plants' baseline (which is netted out of ``load_mw.csv``); counted
        in :attr:`total_emissions_t`, not in :attr:`energy` (which is grid generators only).
        """
        from gridopt.components.self_owned_plants import FAMILY, plant_table

        columns = ["energy_mwh", "fuel", "fuel_use", "fuel_unit", "co2_t"]
        if f"{FAMILY}.output" not in self.model.var_blocks:
            return pd.DataFrame(columns=columns, index=pd.Index([], name="name"))
        plants = plant_table(self.case)
        mwh = self.variable(f"{FAMILY}.output").mul(self.case.weights, axis=0).sum()
        fuels = self.case.table("fuels")
        units = dict(zip(fuels.index, fuels["unit"], strict=True)) if not fuels.empty else {}
        return pd.DataFrame({
            "energy_mwh": mwh,
            "fuel": plants["fuel"],
            "fuel_use": mwh * plants["fuel_units_per_mwh"],
            "fuel_unit": [units.get(f, "") for f in plants["fuel"]],
            "co2_t": mwh * plants["co2_t_per_mwh"],
        })

    @cached_property
    def injections(self) -> pd.DataFrame:
        """Net injection into the nodal balance by family, summed over buses (snapshots ×
        family, MW): what each family adds to supply (negative: consumption, e.g. charging)."""
        x = self._x()
        out = pd.DataFrame(0.0, index=self.case.snapshots,
                           columns=list(dict.fromkeys(f for f, *_ in self.model.injections)))
        for family, cols, _, sign in self.model.injections:
            out[family] += sign * x[cols].sum(axis=0)
        return out

    @cached_property
    def dr_response(self) -> pd.DataFrame:
        """Each DR element's response in dispatch (MW), columns (family, name)."""
        x = self._x()
        frames = {}
        for resp in dr_state(self.model).recorded("dispatch"):
            values = evaluate(resp, x)
            for k, name in enumerate(resp.elements):
                frames[(resp.family, name)] = values[k]
        frame = pd.DataFrame(frames, index=self.case.snapshots)
        if frames:
            frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["family", "name"])
        return frame

    def family_variables(self) -> dict[str, pd.DataFrame | pd.Series]:
        """Every dispatch variable of the families without a table of their own above (the DR
        families, and any family added later) by ``<family>_<quantity>``: activations,
        shifted energy, EV charging, hydrogen storage, …, extracted generically, so that a
        new family needs no writer. Event-scope copies (``event_*``) are left out."""
        return {f"{b.family}_{b.quantity}": self.variable(name)
                for name, b in self.model.var_blocks.items()
                if b.family not in TABLED_FAMILIES and not b.quantity.startswith("event_")}

    @cached_property
    def vpp_dispatch(self) -> pd.DataFrame:
        """Each VPP's hourly response: the sum over its members (MW)."""
        return vpp_series(dr_state(self.model).recorded("dispatch"), self._x(), self.case)

    @cached_property
    def vpp_summary(self) -> pd.DataFrame:
        """Per VPP: members, delivered energy (Σ w · max(0, Σ members r)), net energy
        (Σ w · Σ members r, recovery of shifted energy counted negative), peak MW and revenue at
        the members' nodal prices."""
        vpps = self.case.table("vpps")
        rows = {name: {"members": 0, "delivered_mwh": 0.0, "net_energy_mwh": 0.0, "max_mw": 0.0,
                       "revenue": 0.0} for name in vpps.index}
        w, x, prices = self.case.weights, self._x(), self.prices.to_numpy()
        for resp in dr_state(self.model).recorded("dispatch"):
            values = evaluate(resp, x)
            for k, v in enumerate(resp.vpp):
                if v in rows:
                    rows[v]["members"] += 1
                    rows[v]["revenue"] += float((w * values[k] * prices[:, resp.buses[k]]).sum())
        for name in vpps.index:
            series = self.vpp_dispatch[name]
            rows[name]["delivered_mwh"] = float(series.clip(lower=0.0).to_numpy() @ w)
            rows[name]["net_energy_mwh"] = float(series.to_numpy() @ w)
            rows[name]["max_mw"] = float(self.vpp_dispatch[name].max())
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("name")

    @property
    def total_emissions_t(self) -> float:
        """CO2 of generators plus the extra output of self-owned plants, t/yr."""
        total = float(self.energy["co2_t"].sum())
        if not self.case.table("self_owned_plants").empty:
            total += float(self.self_owned_plants_energy["co2_t"].sum())
        return total

    @property
    def snapshot_table(self) -> pd.DataFrame:
        """Per snapshot: representative period k, Δt_t (``duration_h``) and the weight w_t
        (``weight_h``, hours of a year it stands for): what every time series of an aggregated
        case is summed with (energy = Σ_t w_t · MW)."""
        p = self.case.periods
        period = p.period_of() if p is not None else np.zeros(self.case.n_snapshots, int)
        return pd.DataFrame({"period": period, "duration_h": self.case.durations,
                             "weight_h": self.case.weights}, index=self.case.snapshots)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by file stem, for writers."""
        names = ["dispatch", "demand", "curtailment", "storage_charge", "storage_discharge",
                 "storage_soc", "line_flow", "load_shed", "prices", "capacities", "costs",
                 "energy"]
        if self.solution.row_dual is None:  # a solve stopped at a limit: no prices
            names.remove("prices")
        out = {n: getattr(self, n) for n in names}
        if dr_state(self.model).recorded("dispatch"):
            out["dr_response"] = self.dr_response
        out.update(self.family_variables())
        if not self.case.table("links").empty:
            out["link_flow"] = self.link_flow
        if not self.case.table("stores").empty:
            out["store_level"] = self.store_level
            out["store_withdrawal"] = self.store_withdrawal
        if not electric_buses(self.case).all():
            out["bus_carriers"] = self.bus_carriers
        if self.case.periods is not None:
            out["snapshots"] = self.snapshot_table
        if not self.case.table("self_owned_plants").empty:
            out["self_owned_plants_energy"] = self.self_owned_plants_energy
        if not self.case.table("vpps").empty:
            out["vpp_dispatch"] = self.vpp_dispatch
            if self.solution.row_dual is not None:  # revenue at nodal prices
                out["vpp_summary"] = self.vpp_summary
        if self.has_targets:
            out["targets"] = self.targets
            if self.case.config.get("peak_response") is not None:
                out["peak_response_by_element"] = self.peak_response_by_element
        if flow_model(self.case) != "transport":  # DC power flow: the islands of AC lines
            out["islands"] = island_table(self.case)
        if "commitment.status" in self.model.var_blocks:
            out["commitment"] = self.commitment
        if "reserves.requirement" in self.model.con_blocks:
            out["reserves"] = self.reserves
            if "reserves.shortfall" in self.model.var_blocks:
                out["reserve_shortfall"] = self.variable("reserves.shortfall")
            if self.solution.row_dual is not None:
                out["reserve_prices"] = self.reserve_prices
        return out

    @property
    def has_targets(self) -> bool:
        """Whether the case declares targets: ``targets.csv`` or ``case.yaml: peak_response``."""
        return not self.case.table("targets").empty or \
            self.case.config.get("peak_response") is not None

    @cached_property
    def targets(self) -> pd.DataFrame:
        """Each declared target: required and achieved in its own unit and in the model's,
        PASS/FAIL (or NOT EVALUATED with the reason, or not modelled), margin, the shadow price
        of an enforced one and whether it binds while load is shed; with ``case.yaml:
        peak_response`` also the peak-response target (``T1-peak-response``, from
        :func:`gridopt.peak.peak_verdict`) (``models/targets.md``)."""
        sol = self.solution
        out = verdicts(self.model, self.case, sol.x, sol.row_dual)
        if self.case.config.get("peak_response") is not None:
            t1 = self._peak_assessment[0]
            out = t1 if out.empty else pd.concat([out, t1])
            out.index.name = "name"
        return out

    @cached_property
    def _peak_assessment(self) -> tuple[pd.DataFrame, Any]:
        """The T1 row and the :class:`gridopt.peak.PeakReport` it was judged from."""
        from gridopt.peak import peak_assessment

        sol = self.solution
        return peak_assessment(self.case, self.model, sol.x, sol.row_dual)

    @cached_property
    def peak_response_by_element(self) -> pd.DataFrame:
        """The T1 verdict's response by resource: each DR element's r_e (MW) at the binding
        peak-event hour, with its family and VPP (blank: none), so that Σ_e r_e = R of
        ``targets.csv`` row ``T1-peak-response`` (``models/peak_response.md``); empty when R
        was not evaluated."""
        columns = ["family", "vpp", "mw"]
        report = self._peak_assessment[1]
        if report is None or report.by_element.empty:
            return pd.DataFrame(columns=columns, index=pd.Index([], name="name"))
        return report.by_element.set_index("name")[columns]

    def summary(self) -> dict[str, Any]:
        """Status, objective, sizes, timings, versions and the case hash (for summary.json)."""
        sol, m = self.solution, self.model
        out: dict[str, Any] = {
            "case": self.case.name,
            "status": sol.status,
            "objective": sol.objective,
            "currency": self.case.currency,
            "backend": self.backend,
            "build_seconds": round(sol.build_seconds, 4),
            "solve_seconds": round(sol.solve_seconds, 4),
            "n_variables": m.n_cols,
            "n_constraints": m.n_rows,
            "n_snapshots": self.case.n_snapshots,
            "solver": sol.solver,
            "gridopt_version": __version__,
            "case_sha256": self.case.digest(),
        }
        if self.case.periods is not None:
            p = self.case.periods
            out["periods"] = {"k": p.n_periods, "hours": p.length * self.case.step_h,
                              "n_original": p.n_original, "linked": p.linked,
                              "segments": _segments_per_period(p),
                              "weights": [float(x) for x in p.count]}
        if flow_model(self.case) != "transport":  # DC power flow (models/network.md)
            out["flow_model"] = flow_model(self.case)
            out["islands"] = int(island_table(self.case)["island"].nunique())
        electric = electric_buses(self.case)  # system electricity: electricity buses only
        if sol.x is not None:  # optimal, or the best solution found at a limit
            w = self.case.weights
            out["demand_mwh"] = float(w @ self.demand.to_numpy()[:, electric].sum(axis=1))
            out["load_shed_mwh"] = float(w @ self.load_shed.to_numpy()[:, electric].sum(axis=1))
            if not electric.all():  # other carriers' demand and shed, MWh of each carrier
                out.update(self._other_carriers())
            out["co2_t"] = self.total_emissions_t
            if "commitment.startup" in self.model.var_blocks:  # starts a year, per generator
                starts = self.variable("commitment.startup")
                per_year = (self.case.weights / self.case.durations) @ starts.to_numpy()
                out["starts_per_yr"] = dict(zip(starts.columns, per_year.tolist(),
                                                strict=True))
        if sol.row_dual is not None:
            prices = self.prices.to_numpy()[:, electric]  # mean over electricity buses
            out["mean_price_per_mwh"] = float(np.nansum(w[:, None] * prices)
                                              / (w.sum() * prices.shape[1]))
        if m.n_integer:
            out.update(self._mip_summary())
        return {**out, **self.meta}

    def _other_carriers(self) -> dict[str, Any]:
        """Demand and load shed per carrier other than electricity (MWh of that carrier)."""
        w, carriers = self.case.weights, bus_carriers(self.case).to_numpy()
        demand, shed = self.demand.to_numpy(), self.load_shed.to_numpy()
        others = [c for c in dict.fromkeys(carriers) if c != "electricity"]
        return {"other_carriers": {c: {"demand_mwh": float(w @ demand[:, carriers == c].sum(1)),
                                       "load_shed_mwh": float(w @ shed[:, carriers == c].sum(1))}
                                   for c in others}}

    def _mip_summary(self) -> dict[str, Any]:
        """For a model with integer columns: how many, whether relaxed, and for a MIP solve
        its dual bound, relative gap, nodes and the fixed LP that priced it (README,
        "Mixed-integer problems")."""
        out: dict[str, Any] = {"integer_columns": self.model.n_integer,
                               "relax_integrality": self.model.relaxed}
        mip = self.solution.mip
        if mip is not None:
            out.update({"mip_dual_bound": mip.dual_bound, "mip_gap": mip.gap,
                        "mip_node_count": mip.node_count,
                        "fixed_lp_status": mip.fixed_lp_status,
                        "fixed_lp_objective": mip.fixed_lp_objective,
                        "fixed_lp_seconds": round(mip.fixed_lp_seconds, 4)})
        return out


def _segments_per_period(p: Periods) -> int | None:
    """Snapshots of each segmented (typical) period, else ``None``."""
    if not p.segmented:
        return None
    first, last = p.bounds()
    merged = np.bincount(p.period_of(), weights=p.snapshot_steps() > 1) > 0
    return int((last - first + 1)[merged].max())
