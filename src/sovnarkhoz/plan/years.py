"""Multi-year plans: a solution of the LP of ``formulation.years`` tabulated with a ``year``
column, and verified year by year and across years (``verify.verify_years``). Planning itself
(central or by councils) goes through ``assemble.formulate`` and ``assemble.assess``.

Tables (../shared/DESIGN.md): activities, deliveries, fulfilment, factors, prices, each with
``year``; investment (technique, region, good, year, amount) and stocks (technique, region,
good, year, installed, used, price); links and bottlenecks as for one year, with ``year``.
Prices follow the single-year convention (improvement of the objective per extra unit).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..formulation.years import YearsProgram
from ..scenario.model import Scenario
from .bottlenecks import bottlenecks
from .tables import factor_needed
from .verify import RELATIVE_TOLERANCE, Verification, verify_years


def _clean(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64) + 0.0


def yearly_levels(program: YearsProgram, x: np.ndarray) -> np.ndarray:
    """(Y,) the level λ_t each year's scaled targets are met at (1 without λ columns)."""
    Y = program.horizon.count
    block = program.lp.col_blocks.get("fulfilment")
    if block is None:
        return np.ones(Y)
    values = x[block.slice]
    return np.full(Y, float(values[0])) if block.size == 1 else values.copy()


def years_tables(scenario: Scenario, program: YearsProgram, x: np.ndarray,
                 row_dual: np.ndarray | None, col_dual: np.ndarray | None
                 ) -> dict[str, pd.DataFrame]:
    """Every table of a multi-year plan for column values ``x`` (duals optional)."""
    e = scenario.economy
    lp, data = program.lp, program.lp.data
    Y, years = program.horizon.count, program.horizon.years
    T = len(e.techniques)
    has_duals = row_dual is not None and row_dual.size > 0
    dual = row_dual if has_duals else np.full(data.num_rows, np.nan)
    reduced = col_dual if has_duals and col_dual is not None else np.full(data.num_cols, np.nan)
    regions, products = e.regions.to_numpy(), e.products.to_numpy()
    techniques, factors = e.techniques.to_numpy(), e.factors.to_numpy()

    act = lp.col_blocks["activity"]
    level = x[act.slice].reshape(Y, T)
    capacity = np.tile(e.tech_capacity, Y)
    finite = np.isfinite(capacity)
    at_capacity = np.zeros(Y * T, dtype=bool)
    at_capacity[finite] = level.ravel()[finite] >= capacity[finite] * (1 - 1e-9) - 1e-9
    activities = pd.DataFrame({
        "technique": np.tile(techniques, Y), "region": np.tile(regions[e.tech_region], Y),
        "product": np.tile(products[e.tech_product], Y), "year": np.repeat(years, T),
        "level": _clean(level.ravel()), "capacity": capacity,
        "capacity_price": _clean(np.where(at_capacity, -reduced[act.slice], 0.0)),
    })

    ship = lp.col_blocks["shipment"]
    sent = x[ship.slice]
    moving = sent > 0
    link = ship.labels["link"][moving]
    deliveries = pd.DataFrame({
        "origin": regions[e.link_origin[link]],
        "destination": regions[e.link_destination[link]],
        "product": products[ship.labels["product"][moving]],
        "year": years[ship.labels["year"][moving]],
        "sent": _clean(sent[moving]),
        "received": _clean(sent[moving] * (1.0 - e.link_loss[link])),
    })

    balance = lp.row_blocks["balance"]
    without_lambda = x.copy()
    lam_block = lp.col_blocks.get("fulfilment")
    if lam_block is not None:
        without_lambda[lam_block.slice] = 0.0
    net = data.A[balance.slice] @ without_lambda
    prices = pd.DataFrame({
        "region": regions[balance.labels["region"]],
        "product": products[balance.labels["product"]],
        "year": years[balance.labels["year"]],
        "price": _clean(dual[balance.slice]), "available": _clean(net)})

    targets = program.targets
    nb = program.core.n_balance
    Qd = len(targets.keys)
    P = len(e.products)
    rows = (np.arange(Y)[:, None] * nb + targets.row[None, :]).ravel()
    wanted = targets.amount.ravel()
    delivered = net[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(wanted > 0, delivered / wanted, np.nan)
    fulfilment = pd.DataFrame({
        "region": np.tile(regions[targets.keys // P], Y),
        "product": np.tile(products[targets.keys % P], Y),
        "year": np.repeat(years, Qd), "target": wanted, "delivered": _clean(delivered),
        "fulfilment": _clean(share)})

    fb = lp.row_blocks["factor"]
    R, F = len(e.regions), len(e.factors)
    price = np.zeros((Y, R, F))
    price[fb.labels["year"], fb.labels["region"], fb.labels["factor"]] = -dual[fb.slice]
    cell = e.tech_region[e.need_tech].astype(np.int64) * F + e.need_factor
    use_key = (np.arange(Y)[:, None] * R * F + cell[None, :]).ravel()
    use = np.bincount(use_key, weights=(e.need_amount[None, :] * level[:, e.need_tech]).ravel(),
                      minlength=Y * R * F).reshape(Y, R, F)
    supply = program.supply
    t, r, f = np.nonzero((supply > 0) | (use > 0) | factor_needed(e)[None, :, :])
    factor_table = pd.DataFrame({
        "region": regions[r], "factor": factors[f], "year": years[t], "supply": supply[t, r, f],
        "used": _clean(use[t, r, f]), "slack": _clean(supply[t, r, f] - use[t, r, f]),
        "price": _clean(price[t, r, f])})

    L = len(e.link_origin)
    load = np.bincount(ship.labels["year"] * L + ship.labels["link"], weights=sent,
                       minlength=Y * L)
    lb = lp.row_blocks["link"]
    link_price = np.zeros(Y * L)
    link_price[lb.labels["year"] * L + lb.labels["link"]] = -dual[lb.slice]
    links = pd.DataFrame({
        "origin": np.tile(regions[e.link_origin], Y),
        "destination": np.tile(regions[e.link_destination], Y),
        "year": np.repeat(years, L), "loss": np.tile(e.link_loss, Y),
        "capacity": np.tile(e.link_capacity, Y), "sent": _clean(load),
        "price": _clean(link_price)})

    cap = program.capital
    inv = lp.col_blocks["investment"]
    investment = pd.DataFrame({
        "technique": techniques[inv.labels["technique"]],
        "region": regions[e.tech_region[inv.labels["technique"]]],
        "good": products[inv.labels["product"]], "year": years[inv.labels["year"]],
        "amount": _clean(x[inv.slice])})
    inst = lp.col_blocks["installed"]
    cb = lp.row_blocks["capital"]
    used = np.tile(cap.amount, Y) * level[inst.labels["year"], inst.labels["technique"]]
    stocks = pd.DataFrame({
        "technique": techniques[inst.labels["technique"]],
        "region": regions[e.tech_region[inst.labels["technique"]]],
        "good": products[inst.labels["product"]], "year": years[inst.labels["year"]],
        "installed": _clean(x[inst.slice]), "used": _clean(used),
        "price": _clean(-dual[cb.slice])})

    tables = {"activities": activities, "deliveries": deliveries, "fulfilment": fulfilment,
              "factors": factor_table, "prices": prices, "links": links,
              "investment": investment, "stocks": stocks}
    tables["bottlenecks"] = _yearly_bottlenecks(factor_table, links, activities, stocks)
    return tables


def _yearly_bottlenecks(factors: pd.DataFrame, links: pd.DataFrame, activities: pd.DataFrame,
                        stocks: pd.DataFrame) -> pd.DataFrame:
    """Binding factors, links, capacities and capital stocks, with the year in ``where``."""
    def dated(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        frame = frame.copy()
        frame[column] = frame[column].astype(str) + " " + frame["year"].astype(str)
        return frame

    table = bottlenecks(dated(factors, "region"),
                        dated(links, "destination"),
                        dated(activities, "technique"))
    binding = stocks[stocks["price"] > 1e-9]
    if len(binding):
        extra = pd.DataFrame({"kind": "capital", "where": dated(binding, "technique")["technique"],
                              "what": binding["good"], "price": binding["price"],
                              "limit": binding["installed"], "used": binding["used"]})
        table = pd.concat([table, extra], ignore_index=True).sort_values(
            "price", ascending=False, kind="stable").reset_index(drop=True)
    return table


def tabulate_and_verify_years(scenario: Scenario, program: YearsProgram, x: np.ndarray,
                              row_dual: np.ndarray | None, col_dual: np.ndarray | None,
                              tolerance: float = 0.0, timings: dict[str, float] | None = None
                              ) -> tuple[dict[str, pd.DataFrame], np.ndarray, Verification]:
    """Tables, yearly levels (Y,) and the independent verification of a multi-year plan."""
    timings = {} if timings is None else timings
    clock = time.perf_counter()
    tables = years_tables(scenario, program, x, row_dual, col_dual)
    levels = yearly_levels(program, x)
    timings["tables"] = time.perf_counter() - clock
    clock = time.perf_counter()
    claimed = np.where(program.lambdas == "none", 1.0, levels)
    check = verify_years(scenario.tables, program.horizon, tables["activities"],
                         tables["deliveries"], tables["investment"], tables["stocks"],
                         claimed, tolerance=max(RELATIVE_TOLERANCE, tolerance))
    timings["verify"] = time.perf_counter() - clock
    return tables, levels, check
