"""Primal feasibility polishing: the problem it solves.

pdlp's default stop asks more than cuPDLPx's ℓ2 rule: every row within the tolerance of its
own size. On the planning LPs the ℓ2 rule is met long before that (S: 2,304 iterations
against 6,976; L: 4,352 against 47,936), with the balance rows short by up to 1 % of a unit.
Polishing (after PDLP's feasibility polishing, Applegate et al. 2025) fixes the primal from
the point where the ℓ2 rule is met, keeping the dual: PDHG on the feasibility problem

    find x  with  l ≤ A x ≤ u,  l_v ≤ x ≤ u_v,  c'x ≤ ceiling

(the objective dropped, held under ``ceiling`` by one more row), anchored at the current x
and starting from y = 0, so that the Halpern iteration heads for a feasible point near it.
Feasibility problems converge fast under PDHG (no objective to trade against). The ceiling
is the dual's objective plus a share of the gap the tolerance allows: without it the
nearest feasible point lowers λ (one column in every balance row) and the gap is lost
(S: feasible in 128 iterations, relative gap 1.7e-4 against a tolerance of 1e-4).

The polished x is then measured with the main candidate's dual by the same check as any
candidate (relative KKT error, every row within the tolerance); nothing is loosened.
"""

from __future__ import annotations

import math
from typing import Any

from .scaling import Scaled, csr_from_coo


def ceiling(dual_objective: float, offset: float, tol: float, gap_share: float) -> float:
    """The objective c'x (offset removed, unscaled) at which the relative gap to the dual
    objective d, (c'x − d) / (1 + |c'x| + |d|), is exactly g = ``gap_share`` · ``tol``:
    p − d = g (1 + |p| + |d|) gives p = N / (1 − g) when N = d + g (1 + |d|) ≥ 0 (then p ≥ 0)
    and p = N / (1 + g) when N < 0 (then p < 0)."""
    g = gap_share * tol
    numerator = dual_objective + g * (1.0 + abs(dual_objective))
    top = numerator / (1.0 - g) if numerator >= 0 else numerator / (1.0 + g)
    return top - offset


def with_objective_row(torch: Any, scaled: Scaled, limit: float, row_norm: float) -> Scaled:
    """The feasibility problem of polishing: the objective dropped and held under
    ``limit`` (unscaled, offset removed) by one more row, c̃'x' ≤ limit / objective_unscale,
    scaled to ℓ2 norm ``row_norm`` (a free row when c = 0). Shapes: (m + 1, n); the extra
    row is the last one (its ``Ax_unscale`` entry takes the row back to c'x - offset)."""
    c = scaled.c
    size = float(torch.linalg.vector_norm(c))
    factor = row_norm / size if size > 0 else 1.0
    m, n = scaled.A.shape
    A = scaled.A.to_sparse_coo().coalesce()
    nonzero = torch.nonzero(c).flatten()
    rows = torch.cat([A.indices()[0], torch.full_like(nonzero, m)])
    cols = torch.cat([A.indices()[1], nonzero])
    vals = torch.cat([A.values(), c[nonzero] * factor])
    top = limit / scaled.objective_unscale * factor if size > 0 else math.inf
    bound = torch.tensor([top], dtype=c.dtype, device=c.device)
    unscale = torch.tensor([scaled.objective_unscale / factor], dtype=c.dtype, device=c.device)
    return Scaled(A=csr_from_coo(torch, rows, cols, vals, (m + 1, n)),
                  AT=csr_from_coo(torch, cols, rows, vals, (n, m + 1)),
                  x_unscale=scaled.x_unscale,
                  y_unscale=torch.cat([scaled.y_unscale, 1.0 / unscale]),
                  Ax_unscale=torch.cat([scaled.Ax_unscale, unscale]),
                  ATy_unscale=scaled.ATy_unscale, c=torch.zeros_like(c),
                  row_lower=torch.cat([scaled.row_lower, torch.full_like(bound, -torch.inf)]),
                  row_upper=torch.cat([scaled.row_upper, bound]),
                  col_lower=scaled.col_lower, col_upper=scaled.col_upper,
                  objective_unscale=scaled.objective_unscale)


