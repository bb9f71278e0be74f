"""Real economies in, at EXIOBASE's scale: import, balance against pymrio, plan.

On an EXIOBASE-shaped system (benchmarks/exiobase_shaped.py: built with pymrio's
constructor, saved with save_all as Parquet), each stage in a fresh process, so that its peak
resident memory (getrusage) is its own:

- import: ``sovnarkhoz import pymrio DIR --tables parquet`` with fixed and with free trade
  (seconds, peak memory against the size of A, dense, as pymrio holds it);
- pymrio's ``calc_all()`` on the loaded system (it inverts I - A densely) against
  sovnarkhoz's balance of the imported scenario (reading and validating the tables, then
  solving (I - A) x = y: sparse LU and GMRES), alternating A, B, A, B; the largest relative
  difference of the gross outputs, and of balance's embodied value added against pymrio's
  multipliers M;
- plan (max-fulfilment) with HiGHS, fixed and free trade, and pdlp on the CPU, each with a
  time limit: status, λ, seconds and where the time went.

    python benchmarks/real_data.py --regions 49 --sectors 200 --nonzeros 1e7 --work /tmp/exio
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VALUE_ADDED = ("value_added=factor_inputs:Taxes less subsidies on products purchased: Total"
               "+Compensation of employees; wages, salaries, & employers' social contributions"
               "+Operating surplus: Consumption of fixed capital")
EMPLOYMENT = "employment=employment:Employment: Total"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _stage(name: str, work: Path, arg: str) -> dict:
    """Run one stage in this process and return its record."""
    import numpy as np

    record: dict = {"stage": name}
    started = time.perf_counter()
    if name == "import":
        from sovnarkhoz.cli.main import main

        code = main(["import", "pymrio", str(work / "mrio"), "--out", str(work / f"scen-{arg}"),
                     "--tables", "parquet", "--force", "--trade", arg, "--factors", VALUE_ADDED,
                     "--factors", EMPLOYMENT])
        record.update(exit=code, trade=arg)
    elif name == "calc_all":
        import pymrio

        io = pymrio.load_all(work / "mrio")
        record["load_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        io.calc_all()
        record["seconds"] = time.perf_counter() - started
        np.save(work / "pymrio_x.npy", io.x["indout"].to_numpy())
        M = io.factor_inputs.M.sum(axis=0).to_numpy()
        np.save(work / "pymrio_M.npy", M)
        record["A_bytes"] = int(io.A.to_numpy().nbytes)
    elif name == "balance":
        import sovnarkhoz
        from sovnarkhoz.formulation.leontief import solve_balance

        scenario = sovnarkhoz.load_scenario(work / "scen-fixed")
        record["load_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        solved = solve_balance(scenario.economy, method=arg)
        record.update(seconds=time.perf_counter() - started, method=solved.method)
        levels = solved.levels
        techniques = scenario.tables["techniques"]
        theirs = np.load(work / "pymrio_x.npy")  # pymrio's order: region-major, as ours
        assert list(techniques["technique"][:2]) == [f"{r}/{s}" for r, s in
                                                    [techniques.iloc[0][["region", "product"]],
                                                     techniques.iloc[1][["region", "product"]]]]
        record["x_max_relative_difference"] = float(np.max(np.abs(levels / theirs - 1)))
        factor = list(scenario.economy.factors).index("value_added")
        M = np.load(work / "pymrio_M.npy")
        record["M_max_relative_difference"] = float(
            np.max(np.abs(solved.embodied[:, factor] / M - 1)))
    elif name in ("plan-fixed", "plan-free", "pdlp-fixed"):
        import sovnarkhoz
        from sovnarkhoz.solvers import SolverOptions

        trade = "free" if name == "plan-free" else "fixed"
        solver = "pdlp" if name.startswith("pdlp") else "highs"
        options = SolverOptions(time_limit=float(arg), device="cpu") if solver == "pdlp" else (
            SolverOptions(time_limit=float(arg)))
        scenario = sovnarkhoz.load_scenario(work / f"scen-{trade}")
        record["load_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        plan = sovnarkhoz.make_plan(scenario, solver=solver, options=options)
        record.update(seconds=time.perf_counter() - started, status=str(plan.status),
                      fulfilment=plan.fulfilment, timings=plan.timings,
                      message=plan.message[:300])
        if plan.solve is not None:
            record["lp"] = {"rows": plan.solve.size.rows, "columns": plan.solve.size.columns,
                            "nonzeros": plan.solve.size.nonzeros}
    else:
        raise SystemExit(f"unknown stage {name}")
    record.setdefault("seconds", time.perf_counter() - started)
    record["peak_mib"] = _peak_mib()
    return record


def _run(name: str, work: Path, arg: str = "", timeout: float | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, __file__, "--stage", name, "--arg", arg,
                               "--work", str(work)], capture_output=True, text=True, env=env,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"stage": name, "arg": arg, "error": f"stopped after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        return {"stage": name, "arg": arg, "error": (done.stderr or done.stdout)[-800:],
                "wall": time.perf_counter() - started}
    record = json.loads(lines[-1])
    record["wall"] = time.perf_counter() - started
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=49)
    parser.add_argument("--sectors", type=int, default=200)
    parser.add_argument("--nonzeros", type=float, default=1e7)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--lu-repeat", type=int, help="sparse LU runs (default --repeat)")
    parser.add_argument("--balance-limit", type=float, default=1800.0,
                        help="seconds before a balance run is stopped")
    parser.add_argument("--plan-limit", type=float, default=600.0)
    parser.add_argument("--skip", default="", help="comma-separated stages to skip")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--arg", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(_stage(args.stage, args.work, args.arg), default=str))
        return
    skip = set(filter(None, args.skip.split(",")))
    args.work.mkdir(parents=True, exist_ok=True)
    records = []

    def say(record: dict) -> None:
        records.append(record)
        print(json.dumps(record, default=str), flush=True)

    if not (args.work / "mrio").exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "exiobase_shaped.py"), "--regions",
                        str(args.regions), "--sectors", str(args.sectors), "--nonzeros",
                        str(args.nonzeros), "--out", str(args.work / "mrio")], check=True)
        say({"stage": "generate", "seconds": time.perf_counter() - started})
    for trade in ("fixed", "free"):
        if f"import-{trade}" not in skip:
            say(_run("import", args.work, trade))
    lu_repeat = args.repeat if args.lu_repeat is None else args.lu_repeat
    for turn in range(args.repeat):  # A, B, A, B
        if "calc_all" not in skip:
            say(_run("calc_all", args.work))
        if "balance" not in skip:
            for method in ("lu", "gmres"):
                if f"balance-{method}" not in skip and (method != "lu" or turn < lu_repeat):
                    say(_run("balance", args.work, method, timeout=args.balance_limit))
    for stage in ("plan-fixed", "plan-free", "pdlp-fixed"):
        if stage not in skip:
            say(_run(stage, args.work, str(args.plan_limit),
                     timeout=args.plan_limit + 900))
    out = args.json or ROOT / "benchmarks" / "results" / "local" / "real_data.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"regions": args.regions, "sectors": args.sectors,
                               "nonzeros": args.nonzeros, "records": records}, indent=1,
                              default=str))


if __name__ == "__main__":
    main()
