"""A plan reached by councils: partition, coordinate, assemble, verify.

The LP is the central planner's (``plan.assemble.formulate``: one year, or every year of a
horizon with its investment and capital stocks), and the assembled plan goes through the
same tables and the same independent verification as a central plan
(``plan.assemble.assess``). Its details add the convergence history (mismatch, objective,
bound per round) and the information traffic, beside what a central planner must gather
(all the tables).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..formulation import Kind, Objective
from ..plan.assemble import assess, formulate
from ..plan.planner import make_plan, true_bound, unproven_message
from ..plan.result import CouncilRun, Plan, Traffic
from ..scenario.model import Scenario
from ..solvers.result import SolverResult, Status
from .admm import coordinate
from .behaviour import with_behaviour
from .bundle import coordinate_by_prices
from .dantzig_wolfe import decompose
from .engines import ENGINES as ENGINE_TYPES
from .engines import make_engine
from .partition import partition
from .protocol import Round
from .quotas import allot

PROTOCOLS = ("prices", "quotas", "dantzig-wolfe", "admm")
ENGINES = tuple(ENGINE_TYPES)


def suggested_protocol(scenario: Scenario, organisation: str) -> str:
    """The protocol to plan ``scenario`` by ``organisation`` with when none is asked for:
    dantzig-wolfe over several years (its central prices cover the many yearly target rows at
    once; the prices protocol does not reach the optimum of ussr1957's 1957-70 within its
    rounds, docs/performance.md), else prices. The same for every organisation so far."""
    horizon = scenario.horizon
    if horizon is not None and horizon.last > horizon.first:
        return "dantzig-wolfe"
    return "prices"


def _solvers_that_ran(counts: dict[str, int]) -> str:
    """What the councils actually planned with: pdlp, highs, or both ("pdlp+highs": pdlp
    answered, HiGHS settled what it could not); highs for protocols whose councils only use
    HiGHS (quotas, admm)."""
    ran = [name for name in ("pdlp", "highs") if counts.get(name)]
    return "+".join(ran) if ran else "highs"


def plan_by_councils(
    scenario: Scenario,
    organisation: str = "territorial",
    objective: str | None = None,
    protocol: str = "prices",
    engine: str = "local",
    tolerance: float = 1e-4,
    max_rounds: int = 2000,
    progress: Callable[[Round], None] | None = None,
    localism: float = 0.0,
    hidden: float = 0.0,
    departmentalism: float = 0.0,
    address: str | None = None,
    solver: str = "auto",
) -> Plan:
    """Plan ``scenario`` by councils (``organisation`` territorial, branch or central)
    coordinated by ``protocol`` until the relative KKT error of the assembled plan (delivery
    mismatch, duality gap, dual residual) is under ``tolerance``, or ``max_rounds`` pass.

    ``solver``: what councils plan with under the prices and dantzig-wolfe protocols (auto:
    pdlp on a GPU for large councils, else HiGHS; highs; pdlp).
    ``localism`` and ``hidden`` make councils favour their own territory, ``departmentalism``
    ministries their own branch (see ``behaviour``);
    the plan's details then give what that costs against the cooperative (central) optimum.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; available: {', '.join(PROTOCOLS)}")

    goal = Objective.parse(objective or scenario.default_objective)
    if goal.kind is Kind.BALANCE:
        raise ValueError("councils plan LPs: choose max-fulfilment, max-total-fulfilment "
                         "(over a horizon) or min-factor:NAME")
    scenario.check_objective(str(goal))
    started = time.perf_counter()
    lp = formulate(scenario, goal)
    parts = partition(scenario, lp, organisation)
    if departmentalism and organisation != "branch":
        raise ValueError("departmentalism is how ministries behave: use the branch organisation")
    bundle = (float(lp.layout.targets.amount.sum()) / lp.horizon.count
              if lp.dated else None)
    behaving = with_behaviour(lp, scenario.economy, parts, localism, hidden, departmentalism,
                              bundle=bundle)
    if protocol in ("prices", "dantzig-wolfe", "quotas"):
        run = {"prices": coordinate_by_prices, "dantzig-wolfe": decompose,
               "quotas": allot}[protocol]
        extra = {"solver": solver} if protocol != "quotas" else {}
        result = run(behaving.data, parts.owner, parts.names, tolerance=tolerance,
                     max_rounds=max_rounds, progress=progress, engine=make_engine(engine, address),
                     **extra)
    else:  # admm
        result = coordinate(behaving.data, parts.owner, parts.names, tolerance=tolerance,
                            max_rounds=max_rounds, engine=make_engine(engine, address),
                            progress=progress)
    solved = time.perf_counter() - started
    reduced = lp.data.c - lp.data.A.T @ result.row_dual
    outcome = assess(scenario, lp, result.x, result.row_dual, reduced, tolerance)
    check = outcome.verification
    last = result.history[-1] if result.history else None
    converged = (f"{parts.count} councils converged in {result.rounds} rounds: mismatch "
                 f"{last.mismatch:.1e}, gap {last.gap:.1e}, dual residual "
                 f"{last.dual_residual:.1e}") if result.converged else ""
    if result.converged and check.proven_optimal:
        status, message = "optimal", converged
    elif result.converged and check.passed and (localism or hidden or departmentalism):
        status, message = "feasible", (
            f"{converged}; councils that favour their own (localism {localism:g}, hidden "
            f"{hidden:g}, departmentalism {departmentalism:g}) reach a feasible plan, not the "
            "economy's optimum: its prices are those of their own problem (see behaviour for "
            "what it costs against cooperation)")
    elif result.converged and check.passed:  # the prices they leave do not prove it
        status, message = "feasible", f"{converged}; {unproven_message(check)}"
    elif result.converged:
        status, message = "error", f"converged, but the plan fails verification: {check.worst}"
    elif result.stopped and len(result.history) == 0:
        status, message = "error", f"stopped in round 1: {result.stopped}; no plan"
    elif result.stopped:
        status, message = "error", (
            f"stopped in round {result.rounds}: {result.stopped}; the plan is the best so far "
            f"(mismatch {last.mismatch:.1e}, gap {last.gap:.1e})")
    else:
        status, message = "time_limit", (
            f"round limit {max_rounds} reached: mismatch {last.mismatch:.1e}, gap {last.gap:.1e}, "
            f"dual residual {last.dual_residual:.1e}")
        if protocol == "prices" and lp.horizon.count > 1:
            message += "; over several years --protocol dantzig-wolfe needs far fewer rounds"
    history = [r.record() for r in result.history]
    traffic = sum(r.bytes for r in result.history)
    central_bytes = int(8 * (3 * lp.data.nnz + 2 * lp.data.num_rows + 3 * lp.data.num_cols))
    plan = Plan(
        scenario=scenario.name, objective=str(goal), status=status, message=message,
        solver=_solvers_that_ran(result.solvers),
        solver_choice=f"{organisation} councils, {protocol} protocol, {engine} engine",
        fulfilment=outcome.fulfilment,
        objective_value=(lp.sense * float(lp.data.c @ result.x)) if check.passed else None,
        tables=outcome.tables, verification=check,
        timings={"councils": solved, "total": time.perf_counter() - started},
        council_run=CouncilRun(
            organisation=organisation, protocol=protocol, engine=engine,
            councils=parts.names, rounds=result.rounds,
            traffic=Traffic(messages=sum(r.messages for r in result.history), bytes=traffic,
                            central_bytes=central_bytes),
            dual_objective=true_bound(check),  # only a bound the prices prove
            history=history),
    )
    if lp.dated:
        plan.horizon = lp.horizon
        plan.yearly_fulfilment = outcome.yearly
    if localism or hidden or departmentalism:
        cooperative = make_plan(scenario, objective=str(goal), solver="highs")
        plan.council_run.behaviour = {
            "localism": localism, "hidden": hidden, "departmentalism": departmentalism,
            "cooperative_objective": cooperative.objective_value,
            # what the nation loses, in the objective's units (positive: worse than cooperation)
            "cost": (None if plan.objective_value is None or cooperative.objective_value is None
                     else -lp.sense * (cooperative.objective_value - plan.objective_value)),
        }
    warnings = [str(issue) for issue in scenario.objective_warnings(str(goal))]
    plan.warnings = warnings  # tables this objective does not read, never dropped silently
    # the assembled point and prices, as a solver's would be: x, the row duals (the centre's
    # final prices of the shared rows, the councils' own at those prices) and reduced costs
    plan.solution = SolverResult(
        status=Status.OPTIMAL if status == "optimal" else Status.ERROR
        if status == "error" else Status.TIME_LIMIT, message=message, solver=plan.solver,
        x=result.x, row_dual=result.row_dual, col_dual=reduced,
        objective=float(lp.data.c @ result.x) + lp.data.offset)
    plan.seconds = time.perf_counter() - started
    return plan
