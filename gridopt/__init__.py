"""gridopt: power-system and demand-response optimisation with Pyomo and HiGHS.

>>> import gridopt
>>> results = gridopt.solve()            # the embedded Luzhou 2030 case, HiGHS backend
>>> results.dispatch.head()
"""

from __future__ import annotations

from gridopt._version import __version__
from gridopt.case.case import Case, CaseError, Problem
from gridopt.case.io import read_case
from gridopt.pathway import solve_pathway
from gridopt.rolling import solve_rolling
from gridopt.solve import export, solve, to_pyomo
from gridopt.studies.sweep import Study

__all__ = ["Case", "CaseError", "Problem", "Study", "__version__", "export", "read_case", "solve",
           "solve_pathway", "solve_rolling", "to_pyomo"]
