"""A readable account of a plan for the terminal."""

from __future__ import annotations

from pathlib import Path

from ..plan.result import Plan
from ..scenario.objectives import Levels, Objective


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value + 0.0:,.6g}"  # + 0.0: no "-0"


def _share(value: float | None, tolerance: float) -> str:
    """A level λ (a share of the targets, dimensionless) as verified: the plan's rows hold only
    to ``tolerance`` (relative), so a level within it of zero is printed as 0, not as the
    rounding noise it is (councils stopped at their round cap left λ = -3.18e-15)."""
    if value is not None and abs(value) <= tolerance:
        value = 0.0
    return _fmt(value)


def print_plan_summary(plan: Plan, written: list[Path], top: int = 5) -> None:
    print(f"Plan for {plan.scenario} ({plan.objective}): {plan.status.upper()}")
    print(f"  {plan.message}")
    for warning in plan.warnings:
        print(f"  warning: {warning}")
    checked = (plan.found and plan.fulfilment is not None and plan.verification is not None
               and plan.verification.passed)
    if checked:
        tolerance = plan.verification.tolerance
        yearly = plan.yearly_fulfilment
        if yearly:
            print("  fulfilment by year: " + ", ".join(f"{y} {_share(v, tolerance)}"
                                                      for y, v in yearly.items()))
        goal = Objective.parse(plan.objective)
        # an objective of levels (Σ λ) is a share too; a factor's use or harmony is not
        levels = goal.rule.levels in (Levels.ONE, Levels.YEARLY)
        value = (_share(plan.objective_value, tolerance) if levels
                 else _fmt(plan.objective_value))
        for line in goal.rule.headline.format(value=value,
                                              lowest=_share(plan.fulfilment, tolerance),
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
