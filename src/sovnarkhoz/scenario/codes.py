"""Positions of id columns among the ids they name, computed once per scenario.

Validation needs them to find unknown ids and repeated keys, indexing needs them to build the
economy's arrays: hashing a ten-million-row column against a million ids is the costliest step
of loading, so each (column, ids) pair is hashed once and shared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..arrowtext import positions

# what each id column refers to: (table, column) -> (table, id column)
REFERS_TO: dict[tuple[str, str], tuple[str, str]] = {
    ("techniques", "region"): ("regions", "region"),
    ("techniques", "product"): ("products", "product"),
    ("inputs", "technique"): ("techniques", "technique"),
    ("inputs", "origin"): ("regions", "region"),
    ("supplies", "region"): ("regions", "region"),
    ("supplies", "factor"): ("factors", "factor"),
    ("targets", "region"): ("regions", "region"),
    ("targets", "product"): ("products", "product"),
    ("links", "origin"): ("regions", "region"),
    ("links", "destination"): ("regions", "region"),
    ("capital", "technique"): ("techniques", "technique"),
    ("capital", "good"): ("products", "product"),
    ("growth", "region"): ("regions", "region"),
    ("growth", "factor"): ("factors", "factor"),
    ("priorities", "region"): ("regions", "region"),
    ("priorities", "product"): ("products", "product"),
    ("factions", "priority"): ("priorities", "priority"),
    ("members", "faction"): ("factions", "faction"),
}


class IdCodes:
    """``of(table, column, target, target_column)``: (rows,) int64 positions, -1 if unknown."""

    def __init__(self, frames: dict[str, pd.DataFrame]):
        self.frames = frames
        self._cache: dict[tuple[str, str, str, str], np.ndarray] = {}

    def of(self, table: str, column: str, target: str, target_column: str) -> np.ndarray:
        key = (table, column, target, target_column)
        if key not in self._cache:
            values = self.frames[table][column]
            if target in self.frames and len(self.frames[target]):
                self._cache[key] = positions(values, self.frames[target][target_column])
            else:
                self._cache[key] = np.full(len(values), -1, dtype=np.int64)
        return self._cache[key]

    def reference(self, table: str, column: str) -> np.ndarray:
        """Positions of a contract reference column (see REFERS_TO)."""
        return self.of(table, column, *REFERS_TO[(table, column)])

    def input_kind(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions of inputs.input among the products and among the factors."""
        return (self.of("inputs", "input", "products", "product"),
                self.of("inputs", "input", "factors", "factor"))

    def key_codes(self, table: str, key: tuple[str, ...]) -> np.ndarray | None:
        """One integer per row identifying its key, from cached positions; None when a key
        column has no known referent (or an unknown id, which codes cannot tell apart)."""
        combined = np.zeros(len(self.frames[table]), dtype=np.int64)
        for column in key:
            if table == "inputs" and column == "input":
                if "products" not in self.frames:
                    return None
                product, factor = self.input_kind()
                codes = np.where(product >= 0, product,
                                 np.where(factor >= 0, len(self.frames["products"]) + factor, -1))
                size = len(self.frames["products"]) + len(self.frames.get("factors", ()))
            elif (table, column) in REFERS_TO:
                codes = self.reference(table, column)
                size = len(self.frames.get(REFERS_TO[(table, column)][0], ()))
            else:
                return None
            if (codes < 0).any():
                return None
            combined = combined * (size + 1) + codes
        return combined
