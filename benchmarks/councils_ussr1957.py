"""Republic councils planning the bundled ussr1957 over its first years, against the centre.

    python benchmarks/councils_ussr1957.py --years 1,3,5 --protocols prices,dantzig-wolfe \
        [--organisations territorial,branch]

The scenario is cut to 1957 .. 1957 + years - 1 (targets and supplies of later years left
out); the fifteen republic councils (or the branch ministries) plan it by each protocol to
--tolerance, and the result is compared with HiGHS's central plan; every plan is verified
against the scenario's tables (largest violation printed).
"""

from __future__ import annotations

import argparse
import sys
import time

import sovnarkhoz
from sovnarkhoz.bundled import bundled
from sovnarkhoz.councils import plan_by_councils


def first_years(scenario: sovnarkhoz.Scenario, years: int) -> sovnarkhoz.Scenario:
    """``scenario`` planned only over its first ``years`` years."""
    last = scenario.horizon.first + years - 1
    settings = {**scenario.settings, "horizon": {**scenario.settings["horizon"], "last": last}}
    tables = dict(scenario.tables)
    for name in ("targets", "supplies"):
        table = tables.get(name)
        if table is not None and "year" in table.columns:
            tables[name] = table[~(table["year"] > last)]
    return sovnarkhoz.Scenario.from_frames(name=f"{scenario.name}-{years}y", settings=settings,
                                           **tables)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", default="1,3,5")
    parser.add_argument("--protocols", default="prices,dantzig-wolfe")
    parser.add_argument("--organisations", default="territorial",
                        help="territorial (the republic councils), branch (the ministries)")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--rounds", type=int, default=3000)
    args = parser.parse_args()
    whole = sovnarkhoz.load_scenario(bundled("ussr1957"))
    print("years | organisation | protocol | status | rounds | seconds | λ | central λ | "
          "largest violation | bytes")
    for years in (int(y) for y in args.years.split(",")):
        scenario = first_years(whole, years)
        central = sovnarkhoz.make_plan(scenario, solver="highs").objective_value
        for organisation in args.organisations.split(","):
            for protocol in args.protocols.split(","):
                clock = time.perf_counter()
                plan = plan_by_councils(scenario, organisation, protocol=protocol,
                                        tolerance=args.tolerance, max_rounds=args.rounds)
                seconds = time.perf_counter() - clock
                value = "-" if plan.objective_value is None else f"{plan.objective_value:.9f}"
                print(f"{years} | {organisation} | {protocol} | {plan.status} | "
                      f"{plan.details['rounds']} | {seconds:.1f} | {value} | {central:.9f} | "
                      f"{plan.verification.max_violation:.1e} | "
                      f"{plan.details['traffic']['bytes']:,}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
