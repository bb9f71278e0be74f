"""Objectives a plan can pursue, parsed from their command-line spelling."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("max-fulfilment", "max-total-fulfilment", "min-factor", "balance")


@dataclass(frozen=True)
class Objective:
    """``max-fulfilment``: the largest λ with every target met at λ x amount.
    ``min-factor:NAME``: every target met in full with the least total use of factor NAME.
    ``max-total-fulfilment``: over a horizon, the sum of the yearly levels λ_t, each year's
    targets met at λ_t x amount (a multi-year scenario only).
    ``balance``: Leontief's (I - A) x = y, solved as a linear system, not an LP.
    """

    kind: str
    factor: str | None = None

    @classmethod
    def parse(cls, text: str) -> Objective:
        kind, _, argument = text.strip().partition(":")
        if kind not in KINDS:
            raise ValueError(f"unknown objective {text!r}; choose max-fulfilment, "
                             "max-total-fulfilment, min-factor:NAME or balance")
        if kind == "min-factor" and not argument:
            raise ValueError("min-factor needs the factor to save: min-factor:NAME")
        if kind != "min-factor" and argument:
            raise ValueError(f"objective {kind} takes no argument (got {text!r})")
        return cls(kind, argument or None)

    def __str__(self) -> str:
        return f"{self.kind}:{self.factor}" if self.factor else self.kind
