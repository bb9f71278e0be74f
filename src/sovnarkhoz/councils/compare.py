"""The same economy planned by each organisation, side by side."""

from __future__ import annotations

import time

import pandas as pd

from ..plan.planner import make_plan
from ..scenario.model import Scenario
from .run import plan_by_councils


def compare_organisations(scenario: Scenario, objective: str | None = None,
                          engine: str = "local", tolerance: float = 1e-4,
                          max_rounds: int = 2000, protocol: str = "prices") -> pd.DataFrame:
    """One row per organisation (central, territorial, branch): status, objective value,
    its shortfall against the central optimum, rounds, seconds, bytes exchanged and the
    bytes a central planner gathers."""
    clock = time.perf_counter()
    central = make_plan(scenario, objective=objective, solver="highs")
    rows = [{"organisation": "central", "status": central.status,
             "objective_value": central.objective_value, "shortfall": 0.0, "rounds": 1,
             "seconds": time.perf_counter() - clock, "bytes_exchanged": None,
             "central_bytes": None}]
    sense = -1.0 if central.objective in ("max-fulfilment", "max-total-fulfilment") else 1.0
    for organisation in ("territorial", "branch"):
        clock = time.perf_counter()
        plan = plan_by_councils(scenario, organisation, objective=objective, engine=engine,
                                tolerance=tolerance, max_rounds=max_rounds, protocol=protocol)
        value = plan.objective_value
        traffic = plan.details["traffic"]
        rows.append({
            "organisation": organisation, "status": plan.status, "objective_value": value,
            "shortfall": (None if value is None or central.objective_value is None
                          else -sense * (central.objective_value - value)),
            "rounds": plan.details["rounds"], "seconds": time.perf_counter() - clock,
            "bytes_exchanged": traffic["bytes"], "central_bytes": traffic["central_bytes"]})
    table = pd.DataFrame(rows)
    central_bytes = table["central_bytes"].dropna()
    if len(central_bytes):
        table.loc[0, "central_bytes"] = central_bytes.iloc[0]
    return table
