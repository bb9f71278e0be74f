"""The pipeline around the solver on one large single-region economy (G4's shape, smaller).

    python benchmarks/scale.py 2000000        # 2,000,000 products x 1 region x 1 technique

Times generation (in memory), validation (Scenario.from_frames), indexing, LP assembly and
verification of a plan (every technique at level 1), and reports the peak resident memory.
"""

from __future__ import annotations

import resource
import sys
import time

import pandas as pd

import sovnarkhoz
from sovnarkhoz.formulation import Objective, build_lp
from sovnarkhoz.plan.verify import verify
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables


def main() -> int:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000

    def timed(label: str, started: float) -> None:
        print(f"{label:<10} {time.perf_counter() - started:7.2f} s", flush=True)

    clock = time.perf_counter()
    tables = generate_tables(GeneratorSpec(products, 1, 1, seed=0))
    timed("generate", clock)
    clock = time.perf_counter()
    scenario = sovnarkhoz.Scenario.from_frames(name="scale", **tables)
    del tables
    timed("validate", clock)
    clock = time.perf_counter()
    economy = scenario.economy
    timed("index", clock)
    clock = time.perf_counter()
    lp = build_lp(economy, Objective.parse("max-fulfilment"))
    timed("assemble", clock)
    activities = scenario.techniques[["technique"]].assign(level=1.0)
    nothing = pd.DataFrame({"origin": [], "destination": [], "product": [], "sent": []})
    clock = time.perf_counter()
    verify(scenario.tables, activities, nothing, 0.5)
    timed("verify", clock)
    print(f"{lp.data.nnz:,} nonzeros; peak memory "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.1f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
