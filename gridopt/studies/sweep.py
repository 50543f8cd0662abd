"""Scenario sweeps on Dask: ``gridopt sweep SPEC.yaml`` and :class:`Study`.

A sweep is a base case and a grid (or list) of overrides (:mod:`gridopt.studies.spec`). Each
scenario is one Dask task (:mod:`gridopt.studies.cluster`) that applies its overrides to the
base case as read (:mod:`gridopt.studies.overrides`), reduces the case as the spec says (first
hours, representative periods), solves it and returns its key figures
(:mod:`gridopt.studies.kpis`). The client writes each result under the scenario's **content
hash** as it arrives (:mod:`gridopt.studies.store`): the hash of the base case (its
:meth:`~gridopt.case.case.Case.digest`: every table, series and setting), the scenario's
overrides and values, the reduction, the solver options and gridopt's version. A sweep run
again, after an interruption or with more parameter values, computes only the scenarios whose
hash has no result; a scenario that fails is recorded with its error and the others go on
(status ``failed``; a scenario whose case has no solution, e.g. an enforced target out of
reach, is ``infeasible`` with the reason: an answer, not an error);
a worker that dies mid-task has its task run again by Dask on another worker.

The same hash is the Dask key of the task, so that one scheduler never runs a scenario twice at
once, even for two clients; one sweep folder is locked by one sweep at a time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from gridopt._version import __version__
from gridopt.case.case import Case, CaseError
from gridopt.case.io import RawCase, read_folder
from gridopt.data import resolve_case
from gridopt.studies.kpis import kpis
from gridopt.studies.overrides import scenario_case
from gridopt.studies.spec import Override, Scalar, Spec, check_overrides, read_spec
from gridopt.studies.store import SweepStore

log = logging.getLogger(__name__)

#: Bumped when the KPI columns change, so that old results are not mixed with new ones.
KPI_VERSION = 1


@dataclass(frozen=True)
class Scenario:
    """One scenario: its position in the spec, its parameter values and its content hash."""

    index: int
    values: dict[str, Scalar]
    overrides: tuple[tuple[Override, Scalar], ...]
    key: str


class Study:
    """A sweep of a base case: ``Study("sweep.yaml").run("out-sweep", workers=2)``.

    Parameters
    ----------
    spec : Spec, path
        The sweep spec, or the path of its YAML file (relative ``base`` paths start from its
        folder).
    root : path, optional
        Where a relative ``base`` of a ``Spec`` object starts (default: the current folder).
    """

    def __init__(self, spec: Spec | str | Path, root: str | Path | None = None) -> None:
        if isinstance(spec, Spec):
            self.spec, self.root = spec, Path(root or Path.cwd())
        else:
            self.spec, self.root = read_spec(spec)
        self.file = "SPEC.yaml" if isinstance(spec, Spec) else Path(spec).name
        self._raw: RawCase | None = None
        self._digest: str | None = None

    # -- the base case and the scenarios ---------------------------------------------------
    @property
    def base_path(self) -> Path:
        """The base case folder: relative to the spec's folder, else a shipped case's name."""
        given = Path(self.spec.base)
        local = given if given.is_absolute() else self.root / given
        if local.exists():
            return local
        found = resolve_case(given)
        return found if found is not None else local

    def raw(self) -> RawCase:
        """The base case as read (every cell text), checked once: its problems, and the
        overrides' tables, columns, series and elements, raise :class:`CaseError`."""
        if self._raw is None:
            raw = read_folder(self.base_path)
            problems = list(raw.problems)
            problems += check_overrides(self.spec, self.file, raw.tables, raw.series)
            if problems:
                raise CaseError(problems)
            self._raw = raw
        return self._raw

    def base_digest(self) -> str:
        """The base case's digest (:meth:`Case.digest`): every table, series and setting."""
        if self._digest is None:
            raw = self.raw()
            from gridopt.case.build import case_from_tables

            self._digest = case_from_tables(raw.config, raw.tables, raw.series, raw.sources,
                                            raw.path).digest()
        return self._digest

    def scenarios(self) -> list[Scenario]:
        """Every scenario of the spec with its content hash."""
        base = self.base_digest()
        common = {"base": base, "reduce": self.spec.reduce.model_dump(),
                  "solver": self.spec.solver, "gridopt": __version__, "kpis": KPI_VERSION}
        out = []
        for i, values in enumerate(self.spec.scenario_values()):
            overrides = tuple((o, values[name]) for name, p in self.spec.parameters.items()
                              for o in p.set)
            payload = {**common, "overrides": [[o.model_dump(), v] for o, v in overrides]}
            key = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str)
                                 .encode()).hexdigest()[:32]
            out.append(Scenario(i, dict(values), overrides, key))
        return out

    # -- running -------------------------------------------------------------------------------
    def run(self, out: str | Path, workers: int = 2, scheduler: str | None = None,
            progress: bool = True, on_result: Callable[[Scenario, dict], None] | None = None
            ) -> pd.DataFrame:
        """Run every scenario without a result in ``out`` on Dask, then write the table
        (``results.csv``, ``results.parquet``) and the plots; return the table."""
        from gridopt.studies.cluster import dask_client
        from gridopt.studies.report import progress_bar, write_report

        scenarios = self.scenarios()
        store = SweepStore(out)
        with store.opened(self.spec.name, protect=[self.base_path]):
            todo = [s for s in scenarios if s.key not in store.done()]
            with progress_bar(len(scenarios), len(scenarios) - len(todo), progress) as bar:
                if todo:
                    with dask_client(scheduler, workers) as client:
                        self._compute(client, todo, store, bar, on_result)
            table = self.table(out)
            write_report(self.spec, store, table)
        return table

    def _compute(self, client: Any, todo: list[Scenario], store: SweepStore, bar: Any,
                 on_result: Callable[[Scenario, dict], None] | None) -> None:
        """Submit each scenario as a task keyed by its hash; save each result as it comes."""
        from distributed import as_completed

        raw = client.scatter(self.raw(), broadcast=True)
        futures = {client.submit(run_scenario, raw, s.overrides, self.spec.reduce.model_dump(),
                                 self.spec.solver, key=f"gridopt-scenario-{s.key}",
                                 pure=False): s for s in todo}
        for future in as_completed(futures):
            s = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # the task itself died (e.g. its worker, repeatedly)
                record = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            record = {"key": s.key, "index": s.index, "parameters": s.values, **record}
            store.save(s.key, record)
            bar.advance(failed=record["status"] == "failed")
            if on_result is not None:
                on_result(s, record)

    def table(self, out: str | Path) -> pd.DataFrame:
        """One row per scenario of the spec that has a result in ``out``: parameters, KPIs,
        status and error (the tidy table of the sweep)."""
        store = SweepStore(out)
        rows = []
        for s in self.scenarios():
            if not store.path_of(s.key).is_file():
                continue
            record = store.load(s.key)
            kpi = record.get("kpis", {})
            rows.append({"scenario": s.index, **s.values, "status": record["status"],
                         **{k: v for k, v in kpi.items() if k != "status"},
                         "error": record.get("error", ""), "key": s.key,
                         "seconds": record.get("seconds")})
        return pd.DataFrame(rows).set_index("scenario") if rows else pd.DataFrame()


def run_scenario(raw: RawCase, overrides: tuple[tuple[Override, Scalar], ...],
                 reduce: dict[str, Any], solver: dict[str, Any]) -> dict[str, Any]:
    """One scenario, on a worker: build, reduce, solve; its KPIs, or its error as text."""
    from gridopt.peak import TargetUnreachableError
    from gridopt.solve import solve

    t0 = time.perf_counter()
    where = {"worker": f"{socket.gethostname()}:{os.getpid()}"}
    try:
        case = reduce_case(scenario_case(raw, list(overrides)), reduce)
        results = solve(case, **solver)
    except TargetUnreachableError as exc:  # an answer, not an error: the target is out of reach
        return {"status": "infeasible", "error": str(exc), **where,
                "seconds": time.perf_counter() - t0}
    except (CaseError, ValueError, ImportError) as exc:
        return {"status": "failed", "error": str(exc), **where,
                "seconds": time.perf_counter() - t0}
    except Exception as exc:
        tail = "".join(traceback.format_exception(exc)[-3:])
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}\n{tail}", **where,
                "seconds": time.perf_counter() - t0}
    row = kpis(results)
    status = "ok" if results.ok else str(results.status)  # infeasible, time_limit, …
    return {"status": status, "kpis": row, **where, "seconds": time.perf_counter() - t0}


def reduce_case(case: Case, reduce: dict[str, Any]) -> Case:
    """The case on its first ``hours`` and/or ``periods`` representative periods."""
    if reduce.get("hours"):
        case = case.first_hours(float(reduce["hours"]))
    if reduce.get("periods"):
        from gridopt.periods import aggregate

        case = aggregate(case, int(reduce["periods"]), float(reduce.get("period_hours", 24.0)),
                         keep_peak=bool(reduce.get("keep_peak", True)),
                         segments=reduce.get("segments"))
    return case
