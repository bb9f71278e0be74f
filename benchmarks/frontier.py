"""Frontier benchmark: the exact two-priority frontier against one solve, on generated economies.

    python benchmarks/frontier.py --sizes 1e4,1e5,1e6

Each economy comes from the generator (seed 0; 8 product inputs and 2 factors per technique,
2 techniques per product and region); its targets are scaled by ``--targets`` (default 0.3)
so that they can be met in full, and two priorities are added: ``civil`` asks for one unit
of each even-numbered product in every region, ``military`` for one unit of each odd-numbered
product in the first half of the regions. "One solve" is a cold HiGHS solve of the same
priorities LP for the largest ``civil`` level (the first question the frontier asks), with
the same method; the frontier is every vertex, both ends lexicographic, on one warm model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import sovnarkhoz
from sovnarkhoz.decision import LevelSolver, frontier
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from sovnarkhoz.solvers import SolverOptions
from sovnarkhoz.solvers.highs import HighsSolver

SIZES = {"1e4": (30, 10), "1e5": (300, 10), "1e6": (1500, 20)}  # products, regions

LOCAL = Path(__file__).resolve().parent / "results" / "local"  # git-ignored


def economy(size: str, scale: float) -> sovnarkhoz.Scenario:
    products, regions = SIZES[size]
    spec = GeneratorSpec(products, regions, techniques=2, inputs=8, factors=2, seed=0)
    tables = generate_tables(spec)
    tables["targets"] = tables["targets"].assign(amount=tables["targets"]["amount"] * scale)
    product_ids = tables["products"]["product"].to_numpy()
    region_ids = tables["regions"]["region"].to_numpy()
    civil_p = product_ids[0::2]
    military_p = product_ids[1::2]
    half = region_ids[: max(1, len(region_ids) // 2)]
    civil = pd.DataFrame({"priority": "civil", "region": np.repeat(region_ids, len(civil_p)),
                          "product": np.tile(civil_p, len(region_ids)), "amount": 1.0})
    military = pd.DataFrame({"priority": "military", "region": np.repeat(half, len(military_p)),
                             "product": np.tile(military_p, len(half)), "amount": 1.0})
    tables["priorities"] = pd.concat([civil, military], ignore_index=True)
    return sovnarkhoz.Scenario.from_frames(name=f"frontier-{size}", **tables)


def measure(size: str, scale: float, method: str, verify: int) -> dict[str, object]:
    scenario = economy(size, scale)
    clock = time.perf_counter()
    solver = LevelSolver(scenario, options=SolverOptions(method=method))
    setup = time.perf_counter() - clock
    lp = solver.lp.data
    # one cold solve of the first question: the largest civil level
    cost = np.zeros(lp.num_cols)
    cost[solver.columns[0]] = -1.0
    from dataclasses import replace

    clock = time.perf_counter()
    one = HighsSolver().solve(replace(lp, c=cost), SolverOptions(method=method))
    one_seconds = time.perf_counter() - clock
    front = frontier(solver)
    clock = time.perf_counter()
    checked = [solver.plan(p) for p in front.points[:verify]]
    verify_seconds = time.perf_counter() - clock
    row = {"size": size, "rows": lp.num_rows, "columns": lp.num_cols, "nonzeros": lp.nnz,
           "method": method, "setup_seconds": setup, "one_solve_status": one.status.value,
           "one_solve_seconds": one_seconds, "one_solve_civil": float(-one.objective),
           "frontier_seconds": front.seconds, "solves": front.solves,
           "vertices": len(front.points), "ratio": front.seconds / one_seconds,
           "first_solve_seconds": front.solve_seconds[0],
           "later_solve_seconds_mean": float(np.mean(front.solve_seconds[1:])),
           "civil_range": [float(front.levels[:, 0].min()), float(front.levels[:, 0].max())],
           "military_range": [float(front.levels[:, 1].min()), float(front.levels[:, 1].max())],
           "verified": len(checked), "verify_seconds": verify_seconds,
           "all_passed": all(p.verification.passed for p in checked),
           "max_relative_violation": max((p.verification.max_relative_violation
                                          for p in checked), default=0.0)}
    assert abs(row["civil_range"][1] - row["one_solve_civil"]) <= 1e-6 * max(
        1.0, row["one_solve_civil"]), "the frontier's end differs from the single solve"
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e4,1e5")
    parser.add_argument("--targets", type=float, default=0.3, help="scale of the targets")
    parser.add_argument("--method", default="simplex", choices=["simplex", "ipm", "auto"])
    parser.add_argument("--verify", type=int, default=1000,
                        help="verify at most this many vertices as plans")
    parser.add_argument("--json", "--out", type=Path, default=LOCAL / "frontier.json",
                        help="where the results go (default: benchmarks/results/local/, "
                        "not tracked; name a file in benchmarks/results/ to update a tracked "
                        "figure)")
    args = parser.parse_args()
    rows = []
    for size in args.sizes.split(","):
        row = measure(size, args.targets, args.method, args.verify)
        rows.append(row)
        print(f"{size}: {row['rows']:,} x {row['columns']:,}, {row['nonzeros']:,} nonzeros; "
              f"one solve {row['one_solve_seconds']:.2f} s; frontier {row['vertices']} "
              f"vertices in {row['solves']} solves, {row['frontier_seconds']:.2f} s = "
              f"{row['ratio']:.1f} x one solve (first {row['first_solve_seconds']:.2f} s, "
              f"then {row['later_solve_seconds_mean']:.3f} s each); {row['verified']} "
              f"verified in {row['verify_seconds']:.1f} s, passed {row['all_passed']} "
              f"(worst {row['max_relative_violation']:.1e})", flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
