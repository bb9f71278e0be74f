"""Options every solver understands; a backend ignores what does not apply to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

METHODS = ("auto", "simplex", "ipm")
DEVICES = ("auto", "cpu", "cuda")
PROGRESS_AFTER = 2.0
"""Seconds a solve runs before its log is passed to ``SolverOptions.progress``."""


@dataclass(frozen=True)
class SolverOptions:
    """
    time_limit : seconds of wall time before the solver stops with status ``time_limit``
        (None: no limit).
    method : HiGHS's algorithm: ``auto`` (its choice), ``simplex`` (dual simplex, exact
        vertices) or ``ipm`` (interior point with crossover to a vertex).
    threads : worker threads (None: the solver's default).
    tolerance : HiGHS: primal and dual feasibility tolerance (default 1e-7); pdlp: relative
        KKT error at which to stop (default 1e-4; 1e-6 and 1e-8 are sensible tighter ones).
    device : where pdlp runs: ``auto`` (CUDA when visible, else CPU), ``cpu`` or ``cuda``.
    verbose : let the solver print its own log.
    progress : called with each line of the solver's log once a solve has run for
        ``PROGRESS_AFTER`` seconds (HiGHS: iterations, objective, infeasibilities, gap), so a
        large solve shows it is moving; None: silent.
    """

    time_limit: float | None = None
    method: str = "auto"
    threads: int | None = None
    tolerance: float | None = None
    device: str = "auto"
    verbose: bool = False
    progress: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        if self.device not in DEVICES:
            raise ValueError(f"unknown device {self.device!r}; choose one of {', '.join(DEVICES)}")
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError("time_limit must be positive")
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be at least 1")
        if self.tolerance is not None and not 0 < self.tolerance < 1:
            raise ValueError("tolerance must lie in (0, 1)")
