"""Fast text columns: pyarrow kernels where pandas would iterate in Python.

pandas' ``Series.isin`` on Arrow-backed strings turns the lookup values into a Python list;
``pyarrow.compute.is_in`` hashes them in C++ (some 30x faster on a million ids).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
"""pandas' default ``str`` dtype, spelled out so tables read the same on every setting."""


def _arrow(values: pd.Series | pd.Index | Iterable[str]) -> pa.Array:
    """One contiguous pyarrow string array of ``values``."""
    if isinstance(values, pd.Series | pd.Index):
        if not len(values):
            return pa.array([], type=pa.string())
        array = pa.array(values.astype(TEXT), type=pa.string())
        return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return pa.array(list(values), type=pa.string())


def is_in(values: pd.Series | pd.Index, known: pd.Series | pd.Index | Iterable[str]) -> np.ndarray:
    """(n,) bool: whether each of ``values`` is among ``known``."""
    found = pc.is_in(_arrow(values), value_set=_arrow(known))
    return found.to_numpy(zero_copy_only=False).astype(bool, copy=False)


def positions(values: pd.Series | pd.Index, ids: pd.Series | pd.Index) -> np.ndarray:
    """(n,) int64 position of each of ``values`` among ``ids`` (-1 where absent); what
    ``pandas.Index.get_indexer`` does, hashed in C++ by pyarrow."""
    found = pc.index_in(_arrow(values), value_set=_arrow(ids))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def text_frame(table: pa.Table) -> pd.DataFrame:
    """A pyarrow table of strings as a DataFrame of ``str`` columns (no Python iteration)."""
    mapping = {pa.string(): TEXT, pa.large_string(): TEXT}
    return table.to_pandas(types_mapper=mapping.get)


def text_series(array: pa.Array | pa.ChunkedArray) -> pd.Series:
    """A pyarrow string array as a ``str`` Series."""
    return text_frame(pa.table({"_": array}))["_"]
