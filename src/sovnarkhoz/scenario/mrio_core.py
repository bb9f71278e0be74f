"""An MRIO's core matrix (the flows Z or the coefficients A, n × n over the (region, sector)
pairs) as its nonzero entries: the only form the importer needs.

Two ways in:

- :func:`core_of_system`: from an IOSystem held in memory (``io.A`` with ``io.x``, else
  ``io.Z``), as pymrio loaded or built it;
- :func:`stream_saved_core`: from a system pymrio saved as Parquet (``save_all(...,
  table_format="parquet")``), reading the core file a few hundred columns at a time, so that
  the dense n × n matrix is never held. pymrio's own loader reads everything else (Y, x, the
  units, the satellite accounts: ``load_all(include_core=False)``); this module reads only
  the one file pymrio names for Z or A in its ``file_parameters.json``, with pyarrow, and
  checks that its rows and columns are the (region, sector) pairs of that layout.

For EXIOBASE 3 (9,800 pairs) the dense A is 733 MiB and pymrio's Parquet reader peaks at
three times that; streamed, the import holds the entries (20 bytes each) and one slab of
columns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import Issue, ScenarioError

CoreName = Literal["Z", "A"]

COLUMNS_PER_SLAB = 256
"""Columns of the core file read at a time: 256 × 9,800 rows × 8 bytes = 20 MiB."""


@dataclass(frozen=True)
class CoreEntries:
    """The nonzero entries of an n × n core matrix.

    table : ``Z`` (flows, in the system's money unit) or ``A`` (coefficients, per unit of the
        column's output);
    index : (n,) the (region, sector) pairs, rows and columns alike;
    rows, cols : (nnz,) int64 positions in ``index``, column by column (each column's rows
        in order); values : (nnz,) float64, none zero;
    row_sums : (n,) each row's sum (for Z, the intermediate use of each row's product).
    """

    table: CoreName
    index: pd.MultiIndex
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    row_sums: np.ndarray


def _core_name(has_A: bool, has_x: bool, has_Z: bool) -> CoreName:
    """Which core to read: A when it comes with x (or there is no Z to get x from), else Z
    (the caller refuses a system with neither)."""
    return "A" if has_A and (has_x or not has_Z) else "Z"


def core_of_system(io: Any) -> CoreEntries | None:
    """The core of an IOSystem in memory: A when both A and x are there (the coefficients
    as given), else Z, else A alone; None when it has neither."""
    A, Z, x = getattr(io, "A", None), getattr(io, "Z", None), getattr(io, "x", None)
    name = _core_name(A is not None, x is not None, Z is not None)
    frame = A if name == "A" else Z
    if frame is None:
        return None
    dense = frame.to_numpy(dtype=np.float64)
    cols, rows = np.nonzero(dense.T)  # column by column: each technique's inputs together
    return CoreEntries(table=name, index=frame.index, rows=rows.astype(np.int64),
                       cols=cols.astype(np.int64), values=dense[rows, cols],
                       row_sums=dense.sum(axis=1))


def saved_core_file(folder: Path) -> tuple[CoreName, Path] | None:
    """Which core file of a folder saved by pymrio to stream, by its ``file_parameters.json``:
    A when A and x are both saved, else Z (else A); None unless that file is Parquet."""
    try:
        files = json.loads((folder / "file_parameters.json").read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, dict):
        return None
    name = _core_name("A" in files, "x" in files, "Z" in files)
    entry = files.get(name)
    if not isinstance(entry, dict) or not str(entry.get("name", "")).endswith(".parquet"):
        return None
    path = folder / str(entry["name"])
    return (name, path) if path.is_file() else None


def stream_saved_core(path: Path, table: CoreName) -> CoreEntries:
    """The entries of the core matrix ``table`` saved by pymrio as the Parquet file ``path``,
    read :data:`COLUMNS_PER_SLAB` columns at a time (see the module docstring).

    Refuses, naming the file: a file pyarrow cannot read; rows or columns that are not
    (region, sector) pairs; columns that are not the rows; a value that is not finite."""
    import pyarrow.parquet as pq

    where = str(path)

    def refuse(message: str, value: str | None = None) -> ScenarioError:
        return ScenarioError([Issue(where, message, value=value)], source="import pymrio")

    try:
        parquet = pq.ParquetFile(path)
        layout = parquet.schema_arrow.pandas_metadata or {}
        index_columns = list(layout.get("index_columns", []))
        columns = parquet.schema_arrow.empty_table().to_pandas().columns
        index = parquet.read(columns=index_columns, use_pandas_metadata=True
                             ).to_pandas().index
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise refuse(f"pyarrow could not read pymrio's {table} from it ({error}); expected a "
                     "Parquet file written by pymrio's save_all") from None
    if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
        raise refuse(f"the rows of {table} are not (region, sector) pairs",
                     value=str(list(index_columns)))
    if not isinstance(columns, pd.MultiIndex) or not columns.equals(index):
        raise refuse(f"the columns of {table} are not its rows: a square (region, sector) "
                     "table was expected")
    names = [c for c in parquet.schema_arrow.names if c not in set(index_columns)]
    n = len(index)
    rows_found, cols_found, values_found = [], [], []
    row_sums = np.zeros(n)
    for start in range(0, n, COLUMNS_PER_SLAB):  # slabs of columns, not single entries
        slab = parquet.read(columns=names[start:start + COLUMNS_PER_SLAB],
                            use_pandas_metadata=False).to_pandas().to_numpy(dtype=np.float64)
        bad = ~np.isfinite(slab)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise refuse(f"{table} at row {index[i]}, column {index[start + j]} is not a "
                         "number", value=repr(float(slab[i, j])))
        cols, rows = np.nonzero(slab.T)  # column by column, as core_of_system
        rows_found.append(rows.astype(np.int64))
        cols_found.append(cols.astype(np.int64) + start)
        values_found.append(slab[rows, cols])
        row_sums += slab.sum(axis=1)
    return CoreEntries(table=table, index=index, rows=np.concatenate(rows_found),
                       cols=np.concatenate(cols_found), values=np.concatenate(values_found),
                       row_sums=row_sums)
