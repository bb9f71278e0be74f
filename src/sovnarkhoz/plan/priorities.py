"""Plans that meet every target in full and deliver priorities at levels λ_q.

The LP is built by ``formulation.priorities``; here its solution
becomes a :class:`Plan` whose tables gain ``priorities`` (priority, region, product, amount,
level, delivered) and whose verification checks each bundle at its claimed level, from the
scenario tables alone.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..formulation import LinearProgram
from ..scenario.model import Scenario
from ..solvers import SolverResult, Status
from .bottlenecks import bottlenecks
from .result import Plan
from .tables import plan_tables
from .verify import RELATIVE_TOLERANCE, verify


def priority_levels(lp: LinearProgram, x: np.ndarray) -> dict[str, float]:
    """{priority: λ_q} read from the LP's ``priority`` columns of ``x`` (n,)."""
    block = lp.col_blocks["priority"]
    return {str(q): float(v) + 0.0 for q, v in zip(lp.ids["priority"], x[block.slice],
                                                   strict=True)}


def priority_table(bundles: pd.DataFrame, levels: dict[str, float]) -> pd.DataFrame:
    """Each bundle row of priorities.csv with its priority's level and what it delivers
    (level x amount, in the product's units). Priorities not in ``levels`` are left out."""
    chosen = bundles[bundles["priority"].isin(list(levels))]
    level = chosen["priority"].map(levels).to_numpy(dtype=np.float64)
    amount = chosen["amount"].to_numpy(dtype=np.float64)
    return pd.DataFrame({"priority": chosen["priority"].to_numpy(),
                         "region": chosen["region"].to_numpy(),
                         "product": chosen["product"].to_numpy(),
                         "amount": amount, "level": level + 0.0,
                         "delivered": level * amount + 0.0})


def plan_at_levels(scenario: Scenario, lp: LinearProgram, result: SolverResult,
                   label: str = "priorities") -> Plan:
    """A verified plan from a solve of the priorities LP (``result.x`` (n,)).

    ``fulfilment`` is the lowest share of a target met (at least 1 when the plan holds);
    ``details['priorities']`` the levels; status ``error`` when verification fails.
    """
    started = time.perf_counter()
    plan = Plan(scenario=scenario.name, objective=label, status=result.status.value,
                message=result.message, solver="highs", solver_choice="HiGHS (persistent model)")
    if not result.has_solution:
        plan.seconds = result.seconds
        return plan
    x = result.x
    tables = plan_tables(scenario.economy, lp, x, result.row_dual if result.has_duals else None,
                         result.col_dual if result.has_duals else None)
    tables.pop("lambda")
    tables["bottlenecks"] = bottlenecks(tables["factors"], tables["links"], tables["activities"])
    levels = priority_levels(lp, x)
    tables["priorities"] = priority_table(scenario.tables["priorities"], levels)
    plan.tables = tables
    plan.verification = verify(scenario.tables, tables["activities"], tables["deliveries"],
                               fulfilment=1.0, tolerance=RELATIVE_TOLERANCE,
                               priority_levels=levels)
    shares = tables["fulfilment"]["fulfilment"].to_numpy()
    finite = shares[np.isfinite(shares)]
    if plan.verification.passed:
        plan.fulfilment = float(finite.min()) if finite.size else None
    if result.status is Status.OPTIMAL and not plan.verification.passed:
        plan.status = Status.ERROR.value
        plan.message = ("the solver reported an optimal plan, but it fails verification "
                        f"against the scenario tables: {plan.verification.worst}")
    plan.details = {"priorities": levels}
    plan.solution = result
    plan.seconds = time.perf_counter() - started + result.seconds
    return plan
