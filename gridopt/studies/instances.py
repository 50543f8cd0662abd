"""Benchmark instances: gridopt cases written as MPS files with a manifest ``instances.csv``.

An instance is a shipped case cut to a size (:class:`InstanceSpec`): its first hours
(:meth:`gridopt.case.case.Case.first_hours`), K representative days
(:func:`gridopt.periods.aggregate`), and for a unit-commitment case its LP relaxation (every
integer column continuous). Generation is deterministic: the same gridopt version writes
the same bytes, and the manifest gives each file's sha256 so that a rerun elsewhere can check
it solves the same problem.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gridopt._version import __version__
from gridopt.case.case import Case
from gridopt.case.io import read_case
from gridopt.data import case_path
from gridopt.model.build import build_model
from gridopt.model.highs_backend import write_model
from gridopt.results.write import write_folder

log = logging.getLogger(__name__)

MANIFEST = "instances.csv"
COLUMNS = ("kind", "rows", "columns", "nonzeros", "integer_columns", "source_case", "options",
           "gridopt_version", "file", "sha256")


@dataclass(frozen=True)
class InstanceSpec:
    """One instance: ``case`` (a shipped case's name) on its first ``hours`` or on
    ``periods`` representative days, as a MIP or (``relax``) its LP relaxation."""

    name: str
    case: str
    hours: float | None = None
    periods: int | None = None
    relax: bool = False

    def options(self) -> str:
        """The cut, as the manifest writes it (enough to rebuild the instance)."""
        parts = []
        if self.hours is not None:
            parts.append(f"first_hours={self.hours:g}")
        if self.periods is not None:
            parts.append(f"periods={self.periods} (24 h; hierarchical, medoid, linked, "
                         "keep_peak)")
        if self.relax:
            parts.append("relax_integrality")
        return "; ".join(parts)

    def case_of(self, full: Case) -> Case:
        """The cut case of the full case ``full``."""
        if self.periods is not None:
            from gridopt.periods import aggregate

            return aggregate(full, self.periods)
        return full.first_hours(self.hours) if self.hours is not None else full


LUZHOU, RTS = "luzhou-2030", "rts-gmlc"
SMALL = (
    InstanceSpec("luzhou-24h", LUZHOU, hours=24),
    InstanceSpec("rts-3h-uc", RTS, hours=3),
    InstanceSpec("rts-3h-lp", RTS, hours=3, relax=True),
)
MEDIUM = (
    InstanceSpec("luzhou-k4", LUZHOU, periods=4),  # K ≥ 4: the 3 kept peak days plus one
    InstanceSpec("luzhou-k12", LUZHOU, periods=12),
    InstanceSpec("luzhou-168h", LUZHOU, hours=168),
    InstanceSpec("rts-12h-uc", RTS, hours=12),
    InstanceSpec("rts-24h-uc", RTS, hours=24),
    InstanceSpec("rts-24h-lp", RTS, hours=24, relax=True),
)
LARGE = (*MEDIUM,
         InstanceSpec("rts-48h-uc", RTS, hours=48),
         InstanceSpec("rts-48h-lp", RTS, hours=48, relax=True))
SETS: dict[str, tuple[InstanceSpec, ...]] = {"small": SMALL, "medium": MEDIUM, "large": LARGE}
"""The instance sets: ``small`` for tests (seconds), ``medium`` for the README's recorded run,
``large`` adds RTS-GMLC's first 48 hours (MIP and LP). Luzhou on K representative days needs K ≥ 4
(its three peak-event days are kept as they are)."""


def write_instance(spec: InstanceSpec, folder: Path, cases: dict[str, Case]) -> dict:
    """Write ``spec`` as ``folder/<name>.mps``; its manifest row."""
    if spec.case not in cases:
        cases[spec.case] = read_case(case_path(spec.case))
    model = build_model(spec.case_of(cases[spec.case]))
    if spec.relax:
        model.relax_integrality()
    path = write_model(model, folder / f"{spec.name}.mps")
    return {"name": spec.name, **mps_counts(path), "source_case": spec.case,
            "options": spec.options(), "gridopt_version": __version__, "file": path.name,
            "sha256": sha256(path)}


def mps_counts(path: Path) -> dict:
    """Kind (LP/MIP), rows, columns, nonzeros and integer columns of an MPS file, as HiGHS
    reads it back."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if h.readModel(str(path)) == highspy.HighsStatus.kError:
        raise OSError(f"HiGHS could not read {path}")
    lp = h.getLp()
    integers = sum(t != highspy.HighsVarType.kContinuous for t in lp.integrality_)
    return {"kind": "MIP" if integers else "LP", "rows": lp.num_row_, "columns": lp.num_col_,
            "nonzeros": len(lp.a_matrix_.value_), "integer_columns": int(integers)}


def sha256(path: Path) -> str:
    """The file's sha256 in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def make_instances(out: str | Path, specs: str | tuple[InstanceSpec, ...] = "small"
                   ) -> pd.DataFrame:
    """Write the instances ``specs`` (a set's name in :data:`SETS`, or specs) as MPS files
    and the manifest ``instances.csv`` into the result folder ``out`` (atomically, through
    :func:`gridopt.results.write.write_folder`); return the manifest (index: name)."""
    specs = SETS[specs] if isinstance(specs, str) else specs
    with tempfile.TemporaryDirectory(prefix="gridopt-instances-") as tmp:
        cases: dict[str, Case] = {}
        rows = []
        for spec in specs:
            log.info("instance %s: %s %s", spec.name, spec.case, spec.options())
            rows.append(write_instance(spec, Path(tmp), cases))
        manifest = pd.DataFrame(rows).set_index("name")[list(COLUMNS)]
        writers = {f: _copier(Path(tmp) / f) for f in manifest["file"]}
        write_folder(out, {MANIFEST.removesuffix(".csv"): manifest}, {}, writers=writers)
    return manifest


def _copier(source: Path) -> Callable[[Path], None]:
    return lambda target: shutil.copyfile(source, target)


def read_manifest(folder: str | Path, check: bool = True) -> pd.DataFrame:
    """The manifest of an instance folder (index: name); with ``check``, every file's sha256
    is compared with the manifest's (a :class:`ValueError` names the files that differ)."""
    folder = Path(folder)
    manifest = pd.read_csv(folder / MANIFEST, index_col="name")
    if check:
        wrong = [f for f, digest in zip(manifest["file"], manifest["sha256"], strict=True)
                 if not (folder / f).is_file() or sha256(folder / f) != digest]
        if wrong:
            raise ValueError(f"{folder}: missing or changed since the manifest: "
                             f"{', '.join(wrong)}")
    return manifest
