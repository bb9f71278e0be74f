"""LP solvers: each takes an :class:`LPData` and :class:`SolverOptions`, returns a
:class:`SolverResult`. They see matrices and bounds only; no scenario, no names.

A new backend is a class with a ``name`` and a ``solve(lp, options, start)`` method, added to
``get_solver``.
"""

from __future__ import annotations

from typing import Protocol

from .options import DEVICES, METHODS, SolverOptions
from .problem import LPData
from .result import SolverResult, Status


class Solver(Protocol):
    name: str
    default_tolerance: float  # what ``SolverOptions.tolerance = None`` stands for

    def solve(self, lp: LPData, options: SolverOptions | None = None,
              start: SolverResult | None = None) -> SolverResult: ...


SOLVER_NAMES = ("auto", "highs", "pdlp")
PDLP_AUTO_NONZEROS = 200_000
"""``auto`` hands problems with at least this many nonzeros to pdlp when a GPU is visible."""


def get_solver(name: str = "auto", lp: LPData | None = None,
               device: str = "auto") -> tuple[Solver, str]:
    """The solver called ``name`` and a sentence saying why it was chosen.

    ``auto``: pdlp on the GPU for problems of PDLP_AUTO_NONZEROS nonzeros or more when PyTorch
    sees a CUDA device (and ``device`` is not cpu); HiGHS otherwise. ``pdlp`` without PyTorch
    raises ImportError saying how to install it.
    """
    if name not in SOLVER_NAMES:
        raise ValueError(f"unknown solver {name!r}; choose one of {', '.join(SOLVER_NAMES)}")
    from .highs import HighsSolver
    from .pdlp import INSTALL_HINT, PdlpSolver, cuda_available, torch_available

    if name == "highs":
        return HighsSolver(), "HiGHS, as asked"
    if name == "pdlp":
        if not torch_available():
            raise ImportError(INSTALL_HINT)
        return PdlpSolver(), "pdlp, as asked"
    nnz = None if lp is None else lp.nnz
    size = "" if nnz is None else f"{nnz:,} nonzeros"
    if nnz is not None and nnz >= PDLP_AUTO_NONZEROS and device != "cpu" and cuda_available():
        return PdlpSolver(), (f"pdlp on the GPU: {size} is past {PDLP_AUTO_NONZEROS:,}, where "
                              "first-order iterations on a GPU beat an exact solver")
    if nnz is not None and nnz >= PDLP_AUTO_NONZEROS:
        why = "no CUDA device visible" if device != "cpu" else "--device cpu"
        return HighsSolver(), f"HiGHS: {size} is large, but pdlp would run on the CPU ({why})"
    return HighsSolver(), f"HiGHS, the exact solver: {size or 'a small problem'}"


def solve(lp: LPData, solver: str = "auto", options: SolverOptions | None = None,
          start: SolverResult | None = None) -> SolverResult:
    """Solve ``lp`` with the named backend (``start``: an earlier result to warm-start from)."""
    options = options or SolverOptions()
    backend, _ = get_solver(solver, lp, options.device)
    return backend.solve(lp, options, start)


__all__ = ["DEVICES", "LPData", "METHODS", "SOLVER_NAMES", "Solver", "SolverOptions",
           "SolverResult", "Status", "get_solver", "solve"]
