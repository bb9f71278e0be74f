"""Prove a plan optimal from its own prices and the scenario's tables, independently of the
solver: dual feasibility of the prices and the duality gap.

Every objective is read as *maximise Φ* (Φ = λ, the sum of the yearly λ_t, Σ weight_q λ_q of
priorities, or minus the use of factor NAME), and every price as the improvement of Φ per
extra unit: p ≥ 0 for a product in a region (and year), w ≥ 0 for a factor's supply, ρ ≥ 0
for a unit of installed capital. From those prices alone:

- every technique's profit  c_j + p(out) − Σ a·p(inputs) − Σ n·w(factors) − Σ k·ρ(capital)
  (an input priced in the region it is drawn from: its origin, or the technique's region)
  must be ≤ 0, unless its capacity is finite: then the capacity earns the rent
  u_j = max(profit, 0);
- every shipment's profit  (1 − loss)·p(destination) − p(origin)  must be ≤ 0, unless the
  link's capacity is finite: then the link earns v = the largest of them (if positive);
- installed capital is worth μ_t = ρ_t + (1 − depreciation)·μ_(t+1) (μ after the horizon
  is 0), and setting a good aside in year t must not pay: μ_(t+lag) − p(good, t) ≤ 0;
- a level λ must not pay: 1 − Σ p·target ≤ 0 (for one λ over all years, the sum over
  years; for λ_t each year, year by year; for priority q, weight_q − Σ p·bundle_q ≤ 0).

Those are the dual constraints of the planning LP with the rents chosen as small as the
prices allow, so the Lagrangian bound

    D = Σ w·supply + Σ u·capacity + Σ v·link capacity + Σ μ_first·stock − Σ p·(targets held
        in full)

is a true upper bound on Φ over all plans whenever the prices pass, and D − Φ is the plan's
distance from the optimum at most.

Violations are relative to the price level of their kind: a profit divided by the largest
sum of the magnitudes of the terms in any column of its kind (techniques, shipments,
investments; a level's own terms for λ), a negative price divided by the largest price of any
product, factor or capital good (a kind whose prices are all but zero, say a factor that
binds nowhere, has no level of its own). Dividing each profit by its own terms instead would
count as a violation the rounding noise on prices that are all but zero (a price of 4e-10
beside one of 0, where the largest is 0.05); dividing by the objective's coefficients (1 for
λ) would miss prices off by 1e-7 in an economy whose prices are of order 1e-4. The gap is
|D − Φ| / (1 + |Φ| + |D|), the relative gap as pdlp and the councils measure it, so that
one tolerance means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..arrowtext import positions
from ..scenario.horizon import Horizon, yearly_amounts
from ..scenario.objectives import FactorUse, Levels, Objective


@dataclass
class Optimality:
    """What the prices prove.

    dual_violation : largest relative violation of a dual constraint (0 when the prices are
        dual feasible); inf when the plan has no prices.
    gap : |bound − objective| / (1 + |objective| + |bound|); a true relative distance from the
        optimum when ``dual_violation`` is within tolerance.
    dual_bound : D, in the objective's own units: no plan does better (for min-factor, the
        least use of the factor any plan can reach, a lower bound; else an upper bound).
    objective : Φ of the plan recomputed from its tables, in the objective's own units.
    worst : the dual constraint with the largest relative violation.
    """

    dual_violation: float
    gap: float
    dual_bound: float
    objective: float
    worst: str = ""


class _Worst:
    """The largest relative violation seen so far and what it is."""

    def __init__(self) -> None:
        self.value, self.where = 0.0, ""

    def record(self, kind: str, relative: np.ndarray, name_of) -> None:
        relative = np.nan_to_num(np.asarray(relative, dtype=np.float64).ravel(), nan=np.inf)
        if relative.size == 0:
            return
        i = int(np.argmax(relative))
        if relative[i] > self.value:
            self.value, self.where = float(relative[i]), f"{kind} {name_of(i)}"


def _relative(profit: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Positive profit relative to the largest scale of its kind (the economy's price level
    for that kind of column; see the module docstring)."""
    level = float(np.max(scale, initial=0.0))
    if level <= 0:
        return np.zeros(np.shape(profit))
    return np.maximum(profit, 0.0) / level


def _negative(values: np.ndarray, level: float) -> np.ndarray:
    """How far below 0 each price lies, relative to the economy's price ``level``."""
    return np.maximum(-values, 0.0) / level if level > 0 else np.zeros(values.shape)


def _dense(frame: pd.DataFrame, column: str, keys: np.ndarray, universe: int,
           year: np.ndarray, Y: int) -> np.ndarray:
    """(Y, universe) values of ``column`` at (year code, key); 0 where no row."""
    out = np.zeros((Y, universe))
    ok = (keys >= 0) & (year >= 0) & (year < Y)
    out[year[ok], keys[ok]] = frame[column].to_numpy(dtype=np.float64)[ok]
    return out


def check_optimality(
    tables: Mapping[str, pd.DataFrame],
    plan: Mapping[str, pd.DataFrame],
    objective: Objective,
    levels: np.ndarray | None = None,
    horizon: Horizon | None = None,
    priority_weights: Mapping[str, float] | None = None,
    priority_levels: Mapping[str, float] | None = None,
    delivered: tuple[np.ndarray, np.ndarray] | None = None,
) -> Optimality:
    """Dual feasibility and duality gap of a plan, from the scenario's ``tables`` and the
    plan's tables (``activities``, ``prices``, ``factors``, and over a horizon ``stocks``).

    objective : the plan's objective (max-fulfilment, max-total-fulfilment, min-factor:NAME;
        with ``priority_weights``, the priorities' weighted sum with every target in full).
    levels : the λ the plan claims: (1,) for max-fulfilment, (Y,) for max-total-fulfilment.
    horizon : the years planned (None: a one-year scenario, tables without ``year``).
    delivered : for a concave objective (harmony), the (pairs,) target keys region·P + product
        and the (Y, pairs) quantities the plan leaves for final use there, as the verification
        recomputed them (:attr:`Verification.delivered`).
    """
    worst = _Worst()
    Y = 1 if horizon is None else horizon.count
    first = 0 if horizon is None else horizon.first
    year_names = [""] if horizon is None else [f" {y}" for y in horizon.years]

    def year_of(frame: pd.DataFrame) -> np.ndarray:
        if horizon is None or "year" not in frame.columns:
            return np.zeros(len(frame), dtype=np.int64)
        return frame["year"].to_numpy(dtype=np.int64) - first

    region_ids = tables["regions"]["region"]
    product_ids = tables["products"]["product"]
    factor_ids = tables["factors"]["factor"]
    R, P, F = len(region_ids), len(product_ids), len(factor_ids)
    techniques = tables["techniques"]
    names = techniques["technique"]
    T = len(techniques)
    tech_region = positions(techniques["region"], region_ids)
    tech_product = positions(techniques["product"], product_ids)

    prices = plan["prices"]
    p = _dense(prices, "price", positions(prices["region"], region_ids) * P
               + positions(prices["product"], product_ids), R * P, year_of(prices), Y)
    factors = plan["factors"]
    w = _dense(factors, "price", positions(factors["region"], region_ids) * max(F, 1)
               + positions(factors["factor"], factor_ids), R * max(F, 1), year_of(factors), Y)
    if not (np.isfinite(p).all() and np.isfinite(w).all()):
        return Optimality(np.inf, np.inf, np.nan, np.nan, "the plan has no prices")
    level = max(float(np.abs(p).max(initial=0.0)), float(np.abs(w).max(initial=0.0)))
    worst.record("price >= 0", _negative(p, level), lambda i: _cell(i, R * P, P, region_ids,
                                                              product_ids, year_names))
    worst.record("factor price >= 0", _negative(w, level), lambda i: _cell(
        i, R * max(F, 1), max(F, 1), region_ids, factor_ids, year_names))

    # ---- techniques: (Y, T) profit and its scale --------------------------------------
    inputs = tables["inputs"]
    user = positions(inputs["technique"], names)
    amount = inputs["amount"].to_numpy(dtype=np.float64)
    as_product = positions(inputs["input"], product_ids)
    as_factor = positions(inputs["input"], factor_ids)
    is_p, is_f = as_product >= 0, as_factor >= 0
    pool = tech_region[user]  # the region a product input is drawn from: its origin, if given
    if "origin" in inputs.columns:
        origin = positions(inputs["origin"], region_ids)
        pool = np.where(origin >= 0, origin, pool)
    takes = sp.csr_matrix((amount[is_p], (pool[is_p] * P + as_product[is_p], user[is_p])),
                          shape=(R * P, T))
    needs = sp.csr_matrix((amount[is_f], (tech_region[user[is_f]] * max(F, 1) + as_factor[is_f],
                                          user[is_f])), shape=(R * max(F, 1), T))
    rule = objective.rule
    cost = rule.activity_value(objective, FactorUse(T, user[is_f], as_factor[is_f],
                                                    amount[is_f], pd.Index(factor_ids)))
    made = p[:, tech_region * P + tech_product]
    profit = cost[None, :] + made - (takes.T @ p.T).T - (needs.T @ w.T).T
    scale = np.abs(cost)[None, :] + np.abs(made) + (abs(takes).T @ np.abs(p).T).T + (
        needs.T @ np.abs(w).T).T

    capital = tables.get("capital") if horizon is not None else None
    K = 0 if capital is None else len(capital)
    rho = np.zeros((Y, K))
    if K:
        stocks = plan["stocks"]
        k_tech = positions(capital["technique"], names)
        k_good = positions(capital["good"], product_ids)
        entry = pd.Index(k_tech * P + k_good)
        s_entry = entry.get_indexer(positions(stocks["technique"], names) * P
                                    + positions(stocks["good"], product_ids))
        rho = _dense(stocks, "price", s_entry, K, year_of(stocks), Y)
        level = max(level, float(np.abs(rho).max(initial=0.0)))
        worst.record("capital price >= 0", _negative(rho, level), lambda i: (
            f"{capital['technique'].iat[i % K]}/{capital['good'].iat[i % K]}"
            f"{year_names[i // K]}"))
        uses = sp.csr_matrix((capital["amount"].to_numpy(dtype=np.float64),
                              (np.arange(K), k_tech)), shape=(K, T))
        profit = profit - (uses.T @ rho.T).T
        scale = scale + (uses.T @ np.abs(rho).T).T

    capacity = (techniques["capacity"].to_numpy(dtype=np.float64)
                if "capacity" in techniques.columns else np.full(T, np.nan))
    capped = np.isfinite(capacity)
    rent = np.where(capped[None, :], np.maximum(profit, 0.0), 0.0)
    worst.record("technique pays", np.where(capped[None, :], 0.0, _relative(profit, scale)),
                 lambda i: f"{names.iat[i % T]}{year_names[i // T]}")
    bound = float(np.sum(rent * np.where(capped, capacity, 0.0)[None, :]))

    bound += _links(tables, p, P, region_ids, product_ids, year_names, worst)
    bound += _factor_value(tables, w, horizon, R, F, region_ids, factor_ids)
    if K:
        bound += _capital_value(capital, rho, p, tech_region, k_tech, k_good, P, horizon,
                                worst)

    # ---- levels and targets ----------------------------------------------------------
    targets = tables["targets"]
    t_key = positions(targets["region"], region_ids) * P + positions(targets["product"],
                                                                      product_ids)
    if horizon is None:
        wanted = np.zeros((1, R * P))
        np.add.at(wanted[0], t_key, targets["amount"].to_numpy(dtype=np.float64))
    else:
        wanted = yearly_amounts(targets, t_key, R * P, horizon)
    value = np.sum(p * wanted, axis=1)  # (Y,) the targets' value at the prices
    size = np.sum(np.abs(p) * wanted, axis=1)
    activities = plan["activities"]
    where = positions(activities["technique"], names)
    phi = float(np.sum(cost[where[where >= 0]]
                       * activities["level"].to_numpy(dtype=np.float64)[where >= 0]))
    if priority_weights is not None:
        bound -= float(value.sum())
        phi += _priority_bound(tables, p, priority_weights, priority_levels or {}, region_ids,
                               product_ids, horizon, worst)
    elif rule.levels is Levels.YEARLY:  # λ_t a year: 1 - Σ p·target_t <= 0 year by year
        worst.record("level pays", _relative(1.0 - value, 1.0 + size),
                     lambda i: f"λ{year_names[i]}")
        phi += float(np.sum(levels))
    elif rule.levels is Levels.ONE:  # one λ for every year
        worst.record("level pays", _relative(np.array([1.0 - value.sum()]),
                                             np.array([1.0 + size.sum()])), lambda i: "λ")
        phi += float(np.asarray(levels).ravel()[0]) if levels is not None else np.nan
    elif rule.concave is not None:  # each target's share chosen: Σ w·H(share)
        if delivered is None:
            return Optimality(np.inf, np.inf, np.nan, np.nan, "no deliveries to measure")
        conjugate, phi_targets = _concave_terms(rule.concave, targets, p, delivered, horizon,
                                                worst, region_ids, product_ids, year_names)
        bound += conjugate
        phi += phi_targets
    else:  # every target held in full
        bound -= float(value.sum())
    if not np.isfinite(bound):
        return Optimality(worst.value, np.inf, bound, phi, worst.where)
    gap = (bound - phi) / (1.0 + abs(phi) + abs(bound))
    if not rule.maximise and priority_weights is None:
        # report in the objective's own units: a use, bounded below by -D
        return Optimality(worst.value, abs(gap), -bound, -phi, worst.where)
    return Optimality(worst.value, abs(gap), bound, phi, worst.where)


def _concave_terms(function, targets: pd.DataFrame, p: np.ndarray,
                   delivered: tuple[np.ndarray, np.ndarray], horizon: Horizon | None,
                   worst: _Worst, region_ids: pd.Series, product_ids: pd.Series,
                   year_names: list[str]) -> tuple[float, float]:
    """A concave objective Σ w·f(delivered / amount) over targets and years: the bound's
    term Σ w·sup_(s>=0) [f(s) - r·s] at r = price·amount/weight (finite only where the
    price of every weighted target is positive: a free good would be worth wanting without
    limit), and Φ's. Returns (bound term, Φ)."""
    keys, quantity = delivered
    P = len(product_ids)
    pair = (positions(targets["region"], region_ids) * P
            + positions(targets["product"], product_ids))
    where = np.searchsorted(keys, pair)
    weight = (targets["weight"].fillna(1.0).to_numpy(dtype=np.float64)
              if "weight" in targets.columns else np.ones(len(targets)))
    one_year = Horizon(0, 0) if horizon is None else horizon
    amount = yearly_amounts(targets, where, len(keys), one_year)  # (Y, pairs)
    w = yearly_amounts(targets.assign(amount=weight), where, len(keys), one_year)
    w = np.where(amount > 0, w, 0.0)
    price = p[:, keys]
    counted = w > 0
    ratio = np.where(counted, price * amount / np.where(counted, w, 1.0), 1.0)
    unpriced = counted & (ratio <= 0)
    worst.record("wanted target priced > 0", unpriced.astype(float).ravel(), lambda i: (
        f"{region_ids.iat[keys[i % len(keys)] // P]}/{product_ids.iat[keys[i % len(keys)] % P]}"
        f"{year_names[i // len(keys)]}"))
    if unpriced.any():
        return np.inf, np.nan
    share = np.where(counted, quantity / np.where(amount > 0, amount, 1.0), 1.0)
    bound = float(np.sum(np.where(counted, w * function.best_against(ratio), 0.0)))
    phi = float(np.sum(np.where(counted, w * function.value(np.maximum(share, 0.0)), 0.0)))
    return bound, phi


def _cell(i: int, universe: int, width: int, regions: pd.Series, things: pd.Series,
          year_names: list[str]) -> str:
    year, rest = divmod(i, universe)
    return f"{regions.iat[rest // width]}/{things.iat[rest % width]}{year_names[year]}"


def _links(tables: Mapping[str, pd.DataFrame], p: np.ndarray, P: int, region_ids: pd.Series,
           product_ids: pd.Series, year_names: list[str], worst: _Worst) -> float:
    """Shipments must not pay on links without a capacity; a capped link earns the best
    shipment's profit. Returns the capped links' value Σ v·capacity."""
    links = tables["links"]
    products = tables["products"]
    if not len(links):
        return 0.0
    tradable = (products["tradable"].to_numpy(dtype=bool) if "tradable" in products.columns
                else np.ones(P, dtype=bool))
    goods = np.flatnonzero(tradable)
    origin = positions(links["origin"], region_ids)
    destination = positions(links["destination"], region_ids)
    loss = (np.nan_to_num(links["loss"].to_numpy(dtype=np.float64))
            if "loss" in links.columns else np.zeros(len(links)))
    capacity = (links["capacity"].to_numpy(dtype=np.float64) if "capacity" in links.columns
                else np.full(len(links), np.nan))
    L, S = len(links), len(goods)
    at_origin = p[:, (origin[:, None] * P + goods[None, :])]  # (Y, L, S)
    at_destination = p[:, (destination[:, None] * P + goods[None, :])]
    kept = (1.0 - loss)[None, :, None]
    profit = kept * at_destination - at_origin
    scale = kept * np.abs(at_destination) + np.abs(at_origin)
    capped = np.isfinite(capacity)
    rent = np.where(capped[None, :], np.maximum(profit.max(axis=2, initial=0.0), 0.0), 0.0)
    relative = np.where(capped[None, :, None], 0.0, _relative(profit, scale))

    def name(i: int) -> str:
        year, rest = divmod(i, L * S)
        link, good = divmod(rest, S)
        return (f"{links['origin'].iat[link]}->{links['destination'].iat[link]}/"
                f"{product_ids.iat[goods[good]]}{year_names[year]}")

    worst.record("shipment pays", relative, name)
    return float(np.sum(rent * np.where(capped, capacity, 0.0)[None, :]))


def _factor_value(tables: Mapping[str, pd.DataFrame], w: np.ndarray, horizon: Horizon | None,
                  R: int, F: int, region_ids: pd.Series, factor_ids: pd.Series) -> float:
    """Σ w·supply over regions, factors and years (growth applied over a horizon)."""
    supplies = tables["supplies"]
    if not len(supplies) or not F:
        return 0.0
    keys = (positions(supplies["region"], region_ids) * F
            + positions(supplies["factor"], factor_ids))
    if horizon is None:
        supply = np.zeros((1, R * F))
        np.add.at(supply[0], keys, supplies["amount"].to_numpy(dtype=np.float64))
    else:
        growth = np.zeros(R * F)
        table = tables.get("growth")
        if table is not None and len(table):
            growth[positions(table["region"], region_ids) * F
                   + positions(table["factor"], factor_ids)] = table["rate"].to_numpy(float)
        supply = yearly_amounts(supplies, keys, R * F, horizon, growth)
    return float(np.sum(w * supply))


def _capital_value(capital: pd.DataFrame, rho: np.ndarray, p: np.ndarray,
                   tech_region: np.ndarray, k_tech: np.ndarray, k_good: np.ndarray, P: int,
                   horizon: Horizon, worst: _Worst) -> float:
    """Installed capital's worth μ (backwards from the horizon's end), the check that no
    investment pays, and the first year's stock's value Σ μ_first·stock."""
    Y, K = rho.shape
    dep = (np.nan_to_num(capital["depreciation"].to_numpy(dtype=np.float64))
           if "depreciation" in capital.columns else np.zeros(K))
    stock = (np.nan_to_num(capital["stock"].to_numpy(dtype=np.float64))
             if "stock" in capital.columns else np.zeros(K))
    worth = np.zeros((Y + 1, K))
    for t in range(Y - 1, -1, -1):  # a recursion over years (Y of them), vectorised over K
        worth[t] = rho[t] + (1.0 - dep) * worth[t + 1]
    lag = horizon.lag
    if Y > lag:
        ready = worth[lag:Y]  # (Y - lag, K): worth of what is set aside in year t
        given = p[:Y - lag][:, tech_region[k_tech] * P + k_good]
        profit = ready - given
        worst.record("investment pays", _relative(profit, np.abs(ready) + np.abs(given)),
                     lambda i: (f"{capital['technique'].iat[i % K]}/"
                                f"{capital['good'].iat[i % K]} {horizon.years[i // K]}"))
    return float(np.sum(worth[0] * stock))


def _priority_bound(tables: Mapping[str, pd.DataFrame], p: np.ndarray,
                    weights: Mapping[str, float], levels: Mapping[str, float],
                    region_ids: pd.Series, product_ids: pd.Series, horizon: Horizon | None,
                    worst: _Worst) -> float:
    """Check that no priority's level pays (weight_q − Σ p·bundle_q ≤ 0); return Φ =
    Σ weight_q λ_q of the claimed levels."""
    bundles = tables["priorities"]
    names = list(weights)
    P = len(product_ids)
    R = len(region_ids)
    where = positions(bundles["priority"], pd.Index(names))
    chosen = bundles[where >= 0]
    q = where[where >= 0]
    keys = (positions(chosen["region"], region_ids) * P
            + positions(chosen["product"], product_ids))
    entry = q.astype(np.int64) * R * P + keys
    entries, inverse = np.unique(entry, return_inverse=True)
    if horizon is None:
        amount = np.zeros((1, len(entries)))
        np.add.at(amount[0], inverse, chosen["amount"].to_numpy(dtype=np.float64))
    else:
        amount = yearly_amounts(chosen, inverse, len(entries), horizon)
    cells = entries % (R * P)
    owner = entries // (R * P)
    value = np.bincount(owner, weights=np.sum(p[:, cells] * amount, axis=0),
                        minlength=len(names))
    size = np.bincount(owner, weights=np.sum(np.abs(p[:, cells]) * amount, axis=0),
                       minlength=len(names))
    weight = np.array([float(weights[n]) for n in names])
    worst.record("priority pays", _relative(weight - value, np.abs(weight) + size),
                 names.__getitem__)
    return float(sum(float(weights[n]) * float(levels.get(n, 0.0)) for n in names))
