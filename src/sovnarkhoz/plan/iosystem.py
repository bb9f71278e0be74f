"""A plan back to pymrio: the planned economy as an IOSystem (Z, Y, x and the factors as a
satellite account), so that pymrio's footprints and multipliers run on a plan.

Rows and columns are (region, sector) pairs, the scenario's regions and products; a column's
flows are those of every technique making that product in that region (one technique each in
an imported table). Where an input comes from:

- an input with an ``origin`` (fixed trade) comes from that region;
- an input drawn from a region's pool (and final use there) comes from the regions whose
  goods fill that pool, in proportion (the proportionality assumption of MRIO
  construction): pool r of product p holds what r makes and what arrives on links, and what
  arrives carries the mix of the pool it left. Per product, the mix solves
  C = diag(made) + C G, G[o, r] the share of pool o's goods that arrives in pool r
  (a batched solve over products, no loop).

Y holds, for each region, its pool's net availability (made − used + received − sent: the
targets met and any surplus) as category ``final demand``, and goods lost on links as
``lost in transport`` in the destination; so x = Z·1 + Y·1 row by row, exactly. Units: the
products' and factors' own (products.csv and factors.csv ``unit``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..arrowtext import positions
from ..scenario.model import Scenario

FINAL = "final demand"
LOST = "lost in transport"


def _for_year(frame: pd.DataFrame, year: int | None) -> pd.DataFrame:
    if year is None or "year" not in frame.columns:
        return frame
    return frame[frame["year"].astype(np.int64) == int(year)]


def _pool_mix(made: np.ndarray, sent: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """(P, R, R) share[p, o, r] of pool r's product p made in region o.

    made (R, P); sent (R, R, P) units sent from origin to destination; kept (R, R) 1 − loss.
    """
    received = sent * kept[:, :, None]
    inflow = made + received.sum(axis=0)  # (R, P)
    safe = np.where(inflow > 0, inflow, 1.0)
    G = np.transpose(received / safe[:, None, :], (2, 0, 1))  # (P, R_from, R_to)
    R = made.shape[0]
    K = np.linalg.solve(np.eye(R)[None] - G, np.broadcast_to(np.eye(R), G.shape))
    content = made.T[:, :, None] * K  # (P, o, r): goods of pool r made in o
    return np.where(inflow.T[:, None, :] > 0, content / safe.T[:, None, :], 0.0)


def to_pymrio(plan: Any, scenario: Scenario, year: int | None = None,
              name: str | None = None) -> Any:
    """The IOSystem of ``plan`` (a plan of ``scenario``; over a horizon, of ``year``)."""
    import pymrio

    if plan.horizon is not None and year is None:
        raise ValueError("a plan over years: say which year with year=")
    e = scenario.economy
    R, P = len(e.regions), len(e.products)
    n = R * P
    activities = _for_year(plan.activities, year)
    levels = np.zeros(len(e.techniques))
    where = positions(activities["technique"], pd.Series(e.techniques))
    levels[where[where >= 0]] = activities["level"].to_numpy(np.float64)[where >= 0]
    column = e.tech_region.astype(np.int64) * P + e.tech_product  # (T,) its (region, sector)
    made = np.bincount(column, weights=levels, minlength=n).reshape(R, P)

    sent = np.zeros((R, R, P))
    deliveries = _for_year(plan.deliveries, year)
    if len(deliveries):
        o = positions(deliveries["origin"], pd.Series(e.regions))
        d = positions(deliveries["destination"], pd.Series(e.regions))
        p = positions(deliveries["product"], pd.Series(e.products))
        np.add.at(sent, (o, d, p), deliveries["sent"].to_numpy(np.float64))
    kept = np.ones((R, R))
    kept[e.link_origin, e.link_destination] = 1.0 - e.link_loss
    share = _pool_mix(made, sent, kept)  # (P, o, r)

    # W[(pool, p), col]: what each column draws from each pool; Z = mix @ W
    use = e.use_amount * levels[e.use_tech]
    W = sp.csr_matrix((use, (e.use_region.astype(np.int64) * P + e.use_product,
                             column[e.use_tech])), shape=(n, n))
    pp, oo, rr = np.nonzero(share)
    mix = sp.csr_matrix((share[pp, oo, rr], (oo * P + pp, rr * P + pp)), shape=(n, n))
    Z = (mix @ W).toarray()

    drawn = np.asarray(W.sum(axis=1)).reshape(R, P)
    net = made + (sent * kept[:, :, None]).sum(axis=0) - drawn - sent.sum(axis=1)  # (R, P)
    final = np.einsum("por,rp->opr", share, net).reshape(n, R)  # Y[(o, p), r]
    lost = np.einsum("pos,sdp->opd", share, sent * (1.0 - kept)[:, :, None]).reshape(n, R)

    regions = [str(r) for r in e.regions]
    products = [str(p) for p in e.products]
    index = pd.MultiIndex.from_product([regions, products], names=["region", "sector"])
    categories = [FINAL, LOST] if lost.any() else [FINAL]
    blocks = [final, lost] if lost.any() else [final]
    Y = pd.DataFrame(np.stack(blocks, axis=2).reshape(n, R * len(blocks)), index=index,
                     columns=pd.MultiIndex.from_product([regions, categories],
                                                        names=["region", "category"]))
    product_units = _units(scenario.tables["products"], "product", products)
    unit = pd.DataFrame({"unit": np.tile(product_units, R)}, index=index)
    F = np.zeros((len(e.factors), n))
    np.add.at(F, (e.need_factor, column[e.need_tech]), e.need_amount * levels[e.need_tech])
    factor_ids = [str(f) for f in e.factors]
    factor_index = pd.Index(factor_ids, name="factor")
    extensions = {}
    if factor_ids:
        extensions["factors"] = {
            "name": "Factors",
            "F": pd.DataFrame(F, index=factor_index, columns=index),
            "unit": pd.DataFrame({"unit": _units(scenario.tables["factors"], "factor",
                                                 factor_ids)}, index=factor_index)}
    return pymrio.IOSystem(
        Z=pd.DataFrame(Z, index=index, columns=index), Y=Y,
        x=pd.DataFrame({"indout": made.ravel()}, index=index), unit=unit,
        name=name or f"plan of {scenario.name}", year=year,
        description=f"the planned economy of {scenario.name} ({plan.objective}) by sovnarkhoz",
        **extensions)


def _units(table: pd.DataFrame, key: str, ids: list[str]) -> list[str]:
    if "unit" not in table.columns:
        return [""] * len(ids)
    units = table.set_index(key)["unit"].astype("str").reindex(ids)
    return units.fillna("").tolist()
