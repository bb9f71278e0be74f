"""What every protocol shares: the LP shared out among councils (``split``), a round of the
convergence history (``Round``), the outcome (``Coordination``), the sign rule for posted
prices, and the one way the councils' final words become the plan (``collect_plan``).

A protocol is a function ``(lp, owner, names, tolerance, max_rounds, progress, engine, ...)
-> Coordination`` (``run.py`` dispatches on its name): it splits the LP, starts its councils
on the engine, runs its rounds and collects the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..solvers.problem import LPData
from .council import CouncilData, CouncilPlan


@dataclass
class Round:
    """One round of a protocol, as kept in the convergence history.

    ``step`` is how far the centre may move this round, each protocol's own parameter:

    - admm: the penalty ρ of the augmented Lagrangian (also the step of its price update),
      balanced against the residuals every few rounds (``admm.ADAPT_EVERY``);
    - prices: the half-width t of the box the prices may move in around the stability
      centre ŷ (``bundle``);
    - quotas, dantzig-wolfe: 0 (the inner model's prices move freely).

    In the history as written (``record``, summary.json) it keeps its first name, ``rho``.
    """

    round: int
    mismatch: float  # largest relative violation of a shared row
    objective: float  # the plan's objective (λ, or the factor used), as a minimisation
    dual_objective: float  # of the posted prices and the councils' own duals
    gap: float  # |objective - dual_objective| / (1 + |objective| + |dual_objective|)
    dual_residual: float  # relative size of the reduced costs' infeasible part
    step: float
    messages: int
    bytes: int
    seconds: float

    def record(self) -> dict[str, float]:
        """The round as the plan's history keeps it (summary.json): ``step`` under its
        first name, ``rho``, in the same place."""
        return {("rho" if name == "step" else name): value for name, value in vars(self).items()}


@dataclass
class Coordination:
    """The outcome: column values, row prices, the history and the traffic."""

    x: np.ndarray  # (n,) assembled plan
    row_dual: np.ndarray  # (m,) prices of every row (solver convention)
    converged: bool
    history: list[Round] = field(default_factory=list)
    rounds: int = 0
    stopped: str | None = None  # why it stopped early (a solver failed), if it did
    solvers: dict[str, int] = field(default_factory=dict)  # answers found by each solver


class Split(NamedTuple):
    """The LP shared out: each council's block, the shared rows (sorted) and the centre's
    own columns (owner -1)."""

    councils: list[CouncilData]
    shared: np.ndarray
    centre_columns: np.ndarray


def split(lp: LPData, owner: np.ndarray, names: list[str]) -> Split:
    """Councils' blocks, the shared rows (sorted), and the centre's columns (owner -1)."""
    A = lp.A.tocsr()
    entry_owner = owner[A.indices]
    rows_nonempty = np.diff(A.indptr) > 0
    starts = A.indptr[:-1][rows_nonempty]
    low = np.full(lp.num_rows, -2, dtype=np.int64)
    high = np.full(lp.num_rows, -2, dtype=np.int64)
    low[rows_nonempty] = np.minimum.reduceat(entry_owner, starts)
    high[rows_nonempty] = np.maximum.reduceat(entry_owner, starts)
    shared = np.flatnonzero(low != high)
    private_owner = np.where(low == high, low, -3)
    councils = []
    A_csc = A.tocsc()
    for k, name in enumerate(names):
        columns = np.flatnonzero(owner == k)
        private_rows = np.flatnonzero(private_owner == k)
        block = A_csc[:, columns].tocsr()
        touched = np.flatnonzero(np.diff(block[shared].indptr) > 0)
        shared_rows = shared[touched]
        councils.append(CouncilData(
            name=name, columns=columns, private_rows=private_rows, shared_rows=shared_rows,
            c=lp.c[columns], col_lower=lp.col_lower[columns], col_upper=lp.col_upper[columns],
            A_private=block[private_rows], row_lower=lp.row_lower[private_rows],
            row_upper=lp.row_upper[private_rows], B=block[shared_rows]))
    return Split(councils, shared, np.flatnonzero(owner == -1))


def posted_prices(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Prices with the signs a row's bounds allow (>= 0 for a lower bound only, <= 0 for an
    upper bound only), so that they give a valid bound."""
    y = np.where(np.isfinite(lower), y, np.minimum(y, 0.0))
    return np.where(np.isfinite(upper), y, np.maximum(y, 0.0))


def collect_plan(lp: LPData, parts: Split, plans: list[CouncilPlan], centre_x: np.ndarray,
                 prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The national plan x (n,) and row prices (m,) from each council's final word (its plan
    and its own rows' prices, in the order of ``parts.councils``), the centre's own columns
    ``centre_x`` (n_0,) and the centre's final prices (m_shared,) of the shared rows."""
    x = np.zeros(lp.num_cols)
    row_dual = np.zeros(lp.num_rows)
    for d, plan in zip(parts.councils, plans, strict=True):
        x[d.columns] = plan.x
        row_dual[d.private_rows] = plan.private_duals
    x[parts.centre_columns] = centre_x
    row_dual[parts.shared] = prices
    return x, row_dual
