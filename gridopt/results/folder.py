"""Result folders that gridopt owns: the marker, the checks, the lock and the swap.

gridopt never deletes anything it did not write. The rules that make this so:

- **Marker.** Every folder gridopt writes carries ``.gridopt-result`` (JSON: gridopt version,
  the output's name, pid, time, the names of the files written, ``complete``). An existing
  ``out`` is replaced only if it is empty (nothing is lost) or if its marker is complete and it
  holds nothing beyond the files the marker lists (a note the user added stops the replace).
  A result written before the marker existed is therefore refused too: remove it by hand.
- **Protected folders.** ``out`` must not be, nor contain, the case folder or the current
  folder, even when empty or marked: replacing them would delete the case or pull the folder
  from under the user's shell.
- **Pre-flight.** :func:`check_out` checks all this and that the nearest existing ancestor of
  ``out`` is a writable folder (``os.access``, which honours read-only file systems even for
  root), without changing anything, so that the CLI can refuse before a long solve.
- **Lock.** Writers into one parent folder are serialised by ``flock`` on the parent folder
  itself: no lock file is created, so none is ever left behind, and the kernel drops the lock
  when its holder dies (kill -9 included). Where ``fcntl`` is missing there is no lock.
- **Swap.** The new result is written into ``.NAME.tmp-PID-XXXX`` beside ``out``, synced to
  disk, marked complete, then swapped in. On Linux ``renameat2(RENAME_EXCHANGE)`` exchanges
  the two folders in one step, so ``out`` is at every instant the old or the new complete
  result. Elsewhere (or on a file system without it) ``out`` is renamed to
  ``.NAME.old-PID-XXXX`` and the new folder renamed in; a kill between the two leaves ``out``
  missing and the old result complete under its hidden name, which the next writer restores.
- **Leftovers.** Under the lock no other writer in the parent is active, so every
  ``.NAME.tmp-*`` / ``.NAME.old-*`` folder there is a leftover of a killed writer; the next
  writer (:func:`tidy`) removes those that are empty or carry the marker, and nothing else.
"""

from __future__ import annotations

import ctypes
import errno
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
MARKER = ".gridopt-result"
_hook: Callable[[str], None] | None = None  # tests only: called at every phase of a write


class OutputError(ValueError):
    """``--out`` cannot be written: names the folder, the rule and what to do."""

    def __init__(self, path: Path, rule: str, message: str) -> None:
        self.path, self.rule, self.message = path, rule, message
        super().__init__(f"{path}: {message} [{rule}]")


def checkpoint(phase: str) -> None:
    """Mark a phase of a write (a no-op unless a test set ``_hook`` to kill the writer there)."""
    if _hook is not None:
        _hook(phase)


def check_out(out: str | Path, protect: Iterable[str | Path] = ()) -> Path:
    """Refuse an output folder that gridopt may not replace; return it resolved.

    Parameters
    ----------
    out : path
        The output folder (``--out``).
    protect : paths
        Folders ``out`` must neither be nor contain (the case folder); the current folder
        is always protected.

    Raises
    ------
    OutputError
        ``out`` is or contains a protected folder, is a file, holds files gridopt did not
        write, or its parent cannot be written.
    """
    out = Path(out).resolve()
    for folder in (Path.cwd(), *protect):
        folder = Path(folder).resolve()
        if out == folder or out in folder.parents:
            what = "the current folder" if folder == Path.cwd().resolve() else "the case folder"
            raise OutputError(out, "out-holds-protected", f"is or contains {what} {folder}; "
                              "choose an output folder of its own")
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise OutputError(out, "out-not-a-folder", "exists and is not a folder")
        foreign = foreign_entries(out)
        if foreign:
            raise OutputError(out, "out-not-a-result", (
                f"holds {len(foreign)} file(s) gridopt did not write (e.g. {foreign[0]!r}); "
                "gridopt replaces only an empty folder or one of its own results: choose "
                "another output folder or move those files away"))
    _check_parent(out)
    return out


def _check_parent(out: Path) -> None:
    """The nearest existing ancestor of ``out`` must be a folder that can be written."""
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(out, "out-parent-not-a-folder", f"{parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(out, "out-parent-read-only", f"cannot write into {parent}")


#: The first line gridopt writes into a ``--solver-log`` before HiGHS appends its log; an
#: existing file is appended to only if it begins so (or is empty).
LOG_HEADER = "# gridopt solver log (HiGHS appends below)\n"


def check_log_file(path: str | Path, protect: Iterable[str | Path] = ()) -> Path:
    """Refuse a ``--solver-log`` file that HiGHS must not write (it appends to the file):
    one inside a protected folder (the case), one that exists and is not a file or not a
    HiGHS log, or one whose folder cannot be written. Returns it resolved."""
    path = Path(path).resolve()
    for folder in protect:
        folder = Path(folder).resolve()
        if path == folder or folder in path.parents:
            raise OutputError(path, "log-in-case", f"is inside the case folder {folder}; "
                              "write the solver log elsewhere")
    if path.exists() or path.is_symlink():
        if not path.is_file():
            raise OutputError(path, "log-not-a-file", "exists and is not a regular file")
        with path.open("rb") as f:
            if f.read(len(LOG_HEADER)) not in (LOG_HEADER.encode(), b""):
                raise OutputError(path, "log-not-a-log", "exists and is not a solver log "
                                  "gridopt wrote; gridopt appends only to an empty file or "
                                  "to one of its own logs")
    parent = path.parent
    if not parent.is_dir():
        raise OutputError(path, "log-parent-missing", f"{parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(path, "log-parent-read-only", f"cannot write into {parent}")
    return path


def begin_log_file(path: Path) -> None:
    """Start a checked ``--solver-log`` (:func:`check_log_file`) with :data:`LOG_HEADER`
    when it is new or empty; HiGHS then appends."""
    if not path.exists() or path.stat().st_size == 0:
        path.write_text(LOG_HEADER)


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of a folder gridopt wrote, or None (no marker, or not gridopt's JSON)."""
    try:
        info = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def foreign_entries(folder: Path) -> list[str]:
    """Names in ``folder`` that no complete gridopt marker there accounts for (sorted)."""
    info = read_marker(folder) or {}
    ours = set(info.get("files", [])) if info.get("complete") is True else set()
    return sorted(p.name for p in folder.iterdir() if p.name not in ours | {MARKER})


def replace_folder(out: str | Path, fill: Callable[[Path], None], *,
                   protect: Iterable[str | Path] = (), note: dict[str, Any] | None = None
                   ) -> Path:
    """Write a new result with ``fill(folder)`` and put it in place of ``out``.

    ``out`` is checked (:func:`check_out`) before and again under the lock; ``note`` is
    added to the marker (e.g. the case digest). Returns ``out`` resolved.
    """
    protect = list(protect)
    out = check_out(out, protect)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out.parent):
            checkpoint("locked")
            tidy(out)
            check_out(out, protect)
            _write_and_swap(out, fill, note or {})
    except OSError as exc:
        raise OutputError(out, "out-write-failed", f"could not write: {exc}") from exc
    return out


def _write_and_swap(out: Path, fill: Callable[[Path], None], note: dict[str, Any]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    try:
        checkpoint("temporary folder made")
        _write_marker(tmp, {**note, "complete": False})
        fill(tmp)
        _seal(tmp, out.name, note)
        _swap_in(tmp, out)
        checkpoint("swapped")
    finally:
        if tmp.exists():
            remove_owned(tmp)
    _sync(out.parent)
    checkpoint("done")


def _write_marker(folder: Path, info: dict[str, Any]) -> None:
    """Write the marker through a temporary name, so that it is whole or absent."""
    part = folder / f"{MARKER}.part"
    part.write_text(json.dumps(info, indent=2, default=str) + "\n")
    os.replace(part, folder / MARKER)


def _seal(tmp: Path, name: str, note: dict[str, Any]) -> None:
    """Sync every file to disk, then mark the folder complete with the list of its files."""
    from gridopt._version import __version__

    files = sorted(p.name for p in tmp.iterdir() if p.name != MARKER)
    for f in files:
        _sync(tmp / f)
    checkpoint("synced")
    _write_marker(tmp, {**note, "gridopt_version": __version__, "out": name,
                        "pid": os.getpid(), "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                        "files": files, "complete": True})
    _sync(tmp)
    checkpoint("sealed")


def _sync(path: Path) -> None:
    """fsync a file or folder (power-loss safety; a kill alone needs no sync)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. folders on Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that cannot sync a folder
        pass
    finally:
        os.close(fd)


def _swap_in(tmp: Path, out: Path) -> None:
    """Put ``tmp`` at ``out``; afterwards ``tmp`` holds the old result, or is gone."""
    if not out.exists():
        tmp.rename(out)
        return
    if not any(out.iterdir()):
        tmp.rename(out)  # rename(2) replaces an empty folder in one step
        return
    if _exchange(tmp, out):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    checkpoint("old moved aside")
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    checkpoint("new moved in")
    remove_owned(old)


@cache
def _renameat2() -> Callable[..., int] | None:
    """libc's ``renameat2`` (glibc ≥ 2.28), or None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover
        return None
    return getattr(libc, "renameat2", None)


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two folders in one step; False where the system cannot (then fall back)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


@contextmanager
def _locked(parent: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the folder ``parent`` (waits for other writers)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def leftovers(out: Path) -> list[Path]:
    """Temporary and old folders of writers into ``out`` (``.NAME.tmp-*``, ``.NAME.old-*``)."""
    prefixes = (f".{out.name}.tmp-", f".{out.name}.old-")
    return sorted(p for p in out.parent.iterdir()
                  if p.name.startswith(prefixes) and p.is_dir() and not p.is_symlink())


def tidy(out: str | Path) -> None:
    """Clean up after killed writers; call with the lock held.

    If ``out`` is missing and a complete old result of it survives (a kill between the two
    renames of the portable swap), the newest one is put back. Then every leftover folder
    that is empty or carries the marker is removed; anything else is left alone.
    """
    out = Path(out).resolve()
    found = leftovers(out)
    if not out.exists() and not out.is_symlink():
        olds = [p for p in found if p.name.startswith(f".{out.name}.old-")
                and (read_marker(p) or {}).get("complete") is True
                and (read_marker(p) or {}).get("out") == out.name]
        if olds:
            newest = max(olds, key=lambda p: str((read_marker(p) or {}).get("written", "")))
            newest.rename(out)
            found.remove(newest)
    for folder in found:
        if (folder / MARKER).is_file() or not any(folder.iterdir()):
            remove_owned(folder)
        checkpoint("tidied one")


def remove_owned(folder: Path) -> None:
    """Remove what gridopt wrote in ``folder``, its marker last (a kill half-way leaves it
    recognisable), and the folder if nothing else is left.

    A complete marker lists the files gridopt wrote; anything else (a note the user dropped
    into the result while it was being replaced) is kept, and so is the folder then. A folder
    whose marker is incomplete is a temporary one that only gridopt writes into.
    """
    info = read_marker(folder) or {}
    listed = set(info.get("files", [])) if info.get("complete") is True else None
    for entry in folder.iterdir():
        if entry.name == MARKER or (listed is not None and entry.name not in listed):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
        checkpoint("removed one")
    if any(p.name != MARKER for p in folder.iterdir()):
        log.warning("kept %s: it holds files gridopt did not write", folder)
        return
    (folder / MARKER).unlink(missing_ok=True)
    folder.rmdir()
