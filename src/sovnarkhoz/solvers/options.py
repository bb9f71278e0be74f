"""Options every solver understands; a backend ignores what does not apply to it."""

from __future__ import annotations

from dataclasses import dataclass

METHODS = ("auto", "simplex", "ipm")


@dataclass(frozen=True)
class SolverOptions:
    """
    time_limit : seconds of wall time before the solver stops with status ``time_limit``
        (None: no limit).
    method : ``auto`` (the solver's choice), ``simplex`` (dual simplex, exact vertices) or
        ``ipm`` (interior point with crossover to a vertex).
    threads : worker threads (None: the solver's default).
    tolerance : primal and dual feasibility tolerance.
    verbose : let the solver print its own log.
    """

    time_limit: float | None = None
    method: str = "auto"
    threads: int | None = None
    tolerance: float = 1e-7
    verbose: bool = False

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError("time_limit must be positive")
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be at least 1")
