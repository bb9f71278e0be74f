"""Is a Leontief technology productive, and if not, which products form the culprit cycle?

With one technique per product and region, the input matrix A (A[i, j] = units of product i
used per unit of product j, within a region) is productive when its spectral radius is below 1.
The spectral radius of a non-negative matrix is the largest over its strongly connected
components (cycles of products feeding each other), so each component is judged alone: its
column sums bound its Perron root from both sides, and only components that the bounds cannot
settle need an eigenvalue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph
from scipy.sparse.linalg import ArpackNoConvergence, eigs


@dataclass(frozen=True)
class Cycle:
    """Products of one region whose technology feeds on itself too heavily."""

    region: str  # its region (regions, comma-separated, when origins join several)
    products: list[str]
    radius: float  # Perron root of the cycle's input block (>= 1)


def input_regions(tech_region: pd.Series, product_inputs: pd.DataFrame) -> np.ndarray:
    """(rows,) the region whose pool supplies each product input: its ``origin`` where
    given, else the region of the technique using it (``tech_region``: technique -> region)."""
    region = tech_region.reindex(product_inputs["technique"]).to_numpy()
    if "origin" not in product_inputs.columns:
        return region
    origin = product_inputs["origin"]
    given = ~origin.str.strip().eq("").to_numpy()
    return np.where(given, origin.to_numpy(), region)


def technique_matrix(techniques: pd.DataFrame, product_inputs: pd.DataFrame) -> sp.csr_matrix:
    """T x T matrix: entry (i, j) = output of technique i used per unit of technique j.

    Assumes one technique per (region, product); inputs nobody makes in the region they come
    from (the technique's, or the input's ``origin``) are dropped.
    """
    key = pd.MultiIndex.from_frame(techniques[["region", "product"]])
    position = pd.Index(techniques["technique"])
    user = position.get_indexer(product_inputs["technique"])
    source = input_regions(pd.Series(techniques["region"].to_numpy(), index=position),
                           product_inputs)
    maker = key.get_indexer(pd.MultiIndex.from_arrays([source, product_inputs["input"]]))
    keep = maker >= 0
    n = len(techniques)
    return sp.csr_matrix(
        (product_inputs["amount"].to_numpy(dtype=np.float64)[keep], (maker[keep], user[keep])),
        shape=(n, n),
    )


def spectral_radius(block: sp.spmatrix) -> float:
    """Largest absolute eigenvalue of a small or sparse non-negative square matrix."""
    n = block.shape[0]
    if n <= 1500:
        return float(np.max(np.abs(np.linalg.eigvals(block.toarray()))))
    try:
        values = eigs(block.astype(np.float64), k=1, which="LM", return_eigenvectors=False,
                      maxiter=5000, tol=1e-8)
        return float(np.abs(values[0]))
    except ArpackNoConvergence:
        # fall back on the column-sum upper bound: conservative, never calls a bad cycle good
        return float(np.asarray(block.sum(axis=0)).max())


def unsustainable_cycles(techniques: pd.DataFrame, product_inputs: pd.DataFrame) -> list[Cycle]:
    """Strongly connected groups of products whose Perron root is at least 1."""
    matrix = technique_matrix(techniques, product_inputs).tocoo()
    count, component = csgraph.connected_components(matrix, directed=True, connection="strong")
    inside = component[matrix.row] == component[matrix.col]
    column_sum = np.bincount(matrix.col[inside], weights=matrix.data[inside],
                             minlength=matrix.shape[0])
    frame = pd.DataFrame({"component": component, "sum": column_sum})
    bounds = frame.groupby("component")["sum"].agg(["min", "max"])
    suspects = bounds.index[bounds["max"] >= 1.0].to_numpy()
    csr = matrix.tocsr()
    cycles = []
    for label in suspects:  # a handful at most: components that might not be productive
        members = np.flatnonzero(component == label)
        low = bounds.at[label, "min"]
        radius = low if low >= 1.0 and len(members) == 1 else spectral_radius(
            csr[members][:, members])
        if radius >= 1.0 - 1e-12:
            cycles.append(Cycle(
                region=", ".join(dict.fromkeys(techniques["region"].to_numpy()[members])),
                products=[str(p) for p in techniques["product"].to_numpy()[members]],
                radius=float(radius),
            ))
    return cycles
