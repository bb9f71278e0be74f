"""A linear program with labelled rows and columns, in the spirit of linopy.

Rows and columns come in blocks (balances, factor supplies, activities, ...). Each block
keeps integer label arrays (region, product, ...) rather than millions of name strings; names
are made on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..scenario.objectives import Objective
from ..solvers.problem import LPData

if TYPE_CHECKING:
    from ..scenario.horizon import Horizon
    from ..solvers.tangents import Tangents
    from .build import Layout, Mode


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
    """The LP of a scenario over one year or many: solver data, the blocks that name it, and
    what it was built from (see :mod:`~sovnarkhoz.formulation.build`).

    Row blocks: ``balance`` (region, product), ``factor`` (region, factor), ``link`` (link),
    ``capital`` and ``stock`` (technique, product). Column blocks: ``activity`` (technique),
    ``shipment`` (link, product), ``fulfilment`` (λ or λ_t, when the targets are scaled),
    ``investment`` and ``installed`` (technique, product), ``priority`` (priority, with
    priorities). Each block is year-major, with a ``year`` label when the layout is dated.
    ``objective`` is None when the LP has no cost of its own (feasibility, priorities).
    """

    data: LPData
    objective: Objective | None
    row_blocks: dict[str, Block]
    col_blocks: dict[str, Block]
    ids: dict[str, pd.Index]  # label name -> ids ("region" -> region ids, ...)
    sense: int = 1  # +1: the plan's objective is data.c @ x; -1: it is -(data.c @ x)
    layout: Layout | None = None
    mode: Mode | None = None
    tangents: Tangents | None = None  # a concave objective's terms (harmony), else None

    @property
    def lp(self) -> LinearProgram:
        """The program itself (callers written for the former multi-year wrapper read
        ``program.lp``)."""
        return self

    @property
    def horizon(self) -> Horizon:
        assert self.layout is not None
        return self.layout.horizon

    @property
    def dated(self) -> bool:
        """Its blocks, and the plan's tables, carry years."""
        return self.layout is not None and self.layout.dated

    def levels(self, x: np.ndarray) -> np.ndarray:
        """(Y,) the level λ_t each year's scaled targets are met at in ``x`` (1 without λ;
        0 when each target's share is chosen freely, as harmony does: no level is promised,
        every balance need only stay >= 0)."""
        Y = self.horizon.count
        block = self.col_blocks.get("fulfilment")
        if block is None:
            return np.ones(Y)
        if self.tangents is not None:
            return np.zeros(Y)
        values = x[block.slice]
        return np.full(Y, float(values[0])) if block.size == 1 else values.astype(np.float64)

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
