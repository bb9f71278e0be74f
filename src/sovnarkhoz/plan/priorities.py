"""Plans that meet every target in full and deliver priorities at levels λ_q.

The LP is the planning LP with every target in full and one column λ_q per priority
(``formulation.build``'s ``define_priorities``, mode ``Mode(priorities=...)``); here its
solution becomes a :class:`Plan` whose tables gain ``priorities`` (priority, region, product,
[year,] amount, level, delivered: one row per bundle row and year it holds) and whose
verification checks each bundle at its claimed level, from the scenario tables alone.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..formulation import Kind, LinearProgram, Mode, Objective
from ..scenario.collective import Bundles, yearly_bundles
from ..scenario.model import Scenario
from ..solvers import SolverResult, Status
from .assemble import formulate, lowest_share, tabulate_and_verify
from .optimality import check_optimality
from .result import Plan
from .tables import plan_tables


def formulate_priorities(scenario: Scenario, bundles: Bundles) -> LinearProgram:
    """The LP of plans meeting every target in full (every year) with the columns λ_q of
    ``bundles`` (block ``priority``, label ``priority``), at no cost: the decision layer
    chooses what to maximise."""
    return formulate(scenario, None, Mode(priorities=bundles))


def priority_levels(lp: LinearProgram, x: np.ndarray) -> dict[str, float]:
    """{priority: λ_q} read from the LP's ``priority`` columns of ``x`` (n,)."""
    block = lp.col_blocks["priority"]
    return {str(q): float(v) + 0.0 for q, v in zip(lp.ids["priority"], x[block.slice],
                                                   strict=True)}


def priority_table(scenario: Scenario, lp: LinearProgram, levels: dict[str, float]
                   ) -> pd.DataFrame:
    """Each bundle row with its priority's level and what it delivers (level x amount, in the
    product's units): over a horizon one row per (priority, region, product, year) with a
    positive amount that year; in one year each row of priorities.csv, in its order.
    Priorities not in ``levels`` are left out."""
    if not lp.dated:
        rows = scenario.tables["priorities"]
        rows = rows[rows["priority"].isin(list(levels))]
        return _deliveries(rows["priority"].to_numpy(), rows["region"].to_numpy(),
                           rows["product"].to_numpy(), None,
                           rows["amount"].to_numpy(dtype=np.float64),
                           rows["priority"].map(levels).to_numpy(dtype=np.float64))
    e = scenario.economy
    names = list(levels)
    bundles = scenario.bundles(names)
    yearly = yearly_bundles(bundles, lp.horizon, len(e.regions), len(e.products))
    t, i = np.nonzero(yearly.amount > 0)
    return _deliveries(bundles.priorities.to_numpy()[yearly.priority_of[i]],
                       e.regions.to_numpy()[yearly.region[i]],
                       e.products.to_numpy()[yearly.product[i]], lp.horizon.years[t],
                       yearly.amount[t, i],
                       np.array([levels[q] for q in names], dtype=np.float64)[
                           yearly.priority_of[i]])


def _deliveries(priority: np.ndarray, region: np.ndarray, product: np.ndarray,
                year: np.ndarray | None, amount: np.ndarray, level: np.ndarray
                ) -> pd.DataFrame:
    return pd.DataFrame({"priority": priority, "region": region, "product": product,
                         **({} if year is None else {"year": year}), "amount": amount,
                         "level": level + 0.0, "delivered": level * amount + 0.0})


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
    elif (result.status is Status.OPTIMAL and plan.verification.optimality is not None
          and not plan.verification.proven_optimal):
        plan.status = Status.FEASIBLE
        plan.message = plan.verification.unproven_message()


def plan_at_levels(scenario: Scenario, lp: LinearProgram, result: SolverResult,
                   label: str = "priorities", weights: dict[str, float] | None = None,
                   proof: SolverResult | None = None) -> Plan:
    """A verified plan from a solve of the priorities LP (``result.x`` (n,)): every target
    in full (each year), each priority at its level (in every year its rows hold).

    ``fulfilment`` is the lowest share of a target met (at least 1 when the plan holds);
    ``priority_levels`` the levels; status ``error`` when verification fails.
    weights, proof : the plan claims the largest Σ weights·λ, and ``proof`` is the solve of
        that alone (its prices: ``result`` may come from a tie-break solve after it); the
        plan is then ``optimal`` only when those prices prove its Σ weights·λ the largest
        (plan/optimality.py), else ``feasible``. Without them nothing is claimed beyond
        feasibility and the solver's word (a lexicographic point).
    """
    started = time.perf_counter()
    plan = _unfinished(scenario, result, label)
    if not result.has_solution:
        return plan
    levels = priority_levels(lp, result.x)
    tables, _, plan.verification = tabulate_and_verify(
        scenario, lp, result.x, result.row_dual if result.has_duals else None,
        result.col_dual if result.has_duals else None, priority_levels=levels)
    tables["priorities"] = priority_table(scenario, lp, levels)
    plan.tables = tables
    if weights is not None and proof is not None and proof.has_duals:
        priced = plan_tables(lp, proof.x, proof.row_dual, proof.col_dual)
        plan.verification.optimality = check_optimality(
            scenario.tables, priced, Objective(Kind.MAX_FULFILMENT),
            horizon=lp.horizon if lp.dated else None, priority_weights=weights,
            priority_levels=levels)
    _settle(plan, result)
    plan.priority_levels = levels
    if lp.dated:
        plan.horizon = lp.horizon
    plan.solution = result
    plan.seconds = time.perf_counter() - started + result.seconds
    return plan
