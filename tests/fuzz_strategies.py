"""Hypothesis strategies that mutate the small valid case folders of ``tests/cases`` (used by
``tests/test_fuzz.py``).

A :class:`Mutation` is one edit of a case folder, described in words (the reproducer that
hypothesis prints). There are three kinds, one strategy each:

- :func:`any_mutation`: the case may become anything; reading it must end in a clean
  :class:`~gridopt.case.case.CaseError` or in a Case that solves.
- :func:`meaning_change`: the meaning of the case changes; reading it must report a problem,
  with one of the mutation's ``rules`` (and in its ``file``, when given).
- :func:`meaning_keeper`: the meaning stays (row or column order, whitespace, BOM, CRLF,
  quoting, number spelling, the series format, YAML layout); the Case digest must not change.

Edits re-read the files they change, and row and column positions are taken modulo the size
found then, so that mutations compose; an edit whose file is gone or no longer text does
nothing.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import strategies as st

from gridopt.case.schema import SERIES, TABLES

CASES = Path(__file__).parent / "cases"
BASES = ("tiny", "two_bus", "dr_four_hours")
CONFIG = "case.yaml"
#: Every file name gridopt reads from a case folder.
KNOWN = (CONFIG, *(f"{k}.csv" for k in TABLES), *(f"{k}.csv" for k in SERIES), "sources.csv")
KEYS = ("snapshot", "hour")

Edit = Callable[[Path], None]


@dataclass(frozen=True, repr=False)
class Mutation:
    """One edit of a case folder; ``rules``/``file``: what a meaning change must report."""

    what: str
    edit: Edit = field(repr=False, compare=False)
    rules: frozenset[str] = frozenset()
    file: str | None = None

    def __repr__(self) -> str:
        return f"<{self.what}>"


# ---------------------------------------------------------------------------- files


def read_rows(path: Path) -> list[list[str]] | None:
    """The records of a UTF-8 CSV file (BOM dropped), or None when it is not one."""
    try:
        if not path.is_file() or path.is_symlink():
            return None
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None


def write_rows(path: Path, rows: list[list[str]], quoting: int = csv.QUOTE_MINIMAL) -> None:
    """Write records as CSV (a cell with a bare carriage return is quoted too)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=quoting)
    for row in rows:
        if quoting == csv.QUOTE_MINIMAL and any("\r" in c for c in row):
            csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(row)
        else:
            writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


def _base_rows(base: str) -> dict[str, list[list[str]]]:
    return {f.name: read_rows(f) or [] for f in sorted((CASES / base).glob("*.csv"))}


INVENTORY = {base: _base_rows(base) for base in BASES}
BASE_CONFIG = {base: yaml.safe_load((CASES / base / CONFIG).read_text()) for base in BASES}


def kind_of(file: str) -> str:
    return file.removesuffix(".csv")


def column_kind(file: str, column: str) -> str | None:
    """``"float"``, ``"bool"`` or ``"str"`` for a table column, ``"float"`` for a series'
    element column, None for key or free-text columns."""
    kind = kind_of(file)
    if kind in TABLES:
        return next((c.kind for c in TABLES[kind] if c.name == column), None)
    if kind in SERIES and column not in (*KEYS, "name"):
        return "float"
    return None


def _with_rows(file: str, change: Callable[[list[list[str]]], list[list[str]] | None]) -> Edit:
    """An edit of the records of ``file`` (nothing when the file is not readable CSV)."""

    def edit(folder: Path) -> None:
        rows = read_rows(folder / file)
        if not rows:
            return
        new = change(rows)
        if new is not None:
            write_rows(folder / file, new)

    return edit


# ---------------------------------------------------------------------------- values

#: Cells a user (or an attacker, or a spreadsheet) might write.
WEIRD_CELLS = (
    "", " ", "abc", "NaN", "nan", "NA", "NULL", "None", "inf", "-inf", "Infinity", "-1", "-0",
    "+5", "1e308", "-1e308", "1e309", "1e12", "1.0000001e12", "1e13", "1e-320", "5e-324",
    str(10**30), str(2**63), str(-(2**63) - 1), "1" + "0" * 400, "0x1A", "1_000", "1,5",
    "١٢", "１２", "true", "false", "yes", '"', "'", '""', ",", "a,b", "=cmd|' /C calc'!A0",
    "=1+1", "+1+1", "-1-1", "@SUM(A1)", "\t", "\x1b[31mred", "\u202eevil", "名字", "é",
    "\r", "\n", "line\nbreak", "[/oops]", "[red]x", "{}", "%s", "{0}", "a" * 5000, "\x00",
    "\x7f", "\u200b", "🙂",
)
cells = st.one_of(
    st.sampled_from(WEIRD_CELLS),
    st.text(max_size=20),
    st.floats().map(repr),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda x: f"{x:g}"),
)

#: Element names that must work like any other (the case solves the same with them).
WEIRD_NAMES = (
    "Zürich", "泸州-1", "O'Brien", 'say "hi"', "a,b", "=cmd|' /C calc'!A0", "+1", "-x", "@x",
    "\x1b[2J", "\u202egnp", "tab\there", "nan", "NaN", "None", "null", "1", "1.0", "true",
    " padded ", "*", "🙂", "a" * 300, "[red]x[/red]", "%s{0}", "line\nbreak", "back\\slash",
    "semi;colon", "0", "-1e400",
)
names = st.one_of(st.sampled_from(WEIRD_NAMES),
                  st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                          min_size=1, max_size=12))


def not_a_number(text: str) -> bool:
    """Whether ``text`` is neither blank nor read as a number (inf and nan count as numbers)."""
    if not text.strip():
        return False
    try:
        float(text)
    except ValueError:
        return pd.isna(pd.to_numeric(pd.Series([text], dtype=object), errors="coerce")[0])
    return False


words = st.one_of(st.sampled_from(("abc", "ten", "N/A", "=1+1", "1,5", "12 MW", "--", "名字",
                                   "0x1A", "1_000", "nan", "NULL")),
                  st.text(min_size=1, max_size=10)).filter(
    lambda w: not_a_number(w) and "\x00" not in w)  # a NUL makes the file binary


# ---------------------------------------------------------------------------- cell edits


def set_cell(file: str, row: int, col: int, value: str) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        r = rows[row % len(rows)]
        if r:
            r[col % len(r)] = value
        return rows

    return _with_rows(file, change)


def drop_column(file: str, col: int) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        j = col % max(len(rows[0]), 1)
        return [r[:j] + r[j + 1:] for r in rows]

    return _with_rows(file, change)


def duplicate_column(file: str, col: int) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        j = col % max(len(rows[0]), 1)
        return [[*r, r[j]] if j < len(r) else r for r in rows]

    return _with_rows(file, change)


def drop_cell(file: str, row: int, col: int) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        r = rows[row % len(rows)]
        if r:
            del r[col % len(r)]
        return rows

    return _with_rows(file, change)


def add_cell(file: str, row: int, value: str) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        rows[row % len(rows)].append(value)
        return rows

    return _with_rows(file, change)


def drop_row(file: str, row: int) -> Edit:
    return _with_rows(file, lambda rows: rows[:1] + [r for i, r in enumerate(rows[1:])
                                                     if i != row % max(len(rows) - 1, 1)])


def duplicate_row(file: str, row: int) -> Edit:
    return _with_rows(file, lambda rows: [*rows, list(rows[row % len(rows)])])


def truncate(file: str, share: float) -> Edit:
    def edit(folder: Path) -> None:
        path = folder / file
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            path.write_bytes(data[: int(len(data) * share)])

    return edit


# ---------------------------------------------------------------------------- element names


def _referring(kind: str) -> list[tuple[str, str]]:
    """(file, column) pairs whose cells name elements of table ``kind``."""
    pairs = [(f"{kind}.csv", "name")]
    pairs += [(f"{t}.csv", c.name) for t, cols in TABLES.items() for c in cols if c.ref == kind]
    return pairs


def rename_element(kind: str, index: int, new: str) -> Edit:
    """Rename one element of table ``kind`` everywhere it is named (tables and series)."""

    def edit(folder: Path) -> None:
        rows = read_rows(folder / f"{kind}.csv")
        if not rows or "name" not in rows[0] or len(rows) < 2:
            return
        j = rows[0].index("name")
        old = rows[1 + index % (len(rows) - 1)][j].strip()
        for file, column in _referring(kind):
            _rename_in_column(folder / file, column, old, new)
        for series, (owner, _, _) in SERIES.items():
            if owner == kind:
                _rename_in_series(folder / f"{series}.csv", old, new)

    return edit


def _rename_in_column(path: Path, column: str, old: str, new: str) -> None:
    rows = read_rows(path)
    if not rows or column not in rows[0]:
        return
    j = rows[0].index(column)
    for r in rows[1:]:
        if j < len(r) and r[j].strip() == old:
            r[j] = new
    write_rows(path, rows)


def _rename_in_series(path: Path, old: str, new: str) -> None:
    rows = read_rows(path)
    if not rows:
        return
    header = [c.strip() for c in rows[0]]
    if {"name", "value"} <= set(header):
        _rename_in_column(path, "name", old, new)
        return
    rows[0] = [new if c == old else rows[0][i] for i, c in enumerate(header)]
    write_rows(path, rows)


def element_kinds(base: str) -> list[str]:
    return [kind_of(f) for f, rows in INVENTORY[base].items()
            if kind_of(f) in TABLES and len(rows) > 1]


# ---------------------------------------------------------------------------- file kinds

#: How a file named like a table can be something else; the rule each must give.
FILE_KINDS: dict[str, frozenset[str]] = {
    "directory": frozenset({"not-a-file"}),
    "fifo": frozenset({"not-a-file"}),
    "link to /dev/zero": frozenset({"outside-folder", "not-a-file"}),
    "link to /dev/null": frozenset({"outside-folder", "not-a-file"}),
    "link outside the folder": frozenset({"outside-folder"}),
    "broken link": frozenset({"missing-file"}),
    "link loop": frozenset({"unreadable-file", "missing-file"}),
    "empty file": frozenset({"empty-file"}),
    "whitespace only": frozenset({"empty-file", "unreadable-file"}),  # a tab is not YAML
    "binary with NUL": frozenset({"unreadable-file"}),
    "sparse 600 MiB": frozenset({"file-too-large"}),
}


DRAWN_FILE_KINDS = tuple(sorted(FILE_KINDS))


def make_file_kind(name: str, kind: str, junk: bytes = b"") -> Edit:
    def edit(folder: Path) -> None:
        path = folder / name
        clear(path)
        if kind == "directory":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "link to /dev/zero":
            path.symlink_to("/dev/zero")
        elif kind == "link to /dev/null":
            path.symlink_to("/dev/null")
        elif kind == "link outside the folder":
            outside = folder.parent / f"outside-{name}"
            outside.write_text("name\nx\n")
            path.symlink_to(outside)
        elif kind == "broken link":
            path.symlink_to(folder / "no-such-file.txt")
        elif kind == "link loop":
            path.symlink_to(path)
        elif kind == "empty file":
            path.write_bytes(b"")
        elif kind == "whitespace only":
            path.write_bytes(b" \n\t\r\n  \n")
        elif kind == "binary with NUL":
            path.write_bytes(b"\x00" + junk)
        elif kind == "sparse 600 MiB":
            with path.open("wb") as handle:
                handle.truncate(600 * 2**20)
        else:  # pragma: no cover
            raise AssertionError(kind)

    return edit


def delete_file(name: str) -> Edit:
    def edit(folder: Path) -> None:
        path = folder / name
        if os.path.lexists(path) and not (path.is_dir() and not path.is_symlink()):
            path.unlink()

    return edit


def rename_file(name: str, new: str) -> Edit:
    def edit(folder: Path) -> None:
        if os.path.lexists(folder / name):
            os.replace(folder / name, folder / new)

    return edit


def regular(path: Path) -> bool:
    """Whether ``path`` is a regular file and no link (the only files edits open: opening a
    FIFO would block the test itself)."""
    return path.is_file() and not path.is_symlink()


def clear(path: Path) -> None:
    """Remove whatever ``path`` is (file, link, FIFO or folder tree)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def write_bytes(name: str, data: bytes) -> Edit:
    def edit(folder: Path) -> None:
        clear(folder / name)
        (folder / name).write_bytes(data)

    return edit


def reencode(name: str, codec: str) -> Edit:
    """Save a text file in another encoding (characters it cannot hold become '?')."""

    def edit(folder: Path) -> None:
        path = folder / name
        if path.is_file() and not path.is_symlink():
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError:
                return
            path.write_bytes(text.encode(codec, errors="replace"))

    return edit


#: Codecs and a name that each writes in bytes that are not UTF-8.
FOREIGN = {"latin-1": "Zürich", "cp1252": "Málaga", "gbk": "泸州", "gb18030": "泸州电厂",
           "shift_jis": "東京", "utf-16": "泸州", "utf-16-le": "Zürich", "utf-32": "x",
           "big5": "臺北"}


# ---------------------------------------------------------------------------- YAML

TOP_KEYS = ("name", "description", "currency", "snapshots", "discount_rate", "voll_per_mwh",
            "load_shedding", "solver", "peak_response", "ignore")
SNAPSHOT_KEYS = ("start", "hours", "list", "step_h", "annualise")
PEAK_KEYS = ("share", "hours", "k", "threshold_pu", "events", "event_duration_h",
             "max_notice_h", "enforce")
REQUIRED_KEYS = ("name", "currency", "snapshots", "voll_per_mwh")


def _key_paths(config: dict) -> list[tuple[str, ...]]:
    paths = [(k,) for k in config]
    for k, v in config.items():
        if isinstance(v, dict):
            paths += [(k, sub) for sub in v]
    return paths


def _known_keys(path: tuple[str, ...]) -> tuple[str, ...]:
    if len(path) == 1:
        return TOP_KEYS
    return {"snapshots": SNAPSHOT_KEYS, "peak_response": PEAK_KEYS}.get(path[0], ())


def misspell(key: str, how: int) -> str:
    """A misspelling of ``key`` (that is not another key)."""
    options = [key[:-1], key + "s", key.upper(), key.replace("_", "-"), key.replace("_", ""),
               key[1:], key[0] + key, key[::-1], key.capitalize(), key + " "]
    if len(key) > 2:
        options.append(key[1] + key[0] + key[2:])
    candidates = [o for o in options if o.strip() and o.strip() != key
                  and o.strip() not in TOP_KEYS + SNAPSHOT_KEYS + PEAK_KEYS]
    return candidates[how % len(candidates)].strip() or key + "x"


def _config_edit(change: Callable[[dict], object]) -> Edit:
    """An edit of case.yaml's mapping (written back with the safe dumper)."""

    def edit(folder: Path) -> None:
        path = folder / CONFIG
        if not regular(path):
            return
        try:
            config = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return
        if not isinstance(config, dict):
            return
        new = change(config)
        path.write_text(yaml.safe_dump(config if new is None else new, sort_keys=False,
                                       allow_unicode=True), encoding="utf-8")

    return edit


def _get(config: dict, path: tuple[str, ...]) -> dict | None:
    node: object = config
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def drop_key(path: tuple[str, ...]) -> Edit:
    def change(config: dict) -> None:
        parent = _get(config, path)
        if parent is not None:
            parent.pop(path[-1], None)

    return _config_edit(change)


def set_key(path: tuple[str, ...], value: object) -> Edit:
    def change(config: dict) -> None:
        parent = _get(config, path)
        if parent is not None:
            parent[path[-1]] = value

    return _config_edit(change)


def rename_key(path: tuple[str, ...], new: str) -> Edit:
    def change(config: dict) -> None:
        parent = _get(config, path)
        if parent is not None and path[-1] in parent:
            items = [(new if k == path[-1] else k, v) for k, v in parent.items()]
            parent.clear()
            parent.update(items)

    return _config_edit(change)


def duplicate_key(path: tuple[str, ...], value: object) -> Edit:
    """Write the key a second time (with ``value``): a top-level key at the end of the file,
    a key of ``snapshots`` or ``peak_response`` (a scalar) right after its first line."""

    def edit(folder: Path) -> None:
        path_ = folder / CONFIG
        if not regular(path_):
            return
        _config_edit(lambda c: None)(folder)  # block style, one key per line
        lines = path_.read_text(encoding="utf-8").splitlines()
        indent = "  " * (len(path) - 1)
        dumped = yaml.safe_dump({path[-1]: value}, default_flow_style=True, width=10**6)
        extra = indent + dumped.strip()[1:-1]  # "{key: value}" → "key: value"
        if len(path) == 1:
            lines.append(extra)
        else:
            start = next(i for i, line in enumerate(lines) if line.startswith(f"{path[0]}:"))
            at = next(i for i in range(start + 1, len(lines))
                      if lines[i].startswith(f"{indent}{path[-1]}:"))
            lines.insert(at + 1, extra)
        path_.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def append_text(text: str) -> Edit:
    def edit(folder: Path) -> None:
        if not regular(folder / CONFIG):
            return
        with (folder / CONFIG).open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)

    return edit


def replace_config(text: str) -> Edit:
    def edit(folder: Path) -> None:
        clear(folder / CONFIG)
        (folder / CONFIG).write_text(text, encoding="utf-8")

    return edit


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                         st.text(max_size=12),
                         st.sampled_from(["2030-01-01 00:00", "NO", "yes", "~", "0x10", "1e3",
                                          "2030-01-01", "1_000", "-.inf", ".nan"]))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)

#: case.yaml texts that are not a case: each must be refused with one of these rules.
BAD_YAML = {
    "deep flow nesting": ("name: " + "[" * 60 + "]" * 60 + "\n", {"yaml-depth"}),
    "very deep nesting": ("name: " + "[" * 5000 + "]" * 5000 + "\n", {"yaml-depth"}),
    "deep block nesting": ("".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40
                           + "v: 1\n", {"yaml-depth"}),
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
        for i in range(8)), {"yaml-size"}),
    "alias to itself": ("a: &a [*a]\n", {"yaml-alias", "unreadable-file"}),
    "undefined alias": ("name: *nothing\n", {"yaml-alias", "unreadable-file"}),
    "two documents": ("name: a\n---\nname: b\n", {"unreadable-file"}),
    "python tag": ("name: !!python/object/apply:os.system ['echo hi']\n", {"unreadable-file"}),
    "a list": ("- name\n- currency\n", {"config-type"}),
    "a scalar": ("just text\n", {"config-type"}),
    "tab indentation": ("snapshots:\n\tstart: 2030-01-01\n", {"unreadable-file"}),
    "unclosed quote": ("name: 'tiny\n", {"unreadable-file"}),
    "only a comment": ("# nothing here\n", {"empty-file"}),
}


# ---------------------------------------------------------------------------- timestamps


def base_snapshots(base: str) -> pd.DatetimeIndex:
    snap = BASE_CONFIG[base]["snapshots"]
    return pd.date_range(pd.Timestamp(str(snap["start"])), periods=int(snap["hours"]),
                         freq=f"{float(snap.get('step_h', 1)) * 60:g}min")


def series_files(base: str) -> list[str]:
    return [f for f in INVENTORY[base] if kind_of(f) in SERIES]


def hour_to_snapshot(base: str, file: str, fmt: str = "%Y-%m-%d %H:%M",
                     offset: str = "") -> Edit:
    """Write a wide series' ``hour`` column as ``snapshot`` timestamps (the same meaning)."""
    stamps = base_snapshots(base)

    def change(rows: list[list[str]]) -> list[list[str]] | None:
        header = [c.strip() for c in rows[0]]
        if "hour" not in header:
            return None
        j = header.index("hour")
        rows[0][j] = "snapshot"
        for r in rows[1:]:
            if len(r) <= j or not r[j].strip():
                continue  # a blank line
            h = int(float(r[j])) - 1
            r[j] = f"{stamps[h]:{fmt}}{offset}" if 0 <= h < len(stamps) else r[j]
        return rows

    return _with_rows(file, change)


def wide_to_long(file: str) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]] | None:
        header = [c.strip() for c in rows[0]]
        key = next((k for k in KEYS if k in header), None)
        if key is None or "name" in header:
            return None
        j = header.index(key)
        out = [[key, "name", "value"]]
        for col, name in enumerate(header):
            if col != j and name:  # a nameless blank column is no element
                out += [[r[j], name, r[col]] for r in rows[1:] if len(r) == len(header)]
        return out

    return _with_rows(file, change)


def edit_snapshot_cells(file: str, change_cells: Callable[[list[str]], list[str]]) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]] | None:
        header = [c.strip() for c in rows[0]]
        if "snapshot" not in header:
            return None
        j = header.index("snapshot")
        body = [r for r in rows[1:] if len(r) > j and any(c.strip() for c in r)]
        for r, cell in zip(body, change_cells([r[j] for r in body]), strict=True):
            r[j] = cell
        return rows

    return _with_rows(file, change)


BAD_STAMPS = ("2030-13-01 00:00", "2030-02-30 00:00", "yesterday", "", "25:00", "2030-01-01 24:00",
              "1500-01-01 00:00", "9999-12-31 23:00", "2262-04-12 00:00", "nan", "NaT", "0",
              "1e10", "2030-01-01 00:00 +99:00", "2030-W01", "٢٠٣٠-٠١-٠١")


# ---------------------------------------------------------------------------- strategies


@st.composite
def csv_position(draw: st.DrawFn, base: str, header: bool = True) -> tuple[str, int, int]:
    """A file of the base, a row (0 = header, when allowed) and a column."""
    files = [f for f, rows in INVENTORY[base].items() if len(rows) > (0 if header else 1)]
    file = draw(st.sampled_from(files))
    rows = INVENTORY[base][file]
    row = draw(st.integers(0 if header else 1, len(rows) - 1))
    col = draw(st.integers(0, len(rows[row]) - 1))
    return file, row, col


@st.composite
def any_mutation(draw: st.DrawFn, base: str) -> Mutation:
    """Any edit: a cell, a column, a row, a name, a file's kind or encoding, case.yaml."""
    choice = draw(st.sampled_from((
        "cell", "cell", "cell", "header", "drop column", "duplicate column", "drop cell",
        "add cell", "drop row", "duplicate row", "truncate", "rename", "file kind",
        "delete", "junk", "encoding", "yaml drop", "yaml set", "yaml rename", "yaml append",
        "stamps", "start", "list")))
    if choice in ("cell", "header", "drop cell"):
        file, row, col = draw(csv_position(base))
        row = 0 if choice == "header" else row
        if choice == "drop cell":
            return Mutation(f"{file}: drop cell {col} of row {row}", drop_cell(file, row, col))
        value = draw(cells)
        return Mutation(f"{file}: row {row} cell {col} = {value!r}",
                        set_cell(file, row, col, value))
    if choice in ("drop column", "duplicate column"):
        file, _, col = draw(csv_position(base))
        fn = drop_column if choice == "drop column" else duplicate_column
        return Mutation(f"{file}: {choice} {col}", fn(file, col))
    if choice == "add cell":
        file, row, _ = draw(csv_position(base))
        value = draw(cells)
        return Mutation(f"{file}: row {row} gets an extra cell {value!r}",
                        add_cell(file, row, value))
    if choice in ("drop row", "duplicate row"):
        file, row, _ = draw(csv_position(base, header=False))
        fn = drop_row if choice == "drop row" else duplicate_row
        return Mutation(f"{file}: {choice} {row}", fn(file, row - 1 if fn is drop_row else row))
    if choice == "truncate":
        file = draw(st.sampled_from([*sorted(INVENTORY[base]), CONFIG]))
        share = draw(st.floats(0, 1))
        return Mutation(f"{file}: truncated to {share:.3f} of its bytes", truncate(file, share))
    if choice == "rename":
        kind = draw(st.sampled_from(element_kinds(base)))
        index, new = draw(st.integers(0, 20)), draw(names)
        return Mutation(f"{kind}: element {index} renamed {new!r} everywhere",
                        rename_element(kind, index, new))
    if choice == "file kind":
        name = draw(st.sampled_from(KNOWN))
        kind = draw(st.sampled_from(DRAWN_FILE_KINDS))
        return Mutation(f"{name} is a {kind}", make_file_kind(name, kind, b"junk"))
    if choice == "delete":
        name = draw(st.sampled_from([*sorted(INVENTORY[base]), CONFIG]))
        return Mutation(f"{name} deleted", delete_file(name))
    if choice == "junk":
        name = draw(st.sampled_from(KNOWN))
        data = draw(st.binary(max_size=200))
        return Mutation(f"{name} = bytes {data!r}", write_bytes(name, data))
    if choice == "encoding":
        name = draw(st.sampled_from([*sorted(INVENTORY[base]), CONFIG]))
        codec = draw(st.sampled_from(sorted(FOREIGN)))
        return Mutation(f"{name} saved as {codec}", reencode(name, codec))
    if choice.startswith("yaml"):
        return draw(_yaml_any(base, choice))
    return draw(_timestamp_any(base, choice))


@st.composite
def _yaml_any(draw: st.DrawFn, base: str, choice: str) -> Mutation:
    paths = _key_paths(BASE_CONFIG[base])
    path = draw(st.sampled_from(paths))
    where = ".".join(path)
    if choice == "yaml drop":
        return Mutation(f"case.yaml: '{where}' dropped", drop_key(path))
    if choice == "yaml set":
        value = draw(yaml_values)
        return Mutation(f"case.yaml: '{where}' = {value!r}", set_key(path, value))
    if choice == "yaml rename":
        new = draw(st.one_of(st.sampled_from(TOP_KEYS + SNAPSHOT_KEYS + PEAK_KEYS),
                             st.text(max_size=8)))
        return Mutation(f"case.yaml: '{where}' renamed {new!r}", rename_key(path, new))
    text = draw(st.one_of(st.sampled_from([b for b, _ in BAD_YAML.values()]),
                          st.text(max_size=40)))
    return Mutation(f"case.yaml: appended {text[:80]!r}", append_text(text))


@st.composite
def _timestamp_any(draw: st.DrawFn, base: str, choice: str) -> Mutation:
    stamp = st.one_of(st.sampled_from(BAD_STAMPS), st.text(max_size=20),
                      st.datetimes().map(str), st.datetimes().map(lambda d: f"{d:%d/%m/%Y %H:%M}"))
    if choice == "start":
        value = draw(st.one_of(stamp, yaml_scalars))
        return Mutation(f"case.yaml: snapshots.start = {value!r}",
                        set_key(("snapshots", "start"), value))
    if choice == "list":
        stamps = [f"{t:%Y-%m-%d %H:%M}" for t in base_snapshots(base)]
        stamps = draw(st.lists(st.one_of(st.sampled_from(stamps), stamp), min_size=0,
                               max_size=6))
        return Mutation(f"case.yaml: snapshots.list = {stamps!r} (no hours)",
                        _snapshot_list(stamps))
    files = series_files(base)
    file = draw(st.sampled_from(files))
    cells_ = draw(st.lists(stamp, min_size=1, max_size=5))
    return Mutation(f"{file}: as snapshots, then cells {cells_!r}", _chain(
        hour_to_snapshot(base, file),
        edit_snapshot_cells(file, lambda old: [cells_[i % len(cells_)] if i < len(cells_) else c
                                               for i, c in enumerate(old)])))


def _snapshot_list(stamps: list[object]) -> Edit:
    def change(config: dict) -> None:
        snap = config.get("snapshots")
        if isinstance(snap, dict):
            snap.pop("hours", None)
            snap.pop("start", None)
            snap["list"] = stamps

    return _config_edit(change)


def _chain(*edits: Edit) -> Edit:
    def edit(folder: Path) -> None:
        for e in edits:
            e(folder)

    return edit


# ---------------------------------------------------------------------------- meaning changes


def _cells_of_kind(base: str, kinds: tuple[str, ...],
                   where: Callable[[str, str], bool] = lambda f, c: True
                   ) -> list[tuple[str, int, int]]:
    """(file, row, column) of every data cell of a column of one of ``kinds``."""
    found = []
    for file, rows in INVENTORY[base].items():
        if not rows:
            continue
        for j, column in enumerate(rows[0]):
            if column_kind(file, column) in kinds and where(file, column):
                found += [(file, i, j) for i in range(1, len(rows)) if rows[i][j].strip()]
    return found


def _nonnegative(file: str, column: str) -> bool:
    kind = kind_of(file)
    if kind in SERIES:
        return SERIES[kind][1] >= 0
    col = next((c for c in TABLES.get(kind, ()) if c.name == column), None)
    return col is not None and col.lo >= 0


@st.composite
def meaning_change(draw: st.DrawFn, base: str) -> Mutation:
    """An edit that changes what the case means; it must be reported."""
    choice = draw(st.sampled_from((
        "short row", "long row", "text for number", "negative", "magnitude", "text for bool",
        "misspelt column", "duplicate column", "drop required column", "blank required",
        "unknown reference", "duplicate name", "misspelt key", "drop required key",
        "duplicate key", "misspelt file", "file kind", "bad yaml", "encoding", "stamps",
        "start", "list")))
    data_cells = [(f, i, j) for f, i, j in _cells_of_kind(base, ("float", "bool", "str"))
                  if len(INVENTORY[base][f][0]) > 1]  # a row of one cell, dropped, is blank
    if choice in ("short row", "long row"):
        file, row, col = draw(st.sampled_from(data_cells))
        if choice == "short row":
            return Mutation(f"{file}: row {row} loses cell {col}", drop_cell(file, row, col),
                            frozenset({"row-length"}), file)
        return Mutation(f"{file}: row {row} gets an extra cell", add_cell(file, row, "1"),
                        frozenset({"row-length"}), file)
    if choice == "text for number":
        file, row, col = draw(st.sampled_from(_cells_of_kind(base, ("float",))))
        word = draw(words)
        return Mutation(f"{file}: row {row} cell {col} = {word!r}", set_cell(file, row, col, word),
                        frozenset({"not-a-number"}), file)
    if choice == "negative":
        file, row, col = draw(st.sampled_from(_cells_of_kind(base, ("float",), _nonnegative)))
        value = draw(st.floats(-1e12, -1e-9))
        return Mutation(f"{file}: row {row} cell {col} = {value!r}",
                        set_cell(file, row, col, repr(value)), frozenset({"range"}), file)
    if choice == "magnitude":
        file, row, col = draw(st.sampled_from(_cells_of_kind(base, ("float",))))
        text = draw(st.one_of(
            st.floats(1.0000001e12, 1e308).map(repr),
            st.sampled_from(("1e13", "-1e13", "1e309", "-1e309", "1e400", "1" + "0" * 400,
                             str(10**13), str(2**64), "1E+300"))))
        return Mutation(f"{file}: row {row} cell {col} = {text!r}", set_cell(file, row, col, text),
                        frozenset({"magnitude", "range"}), file)
    if choice == "text for bool":
        positions = _cells_of_kind(base, ("bool",))
        if not positions:
            return draw(meaning_change(base))
        file, row, col = draw(st.sampled_from(positions))
        word = draw(st.sampled_from(("maybe", "2", "-1", "ja", "oui", "是", "0.5", "truee")))
        return Mutation(f"{file}: row {row} cell {col} = {word!r}", set_cell(file, row, col, word),
                        frozenset({"not-a-bool"}), file)
    if choice in ("misspelt column", "duplicate column", "drop required column"):
        return draw(_column_change(base, choice))
    if choice in ("blank required", "unknown reference", "duplicate name"):
        return draw(_table_cell_change(base, choice))
    if choice in ("misspelt key", "drop required key", "duplicate key", "bad yaml"):
        return draw(_yaml_change(base, choice))
    if choice == "misspelt file":
        file = draw(st.sampled_from(sorted(INVENTORY[base])))
        new = draw(st.sampled_from([file.replace(".csv", "s.csv"), file.replace(".csv", ".CSV"),
                                    file[:-5] + ".csv", file.replace("_", "-"),
                                    file.capitalize(), "_" + file]))
        if new in KNOWN or new == file:
            new = "x" + file
        return Mutation(f"{file} renamed {new}", rename_file(file, new),
                        frozenset({"unknown-file"}), new)
    if choice == "file kind":
        name = draw(st.sampled_from(KNOWN))
        kind = draw(st.sampled_from(DRAWN_FILE_KINDS))
        junk = draw(st.binary(max_size=50))
        return Mutation(f"{name} is a {kind}", make_file_kind(name, kind, junk),
                        FILE_KINDS[kind], name)
    if choice == "encoding":
        codec = draw(st.sampled_from(sorted(FOREIGN)))
        kinds = element_kinds(base)
        kind = draw(st.sampled_from(kinds))
        index = draw(st.integers(0, 10))
        return Mutation(f"{kind}: element {index} renamed {FOREIGN[codec]!r}, {kind}.csv saved "
                        f"as {codec}", _chain(rename_element(kind, index, FOREIGN[codec]),
                                              reencode(f"{kind}.csv", codec)),
                        frozenset({"encoding", "unreadable-file"}), f"{kind}.csv")
    return draw(_timestamp_change(base, choice))


@st.composite
def _column_change(draw: st.DrawFn, base: str, choice: str) -> Mutation:
    tables = [f for f, rows in INVENTORY[base].items() if kind_of(f) in TABLES and rows]
    file = draw(st.sampled_from(tables))
    header = INVENTORY[base][file][0]
    if choice == "drop required column":
        required = [j for j, c in enumerate(header)
                    if any(col.name == c and col.required for col in TABLES[kind_of(file)])]
        j = draw(st.sampled_from(required))
        rules = {"required-column"} | ({"empty-file"} if len(header) == 1 else set())
        return Mutation(f"{file}: column {header[j]!r} dropped", drop_column(file, j),
                        frozenset(rules), file)
    j = draw(st.integers(0, len(header) - 1))
    if choice == "duplicate column":
        return Mutation(f"{file}: column {header[j]!r} given twice", duplicate_column(file, j),
                        frozenset({"duplicate-column"}), file)
    new = misspell(header[j], draw(st.integers(0, 20)))
    known = {c.name for c in TABLES[kind_of(file)]} | {"source", "sources", "note", "notes",
                                                       "comment", "comments", "description"}
    if new.lower() in known or new in known:
        new = header[j] + "_x"
    return Mutation(f"{file}: column {header[j]!r} renamed {new!r}",
                    set_cell(file, 0, j, new), frozenset({"unknown-column"}), file)


@st.composite
def _table_cell_change(draw: st.DrawFn, base: str, choice: str) -> Mutation:
    if choice == "blank required":
        def required(f: str, c: str) -> bool:
            return any(col.name == c and col.required for col in TABLES.get(kind_of(f), ()))

        file, row, col = draw(st.sampled_from([
            (f, i, j) for f, i, j in _cells_of_kind(base, ("str", "float"), required)
            if len(INVENTORY[base][f][0]) > 1]))  # a row of one blank cell is a blank line
        blank = draw(st.sampled_from(("", " ", "\t", "  ")))
        return Mutation(f"{file}: row {row} cell {col} blanked", set_cell(file, row, col, blank),
                        frozenset({"required-value"}), file)
    if choice == "unknown reference":
        def refers(f: str, c: str) -> bool:
            return any(col.name == c and col.ref for col in TABLES.get(kind_of(f), ()))

        file, row, col = draw(st.sampled_from(_cells_of_kind(base, ("str",), refers)))
        return Mutation(f"{file}: row {row} cell {col} names 'nowhere'",
                        set_cell(file, row, col, "nowhere"),
                        frozenset({"unknown-reference"}), file)
    tables = [f for f, rows in INVENTORY[base].items() if kind_of(f) in TABLES and len(rows) > 1]
    file = draw(st.sampled_from(tables))
    row = draw(st.integers(1, len(INVENTORY[base][file]) - 1))
    return Mutation(f"{file}: row {row} given twice", duplicate_row(file, row),
                    frozenset({"unique"}), file)


@st.composite
def _yaml_change(draw: st.DrawFn, base: str, choice: str) -> Mutation:
    config = BASE_CONFIG[base]
    if choice == "bad yaml":
        what = draw(st.sampled_from(sorted(BAD_YAML)))
        text, rules = BAD_YAML[what]
        return Mutation(f"case.yaml is {what}", replace_config(text), frozenset(rules), CONFIG)
    if choice == "drop required key":
        key = draw(st.sampled_from((*REQUIRED_KEYS, "snapshots.start", "snapshots.hours")))
        path = tuple(key.split("."))
        return Mutation(f"case.yaml: '{key}' dropped", drop_key(path),
                        frozenset({"config-required"}), CONFIG)
    paths = [p for p in _key_paths(config) if len(p) == 1 or p[0] in ("snapshots", "peak_response")]
    path = draw(st.sampled_from(paths))
    where = ".".join(path)
    if choice == "misspelt key":
        new = misspell(path[-1], draw(st.integers(0, 20)))
        return Mutation(f"case.yaml: '{where}' misspelt {new!r}", rename_key(path, new),
                        frozenset({"config-unknown-key"}), CONFIG)
    value = draw(st.one_of(st.just(_get(config, path)[path[-1]]), yaml_scalars))
    return Mutation(f"case.yaml: '{where}' given twice (second {value!r})",
                    duplicate_key(path, value), frozenset({"duplicate-key"}), CONFIG)


@st.composite
def _timestamp_change(draw: st.DrawFn, base: str, choice: str) -> Mutation:
    stamps = [f"{t:%Y-%m-%d %H:%M}" for t in base_snapshots(base)]
    if choice == "start":
        value = draw(st.sampled_from(("2030-13-01 00:00", "yesterday", "2030-01-01 00:00+08:00",
                                      "2030-01-01T00:00Z", "", "2030-02-30 00:00",
                                      "not a time")))
        return Mutation(f"case.yaml: snapshots.start = {value!r}",
                        set_key(("snapshots", "start"), value),
                        frozenset({"config-value", "config-required", "config-type"}), CONFIG)
    if choice == "list":
        how = draw(st.sampled_from(("backwards", "duplicated", "mixed offsets", "offset",
                                    "unparseable", "empty")))
        listed: list[object] = list(stamps) * (2 if len(stamps) == 1 else 1)
        if len(stamps) == 1:
            listed[1] = f"{base_snapshots(base)[0] + pd.Timedelta(hours=1):%Y-%m-%d %H:%M}"
        if how == "backwards":
            listed[0], listed[1] = listed[1], listed[0]
        elif how == "duplicated":
            listed[1] = listed[0]
        elif how == "mixed offsets":
            listed[0] = f"{listed[0]}+08:00"
            listed[1] = f"{listed[1]}+09:00"
        elif how == "offset":
            listed = [f"{s}+08:00" for s in listed]
        elif how == "unparseable":
            listed[-1] = "not a time"
        else:
            listed = []
        return Mutation(f"case.yaml: snapshots.list ({how}) = {listed!r}", _snapshot_list(listed),
                        frozenset({"config-value", "config-range"}), CONFIG)
    file = draw(st.sampled_from(series_files(base)))
    n = len(stamps)
    how = draw(st.sampled_from(("unparseable", "shifted")
                               + (("mixed offsets", "backwards", "duplicated") if n > 1 else ())))
    i = draw(st.integers(0, n - 1))

    def change(old: list[str]) -> list[str]:
        new = list(old)
        if how == "mixed offsets":
            new = [f"{c}+08:00" for c in new]
            new[i] = new[i].replace("+08:00", draw_offset)
        elif how == "unparseable":
            new[i] = draw_bad
        elif how == "shifted":
            new = [f"{pd.Timestamp(c) + pd.Timedelta(hours=1):%Y-%m-%d %H:%M}" for c in new]
        elif how == "backwards":
            j = (i + 1) % n
            new[i], new[j] = new[j], new[i]
        else:
            new[(i + 1) % n] = new[i]
        return new

    draw_offset = draw(st.sampled_from(("+09:00", "", "Z", "-08:00", "+0800x")))
    draw_bad = draw(st.sampled_from(("2030-13-01 00:00", "2030-02-30 00:00", "yesterday", "",
                                     "nan", "NaT", "2030-01-01 00:00 foo", "not a time")))
    if how == "mixed offsets" and draw_offset == "+0800x":
        draw_offset = ""
    return Mutation(f"{file}: as snapshots, {how} at row {i + 2}"
                    f"{' (' + draw_offset + ')' if how == 'mixed offsets' else ''}"
                    f"{' (' + repr(draw_bad) + ')' if how == 'unparseable' else ''}",
                    _chain(hour_to_snapshot(base, file), edit_snapshot_cells(file, change)),
                    frozenset({"timestamp", "series-index"}), file)


# ---------------------------------------------------------------------------- meaning keepers


def permute_rows(file: str, seed: int) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        body = rows[1:]
        random.Random(seed).shuffle(body)
        return rows[:1] + body

    return _with_rows(file, change)


def permute_columns(file: str, seed: int) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        order = list(range(len(rows[0])))
        random.Random(seed).shuffle(order)
        return [[r[j] for j in order] if len(r) == len(order) else r for r in rows]

    return _with_rows(file, change)


def pad_cells(file: str, seed: int) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        rng = random.Random(seed)
        pads = ("", " ", "  ", "\t", " \t ")
        return [[rng.choice(pads) + c + rng.choice(pads) for c in r] for r in rows]

    return _with_rows(file, change)


def respell_numbers(file: str, seed: int) -> Edit:
    """40 → 40.0, 4e1, 4.0E+01, +40, 040 (the same number)."""

    def respell(cell: str, rng: random.Random) -> str:
        try:
            x = float(cell)
        except ValueError:
            return cell
        if cell.strip().lower() in ("nan", "inf", "-inf", "infinity", "-infinity"):
            return cell
        forms = (repr(x), f"{x:e}", f"{x:E}", f"+{x!r}" if x >= 0 else repr(x), cell + ".0"
                 if cell.isdigit() else cell, "0" + cell if cell.isdigit() else cell)
        return rng.choice(forms)

    def change(rows: list[list[str]]) -> list[list[str]]:
        rng = random.Random(seed)
        header = rows[0]
        return rows[:1] + [[respell(c, rng) if j < len(header) and column_kind(
            file, header[j].strip()) == "float" else c for j, c in enumerate(r)]
            for r in rows[1:]]

    return _with_rows(file, change)


def respell_bools(file: str, seed: int) -> Edit:
    def respell(cell: str, rng: random.Random) -> str:
        word = cell.strip().lower()
        if word in ("true", "1", "yes", "y", "t"):
            return rng.choice(("TRUE", "True", "yes", "Y", "1", "t"))
        if word in ("false", "0", "no", "n", "f"):
            return rng.choice(("FALSE", "False", "no", "N", "0", "f"))
        return cell

    def change(rows: list[list[str]]) -> list[list[str]]:
        rng = random.Random(seed)
        header = rows[0]
        return rows[:1] + [[respell(c, rng) if j < len(header) and column_kind(
            file, header[j].strip()) == "bool" else c for j, c in enumerate(r)] for r in rows[1:]]

    return _with_rows(file, change)


def blank_lines(file: str, seed: int) -> Edit:
    def change(rows: list[list[str]]) -> list[list[str]]:
        rng = random.Random(seed)
        out = [rows[0]]
        for r in rows[1:]:
            if rng.random() < 0.5:
                out.append(rng.choice(([], [""] * len(rows[0]), ["  "])))
            out.append(r)
        return out

    return _with_rows(file, change)


def trailing_empty_column(file: str) -> Edit:
    return _with_rows(file, lambda rows: [[*r, ""] for r in rows])


def quote_all(file: str) -> Edit:
    def edit(folder: Path) -> None:
        rows = read_rows(folder / file)
        if rows:
            write_rows(folder / file, rows, quoting=csv.QUOTE_ALL)

    return edit


def add_bom(file: str) -> Edit:
    def edit(folder: Path) -> None:
        path = folder / file
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if not data.startswith(b"\xef\xbb\xbf"):
                path.write_bytes(b"\xef\xbb\xbf" + data)

    return edit


def crlf(file: str) -> Edit:
    def edit(folder: Path) -> None:
        path = folder / file
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes().replace(b"\r\n", b"\n")
            path.write_bytes(data.replace(b"\n", b"\r\n"))

    return edit


def link_inside(file: str) -> Edit:
    """Move the file to ``data/<file>.txt`` inside the folder and link to it."""

    def edit(folder: Path) -> None:
        path = folder / file
        if path.is_file() and not path.is_symlink():
            (folder / "data").mkdir(exist_ok=True)
            target = folder / "data" / f"{file}.txt"
            os.replace(path, target)
            path.symlink_to(Path("data") / target.name)

    return edit


def yaml_layout(seed: int) -> Edit:
    """case.yaml rewritten: keys shuffled, flow or block style, comments, document markers."""

    def edit(folder: Path) -> None:
        path = folder / CONFIG
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        rng = random.Random(seed)
        items = list(config.items())
        rng.shuffle(items)
        text = yaml.safe_dump(dict(items), sort_keys=False, allow_unicode=True,
                              default_flow_style=rng.choice((False, True, None)))
        if rng.random() < 0.5:
            text = "# a comment\n---\n" + text + "...\n"
        path.write_text(text, encoding="utf-8")

    return edit


def add_other_files() -> Edit:
    def edit(folder: Path) -> None:
        (folder / "README.md").write_text("# notes, not read\n")
        (folder / "notes.txt").write_text("a,b\n1,2\n")
        (folder / "scratch").mkdir(exist_ok=True)
        (folder / "scratch" / "old.csv").write_text("x\n1\n")

    return edit


@st.composite
def meaning_keeper(draw: st.DrawFn, base: str) -> Mutation:
    """An edit that keeps what the case means (its digest)."""
    files = sorted(INVENTORY[base])
    file = draw(st.sampled_from(files))
    kind = kind_of(file)
    seed = draw(st.integers(0, 2**16))
    options = ["permute columns", "pad cells", "respell numbers", "respell bools",
               "blank lines", "trailing empty column", "quote all", "BOM", "CRLF", "link inside",
               "yaml layout", "other files", "yaml BOM"]
    if kind in TABLES or kind == "sources":
        options.append("permute rows")
    if kind in SERIES:
        options += ["long", "snapshots", "snapshots with one offset", "long snapshots"]
    choice = draw(st.sampled_from(options))
    if choice in ("snapshots", "snapshots with one offset", "long snapshots"):
        fmt = draw(st.sampled_from(("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S",
                                    "%Y/%m/%d %H:%M")))
        offset = "" if choice != "snapshots with one offset" else draw(
            st.sampled_from(("+08:00", "Z", "-05:00", "+0530")))
        edit = hour_to_snapshot(base, file, fmt, offset)
        if choice == "long snapshots":
            edit = _chain(edit, wide_to_long(file), permute_rows(file, seed))
        return Mutation(f"{file}: hour as snapshot {fmt!r}{offset} ({choice})", edit)
    if choice == "long":
        return Mutation(f"{file}: long format, rows shuffled ({seed})",
                        _chain(wide_to_long(file), permute_rows(file, seed)))
    if choice == "yaml layout":
        return Mutation(f"case.yaml: layout {seed}", yaml_layout(seed))
    if choice == "yaml BOM":
        return Mutation("case.yaml: UTF-8 BOM and CRLF", _chain(add_bom(CONFIG), crlf(CONFIG)))
    if choice == "other files":
        return Mutation("README.md, notes.txt and scratch/old.csv added", add_other_files())
    makers: dict[str, Callable[[], Edit]] = {
        "permute rows": lambda: permute_rows(file, seed),
        "permute columns": lambda: permute_columns(file, seed),
        "pad cells": lambda: pad_cells(file, seed),
        "respell numbers": lambda: respell_numbers(file, seed),
        "respell bools": lambda: respell_bools(file, seed),
        "blank lines": lambda: blank_lines(file, seed),
        "trailing empty column": lambda: trailing_empty_column(file),
        "quote all": lambda: quote_all(file),
        "BOM": lambda: add_bom(file),
        "CRLF": lambda: crlf(file),
        "link inside": lambda: link_inside(file),
    }
    return Mutation(f"{file}: {choice} ({seed})", makers[choice]())
