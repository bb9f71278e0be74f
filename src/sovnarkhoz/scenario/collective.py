"""The collective-decision tables: priorities, factions and the bodies' members.

``priorities.csv`` holds bundles of final demand delivered at a level λ_q on top of the
targets; ``factions.csv`` says how much each faction values a unit of each λ_q;
``members.csv`` seats members of bodies in factions, with a vote (``full``) or without
(``candidate``). Here: the checks across these tables (known ids are checked with the
other references in :mod:`.checks`), and the priorities as integer-indexed arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codes import IdCodes
from .errors import Issue, IssueList
from .files import RawTable
from .parse import report_rows
from .schema import VOTES


def check_collective(raws: dict[str, RawTable], frames: dict[str, pd.DataFrame],
                     issues: IssueList) -> None:
    """Votes are full or candidate; every body has a full member; every priority asks for
    something (a bundle of zeros would make its level unbounded)."""
    members = frames.get("members")
    if members is not None and len(members) and "members" in raws:
        vote = vote_column(members)
        bad = ~np.isin(vote, ("",) + VOTES)
        if bad.any():
            report_rows(issues, raws["members"], bad, "vote",
                        "must be full (votes; the default when blank) or candidate (sits "
                        "without a vote)")
        full = np.isin(vote, ("", "full"))
        bodies = members["body"]
        has_full = pd.Series(full).groupby(bodies.to_numpy(), sort=False).any()
        for body in has_full.index[~has_full.to_numpy()]:
            first = np.flatnonzero((bodies == body).to_numpy())[:1]
            report_rows(issues, raws["members"], np.isin(np.arange(len(members)), first),
                        "body", "this body has no full member: nobody in it can vote")
    priorities = frames.get("priorities")
    if priorities is not None and len(priorities) and "priorities" in raws:
        positive = (priorities["amount"].to_numpy(dtype=np.float64) > 0)
        asks = pd.Series(positive).groupby(priorities["priority"].to_numpy(), sort=False).any()
        for priority in asks.index[~asks.to_numpy()]:
            first = np.flatnonzero((priorities["priority"] == priority).to_numpy())[:1]
            report_rows(issues, raws["priorities"],
                        np.isin(np.arange(len(priorities)), first), "priority",
                        "this priority has no positive amount: its level would be unbounded")
    factions, members = frames.get("factions"), frames.get("members")
    if (members is not None and len(members) and (factions is None or not len(factions))
            and "members" in raws and not issues):
        issues.add(Issue(raws["members"].file, "members.csv seats members in factions, but "
                         "factions.csv is missing or empty"))


def vote_column(members: pd.DataFrame) -> np.ndarray:
    """(rows,) the members' votes in lower case, blank where not given."""
    if "vote" not in members.columns:
        return np.full(len(members), "", dtype=object)
    return members["vote"].fillna("").astype("str").str.strip().str.lower().to_numpy(
        dtype=object)


@dataclass(frozen=True)
class Bundles:
    """The priorities as arrays. Shapes: B priorities, K bundle rows.

    ``priority_of[k]`` indexes ``priorities``; region and product index the economy's
    regions and products; amounts are in the product's own units per unit of λ.
    """

    priorities: pd.Index  # (B,) priority ids, in order of first appearance
    priority_of: np.ndarray  # (K,) int
    region: np.ndarray  # (K,) int
    product: np.ndarray  # (K,) int
    amount: np.ndarray  # (K,) float

    @classmethod
    def from_tables(cls, tables: dict[str, pd.DataFrame], codes: IdCodes | None = None,
                    only: list[str] | None = None) -> Bundles:
        """The bundles of ``tables['priorities']``; ``only`` keeps these priorities, in
        this order (a KeyError names one that is not listed)."""
        codes = codes or IdCodes(tables)
        frame = tables["priorities"]
        ids, first = np.unique(frame["priority"].to_numpy(dtype=object), return_index=True)
        order = pd.Index(ids[np.argsort(first)], name="priority")
        if only is not None:
            missing = [q for q in only if q not in order]
            if missing:
                raise KeyError(f"unknown priorit{'ies' if len(missing) > 1 else 'y'} "
                               f"{', '.join(missing)}; priorities.csv lists "
                               f"{', '.join(order)}")
            order = pd.Index(list(only), name="priority")
        priority_of = order.get_indexer(frame["priority"])
        keep = priority_of >= 0
        return cls(priorities=order, priority_of=priority_of[keep].astype(np.int64),
                   region=codes.reference("priorities", "region")[keep],
                   product=codes.reference("priorities", "product")[keep],
                   amount=frame["amount"].to_numpy(dtype=np.float64)[keep])
