"""A new component family costs one module and a registry line: written here as a test.

The toy family ``contracts`` (a supply contract: 0 ≤ q_{k,t} ≤ Q_k MW at price c_k, injected at
its bus) is defined in this file only, reads its own table from the case and is registered by
adding it to ``gridopt.model.build.FAMILIES``; the solve, the costs table, the result tables
and the Pyomo backend pick it up without any other edit.

Hand optimum: one bus, two hours, load [1, 3] MW, gas 100 MW at 50/MWh, a contract of 2 MW at
20/MWh, w = 1 h. Hour 1: the contract covers 1 MW (20). Hour 2: the contract 2 MW (40), gas
1 MW (50). Objective 110; the contract's cost 60; q = [1, 2].
"""

from __future__ import annotations

import pytest

import gridopt
from gridopt.case.case import Case
from gridopt.components._common import bus_positions
from gridopt.model import build
from gridopt.model.arrays import ArrayModel
from tests.factory import gen, make_case


def add_contracts(m: ArrayModel, case: Case) -> None:
    """0 ≤ q_{k,t} ≤ Q_k, cost Σ_t w_t c_k q_{k,t}, injection +q at the contract's bus."""
    table = case.table("contracts")
    if table.empty:
        return
    table = table.set_index("name")
    cap = table["cap_mw"].astype(float).to_numpy()[:, None]
    q = m.add_variables("contracts.flow", (table.index, case.snapshots), 0.0, cap).index()
    price = table["price_per_mwh"].astype(float).to_numpy()[:, None]
    m.add_cost("contracts", "energy", q, case.weights * price,
               table.index.to_numpy(dtype=object)[:, None])
    m.add_injection("contracts", q, bus_positions(case.table("buses").index, table["bus"]), 1.0)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry line: the family listed among the model's families."""
    monkeypatch.setattr(build, "FAMILIES", [*build.FAMILIES, add_contracts])


def contract_case() -> Case:
    return make_case(2, [gen("gas", p_nom_mw=100.0, vom_per_mwh=50.0)], {"city": [1.0, 3.0]},
                     contracts=[{"name": "hydro-ppa", "bus": "b", "cap_mw": "2",
                                 "price_per_mwh": "20"}])


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_a_family_defined_outside_gridopt_solves_by_hand(registered: None,
                                                         backend: str) -> None:
    results = gridopt.solve(contract_case(), backend=backend)
    assert results.objective == pytest.approx(110.0)
    costs = results.costs
    assert costs.loc[("contracts", "hydro-ppa"), "energy"] == pytest.approx(60.0)
    assert costs.loc[("generators", "gas"), "operating"] == pytest.approx(50.0)
    flow = results.tables()["contracts_flow"]
    assert flow["hydro-ppa"].to_numpy() == pytest.approx([1.0, 2.0])
    assert results.dispatch["gas"].to_numpy() == pytest.approx([0.0, 1.0])


def test_without_the_registry_line_the_family_is_absent() -> None:
    """The test above can fail: unregistered, the contract is not in the model (gas alone:
    4 MWh × 50 = 200)."""
    results = gridopt.solve(contract_case())
    assert results.objective == pytest.approx(200.0)
    assert "contracts_flow" not in results.tables()
    assert "contracts" not in {b.family for b in results.model.var_blocks.values()}
