"""Write result folders safely: CSV tables, JSON documents and plots.

The folder rules (what may be replaced, the lock, the atomic swap, cleaning up after a
killed writer) are in :mod:`gridopt.results.folder`. Here the tables are made safe for
spreadsheets: a text cell that a spreadsheet would run as a formula is written with a
leading ``'`` (OWASP's CSV-injection rule), so that a generator called ``=HYPERLINK(…)``
opens as text, not as a link.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from gridopt.results.folder import OutputError, check_out, checkpoint, replace_folder
from gridopt.results.results import Results

__all__ = ["OutputError", "check_out", "spreadsheet_safe", "write_folder", "write_results"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_results(results: Results, out: str | Path, extra: dict[str, pd.DataFrame] | None = None,
                  *, protect: Iterable[str | Path] = ()) -> Path:
    """Write every result table as CSV plus ``summary.json`` into ``out`` (atomically).

    ``protect``: folders ``out`` must neither be nor contain (the case folder); see
    :func:`gridopt.results.folder.check_out`.
    """
    tables = {**results.tables(), **(extra or {})}
    summary = results.summary()
    return write_folder(out, tables, {"summary.json": summary}, protect=protect,
                        note={"case_sha256": summary.get("case_sha256")})


def write_folder(out: str | Path, tables: dict[str, pd.DataFrame | pd.Series],
                 documents: dict[str, Any],
                 writers: dict[str, Callable[[Path], Any]] | None = None, *,
                 protect: Iterable[str | Path] = (), note: dict[str, Any] | None = None
                 ) -> Path:
    """Write CSV tables, JSON documents and other files (``writers``: file name → function
    writing that path, e.g. a plot) as the gridopt result folder ``out``.

    Raises :class:`OutputError` if ``out`` may not be replaced or cannot be written; an
    earlier result stays as it was then.
    """
    def fill(folder: Path) -> None:
        for name, frame in tables.items():
            spreadsheet_safe(frame).to_csv(folder / f"{name}.csv")
            checkpoint(f"wrote {name}.csv")
        for name, doc in documents.items():
            (folder / name).write_text(json.dumps(doc, indent=2, default=str) + "\n")
            checkpoint(f"wrote {name}")
        for name, write in (writers or {}).items():
            write(folder / name)
            checkpoint(f"wrote {name}")

    return replace_folder(out, fill, protect=protect, note=note)


def spreadsheet_safe(frame: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """``frame`` with every text cell and text label that starts like a formula escaped.

    A string starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    ``'``; numbers (negative ones too) are untouched. Returns ``frame`` itself when nothing
    needs escaping; a Series stays a Series.
    """
    if isinstance(frame, pd.Series):
        as_frame = frame.to_frame()
        safe = spreadsheet_safe(as_frame)
        return frame if safe is as_frame else safe.iloc[:, 0]
    texts = [i for i, dtype in enumerate(frame.dtypes) if _is_text(dtype)]
    safe = frame
    for i in texts:
        column = frame.iloc[:, i]
        if column.map(_is_formula).any():
            if safe is frame:
                safe = frame.copy()
            safe.isetitem(i, column.map(escape_cell))
    index, columns = _escape_labels(frame.index), _escape_labels(frame.columns)
    if index is not frame.index or columns is not frame.columns:
        safe = safe.set_axis(index, axis=0).set_axis(columns, axis=1)
    return safe


def escape_cell(value: Any) -> Any:
    """``'`` + ``value`` for a string a spreadsheet would run as a formula, else ``value``."""
    return "'" + value if _is_formula(value) else value


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _is_text(dtype: Any) -> bool:
    return (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype))


def _escape_labels(labels: pd.Index) -> pd.Index:
    """The labels (every level of a MultiIndex) and their names escaped; the same object
    when nothing needs escaping."""
    names = [escape_cell(n) for n in labels.names]
    if isinstance(labels, pd.MultiIndex):
        levels = [_escape_labels(level) for level in labels.levels]
        if all(new is old for new, old in zip(levels, labels.levels, strict=True)) \
                and names == list(labels.names):
            return labels
        return labels.set_levels(levels).set_names(names)
    escaped = labels
    if _is_text(labels.dtype) and any(_is_formula(x) for x in labels):
        escaped = labels.map(escape_cell)
    if names != list(labels.names):
        escaped = escaped.set_names(names)
    return escaped
