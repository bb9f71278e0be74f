"""The admm protocol: the centre coordinates councils by posted prices (sharing ADMM).

(The protocol named prices, the default, is the proximal bundle method of ``bundle``.)

Rows of the LP that only one council touches stay with it; the others ("shared rows": the
balances of regions that trade across council borders, and every balance that carries a
target under max-fulfilment) are split: each participant k contributes v_ik = (B_k x_k)_i and
the shared row asks Σ_k v_ik ∈ [l_i, u_i]. Each round

1. every council plans against the centre's proposal d_k = z_k - w and answers v_k;
2. the centre (which also holds λ) reconciles: per shared row, a_ik = v_ik + w_i,
   S_i = Σ_k a_ik, S*_i = clip(S_i, l_i, u_i), z_ik = a_ik + (S*_i - S_i) / n_i, and moves
   the scaled price w_i <- (S_i - S*_i) / n_i;
3. posted prices y_i = -ρ w_i (sign-corrected to the row's bounds), with each council's own
   row duals, make a dual point of the whole LP: each council reports the infeasible part of
   its reduced costs and its share of the dual objective, so the centre learns the relative
   duality gap and dual residual without seeing any council's books.

This is ADMM on the sharing problem (Boyd et al. 2011, §7.3) with the per-row counts n_i, so
it converges to the central optimum instead of oscillating as plain tâtonnement does; ρ is
balanced against the residuals every few rounds. It stops when the largest relative
violation of a shared row (the delivery mismatch), the relative duality gap and the relative
dual residual are all under the tolerance: the relative KKT error of the assembled plan.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from ..solvers.duality import allowed_reduced_costs, bound_term
from ..solvers.problem import LPData
from .council import Council
from .engines import Engine, LocalEngine
from .protocol import Coordination, Round, Split, collect_plan, posted_prices, split

ADAPT_EVERY = 5
"""Rounds between adjustments of ρ to balance the primal and dual residuals."""

def coordinate(lp: LPData, owner: np.ndarray, names: list[str], tolerance: float = 1e-4,
               max_rounds: int = 2000, rho: float = 1.0, engine: Engine | None = None,
               progress: Callable[[Round], None] | None = None,
               solver: str = "highs") -> Coordination:
    """Run the admm protocol to ``tolerance`` (relative) or ``max_rounds``, the councils
    running on ``engine`` (default: in this process). ``solver`` is the protocols' common
    signature: ADMM's councils solve QPs with HiGHS whatever it says."""
    engine = engine or LocalEngine()
    parts = split(lp, owner, names)
    engine.start([(Council, (d, rho)) for d in parts.councils])
    try:
        return _rounds(lp, parts, tolerance, max_rounds, rho, engine, progress)
    finally:
        engine.close()


def _rounds(lp: LPData, parts: Split, tolerance: float, max_rounds: int, rho: float,
            engine: Engine, progress: Callable[[Round], None] | None) -> Coordination:
    data, shared, centre_columns = parts
    m_shared = len(shared)
    position = np.full(lp.num_rows, -1, dtype=np.int64)
    position[shared] = np.arange(m_shared)
    local_rows = [position[d.shared_rows] for d in data]
    # the centre's own columns (λ): a participant solved in closed form
    centre_B = lp.A.tocsc()[:, centre_columns][shared].tocsr() if len(centre_columns) else (
        sp.csr_matrix((m_shared, 0)))
    centre_rows = np.flatnonzero(np.diff(centre_B.indptr) > 0)
    count = np.bincount(np.concatenate(local_rows + [centre_rows]).astype(np.int64),
                        minlength=m_shared).astype(np.float64)
    lower, upper = lp.row_lower[shared], lp.row_upper[shared]
    scale = 1.0 + np.maximum(np.abs(np.where(np.isfinite(lower), lower, 0.0)),
                             np.abs(np.where(np.isfinite(upper), upper, 0.0)))
    c_norm = float(np.linalg.norm(lp.c))
    z = [np.zeros(len(r)) for r in local_rows]
    z_centre = np.zeros(len(centre_rows))
    w = np.zeros(m_shared)
    centre_x = np.zeros(len(centre_columns))
    history: list[Round] = []
    converged = False
    started = time.perf_counter()
    total_rounds = 0
    stopped = None
    for round_number in range(1, max_rounds + 1):
        total_rounds = round_number
        y = posted_prices(-rho * w, lower, upper)
        requests = [(z[k] - w[rows], y[rows], rho) for k, rows in enumerate(local_rows)]
        try:
            answers = engine.round(requests)
        except RuntimeError as failure:  # the engine gave up on a worker: keep the last plan
            stopped = str(failure)
            break
        bad = [f"{d.name} ({a.status})" for d, a in zip(data, answers, strict=True)
               if not np.all(np.isfinite(a.contribution))]
        if bad:  # keep the last round's plan and say why
            stopped = f"council(s) {', '.join(bad)} found no plan"
            break
        centre_x, centre_v = _centre(lp, centre_columns, centre_B, centre_rows,
                                     z_centre - w[centre_rows], rho)
        # reconcile shared rows
        total = np.zeros(m_shared)
        for rows, answer in zip(local_rows, answers, strict=True):
            np.add.at(total, rows, answer.contribution)
        np.add.at(total, centre_rows, centre_v)
        offered = total + count * w
        settled = np.clip(offered, lower, upper)
        shift = (settled - offered) / np.maximum(count, 1.0)
        z_old = [zk.copy() for zk in z] + [z_centre.copy()]
        z = [answer.contribution + w[rows] + shift[rows]
             for rows, answer in zip(local_rows, answers, strict=True)]
        z_centre = centre_v + w[centre_rows] + shift[centre_rows]
        w = -shift
        # measures
        violation = np.maximum(lower - total, total - upper)
        mismatch = float(np.max(np.maximum(violation, 0.0) / scale, initial=0.0))
        objective = float(lp.c[centre_columns] @ centre_x) + sum(a.objective for a in answers)
        centre_reduced = lp.c[centre_columns] - centre_B.T @ y
        centre_allowed = allowed_reduced_costs(centre_reduced, lp.col_lower[centre_columns],
                                               lp.col_upper[centre_columns])
        dual_objective = (sum(a.dual_value for a in answers) + bound_term(y, lower, upper)
                          + bound_term(centre_allowed, lp.col_lower[centre_columns],
                                       lp.col_upper[centre_columns]))
        gap = abs(objective - dual_objective) / (1 + abs(objective) + abs(dual_objective))
        dual_residual = math.sqrt(sum(a.dual_residual for a in answers)
                                  + float(np.sum((centre_reduced - centre_allowed) ** 2))
                                  ) / (1 + c_norm)
        primal = math.sqrt(sum(float(np.sum((a.contribution - zk) ** 2))
                               for a, zk in zip(answers, z, strict=True))
                           + float(np.sum((centre_v - z_centre) ** 2)))
        dual = rho * math.sqrt(sum(float(np.sum((new - old) ** 2)) for new, old in
                                   zip([*z, z_centre], z_old, strict=True)))
        floats = sum(2 * len(rows) + len(rows) + 3 for rows in local_rows)
        record = Round(round=round_number, mismatch=mismatch, objective=objective,
                       dual_objective=dual_objective, gap=gap, dual_residual=dual_residual,
                       step=rho, messages=2 * len(data), bytes=8 * floats,
                       seconds=time.perf_counter() - started)
        history.append(record)
        if progress is not None:
            progress(record)
        if mismatch <= tolerance and gap <= tolerance and dual_residual <= tolerance:
            converged = True
            break
        if round_number % ADAPT_EVERY == 0:  # balance the residuals (Boyd et al., §3.4.1)
            if primal > 10 * dual:
                rho, w = rho * 2.0, w / 2.0
            elif dual > 10 * primal:
                rho, w = rho / 2.0, w * 2.0
    # the prices are those the councils last planned against, with their own duals there:
    # the dual point whose gap and residual the stopping rule measured (w has moved since,
    # but no council has priced its rows at the moved prices)
    final = y if history else posted_prices(-rho * w, lower, upper)
    x, row_dual = collect_plan(lp, parts, engine.results(), centre_x, final)
    return Coordination(x=x, row_dual=row_dual, converged=converged, history=history,
                        rounds=total_rounds, stopped=stopped)


def _centre(lp: LPData, columns: np.ndarray, B: sp.csr_matrix, rows: np.ndarray,
            proposal: np.ndarray, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """The centre's own columns (λ) against its proposal: min c'x + ρ/2 ||B x - d||² over the
    column bounds, one column at a time (there is one λ). Returns x and its contributions."""
    x = np.zeros(len(columns))
    block = B[rows].tocsc()
    for j in range(len(columns)):  # at most one column: λ
        b = block[:, j].toarray().ravel()
        c = lp.c[columns[j]]
        lo, hi = lp.col_lower[columns[j]], lp.col_upper[columns[j]]
        curvature = rho * float(b @ b)
        x[j] = np.clip((rho * float(b @ proposal) - c) / curvature, lo, hi) if curvature else lo
    return x, block @ x
