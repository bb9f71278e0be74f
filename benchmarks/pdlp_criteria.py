"""pdlp's stopping rules and scalings compared by iteration count on one generated economy.

    python benchmarks/pdlp_criteria.py [PRODUCTS REGIONS TECHNIQUES]    # default G0: 200 8 2
"""

from __future__ import annotations

import itertools
import sys
import time

import sovnarkhoz
from sovnarkhoz.formulation import Objective, build_lp
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from sovnarkhoz.solvers import SolverOptions
from sovnarkhoz.solvers.pdlp import PdlpSettings, PdlpSolver


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:4]] or [200, 8, 2]
    spec = GeneratorSpec(*sizes, seed=0)
    scenario = sovnarkhoz.Scenario.from_frames(name="criteria", **generate_tables(spec))
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment")).data
    print(f"{sizes[0]} x {sizes[1]} x {sizes[2]}: {lp.nnz:,} nonzeros")
    for scaled, rowwise in itertools.product([False, True], [False, True]):
        settings = PdlpSettings(bound_objective_scaling=scaled, rowwise_check=rowwise)
        clock = time.perf_counter()
        result = PdlpSolver(settings).solve(lp, SolverOptions(device="cpu", tolerance=1e-4))
        print(f"bound-objective scaling {scaled!s:<5} row-wise rule {rowwise!s:<5}: "
              f"{result.status.value}, {result.iterations:,} iterations, "
              f"{time.perf_counter() - clock:.1f} s, objective {-result.objective:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
