"""The ring benchmark is fair: every tool builds the same LP (N = 3 buses, T = 48 hours).

gridopt and the independent raw-highspy floor must lay out the same number of columns, rows
and nonzeros, the same multisets of costs and bounds, and reach the same optimum; the plain
Pyomo model (and linopy / PyPSA where installed) must reach that optimum too. No timings.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.ring import floor, gridopt_tool, pyomo_tool
from benchmarks.ring.problem import RingData, lp_size, make_ring, ring_edges
from gridopt.model.arrays import ArrayModel
from gridopt.model.build import build_model

N, T = 3, 48


@pytest.fixture(scope="module")
def data() -> RingData:
    return make_ring(N, T, seed=7)


@pytest.fixture(scope="module")
def pair(data: RingData) -> tuple[floor.Lp, ArrayModel]:
    return floor.assemble(data), build_model(gridopt_tool.ring_case(data))


@pytest.fixture(scope="module")
def floor_objective(data: RingData) -> float:
    objective, _ = floor.run(data, {})
    return objective


def test_ring_topology() -> None:
    assert ring_edges(1) == []
    assert ring_edges(3) == [(0, 1), (1, 2), (2, 0)]
    edges = ring_edges(20)
    assert len(edges) == 20 + 7  # the ring plus a chord from buses 0, 3, …, 18
    assert len({frozenset(e) for e in edges}) == len(edges)


def test_same_sizes(pair: tuple[floor.Lp, ArrayModel]) -> None:
    lp, m = pair
    assert (m.n_cols, m.n_rows) == (lp.matrix.shape[1], lp.matrix.shape[0]) == lp_size(N, T)
    assert m.matrix().nnz == lp.matrix.nnz


def test_block_correspondence(pair: tuple[floor.Lp, ArrayModel]) -> None:
    lp, m = pair
    sizes = {name: b.size for name, b in m.var_blocks.items() if b.size}
    expected = {"buses.shed": "shed", "lines.flow": "flow", "generators.dispatch": "gen",
                "generators.p_new": "cap", "storage.charge": "charge",
                "storage.discharge": "discharge", "storage.soc": "soc",
                "storage.p_new": "p_new", "storage.e_new": "e_new"}
    assert sizes == {g: lp.cols[f].size for g, f in expected.items()}


def test_same_costs_and_bounds(pair: tuple[floor.Lp, ArrayModel]) -> None:
    lp, m = pair
    for ours, theirs in ((m.cost_vector(), lp.cost), (m.lower, lp.lower), (m.upper, lp.upper),
                         (m.row_lower, lp.row_lower), (m.row_upper, lp.row_upper)):
        np.testing.assert_allclose(np.sort(ours), np.sort(theirs), rtol=1e-12)
    np.testing.assert_allclose(np.sort(m.matrix().data), np.sort(lp.matrix.data), rtol=1e-12)


def test_gridopt_reaches_the_floor_optimum(data: RingData, floor_objective: float) -> None:
    objective, tables = gridopt_tool.run(data, {})
    assert objective == pytest.approx(floor_objective, rel=1e-6)
    assert len(tables["capacities"]) == 3 * N + N  # wind, solar, gas and a battery per bus


def test_pyomo_backend_and_plain_pyomo_agree(data: RingData, floor_objective: float) -> None:
    backend, _ = gridopt_tool.run(data, {}, backend="pyomo")
    plain, _ = pyomo_tool.run(data, {})
    assert backend == pytest.approx(floor_objective, rel=1e-6)
    assert plain == pytest.approx(floor_objective, rel=1e-6)


def test_ipm_without_crossover_agrees(data: RingData, floor_objective: float) -> None:
    objective, _ = gridopt_tool.run(data, {"solver": "ipm", "run_crossover": "off"})
    assert objective == pytest.approx(floor_objective, rel=1e-6)


@pytest.mark.parametrize("tool", ["linopy", "pypsa"])
def test_optional_tools_agree(tool: str, data: RingData, floor_objective: float) -> None:
    pytest.importorskip(tool)
    module = __import__(f"benchmarks.ring.{tool}_tool", fromlist=["run"])
    objective, _ = module.run(data, {"output_flag": False})
    assert objective == pytest.approx(floor_objective, rel=1e-6)
