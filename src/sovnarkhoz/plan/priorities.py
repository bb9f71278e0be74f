"""Plans that meet every target in full and deliver priorities at levels λ_q.

The LP is built by ``formulation.priorities``; here its solution
becomes a :class:`Plan` whose tables gain ``priorities`` (priority, region, product, amount,
level, delivered) and whose verification checks each bundle at its claimed level, from the
scenario tables alone. Multi-year plans (``plan_at_levels_years``) get the multi-year
tables, with ``year`` in ``priorities`` too (one row per bundle row and year it holds).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..formulation import LinearProgram
from ..formulation.years import YearsProgram
from ..scenario.collective import yearly_bundles
from ..scenario.model import Scenario
from ..solvers import SolverResult, Status
from .assemble import lowest_share
from .bottlenecks import bottlenecks
from .result import Plan
from .tables import plan_tables
from .verify import RELATIVE_TOLERANCE, verify, verify_years
from .years import years_tables


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


def _unfinished(scenario: Scenario, result: SolverResult, label: str) -> Plan:
    """The plan's header from the solve; its tables come next (if there is a solution)."""
    plan = Plan(scenario=scenario.name, objective=label, status=result.status,
                message=result.message, solver="highs", solver_choice="HiGHS (persistent model)")
    plan.seconds = result.seconds
    return plan


def _settle(plan: Plan, result: SolverResult) -> None:
    """A fulfilment is claimed only for a verified plan; an optimum that fails verification
    is reported as an error."""
    if plan.verification.passed:
        plan.fulfilment = lowest_share(plan.tables["fulfilment"]["fulfilment"].to_numpy())
    if result.status is Status.OPTIMAL and not plan.verification.passed:
        plan.status = Status.ERROR
        plan.message = ("the solver reported an optimal plan, but it fails verification "
                        f"against the scenario tables: {plan.verification.worst}")


def plan_at_levels(scenario: Scenario, lp: LinearProgram, result: SolverResult,
                   label: str = "priorities") -> Plan:
    """A verified plan from a solve of the priorities LP (``result.x`` (n,)).

    ``fulfilment`` is the lowest share of a target met (at least 1 when the plan holds);
    ``priority_levels`` the levels; status ``error`` when verification fails.
    """
    started = time.perf_counter()
    plan = _unfinished(scenario, result, label)
    if not result.has_solution:
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
    _settle(plan, result)
    plan.priority_levels = levels
    plan.solution = result
    plan.seconds = time.perf_counter() - started + result.seconds
    return plan


def yearly_priority_table(scenario: Scenario, program: YearsProgram,
                          levels: dict[str, float]) -> pd.DataFrame:
    """One row per (priority, region, product, year) with a positive amount that year:
    amount, the priority's level and what it delivers (level x amount)."""
    e = scenario.economy
    names = list(levels)
    bundles = scenario.bundles(names)
    yearly = yearly_bundles(bundles, program.horizon, len(e.regions), len(e.products))
    t, i = np.nonzero(yearly.amount > 0)
    level = np.array([levels[q] for q in names], dtype=np.float64)[yearly.priority_of[i]]
    amount = yearly.amount[t, i]
    return pd.DataFrame({"priority": bundles.priorities.to_numpy()[yearly.priority_of[i]],
                         "region": e.regions.to_numpy()[yearly.region[i]],
                         "product": e.products.to_numpy()[yearly.product[i]],
                         "year": program.horizon.years[t], "amount": amount,
                         "level": level + 0.0, "delivered": level * amount + 0.0})


def plan_at_levels_years(scenario: Scenario, program: YearsProgram, result: SolverResult,
                         label: str = "priorities") -> Plan:
    """A verified multi-year plan from a solve of ``formulation.priorities``'s multi-year
    LP (``result.x`` (n,)): every target in full each year, each priority at its level in
    every year its rows hold; checked by ``verify_years`` from the scenario tables."""
    started = time.perf_counter()
    plan = _unfinished(scenario, result, label)
    if not result.has_solution:
        return plan
    lp = program.lp
    levels = priority_levels(lp, result.x)
    x = result.x.copy()
    x[lp.col_blocks["priority"].slice] = 0.0  # "available": before the bundles are taken
    tables = years_tables(scenario, program, x,
                          result.row_dual if result.has_duals else None,
                          result.col_dual if result.has_duals else None)
    tables["priorities"] = yearly_priority_table(scenario, program, levels)
    plan.tables = tables
    Y = program.horizon.count
    plan.verification = verify_years(scenario.tables, program.horizon, tables["activities"],
                                     tables["deliveries"], tables["investment"],
                                     tables["stocks"], np.ones(Y), tolerance=RELATIVE_TOLERANCE,
                                     priority_levels=levels)
    _settle(plan, result)
    h = program.horizon
    plan.priority_levels, plan.horizon = levels, h
    plan.solution = result
    plan.seconds = time.perf_counter() - started + result.seconds
    return plan
