"""Can one column of an LP reach 1? The question behind ``earliest`` and ``explain``.

Both ask whether a share λ of some targets can be met in full: an LP whose column λ is
maximised, capped at 1. HiGHS answers it exactly. A first-order solver (pdlp) answers to a
relative KKT error ε, so its λ is trusted only with a margin: λ has reached 1 when its plan
holds λ >= 1 - margin (the plan is then checked by the caller against the scenario), and it
cannot when the dual bound (the dual objective, an upper bound on λ to within ε) is below
1 - margin; in between ε is divided by 100 and the LP solved again from the last point, down
to ``FINEST``, where the level found so far is the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .capabilities import is_exact
from .options import SolverOptions
from .problem import LPData
from .result import SolverResult, Status

if TYPE_CHECKING:
    from . import Solver

MET = 1.0 - 1e-7
"""An exact solver's λ at or above this counts as 1 (every chosen target met in full)."""

FIRST_ORDER_TOLERANCE = 1e-6
"""The relative KKT error a first-order solver is first asked for (when none is given)."""

FINEST = 1e-9
"""The finest relative KKT error asked of a first-order solver before it is taken at its word."""


@dataclass
class Reach:
    """level : λ in the solver's plan, in [0, 1] (NaN: the LP's other rows already conflict).
    upper : an upper bound on the best λ (exact for HiGHS; to within ``tolerance`` for pdlp).
    reached : whether λ = 1 can be had. tolerance : the relative KKT error of the last solve
    (0: an exact solver). solves : LPs solved. result : the last solver result."""

    level: float
    upper: float
    reached: bool
    tolerance: float
    solves: int
    result: SolverResult


def margin(tolerance: float) -> float:
    """How far below 1 a first-order λ may be and still count as 1 (and how far below 1 its
    bound must be to rule 1 out): ten times the relative KKT error, and never below 1 - MET."""
    return max(1.0 - MET, 10.0 * tolerance)


def reach(lp: LPData, column: int, solver: Solver, options: SolverOptions | None = None
          ) -> Reach:
    """Maximise column ``column`` of ``lp`` (its cost and other columns' costs are replaced
    by -1 on it, 0 elsewhere; its upper bound by 1) with ``solver`` (a backend of
    ``solvers.get_solver``) and decide whether it reaches 1. An exact solver
    (:attr:`Capability.EXACT`) is taken at its word; any other is refined as above."""
    options = options or SolverOptions()
    c = np.zeros(lp.num_cols)
    c[column] = -1.0
    col_upper = lp.col_upper.copy()
    col_upper[column] = min(1.0, float(col_upper[column]))
    problem = replace(lp, c=c, col_upper=col_upper, offset=0.0)
    exact = is_exact(solver)
    tolerance = 0.0 if exact else (options.tolerance or FIRST_ORDER_TOLERANCE)
    start: SolverResult | None = None
    solves = 0
    while True:
        asked = options if exact else replace(options, tolerance=tolerance)
        result = solver.solve(problem, asked, start)
        solves += 1
        if result.status is Status.INFEASIBLE:
            return Reach(float("nan"), float("nan"), False, tolerance, solves, result)
        if result.status is not Status.OPTIMAL or not result.has_solution:
            raise RuntimeError(f"the solver stopped with {result.status.value} "
                               f"({result.message})")
        if exact:
            level = float(min(-result.objective, 1.0))
            return Reach(level, level, level >= MET, 0.0, solves, result)
        level = float(np.clip(result.x[column], 0.0, 1.0))
        dual = result.dual_objective
        upper = 1.0 if dual is None or not np.isfinite(dual) else float(min(1.0, -dual))
        if level >= 1.0 - margin(tolerance):
            return Reach(level, upper, True, tolerance, solves, result)
        if upper < 1.0 - margin(tolerance) or tolerance <= FINEST:
            return Reach(level, upper, False, tolerance, solves, result)
        tolerance = max(tolerance / 100.0, FINEST)
        start = result
