"""A readable account of a plan for the terminal."""

from __future__ import annotations

from pathlib import Path

from ..plan.result import Plan
from ..scenario.objectives import Objective


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value + 0.0:,.6g}"  # + 0.0: no "-0"


def print_plan_summary(plan: Plan, written: list[Path], top: int = 5) -> None:
    print(f"Plan for {plan.scenario} ({plan.objective}): {plan.status.upper()}")
    print(f"  {plan.message}")
    for warning in plan.warnings:
        print(f"  warning: {warning}")
    checked = (plan.found and plan.fulfilment is not None and plan.verification is not None
               and plan.verification.passed)
    if checked:
        yearly = plan.yearly_fulfilment
        if yearly:
            print("  fulfilment by year: " + ", ".join(f"{y} {_fmt(v)}"
                                                      for y, v in yearly.items()))
        goal = Objective.parse(plan.objective)
        for line in goal.rule.headline.format(value=_fmt(plan.objective_value),
                                              lowest=_fmt(plan.fulfilment),
                                              argument=goal.factor).splitlines():
            print(f"  {line}")
        o = plan.verification.optimality
        if o is not None:
            bound = plan.dual_bound
            print(f"  optimality from the plan's own prices: gap {o.gap:.3g}, dual violation "
                  f"{o.dual_violation:.3g}" + ("" if bound is None else
                                                f"; bound {_fmt(bound)}"))
    if plan.found:
        v = plan.verification
        if v is not None:
            verdict = "passed" if v.passed else "FAILED"
            print(f"  verification against the scenario tables: {verdict}; largest violation "
                  f"{v.max_violation:.3g} (relative {v.max_relative_violation:.3g})"
                  + (f", at {v.worst}" if v.worst and v.max_violation > 0 else ""))
        table = plan.tables.get("bottlenecks")
        if checked and table is not None and len(table):
            print(f"  bottlenecks (highest shadow price first, {len(table)} binding):")
            for row in table.head(top).itertuples(index=False):
                print(f"    {row.kind:<8} {row.what} in {row.where}: price {row.price:.4g}, "
                      f"used {row.used:,.6g} of {row.limit:,.6g}")
    explanation = plan.explanation or {}
    for sentence in explanation.get("sentences", []):
        print(f"  why: {sentence}")
    print(f"  solver {plan.solver} ({plan.solver_choice}); {plan.seconds:.2f} s")
    if written:
        print(f"  wrote {written[0].parent}/: " + ", ".join(p.name for p in written))
