"""Diagonal preconditioning of the LP: Ruiz equilibration, then Pock-Chambolle (alpha = 1).

The scaled problem uses  Ã = D_r A D_c,  x̃ = x / d_c,  c̃ = d_c c,  row bounds d_r [l, u],
column bounds [l, u] / d_c; its dual ỹ maps back to y = d_r ỹ. All work is on the device with
scatter reductions over the nonzeros (no Python loop over them).
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
    row_scale: Any  # (m,) d_r
    col_scale: Any  # (n,) d_c
    c: Any  # (n,)
    row_lower: Any  # (m,)
    row_upper: Any
    col_lower: Any  # (n,)
    col_upper: Any


def scale_problem(torch: Any, rows: Any, cols: Any, vals: Any, shape: tuple[int, int],
                  c: Any, row_lower: Any, row_upper: Any, col_lower: Any, col_upper: Any,
                  ruiz_iterations: int = 10) -> Scaled:
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

    A = _csr(torch, rows, cols, vals, (m, n))
    AT = _csr(torch, cols, rows, vals, (n, m))
    return Scaled(A=A, AT=AT, row_scale=row_scale, col_scale=col_scale, c=c * col_scale,
                  row_lower=row_lower * row_scale, row_upper=row_upper * row_scale,
                  col_lower=col_lower / col_scale, col_upper=col_upper / col_scale)


def _csr(torch: Any, rows: Any, cols: Any, vals: Any, shape: tuple[int, int]) -> Any:
    """CSR from COO entries (duplicates summed), indices kept as int64 on any device."""
    order = torch.argsort(rows * shape[1] + cols)
    rows, cols, vals = rows[order], cols[order], vals[order]
    counts = torch.bincount(rows, minlength=shape[0])
    crow = torch.zeros(shape[0] + 1, dtype=torch.int64, device=vals.device)
    crow[1:] = torch.cumsum(counts, 0)
    with warnings.catch_warnings():  # torch calls sparse CSR "beta"; it is what we need
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, cols, vals, size=shape, check_invariants=False)
