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


def default_case_path() -> Path:
    """The folder of the embedded default case (Luzhou 2030)."""
    return case_path(DEFAULT_CASE)
