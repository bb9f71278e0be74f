"""The centre's persistent master LP (councils/master.py) against the same LP built whole."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from sovnarkhoz.councils.master import Master
from sovnarkhoz.solvers.highs import HighsSolver
from sovnarkhoz.solvers.problem import LPData
from sovnarkhoz.solvers.result import Status

# two shared rows (>= 0), one centre column λ (cost -1) that takes 2 and 1 of them, two
# councils; council 0 proposes plans (3, 0) and (0, 2), council 1 plans (1, 1), and council 0
# a ray (-1, 1) (shipping from row 0 to row 1) at cost 0.5
B0 = sp.csc_matrix(np.array([[-2.0], [-1.0]]))
PROPOSALS = [(0, True, 0.0, np.array([3.0, 0.0])), (0, True, 0.0, np.array([0.0, 2.0])),
             (1, True, 0.0, np.array([1.0, 1.0])), (0, False, 0.5, np.array([-1.0, 1.0]))]


def _master() -> Master:
    master = Master(B0, np.array([-1.0]), np.zeros(1), np.full(1, np.inf), np.zeros(2),
                    np.full(2, np.inf), councils=2)
    for council, is_point, cost, contribution in PROPOSALS:
        master.add(council, is_point, cost, np.arange(2), contribution)
    return master


def _whole(centre: np.ndarray, step: float) -> LPData:
    """The same LP, columns [λ, s, r+, r-, proposals]."""
    columns = np.column_stack([c for *_, c in PROPOSALS])
    convexity = np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    identity = np.identity(2)
    A = np.block([[B0.toarray(), -identity, -identity, identity, columns],
                  [np.zeros((2, 7)), convexity]])
    return LPData(c=np.concatenate([[-1.0], np.zeros(2), step - centre, step + centre,
                                    [0.0, 0.0, 0.0, 0.5]]),
                  A=sp.csr_matrix(A), row_lower=np.array([0.0, 0.0, 1.0, 1.0]),
                  row_upper=np.array([0.0, 0.0, 1.0, 1.0]),
                  col_lower=np.zeros(11), col_upper=np.full(11, np.inf))


def test_dantzig_wolfe_master_by_hand():
    """Without the trust region (Dantzig-Wolfe's master). By hand: council 0 mixes (3, 0)
    and (0, 2) as a and 1 - a, the ray is not worth its cost, so λ = min((3a + 1)/2,
    3 - 2a), best at a = 5/7: λ = 11/7. Prices: 2 y_0 + y_1 = 1 (λ at its cost) and both
    plans of council 0 worth the same, 3 y_0 = 2 y_1: y = (2/7, 3/7), σ = (-6/7, -5/7)."""
    master = _master()
    master.stabilise(np.zeros(2), 1e6)
    solution = master.solve()
    whole = HighsSolver().solve(_whole(np.zeros(2), 1e6))
    assert solution.status is Status.OPTIMAL
    assert solution.mix_cost == pytest.approx(whole.objective, abs=1e-9)
    assert np.allclose(solution.mismatch, 0.0)
    assert solution.mix_cost == pytest.approx(-11 / 7, abs=1e-9)
    assert np.allclose(solution.weights, [5 / 7, 2 / 7, 1.0, 0.0], atol=1e-9)
    assert np.allclose(solution.centre_x, [11 / 7], atol=1e-9)
    assert np.allclose(solution.prices, [2 / 7, 3 / 7], atol=1e-9)
    assert np.allclose(solution.sigma, [-6 / 7, -5 / 7], atol=1e-9)
    assert np.allclose(solution.prices, whole.row_dual[:2], atol=1e-9)


def test_retiring_the_artificial_columns_keeps_the_mix_and_the_prices():
    """Once the mix needs no artificial slack, r⁺ and r⁻ off the basis leave the master
    (Dantzig-Wolfe's second phase): the hand-derived mix and prices stay, from the same
    basis, and a new proposal is still taken from there (council 1's (2, 2): λ = 16/7)."""
    master = _master()
    master.stabilise(np.zeros(2), 1e6)
    master.solve()
    columns = master.highs.getNumCol()
    retired = master.retire_artificial()
    assert retired == 4  # all of r⁺, r⁻ are off the basis at the hand optimum
    assert master.highs.getNumCol() == columns - 4 and master.first == 1 + 2
    assert master.retire_artificial() == 0
    solution = master.solve()
    assert master.highs.getInfo().simplex_iteration_count == 0  # the basis was kept
    assert solution.mix_cost == pytest.approx(-11 / 7, abs=1e-9)
    assert np.allclose(solution.mismatch, 0.0)
    assert np.allclose(solution.prices, [2 / 7, 3 / 7], atol=1e-9)
    assert np.allclose(solution.sigma, [-6 / 7, -5 / 7], atol=1e-9)
    master.add(1, True, 0.0, np.arange(2), np.array([2.0, 2.0]))
    again = master.solve()
    assert again.mix_cost == pytest.approx(-16 / 7, abs=1e-9)
    assert np.allclose(again.weights, [6 / 7, 1 / 7, 0.0, 0.0, 1.0], atol=1e-9)
    with pytest.raises(RuntimeError, match="retired"):
        master.stabilise(np.zeros(2), 1.0)


def test_a_box_that_values_lambda_too_little_is_unbounded():
    """Prices within 0.05 of (0.1, 0.1) give 2 y_0 + y_1 <= 0.45 < 1: λ pays for itself
    without end (the prices protocol then widens the step)."""
    master = _master()
    master.stabilise(np.array([0.1, 0.1]), 0.05)
    assert master.solve().status is Status.UNBOUNDED


def test_stabilised_master_keeps_prices_in_the_box():
    master = _master()
    centre, step = np.array([0.2, 0.65]), 0.05  # the box leaves out (2/7, 3/7)
    master.stabilise(centre, step)
    solution = master.solve()
    whole = HighsSolver().solve(_whole(centre, step))
    assert solution.status is Status.OPTIMAL
    assert solution.objective == pytest.approx(whole.objective, abs=1e-9)
    assert np.all(np.abs(solution.prices - centre) <= step + 1e-9)
    assert solution.mix_cost == pytest.approx(float(whole.x[:1] @ [-1.0]), abs=1e-9)
    # council 1 proposes (2, 2): by hand λ = min((3a + 2)/2, 4 - 2a), a = 6/7, λ = 16/7,
    # reached from the last basis with the new column
    master.stabilise(np.zeros(2), 1e6)
    master.add(1, True, 0.0, np.arange(2), np.array([2.0, 2.0]))
    again = master.solve()
    assert again.mix_cost == pytest.approx(-16 / 7, abs=1e-9)
    assert np.allclose(again.weights, [6 / 7, 1 / 7, 0.0, 0.0, 1.0], atol=1e-9)


def test_a_stalled_re_solve_falls_back_to_interior_point(monkeypatch):
    """With no simplex iterations allowed, every solve takes the fallback (interior point
    with crossover) and still gives the hand-derived mix and prices."""
    from sovnarkhoz.councils import master as master_module

    monkeypatch.setattr(master_module, "STALL_ITERATIONS", 0)
    master = _master()
    master.stabilise(np.zeros(2), 1e6)
    solution = master.solve()
    assert solution.status is Status.OPTIMAL
    assert solution.mix_cost == pytest.approx(-11 / 7, abs=1e-9)
    assert np.allclose(solution.prices, [2 / 7, 3 / 7], atol=1e-9)
    master.add(1, True, 0.0, np.arange(2), np.array([2.0, 2.0]))
    assert master.solve().mix_cost == pytest.approx(-16 / 7, abs=1e-9)


def _stuck_master(step: float) -> Master:
    """λ takes 1 of each of two rows (>= 0), but the only plan covers row 0 alone: λ = 0.
    Optimal prices: y_0 = 0 (row 0 has room), y_1 anywhere in [1, step] (λ not worth
    raising), a degenerate face whose vertices are y_1 = 1 and y_1 = step."""
    master = Master(sp.csc_matrix(np.array([[-1.0], [-1.0]])), np.array([-1.0]), np.zeros(1),
                    np.full(1, np.inf), np.zeros(2), np.full(2, np.inf), councils=1)
    master.add(0, True, 0.0, np.arange(2), np.array([1.0, 0.0]))
    master.stabilise(np.zeros(2), step)
    return master


def test_central_prices_lie_inside_a_degenerate_face():
    """A vertex prices row 1 at one end of [1, 10]; central prices (interior point, no
    crossover) lie well inside it, so a council asked at them values the uncovered row
    without the vertex's arbitrary choice of end. The next vertex solve, with no basis to
    start from, crosses over to one of the ends."""
    master = _stuck_master(10.0)
    vertex = master.solve()
    assert vertex.status is Status.OPTIMAL and vertex.mix_cost == pytest.approx(0.0, abs=1e-9)
    assert vertex.prices[0] == pytest.approx(0.0, abs=1e-9)
    assert min(abs(vertex.prices[1] - 1.0), abs(vertex.prices[1] - 10.0)) <= 1e-9
    central = master.solve(central=0.1)
    assert central.status is Status.OPTIMAL and central.mix_cost == pytest.approx(0.0, abs=1e-6)
    assert np.allclose(central.weights, [1.0], atol=1e-6)
    assert central.prices[0] == pytest.approx(0.0, abs=0.1)
    assert 2.0 < central.prices[1] < 9.0
    again = master.solve()
    assert again.status is Status.OPTIMAL
    assert min(abs(again.prices[1] - 1.0), abs(again.prices[1] - 10.0)) <= 1e-9


def test_central_solve_of_an_unbounded_master_says_so():
    """Interior point without crossover stops on the unbounded box master with huge values;
    they are not taken for a central mix: the vertex solve's verdict stands."""
    master = _master()
    master.stabilise(np.array([0.1, 0.1]), 0.05)
    assert master.solve(central=0.1).status is Status.UNBOUNDED
