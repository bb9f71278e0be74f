"""A HiGHS model kept alive between solves, for iterative schemes (the councils' rounds).

Only costs and a diagonal Hessian change between solves, so HiGHS restarts from its last
basis. Matrices and bounds only, as for every solver here.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from .highs import HighsSolver, _status_map, cost_scale, highspy, run_highs
from .options import SolverOptions
from .problem import LPData
from .result import SolverResult, Status


class PersistentHighs:
    """minimise c'x + ½ Σ_j h_j x_j² subject to the rows and bounds of ``lp``.

    ``hessian`` (n,) non-negative diagonal, or None for a pure LP.
    """

    def __init__(self, lp: LPData, hessian: np.ndarray | None = None,
                 options: SolverOptions | None = None, scale_objective: bool = False):
        self.lp = lp
        self.options = options or SolverOptions()
        self.highs = HighsSolver._configured(self.options)
        # prices of order one for HiGHS (highs.objective_scale), re-chosen as costs change;
        # off for the councils' models, whose round-by-round course was tuned without it
        # (with it, republic councils on ussr1957 1957-59 no longer converge by prices in
        # 400 rounds)
        self.scale_objective = scale_objective and hessian is None
        if self.scale_objective:
            self.highs.setOptionValue("user_objective_scale", cost_scale(lp.c, lp))
        self.highs.passModel(HighsSolver._model(lp))
        self._hessian: np.ndarray | None = None
        if hessian is not None:
            self.set_hessian(hessian)
        self.cost = lp.c.astype(np.float64).copy()

    def set_hessian(self, diagonal: np.ndarray) -> None:
        diagonal = np.asarray(diagonal, dtype=np.float64)
        present = np.flatnonzero(diagonal)
        start = np.zeros(len(diagonal) + 1, dtype=np.int32)
        start[1:] = np.cumsum(diagonal != 0)
        hessian = highspy.HighsHessian()
        hessian.dim_ = len(diagonal)
        hessian.format_ = highspy.HessianFormat.kTriangular
        hessian.start_ = start
        hessian.index_ = present.astype(np.int32)
        hessian.value_ = diagonal[present]
        self.highs.passHessian(hessian)
        self._hessian = diagonal

    def set_cost(self, cost: np.ndarray) -> None:
        cost = np.asarray(cost, dtype=np.float64)
        changed = np.flatnonzero(cost != self.cost)
        if changed.size:
            self.highs.changeColsCost(len(changed), changed.astype(np.int32), cost[changed])
            self.cost = cost.copy()
            if self.scale_objective:
                self.scale_costs(True)

    def scale_costs(self, scaled: bool) -> None:
        """From the next solve on, HiGHS works with the costs scaled so that prices are of
        order one (``highs.cost_scale`` of the current costs), or as they are."""
        self.scale_objective = scaled and self._hessian is None
        self.highs.setOptionValue("user_objective_scale",
                                  cost_scale(self.cost, self.lp) if self.scale_objective else 0)

    def set_bounds(self, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """New bounds for some columns only (the others keep theirs)."""
        columns = np.asarray(columns, dtype=np.int32)
        self.highs.changeColsBounds(len(columns), columns,
                                    np.asarray(lower, dtype=np.float64),
                                    np.asarray(upper, dtype=np.float64))

    def change_row(self, row: int, columns: np.ndarray, values: np.ndarray,
                   lower: float, upper: float) -> None:
        """New coefficients (for these columns, a few) and bounds of one row."""
        for column, value in zip(np.asarray(columns).tolist(), np.asarray(values).tolist(),
                                 strict=True):
            self.highs.changeCoeff(int(row), int(column), float(value))
        self.highs.changeRowBounds(int(row), float(lower), float(upper))

    def set_time_limit(self, seconds: float) -> None:
        """The next solves stop after ``seconds`` (HiGHS's ``time_limit``)."""
        self.highs.setOptionValue("time_limit", float(seconds))

    def add_rows(self, A: sp.csr_matrix, lower: np.ndarray, upper: np.ndarray) -> None:
        """Append rows ``lower <= A x <= upper`` (A: (k, n) CSR); the next solve restarts
        from the last basis (the new rows basic), by dual simplex from then on."""
        A = sp.csr_matrix(A)
        self.highs.addRows(A.shape[0], np.asarray(lower, dtype=np.float64),
                           np.asarray(upper, dtype=np.float64), A.nnz,
                           A.indptr[:-1].astype(np.int32), A.indices.astype(np.int32),
                           A.data.astype(np.float64))
        self.highs.setOptionValue("solver", "simplex")
        self.lp = replace(self.lp, A=sp.vstack([self.lp.A, A], format="csr"),
                          row_lower=np.concatenate([self.lp.row_lower, lower]),
                          row_upper=np.concatenate([self.lp.row_upper, upper]))

    def solve(self, dual_bound: bool = True) -> SolverResult:
        """Re-solve from the last basis. ``dual_bound`` False leaves the dual objective out
        (NaN): a pass over every row and column that callers asking many quick questions
        of one model (a frontier) do not need; x and the duals are still returned."""
        run_highs(self.highs)
        status = self.highs.getModelStatus()
        result = (HighsSolver._result(self.lp, self.highs, status, 0.0) if dual_bound
                  else self._lean_result(status))
        if result.has_solution:  # with the current costs, not those the model began with
            x = result.x
            quadratic = 0.0 if self._hessian is None else 0.5 * float(self._hessian @ (x * x))
            result.objective = float(self.cost @ x) + quadratic + float(self.lp.offset)
        if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            result.status = Status.UNBOUNDED
        return result

    def _lean_result(self, model_status: object) -> SolverResult:
        """The solution and duals without the dual objective (see :meth:`solve`)."""
        status = _status_map().get(model_status, Status.ERROR)
        info = self.highs.getInfo()
        result = SolverResult(status=status, message=self.highs.modelStatusToString(model_status),
                              solver="highs", iterations=int(max(info.simplex_iteration_count, 0)))
        if status is Status.OPTIMAL:
            solution = self.highs.getSolution()
            result.x = np.asarray(solution.col_value, dtype=np.float64)
            if solution.dual_valid:
                result.row_dual = np.asarray(solution.row_dual, dtype=np.float64)
                result.col_dual = np.asarray(solution.col_dual, dtype=np.float64)
        return result
