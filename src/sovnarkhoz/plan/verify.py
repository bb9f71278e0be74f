"""Check a plan against the scenario's own tables, independently of the solver.

Nothing here reads the LP matrix, the solver or the formulation: every balance, supply,
capacity and link constraint is recomputed from ``scenario.tables`` and the plan's tables
(``activities`` and ``deliveries``) with pandas joins and group sums. A plan's claim about
λ (the share of every target met) is checked by requiring λ x amount in each balance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..arrowtext import positions
from ..scenario.horizon import Horizon, yearly_amounts
from .optimality import Optimality

RELATIVE_TOLERANCE = 1e-6
"""A plan passes when no constraint is violated by more than this, relative to its scale
(1 plus the sum of magnitudes of the terms in it)."""


@dataclass
class Verification:
    """Largest violations, by kind of constraint, of a plan recomputed from the tables.

    ``max_violation`` is absolute, in the constraint's own units; ``max_relative_violation``
    divides each violation by the constraint's scale. ``worst`` names the constraint.
    """

    max_violation: float = 0.0
    max_relative_violation: float = 0.0
    worst: str = ""
    by_kind: dict[str, float] = field(default_factory=dict)
    tolerance: float = RELATIVE_TOLERANCE
    optimality: Optimality | None = None

    @property
    def passed(self) -> bool:
        """The plan is feasible: no constraint violated by more than the tolerance."""
        return bool(self.max_relative_violation <= self.tolerance)

    @property
    def proven_optimal(self) -> bool:
        """Feasible, and its prices prove it optimal: dual feasible and a duality gap within
        the tolerance (see :mod:`~sovnarkhoz.plan.optimality`)."""
        o = self.optimality
        return bool(self.passed and o is not None and o.dual_violation <= self.tolerance
                    and o.gap <= self.tolerance)

    def as_dict(self) -> dict[str, object]:
        o = self.optimality
        return {"passed": self.passed, "max_violation": self.max_violation,
                "max_relative_violation": self.max_relative_violation, "worst": self.worst,
                "by_kind": self.by_kind, "tolerance": self.tolerance,
                "optimal": self.proven_optimal,
                "dual_violation": None if o is None else o.dual_violation,
                "gap": None if o is None else o.gap,
                "dual_bound": None if o is None else o.dual_bound,
                "dual_worst": None if o is None else o.worst}

    def _record(self, kind: str, violation: np.ndarray, scale: np.ndarray,
                name_of: Callable[[int], str]) -> None:
        """Fold one kind of constraint in; ``name_of(i)`` names constraint i (asked once)."""
        violation = np.nan_to_num(np.asarray(violation, dtype=np.float64), nan=np.inf)
        if violation.size == 0:
            self.by_kind.setdefault(kind, 0.0)
            return
        relative = violation / (1.0 + np.abs(np.asarray(scale, dtype=np.float64)))
        worst = int(np.argmax(relative))
        largest = float(max(violation.max(), 0.0))
        self.by_kind[kind] = max(self.by_kind.get(kind, 0.0), largest)
        self.max_violation = max(self.max_violation, largest)
        if relative[worst] > self.max_relative_violation:
            self.max_relative_violation = float(relative[worst])
            self.worst = f"{kind} {name_of(worst)} (by {violation[worst]:.3g})"


def _group_sums(keys: np.ndarray, universe: int, *weights: np.ndarray
                ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Distinct keys (sorted) and the sum of each weight array over each key."""
    if universe <= 8 * len(keys) + 1_000_000:
        sums = [np.bincount(keys, weights=w, minlength=universe) for w in weights]
        present = np.bincount(keys, minlength=universe) > 0
        distinct = np.flatnonzero(present)
        return distinct, [total[distinct] for total in sums]
    distinct, inverse = np.unique(keys, return_inverse=True)
    return distinct, [np.bincount(inverse, weights=w, minlength=len(distinct)) for w in weights]


def verify(
    tables: dict[str, pd.DataFrame],
    activities: pd.DataFrame,
    deliveries: pd.DataFrame,
    fulfilment: float,
    tolerance: float = RELATIVE_TOLERANCE,
    priority_levels: Mapping[str, float] | None = None,
    exact: bool = False,
) -> Verification:
    """Recompute every scenario constraint for a plan.

    tables : the scenario's tables (``Scenario.tables``).
    activities : technique, level (one row per technique; a missing technique counts as 0).
    deliveries : origin, destination, product, sent (missing rows count as nothing sent).
    fulfilment : the λ the plan claims: every target must be met at λ x amount.
    priority_levels : the level λ_q the plan claims for priorities of priorities.csv; each
        bundle row must then be delivered at λ_q x amount on top of the targets (a priority
        not named is not delivered).
    exact : every balance must hold with equality (Leontief's (I - A) x = y: nothing made
        beyond what is used and delivered), recorded as ``balance surplus``.
    """
    result = Verification(tolerance=tolerance)
    bundle_keys, bundle_take = _bundles(tables, priority_levels or {}, result)
    region_ids = tables["regions"]["region"]
    product_ids = tables["products"]["product"]
    factor_ids = tables["factors"]["factor"]
    R, P, F = len(region_ids), len(product_ids), len(factor_ids)
    techniques = tables["techniques"]
    names = techniques["technique"]
    given = activities.drop_duplicates("technique")
    where = positions(given["technique"], names)
    level = np.zeros(len(techniques))
    level[where[where >= 0]] = given["level"].to_numpy(dtype=np.float64)[where >= 0]
    result._record("activity >= 0", np.maximum(-level, 0.0), np.abs(level), names.iat.__getitem__)
    if "capacity" in techniques.columns:
        capacity = techniques["capacity"].to_numpy(dtype=np.float64)
        over = np.where(np.isnan(capacity), 0.0, level - np.nan_to_num(capacity, nan=0.0))
        result._record("capacity", np.maximum(over, 0.0), np.nan_to_num(capacity),
                       names.iat.__getitem__)

    flows = _checked_deliveries(tables, deliveries, result)

    # balance of every region and product: made - used + received - sent >= lambda * target
    tech_region = positions(techniques["region"], region_ids)
    inputs = tables["inputs"]
    user = positions(inputs["technique"], names)
    input_region = tech_region[user]
    input_use = inputs["amount"].to_numpy(dtype=np.float64) * level[user]
    as_product = positions(inputs["input"], product_ids)
    as_factor = positions(inputs["input"], factor_ids)
    is_product, is_factor = as_product >= 0, as_factor >= 0
    targets = tables["targets"]
    keys = np.concatenate([
        tech_region * P + positions(techniques["product"], product_ids),
        input_region[is_product] * P + as_product[is_product],
        flows["destination_code"] * P + flows["product_code"],
        flows["origin_code"] * P + flows["sent_code"],
        positions(targets["region"], region_ids) * P + positions(targets["product"], product_ids),
        bundle_keys,
    ])
    amounts = np.concatenate([level, -input_use[is_product], flows["arrives"], -flows["sent"],
                              -fulfilment * targets["amount"].to_numpy(dtype=np.float64),
                              -bundle_take])
    pairs, (net, size) = _group_sums(keys, R * P, amounts, np.abs(amounts))
    result._record("balance", np.maximum(-net, 0.0), size,
                   lambda i: f"{region_ids.iat[pairs[i] // P]}/{product_ids.iat[pairs[i] % P]}")
    if exact:
        result._record("balance surplus", np.maximum(net, 0.0), size,
                       lambda i: f"{region_ids.iat[pairs[i] // P]}/{product_ids.iat[pairs[i] % P]}")

    # factor supplies
    supply = np.zeros(R * F)
    supplies = tables["supplies"]
    if len(supplies):
        np.add.at(supply, positions(supplies["region"], region_ids) * F
                  + positions(supplies["factor"], factor_ids),
                  supplies["amount"].to_numpy(dtype=np.float64))
    cells, (used,) = _group_sums(input_region[is_factor] * F + as_factor[is_factor], R * F,
                                 input_use[is_factor])
    result._record("factor supply", np.maximum(used - supply[cells], 0.0), used,
                   lambda i: f"{region_ids.iat[cells[i] // F]}/{factor_ids.iat[cells[i] % F]}")

    # link capacities
    links = tables["links"]
    if len(links) and "capacity" in links.columns:
        load = np.bincount(flows["link"], weights=flows["link_sent"], minlength=len(links))
        capacity = links["capacity"].to_numpy(dtype=np.float64)
        over = np.where(np.isnan(capacity), 0.0, load - np.nan_to_num(capacity))
        result._record("link capacity", np.maximum(over, 0.0), load,
                       lambda i: f"{links['origin'].iat[i]}->{links['destination'].iat[i]}")
    return result


def _bundles(tables: dict[str, pd.DataFrame], levels: Mapping[str, float],
             result: Verification) -> tuple[np.ndarray, np.ndarray]:
    """Balance keys (region x P + product) and amounts taken by the claimed priority levels;
    records negative levels and levels of priorities that are not listed."""
    empty = np.zeros(0, dtype=np.int64), np.zeros(0)
    if not levels:
        return empty
    names = list(levels)
    claimed = np.array([float(levels[q]) for q in names])
    bundles = tables.get("priorities")
    listed = set() if bundles is None else set(bundles["priority"])
    result._record("priority level >= 0", np.maximum(-claimed, 0.0), np.abs(claimed),
                   names.__getitem__)
    result._record("priority listed", np.array([0.0 if q in listed else np.inf for q in names]),
                   np.zeros(len(names)), names.__getitem__)
    if bundles is None or not len(bundles):
        return empty
    where = positions(bundles["priority"], pd.Index(names))
    chosen = where >= 0
    region_ids = tables["regions"]["region"]
    product_ids = tables["products"]["product"]
    keys = (positions(bundles["region"], region_ids) * len(product_ids)
            + positions(bundles["product"], product_ids))
    take = claimed[where[chosen]] * bundles["amount"].to_numpy(dtype=np.float64)[chosen]
    return keys[chosen], take


def _checked_deliveries(tables: dict[str, pd.DataFrame], deliveries: pd.DataFrame,
                        result: Verification, year: np.ndarray | None = None
                        ) -> dict[str, np.ndarray]:
    """Deliveries as codes, with what arrives recomputed from the link's loss; records
    shipments on routes that are not links, of products that cannot travel, or negative.

    Returns arrays: for everything sent, origin_code, sent_code (product), sent; for what
    travels on a link, destination_code, product_code, arrives, link, link_sent.
    """
    regions = tables["regions"]["region"]
    products = tables["products"]
    links = tables["links"]
    R = len(regions)
    origin = positions(deliveries["origin"], regions)
    destination = positions(deliveries["destination"], regions)
    product = positions(deliveries["product"], products["product"])
    wanted = origin * R + destination
    link = np.full(len(origin), -1, dtype=np.int64)
    if len(links):
        link_key = (positions(links["origin"], regions) * R
                    + positions(links["destination"], regions))
        order = np.argsort(link_key)
        spot = np.clip(np.searchsorted(link_key[order], wanted), 0, len(order) - 1)
        hit = (origin >= 0) & (destination >= 0) & (link_key[order][spot] == wanted)
        link[hit] = order[spot[hit]]
    sent = deliveries["sent"].to_numpy(dtype=np.float64)

    def label(i: int) -> str:
        return (f"{deliveries['origin'].iat[i]}->{deliveries['destination'].iat[i]}/"
                f"{deliveries['product'].iat[i]}")

    on_link = link >= 0
    result._record("shipment on a link", np.where(on_link, 0.0, np.abs(sent)), np.abs(sent), label)
    tradable = (products["tradable"].to_numpy(dtype=bool) if "tradable" in products.columns
                else np.ones(len(products), dtype=bool))
    can_travel = np.where(product >= 0, tradable[np.maximum(product, 0)], False)
    result._record("tradable shipment", np.where(can_travel, 0.0, np.abs(sent)), np.abs(sent),
                   label)
    result._record("shipment >= 0", np.maximum(-sent, 0.0), np.abs(sent), label)
    loss = (np.nan_to_num(links["loss"].to_numpy(dtype=np.float64)) if "loss" in links.columns
            else np.zeros(len(links)))
    arrives = np.zeros(len(sent))
    arrives[on_link] = sent[on_link] * (1.0 - loss[link[on_link]])
    if "received" in deliveries.columns:
        result._record("received = sent x (1 - loss)",
                       np.abs(deliveries["received"].to_numpy(dtype=np.float64) - arrives),
                       np.abs(sent), label)
    leaves = (origin >= 0) & (product >= 0)  # what leaves a region counts even off the links
    arrive = on_link & (product >= 0)
    out = {"origin_code": origin[leaves], "sent_code": product[leaves], "sent": sent[leaves],
           "destination_code": destination[arrive], "product_code": product[arrive],
           "arrives": arrives[arrive], "link": link[arrive], "link_sent": sent[arrive]}
    if year is not None:  # (rows,) year code of each delivery, carried along
        out["sent_year"], out["arrive_year"] = year[leaves], year[arrive]
    return out


def verify_years(
    tables: dict[str, pd.DataFrame],
    horizon: Horizon,
    activities: pd.DataFrame,
    deliveries: pd.DataFrame,
    investment: pd.DataFrame,
    stocks: pd.DataFrame,
    fulfilment: np.ndarray,
    tolerance: float = RELATIVE_TOLERANCE,
    priority_levels: Mapping[str, float] | None = None,
) -> Verification:
    """Recompute every constraint of a multi-year plan from the scenario's tables.

    activities : technique, year, level; deliveries : origin, destination, product, year,
    sent[, received]; investment : technique, good, year, amount (output of ``good`` set aside
    in the technique's region); stocks : technique, good, year, installed.
    fulfilment : (Y,) the level λ_t the plan claims for each year's targets.
    Checked per year: activities >= 0 and within capacity, shipments (on links, tradable,
    received = sent (1 - loss), link capacities), balances made - used + received - sent -
    set aside >= λ_t target_t, factor use <= supply_t (growth applied); and over the years:
    capital used (amount x level) <= installed, installed(first) = stock, installed(t) =
    (1 - depreciation) installed(t-1) + investment(t - lag), investment and stock >= 0.
    priority_levels : the level λ_q (one over the horizon) the plan claims for priorities of
        priorities.csv; each year's balances must then also hold λ_q x that year's amount of
        every bundle row holding the year (rows without a year hold every year).
    """
    result = Verification(tolerance=tolerance)
    Y, first = horizon.count, horizon.first
    region_ids = tables["regions"]["region"]
    product_ids = tables["products"]["product"]
    factor_ids = tables["factors"]["factor"]
    R, P, F = len(region_ids), len(product_ids), len(factor_ids)
    techniques = tables["techniques"]
    names = techniques["technique"]
    T = len(techniques)
    years = horizon.years

    def year_code(frame: pd.DataFrame, what: str) -> np.ndarray:
        code = frame["year"].to_numpy(dtype=np.int64) - first
        outside = (code < 0) | (code >= Y)
        result._record(f"{what} year inside the horizon", outside.astype(float),
                       np.zeros(len(code)), lambda i: str(frame["year"].iat[i]))
        return np.clip(code, 0, Y - 1)

    # activity levels (Y, T); a missing (technique, year) counts as 0
    tech = positions(activities["technique"], names)
    t_year = year_code(activities, "activity")
    ok = tech >= 0
    level = np.zeros((Y, T))
    level[t_year[ok], tech[ok]] = activities["level"].to_numpy(dtype=np.float64)[ok]

    def tech_year(i: int) -> str:
        return f"{names.iat[i % T]} {years[i // T]}"

    result._record("activity >= 0", np.maximum(-level, 0.0).ravel(), np.abs(level).ravel(),
                   tech_year)
    if "capacity" in techniques.columns:
        capacity = techniques["capacity"].to_numpy(dtype=np.float64)
        over = np.where(np.isnan(capacity)[None, :], 0.0,
                        level - np.nan_to_num(capacity, nan=0.0)[None, :])
        result._record("capacity", np.maximum(over, 0.0).ravel(),
                       np.tile(np.nan_to_num(capacity), Y), tech_year)

    flows = _checked_deliveries(tables, deliveries, result,
                                year=year_code(deliveries, "delivery"))

    # what each investment takes from its technique's region, by year
    tech_region = positions(techniques["region"], region_ids)
    v_tech = positions(investment["technique"], names)
    v_good = positions(investment["good"], product_ids)
    v_year = year_code(investment, "investment")
    v_amount = investment["amount"].to_numpy(dtype=np.float64)
    result._record("investment >= 0", np.maximum(-v_amount, 0.0), np.abs(v_amount),
                   lambda i: f"{investment['technique'].iat[i]}/{investment['good'].iat[i]}")

    # balances of every (year, region, product), with the claimed priorities' bundles
    bundle_keys, bundle_take = _yearly_bundles(tables, priority_levels or {}, horizon, result)
    inputs = tables["inputs"]
    user = positions(inputs["technique"], names)
    input_region = tech_region[user]
    amount_in = inputs["amount"].to_numpy(dtype=np.float64)
    as_product = positions(inputs["input"], product_ids)
    as_factor = positions(inputs["input"], factor_ids)
    is_product, is_factor = as_product >= 0, as_factor >= 0
    year_rows = np.arange(Y, dtype=np.int64)[:, None]
    made_key = (year_rows * R + tech_region[None, :]) * P + positions(
        techniques["product"], product_ids)[None, :]
    use_key = (year_rows * R + input_region[is_product][None, :]) * P + as_product[is_product]
    use_amount = amount_in[is_product][None, :] * level[:, user[is_product]]
    targets = tables["targets"]
    target_pair = (positions(targets["region"], region_ids) * P
                   + positions(targets["product"], product_ids))
    pairs, inverse = np.unique(target_pair, return_inverse=True)
    wanted = yearly_amounts(targets, inverse, len(pairs), horizon)  # (Y, pairs)
    target_key = year_rows * R * P + pairs[None, :]
    keys = np.concatenate([
        made_key.ravel(), use_key.ravel(),
        (flows["arrive_year"] * R + flows["destination_code"]) * P + flows["product_code"],
        (flows["sent_year"] * R + flows["origin_code"]) * P + flows["sent_code"],
        (v_year * R + tech_region[v_tech]) * P + v_good,
        target_key.ravel(), bundle_keys,
    ])
    amounts = np.concatenate([
        level.ravel(), -use_amount.ravel(), flows["arrives"], -flows["sent"], -v_amount,
        -(np.asarray(fulfilment, dtype=np.float64)[:, None] * wanted).ravel(), -bundle_take,
    ])
    cells, (net, size) = _group_sums(keys, Y * R * P, amounts, np.abs(amounts))
    result._record("balance", np.maximum(-net, 0.0), size,
                   lambda i: (f"{region_ids.iat[cells[i] // P % R]}/"
                              f"{product_ids.iat[cells[i] % P]} {years[cells[i] // (R * P)]}"))

    # factor supplies of every (year, region, factor), growth applied
    supplies = tables["supplies"]
    supply = np.zeros((Y, R * F))
    if len(supplies) and F:
        growth = np.zeros(R * F)
        table = tables.get("growth")
        if table is not None and len(table):
            growth[positions(table["region"], region_ids) * F
                   + positions(table["factor"], factor_ids)] = table["rate"].to_numpy(float)
        supply = yearly_amounts(supplies, positions(supplies["region"], region_ids) * F
                                + positions(supplies["factor"], factor_ids), R * F, horizon,
                                growth)
    need_key = (year_rows * R + input_region[is_factor][None, :]) * F + as_factor[is_factor]
    need = amount_in[is_factor][None, :] * level[:, user[is_factor]]
    cells_f, (used,) = _group_sums(need_key.ravel(), Y * R * F, need.ravel())
    result._record("factor supply", np.maximum(used - supply.ravel()[cells_f], 0.0), used,
                   lambda i: (f"{region_ids.iat[cells_f[i] // F % R]}/"
                              f"{factor_ids.iat[cells_f[i] % F]} {years[cells_f[i] // (R * F)]}"))

    # link capacities per year
    links = tables["links"]
    if len(links) and "capacity" in links.columns:
        L = len(links)
        load = np.bincount(flows["arrive_year"] * L + flows["link"], weights=flows["link_sent"],
                           minlength=Y * L)
        capacity = np.tile(links["capacity"].to_numpy(dtype=np.float64), Y)
        over = np.where(np.isnan(capacity), 0.0, load - np.nan_to_num(capacity))
        result._record("link capacity", np.maximum(over, 0.0), load,
                       lambda i: (f"{links['origin'].iat[i % L]}->"
                                  f"{links['destination'].iat[i % L]} {years[i // L]}"))

    _verify_stocks(tables, horizon, level, names, product_ids, stocks, v_tech, v_good, v_year,
                   v_amount, result)
    return result


def _yearly_bundles(tables: dict[str, pd.DataFrame], levels: Mapping[str, float],
                    horizon: Horizon, result: Verification) -> tuple[np.ndarray, np.ndarray]:
    """Balance keys ((year x R + region) x P + product) and the amounts the claimed priority
    levels take there, every year (rows with a year replace, in that year, the row of the
    same priority, region and product without one)."""
    keys, take = _bundles(tables, levels, result)  # checks the levels; undated keys
    bundles = tables.get("priorities")
    if not len(keys) or bundles is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    names = pd.Index(list(levels))
    where = positions(bundles["priority"], names)
    chosen = bundles[where >= 0]
    R = len(tables["regions"])
    P = len(tables["products"])
    entry = where[where >= 0].astype(np.int64) * R * P + keys
    entries, inverse = np.unique(entry, return_inverse=True)
    amount = yearly_amounts(chosen, inverse, len(entries), horizon)  # (Y, entries)
    claimed = np.array([float(levels[q]) for q in names])
    Y = horizon.count
    year_keys = np.arange(Y, dtype=np.int64)[:, None] * R * P + (entries % (R * P))[None, :]
    return year_keys.ravel(), (amount * claimed[entries // (R * P)][None, :]).ravel()


def _verify_stocks(tables: dict[str, pd.DataFrame], horizon: Horizon, level: np.ndarray,
                   names: pd.Series, product_ids: pd.Series, stocks: pd.DataFrame,
                   v_tech: np.ndarray, v_good: np.ndarray, v_year: np.ndarray,
                   v_amount: np.ndarray, result: Verification) -> None:
    """Capital used <= installed, and installed stock follows stock, wear and investment."""
    capital = tables.get("capital")
    if capital is None or not len(capital):
        return
    Y, P = horizon.count, len(product_ids)
    years = horizon.years
    k_tech = positions(capital["technique"], names)
    k_good = positions(capital["good"], product_ids)
    K = len(capital)
    entry = pd.Index(k_tech * P + k_good)  # capital entries are unique by (technique, good)
    stock = np.nan_to_num(capital["stock"].to_numpy(float), nan=0.0) if (
        "stock" in capital.columns) else np.zeros(K)
    dep = np.nan_to_num(capital["depreciation"].to_numpy(float), nan=0.0) if (
        "depreciation" in capital.columns) else np.zeros(K)
    installed = np.zeros((Y, K))
    s_entry = entry.get_indexer(positions(stocks["technique"], names) * P
                                + positions(stocks["good"], product_ids))
    s_year = np.clip(stocks["year"].to_numpy(dtype=np.int64) - horizon.first, 0, Y - 1)
    known = s_entry >= 0
    installed[s_year[known], s_entry[known]] = stocks["installed"].to_numpy(float)[known]
    invested = np.zeros((Y, K))
    v_entry = entry.get_indexer(v_tech * P + v_good)
    unknown = v_entry < 0
    result._record("investment in a listed capital good", np.abs(v_amount) * unknown,
                   np.abs(v_amount), lambda i: f"entry {i}")
    np.add.at(invested, (v_year[~unknown], v_entry[~unknown]), v_amount[~unknown])

    def entry_year(i: int) -> str:
        return f"{capital['technique'].iat[i % K]}/{capital['good'].iat[i % K]} {years[i // K]}"

    amount = capital["amount"].to_numpy(float)
    used = amount[None, :] * level[:, k_tech]
    result._record("capital used <= installed", np.maximum(used - installed, 0.0).ravel(),
                   used.ravel(), entry_year)
    result._record("installed >= 0", np.maximum(-installed, 0.0).ravel(),
                   np.abs(installed).ravel(), entry_year)
    expected = np.zeros((Y, K))
    expected[0] = stock
    lag = horizon.lag
    arriving = np.zeros((Y, K))
    if Y > lag:
        arriving[lag:] = invested[:Y - lag]
    expected[1:] = (1.0 - dep)[None, :] * installed[:-1] + arriving[1:]
    if lag == 0:
        expected[0] += invested[0]
    scale = np.abs(installed) + np.abs(expected)
    result._record("stock dynamics", np.abs(installed - expected).ravel(), scale.ravel(),
                   entry_year)
