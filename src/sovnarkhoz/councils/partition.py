"""Who plans what: the columns of the planning LP shared out among councils.

territorial: one council per ``council`` value of regions.csv (default one per region); a
    council runs the techniques of its regions and sends what leaves them.
branch: one ministry per ``branch`` of products.csv (default one per product); a ministry runs
    its products' techniques in every region and ships its products.
central: everyone in one council (the centre's own plan, for comparison).
The λ columns (one for max-fulfilment, one a year for max-total-fulfilment) belong to the
centre. Over a horizon the activities and shipments of every year go by their technique's
region (product) as in one year, and a technique's investment and installed capital stock go
to the council that runs the technique.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..formulation.program import LinearProgram
from ..scenario.model import Scenario

ORGANISATIONS = ("central", "territorial", "branch")


@dataclass(frozen=True)
class Partition:
    """owner: (n,) council of each LP column, or -1 for the centre's own columns (λ)."""

    names: list[str]
    owner: np.ndarray

    @property
    def count(self) -> int:
        return len(self.names)


def _groups(table: pd.DataFrame, column: str, id_column: str) -> tuple[np.ndarray, list[str]]:
    """Group code of each row by ``column``, a blank or absent value meaning the row's own id;
    and the group names in order of first appearance."""
    ids = table[id_column]
    group = (table[column].where(table[column].str.strip() != "", ids)
             if column in table.columns else ids)
    codes, uniques = pd.factorize(group)
    return codes, [str(u) for u in uniques]


def council_count(scenario: Scenario, organisation: str) -> int:
    """How many councils ``organisation`` makes of ``scenario`` (as ``partition`` would)."""
    if organisation == "central":
        return 1
    if organisation == "territorial":
        return len(_groups(scenario.regions, "council", "region")[1])
    if organisation == "branch":
        return len(_groups(scenario.products, "branch", "product")[1])
    raise ValueError(f"unknown organisation {organisation!r}; choose one of "
                     f"{', '.join(ORGANISATIONS)}")


def partition(scenario: Scenario, lp: LinearProgram, organisation: str) -> Partition:
    """Owner of every column of ``lp`` (the single-year LP or the multi-year one)."""
    if organisation not in ORGANISATIONS:
        raise ValueError(f"unknown organisation {organisation!r}; choose one of "
                         f"{', '.join(ORGANISATIONS)}")
    e = scenario.economy
    if organisation == "central":
        names = ["centre"]
        tech_group = np.zeros(len(e.techniques), dtype=np.int64)
        link_group = np.zeros(len(e.link_origin), dtype=np.int64)
        product_group = None
    elif organisation == "territorial":
        codes, names = _groups(scenario.regions, "council", "region")
        tech_group = codes[e.tech_region]
        link_group = codes[e.link_origin]  # the sender ships
        product_group = None
    else:
        codes, names = _groups(scenario.products, "branch", "product")
        tech_group = codes[e.tech_product]
        link_group = None
        product_group = codes  # a ministry ships its products
    owner = np.full(lp.data.num_cols, -1, dtype=np.int64)
    for name in ("activity", "investment", "installed"):  # columns of one technique each
        block = lp.col_blocks.get(name)
        if block is not None:
            owner[block.slice] = tech_group[block.labels["technique"]]
    shipment = lp.col_blocks["shipment"]
    owner[shipment.slice] = (link_group[shipment.labels["link"]] if link_group is not None
                             else product_group[shipment.labels["product"]])
    return Partition(names=names, owner=owner)
