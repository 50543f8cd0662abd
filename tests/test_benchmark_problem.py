"""The ring benchmark is fair: every tool builds the same LP (N = 3 buses, T = 48 hours),
and the same MIP in the commitment variant.

gridopt and the independent raw-highspy floor must lay out the same number of columns, rows
and nonzeros, the same multisets of costs and bounds, and reach the same optimum; the plain
Pyomo model (and linopy / PyPSA where installed) must reach that optimum too. The commitment
MIP is solved to optimality (``mip_rel_gap`` 0) in every tool: the optimum is unique, so the
objectives agree to 1e-6 (they do to 1e-15); the floor's commitment is checked against the
minimum up/down times by reading its on/off runs directly. No timings.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from benchmarks.ring import floor, gridopt_tool, pyomo_tool
from benchmarks.ring.problem import UC_UNITS, RingData, lp_size, make_ring, ring_edges, uc_size
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


def test_the_unvalidated_row_builds_the_same_model(data: RingData,
                                                  pair: tuple[floor.Lp, ArrayModel]) -> None:
    """The runner's ``gridopt-novalidate`` row (``case_from_tables(..., validate=False)``)
    skips only the checks of valid tables: the same blocks, bounds, costs and matrix, entry
    for entry, as the validated case's model."""
    _, m = pair
    trusted = build_model(gridopt_tool.ring_case(data, validate=False))
    assert list(trusted.var_blocks) == list(m.var_blocks)
    assert list(trusted.con_blocks) == list(m.con_blocks)
    for ours, theirs in ((trusted.cost_vector(), m.cost_vector()), (trusted.lower, m.lower),
                         (trusted.upper, m.upper), (trusted.row_lower, m.row_lower),
                         (trusted.row_upper, m.row_upper)):
        np.testing.assert_array_equal(ours, theirs)
    assert (trusted.matrix() != m.matrix()).nnz == 0


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


# -- the commitment variant: the same MIP in every tool (N = 3, T = 48) ----------------------

MIP_EXACT = {"mip_rel_gap": 0.0}


@pytest.fixture(scope="module")
def uc_pair(data: RingData) -> tuple[floor.Lp, ArrayModel]:
    return floor.assemble_uc(data), build_model(gridopt_tool.ring_uc_case(data))


@pytest.fixture(scope="module")
def uc_floor(data: RingData) -> tuple[float, dict]:
    return floor.run_uc(data, MIP_EXACT)


def test_uc_same_sizes(uc_pair: tuple[floor.Lp, ArrayModel]) -> None:
    lp, m = uc_pair
    cols, rows, integers = uc_size(N, T)
    assert (m.n_cols, m.n_rows) == (lp.matrix.shape[1], lp.matrix.shape[0]) == (cols, rows)
    assert m.matrix().nnz == lp.matrix.nnz
    assert m.n_integer == int(lp.integrality.sum()) == integers


def test_uc_block_correspondence(uc_pair: tuple[floor.Lp, ArrayModel]) -> None:
    lp, m = uc_pair
    sizes = {name: b.size for name, b in m.var_blocks.items() if b.size}
    assert sizes == {"buses.shed": lp.cols["shed"].size, "lines.flow": lp.cols["flow"].size,
                     "generators.dispatch": lp.cols["ren"].size + lp.cols["p"].size,
                     "commitment.status": lp.cols["u"].size,
                     "commitment.startup": lp.cols["v"].size,
                     "commitment.shutdown": lp.cols["w"].size}
    rows = {name: b.size for name, b in m.con_blocks.items() if b.size}
    assert rows == {"buses.balance": lp.rows["balance"].size,
                    **{f"commitment.{k}": lp.rows[k].size for k in (
                        "transition", "min_up", "min_down", "dispatch_lower",
                        "dispatch_upper")}}


def test_uc_same_costs_bounds_and_coefficients(uc_pair: tuple[floor.Lp, ArrayModel]) -> None:
    lp, m = uc_pair
    for ours, theirs in ((m.cost_vector(), lp.cost), (m.lower, lp.lower), (m.upper, lp.upper),
                         (m.row_lower, lp.row_lower), (m.row_upper, lp.row_upper),
                         (m.matrix().data, lp.matrix.data)):
        np.testing.assert_allclose(np.sort(ours), np.sort(theirs), rtol=1e-12)
    # the integer columns carry the same bounds and costs (u, w free of cost, v the start-up)
    integer = m.integrality.astype(bool)
    np.testing.assert_allclose(np.sort(m.cost_vector()[integer]),
                               np.sort(lp.cost[lp.integrality.astype(bool)]), rtol=1e-12)


def test_uc_floor_respects_minimum_times(data: RingData, uc_floor: tuple[float, dict]) -> None:
    """Read off the floor's optimal commitment directly (not through any row): every run of
    on (off) hours that starts inside the horizon lasts at least K^up (K^down) hours or
    reaches its end; the instance commits non-trivially (some unit starts or stops)."""
    _, tables = uc_floor
    status = tables["status"]
    switches = 0
    for (unit, _bus), on in status.items():
        up, down = next((g[5], g[6]) for g in UC_UNITS if g[0] == unit)
        series = [1, *on.astype(int).tolist()]  # on before the first hour
        runs = [(v, len(list(grp))) for v, grp in itertools.groupby(series)]
        for i, (value, length) in enumerate(runs[1:-1], start=1):
            assert length >= (up if value else down), (unit, _bus, i, runs)
        switches += len(runs) - 1
    assert switches > 0


def test_uc_mip_is_above_its_relaxation(uc_pair: tuple[floor.Lp, ArrayModel],
                                        uc_floor: tuple[float, dict]) -> None:
    """The integers matter here: the LP relaxation of the same arrays costs strictly less."""
    lp, _ = uc_pair
    relaxed = floor.Lp(lp.cost, lp.lower, lp.upper, lp.row_lower, lp.row_upper, lp.matrix,
                       lp.cols, lp.rows, None)
    h = floor.to_highs(relaxed, {})
    h.run()
    assert h.getInfo().objective_function_value < uc_floor[0] * (1 - 1e-4)


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_uc_gridopt_reaches_the_floor_optimum(data: RingData, uc_floor: tuple[float, dict],
                                              backend: str) -> None:
    objective, tables = gridopt_tool.run_uc(data, MIP_EXACT, backend=backend)
    assert objective == pytest.approx(uc_floor[0], rel=1e-6)
    assert len(tables["commitment"]) == len(UC_UNITS) * N * T


def test_uc_plain_pyomo_reaches_the_floor_optimum(data: RingData,
                                                  uc_floor: tuple[float, dict]) -> None:
    objective, _ = pyomo_tool.run_uc(data, MIP_EXACT)
    assert objective == pytest.approx(uc_floor[0], rel=1e-6)


@pytest.mark.parametrize("tool", ["linopy", "pypsa"])
def test_uc_optional_tools_agree(tool: str, data: RingData,
                                 uc_floor: tuple[float, dict]) -> None:
    pytest.importorskip(tool)
    module = __import__(f"benchmarks.ring.{tool}_tool", fromlist=["run_uc"])
    objective, _ = module.run_uc(data, {**MIP_EXACT, "output_flag": False})
    assert objective == pytest.approx(uc_floor[0], rel=1e-6)
