"""What a solver hands back: one object with a status, a message and the numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Status(StrEnum):
    """Outcome of a solve, as written in summary.json (see ../shared/DESIGN.md)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a verified plan whose prices do not prove it optimal
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass
class SolverResult:
    """Solution of ``LPData`` (minimisation).

    Duals follow one convention for every backend: ``c - A.T @ row_dual - col_dual = 0`` at an
    optimum; a row at its lower bound has ``row_dual >= 0``, at its upper bound ``<= 0``
    (so ``row_dual[i]`` is d(objective)/d(bound of row i)).

    Arrays are empty when the solver produced no point. ``has_solution`` tells whether ``x``
    is a primal point worth keeping (e.g. the best one found before a time limit).
    """

    status: Status
    message: str
    solver: str
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n,)
    row_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (m,)
    col_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n,)
    objective: float = float("nan")  # c @ x + offset
    dual_objective: float = float("nan")
    iterations: int = 0
    seconds: float = 0.0
    details: dict[str, object] = field(default_factory=dict)

    @property
    def has_solution(self) -> bool:
        return self.x.size > 0

    @property
    def has_duals(self) -> bool:
        return self.row_dual.size > 0
