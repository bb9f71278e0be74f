"""A linear program with labelled rows and columns, in the spirit of linopy.

Rows and columns come in blocks (balances, factor supplies, activities, ...). Each block
keeps integer label arrays (region, product, ...) rather than millions of name strings; names
are made on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..scenario.objectives import Objective
from ..solvers.problem import LPData


@dataclass(frozen=True)
class Block:
    """Rows (or columns) ``start:stop`` of one kind; ``labels`` maps a label name
    (e.g. ``"region"``) to an int array of positions into the matching id index."""

    name: str
    start: int
    stop: int
    labels: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.stop - self.start

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)


@dataclass
class LinearProgram:
    """The LP of a scenario and objective: solver data plus the blocks that name it.

    Row blocks: ``balance`` (region, product), ``factor`` (region, factor), ``link``
    (link). Column blocks: ``activity`` (technique), ``shipment`` (link, product),
    ``fulfilment`` (the single λ column, max-fulfilment only).
    """

    data: LPData
    objective: Objective
    row_blocks: dict[str, Block]
    col_blocks: dict[str, Block]
    ids: dict[str, pd.Index]  # label name -> ids ("region" -> region ids, ...)
    sense: int = 1  # +1: the plan's objective is data.c @ x; -1: it is -(data.c @ x)

    def row_names(self, rows: np.ndarray | None = None) -> list[str]:
        """Readable names like ``balance[north,grain]`` for the given row positions."""
        return self._names(self.row_blocks, self.data.num_rows, rows)

    def col_names(self, cols: np.ndarray | None = None) -> list[str]:
        return self._names(self.col_blocks, self.data.num_cols, cols)

    def _names(self, blocks: dict[str, Block], size: int,
               positions: np.ndarray | None) -> list[str]:
        positions = np.arange(size) if positions is None else np.asarray(positions)
        names = np.empty(len(positions), dtype=object)
        for block in blocks.values():
            inside = (positions >= block.start) & (positions < block.stop)
            if not inside.any():
                continue
            local = positions[inside] - block.start
            parts = [self.ids[label].to_numpy()[index[local]].astype(str)
                     for label, index in block.labels.items()]
            joined = parts[0] if parts else np.full(local.size, "", dtype=object)
            for part in parts[1:]:
                joined = np.char.add(np.char.add(joined.astype(str), ","), part)
            names[inside] = ([f"{block.name}[{label}]" for label in joined] if parts
                             else [block.name] * int(inside.sum()))
        return names.tolist()
