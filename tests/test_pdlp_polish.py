"""pdlp's primal feasibility polishing: fewer iterations to the same row-wise check, the
optimum HiGHS finds, and a plan that the independent verification and proof accept."""

from __future__ import annotations

import numpy as np
import pytest

import sovnarkhoz
from sovnarkhoz.formulation import Objective, build_lp
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from sovnarkhoz.solvers import SolverOptions, Status
from sovnarkhoz.solvers.highs import HighsSolver

torch = pytest.importorskip("torch")

from sovnarkhoz.solvers.pdlp import PdlpSettings, PdlpSolver  # noqa: E402
from sovnarkhoz.solvers.pdlp.polish import ceiling, with_objective_row  # noqa: E402
from sovnarkhoz.solvers.pdlp.scaling import scale_problem  # noqa: E402

TOL = 1e-4
OPTIONS = SolverOptions(device="cpu", tolerance=TOL)
SPEC = GeneratorSpec(30, 3, 2, seed=1)  # 2,384 nonzeros; the l2 rule is met long before rows


@pytest.fixture(scope="module")
def scenario():
    return sovnarkhoz.Scenario.from_frames(name=SPEC.name, **generate_tables(SPEC))


@pytest.fixture(scope="module")
def lp(scenario):
    return build_lp(scenario.economy, Objective.parse("max-fulfilment")).data


def _largest_row_violation(lp, x: np.ndarray) -> float:
    """Recomputed here from A, x and the row bounds: max_i |A_i x - proj| / (1 + |proj|)."""
    ax = lp.A @ x
    nearest = np.clip(ax, lp.row_lower, lp.row_upper)
    return float((np.abs(ax - nearest) / (1.0 + np.abs(nearest))).max())


def test_polishing_meets_the_rowwise_check_in_fewer_iterations_at_highs_optimum(lp):
    polished = PdlpSolver().solve(lp, OPTIONS)
    plain = PdlpSolver(PdlpSettings(polish=False)).solve(lp, OPTIONS)
    assert polished.status is plain.status is Status.OPTIMAL
    assert "polishing" in polished.message
    # polishing's own iterations are counted, and still the total is lower
    assert polished.details["polish_iterations"] > 0
    assert polished.iterations < plain.iterations  # 832 against 1,216
    assert plain.details["polish_iterations"] == 0
    for result in (polished, plain):
        assert _largest_row_violation(lp, result.x) <= TOL
        assert np.all(result.x >= lp.col_lower - 1e-12)
    exact = HighsSolver().solve(lp).objective
    objective = float(lp.c @ polished.x) + lp.offset
    # the relative gap the tolerance allows, measured against HiGHS's optimum
    assert abs(objective - exact) / (1 + 2 * abs(exact)) <= TOL
    assert polished.details["relative_gap"] <= TOL


def test_a_polish_that_cannot_succeed_leaves_the_check_as_it_was(lp):
    """A ceiling under the optimum makes the feasibility problem infeasible: polishing
    fails, the main iteration goes on and stops by the row-wise check alone."""
    plain = PdlpSolver(PdlpSettings(polish=False)).solve(lp, OPTIONS)
    hopeless = PdlpSolver(PdlpSettings(polish_gap_share=-5.0)).solve(lp, OPTIONS)
    assert hopeless.status is Status.OPTIMAL and "polishing" not in hopeless.message
    assert hopeless.details["polish_attempts"] >= 1
    assert _largest_row_violation(lp, hopeless.x) <= TOL
    # the same main iterates: only the failed polishing's iterations are added
    assert hopeless.iterations - hopeless.details["polish_iterations"] == plain.iterations
    np.testing.assert_array_equal(hopeless.x, plain.x)


def test_the_objective_row_measures_the_unscaled_objective(lp):
    """Row m of the polishing matrix, unscaled by its Ax_unscale entry, is c'x (offset
    removed) for any x; its upper bound is the ceiling asked for."""
    coo = lp.A.tocoo()

    def t(values):
        return torch.as_tensor(np.ascontiguousarray(values), dtype=torch.float64)

    scaled = scale_problem(torch, torch.as_tensor(coo.row.astype(np.int64)),
                           torch.as_tensor(coo.col.astype(np.int64)), t(coo.data),
                           lp.A.shape, t(lp.c), t(lp.row_lower), t(lp.row_upper),
                           t(lp.col_lower), t(lp.col_upper))
    limit = -1.25
    augmented = with_objective_row(torch, scaled, limit, row_norm=0.3)
    m = lp.num_rows
    assert augmented.A.shape == (m + 1, lp.num_cols)
    x_scaled = torch.rand(lp.num_cols, dtype=torch.float64,
                          generator=torch.Generator().manual_seed(1))
    x = (x_scaled * scaled.x_unscale).numpy()
    row = (augmented.A @ x_scaled)[m] * augmented.Ax_unscale[m]
    assert float(row) == pytest.approx(float(lp.c @ x), rel=1e-12)
    assert float(augmented.row_upper[m] * augmented.Ax_unscale[m]) == pytest.approx(limit)
    assert float(torch.linalg.vector_norm(augmented.A.to_dense()[m])) == pytest.approx(0.3)
    # the first m rows are the LP's own
    np.testing.assert_allclose((augmented.A @ x_scaled)[:m].numpy(),
                               (scaled.A @ x_scaled).numpy(), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("dual", [-1.6, -1e-5, 0.0, 2.5, -300.0])
def test_the_ceiling_is_where_the_gap_is_its_share(dual):
    """At the ceiling p the relative gap (p - d) / (1 + |p| + |d|) is exactly s·tol; e.g.
    d = -1.6, s·tol = 5e-5: p = (-1.6 + 5e-5 · 2.6) / (1 + 5e-5) = -1.59987000649..."""
    top = ceiling(dual, offset=0.0, tol=TOL, gap_share=0.5)
    gap = (top - dual) / (1 + abs(top) + abs(dual))
    assert gap == pytest.approx(0.5 * TOL, rel=1e-9)
    assert ceiling(dual, offset=3.0, tol=TOL, gap_share=0.5) == pytest.approx(top - 3.0)
    if dual == -1.6:
        assert top == pytest.approx((-1.6 + 5e-5 * 2.6) / (1 + 5e-5), rel=1e-12)


def test_a_polished_plan_is_verified_and_proven_without_a_second_solve(scenario):
    said: list[str] = []
    plan = sovnarkhoz.make_plan(scenario, solver="pdlp", options=OPTIONS, progress=said.append)
    assert plan.status == "optimal"
    assert any("after primal feasibility polishing" in line for line in said)
    assert not any("solving again" in line for line in said)
    assert plan.verification.passed and plan.verification.proven_optimal
    assert plan.verification.max_relative_violation <= TOL
    exact = sovnarkhoz.make_plan(scenario, solver="highs")
    assert plan.fulfilment == pytest.approx(exact.fulfilment, rel=4 * TOL)


def test_polishing_waits_for_the_dual(lp):
    """Polishing keeps the candidate's dual, whose objective bounds the optimum only as far as
    it is feasible: with no room for a dual residual it is never tried."""
    plain = PdlpSolver(PdlpSettings(polish=False)).solve(lp, OPTIONS)
    waiting = PdlpSolver(PdlpSettings(polish_dual_share=0.0)).solve(lp, OPTIONS)
    assert waiting.details["relative_dual_residual"] > 0
    assert waiting.details["polish_attempts"] == 0
    assert waiting.iterations == plain.iterations
    np.testing.assert_array_equal(waiting.x, plain.x)
