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

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Core:
    """The rows and columns every year of a plan shares, without targets or objective.

    Columns (n0 = T + L·S): activities, then shipments (link-major). Rows (m0): balances of the
    touched (region, product) pairs (sorted by region·P + product), factor supplies of the used
    (region, factor) pairs, capacities of the capped links. ``row_lower`` is 0 on balances
    (targets are added by the caller), ``row_upper`` the supplies and link capacities.
    """

    A: sp.csr_matrix  # (m0, n0)
    row_lower: np.ndarray  # (m0,)
    row_upper: np.ndarray  # (m0,)
    col_upper: np.ndarray  # (n0,)
    balance_keys: np.ndarray  # (n_balance,) region * P + product of each balance row
    factor_keys: np.ndarray  # (n_factor,) region * F + factor of each factor row
    capped: np.ndarray  # (n_link,) link of each link row
    ship_link: np.ndarray  # (L·S,) link of each shipment column
    ship_product: np.ndarray  # (L·S,) product of each shipment column

    @property
    def n_balance(self) -> int:
        return len(self.balance_keys)

    @property
    def n_factor(self) -> int:
        return len(self.factor_keys)

    def balance_row(self, keys: np.ndarray) -> np.ndarray:
        """Balance row of each region * P + product key (all must be touched pairs)."""
        return np.searchsorted(self.balance_keys, keys)

    def blocks(self, economy: Economy) -> tuple[dict[str, Block], dict[str, Block]]:
        """Row and column blocks naming the core's rows and columns."""
        P, F = len(economy.products), max(len(economy.factors), 1)
        nb, nf, m0 = self.n_balance, self.n_factor, self.A.shape[0]
        T = len(economy.techniques)
        rows = {
            "balance": Block("balance", 0, nb, {"region": self.balance_keys // P,
                                                "product": self.balance_keys % P}),
            "factor": Block("factor", nb, nb + nf, {"region": self.factor_keys // F,
                                                    "factor": self.factor_keys % F}),
            "link": Block("link", nb + nf, m0, {"link": self.capped}),
        }
        cols = {
            "activity": Block("activity", 0, T, {"technique": np.arange(T)}),
            "shipment": Block("shipment", T, self.A.shape[1],
                              {"link": self.ship_link, "product": self.ship_product}),
        }
        return rows, cols


def build_core(economy: Economy, extra_balance_keys: np.ndarray | None = None) -> Core:
    """The shared rows and columns of ``economy`` (see :class:`Core`).

    extra_balance_keys : region * P + product pairs that need a balance row even if nothing
    else touches them (e.g. capital goods set aside in a region).
    """
    e = economy
    P, R, F = len(e.products), len(e.regions), len(e.factors)
    T, L = len(e.techniques), len(e.link_origin)
    shipped = shipped_products(e)
    S = len(shipped)
    n0 = T + L * S

    # ---- balance rows: one per touched (region, product) --------------------------------
    ship_link = np.repeat(np.arange(L, dtype=np.int64), S)
    ship_product = np.tile(shipped.astype(np.int64), L)
    ship_col = T + np.arange(L * S, dtype=np.int64)
    extra = (np.zeros(0, dtype=np.int64) if extra_balance_keys is None
             else np.asarray(extra_balance_keys, dtype=np.int64))
    balance_key = np.concatenate([
        e.tech_region.astype(np.int64) * P + e.tech_product,  # outputs
        e.tech_region[e.use_tech].astype(np.int64) * P + e.use_product,  # product inputs
        e.link_origin[ship_link].astype(np.int64) * P + ship_product,  # departures
        e.link_destination[ship_link].astype(np.int64) * P + ship_product,  # arrivals
        e.target_region.astype(np.int64) * P + e.target_product,  # targets
        extra,
    ])
    balance_row, balance_keys = _compact(balance_key, R * P)
    n_balance = len(balance_keys)
    entries = len(balance_key) - len(e.target_amount) - len(extra)
    entry_cols = np.concatenate([np.arange(T, dtype=np.int64), e.use_tech.astype(np.int64),
                                 ship_col, ship_col])
    entry_vals = np.concatenate([np.ones(T), -e.use_amount, -np.ones(L * S),
                                 np.repeat(1.0 - e.link_loss, S)])

    # ---- factor rows: one per used (region, factor) ---------------------------------------
    factor_key = e.tech_region[e.need_tech].astype(np.int64) * F + e.need_factor
    factor_row, factor_keys = _compact(factor_key, R * F)
    n_factor = len(factor_keys)

    # ---- link capacity rows ---------------------------------------------------------------
    capped = np.flatnonzero(np.isfinite(e.link_capacity))
    link_row_of = np.full(L, -1, dtype=np.int64)
    link_row_of[capped] = np.arange(len(capped))
    ship_capped = link_row_of[ship_link] >= 0

    rows = np.concatenate([balance_row[:entries], n_balance + factor_row,
                           n_balance + n_factor + link_row_of[ship_link][ship_capped]])
    cols = np.concatenate([entry_cols, e.need_tech.astype(np.int64), ship_col[ship_capped]])
    vals = np.concatenate([entry_vals, e.need_amount, np.ones(int(ship_capped.sum()))])
    m0 = n_balance + n_factor + len(capped)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(m0, n0))
    A.sum_duplicates()
    row_lower = np.concatenate([np.zeros(n_balance), np.full(n_factor + len(capped), -np.inf)])
    row_upper = np.concatenate([
        np.full(n_balance, np.inf),
        e.supply[factor_keys // max(F, 1), factor_keys % max(F, 1)],
        e.link_capacity[capped],
    ])
    col_upper = np.concatenate([e.tech_capacity, np.full(L * S, np.inf)])
    return Core(A=A, row_lower=row_lower, row_upper=row_upper, col_upper=col_upper,
                balance_keys=balance_keys, factor_keys=factor_keys, capped=capped,
                ship_link=ship_link, ship_product=ship_product)


def build_lp(economy: Economy, objective: Objective) -> LinearProgram:
    """The LP for ``objective`` (max-fulfilment or min-factor) over ``economy``."""
    if objective.kind == "balance":
        raise ValueError("balance is solved as a linear system; see formulation.leontief")
    if objective.kind == "max-total-fulfilment":
        raise ValueError("max-total-fulfilment plans a horizon; see formulation.years")
    e = economy
    P, T = len(e.products), len(e.techniques)
    core = build_core(e)
    m0, n0 = core.A.shape
    max_fulfilment = objective.kind == "max-fulfilment"
    n = n0 + (1 if max_fulfilment else 0)
    lam = n0
    target_rows = core.balance_row(e.target_region.astype(np.int64) * P + e.target_product)
    A = core.A
    row_lower = core.row_lower.copy()
    if max_fulfilment:
        column = sp.csr_matrix((-e.target_amount, (target_rows, np.zeros(len(target_rows),
                                                                        dtype=np.int64))),
                               shape=(m0, 1))
        A = sp.hstack([A, column], format="csr")
        A.sum_duplicates()
    else:
        np.add.at(row_lower, target_rows, e.target_amount)
    col_lower = np.zeros(n)
    col_upper = np.concatenate([core.col_upper, np.full(n - n0, np.inf)])

    c = np.zeros(n)
    sense = 1
    if max_fulfilment:
        c[lam] = -1.0
        sense = -1
    else:
        factor = e.factors.get_loc(objective.factor)
        chosen = e.need_factor == factor
        c[:T] = np.bincount(e.need_tech[chosen], weights=e.need_amount[chosen], minlength=T)

    row_blocks, col_blocks = core.blocks(e)
    if max_fulfilment:
        col_blocks["fulfilment"] = Block("fulfilment", lam, lam + 1, {})
    ids = {"region": e.regions, "product": e.products, "factor": e.factors,
           "technique": e.techniques, "link": _link_ids(e)}
    data = LPData(c=c, A=A, row_lower=row_lower, row_upper=core.row_upper,
                  col_lower=col_lower, col_upper=col_upper)
    return LinearProgram(data=data, objective=objective, row_blocks=row_blocks,
                         col_blocks=col_blocks, ids=ids, sense=sense)


def _link_ids(e: Economy) -> pd.Index:
    origin = e.regions.to_numpy()[e.link_origin].astype(str)
    destination = e.regions.to_numpy()[e.link_destination].astype(str)
    return pd.Index(np.char.add(np.char.add(origin, "->"), destination), name="link")
