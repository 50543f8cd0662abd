"""Checks of ``links.csv`` and of the carriers of lines' buses (``models/links.md``).
Ranges (efficiency > 0, p_min_pu in [−1, 1], …) and bus references are the schema's; here
the rules between columns and tables. Rule ids:

==========================  ===============================================================
``link-same-bus``           a link's bus1 is its bus0, or bus2/bus3 repeats one of its buses
``link-efficiency``         efficiency2 (efficiency3) given without bus2 (bus3), or 0 with it
``link-reversible-output``  a reversible link (p_min_pu < 0) with a bus2 or bus3
``link-reversible-gain``    a reversible link with efficiency > 1 (it would make energy
                            running backwards)
``line-carrier``            a line between buses of different carriers
==========================  ===============================================================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gridopt.case.case import Problem
from gridopt.case.cells import flag

FILE = "links.csv"
#: Carrier names (compared lower-case, stripped) read as electricity; blank is the default.
ELECTRIC_CARRIERS = frozenset({"", "electricity", "ac", "dc"})


def normalise(carriers: object) -> np.ndarray:
    """Carrier names compared as gridopt reads them: stripped, lower-case, AC/DC/blank →
    ``electricity``."""
    text = np.array([str(c).strip().lower() for c in np.asarray(carriers, dtype=object)],
                    dtype=object)
    return np.where(np.isin(text, list(ELECTRIC_CARRIERS)), "electricity", text)


def check_links(links: Any, lines: Any, buses: Any, limit: int = 20) -> list[Problem]:
    """The problems of a checked links table and of lines joining carriers.

    The tables are the validator's tables under check (``values``, ``ok``, ``given``,
    ``lines``, ``label(i)``); ``None`` when absent.
    """
    problems = _check_line_carriers(lines, buses, limit)
    if links is None or any(c not in links.values for c in ("bus0", "bus1")):
        return problems
    problems += _check_same_bus(links, limit)
    problems += _check_outputs(links, limit)
    return problems


def _check_same_bus(links: Any, limit: int) -> list[Problem]:
    v = links.values
    bus0, bus1 = v["bus0"], v["bus1"]
    problems = flag(FILE, links.lines, "bus1", "link-same-bus", (bus0 == bus1) & (bus0 != ""),
                    lambda i: f"{links.label(i)} takes and delivers at the same bus "
                              f"'{bus0[i]}' (bus1 = bus0)", limit)
    earlier = [bus0, bus1]
    for extra in ("bus2", "bus3"):
        if extra not in v:
            continue
        bus = v[extra]
        dup = (bus != "") & np.logical_or.reduce([bus == b for b in earlier])
        problems += flag(FILE, links.lines, extra, "link-same-bus", dup,
                         lambda i, bus=bus, extra=extra: f"{links.label(i)} names bus "
                         f"'{bus[i]}' as {extra}, which it already takes from or delivers to",
                         limit)
        earlier.append(bus)
    return problems


def _check_outputs(links: Any, limit: int) -> list[Problem]:
    v, problems = links.values, []
    for k in ("2", "3"):
        bus, eff = f"bus{k}", f"efficiency{k}"
        if bus not in v or eff not in v:
            continue
        has_bus = v[bus] != ""
        given = links.given[eff] & links.ok[eff]
        problems += flag(FILE, links.lines, eff, "link-efficiency", given & ~has_bus,
                         lambda i, bus=bus, eff=eff: f"{links.label(i)} has {eff} "
                         f"{v[eff][i]:g} but no {bus}: give the bus it delivers to (or "
                         "takes from, if negative)", limit)
        problems += flag(FILE, links.lines, eff, "link-efficiency",
                         has_bus & links.ok[eff] & (v[eff] == 0),
                         lambda i, bus=bus, eff=eff: f"{links.label(i)} has {eff} 0 at "
                         f"{bus} '{v[bus][i]}': a nonzero share (negative: an extra input)",
                         limit)
    if "p_min_pu" in v:
        extra = np.zeros(len(links.lines), bool)
        for bus in ("bus2", "bus3"):
            if bus in v:
                extra |= v[bus] != ""
        rev = links.ok["p_min_pu"] & (v["p_min_pu"] < 0) & extra
        problems += flag(FILE, links.lines, "p_min_pu", "link-reversible-output", rev,
                         lambda i: f"{links.label(i)} is reversible (p_min_pu "
                         f"{v['p_min_pu'][i]:g} < 0) and has a bus2 or bus3; a link with extra "
                         "outputs must run one way only (p_min_pu >= 0)", limit)
        gain = links.ok["p_min_pu"] & (v["p_min_pu"] < 0) & links.ok["efficiency"] \
            & (v["efficiency"] > 1)
        problems += flag(FILE, links.lines, "efficiency", "link-reversible-gain", gain,
                         lambda i: f"{links.label(i)} is reversible (p_min_pu "
                         f"{v['p_min_pu'][i]:g} < 0) with efficiency {v['efficiency'][i]:g} "
                         "> 1; a reversible link loses 1 − efficiency each way, so efficiency "
                         "must be <= 1", limit)
    return problems


def _check_line_carriers(lines: Any, buses: Any, limit: int) -> list[Problem]:
    """A line joins two buses of one carrier (a link converts between carriers)."""
    if lines is None or buses is None or "carrier" not in buses.values \
            or any(c not in lines.values for c in ("bus0", "bus1")):
        return []
    carrier = dict(zip(buses.names, normalise(buses.values["carrier"]), strict=True))
    c0 = np.array([carrier.get(b) for b in lines.values["bus0"]], dtype=object)
    c1 = np.array([carrier.get(b) for b in lines.values["bus1"]], dtype=object)
    known = np.array([a is not None and b is not None for a, b in zip(c0, c1, strict=True)],
                     dtype=bool)
    return flag("lines.csv", lines.lines, "bus1", "line-carrier", known & (c0 != c1),
                lambda i: f"{lines.label(i)} joins bus '{lines.values['bus0'][i]}' ({c0[i]}) "
                          f"and bus '{lines.values['bus1'][i]}' ({c1[i]}); a line joins buses "
                          "of one carrier: convert between carriers with a link (links.csv)",
                limit)
