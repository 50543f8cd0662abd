"""Build the array model of a case: each component family adds its part, then the balance closes.

Reads like a table of contents (PyPSA's ``create_model``): to add a family, write its
``add_<family>(m, case)`` and list it in :data:`FAMILIES`.
"""

from __future__ import annotations

from collections.abc import Callable

from gridopt.case.case import Case
from gridopt.components.commitment import add_commitment
from gridopt.components.demand_response import add_demand_response
from gridopt.components.generators import add_generators
from gridopt.components.links import add_links
from gridopt.components.network import add_lines, add_load_shedding, close_balance
from gridopt.components.peak_response import add_peak_response
from gridopt.components.reserves import add_reserves
from gridopt.components.storage import add_storage
from gridopt.components.stores import add_stores
from gridopt.components.targets import add_targets
from gridopt.model.arrays import ArrayModel

Family = Callable[[ArrayModel, Case], None]

#: The component families in build order. Each adds variables, constraints, costs and
#: injections into the shared nodal balance.
FAMILIES: list[Family] = [add_load_shedding, add_lines, add_generators, add_commitment,
                          add_storage, add_links, add_stores, add_reserves,
                          add_demand_response, add_peak_response, add_targets]


def build_model(case: Case, families: list[Family] | None = None) -> ArrayModel:
    """Build the linear program of ``case`` as an :class:`ArrayModel`.

    Raises
    ------
    ValueError
        For a case with ``pathway`` (several years: :func:`gridopt.pathway.solve_pathway`
        builds one model of every year's case).
    """
    if case.config.get("pathway"):
        raise ValueError(f"{case.name}: the case models several years (case.yaml 'pathway'): "
                         "solve it with `gridopt run` or gridopt.solve_pathway")
    m = ArrayModel(case.snapshots)
    for add in families or FAMILIES:
        add(m, case)
    close_balance(m, case)
    return m
