"""Checks that need the whole case, not one table: the derived data of the DR families.

Table-level rules (:mod:`gridopt.case.validate`) run when a case is read. These run on a read
:class:`~gridopt.case.case.Case`, because what they check is computed from several tables and
series together: an EV fleet's uncontrolled charging (from its plug-in and driving profiles),
an electrolyser's baseline (from its hydrogen demand) over the horizon and on the peak-event
days, and the peak events themselves. Building the model (``gridopt run``) and measuring the
peak response (``gridopt peak-response``) meet the same problems when they get there;
``gridopt validate`` lists them all before any model is built.
"""

from __future__ import annotations

import numpy as np

from gridopt.case.case import Case, CaseError, Problem


def case_problems(case: Case) -> list[Problem]:
    """Every problem of the DR families' derived data (empty when the case can be built and
    its peak response measured)."""
    from gridopt.components.electrolysers import check_electrolysers
    from gridopt.components.ev_fleets import fleet_profiles
    from gridopt.components.targets import check_targets

    problems: list[Problem] = []
    if not case.table("ev_fleets").empty:
        try:
            fleet_profiles(case)
        except CaseError as exc:
            problems += exc.problems
    problems += check_electrolysers(case)
    problems += check_targets(case)
    seen = {(p.file, p.row, p.rule) for p in problems}  # an element's problem once
    return problems + [p for p in _event_problems(case) if (p.file, p.row, p.rule) not in seen]


def _event_problems(case: Case) -> list[Problem]:
    """The peak events (``peak-hours-empty``) and the electrolysers on the event days."""
    from gridopt.components.electrolysers import check_electrolysers
    from gridopt.components.network import system_demand
    from gridopt.components.peak_response import event_scope

    if case.n_snapshots == 0 or not np.any(system_demand(case) > 0):
        return []  # no load, no peak: nothing to measure
    try:
        scope, _ = event_scope(case)
    except CaseError as exc:
        return list(exc.problems)
    return check_electrolysers(case, scope)
