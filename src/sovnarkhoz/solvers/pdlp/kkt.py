"""Optimality and infeasibility measures of a primal-dual point, on the unscaled problem.

    primal residual  r_p = A x - proj_[l, u](A x)                 (x already within its bounds)
    reduced cost     z   = c - A'y ;  z⁺ = its projection on what the column bounds allow
    dual residual    r_d = z - z⁺
    dual objective   Σ_i y_i (l_i if y_i > 0 else u_i) + Σ_j z⁺_j (l_j if z⁺_j > 0 else u_j)

Relative errors (all must fall under the tolerance):
    ||r_p||₂ / (1 + ||b||₂),  ||r_d||₂ / (1 + ||c||₂),  |primal - dual| / (1 + |primal| + |dual|)
with b the finite row bounds (cuPDLPx's criterion), and also, row by row,
    max_i |r_p,i| / (1 + |proj(A x)_i|)
so that no single constraint of the plan is off by more than the tolerance relative to its own
size: what the plan's independent verification checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Residuals:
    primal_objective: float
    dual_objective: float
    primal: float  # relative primal residual
    dual: float  # relative dual residual
    gap: float  # relative duality gap
    primal_rowwise: float  # largest relative violation of a single row

    @property
    def worst(self) -> float:
        return max(self.worst_l2, self.primal_rowwise)

    @property
    def worst_l2(self) -> float:
        """cuPDLPx's criterion alone (norms over all rows and columns)."""
        return max(self.primal, self.dual, self.gap)

    def as_dict(self) -> dict[str, float]:
        return {"relative_primal_residual": self.primal, "relative_dual_residual": self.dual,
                "largest_row_violation": self.primal_rowwise,
                "relative_gap": self.gap, "primal_objective": self.primal_objective,
                "dual_objective": self.dual_objective}


def allowed_reduced_cost(torch: Any, z: Any, col_lower: Any, col_upper: Any) -> Any:
    """Projection of reduced costs z on the set the column bounds allow: positive only where a
    lower bound is finite, negative only where an upper bound is finite."""
    low = torch.where(torch.isfinite(col_upper), torch.full_like(z, -torch.inf),
                      torch.zeros_like(z))
    high = torch.where(torch.isfinite(col_lower), torch.full_like(z, torch.inf),
                       torch.zeros_like(z))
    return torch.clamp(z, min=low, max=high)


def bound_term(torch: Any, dual: Any, lower: Any, upper: Any) -> Any:
    """Σ dual * (lower where dual > 0, upper where dual < 0), skipping zero duals."""
    bound = torch.where(dual > 0, lower, upper)
    term = torch.where(dual != 0, dual * bound, torch.zeros_like(dual))
    return torch.nan_to_num(term, nan=0.0, posinf=torch.inf, neginf=-torch.inf).sum()


@dataclass
class Problem:
    """The unscaled data the measures need, as device tensors."""

    c: Any
    row_lower: Any
    row_upper: Any
    col_lower: Any
    col_upper: Any
    offset: float
    b_norm: float
    c_norm: float


def make_problem(torch: Any, c: Any, row_lower: Any, row_upper: Any, col_lower: Any,
                 col_upper: Any, offset: float) -> Problem:
    finite = torch.cat([row_lower[torch.isfinite(row_lower)], row_upper[torch.isfinite(row_upper)]])
    return Problem(c=c, row_lower=row_lower, row_upper=row_upper, col_lower=col_lower,
                   col_upper=col_upper, offset=offset,
                   b_norm=float(torch.linalg.vector_norm(finite)) if finite.numel() else 0.0,
                   c_norm=float(torch.linalg.vector_norm(c)))


def residuals(torch: Any, p: Problem, x: Any, y: Any, Ax: Any, ATy: Any) -> tuple[Residuals, Any]:
    """Relative KKT errors of (x, y), given A x and A'y. Returns them and z⁺ (n,)."""
    nearest = torch.clamp(Ax, min=p.row_lower, max=p.row_upper)
    r_p = Ax - nearest
    rowwise = (r_p.abs() / (1.0 + nearest.abs())).max() if r_p.numel() else torch.zeros(())
    z = p.c - ATy
    z_plus = allowed_reduced_cost(torch, z, p.col_lower, p.col_upper)
    r_d = z - z_plus
    primal_obj = float(p.c @ x) + p.offset
    dual_obj = float(bound_term(torch, y, p.row_lower, p.row_upper)
                     + bound_term(torch, z_plus, p.col_lower, p.col_upper)) + p.offset
    values = torch.stack([torch.linalg.vector_norm(r_p), torch.linalg.vector_norm(r_d),
                          rowwise.to(r_d.dtype)]).tolist()
    return Residuals(
        primal_objective=primal_obj,
        dual_objective=dual_obj,
        primal=values[0] / (1.0 + p.b_norm),
        dual=values[1] / (1.0 + p.c_norm),
        gap=abs(primal_obj - dual_obj) / (1.0 + abs(primal_obj) + abs(dual_obj)),
        primal_rowwise=values[2],
    ), z_plus


def primal_infeasibility(torch: Any, p: Problem, dy: Any, ATdy: Any) -> float:
    """How well the dual direction dy certifies that no x meets the constraints (Farkas).

    A certificate has A'dy compatible with the column bounds and a positive bound term.
    Returns violation / bound term (small and positive: a certificate), or inf.
    """
    z = -ATdy
    z_plus = allowed_reduced_cost(torch, z, p.col_lower, p.col_upper)
    wrong_sign = torch.where(((dy > 0) & ~torch.isfinite(p.row_lower))
                             | ((dy < 0) & ~torch.isfinite(p.row_upper)), dy.abs(),
                             torch.zeros_like(dy))
    gain = float(bound_term(torch, torch.where(wrong_sign > 0, torch.zeros_like(dy), dy),
                            p.row_lower, p.row_upper)
                 + bound_term(torch, z_plus, p.col_lower, p.col_upper))
    if not gain > 0:
        return float("inf")
    violation = float(torch.linalg.vector_norm(z - z_plus) + torch.linalg.vector_norm(wrong_sign))
    return violation / gain


def dual_infeasibility(torch: Any, p: Problem, dx: Any, Adx: Any) -> float:
    """How well the primal direction dx certifies an unbounded objective: c'dx < 0, A dx and
    dx within the recession cones of the row and column bounds. Returns violation / -c'dx."""
    descent = -float(p.c @ dx)
    if not descent > 0:
        return float("inf")
    zero = torch.zeros_like(Adx)
    row_low = torch.where(torch.isfinite(p.row_lower), zero, torch.full_like(Adx, -torch.inf))
    row_high = torch.where(torch.isfinite(p.row_upper), zero, torch.full_like(Adx, torch.inf))
    zero_c = torch.zeros_like(dx)
    col_low = torch.where(torch.isfinite(p.col_lower), zero_c, torch.full_like(dx, -torch.inf))
    col_high = torch.where(torch.isfinite(p.col_upper), zero_c, torch.full_like(dx, torch.inf))
    violation = float(torch.linalg.vector_norm(Adx - torch.clamp(Adx, min=row_low, max=row_high))
                      + torch.linalg.vector_norm(dx - torch.clamp(dx, min=col_low, max=col_high)))
    return violation / descent
