"""Councils on multi-year generated economies: rounds and time to the central optimum.

    python benchmarks/councils_years.py --products 6 --regions 3 --years 2 --seeds 1 \
        --organisations territorial,branch --objectives max-fulfilment,max-total-fulfilment

Each economy comes from the generator (one council per region, one ministry per product, 2
techniques per product, 3 product inputs, 2 factors, --capital capital goods per technique,
lag 1); the councils are coordinated by --protocol (default prices) to --tolerance and
compared with the central exact multi-year plan.
"""

from __future__ import annotations

import argparse
import sys
import time

import sovnarkhoz
from sovnarkhoz.councils import plan_by_councils
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=6)
    parser.add_argument("--regions", type=int, default=3)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--capital", type=int, default=2)
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--organisations", default="territorial,branch")
    parser.add_argument("--objectives", default="max-fulfilment,max-total-fulfilment")
    parser.add_argument("--protocol", default="prices")
    parser.add_argument("--tolerance", type=float, default=1e-7)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    print("economy | LP | organisation | objective | central | councils | rounds | seconds")
    for seed in (int(s) for s in args.seeds.split(",")):
        spec = GeneratorSpec(args.products, args.regions, 2, 3, 2, seed=seed, years=args.years,
                             capital=args.capital)
        settings = {"horizon": {"first": 2000, "last": 2000 + args.years - 1, "lag": 1}}
        scenario = sovnarkhoz.Scenario.from_frames(name=spec.name, settings=settings,
                                                   **generate_tables(spec))
        for objective in args.objectives.split(","):
            central = sovnarkhoz.make_plan(scenario, objective, solver="highs")
            size = central.details["size"]
            for organisation in args.organisations.split(","):
                clock = time.perf_counter()
                plan = plan_by_councils(scenario, organisation, objective=objective,
                                        protocol=args.protocol, tolerance=args.tolerance,
                                        max_rounds=args.rounds)
                seconds = time.perf_counter() - clock
                value = ("-" if plan.objective_value is None
                         else f"{plan.objective_value:.9g}")
                print(f"{spec.name} | {size['rows']} x {size['columns']}, {size['nonzeros']} nnz"
                      f" | {organisation} | {objective} | {central.objective_value:.9g} | "
                      f"{value} ({plan.status}) | {plan.details['rounds']} | {seconds:.2f}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
