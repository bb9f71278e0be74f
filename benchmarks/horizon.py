"""earliest and explain on a generated multi-year economy.

    python benchmarks/horizon.py PRODUCTS REGIONS YEARS [--solver highs|pdlp|auto]
                                 [--device cpu|cuda] [--tolerance EPS] [--only earliest|explain]

e.g. ``1000 8 10`` (2.6e5 nonzeros a year) or ``4000 9 10`` (1.06e6 nonzeros a year, 10.6e6
in all). Generates (in memory) an economy of PRODUCTS x REGIONS techniques with 8 inputs,
2 factors and 2 capital goods per technique over YEARS years (2000 onwards, lag 1, 2-15%
wear, supplies growing 0-4% a year, first-year stocks 40-90% of what the targets need), then
times the multi-year LP's assembly, ``earliest`` (every target; one LP per candidate year,
over the horizon cut at that year; each year printed as it is decided) and ``explain`` (the
first conflicting year, a least-weight Farkas certificate of its targets-in-full LP,
minimised by QuickXplain).
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import sovnarkhoz
from sovnarkhoz.formulation.years import build_years
from sovnarkhoz.horizon import earliest, explain
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from sovnarkhoz.solvers import SolverOptions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[1000, 8, 10],
                        metavar="PRODUCTS REGIONS YEARS")
    parser.add_argument("--solver", default="highs", choices=["highs", "pdlp", "auto"])
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--tolerance", type=float)
    parser.add_argument("--only", choices=["earliest", "explain"])
    args = parser.parse_args()
    products, regions, years = (args.sizes + [1000, 8, 10][len(args.sizes):])[:3]
    options = SolverOptions(device=args.device, tolerance=args.tolerance)
    spec = GeneratorSpec(products, regions, inputs=8, factors=2, seed=0, years=years,
                         capital=2)
    clock = time.perf_counter()
    scenario = sovnarkhoz.Scenario.from_frames(name=spec.name, settings={
        "horizon": spec.horizon}, **generate_tables(spec))
    print(f"generate+validate {time.perf_counter() - clock:7.2f} s", flush=True)
    clock = time.perf_counter()
    program = build_years(scenario, None)
    data = program.lp.data
    print(f"assemble          {time.perf_counter() - clock:7.2f} s  {data.num_rows:,} rows x "
          f"{data.num_cols:,} columns, {data.nnz:,} nonzeros ({data.nnz // years:,} a year)",
          flush=True)
    if args.only != "explain":
        clock = last = time.perf_counter()

        def said(year: int, level) -> None:
            nonlocal last
            shown = "conflict" if math.isnan(level.level) else f"{level.level:.4f}"
            print(f"    {year}: {shown} ({time.perf_counter() - last:.1f} s, {level.solves} "
                  f"solves, tolerance {level.tolerance:g})", flush=True)
            last = time.perf_counter()

        answer = earliest(scenario, options=options, solver=args.solver, progress=said)
        print(f"earliest          {time.perf_counter() - clock:7.2f} s  year {answer.year} "
              f"({answer.solves} solves, {answer.solver}; largest violation "
              f"{answer.violation:.2g})", flush=True)
    if args.only != "earliest":
        clock = time.perf_counter()
        why = explain(scenario, options, program=program, solver=args.solver)
        print(f"explain           {time.perf_counter() - clock:7.2f} s  {len(why.sentences)} "
              f"constraints, {why.solves} solves ({why.method})", flush=True)
        for sentence in why.sentences[:4]:
            print(f"    {sentence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
