"""The scenario tables of ../shared/DESIGN.md: their names, columns and kinds of values.

This module is the single description of the file contract; reading, validation and writing
all follow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a column holds."""

    ID = "id"  # a non-blank string
    TEXT = "text"  # free text, may be blank
    AMOUNT = "amount"  # a finite number >= 0
    FRACTION = "fraction"  # a number in [0, 1)
    BOOL = "bool"  # true/false, yes/no, 1/0
    SHARE = "share"  # a number in [0, 1]
    RATE = "rate"  # a finite number > -1 (a yearly growth rate)
    YEAR = "year"  # a whole number (a calendar year)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    required: bool
    key: tuple[str, ...]  # columns whose combination must be unique
    key_when_present: tuple[str, ...] = ()  # optional columns that join the key when given

    def key_of(self, columns: object) -> tuple[str, ...]:
        """The key of a table holding ``columns``: ``key`` plus the optional key columns
        present (``year`` in supplies and targets)."""
        present = set(columns)  # type: ignore[call-overload]
        return self.key + tuple(c for c in self.key_when_present if c in present)

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, kind: Kind, required: bool = True) -> Column:
    return Column(name, kind, required)


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "products",
            (
                _c("product", Kind.ID),
                _c("name", Kind.TEXT, False),
                _c("unit", Kind.TEXT, False),
                _c("branch", Kind.TEXT, False),
                _c("tradable", Kind.BOOL, False),
            ),
            required=True,
            key=("product",),
        ),
        TableSpec(
            "regions",
            (
                _c("region", Kind.ID),
                _c("name", Kind.TEXT, False),
                _c("council", Kind.TEXT, False),
                _c("population", Kind.AMOUNT, False),
            ),
            required=True,
            key=("region",),
        ),
        TableSpec(
            "factors",
            (_c("factor", Kind.ID), _c("name", Kind.TEXT, False), _c("unit", Kind.TEXT, False)),
            required=False,
            key=("factor",),
        ),
        TableSpec(
            "techniques",
            (
                _c("technique", Kind.ID),
                _c("region", Kind.ID),
                _c("product", Kind.ID),
                _c("capacity", Kind.AMOUNT, False),
            ),
            required=True,
            key=("technique",),
        ),
        TableSpec(
            "inputs",
            (_c("technique", Kind.ID), _c("input", Kind.ID), _c("amount", Kind.AMOUNT)),
            required=True,
            key=("technique", "input"),
        ),
        TableSpec(
            "supplies",
            (_c("region", Kind.ID), _c("factor", Kind.ID), _c("amount", Kind.AMOUNT),
             _c("year", Kind.YEAR, False)),
            required=False,
            key=("region", "factor"),
            key_when_present=("year",),
        ),
        TableSpec(
            "targets",
            (
                _c("region", Kind.ID),
                _c("product", Kind.ID),
                _c("amount", Kind.AMOUNT),
                _c("weight", Kind.AMOUNT, False),
                _c("year", Kind.YEAR, False),
            ),
            required=True,
            key=("region", "product"),
            key_when_present=("year",),
        ),
        TableSpec(
            "links",
            (
                _c("origin", Kind.ID),
                _c("destination", Kind.ID),
                _c("loss", Kind.FRACTION, False),
                _c("capacity", Kind.AMOUNT, False),
            ),
            required=False,
            key=("origin", "destination"),
        ),
        # multi-year scenarios (../shared/DESIGN.md, "Multi-year scenarios")
        TableSpec(
            "capital",
            (
                _c("technique", Kind.ID),
                _c("good", Kind.ID),
                _c("amount", Kind.AMOUNT),
                _c("stock", Kind.AMOUNT, False),
                _c("depreciation", Kind.SHARE, False),
            ),
            required=False,
            key=("technique", "good"),
        ),
        TableSpec(
            "growth",
            (_c("region", Kind.ID), _c("factor", Kind.ID), _c("rate", Kind.RATE)),
            required=False,
            key=("region", "factor"),
        ),
        TableSpec(
            "priorities",
            (
                _c("priority", Kind.ID),
                _c("region", Kind.ID),
                _c("product", Kind.ID),
                _c("amount", Kind.AMOUNT),
            ),
            required=False,
            key=("priority", "region", "product"),
        ),
        TableSpec(
            "factions",
            (_c("faction", Kind.ID), _c("priority", Kind.ID), _c("weight", Kind.AMOUNT)),
            required=False,
            key=("faction", "priority"),
        ),
        TableSpec(
            "members",
            (
                _c("body", Kind.ID),
                _c("member", Kind.ID),
                _c("faction", Kind.ID),
                _c("vote", Kind.TEXT, False),
            ),
            required=False,
            key=("body", "member"),
        ),
    )
}

YEARLY_TABLES: tuple[str, ...] = ("supplies", "targets")
"""Tables whose rows may name a year (rows without one hold every year)."""
HORIZON_TABLES: tuple[str, ...] = ("capital", "growth")
"""Tables that only a multi-year scenario (one with a [horizon]) may have."""
VOTES = ("full", "candidate")
"""members.csv ``vote``: full members vote (the default when blank); candidates do not."""

TABLE_ORDER: tuple[str, ...] = tuple(TABLES)

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})
