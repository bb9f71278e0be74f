"""Every protocol on the same economies: rounds, seconds (wall and CPU) and λ against the centre.

    python benchmarks/councils_protocols.py --economies c2,c10,c50,c107,g60x6x2,ussr1 \
        --protocols auto,prices,dantzig-wolfe,quotas,admm --rounds 300

Economies: cN, a generated one-year economy of N territorial councils (10 products, 2
techniques, 3 inputs, 2 factors, seed 1, as benchmarks/councils.py); gPxRxT, the economy of
``sovnarkhoz generate --products P --regions R --techniques T`` (seed 0; gPxRxTsS: seed S);
ussrY, ussr1957 cut to its first Y years (benchmarks/councils_ussr1957.first_years), its
fifteen republic councils. Every plan is verified and proven as a central one (status optimal
only when its prices prove it); "λ off by" compares its objective with HiGHS's central plan;
the last round's mismatch and gap say how far a run stopped at the round cap still was.
"""

from __future__ import annotations

import argparse
import sys
import time

import sovnarkhoz
from councils_ussr1957 import first_years
from sovnarkhoz.bundled import bundled
from sovnarkhoz.councils import plan_by_councils
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables


def economy(name: str) -> sovnarkhoz.Scenario:
    """The scenario called ``name`` (cN, gPxRxT or ussrY)."""
    if name.startswith("ussr"):
        whole = sovnarkhoz.load_scenario(bundled("ussr1957"))
        years = int(name[4:])
        return whole if years >= 14 else first_years(whole, years)
    if name.startswith("g"):
        sizes, _, seed = name[1:].partition("s")
        products, regions, techniques = (int(v) for v in sizes.split("x"))
        spec = GeneratorSpec(products, regions, techniques, 8, 2, seed=int(seed or 0))
    else:
        spec = GeneratorSpec(10, int(name[1:]), 2, 3, 2, seed=1)
    return sovnarkhoz.Scenario.from_frames(name=name, **generate_tables(spec))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--economies", default="c2,c10,c50,c107,g60x6x2,ussr1,ussr3,ussr5")
    parser.add_argument("--protocols", default="auto,prices,dantzig-wolfe,quotas,admm")
    parser.add_argument("--organisation", default="territorial")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    print("economy | protocol | status | rounds | wall s | CPU s | λ off by (relative) | "
          "last mismatch | last gap")
    for name in args.economies.split(","):
        scenario = economy(name)
        central = sovnarkhoz.make_plan(scenario, solver="highs").objective_value
        for protocol in args.protocols.split(","):
            wall, cpu = time.perf_counter(), time.process_time()
            plan = plan_by_councils(scenario, args.organisation, protocol=protocol,
                                    tolerance=args.tolerance, max_rounds=args.rounds)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            chosen = plan.details["protocol"]
            label = f"auto ({chosen})" if protocol == "auto" else protocol
            off = ("-" if plan.objective_value is None
                   else f"{abs(plan.objective_value - central) / abs(central):.1e}")
            last = plan.details["history"][-1] if plan.details["history"] else {}
            print(f"{name} | {label} | {plan.status} | {plan.details['rounds']} | {wall:.1f} | "
                  f"{cpu:.1f} | {off} | {last.get('mismatch', float('nan')):.1e} | "
                  f"{last.get('gap', float('nan')):.1e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
