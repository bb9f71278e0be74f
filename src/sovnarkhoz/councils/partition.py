"""Who plans what: the columns of the planning LP shared out among councils.

territorial: one council per ``council`` value of regions.csv (default one per region); a
    council runs the techniques of its regions and sends what leaves them.
branch: one ministry per ``branch`` of products.csv (default one per product); a ministry runs
    its products' techniques in every region and ships its products.
central: everyone in one council (the centre's own plan, for comparison).
The single λ column (max-fulfilment) belongs to the centre.
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


def partition(scenario: Scenario, lp: LinearProgram, organisation: str) -> Partition:
    if organisation not in ORGANISATIONS:
        raise ValueError(f"unknown organisation {organisation!r}; choose one of "
                         f"{', '.join(ORGANISATIONS)}")
    e = scenario.economy
    activity = lp.col_blocks["activity"]
    shipment = lp.col_blocks["shipment"]
    if organisation == "central":
        group_of_region = np.zeros(len(e.regions), dtype=np.int64)
        names = ["centre"]
        tech_group = group_of_region[e.tech_region]
        ship_group = np.zeros(shipment.size, dtype=np.int64)
    elif organisation == "territorial":
        codes, names = _groups(scenario.regions, "council", "region")
        tech_group = codes[e.tech_region]
        ship_group = codes[e.link_origin[shipment.labels["link"]]]
    else:
        codes, names = _groups(scenario.products, "branch", "product")
        tech_group = codes[e.tech_product]
        ship_group = codes[shipment.labels["product"]]
    owner = np.full(lp.data.num_cols, -1, dtype=np.int64)
    owner[activity.slice] = tech_group
    owner[shipment.slice] = ship_group
    return Partition(names=names, owner=owner)
