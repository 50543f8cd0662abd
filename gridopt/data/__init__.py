"""Find shipped cases: installed as the package ``gridopt_cases`` (the top-level ``data/``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DEFAULT_CASE = "luzhou-2030"


def case_path(name: str) -> Path:
    """The folder of a shipped case, e.g. ``case_path("luzhou-2030")``."""
    root = Path(str(files("gridopt_cases")))
    folder = root / name
    if not (folder / "case.yaml").is_file():
        raise FileNotFoundError(f"shipped case {name!r} not found in {root}")
    return folder


def resolve_case(arg: Path | None) -> Path | None:
    """A case argument as given if it exists (or is None); else, if it is a bare name such as
    ``rts-gmlc``, the shipped case of that name when there is one; else as given (the reader
    then reports the missing folder)."""
    if arg is None or arg.exists() or len(arg.parts) != 1:
        return arg
    try:
        return case_path(str(arg))
    except FileNotFoundError:
        return arg


def default_case_path() -> Path:
    """The folder of the embedded default case (Luzhou 2030)."""
    return case_path(DEFAULT_CASE)
