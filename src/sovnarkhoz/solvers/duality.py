"""Dual objective and residuals of a solution, computed the same way for every backend."""

from __future__ import annotations

import numpy as np

from .problem import LPData


def _bound_term(dual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Sum of dual * (the bound it prices): lower for positive duals, upper for negative;
    duals facing an infinite bound are left out (a solver's rounding noise there would
    otherwise make the whole bound infinite)."""
    bound = np.where(dual > 0, lower, np.where(dual < 0, upper, 0.0))
    finite = np.isfinite(bound)
    return float(np.dot(dual[finite], bound[finite]))


def bound_term(dual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Σ dual x (lower where dual > 0, upper where dual < 0), strictly: a dual facing an
    infinite bound makes the sum infinite (use with sign-projected duals)."""
    edge = np.where(dual > 0, lower, np.where(dual < 0, upper, 0.0))
    return float(np.sum(np.where(dual != 0, dual * edge, 0.0)))


def allowed_reduced_costs(z: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Reduced costs projected on what the column bounds allow (positive only at a finite
    lower bound, negative only at a finite upper bound)."""
    return np.clip(z, np.where(np.isfinite(upper), -np.inf, 0.0),
                   np.where(np.isfinite(lower), np.inf, 0.0))


def dual_objective(lp: LPData, row_dual: np.ndarray, col_dual: np.ndarray) -> float:
    """Lagrangian dual bound b'y (+ bound terms of the reduced costs) for minimisation."""
    return (_bound_term(row_dual, lp.row_lower, lp.row_upper)
            + _bound_term(col_dual, lp.col_lower, lp.col_upper) + lp.offset)


def primal_residual(lp: LPData, x: np.ndarray) -> float:
    """Largest violation of a row or column bound by x (absolute)."""
    activity = lp.A @ x
    rows = np.maximum(lp.row_lower - activity, activity - lp.row_upper)
    cols = np.maximum(lp.col_lower - x, x - lp.col_upper)
    worst = max(rows.max(initial=0.0), cols.max(initial=0.0))
    return float(max(worst, 0.0))
