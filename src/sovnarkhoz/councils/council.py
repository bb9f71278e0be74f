"""One council's part of the plan: its own columns, its private rows, its shares of the rows
it has in common with other councils, and the problem it solves each round.

The council never sees another council's columns. From the centre it receives, for each
shared row it takes part in, a proposed contribution d (the centre's share for it, less the
posted price in the ADMM's scaled form) and the posted prices y; it answers with its
contribution v = B x and two numbers that let the centre judge optimality without seeing
its books: the squared size of its dual residual and its part of the dual objective.

    planning problem (QP):  min c'x + (ρ/2) ||v - d||² + (σ/2) ||x - x_last||²
                            s.t. v = B x, private rows, bounds
(σ = PROXIMAL·ρ: a proximal term on the council's own plan, which vanishes at convergence,
keeps every sub-problem strictly convex and each round's plan close to the last.)
    its reduced costs:      z = c - A_private' y_private - B' y  (y_private: its own row duals)

The prices of a council's own rows in the assembled plan are its duals when it plans against
the centre's final prices y. Under ADMM these are the duals of its last planning problem, at
the prices posted in the last round, whose gap and dual residual the stopping rule measured.
The protocols that mix exact answers (prices, dantzig-wolfe, quotas) post their final prices
once more and each council prices its own rows by its LP at them, min (c - B'y)'x over its
own rows and bounds (its pricing LP, ``proposals.PricingCouncil``): where y is
an optimal dual of the shared rows, the Lagrangian g(y) is the national optimum, so the
council's duals complete y to an optimal dual of the whole LP, complementary to every optimal
plan, with reduced costs of the right sign on every column it owns. (The duals of a problem
at fixed contributions or quotas are not prices: the plan is pinned by the shared rows, its
own rows are degenerate there, and their duals are whatever vertex, or penalty, the solver
ends at.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ..solvers.duality import allowed_reduced_costs, bound_term
from ..solvers.persistent import PersistentHighs
from ..solvers.problem import LPData


@dataclass
class CouncilData:
    """What a council is given once: its block of the LP.

    columns: (n_k,) LP columns it owns; private_rows: (p_k,) rows only it touches;
    shared_rows: (s_k,) rows it shares; A_private (p_k, n_k), B (s_k, n_k).
    """

    name: str
    columns: np.ndarray
    private_rows: np.ndarray
    shared_rows: np.ndarray
    c: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    A_private: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    B: sp.csr_matrix


class CouncilPlan(NamedTuple):
    """A council's final word, whatever its protocol: its plan (n_k,) and its own rows'
    prices (p_k,) (``protocol.collect_plan`` puts them into the national plan)."""

    x: np.ndarray
    private_duals: np.ndarray


@dataclass
class Answer:
    """What a council sends back after a round."""

    contribution: np.ndarray  # (s_k,) v = B x
    dual_residual: float  # squared norm of its reduced costs' infeasible part
    dual_value: float  # its private rows' and columns' part of the dual objective
    objective: float  # c'x, its part of the plan's objective
    status: str


class Council:
    """A council's two persistent models (QP for planning, LP for pricing)."""

    def __init__(self, data: CouncilData, rho: float):
        self.data = data
        n, s = len(data.columns), len(data.shared_rows)
        # planning QP over [x, v]: private rows, then B x - v = 0
        A = sp.vstack([sp.hstack([data.A_private, sp.csr_matrix((len(data.private_rows), s))]),
                       sp.hstack([data.B, -sp.identity(s, format="csr")])], format="csr")
        lp = LPData(
            c=np.concatenate([data.c, np.zeros(s)]),
            A=A,
            row_lower=np.concatenate([data.row_lower, np.zeros(s)]),
            row_upper=np.concatenate([data.row_upper, np.zeros(s)]),
            col_lower=np.concatenate([data.col_lower, np.full(s, -np.inf)]),
            col_upper=np.concatenate([data.col_upper, np.full(s, np.inf)]),
        )
        self.planning = PersistentHighs(lp, _curvature(n, s, rho))
        # HiGHS's active-set QP can cycle on degenerate councils (ussr1957's RSFSR over three
        # years: 90,000 iterations at one objective); its feasible iterate then serves, as
        # ADMM tolerates inexact steps
        self.planning.highs.setOptionValue("qp_iteration_limit",
                                           QP_ITERATIONS * (n + s + len(data.private_rows)))
        self.rho = rho
        self.x = np.zeros(n)
        self.private_duals = np.zeros(len(data.private_rows))

    def answer(self, request: tuple[np.ndarray, np.ndarray, float]) -> Answer:
        """A round as an engine asks it: (proposal, prices, ρ)."""
        return self.plan(*request)

    def state(self) -> np.ndarray:
        """The council's last plan: all it needs to resume (its proximal centre)."""
        return self.x

    def restore(self, x: np.ndarray) -> None:
        self.x = x

    def result(self) -> CouncilPlan:
        """Its plan and its own rows' prices."""
        return CouncilPlan(self.x, self.private_duals)

    def plan(self, proposal: np.ndarray, prices: np.ndarray, rho: float) -> Answer:
        """One round: plan against the proposal, then measure own optimality at ``prices``."""
        d = self.data
        n = len(d.columns)
        if n == 0:  # a council that runs nothing (e.g. a republic without techniques)
            return Answer(np.zeros(len(proposal)), 0.0, 0.0, 0.0, "optimal")
        if rho != self.rho:
            self.planning.set_hessian(_curvature(n, len(proposal), rho))
            self.rho = rho
        self.planning.set_cost(np.concatenate([d.c - PROXIMAL * rho * self.x, -rho * proposal]))
        planned = self.planning.solve()
        if not planned.has_solution:
            return Answer(np.full(len(proposal), np.nan), np.inf, -np.inf, np.nan,
                          planned.status.value)
        self.x = planned.x[:n]
        if planned.has_duals:
            self.private_duals = planned.row_dual[: len(d.private_rows)]
        reduced = d.c - d.A_private.T @ self.private_duals - d.B.T @ prices
        allowed = allowed_reduced_costs(reduced, d.col_lower, d.col_upper)
        value = (bound_term(self.private_duals, d.row_lower, d.row_upper)
                 + bound_term(allowed, d.col_lower, d.col_upper))
        return Answer(d.B @ self.x, float(np.sum((reduced - allowed) ** 2)), value,
                      float(d.c @ self.x), planned.status.value)


QP_ITERATIONS = 10
"""A council's planning QP stops after this many iterations per variable and row."""
PROXIMAL = 1e-3
"""Weight of the proximal term on a council's own columns, relative to ρ."""


def _curvature(columns: int, shared: int, rho: float) -> np.ndarray:
    return np.concatenate([np.full(columns, PROXIMAL * rho), np.full(shared, rho)])
