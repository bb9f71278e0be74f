"""Where a proposal-mixing protocol's time goes, round by round: the centre's master LP or
the councils' own LPs.

    python benchmarks/councils_profile.py --years 14 --protocol dantzig-wolfe --every 10

ussr1957 cut to its first --years years (14: 1957-70), its fifteen republic councils, in this
process. Every --every rounds: the master's objective and the best bound, the gap, and the
seconds so far in all, in ``Master.solve`` (with HiGHS's simplex and interior-point
iterations there) and in the councils' ``PricingCouncil._best``;
then the plan's status, rounds, wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import sys
import time

import sovnarkhoz
from councils_ussr1957 import first_years
from sovnarkhoz.bundled import bundled
from sovnarkhoz.councils import master, plan_by_councils, proposals
from sovnarkhoz.councils.protocol import Round

SPENT = {"master": 0.0, "councils": 0.0}
ITERATIONS = {"simplex": 0, "ipm": 0}


def counted() -> None:
    """Count HiGHS's simplex and interior-point iterations in every ``Master.solve``."""
    original = master.Master.solve

    def wrapper(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        finally:
            info = self.highs.getInfo()
            ITERATIONS["simplex"] += max(int(info.simplex_iteration_count), 0)
            ITERATIONS["ipm"] += max(int(info.ipm_iteration_count), 0)

    master.Master.solve = wrapper


def timed(owner: type, name: str, key: str) -> None:
    """Count the seconds spent in ``owner.name`` under ``key``."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        clock = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[key] += time.perf_counter() - clock

    setattr(owner, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=14)
    parser.add_argument("--protocol", default="dantzig-wolfe",
                        choices=["dantzig-wolfe", "prices"])
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()
    counted()
    timed(master.Master, "solve", "master")
    timed(proposals.PricingCouncil, "_best", "councils")
    whole = sovnarkhoz.load_scenario(bundled("ussr1957"))
    scenario = whole if args.years >= 14 else first_years(whole, args.years)

    def progress(record: Round) -> None:
        if record.round % args.every == 0 or record.round == 1:
            print(f"round {record.round}: objective {record.objective:.6f}, bound "
                  f"{record.dual_objective:.6g}, gap {record.gap:.1e}; {record.seconds:.1f} s, "
                  f"master {SPENT['master']:.1f} s ({ITERATIONS['simplex']} simplex, "
                  f"{ITERATIONS['ipm']} IPM iterations), councils {SPENT['councils']:.1f} s",
                  flush=True)

    wall, cpu = time.perf_counter(), time.process_time()
    plan = plan_by_councils(scenario, "territorial", protocol=args.protocol, progress=progress)
    print(f"{plan.status}: {plan.details['rounds']} rounds, {time.perf_counter() - wall:.1f} s "
          f"wall, {time.process_time() - cpu:.1f} s CPU; master {SPENT['master']:.1f} s, "
          f"councils {SPENT['councils']:.1f} s; λ {plan.objective_value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
