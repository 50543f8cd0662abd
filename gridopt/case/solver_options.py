"""Which solver options a case may set: one definition for ``case.yaml`` and for every solve.

Rules (``docs/case-format.md``, section ``solver``):

- An option that reads or writes a file is refused wherever it comes from in a case or a call
  (a case received from someone else must not write files anywhere the user can): the options
  named in :data:`FILE_OPTIONS` for the solver, and for every solver any option whose name
  contains ``file``. ``gridopt run --solver-log FILE`` is the one explicit way to a HiGHS log.
- HiGHS (the ``highs`` backend and Pyomo's ``appsi_highs`` / ``highs``) checks every other
  option against HiGHS itself: unknown names and refused values are errors.
- Any other Pyomo solver gets its options unchecked: gridopt does not know its option list.
- gridopt's own switches (:data:`GRIDOPT_OPTIONS`, e.g. ``relax_integrality``) may sit among
  the options; they must be booleans, act on the model, and never reach the solver.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import highspy

#: Options that read or write files, per solver (names as the solver spells them).
FILE_OPTIONS: dict[str, frozenset[str]] = {
    "highs": frozenset({
        "log_file", "solution_file", "write_solution_to_file", "read_solution_file",
        "read_basis_file", "write_basis_file", "write_model_file", "write_model_to_file",
        "write_presolved_model_file", "write_presolved_model_to_file", "write_iis_model_file",
        "mip_improving_solution_file", "mip_improving_solution_save",
    }),
    "gurobi": frozenset({"logfile", "resultfile", "nodefiledir", "solfiles"}),
    "cplex": frozenset({"workdir", "logfile"}),
    "cbc": frozenset({"log", "import", "export", "solu", "solution", "savesolution",
                      "restoresolution", "basisin", "basisout", "writemodel"}),
    "glpk": frozenset({"log", "output", "write", "wlp", "wmps", "wfreemps", "wglp", "display",
                       "read", "save"}),
    "ipopt": frozenset({"output_file", "option_file_name"}),
    "scip": frozenset({"visual/vbcfilename", "visual/bakfilename"}),
}


#: gridopt's switches in the ``solver`` options: acted on by gridopt, not passed to a solver.
#: ``relax_integrality``: solve every integer column as continuous (the LP relaxation).
GRIDOPT_OPTIONS: frozenset[str] = frozenset({"relax_integrality"})


def split_options(options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(gridopt's switches, the solver's options)`` of one option mapping."""
    own = {str(k): v for k, v in options.items() if str(k) in GRIDOPT_OPTIONS}
    return own, {k: v for k, v in options.items() if str(k) not in GRIDOPT_OPTIONS}


def solver_family(solver: str) -> str:
    """The solver an option list belongs to: ``"appsi_highs"`` → ``"highs"``,
    ``"gurobi_direct"`` → ``"gurobi"``; unknown names are returned as they are."""
    name = solver.lower().removeprefix("appsi_")
    for family in FILE_OPTIONS:
        if name == family or name.startswith(family + "_"):
            return family
    return name


def is_highs(solver: str) -> bool:
    """Whether ``solver`` is HiGHS (the fast backend, or Pyomo's HiGHS interfaces)."""
    return solver_family(solver) == "highs"


def refused(key: str, solver: str = "highs") -> bool:
    """Whether option ``key`` reads or writes a file for ``solver``."""
    low = str(key).lower()
    listed = FILE_OPTIONS.get(solver_family(solver), frozenset())
    return "file" in low or low in listed or low.lstrip("-") in listed


def option_problems(options: Mapping[str, Any], solver: str = "highs") -> dict[str, str]:
    """Each option that ``solver`` must not get, with the reason (empty when all are fine)."""
    own, options = split_options(options)
    found = {k: f"is gridopt's switch and takes true or false, not {v!r}"
             for k, v in own.items() if not isinstance(v, bool)}
    found.update({str(k): "reads or writes a file and is refused in a case or a solve call "
                          "(gridopt run --solver-log FILE writes the HiGHS log)"
                  for k in options if refused(k, solver)})
    if is_highs(solver):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        for key, value in options.items():
            if str(key) not in found and h.setOptionValue(str(key), value) == \
                    highspy.HighsStatus.kError:
                found[str(key)] = f"HiGHS has no option '{key}' or refuses {value!r}"
    return found


def check_solver_options(options: Mapping[str, Any], solver: str = "highs") -> None:
    """Raise ValueError naming every option ``solver`` must not get (see the module rules)."""
    found = option_problems(options, solver)
    if found:
        values = {str(k): v for k, v in options.items()}
        listed = "; ".join(f"{key} = {values[key]!r}: {why}" for key, why in found.items())
        raise ValueError(f"solver option(s) refused for {solver}: {listed}")
