"""The centre's restricted master LP, kept alive in HiGHS from round to round.

Both proposal-mixing protocols (``dantzig-wolfe`` and ``prices``) ask the same LP each round,
over the proposals the councils have made so far:

    min  Σ cost_j w_j + c_0'x_0 + Σ_i (t - ŷ_i) r⁺_i + (t + ŷ_i) r⁻_i
    s.t. Σ_j B_j w_j + B_0 x_0 - s - r⁺ + r⁻ = 0      (m shared rows)
         Σ_{plans j of council k} w_j = 1               (K convexity rows)
         w >= 0, x_0 within its bounds, s in [l, u], r⁺, r⁻ >= 0

Its columns are [x_0 (n_0), s (m), r⁺ (m), r⁻ (m), proposals (in the order taken)]; after
``retire_artificial`` only the r⁺, r⁻ still basic remain between s and the proposals. With
ŷ = 0 and t = PENALTY·scale, r = r⁺ - r⁻ is Dantzig-Wolfe's artificial slack; with the
bundle's stability centre ŷ and step t, the duals of the shared rows are prices within t of
ŷ (a box trust region). Between rounds only proposals are added and the costs of r⁺, r⁻
change, so the last basis stays primal feasible and the primal simplex goes on from it: a
master of thousands of proposals is re-solved in a few iterations. (HiGHS's dual simplex,
with presolve, stalled for minutes on such degenerate masters of ussr1957; see
docs/performance.md.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..solvers.highs import HighsSolver, _status_map, highspy
from ..solvers.options import SolverOptions
from ..solvers.problem import LPData
from ..solvers.result import Status

PRIMAL_SIMPLEX = 4
"""HiGHS's ``simplex_strategy`` for the primal simplex."""
STALL_ITERATIONS = 5
"""A warm re-solve taking more than this many simplex iterations per row has stalled."""
NO_ITERATION_LIMIT = 2**31 - 1
FEASIBLE = 2
"""HiGHS's ``kSolutionStatusFeasible``."""
FEASIBILITY = 1e-9
"""The master's primal feasibility tolerance. At HiGHS's default (1e-7) a proposal's weight
could end at -5e-8 after a crossover, which the councils' mixed plans carried into a shared
balance of ussr1957 by ministries (off by 4.6e-8, against 1e-14 otherwise)."""


@dataclass
class MasterSolution:
    """One solve of the master: status, proposal weights w (proposals,), the centre's columns
    x_0 (n_0,), the mismatch r = r⁺ - r⁻ (m,), the mix's cost Σ cost·w + c_0'x_0 (without the
    r terms), the objective (with them), the shared rows' prices y (m,) and the convexity
    rows' values σ (K,)."""

    status: Status
    message: str
    weights: np.ndarray
    centre_x: np.ndarray
    mismatch: np.ndarray
    mix_cost: float
    objective: float
    prices: np.ndarray
    sigma: np.ndarray


class Master:
    """The restricted master of ``m`` shared rows with bounds [lower, upper] (m,), the centre's
    own columns (costs c_0 (n_0,), bounds, contributions B_0 (m, n_0)) and ``councils``
    convexity rows; proposals are added with :meth:`add`."""

    def __init__(self, B0: sp.spmatrix, c0: np.ndarray, col_lower: np.ndarray,
                 col_upper: np.ndarray, lower: np.ndarray, upper: np.ndarray, councils: int,
                 offset: float = 0.0, cost_exponent: int = 0):
        m, n0 = B0.shape
        self.m, self.K, self.n0 = m, councils, n0
        self.offset = offset
        identity = sp.identity(m, format="csc")
        A = sp.hstack([sp.csc_matrix(B0), -identity, -identity, identity], format="csc")
        A = sp.vstack([A, sp.csc_matrix((councils, A.shape[1]))], format="csc")
        lp = LPData(c=np.concatenate([c0, np.zeros(3 * m)]), A=A,
                    row_lower=np.concatenate([np.zeros(m), np.ones(councils)]),
                    row_upper=np.concatenate([np.zeros(m), np.ones(councils)]),
                    col_lower=np.concatenate([col_lower, lower, np.zeros(2 * m)]),
                    col_upper=np.concatenate([col_upper, upper, np.full(2 * m, np.inf)]))
        self.highs = HighsSolver._configured(SolverOptions())
        # HiGHS scales the costs by 2**cost_exponent (prices of order one; 0: as they are)
        self.highs.setOptionValue("user_objective_scale", int(cost_exponent))
        self.highs.setOptionValue("primal_feasibility_tolerance", FEASIBILITY)
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        self.highs.setOptionValue("solver", "simplex")
        self.highs.passModel(HighsSolver._model(lp))
        self.first = n0 + 3 * m  # the first proposal's column
        # the shared row and sign (+1: r⁺, -1: r⁻) of each artificial column still there
        self.artificial_rows = np.concatenate([np.arange(m), np.arange(m)])
        self.artificial_sign = np.concatenate([np.ones(m), -np.ones(m)])
        self.has_basis = True  # the slack basis at first; none after a central solve
        self.c0 = np.asarray(c0, dtype=np.float64)
        self.cost: list[float] = []  # of each proposal

    def add(self, council: int, is_point: bool, cost: float, rows: np.ndarray,
            contribution: np.ndarray) -> None:
        """Add a proposal of ``council``: its cost and its ``contribution`` (s,) to the shared
        rows ``rows`` (s,) (master numbering); a plan (``is_point``) joins its council's
        convexity row, a ray does not."""
        keep = contribution != 0.0
        index = rows[keep].astype(np.int32)
        value = contribution[keep].astype(np.float64)
        if is_point:
            index = np.append(index, np.int32(self.m + council))
            value = np.append(value, 1.0)
        self.highs.addCols(1, np.array([cost], dtype=np.float64), np.zeros(1),
                           np.full(1, np.inf), len(index), np.zeros(1, dtype=np.int32),
                           index, value)
        self.cost.append(float(cost))

    def idle(self) -> np.ndarray:
        """Which proposals (proposals,) are off the last basis (nonbasic: weight 0 and no
        part of the vertex); all False when there is no basis."""
        basis = self.highs.getBasis()
        count = len(self.cost)
        if not (self.has_basis and basis.valid):
            return np.zeros(count, dtype=bool)
        status = np.array([int(s) for s in basis.col_status[self.first:]], dtype=np.int64)
        return status != int(highspy.HighsBasisStatus.kBasic)

    def drop(self, positions: np.ndarray) -> None:
        """Delete the proposals at ``positions`` (nonbasic ones: the basis stays valid)."""
        positions = np.asarray(positions, dtype=np.int64)
        if not len(positions):
            return
        columns = (self.first + positions).astype(np.int32)
        self.highs.deleteCols(len(columns), columns)
        self.cost = list(np.delete(np.asarray(self.cost), positions))

    def retire_artificial(self) -> int:
        """Delete the artificial columns r⁺, r⁻ that are off the last basis (at zero), once
        the mix needs none: Dantzig-Wolfe's second phase. The basis stays valid and primal
        feasible (only proposals are added later), and every simplex iteration prices up to
        2m fewer columns that only duplicate the slack s. Those still basic (degenerate, at
        zero) stay. Returns how many went; no-op without a basis."""
        basis = self.highs.getBasis()
        if not (self.has_basis and basis.valid) or self.first == self.n0 + self.m:
            return 0
        start = self.n0 + self.m
        status = np.array([int(s) for s in basis.col_status[start:self.first]], dtype=np.int64)
        gone = np.flatnonzero(status != int(highspy.HighsBasisStatus.kBasic))
        if not len(gone):
            return 0
        self.highs.deleteCols(len(gone), (start + gone).astype(np.int32))
        self.artificial_rows = np.delete(self.artificial_rows, gone)
        self.artificial_sign = np.delete(self.artificial_sign, gone)
        self.first -= len(gone)
        return len(gone)

    def stabilise(self, centre: np.ndarray, step: float) -> None:
        """Costs of r⁺ and r⁻: t - ŷ and t + ŷ (prices within ``step`` of ``centre``)."""
        if self.first != self.n0 + 3 * self.m:
            raise RuntimeError("the master's artificial columns were retired")
        columns = np.arange(self.n0 + self.m, self.first, dtype=np.int32)
        costs = np.concatenate([step - centre, step + centre]).astype(np.float64)
        self.highs.changeColsCost(len(columns), columns, costs)

    def solve(self, central: float | None = None) -> MasterSolution:
        """Re-solve from the last basis; should the primal simplex stall (cycling on the
        master's degenerate vertices, seen on ussr1957 over 14 years), or have no basis to
        start from, solve afresh by interior point with crossover, whose basis the next round
        starts from.

        With ``central`` (a relative optimality tolerance, e.g. 0.1) solve by interior point
        without crossover, to that tolerance: a slightly suboptimal mix with prices near the
        centre of the optimal face instead of at one of its vertices (the primal-dual column
        generation of Gondzio, González-Brevis and Munari 2013). Where the master is
        degenerate, a vertex prices one uncovered row and leaves the rest at zero; central
        prices value them all, so each council's answer covers many at once."""
        if central is not None:
            model_status = self._interior(central, crossover=False)
            if self._central_solution(model_status):
                # HiGHS calls a loosely converged interior point "unknown"; it is what we asked
                return self._solution(highspy.HighsModelStatus.kOptimal)
        if not self.has_basis:
            model_status = self._interior(None, crossover=True)
        else:
            rows = self.m + self.K
            self.highs.setOptionValue("simplex_iteration_limit", STALL_ITERATIONS * rows)
            self.highs.run()
            model_status = self.highs.getModelStatus()
            if model_status == highspy.HighsModelStatus.kIterationLimit:
                model_status = self._interior(None, crossover=True)
        return self._solution(model_status)

    def _mismatch(self, artificial: np.ndarray) -> np.ndarray:
        """r = r⁺ - r⁻ (m,) from the artificial columns' values (those still there)."""
        mismatch = np.zeros(self.m)
        np.add.at(mismatch, self.artificial_rows, self.artificial_sign * artificial)
        return mismatch

    def _interior(self, tolerance: float | None, crossover: bool) -> object:
        """Solve afresh by interior point (to ``tolerance``, or HiGHS's default), with or
        without crossover to a basis; returns HiGHS's model status."""
        highs = self.highs
        highs.clearSolver()
        highs.setOptionValue("solver", "ipm")
        highs.setOptionValue("run_crossover", "on" if crossover else "off")
        highs.setOptionValue("simplex_iteration_limit", NO_ITERATION_LIMIT)
        default = highs.getOptionValue("ipm_optimality_tolerance")[1]
        if tolerance is not None:
            highs.setOptionValue("ipm_optimality_tolerance", float(tolerance))
        highs.run()
        highs.setOptionValue("ipm_optimality_tolerance", default)
        highs.setOptionValue("solver", "simplex")
        highs.setOptionValue("run_crossover", "on")
        self.has_basis = crossover and highs.getBasis().valid
        return highs.getModelStatus()

    def _central_solution(self, model_status: object) -> bool:
        """Whether the last (interior, no crossover) solve, which ended in ``model_status``,
        left a primal feasible mix and prices: optimal, or "unknown" as HiGHS calls an
        interior point stopped at a loose tolerance; not unbounded or infeasible."""
        solution, info = self.highs.getSolution(), self.highs.getInfo()
        return bool(model_status in (highspy.HighsModelStatus.kOptimal,
                                     highspy.HighsModelStatus.kUnknown)
                    and solution.value_valid and solution.dual_valid
                    and info.primal_solution_status == FEASIBLE)

    def _solution(self, model_status: object) -> MasterSolution:
        """The MasterSolution of the last solve, which ended in ``model_status``."""
        status = _status_map().get(model_status, Status.ERROR)
        message = self.highs.modelStatusToString(model_status)
        m, n0 = self.m, self.n0
        if status is not Status.OPTIMAL:
            empty = np.zeros(0)
            return MasterSolution(status, message, empty, empty, empty, np.nan, np.nan, empty,
                                  empty)
        solution = self.highs.getSolution()
        x = np.asarray(solution.col_value, dtype=np.float64)
        duals = np.asarray(solution.row_dual, dtype=np.float64)
        weights, centre_x = x[self.first:], x[:n0]
        mix_cost = float(self.c0 @ centre_x) + float(np.asarray(self.cost) @ weights)
        return MasterSolution(
            status, message, weights=weights, centre_x=centre_x,
            mismatch=self._mismatch(x[n0 + m: self.first]),
            mix_cost=mix_cost + self.offset,
            objective=float(self.highs.getInfo().objective_function_value) + self.offset,
            prices=duals[:m], sigma=duals[m:])
