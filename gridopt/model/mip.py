"""Prices of a mixed-integer solution: the LP with every integer column fixed.

A MIP has no duals. The standard answer (the one market operators use for prices under unit
commitment) is to fix every integer column at its value in the MIP solution, rounded to the
integer, and solve the remaining LP: its duals are the nodal prices, target shadow prices, …
of the MIP solution, "prices with commitments fixed". The LP's optimum lies between the MIP's
dual bound and its incumbent, so it equals the incumbent within the MIP's gap; both are
reported (:class:`~gridopt.model.highs_backend.MipInfo`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from gridopt.model.arrays import ArrayModel
from gridopt.model.highs_backend import Solution

log = logging.getLogger(__name__)

#: Absolute slack, relative to 1 + |objective|, allowed beyond the MIP's gap between the
#: incumbent and the fixed LP (primal feasibility and the rounding of near-integers).
FIXED_LP_TOLERANCE = 1e-6


def price_fixed_lp(m: ArrayModel, solution: Solution,
                   solve_lp: Callable[[ArrayModel], Solution]) -> Solution:
    """Solve ``m`` with its integer columns fixed at ``solution.x`` using ``solve_lp`` and put
    that LP's duals in ``solution.row_dual`` (in place; ``solution`` is returned).

    ``objective`` and ``x`` stay the MIP's. ``solution.mip`` records the LP's objective and
    status; a fixed LP that ends other than optimal leaves the MIP without prices (logged).
    """
    if solution.x is None or solution.mip is None:
        raise ValueError("only a MIP solution with values can be priced")
    lp = solve_lp(m.fix_integers(solution.x))
    mip = solution.mip
    mip.fixed_lp_status, mip.fixed_lp_objective = lp.status, lp.objective
    mip.fixed_lp_seconds = lp.build_seconds + lp.solve_seconds
    if not lp.ok or lp.row_dual is None:
        log.warning("the LP with integers fixed ended '%s': the MIP solution has no prices",
                    lp.status)
        return solution
    solution.row_dual = lp.row_dual
    if not agrees(solution):
        log.warning("the LP with integers fixed has objective %.10g, the MIP %.10g (dual bound "
                    "%s): the prices may not belong to the MIP solution", lp.objective,
                    solution.objective, mip.dual_bound)
    return solution


def agrees(solution: Solution) -> bool:
    """Whether the fixed LP's objective equals the MIP incumbent within the MIP's own gap
    (incumbent − dual bound) plus :data:`FIXED_LP_TOLERANCE`."""
    mip, obj = solution.mip, solution.objective
    if mip is None or mip.fixed_lp_objective is None or obj is None:
        return False
    gap = 0.0 if mip.dual_bound is None else max(obj - mip.dual_bound, 0.0)
    return abs(obj - mip.fixed_lp_objective) <= gap + FIXED_LP_TOLERANCE * (1.0 + abs(obj))
