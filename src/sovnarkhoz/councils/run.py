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
from dataclasses import replace

import numpy as np

from ..formulation import LinearProgram, Objective
from ..plan.assemble import Assessment, assess, formulate
from ..plan.planner import make_plan
from ..plan.result import CouncilRun, Plan, Traffic
from ..plan.verify import Verification
from ..scenario.model import Scenario
from ..solvers.problem import LPData
from ..solvers.result import SolverResult, Status
from .admm import coordinate
from .behaviour import COOPERATION, Behaviour, with_behaviour
from .bundle import coordinate_by_prices
from .choice import AUTO, choose_protocol
from .dantzig_wolfe import decompose
from .engines import ENGINES as ENGINE_TYPES
from .engines import Engine, make_engine
from .partition import Partition, partition
from .protocol import Coordination, Round
from .quotas import allot

PROTOCOLS = (AUTO, "prices", "quotas", "dantzig-wolfe", "admm")
"""The protocols by name, and auto (``choice.choose_protocol``)."""
ENGINES = tuple(ENGINE_TYPES)


def suggested_protocol(scenario: Scenario, organisation: str) -> str:
    """The protocol ``--protocol auto`` picks for ``scenario`` planned by ``organisation``
    (``choice.choose_protocol``, which also says why)."""
    return choose_protocol(scenario, organisation).protocol


def _solvers_that_ran(counts: dict[str, int]) -> str:
    """What the councils actually planned with: pdlp, highs, or both ("pdlp+highs": pdlp
    answered, HiGHS settled what it could not); highs for admm, whose councils only use
    HiGHS (under quotas the councils' plans at their quotas are HiGHS's too)."""
    ran = [name for name in ("pdlp", "highs") if counts.get(name)]
    return "+".join(ran) if ran else "highs"


OPEN_ALONE = ("territorial", "central")
"""The organisations whose councils open with their self-sufficient plans under the protocols
that mix proposals (``dantzig_wolfe.Centre.alone``): a region's council can plan alone, a
ministry cannot (it needs the other ministries' products; its plan alone takes them free).
Measured on ussr1957 over 1957-70 by dantzig-wolfe: territorial 451 rounds and 79 s with,
359 and 126-133 s without; branch 405 rounds and 391 s with, 289 and 255 s without
(docs/performance.md)."""

PROTOCOL_RUNS = {"prices": coordinate_by_prices, "quotas": allot, "dantzig-wolfe": decompose,
                 "admm": coordinate}
"""Each protocol as one signature: ``run(lp, owner, names, tolerance=, max_rounds=,
progress=, engine=, solver=) -> Coordination``; the three that mix proposals also take
``alone=`` (OPEN_ALONE)."""


def plan_by_councils(
    scenario: Scenario,
    organisation: str = "territorial",
    objective: str | None = None,
    protocol: str = AUTO,
    engine: str = "local",
    tolerance: float = 1e-4,
    max_rounds: int = 2000,
    progress: Callable[[Round], None] | None = None,
    behaviour: Behaviour = COOPERATION,
    address: str | None = None,
    solver: str = "auto",
) -> Plan:
    """Plan ``scenario`` by councils (``organisation`` territorial, branch or central)
    coordinated by ``protocol`` (auto: chosen by ``choice.choose_protocol``, which the plan's
    solver_choice quotes) until the relative KKT error of the assembled plan (delivery
    mismatch, duality gap, dual residual) is under ``tolerance``, or ``max_rounds`` pass.

    ``solver``: what councils plan with under the prices and dantzig-wolfe protocols (auto:
    pdlp on a GPU for large councils, else HiGHS; highs; pdlp).
    ``behaviour``: how councils favour their own (localism, hidden capacity; branch
    ministries: departmentalism; see ``behaviour``); the plan's council report then gives
    what that costs against the cooperative (central) optimum.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; available: {', '.join(PROTOCOLS)}")
    why = f"{protocol}, as asked"
    if protocol == AUTO:
        chosen = choose_protocol(scenario, organisation)
        protocol, why = chosen.protocol, chosen.reason
    goal = Objective.parse(objective or scenario.default_objective)
    if not goal.rule.by_lp or goal.rule.concave is not None:
        raise ValueError(f"councils plan LPs, not {goal.kind}: choose max-fulfilment, "
                         "max-total-fulfilment "
                         "(over a horizon) or min-factor:NAME")
    scenario.check_objective(str(goal))
    if behaviour.departmentalism and organisation != "branch":
        raise ValueError("departmentalism is how ministries behave: use the branch organisation")
    started = time.perf_counter()
    lp = formulate(scenario, goal)
    parts = partition(scenario, lp, organisation)
    bundle = (float(lp.layout.targets.amount.sum()) / lp.horizon.count
              if lp.dated else None)
    behaving = with_behaviour(lp, scenario.economy, parts, behaviour.localism, behaviour.hidden,
                              behaviour.departmentalism, bundle=bundle)
    # territorial councils open with their self-sufficient plans; ministries, who need each
    # other's products, do not (see OPEN_ALONE)
    opens_alone = organisation in OPEN_ALONE
    alone = {} if protocol == "admm" else {"alone": opens_alone}
    result = PROTOCOL_RUNS[protocol](
        behaving.data, parts.owner, parts.names, tolerance=tolerance, max_rounds=max_rounds,
        progress=progress, engine=make_engine(engine, address), solver=solver, **alone)
    reduced, outcome = _assessed(scenario, lp, result, tolerance)
    if (protocol == "dantzig-wolfe" and behaviour.cooperative and result.converged
            and outcome.verification.passed and not outcome.verification.proven_optimal
            and result.rounds < max_rounds):
        result, reduced, outcome = _scaled_again(
            result, reduced, outcome, scenario, lp, behaving.data, parts, tolerance,
            max_rounds, progress, make_engine(engine, address), solver, opens_alone)
    solved = time.perf_counter() - started
    status, message = _verdict(result, outcome.verification, parts.count, behaviour,
                               max_rounds, protocol == "prices" and lp.horizon.count > 1)
    plan = Plan(
        scenario=scenario.name, objective=str(goal), status=status, message=message,
        solver=_solvers_that_ran(result.solvers),
        solver_choice=f"{organisation} councils, {protocol} protocol ({why}), {engine} engine",
        fulfilment=outcome.fulfilment,
        objective_value=((lp.sense * float(lp.data.c @ result.x))
                         if outcome.verification.passed else None),
        tables=outcome.tables, verification=outcome.verification,
        timings={"councils": solved, "total": time.perf_counter() - started},
        council_run=_report(result, lp, parts.names, organisation, protocol, engine,
                            outcome.verification))
    if lp.dated:
        plan.horizon = lp.horizon
        plan.yearly_fulfilment = outcome.yearly
    if not behaviour.cooperative:
        cooperative = make_plan(scenario, objective=str(goal), solver="highs")
        plan.council_run.behaviour = {
            "localism": behaviour.localism, "hidden": behaviour.hidden,
            "departmentalism": behaviour.departmentalism,
            "cooperative_objective": cooperative.objective_value,
            # what the nation loses, in the objective's units (positive: worse than cooperation)
            "cost": (None if plan.objective_value is None or cooperative.objective_value is None
                     else -lp.sense * (cooperative.objective_value - plan.objective_value)),
        }
    plan.warnings = [str(issue) for issue in scenario.objective_warnings(str(goal))]
    # the assembled point and prices, as a solver's would be: x, the row duals (the centre's
    # final prices of the shared rows, the councils' own at those prices) and reduced costs
    plan.solution = SolverResult(
        status=Status(status), message=message, solver=plan.solver, x=result.x,
        row_dual=result.row_dual, col_dual=reduced,
        objective=float(lp.data.c @ result.x) + lp.data.offset)
    plan.seconds = time.perf_counter() - started
    return plan


def _assessed(scenario: Scenario, lp: LinearProgram, result: Coordination,
              tolerance: float) -> tuple[np.ndarray, Assessment]:
    """The reduced costs (n,) at the councils' prices, and the plan's tables, verification
    and proof (``plan.assemble.assess``)."""
    reduced = lp.data.c - lp.data.A.T @ result.row_dual
    return reduced, assess(scenario, lp, result.x, result.row_dual, reduced, tolerance)


def _scaled_again(result: Coordination, reduced: np.ndarray, outcome: Assessment,
                  scenario: Scenario, lp: LinearProgram, data: LPData, parts: Partition,
                  tolerance: float, max_rounds: int,
                  progress: Callable[[Round], None] | None, engine: Engine, solver: str,
                  alone: bool) -> tuple[Coordination, np.ndarray, Assessment]:
    """Dantzig-Wolfe once more, with the master's and the councils' costs scaled so that
    prices are of order one, after a converged plan whose prices failed the proof: HiGHS's
    dual tolerance is absolute (1e-7), so on prices of order 1e-3 a shipment a council
    prices as optimal can pay 1e-4 of the price level (107 generated councils). Not the
    default: on ussr1957 over 1957-70 scaling took 470 rounds against 359
    (docs/performance.md). Returns the second run (its rounds and history after the
    first's) where its plan is proven, else the first as it was."""
    again = decompose(data, parts.owner, parts.names, tolerance=tolerance,
                      max_rounds=max_rounds - result.rounds, progress=progress,
                      engine=engine, solver=solver, scaled=True, alone=alone)
    again_reduced, again_outcome = _assessed(scenario, lp, again, tolerance)
    if not (again.converged and again_outcome.verification.proven_optimal):
        return result, reduced, outcome
    both = replace(again, rounds=result.rounds + again.rounds,
                   history=result.history + again.history,
                   solvers={name: result.solvers.get(name, 0) + again.solvers.get(name, 0)
                            for name in {*result.solvers, *again.solvers}})
    return both, again_reduced, again_outcome


def _verdict(result: Coordination, check: Verification, councils: int, behaviour: Behaviour,
             max_rounds: int, hint_dantzig_wolfe: bool) -> tuple[str, str]:
    """The plan's status and message: optimal only when the councils converged and the
    plan's own prices prove it (plan/optimality.py); feasible when verified but not proven;
    error when it fails verification or a council failed; time_limit at the round cap."""
    last = result.history[-1] if result.history else None
    if result.converged:
        converged = (f"{councils} councils converged in {result.rounds} rounds: mismatch "
                     f"{last.mismatch:.1e}, gap {last.gap:.1e}, dual residual "
                     f"{last.dual_residual:.1e}")
        if check.proven_optimal:
            return "optimal", converged
        if check.passed and not behaviour.cooperative:
            return "feasible", (
                f"{converged}; councils that favour their own ({behaviour}) reach a feasible "
                "plan, not the economy's optimum: its prices are those of their own problem "
                "(see behaviour for what it costs against cooperation)")
        if check.passed:  # the prices they leave do not prove it
            return "feasible", f"{converged}; {check.unproven_message()}"
        return "error", f"converged, but the plan fails verification: {check.worst}"
    if result.stopped and last is None:
        return "error", f"stopped in round 1: {result.stopped}; no plan"
    if result.stopped:
        return "error", (f"stopped in round {result.rounds}: {result.stopped}; the plan is the "
                         f"best so far (mismatch {last.mismatch:.1e}, gap {last.gap:.1e})")
    message = (f"round limit {max_rounds} reached: mismatch {last.mismatch:.1e}, gap "
               f"{last.gap:.1e}, dual residual {last.dual_residual:.1e}")
    if hint_dantzig_wolfe:
        message += "; over several years --protocol dantzig-wolfe needs far fewer rounds"
    return "time_limit", message


def _report(result: Coordination, lp: LinearProgram, names: list[str], organisation: str,
            protocol: str, engine: str, check: Verification) -> CouncilRun:
    """Rounds, traffic (beside what a central planner must gather: the whole LP), history,
    and the bound the plan's prices prove (None where they prove none)."""
    central_bytes = int(8 * (3 * lp.data.nnz + 2 * lp.data.num_rows + 3 * lp.data.num_cols))
    return CouncilRun(
        organisation=organisation, protocol=protocol, engine=engine, councils=names,
        rounds=result.rounds,
        traffic=Traffic(messages=sum(r.messages for r in result.history),
                        bytes=sum(r.bytes for r in result.history),
                        central_bytes=central_bytes),
        dual_objective=check.true_bound, history=[r.record() for r in result.history])
