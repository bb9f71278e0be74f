"""The LP of plans that meet every target in full and deliver priorities at levels λ_q.

Built on the max-fulfilment LP of ``build``, unchanged, with two additions:

- its λ column is fixed at 1: every target met in full;
- one column λ_q >= 0 per priority q, entering each balance row (r, p) of its bundle with
  -amount_q[r, p]: made - used + arrivals - departures - target - Σ_q λ_q·amount_q >= 0.

A bundle's (region, product) without a balance row is one that no technique, link or target
touches: nothing can deliver it, so the priority's level is bounded by 0 there. Costs are
zero: what is maximised is the decision layer's choice (``decision.levels``). Vectorised:
the new columns are one sparse block.

Multi-year scenarios (``build_priority_years``): the multi-year LP of ``years.build_years``
with every target held in full in every year (no λ column), and one column λ_q per priority
over the whole horizon, entering the balance row (t, r, p) of each year its bundle rows hold
with -amount_q[t, r, p].
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from ..scenario.collective import Bundles, yearly_bundles
from ..scenario.economy import Economy
from ..scenario.model import Scenario
from ..scenario.objectives import Objective
from ..solvers.problem import LPData
from .build import build_lp
from .program import Block, LinearProgram
from .years import YearsProgram, build_years

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


def build_priority_years(scenario: Scenario, bundles: Bundles) -> YearsProgram:
    """The multi-year LP with every target in full each year plus the columns λ_q (block
    ``priority``, label ``priority``), one per priority over the horizon.

    Shapes: n + B columns for the multi-year LP's n and B priorities; its rows unchanged.
    An entry (priority, region, product) asking for a positive amount in a year whose
    balance row does not exist (nothing touches the pair) bounds that priority at 0.
    """
    program = build_years(scenario, None)
    data = program.lp.data
    m, n = data.A.shape
    e = scenario.economy
    R, P = len(e.regions), len(e.products)
    B = len(bundles.priorities)
    Y = program.horizon.count
    yearly = yearly_bundles(bundles, program.horizon, R, P)
    keys = program.core.balance_keys
    wanted = yearly.region.astype(np.int64) * P + yearly.product
    spot = np.clip(np.searchsorted(keys, wanted), 0, max(len(keys) - 1, 0))
    has_row = (keys[spot] == wanted) if len(keys) else np.zeros(len(wanted), dtype=bool)
    nb = program.core.n_balance
    rows = (np.arange(Y)[:, None] * nb + spot[None, :])[:, has_row].ravel()
    cols = np.broadcast_to(yearly.priority_of[has_row], (Y, int(has_row.sum()))).ravel()
    values = -yearly.amount[:, has_row].ravel()
    nonzero = values != 0
    columns = sp.csr_matrix((values[nonzero], (rows[nonzero], cols[nonzero])), shape=(m, B))
    undeliverable = np.zeros(B, dtype=bool)
    undeliverable[yearly.priority_of[~has_row & (yearly.amount > 0).any(axis=0)]] = True
    extended = LPData(c=np.zeros(n + B), A=sp.hstack([data.A, columns], format="csr"),
                      row_lower=data.row_lower, row_upper=data.row_upper,
                      col_lower=np.append(data.col_lower, np.zeros(B)),
                      col_upper=np.append(data.col_upper, np.where(undeliverable, 0.0, np.inf)),
                      offset=data.offset)
    lp = program.lp
    blocks = {**lp.col_blocks, "priority": Block("priority", n, n + B,
                                                 {"priority": np.arange(B)})}
    extended_lp = LinearProgram(data=extended, objective=PRIORITIES, row_blocks=lp.row_blocks,
                                col_blocks=blocks, ids={**lp.ids, "priority": bundles.priorities},
                                sense=-1)
    return replace(program, lp=extended_lp)
