"""Price-directive planning by Dantzig-Wolfe decomposition (Dantzig and Wolfe, 1960).

The classic scheme for decentralised planning: the centre keeps the shared rows and, for each
council, a menu of the plans that council has proposed so far. Each round it

1. chooses the best mix of proposals (the master LP: convex weights per council, plus the
   centre's own columns such as λ), and posts the master's prices y of the shared rows and,
   per council, the value σ_k of its convexity row;
2. each council answers with the plan that is best for it at those prices,
   min (c_k - B_k'y)'x over its own rows and bounds (or an improving direction when that is
   unbounded); a plan whose value beats σ_k is a new proposal.

The master's objective falls to the optimum; each round also gives a true bound
(master + Σ_k min(0, value_k - σ_k)), so the gap closes with a certificate, in finitely many
rounds. Shared rows get artificial slack at a large cost until the proposals cover them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from ..solvers.highs import HighsSolver
from ..solvers.options import SolverOptions
from ..solvers.persistent import PersistentHighs
from ..solvers.problem import LPData
from ..solvers.result import Status
from .council import CouncilData
from .prices import Coordination, Round, split

PENALTY = 1e6
"""Cost per unit of artificial slack on a shared row (relative to the objective's scale)."""


class _Pricer:
    """A council's pricing LP, kept alive between rounds; returns a plan or a ray."""

    def __init__(self, lp: LPData):
        self.model = PersistentHighs(lp)
        self.model.highs.setOptionValue("presolve", "off")  # so that rays come back

    def best(self, cost: np.ndarray) -> tuple[str, np.ndarray, float, np.ndarray]:
        """(kind 'point' or 'ray', vector, value, row duals) for ``cost``."""
        self.model.set_cost(cost)
        result = self.model.solve()
        if result.status is Status.OPTIMAL:
            return "point", result.x, float(cost @ result.x), result.row_dual
        if result.status is Status.UNBOUNDED:
            ray = self._ray(cost)
            if ray is not None:
                return "ray", ray / max(np.abs(ray).max(), 1e-300), -math.inf, np.zeros(
                    self.model.lp.num_rows)
        raise RuntimeError(f"a council's pricing problem ended {result.status.value}: "
                           f"{result.message}")

    def _ray(self, cost: np.ndarray) -> np.ndarray | None:
        """An improving direction: HiGHS's ray, or else the cheapest column that no row of
        the council holds back and no upper bound stops."""
        _, has_ray, ray = self.model.highs.getPrimalRay()
        if has_ray:
            return np.asarray(ray, dtype=np.float64)
        lp = self.model.lp
        unconstrained = np.diff(lp.A.tocsc().indptr) == 0
        free = unconstrained & ~np.isfinite(lp.col_upper) & (cost < 0)
        if not free.any():
            return None
        ray = np.zeros(lp.num_cols)
        ray[np.flatnonzero(free)[np.argmin(cost[free])]] = 1.0
        return ray


def decompose(lp: LPData, owner: np.ndarray, names: list[str], tolerance: float = 1e-4,
              max_rounds: int = 500, progress: Callable[[Round], None] | None = None
              ) -> Coordination:
    """Coordinate councils by Dantzig-Wolfe column generation to a relative gap of
    ``tolerance`` (or ``max_rounds``)."""
    data, shared, centre_columns = split(lp, owner, names)
    K, m = len(data), len(shared)
    lower, upper = lp.row_lower[shared], lp.row_upper[shared]
    position = np.full(lp.num_rows, -1, dtype=np.int64)
    position[shared] = np.arange(m)
    local_rows = [position[d.shared_rows] for d in data]
    pricers = [_Pricer(LPData(c=d.c, A=d.A_private, row_lower=d.row_lower,
                              row_upper=d.row_upper, col_lower=d.col_lower,
                              col_upper=d.col_upper)) for d in data]
    centre_B = lp.A.tocsc()[:, centre_columns][shared].tocsc()
    scale = 1.0 + float(np.abs(lp.c).max(initial=0.0))
    # the menu: per council, (kind, vector); its columns in the master
    menu: list[list[tuple[str, np.ndarray]]] = [[] for _ in range(K)]
    history: list[Round] = []
    converged = False
    started = time.perf_counter()
    weights: list[np.ndarray] = []
    centre_x = np.zeros(len(centre_columns))
    private_duals = [np.zeros(len(d.private_rows)) for d in data]
    rounds = 0
    for k, (d, pricer) in enumerate(zip(data, pricers, strict=True)):  # first proposals
        kind, vector, _, private_duals[k] = pricer.best(d.c)
        menu[k].append((kind, vector))
    for round_number in range(1, max_rounds + 1):
        rounds = round_number
        master, weights, centre_x, y, sigma, artificial = _master(
            lp, data, local_rows, menu, centre_columns, centre_B, lower, upper, scale)
        values = np.zeros(K)
        added = 0
        for k, (d, pricer) in enumerate(zip(data, pricers, strict=True)):
            kind, vector, values[k], private_duals[k] = pricer.best(
                d.c - d.B.T @ y[local_rows[k]])
            # any proposal that beats the council's current value is worth adding; stopping
            # is left to the gap, which sums the shortfalls of all councils
            improves = kind == "ray" or values[k] < sigma[k] - 1e-9 * scale
            if improves and not any(kind == old_kind and np.allclose(vector, old)
                                    for old_kind, old in menu[k]):
                menu[k].append((kind, vector))
                added += 1
        bound = master + float(np.sum(np.minimum(0.0, values - sigma)))
        gap = (abs(master - bound) / (1.0 + abs(master) + abs(bound))
               if math.isfinite(bound) else math.inf)
        record = Round(round=round_number, mismatch=artificial, objective=master,
                       dual_objective=bound, gap=gap, dual_residual=0.0, rho=0.0,
                       messages=2 * K, bytes=8 * sum(2 * len(d.shared_rows) + 2 for d in data),
                       seconds=time.perf_counter() - started)
        history.append(record)
        if progress is not None:
            progress(record)
        if gap <= tolerance and artificial <= tolerance:
            converged = True
            break
        if added == 0:
            break
    x = np.zeros(lp.num_cols)
    for d, options, mix in zip(data, menu, weights, strict=True):
        plan = np.zeros(len(d.columns))
        for (_, vector), weight in zip(options, mix, strict=True):
            plan += weight * vector
        x[d.columns] = plan
    x[centre_columns] = centre_x
    row_dual = np.zeros(lp.num_rows)
    row_dual[shared] = y
    for d, duals in zip(data, private_duals, strict=True):
        row_dual[d.private_rows] = duals
    return Coordination(x=x, row_dual=row_dual, converged=converged, history=history,
                        rounds=rounds)


def _master(lp: LPData, data: list[CouncilData], local_rows: list[np.ndarray],
            menu: list[list[tuple[str, np.ndarray]]], centre_columns: np.ndarray,
            centre_B: sp.csc_matrix, lower: np.ndarray, upper: np.ndarray, scale: float):
    """Solve the restricted master; returns objective, weights per council, centre columns,
    shared-row prices, convexity values and the largest relative artificial slack."""
    m, K = len(lower), len(data)
    blocks, costs, col_lower, col_upper, convexity = [], [], [], [], []
    for k, (d, options) in enumerate(zip(data, menu, strict=True)):
        for kind, vector in options:
            blocks.append((k, kind, d.B @ vector, float(d.c @ vector)))
    n_menu = len(blocks)
    n_centre = len(centre_columns)
    rows, cols, vals = [], [], []
    for j, (k, kind, contribution, cost) in enumerate(blocks):
        position = local_rows[k]
        nz = np.flatnonzero(contribution)
        rows.extend(position[nz])
        cols.extend([j] * len(nz))
        vals.extend(contribution[nz])
        if kind == "point":
            rows.append(m + k)
            cols.append(j)
            vals.append(1.0)
        costs.append(cost)
        col_lower.append(0.0)
        col_upper.append(np.inf)
        convexity.append(k)
    coo = centre_B.tocoo()
    rows.extend(coo.row)
    cols.extend(coo.col + n_menu)
    vals.extend(coo.data)
    costs.extend(lp.c[centre_columns])
    col_lower.extend(lp.col_lower[centre_columns])
    col_upper.extend(lp.col_upper[centre_columns])
    # artificial slacks: + and - on every shared row
    start = n_menu + n_centre
    rows.extend(np.arange(m))
    cols.extend(start + np.arange(m))
    vals.extend(np.ones(m))
    rows.extend(np.arange(m))
    cols.extend(start + m + np.arange(m))
    vals.extend(-np.ones(m))
    costs.extend(np.full(2 * m, PENALTY * scale))
    col_lower.extend(np.zeros(2 * m))
    col_upper.extend(np.full(2 * m, np.inf))
    n = start + 2 * m
    A = sp.csr_matrix((vals, (rows, cols)), shape=(m + K, n))
    master = LPData(c=np.asarray(costs, dtype=np.float64), A=A,
                    row_lower=np.concatenate([lower, np.ones(K)]),
                    row_upper=np.concatenate([upper, np.ones(K)]),
                    col_lower=np.asarray(col_lower, dtype=np.float64),
                    col_upper=np.asarray(col_upper, dtype=np.float64), offset=lp.offset)
    result = HighsSolver().solve(master, SolverOptions())
    if result.status is not Status.OPTIMAL:
        raise RuntimeError(f"the centre's master problem ended {result.status.value}")
    x = result.x
    weights: list[list[float]] = [[] for _ in range(K)]
    for j, (k, _, _, _) in enumerate(blocks):
        weights[k].append(x[j])
    slack = x[start:]
    size = 1.0 + np.maximum(np.abs(np.where(np.isfinite(lower), lower, 0.0)),
                            np.abs(np.where(np.isfinite(upper), upper, 0.0)))
    artificial = float(np.max((slack[:m] + slack[m:]) / size, initial=0.0))
    objective = float(lp.c[centre_columns] @ x[n_menu:start]) + sum(
        cost * x[j] for j, (_, _, _, cost) in enumerate(blocks)) + lp.offset
    return (objective, [np.asarray(w) for w in weights], x[n_menu:start], result.row_dual[:m],
            result.row_dual[m:], artificial)
