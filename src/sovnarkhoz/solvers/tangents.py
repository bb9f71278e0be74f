"""A separable concave objective maximised exactly by LPs of tangent planes (outer
approximation, Kelley's cutting planes in one dimension per term).

The objective Σ_i w_i f(s_i), f concave, is replaced by Σ_i w_i h_i with value columns h_i
held under tangents of f: h_i <= f(s_k) + f'(s_k)·(s_i - s_k), one row per tangent point s_k.
Each LP's optimum is an upper bound on the true optimum (the tangents lie above f); its
shares s evaluated in f give a feasible plan's true objective, a lower bound. Where a term's
h_i stands above f(s_i), the tangent at s_i is added and the LP solved again, until the two
bounds meet within the tolerance. Only the matrices are seen here: the formulation says which
columns hold s and h (:class:`Tangents`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from .options import SolverOptions
from .problem import LPData
from .result import SolverResult, Status

GRID = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0,
                 1000.0])
"""The shares at which every term starts with a tangent (finer near the target, share 1,
where plans usually stand; a few far out, so that no share runs off along one tangent)."""

GAP = 1e-10
"""Stop when (upper - lower) / (1 + |upper| + |lower|) is at most this."""

ROUNDS = 60
"""At most this many LPs."""


class Concave(Protocol):
    """A concave function of a share s >= 0, elementwise on arrays."""

    @staticmethod
    def value(s: np.ndarray) -> np.ndarray: ...

    @staticmethod
    def slope(s: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Tangents:
    """Where the concave terms sit in an LP: (Q,) column of each share s_i, (Q,) column of
    its value h_i, (Q,) weight w_i >= 0 (the LP's cost of h_i is -w_i: it minimises), and
    the function f."""

    share: np.ndarray
    value: np.ndarray
    weight: np.ndarray
    function: type[Concave]

    def rows(self, terms: np.ndarray, at: np.ndarray, num_cols: int
             ) -> tuple[sp.csr_matrix, np.ndarray]:
        """Tangent rows h_i - f'(a)·s_i <= f(a) - f'(a)·a for terms ``terms`` (k,) at shares
        ``at`` (k,): the (k, num_cols) matrix and the (k,) upper bounds."""
        f = self.function
        slope = f.slope(at)
        k = len(terms)
        rows = np.repeat(np.arange(k), 2)
        cols = np.column_stack([self.value[terms], self.share[terms]]).ravel()
        vals = np.column_stack([np.ones(k), -slope]).ravel()
        A = sp.csr_matrix((vals, (rows, cols)), shape=(k, num_cols))
        return A, f.value(at) - slope * at

    def initial(self, num_cols: int) -> tuple[sp.csr_matrix, np.ndarray]:
        """The tangents at :data:`GRID` for every term, grid-point-major."""
        Q = len(self.share)
        terms = np.tile(np.arange(Q), len(GRID))
        return self.rows(terms, np.repeat(GRID, Q), num_cols)

    def bounds(self, x: np.ndarray) -> tuple[float, float]:
        """(upper, lower): Σ w·h of the LP's solution and Σ w·f(s) of its shares."""
        w = self.weight
        return (float(w @ x[self.value]),
                float(w @ self.function.value(np.maximum(x[self.share], 0.0))))


def relative_gap(upper: float, lower: float) -> float:
    return (upper - lower) / (1.0 + abs(upper) + abs(lower))


def _warm_model(backend, lp: LPData, options: SolverOptions):
    """A model kept between rounds when ``backend`` can add rows to one (each round then
    restarts from the last basis, by dual simplex: the new tangents cut off the last point
    and the basis stays dual feasible); None otherwise (each round solved afresh)."""
    from .capabilities import Capability, capabilities

    if Capability.ADD_ROWS not in capabilities(backend):
        return None
    return backend.persistent(lp, options)


def solve_by_tangents(backend, lp: LPData, tangents: Tangents,
                      options: SolverOptions | None = None,
                      gap: float = GAP, rounds: int = ROUNDS
                      ) -> tuple[SolverResult, LPData]:
    """Solve ``lp`` (whose concave terms are ``tangents``, with its first tangent rows) by
    adding tangents until the bounds meet within ``gap``. Returns the last LP's result (its
    ``details`` gain ``tangent_rounds``, ``tangent_gap``, ``tangent_rows``, ``upper`` and
    ``lower``) and that last LP (the rows it was solved with). A result that is not optimal
    is returned as it came; one that still has a gap after ``rounds`` LPs has status
    TIME_LIMIT (its plan feasible, its gap stated)."""
    from .capabilities import is_exact

    options = options or SolverOptions()
    if is_exact(backend):  # its tightest feasibility tolerance, for bounds that can meet
        options = replace(options, tolerance=min(options.tolerance or 1e-9, 1e-9))
    else:  # a first-order solver's LPs are only as good as its tolerance
        gap = max(gap, options.tolerance or getattr(backend, "default_tolerance", gap))
    warm = _warm_model(backend, lp, options)
    started = time.perf_counter()
    iterations = 0
    last_cut = np.full(len(tangents.share), -1.0)  # where each term's newest tangent touches
    deadline = None if options.time_limit is None else started + options.time_limit
    result: SolverResult | None = None
    now = np.inf
    for round_number in range(1, rounds + 1):
        if deadline is not None and result is not None:  # the time limit is for all LPs
            left = deadline - time.perf_counter()
            if left <= 0:
                result.status = Status.TIME_LIMIT
                result.message = (f"tangent planes: time limit after {round_number - 1} LPs, "
                                  f"gap {now:.2e}")
                break
            options = replace(options, time_limit=left)
            if warm is not None:
                warm.set_time_limit(left)
        result = warm.solve() if warm is not None else backend.solve(lp, options)
        iterations += result.iterations
        if result.status is not Status.OPTIMAL:
            return result, lp
        x = result.x
        upper, lower = tangents.bounds(x)
        now = relative_gap(upper, lower)
        s = np.maximum(x[tangents.share], 0.0)
        excess = tangents.weight * (x[tangents.value] - tangents.function.value(s))
        result.details.update(tangent_rounds=round_number, tangent_gap=now,
                              tangent_rows=int(lp.num_rows), upper=upper, lower=lower)
        if now <= gap:
            break
        terms = np.flatnonzero((excess > gap * (1.0 + abs(upper)) / max(len(s), 1))
                               & (np.abs(s - last_cut) > 1e-12 * (1.0 + s)))
        if not terms.size:  # every term stands on its own tangent: the solver's precision
            break
        last_cut[terms] = s[terms]
        A, upper_bound = tangents.rows(terms, s[terms], lp.num_cols)
        lower_bound = np.full(len(terms), -np.inf)
        lp = replace(lp, A=sp.vstack([lp.A, A], format="csr"),
                     row_lower=np.concatenate([lp.row_lower, lower_bound]),
                     row_upper=np.concatenate([lp.row_upper, upper_bound]))
        if warm is not None:
            warm.add_rows(A, lower_bound, upper_bound)
    else:
        result.status = Status.TIME_LIMIT
        result.message = (f"tangent planes: gap {now:.2e} after {rounds} LPs (asked "
                          f"{gap:.0e})")
    assert result is not None  # rounds >= 1
    # each value column at the function of its share: the objective is the plan's own
    # (the LP's, an upper bound, stays in details as ``upper``)
    result.x = result.x.copy()
    result.x[tangents.value] = tangents.function.value(
        np.maximum(result.x[tangents.share], 0.0))
    result.objective = float(lp.c @ result.x)
    result.iterations = iterations
    result.seconds = time.perf_counter() - started
    return result, lp
