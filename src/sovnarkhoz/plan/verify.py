"""Check a plan against the scenario's own tables, independently of the solver.

Nothing here reads the LP matrix, the solver or the formulation: every balance, supply,
capacity and link constraint is recomputed from ``scenario.tables`` and the plan's tables
(``activities`` and ``deliveries``) with pandas joins and group sums. A plan's claim about
λ (the share of every target met) is checked by requiring λ x amount in each balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..arrowtext import is_in

RELATIVE_TOLERANCE = 1e-6
"""A plan passes when no constraint is violated by more than this, relative to its scale
(the larger of 1 and the sum of magnitudes of the terms in it)."""


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

    @property
    def passed(self) -> bool:
        return bool(self.max_relative_violation <= self.tolerance)

    def as_dict(self) -> dict[str, object]:
        return {"passed": self.passed, "max_violation": self.max_violation,
                "max_relative_violation": self.max_relative_violation, "worst": self.worst,
                "by_kind": self.by_kind, "tolerance": self.tolerance}

    def _record(self, kind: str, violation: np.ndarray, scale: np.ndarray,
                names: pd.Series | np.ndarray) -> None:
        violation = np.nan_to_num(np.asarray(violation, dtype=np.float64), nan=np.inf)
        if violation.size == 0:
            self.by_kind.setdefault(kind, 0.0)
            return
        relative = violation / np.maximum(1.0, np.asarray(scale, dtype=np.float64))
        worst = int(np.argmax(relative))
        self.by_kind[kind] = max(self.by_kind.get(kind, 0.0), float(max(violation.max(), 0.0)))
        self.max_violation = max(self.max_violation, float(max(violation.max(), 0.0)))
        if relative[worst] > self.max_relative_violation:
            self.max_relative_violation = float(relative[worst])
            self.worst = f"{kind} {np.asarray(names)[worst]} (by {violation[worst]:.3g})"


def verify(
    tables: dict[str, pd.DataFrame],
    activities: pd.DataFrame,
    deliveries: pd.DataFrame,
    fulfilment: float,
    tolerance: float = RELATIVE_TOLERANCE,
) -> Verification:
    """Recompute every scenario constraint for a plan.

    tables : the scenario's tables (``Scenario.tables``).
    activities : technique, level (one row per technique; a missing technique counts as 0).
    deliveries : origin, destination, product, sent (missing rows count as nothing sent).
    fulfilment : the λ the plan claims: every target must be met at λ x amount.
    """
    result = Verification(tolerance=tolerance)
    techniques = tables["techniques"]
    level = (activities.drop_duplicates("technique").set_index("technique")["level"]
             .reindex(techniques["technique"]).fillna(0.0).to_numpy(dtype=np.float64))
    names = techniques["technique"].to_numpy()
    result._record("activity >= 0", np.maximum(-level, 0.0), np.abs(level), names)
    if "capacity" in techniques.columns:
        capacity = techniques["capacity"].to_numpy(dtype=np.float64)
        over = np.where(np.isnan(capacity), 0.0, level - np.nan_to_num(capacity, nan=0.0))
        result._record("capacity", np.maximum(over, 0.0), np.nan_to_num(capacity), names)

    flows = _checked_deliveries(tables, deliveries, result)

    # balance of every region and product: made - used + received - sent >= lambda * target
    made = pd.DataFrame({"region": techniques["region"], "product": techniques["product"],
                         "amount": level})
    inputs = tables["inputs"].merge(techniques[["technique", "region"]], on="technique")
    inputs = inputs.assign(level=_level_of(inputs["technique"], techniques, level))
    used_products = inputs[is_in(inputs["input"], tables["products"]["product"])]
    used = pd.DataFrame({"region": used_products["region"], "product": used_products["input"],
                         "amount": -used_products["amount"] * used_products["level"]})
    arrived = pd.DataFrame({"region": flows["destination"], "product": flows["product"],
                            "amount": flows["arrives"]})
    departed = pd.DataFrame({"region": flows["origin"], "product": flows["product"],
                             "amount": -flows["sent"]})
    targets = tables["targets"]
    required = pd.DataFrame({"region": targets["region"], "product": targets["product"],
                             "amount": -fulfilment * targets["amount"]})
    terms = pd.concat([made, used, arrived, departed, required], ignore_index=True)
    terms = terms.assign(size=terms["amount"].abs())
    balance = terms.groupby(["region", "product"], sort=False)[["amount", "size"]].sum()
    labels = balance.index.get_level_values(0).astype(str) + "/" + balance.index.get_level_values(1)
    result._record("balance", np.maximum(-balance["amount"].to_numpy(), 0.0),
                   balance["size"].to_numpy(), np.asarray(labels))

    # factor supplies
    used_factors = inputs[is_in(inputs["input"], tables["factors"]["factor"])]
    use = (pd.DataFrame({"region": used_factors["region"], "factor": used_factors["input"],
                         "used": used_factors["amount"] * used_factors["level"]})
           .groupby(["region", "factor"], sort=False)["used"].sum().reset_index())
    supplies = tables["supplies"][["region", "factor", "amount"]]
    use = use.merge(supplies, on=["region", "factor"], how="left").fillna({"amount": 0.0})
    result._record("factor supply", np.maximum(use["used"] - use["amount"], 0.0),
                   use["used"].to_numpy(), (use["region"] + "/" + use["factor"]).to_numpy())

    # link capacities
    links = tables["links"]
    if len(links) and "capacity" in links.columns and len(flows):
        load = flows.groupby(["origin", "destination"], sort=False)["sent"].sum().reset_index()
        load = load.merge(links[["origin", "destination", "capacity"]],
                          on=["origin", "destination"], how="inner")
        over = (load["sent"] - load["capacity"]).where(load["capacity"].notna(), 0.0)
        result._record("link capacity", np.maximum(over.to_numpy(), 0.0), load["sent"].to_numpy(),
                       (load["origin"] + "->" + load["destination"]).to_numpy())
    return result


def _level_of(technique: pd.Series, techniques: pd.DataFrame, level: np.ndarray) -> np.ndarray:
    position = pd.Index(techniques["technique"]).get_indexer(technique)
    return level[position]


def _checked_deliveries(tables: dict[str, pd.DataFrame], deliveries: pd.DataFrame,
                        result: Verification) -> pd.DataFrame:
    """Deliveries with the quantity that arrives recomputed from the link's loss; records
    shipments on routes that are not links, of products that cannot travel, or negative."""
    flows = deliveries[["origin", "destination", "product", "sent"]].copy()
    if "received" in deliveries.columns:
        flows["received"] = deliveries["received"].to_numpy()
    links = tables["links"]
    link_cols = ["origin", "destination"] + (["loss"] if "loss" in links.columns else [])
    flows = flows.merge(links[link_cols], on=["origin", "destination"], how="left",
                        indicator="route")
    loss = flows["loss"].fillna(0.0) if "loss" in flows.columns else 0.0
    on_link = (flows["route"] == "both").to_numpy()
    sent = flows["sent"].to_numpy(dtype=np.float64)
    label = (flows["origin"] + "->" + flows["destination"] + "/" + flows["product"]).to_numpy()
    result._record("shipment on a link", np.where(on_link, 0.0, np.abs(sent)), np.abs(sent), label)
    products = tables["products"]
    tradable = (products.set_index("product")["tradable"] if "tradable" in products.columns
                else pd.Series(True, index=products["product"]))
    can_travel = tradable.reindex(flows["product"]).fillna(False).to_numpy(dtype=bool)
    result._record("tradable shipment", np.where(can_travel, 0.0, np.abs(sent)), np.abs(sent),
                   label)
    result._record("shipment >= 0", np.maximum(-sent, 0.0), np.abs(sent), label)
    flows["arrives"] = np.where(on_link, sent * (1.0 - np.asarray(loss)), 0.0)
    if "received" in flows.columns:
        result._record("received = sent x (1 - loss)",
                       np.abs(flows["received"].to_numpy(dtype=np.float64) - flows["arrives"]),
                       np.abs(sent), label)
    return flows
