"""gridopt: power-system and demand-response optimisation with Pyomo and HiGHS.

>>> import gridopt
>>> results = gridopt.solve()            # the embedded Luzhou 2030 case, HiGHS backend
>>> results.dispatch.head()
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from gridopt.case.case import Case, CaseError, Problem
from gridopt.solve import export, solve, to_pyomo

try:
    __version__ = version("gridopt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"


def read_case(path):
    """Read and validate a case folder (see :func:`gridopt.case.io.read_case`)."""
    from gridopt.case.io import read_case as _read

    return _read(path)


__all__ = ["Case", "CaseError", "Problem", "__version__", "export", "read_case", "solve",
           "to_pyomo"]
