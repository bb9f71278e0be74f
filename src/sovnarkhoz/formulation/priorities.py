"""The LP of plans that meet every target in full and deliver priorities at levels λ_q.

Built on the max-fulfilment LP of ``build``, unchanged, with two additions:

- its λ column is fixed at 1: every target met in full;
- one column λ_q >= 0 per priority q, entering each balance row (r, p) of its bundle with
  -amount_q[r, p]: made - used + arrivals - departures - target - Σ_q λ_q·amount_q >= 0.

A bundle's (region, product) without a balance row is one that no technique, link or target
touches: nothing can deliver it, so the priority's level is bounded by 0 there. Costs are
zero: what is maximised is the decision layer's choice (``decision.levels``). Vectorised:
the new columns are one sparse block.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..scenario.collective import Bundles
from ..scenario.economy import Economy
from ..scenario.objectives import Objective
from ..solvers.problem import LPData
from .build import build_lp
from .program import Block, LinearProgram

PRIORITIES = Objective("priorities")
"""The objective's label on the LinearProgram (it is not one of plan's objectives)."""


def build_priority_lp(economy: Economy, bundles: Bundles) -> LinearProgram:
    """Targets in full plus the columns λ_q (block ``priority``, label ``priority``).

    The ``fulfilment`` column of the max-fulfilment LP stays, fixed at 1. Shapes: n + B
    columns for the max-fulfilment LP's n and B priorities; the rows are those of that LP.
    """
    base = build_lp(economy, Objective("max-fulfilment"))
    data = base.data
    m, n = data.A.shape
    B = len(bundles.priorities)
    P = len(economy.products)
    balance = base.row_blocks["balance"]
    keys = balance.labels["region"].astype(np.int64) * P + balance.labels["product"]
    wanted = bundles.region.astype(np.int64) * P + bundles.product
    spot = np.clip(np.searchsorted(keys, wanted), 0, max(len(keys) - 1, 0))
    has_row = (len(keys) > 0) & (keys[spot] == wanted) if len(keys) else np.zeros(
        len(wanted), dtype=bool)
    columns = sp.csr_matrix(
        (-bundles.amount[has_row], (balance.start + spot[has_row],
                                    bundles.priority_of[has_row])),
        shape=(m, B))
    undeliverable = np.zeros(B, dtype=bool)
    undeliverable[bundles.priority_of[~has_row & (bundles.amount > 0)]] = True
    lam = base.col_blocks["fulfilment"].start
    col_lower = np.append(data.col_lower, np.zeros(B))
    col_upper = np.append(data.col_upper, np.where(undeliverable, 0.0, np.inf))
    col_lower[lam] = col_upper[lam] = 1.0
    extended = LPData(c=np.zeros(n + B), A=sp.hstack([data.A, columns], format="csr"),
                      row_lower=data.row_lower, row_upper=data.row_upper,
                      col_lower=col_lower, col_upper=col_upper, offset=data.offset)
    blocks = {**base.col_blocks, "priority": Block("priority", n, n + B,
                                                   {"priority": np.arange(B)})}
    return LinearProgram(data=extended, objective=PRIORITIES, row_blocks=base.row_blocks,
                         col_blocks=blocks, ids={**base.ids, "priority": bundles.priorities},
                         sense=-1)
