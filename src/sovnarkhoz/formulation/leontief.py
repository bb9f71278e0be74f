"""Leontief's balance: gross outputs x with (I - A) x = y, as a sparse linear system.

With one technique per product and region and no links, each region's technique set is a
square input-output system. The whole economy is one block-diagonal sparse matrix over the
techniques, solved by one of
    lu       sparse LU (SuperLU): exact, for up to a few hundred thousand techniques;
    gmres    restarted GMRES on the CPU: large systems;
    neumann  x <- y + A x in PyTorch, on a GPU (or the CPU): converges at the rate of the
             spectral radius of A, which validation has checked is below 1; falls back on
             GMRES if it has not converged in its iteration budget.
Embodied factor contents (labour values) solve the transposed system (I - A)' v = n_f.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import gmres, splu

from ..scenario.economy import Economy
from ..solvers.device import cuda_available, pick_device

DIRECT_LIMIT = 300_000
"""Above this many techniques, GMRES replaces the direct factorisation."""


@dataclass
class BalanceSolution:
    """levels: (T,) gross output of each technique; embodied: (T, F) factor content per unit
    of each technique's product (direct and indirect); residual: max |(I - A) x - y|."""

    levels: np.ndarray
    embodied: np.ndarray
    residual: float
    method: str
    seconds: float


def leontief_matrix(economy: Economy) -> sp.csc_matrix:
    """(I - A) over techniques: column t holds +1 for its output and -a for what it uses,
    each input taken from the technique making that product in the region it comes from (the
    technique's own, or the input's origin)."""
    e = economy
    P, T = len(e.products), len(e.techniques)
    maker = np.full(len(e.regions) * P, -1, dtype=np.int64)
    maker[e.tech_region.astype(np.int64) * P + e.tech_product] = np.arange(T)
    source = maker[e.use_region.astype(np.int64) * P + e.use_product]
    keep = source >= 0
    rows = np.concatenate([np.arange(T), source[keep]])
    cols = np.concatenate([np.arange(T), e.use_tech[keep]])
    vals = np.concatenate([np.ones(T), -e.use_amount[keep]])
    return sp.csc_matrix((vals, (rows, cols)), shape=(T, T))


def final_demand(economy: Economy) -> np.ndarray:
    """(T,) final demand y on each technique's product in its region."""
    e = economy
    P = len(e.products)
    maker = np.full(len(e.regions) * P, -1, dtype=np.int64)
    maker[e.tech_region.astype(np.int64) * P + e.tech_product] = np.arange(len(e.techniques))
    y = np.zeros(len(e.techniques))
    np.add.at(y, maker[e.target_region.astype(np.int64) * P + e.target_product], e.target_amount)
    return y


METHODS = ("auto", "lu", "gmres", "neumann")


DENSE_INPUTS = 100
"""Above this many inputs per technique on average (and a thousand techniques), A is dense
enough (a multi-regional table's within-region blocks) that a sparse LU fills in: GMRES is
chosen instead (on an EXIOBASE-shaped A, docs/performance.md)."""


def _choose(method: str, device: str, techniques: int, nonzeros: int = 0) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown balance method {method!r}; choose one of {', '.join(METHODS)}")
    if method != "auto":
        return method
    if device == "cuda" or (device == "auto" and techniques > DIRECT_LIMIT and cuda_available()):
        return "neumann"
    dense = techniques > 1000 and nonzeros > DENSE_INPUTS * techniques
    return "lu" if techniques <= DIRECT_LIMIT and not dense else "gmres"


def solve_balance(economy: Economy, method: str = "auto", device: str = "auto") -> BalanceSolution:
    """Gross outputs meeting every target exactly, and embodied factor contents.

    method : auto (LU when small and sparse, Neumann on a GPU when large and one is visible,
        else GMRES),
        lu, gmres or neumann. device : where neumann runs (auto, cpu, cuda).
    """
    started = time.perf_counter()
    M = leontief_matrix(economy)
    y = final_demand(economy)
    T, F = M.shape[0], len(economy.factors)
    need = np.zeros((T, F))
    np.add.at(need, (economy.need_tech, economy.need_factor), economy.need_amount)
    method = _choose(method, device, T, M.nnz)
    if method == "neumann":
        solved = _neumann(M, np.column_stack([y, need]), device)
        if solved is not None:
            levels, embodied = solved
            residual = float(np.abs(M @ levels - y).max(initial=0.0))
            return BalanceSolution(levels=levels, embodied=embodied, residual=residual,
                                   method="Neumann series (PyTorch)",
                                   seconds=time.perf_counter() - started)
        method = "gmres"  # too slow a contraction for the iteration budget
    if method == "lu":
        lu = splu(M)
        levels = lu.solve(y)
        embodied = lu.solve(need, trans="T") if F else np.zeros((T, 0))
        method = "sparse LU"
    else:
        levels = _gmres(M, y)
        Mt = M.T.tocsr()
        embodied = np.column_stack([_gmres(Mt, need[:, f]) for f in range(F)]) if F else (
            np.zeros((T, 0)))
        method = "GMRES"
    residual = float(np.abs(M @ levels - y).max(initial=0.0))
    return BalanceSolution(levels=levels, embodied=embodied, residual=residual, method=method,
                           seconds=time.perf_counter() - started)


def solve_levels(M: sp.spmatrix, y: np.ndarray, method: str = "auto") -> np.ndarray:
    """(n,) gross outputs x with M x = y for a Leontief matrix M = I − A (n × n, sparse) and
    final demand y (n,): sparse LU when small and sparse, else GMRES (as
    :func:`solve_balance` chooses on the CPU)."""
    method = _choose(method, "cpu", M.shape[0], M.nnz)
    if method == "lu":
        return splu(sp.csc_matrix(M)).solve(y)
    return _gmres(sp.csr_matrix(M), y)


def _neumann(M: sp.csc_matrix, rhs: np.ndarray, device: str, tolerance: float = 1e-13,
             max_iterations: int = 20_000) -> tuple[np.ndarray, np.ndarray] | None:
    """x = rhs[:, 0] + A x and V = rhs[:, 1:] + A' V by fixed-point iteration, A = I - M.

    rhs is (T, 1 + F): its first column is y, the others the factor needs n_f. Returns None
    if the iteration has not settled within its budget."""
    import torch

    device = pick_device(device)
    A = (sp.identity(M.shape[0], format="csr") - M.tocsr()).tocsr()
    AT = A.T.tocsr()

    def to_torch(matrix: sp.csr_matrix) -> torch.Tensor:
        return torch.sparse_csr_tensor(
            torch.as_tensor(matrix.indptr.astype(np.int64)),
            torch.as_tensor(matrix.indices.astype(np.int64)),
            torch.as_tensor(matrix.data), size=matrix.shape, dtype=torch.float64,
            check_invariants=False).to(device)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch calls sparse CSR "beta"
        A_t, AT_t = to_torch(A), to_torch(AT)
    b = torch.as_tensor(rhs, dtype=torch.float64, device=device)
    forward, backward = b[:, :1].clone(), b[:, 1:].clone()
    for iteration in range(max_iterations):
        new_forward = b[:, :1] + A_t @ forward
        new_backward = b[:, 1:] + AT_t @ backward if backward.shape[1] else backward
        if iteration % 8 == 7:
            change = max(float((new_forward - forward).abs().max()),
                         float((new_backward - backward).abs().max()) if backward.numel() else 0)
            size = max(float(new_forward.abs().max()),
                       float(new_backward.abs().max()) if backward.numel() else 0, 1e-300)
            if change <= tolerance * size:
                return (new_forward[:, 0].cpu().numpy(), new_backward.cpu().numpy())
        forward, backward = new_forward, new_backward
    return None


def _gmres(M: sp.spmatrix, b: np.ndarray) -> np.ndarray:
    if not b.any():
        return np.zeros_like(b)
    x, info = gmres(M, b, rtol=1e-12, atol=0.0, restart=50, maxiter=1000)
    if info != 0:
        raise RuntimeError(f"GMRES did not converge (info={info})")
    return x
