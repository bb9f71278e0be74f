"""Check a plan against the scenario's own tables, independently of the solver.

Nothing here reads the LP matrix, the solver or the formulation: every balance, supply,
capacity and link constraint is recomputed from ``scenario.tables`` and the plan's tables
(``activities`` and ``deliveries``; over a horizon also ``investment`` and ``stocks``) with
pandas joins and group sums, for one year or many alike (one year is year 0 of a one-year
horizon, its constraints named without a year). A plan's claim about
λ (the share of every target met) is checked by requiring λ x amount in each balance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

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
    delivered: np.ndarray | None = field(default=None, repr=False)
    """(Y, pairs) what the plan leaves for final use at each target's (region, product)
    (``target_keys``) each year: made - used + received - sent - set aside (bundles taken
    out), recomputed from the tables; harmony is measured on it."""
    target_keys: np.ndarray | None = field(default=None, repr=False)
    """(pairs,) region · P + product of the targets, sorted."""

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

    @property
    def proof(self) -> str:
        """A few words on what the plan's prices prove."""
        o = self.optimality
        if o is None:
            return "no prices to prove optimality"
        return f"dual violation {o.dual_violation:.3g}, gap {o.gap:.3g}"

    @property
    def true_bound(self) -> float | None:
        """The Lagrangian bound of the plan's prices when they are dual feasible (within the
        tolerance): only then is it a bound on every plan. None otherwise."""
        o = self.optimality
        if o is None or not o.dual_violation <= self.tolerance or not np.isfinite(o.dual_bound):
            return None
        return float(o.dual_bound)

    def unproven_message(self) -> str:
        """Why a feasible plan its solver or councils call optimal is reported ``feasible``."""
        o = self.optimality
        if o is None:
            return "the plan has no prices to prove it optimal; the tables hold a feasible plan"
        bound = self.true_bound
        stated = (f"no plan does better than {bound:.10g} (the bound of its prices)"
                  if bound is not None else
                  f"its prices give no bound (they fail dual feasibility at {o.worst})")
        return (f"the plan's prices do not prove it optimal (dual violation "
                f"{o.dual_violation:.3g}, gap {o.gap:.3g}, tolerance {self.tolerance:g})"
                f"; the tables hold a feasible plan with objective {o.objective:.10g}; {stated}")

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
    tables: Mapping[str, pd.DataFrame],
    activities: pd.DataFrame,
    deliveries: pd.DataFrame,
    fulfilment: float | np.ndarray,
    tolerance: float = RELATIVE_TOLERANCE,
    priority_levels: Mapping[str, float] | None = None,
    exact: bool = False,
    horizon: Horizon | None = None,
    investment: pd.DataFrame | None = None,
    stocks: pd.DataFrame | None = None,
) -> Verification:
    """Recompute every scenario constraint for a plan of one year or (``horizon``) many.

    tables : the scenario's tables (``Scenario.tables``).
    activities : technique, [year,] level (a missing technique, or year, counts as 0).
    deliveries : origin, destination, product, [year,] sent[, received] (missing rows count as
        nothing sent).
    fulfilment : the λ the plan claims: every target must be met at λ x amount; over a
        horizon (Y,), the level λ_t of each year's targets.
    priority_levels : the level λ_q the plan claims for priorities of priorities.csv (one
        over the horizon); each bundle row must then be delivered at λ_q x amount on top of
        the targets, in every year it holds (a priority not named is not delivered).
    exact : every balance must hold with equality (Leontief's (I - A) x = y: nothing made
        beyond what is used and delivered), recorded as ``balance surplus``.
    horizon : the years of a multi-year plan, whose tables carry ``year``; None: one year,
        tables without ``year``. investment : technique, good, year, amount (output of
        ``good`` set aside in the technique's region); stocks : technique, good, year,
        installed (a multi-year plan's capital).

    Checked each year: activities >= 0 and within capacity, shipments (on links, tradable,
    received = sent (1 - loss), link capacities), balances made - used + received - sent -
    set aside >= λ_t target_t (+ bundles), factor use <= supply_t (growth applied); over the
    years: capital used (amount x level) <= installed, installed(first) = stock, installed(t)
    = (1 - depreciation) installed(t-1) + investment(t - lag), investment and stock >= 0.
    """
    result = Verification(tolerance=tolerance)
    plan = _Years(tables, horizon, result)
    bundle_keys, bundle_take = _bundles(plan, priority_levels or {})
    level = _activity_levels(plan, activities)
    flows = _checked_deliveries(tables, deliveries, result, year=plan.code(deliveries, "delivery"))
    taken = _investment_taken(plan, investment)
    _balances(plan, level, flows, taken, np.asarray(fulfilment, dtype=np.float64),
              bundle_keys, bundle_take, exact)
    _factor_supplies(plan, level)
    _link_capacities(plan, flows)
    if taken is not None and stocks is not None:
        _verify_stocks(plan, level, stocks, taken)
    return result


def verify_years(
    tables: Mapping[str, pd.DataFrame],
    horizon: Horizon,
    activities: pd.DataFrame,
    deliveries: pd.DataFrame,
    investment: pd.DataFrame,
    stocks: pd.DataFrame,
    fulfilment: np.ndarray,
    tolerance: float = RELATIVE_TOLERANCE,
    priority_levels: Mapping[str, float] | None = None,
) -> Verification:
    """:func:`verify` of a multi-year plan, its arguments in the order of the former
    multi-year verifier."""
    return verify(tables, activities, deliveries, fulfilment, tolerance, priority_levels,
                  horizon=horizon, investment=investment, stocks=stocks)


class _Years:
    """The scenario's ids and the plan's years, shared by the checks of one verification.

    A one-year plan (``horizon`` None) is year 0 of a one-year horizon, its constraints named
    without a year."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], horizon: Horizon | None,
                 result: Verification):
        self.tables, self.result = tables, result
        self.dated = horizon is not None
        self.horizon = horizon if horizon is not None else Horizon(0, 0)
        self.Y, self.years = self.horizon.count, self.horizon.years
        self.region_ids = tables["regions"]["region"]
        self.product_ids = tables["products"]["product"]
        self.factor_ids = tables["factors"]["factor"]
        self.R, self.P, self.F = (len(self.region_ids), len(self.product_ids),
                                  len(self.factor_ids))
        self.techniques = tables["techniques"]
        self.names = self.techniques["technique"]
        self.T = len(self.techniques)
        self.tech_region = positions(self.techniques["region"], self.region_ids)

    @cached_property
    def inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """inputs.csv as codes: (U,) technique, product (or -1), factor (or -1), amount."""
        inputs = self.tables["inputs"]
        return (positions(inputs["technique"], self.names),
                positions(inputs["input"], self.product_ids),
                positions(inputs["input"], self.factor_ids),
                inputs["amount"].to_numpy(dtype=np.float64))

    @cached_property
    def input_region(self) -> np.ndarray:
        """(U,) the region each input is drawn from: its ``origin`` when given (a product
        input from another region's pool), else the technique's region."""
        inputs = self.tables["inputs"]
        region = self.tech_region[self.inputs[0]]
        if "origin" not in inputs.columns:
            return region
        origin = positions(inputs["origin"], self.region_ids)
        return np.where(origin >= 0, origin, region)

    def code(self, frame: pd.DataFrame, what: str) -> np.ndarray:
        """(rows,) year number 0 .. Y-1 of each row of ``frame`` (0 when undated); records
        years outside the horizon."""
        if not self.dated:
            return np.zeros(len(frame), dtype=np.int64)
        code = frame["year"].to_numpy(dtype=np.int64) - self.horizon.first
        outside = (code < 0) | (code >= self.Y)
        self.result._record(f"{what} year inside the horizon", outside.astype(float),
                            np.zeros(len(code)), lambda i: str(frame["year"].iat[i]))
        return np.clip(code, 0, self.Y - 1)

    def named(self, label: str, year: int) -> str:
        """A constraint's name, with its calendar year when dated."""
        return f"{label} {self.years[year]}" if self.dated else label

    def yearly(self, frame: pd.DataFrame, keys: np.ndarray, universe: int,
               growth: np.ndarray | None = None) -> np.ndarray:
        """(Y, universe) amounts of a yearly table (see ``yearly_amounts``)."""
        return yearly_amounts(frame, keys, universe, self.horizon, growth)


def _activity_levels(plan: _Years, activities: pd.DataFrame) -> np.ndarray:
    """(Y, T) activity levels (the first row of a technique and year counts); records
    negative levels and levels beyond capacity."""
    tech = positions(activities["technique"], plan.names)
    year = plan.code(activities, "activity")
    ok = np.flatnonzero(tech >= 0)[::-1]  # assigned last to first: the first row wins
    level = np.zeros((plan.Y, plan.T))
    level[year[ok], tech[ok]] = activities["level"].to_numpy(dtype=np.float64)[ok]
    T = plan.T

    def tech_year(i: int) -> str:
        return plan.named(plan.names.iat[i % T], i // T)

    plan.result._record("activity >= 0", np.maximum(-level, 0.0).ravel(),
                        np.abs(level).ravel(), tech_year)
    if "capacity" in plan.techniques.columns:
        capacity = plan.techniques["capacity"].to_numpy(dtype=np.float64)
        over = np.where(np.isnan(capacity)[None, :], 0.0,
                        level - np.nan_to_num(capacity, nan=0.0)[None, :])
        plan.result._record("capacity", np.maximum(over, 0.0).ravel(),
                            np.tile(np.nan_to_num(capacity), plan.Y), tech_year)
    return level


@dataclass
class _Investment:
    """A multi-year plan's investment rows as codes: technique, good, year, amount."""

    tech: np.ndarray
    good: np.ndarray
    year: np.ndarray
    amount: np.ndarray


def _investment_taken(plan: _Years, investment: pd.DataFrame | None) -> _Investment | None:
    """The investment rows (None for a plan without); records negative amounts."""
    if investment is None:
        return None
    taken = _Investment(tech=positions(investment["technique"], plan.names),
                        good=positions(investment["good"], plan.product_ids),
                        year=plan.code(investment, "investment"),
                        amount=investment["amount"].to_numpy(dtype=np.float64))
    plan.result._record("investment >= 0", np.maximum(-taken.amount, 0.0), np.abs(taken.amount),
                        lambda i: f"{investment['technique'].iat[i]}/{investment['good'].iat[i]}")
    return taken


def _input_use(plan: _Years, level: np.ndarray, products: bool
               ) -> tuple[np.ndarray, np.ndarray]:
    """Keys ((year x R + region) x P + product, or x F + factor) and amounts (Y·U,) of what
    the techniques use of products (``products``) or factors, every year; region is where
    the input is drawn from (its origin, or the technique's region)."""
    user, as_product, as_factor, amount = plan.inputs
    what, size = (as_product, plan.P) if products else (as_factor, plan.F)
    chosen = what >= 0
    year = np.arange(plan.Y, dtype=np.int64)[:, None]
    keys = (year * plan.R + plan.input_region[chosen][None, :]) * size + what[chosen]
    return keys.ravel(), (amount[chosen][None, :] * level[:, user[chosen]]).ravel()


def _balances(plan: _Years, level: np.ndarray, flows: dict[str, np.ndarray],
              taken: _Investment | None, fulfilment: np.ndarray, bundle_keys: np.ndarray,
              bundle_take: np.ndarray, exact: bool) -> None:
    """Every (year, region, product): made - used + received - sent - set aside - λ_t target
    - bundles >= 0 (= 0 when ``exact``)."""
    R, P, Y = plan.R, plan.P, plan.Y
    year = np.arange(Y, dtype=np.int64)[:, None]
    made_key = (year * R + plan.tech_region[None, :]) * P + positions(
        plan.techniques["product"], plan.product_ids)[None, :]
    use_key, use = _input_use(plan, level, products=True)
    targets = plan.tables["targets"]
    pair = (positions(targets["region"], plan.region_ids) * P
            + positions(targets["product"], plan.product_ids))
    pairs, inverse = np.unique(pair, return_inverse=True)
    wanted = plan.yearly(targets, inverse, len(pairs))  # (Y, pairs)
    if taken is None:
        taken = _Investment(*(np.zeros(0, dtype=np.int64),) * 3, np.zeros(0))
    keys = np.concatenate([
        made_key.ravel(), use_key,
        (flows["arrive_year"] * R + flows["destination_code"]) * P + flows["product_code"],
        (flows["sent_year"] * R + flows["origin_code"]) * P + flows["sent_code"],
        (taken.year * R + plan.tech_region[taken.tech]) * P + taken.good,
        (year * R * P + pairs[None, :]).ravel(), bundle_keys,
    ])
    amounts = np.concatenate([
        level.ravel(), -use, flows["arrives"], -flows["sent"], -taken.amount,
        -(np.broadcast_to(fulfilment, (Y,))[:, None] * wanted).ravel(), -bundle_take,
    ])
    cells, (net, size) = _group_sums(keys, Y * R * P, amounts, np.abs(amounts))
    target_cells = (year * R * P + pairs[None, :]).ravel()  # every one is among the cells
    at = np.searchsorted(cells, target_cells)
    plan.result.delivered = (net[at].reshape(Y, len(pairs))
                             + np.broadcast_to(fulfilment, (Y,))[:, None] * wanted)
    plan.result.target_keys = pairs

    def name(i: int) -> str:
        cell = cells[i]
        return plan.named(f"{plan.region_ids.iat[cell // P % R]}/"
                          f"{plan.product_ids.iat[cell % P]}", cell // (R * P))

    plan.result._record("balance", np.maximum(-net, 0.0), size, name)
    if exact:
        plan.result._record("balance surplus", np.maximum(net, 0.0), size, name)


def _factor_supplies(plan: _Years, level: np.ndarray) -> None:
    """Every (year, region, factor): use <= supply (growth applied over a horizon)."""
    R, F = plan.R, plan.F
    supplies = plan.tables["supplies"]
    supply = np.zeros((plan.Y, R * F))
    if len(supplies) and F:
        growth = None
        table = plan.tables.get("growth")
        if table is not None and len(table):
            growth = np.zeros(R * F)
            growth[positions(table["region"], plan.region_ids) * F
                   + positions(table["factor"], plan.factor_ids)] = table["rate"].to_numpy(float)
        supply = plan.yearly(supplies, positions(supplies["region"], plan.region_ids) * F
                             + positions(supplies["factor"], plan.factor_ids), R * F, growth)
    need_key, need = _input_use(plan, level, products=False)
    cells, (used,) = _group_sums(need_key, plan.Y * R * F, need)
    plan.result._record(
        "factor supply", np.maximum(used - supply.ravel()[cells], 0.0), used,
        lambda i: plan.named(f"{plan.region_ids.iat[cells[i] // F % R]}/"
                             f"{plan.factor_ids.iat[cells[i] % F]}", cells[i] // (R * F)))


def _link_capacities(plan: _Years, flows: dict[str, np.ndarray]) -> None:
    """Every (year, link) with a capacity: units sent <= capacity."""
    links = plan.tables["links"]
    if not len(links) or "capacity" not in links.columns:
        return
    L = len(links)
    load = np.bincount(flows["arrive_year"] * L + flows["link"], weights=flows["link_sent"],
                       minlength=plan.Y * L)
    capacity = np.tile(links["capacity"].to_numpy(dtype=np.float64), plan.Y)
    over = np.where(np.isnan(capacity), 0.0, load - np.nan_to_num(capacity))
    plan.result._record(
        "link capacity", np.maximum(over, 0.0), load,
        lambda i: plan.named(f"{links['origin'].iat[i % L]}->{links['destination'].iat[i % L]}",
                             i // L))


def _bundles(plan: _Years, levels: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Balance keys ((year x R + region) x P + product) and the amounts the claimed priority
    levels take there, every year (rows with a year replace, in that year, the row of the
    same priority, region and product without one); records negative levels and levels of
    priorities that are not listed."""
    empty = np.zeros(0, dtype=np.int64), np.zeros(0)
    if not levels:
        return empty
    names = list(levels)
    claimed = np.array([float(levels[q]) for q in names])
    bundles = plan.tables.get("priorities")
    listed = set() if bundles is None else set(bundles["priority"])
    plan.result._record("priority level >= 0", np.maximum(-claimed, 0.0), np.abs(claimed),
                        names.__getitem__)
    plan.result._record("priority listed",
                        np.array([0.0 if q in listed else np.inf for q in names]),
                        np.zeros(len(names)), names.__getitem__)
    if bundles is None or not len(bundles):
        return empty
    where = positions(bundles["priority"], pd.Index(names))
    chosen = where >= 0
    RP = plan.R * plan.P
    entry = (where[chosen].astype(np.int64) * RP
             + positions(bundles["region"], plan.region_ids)[chosen] * plan.P
             + positions(bundles["product"], plan.product_ids)[chosen])
    entries, inverse = np.unique(entry, return_inverse=True)
    amount = plan.yearly(bundles[chosen], inverse, len(entries))  # (Y, entries)
    keys = np.arange(plan.Y, dtype=np.int64)[:, None] * RP + (entries % RP)[None, :]
    return keys.ravel(), (amount * claimed[entries // RP][None, :]).ravel()


def _checked_deliveries(tables: Mapping[str, pd.DataFrame], deliveries: pd.DataFrame,
                        result: Verification, year: np.ndarray) -> dict[str, np.ndarray]:
    """Deliveries as codes, with what arrives recomputed from the link's loss; records
    shipments on routes that are not links, of products that cannot travel, or negative.

    year : (rows,) year number of each delivery, carried along.
    Returns arrays: for everything sent, origin_code, sent_code (product), sent, sent_year;
    for what travels on a link, destination_code, product_code, arrives, link, link_sent,
    arrive_year.
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
           "arrives": arrives[arrive], "link": link[arrive], "link_sent": sent[arrive],
           "sent_year": year[leaves], "arrive_year": year[arrive]}
    return out


def _verify_stocks(plan: _Years, level: np.ndarray, stocks: pd.DataFrame,
                   taken: _Investment) -> None:
    """Capital used <= installed, and installed stock follows stock, wear and investment."""
    capital = plan.tables.get("capital")
    if capital is None or not len(capital):
        return
    Y, P = plan.Y, plan.P
    k_tech = positions(capital["technique"], plan.names)
    k_good = positions(capital["good"], plan.product_ids)
    K = len(capital)
    entry = pd.Index(k_tech * P + k_good)  # capital entries are unique by (technique, good)
    stock = np.nan_to_num(capital["stock"].to_numpy(float), nan=0.0) if (
        "stock" in capital.columns) else np.zeros(K)
    dep = np.nan_to_num(capital["depreciation"].to_numpy(float), nan=0.0) if (
        "depreciation" in capital.columns) else np.zeros(K)
    installed = np.zeros((Y, K))
    s_entry = entry.get_indexer(positions(stocks["technique"], plan.names) * P
                                + positions(stocks["good"], plan.product_ids))
    s_year = np.clip(stocks["year"].to_numpy(dtype=np.int64) - plan.horizon.first, 0, Y - 1)
    known = s_entry >= 0
    installed[s_year[known], s_entry[known]] = stocks["installed"].to_numpy(float)[known]
    invested = np.zeros((Y, K))
    v_entry = entry.get_indexer(taken.tech * P + taken.good)
    unknown = v_entry < 0
    plan.result._record("investment in a listed capital good", np.abs(taken.amount) * unknown,
                        np.abs(taken.amount), lambda i: f"entry {i}")
    np.add.at(invested, (taken.year[~unknown], v_entry[~unknown]), taken.amount[~unknown])

    def entry_year(i: int) -> str:
        return plan.named(f"{capital['technique'].iat[i % K]}/{capital['good'].iat[i % K]}",
                          i // K)

    used = capital["amount"].to_numpy(float)[None, :] * level[:, k_tech]
    plan.result._record("capital used <= installed", np.maximum(used - installed, 0.0).ravel(),
                        used.ravel(), entry_year)
    plan.result._record("installed >= 0", np.maximum(-installed, 0.0).ravel(),
                        np.abs(installed).ravel(), entry_year)
    expected = np.zeros((Y, K))
    expected[0] = stock
    lag = plan.horizon.lag
    arriving = np.zeros((Y, K))
    if Y > lag:
        arriving[lag:] = invested[:Y - lag]
    expected[1:] = (1.0 - dep)[None, :] * installed[:-1] + arriving[1:]
    if lag == 0:
        expected[0] += invested[0]
    scale = np.abs(installed) + np.abs(expected)
    plan.result._record("stock dynamics", np.abs(installed - expected).ravel(), scale.ravel(),
                        entry_year)
