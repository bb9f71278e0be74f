"""First-order LP solvers side by side on the same matrices: pdlp, OR-Tools' PDLP, HiGHS's PDLP.

For each generated economy (seed 0, objective max-fulfilment) the LP is assembled once and
given, unchanged, to each solver at one relative tolerance:

- ``pdlp``: ours (PyTorch, CPU), default stopping rule: relative KKT error (ℓ2) and every
  row within the tolerance of its own size; its threads chosen by solvers/pdlp/threads.py;
- ``pdlp-unpolished``: ours under the same default rule without feasibility polishing
  (``PdlpSettings(polish=False)``; pdlp as it was before polishing);
- ``pdlp-l2``: ours with the ℓ2 rule alone (``PdlpSettings(rowwise_check=False)``), the rule
  the other two use, for a like-for-like count of iterations;
- ``ortools``: OR-Tools' PDLP (``ortools.pdlp``), eps_optimal_absolute = eps_optimal_relative =
  the tolerance (its ℓ2 rule), as many threads as pdlp chose;
- ``highs``: HiGHS's PDLP (``solver="pdlp"``, ``pdlp_optimality_tolerance``), its presolve on.

Each solver's point is then checked here, independently of what the solver says, against
pdlp's row-wise guarantee: the largest violation of a row's bounds relative to the row's size,
max_i |A_i x - proj(A_i x)| / (1 + |proj(A_i x)|) (column bounds likewise), must be at most the
tolerance. The objective is compared with HiGHS's exact optimum (solved once, not timed).

Runs are interleaved (round 1: every solver, idle then beside a busy neighbour; round 2: the
same; ...) and the minimum over rounds is reported. ``--neighbour busy`` (or ``both``) starts
a subprocess that burns one core for the runs so marked. Prints a table and writes JSON.

    pip install 'sovnarkhoz[bench]'        # OR-Tools (optional: skipped when absent)
    python benchmarks/first_order.py --sizes S --neighbour both --rounds 2
    python benchmarks/first_order.py --sizes S,M,L --neighbour both --rounds 2
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ECONOMIES = {  # products, regions, techniques (the sizes of issue 20; XS to try the script)
    "XS": (20, 2, 2),
    "S": (200, 8, 2),
    "M": (500, 15, 2),
    "L": (1_000, 20, 2),
}
SOLVERS = ("pdlp", "pdlp-unpolished", "pdlp-l2", "ortools", "highs")
LOCAL = Path(__file__).resolve().parent / "results" / "local"  # git-ignored


@dataclass
class Run:
    """One solve: who, where, how long, how many iterations, and how good its point is."""

    economy: str
    solver: str
    neighbour: str  # "idle" or "busy"
    round: int
    status: str
    seconds: float
    iterations: int | None
    threads: int | None
    largest_row_violation: float  # max over rows (and columns) of violation / (1 + size)
    objective_error: float  # |objective - exact| / (1 + |exact|)
    meets_rowwise: bool


def load_lp(name: str):
    """The LP of economy ``name`` (generated, seed 0, max-fulfilment)."""
    import sovnarkhoz
    from sovnarkhoz.formulation import Objective, build_lp
    from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables

    products, regions, techniques = ECONOMIES[name]
    tables = generate_tables(GeneratorSpec(products, regions, techniques, seed=0))
    scenario = sovnarkhoz.Scenario.from_frames(name=name, **tables)
    return build_lp(scenario.economy, Objective.parse("max-fulfilment")).data


def rowwise_violation(lp, x: np.ndarray) -> float:
    """The largest violation of a row's (or column's) bounds relative to its size."""
    ax = lp.A @ x
    nearest = np.clip(ax, lp.row_lower, lp.row_upper)
    rows = np.abs(ax - nearest) / (1.0 + np.abs(nearest))
    inside = np.clip(x, lp.col_lower, lp.col_upper)
    cols = np.abs(x - inside) / (1.0 + np.abs(inside))
    return float(max(rows.max(initial=0.0), cols.max(initial=0.0)))


def exact_objective(lp) -> float:
    from sovnarkhoz.solvers import SolverOptions
    from sovnarkhoz.solvers.highs import HighsSolver

    result = HighsSolver().solve(lp, SolverOptions(method="ipm"))
    return float(result.objective)


def solve_pdlp(lp, tol: float, limit: float, rowwise: bool, polish: bool = True
               ) -> tuple[str, np.ndarray | None, int, int | None]:
    from sovnarkhoz.solvers import SolverOptions
    from sovnarkhoz.solvers.pdlp import PdlpSettings, PdlpSolver

    solver = PdlpSolver(PdlpSettings(rowwise_check=rowwise, polish=polish))
    result = solver.solve(lp, SolverOptions(device="cpu", tolerance=tol, time_limit=limit))
    return result.status.value, result.x, result.iterations, result.details.get("threads")


def solve_ortools(lp, tol: float, limit: float, threads: int
                  ) -> tuple[str, np.ndarray | None, int, int | None]:
    from ortools.pdlp import solve_log_pb2, solvers_pb2
    from ortools.pdlp.python import pdlp

    qp = pdlp.QuadraticProgram()
    qp.objective_vector = np.asarray(lp.c, dtype=np.float64)
    qp.objective_offset = float(lp.offset)
    qp.constraint_matrix = lp.A_csc
    qp.constraint_lower_bounds = np.asarray(lp.row_lower, dtype=np.float64)
    qp.constraint_upper_bounds = np.asarray(lp.row_upper, dtype=np.float64)
    qp.variable_lower_bounds = np.asarray(lp.col_lower, dtype=np.float64)
    qp.variable_upper_bounds = np.asarray(lp.col_upper, dtype=np.float64)
    params = solvers_pb2.PrimalDualHybridGradientParams()
    criteria = params.termination_criteria
    criteria.simple_optimality_criteria.eps_optimal_absolute = tol
    criteria.simple_optimality_criteria.eps_optimal_relative = tol
    criteria.time_sec_limit = limit
    params.num_threads = threads
    result = pdlp.primal_dual_hybrid_gradient(qp, params)
    log = result.solve_log
    reason = solve_log_pb2.TerminationReason.Name(log.termination_reason)
    status = "optimal" if reason == "TERMINATION_REASON_OPTIMAL" else reason.lower()
    return status, np.asarray(result.primal_solution), int(log.iteration_count), threads


def solve_highs(lp, tol: float, limit: float, threads: int
                ) -> tuple[str, np.ndarray | None, int, int | None]:
    import highspy

    from sovnarkhoz.solvers.highs import HighsSolver

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("solver", "pdlp")
    highs.setOptionValue("pdlp_optimality_tolerance", tol)
    highs.setOptionValue("time_limit", limit)
    highs.setOptionValue("threads", threads)
    highs.passModel(HighsSolver._model(lp))
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus()).lower()
    x = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    return status, x, int(highs.getInfo().pdlp_iteration_count), threads


@contextlib.contextmanager
def neighbour(kind: str) -> Iterator[None]:
    """A subprocess burning one core while the block runs (``busy``), or nothing (``idle``)."""
    if kind == "idle":
        yield
        return
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)  # let it be scheduled before the solve starts
        yield
    finally:
        burner.kill()
        burner.wait()


def measure(name: str, lp, exact: float, solver: str, kind: str, round_: int, tol: float,
            limit: float) -> Run:
    from sovnarkhoz.solvers.pdlp.threads import choose_threads

    threads = choose_threads(lp.nnz).threads
    calls: dict[str, Callable[[], tuple[str, np.ndarray | None, int, int | None]]] = {
        "pdlp": lambda: solve_pdlp(lp, tol, limit, rowwise=True),
        "pdlp-unpolished": lambda: solve_pdlp(lp, tol, limit, rowwise=True, polish=False),
        "pdlp-l2": lambda: solve_pdlp(lp, tol, limit, rowwise=False),
        "ortools": lambda: solve_ortools(lp, tol, limit, threads),
        "highs": lambda: solve_highs(lp, tol, limit, threads),
    }
    with neighbour(kind):
        clock = time.perf_counter()
        status, x, iterations, used = calls[solver]()
        seconds = time.perf_counter() - clock
    if x is None or x.size != lp.num_cols:
        violation, error = float("inf"), float("inf")
    else:
        violation = rowwise_violation(lp, x)
        objective = float(lp.c @ x) + lp.offset
        error = abs(objective - exact) / (1.0 + abs(exact))
    return Run(economy=name, solver=solver, neighbour=kind, round=round_, status=status,
               seconds=seconds, iterations=iterations, threads=used,
               largest_row_violation=violation, objective_error=error,
               meets_rowwise=bool(violation <= tol))


def available(solver: str) -> bool:
    module = {"pdlp": "torch", "pdlp-unpolished": "torch", "pdlp-l2": "torch",
              "ortools": "ortools.pdlp", "highs": "highspy"}[solver]
    try:
        __import__(module)
    except ImportError:
        print(f"{solver}: {module} not installed, skipped", file=sys.stderr)
        return False
    return True


def best(runs: list[Run]) -> list[Run]:
    """The fastest run of each (economy, solver, neighbour)."""
    chosen: dict[tuple[str, str, str], Run] = {}
    for run in runs:
        key = (run.economy, run.solver, run.neighbour)
        if key not in chosen or run.seconds < chosen[key].seconds:
            chosen[key] = run
    return list(chosen.values())


def table(runs: list[Run], tol: float) -> str:
    lines = ["| economy | solver | neighbour | status | seconds (min) | iterations | threads "
             f"| largest row violation | objective error | rows within {tol:g} |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in best(runs):
        lines.append(f"| {r.economy} | {r.solver} | {r.neighbour} | {r.status} | "
                     f"{r.seconds:.3g} | {r.iterations if r.iterations is not None else ''} | "
                     f"{r.threads if r.threads is not None else ''} | "
                     f"{r.largest_row_violation:.1e} | {r.objective_error:.1e} | "
                     f"{'yes' if r.meets_rowwise else 'no'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S", help="comma-separated among S, M, L")
    parser.add_argument("--solvers", default=",".join(SOLVERS))
    parser.add_argument("--neighbour", default="idle", choices=["idle", "busy", "both"],
                        help="run beside a subprocess burning one core (busy), or both ways")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--json", type=Path, default=LOCAL / "first_order.json")
    args = parser.parse_args()
    solvers = [s for s in args.solvers.split(",") if available(s)]
    kinds = ["idle", "busy"] if args.neighbour == "both" else [args.neighbour]
    runs: list[Run] = []
    print(f"{platform.platform()}, {len(os.sched_getaffinity(0))} cores, load average "
          f"{os.getloadavg()[0]:.1f} at the start", flush=True)
    for name in args.sizes.split(","):
        lp = load_lp(name)
        exact = exact_objective(lp)
        print(f"{name} {ECONOMIES[name]}: {lp.num_rows:,} rows, {lp.num_cols:,} columns, "
              f"{lp.nnz:,} nonzeros; exact objective {exact:.8g}", flush=True)
        for round_ in range(args.rounds):
            for kind in kinds:
                for solver in solvers:
                    run = measure(name, lp, exact, solver, kind, round_, args.tolerance,
                                  args.time_limit)
                    runs.append(run)
                    print(f"  round {round_} {kind:<4} {solver:<15} {run.status}: "
                          f"{run.seconds:.2f} s, {run.iterations} it., row violation "
                          f"{run.largest_row_violation:.1e}, load "
                          f"{os.getloadavg()[0]:.1f}", flush=True)
    print(table(runs, args.tolerance))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": platform.platform(),
                                     "tolerance": args.tolerance,
                                     "runs": [asdict(r) for r in runs]}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
