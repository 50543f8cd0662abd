"""Read a case folder (``case.yaml`` and CSV files, see ``docs/case-format.md``) into a Case.

Reading never half-succeeds and never lets a traceback through for a mistake in the case: a
missing or unreadable file (bad YAML, bad CSV, empty file, not UTF-8, binary) becomes a
:class:`~gridopt.case.case.Problem`, the readable files are still validated, and every problem
of every file is raised together in one :class:`~gridopt.case.case.CaseError`.

Rules of the reader (the validator's are listed in :mod:`gridopt.case.validate`):
``missing-file`` (no ``case.yaml`` or no case folder, a broken link), ``unreadable-file``
(invalid YAML or CSV, a binary file, an OS error), ``empty-file``, ``encoding`` (not UTF-8),
``config-type`` (``case.yaml`` is not a mapping), ``required-column`` (a column with values but
no header, or ``sources.csv`` without ``table``, ``name``, ``column`` or ``source``),
``row-length`` (a row with more or fewer cells than the header), ``unknown-file`` (a ``*.csv``
file that is not a table or series of the format and not in ``case.yaml: ignore``), and the
bounds of :mod:`gridopt.case.safe_read` (``not-a-file``, ``outside-folder``,
``file-too-large``, ``duplicate-key``, ``yaml-depth``, ``yaml-size``, ``yaml-alias``). Required
tables that are absent are reported by the validator (``required-table``).

CSV files are read as text (every cell a string, blank cells ``""``) so that a cell that is
not a number can be reported rather than crash the reader. Headers and cells are stripped of
surrounding whitespace, except the value cells of the (large) time series, which are parsed as
numbers later and need no stripping. Fully blank lines are skipped; each frame's index, named
``"line"``, holds the CSV line on which each row starts (a quoted cell may span lines).
"""

from __future__ import annotations

import csv
import fnmatch
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from gridopt.case.build import case_from_tables
from gridopt.case.case import Case, CaseError, Problem
from gridopt.case.cells import closest
from gridopt.case.safe_read import (
    MAX_CSV_BYTES,
    MAX_YAML_BYTES,
    UnreadableError,
    load_yaml,
    read_bytes,
)
from gridopt.case.schema import SERIES, TABLES
from gridopt.case.validate import order_problems, validate_tables
from gridopt.case.validate_config import CONFIG_FILE

SOURCES_FILE = "sources.csv"
SOURCES_COLUMNS = ("table", "name", "column", "source")
#: The text columns of a time series (its other cells are numbers).
SERIES_TEXT = ("snapshot", "hour", "name")
#: At most this many rows of one file with the wrong number of cells, then one summary.
MAX_ROW_PROBLEMS = 20


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

    def fail(self, file: str, row: int | None, rule: str, message: str,
             column: str | None = None) -> None:
        """Record that ``file`` could not be read (its content is not checked further)."""
        self.problems.append(Problem(file, row, column, rule, message))
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
    if CONFIG_FILE not in raw.unreadable:  # the ignore list is in case.yaml
        raw.problems += unknown_files(folder, raw.config.get("ignore"))
    return raw


#: The CSV files a case folder may hold (other files, e.g. README.md, are not looked at).
KNOWN_FILES = (*(f"{k}.csv" for k in TABLES), *(f"{k}.csv" for k in SERIES), SOURCES_FILE)


def unknown_files(folder: Path, ignore: object) -> list[Problem]:
    """A CSV file gridopt does not know (``storages.csv``) would be silently left out: each
    is a problem, with the closest known name, unless ``case.yaml: ignore`` lists it (a name
    or a shell pattern such as ``scratch_*.csv``). Only ``*.csv`` files count."""
    patterns = [p for p in ignore if isinstance(p, str)] if isinstance(ignore, list) else []
    problems = [Problem(CONFIG_FILE, None, "ignore", "config-value",
                        f"'ignore' lists {p}, a file of the case: it is always read; "
                        "remove it from the list (or the file from the folder)")
                for p in patterns if p in KNOWN_FILES]
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = entry.name
        if (not name.lower().endswith(".csv") or name in KNOWN_FILES or entry.is_dir()
                or any(fnmatch.fnmatchcase(name, p) for p in patterns)):
            continue
        close = closest(name, KNOWN_FILES)
        hint = f"did you mean '{close}'? " if close else ""
        problems.append(Problem(name, None, None, "unknown-file",
                                f"{name} is not a file gridopt reads; {hint}Rename it, or "
                                f"list it under 'ignore:' in {CONFIG_FILE} to leave it out"))
    return problems


def _all_problems(raw: RawCase) -> list[Problem]:
    """Reading problems, then the validator's for the files that could be read."""
    found = validate_tables(raw.config, raw.tables, raw.series) if raw.path.is_dir() else []
    return order_problems(raw.problems + [p for p in found if p.file not in raw.unreadable])


def _read_config(file: Path, raw: RawCase) -> dict[str, Any]:
    """The YAML mapping in ``file``, or ``{}`` after recording why it cannot be read."""
    if not os.path.lexists(file):
        raw.fail(file.name, None, "missing-file", f"the case has no {file.name}")
        return {}
    text = _read_text(file, raw, MAX_YAML_BYTES)
    if text is None:
        return {}
    try:
        data = load_yaml(text)
    except UnreadableError as exc:
        raw.fail(file.name, exc.row, exc.rule, exc.message, exc.column)
        return {}
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


def _read_text(file: Path, raw: RawCase, limit: int) -> str | None:
    """The file as text (UTF-8, with or without BOM), or None after recording why not.

    The one way a case file is read (:func:`gridopt.case.safe_read.read_bytes`): a regular
    file inside the case folder, of at most ``limit`` bytes.
    """
    try:
        data = read_bytes(file, raw.path, limit)
    except UnreadableError as exc:
        raw.fail(file.name, exc.row, exc.rule, exc.message)
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
    return _read_csv(file, raw, strip) if os.path.lexists(file) else None


def _read_csv(file: Path, raw: RawCase,
              strip: tuple[str, ...] | None = None) -> pd.DataFrame | None:
    """A CSV file as a frame of strings indexed by line number, or None.

    Cells are stripped of whitespace: all of them, or those of the columns ``strip`` names.
    """
    text = _read_text(file, raw, MAX_CSV_BYTES)
    if text is None:
        return None
    if not text.strip():
        raw.fail(file.name, None, "empty-file", f"{file.name} is empty (not even a header)")
        return None
    records = _records(text, file.name, raw)
    if records is None:
        return None
    rows, lines = records
    if not _check_row_lengths(rows, lines, file.name, raw):
        return None
    return _to_table(rows, lines, file.name, raw, strip)


def _records(text: str, file: str, raw: RawCase) -> tuple[list[list[str]], list[int]] | None:
    """The non-blank records of a CSV text (header first) and the line each starts on
    (a quoted cell may span lines), or None after recording why the text is not CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raw.fail(file, start, "unreadable-file", f"{file} is not valid CSV: {exc}")
        return None
    return rows, lines


def _check_row_lengths(rows: list[list[str]], lines: list[int], file: str,
                       raw: RawCase) -> bool:
    """Every row must have as many cells as the header (a short row would otherwise take
    defaults for the cells it lacks); the first few wrong rows are recorded."""
    width = len(rows[0])
    wrong = [i for i in range(1, len(rows)) if len(rows[i]) != width]
    for i in wrong[:MAX_ROW_PROBLEMS]:
        raw.fail(file, lines[i], "row-length",
                 f"this row has {len(rows[i])} cells but the header has {width}: give every "
                 "column a cell (an empty cell is written as nothing between two commas)")
    if len(wrong) > MAX_ROW_PROBLEMS:
        raw.fail(file, None, "row-length", f"{len(wrong)} rows of {file} do not have {width} "
                                           f"cells; the first {MAX_ROW_PROBLEMS} are listed")
    return not wrong


def _to_table(rows: list[list[str]], lines: list[int], file: str, raw: RawCase,
              strip: tuple[str, ...] | None) -> pd.DataFrame:
    """First record as the header; nameless all-blank columns dropped."""
    header = [name.strip() for name in rows[0]]
    body = pd.DataFrame(rows[1:], columns=range(len(header)), dtype=str)
    body = body.apply(lambda column: column.str.strip() if strip is None
                      or header[column.name] in strip else column)
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
    table.index = pd.Index(lines[1:], name="line", dtype=int)
    return table


def _check_sources(raw: RawCase) -> None:
    """``sources.csv``, when present, needs its key columns (its content is not checked)."""
    if raw.sources is None:
        return
    for column in SOURCES_COLUMNS:
        if column not in raw.sources.columns:
            raw.problems.append(Problem(SOURCES_FILE, None, column, "required-column",
                                        f"{SOURCES_FILE} has no column '{column}', which is "
                                        "required"))
