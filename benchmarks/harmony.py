"""The three objectives on ussr1957 side by side, and the time harmony takes.

    python benchmarks/harmony.py [--repeats 2] [--tangents]

Plans ussr1957 over its first year (1957) and over 1957-70 with complete sets
(max-fulfilment), total fulfilment (max-total-fulfilment, 1957-70 only) and harmony
(max-harmony: Clarabel's conic program; with ``--tangents`` also HiGHS's LPs of tangent
planes), the runs interleaved; prints each run's seconds and, for 1957-70, what each
objective gives the pledge (meat, milk, butter), the population (grain and consumer goods)
and heavy industry (coal, oil, electricity, construction): the USSR's deliveries over its
targets, in 1960, 1965 and 1970.
"""

from __future__ import annotations

import argparse
import time

import sovnarkhoz
from sovnarkhoz.plan import planner

GROUPS = {"pledge": ["meat", "milk", "butter"], "population": ["grain", "consumer_goods"],
          "heavy industry": ["coal", "oil", "electricity", "construction"]}
YEARS = (1960, 1965, 1970)


def _one_year(scenario: sovnarkhoz.Scenario) -> sovnarkhoz.Scenario:
    """The scenario's first year as a horizon of one (rows of later years dropped)."""
    first = scenario.horizon.first
    tables = {name: (frame[frame["year"].isna() | (frame["year"] == first)]
                     if "year" in frame.columns else frame)
              for name, frame in scenario.tables.items()}
    return sovnarkhoz.Scenario.from_frames(
        name=f"{scenario.name}_{first}", settings={"horizon": {"first": first, "last": first,
                                                               "lag": scenario.horizon.lag}},
        **tables)


def _plan(scenario, objective: str, tangents: bool):
    by_cones = planner._by_cones
    if tangents:
        planner._by_cones = lambda backend: False
    try:
        started = time.perf_counter()
        plan = sovnarkhoz.make_plan(scenario, objective)
        return plan, time.perf_counter() - started
    finally:
        planner._by_cones = by_cones


def _shares(plan) -> dict[str, list[float]]:
    table = plan.tables["fulfilment"]
    out = {}
    for group, products in GROUPS.items():
        rows = table[table["product"].isin(products)]
        out[group] = [float(rows[rows["year"] == y]["delivered"].sum()
                            / rows[rows["year"] == y]["target"].sum()) for y in YEARS]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--tangents", action="store_true",
                        help="also time harmony by LPs of tangent planes")
    options = parser.parse_args()
    full = sovnarkhoz.load_scenario(sovnarkhoz.bundled("ussr1957"))
    cases = [("1957", _one_year(full)), ("1957-70", full)]
    runs = [("max-fulfilment", False), ("max-harmony", False)]
    if options.tangents:
        runs.append(("max-harmony", True))
    last = {}
    for name, scenario in cases:
        for _ in range(options.repeats):
            for objective, tangents in runs:
                plan, seconds = _plan(scenario, objective, tangents)
                label = objective + (" (tangent planes)" if tangents else "")
                o = plan.verification.optimality
                print(f"{name} {label}: {seconds:.2f} s, {plan.status}, objective "
                      f"{plan.objective_value:.6f}, gap {o.gap:.1e}", flush=True)
                last[(name, label)] = plan
    plan, seconds = _plan(full, "max-total-fulfilment", False)
    print(f"1957-70 max-total-fulfilment: {seconds:.2f} s, {plan.status}, objective "
          f"{plan.objective_value:.6f}", flush=True)
    last[("1957-70", "max-total-fulfilment")] = plan
    print("\ndelivered / target, USSR, " + ", ".join(map(str, YEARS)))
    for label in ("max-fulfilment", "max-total-fulfilment", "max-harmony"):
        shares = _shares(last[("1957-70", label)])
        print(f"{label:<22}" + "  ".join(
            f"{group} {' / '.join(f'{v:.3f}' for v in values)}"
            for group, values in shares.items()))


if __name__ == "__main__":
    main()
