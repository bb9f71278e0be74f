"""An economy as integer-indexed arrays: what the formulation and the solvers work from.

Every id is replaced by its position in ``products``, ``regions``, ``factors`` or
``techniques``; inputs are split into product inputs and factor inputs (coordinate lists), a
product input carrying the region whose pool supplies it (inputs.csv's ``origin``, else the
technique's own region).
Built from id positions hashed by pyarrow (see ``codes``): no Python loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codes import IdCodes


@dataclass(frozen=True)
class Economy:
    """Shapes: P products, R regions, F factors, T techniques, L links, Q targets.

    Units are the user's own; ``inf`` marks an absent capacity.
    """

    products: pd.Index  # (P,) product ids
    regions: pd.Index  # (R,) region ids
    factors: pd.Index  # (F,) factor ids
    techniques: pd.Index  # (T,) technique ids
    tradable: np.ndarray  # (P,) bool
    tech_region: np.ndarray  # (T,) int
    tech_product: np.ndarray  # (T,) int
    tech_capacity: np.ndarray  # (T,) float, inf when unbounded
    use_tech: np.ndarray  # (U,) int technique of each product input
    use_product: np.ndarray  # (U,) int product used
    use_amount: np.ndarray  # (U,) float units per unit of activity
    use_region: np.ndarray  # (U,) int region whose pool supplies it (its origin, else the
    #                         technique's region)
    need_tech: np.ndarray  # (N,) int technique of each factor input
    need_factor: np.ndarray  # (N,) int factor used
    need_amount: np.ndarray  # (N,) float units per unit of activity
    supply: np.ndarray  # (R, F) float, 0 where not supplied
    target_region: np.ndarray  # (Q,) int
    target_product: np.ndarray  # (Q,) int
    target_amount: np.ndarray  # (Q,) float
    target_weight: np.ndarray  # (Q,) float, 1 when not given
    link_origin: np.ndarray  # (L,) int
    link_destination: np.ndarray  # (L,) int
    link_loss: np.ndarray  # (L,) float in [0, 1)
    link_capacity: np.ndarray  # (L,) float, inf when unbounded

    @property
    def shape(self) -> dict[str, int]:
        return {"products": len(self.products), "regions": len(self.regions),
                "factors": len(self.factors), "techniques": len(self.techniques),
                "links": len(self.link_origin), "targets": len(self.target_amount),
                "inputs": len(self.use_amount) + len(self.need_amount)}

    @classmethod
    def from_tables(cls, tables: dict[str, pd.DataFrame], codes: IdCodes | None = None
                    ) -> Economy:
        """Index validated tables (see :class:`~sovnarkhoz.scenario.Scenario`); ``codes``
        reuses the id positions validation already computed."""
        codes = codes or IdCodes(tables)
        products = pd.Index(tables["products"]["product"], name="product")
        regions = pd.Index(tables["regions"]["region"], name="region")
        factors = pd.Index(tables["factors"]["factor"], name="factor")
        tech = tables["techniques"]
        techniques = pd.Index(tech["technique"], name="technique")
        inputs = tables["inputs"]
        tech_of_input = codes.reference("inputs", "technique")
        as_product, as_factor = codes.input_kind()
        amount = inputs["amount"].to_numpy(dtype=np.float64)
        is_product = as_product >= 0
        is_factor = as_factor >= 0
        supplies = tables["supplies"]
        supply = np.zeros((len(regions), len(factors)))
        if len(supplies):
            supply[codes.reference("supplies", "region"), codes.reference("supplies", "factor")] = (
                supplies["amount"].to_numpy(dtype=np.float64))
        targets = tables["targets"]
        links = tables["links"]
        tradable = tables["products"].get("tradable")
        tech_region = codes.reference("techniques", "region")
        pool = tech_region[tech_of_input]
        if "origin" in inputs.columns:
            origin = codes.reference("inputs", "origin")
            pool = np.where(origin >= 0, origin, pool)
        return cls(
            products=products,
            regions=regions,
            factors=factors,
            techniques=techniques,
            tradable=np.ones(len(products), bool) if tradable is None else tradable.to_numpy(bool),
            tech_region=tech_region,
            tech_product=codes.reference("techniques", "product"),
            tech_capacity=_or_inf(tech, "capacity"),
            use_tech=tech_of_input[is_product],
            use_product=as_product[is_product],
            use_amount=amount[is_product],
            use_region=pool[is_product],
            need_tech=tech_of_input[is_factor],
            need_factor=as_factor[is_factor],
            need_amount=amount[is_factor],
            supply=supply,
            target_region=codes.reference("targets", "region"),
            target_product=codes.reference("targets", "product"),
            target_amount=targets["amount"].to_numpy(dtype=np.float64),
            target_weight=_or_value(targets, "weight", 1.0),
            link_origin=codes.reference("links", "origin"),
            link_destination=codes.reference("links", "destination"),
            link_loss=_or_value(links, "loss", 0.0),
            link_capacity=_or_inf(links, "capacity"),
        )


def _or_value(frame: pd.DataFrame, column: str, default: float) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), default)
    values = frame[column].to_numpy(dtype=np.float64)
    return np.where(np.isnan(values), default, values)


def _or_inf(frame: pd.DataFrame, column: str) -> np.ndarray:
    return _or_value(frame, column, np.inf)
