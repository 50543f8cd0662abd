"""Write results atomically: everything goes to a temporary folder, then one rename.

A run that fails leaves no half-written folder, and an earlier good folder is replaced only
once the new one is complete.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from gridopt.results.results import Results


def write_results(results: Results, out: str | Path, extra: dict[str, pd.DataFrame] | None = None
                  ) -> Path:
    """Write every result table as CSV plus ``summary.json`` into ``out`` (atomically)."""
    tables = {**results.tables(), **(extra or {})}
    summary = results.summary()
    return write_folder(out, tables, {"summary.json": summary})


def write_folder(out: str | Path, tables: dict[str, pd.DataFrame], documents: dict[str, Any],
                 writers: dict[str, Callable[[Path], Any]] | None = None) -> Path:
    """Write CSV tables, JSON documents and other files (``writers``: file name → function
    writing that path, e.g. a plot) into ``out`` through a temporary sibling folder."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for name, frame in tables.items():
            frame.to_csv(tmp / f"{name}.csv")
        for name, doc in documents.items():
            (tmp / name).write_text(json.dumps(doc, indent=2, default=str) + "\n")
        for name, write in (writers or {}).items():
            write(tmp / name)
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace ``out`` by ``tmp``: rename the old folder aside, rename the new one in."""
    if not out.exists():
        tmp.rename(out)
        return
    if not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
