"""The multi-year planning LP: every year's rows and columns, capital stocks and investment.

Y years t = 0 .. Y-1 (calendar ``first + t``), K capital entries k = (technique, good) of
capital.csv, lag ℓ. Every year repeats the single-year core of ``build.build_core`` (the
same technology; supplies and targets differ by year), assembled with ``scipy.sparse.kron``
so that nothing loops over years.

Columns (in this order; each block year-major)
    activity     x[t, j] >= 0 (<= capacity_j)            Y·T
    shipment     s[t, l, p] >= 0                         Y·L·S
    fulfilment   λ (one for all years) or λ_t             1 or Y (max-* objectives only)
    investment   v[t, k] >= 0: units of good_k set aside  (Y-ℓ)·K (years whose stock is
                 in year t in technique_k's region        ready within the horizon)
    installed    K[t, k] >= 0: good_k installed for technique_k in year t   Y·K
Rows
    balance[t, r, p]   made - used + (1-loss) arrivals - departures - Σ_k v[t, k]
                       - λ_(t)·target[t, r, p] >= 0 (targets held in full: >= target)
    factor[t, r, f]    Σ_j need x[t, j] <= supply[t, r, f]   (grown by growth.csv)
    link[t, l]         Σ_p s[t, l, p] <= capacity_l
    capital[t, k]      amount_k · x[t, technique_k] - K[t, k] <= 0
    stock[t, k]        K[t, k] - (1 - dep_k) K[t-1, k] - v[t-ℓ, k] = stock_k if t = 0 else 0

So the stock installed in the first year is ``stock``; output of the good set aside in year t
(taken from that year's balance in the technique's region) is installed from year t + ℓ and
wears out at ``dep`` a year from then on. Goods are not stored from one year to the next
otherwise (no inventories).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..scenario.horizon import Horizon, yearly_amounts
from ..scenario.model import Scenario
from ..scenario.objectives import Objective
from ..solvers.problem import LPData
from .build import Core, _link_ids, build_core
from .program import Block, LinearProgram

ONE_YEAR = Horizon(0, 0, 1)
"""The horizon a single-year scenario is planned over when years are asked of it (explain)."""

FEASIBILITY = Objective("min-factor", "")
"""Marker objective of :func:`build_years` with ``objective=None``: targets in full, no cost."""


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


@dataclass(frozen=True)
class YearlyTargets:
    """Qd distinct (region, product) target pairs: ``keys`` region·P + product (sorted),
    ``amount`` (Y, Qd) each year's target, ``row`` (Qd,) their balance rows in the core."""

    keys: np.ndarray
    amount: np.ndarray
    row: np.ndarray


@dataclass
class YearsProgram:
    """The multi-year LP with what is needed to read it back.

    ``lp`` is labelled like a single-year LinearProgram (blocks: balance, factor, link,
    capital, stock rows; activity, shipment, fulfilment, investment, installed columns), each
    block year-major with a ``year`` label into ``lp.ids['year']``.
    ``scaled``: (Qd,) which target pairs are multiplied by λ; the others are held in full.
    ``lambdas``: 'one', 'yearly' or 'none'.
    """

    lp: LinearProgram
    core: Core
    horizon: Horizon
    targets: YearlyTargets
    capital: Capital
    supply: np.ndarray  # (Y, R, F)
    scaled: np.ndarray
    lambdas: str

    @property
    def years(self) -> np.ndarray:
        return self.horizon.years


def scenario_horizon(scenario: Scenario) -> Horizon:
    """The scenario's horizon, or a one-year horizon for a single-year scenario."""
    return scenario.horizon if scenario.horizon is not None else ONE_YEAR


def capital_of(scenario: Scenario) -> Capital:
    """capital.csv as index arrays (empty for a scenario without one)."""
    table = scenario.tables.get("capital")
    if table is None or not len(table):
        empty = np.zeros(0, dtype=np.int64)
        return Capital(empty, empty, np.zeros(0), np.zeros(0), np.zeros(0))
    codes = scenario.codes
    return Capital(
        technique=codes.reference("capital", "technique"),
        good=codes.reference("capital", "good"),
        amount=table["amount"].to_numpy(dtype=np.float64),
        stock=_or_zero(table, "stock"),
        depreciation=_or_zero(table, "depreciation"),
    )


def yearly_supply(scenario: Scenario, horizon: Horizon) -> np.ndarray:
    """(Y, R, F) factor supply of every region in every year (growth applied)."""
    e = scenario.economy
    R, F = len(e.regions), len(e.factors)
    supplies = scenario.tables["supplies"]
    if not len(supplies) or F == 0:
        return np.zeros((horizon.count, R, F))
    codes = scenario.codes
    keys = codes.reference("supplies", "region") * F + codes.reference("supplies", "factor")
    growth = np.zeros(R * F)
    table = scenario.tables.get("growth")
    if table is not None and len(table):
        growth[codes.reference("growth", "region") * F + codes.reference("growth", "factor")] = (
            table["rate"].to_numpy(dtype=np.float64))
    return yearly_amounts(supplies, keys, R * F, horizon, growth).reshape(horizon.count, R, F)


def yearly_targets(scenario: Scenario, horizon: Horizon, core: Core) -> YearlyTargets:
    """Each distinct target pair's amount in every year (see :class:`YearlyTargets`)."""
    e = scenario.economy
    P = len(e.products)
    key = e.target_region.astype(np.int64) * P + e.target_product
    pairs, inverse = np.unique(key, return_inverse=True)
    amount = yearly_amounts(scenario.tables["targets"], inverse, len(pairs), horizon)
    return YearlyTargets(keys=pairs, amount=amount, row=core.balance_row(pairs))


def build_years(scenario: Scenario, objective: Objective | None,
                horizon: Horizon | None = None, scaled: np.ndarray | None = None,
                lambdas: str | None = None) -> YearsProgram:
    """The multi-year LP of ``scenario`` over ``horizon`` (default: its own).

    objective : max-fulfilment (one λ over all years), max-total-fulfilment (λ_t, maximise
        Σ_t λ_t), min-factor:NAME (every target in full, least total use of NAME), or None:
        every target in full and no cost (a feasibility problem, for explanations).
    scaled, lambdas : override which target pairs λ multiplies ((Qd,) bool; others are held
        in full) and how many λ there are ('one', 'yearly', 'none'); costs then stay zero on
        the λ columns unless the objective sets them (used by ``earliest``).
    """
    horizon = horizon or scenario_horizon(scenario)
    e = scenario.economy
    P, T = len(e.products), len(e.techniques)
    Y, lag = horizon.count, horizon.lag
    capital = capital_of(scenario)
    K = capital.size
    cap_keys = e.tech_region[capital.technique].astype(np.int64) * P + capital.good
    core = build_core(e, extra_balance_keys=cap_keys)
    targets = yearly_targets(scenario, horizon, core)
    Qd = len(targets.keys)
    kind = objective.kind if objective is not None else "feasibility"
    if lambdas is None:
        lambdas = {"max-fulfilment": "one", "max-total-fulfilment": "yearly"}.get(kind, "none")
    if scaled is None:
        scaled = np.full(Qd, lambdas != "none")
    n_lambda = {"one": 1, "yearly": Y, "none": 0}[lambdas]

    nb, nf = core.n_balance, core.n_factor
    nl = core.A.shape[0] - nb - nf
    LS = core.A.shape[1] - T
    Yv = max(Y - lag, 0)
    eye = sp.identity(Y, format="csr")
    A0 = core.A.tocsr()
    row_parts = (slice(0, nb), slice(nb, nb + nf), slice(nb + nf, nb + nf + nl))
    col_parts = (slice(0, T), slice(T, T + LS))

    def yearly(rows: slice, cols: slice) -> sp.csr_matrix:
        return sp.kron(eye, A0[rows, cols], format="csr")

    # fulfilment columns: -target on the scaled targets' balance rows
    lam_rows = (np.arange(Y)[:, None] * nb + targets.row[None, :])[:, scaled].ravel()
    lam_vals = -targets.amount[:, scaled].ravel()
    lam_cols = (np.zeros_like(lam_rows) if lambdas == "one"
                else np.repeat(np.arange(Y), int(scaled.sum())))
    keep = lam_vals != 0
    lam_block = sp.csr_matrix((lam_vals[keep], (lam_rows[keep], lam_cols[keep])),
                              shape=(Y * nb, n_lambda)) if n_lambda else _zeros(Y * nb, 0)

    # investment takes the good from the balance of the technique's region
    take = sp.csr_matrix((-np.ones(K), (core.balance_row(cap_keys), np.arange(K))),
                         shape=(nb, K))
    invest_balance = (sp.kron(sp.eye(Y, Yv, format="csr"), take, format="csr") if Yv
                      else _zeros(Y * nb, 0))  # a horizon no longer than the lag: no building
    uses = sp.csr_matrix((capital.amount, (np.arange(K), capital.technique)), shape=(K, T))
    identity_k = sp.identity(K, format="csr")
    stock_installed = (sp.identity(Y * K, format="csr")
                       - sp.kron(sp.eye(Y, Y, k=-1), sp.diags(1.0 - capital.depreciation),
                                 format="csr"))
    stock_invest = (-sp.kron(sp.eye(Y, Yv, k=-lag), identity_k, format="csr") if Yv
                    else _zeros(Y * K, 0))

    n_x, n_s, n_v, n_k = Y * T, Y * LS, Yv * K, Y * K
    blocks = [
        [yearly(row_parts[0], col_parts[0]), yearly(row_parts[0], col_parts[1]), lam_block,
         invest_balance, _zeros(Y * nb, n_k)],
        [yearly(row_parts[1], col_parts[0]), _zeros(Y * nf, n_s), _zeros(Y * nf, n_lambda),
         _zeros(Y * nf, n_v), _zeros(Y * nf, n_k)],
        [_zeros(Y * nl, n_x), yearly(row_parts[2], col_parts[1]), _zeros(Y * nl, n_lambda),
         _zeros(Y * nl, n_v), _zeros(Y * nl, n_k)],
        [sp.kron(eye, uses, format="csr"), _zeros(n_k, n_s), _zeros(n_k, n_lambda),
         _zeros(n_k, n_v), -sp.identity(n_k, format="csr")],
        [_zeros(n_k, n_x), _zeros(n_k, n_s), _zeros(n_k, n_lambda), stock_invest,
         stock_installed],
    ]
    A = sp.bmat(blocks, format="csr")
    A.sum_duplicates()

    balance_lower = np.zeros((Y, nb))
    held = ~scaled
    np.add.at(balance_lower, (slice(None), targets.row[held]), targets.amount[:, held])
    supply = yearly_supply(scenario, horizon)
    factor_upper = supply.reshape(Y, -1)[:, core.factor_keys] if nf else np.zeros((Y, 0))
    stock_rhs = np.zeros((Y, K))
    stock_rhs[0] = capital.stock
    row_lower = np.concatenate([balance_lower.ravel(), np.full(Y * (nf + nl), -np.inf),
                                np.full(n_k, -np.inf), stock_rhs.ravel()])
    row_upper = np.concatenate([np.full(Y * nb, np.inf), factor_upper.ravel(),
                                np.tile(core.row_upper[nb + nf:], Y), np.zeros(n_k),
                                stock_rhs.ravel()])
    n = n_x + n_s + n_lambda + n_v + n_k
    col_lower = np.zeros(n)
    col_upper = np.concatenate([np.tile(core.col_upper[:T], Y), np.full(n - n_x, np.inf)])

    c = np.zeros(n)
    sense = 1
    lam0 = n_x + n_s
    if kind in ("max-fulfilment", "max-total-fulfilment"):
        c[lam0:lam0 + n_lambda] = -1.0
        sense = -1
    elif kind == "min-factor":
        factor = e.factors.get_loc(objective.factor)
        chosen = e.need_factor == factor
        per_unit = np.bincount(e.need_tech[chosen], weights=e.need_amount[chosen], minlength=T)
        c[:n_x] = np.tile(per_unit, Y)

    core_rows, core_cols = core.blocks(e)
    row_blocks: dict[str, Block] = {}
    start = 0
    for name, size in (("balance", nb), ("factor", nf), ("link", nl)):
        labels = {label: np.tile(index, Y) for label, index in core_rows[name].labels.items()}
        labels["year"] = np.repeat(np.arange(Y), size)
        row_blocks[name] = Block(name, start, start + Y * size, labels)
        start += Y * size
    capital_labels = {"technique": np.tile(capital.technique, Y),
                      "product": np.tile(capital.good, Y), "year": np.repeat(np.arange(Y), K)}
    row_blocks["capital"] = Block("capital", start, start + n_k, capital_labels)
    row_blocks["stock"] = Block("stock", start + n_k, start + 2 * n_k, capital_labels)
    col_blocks: dict[str, Block] = {}
    start = 0
    for name, size in (("activity", T), ("shipment", LS)):
        labels = {label: np.tile(index, Y) for label, index in core_cols[name].labels.items()}
        labels["year"] = np.repeat(np.arange(Y), size)
        col_blocks[name] = Block(name, start, start + Y * size, labels)
        start += Y * size
    if n_lambda:
        col_blocks["fulfilment"] = Block("fulfilment", start, start + n_lambda,
                                         {"year": np.arange(n_lambda)} if n_lambda == Y and
                                         lambdas == "yearly" else {})
    start += n_lambda
    col_blocks["investment"] = Block("investment", start, start + n_v, {
        "technique": np.tile(capital.technique, Yv), "product": np.tile(capital.good, Yv),
        "year": np.repeat(np.arange(Yv), K)})
    col_blocks["installed"] = Block("installed", start + n_v, start + n_v + n_k, capital_labels)
    ids = {"region": e.regions, "product": e.products, "factor": e.factors,
           "technique": e.techniques, "link": _link_ids(e),
           "year": pd.Index(horizon.years.astype(str), name="year")}
    data = LPData(c=c, A=A, row_lower=row_lower, row_upper=row_upper, col_lower=col_lower,
                  col_upper=col_upper)
    lp = LinearProgram(data=data, objective=objective or FEASIBILITY, row_blocks=row_blocks,
                       col_blocks=col_blocks, ids=ids, sense=sense)
    return YearsProgram(lp=lp, core=core, horizon=horizon, targets=targets, capital=capital,
                        supply=supply, scaled=scaled, lambdas=lambdas)


def _zeros(rows: int, cols: int) -> sp.csr_matrix:
    return sp.csr_matrix((rows, cols))


def _or_zero(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    return np.nan_to_num(frame[column].to_numpy(dtype=np.float64), nan=0.0)
