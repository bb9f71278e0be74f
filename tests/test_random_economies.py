"""Properties of plans on random small economies (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sovnarkhoz
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables

economies = st.builds(
    GeneratorSpec,
    products=st.integers(2, 12),
    regions=st.integers(1, 4),
    techniques=st.integers(1, 3),
    inputs=st.integers(0, 4),
    factors=st.integers(1, 3),
    seed=st.integers(0, 10_000),
)
quick = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scenario(spec: GeneratorSpec, **changes) -> sovnarkhoz.Scenario:
    tables = generate_tables(spec)
    tables.update(changes)
    return sovnarkhoz.Scenario.from_frames(name=spec.name, **tables)


@quick
@given(spec=economies, method=st.sampled_from(["simplex", "ipm"]))
def test_optimal_plans_verify_and_strong_duality_holds(spec, method):
    plan = sovnarkhoz.make_plan(_scenario(spec), options=sovnarkhoz.SolverOptions(method=method))
    assert plan.status == "optimal"
    assert plan.verification.passed
    assert plan.verification.max_relative_violation <= 1e-6
    primal, dual = plan.details["primal_objective"], plan.details["dual_objective"]
    assert primal == pytest.approx(dual, rel=1e-6, abs=1e-9)
    assert plan.fulfilment > 0
    # Kantorovich: the target bundle valued at shadow prices is worth one point of λ
    prices = plan.prices.set_index(["region", "product"])["price"]
    targets = plan.tables["fulfilment"]
    value = (targets["target"].to_numpy() *
             prices.reindex(list(zip(targets["region"], targets["product"], strict=True)))
             .to_numpy()).sum()
    assert value == pytest.approx(1.0, rel=1e-6)
    # dual feasibility of the valuations: no technique makes a profit at them
    assert (plan.prices["price"] >= -1e-9).all()
    assert (plan.factors["price"] >= -1e-9).all()


@quick
@given(spec=economies, region=st.integers(0, 3), factor=st.integers(0, 2),
       growth=st.floats(1.0, 3.0))
def test_fulfilment_never_falls_when_a_supply_grows(spec, region, factor, growth):
    tables = generate_tables(spec)
    supplies = tables["supplies"].copy()
    pick = (supplies["region"] == f"r{region % spec.regions}") & (
        supplies["factor"] == supplies["factor"].iloc[factor % spec.factors])
    before = sovnarkhoz.make_plan(_scenario(spec))
    supplies.loc[pick, "amount"] *= growth
    after = sovnarkhoz.make_plan(_scenario(spec, supplies=supplies))
    assert before.status == after.status == "optimal"
    assert after.fulfilment >= before.fulfilment * (1 - 1e-9) - 1e-12
    # first-order bound from the shadow price: gain <= price x added supply (concavity)
    price = before.factors.set_index(["region", "factor"])["price"]
    added = (supplies.loc[pick, "amount"] * (1 - 1 / growth)).sum()
    key = (supplies.loc[pick, "region"].iat[0], supplies.loc[pick, "factor"].iat[0])
    bound = price.get(key, 0.0) * added
    assert after.fulfilment - before.fulfilment <= bound * (1 + 1e-6) + 1e-7


@quick
@given(products=st.integers(1, 15), inputs=st.integers(0, 5), factors=st.integers(0, 2),
       seed=st.integers(0, 10_000))
def test_balance_matches_a_dense_solve(products, inputs, factors, seed):
    spec = GeneratorSpec(products, 1, 1, inputs, factors, seed)
    tables = generate_tables(spec)
    tables["links"] = tables["links"].iloc[0:0]
    scenario = sovnarkhoz.Scenario.from_frames(name="balance", **tables)
    plan = sovnarkhoz.make_plan(scenario, objective="balance")
    # dense Leontief inverse, built from the tables directly
    ids = list(tables["products"]["product"])
    tech_product = dict(zip(tables["techniques"]["technique"], tables["techniques"]["product"],
                            strict=True))
    A = np.zeros((products, products))
    for row in tables["inputs"].itertuples(index=False):
        if row.input in ids:
            A[ids.index(row.input), ids.index(tech_product[row.technique])] += row.amount
    y = np.zeros(products)
    for row in tables["targets"].itertuples(index=False):
        y[ids.index(row.product)] += row.amount
    x = np.linalg.solve(np.eye(products) - A, y)
    level = plan.activities.set_index("product")["level"].reindex(ids).to_numpy()
    np.testing.assert_allclose(level, x, rtol=1e-10, atol=1e-10)
    if factors:
        labour = np.zeros(products)
        for row in tables["inputs"].itertuples(index=False):
            if row.input == "labour":
                labour[ids.index(tech_product[row.technique])] = row.amount
        embodied = np.linalg.solve((np.eye(products) - A).T, labour)
        np.testing.assert_allclose(plan.prices.set_index("product")["price"].reindex(ids),
                                   embodied, rtol=1e-10, atol=1e-12)
    short = plan.tables["factors"]["slack"].to_numpy().min(initial=0) < -1e-9
    status = "infeasible" if short else "optimal"
    assert plan.status == status


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(products=st.integers(1, 30), regions=st.integers(1, 3), inputs=st.integers(0, 6),
       factors=st.integers(0, 2), seed=st.integers(0, 10_000))
def test_balance_methods_agree(products, regions, inputs, factors, seed):
    """Sparse LU, GMRES and the Neumann series (PyTorch) give the same outputs and values."""
    pytest.importorskip("torch")
    from sovnarkhoz.formulation.leontief import solve_balance

    tables = generate_tables(GeneratorSpec(products, regions, 1, inputs, factors, seed))
    tables["links"] = tables["links"].iloc[0:0]
    economy = sovnarkhoz.Scenario.from_frames(name="b", **tables).economy
    exact = solve_balance(economy, "lu")
    for method in ("gmres", "neumann"):
        other = solve_balance(economy, method, "cpu")
        np.testing.assert_allclose(other.levels, exact.levels, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(other.embodied, exact.embodied, rtol=1e-9, atol=1e-12)
        assert other.residual <= 1e-8 * (1 + np.abs(exact.levels).max())


def test_neumann_falls_back_when_the_contraction_is_slow():
    """A cycle with spectral radius 0.9999 needs ~300,000 Neumann terms: GMRES takes over."""
    pytest.importorskip("torch")
    import pandas as pd

    from sovnarkhoz.formulation.leontief import solve_balance

    scenario = sovnarkhoz.Scenario.from_frames(
        name="slow",
        products=pd.DataFrame({"product": ["a", "b"]}),
        regions=pd.DataFrame({"region": ["r"]}),
        techniques=pd.DataFrame({"technique": ["ta", "tb"], "region": ["r", "r"],
                                 "product": ["a", "b"]}),
        inputs=pd.DataFrame({"technique": ["ta", "tb"], "input": ["b", "a"],
                             "amount": [0.9999, 0.9999]}),
        targets=pd.DataFrame({"region": ["r"], "product": ["a"], "amount": [1.0]}))
    solution = solve_balance(scenario.economy, "neumann", "cpu")
    assert solution.method == "GMRES"
    # x_a = 1 / (1 - 0.9999^2), x_b = 0.9999 x_a
    assert solution.levels[0] == pytest.approx(1 / (1 - 0.9999**2), rel=1e-8)
    assert solution.levels[1] == pytest.approx(0.9999 / (1 - 0.9999**2), rel=1e-8)
