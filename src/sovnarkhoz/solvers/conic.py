"""The harmony objective solved at once as a conic program by Clarabel (an interior-point
solver for second-order and exponential cones), instead of by rounds of tangent planes.

Harmony H(s) of a share s >= 0 is u - u²/2 below the target (u = s - 1 < 0) and ln(1 + u)
above it. It is the best split of u into a shortfall a <= 0 and a surplus b >= 0:

    H(s) = max { (a - a²/2) + ln(1 + b) : a + b = s - 1, a <= 0, b >= 0 }

(both pieces have slope 1 at 0 and are concave, so moving any part of u from one side to the
other never helps). Each term i then gets four variables a_i, b_i, q_i, t_i with

    s_i - a_i - b_i = 1,   a_i <= 0,   b_i >= 0,
    q_i <= a_i - a_i²/2   (a rotated second-order cone: a_i² <= 2·(a_i - q_i)·1),
    t_i <= ln(1 + b_i)    (the exponential cone: 1·exp(t_i / 1) <= 1 + b_i),

and the LP's value column h_i = q_i + t_i; the tangent rows of the LP are dropped (h = H(s)
satisfies every one of them). Clarabel minimises c'x subject to G x + z = g, z in a product of
cones; row and column duals are read back in the convention of
:class:`~sovnarkhoz.solvers.SolverResult`.
"""

from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from .options import SolverOptions
from .problem import LPData
from .result import SolverResult, Status
from .tangents import Tangents

INSTALL_HINT = ("the conic method needs Clarabel: pip install 'sovnarkhoz[harmony]' "
                "(or pip install clarabel)")


def clarabel_available() -> bool:
    try:
        import clarabel  # noqa: F401
    except ImportError:
        return False
    return True


def solve_harmony_conic(lp: LPData, tangents: Tangents, tangent_rows: slice,
                        options: SolverOptions | None = None) -> SolverResult:
    """Maximise the LP's harmony terms exactly (see the module docstring). ``lp`` holds the
    tangent rows ``tangent_rows`` (ignored here, their duals 0). Returns x (n,) with h = H(s),
    row duals (m,) and column duals (n,) as any LP solver would."""
    import clarabel

    options = options or SolverOptions()
    started = time.perf_counter()
    m, n = lp.A.shape
    keep = np.ones(m, dtype=bool)
    keep[tangent_rows] = False
    rows = np.flatnonzero(keep)
    A = lp.A[rows]
    lower, upper = lp.row_lower[rows], lp.row_upper[rows]
    Q = len(tangents.share)
    N = n + 4 * Q  # x, then a, b, q, t
    a_col, b_col, q_col, t_col = (n + k * Q + np.arange(Q) for k in range(4))

    def cols(matrix: sp.spmatrix) -> sp.csr_matrix:
        """``matrix`` (k, n) widened to all N variables."""
        return sp.hstack([matrix, sp.csr_matrix((matrix.shape[0], N - n))], format="csr")

    def pick(columns: np.ndarray, values: np.ndarray | float) -> sp.csr_matrix:
        """One row per entry of ``columns``, ``values`` in that column."""
        k = len(columns)
        return sp.csr_matrix((np.broadcast_to(values, (k,)).astype(np.float64),
                              (np.arange(k), columns)), shape=(k, N))

    r = 1.0 / math.sqrt(2.0)
    equal = np.isfinite(lower) & (lower == upper)
    has_upper = np.isfinite(upper) & ~equal
    has_lower = np.isfinite(lower) & ~equal
    col_upper = np.flatnonzero(np.isfinite(lp.col_upper))
    col_lower = np.flatnonzero(np.isfinite(lp.col_lower))
    identity = sp.eye(N, format="csr")
    per_term = (np.arange(3)[None, :] * Q + np.arange(Q)[:, None]).ravel()  # cone by cone
    # each block: G (k, N), g (k,) with G x + z = g, z in the block's cones
    zero_G = sp.vstack([cols(A[equal]),
                        pick(tangents.share, 1.0) - pick(a_col, 1.0) - pick(b_col, 1.0),
                        pick(tangents.value, 1.0) - pick(q_col, 1.0) - pick(t_col, 1.0)])
    zero_g = np.concatenate([upper[equal], np.ones(Q), np.zeros(Q)])
    less_G = sp.vstack([cols(A[has_upper]), -cols(A[has_lower]), identity[col_upper],
                        -identity[col_lower], pick(a_col, 1.0), pick(b_col, -1.0)])
    less_g = np.concatenate([upper[has_upper], -lower[has_lower], lp.col_upper[col_upper],
                             -lp.col_lower[col_lower], np.zeros(2 * Q)])
    # q <= a - a²/2, i.e. a² <= 2 (a - q)·1: z = ((a - q + 1)/√2, (a - q - 1)/√2, a) in SOC
    difference = pick(a_col, -r) + pick(q_col, r)
    soc_G = sp.vstack([difference, difference, pick(a_col, -1.0)], format="csr")[per_term]
    soc_g = np.concatenate([np.full(Q, r), np.full(Q, -r), np.zeros(Q)])[per_term]
    # t <= ln(1 + b): z = (t, 1, 1 + b) in the exponential cone (y exp(x / y) <= z)
    exp_G = sp.vstack([pick(t_col, -1.0), sp.csr_matrix((Q, N)), pick(b_col, -1.0)],
                      format="csr")[per_term]
    exp_g = np.concatenate([np.zeros(Q), np.ones(Q), np.ones(Q)])[per_term]
    G = sp.vstack([zero_G, less_G, soc_G, exp_G], format="csc")
    g = np.concatenate([zero_g, less_g, soc_g, exp_g])
    cones = ([clarabel.ZeroConeT(zero_G.shape[0]), clarabel.NonnegativeConeT(less_G.shape[0])]
             + [clarabel.SecondOrderConeT(3)] * Q + [clarabel.ExponentialConeT()] * Q)

    c = np.concatenate([lp.c, np.zeros(4 * Q)])
    c[tangents.value] = 0.0  # the objective moves to q and t
    c[q_col] = -tangents.weight
    c[t_col] = -tangents.weight
    settings = clarabel.DefaultSettings()
    settings.verbose = bool(options.verbose)
    tolerance = min(options.tolerance or 1e-9, 1e-9)
    settings.tol_gap_abs = settings.tol_gap_rel = tolerance
    settings.tol_feas = tolerance
    if options.time_limit is not None:
        settings.time_limit = float(options.time_limit)
    solver = clarabel.DefaultSolver(sp.csc_matrix((N, N)), c, G, g, cones, settings)
    solution = solver.solve()
    status = _status(str(solution.status))
    result = SolverResult(status=status, message=f"Clarabel: {solution.status}",
                          solver="clarabel", iterations=int(solution.iterations),
                          seconds=time.perf_counter() - started)
    if status is not Status.OPTIMAL:
        return result
    x = np.asarray(solution.x)
    z = np.asarray(solution.z)
    result.x = _settled(A, lower, tangents, x[:n].copy())
    result.objective = float(lp.c @ result.x)
    # duals in SolverResult's convention (c - Aᵀy - d = 0, y >= 0 at a lower bound) from
    # Clarabel's (c + Gᵀz = 0): y = -z on rows as they are, +z on rows negated
    row_dual, col_dual = np.zeros(m), np.zeros(n)
    row_dual[rows[equal]] = -z[:int(equal.sum())]
    at = zero_G.shape[0]
    for where, sign, target in ((rows[has_upper], -1.0, row_dual),
                                (rows[has_lower], 1.0, row_dual),
                                (col_upper, -1.0, col_dual), (col_lower, 1.0, col_dual)):
        target[where] += sign * z[at:at + len(where)]
        at += len(where)
    result.row_dual, result.col_dual = row_dual, col_dual
    result.details.update(conic_iterations=int(solution.iterations))
    return result


def _settled(A: sp.csr_matrix, lower: np.ndarray, tangents: Tangents, x: np.ndarray
             ) -> np.ndarray:
    """``x`` with each share taking up what its balance row leaves over (an interior-point
    solution leaves a little everywhere), so that the share is what the plan delivers, and
    each value column at the harmony of its share exactly (the cones hold it only within
    the solver's tolerance): the objective is then that of the plan as tabulated. ``A``,
    ``lower``: the LP's rows without the tangents."""
    by_column = A.tocsc()
    share = tangents.share
    count = np.diff(by_column.indptr)[share]
    single = count == 1  # a share with a target takes from exactly one balance row
    first = by_column.indptr[share[single]]
    row, coefficient = by_column.indices[first], by_column.data[first]
    activity = A[row] @ x
    room = np.maximum(activity - lower[row], 0.0)
    x[share[single]] += room / np.maximum(-coefficient, 1e-300)
    x[share] = np.maximum(x[share], 0.0)
    x[tangents.value] = tangents.function.value(x[share])
    return x


def _status(name: str) -> Status:
    if name in ("Solved", "AlmostSolved"):
        return Status.OPTIMAL if name == "Solved" else Status.FEASIBLE
    if "Infeasible" in name:
        return Status.INFEASIBLE
    if "TimeLimit" in name or "MaxIterations" in name:
        return Status.TIME_LIMIT
    return Status.ERROR
