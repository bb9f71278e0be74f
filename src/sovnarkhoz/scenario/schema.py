"""The scenario tables of the file contract (../shared/DESIGN.md): their names, columns,
kinds of values, defaults, units and meanings.

This module is the single description of the file contract; reading, validation and writing
all follow it, and docs/scenario-format.md's column tables are rendered from it
(:mod:`.formatdoc`: ``python -m sovnarkhoz.scenario.formatdoc docs/scenario-format.md``
rewrites them, and tests/test_scenario_format.py fails when they differ).
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
    STATUS = "status"  # cited or estimate (where a figure comes from), may be blank


KIND_MEANINGS: dict[Kind, str] = {
    Kind.ID: "text naming a row; never blank (blank in an optional column: its default)",
    Kind.TEXT: "free text; may be blank",
    Kind.AMOUNT: "a finite number >= 0",
    Kind.FRACTION: "a number in [0, 1)",
    Kind.BOOL: "true/false, t/f, yes/no, y/n or 1/0 (any case); blank means true",
    Kind.SHARE: "a number in [0, 1]",
    Kind.RATE: "a finite number > -1",
    Kind.YEAR: "a whole number, a calendar year",
    Kind.STATUS: "`cited` or `estimate` (any case); blank: not stated",
}
"""What each kind of column accepts (as validation checks it)."""


@dataclass(frozen=True)
class Column:
    """One column: ``default`` is what a blank or absent optional cell means, ``unit`` what
    its numbers count, ``meaning`` what it says (for docs/scenario-format.md)."""

    name: str
    kind: Kind
    required: bool = True
    default: str = ""
    unit: str = ""
    meaning: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    required: bool
    key: tuple[str, ...]  # columns whose combination must be unique
    key_when_present: tuple[str, ...] = ()  # optional columns that join the key when given
    meaning: str = ""  # what a row says, and which commands and objectives read the table

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


def _c(name: str, kind: Kind, required: bool = True, default: str = "", unit: str = "",
       meaning: str = "") -> Column:
    return Column(name, kind, required, default, unit, meaning)


_PER_YEAR = ("blank: the row holds every year of the [horizon]; a year: that year only, "
             "replacing there the row of the same key without a year (multi-year scenarios "
             "only)")

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "products",
            (
                _c("product", Kind.ID, meaning="the product's id"),
                _c("name", Kind.TEXT, False, meaning="a readable name"),
                _c("unit", Kind.TEXT, False,
                   meaning="the unit its amounts are counted in (descriptive)"),
                _c("branch", Kind.TEXT, False, default="one ministry per product",
                   meaning="the ministry it belongs to (`--organisation branch`)"),
                _c("tradable", Kind.BOOL, False, default="true",
                   meaning="false keeps it in its region: it is never shipped on a link"),
            ),
            required=True,
            key=("product",),
            meaning="goods and services",
        ),
        TableSpec(
            "regions",
            (
                _c("region", Kind.ID, meaning="the region's id"),
                _c("name", Kind.TEXT, False, meaning="a readable name"),
                _c("council", Kind.TEXT, False, default="one council per region",
                   meaning="groups regions under one council (`--organisation territorial`)"),
                _c("population", Kind.AMOUNT, False, unit="people",
                   meaning="descriptive: no objective reads it (targets are absolute "
                           "amounts, not per head)"),
            ),
            required=True,
            key=("region",),
            meaning="territories",
        ),
        TableSpec(
            "factors",
            (_c("factor", Kind.ID, meaning="the factor's id; never also a product's"),
             _c("name", Kind.TEXT, False, meaning="a readable name"),
             _c("unit", Kind.TEXT, False,
                meaning="the unit its amounts are counted in (descriptive)")),
            required=False,
            key=("factor",),
            meaning="primary factors (labour, land, ...): supplied, never produced",
        ),
        TableSpec(
            "techniques",
            (
                _c("technique", Kind.ID, meaning="the technique's id"),
                _c("region", Kind.ID, meaning="the region it works in (regions.csv)"),
                _c("product", Kind.ID, meaning="the product it makes (products.csv)"),
                _c("capacity", Kind.AMOUNT, False, default="unbounded",
                   unit="units of its product",
                   meaning="the most it can make: 0 <= x <= capacity"),
            ),
            required=True,
            key=("technique",),
            meaning="a technique run at level x in its region makes x units of its product, "
                    "at most `capacity`",
        ),
        TableSpec(
            "inputs",
            (_c("technique", Kind.ID, meaning="the technique using it (techniques.csv)"),
             _c("input", Kind.ID, meaning="a product (products.csv) or a factor (factors.csv)"),
             _c("amount", Kind.AMOUNT, unit="units of the input per unit of activity",
                meaning="what one unit of activity uses"),
             _c("origin", Kind.ID, False, default="the technique's region",
                meaning="a product input only: the region (regions.csv) whose pool supplies "
                        "it, drawn from there directly (a delivery fixed by the technology, "
                        "as in a multi-regional input-output table: no link, no loss, "
                        "whatever `tradable` says); the same input may be listed once per "
                        "origin")),
            required=True,
            key=("technique", "input"),
            key_when_present=("origin",),
            meaning="per unit of activity a technique uses `amount` of `input`, a product "
                    "from its region's pool (or the pool of `origin`) or a factor from its "
                    "region's supply",
        ),
        TableSpec(
            "supplies",
            (_c("region", Kind.ID, meaning="where it is available (regions.csv)"),
             _c("factor", Kind.ID, meaning="the factor (factors.csv)"),
             _c("amount", Kind.AMOUNT, unit="units of the factor",
                meaning="how much is available; a region-factor pair with no row has 0"),
             _c("year", Kind.YEAR, False, default="every year", meaning=_PER_YEAR)),
            required=False,
            key=("region", "factor"),
            key_when_present=("year",),
            meaning="factor available in the region (no file: no factor is supplied)",
        ),
        TableSpec(
            "targets",
            (
                _c("region", Kind.ID, meaning="where it is delivered (regions.csv)"),
                _c("product", Kind.ID, meaning="what is delivered (products.csv)"),
                _c("amount", Kind.AMOUNT, unit="units of the product",
                   meaning="final demand to deliver"),
                _c("weight", Kind.AMOUNT, False, default="1",
                   meaning="what the target's harmony counts under max-harmony; every "
                           "other objective and command refuses a weight other than 1"),
                _c("year", Kind.YEAR, False, default="every year", meaning=_PER_YEAR),
            ),
            required=True,
            key=("region", "product"),
            key_when_present=("year",),
            meaning="final demand the plan is to deliver in the region",
        ),
        TableSpec(
            "links",
            (
                _c("origin", Kind.ID, meaning="the region shipped from (regions.csv)"),
                _c("destination", Kind.ID,
                   meaning="the region shipped to; not the origin (regions.csv)"),
                _c("loss", Kind.FRACTION, False, default="0",
                   meaning="the fraction of what is sent that is lost on the way "
                           "(0 <= loss < 1)"),
                _c("capacity", Kind.AMOUNT, False, default="unbounded",
                   unit="units sent, all products together",
                   meaning="bounds the total units shipped on the link"),
            ),
            required=False,
            key=("origin", "destination"),
            meaning="regions may ship tradable products from origin to destination. No file: "
                    "no shipping",
        ),
        # multi-year scenarios (../shared/DESIGN.md, "Multi-year scenarios")
        TableSpec(
            "capital",
            (
                _c("technique", Kind.ID, meaning="the technique needing it (techniques.csv)"),
                _c("good", Kind.ID, meaning="the capital good, a product (products.csv)"),
                _c("amount", Kind.AMOUNT,
                   unit="units of the good installed per unit of activity",
                   meaning="running at level x needs amount·x of `good` installed"),
                _c("stock", Kind.AMOUNT, False, default="0", unit="units of the good",
                   meaning="installed in the first year"),
                _c("depreciation", Kind.SHARE, False, default="0",
                   meaning="the yearly fraction worn out"),
            ),
            required=False,
            key=("technique", "good"),
            meaning="capital stock a technique needs (multi-year scenarios only); new stock "
                    "is output set aside, ready `lag` years later",
        ),
        TableSpec(
            "growth",
            (_c("region", Kind.ID, meaning="the region (regions.csv)"),
             _c("factor", Kind.ID, meaning="the factor (factors.csv)"),
             _c("rate", Kind.RATE, unit="per year (0.02 is 2 %)",
                meaning="supplies given without a year grow to amount·(1 + rate)^(year - "
                        "first)")),
            required=False,
            key=("region", "factor"),
            meaning="yearly growth of supplies given without a year (multi-year scenarios "
                    "only)",
        ),
        TableSpec(
            "priorities",
            (
                _c("priority", Kind.ID, meaning="the priority (bundle) this row belongs to"),
                _c("region", Kind.ID, meaning="where it is delivered (regions.csv)"),
                _c("product", Kind.ID, meaning="what is delivered (products.csv)"),
                _c("amount", Kind.AMOUNT, unit="units of the product per unit of λ_priority",
                   meaning="the bundle's amount; every priority needs one above 0"),
                _c("year", Kind.YEAR, False, default="every year", meaning=_PER_YEAR),
            ),
            required=False,
            key=("priority", "region", "product"),
            key_when_present=("year",),
            meaning="a bundle delivered at level λ_priority on top of the targets, which are "
                    "met in full (read by `frontier` and `decide`; `plan` warns that it "
                    "does not plan them)",
        ),
        TableSpec(
            "factions",
            (_c("faction", Kind.ID, meaning="the faction's id"),
             _c("priority", Kind.ID, meaning="a priority of priorities.csv"),
             _c("weight", Kind.AMOUNT, unit="valuation per unit of λ_priority",
                meaning="what a unit of the priority's level is worth to the faction")),
            required=False,
            key=("faction", "priority"),
            meaning="a faction values a plan at Σ weight × λ_priority (read by `decide`)",
        ),
        TableSpec(
            "members",
            (
                _c("body", Kind.ID, meaning="the body (presidium, plenum, ...)"),
                _c("member", Kind.ID, meaning="the member's id"),
                _c("faction", Kind.ID, meaning="the faction they vote for (factions.csv)"),
                _c("vote", Kind.TEXT, False, default="full",
                   meaning="`full` votes; `candidate` sits without a vote"),
            ),
            required=False,
            key=("body", "member"),
            meaning="who sits in which body, for which faction (read by `decide`)",
        ),
    )
}



class Status(Enum):
    """A row's ``status``: whether its figures are cited from a source or estimated."""

    CITED = "cited"
    ESTIMATE = "estimate"


RANGED: dict[str, str] = {"inputs": "amount", "supplies": "amount", "targets": "amount",
                          "capital": "amount", "growth": "rate"}
"""Tables whose value column (named here) may carry an uncertainty range in the optional
columns ``low`` and ``high`` (read by ``sovnarkhoz sensitivity``; blank: not uncertain)."""


def _with_provenance(spec: TableSpec) -> TableSpec:
    """``spec`` with the optional columns every table may carry: ``source`` and ``status``
    (where its figures come from), and ``low`` and ``high`` where the table is RANGED."""
    added = [_c("source", Kind.TEXT, False,
                meaning="where the row's figures come from (descriptive)"),
             _c("status", Kind.STATUS, False, default="not stated",
                meaning="`cited` (from the source named) or `estimate`")]
    value = RANGED.get(spec.name)
    if value is not None:
        kind, unit = spec.column(value).kind, spec.column(value).unit
        added += [_c(bound, kind, False, default=f"the row's `{value}`", unit=unit,
                     meaning=f"the {word} end of the range the `{value}` is uncertain in "
                             f"(`low` <= `{value}` <= `high`; read by `sensitivity`)")
                  for bound, word in (("low", "lower"), ("high", "upper"))]
    return TableSpec(spec.name, spec.columns + tuple(added), spec.required, spec.key,
                     spec.key_when_present, spec.meaning)


TABLES = {name: _with_provenance(spec) for name, spec in TABLES.items()}

YEARLY_TABLES: tuple[str, ...] = ("supplies", "targets", "priorities")
"""Tables whose rows may name a year (rows without one hold every year)."""
HORIZON_TABLES: tuple[str, ...] = ("capital", "growth")
"""Tables that only a multi-year scenario (one with a [horizon]) may have."""
VOTES = ("full", "candidate")
"""members.csv ``vote``: full members vote (the default when blank); candidates do not."""

TABLE_ORDER: tuple[str, ...] = tuple(TABLES)

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})


@dataclass(frozen=True)
class Key:
    """One key of a scenario.toml section."""

    name: str
    kind: str
    required: bool
    default: str
    meaning: str


@dataclass(frozen=True)
class Section:
    name: str
    keys: tuple[Key, ...]
    meaning: str


TOML_SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        Section("scenario", (
            Key("name", "text", False, "the directory's name", "the scenario's name"),
            Key("description", "text", False, "blank", "what it is"),
        ), "the scenario's header"),
        Section("plan", (
            Key("objective", "objective", False, "max-fulfilment",
                "the default objective: max-fulfilment, max-total-fulfilment, "
                "min-factor:NAME or balance"),
        ), "options of `plan`"),
        Section("horizon", (
            Key("first", "year", True, "", "the first year planned"),
            Key("last", "year", True, "", "the last year planned (at most 500 years after "
                "first)"),
            Key("lag", "whole number >= 0", False, "1",
                "years before stock set aside is ready"),
        ), "the years planned: a multi-year scenario (no section: a single-year one)"),
    )
}
"""The sections of scenario.toml read here (other sections are allowed and ignored)."""
