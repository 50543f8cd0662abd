"""Checks that need the whole case, not one table: the derived data of the DR families.

Table-level rules (:mod:`gridopt.case.validate`) run when a case is read. These run on a read
:class:`~gridopt.case.case.Case`, because what they check is computed from several tables and
series together: an EV fleet's uncontrolled charging (from its plug-in and driving profiles)
and an electrolyser's baseline (from its hydrogen demand). The model build runs the same
checks and raises the same :class:`~gridopt.case.case.Problem` s; ``gridopt validate`` lists
them before any model is built.
"""

from __future__ import annotations

from gridopt.case.case import Case, CaseError, Problem


def case_problems(case: Case) -> list[Problem]:
    """Every problem of the DR families' derived data (empty when the case can be built)."""
    from gridopt.components.electrolysers import check_electrolysers
    from gridopt.components.ev_fleets import fleet_profiles

    problems: list[Problem] = []
    if not case.table("ev_fleets").empty:
        try:
            fleet_profiles(case)
        except CaseError as exc:
            problems += exc.problems
    problems += check_electrolysers(case)
    return problems
