"""Assemble the planning LP from an :class:`Economy`, fully vectorised.

Columns
    activity   x_t >= 0 (<= capacity_t)          one per technique
    shipment   s_lp >= 0                          one per link and shipped product
    fulfilment λ >= 0                             max-fulfilment only
Rows
    balance[r, p]:  made - used + (1 - loss) arrivals - departures - λ·target >= 0
                    (min-factor: ... >= target)
    factor[r, f]:   sum_t need_ft x_t <= supply_rf
    link[l]:        sum_p s_lp <= capacity_l      links with a finite capacity only

Only region-product pairs and region-factor pairs that something touches get a row. Every
entry is produced by array arithmetic on the economy's coordinate lists; duplicates (a
technique using its own product) are summed by the sparse conversion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..scenario.economy import Economy
from ..scenario.objectives import Objective
from ..solvers.problem import LPData
from .program import Block, LinearProgram


def shipped_products(economy: Economy) -> np.ndarray:
    """Products that may travel on links: tradable and made by some technique. (S,) int."""
    made = np.zeros(len(economy.products), dtype=bool)
    made[economy.tech_product] = True
    return np.flatnonzero(made & economy.tradable)


def _compact(keys: np.ndarray, universe: int) -> tuple[np.ndarray, np.ndarray]:
    """Map integer keys in [0, universe) to consecutive row numbers in key order.

    Returns (row of each key, the distinct keys). Uses a dense mark array when the universe is
    not much larger than the keys, and sorting otherwise; memory stays O(len(keys)).
    """
    if universe <= 8 * len(keys) + 1_000_000:
        used = np.zeros(universe, dtype=bool)
        used[keys] = True
        distinct = np.flatnonzero(used)
        position = np.cumsum(used, dtype=np.int64) - 1
        return position[keys], distinct
    distinct, inverse = np.unique(keys, return_inverse=True)
    return inverse.astype(np.int64), distinct


def build_lp(economy: Economy, objective: Objective) -> LinearProgram:
    """The LP for ``objective`` (max-fulfilment or min-factor) over ``economy``."""
    if objective.kind == "balance":
        raise ValueError("balance is solved as a linear system; see formulation.leontief")
    e = economy
    P, R, F = len(e.products), len(e.regions), len(e.factors)
    T, L = len(e.techniques), len(e.link_origin)
    shipped = shipped_products(e)
    S = len(shipped)
    max_fulfilment = objective.kind == "max-fulfilment"
    n = T + L * S + (1 if max_fulfilment else 0)
    lam = T + L * S

    # ---- balance rows: one per touched (region, product) --------------------------------
    ship_link = np.repeat(np.arange(L, dtype=np.int64), S)
    ship_product = np.tile(shipped.astype(np.int64), L)
    ship_col = T + np.arange(L * S, dtype=np.int64)
    balance_key = np.concatenate([
        e.tech_region.astype(np.int64) * P + e.tech_product,  # outputs
        e.tech_region[e.use_tech].astype(np.int64) * P + e.use_product,  # product inputs
        e.link_origin[ship_link].astype(np.int64) * P + ship_product,  # departures
        e.link_destination[ship_link].astype(np.int64) * P + ship_product,  # arrivals
        e.target_region.astype(np.int64) * P + e.target_product,  # targets
    ])
    balance_row, balance_keys = _compact(balance_key, R * P)
    n_balance = len(balance_keys)
    Q = len(e.target_amount)
    entry_cols = [np.arange(T, dtype=np.int64), e.use_tech.astype(np.int64), ship_col, ship_col]
    entry_vals = [np.ones(T), -e.use_amount, -np.ones(L * S),
                  np.repeat(1.0 - e.link_loss, S)]
    target_rows = balance_row[len(balance_key) - Q:]
    if max_fulfilment:
        entry_cols.append(np.full(Q, lam, dtype=np.int64))
        entry_vals.append(-e.target_amount)
        rows = balance_row
    else:
        rows = balance_row[: len(balance_key) - Q]
    balance_lower = np.zeros(n_balance)
    if not max_fulfilment:
        np.add.at(balance_lower, target_rows, e.target_amount)

    # ---- factor rows: one per used (region, factor) ---------------------------------------
    factor_key = e.tech_region[e.need_tech].astype(np.int64) * F + e.need_factor
    factor_row, factor_keys = _compact(factor_key, R * F)
    n_factor = len(factor_keys)

    # ---- link capacity rows ---------------------------------------------------------------
    capped = np.flatnonzero(np.isfinite(e.link_capacity))
    link_row_of = np.full(L, -1, dtype=np.int64)
    link_row_of[capped] = np.arange(len(capped))
    ship_capped = link_row_of[ship_link] >= 0

    row_parts = [rows, n_balance + factor_row,
                 n_balance + n_factor + link_row_of[ship_link][ship_capped]]
    col_parts = [np.concatenate(entry_cols), e.need_tech.astype(np.int64), ship_col[ship_capped]]
    val_parts = [np.concatenate(entry_vals), e.need_amount, np.ones(int(ship_capped.sum()))]
    m = n_balance + n_factor + len(capped)
    A = sp.csr_matrix(
        (np.concatenate(val_parts), (np.concatenate(row_parts), np.concatenate(col_parts))),
        shape=(m, n),
    )
    A.sum_duplicates()

    row_lower = np.concatenate([balance_lower, np.full(n_factor + len(capped), -np.inf)])
    row_upper = np.concatenate([
        np.full(n_balance, np.inf),
        e.supply[factor_keys // max(F, 1), factor_keys % max(F, 1)],
        e.link_capacity[capped],
    ])
    col_lower = np.zeros(n)
    col_upper = np.concatenate([e.tech_capacity, np.full(n - T, np.inf)])

    c = np.zeros(n)
    sense = 1
    if max_fulfilment:
        c[lam] = -1.0
        sense = -1
    else:
        factor = e.factors.get_loc(objective.factor)
        chosen = e.need_factor == factor
        c[:T] = np.bincount(e.need_tech[chosen], weights=e.need_amount[chosen], minlength=T)

    row_blocks = {
        "balance": Block("balance", 0, n_balance,
                         {"region": balance_keys // P, "product": balance_keys % P}),
        "factor": Block("factor", n_balance, n_balance + n_factor,
                        {"region": factor_keys // max(F, 1), "factor": factor_keys % max(F, 1)}),
        "link": Block("link", n_balance + n_factor, m, {"link": capped}),
    }
    col_blocks = {
        "activity": Block("activity", 0, T, {"technique": np.arange(T)}),
        "shipment": Block("shipment", T, T + L * S, {"link": ship_link, "product": ship_product}),
    }
    if max_fulfilment:
        col_blocks["fulfilment"] = Block("fulfilment", lam, lam + 1, {})
    ids = {"region": e.regions, "product": e.products, "factor": e.factors,
           "technique": e.techniques, "link": _link_ids(e)}
    data = LPData(c=c, A=A, row_lower=row_lower, row_upper=row_upper,
                  col_lower=col_lower, col_upper=col_upper)
    return LinearProgram(data=data, objective=objective, row_blocks=row_blocks,
                         col_blocks=col_blocks, ids=ids, sense=sense)


def _link_ids(e: Economy) -> pd.Index:
    origin = e.regions.to_numpy()[e.link_origin].astype(str)
    destination = e.regions.to_numpy()[e.link_destination].astype(str)
    return pd.Index(np.char.add(np.char.add(origin, "->"), destination), name="link")
