"""Dual objective of a solution, computed the same way for every backend.

The Lagrangian bound of duals y on bounds [l, u] is Σ y_i (l_i where y_i > 0, u_i where
y_i < 0). Two callers want two readings of a dual facing an infinite bound:
:func:`bound_term` (strict: the sum is then infinite, so sign-projected duals give a true
bound or none) and :func:`finite_bound_term` (such duals are left out: a solver's rounding
noise on a free row would otherwise make every bound infinite). Both price the same bounds
(:func:`priced_bounds`).
"""

from __future__ import annotations

import numpy as np

from .problem import LPData


def priced_bounds(dual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """The bound each dual prices: lower where dual > 0, upper where dual < 0, 0 where 0."""
    return np.where(dual > 0, lower, np.where(dual < 0, upper, 0.0))


def bound_term(dual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Σ dual x (lower where dual > 0, upper where dual < 0), strictly: a dual facing an
    infinite bound makes the sum infinite (use with sign-projected duals)."""
    edge = priced_bounds(dual, lower, upper)
    return float(np.sum(np.where(dual != 0, dual * edge, 0.0)))


def finite_bound_term(dual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Σ dual x (the bound it prices) over the duals whose bound is finite; duals facing an
    infinite bound are left out (a solver's rounding noise there would otherwise make the
    whole bound infinite)."""
    edge = priced_bounds(dual, lower, upper)
    finite = np.isfinite(edge)
    return float(np.dot(dual[finite], edge[finite]))


def allowed_reduced_costs(z: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Reduced costs projected on what the column bounds allow (positive only at a finite
    lower bound, negative only at a finite upper bound)."""
    return np.clip(z, np.where(np.isfinite(upper), -np.inf, 0.0),
                   np.where(np.isfinite(lower), np.inf, 0.0))


def dual_objective(lp: LPData, row_dual: np.ndarray, col_dual: np.ndarray) -> float:
    """Lagrangian dual bound b'y (+ bound terms of the reduced costs) for minimisation, the
    duals facing infinite bounds left out (:func:`finite_bound_term`)."""
    return (finite_bound_term(row_dual, lp.row_lower, lp.row_upper)
            + finite_bound_term(col_dual, lp.col_lower, lp.col_upper) + lp.offset)
