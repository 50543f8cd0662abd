"""The import graph of gridopt runs one way: case → components → model/build → results → cli.

Every ``import`` of a gridopt module counts, also those inside functions (an import moved into
a function hides a cycle from Python but not from the reader). The graph is read from the
source with ``ast``, so these tests need no import side effects.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1] / "gridopt"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, modules: set[str]) -> set[str]:
    """The gridopt modules an AST imports (``from a.b import c`` counts a.b.c if a module)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in modules:
                out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names
                    if f"{node.module}.{a.name}" in modules}
    return out


def import_graph(root: Path = ROOT) -> nx.DiGraph:
    """Module → module it imports, for every module under ``root``. A package's
    ``__init__`` is not counted as imported by its submodules (Python runs it first, but a
    submodule does not depend on what the package re-exports)."""
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        for target in imported(ast.parse(path.read_text()), set(files)):
            if target != name:
                graph.add_edge(name, target)
    return graph


def test_the_graph_is_read_from_the_source() -> None:
    """A sanity check of the reader itself: edges that must be there are found."""
    g = import_graph()
    assert g.has_edge("gridopt.model.build", "gridopt.components.generators")
    assert g.has_edge("gridopt.components.vpp", "gridopt.components._dr")
    assert g.has_edge("gridopt.solve", "gridopt.model.build")


def test_a_planted_cycle_is_found(tmp_path: Path) -> None:
    """The check can fail: two modules importing each other (one inside a function)."""
    pkg = tmp_path / "gridopt"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from gridopt.b import f\n")
    (pkg / "b.py").write_text("def f():\n    from gridopt import a\n    return a\n")
    cycles = list(nx.simple_cycles(import_graph(pkg)))
    assert sorted(map(sorted, cycles)) == [["gridopt.a", "gridopt.b"]]


def test_no_import_cycle() -> None:
    cycles = sorted(sorted(c) for c in nx.simple_cycles(import_graph()))
    assert cycles == [], f"import cycles: {cycles}"


@pytest.mark.parametrize("layer, above", [
    ("gridopt.case", ("gridopt.components", "gridopt.model", "gridopt.results", "gridopt.cli",
                      "gridopt.solve", "gridopt.peak", "gridopt.periods")),
    ("gridopt.components", ("gridopt.results", "gridopt.cli", "gridopt.solve", "gridopt.peak",
                            "gridopt.model.build", "gridopt.model.highs_backend",
                            "gridopt.model.pyomo_backend")),
    ("gridopt.model.arrays", ("gridopt.components", "gridopt.results", "gridopt.cli")),
    ("gridopt.results", ("gridopt.cli",)),
])
def test_layers_import_only_downwards(layer: str, above: tuple[str, ...]) -> None:
    """No module of a layer imports a module of a layer above it."""
    g = import_graph()
    wrong = sorted((a, b) for a, b in g.edges
                   if (a == layer or a.startswith(layer + "."))
                   and any(b == x or b.startswith(x + ".") for x in above))
    assert wrong == []
