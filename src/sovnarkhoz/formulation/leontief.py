"""Leontief's balance: gross outputs x with (I - A) x = y, as a sparse linear system.

With one technique per product and region and no links, each region's technique set is a
square input-output system. The whole economy is one block-diagonal sparse matrix over the
techniques; it is solved by sparse LU (SuperLU) when small enough and by GMRES otherwise.
Embodied factor contents (labour values) solve the transposed system (I - A)' v = n_f.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import gmres, splu

from ..scenario.economy import Economy

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
    each input taken from the technique making that product in the same region."""
    e = economy
    P, T = len(e.products), len(e.techniques)
    maker = np.full(len(e.regions) * P, -1, dtype=np.int64)
    maker[e.tech_region.astype(np.int64) * P + e.tech_product] = np.arange(T)
    source = maker[e.tech_region[e.use_tech].astype(np.int64) * P + e.use_product]
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


def solve_balance(economy: Economy) -> BalanceSolution:
    """Gross outputs meeting every target exactly, and embodied factor contents."""
    started = time.perf_counter()
    M = leontief_matrix(economy)
    y = final_demand(economy)
    T, F = M.shape[0], len(economy.factors)
    need = np.zeros((T, F))
    np.add.at(need, (economy.need_tech, economy.need_factor), economy.need_amount)
    if T <= DIRECT_LIMIT:
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


def _gmres(M: sp.spmatrix, b: np.ndarray) -> np.ndarray:
    if not b.any():
        return np.zeros_like(b)
    x, info = gmres(M, b, rtol=1e-12, atol=0.0, restart=50, maxiter=1000)
    if info != 0:
        raise RuntimeError(f"GMRES did not converge (info={info})")
    return x
