"""sensitivity: HiGHS's ranging against solving every sample, interleaved (A, B, A, B).

    python benchmarks/sensitivity_ranging.py --products 100 --regions 4 --samples 16 \
        --spread 0.005 --rounds 2

On a generated one-year economy (2 techniques per product and region), the plan question
(λ) with the first supply of the first region varied by ±spread: A asks ``sensitivity``
as it is (ranging, where the range lies in the interval where the nominal basis stays
optimal), B with ranging switched off (the tornado and every Latin-hypercube sample solved).
Prints each run's seconds, solves and method, and the largest difference between A's and
B's range ends (the two must agree).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import sovnarkhoz.horizon.sensitivity as sensitivity_module
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from sovnarkhoz.scenario.model import Scenario, load_scenario


def economy(products: int, regions: int, seed: int) -> Scenario:
    spec = GeneratorSpec(products=products, regions=regions, techniques=2, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder) / "economy"
        Scenario.from_frames(**generate_tables(spec)).write(directory)
        return load_scenario(directory)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100)
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--spread", type=float, default=0.005)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    scenario = economy(args.products, args.regions, args.seed)
    supplies = scenario.tables["supplies"]
    text = (f"supplies:{supplies['region'].iat[0]}/{supplies['factor'].iat[0]}:amount="
            f"*{1 - args.spread}..*{1 + args.spread}")
    item = sensitivity_module.parse_vary(scenario, text)
    ranging = sensitivity_module.by_ranging
    ends: dict[str, np.ndarray] = {}
    print(f"{args.products} products x {args.regions} regions, --vary {text}, "
          f"{args.samples} samples")
    for round_ in range(args.rounds):
        for arm in ("A", "B"):
            sensitivity_module.by_ranging = (ranging if arm == "A"
                                             else (lambda *_: (None, "switched off", 0)))
            started = time.perf_counter()
            result = sensitivity_module.sensitivity(scenario, [item],
                                                    sensitivity_module.Question.PLAN,
                                                    samples=args.samples)
            seconds = time.perf_counter() - started
            table = result.range_table()
            ends[arm] = table[["low", "high"]].to_numpy().ravel()
            print(f"{arm} round {round_}: {seconds:.2f} s, {result.solves} solves, "
                  f"{result.method.value}, range {ends[arm][0]:.8g} .. {ends[arm][1]:.8g}"
                  + (f", ranging: {result.ranging}" if arm == "A" else ""),
                  flush=True)
    sensitivity_module.by_ranging = ranging
    print(f"largest |A - B| of the range ends: {np.max(np.abs(ends['A'] - ends['B'])):.2g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
