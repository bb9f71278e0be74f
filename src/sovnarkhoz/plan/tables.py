"""Turn a solver's vectors into the plan's labelled tables (../shared/DESIGN.md columns first).

One builder for a plan of one year or many: every table of a dated plan carries ``year``
(after its key columns), and a dated plan adds ``investment`` (technique, region, good, year,
amount) and ``stocks`` (technique, region, good, year, installed, used, price); the tables of
an undated (single-year) plan have no ``year`` and no capital.

Prices follow one sign convention, whatever the objective: the price of a product in a region
is how much the objective improves per extra unit of it available there (for max-fulfilment,
points of λ; for min-factor:NAME, units of NAME saved, i.e. its labour value); the price of a
factor, a link or installed capital is the improvement per extra unit of supply or capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..formulation.program import Block, LinearProgram
from ..scenario.economy import Economy
from .bottlenecks import bottlenecks


def _clean(values: np.ndarray) -> np.ndarray:
    """Drop IEEE negative zeros so that tables read 0 rather than -0."""
    return np.asarray(values, dtype=np.float64) + 0.0


def _frame(key: dict[str, np.ndarray], year: np.ndarray | None,
           values: dict[str, np.ndarray]) -> pd.DataFrame:
    """A table: its key columns, ``year`` when the plan is dated, then its values."""
    return pd.DataFrame({**key, **({} if year is None else {"year": year}), **values})


@dataclass(frozen=True)
class _Solution:
    """Column values and prices of one solve, with what names them."""

    lp: LinearProgram
    economy: Economy
    x: np.ndarray  # (n,)
    dual: np.ndarray  # (m,) NaN without duals
    reduced: np.ndarray  # (n,) NaN without duals
    years: np.ndarray | None  # (Y,) calendar years when dated

    def year(self, block: Block, positions: np.ndarray | slice = slice(None)
             ) -> np.ndarray | None:
        """Calendar year of each entry of ``block`` (None when undated)."""
        if self.years is None:
            return None
        return self.years[block.labels["year"][positions]]

    def year_index(self, block: Block) -> np.ndarray:
        """(size,) year number 0 .. Y-1 of each entry of ``block`` (0 when undated)."""
        labels = block.labels.get("year")
        return labels if labels is not None else np.zeros(block.size, dtype=np.int64)

    def each_year(self, count: int) -> np.ndarray | None:
        """Calendar years, each repeated ``count`` times (None when undated)."""
        return None if self.years is None else np.repeat(self.years, count)


def plan_tables(lp: LinearProgram, x: np.ndarray, row_dual: np.ndarray | None,
                col_dual: np.ndarray | None) -> dict[str, pd.DataFrame]:
    """activities, deliveries, fulfilment, factors, prices, links (and over years investment
    and stocks), with bottlenecks, for column values ``x``.

    Duals follow the solver convention (:class:`~sovnarkhoz.solvers.SolverResult`): a dual is
    d(minimised objective)/d(bound). An extra unit of a product loosens its balance row's lower
    bound by one, so its price is +dual; an extra unit of supply or capacity raises an upper
    bound, so its price is -dual. Both read as improvement of the plan's own objective,
    whether it is maximised (λ) or minimised (a factor's use). Without duals prices are NaN.
    """
    layout = lp.layout
    assert layout is not None
    has_duals = row_dual is not None and row_dual.size > 0
    s = _Solution(lp=lp, economy=layout.economy, x=x,
                  dual=row_dual if has_duals else np.full(lp.data.num_rows, np.nan),
                  reduced=(col_dual if has_duals and col_dual is not None
                           else np.full(lp.data.num_cols, np.nan)),
                  years=layout.horizon.years if layout.dated else None)
    net = _available(s)
    tables = {"activities": _activities(s), "deliveries": _deliveries(s),
              "fulfilment": _fulfilment(s, net), "factors": _factors(s), "prices": _prices(s, net),
              "links": _links(s)}
    if layout.dated:
        tables["investment"] = _investment(s)
        tables["stocks"] = _stocks(s)
    tables["bottlenecks"] = plan_bottlenecks(tables, dated=layout.dated)
    return tables


def _activities(s: _Solution) -> pd.DataFrame:
    """technique, region, product, [year], level, capacity, capacity_price (its reduced cost
    when at capacity)."""
    e, block = s.economy, s.lp.col_blocks["activity"]
    count = block.size // max(len(e.techniques), 1)
    level = s.x[block.slice]
    capacity = np.tile(e.tech_capacity, count)
    finite = np.isfinite(capacity)
    at_capacity = np.zeros(block.size, dtype=bool)
    at_capacity[finite] = level[finite] >= capacity[finite] * (1 - 1e-9) - 1e-9
    return _frame({"technique": np.tile(e.techniques.to_numpy(), count),
                   "region": np.tile(e.regions.to_numpy()[e.tech_region], count),
                   "product": np.tile(e.products.to_numpy()[e.tech_product], count)},
                  s.each_year(len(e.techniques)),
                  {"level": _clean(level), "capacity": capacity,
                   "capacity_price": _clean(np.where(at_capacity, -s.reduced[block.slice],
                                                     0.0))})


def _deliveries(s: _Solution) -> pd.DataFrame:
    """origin, destination, product, [year], sent, received: every positive shipment."""
    e, ship = s.economy, s.lp.col_blocks["shipment"]
    sent = s.x[ship.slice]
    moving = sent > 0
    link = ship.labels["link"][moving]
    regions = e.regions.to_numpy()
    return _frame({"origin": regions[e.link_origin[link]],
                   "destination": regions[e.link_destination[link]],
                   "product": e.products.to_numpy()[ship.labels["product"][moving]]},
                  s.year(ship, moving),
                  {"sent": _clean(sent[moving]),
                   "received": _clean(sent[moving] * (1.0 - e.link_loss[link]))})


def _available(s: _Solution) -> np.ndarray:
    """Net availability of each balance row: the row's activity without the λ columns."""
    without_lambda = s.x.copy()
    levels = s.lp.col_blocks.get("fulfilment")
    if levels is not None:
        without_lambda[levels.slice] = 0.0
    return s.lp.data.A[s.lp.row_blocks["balance"].slice] @ without_lambda


def _prices(s: _Solution, net: np.ndarray) -> pd.DataFrame:
    """region, product, [year], price, available: every balance row."""
    e, balance = s.economy, s.lp.row_blocks["balance"]
    return _frame({"region": e.regions.to_numpy()[balance.labels["region"]],
                   "product": e.products.to_numpy()[balance.labels["product"]]},
                  s.year(balance),
                  {"price": _clean(s.dual[balance.slice]), "available": _clean(net)})


def _fulfilment(s: _Solution, net: np.ndarray) -> pd.DataFrame:
    """region, product, [year], target, delivered, fulfilment: every target (each year)."""
    e, layout = s.economy, s.lp.layout
    targets = layout.targets
    Y, Q, P = layout.horizon.count, len(targets.keys), len(e.products)
    wanted = targets.amount.ravel()
    delivered = net[(np.arange(Y)[:, None] * layout.core.n_balance
                     + targets.row[None, :]).ravel()]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(wanted > 0, delivered / wanted, np.nan)
    return _frame({"region": np.tile(e.regions.to_numpy()[targets.keys // P], Y),
                   "product": np.tile(e.products.to_numpy()[targets.keys % P], Y)},
                  s.each_year(Q),
                  {"target": wanted, "delivered": _clean(delivered),
                   "fulfilment": _clean(share)})


def _factors(s: _Solution) -> pd.DataFrame:
    """Every (year,) region and factor with a supply or a technique that needs it."""
    e, block = s.economy, s.lp.row_blocks["factor"]
    Y = s.lp.layout.horizon.count
    R, F = len(e.regions), len(e.factors)
    price = np.zeros((Y, R, F))
    price[s.year_index(block), block.labels["region"], block.labels["factor"]] = (
        -s.dual[block.slice])
    level = s.x[s.lp.col_blocks["activity"].slice].reshape(Y, len(e.techniques))
    return yearly_factor_table(e, s.lp.layout.supply, level, price, s.years)


def _links(s: _Solution) -> pd.DataFrame:
    """Every link (each year): loss, capacity, units sent, price of a unit more capacity."""
    e, ship, block = s.economy, s.lp.col_blocks["shipment"], s.lp.row_blocks["link"]
    Y, L = s.lp.layout.horizon.count, len(e.link_origin)
    load = (np.bincount(s.year_index(ship) * L + ship.labels["link"], weights=s.x[ship.slice],
                        minlength=Y * L) if L else np.zeros(0))
    price = np.zeros(Y * L)
    price[s.year_index(block) * L + block.labels["link"]] = -s.dual[block.slice]
    regions = e.regions.to_numpy()
    return _frame({"origin": np.tile(regions[e.link_origin], Y),
                   "destination": np.tile(regions[e.link_destination], Y)},
                  s.each_year(L),
                  {"loss": np.tile(e.link_loss, Y), "capacity": np.tile(e.link_capacity, Y),
                   "sent": _clean(load), "price": _clean(price)})


def _investment(s: _Solution) -> pd.DataFrame:
    """technique, region, good, year, amount: output set aside as new capital stock."""
    e, block = s.economy, s.lp.col_blocks["investment"]
    technique = block.labels["technique"]
    return _frame({"technique": e.techniques.to_numpy()[technique],
                   "region": e.regions.to_numpy()[e.tech_region[technique]],
                   "good": e.products.to_numpy()[block.labels["product"]]},
                  s.year(block), {"amount": _clean(s.x[block.slice])})


def _stocks(s: _Solution) -> pd.DataFrame:
    """technique, region, good, year, installed, used, price (of a unit more installed)."""
    e, block = s.economy, s.lp.col_blocks["installed"]
    capital = s.lp.layout.capital
    technique, year = block.labels["technique"], block.labels["year"]
    level = s.x[s.lp.col_blocks["activity"].slice].reshape(-1, len(e.techniques))
    used = np.tile(capital.amount, len(s.years)) * level[year, technique]
    return _frame({"technique": e.techniques.to_numpy()[technique],
                   "region": e.regions.to_numpy()[e.tech_region[technique]],
                   "good": e.products.to_numpy()[block.labels["product"]]},
                  s.year(block),
                  {"installed": _clean(s.x[block.slice]), "used": _clean(used),
                   "price": _clean(-s.dual[s.lp.row_blocks["capital"].slice])})


def plan_bottlenecks(tables: dict[str, pd.DataFrame], dated: bool) -> pd.DataFrame:
    """Binding factors, links, capacities (and capital stocks), the year in ``where`` when
    dated."""
    def where(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        if not dated:
            return frame
        frame = frame.copy()
        frame[column] = frame[column].astype(str) + " " + frame["year"].astype(str)
        return frame

    table = bottlenecks(where(tables["factors"], "region"), where(tables["links"], "destination"),
                        where(tables["activities"], "technique"))
    stocks = tables.get("stocks")
    binding = stocks[stocks["price"] > 1e-9] if stocks is not None else ()
    if len(binding):
        extra = pd.DataFrame({"kind": "capital", "where": where(binding, "technique")["technique"],
                              "what": binding["good"], "price": binding["price"],
                              "limit": binding["installed"], "used": binding["used"]})
        table = pd.concat([table, extra], ignore_index=True).sort_values(
            "price", ascending=False, kind="stable").reset_index(drop=True)
    return table


def activity_table(e: Economy, levels: np.ndarray) -> pd.DataFrame:
    """technique, region, product, level: one row per technique. levels: (T,)."""
    return _frame({"technique": e.techniques.to_numpy(),
                   "region": e.regions.to_numpy()[e.tech_region],
                   "product": e.products.to_numpy()[e.tech_product]}, None,
                  {"level": _clean(levels)})


def factor_needed(e: Economy) -> np.ndarray:
    """(R, F) True where some technique of the region needs the factor (its row exists in
    the LP even when the supply is 0, and its price is part of the plan's prices)."""
    R, F = len(e.regions), len(e.factors)
    cell = e.tech_region[e.need_tech].astype(np.int64) * F + e.need_factor
    return (np.bincount(cell, minlength=R * F) > 0).reshape(R, F)


def yearly_factor_table(e: Economy, supply: np.ndarray, levels: np.ndarray, price: np.ndarray,
                        years: np.ndarray | None) -> pd.DataFrame:
    """Every (year,) region-factor pair with a supply or a technique that needs it: supply,
    used, slack, price. supply, price: (Y, R, F), the price the improvement per extra unit of
    supply; levels: (Y, T) activity levels; years: (Y,) calendar years, None when undated."""
    R, F = len(e.regions), len(e.factors)
    Y = len(levels)
    cell = e.tech_region[e.need_tech].astype(np.int64) * F + e.need_factor
    key = (np.arange(Y)[:, None] * R * F + cell[None, :]).ravel()
    used = np.bincount(key, weights=(e.need_amount[None, :] * levels[:, e.need_tech]).ravel(),
                       minlength=Y * R * F).reshape(Y, R, F)
    t, r, f = np.nonzero((supply > 0) | (used > 0) | factor_needed(e)[None, :, :])
    return _frame({"region": e.regions.to_numpy()[r], "factor": e.factors.to_numpy()[f]},
                  None if years is None else years[t],
                  {"supply": supply[t, r, f], "used": _clean(used[t, r, f]),
                   "slack": _clean(supply[t, r, f] - used[t, r, f]),
                   "price": _clean(price[t, r, f])})


def factor_table(e: Economy, levels: np.ndarray, price: np.ndarray) -> pd.DataFrame:
    """The one-year factor table at activity ``levels`` (T,) and prices ``price`` (R, F)."""
    return yearly_factor_table(e, e.supply[None], levels[None], price[None], None)
