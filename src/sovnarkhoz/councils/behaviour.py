"""Localism: councils that put their own territory first, and what that costs the nation.

Two behaviours of the critics of 1957, each a parameter of the councils' own problems (the
nation's constraints are untouched, so the assembled plan stays feasible):

- ``localism`` α >= 0: a council values a unit it sends to another council's territory at
  α / (Σ of all targets) points of the objective less, i.e. exporting the whole target bundle
  costs it α points: deliveries to others rank below its own needs.
- ``hidden`` h in [0, 1): a council plans as if only (1 - h) of its factor supplies existed,
  hiding spare capacity from the centre.

Under the branch organisation the same export penalty falls on what a ministry ships to other
regions' balances of other ministries (departmentalism).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..formulation.program import LinearProgram
from ..scenario.economy import Economy
from .partition import Partition


def with_behaviour(lp: LinearProgram, economy: Economy, parts: Partition,
                   localism: float = 0.0, hidden: float = 0.0) -> LinearProgram:
    """The LP the councils actually solve, given their behaviour (a new object)."""
    if localism < 0:
        raise ValueError("localism must be zero or more")
    if not 0 <= hidden < 1:
        raise ValueError("hidden must lie in [0, 1)")
    if localism == 0 and hidden == 0:
        return lp
    data = lp.data
    c = data.c.copy()
    row_upper = data.row_upper.copy()
    if localism:
        ship = lp.col_blocks["shipment"]
        destination_region = economy.link_destination[ship.labels["link"]]
        columns = np.arange(ship.start, ship.stop)
        # who plans the destination region's balance: the owner of its activities there
        tech_owner = parts.owner[lp.col_blocks["activity"].slice]
        region_owner = np.full(len(economy.regions), -2, dtype=np.int64)
        region_owner[economy.tech_region] = tech_owner
        crosses = region_owner[destination_region] != parts.owner[columns]
        total = float(economy.target_amount.sum()) or 1.0
        c[columns[crosses]] += localism / total
    if hidden:
        factor = lp.row_blocks["factor"]
        row_upper[factor.slice] *= 1.0 - hidden
    return replace(lp, data=replace(data, c=c, row_upper=row_upper))
