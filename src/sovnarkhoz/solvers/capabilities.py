"""What a solver promises, so that callers ask it rather than test its name.

Each backend declares ``capabilities`` (a :class:`Capability` flag set) and a
``default_tolerance`` (what ``SolverOptions.tolerance = None`` stands for). Everything that
treats backends differently (a re-solve at a tighter tolerance, a first-order answer trusted
only with a margin, the method HiGHS is given, the certificate that explains an infeasible
plan) reads these flags, so a new backend is a class that states them, added to
``solvers.get_solver``.
"""

from __future__ import annotations

from enum import Flag, auto


class Capability(Flag):
    """What a solver's results can be relied on for.

    EXACT : a vertex (basic) solution, feasible to an absolute tolerance; its tolerance is a
        feasibility tolerance. Without it the solver is first-order: its tolerance is a
        relative KKT error, and its answers are trusted only with a margin.
    DUALS : row and column duals (prices) with an optimal point, so a plan's optimality can be
        proven from its own prices.
    WARM_START : ``solve(..., start=earlier_result)`` starts from an earlier solution.
    CERTIFICATES : tells an infeasible LP from an unbounded one by a certificate (a Farkas
        ray, an improving ray) rather than by running out of iterations.
    TIME_LIMIT : honours ``SolverOptions.time_limit`` and keeps the best point found.
    GPU : runs on a CUDA device (``SolverOptions.device``); without it, on the CPU only.
    ADD_ROWS : ``persistent(lp, options)`` keeps a model between solves to which rows can be
        added (``add_rows``), each re-solve starting from the last basis (cutting planes).
    """

    NONE = 0
    EXACT = auto()
    DUALS = auto()
    WARM_START = auto()
    CERTIFICATES = auto()
    TIME_LIMIT = auto()
    GPU = auto()
    ADD_ROWS = auto()


def capabilities(solver: object) -> Capability:
    """``solver``'s declared capabilities; an object that declares none (a stand-in written
    for a test, say) promises none: it is taken as an inexact solver without duals."""
    declared = getattr(solver, "capabilities", Capability.NONE)
    return declared if isinstance(declared, Capability) else Capability.NONE


def is_exact(solver: object) -> bool:
    """Whether ``solver`` returns vertex solutions feasible to an absolute tolerance."""
    return Capability.EXACT in capabilities(solver)
