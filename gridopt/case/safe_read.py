"""Bounded reading of a case's files: only regular files inside the case folder, of a capped
size, and YAML of a capped depth and expansion, without repeated keys.

Every refusal is an :class:`UnreadableError` carrying a rule id, a message and (where there is one)
the line; :mod:`gridopt.case.io` turns it into a :class:`~gridopt.case.case.Problem`. Limits:

- a CSV file is at most :data:`MAX_CSV_BYTES` (512 MiB), ``case.yaml`` at most
  :data:`MAX_YAML_BYTES` (4 MiB): ``file-too-large``;
- a named pipe, a device, a socket or a folder is refused before it is opened
  (``not-a-file``), and a symbolic link whose target lies outside the case folder is refused
  (``outside-folder``): so a FIFO cannot hang the reader and ``/dev/zero`` cannot fill memory;
- YAML nesting deeper than :data:`MAX_YAML_DEPTH` (20 levels; ``case.yaml`` needs 4)
  is ``yaml-depth``; a document that would hold more than :data:`MAX_YAML_NODES` (1,000,000)
  values once its aliases are expanded is ``yaml-size`` (an "alias bomb"); an alias to an
  anchor that is not complete before it (a cycle) is ``yaml-alias``;
- a key given twice in one YAML mapping is ``duplicate-key`` (YAML would keep the last).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

MAX_CSV_BYTES = 512 * 2**20
MAX_YAML_BYTES = 4 * 2**20
MAX_YAML_DEPTH = 20
MAX_YAML_NODES = 1_000_000

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


class UnreadableError(Exception):
    """A file refused: the rule it breaks, why, and the line (1-based) and key where known."""

    def __init__(self, rule: str, message: str, row: int | None = None,
                 column: str | None = None) -> None:
        super().__init__(message)
        self.rule, self.message, self.row, self.column = rule, message, row, column


def read_bytes(file: Path, folder: Path, limit: int) -> bytes:
    """The bytes of ``file``, a regular file inside ``folder`` (after links) of ≤ ``limit`` bytes.

    Raises
    ------
    UnreadableError
        ``missing-file``, ``outside-folder``, ``not-a-file``, ``file-too-large`` or
        ``unreadable-file`` (an OS error).
    """
    name = file.name
    try:
        if stat.S_ISLNK(os.lstat(file).st_mode):
            _check_link(file, folder)
        _check_regular(os.stat(file).st_mode, name)
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            info = os.fstat(fd)  # the file opened may not be the one checked: check again
            _check_regular(info.st_mode, name)
            _check_size(info.st_size, name, limit)
            with os.fdopen(os.dup(fd), "rb") as handle:
                data = handle.read(limit + 1)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise UnreadableError("missing-file", f"{name} does not exist (or is a broken link)") \
            from None
    except OSError as exc:
        raise UnreadableError("unreadable-file", f"cannot read {name}: {exc.strerror}") from None
    _check_size(len(data), name, limit)
    return data


def _check_link(file: Path, folder: Path) -> None:
    try:
        target, base = file.resolve(), folder.resolve()
    except (RuntimeError, OSError):  # Python < 3.13 raises RuntimeError on a loop
        raise UnreadableError("unreadable-file", f"{file.name} is a link that leads back to "
                                                 "itself") from None
    if not target.is_relative_to(base):
        raise UnreadableError("outside-folder", f"{file.name} is a link to '{target}', outside the "
                                           "case folder; copy the file into the folder")


def _check_regular(mode: int, name: str) -> None:
    if not stat.S_ISREG(mode):
        kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
        raise UnreadableError("not-a-file", f"{name} is {kind}, not a regular file")


def _check_size(size: int, name: str, limit: int) -> None:
    if size > limit:
        raise UnreadableError("file-too-large", f"{name} is larger than {_size(limit)}, the "
                                           "largest file gridopt reads")


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n:,} bytes"


# ---------------------------------------------------------------------------- YAML


def load_yaml(text: str) -> Any:
    """The one YAML document in ``text`` (``None`` when empty), read with the safe loader.

    Raises
    ------
    UnreadableError
        ``yaml-depth``, ``yaml-size``, ``yaml-alias`` or ``duplicate-key``.
    yaml.YAMLError
        When the text is not valid YAML.
    """
    _check_shape(text)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_duplicates(node, "", set())
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_shape(text: str) -> None:
    """Depth and expanded size from the parser's events, before anything is composed (the
    composer recurses once per level, and aliases multiply what a document stands for)."""
    stack: list[list[Any]] = []  # [values so far, anchor] of each open collection
    sizes: dict[str, int] = {}  # values an anchored node stands for
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        row = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([1, event.anchor])
            if len(stack) > MAX_YAML_DEPTH:
                raise UnreadableError("yaml-depth", f"case.yaml is nested more than "
                                               f"{MAX_YAML_DEPTH} levels deep", row)
        elif isinstance(event, yaml.CollectionEndEvent):
            size, anchor = stack.pop()
            _count(stack, sizes, size, anchor, row)
        elif isinstance(event, yaml.ScalarEvent):
            _count(stack, sizes, 1, event.anchor, row)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:
                raise UnreadableError("yaml-alias", f"alias '*{event.anchor}' refers to an anchor "
                                               "that is not defined before it, or to itself", row)
            _count(stack, sizes, sizes[event.anchor], None, row)


def _count(stack: list[list[Any]], sizes: dict[str, int], size: int, anchor: str | None,
           row: int | None) -> None:
    if anchor is not None:
        sizes[anchor] = size
    if stack:
        stack[-1][0] += size
        size = stack[-1][0]
    if size > MAX_YAML_NODES:
        raise UnreadableError("yaml-size", f"case.yaml stands for more than {MAX_YAML_NODES:,} "
                                      "values once its aliases (*name) are expanded", row)


def _check_duplicates(node: yaml.Node, path: str, seen: set[int]) -> None:
    """A key given twice in one mapping (YAML would silently keep the last value)."""
    if id(node) in seen:  # an aliased node: checked where it was defined
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            where = f"{path}.{name}" if path else name
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                if name in keys:
                    raise UnreadableError("duplicate-key", f"'{where}' is given twice (YAML would "
                                     "keep only the last)", key.start_mark.line + 1, where)
                keys.add(name)
            _check_duplicates(value, where, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicates(item, path, seen)

