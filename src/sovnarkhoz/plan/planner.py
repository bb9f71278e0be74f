"""From a scenario to a verified plan: formulate, solve, tabulate, verify.

A plan the solver calls optimal but that fails verification against the scenario tables is
reported with status ``error``, never as optimal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from ..formulation import Block, LinearProgram, Objective, solve_balance
from ..scenario.model import Scenario
from ..solvers import (
    Capability,
    Solver,
    SolverOptions,
    SolverResult,
    Status,
    capabilities,
    get_solver,
    is_exact,
)
from ..solvers.conic import clarabel_available, solve_harmony_conic
from ..solvers.tangents import solve_by_tangents
from .assemble import Assessment, assess, formulate, tabulate_and_verify
from .optimality import Optimality
from .result import LPSize, Plan, SolveReport
from .tables import activity_table, factor_table
from .verify import verify

__all__ = ["make_plan", "tabulate_and_verify"]

Progress = Callable[[str], None]


def make_plan(
    scenario: Scenario,
    objective: str | None = None,
    solver: str | Solver = "auto",
    options: SolverOptions | None = None,
    progress: Progress | None = None,
    warm_start: Plan | None = None,
) -> Plan:
    """Plan ``scenario`` for ``objective`` (default: the scenario's own, else max-fulfilment).

    solver : ``auto``, ``highs`` or ``pdlp``, or a backend (any :class:`~sovnarkhoz.solvers.
    Solver`). options : time limit, method, threads, tolerance, device (SolverOptions).
    progress : called with a short line as each stage finishes.
    warm_start : an earlier plan of a scenario of the same shape (e.g. after a change of
    targets); a solver that can warm-start (pdlp) starts from its solution.
    A solver without duals (:attr:`Capability.DUALS`) cannot have its plan proven optimal:
    such a plan is verified for feasibility and reported ``feasible``.
    Raises :class:`~sovnarkhoz.scenario.ScenarioError` when the scenario cannot be planned
    with this objective (e.g. balance on an unproductive technology).
    """
    say = progress or (lambda _line: None)
    goal = Objective.parse(objective or scenario.default_objective)
    scenario.check_objective(str(goal))
    warnings = [str(issue) for issue in scenario.objective_warnings(str(goal))]
    for warning in warnings:
        say(f"warning: {warning}")
    options = options or SolverOptions()
    if progress is not None and options.progress is None:
        options = replace(options, progress=say)  # a long solve shows its log
    started = time.perf_counter()
    timings: dict[str, float] = {}
    _ = scenario.economy  # the indexed economy, built once (timed on its own)
    timings["index"] = time.perf_counter() - started
    if not goal.rule.by_lp:  # balance: Leontief's linear system
        return _warned(_balance_plan(scenario, goal, started, timings, say, options.device),
                       warnings)
    lp = _assembled(scenario, goal, timings, say)
    backend, why = get_solver(solver, lp.data, options.device)
    options, method = backend.settings_for(lp.data, options)
    why = f"{why}; {method}" if method else why
    if lp.tangents is not None:
        why = _concave_method(backend, why)
    say(f"solving with {why}")
    result, outcome = _solved_and_proven(scenario, lp, backend, options, warm_start, timings,
                                         say)
    plan = Plan(scenario=scenario.name, objective=str(goal), status=result.status,
                message=result.message, solver=result.solver or backend.name,
                solver_choice=why,
                horizon=lp.horizon if lp.dated else None,
                solve=SolveReport(
                    size=LPSize(lp.data.num_rows, lp.data.num_cols, lp.data.nnz),
                    iterations=result.iterations,
                    primal_objective=_plan_objective(result.objective, lp.sense),
                    solver_details=result.details))
    if outcome is not None:
        _settle(plan, result, outcome, timings, say)
    plan.solution = result
    plan.timings = timings
    plan.seconds = time.perf_counter() - started
    return _warned(_explained(scenario, plan), warnings)


def _assembled(scenario: Scenario, goal: Objective, timings: dict[str, float],
               say: Progress) -> LinearProgram:
    """The scenario's LP for ``goal``; ``timings`` gets 'assemble'."""
    clock = time.perf_counter()
    lp = formulate(scenario, goal)
    timings["assemble"] = time.perf_counter() - clock
    years = lp.horizon if lp.dated else None
    say(("assembled the LP" if years is None else
         f"assembled the {years.count}-year LP ({years.first}-{years.last}, lag {years.lag})")
        + f": {lp.data.num_rows:,} rows x {lp.data.num_cols:,} columns, "
        f"{lp.data.nnz:,} nonzeros ({timings['assemble']:.2f} s)")
    return lp


def _solved_and_proven(scenario: Scenario, lp: LinearProgram, backend: Solver,
                       options: SolverOptions, warm_start: Plan | None,
                       timings: dict[str, float], say: Progress
                       ) -> tuple[SolverResult, Assessment | None]:
    """Solve, read the solution back (tables, verification, the proof of optimality) and,
    where the solver says optimal but the prices do not prove it, solve once more with
    tolerances a hundred times tighter. ``timings`` gets 'solve' (both solves), 'tables',
    'verify' and 'optimality'."""
    can = capabilities(backend)
    start = (warm_start.solution if warm_start is not None and Capability.WARM_START in can
             else None)
    clock = time.perf_counter()
    result = _solve(backend, lp, options, start)
    timings["solve"] = time.perf_counter() - clock
    say(f"solver: {result.status.value} ({result.message}) after {result.iterations:,} "
        f"iterations, {timings['solve']:.2f} s")
    # a first-order plan is checked at the tolerance it was asked to reach
    asked = 0.0 if is_exact(backend) else options.tolerance or backend.default_tolerance
    priced = Capability.DUALS in can  # without prices there is no proof to attempt
    outcome = _assessed(scenario, lp, result, asked, timings, priced)
    if not _unproven(result, outcome):
        return result, outcome
    if not priced:
        say(f"{backend.name} gives no prices: the plan can be checked for feasibility, not "
            "proven optimal")
        return result, outcome
    say(f"the prices do not prove the plan optimal ({outcome.verification.proof}); "
        "solving again with tolerances a hundred times tighter")
    clock = time.perf_counter()
    asked_of_solver = options.tolerance or backend.default_tolerance
    tighter = replace(options, tolerance=max(asked_of_solver * 1e-2, TIGHTEST))
    retry = _solve(backend, lp, tighter, result)
    timings["solve"] += time.perf_counter() - clock
    retried = _assessed(scenario, lp, retry, asked, timings, priced)
    if retry.status is Status.OPTIMAL and retried is not None and retried.verification.passed:
        return retry, retried
    return result, outcome


def _by_cones(backend: Solver) -> bool:
    """Harmony is solved as one conic program by Clarabel where it is installed and an exact
    solver was asked for (docs/performance.md: on ussr1957 over 1957-70, 48 interior-point
    iterations against dozens of LPs of tangent planes); else by ``backend``'s LPs of
    tangent planes."""
    return is_exact(backend) and clarabel_available()


def _concave_method(backend: Solver, why: str) -> str:
    if _by_cones(backend):
        return "Clarabel, a conic interior-point solver, for the harmony objective (exact)"
    return f"{why}; harmony by LPs of tangent planes refined to the optimum"


def _solve(backend: Solver, lp: LinearProgram, options: SolverOptions,
           start: SolverResult | None) -> SolverResult:
    """One solve of ``lp``; a concave objective (harmony) as a conic program (Clarabel) or
    by LPs of tangent planes, after which ``lp`` holds the tangent rows it was last solved
    with."""
    if lp.tangents is None:
        return backend.solve(lp.data, options, start)
    if _by_cones(backend):
        return solve_harmony_conic(lp.data, lp.tangents, lp.row_blocks["tangent"].slice,
                                   options)
    result, lp.data = solve_by_tangents(backend, lp.data, lp.tangents, options)
    first = lp.row_blocks["tangent"].start
    lp.row_blocks["tangent"] = Block("tangent", first, lp.data.num_rows)
    return result


def _settle(plan: Plan, result: SolverResult, outcome: Assessment,
            timings: dict[str, float], say: Progress) -> None:
    """The plan's tables, verification, headline numbers and final status: optimal only when
    verified and proven, feasible when verified but not proven, error when the solver's
    optimum fails verification."""
    plan.tables, plan.verification = outcome.tables, outcome.verification
    say(f"verified against the scenario tables: largest violation "
        f"{plan.verification.max_violation:.3g}; {plan.verification.proof} "
        f"({timings['verify'] + timings.get('optimality', 0.0):.2f} s)")
    plan.solve.dual_objective = plan.verification.true_bound
    if result.status is Status.UNBOUNDED:
        plan.message = (f"{result.message}: the objective can improve without limit; no "
                        "factor supply, capacity or link limits the targets (the tables "
                        "hold one point along the unbounded direction)")
    elif plan.verification.passed:  # a fulfilment is claimed only for a checked plan
        plan.fulfilment = outcome.fulfilment
        plan.objective_value = plan.solve.primal_objective
        plan.yearly_fulfilment = outcome.yearly
    if result.status is Status.OPTIMAL and not plan.verification.passed:
        plan.status = Status.ERROR
        plan.message = ("the solver reported an optimal plan, but it fails verification "
                        f"against the scenario tables: {plan.verification.worst}")
    elif result.status is Status.OPTIMAL and not plan.verification.proven_optimal:
        plan.status = Status.FEASIBLE
        plan.message = plan.verification.unproven_message()
    elif result.status is not Status.OPTIMAL and result.status is not Status.UNBOUNDED:
        kept = ("a feasible plan, not proven optimal" if plan.verification.passed else
                "the solver's last point, which is NOT a feasible plan (largest violation "
                f"{plan.verification.max_violation:.3g} at {plan.verification.worst})")
        plan.message = f"{result.message}; the tables hold {kept}"


def _warned(plan: Plan, warnings: list[str]) -> Plan:
    """The plan with its ``warnings``: tables the scenario gives that this objective does
    not read (never dropped silently)."""
    plan.warnings = list(warnings)
    return plan


TIGHTEST = 1e-10
"""The tightest tolerance a re-solve asks for (HiGHS accepts no tighter one)."""


def _assessed(scenario: Scenario, lp: LinearProgram, result: SolverResult, tolerance: float,
              timings: dict[str, float], priced: bool = True) -> Assessment | None:
    """The solution's tables and verification (None when the solver kept no point); its
    duals are read only when ``priced`` (the solver promises duals) and it has them."""
    if not result.has_solution:
        return None
    duals = priced and result.has_duals
    return assess(scenario, lp, result.x, result.row_dual if duals else None,
                  result.col_dual if duals else None, tolerance, timings)


def _unproven(result: SolverResult, outcome: Assessment | None) -> bool:
    """The solver says optimal and the plan is feasible, but its prices do not prove it."""
    return (result.status is Status.OPTIMAL and outcome is not None
            and outcome.verification.passed and not outcome.verification.proven_optimal)


def _explained(scenario: Scenario, plan: Plan) -> Plan:
    """An infeasible plan gets the explanation of why its targets cannot be met in full
    (``plan.explanation``: the sentences and the constraints they come from)."""
    if plan.status is not Status.INFEASIBLE:
        return plan
    from .explain import explain

    try:
        explanation = explain(scenario)
    except Exception as error:  # noqa: BLE001 - an explanation must never lose the plan
        plan.explanation = {"error": f"no explanation: {error}"}
        return plan
    plan.explanation = explanation.as_dict()
    if explanation.sentences:
        plan.message = f"{plan.message}: {explanation.sentences[0]}" + (
            f" (and {len(explanation.sentences) - 1} more; see explanation)"
            if len(explanation.sentences) > 1 else "")
    return plan


def _plan_objective(minimised: float, sense: int) -> float:
    return float(sense * minimised) if np.isfinite(minimised) else float("nan")


def _balance_plan(scenario: Scenario, goal: Objective, started: float,
                  timings: dict[str, float], say: Progress, device: str) -> Plan:
    """Leontief: gross outputs from a linear solve; prices are embodied factor contents."""
    economy = scenario.economy
    solution = solve_balance(economy, device=device)
    timings["solve"] = solution.seconds
    say(f"solved (I - A) x = y by {solution.method}: residual {solution.residual:.3g} "
        f"({solution.seconds:.2f} s)")
    e = economy
    activities = activity_table(e, solution.levels)
    prices = pd.DataFrame({"region": activities["region"], "product": activities["product"],
                           "price": (solution.embodied[:, 0] if len(e.factors)
                                     else np.full(len(e.techniques), np.nan))})
    for f, factor in enumerate(e.factors):
        prices[f"embodied_{factor}"] = solution.embodied[:, f]
    factors = factor_table(e, solution.levels, np.full(e.supply.shape, np.nan))
    targets = scenario.tables["targets"]
    deliveries = pd.DataFrame({"origin": pd.Series([], dtype="str"),
                               "destination": pd.Series([], dtype="str"),
                               "product": pd.Series([], dtype="str"),
                               "sent": pd.Series([], dtype=float),
                               "received": pd.Series([], dtype=float)})
    fulfilment = pd.DataFrame({"region": targets["region"], "product": targets["product"],
                               "target": targets["amount"], "delivered": targets["amount"],
                               "fulfilment": np.where(targets["amount"] > 0, 1.0, np.nan)})
    clock = time.perf_counter()
    # Leontief's answer meets every balance with equality: checked from the tables, apart
    # from the solve, so that no other question's answer can pass for it
    verification = verify(scenario.tables, activities, deliveries, fulfilment=1.0, exact=True)
    # not an LP: with one technique per product and region and every balance an equality,
    # the gross outputs are the only plan there is, so a verified one is the best one
    verification.optimality = Optimality(
        0.0, 0.0, float("nan"), float("nan"),
        "balance: the one solution of (I - A) x = y, verified with every balance an equality")
    timings["verify"] = time.perf_counter() - clock
    status, message = Status.OPTIMAL, f"gross outputs from {solution.method}"
    short = factors[factors["slack"] < -1e-9 * np.maximum(1.0, factors["supply"])]
    capacity = e.tech_capacity
    over = np.flatnonzero(solution.levels > capacity + 1e-9 * np.maximum(1.0, capacity))
    if len(short) or len(over):
        # (I - A) x = y has one answer; if it does not fit, no plan meets the targets in full
        status, found = Status.INFEASIBLE, []
        if len(short):
            worst = short.assign(gap=-short["slack"]).sort_values("gap").iloc[-1]
            found.append(f"the gross outputs need more factor than supplied: {worst['factor']} "
                         f"in {worst['region']} needs {worst['used']:.6g}, supply "
                         f"{worst['supply']:.6g} ({len(short)} region-factor pair(s) short)")
        if len(over):
            excess = (solution.levels - capacity)[over] / np.maximum(1.0, capacity[over])
            t = over[np.argmax(excess)]
            found.append(f"the gross outputs exceed technique capacities: {e.techniques[t]} in "
                         f"{e.regions[e.tech_region[t]]} must make {solution.levels[t]:.6g} "
                         f"{e.products[e.tech_product[t]]}, capacity {capacity[t]:.6g} "
                         f"({len(over)} technique(s) over)")
        message = "; ".join(found) + (
            "; Leontief's system has one answer, so no plan meets every target in full "
            "(max-fulfilment says how much of them can be met)")
    elif not verification.passed:
        status, message = Status.ERROR, f"balance fails verification: {verification.worst}"
    plan = Plan(scenario=scenario.name, objective=str(goal), status=status, message=message,
                solver=solution.method, solver_choice="Leontief's system (I - A) x = y",
                fulfilment=1.0, objective_value=float(solution.levels.sum()),
                tables={"activities": activities, "deliveries": deliveries,
                        "fulfilment": fulfilment, "factors": factors, "prices": prices},
                verification=verification, timings=timings, residual=solution.residual)
    plan.seconds = time.perf_counter() - started
    return plan
