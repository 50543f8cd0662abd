"""Check ``case.yaml``: a pydantic model of its keys, with errors mapped to Problems.

Rules: ``config-required`` (a key is missing or blank), ``config-type`` (wrong type),
``config-range`` (out of range), ``config-value`` (malformed, e.g. an unparseable datetime or
unordered ``snapshots.list``), ``config-conflict`` (both ``snapshots.hours`` and ``list``).
Every problem names the key as its column (``snapshots.hours``) and has no row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    model_validator,
)

from gridopt.case.case import Problem
from gridopt.case.cells import closest
from gridopt.case.schema import MAX_MAGNITUDE
from gridopt.case.snapshots import make_snapshots

CONFIG_FILE = "case.yaml"
#: More snapshots than this (a century of hours) is surely a mistake.
MAX_HOURS = 876_000


def _timestamp(value: object) -> pd.Timestamp:
    """A naive timestamp parsed as :func:`make_snapshots` parses it, or a ValueError."""
    if value is None or isinstance(value, (bool, int, float)):
        raise ValueError(f"{value!r} is not a date and time (write e.g. 2030-01-01 00:00)")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"'{value}' is not a date and time (write e.g. 2030-01-01 00:00)") \
            from exc
    if pd.isna(stamp):
        raise ValueError(f"'{value}' is not a date and time")
    if stamp.tz is not None:
        raise ValueError(f"'{value}' has a UTC offset; give local time without one")
    return stamp


def _not_bool(value: object) -> object:
    """Refuse ``true``/``false`` where a whole number is expected (pydantic would take 1/0)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    return value


Stamp = Annotated[Any, BeforeValidator(_timestamp)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class SnapshotsConfig(BaseModel):
    """``case.yaml: snapshots``: ``start`` + ``hours``, or an explicit ``list``."""

    model_config = ConfigDict(extra="forbid")

    start: Stamp | None = None
    hours: Annotated[int, BeforeValidator(_not_bool), Field(gt=0, le=MAX_HOURS)] | None = None
    times: Annotated[list[Stamp], Field(min_length=1)] | None = Field(None, alias="list")
    #: At least one second: a shorter step rounds to no time at all.
    step_h: float = Field(1.0, ge=1 / 3600, allow_inf_nan=False)
    annualise: StrictBool = True


class PeakResponseConfig(BaseModel):
    """``case.yaml: peak_response`` (see ``models/peak_response.md``)."""

    model_config = ConfigDict(extra="forbid")

    share: float = Field(0.05, ge=0.0, le=1.0, allow_inf_nan=False)
    hours: Literal["top_k", "threshold", "events"] = "top_k"
    k: Annotated[int, BeforeValidator(_not_bool), Field(gt=0)] = 2
    threshold_pu: float = Field(0.95, gt=0.0, le=1.0)
    events: list[Annotated[list[Stamp], Field(min_length=2, max_length=2)]] = []
    event_duration_h: Annotated[int, BeforeValidator(_not_bool), Field(gt=0)] = 2
    max_notice_h: float = Field(24.0, ge=0.0)
    enforce: StrictBool = False


Year = Annotated[int, BeforeValidator(_not_bool), Field(ge=1900, le=2200)]


class PathwayConfig(BaseModel):
    """``case.yaml: pathway``: several planning years in one model (``models/pathway.md``)."""

    model_config = ConfigDict(extra="forbid")

    years: Annotated[list[Year], Field(min_length=1, max_length=50)]
    #: Costs are discounted to 1 January of this year (default: the first modelled year).
    base_year: Year | None = None
    #: Years the last modelled year stands for (default: the gap before it; 1 with one year).
    final_span_yr: Annotated[int, BeforeValidator(_not_bool), Field(ge=1, le=100)] | None = None
    #: Load of each modelled year as a multiple of the case's load series (default 1).
    load_scale: dict[Year, Annotated[float, Field(ge=0.0, le=1000.0, allow_inf_nan=False)]] = {}

    @model_validator(mode="after")
    def _consistent(self) -> PathwayConfig:
        if any(b <= a for a, b in zip(self.years, self.years[1:], strict=False)):
            raise ValueError(f"'pathway.years' must increase, each year once: {self.years}")
        if self.base_year is not None and self.base_year > self.years[0]:
            raise ValueError(f"'pathway.base_year' {self.base_year} is after the first "
                             f"modelled year {self.years[0]}")
        stray = sorted(set(self.load_scale) - set(self.years))
        if stray:
            raise ValueError(f"'pathway.load_scale' names years that are not modelled: {stray}")
        return self


class NetworkConfig(BaseModel):
    """``case.yaml: network`` (see ``models/network.md``)."""

    model_config = ConfigDict(extra="forbid")

    #: transport (NTC, the default), kvl (DC power flow, Kirchhoff's voltage law on a cycle
    #: basis) or ptdf (DC power flow, flows from nodal injections).
    flow_model: Literal["transport", "kvl", "ptdf"] = "transport"


class CaseConfig(BaseModel):
    """The keys of ``case.yaml``; any other key is an error (``config-unknown-key``), so that
    a misspelt key never silently leaves a default in its place."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    name: Text
    description: str | None = ""
    currency: Text
    snapshots: SnapshotsConfig
    discount_rate: float = Field(0.06, ge=0.0, lt=1.0, allow_inf_nan=False)
    voll_per_mwh: float = Field(ge=0.0, le=MAX_MAGNITUDE, allow_inf_nan=False)
    load_shedding: StrictBool = True
    solver: dict[str, Any] | None = None
    peak_response: PeakResponseConfig | None = None
    network: NetworkConfig | None = None
    pathway: PathwayConfig | None = None
    #: CSV files of the folder that gridopt leaves out (names or shell patterns).
    ignore: list[Text] = []


_CONFIG_RULES = {"missing": "config-required", "value_error": "config-value",
                 "greater_than": "config-range", "greater_than_equal": "config-range",
                 "less_than": "config-range", "less_than_equal": "config-range",
                 "finite_number": "config-range", "too_short": "config-range",
                 "string_too_short": "config-required", "too_long": "config-range",
                 "extra_forbidden": "config-unknown-key", "literal_error": "config-value"}


def check_config(config: object) -> tuple[list[Problem], pd.DatetimeIndex | None]:
    """Problems of ``case.yaml`` and, when ``snapshots`` is valid, the snapshot timestamps."""
    if not isinstance(config, Mapping):
        what = f"case.yaml must be a mapping of keys to values, not a {type(config).__name__}"
        return [_config_problem(None, "config-type", what)], None
    try:
        CaseConfig.model_validate(dict(config))
        errors: list[dict[str, Any]] = []
    except ValidationError as exc:
        errors = list(exc.errors())
    problems = [_pydantic_problem(err) for err in errors] + _check_solver(config)
    if any(err["loc"][:1] == ("snapshots",) for err in errors):
        return problems, None
    found, snapshots = _check_snapshots(config)
    return problems + found, snapshots


def _check_solver(config: Mapping[str, Any]) -> list[Problem]:
    """Every ``solver`` option must be a HiGHS option with an acceptable value, and none may
    read or write a file (one definition with the solve: ``gridopt.case.solver_options``)."""
    from gridopt.case.solver_options import option_problems, refused

    solver = config.get("solver")
    if not isinstance(solver, Mapping):
        return []
    return [_config_problem(f"solver.{key}", "config-refused" if refused(key) else
                            "config-value", f"'solver.{key}': {why}")
            for key, why in option_problems(solver).items()]


def _pydantic_problem(err: Mapping[str, Any]) -> Problem:
    """One pydantic error as a Problem whose column is the dotted key (``snapshots.hours``)."""
    loc = [str(part) for part in err["loc"] if not isinstance(part, int)]
    items = [part for part in err["loc"] if isinstance(part, int)]
    key = ".".join(loc)
    rule = _CONFIG_RULES.get(err["type"], "config-type")
    if rule == "config-unknown-key":
        return _config_problem(key, rule, f"'{key}' is not a key gridopt knows, so it would be "
                                          f"ignored{_did_you_mean(loc)}")
    msg = str(err["msg"]).removeprefix("Value error, ")
    if rule == "config-required":
        return _config_problem(key, rule, f"case.yaml needs '{key}'")
    where = f"'{key}'" + (f" item {items[0] + 1}" if items else "")
    got = "" if err["type"] == "value_error" else f" (got {err.get('input')!r})"
    return _config_problem(key, rule, f"{where}: {msg[:1].lower()}{msg[1:]}{got}")


def _did_you_mean(loc: list[str]) -> str:
    """``"; did you mean 'peak_response'?"`` for the closest key of the same mapping."""
    model: Any = CaseConfig
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(model, type) else None
        model = _model_in(field.annotation) if field is not None else None
    if model is None:
        return ""
    known = [f.alias or name for name, f in model.model_fields.items()]
    close = closest(loc[-1], known)
    return f"; did you mean '{close}'?" if close else ""


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model of a field's type (``X | None`` included), or None."""
    for kind in (annotation, *get_args(annotation)):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return kind
    return None


def _config_problem(key: str | None, rule: str, message: str) -> Problem:
    return Problem(CONFIG_FILE, None, key, rule, message)


def _check_snapshots(config: Mapping[str, Any]) -> tuple[list[Problem], pd.DatetimeIndex | None]:
    """``hours`` xor ``list`` (``start`` with ``hours``); the timestamps, strictly increasing."""
    snap = config["snapshots"]
    has_hours, has_list = snap.get("hours") is not None, snap.get("list") is not None
    if not has_hours and not has_list:
        return [_config_problem("snapshots.hours", "config-required",
                                "case.yaml needs 'snapshots.hours' (with 'start') "
                                "or 'snapshots.list'")], None
    if has_hours and has_list:
        return [_config_problem("snapshots.list", "config-conflict", "give either "
                                "'snapshots.hours' or 'snapshots.list', not both")], None
    if has_hours and snap.get("start") is None:
        return [_config_problem("snapshots.start", "config-required",
                                "case.yaml needs 'snapshots.start' with 'snapshots.hours'")], None
    try:
        snapshots = make_snapshots(config)
    except (ValueError, OverflowError, TypeError) as exc:
        return [_config_problem("snapshots", "config-value", f"snapshots: {exc}")], None
    back = np.flatnonzero(np.diff(snapshots.asi8) <= 0)
    if len(back):
        i = int(back[0]) + 1
        return [_config_problem("snapshots.list", "config-value",
                                f"'snapshots.list' item {i + 1} ({snapshots[i]}) is not after "
                                f"item {i} ({snapshots[i - 1]}): the list must run forward, "
                                "each time once")], None
    return [], snapshots
