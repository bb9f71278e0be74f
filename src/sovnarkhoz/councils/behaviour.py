"""Localism: councils that put their own territory first, and what that costs the nation.

Two behaviours of the critics of 1957, each a parameter of the councils' own problems (the
nation's constraints are untouched, so the assembled plan stays feasible):

- ``localism`` α >= 0: a council values a unit it sends to another council's territory at
  α / (Σ of all targets) points of the objective less, i.e. exporting the whole target bundle
  costs it α points: deliveries to others rank below its own needs.
- ``hidden`` h in [0, 1): a council plans as if only (1 - h) of its factor supplies existed,
  hiding spare capacity from the centre.

- ``departmentalism`` δ >= 0 (ministries, under the branch organisation): a ministry values
  each unit it makes for a balance that other ministries also draw on (or that carries a
  target) at δ / (Σ of all targets) points less: needs outside its branch rank below its own.

Under the branch organisation the localism penalty falls on what a ministry ships to regions
whose balances other ministries plan. Over a horizon the same holds in every year: hidden
capacity scales every year's supplies, and "all of the targets" is the yearly bundle (the
targets of all years over the number of years).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..formulation.program import LinearProgram
from ..scenario.economy import Economy
from .partition import Partition


@dataclass(frozen=True)
class Behaviour:
    """How councils favour their own (module docstring): ``localism`` α >= 0, ``hidden``
    h in [0, 1), ``departmentalism`` δ >= 0 (branch ministries only); all 0: cooperation."""

    localism: float = 0.0
    hidden: float = 0.0
    departmentalism: float = 0.0

    @property
    def cooperative(self) -> bool:
        return not (self.localism or self.hidden or self.departmentalism)

    def __str__(self) -> str:
        return (f"localism {self.localism:g}, hidden {self.hidden:g}, departmentalism "
                f"{self.departmentalism:g}")


COOPERATION = Behaviour()


def with_behaviour(lp: LinearProgram, economy: Economy, parts: Partition,
                   localism: float = 0.0, hidden: float = 0.0,
                   departmentalism: float = 0.0, bundle: float | None = None
                   ) -> LinearProgram:
    """The LP the councils actually solve, given their behaviour (a new object).

    bundle : the size of the target bundle the penalties are relative to (default: the sum
    of the economy's targets; over a horizon the caller passes the yearly bundle).
    """
    if localism < 0:
        raise ValueError("localism must be zero or more")
    if not 0 <= hidden < 1:
        raise ValueError("hidden must lie in [0, 1)")
    if departmentalism < 0:
        raise ValueError("departmentalism must be zero or more")
    if localism == 0 and hidden == 0 and departmentalism == 0:
        return lp
    data = lp.data
    c = data.c.copy()
    total = (float(economy.target_amount.sum()) if bundle is None else bundle) or 1.0
    if departmentalism:
        c += departmentalism / total * _made_for_others(lp, parts)
    row_upper = data.row_upper.copy()
    if localism:
        ship = lp.col_blocks["shipment"]
        destination_region = economy.link_destination[ship.labels["link"]]
        columns = np.arange(ship.start, ship.stop)
        # who plans the destination region's balance: the owner of its activities there
        activity = lp.col_blocks["activity"]
        region_owner = np.full(len(economy.regions), -2, dtype=np.int64)
        region_owner[economy.tech_region[activity.labels["technique"]]] = (
            parts.owner[activity.slice])
        crosses = region_owner[destination_region] != parts.owner[columns]
        c[columns[crosses]] += localism / total
    if hidden:
        factor = lp.row_blocks["factor"]
        row_upper[factor.slice] *= 1.0 - hidden
    return replace(lp, data=replace(data, c=c, row_upper=row_upper))


def _made_for_others(lp: LinearProgram, parts: Partition) -> np.ndarray:
    """(n,) per activity column, the units it makes for balances that other councils also
    plan (rows with columns of more than one owner, the centre's λ included); 0 elsewhere."""
    A = lp.data.A.tocsr()
    balance = lp.row_blocks["balance"]
    rows = A[balance.slice]
    owner = parts.owner[rows.indices]
    nonempty = np.diff(rows.indptr) > 0
    starts = rows.indptr[:-1][nonempty]
    shared = np.zeros(rows.shape[0], dtype=bool)
    shared[nonempty] = (np.minimum.reduceat(owner, starts)
                        != np.maximum.reduceat(owner, starts))
    made = rows.multiply(rows > 0).T.tocsr() @ shared.astype(np.float64)
    out = np.zeros(lp.data.num_cols)
    activity = lp.col_blocks["activity"].slice
    out[activity] = made[activity]
    return out
