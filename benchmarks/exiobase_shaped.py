"""An EXIOBASE-shaped MRIO from generated numbers, built with pymrio's own constructor and
saved with pymrio's ``save_all`` as Parquet.

EXIOBASE 3 (product by product) has 49 regions x 200 products, its A dense within each
region and sparse between regions, some 10^7 nonzeros in all, seven final-demand categories
per region, and satellite accounts (factor inputs in M.EUR, employment in 1000 persons).
This builds the same shape: every within-region block dense, the between-region entries a
random fraction of the rest so that A has ``--nonzeros`` entries; gross outputs x_j drawn in
[1, 2] x 10^3 M.EUR; A's columns sum to 0.5 (so value added is half of each output) and its
rows stay well below 1, so that final demand x - Z·1 is positive; final demand split over
the categories of the region itself mostly (90 %) and of the others.

    python benchmarks/exiobase_shaped.py --regions 49 --sectors 200 --out /tmp/exio
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

CATEGORIES = ("Final consumption expenditure by households",
              "Final consumption expenditure by non-profit organisations serving households",
              "Final consumption expenditure by government", "Gross fixed capital formation",
              "Changes in inventories", "Changes in valuables", "Exports: Total")
FACTOR_ROWS = ("Taxes less subsidies on products purchased: Total",
               "Compensation of employees; wages, salaries, & employers' social contributions",
               "Operating surplus: Consumption of fixed capital")


def exiobase_shaped(regions: int = 49, sectors: int = 200, nonzeros: float = 1e7,
                    seed: int = 0):
    """A pymrio IOSystem (Z, Y, unit, factor_inputs, employment) of the shape above."""
    import pymrio

    rng = np.random.default_rng(seed)
    R, S = regions, sectors
    n = R * S
    within = R * S * S
    between = n * n - within
    p = min(max((nonzeros - within) / max(between, 1), 0.0), 1.0)
    x = rng.uniform(1e3, 2e3, n)
    Z = np.empty((n, n))
    for r in range(R):  # one block row of regions at a time (R steps): memory stays one Z
        rows = slice(r * S, (r + 1) * S)
        block = rng.exponential(1.0, (S, n))
        block *= rng.random((S, n)) < p
        block[:, rows] = rng.exponential(1.0, (S, S)) * 4.0  # domestic inputs: dense, larger
        Z[rows] = block
    Z *= (0.5 * x / Z.sum(axis=0))[None, :]  # A's columns sum to 0.5: Z = A diag(x)
    final = x - Z.sum(axis=1)
    if (final <= 0).any():
        raise RuntimeError("generated final demand is not positive; lower the density")
    region_names = [f"R{r:02d}" for r in range(R)]
    sector_names = [f"Product {s:03d}" for s in range(S)]
    index = pd.MultiIndex.from_product([region_names, sector_names], names=["region", "sector"])
    shares = rng.random((n, R * len(CATEGORIES)))
    own = np.repeat(np.arange(R), S)[:, None] == np.repeat(np.arange(R), len(CATEGORIES))[None]
    shares *= np.where(own, 9.0 * (R - 1), 1.0)  # 90 % of final demand at home
    Y = shares / shares.sum(axis=1, keepdims=True) * final[:, None]
    columns = pd.MultiIndex.from_product([region_names, CATEGORIES],
                                         names=["region", "category"])
    split = rng.dirichlet(np.ones(len(FACTOR_ROWS)), n).T * (0.5 * x)[None, :]
    factor_index = pd.Index(FACTOR_ROWS, name="inputtype")
    employment_index = pd.Index(["Employment: Total"], name="stressor")
    return pymrio.IOSystem(
        Z=pd.DataFrame(Z, index=index, columns=index),
        Y=pd.DataFrame(Y, index=index, columns=columns),
        unit=pd.DataFrame({"unit": "M.EUR"}, index=index),
        name="exiobase-shaped", version=f"generated seed {seed}", system="pxp",
        year=2022, price="current",
        factor_inputs={"name": "Factor Inputs",
                       "F": pd.DataFrame(split, index=factor_index, columns=index),
                       "unit": pd.DataFrame({"unit": "M.EUR"}, index=factor_index)},
        employment={"name": "Employment",
                    "F": pd.DataFrame(x[None, :] * rng.uniform(0.001, 0.02, n),
                                      index=employment_index, columns=index),
                    "unit": pd.DataFrame({"unit": "1000 p."}, index=employment_index)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=49)
    parser.add_argument("--sectors", type=int, default=200)
    parser.add_argument("--nonzeros", type=float, default=1e7)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    io = exiobase_shaped(args.regions, args.sectors, args.nonzeros, args.seed)
    built = time.perf_counter() - started
    io.save_all(args.out, table_format="parquet")
    nnz = int(np.count_nonzero(io.Z.to_numpy()))
    print(f"{args.out}: {args.regions} x {args.sectors} ({args.regions * args.sectors} "
          f"sectors), Z {nnz:,} nonzeros; built in {built:.1f} s, saved in "
          f"{time.perf_counter() - started - built:.1f} s")


if __name__ == "__main__":
    main()
