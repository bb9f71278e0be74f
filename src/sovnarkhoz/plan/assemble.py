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

from ..formulation import LinearProgram, Mode, build
from ..formulation.years import scenario_layout
from ..scenario.model import Scenario
from ..scenario.objectives import Objective
from .optimality import check_optimality
from .tables import plan_tables
from .verify import RELATIVE_TOLERANCE, Verification, verify


def formulate(scenario: Scenario, goal: Objective | None, mode: Mode | None = None
              ) -> LinearProgram:
    """The LP of ``scenario`` for ``goal`` (None: no costs) over its years (one undated year
    for a single-year scenario), in ``mode`` (default: the goal's own)."""
    return build(scenario_layout(scenario), goal, mode)


@dataclass
class Assessment:
    """A solution read back: the plan's tables, their verification, and the fulfilment.

    fulfilment : the level every target is met at (max-fulfilment; the lowest yearly level
        over a horizon) or the lowest share of any target met; None unless verified.
    levels : (Y,) the level λ_t of each year's targets claimed by the solution (1 where the
        targets are held in full).
    yearly : {year: level} for max-fulfilment and max-total-fulfilment over a horizon.
    """

    tables: dict[str, pd.DataFrame]
    verification: Verification
    fulfilment: float | None
    levels: np.ndarray
    yearly: dict[str, float] | None = None


def tabulate_and_verify(scenario: Scenario, lp: LinearProgram, x: np.ndarray,
                        row_dual: np.ndarray | None, col_dual: np.ndarray | None,
                        tolerance: float = 0.0, timings: dict[str, float] | None = None,
                        priority_levels: dict[str, float] | None = None,
                        ) -> tuple[dict[str, pd.DataFrame], np.ndarray, Verification]:
    """A plan's tables (with bottlenecks) for column values ``x`` (n,) and their independent
    verification, at ``tolerance`` or 1e-6 relative, whichever is looser, with the claimed
    ``priority_levels``. Returns (tables, levels (Y,), verification); ``timings`` gets
    'tables' and 'verify' (seconds)."""
    timings = {} if timings is None else timings
    clock = time.perf_counter()
    tables = plan_tables(lp, x, row_dual, col_dual)
    levels = lp.levels(x)
    timings["tables"] = time.perf_counter() - clock
    clock = time.perf_counter()
    check = verify(scenario.tables, tables["activities"], tables["deliveries"],
                   levels if lp.dated else float(levels[0]),
                   tolerance=max(RELATIVE_TOLERANCE, tolerance), priority_levels=priority_levels,
                   horizon=lp.horizon if lp.dated else None, investment=tables.get("investment"),
                   stocks=tables.get("stocks"))
    timings["verify"] = time.perf_counter() - clock
    return tables, levels, check


def assess(scenario: Scenario, program: LinearProgram, x: np.ndarray,
           row_dual: np.ndarray | None, col_dual: np.ndarray | None, tolerance: float = 0.0,
           timings: dict[str, float] | None = None) -> Assessment:
    """Tables, verification (at ``tolerance`` or 1e-6 relative, whichever is looser) and
    fulfilment of column values ``x`` (n,) with row and column duals (optional, (m,), (n,));
    ``timings`` gets 'tables', 'verify' and 'optimality' (seconds)."""
    tables, levels, check = tabulate_and_verify(scenario, program, x, row_dual, col_dual,
                                                tolerance, timings)
    goal = program.objective
    if goal is not None and row_dual is not None and row_dual.size:
        clock = time.perf_counter()
        delivered = (None if check.delivered is None
                     else (check.target_keys, check.delivered))
        check.optimality = check_optimality(scenario.tables, tables, goal, levels,
                                            program.horizon if program.dated else None,
                                            delivered=delivered)
        if timings is not None:
            timings["optimality"] = time.perf_counter() - clock
    outcome = Assessment(tables=tables, verification=check, fulfilment=None, levels=levels)
    if not check.passed:
        return outcome
    if "fulfilment" in program.col_blocks and program.tangents is None:
        outcome.fulfilment = float(levels.min())
        if program.dated:
            outcome.yearly = dict(zip(program.horizon.years.astype(str).tolist(),
                                      levels.tolist(), strict=True))
    else:
        outcome.fulfilment = lowest_share(tables["fulfilment"]["fulfilment"].to_numpy())
    return outcome


def lowest_share(shares: np.ndarray) -> float | None:
    """The lowest finite share of a target met (None when no target has an amount)."""
    finite = shares[np.isfinite(shares)]
    return float(finite.min()) if finite.size else None
