"""HiGHS's method chosen by the LP's size and density, and the interior point without
crossover (``ipm-only``): its plan is proven optimal by its prices like any other and has
the simplex plan's λ."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import sovnarkhoz
from sovnarkhoz.cli.main import main
from sovnarkhoz.solvers import LPData, SolverOptions
from sovnarkhoz.solvers.highs import DENSE_COLUMNS, IPM_NONZEROS, choose_method

pymrio = pytest.importorskip("pymrio")


def _lp(rows: int, cols: int, per_column: int) -> LPData:
    draw = np.random.default_rng(0)
    matrix = sp.random(rows, cols, density=per_column / rows, random_state=draw, format="csr")
    return LPData(c=np.ones(cols), A=matrix, row_lower=np.zeros(rows),
                  row_upper=np.full(rows, np.inf), col_lower=np.zeros(cols),
                  col_upper=np.full(cols, np.inf))


def test_the_method_follows_size_and_density() -> None:
    dense = _lp(300, 300, 150)  # 45,000 nonzeros, 150 a column
    sparse = _lp(30_000, 10_000, 3)  # 30,000 nonzeros, 3 a column
    small = _lp(100, 100, 150 // 2)
    assert dense.nnz >= IPM_NONZEROS and dense.nnz >= DENSE_COLUMNS * dense.num_cols
    assert sparse.nnz >= IPM_NONZEROS
    assert choose_method(None, dense)[0].method == "ipm-only"
    assert "150 nonzeros a column" in choose_method(None, dense)[1]
    assert choose_method(None, sparse)[0].method == "ipm"
    assert choose_method(None, small) == (SolverOptions(), "")
    for asked in ("simplex", "ipm", "ipm-only"):  # a method asked for is kept
        assert choose_method(SolverOptions(method=asked), dense) == (
            SolverOptions(method=asked), "")


def _dense_mrio(sectors: int = 90) -> object:
    """Two regions of ``sectors`` sectors, every entry of Z positive: 180 techniques of 180
    inputs each with fixed trade (32,400 nonzeros)."""
    draw = np.random.default_rng(1957)
    index = pd.MultiIndex.from_product([["east", "west"], [f"s{i}" for i in range(sectors)]],
                                       names=["region", "sector"])
    n = len(index)
    Z = draw.uniform(0.1, 1.0, (n, n))
    Y = pd.DataFrame(draw.uniform(50, 100, (n, 2)), index=index,
                     columns=pd.MultiIndex.from_product([["east", "west"], ["households"]],
                                                        names=["region", "category"]))
    x = Z.sum(axis=1) + Y.to_numpy().sum(axis=1)
    added = pd.DataFrame([x - Z.sum(axis=0)], index=pd.Index(["Value Added"], name="inputtype"),
                         columns=index)
    return pymrio.IOSystem(Z=pd.DataFrame(Z, index=index, columns=index), Y=Y,
                           factor_inputs={"name": "factor_inputs", "F": added})


def test_a_dense_mrio_is_planned_without_crossover_and_proven() -> None:
    """auto takes ipm-only for the dense fixed-trade MRIO; the plan is proven optimal by its
    prices and its λ is the simplex plan's (the observed economy's 1: value added binds)."""
    from sovnarkhoz.scenario.mrio import from_pymrio

    scenario = from_pymrio(_dense_mrio(), ["value_added=factor_inputs:Value Added"])
    interior = sovnarkhoz.make_plan(scenario)
    assert "without crossover" in interior.solver_choice
    assert interior.status == "optimal", interior.message
    assert interior.verification.proven_optimal
    assert interior.solve.solver_details["crossover_iterations"] == 0
    assert interior.solve.solver_details["simplex_iterations"] == 0
    vertex = sovnarkhoz.make_plan(scenario, options=SolverOptions(method="simplex"))
    assert vertex.status == "optimal" and vertex.fulfilment == pytest.approx(1.0, rel=1e-9)
    assert interior.fulfilment == pytest.approx(vertex.fulfilment, rel=1e-8)


def test_the_cli_takes_ipm_only(tmp_path, capsys) -> None:
    code = main(["plan", "two_regions", "--method", "ipm-only", "--quiet", "--out",
                 str(tmp_path / "plan")])
    _, err = capsys.readouterr()
    assert code == 0, err
    from sovnarkhoz.bundled import bundled

    simplex = sovnarkhoz.make_plan(sovnarkhoz.load_scenario(bundled("two_regions")),
                                   options=SolverOptions(method="simplex"))
    import json

    summary = json.loads((tmp_path / "plan" / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["fulfilment"] == pytest.approx(simplex.fulfilment, rel=1e-8)
