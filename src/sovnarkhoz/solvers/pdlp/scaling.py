"""Preconditioning of the LP: Ruiz equilibration, Pock-Chambolle (alpha = 1), then scaling
of the bounds and the objective to unit size.

The diagonal part gives  Ã = D_r A D_c,  x̃ = x / d_c,  c̃ = d_c c,  row bounds d_r [l, u],
column bounds [l, u] / d_c, dual ỹ = y / d_r. The bound-objective part multiplies all bounds
by ρ_b = 1 / (1 + ||b̃||) and the objective by ρ_c = 1 / (1 + ||c̃||), so the iterates are
x' = ρ_b x̃ and y' = ρ_c ỹ. ``x_unscale`` and ``y_unscale`` take x', y' back to the user's
x, y in one multiplication; ``Ax_unscale`` and ``ATy_unscale`` do the same for Ã x' and Ã'y'.
All work is on the device with scatter reductions over the nonzeros (no Python loop).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any


@dataclass
class Scaled:
    """The scaled matrix in both orientations (CSR), its scale vectors and scaled data.

    Shapes: m rows, n columns; tensors live on one device, float64 unless asked otherwise.
    """

    A: Any  # (m, n) sparse CSR, scaled
    AT: Any  # (n, m) sparse CSR, scaled transpose
    x_unscale: Any  # (n,) d_c / ρ_b
    y_unscale: Any  # (m,) d_r / ρ_c
    Ax_unscale: Any  # (m,) 1 / (d_r ρ_b)
    ATy_unscale: Any  # (n,) 1 / (d_c ρ_c)
    c: Any  # (n,)
    row_lower: Any  # (m,)
    row_upper: Any
    col_lower: Any  # (n,)
    col_upper: Any
    objective_unscale: float = 1.0  # 1 / (ρ_b ρ_c): c'x = objective_unscale · c̃'x' (+ offset)


def scale_problem(torch: Any, rows: Any, cols: Any, vals: Any, shape: tuple[int, int],
                  c: Any, row_lower: Any, row_upper: Any, col_lower: Any, col_upper: Any,
                  ruiz_iterations: int = 10, bound_objective: bool = True) -> Scaled:
    """Scale a COO matrix (rows, cols, vals: (nnz,) tensors) and the data that goes with it."""
    m, n = shape
    dtype, device = vals.dtype, vals.device
    row_scale = torch.ones(m, dtype=dtype, device=device)
    col_scale = torch.ones(n, dtype=dtype, device=device)
    vals = vals.clone()
    for _ in range(ruiz_iterations):
        size = vals.abs()
        row_max = torch.zeros(m, dtype=dtype, device=device).scatter_reduce_(
            0, rows, size, reduce="amax")
        col_max = torch.zeros(n, dtype=dtype, device=device).scatter_reduce_(
            0, cols, size, reduce="amax")
        r = torch.where(row_max > 0, row_max.rsqrt(), torch.ones_like(row_max))
        s = torch.where(col_max > 0, col_max.rsqrt(), torch.ones_like(col_max))
        vals.mul_(r[rows] * s[cols])
        row_scale.mul_(r)
        col_scale.mul_(s)
    size = vals.abs()
    row_sum = torch.zeros(m, dtype=dtype, device=device).index_add_(0, rows, size)
    col_sum = torch.zeros(n, dtype=dtype, device=device).index_add_(0, cols, size)
    r = torch.where(row_sum > 0, row_sum.rsqrt(), torch.ones_like(row_sum))
    s = torch.where(col_sum > 0, col_sum.rsqrt(), torch.ones_like(col_sum))
    vals.mul_(r[rows] * s[cols])
    row_scale.mul_(r)
    col_scale.mul_(s)

    A = csr_from_coo(torch, rows, cols, vals, (m, n))
    AT = csr_from_coo(torch, cols, rows, vals, (n, m))
    c, row_lower, row_upper = c * col_scale, row_lower * row_scale, row_upper * row_scale
    col_lower, col_upper = col_lower / col_scale, col_upper / col_scale
    rho_b = rho_c = 1.0
    if bound_objective:
        bounds = torch.cat([v[torch.isfinite(v)] for v in (row_lower, row_upper)])
        rho_b = 1.0 / (1.0 + float(torch.linalg.vector_norm(bounds))) if bounds.numel() else 1.0
        rho_c = 1.0 / (1.0 + float(torch.linalg.vector_norm(c)))
    return Scaled(A=A, AT=AT, x_unscale=col_scale / rho_b, y_unscale=row_scale / rho_c,
                  Ax_unscale=1.0 / (row_scale * rho_b), ATy_unscale=1.0 / (col_scale * rho_c),
                  c=c * rho_c, row_lower=row_lower * rho_b, row_upper=row_upper * rho_b,
                  col_lower=col_lower * rho_b, col_upper=col_upper * rho_b,
                  objective_unscale=1.0 / (rho_b * rho_c))


def csr_from_coo(torch: Any, rows: Any, cols: Any, vals: Any, shape: tuple[int, int]) -> Any:
    """CSR from COO entries (duplicates summed), indices kept as int64 on any device."""
    order = torch.argsort(rows * shape[1] + cols)
    rows, cols, vals = rows[order], cols[order], vals[order]
    counts = torch.bincount(rows, minlength=shape[0])
    crow = torch.zeros(shape[0] + 1, dtype=torch.int64, device=vals.device)
    crow[1:] = torch.cumsum(counts, 0)
    with warnings.catch_warnings():  # torch calls sparse CSR "beta"; it is what we need
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, cols, vals, size=shape, check_invariants=False)
