"""Objectives a plan can pursue, parsed from their command-line spelling."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of objective, spelled as on the command line (a ``str``: ``Kind.BALANCE ==
    "balance"``)."""

    MAX_FULFILMENT = "max-fulfilment"
    MAX_TOTAL_FULFILMENT = "max-total-fulfilment"
    MIN_FACTOR = "min-factor"
    BALANCE = "balance"

    @property
    def maximises_levels(self) -> bool:
        """Maximises a level of the targets (one λ, or the sum of the yearly λ_t)."""
        return self in (Kind.MAX_FULFILMENT, Kind.MAX_TOTAL_FULFILMENT)


KINDS = tuple(kind.value for kind in Kind)


@dataclass(frozen=True)
class Objective:
    """``max-fulfilment``: the largest λ with every target met at λ x amount.
    ``min-factor:NAME``: every target met in full with the least total use of factor NAME.
    ``max-total-fulfilment``: over a horizon, the sum of the yearly levels λ_t, each year's
    targets met at λ_t x amount (a multi-year scenario only).
    ``balance``: Leontief's (I - A) x = y, solved as a linear system, not an LP.
    """

    kind: Kind
    factor: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))  # a plain string is accepted too

    @classmethod
    def parse(cls, text: str) -> Objective:
        kind, _, argument = text.strip().partition(":")
        if kind not in KINDS:
            raise ValueError(f"unknown objective {text!r}; choose max-fulfilment, "
                             "max-total-fulfilment, min-factor:NAME or balance")
        if kind == Kind.MIN_FACTOR and not argument:
            raise ValueError("min-factor needs the factor to save: min-factor:NAME")
        if kind != Kind.MIN_FACTOR and argument:
            raise ValueError(f"objective {kind} takes no argument (got {text!r})")
        return cls(Kind(kind), argument or None)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.factor}" if self.factor else self.kind.value
