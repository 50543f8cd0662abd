"""Read a case folder (``case.yaml`` and CSV files, see ``docs/case-format.md``) into a Case.

Reading never half-succeeds and never lets a traceback through for a mistake in the case: a
missing or unreadable file (bad YAML, bad CSV, empty file, not UTF-8, binary) becomes a
:class:`~gridopt.case.case.Problem`, the readable files are still validated, and every problem
of every file is raised together in one :class:`~gridopt.case.case.CaseError`.

Rules of the reader (the validator's are listed in :mod:`gridopt.case.validate`):
``missing-file`` (no ``case.yaml`` or no case folder), ``unreadable-file`` (invalid YAML or
CSV, a binary file, an OS error), ``empty-file``, ``encoding`` (not UTF-8), ``config-type``
(``case.yaml`` is not a mapping) and ``required-column`` (a column with values but no header,
or ``sources.csv`` without ``table``, ``name``, ``column`` or ``source``). Required tables that
are absent are reported by the validator (``required-table``). CSV files other than the known
tables and series (e.g. a table of a later component family) are passed through unchecked, as
string frames, in ``Case.tables``; extra columns of known tables are allowed.

CSV files are read as text (every cell a string, blank cells ``""``) so that a cell that is
not a number can be reported rather than crash the reader. Headers and cells are stripped of
surrounding whitespace, except the value cells of the (large) time series, which are parsed as
numbers later and need no stripping. Fully blank lines are skipped; each frame's index, named
``"line"``, holds the CSV line number of its rows (one record per physical line is assumed:
a quoted cell spanning lines shifts the numbers of the rows after it).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from gridopt.case.build import case_from_tables
from gridopt.case.case import Case, CaseError, Problem
from gridopt.case.schema import SERIES, TABLES
from gridopt.case.validate import order_problems, validate_tables
from gridopt.case.validate_config import CONFIG_FILE

SOURCES_FILE = "sources.csv"
SOURCES_COLUMNS = ("table", "name", "column", "source")
#: The text columns of a time series (its other cells are numbers).
SERIES_TEXT = ("snapshot", "hour", "name")


@dataclass
class RawCase:
    """What a case folder holds, as read, with the problems met while reading it."""

    path: Path
    config: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    series: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    sources: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)

    def fail(self, file: str, row: int | None, rule: str, message: str) -> None:
        """Record that ``file`` could not be read (its content is not checked further)."""
        self.problems.append(Problem(file, row, None, rule, message))
        self.unreadable.add(file)


def read_case(path: str | Path) -> Case:
    """Read, validate and build the case in folder ``path`` (or of its ``case.yaml``).

    Raises
    ------
    CaseError
        Listing every problem in every file of the case.
    """
    raw = read_folder(path)
    if raw.problems:
        raise CaseError(_all_problems(raw))
    return case_from_tables(raw.config, raw.tables, raw.series, raw.sources, raw.path)


def validate_case(path: str | Path) -> list[Problem]:
    """Every problem of the case in folder ``path``; an empty list when it is valid."""
    return _all_problems(read_folder(path))


def read_config(path: str | Path) -> dict[str, Any]:
    """The mapping in ``case.yaml`` of folder ``path`` (or the YAML file ``path`` itself).

    Raises :class:`CaseError` when the file is missing, unreadable or not a mapping; the keys
    themselves are checked by :func:`gridopt.case.validate_config.check_config`.
    """
    path = Path(path)
    raw = RawCase(path.parent if path.is_file() else path)
    config = _read_config(path if path.is_file() else path / CONFIG_FILE, raw)
    if raw.problems:
        raise CaseError(raw.problems)
    return config


def read_folder(path: str | Path) -> RawCase:
    """Read every file of a case folder without validating its content."""
    folder = Path(path)
    if folder.is_file() and folder.suffix in (".yaml", ".yml"):
        folder = folder.parent
    raw = RawCase(folder)
    if not folder.is_dir():
        raw.fail(str(folder), None, "missing-file", f"there is no case folder '{folder}'")
        return raw
    raw.config = _read_config(folder / CONFIG_FILE, raw)
    for kind in TABLES:
        raw.tables[kind] = _read_optional(folder / f"{kind}.csv", raw)
    for kind in SERIES:
        raw.series[kind] = _read_optional(folder / f"{kind}.csv", raw, strip=SERIES_TEXT)
    raw.sources = _read_optional(folder / SOURCES_FILE, raw)
    _check_sources(raw)
    known = {*TABLES, *SERIES, Path(SOURCES_FILE).stem}
    for file in sorted(folder.glob("*.csv")):
        if file.stem not in known:
            raw.tables[file.stem] = _read_csv(file, raw)  # a later family's table, unchecked
    return raw


def _all_problems(raw: RawCase) -> list[Problem]:
    """Reading problems, then the validator's for the files that could be read."""
    found = validate_tables(raw.config, raw.tables, raw.series) if raw.path.is_dir() else []
    return order_problems(raw.problems + [p for p in found if p.file not in raw.unreadable])


def _read_config(file: Path, raw: RawCase) -> dict[str, Any]:
    """The YAML mapping in ``file``, or ``{}`` after recording why it cannot be read."""
    if not file.is_file():
        raw.fail(file.name, None, "missing-file", f"the case has no {file.name}")
        return {}
    text = _read_text(file, raw)
    if text is None:
        return {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raw.fail(file.name, row, "unreadable-file", f"{file.name} is not valid YAML: {what}")
        return {}
    if data is None:
        raw.fail(file.name, None, "empty-file", f"{file.name} is empty")
        return {}
    if not isinstance(data, dict):
        raw.fail(file.name, None, "config-type", f"{file.name} must be a mapping of keys to "
                                                 f"values, not a {type(data).__name__}")
        return {}
    return data


def _read_text(file: Path, raw: RawCase) -> str | None:
    """The file as text (UTF-8, with or without BOM), or None after recording why not."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raw.fail(file.name, None, "unreadable-file", f"cannot read {file.name}: {exc.strerror}")
        return None
    if b"\x00" in data:
        raw.fail(file.name, None, "unreadable-file", f"{file.name} is a binary file, not text")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raw.fail(file.name, row, "encoding", f"{file.name} is not UTF-8 text (byte "
                                             f"{exc.start + 1}); save it as UTF-8")
        return None


def _read_optional(file: Path, raw: RawCase,
                   strip: tuple[str, ...] | None = None) -> pd.DataFrame | None:
    return _read_csv(file, raw, strip) if file.exists() else None


def _read_csv(file: Path, raw: RawCase,
              strip: tuple[str, ...] | None = None) -> pd.DataFrame | None:
    """A CSV file as a frame of strings indexed by line number, or None.

    Cells are stripped of whitespace: all of them, or those of the columns ``strip`` names.
    """
    text = _read_text(file, raw)
    if text is None:
        return None
    if not text.strip():
        raw.fail(file.name, None, "empty-file", f"{file.name} is empty (not even a header)")
        return None
    try:
        cells = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        row = int(found.group(1)) if found else None
        raw.fail(file.name, row, "unreadable-file",
                 f"{file.name} is not valid CSV: {str(exc).strip().splitlines()[-1]}")
        return None
    return _to_table(cells, file.name, raw, strip)


def _to_table(cells: pd.DataFrame, file: str, raw: RawCase,
              strip: tuple[str, ...] | None) -> pd.DataFrame:
    """First row as the header; blank lines dropped; nameless all-blank columns dropped."""
    header = [str(name).strip() for name in cells.iloc[0]]
    cells = cells.iloc[1:]
    body = cells.apply(lambda column: column.str.strip() if strip is None
                       or header[column.name] in strip else column)
    keep = ~_blank_rows(body)
    lines = np.arange(2, len(body) + 2)[keep]
    body = body[keep]
    columns = []
    for j, name in enumerate(header):
        if name:
            columns.append(j)
        elif (body.iloc[:, j].str.strip() != "").any():
            raw.problems.append(Problem(file, None, None, "required-column",
                                        f"column {j + 1} of {file} has values but no name "
                                        "in the header"))
    table = body.iloc[:, columns]
    table.columns = [header[j] for j in columns]
    table.index = pd.Index(lines, name="line")
    return table


def _blank_rows(body: pd.DataFrame) -> np.ndarray:
    """True for rows whose cells are all blank (only rows with a blank first cell are scanned)."""
    blank = np.zeros(len(body), bool)
    if body.shape[1] == 0:
        return blank
    candidates = np.flatnonzero((body.iloc[:, 0].str.strip() == "").to_numpy())
    rows = body.iloc[candidates].apply(lambda column: column.str.strip() == "")
    blank[candidates] = rows.all(axis=1).to_numpy()
    return blank


def _check_sources(raw: RawCase) -> None:
    """``sources.csv``, when present, needs its key columns (its content is not checked)."""
    if raw.sources is None:
        return
    for column in SOURCES_COLUMNS:
        if column not in raw.sources.columns:
            raw.problems.append(Problem(SOURCES_FILE, None, column, "required-column",
                                        f"{SOURCES_FILE} has no column '{column}', which is "
                                        "required"))
