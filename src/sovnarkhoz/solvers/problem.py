"""The linear program as solvers see it: matrices, bounds and nothing else.

    minimise    c @ x + offset
    subject to  row_lower <= A @ x <= row_upper
                col_lower <=   x   <= col_upper

Infinite bounds are ``numpy.inf``. No names, no scenario: any LP from anywhere fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class LPData:
    """Shapes: m rows, n columns. ``A`` is m x n in CSR (row-wise) form."""

    c: np.ndarray  # (n,) cost per unit of each column
    A: sp.csr_matrix  # (m, n) constraint matrix
    row_lower: np.ndarray  # (m,)
    row_upper: np.ndarray  # (m,)
    col_lower: np.ndarray  # (n,)
    col_upper: np.ndarray  # (n,)
    offset: float = 0.0

    def __post_init__(self) -> None:
        m, n = self.A.shape
        for name, size in (("c", n), ("col_lower", n), ("col_upper", n), ("row_lower", m),
                           ("row_upper", m)):
            if len(getattr(self, name)) != size:
                raise ValueError(f"{name} has length {len(getattr(self, name))}, expected {size}")

    @property
    def num_rows(self) -> int:
        return self.A.shape[0]

    @property
    def num_cols(self) -> int:
        return self.A.shape[1]

    @property
    def nnz(self) -> int:
        return int(self.A.nnz)

    @cached_property
    def A_csc(self) -> sp.csc_matrix:
        """The same matrix column-wise (what HiGHS takes)."""
        return self.A.tocsc()
