"""An input-output table (one region or many) as a scenario's tables: the one conversion every
importer of observed economies shares (pymrio's systems, the BEA's tables, national flow
tables).

Each (region, sector) is a technique making that sector's product in that region, its inputs
the column of the coefficients A = Z / x (Z the inter-industry flows, x gross output), its
factors the named satellite rows per unit of output; supplies are the factors' observed use
and targets the observed final demand, so that the observed economy is itself a plan at
λ = 1 and balance's (I − A) x = y returns the observed x.

Trade between regions, two ways (:class:`Trade`):

- ``fixed``: each input keeps the region the table says it comes from (inputs.csv's
  ``origin``); the final demand met by region o's product p, wherever it is consumed, is a
  target in region o (where it is consumed is fixed as well). No links. This is exactly the
  economy the table describes.
- ``free``: inputs are summed over their origins and drawn from the using region's own pool,
  targets are the final demand of each consuming region, and every pair of regions between
  which the table records a flow is a link (no loss, no capacity): the planner chooses where
  inputs come from. Every fixed-trade plan is a free-trade plan (ship what the table ships),
  so free trade's λ is at least fixed trade's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..arrowtext import text_series
from ..output import scenario_marker, staged_folder
from .files import toml_text, write_frame


class Trade(StrEnum):
    """Where inputs and final goods come from (see the module docstring)."""

    FIXED = "fixed"
    FREE = "free"


@dataclass(frozen=True)
class Factor:
    """A primary factor from the table's satellite rows: ``use`` (RS,) observed use by each
    (region, sector), in ``unit``."""

    factor: str
    name: str
    unit: str
    use: np.ndarray


@dataclass(frozen=True)
class IOTable:
    """An input-output table as arrays. Shapes: R regions, S sectors, n = R·S technique
    columns numbered region-major (r·S + s), nnz coefficient entries.

    coefficient_row, coefficient_col, coefficient : (nnz,) A[row, col] > 0 (units of the row's
        product per unit of the column's output), rows and columns in the n numbering;
    output : (n,) gross output x; final : (n, R) final demand for each row's product by each
        consuming region; units : (S,) each sector's unit ('' when unknown);
    factors : the satellite rows made factors.
    """

    regions: list[str]
    sectors: list[str]
    units: list[str]
    coefficient_row: np.ndarray
    coefficient_col: np.ndarray
    coefficient: np.ndarray
    output: np.ndarray
    final: np.ndarray
    factors: tuple[Factor, ...] = field(default_factory=tuple)
    names: list[str] | None = None  # (S,) readable names of the sectors (default: their ids)

    @property
    def size(self) -> int:
        return len(self.regions) * len(self.sectors)


def coefficients_from_flows(rows: np.ndarray, cols: np.ndarray, flows: np.ndarray,
                            output: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nonzero entries of A = Z / x from the nonzero entries of Z, (rows, cols, flows) each
    (nnz,), and x (n,): (rows, cols, values), columns with x = 0 dropped (as pymrio's
    ``calc_A`` sets them to 0)."""
    keep = output[cols] != 0
    rows, cols, flows = rows[keep], cols[keep], flows[keep]
    return rows.astype(np.int64), cols.astype(np.int64), flows / output[cols]


def _ids(names: list[str], codes: np.ndarray) -> pd.Series:
    """``names[codes]`` as a ``str`` Series, gathered by pyarrow (no Python loop)."""
    return text_series(pa.array(names, type=pa.string()).take(pa.array(codes)))


def io_tables(table: IOTable, trade: Trade = Trade.FIXED) -> dict[str, pd.DataFrame]:
    """The scenario tables of ``table`` (see the module docstring); ids are the table's own
    region and sector names, techniques ``region/sector`` (the sector alone with one
    region)."""
    R, S, n = len(table.regions), len(table.sectors), table.size
    region_of = np.repeat(np.arange(R), S)
    sector_of = np.tile(np.arange(S), R)
    if R == 1:
        technique_names = list(table.sectors)
    else:
        technique_names = [f"{r}/{s}" for r in table.regions for s in table.sectors]
    techniques = pd.DataFrame({"technique": technique_names,
                               "region": _ids(table.regions, region_of),
                               "product": _ids(table.sectors, sector_of)})
    idle = table.output <= 0
    if idle.any():  # makes nothing in the table: its column of A is empty, and so it stays
        techniques["capacity"] = np.where(idle, 0.0, np.nan)

    rows, cols, amount = table.coefficient_row, table.coefficient_col, table.coefficient
    if trade is Trade.FIXED or R == 1:
        product_inputs = pd.DataFrame({"technique": _ids(technique_names, cols),
                                       "input": _ids(table.sectors, sector_of[rows]),
                                       "amount": amount})
        if R > 1:
            product_inputs["origin"] = _ids(table.regions, region_of[rows])
    else:  # summed over origins: one entry per (sector, using column)
        key = sector_of[rows].astype(np.int64) * n + cols
        distinct, inverse = np.unique(key, return_inverse=True)
        summed = np.bincount(inverse, weights=amount, minlength=len(distinct))
        product_inputs = pd.DataFrame({"technique": _ids(technique_names, distinct % n),
                                       "input": _ids(table.sectors, distinct // n),
                                       "amount": summed})

    factor_rows, supplies = [], []
    safe = np.where(idle, 1.0, table.output)
    for factor in table.factors:
        per_unit = np.where(idle, 0.0, factor.use / safe)
        used = np.flatnonzero(per_unit != 0)
        factor_rows.append(pd.DataFrame({"technique": _ids(technique_names, used),
                                         "input": factor.factor, "amount": per_unit[used]}))
        by_region = np.bincount(region_of, weights=np.where(idle, 0.0, factor.use),
                                minlength=R)
        supplies.append(pd.DataFrame({"region": table.regions, "factor": factor.factor,
                                      "amount": by_region}))
    inputs = pd.concat([product_inputs, *factor_rows], ignore_index=True)

    if trade is Trade.FIXED or R == 1:
        wanted = table.final.sum(axis=1)  # (n,) by origin: a target where it is made
        chosen = np.flatnonzero(wanted > 0)
        targets = pd.DataFrame({"region": _ids(table.regions, region_of[chosen]),
                                "product": _ids(table.sectors, sector_of[chosen]),
                                "amount": wanted[chosen]})
        links = None
    else:
        by_consumer = np.zeros((S, R))  # (sector, consuming region), summed over origins
        np.add.at(by_consumer, sector_of, table.final)
        sector, region = np.nonzero(by_consumer > 0)
        targets = pd.DataFrame({"region": _ids(table.regions, region),
                                "product": _ids(table.sectors, sector),
                                "amount": by_consumer[sector, region]})
        links = _trading_pairs(table, region_of)

    frames = {
        "products": pd.DataFrame({"product": table.sectors,
                                  "name": table.names or table.sectors,
                                  "unit": table.units}),
        "regions": pd.DataFrame({"region": table.regions, "name": table.regions}),
        "factors": pd.DataFrame({"factor": [f.factor for f in table.factors],
                                 "name": [f.name for f in table.factors],
                                 "unit": [f.unit for f in table.factors]}),
        "techniques": techniques,
        "inputs": inputs,
        "supplies": (pd.concat(supplies, ignore_index=True) if supplies else
                     pd.DataFrame({"region": [], "factor": [], "amount": []})),
        "targets": targets,
    }
    if links is not None:
        frames["links"] = links
    return frames


def _trading_pairs(table: IOTable, region_of: np.ndarray) -> pd.DataFrame:
    """origin, destination: every pair of different regions between which the table
    records a flow of intermediate inputs or of final goods."""
    R = len(table.regions)
    trade = np.zeros((R, R), dtype=bool)
    trade[region_of[table.coefficient_row], region_of[table.coefficient_col]] = True
    origin_row, consumer = np.nonzero(table.final > 0)
    trade[region_of[origin_row], consumer] = True
    np.fill_diagonal(trade, False)
    origin, destination = np.nonzero(trade)
    return pd.DataFrame({"origin": _ids(table.regions, origin),
                         "destination": _ids(table.regions, destination)})


def write_tables(frames: dict[str, pd.DataFrame], settings: dict[str, dict], out: Path,
                 name: str, description: str, fmt: str = "csv", *, force: bool = False
                 ) -> Path:
    """Write imported tables as a scenario directory ``out`` (tables as ``fmt``, csv or
    parquet), whole or not at all (see :mod:`sovnarkhoz.output`); no validation here: the
    importer built them valid, and ``plan`` and ``validate`` check them on reading."""
    out = Path(out)
    header = {"scenario": {"name": name, "description": description}}
    with staged_folder(out, "import", force=force) as staging:
        (staging / "scenario.toml").write_text(
            toml_text({**header, **settings, **scenario_marker("import")}), encoding="utf-8")
        for table, frame in frames.items():
            if table in ("products", "regions", "techniques", "inputs", "targets") or len(frame):
                write_frame(frame, staging / table, fmt)
    return out
