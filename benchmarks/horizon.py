"""earliest and explain on a generated multi-year economy.

    python benchmarks/horizon.py PRODUCTS REGIONS YEARS     # e.g. 1000 8 10

Generates (in memory) an economy of PRODUCTS x REGIONS techniques with 8 inputs, 2 factors
and 2 capital goods per technique over YEARS years (2000 onwards, lag 1, 2-15% wear, supplies
growing 0-4% a year, first-year stocks 40-90% of what the targets need), then times the
multi-year LP's assembly, ``earliest`` (every target; one LP per candidate year, over the
horizon cut at that year) and ``explain`` (the first conflicting year, a least-weight Farkas
certificate of its targets-in-full LP, minimised by QuickXplain).
"""

from __future__ import annotations

import sys
import time

import sovnarkhoz
from sovnarkhoz.formulation.years import build_years
from sovnarkhoz.horizon import earliest, explain
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables


def main() -> int:
    products, regions, years = (int(a) for a in (sys.argv[1:4] + ["1000", "8", "10"][
        len(sys.argv[1:4]):]))
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
    clock = time.perf_counter()
    answer = earliest(scenario)
    best = ", ".join(f"{y}: {v:.3f}" for y, v in answer.best.items())
    print(f"earliest          {time.perf_counter() - clock:7.2f} s  year {answer.year} "
          f"({answer.solves} solves; best {best})", flush=True)
    clock = time.perf_counter()
    why = explain(scenario, program=program)
    print(f"explain           {time.perf_counter() - clock:7.2f} s  {len(why.sentences)} "
          f"constraints, {why.solves} solves ({why.method})", flush=True)
    for sentence in why.sentences[:4]:
        print(f"    {sentence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
