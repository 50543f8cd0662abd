"""The demand-response families and how they enter a model. See ``models/demand_response.md``.

Each family is its own small module with its own typed table and formulation page; this module
only lists them. A family's ``add(m, case, scope)`` writes its physics over a
:class:`~gridopt.components._dr.Scope`: in the dispatch scope it also adds its injections into
the nodal balance and its operating cost; in the event scope only the physics, for the peak
response capability.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from gridopt.case.case import Case
from gridopt.components._dr import Scope, dispatch_scope
from gridopt.model.arrays import ArrayModel

AddFamily = Callable[[ArrayModel, Case, Scope], None]

#: The DR family modules, in build order; each is ``gridopt.components.<name>`` with a
#: function ``add_<name>(m, case, scope)`` and the table ``<name>.csv``.
FAMILY_MODULES = ("interruptible", "shiftable", "ev_fleets", "self_owned_plants",
                  "electrolysers", "flexible_buildings")


def _load_families() -> dict[str, AddFamily]:
    families = {}
    for name in FAMILY_MODULES:
        try:
            module = importlib.import_module(f"gridopt.components.{name}")
        except ModuleNotFoundError as exc:  # a family not written yet
            if exc.name != f"gridopt.components.{name}":
                raise
            continue
        families[name] = getattr(module, f"add_{name}")
    return families


#: table name → the function adding that family over a scope.
DR_FAMILIES: dict[str, AddFamily] = _load_families()


def add_scope(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Add every DR family the case has over ``scope``, then the VPP limits in that scope."""
    from gridopt.components.vpp import add_vpp_limits

    for family, add in DR_FAMILIES.items():
        if not case.table(family).empty:
            add(m, case, scope)
    add_vpp_limits(m, case, scope)


def add_demand_response(m: ArrayModel, case: Case) -> None:
    """Ordinary operation: every DR family over all snapshots, in the nodal balance."""
    add_scope(m, case, dispatch_scope(case))
