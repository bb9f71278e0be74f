"""LP solvers: each takes an :class:`LPData` and :class:`SolverOptions`, returns a
:class:`SolverResult`. They see matrices and bounds only; no scenario, no names.

A new backend is a class with the members of :class:`Solver` (a ``name``, its
:class:`Capability` flags, a ``default_tolerance``, ``settings_for`` and ``solve``), and a
loader for it in :data:`BACKENDS`. Callers never test a backend's name: they ask its
capabilities.
"""

from __future__ import annotations

from typing import Protocol

from .capabilities import Capability, capabilities, is_exact
from .options import DEVICES, METHODS, SolverOptions
from .problem import LPData
from .result import SolverResult, Status


class Solver(Protocol):
    """The seam between the planner and a backend.

    name : how plans and logs name it (``summary.json``'s ``solver``).
    capabilities : what its results can be relied on for (:class:`Capability`).
    default_tolerance : what ``SolverOptions.tolerance = None`` stands for (a feasibility
        tolerance for an EXACT solver, a relative KKT error otherwise).
    """

    name: str
    capabilities: Capability
    default_tolerance: float

    def settings_for(self, lp: LPData, options: SolverOptions) -> tuple[SolverOptions, str]:
        """``options`` with the choices this solver makes for ``lp`` filled in (HiGHS: its
        method by size), and a few words on them ("" when there are none)."""
        ...

    def solve(self, lp: LPData, options: SolverOptions | None = None,
              start: SolverResult | None = None) -> SolverResult:
        """Solve ``lp``; ``start``, an earlier result of the same shape, is used when the
        solver has :attr:`Capability.WARM_START` and ignored otherwise."""
        ...


def _highs() -> Solver:
    from .highs import HighsSolver

    return HighsSolver()


def _pdlp() -> Solver:
    from .pdlp import INSTALL_HINT, PdlpSolver, torch_available

    if not torch_available():
        raise ImportError(INSTALL_HINT)
    return PdlpSolver()


BACKENDS = {"highs": ("HiGHS", _highs), "pdlp": ("pdlp", _pdlp)}
"""Each backend's name, how sentences spell it, and a loader for it (imported only when
asked for; a loader raises ImportError, saying how to install what is missing, when its
package is absent)."""

SOLVER_NAMES = ("auto", *BACKENDS)
PDLP_AUTO_NONZEROS = 200_000
"""``auto`` hands problems with at least this many nonzeros to pdlp when a GPU is visible."""


def get_solver(name: str | Solver = "auto", lp: LPData | None = None,
               device: str = "auto") -> tuple[Solver, str]:
    """The solver called ``name`` and a sentence saying why it was chosen (``name`` may also
    be a backend itself, which is then used as given).

    ``auto``: pdlp on the GPU for problems of PDLP_AUTO_NONZEROS nonzeros or more when PyTorch
    sees a CUDA device (and ``device`` is not cpu); HiGHS otherwise. ``pdlp`` without PyTorch
    raises ImportError saying how to install it.
    """
    if not isinstance(name, str):
        return name, f"{name.name}, as given"
    if name not in SOLVER_NAMES:
        raise ValueError(f"unknown solver {name!r}; choose one of {', '.join(SOLVER_NAMES)}")
    if name != "auto":
        spelled, load = BACKENDS[name]
        return load(), f"{spelled}, as asked"
    from .highs import HighsSolver
    from .pdlp import PdlpSolver, cuda_available
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


__all__ = ["DEVICES", "METHODS", "SOLVER_NAMES", "Capability", "LPData", "Solver",
           "SolverOptions", "SolverResult", "Status", "capabilities", "get_solver", "is_exact",
           "solve"]
