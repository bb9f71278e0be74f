"""Councils benchmark: rounds, wall time and traffic for 2-107 territorial councils.

    python benchmarks/councils.py --councils 2,10,50,107 --products 10 --rounds 300 \
        --engines local,processes,ray --json benchmarks/results/councils_prices.json

Each economy comes from the generator (one council per region, 2 techniques per product,
3 product inputs, 2 factors); the councils are coordinated by --protocol (default prices) on
the chosen engines (in-process, worker processes, Ray actors on this machine), and compared
with the central exact plan. Then the cost of localism at a few strengths on the smallest
economy.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import sovnarkhoz
from sovnarkhoz.councils import Behaviour, plan_by_councils
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables

LOCAL = Path(__file__).resolve().parent / "results" / "local"  # git-ignored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", default="2,10,50,107")
    parser.add_argument("--products", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--engines", default="local,processes")
    parser.add_argument("--protocol", default="prices",
                        choices=["prices", "dantzig-wolfe", "admm", "quotas"])
    parser.add_argument("--localism", default="0.5,2,10")
    parser.add_argument("--json", "--out", type=Path, default=LOCAL / "councils.json",
                        help="where the results go (default: benchmarks/results/local/, "
                        "not tracked; name a file in benchmarks/results/ to update a tracked "
                        "figure)")
    args = parser.parse_args()
    rows = []
    for count in [int(c) for c in args.councils.split(",")]:
        spec = GeneratorSpec(args.products, count, 2, 3, 2, seed=1)
        scenario = sovnarkhoz.Scenario.from_frames(name=f"c{count}", **generate_tables(spec))
        central = sovnarkhoz.make_plan(scenario, solver="highs")
        for engine in args.engines.split(","):
            clock = time.perf_counter()
            plan = plan_by_councils(scenario, "territorial", engine=engine, tolerance=1e-4,
                                    max_rounds=args.rounds, protocol=args.protocol)
            seconds = time.perf_counter() - clock
            last = plan.details["history"][-1]
            lam = plan.fulfilment if plan.fulfilment is not None else -last["objective"]
            row = {"councils": count, "engine": engine, "protocol": args.protocol,
                   "status": plan.status,
                   "rounds": plan.details["rounds"], "seconds": seconds,
                   "mismatch": last["mismatch"], "gap": last["gap"],
                   "dual_residual": last["dual_residual"],
                   "relative_error": abs(lam - central.fulfilment) / central.fulfilment,
                   "bytes": plan.details["traffic"]["bytes"],
                   "central_bytes": plan.details["traffic"]["central_bytes"]}
            rows.append(row)
            print(f"{count:>4} councils, {args.protocol}, {engine:<9}: {plan.status:<10} "
                  f"{row['rounds']:>5} rounds "
                  f"{seconds:8.1f} s; mismatch {row['mismatch']:.1e}, gap {row['gap']:.1e}, "
                  f"λ off by {row['relative_error']:.1e}; {row['bytes']:,} bytes exchanged vs "
                  f"{row['central_bytes']:,} to gather centrally", flush=True)
    smallest = int(args.councils.split(",")[0])
    spec = GeneratorSpec(args.products, smallest, 2, 3, 2, seed=1)
    scenario = sovnarkhoz.Scenario.from_frames(name="localism", **generate_tables(spec))
    for strength in [float(s) for s in args.localism.split(",")]:
        plan = plan_by_councils(scenario, "territorial", tolerance=1e-4, max_rounds=args.rounds,
                                behaviour=Behaviour(localism=strength),
                                protocol=args.protocol)
        cost = plan.details["behaviour"]["cost"]
        rows.append({"localism": strength, "status": plan.status, "cost": cost,
                     "cooperative": plan.details["behaviour"]["cooperative_objective"]})
        shown = "n/a" if cost is None else f"{cost:.6g}"
        print(f"localism {strength:g}: {plan.status}, cost {shown} of λ = "
              f"{plan.details['behaviour']['cooperative_objective']:.6g}", flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
