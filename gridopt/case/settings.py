"""Typed settings read from a case's configuration, one definition each.

``case.yaml: peak_response`` is described once, by
:class:`~gridopt.case.validate_config.PeakResponseConfig` (keys, types, ranges and defaults);
:func:`peak_settings` gives every component the validated object, defaults filled.
"""

from __future__ import annotations

from pydantic import ValidationError

from gridopt.case.case import Case, CaseError, Problem
from gridopt.case.validate_config import PeakResponseConfig

#: The settings object of ``case.yaml: peak_response`` (see ``models/peak_response.md``).
PeakSettings = PeakResponseConfig


def peak_settings(case: Case) -> PeakSettings:
    """The case's ``peak_response`` settings with defaults filled (the plan's 5 %, top-2
    hours, 2-hour events, 24 h notice, not enforced).

    Raises
    ------
    CaseError
        When the section does not validate (a case built without validation).
    """
    raw = case.config.get("peak_response") or {}
    try:
        return PeakResponseConfig.model_validate(dict(raw))
    except ValidationError as exc:
        raise CaseError([Problem("case.yaml", None, "peak_response." + ".".join(
            str(p) for p in e["loc"]), "config-value", str(e["msg"])) for e in exc.errors()]
        ) from None
