"""Build small cases in code for the tests (through the same path as a case folder)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from gridopt.case.build import case_from_tables
from gridopt.case.case import Case


def make_case(hours: int, generators: list[dict[str, Any]], loads: dict[str, list[float]],
              buses: list[str] | None = None, storage: list[dict[str, Any]] | None = None,
              lines: list[dict[str, Any]] | None = None,
              availability: dict[str, list[float]] | None = None,
              load_bus: dict[str, str] | None = None, annualise: bool = False,
              discount_rate: float = 0.0, voll: float = 10_000.0, validate: bool = True,
              series: dict[str, dict[str, list[float]]] | None = None,
              carriers: dict[str, str] | None = None, **tables: Any) -> Case:
    """A case with ``hours`` snapshots; loads map name → hourly MW (at bus ``load_bus[name]``).

    ``series`` maps further series files (e.g. ``"h2_demand_mwh"``) to element → hourly values.
    ``carriers`` maps bus → carrier (``buses.csv: carrier``; unnamed buses: electricity).

    Defaults: one bus ``"b"``, no annualisation (w = Δt = 1 h), discount rate 0.
    """
    buses = buses or ["b"]
    load_bus = load_bus or {name: buses[0] for name in loads}
    config = {"name": "test", "currency": "EUR", "voll_per_mwh": voll,
              "discount_rate": discount_rate,
              "snapshots": {"start": "2030-01-01 00:00", "hours": hours, "annualise": annualise}}
    frames = {
        "buses": pd.DataFrame({"name": buses, **({"carrier": [(carriers or {}).get(b, "")
                                                               for b in buses]}
                                                 if carriers else {})}),
        "generators": pd.DataFrame(generators),
        "loads": pd.DataFrame({"name": list(loads), "bus": [load_bus[n] for n in loads]}),
        "storage": pd.DataFrame(storage) if storage else None,
        "lines": pd.DataFrame(lines) if lines else None,
        **{k: pd.DataFrame(v) for k, v in tables.items()},
    }
    hour = list(range(1, hours + 1))
    extra_series = dict(series or {})
    series = {"load_mw": pd.DataFrame({"hour": hour, **loads})}
    if availability:
        series["availability_pu"] = pd.DataFrame({"hour": hour, **availability})
    for kind, values in extra_series.items():
        series[kind] = pd.DataFrame({"hour": hour, **values})
    return case_from_tables(config, frames, series, validate=validate)


def gen(name: str, carrier: str = "gas", bus: str = "b", **kw: Any) -> dict[str, Any]:
    """A generator row with the given columns."""
    return {"name": name, "bus": bus, "carrier": carrier, **kw}


#: The shared four-hour DR system (``tests/test_shiftable.py`` docstring): load per hour, MW.
LOAD = [80.0, 100.0, 90.0, 70.0]


def four_hour_case(hours: int = 4, load: list[float] | None = None, **tables: Any) -> Case:
    """One bus, load [80, 100, 90, 70] MW, 'cheap' 90 MW at 10/MWh and 'dear' 100 MW at
    100/MWh (objective 4,300 without DR); any DR tables passed through."""
    return make_case(hours, [gen("cheap", p_nom_mw=90.0, vom_per_mwh=10.0),
                             gen("dear", p_nom_mw=100.0, vom_per_mwh=100.0)],
                     {"load": load or LOAD}, **tables)


def with_peak(case: Case, k: int, **extra: Any) -> Case:
    """Peak response over the top-k hours, events at least one hour long."""
    return case.replace(config={**case.config,
                                "peak_response": {"k": k, "event_duration_h": 1, **extra}})
