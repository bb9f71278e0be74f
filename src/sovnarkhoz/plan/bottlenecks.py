"""Which constraints hold the plan back: binding factors, links and capacities by price."""

from __future__ import annotations

import numpy as np
import pandas as pd

PRICE_FLOOR = 1e-9
"""Shadow prices at or below this count as zero (not binding in value)."""


def bottlenecks(factors: pd.DataFrame, links: pd.DataFrame, activities: pd.DataFrame,
                limit: int | None = None) -> pd.DataFrame:
    """Binding constraints with a positive shadow price, highest price first.

    Columns: kind (factor, link, capacity), where (region, link or technique), what (factor
    or product), price (improvement of the objective per extra unit), limit (the supply or
    capacity), used.
    """
    parts = []
    f = factors[factors["price"] > PRICE_FLOOR]
    parts.append(pd.DataFrame({"kind": "factor", "where": f["region"], "what": f["factor"],
                               "price": f["price"], "limit": f["supply"], "used": f["used"]}))
    if len(links):
        k = links[links["price"] > PRICE_FLOOR]
        parts.append(pd.DataFrame({"kind": "link", "where": k["origin"] + "->" + k["destination"],
                                   "what": "shipping", "price": k["price"], "limit": k["capacity"],
                                   "used": k["sent"]}))
    if "capacity_price" in activities.columns:
        a = activities[activities["capacity_price"] > PRICE_FLOOR]
        parts.append(pd.DataFrame({"kind": "capacity", "where": a["technique"],
                                   "what": a["product"], "price": a["capacity_price"],
                                   "limit": a["capacity"], "used": a["level"]}))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in
                             (("kind", "str"), ("where", "str"), ("what", "str"),
                              ("price", np.float64), ("limit", np.float64),
                              ("used", np.float64))})
    table = pd.concat(parts, ignore_index=True).sort_values("price", ascending=False,
                                                            kind="stable")
    table = table.reset_index(drop=True)
    return table if limit is None else table.head(limit)
