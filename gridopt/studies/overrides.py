"""Apply a scenario's overrides to the base case as read (text cells), then build it.

The base case folder is read once (:func:`gridopt.case.io.read_folder`: every cell a string);
a scenario copies what it changes, writes the new numbers as text and builds the case through
the same validation as a folder (:func:`gridopt.case.build.case_from_tables`), so that a value
a scenario makes invalid (a negative capacity, a share above 1) is an error naming file, row and
column, recorded as that scenario's failure.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from gridopt.case.build import case_from_tables
from gridopt.case.case import Case
from gridopt.case.io import RawCase
from gridopt.case.schema import TABLES
from gridopt.studies.spec import Override, Scalar

#: Non-value columns of a series file.
SERIES_KEYS = ("snapshot", "hour", "name")


def scenario_case(raw: RawCase, overrides: list[tuple[Override, Scalar]]) -> Case:
    """The base case with each ``(override, parameter value)`` applied, validated and built."""
    config = copy.deepcopy(raw.config)
    tables = dict(raw.tables)
    series = dict(raw.series)
    for o, value in overrides:
        if o.table is not None:
            tables[o.table] = _set_table(tables[o.table], o, value)
        elif o.series is not None:
            series[o.series] = _scale_series(series[o.series], o, float(value))
        else:
            _set_config(config, str(o.config), o.value if o.value is not None else value)
    return case_from_tables(config, tables, series, raw.sources, raw.path)


def _text(x: float) -> str:
    """A number as the text a CSV cell would hold (exact: ``repr`` round-trips)."""
    return repr(float(x))


def _rows(frame: pd.DataFrame, names: str | list[str] | None) -> np.ndarray:
    if names is None:
        return np.ones(len(frame), bool)
    wanted = {names} if isinstance(names, str) else set(names)
    return frame["name"].isin(wanted).to_numpy()


def _set_table(frame: pd.DataFrame, o: Override, value: Scalar) -> pd.DataFrame:
    """Column ``o.column`` of the chosen rows × value (scale), = ``o.value``, or = value."""
    frame = frame.copy()
    rows = _rows(frame, o.name)
    col = next(c for c in TABLES[str(o.table)] if c.name == o.column)
    if o.column not in frame:
        default = "" if col.default is None else col.default
        frame[o.column] = "" if isinstance(default, str) else str(default)
    if o.scale:
        current = pd.to_numeric(frame.loc[rows, o.column].replace("", np.nan), errors="coerce")
        if col.default is not None and not isinstance(col.default, str):
            current = current.fillna(float(col.default))
        frame.loc[rows, o.column] = [_text(v * float(value)) if np.isfinite(v) else str(v)
                                     for v in current.to_numpy(float)]
    else:
        new = o.value if o.value is not None else value
        text = _text(new) if isinstance(new, (int, float)) and not isinstance(new, bool) \
            else str(new).lower() if isinstance(new, bool) else str(new)
        frame.loc[rows, o.column] = text
    return frame


def _scale_series(frame: pd.DataFrame, o: Override, factor: float) -> pd.DataFrame:
    """Series values × factor: one element's column (wide), its rows (long), or all."""
    frame = frame.copy()
    if "name" in frame and "value" in frame:  # long format
        rows = _rows(frame, o.column) if o.column else np.ones(len(frame), bool)
        values = pd.to_numeric(frame.loc[rows, "value"], errors="coerce").to_numpy(float)
        frame.loc[rows, "value"] = [_text(v * factor) if np.isfinite(v) else ""
                                    for v in values]
        return frame
    columns = [o.column] if o.column else [c for c in frame.columns if c not in SERIES_KEYS]
    for c in columns:
        values = pd.to_numeric(frame[c], errors="coerce").to_numpy(float)
        frame[c] = [_text(v * factor) if np.isfinite(v) else "" for v in values]
    return frame


def _set_config(config: dict[str, Any], key: str, value: Any) -> None:
    """Set a dotted key of case.yaml, creating the mappings on the way."""
    parts = key.split(".")
    node = config
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value
