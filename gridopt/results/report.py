"""One self-contained HTML page of a result folder (``gridopt report``, ``run --report``).

The page is built from what ``gridopt run`` wrote (the CSV tables and ``summary.json``), so it
works on any past result: figures are drawn with matplotlib and embedded as base64 PNG, the
page needs no network and no JavaScript. Every text taken from the case (names, target names,
units) is cleaned of control characters and HTML-escaped; in a figure a ``$`` is escaped so that
matplotlib does not read it as mathematics.

Sections (each ``<section id="...">``): ``summary``, ``capacity``, ``dispatch``, ``storage``,
``prices``, ``curtailment``, ``peak-response``, ``targets``, ``costs``; a pathway result
(``capacity_path.csv``) adds ``capacity-path`` and shows the single-year sections for its last
modelled year. A section whose data the run lacks says so in one line.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from gridopt.case.case import shown

#: The file name of the page inside a result folder.
REPORT_NAME = "report.html"
#: Section ids in page order (``capacity-path`` only for a pathway result).
SECTIONS = ("summary", "capacity-path", "capacity", "dispatch", "storage", "prices",
            "curtailment", "peak-response", "targets", "costs")
WEEK_H = 168
#: Stacking order of the dispatch (bottom up; other carriers before storage).
STACK_ORDER = ("nuclear", "coal", "biomass", "hydro", "import", "gas", "oil", "wind", "solar",
               "storage", "demand response", "load shed")
#: Colours by carrier (others from the default cycle).
COLOURS = {"coal": "#4d4d4d", "gas": "#d95f02", "oil": "#7f3b08", "nuclear": "#984ea3",
           "hydro": "#1f78b4", "wind": "#66c2a5", "solar": "#ffd92f", "biomass": "#33a02c",
           "import": "#a6761d", "storage": "#e7298a", "load shed": "#e31a1c",
           "demand response": "#7570b3"}


# -- reading the folder ------------------------------------------------------------------------
@dataclass
class ResultFolder:
    """The tables of a result folder, one year of a pathway result at a time.

    ``year`` is the pathway year the single-year tables are read for (the last modelled
    year), ``None`` for a single-year result.
    """

    path: Path
    summary: dict[str, Any] = field(default_factory=dict)
    pathway: bool = False
    year: int | None = None
    _cache: dict[str, pd.DataFrame | None] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | Path) -> ResultFolder:
        path = Path(path)
        if not (path / "summary.json").is_file():
            raise FileNotFoundError(f"{path}: no summary.json; not a gridopt result folder")
        summary = json.loads((path / "summary.json").read_text())
        pathway = (path / "capacity_path.csv").is_file()
        year = max(int(y) for y in summary.get("years", {})) if pathway and \
            summary.get("years") else None
        return cls(path, summary if isinstance(summary, dict) else {}, pathway, year)

    def has(self, name: str) -> bool:
        return (self.path / f"{name}.csv").is_file()

    def table(self, name: str, *, whole: bool = False) -> pd.DataFrame | None:
        """``name.csv`` as read (None when absent or unreadable); in a pathway result only the
        rows of :attr:`year` (without the year column) unless ``whole``."""
        key = f"{name}:{whole}"
        if key not in self._cache:
            self._cache[key] = self._read(name, whole)
        return self._cache[key]

    def _read(self, name: str, whole: bool) -> pd.DataFrame | None:
        try:
            frame = pd.read_csv(self.path / f"{name}.csv", keep_default_na=True)
        except (OSError, ValueError):
            return None
        if self.pathway and not whole and "year" in frame.columns and self.year is not None:
            frame = frame[frame["year"] == self.year].drop(columns="year")
        return frame.reset_index(drop=True)

    def series(self, name: str) -> pd.DataFrame | None:
        """A time table (snapshot × element), indexed by timestamp."""
        frame = self.table(name)
        if frame is None or "snapshot" not in frame.columns:
            return None
        out = frame.set_index("snapshot")
        out.index = pd.to_datetime(out.index)
        return out.apply(pd.to_numeric, errors="coerce")

    def dr_response(self) -> pd.DataFrame | None:
        """``dr_response.csv`` (two header rows, family and name), for this year."""
        try:
            frame = pd.read_csv(self.path / "dr_response.csv", header=[0, 1], index_col=0)
        except (OSError, ValueError):
            return None
        if self.pathway and self.year is not None:  # index: year, then snapshot in column 0
            frame = frame[frame.index.astype(str) == str(self.year)]
            frame = frame.set_index(frame.columns[0])
        frame.index = pd.to_datetime(frame.index)
        return frame.apply(pd.to_numeric, errors="coerce")

    @property
    def year_summary(self) -> dict[str, Any]:
        """The summary of the year shown (the whole summary for a single year)."""
        if self.year is None:
            return self.summary
        return {**self.summary, **self.summary.get("years", {}).get(str(self.year), {})}

    @property
    def currency(self) -> str:
        return str(self.summary.get("currency", ""))

    @property
    def weights(self) -> tuple[np.ndarray | float, str]:
        """w_t, the hours of a year each snapshot stands for, and how it was found:
        ``snapshots.csv: weight_h`` with representative periods, else the one factor that
        turns the dispatch table into the energy table (Σ_t w p_{g,t} = energy_mwh)."""
        snaps = self.table("snapshots")
        if snaps is not None and "weight_h" in snaps:
            return snaps["weight_h"].to_numpy(float), "snapshots.csv weight_h"
        dispatch, energy = self.series("dispatch"), self.table("energy")
        if dispatch is not None and energy is not None and "energy_mwh" in energy:
            total = float(np.nansum(dispatch.to_numpy()))
            if total > 0:
                return float(energy["energy_mwh"].sum()) / total, "as energy.csv"
        return 1.0, "1 h per snapshot"

    @property
    def representative(self) -> bool:
        return self.has("snapshots")

    def carriers(self) -> pd.Series:
        """Generator → carrier (``energy.csv``)."""
        energy = self.table("energy")
        if energy is None or "carrier" not in energy:
            return pd.Series(dtype=object)
        return pd.Series(energy["carrier"].fillna("other").astype(str).to_numpy(),
                         index=energy["name"].astype(str))

    def electric_buses(self, columns: pd.Index) -> pd.Index:
        """The columns (buses) of electricity (``bus_carriers.csv``; all when it is absent)."""
        carriers = self.table("bus_carriers")
        if carriers is None or "carrier" not in carriers:
            return columns
        electric = set(carriers.loc[carriers["carrier"] == "electricity", "name"].astype(str))
        return pd.Index([c for c in columns if c in electric])


# -- text and figures --------------------------------------------------------------------------
def esc(text: object, limit: int = 300) -> str:
    """Case text for HTML: control characters dropped, cut to ``limit``, escaped."""
    return html.escape(shown(text, limit), quote=True)


def label(text: object, limit: int = 40) -> str:
    """Case text for a matplotlib label: cleaned, cut, ``$`` escaped (no mathtext)."""
    return shown(text, limit).replace("$", r"\$")


def figure_html(fig: plt.Figure, alt: str) -> str:
    """The figure as an embedded PNG (closed afterwards)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def colour(name: str, k: int) -> str:
    return COLOURS.get(name.lower(), f"C{k % 10}")


def number(x: Any, digits: int = 0) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return esc(x) if x is not None else ""
    return "–" if not np.isfinite(v) else f"{round(v, digits) + 0.0:,.{digits}f}"


def html_table(frame: pd.DataFrame, digits: int = 1) -> str:
    """A small table: text escaped, numbers with thousands separators."""
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for v in row:
            if isinstance(v, int | float | np.number) and not isinstance(v, bool):
                cells.append(f'<td class="n">{number(v, digits)}</td>')
            else:
                cells.append(f"<td>{'' if pd.isna(v) else esc(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


@dataclass
class Section:
    """One section of the page: its id, heading and body (or the one line saying why not)."""

    id: str
    title: str
    body: str

    def html(self) -> str:
        return (f'<section id="{self.id}"><h2>{esc(self.title)}</h2>\n{self.body}\n'
                "</section>")


def missing(text: str) -> str:
    return f'<p class="missing">{esc(text)}</p>'


def figure(fig: plt.Figure, caption: str) -> str:
    return f"<figure>{figure_html(fig, caption)}<figcaption>{esc(caption, 2000)}" \
           "</figcaption></figure>"


# -- sections ----------------------------------------------------------------------------------
def summary_section(f: ResultFolder) -> Section:
    """Case, status, objective, solve time, demand, CO2, mean price; generation by carrier."""
    s, y = f.summary, f.year_summary
    cur = f.currency
    rows = [("case", esc(s.get("case", ""))), ("status", esc(s.get("status", "")))]
    objective = s.get("objective")
    basis = f" ({esc(s['objective_basis'])})" if "objective_basis" in s else " a year"
    rows.append(("objective", f"{number(objective)} {esc(cur)}{basis}"
                 if objective is not None else "–"))
    rows.append(("build / solve time", f"{number(s.get('build_seconds'), 1)} s / "
                 f"{number(s.get('solve_seconds'), 1)} s"))
    if f.year is not None:
        rows.append(("year shown below", f"{f.year} (the last modelled year of the pathway)"))
        rows.append((f"annual cost {f.year}", f"{number(y.get('annual_cost'))} {esc(cur)}"))
    rows += [("demand", f"{number(y.get('demand_mwh', np.nan) / 1e6, 3)} TWh a year"),
             ("load shed", f"{number(y.get('load_shed_mwh'))} MWh a year"),
             ("CO2", f"{number(y.get('co2_t', np.nan) / 1e6, 3)} Mt a year"),
             ("mean price", f"{number(y.get('mean_price_per_mwh'), 2)} {esc(cur)}/MWh"
              if "mean_price_per_mwh" in y else "– (no prices: the solve did not finish)")]
    if "n_snapshots" in y:
        rows.append(("snapshots", number(y["n_snapshots"])))
    if "periods" in s:
        p = s["periods"]
        rows.append(("representative periods", esc(f"{p.get('k')} periods of "
                                                   f"{p.get('hours')} h")))
    table = "<table class=\"kv\">" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>"
                                             for k, v in rows) + "</table>"
    energy = f.table("energy")
    if energy is None or energy.empty or "carrier" not in energy:
        return Section("summary", "Summary", table + missing("No energy table in this run."))
    by = energy.groupby(energy["carrier"].astype(str))["energy_mwh"].sum().sort_values()
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(by) + 1.2))
    ax.barh([label(c) for c in by.index], by.to_numpy() / 1e6,
            color=[colour(c, k) for k, c in enumerate(by.index)])
    ax.set_xlabel("generation, TWh a year")
    ax.grid(axis="x", alpha=0.3)
    return Section("summary", "Summary", table + figure(
        fig, f"Annual generation by carrier (TWh a year{_year(f)}), from energy.csv."))


def _year(f: ResultFolder) -> str:
    return f", {f.year}" if f.year is not None else ""


def capacity_section(f: ResultFolder) -> Section:
    """Existing and new MW by carrier; storage MW and MWh."""
    cap = f.table("capacities")
    if cap is None or cap.empty:
        return Section("capacity", "Capacity mix", missing("No capacities in this run."))
    carriers = f.carriers()
    gens = cap[cap["component"] == "generators"].copy()
    gens["carrier"] = gens["name"].astype(str).map(carriers).fillna("other")
    by = gens.groupby("carrier")[["existing_mw", "new_mw"]].sum()
    store = cap[cap["component"] == "storage"]
    if not store.empty:
        by.loc["storage"] = store[["existing_mw", "new_mw"]].sum().to_numpy()
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(by) + 1.4))
    names = [label(c) for c in by.index]
    ax.barh(names, by["existing_mw"], color="#8c96c6", label="existing")
    ax.barh(names, by["new_mw"], left=by["existing_mw"], color="#e6550d", label="new")
    ax.set_xlabel("capacity, MW")
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    caption = (f"Installed capacity by carrier, existing and new (MW{_year(f)}); storage is its "
               "power (MW).")
    body = figure(fig, caption)
    if store.empty:
        body += missing("No storage in this run.")
    else:
        cols = ["name", "existing_mw", "new_mw", "total_mw", "existing_mwh", "new_mwh",
                "total_mwh"]
        body += "<p>Storage, power (MW) and energy (MWh):</p>" + html_table(
            store[[c for c in cols if c in store]], 1)
    return Section("capacity", "Capacity mix", body)


def supply_by_carrier(f: ResultFolder) -> pd.DataFrame | None:
    """Per snapshot: generation by carrier, storage net discharge, DR response and load shed,
    MW (positive: supply; storage charging and DR recovery negative)."""
    dispatch = f.series("dispatch")
    if dispatch is None:
        return None
    carriers = f.carriers()
    out = dispatch.T.groupby(dispatch.columns.map(
        lambda g: carriers.get(g, "other"))).sum().T
    charge, discharge = f.series("storage_charge"), f.series("storage_discharge")
    if charge is not None and discharge is not None and charge.shape[1]:
        out["storage"] = discharge.sum(axis=1).reindex(out.index) \
            - charge.sum(axis=1).reindex(out.index)
    dr = f.dr_response()
    if dr is not None and dr.shape[1]:
        out["demand response"] = dr.sum(axis=1).reindex(out.index).fillna(0.0)
    shed = f.series("load_shed")
    if shed is not None and float(np.nansum(shed.to_numpy())) > 0:
        out["load shed"] = shed.sum(axis=1).reindex(out.index)
    return out.fillna(0.0)


def system_demand(f: ResultFolder, supply: pd.DataFrame) -> tuple[pd.Series, str]:
    """System demand D_t (MW, electricity buses), or, in a folder without ``demand.csv``,
    the supply that meets it (generation + storage + DR + shed)."""
    demand = f.series("demand")
    if demand is not None:
        return demand[f.electric_buses(demand.columns)].sum(axis=1), "demand.csv"
    return supply.sum(axis=1), "no demand.csv: supply shown as demand"


def weeks(n: int) -> list[slice]:
    """The 168-snapshot weeks from the start (the last may be short)."""
    return [slice(k, min(k + WEEK_H, n)) for k in range(0, n, WEEK_H)]


def chosen_weeks(demand: pd.Series) -> tuple[slice, slice]:
    """The peak week (holding the largest D_t) and the typical week (whose total demand is
    closest to the median of the full weeks' totals)."""
    spans = weeks(len(demand))
    values = demand.to_numpy()
    peak = int(np.argmax(values))
    peak_week = next(s for s in spans if s.start <= peak < s.stop)
    full = [s for s in spans if s.stop - s.start == WEEK_H] or spans
    totals = np.array([values[s].sum() for s in full])
    typical = full[int(np.argmin(np.abs(totals - np.median(totals))))]
    return peak_week, typical


def stack_plot(supply: pd.DataFrame, demand: pd.Series, span: slice, title: str,
               x_positions: bool) -> plt.Figure:
    """Supply by carrier stacked (positive up, negative down) with demand as a line."""
    part, d = supply.iloc[span], demand.iloc[span]
    x = np.arange(len(part)) if x_positions else part.index
    used = [c for c in part.columns if np.abs(part[c].to_numpy()).max() > 1e-6]
    rank = {c: k for k, c in enumerate(STACK_ORDER)}
    order = sorted(used, key=lambda c: (rank.get(c.lower(), rank["storage"] - 0.5), c))
    fig, ax = plt.subplots(figsize=(10, 4))
    pos = part[order].clip(lower=0.0)
    neg = part[order].clip(upper=0.0)
    step = "post" if not x_positions else "mid"
    ax.stackplot(x, *(pos[c].to_numpy() for c in order), step=step,
                 labels=[label(c) for c in order],
                 colors=[colour(c, k) for k, c in enumerate(order)])
    if (neg.to_numpy() < -1e-6).any():
        ax.stackplot(x, *(neg[c].to_numpy() for c in order), step=step,
                     colors=[colour(c, k) for k, c in enumerate(order)])
    ax.plot(x, d.to_numpy(), color="black", lw=1.5, label="demand", drawstyle="steps-post")
    ax.set_ylabel("MW")
    ax.set_xlabel("snapshot (in order, representative periods)" if x_positions else "time")
    ax.set_title(label(title, 120), fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def dispatch_section(f: ResultFolder) -> Section:
    """The peak week and the typical week, by carrier, with demand."""
    supply = supply_by_carrier(f)
    if supply is None or supply.empty:
        return Section("dispatch", "Dispatch", missing("No dispatch in this run."))
    demand, source = system_demand(f, supply)
    note = "" if source == "demand.csv" else f" ({source})"
    if f.representative:
        fig = stack_plot(supply, demand, slice(0, len(supply)),
                         "every representative snapshot, in order", True)
        return Section("dispatch", "Dispatch", figure(fig, (
            "Dispatch by carrier (MW) over the representative periods as solved "
            "(snapshots.csv present): the snapshots are shown as they are, one after the "
            "other, not as calendar weeks; storage and demand response below zero are "
            f"charging and recovery; the black line is demand (MW){note}.")))
    peak, typical = chosen_weeks(demand)
    at = demand.index[int(np.argmax(demand.to_numpy()))]
    body = figure(stack_plot(supply, demand, peak, "peak week", False), (
        f"Peak week: dispatch by carrier (MW) in the week holding the highest system demand "
        f"({number(demand.max())} MW at {at}{_year(f)}); below zero: storage charging, DR "
        f"recovery; the black line is demand (MW){note}."))
    if typical == peak:
        body += "<p>The horizon holds one week: the typical week is the peak week.</p>"
    else:
        body += figure(stack_plot(supply, demand, typical, "typical week", False), (
            "Typical week: dispatch by carrier (MW) in the week whose total demand is "
            f"closest to the median week's; the black line is demand (MW){note}."))
    return Section("dispatch", "Dispatch", body)


def storage_section(f: ResultFolder) -> Section:
    soc = f.series("storage_soc")
    if soc is None or soc.shape[1] == 0:
        return Section("storage", "Storage state of charge",
                       missing("No storage in this run."))
    x_positions = f.representative
    x = np.arange(len(soc)) if x_positions else soc.index
    fig, ax = plt.subplots(figsize=(10, 3.5))
    for k, c in enumerate(soc.columns):
        ax.plot(x, soc[c].to_numpy(), lw=0.8, label=label(c), color=f"C{k % 10}")
    ax.set_ylabel("state of charge, MWh")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.grid(alpha=0.3)
    how = " (snapshots in order, representative periods)" if x_positions else ""
    return Section("storage", "Storage state of charge", figure(
        fig, f"State of charge of each storage unit at the end of each snapshot (MWh) over "
             f"the horizon{how}{_year(f)}."))


def prices_section(f: ResultFolder) -> Section:
    prices = f.series("prices")
    if prices is None or prices.shape[1] == 0:
        return Section("prices", "Nodal prices", missing(
            "No prices in this run (a solve stopped at a limit has no duals)."))
    w, _ = f.weights
    hours = np.broadcast_to(np.asarray(w, float), (len(prices),))  # w_t, h a year
    fig, ax = plt.subplots(figsize=(9, 4))
    for k, bus in enumerate(prices.columns):
        order = np.argsort(-prices[bus].to_numpy(), kind="stable")
        ax.step(np.cumsum(hours[order]), prices[bus].to_numpy()[order], where="pre",
                lw=1.0, label=label(bus), color=f"C{k % 10}")
    ax.set_xlabel("hours (a year, snapshots weighted) at or above the price")
    ax.set_ylabel(f"price, {label(f.currency, 10)}/MWh")
    if prices.shape[1] <= 20:
        ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    return Section("prices", "Nodal prices", figure(fig, (
        f"Price duration curves: each bus's price ({f.currency}/MWh) sorted from highest to "
        f"lowest against the hours of a year it holds (snapshots weighted{_year(f)}), one line "
        "per bus.")))


def curtailment_section(f: ResultFolder) -> Section:
    curt = f.series("curtailment")
    if curt is None or curt.shape[1] == 0:
        return Section("curtailment", "Curtailment", missing(
            "No curtailment table: no generator with a varying availability in this run."))
    carriers = f.carriers()
    kept = renewable(f, curt.columns)
    left_out = [c for c in curt.columns if c not in kept]
    if not kept:
        return Section("curtailment", "Curtailment", missing(
            "No renewable generator with a varying availability in this run."))
    curt = curt[kept].where(curt[kept].abs() > 1e-6, 0.0)  # solver noise
    w, how = f.weights
    weighted = curt.mul(np.asarray(w, float), axis=0) if not np.isscalar(w) else curt * w
    by_gen = weighted.sum()
    by = by_gen.groupby(by_gen.index.map(lambda g: carriers.get(g, "other"))).sum()
    over = curt.T.groupby(curt.columns.map(lambda g: carriers.get(g, "other"))).sum().T
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.5), width_ratios=[1, 2.5])
    a1.bar([label(c) for c in by.index], by.to_numpy(),
           color=[colour(c, k) for k, c in enumerate(by.index)])
    a1.set_ylabel("curtailed energy, MWh a year")
    a1.grid(axis="y", alpha=0.3)
    x = np.arange(len(over)) if f.representative else over.index
    for k, c in enumerate(over.columns):
        a2.plot(x, over[c].to_numpy(), lw=0.7, label=label(c), color=colour(c, k))
    a2.set_ylabel("curtailed, MW")
    a2.legend(fontsize=8)
    a2.grid(alpha=0.3)
    fig.autofmt_xdate()
    total = float(by.sum())
    return Section("curtailment", "Curtailment", figure(fig, (
        f"Curtailment by carrier: left, energy curtailed in MWh a year (total "
        f"{number(total)} MWh; snapshots weighted {how}{_year(f)}); right, curtailed MW "
        "over the horizon. Curtailment is available renewable output not used (generators "
        "without a fuel, imports left out)" + (
            f"; the unused capacity of {len(left_out)} other generator(s) with a varying "
            "availability in curtailment.csv is not counted." if left_out else "."))))


def renewable(f: ResultFolder, names: pd.Index) -> list[str]:
    """The generators among ``names`` that burn no fuel and do not import (energy.csv):
    what is curtailed when their available output is not used."""
    energy = f.table("energy")
    if energy is None or "fuel" not in energy:
        return list(names)
    e = energy.set_index(energy["name"].astype(str))
    fuel = e["fuel"].fillna("").astype(str).str.strip()
    carrier = e["carrier"].fillna("").astype(str).str.lower()
    ok = set(e.index[(fuel == "") & ~carrier.str.contains("import")])
    return [n for n in names if n in ok or n not in e.index]


def _t1_row(f: ResultFolder) -> pd.Series | None:
    targets = f.table("targets", whole=True)
    if targets is None or "kind" not in targets:
        return None
    rows = targets[targets["kind"] == "peak_response"]
    if f.year is not None and "year" in rows:
        rows = rows[rows["year"].astype(str) == str(f.year)]
    return rows.iloc[0] if len(rows) else None


def peak_section(f: ResultFolder) -> Section:
    """Response by resource at the peak hours against the required share (plan T1)."""
    title = "Peak-load response (T1)"
    t1 = _t1_row(f)
    if t1 is None:
        return Section("peak-response", title, missing(
            "No peak-response target in this run (case.yaml: peak_response)."))
    need = float(t1.get("required_model", np.nan))
    share = t1.get("required", np.nan)
    by = f.table("peak_response_by_element")
    if by is not None and not by.empty:
        by = by.assign(mw=pd.to_numeric(by["mw"], errors="coerce").fillna(0.0))
        what = ("the response each resource holds at the binding peak-event hour "
                "(peak_response_by_element.csv; its sum is R)")
    else:
        dr = f.dr_response()
        demand = f.series("demand")
        if dr is None or dr.shape[1] == 0 or demand is None:
            return Section("peak-response", title, _t1_text(t1, f) + missing(
                "No response by resource in this folder (no peak_response_by_element.csv)."))
        at = demand[f.electric_buses(demand.columns)].sum(axis=1).idxmax()
        row = dr.loc[at]
        by = pd.DataFrame({"family": row.index.get_level_values(0),
                           "name": row.index.get_level_values(1), "vpp": "",
                           "mw": row.to_numpy(float)})
        what = (f"the DR response dispatched at the peak-demand hour {at} (dr_response.csv; "
                "an older folder without peak_response_by_element.csv)")
    by = by.sort_values("family", kind="stable")
    fam = by.groupby("family", sort=False)["mw"].sum()
    colours = {name: f"C{k % 10}" for k, name in enumerate(fam.index)}
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = 0.0
    for name, mw in fam.items():
        ax.bar(0, mw, bottom=bottom, color=colours[name], label=label(name))
        bottom += mw
    bottom = 0.0
    for row in by.itertuples(index=False):
        ax.bar(1, row.mw, bottom=bottom, color=colours[row.family], alpha=0.7,
               edgecolor="white")
        if row.mw > 0.04 * max(need, 1e-9):
            ax.text(1.42, bottom + row.mw / 2, label(row.name, 30), va="center", fontsize=7)
        bottom += row.mw
    ax.axhline(need, color="red", ls="--", lw=1.5,
               label=f"required: {share:g} % of peak = {need:,.1f} MW")
    ax.set_xticks([0, 1], ["by DR family", "by resource"])
    ax.set_xlim(-0.6, 2.4)
    ax.set_ylabel("response, MW")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    body = _t1_text(t1, f) + figure(fig, (
        f"Peak-load response (MW): {what}, stacked by DR family (left) and by resource "
        f"(right), against the required {share:g} % of peak load (red line, MW{_year(f)})."))
    cols = [c for c in ("name", "family", "vpp", "mw") if c in by]
    body += html_table(by[cols].rename(columns={"mw": "MW"}), 2)
    return Section("peak-response", title, body)


def _t1_text(t1: pd.Series, f: ResultFolder) -> str:
    return (f"<p>Verdict: <b>{esc(t1.get('verdict'))}</b>: R = "
            f"{number(t1.get('achieved_model'), 1)} MW ({number(t1.get('achieved'), 2)} % of "
            f"peak) against {number(t1.get('required_model'), 1)} MW "
            f"({number(t1.get('required'), 2)} %). {esc(t1.get('note', ''), 600)}</p>")


def targets_section(f: ResultFolder) -> Section:
    """The verdict table in the plan's units, all years of a pathway."""
    targets = f.table("targets", whole=True)
    if targets is None or targets.empty:
        return Section("targets", "Target verdicts", missing(
            "No targets in this run (targets.csv or case.yaml: peak_response)."))
    cols = ["name", "year", "name_zh", "name_en", "required", "achieved", "unit", "verdict",
            "margin", "shadow_price", "shadow_price_unit"]
    shown_ = targets[[c for c in cols if c in targets]]
    rows = []
    for _, r in shown_.iterrows():
        verdict = str(r.get("verdict", ""))
        css = "pass" if verdict == "PASS" else "fail" if verdict == "FAIL" else "other"
        cells = []
        for c in shown_.columns:
            v = r[c]
            if c in ("required", "achieved", "margin", "shadow_price"):
                cells.append(f'<td class="n">{number(v, 2) if pd.notna(v) else ""}</td>')
            elif c == "year":
                cells.append(f"<td>{esc(int(v)) if pd.notna(v) else ''}</td>")
            else:
                cells.append(f"<td>{'' if pd.isna(v) else esc(v)}</td>")
        rows.append(f'<tr class="{css}">' + "".join(cells) + "</tr>")
    head = "".join(f"<th>{esc(c)}</th>" for c in shown_.columns)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    judged = targets[targets["verdict"].isin(["PASS", "FAIL"])].copy()
    if judged.empty:
        return Section("targets", "Target verdicts", missing(
            "No target was evaluated in this run.") + table)
    judged["ratio"] = pd.to_numeric(judged["achieved"], errors="coerce") / \
        pd.to_numeric(judged["required"], errors="coerce") * 100
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(judged) + 1.3))
    names = [label(n, 40) for n in judged["name"]]
    ax.barh(names, judged["ratio"].to_numpy(),
            color=["#1a9850" if v == "PASS" else "#d73027" for v in judged["verdict"]])
    ax.axvline(100, color="black", lw=1)
    ax.set_xlabel("achieved as % of required")
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    body = figure(fig, (
        "Each evaluated target's achieved value as a percentage of its required value "
        "(for a maximum, below 100 % passes; for a minimum, above): green PASS, red FAIL. "
        "The table gives each target in the plan's own units, its margin and the shadow "
        "price of an enforced one.")) + table
    return Section("targets", "Target verdicts", body)


def costs_section(f: ResultFolder) -> Section:
    costs = f.table("costs")
    if costs is None or costs.empty:
        return Section("costs", "Costs", missing("No costs in this run."))
    kinds = [c for c in costs.columns if c not in ("component", "name", "total")]
    by = costs.groupby("component")[kinds].sum()
    by = by.loc[by.abs().sum(axis=1) > 0, by.abs().sum() > 0]
    by = by.loc[by.sum(axis=1).sort_values().index]
    cur = f.currency
    if by.empty:
        return Section("costs", "Costs", missing("Every cost is zero in this run."))
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(by) + 1.5))
    left_pos = np.zeros(len(by))
    left_neg = np.zeros(len(by))
    for k, kind in enumerate(by.columns):
        v = by[kind].to_numpy() / 1e6
        left = np.where(v >= 0, left_pos, left_neg)
        ax.barh([label(c) for c in by.index], v, left=left, label=label(kind),
                color=f"C{k % 10}")
        left_pos += np.clip(v, 0, None)
        left_neg += np.clip(v, None, 0)
    ax.set_xlabel(f"annual cost, million {label(cur, 10)}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    table = by.copy()
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum()
    return Section("costs", "Costs", figure(fig, (
        f"Annual cost by component and kind (million {cur} a year{_year(f)}), from "
        "costs.csv.")) + html_table((table / 1e6).reset_index(), 2) +
        f"<p>Table: million {esc(cur)} a year.</p>")


def capacity_path_section(f: ResultFolder) -> Section:
    path = f.table("capacity_path", whole=True)
    if path is None or path.empty:
        return Section("capacity-path", "Capacity path", missing("No capacity path."))
    path = path.set_index(path.columns[0])
    years = list(path.columns)
    fig, ax = plt.subplots(figsize=(8, 4))
    bottom = np.zeros(len(years))
    for k, (carrier, row) in enumerate(path.iterrows()):
        v = pd.to_numeric(row, errors="coerce").fillna(0.0).to_numpy()
        ax.bar([str(y) for y in years], v, bottom=bottom, label=label(carrier),
               color=colour(str(carrier).split(" ")[0], k))
        bottom += v
    ax.set_ylabel("capacity, MW")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return Section("capacity-path", "Capacity path", figure(fig, (
        "Installed capacity by carrier in each modelled year of the pathway (MW, "
        "capacity_path.csv); the target verdicts of every year are in the targets section; "
        f"the other sections show the last modelled year, {f.year}.")) +
        html_table(path.reset_index(), 0))


# -- the page ----------------------------------------------------------------------------------
STYLE = """body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em;color:#222}
section{border-top:1px solid #ccc;margin-top:1.5em}figure{margin:0.5em 0}
img{max-width:100%}figcaption{font-size:0.9em;color:#444}
table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}td.n{text-align:right}
tr.pass td{background:#e5f5e0}tr.fail td{background:#fde0dd}.missing{color:#777}
table.kv th{background:#f4f4f4}"""

BUILDERS: dict[str, Callable[[ResultFolder], Section]] = {
    "summary": summary_section, "capacity-path": capacity_path_section,
    "capacity": capacity_section, "dispatch": dispatch_section,
    "storage": storage_section, "prices": prices_section,
    "curtailment": curtailment_section, "peak-response": peak_section,
    "targets": targets_section, "costs": costs_section}


def build_report(folder: str | Path) -> str:
    """The HTML page of the result folder ``folder`` (see the module docstring)."""
    f = ResultFolder.open(folder)
    sections = []
    for key in SECTIONS:
        if key == "capacity-path" and not f.pathway:
            continue
        try:
            sections.append(BUILDERS[key](f).html())
        except Exception as exc:  # a malformed table: the page still comes out
            plt.close("all")
            sections.append(Section(key, key, missing(
                f"This section could not be drawn: {type(exc).__name__}: {exc}")).html())
    name = esc(f.summary.get("case", f.path.name))
    scope = (f"Pathway result: the capacity path and the target verdicts cover every year; "
             f"the other sections show the last modelled year, {f.year}." if f.pathway else "")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>gridopt report: {name}</title>"
            '<link rel="icon" href="data:,">'
            f"<style>{STYLE}</style></head><body>\n"
            f"<h1>gridopt report: {name}</h1>\n"
            f"<p>From the result folder {esc(f.path.name)}. {esc(scope)}</p>\n"
            + "\n".join(sections) + "\n</body></html>\n")


def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the page of ``folder`` to ``out`` (default ``folder/report.html``), atomically.

    Written into the result folder, the page is added to the folder's marker, so that the
    folder stays one gridopt may replace (:mod:`gridopt.results.folder`).
    """
    from gridopt.results.folder import MARKER, _write_marker, read_marker

    folder = Path(folder)
    text = build_report(folder)
    target = Path(out) if out is not None else folder / REPORT_NAME
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    info = read_marker(folder)
    if target.resolve().parent == folder.resolve() and info and info.get("complete") is True \
            and (folder / MARKER).is_file():
        files = list(info.get("files", []))
        if target.name not in files:
            _write_marker(folder, {**info, "files": sorted([*files, target.name])})
    return target
