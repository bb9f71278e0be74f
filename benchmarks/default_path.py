"""The default path (``make_plan`` with no options: what ``sovnarkhoz plan DIR`` runs), timed
and checked against the true optimum, for this checkout and optionally an earlier one.

For each generated economy (``sovnarkhoz generate``'s generator, written to a temporary
folder) and each checkout, a fresh subprocess loads the scenario and runs ``make_plan``;
runs alternate between the checkouts (A, B, A, B) so that a busy machine slows both alike.
The true optimum comes from HiGHS's interior point with crossover, the objective scaled so
that the duals are of order one, and tolerances of 1e-10, run once per economy.

    python benchmarks/default_path.py --sizes 300x10x2:7311,1000x10x2:0
    git worktree add /tmp/before ee5ce94
    python benchmarks/default_path.py --before /tmp/before --repeat 2

Prints a table and writes --json (default benchmarks/results/local/default_path.json, not
tracked).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_RUN = """
import json, sys, time
import sovnarkhoz
scenario = sovnarkhoz.load_scenario(sys.argv[1])
started = time.perf_counter()
plan = sovnarkhoz.make_plan(scenario)
seconds = time.perf_counter() - started
v = plan.verification
o = getattr(v, "optimality", None)
print(json.dumps({"status": plan.status, "objective": plan.objective_value, "seconds": seconds,
                  "gap": None if o is None else o.gap,
                  "dual_violation": None if o is None else o.dual_violation}))
"""

_REFERENCE = """
import json, sys
import highspy
import sovnarkhoz
from sovnarkhoz.plan.assemble import formulate
from sovnarkhoz.scenario.objectives import Objective
from sovnarkhoz.solvers.highs import HighsSolver, objective_scale
scenario = sovnarkhoz.load_scenario(sys.argv[1])
lp = formulate(scenario, Objective.parse("max-fulfilment")).data
highs = highspy.Highs()
for key, value in (("output_flag", False), ("solver", "ipm"), ("run_crossover", "on"),
                   ("primal_feasibility_tolerance", 1e-10), ("dual_feasibility_tolerance", 1e-10),
                   ("ipm_optimality_tolerance", 1e-12),
                   ("user_objective_scale", objective_scale(lp))):
    highs.setOptionValue(key, value)
highs.passModel(HighsSolver._model(lp))
highs.run()
print(json.dumps({"optimum": -highs.getInfo().objective_function_value}))
"""


def _python(source: Path, code: str, scenario: Path, time_limit: float) -> dict:
    env = dict(os.environ, PYTHONPATH=str(source / "src"))
    try:
        done = subprocess.run([sys.executable, "-c", code, str(scenario)], env=env,
                              capture_output=True, text=True, timeout=time_limit, check=True)
    except subprocess.TimeoutExpired:
        return {"status": f"over {time_limit:.0f} s", "seconds": time_limit}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300x10x2:7311,300x10x2:0,1000x10x2:0",
                        help="PRODUCTSxREGIONSxTECHNIQUES:SEED, comma-separated")
    parser.add_argument("--before", type=Path, help="an earlier checkout to compare with")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--json", type=Path,
                        default=HERE / "results" / "local" / "default_path.json")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from sovnarkhoz.scenario.generate import GeneratorSpec, generate

    checkouts = {"this": ROOT} | ({"before": args.before} if args.before else {})
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for size in args.sizes.split(","):
            shape, _, seed = size.partition(":")
            products, regions, techniques = (int(n) for n in shape.split("x"))
            folder = Path(work) / size.replace(":", "-")
            generate(folder, GeneratorSpec(products=products, regions=regions,
                                           techniques=techniques, seed=int(seed or 0)), "csv")
            optimum = _python(ROOT, _REFERENCE, folder, args.time_limit)["optimum"]
            for attempt in range(args.repeat):
                for label, source in checkouts.items():
                    run = _python(source, _RUN, folder, args.time_limit)
                    found = run.get("objective")
                    error = None if found is None else abs(found - optimum) / abs(optimum)
                    rows.append({"size": size, "checkout": label, "attempt": attempt,
                                 "optimum": optimum, "relative_error": error, **run})
                    print(f"{size:>16} {label:>7} {run['status']:>12} "
                          f"{run['seconds']:8.2f} s  objective {found}  optimum {optimum:.13g}"
                          f"  relative error {error}", flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
