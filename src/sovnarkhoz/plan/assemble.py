"""From column values to a checked plan, for any scenario (one year or many).

Shared by everything that plans: the central planner (``planner.make_plan``) and the
councils (``councils.run``) build the LP with :func:`formulate` and turn a solution of it into
tables, an independent verification and the plan's headline numbers with :func:`assess`, so a
plan reached by councils is tabulated and verified exactly as a central one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..formulation import LinearProgram, build_lp
from ..formulation.years import YearsProgram, build_years
from ..scenario.model import Scenario
from ..scenario.objectives import Objective
from .bottlenecks import bottlenecks
from .optimality import check_optimality
from .tables import plan_tables
from .verify import RELATIVE_TOLERANCE, Verification, verify
from .years import tabulate_and_verify_years

Program = LinearProgram | YearsProgram
"""A scenario's LP: the single-year one, or the multi-year one with what reads it back."""


def formulate(scenario: Scenario, goal: Objective) -> Program:
    """The LP of ``scenario`` for ``goal``: multi-year when it has a ``[horizon]``."""
    if scenario.horizon is not None:
        return build_years(scenario, goal)
    return build_lp(scenario.economy, goal)


def linear_program(program: Program) -> LinearProgram:
    """The labelled LP (blocks, data) of either kind of program."""
    return program.lp if isinstance(program, YearsProgram) else program


@dataclass
class Assessment:
    """A solution read back: the plan's tables, their verification, and the fulfilment.

    fulfilment : the level every target is met at (max-fulfilment; the lowest yearly level
        over a horizon) or the lowest share of any target met; None unless verified.
    yearly : {year: level} for max-fulfilment and max-total-fulfilment over a horizon.
    """

    tables: dict[str, pd.DataFrame]
    verification: Verification
    fulfilment: float | None
    yearly: dict[str, float] | None = None


def assess(scenario: Scenario, program: Program, x: np.ndarray, row_dual: np.ndarray | None,
           col_dual: np.ndarray | None, tolerance: float = 0.0,
           timings: dict[str, float] | None = None) -> Assessment:
    """Tables, verification (at ``tolerance`` or 1e-6 relative, whichever is looser) and
    fulfilment of column values ``x`` (n,) with row and column duals (optional, (m,), (n,));
    ``timings`` gets 'tables' and 'verify' (seconds)."""
    goal = linear_program(program).objective
    if isinstance(program, YearsProgram):
        tables, levels, check = tabulate_and_verify_years(scenario, program, x, row_dual,
                                                          col_dual, tolerance, timings)
        has_levels = program.lambdas != "none"
    else:
        tables, lam, check = tabulate_and_verify(scenario, program, x, row_dual, col_dual,
                                                 tolerance, timings)
        levels = np.array([lam])
        has_levels = goal.kind == "max-fulfilment"
    if row_dual is not None and row_dual.size:
        clock = time.perf_counter()
        check.optimality = check_optimality(
            scenario.tables, tables, goal, levels,
            program.horizon if isinstance(program, YearsProgram) else None)
        if timings is not None:
            timings["optimality"] = time.perf_counter() - clock
    outcome = Assessment(tables=tables, verification=check, fulfilment=None)
    if not check.passed:
        return outcome
    if has_levels:
        outcome.fulfilment = float(levels.min())
        if isinstance(program, YearsProgram):
            outcome.yearly = dict(zip(program.horizon.years.astype(str).tolist(),
                                      levels.tolist(), strict=True))
    else:
        outcome.fulfilment = lowest_share(tables["fulfilment"]["fulfilment"].to_numpy())
    return outcome


def lowest_share(shares: np.ndarray) -> float | None:
    """The lowest finite share of a target met (None when no target has an amount)."""
    finite = shares[np.isfinite(shares)]
    return float(finite.min()) if finite.size else None


def tabulate_and_verify(scenario: Scenario, lp: LinearProgram, x: np.ndarray,
                        row_dual: np.ndarray | None, col_dual: np.ndarray | None,
                        tolerance: float = 0.0, timings: dict[str, float] | None = None,
                        ) -> tuple[dict[str, pd.DataFrame], float, Verification]:
    """A single-year plan's tables (with bottlenecks) for column values ``x`` and their
    independent verification, at ``tolerance`` or 1e-6 relative, whichever is looser.
    Returns (tables, λ, verification); ``timings`` gets 'tables' and 'verify'."""
    timings = {} if timings is None else timings
    clock = time.perf_counter()
    tables = plan_tables(scenario.economy, lp, x, row_dual, col_dual)
    lam = float(tables.pop("lambda"))
    tables["bottlenecks"] = bottlenecks(tables["factors"], tables["links"], tables["activities"])
    timings["tables"] = time.perf_counter() - clock
    clock = time.perf_counter()
    check = verify(scenario.tables, tables["activities"], tables["deliveries"],
                   fulfilment=lam if lp.objective.kind == "max-fulfilment" else 1.0,
                   tolerance=max(RELATIVE_TOLERANCE, tolerance))
    timings["verify"] = time.perf_counter() - clock
    return tables, lam, check
