"""The quotas protocol: Kornai–Liptak two-level planning, by Benders cuts.

The centre allots each council a quota q_k for every shared row it takes part in (what it
must contribute there); each council plans its own part to meet its quotas at least cost,

    f_k(q_k) = min c_k'x + M·(shortfall + excess)  s.t.  B_k x + shortfall - excess = q_k,
               its own rows and bounds,

and answers with its cost and the shadow prices π_k of its quotas. Those prices are a
subgradient of f_k, so the centre learns a cut f_k(q) >= f_k(q_j) + π_j'(q - q_j) and
re-allots by solving its own LP over quotas (and its own columns, λ):

    min c_0'λ + Σ_k θ_k   s.t.  Σ_k q_k + B_0 λ within the shared rows' bounds,
                                 θ_k >= every cut learned for council k.

The centre's value is a lower bound; the councils' costs at the current quotas give an upper
bound (a feasible plan once no quota is missed). The gap closes in finitely many rounds.
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
from .prices import Coordination, Round, split

PENALTY = 1e4
"""Cost of a unit of quota missed (or overshot), relative to the objective's scale."""
QUOTA_RANGE = 100.0
"""Quotas stay within this many times the largest bound of the LP, either way."""


def _floor(data) -> float:
    """The least a council's plan can cost with no quota (-1e12 when unbounded)."""
    result = HighsSolver().solve(LPData(
        c=data.c, A=data.A_private, row_lower=data.row_lower, row_upper=data.row_upper,
        col_lower=data.col_lower, col_upper=data.col_upper), SolverOptions())
    return float(result.objective) if result.status is Status.OPTIMAL else -1e12


class _QuotaCouncil:
    """A council's elastic LP: its rows, plus B x + shortfall - excess = quota."""

    def __init__(self, data, penalty: float):
        n, s = len(data.columns), len(data.shared_rows)
        A = sp.vstack([
            sp.hstack([data.A_private, sp.csr_matrix((len(data.private_rows), 2 * s))]),
            sp.hstack([data.B, sp.identity(s), -sp.identity(s)]),
        ], format="csr")
        self.n, self.s = n, s
        self.model = PersistentHighs(LPData(
            c=np.concatenate([data.c, np.full(2 * s, penalty)]), A=A,
            row_lower=np.concatenate([data.row_lower, np.zeros(s)]),
            row_upper=np.concatenate([data.row_upper, np.zeros(s)]),
            col_lower=np.concatenate([data.col_lower, np.zeros(2 * s)]),
            col_upper=np.concatenate([data.col_upper, np.full(2 * s, np.inf)])))
        self.private = len(data.private_rows)

    def answer(self, quota: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float,
                                                 np.ndarray]:
        """(cost, quota prices π, plan x, largest miss, private row duals)."""
        highs = self.model.highs
        rows = np.arange(self.private, self.private + self.s, dtype=np.int32)
        highs.changeRowsBounds(self.s, rows, quota, quota)
        result = self.model.solve()
        if result.status is not Status.OPTIMAL:
            raise RuntimeError(f"a council's quota problem ended {result.status.value}")
        x = result.x
        miss = x[self.n:]
        return (float(result.objective), result.row_dual[self.private:], x[: self.n],
                float(miss.max(initial=0.0)), result.row_dual[: self.private])


def allot(lp: LPData, owner: np.ndarray, names: list[str], tolerance: float = 1e-4,
          max_rounds: int = 500, progress: Callable[[Round], None] | None = None
          ) -> Coordination:
    """Coordinate councils by quotas (Benders cuts) to a relative gap of ``tolerance``."""
    data, shared, centre_columns = split(lp, owner, names)
    K, m = len(data), len(shared)
    position = np.full(lp.num_rows, -1, dtype=np.int64)
    position[shared] = np.arange(m)
    local_rows = [position[d.shared_rows] for d in data]
    scale = 1.0 + float(np.abs(lp.c).max(initial=0.0))
    councils = [_QuotaCouncil(d, PENALTY * scale) for d in data]
    # each council's cost can fall no lower than its best plan with no quota at all
    floors = np.array([_floor(d) for d in data])
    finite = [v for v in (lp.row_lower, lp.row_upper, lp.col_lower, lp.col_upper)]
    size = max(float(np.abs(np.concatenate(finite)[np.isfinite(np.concatenate(finite))])
                     .max(initial=1.0)), 1.0)
    centre_B = lp.A.tocsc()[:, centre_columns][shared].tocsr()
    lower, upper = lp.row_lower[shared], lp.row_upper[shared]
    # centre's variables: quotas (one per council and shared row), θ_k, its own columns
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in local_rows])])
    n_quota = int(offsets[-1])
    quota = [np.zeros(len(r)) for r in local_rows]
    cuts: list[tuple[int, float, np.ndarray, np.ndarray]] = []  # (k, value, π, q at cut)
    history: list[Round] = []
    best_upper = math.inf
    best: tuple | None = None
    converged = False
    started = time.perf_counter()
    rounds = 0
    centre_x = np.zeros(len(centre_columns))
    for round_number in range(1, max_rounds + 1):
        rounds = round_number
        answers = [c.answer(q) for c, q in zip(councils, quota, strict=True)]
        for k, (value, prices, _, _, _) in enumerate(answers):
            cuts.append((k, value, prices, quota[k].copy()))
        upper_bound = float(lp.c[centre_columns] @ centre_x) + sum(a[0] for a in answers)
        missed = max(a[3] for a in answers)
        if missed <= tolerance and upper_bound < best_upper:
            best_upper = upper_bound
            best = ([a[2] for a in answers], centre_x.copy(), [a[4] for a in answers])
        lower_bound, quota, centre_x, y = _centre(lp, K, m, local_rows, offsets, n_quota,
                                                  centre_columns, centre_B, lower, upper,
                                                  cuts, floors, QUOTA_RANGE * size)
        reference = best_upper if math.isfinite(best_upper) else upper_bound
        gap = abs(reference - lower_bound) / (1.0 + abs(reference) + abs(lower_bound))
        record = Round(round=round_number, mismatch=missed, objective=reference,
                       dual_objective=lower_bound, gap=gap, dual_residual=0.0, rho=0.0,
                       messages=2 * K, bytes=8 * sum(3 * len(r) + 1 for r in local_rows),
                       seconds=time.perf_counter() - started)
        history.append(record)
        if progress is not None:
            progress(record)
        if best is not None and gap <= tolerance:
            converged = True
            break
    if best is None:
        best = ([a[2] for a in answers], centre_x, [a[4] for a in answers])
    plans, centre_plan, private_duals = best
    x = np.zeros(lp.num_cols)
    row_dual = np.zeros(lp.num_rows)
    for d, plan, duals in zip(data, plans, private_duals, strict=True):
        x[d.columns] = plan
        row_dual[d.private_rows] = duals
    x[centre_columns] = centre_plan
    row_dual[shared] = y
    return Coordination(x=x, row_dual=row_dual, converged=converged, history=history,
                        rounds=rounds)


def _centre(lp: LPData, K: int, m: int, local_rows: list[np.ndarray], offsets: np.ndarray,
            n_quota: int, centre_columns: np.ndarray, centre_B: sp.csr_matrix,
            lower: np.ndarray, upper: np.ndarray,
            cuts: list[tuple[int, float, np.ndarray, np.ndarray]], floors: np.ndarray,
            big: float):
    """The centre's LP over quotas, θ and its own columns. Returns its value, the new quotas,
    its columns and the shared rows' prices."""
    n_centre = len(centre_columns)
    theta0 = n_quota
    lam0 = n_quota + K
    n = lam0 + n_centre
    rows, cols, vals = [], [], []
    # shared rows: Σ_k q_k + B_0 λ in [lower, upper]
    for k, r in enumerate(local_rows):
        rows.extend(r)
        cols.extend(offsets[k] + np.arange(len(r)))
        vals.extend(np.ones(len(r)))
    coo = centre_B.tocoo()
    rows.extend(coo.row)
    cols.extend(lam0 + coo.col)
    vals.extend(coo.data)
    row_lower, row_upper = list(lower), list(upper)
    # cuts: θ_k - π'q_k >= value - π'q_cut
    for i, (k, value, prices, at) in enumerate(cuts):
        row = m + i
        rows.append(row)
        cols.append(theta0 + k)
        vals.append(1.0)
        rows.extend(np.full(len(prices), row))
        cols.extend(offsets[k] + np.arange(len(prices)))
        vals.extend(-prices)
        row_lower.append(value - float(prices @ at))
        row_upper.append(np.inf)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(m + len(cuts), n))
    c = np.concatenate([np.zeros(n_quota), np.ones(K), lp.c[centre_columns]])
    master = LPData(c=c, A=A, row_lower=np.asarray(row_lower, dtype=np.float64),
                    row_upper=np.asarray(row_upper, dtype=np.float64),
                    col_lower=np.concatenate([np.full(n_quota, -big), floors,
                                              lp.col_lower[centre_columns]]),
                    col_upper=np.concatenate([np.full(n_quota, big), np.full(K, np.inf),
                                              np.minimum(lp.col_upper[centre_columns], big)]))
    result = HighsSolver().solve(master, SolverOptions())
    if result.status is not Status.OPTIMAL:
        raise RuntimeError(f"the centre's quota problem ended {result.status.value}")
    x = result.x
    quotas = [x[offsets[k]: offsets[k + 1]].copy() for k in range(K)]
    return (float(result.objective), quotas, x[lam0:], result.row_dual[:m])
