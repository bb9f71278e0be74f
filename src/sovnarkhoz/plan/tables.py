"""Turn a solver's vectors into the plan's labelled tables (../shared/DESIGN.md columns first).

Prices follow one sign convention, whatever the objective: the price of a product in a region
is how much the objective improves per extra unit of it available there (for max-fulfilment,
points of λ; for min-factor:NAME, units of NAME saved, i.e. its labour value); the price of a
factor or a link is the improvement per extra unit of supply or capacity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..formulation.program import LinearProgram
from ..scenario.economy import Economy


def _clean(values: np.ndarray) -> np.ndarray:
    """Drop IEEE negative zeros so that tables read 0 rather than -0."""
    return np.asarray(values, dtype=np.float64) + 0.0


def plan_tables(economy: Economy, lp: LinearProgram, x: np.ndarray,
                row_dual: np.ndarray | None, col_dual: np.ndarray | None
                ) -> dict[str, pd.DataFrame]:
    """activities, deliveries, fulfilment, factors, prices and links for column values ``x``.

    Duals follow the solver convention (:class:`~sovnarkhoz.solvers.SolverResult`): a dual is
    d(minimised objective)/d(bound). An extra unit of a product loosens its balance row's lower
    bound by one, so its price is +dual; an extra unit of supply or capacity raises an upper
    bound, so its price is -dual. Both read as improvement of the plan's own objective,
    whether it is maximised (λ) or minimised (a factor's use). Without duals prices are NaN.
    """
    e = economy
    data = lp.data
    T = len(e.techniques)
    lam_block = lp.col_blocks.get("fulfilment")
    lam = float(x[lam_block.start]) if lam_block is not None else 1.0
    ship = lp.col_blocks["shipment"]
    balance = lp.row_blocks["balance"]
    has_duals = row_dual is not None and row_dual.size > 0
    dual = row_dual if has_duals else np.full(data.num_rows, np.nan)
    reduced = col_dual if has_duals and col_dual is not None else np.full(data.num_cols, np.nan)

    activities = activity_table(e, x[:T])

    sent = x[ship.slice]
    moving = sent > 0
    link = ship.labels["link"][moving]
    loss = e.link_loss[link]
    deliveries = pd.DataFrame({
        "origin": e.regions.to_numpy()[e.link_origin[link]],
        "destination": e.regions.to_numpy()[e.link_destination[link]],
        "product": e.products.to_numpy()[ship.labels["product"][moving]],
        "sent": _clean(sent[moving]),
        "received": _clean(sent[moving] * (1.0 - loss)),
    })

    # net availability of each (region, product): the balance rows without the λ column
    without_lambda = x.copy()
    if lam_block is not None:
        without_lambda[lam_block.start] = 0.0
    net = data.A[balance.slice] @ without_lambda
    region_ids = e.regions.to_numpy()[balance.labels["region"]]
    product_ids = e.products.to_numpy()[balance.labels["product"]]
    prices = pd.DataFrame({"region": region_ids, "product": product_ids,
                           "price": _clean(dual[balance.slice]),
                           "available": _clean(net)})

    key = pd.MultiIndex.from_arrays([balance.labels["region"], balance.labels["product"]])
    where = key.get_indexer(pd.MultiIndex.from_arrays([e.target_region, e.target_product]))
    delivered = net[where]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(e.target_amount > 0, delivered / e.target_amount, np.nan)
    fulfilment = pd.DataFrame({
        "region": e.regions.to_numpy()[e.target_region],
        "product": e.products.to_numpy()[e.target_product],
        "target": e.target_amount,
        "delivered": _clean(delivered),
        "fulfilment": _clean(share),
    })

    capacity = np.where(np.isfinite(e.tech_capacity), e.tech_capacity, np.inf)
    finite = np.isfinite(capacity)
    at_capacity = np.zeros(T, dtype=bool)
    at_capacity[finite] = x[:T][finite] >= capacity[finite] * (1 - 1e-9) - 1e-9
    activities["capacity"] = e.tech_capacity
    activities["capacity_price"] = _clean(np.where(at_capacity, -reduced[:T], 0.0))
    return {"activities": activities, "deliveries": deliveries, "fulfilment": fulfilment,
            "factors": _factor_table(e, lp, x[:T], dual), "prices": prices,
            "links": _link_table(e, lp, x, dual), "lambda": lam}


def activity_table(e: Economy, levels: np.ndarray) -> pd.DataFrame:
    """technique, region, product, level: one row per technique. levels: (T,)."""
    return pd.DataFrame({
        "technique": e.techniques.to_numpy(),
        "region": e.regions.to_numpy()[e.tech_region],
        "product": e.products.to_numpy()[e.tech_product],
        "level": _clean(levels),
    })


def factor_use(e: Economy, levels: np.ndarray) -> np.ndarray:
    """(R, F) units of each factor used in each region at activity ``levels`` (T,)."""
    R, F = len(e.regions), len(e.factors)
    cell = e.tech_region[e.need_tech].astype(np.int64) * F + e.need_factor
    use = np.bincount(cell, weights=e.need_amount * levels[e.need_tech], minlength=R * F)
    return use.reshape(R, F)


def factor_needed(e: Economy) -> np.ndarray:
    """(R, F) True where some technique of the region needs the factor (its row exists in
    the LP even when the supply is 0, and its price is part of the plan's prices)."""
    R, F = len(e.regions), len(e.factors)
    cell = e.tech_region[e.need_tech].astype(np.int64) * F + e.need_factor
    return (np.bincount(cell, minlength=R * F) > 0).reshape(R, F)


def factor_table(e: Economy, levels: np.ndarray, price: np.ndarray) -> pd.DataFrame:
    """Every region-factor pair with a supply or a technique that needs it: supply, used,
    slack, price. levels: (T,) activity levels; price: (R, F) improvement per extra unit of
    supply."""
    used = factor_use(e, levels)
    r, f = np.nonzero((e.supply > 0) | (used > 0) | factor_needed(e))
    return pd.DataFrame({
        "region": e.regions.to_numpy()[r],
        "factor": e.factors.to_numpy()[f],
        "supply": e.supply[r, f],
        "used": _clean(used[r, f]),
        "slack": _clean(e.supply[r, f] - used[r, f]),
        "price": _clean(price[r, f]),
    })


def _factor_table(e: Economy, lp: LinearProgram, levels: np.ndarray,
                  dual: np.ndarray) -> pd.DataFrame:
    block = lp.row_blocks["factor"]
    price = np.zeros((len(e.regions), len(e.factors)))
    price[block.labels["region"], block.labels["factor"]] = -dual[block.slice]
    return factor_table(e, levels, price)


def _link_table(e: Economy, lp: LinearProgram, x: np.ndarray,
                dual: np.ndarray) -> pd.DataFrame:
    """Every link: loss, capacity, units sent, and the price of a unit more capacity."""
    ship = lp.col_blocks["shipment"]
    L = len(e.link_origin)
    load = np.bincount(ship.labels["link"], weights=x[ship.slice], minlength=L) if L else (
        np.zeros(0))
    block = lp.row_blocks["link"]
    price = np.zeros(L)
    price[block.labels["link"]] = -dual[block.slice]
    return pd.DataFrame({
        "origin": e.regions.to_numpy()[e.link_origin],
        "destination": e.regions.to_numpy()[e.link_destination],
        "loss": e.link_loss,
        "capacity": e.link_capacity,
        "sent": _clean(load),
        "price": _clean(price),
    })
