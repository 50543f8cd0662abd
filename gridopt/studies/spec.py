"""The sweep specification (``SPEC.yaml``): a base case, parameters, and what each one sets.

A sweep is a base case and named **parameters**; each parameter has values and sets one or
more things in the case (an *override*) to its value:

- ``{table: T, column: C, name: N, scale: true}``: column C of table T (of element N, a list of
  elements, or every row when ``name`` is left out) multiplied by the value (``scale``) or set
  to it; ``value`` sets a constant instead (e.g. ``enforce: true`` of a target);
- ``{series: S, column: C, scale: true}``: the series S (``load_mw``, ``price_per_mwh``, …),
  one element's column or every column, multiplied by the value (``scale`` is required: a
  series is only scaled);
- ``{config: KEY}``: the ``case.yaml`` setting KEY (dotted, e.g. ``peak_response.share``) set to
  the value (or ``value``); solver options are ``config: solver.OPTION``.

Scenarios are the grid of every combination of the parameters' values (``scenarios: grid``,
the default) or a list of mappings parameter → value. Every key is checked: an unknown key,
table, column, series or element is an error naming it (rule in brackets), before any work.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gridopt.case.case import CaseError, Problem
from gridopt.case.cells import closest
from gridopt.case.safe_read import MAX_YAML_BYTES, UnreadableError, load_yaml, read_bytes
from gridopt.case.schema import SERIES, TABLES

Scalar = float | int | bool | str
#: More scenarios than this in one sweep is surely a mistake in the grid.
MAX_SCENARIOS = 100_000


class Override(BaseModel):
    """One thing a parameter sets: a table column, a series or a case.yaml setting."""

    model_config = ConfigDict(extra="forbid")

    table: str | None = None
    series: str | None = None
    config: str | None = None
    column: str | None = None
    name: str | list[str] | None = None
    scale: bool = False
    value: Scalar | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Override:
        given = [k for k in ("table", "series", "config") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("an override sets exactly one of 'table', 'series' or 'config', "
                             f"not {given or 'none'}")
        if self.table is not None and self.column is None:
            raise ValueError(f"a table override needs 'column' (table '{self.table}')")
        if self.series is not None and not self.scale:
            raise ValueError(f"a series override scales the series: give 'scale: true' "
                             f"(series '{self.series}')")
        if self.scale and self.value is not None:
            raise ValueError("give 'scale: true' (multiply by the parameter's value) or "
                             "'value' (a constant), not both")
        if self.config is not None and (self.column or self.name or self.scale):
            raise ValueError(f"a config override takes only 'config' and 'value' "
                             f"('{self.config}')")
        return self


class Parameter(BaseModel):
    """A named axis of the sweep: its values and the overrides each value sets."""

    model_config = ConfigDict(extra="forbid")

    values: Annotated[list[Scalar], Field(min_length=1)]
    set: Annotated[list[Override], Field(min_length=1)]


class Plot(BaseModel):
    """A plot of the results table: ``y`` against ``x``, one line per value of ``hue``.
    ``y`` may end in ``*`` (e.g. ``capacity_mw:*``): every matching column, stacked."""

    model_config = ConfigDict(extra="forbid")

    x: str
    y: str
    hue: str | None = None
    title: str | None = None


class Preprocess(BaseModel):
    """How each scenario's case is reduced before it is solved."""

    model_config = ConfigDict(extra="forbid")

    hours: float | None = Field(None, gt=0)
    periods: int | None = Field(None, gt=0)
    period_hours: float = Field(24.0, gt=0)
    keep_peak: bool = True
    segments: int | None = Field(None, gt=0)


class Spec(BaseModel):
    """``SPEC.yaml`` of ``gridopt sweep``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    base: str = Field(min_length=1)
    description: str = ""
    reduce: Preprocess = Preprocess()
    solver: dict[str, Scalar] = {}
    parameters: Annotated[dict[str, Parameter], Field(min_length=1)]
    scenarios: Literal["grid"] | list[dict[str, Scalar]] = "grid"
    plots: list[Plot] = []

    @model_validator(mode="after")
    def _scenarios_name_parameters(self) -> Spec:
        if isinstance(self.scenarios, list):
            for i, row in enumerate(self.scenarios):
                missing = sorted(set(self.parameters) - set(row))
                extra = sorted(set(row) - set(self.parameters))
                if missing or extra:
                    raise ValueError(f"scenario {i + 1} must give every parameter once: "
                                     f"missing {missing}, unknown {extra}")
        return self

    def scenario_values(self) -> list[dict[str, Scalar]]:
        """Each scenario as parameter → value, in a stable order."""
        if isinstance(self.scenarios, list):
            return [dict(row) for row in self.scenarios]
        names = list(self.parameters)
        grid = itertools.product(*(self.parameters[n].values for n in names))
        return [dict(zip(names, combo, strict=True)) for combo in grid]


def read_spec(path: str | Path) -> tuple[Spec, Path]:
    """The spec in ``path`` and the folder its relative paths start from.

    Raises :class:`CaseError` with every problem (file ``SPEC.yaml``'s name, key, rule)."""
    path = Path(path)
    file = path.name
    try:
        data = load_yaml(read_bytes(path, path.resolve().parent, MAX_YAML_BYTES)
                         .decode("utf-8"))
    except UnreadableError as exc:
        raise CaseError([Problem(file, exc.row, exc.column, exc.rule, exc.message)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError([Problem(file, None, None, "unreadable-file", str(exc))]) from None
    if not isinstance(data, dict):
        raise CaseError([Problem(file, None, None, "config-type",
                                 f"{file} must be a mapping of keys to values")])
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        raise CaseError([_problem(file, err) for err in exc.errors()]) from None
    count = len(spec.scenario_values())
    if count > MAX_SCENARIOS:
        raise CaseError([Problem(file, None, "parameters", "sweep-size",
                                 f"the grid has {count:,} scenarios (more than "
                                 f"{MAX_SCENARIOS:,}); split the sweep")])
    return spec, path.parent


def _problem(file: str, err: Any) -> Problem:
    key = ".".join(str(p) for p in err["loc"])
    rule = "config-unknown-key" if err["type"] == "extra_forbidden" else "sweep-spec"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if rule == "config-unknown-key":
        msg = f"'{key}' is not a key of a sweep spec"
    return Problem(file, None, key or None, rule, msg)


def check_overrides(spec: Spec, file: str, tables: dict[str, Any],
                    series: dict[str, Any]) -> list[Problem]:
    """Every override names a table, column, series and elements that exist (``tables`` and
    ``series``: the base case's raw frames, ``None`` where the case has no such file)."""
    problems = []
    for pname, param in spec.parameters.items():
        for i, o in enumerate(param.set):
            where = f"parameters.{pname}.set.{i}"
            problems += _check_one(o, where, file, tables, series)
    return problems


def _check_one(o: Override, where: str, file: str, tables: dict[str, Any],
               series: dict[str, Any]) -> list[Problem]:
    def bad(key: str, message: str) -> list[Problem]:
        return [Problem(file, None, f"{where}.{key}", "sweep-override", message)]

    if o.table is not None:
        if o.table not in TABLES:
            near = closest(o.table, list(TABLES))
            return bad("table", f"no table '{o.table}'" + (f"; did you mean '{near}'?"
                                                            if near else ""))
        columns = {c.name: c for c in TABLES[o.table]}
        if o.column not in columns or o.column == "name":
            near = closest(str(o.column), list(columns))
            return bad("column", f"{o.table}.csv has no column '{o.column}'"
                       + (f"; did you mean '{near}'?" if near else ""))
        if o.scale and columns[o.column].kind != "float":
            return bad("scale", f"{o.table}.csv column '{o.column}' is not a number to scale")
        frame = tables.get(o.table)
        if frame is None:
            return bad("table", f"the base case has no {o.table}.csv")
        return _check_names(o.name, set(frame.get("name", [])), f"{o.table}.csv", bad)
    if o.series is not None:
        if o.series not in SERIES:
            near = closest(o.series, list(SERIES))
            return bad("series", f"no series '{o.series}'" + (f"; did you mean '{near}'?"
                                                               if near else ""))
        frame = series.get(o.series)
        if frame is None:
            return bad("series", f"the base case has no {o.series}.csv")
        names = set(frame["name"]) if "name" in frame else set(frame.columns)
        return _check_names(o.column, names, f"{o.series}.csv", bad, key="column")
    return []


def _check_names(names: str | list[str] | None, known: set, file: str, bad: Any,
                 key: str = "name") -> list[Problem]:
    wanted = [] if names is None else [names] if isinstance(names, str) else names
    missing = [n for n in wanted if n not in known]
    if missing:
        near = closest(missing[0], sorted(map(str, known)))
        return bad(key, f"{file} has no element '{missing[0]}'"
                   + (f"; did you mean '{near}'?" if near else ""))
    return []
