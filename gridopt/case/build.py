"""Turn a configuration mapping and typed tables into a :class:`~gridopt.case.case.Case`.

This is the one path into a Case, for a folder read from disk (:func:`gridopt.case.io.read_case`)
and for a case written in code (tests, scripts): the tables are validated first
(:func:`gridopt.case.validate.validate_tables`), then defaults are filled and derived columns added.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from gridopt.case.case import Case, CaseError, LineNumbers, line_numbers
from gridopt.case.schema import SERIES, TABLES, TRUE_WORDS
from gridopt.case.series import element_series
from gridopt.case.service import existing_in_year
from gridopt.case.snapshots import make_snapshots
from gridopt.case.validate import validate_tables


def fill_defaults(kind: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """Index a table by ``name`` and fill every optional column with its default."""
    if frame is None or "name" not in frame:
        return _empty(kind).copy(deep=False)  # copy-on-write: the cached frame stays empty
    return _filled(kind, frame)


@functools.cache
def _empty(kind: str) -> pd.DataFrame:
    """The filled frame of a table the case does not have (most of them, in most cases): the
    columns of :func:`_filled` with no rows, made from typed empty arrays (no parsing) and
    kept for the process, since even so a frame of 20 columns costs ~0.3 ms."""
    dtypes = {"str": object, "bool": bool}
    columns = {col.name: np.empty(0, dtype=dtypes.get(col.kind, float))
               for col in TABLES[kind] if col.name != "name"}
    out = pd.DataFrame(columns, index=pd.Index(np.empty(0, dtype=object), dtype="str",
                                               name="name"))
    out.attrs["lines"] = LineNumbers()
    return out


def _filled(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    index = pd.Index(frame["name"].astype(str), name="name")
    columns = {col.name: _typed(frame[col.name].to_numpy() if col.name in frame else None,
                                col.kind, col.default, len(index))
               for col in TABLES[kind] if col.name != "name"}
    out = pd.DataFrame(columns, index=index)  # one frame, not a column insert per default
    out.attrs["lines"] = LineNumbers(line_numbers(frame).tolist())  # for problems' lines
    return out


def _typed(values: np.ndarray | None, kind: str, default: object, n: int) -> np.ndarray:
    if kind == "str":
        if values is None:
            return np.array([default or ""] * n, dtype=object)
        return np.array(["" if _blank(v) else str(v).strip() for v in values], dtype=object)
    if kind == "bool":
        if values is None:
            return np.full(n, bool(default))
        return np.array([bool(default) if _blank(v) else _to_bool(v) for v in values])
    if values is None:
        return np.full(n, float(default) if default is not None else math.nan)
    if values.dtype.kind in "fiub":  # numbers already: no parsing Series per column
        arr = values.astype(float)
    else:
        arr = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(float)
    if default is not None:
        arr = np.where(np.isnan(arr), float(default), arr)
    return arr


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _to_bool(v: object) -> bool:
    if isinstance(v, (bool, int, float, np.bool_, np.number)):
        return bool(v)
    return str(v).strip().lower() in TRUE_WORDS


def derive_generator_columns(gens: pd.DataFrame, fuels: pd.DataFrame) -> pd.DataFrame:
    """Add marginal cost c = π_f · h + VOM, emissions e and fuel use per MWh of output."""
    gens = gens.copy(deep=False)  # copy-on-write: only the columns set below are new
    fuel = gens["fuel"].to_numpy(object)
    has = fuel != ""  # elementwise on object values (no string-dtype kernel per call)
    price = np.zeros(len(gens))
    co2_gj = np.zeros(len(gens))
    gj_unit = np.ones(len(gens))
    if has.any():
        f = fuels.loc[fuel[has]]
        price[has] = f["price_per_gj"].to_numpy()
        co2_gj[has] = f["co2_t_per_gj"].to_numpy()
        gj_unit[has] = f["gj_per_unit"].to_numpy()
    hr = gens["heat_rate_gj_per_mwh"].to_numpy()
    gens["marginal_cost_per_mwh"] = price * hr + gens["vom_per_mwh"].to_numpy()
    direct = gens["co2_t_per_mwh"].to_numpy()
    gens["co2_t_per_mwh"] = np.where(np.isnan(direct), co2_gj * hr, direct)
    gens["fuel_units_per_mwh"] = np.where(has, hr / gj_unit, 0.0)
    return gens


def series_frame(kind: str, frame: pd.DataFrame | None, snapshots: pd.DatetimeIndex,
                 elements: pd.Index) -> pd.DataFrame:
    """A wide T × elements frame on the snapshot index (long input is pivoted)."""
    if frame is None or len(frame.columns) == 0:
        return pd.DataFrame(index=snapshots, columns=pd.Index([], name="name"), dtype=float)
    frame = to_wide(frame)
    values = frame.drop(columns=[c for c in ("snapshot", "hour") if c in frame.columns])
    if not all(pd.api.types.is_numeric_dtype(t) for t in values.dtypes):
        values = values.apply(pd.to_numeric, errors="coerce")
    values = values.astype(float)
    values.index = snapshots
    values.columns = pd.Index(values.columns.astype(str), name="name")
    return values[[e for e in elements if e in values.columns]]


def to_wide(frame: pd.DataFrame) -> pd.DataFrame:
    """Pivot a long series (``snapshot|hour, name, value``) to wide; wide passes through."""
    if {"name", "value"} <= set(frame.columns):
        key = "snapshot" if "snapshot" in frame.columns else "hour"
        order = _sort_key(frame[key], key)
        wide = frame.assign(**{key: order}).pivot(index=key, columns="name", values="value")
        wide = wide.reset_index()
        wide.columns.name = None
        return wide
    return frame


def _sort_key(values: pd.Series, key: str) -> pd.Series:
    """Hours as numbers and snapshots as timestamps, so that a pivot sorts them in time order."""
    if key == "hour":
        return pd.to_numeric(values, errors="coerce")
    return pd.Series(pd.to_datetime(values, format="mixed", errors="coerce"), index=values.index)


def full_availability(gens: pd.DataFrame, given: pd.DataFrame,
                      snapshots: pd.DatetimeIndex) -> pd.DataFrame:
    """T × generators: the given availability where a cell is given, else ``p_max_pu``
    (as ``DataFrame.update`` would, with numpy: this runs on every case build)."""
    values = element_series(given, gens.index, len(snapshots), gens["p_max_pu"].to_numpy(float))
    return pd.DataFrame(values, index=snapshots, columns=gens.index)


def case_from_tables(config: Mapping[str, Any], tables: Mapping[str, pd.DataFrame | None],
                     series: Mapping[str, pd.DataFrame | None] | None = None,
                     sources: pd.DataFrame | None = None, path: Any = None,
                     validate: bool = True) -> Case:
    """Build a :class:`Case` from a config mapping and raw tables (columns as in the format).

    Raises :class:`CaseError` listing every problem when ``validate`` finds any.
    """
    series = dict(series or {})
    if validate:
        problems = validate_tables(config, tables, series)
        if problems:
            raise CaseError(problems)
    snapshots = make_snapshots(config)
    filled = {kind: fill_defaults(kind, tables.get(kind)) for kind in TABLES}
    voll = float(config["voll_per_mwh"])
    buses = filled["buses"]
    buses["voll_per_mwh"] = buses["voll_per_mwh"].replace(math.inf, voll)
    lines = filled["lines"]
    lines["cap_rev_mw"] = lines["cap_rev_mw"].fillna(lines["cap_fwd_mw"])
    filled["generators"] = derive_generator_columns(filled["generators"], filled["fuels"])
    if not config.get("pathway") and len(snapshots):  # a pathway counts it in each year
        filled = existing_in_year(filled, int(snapshots[0].year))
    extra = {k: v for k, v in tables.items() if k not in TABLES and v is not None}
    all_tables = {**filled, **extra}
    ts = {kind: series_frame(kind, series.get(kind), snapshots, filled[SERIES[kind][0]].index)
          for kind in SERIES}
    ts["availability_pu"] = full_availability(filled["generators"], ts["availability_pu"],
                                              snapshots)
    snap_cfg = config.get("snapshots", {})
    return Case(
        name=str(config["name"]),
        currency=str(config["currency"]),
        snapshots=snapshots,
        step_h=float(snap_cfg.get("step_h", 1.0)),
        voll_per_mwh=voll,
        discount_rate=float(config.get("discount_rate", 0.06)),
        annualise=bool(snap_cfg.get("annualise", True)),
        description=str(config.get("description", "")),
        solver_options=MappingProxyType(dict(config.get("solver", {}) or {})),
        tables=MappingProxyType(all_tables),
        series=MappingProxyType(ts),
        sources=sources,
        path=path,
        config=MappingProxyType(dict(config)),
    )
