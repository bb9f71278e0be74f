"""Foundation benchmark: generation, validation, assembly, HiGHS and verification times.

For each size, a fresh subprocess generates a synthetic economy (``sovnarkhoz generate``'s
generator), writes it as CSV, loads and validates it, indexes it, assembles the LP, solves it
with HiGHS (10-minute limit by default), builds the plan's tables and verifies them against the
scenario tables. Each stage reports wall time and the peak resident memory reached during it.

    python benchmarks/foundation.py                     # sizes 1e5, 1e6, 1e7 nonzeros
    python benchmarks/foundation.py --sizes 1e5 --method simplex

Results go to stdout as a table and to --json (default benchmarks/results/local/foundation.json,
not tracked).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (products, regions, techniques) giving about the named number of LP nonzeros
SIZES = {"1e5": (300, 10, 2), "1e6": (1500, 20, 2), "1e7": (6000, 50, 2)}

LOCAL = Path(__file__).resolve().parent / "results" / "local"  # git-ignored


def _peak_reset() -> None:
    """Reset the kernel's peak-RSS mark (VmHWM) so the next reading covers one stage."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_one(products: int, regions: int, techniques: int, method: str,
            time_limit: float) -> dict[str, object]:
    """All stages for one size, in this process. Returns the measurements."""
    from sovnarkhoz.formulation import Objective, build_lp
    from sovnarkhoz.plan.tables import plan_tables
    from sovnarkhoz.plan.verify import verify
    from sovnarkhoz.scenario import load_scenario
    from sovnarkhoz.scenario.files import write_frame
    from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
    from sovnarkhoz.solvers import SolverOptions
    from sovnarkhoz.solvers.highs import HighsSolver

    stages: dict[str, dict[str, float]] = {}

    def stage(name: str, started: float) -> None:
        stages[name] = {"seconds": time.perf_counter() - started, "peak_mib": _peak_mib()}
        _peak_reset()

    spec = GeneratorSpec(products, regions, techniques, seed=0)
    with tempfile.TemporaryDirectory(prefix="sovnarkhoz-bench-") as tmp:
        _peak_reset()
        clock = time.perf_counter()
        tables = generate_tables(spec)
        stage("generate", clock)
        clock = time.perf_counter()
        for name, frame in tables.items():
            write_frame(frame, Path(tmp) / name, "csv")
        del tables
        stage("write csv", clock)
        clock = time.perf_counter()
        scenario = load_scenario(tmp)
        stage("read + validate", clock)
    clock = time.perf_counter()
    economy = scenario.economy
    stage("index", clock)
    clock = time.perf_counter()
    lp = build_lp(economy, Objective.parse("max-fulfilment"))
    stage("assemble", clock)
    clock = time.perf_counter()
    result = HighsSolver().solve(lp.data, SolverOptions(method=method, time_limit=time_limit))
    stage("solve (HiGHS)", clock)
    outcome: dict[str, object] = {"status": result.status.value, "iterations": result.iterations,
                                  "highs_run_seconds": result.details.get("run_seconds")}
    if result.has_solution:
        clock = time.perf_counter()
        tables = plan_tables(lp, result.x, result.row_dual if result.has_duals else None,
                             result.col_dual if result.has_duals else None)  # with bottlenecks
        lam = float(lp.levels(result.x)[0])
        stage("plan tables", clock)
        clock = time.perf_counter()
        check = verify(scenario.tables, tables["activities"], tables["deliveries"], lam)
        stage("verify", clock)
        outcome.update(fulfilment=lam, max_violation=check.max_violation,
                       verified=check.passed)
    solve = stages["solve (HiGHS)"]["seconds"]
    pipeline = ["read + validate", "index", "assemble", "plan tables", "verify"]
    not_solve = sum(stages[s]["seconds"] for s in pipeline if s in stages)
    return {
        "products": products, "regions": regions, "techniques": techniques,
        "rows": lp.data.num_rows, "columns": lp.data.num_cols, "nonzeros": lp.data.nnz,
        "method": method, "time_limit": time_limit, "stages": stages, **outcome,
        "not_solve_seconds": not_solve,
        "not_solve_share_of_solve": not_solve / solve if solve > 0 else None,
        "end_to_end_seconds": not_solve + solve,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e5,1e6,1e7",
                        help=f"comma-separated, from {', '.join(SIZES)}")
    parser.add_argument("--method", default="ipm", choices=["ipm", "simplex", "auto"])
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--json", "--out", type=Path, default=LOCAL / "foundation.json",
                        help="where the results go (default: benchmarks/results/local/, "
                        "not tracked; name a file in benchmarks/results/ to update a tracked "
                        "figure)")
    parser.add_argument("--one", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one, args.method, args.time_limit)))
        return 0
    rows = []
    for size in args.sizes.split(","):
        p, r, k = SIZES[size]
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(p), str(r), str(k), "--method", args.method,
             "--time-limit", str(args.time_limit)],
            capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["size"] = size
        rows.append(row)
        _print_row(row)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": platform.platform(), "python":
                                     platform.python_version(), "runs": rows}, indent=2) + "\n")
    return 0


def _print_row(row: dict) -> None:
    print(f"\n{row['size']}: {row['products']} x {row['regions']} x {row['techniques']}, "
          f"{row['nonzeros']:,} nonzeros, {row['rows']:,} rows, {row['columns']:,} columns; "
          f"HiGHS {row['method']}: {row['status']} after {row['iterations']:,} iterations")
    for name, s in row["stages"].items():
        print(f"  {name:<16} {s['seconds']:9.2f} s   peak {s['peak_mib']:8.0f} MiB")
    share = row["not_solve_share_of_solve"]
    print(f"  not-solve total  {row['not_solve_seconds']:9.2f} s   = "
          f"{100 * share:.1f}% of the solve; end to end {row['end_to_end_seconds']:.2f} s"
          if share is not None else "")
    if "max_violation" in row:
        print(f"  fulfilment {row['fulfilment']:.6g}, verified {row['verified']}, "
              f"max violation {row['max_violation']:.3g}")


if __name__ == "__main__":
    sys.exit(main())
