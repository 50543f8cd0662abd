"""The demand-response families and how they enter a model. See ``models/demand_response.md``.

Each family is its own small module with its own typed table and formulation page; this module
only lists them. A family's ``add(m, case, scope)`` writes its physics over a
:class:`~gridopt.components._dr.Scope`: in the dispatch scope it also adds its injections into
the nodal balance and its operating cost; in the event scope only the physics, for the peak
response capability.
"""

from __future__ import annotations

from collections.abc import Callable

from gridopt.case.case import Case
from gridopt.components._dr import Scope, dispatch_scope, dr_state
from gridopt.components.electrolysers import add_electrolysers
from gridopt.components.ev_fleets import add_ev_fleets
from gridopt.components.flexible_buildings import add_flexible_buildings
from gridopt.components.interruptible import add_interruptible
from gridopt.components.self_owned_plants import add_self_owned_plants
from gridopt.components.shiftable import add_shiftable
from gridopt.components.vpp import add_vpp_limits
from gridopt.model.arrays import ArrayModel

AddFamily = Callable[[ArrayModel, Case, Scope], None]

#: table name → the function adding that family over a scope, in build order.
DR_FAMILIES: dict[str, AddFamily] = {
    "interruptible": add_interruptible,
    "shiftable": add_shiftable,
    "ev_fleets": add_ev_fleets,
    "self_owned_plants": add_self_owned_plants,
    "electrolysers": add_electrolysers,
    "flexible_buildings": add_flexible_buildings,
}


def add_scope(m: ArrayModel, case: Case, scope: Scope) -> None:
    """Add every DR family the case has over ``scope``, close the scope, then the VPP limits
    in that scope (they sum the members' responses, so they need every family first:
    :meth:`~gridopt.components._dr.DRState.of` refuses to read an open scope)."""
    for family, add in DR_FAMILIES.items():
        if not case.table(family).empty:
            add(m, case, scope)
    dr_state(m).close(scope.name)
    add_vpp_limits(m, case, scope)


def add_demand_response(m: ArrayModel, case: Case) -> None:
    """Ordinary operation: every DR family over all snapshots, in the nodal balance."""
    add_scope(m, case, dispatch_scope(case))
