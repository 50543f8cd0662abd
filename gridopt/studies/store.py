"""The sweep folder: one file per finished scenario, under its content hash, written atomically.

Layout of ``OUT`` (every file is gridopt's; anything else found there is left alone)::

    .gridopt-sweep.json        marker: this is a sweep folder (gridopt refuses any other
                               non-empty folder, and ``gridopt run --out`` refuses this one)
    .lock                      held (flock) while a sweep runs: one sweep per folder at a time
    scenarios/<key>.json       one finished scenario: parameters, KPIs or error, timings
    results.csv, results.parquet, plots/*.png, spec.yaml   written when a sweep completes

Each scenario file is written to a temporary name in the same folder, flushed to disk and
renamed into place, so that a sweep killed at any moment leaves either the whole file or none;
a rerun skips every scenario whose file exists and computes only the others.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]

from gridopt.results.folder import OutputError

MARKER = ".gridopt-sweep.json"
LOCK = ".lock"
SCENARIOS = "scenarios"


class SweepStore:
    """The sweep folder ``out``: checked, marked, locked while open (:meth:`opened`)."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out).resolve()

    @property
    def scenario_dir(self) -> Path:
        return self.out / SCENARIOS

    def check(self, protect: Sequence[Path] = ()) -> None:
        """Refuse a folder that is or holds a protected folder (the case, the current one),
        a file, or a non-empty folder that is not a gridopt sweep folder."""
        for folder in (Path.cwd(), *protect):
            folder = Path(folder).resolve()
            if self.out == folder or self.out in folder.parents:
                raise OutputError(self.out, "out-holds-protected",
                                  f"is or contains {folder}; choose a sweep folder of its own")
        if self.out.exists() or self.out.is_symlink():
            if not self.out.is_dir():
                raise OutputError(self.out, "out-not-a-folder", "exists and is not a folder")
            if any(self.out.iterdir()) and not (self.out / MARKER).is_file():
                raise OutputError(self.out, "out-not-a-sweep", (
                    "holds files and is not a gridopt sweep folder (no "
                    f"{MARKER}); gridopt writes a sweep only into an empty folder or "
                    "one of its own sweeps: choose another folder"))

    @contextmanager
    def opened(self, spec_name: str, protect: Sequence[Path] = ()) -> Iterator[SweepStore]:
        """Check, create and lock the folder for one sweep run."""
        self.check(protect)
        self.scenario_dir.mkdir(parents=True, exist_ok=True)
        marker = self.out / MARKER
        if not marker.is_file():
            write_atomic(marker, json.dumps({"kind": "gridopt sweep", "spec": spec_name}))
        fd = os.open(self.out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise OutputError(self.out, "sweep-running", "another sweep is running "
                                      "in this folder; wait for it or choose another "
                                      "folder") from None
            yield self
        finally:
            os.close(fd)

    def path_of(self, key: str) -> Path:
        return self.scenario_dir / f"{key}.json"

    def done(self) -> set[str]:
        """Keys of the finished scenarios (a file under their hash)."""
        if not self.scenario_dir.is_dir():
            return set()
        return {p.stem for p in self.scenario_dir.glob("*.json")}

    def save(self, key: str, record: dict[str, Any]) -> None:
        """Write one scenario's record atomically."""
        write_atomic(self.path_of(key), json.dumps(record, default=_plain, indent=1))

    def load(self, key: str) -> dict[str, Any]:
        return json.loads(self.path_of(key).read_text())


def _plain(value: Any) -> Any:
    """JSON for numpy scalars and other simple objects."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``path`` by a temporary file in its folder, flushed, then renamed into place."""
    data = text.encode() if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # as open() would make it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
