"""LP solvers: each takes an :class:`LPData` and :class:`SolverOptions`, returns a
:class:`SolverResult`. They see matrices and bounds only; no scenario, no names.

A new backend is a class with a ``name`` and a ``solve(lp, options)`` method, added to
``SOLVERS``.
"""

from __future__ import annotations

from typing import Protocol

from .options import METHODS, SolverOptions
from .problem import LPData
from .result import SolverResult, Status


class Solver(Protocol):
    name: str

    def solve(self, lp: LPData, options: SolverOptions | None = None) -> SolverResult: ...


SOLVER_NAMES = ("auto", "highs")


def get_solver(name: str = "auto", lp: LPData | None = None) -> tuple[Solver, str]:
    """The solver called ``name`` and a sentence saying why it was chosen.

    ``auto`` picks HiGHS, the only backend so far, for every size.
    """
    if name not in SOLVER_NAMES:
        raise ValueError(f"unknown solver {name!r}; choose one of {', '.join(SOLVER_NAMES)}")
    from .highs import HighsSolver

    if name == "highs":
        return HighsSolver(), "HiGHS, as asked"
    size = "" if lp is None else f" ({lp.nnz:,} nonzeros)"
    return HighsSolver(), f"HiGHS, the exact solver: the only backend installed{size}"


def solve(lp: LPData, solver: str = "auto", options: SolverOptions | None = None) -> SolverResult:
    """Solve ``lp`` with the named backend."""
    backend, _ = get_solver(solver, lp)
    return backend.solve(lp, options)


__all__ = ["LPData", "METHODS", "SOLVER_NAMES", "Solver", "SolverOptions", "SolverResult",
           "Status", "get_solver", "solve"]
