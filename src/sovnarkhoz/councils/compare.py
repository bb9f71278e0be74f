"""The same economy planned by each organisation, side by side."""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from ..plan.planner import make_plan
from ..scenario.model import Scenario
from .choice import AUTO
from .protocol import Round
from .run import plan_by_councils, suggested_protocol

ORGANISATIONS = ("territorial", "branch")
"""The organisations compared with the central plan, in order."""


def compare_organisations(scenario: Scenario, objective: str | None = None,
                          engine: str = "local", tolerance: float = 1e-4,
                          max_rounds: int = 2000, protocol: str | None = None,
                          starting: Callable[[str, str | None], None] | None = None,
                          progress: Callable[[str, Round], None] | None = None,
                          finished: Callable[[str], None] | None = None) -> pd.DataFrame:
    """One row per organisation (central, territorial, branch): status, protocol, objective
    value, its shortfall against the central optimum, rounds, seconds, bytes exchanged and
    the bytes a central planner gathers.

    ``protocol``: the councils' protocol; None or auto: each organisation's own choice
    (``choice.choose_protocol``).
    ``starting(organisation, protocol)`` is called as each organisation starts (protocol None
    for the central plan), ``progress(organisation, round)`` after each of its rounds and
    ``finished(organisation)`` when it is done, so that a caller can say what it waits for.
    """
    clock = time.perf_counter()
    if starting is not None:
        starting("central", None)
    central = make_plan(scenario, objective=objective, solver="highs")
    if finished is not None:
        finished("central")
    rows = [{"organisation": "central", "protocol": "", "status": central.status,
             "objective_value": central.objective_value, "shortfall": 0.0, "rounds": 1,
             "seconds": time.perf_counter() - clock, "bytes_exchanged": None,
             "central_bytes": None}]
    sense = -1.0 if central.objective in ("max-fulfilment", "max-total-fulfilment") else 1.0
    for organisation in ORGANISATIONS:
        chosen = (protocol if protocol not in (None, AUTO)
                  else suggested_protocol(scenario, organisation))
        clock = time.perf_counter()
        if starting is not None:
            starting(organisation, chosen)
        report = None if progress is None else (
            lambda record, who=organisation: progress(who, record))
        try:
            plan = plan_by_councils(scenario, organisation, objective=objective,
                                    engine=engine, tolerance=tolerance,
                                    max_rounds=max_rounds, protocol=chosen, progress=report)
        finally:
            if finished is not None:
                finished(organisation)
        value = plan.objective_value
        traffic = plan.details["traffic"]
        rows.append({
            "organisation": organisation, "protocol": chosen, "status": plan.status,
            "objective_value": value,
            "shortfall": (None if value is None or central.objective_value is None
                          else -sense * (central.objective_value - value)),
            "rounds": plan.details["rounds"], "seconds": time.perf_counter() - clock,
            "bytes_exchanged": traffic["bytes"], "central_bytes": traffic["central_bytes"]})
    table = pd.DataFrame(rows)
    central_bytes = table["central_bytes"].dropna()
    if len(central_bytes):
        table.loc[0, "central_bytes"] = central_bytes.iloc[0]
    return table
