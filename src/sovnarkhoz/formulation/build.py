"""The planning LP over a horizon of one year or many, built in small steps, fully vectorised.

Y years t = 0 .. Y-1, T techniques, L links, S shipped products, K capital entries (technique,
good) of capital.csv, lag ℓ, B priorities. A one-year plan is the case Y = 1, K = 0: the same
steps build it, and its blocks carry no ``year`` label (it is "undated").

Columns (in this order; each block year-major)
    activity     x[t, j] >= 0 (<= capacity_j)                        Y·T
    shipment     s[t, l, p] >= 0                                     Y·L·S
    fulfilment   λ (one for all years) or λ_t (one a year)           1, Y or 0 (see Levels)
    investment   v[t, k] >= 0: good_k set aside in year t            (Y-ℓ)·K
    installed    K[t, k] >= 0: good_k installed for technique_k     Y·K
    priority     λ_q >= 0, one per priority over the horizon         B (priorities only)
Rows
    balance[t, r, p]   made - used + (1-loss) arrivals - departures - Σ_k v[t, k]
                       - λ_(t)·target[t, r, p] - Σ_q λ_q·amount_q[t, r, p] >= 0
                       (targets held in full: ... >= target[t, r, p])
    factor[t, r, f]    Σ_j need x[t, j] <= supply[t, r, f]
    link[t, l]         Σ_p s[t, l, p] <= capacity_l                   capped links only
    capital[t, k]      amount_k · x[t, technique_k] - K[t, k] <= 0
    stock[t, k]        K[t, k] - (1 - dep_k) K[t-1, k] - v[t-ℓ, k] = stock_k if t = 0 else 0

Only (region, product) and (region, factor) pairs that something touches get a row. Each
``define_*`` step returns its coefficients as coordinate lists (rows, columns, values) in the
whole LP's numbering; :func:`build` converts them to one sparse matrix once (duplicates, a
technique using its own product, are summed by that conversion).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..scenario.collective import Bundles, yearly_bundles
from ..scenario.economy import Economy
from ..scenario.horizon import Horizon
from ..scenario.objectives import FactorUse, Levels, Objective, Years
from ..solvers.problem import LPData
from ..solvers.tangents import GRID, Concave, Tangents
from .program import Block, LinearProgram

ONE_YEAR = Horizon(0, 0, 1)
"""The horizon of a single-year scenario (year 0)."""

Entries = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Coefficients as coordinate lists: (rows, columns, values), each (nnz,)."""


@dataclass(frozen=True)
class Mode:
    """How the targets enter the LP.

    levels : the λ columns (see :class:`Levels`); scaled : (Qd,) bool, the target pairs λ
    multiplies (default: all of them when there are levels), the others held in full;
    priorities : one more column λ_q per priority, taking λ_q x its bundle from the balances
    (targets then held as ``levels`` says, usually in full); concave : with
    :attr:`Levels.EACH`, the concave function of each share maximised (harmony), held under
    tangent planes (:func:`define_harmony`).
    """

    levels: Levels = Levels.NONE
    scaled: np.ndarray | None = None
    priorities: Bundles | None = None
    concave: type[Concave] | None = None

    @classmethod
    def of(cls, objective: Objective | None) -> Mode:
        """The mode an objective plans in: its rule's levels (max-fulfilment one λ,
        max-total-fulfilment λ_t); min-factor (or no objective) every target in full."""
        if objective is None:
            return cls()
        return cls(objective.rule.levels, concave=objective.rule.concave)


@dataclass(frozen=True)
class Core:
    """The rows and columns every year shares, without targets, capital or objective.

    Columns (n0 = T + L·S): activities, then shipments (link-major). Rows (m0): balances of the
    touched (region, product) pairs (sorted by region·P + product), factor supplies of the used
    (region, factor) pairs, capacities of the capped links. ``entries``: the coefficients in
    these one-year numbers.
    """

    entries: Entries
    shape: tuple[int, int]  # (m0, n0)
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

    @property
    def n_link(self) -> int:
        return len(self.capped)

    def balance_row(self, keys: np.ndarray) -> np.ndarray:
        """Balance row of each region * P + product key (all must be touched pairs)."""
        return np.searchsorted(self.balance_keys, keys)

    def has_balance(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, whether it exists) of each region * P + product key."""
        if not len(self.balance_keys):
            return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
        spot = np.clip(self.balance_row(keys), 0, len(self.balance_keys) - 1)
        return spot, self.balance_keys[spot] == keys


@dataclass(frozen=True)
class Capital:
    """K entries of capital.csv as arrays: (K,) technique, good (product), amount per unit of
    activity, stock installed in the first year, yearly depreciation."""

    technique: np.ndarray
    good: np.ndarray
    amount: np.ndarray
    stock: np.ndarray
    depreciation: np.ndarray

    @property
    def size(self) -> int:
        return len(self.technique)

    @classmethod
    def none(cls) -> Capital:
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, np.zeros(0), np.zeros(0), np.zeros(0))


@dataclass(frozen=True)
class YearlyTargets:
    """Qd target pairs: ``keys`` region·P + product, ``amount`` (Y, Qd) each year's target,
    ``row`` (Qd,) their balance rows in the core. Over a horizon the pairs are distinct and
    sorted; for one undated year they are targets.csv's rows, in its order."""

    keys: np.ndarray
    amount: np.ndarray
    row: np.ndarray
    weight: np.ndarray | None = None  # (Y, Qd) targets.csv's weight (None: every one 1)

    def weights(self) -> np.ndarray:
        """(Y, Qd) each pair's weight in each year (1 where none is given)."""
        return np.ones_like(self.amount) if self.weight is None else self.weight


@dataclass(frozen=True)
class Layout:
    """What the LP is built over: the economy, the years, and what differs by year.

    dated : the blocks carry a ``year`` label (a scenario with a horizon, or a single year
    asked as a horizon of one); undated: one year, planned as a single-year scenario.
    supply : (Y, R, F) factor supply each year.
    """

    economy: Economy
    horizon: Horizon
    dated: bool
    core: Core
    targets: YearlyTargets
    capital: Capital
    supply: np.ndarray


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


def build_core(economy: Economy, extra_balance_keys: np.ndarray | None = None) -> Core:
    """The shared rows and columns of ``economy`` (see :class:`Core`).

    extra_balance_keys : region * P + product pairs that need a balance row even if nothing
    else touches them (capital goods set aside in a region).
    """
    e = economy
    P, R, F = len(e.products), len(e.regions), len(e.factors)
    T, L = len(e.techniques), len(e.link_origin)
    shipped = shipped_products(e)
    S = len(shipped)

    # ---- balance rows: one per touched (region, product) --------------------------------
    ship_link = np.repeat(np.arange(L, dtype=np.int64), S)
    ship_product = np.tile(shipped.astype(np.int64), L)
    ship_col = T + np.arange(L * S, dtype=np.int64)
    extra = (np.zeros(0, dtype=np.int64) if extra_balance_keys is None
             else np.asarray(extra_balance_keys, dtype=np.int64))
    balance_key = np.concatenate([
        e.tech_region.astype(np.int64) * P + e.tech_product,  # outputs
        e.use_region.astype(np.int64) * P + e.use_product,  # product inputs, from their pool
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
    return Core(entries=(rows, cols, vals), shape=(n_balance + n_factor + len(capped), T + L * S),
                balance_keys=balance_keys, factor_keys=factor_keys, capped=capped,
                ship_link=ship_link, ship_product=ship_product)


def economy_layout(economy: Economy) -> Layout:
    """One undated year of ``economy``: its supplies, its targets (targets.csv's rows)."""
    e = economy
    core = build_core(e)
    keys = e.target_region.astype(np.int64) * len(e.products) + e.target_product
    targets = YearlyTargets(keys=keys, amount=e.target_amount[None, :],
                            row=core.balance_row(keys), weight=e.target_weight[None, :])
    return Layout(economy=e, horizon=ONE_YEAR, dated=False, core=core, targets=targets,
                  capital=Capital.none(), supply=e.supply[None, :, :])


# --- the LP's numbering ----------------------------------------------------------------------
@dataclass(frozen=True)
class Sizes:
    """Block sizes and where each block starts, for a layout and a mode."""

    Y: int
    T: int
    LS: int
    K: int
    Yv: int  # years with investment (stock ready within the horizon)
    n_lambda: int
    B: int
    nb: int
    nf: int
    nl: int
    col_start: dict[str, int] = field(default_factory=dict)
    row_start: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, layout: Layout, mode: Mode) -> Sizes:
        e, core, Y = layout.economy, layout.core, layout.horizon.count
        T = len(e.techniques)
        K = layout.capital.size
        Yv = max(Y - layout.horizon.lag, 0)
        Q = len(layout.targets.keys)
        n_lambda = {Levels.ONE: 1, Levels.YEARLY: Y, Levels.EACH: Y * Q,
                    Levels.NONE: 0}[mode.levels]
        concave = mode.concave is not None
        B = 0 if mode.priorities is None else len(mode.priorities.priorities)
        LS = core.shape[1] - T
        cols = {"activity": Y * T, "shipment": Y * LS, "fulfilment": n_lambda,
                "investment": Yv * K, "installed": Y * K, "priority": B,
                "harmony": n_lambda if concave else 0}
        rows = {"balance": Y * core.n_balance, "factor": Y * core.n_factor,
                "link": Y * core.n_link, "capital": Y * K, "stock": Y * K,
                "tangent": n_lambda * len(GRID) if concave else 0}
        return cls(Y, T, LS, K, Yv, n_lambda, B, core.n_balance, core.n_factor, core.n_link,
                   _starts(cols), _starts(rows))

    @property
    def shape(self) -> tuple[int, int]:
        return self.row_start["end"], self.col_start["end"]


def _starts(sizes: dict[str, int]) -> dict[str, int]:
    starts, at = {}, 0
    for name, size in sizes.items():
        starts[name] = at
        at += size
    starts["end"] = at
    return starts


# --- the steps ---------------------------------------------------------------------------------
def define_technology(layout: Layout, n: Sizes) -> Entries:
    """Every year's copy of the core (:func:`build_core`):

        balance[t, r, p]:  Σ_{j makes p in r} x[t, j] - Σ_{j draws p from r} a_jp x[t, j]
                           + Σ_{l into r} (1 - loss_l) s[t, l, p] - Σ_{l out of r} s[t, l, p]
                        (j draws p from its own region r, or from the input's origin r)
        factor[t, r, f]:   Σ_{j in r} need_jf x[t, j]
        link[t, l]:        Σ_p s[t, l, p]
    """
    rows, cols, vals = layout.core.entries
    if n.Y == 1:  # the one-year numbering is the core's own
        return rows, cols, vals
    nb, nf, T = n.nb, n.nf, n.T
    kind_start = np.array([n.row_start["balance"], n.row_start["factor"], n.row_start["link"]])
    kind_size = np.array([nb, nf, n.nl])
    kind_first = np.array([0, nb, nb + nf])
    kind = (rows >= nb).astype(np.int64) + (rows >= nb + nf)
    row_base = kind_start[kind] + rows - kind_first[kind]
    row_step = kind_size[kind]
    shipment = cols >= T
    col_base = np.where(shipment, n.col_start["shipment"] + cols - T, cols)
    col_step = np.where(shipment, n.LS, T)
    year = np.arange(n.Y, dtype=np.int64)[:, None]
    return ((row_base + year * row_step).ravel(), (col_base + year * col_step).ravel(),
            np.tile(vals, n.Y))


def define_levels(layout: Layout, n: Sizes, mode: Mode, scaled: np.ndarray) -> Entries:
    """The fulfilment columns: balance[t, r, p] gets -target[t, r, p] · λ (one λ, λ_t, or
    with :attr:`Levels.EACH` a share s[t, q] of its own for every target pair q and year), on
    the scaled target pairs."""
    if not n.n_lambda:
        return _no_entries()
    targets = layout.targets
    rows = (np.arange(n.Y)[:, None] * n.nb + targets.row[None, :])[:, scaled].ravel()
    vals = -targets.amount[:, scaled].ravel()
    Q = len(targets.keys)
    cols = {Levels.ONE: np.zeros_like(rows),
            Levels.YEARLY: np.repeat(np.arange(n.Y), int(scaled.sum())),
            Levels.EACH: (np.arange(n.Y)[:, None] * Q + np.arange(Q)[None, :])[:, scaled].ravel(),
            }[mode.levels]
    keep = vals != 0
    return rows[keep], n.col_start["fulfilment"] + cols[keep], vals[keep]


def define_investment(layout: Layout, n: Sizes) -> Entries:
    """Investment v[t, k] takes its good from the balance of the technique's region and is
    installed ℓ years later:

        balance[t, r_k, good_k]:  ... - v[t, k]
        stock[t + ℓ, k]:          ... - v[t, k]
    """
    if not n.Yv or not n.K:
        return _no_entries()
    e, capital, core = layout.economy, layout.capital, layout.core
    good_row = core.balance_row(e.tech_region[capital.technique].astype(np.int64)
                                * len(e.products) + capital.good)
    year = np.arange(n.Yv, dtype=np.int64)[:, None]
    column = (n.col_start["investment"] + year * n.K + np.arange(n.K)).ravel()
    balance = (year * n.nb + good_row[None, :]).ravel()
    stock = (n.row_start["stock"] + (year + layout.horizon.lag) * n.K + np.arange(n.K)).ravel()
    ones = np.ones(n.Yv * n.K)
    return (np.concatenate([balance, stock]), np.concatenate([column, column]),
            np.concatenate([-ones, -ones]))


def define_capital(layout: Layout, n: Sizes) -> Entries:
    """Installed stock limits activity, and wears out:

        capital[t, k]:  amount_k · x[t, technique_k] - K[t, k]        (<= 0)
        stock[t, k]:    K[t, k] - (1 - dep_k) · K[t - 1, k]            (= stock_k at t = 0)
    """
    if not n.K:
        return _no_entries()
    capital, K, Y = layout.capital, n.K, n.Y
    year = np.arange(Y, dtype=np.int64)[:, None]
    k = np.arange(K, dtype=np.int64)[None, :]
    capital_row = (n.row_start["capital"] + year * K + k).ravel()
    stock_row = (n.row_start["stock"] + year * K + k).ravel()
    installed = (n.col_start["installed"] + year * K + k).ravel()
    activity = (year * n.T + capital.technique[None, :]).ravel()
    worn = (n.row_start["stock"] + year[1:] * K + k).ravel()
    before = (n.col_start["installed"] + (year[1:] - 1) * K + k).ravel()
    return (np.concatenate([capital_row, capital_row, stock_row, worn]),
            np.concatenate([activity, installed, installed, before]),
            np.concatenate([np.tile(capital.amount, Y), -np.ones(Y * K), np.ones(Y * K),
                            -np.tile(1.0 - capital.depreciation, Y - 1)]))


def define_priorities(layout: Layout, n: Sizes, bundles: Bundles | None
                      ) -> tuple[Entries, np.ndarray]:
    """One column λ_q per priority over the horizon, in every year its bundle holds:

        balance[t, r, p]:  ... - amount_q[t, r, p] · λ_q

    Also returns (B,) whether each priority is undeliverable: it asks a positive amount of a
    (region, product) that has no balance row (nothing touches it), so λ_q is bounded by 0.
    """
    if bundles is None:
        return _no_entries(), np.zeros(0, dtype=bool)
    e = layout.economy
    P = len(e.products)
    yearly = yearly_bundles(bundles, layout.horizon, len(e.regions), P)
    spot, has_row = layout.core.has_balance(yearly.region.astype(np.int64) * P + yearly.product)
    rows = (np.arange(n.Y)[:, None] * n.nb + spot[None, :])[:, has_row].ravel()
    cols = np.broadcast_to(yearly.priority_of[has_row], (n.Y, int(has_row.sum()))).ravel()
    vals = -yearly.amount[:, has_row].ravel()
    keep = vals != 0
    undeliverable = np.zeros(n.B, dtype=bool)
    undeliverable[yearly.priority_of[~has_row & (yearly.amount > 0).any(axis=0)]] = True
    return (rows[keep], n.col_start["priority"] + cols[keep], vals[keep]), undeliverable


def define_bounds(layout: Layout, n: Sizes, scaled: np.ndarray, undeliverable: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row and column bounds:

        balance[t, r, p] >= target[t, r, p] where held in full (else >= 0)
        factor[t, r, f] <= supply[t, r, f];  link[t, l] <= capacity_l;  capital[t, k] <= 0
        stock[t, k] = stock_k at t = 0, else 0
        0 <= x[t, j] <= capacity_j; every other column >= 0 (λ_q <= 0 when undeliverable)
    """
    core, targets, Y, K = layout.core, layout.targets, n.Y, n.K
    balance_lower = np.zeros((Y, n.nb))
    held = ~scaled
    np.add.at(balance_lower, (slice(None), targets.row[held]), targets.amount[:, held])
    factor_upper = (layout.supply.reshape(Y, -1)[:, core.factor_keys] if n.nf
                    else np.zeros((Y, 0)))
    link_upper = np.tile(layout.economy.link_capacity[core.capped], Y)
    stock = np.zeros((Y, K))
    stock[0] = layout.capital.stock
    row_lower = np.concatenate([balance_lower.ravel(), np.full(Y * (n.nf + n.nl), -np.inf),
                                np.full(Y * K, -np.inf), stock.ravel()])
    row_upper = np.concatenate([np.full(Y * n.nb, np.inf), factor_upper.ravel(), link_upper,
                                np.zeros(Y * K), stock.ravel()])
    m, cols = n.shape
    col_upper = np.full(cols, np.inf)
    col_upper[:Y * n.T] = np.tile(layout.economy.tech_capacity, Y)
    col_upper[n.col_start["priority"]:n.col_start["harmony"]] = np.where(undeliverable, 0.0,
                                                                         np.inf)
    return row_lower, row_upper, np.zeros(cols), col_upper


def define_objective(layout: Layout, n: Sizes, objective: Objective | None
                     ) -> tuple[np.ndarray, int]:
    """The costs c (minimised) and the sense of the plan's objective (+1: c·x, -1: -c·x),
    from the objective's rule (:class:`~sovnarkhoz.scenario.objectives.Rule`):

        levels (max-fulfilment, max-total-fulfilment):  maximise Σ λ   (c = -1 on λ)
        activity value a_j (min-factor:NAME: -need_j,NAME):  c[t, j] = -a_j every year t
        none (feasibility, priorities):  c = 0; the caller sets costs
    """
    c = np.zeros(n.shape[1])
    if objective is None:
        return c, 1
    rule, e = objective.rule, layout.economy
    if objective.kind.maximises_levels:
        start = n.col_start["fulfilment"]
        c[start:start + n.n_lambda] = -1.0
    uses = FactorUse(n.T, e.need_tech, e.need_factor, e.need_amount, e.factors)
    c[:n.Y * n.T] = -np.tile(rule.activity_value(objective, uses), n.Y)
    return c, -1 if rule.maximise else 1


def define_harmony(layout: Layout, n: Sizes, mode: Mode
                   ) -> tuple[Tangents | None, tuple[sp.csr_matrix, np.ndarray] | None]:
    """A concave objective's value columns h[t, q] (free) under tangent planes of its
    function f at the shares of :data:`~sovnarkhoz.solvers.tangents.GRID`:

        tangent[k, t, q]:  h[t, q] - f'(g_k) s[t, q] <= f(g_k) - f'(g_k) g_k

    maximising Σ weight[t, q] h[t, q] (a target of amount 0 has weight 0 and no share).
    The solver adds tangents until the optimum is proven (:mod:`~sovnarkhoz.solvers.tangents`).
    Returns the terms and the first tangent rows (matrix, upper bounds), or (None, None).
    """
    if mode.concave is None:
        return None, None
    count = n.n_lambda
    weight = np.where(layout.targets.amount > 0, layout.targets.weights(), 0.0).ravel()
    tangents = Tangents(share=n.col_start["fulfilment"] + np.arange(count),
                        value=n.col_start["harmony"] + np.arange(count),
                        weight=weight, function=mode.concave)
    return tangents, tangents.initial(n.shape[1])


def define_blocks(layout: Layout, n: Sizes, mode: Mode
                  ) -> tuple[dict[str, Block], dict[str, Block], dict[str, pd.Index]]:
    """Row and column blocks with their labels (``year`` when dated), and the ids they
    index."""
    e, core, capital, Y = layout.economy, layout.core, layout.capital, n.Y
    P, F = len(e.products), max(len(e.factors), 1)
    T = n.T

    def yearly(count: int, **labels: np.ndarray) -> dict[str, np.ndarray]:
        """Labels of a block of ``count`` years, each the same (size,) labels."""
        out = {name: np.tile(index, count) for name, index in labels.items()}
        if layout.dated:
            size = len(next(iter(labels.values())))
            out["year"] = np.repeat(np.arange(count), size)
        return out

    capital_labels = yearly(Y, technique=capital.technique, product=capital.good)
    row_labels = {
        "balance": yearly(Y, region=core.balance_keys // P, product=core.balance_keys % P),
        "factor": yearly(Y, region=core.factor_keys // F, factor=core.factor_keys % F),
        "link": yearly(Y, link=core.capped),
        "capital": capital_labels,
        "stock": capital_labels,
        "tangent": {},
    }
    col_labels = {
        "activity": yearly(Y, technique=np.arange(T)),
        "shipment": yearly(Y, link=core.ship_link, product=core.ship_product),
        "fulfilment": (yearly(Y, region=layout.targets.keys // P,
                              product=layout.targets.keys % P)
                       if mode.levels is Levels.EACH
                       else {"year": np.arange(n.n_lambda)} if mode.levels is Levels.YEARLY
                       and layout.dated else {}),
        "investment": yearly(n.Yv, technique=capital.technique, product=capital.good),
        "installed": capital_labels,
        "priority": {"priority": np.arange(n.B)},
        "harmony": {},
    }
    rows = _blocks(row_labels, n.row_start)
    cols = _blocks(col_labels, n.col_start)
    if not n.n_lambda:
        del cols["fulfilment"]
    if mode.priorities is None:
        del cols["priority"]
    if mode.concave is None:
        del cols["harmony"]
        del rows["tangent"]
    ids = {"region": e.regions, "product": e.products, "factor": e.factors,
           "technique": e.techniques, "link": _link_ids(e)}
    if layout.dated:
        ids["year"] = pd.Index(layout.horizon.years.astype(str), name="year")
    if mode.priorities is not None:
        ids["priority"] = mode.priorities.priorities
    return rows, cols, ids


def _blocks(labels: dict[str, dict[str, np.ndarray]], starts: dict[str, int]
            ) -> dict[str, Block]:
    names = list(labels)
    return {name: Block(name, starts[name], starts[after], labels[name])
            for name, after in zip(names, [*names[1:], "end"], strict=True)}


def build(layout: Layout, objective: Objective | None, mode: Mode | None = None
          ) -> LinearProgram:
    """The LP of ``layout`` for ``objective`` (None: no costs, the caller sets them) in
    ``mode`` (default: the objective's own, :meth:`Mode.of`)."""
    if objective is not None and not objective.rule.by_lp:
        raise ValueError(f"{objective.kind} is solved as a linear system; see "
                         "formulation.leontief")
    mode = mode or Mode.of(objective)
    scaled = mode.scaled
    if scaled is None:
        scaled = np.full(len(layout.targets.keys), mode.levels is not Levels.NONE)
    mode = Mode(mode.levels, scaled, mode.priorities, mode.concave)
    n = Sizes.of(layout, mode)
    priorities, undeliverable = define_priorities(layout, n, mode.priorities)
    parts = [define_technology(layout, n), define_levels(layout, n, mode, scaled),
             define_investment(layout, n), define_capital(layout, n), priorities]
    tangents, first = define_harmony(layout, n, mode)
    rows, cols, vals = (np.concatenate(column) for column in zip(*parts, strict=True))
    A = sp.csr_matrix((vals, (rows, cols)), shape=(n.row_start["tangent"], n.shape[1]))
    A.sum_duplicates()
    row_lower, row_upper, col_lower, col_upper = define_bounds(layout, n, scaled, undeliverable)
    c, sense = define_objective(layout, n, objective)
    if tangents is not None:
        A = sp.vstack([A, first[0]], format="csr")
        row_lower = np.concatenate([row_lower, np.full(len(first[1]), -np.inf)])
        row_upper = np.concatenate([row_upper, first[1]])
        col_lower[tangents.value] = -np.inf
        col_upper[tangents.share[tangents.weight == 0]] = 0.0  # no target: no share
        c[tangents.value] = -tangents.weight
    row_blocks, col_blocks, ids = define_blocks(layout, n, mode)
    data = LPData(c=c, A=A, row_lower=row_lower, row_upper=row_upper, col_lower=col_lower,
                  col_upper=col_upper)
    return LinearProgram(data=data, objective=objective, row_blocks=row_blocks,
                         col_blocks=col_blocks, ids=ids, sense=sense, layout=layout, mode=mode,
                         tangents=tangents)


def build_lp(economy: Economy, objective: Objective) -> LinearProgram:
    """The one-year LP of ``economy`` for ``objective`` (max-fulfilment or min-factor)."""
    if objective.rule.years is Years.HORIZON:
        raise ValueError(f"{objective.kind} plans a horizon; see formulation.years")
    return build(economy_layout(economy), objective)


def _no_entries() -> Entries:
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, np.zeros(0)


def _link_ids(e: Economy) -> pd.Index:
    origin = e.regions.to_numpy()[e.link_origin].astype(str)
    destination = e.regions.to_numpy()[e.link_destination].astype(str)
    return pd.Index(np.char.add(np.char.add(origin, "->"), destination), name="link")
