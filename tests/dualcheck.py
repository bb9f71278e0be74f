"""Is a plan's set of prices a dual solution of the central LP? Checked from the LP alone.

For min c'x + offset, l_r <= A x <= u_r, l_c <= x <= u_c: row duals y may be positive only at
a finite lower row bound and negative only at a finite upper one; the reduced costs
z = c - A'y likewise at the column bounds; the dual objective
Σ y·(l_r or u_r) + Σ z·(l_c or u_c) + offset must equal the plan's objective.
"""

from __future__ import annotations

import numpy as np

from sovnarkhoz.solvers.problem import LPData


def _sign_violation(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """How far each dual goes the wrong way: positive needs a finite lower bound, negative a
    finite upper one."""
    too_high = np.where(np.isfinite(lower), 0.0, np.maximum(value, 0.0))
    too_low = np.where(np.isfinite(upper), 0.0, np.maximum(-value, 0.0))
    return np.maximum(too_high, too_low)


def _bound_value(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    edge = np.where(value > 0, lower, np.where(value < 0, upper, 0.0))
    return float(np.sum(np.where((value != 0) & np.isfinite(edge), value * edge, 0.0)))


def dual_check(lp: LPData, x: np.ndarray, row_dual: np.ndarray) -> tuple[float, float]:
    """(largest dual infeasibility relative to 1 + max |c|, relative duality gap
    |primal - dual| / (1 + |primal| + |dual|)) of prices ``row_dual`` (m,) for plan ``x``."""
    reduced = lp.c - lp.A.T @ row_dual
    scale = 1.0 + float(np.abs(lp.c).max(initial=0.0))
    infeasibility = max(
        float(_sign_violation(row_dual, lp.row_lower, lp.row_upper).max(initial=0.0)),
        float(_sign_violation(reduced, lp.col_lower, lp.col_upper).max(initial=0.0))) / scale
    primal = float(lp.c @ x) + lp.offset
    dual = (_bound_value(row_dual, lp.row_lower, lp.row_upper)
            + _bound_value(reduced, lp.col_lower, lp.col_upper) + lp.offset)
    return infeasibility, abs(primal - dual) / (1.0 + abs(primal) + abs(dual))


def dual_ranges(lp: LPData, x: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
    """(m, 2): the least and the greatest value of each row's dual over every dual solution
    complementary to the optimal plan ``x``, which is the whole optimal dual face (any
    optimal dual is complementary to any optimal plan). A row whose two values agree has a
    unique price."""
    import scipy.sparse as sp

    from sovnarkhoz.solvers.highs import HighsSolver
    from sovnarkhoz.solvers.options import SolverOptions

    def allowed(value, lower, upper):
        """Dual bounds: free at an equality, >= 0 at a lower bound, <= 0 at an upper one,
        0 where the plan leaves the bound slack."""
        with np.errstate(invalid="ignore"):
            at_lower = np.isfinite(lower) & (value <= lower + tolerance * (1 + np.abs(lower)))
            at_upper = np.isfinite(upper) & (value >= upper - tolerance * (1 + np.abs(upper)))
        return np.where(at_upper, -np.inf, 0.0), np.where(at_lower, np.inf, 0.0)

    m, n = lp.A.shape
    row_low, row_high = allowed(lp.A @ x, lp.row_lower, lp.row_upper)
    col_low, col_high = allowed(x, lp.col_lower, lp.col_upper)
    # y (m) and z (n) with A'y + z = c
    face = LPData(c=np.zeros(m + n), A=sp.hstack([lp.A.T, sp.identity(n)], format="csr"),
                  row_lower=lp.c, row_upper=lp.c,
                  col_lower=np.concatenate([row_low, col_low]),
                  col_upper=np.concatenate([row_high, col_high]))
    ranges = np.empty((m, 2))
    for i in range(m):
        for side, sign in ((0, 1.0), (1, -1.0)):
            c = np.zeros(m + n)
            c[i] = sign
            result = HighsSolver().solve(LPData(c=c, A=face.A, row_lower=face.row_lower,
                                                row_upper=face.row_upper,
                                                col_lower=face.col_lower,
                                                col_upper=face.col_upper), SolverOptions())
            ranges[i, side] = (sign * result.objective if result.status.value == "optimal"
                               else -sign * np.inf)
    return ranges


def proof_status(plan) -> str:
    """The status a converged councils' plan must carry: optimal exactly when its own prices
    prove it (plan/optimality.py), else feasible (approximate prices: admm at its tolerance;
    the prices of councils that favour their own)."""
    return "optimal" if plan.verification.proven_optimal else "feasible"
