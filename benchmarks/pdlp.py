"""pdlp benchmark on the generated economies G0-G4 (issue: Gosplan scale).

For each economy: generate it (in memory), build the Scenario (validation), assemble the LP,
solve with pdlp to the tolerance, build and verify the plan; optionally HiGHS's interior point
on the same matrix. Prints time to tolerance (solve alone and end to end from the tables),
iterations, milliseconds per iteration and the memory-bandwidth bound per iteration,
(24 nnz + 100 (rows + cols)) bytes / 3.0e12 B/s (an H100's HBM3).

    python benchmarks/pdlp.py --sizes G0 --device cpu            # runs anywhere
    python benchmarks/pdlp.py --sizes G1,G2,G3,G4 --device cuda --highs G1
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ECONOMIES = {  # products, regions, techniques
    "G0": (200, 8, 2),
    "G1": (1_000, 20, 2),
    "G2": (5_000, 50, 2),
    "G3": (20_000, 107, 2),
    "G4": (12_000_000, 1, 1),
}
BANDWIDTH = 3.0e12  # bytes per second

LOCAL = Path(__file__).resolve().parent / "results" / "local"  # git-ignored


def bound_ms(nnz: int, rows: int, cols: int) -> float:
    """Milliseconds per iteration if every byte moved once at full memory bandwidth."""
    return 1000.0 * (24 * nnz + 100 * (rows + cols)) / BANDWIDTH


def run(name: str, device: str, tolerance: float, with_highs: bool,
        highs_limit: float) -> dict[str, object]:
    import sovnarkhoz
    from sovnarkhoz.formulation import Objective, build_lp
    from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
    from sovnarkhoz.solvers import SolverOptions
    from sovnarkhoz.solvers.highs import HighsSolver

    products, regions, techniques = ECONOMIES[name]
    clock = time.perf_counter()
    tables = generate_tables(GeneratorSpec(products, regions, techniques, seed=0))
    generated = time.perf_counter() - clock
    clock = time.perf_counter()
    scenario = sovnarkhoz.Scenario.from_frames(name=name, **tables)
    del tables
    validated = time.perf_counter() - clock
    options = SolverOptions(tolerance=tolerance, device=device)
    plan = sovnarkhoz.make_plan(scenario, solver="pdlp", options=options)
    details = plan.details["solver_details"]
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment")).data
    row: dict[str, object] = {
        "economy": name, "products": products, "regions": regions, "techniques": techniques,
        "rows": lp.num_rows, "columns": lp.num_cols, "nonzeros": lp.nnz, "device": device,
        "tolerance": tolerance, "status": plan.status, "fulfilment": plan.fulfilment,
        "iterations": plan.details["iterations"], "solve_seconds": plan.timings["solve"],
        "end_to_end_seconds": validated + plan.seconds, "generate_seconds": generated,
        "validate_seconds": validated, "timings": plan.timings,
        "ms_per_iteration": details["ms_per_iteration"],
        "bound_ms_per_iteration": bound_ms(lp.nnz, lp.num_rows, lp.num_cols),
        "max_violation": plan.verification.max_violation if plan.verification else None,
        "kkt": {k: details[k] for k in ("relative_primal_residual", "relative_dual_residual",
                                        "relative_gap", "largest_row_violation")
                if k in details},
    }
    if with_highs:
        result = HighsSolver().solve(lp, SolverOptions(method="ipm", time_limit=highs_limit))
        row["highs_ipm"] = {"status": result.status.value, "seconds": result.seconds,
                            "objective": -result.objective}
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="G0")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--highs", default="", help="economies also solved by HiGHS ipm")
    parser.add_argument("--highs-limit", type=float, default=600.0)
    parser.add_argument("--json", "--out", type=Path, default=LOCAL / "pdlp.json",
                        help="where the results go (default: benchmarks/results/local/, "
                        "not tracked; name a file in benchmarks/results/ to update a tracked "
                        "figure)")
    args = parser.parse_args()
    from sovnarkhoz.solvers.pdlp import pick_device

    device = pick_device(args.device)
    rows = []
    for name in args.sizes.split(","):
        row = run(name, device, args.tolerance, name in args.highs.split(","), args.highs_limit)
        rows.append(row)
        print(f"{name}: {row['nonzeros']:,} nnz on {device}: {row['status']} in "
              f"{row['solve_seconds']:.2f} s ({row['iterations']:,} iterations, "
              f"{row['ms_per_iteration']:.3f} ms each; bandwidth bound "
              f"{row['bound_ms_per_iteration']:.3f} ms); end to end "
              f"{row['end_to_end_seconds']:.2f} s; max violation {row['max_violation']:.2g}"
              + (f"; HiGHS ipm {row['highs_ipm']['status']} in {row['highs_ipm']['seconds']:.1f} s"
                 if "highs_ipm" in row else ""), flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": platform.platform(), "runs": rows}, indent=2,
                                    default=float) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
