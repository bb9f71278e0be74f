"""Objectives a plan can pursue: their names, and everything each one means, in one place.

Each kind of objective has a :class:`Rule`: how it is spelled, what it asks of a scenario, how
its targets enter the plan (the λ columns, :class:`Levels`), what a unit of each technique's
activity adds to it, and whether it is maximised. The formulation (costs and λ columns), the
validation of a scenario against an objective and the independent optimality proof all read
the rule, never the kind's name; a new objective is a new :class:`Kind` member and its rule
in :data:`RULES` below.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

import numpy as np
import pandas as pd


class Kind(StrEnum):
    """The kinds of objective, spelled as on the command line (a ``str``: ``Kind.BALANCE ==
    "balance"``)."""

    MAX_FULFILMENT = "max-fulfilment"
    MAX_TOTAL_FULFILMENT = "max-total-fulfilment"
    MIN_FACTOR = "min-factor"
    BALANCE = "balance"
    MAX_HARMONY = "max-harmony"

    @property
    def rule(self) -> Rule:
        """What this kind of objective means (:data:`RULES`)."""
        return RULES[self]

    @property
    def maximises_levels(self) -> bool:
        """Maximises a level of the targets (one λ, or the sum of the yearly λ_t)."""
        return self.rule.levels in (Levels.ONE, Levels.YEARLY)


class Levels(StrEnum):
    """How many levels λ scale the targets: one for every year, one a year, or none (every
    target held in full)."""

    ONE = "one"
    YEARLY = "yearly"
    EACH = "each"  # one share s per target and year, chosen freely (harmony)
    NONE = "none"


class Years(Enum):
    """Which scenarios an objective plans: any, only a single year, or only a horizon."""

    ANY = "any"
    ONE = "a single-year scenario"
    HORIZON = "a scenario with a [horizon]"


class Positive(Enum):
    """Which positive targets an objective needs: none, at least one, at least one a year."""

    NONE = "none"
    SOME = "at least one target with a positive amount"
    EVERY_YEAR = "a positive target in every year"


class Harmony:
    """Cockshott's harmony of a target met at the share s = delivered / target (s >= 0),
    with u = s - 1 the relative surplus:

        H(s) = u - u²/2   (u < 0: shortfalls hurt more and more)
        H(s) = ln(1 + u)  (u >= 0: surpluses help less and less)

    concave, increasing and twice differentiable (H' = 1 and H'' = -1 on both sides of s = 1);
    H(0) = -1.5. All functions take and return arrays of shares, elementwise.
    """

    @staticmethod
    def value(s: np.ndarray) -> np.ndarray:
        s = np.asarray(s, dtype=np.float64)
        u = s - 1.0
        return np.where(u < 0, u - 0.5 * u * u, np.log(np.maximum(s, 1.0)))

    @staticmethod
    def slope(s: np.ndarray) -> np.ndarray:
        """H'(s): 2 - s below the target, 1 / s above it."""
        s = np.asarray(s, dtype=np.float64)
        return np.where(s < 1.0, 2.0 - s, 1.0 / np.maximum(s, 1.0))

    @staticmethod
    def best_against(r: np.ndarray) -> np.ndarray:
        """sup over s >= 0 of H(s) - r·s (the concave conjugate at the price ratio r =
        price · target / weight): +inf for r <= 0, -ln r - 1 for 0 < r <= 1 (at s = 1/r),
        H(2 - r) - r(2 - r) for 1 < r < 2, and H(0) = -1.5 for r >= 2 (at s = 0)."""
        r = np.asarray(r, dtype=np.float64)
        out = np.full(r.shape, np.inf)
        low = (r > 0) & (r <= 1)
        out[low] = -np.log(r[low]) - 1.0
        mid = (r > 1) & (r < 2)
        u = 1.0 - r[mid]
        out[mid] = u - 0.5 * u * u - r[mid] * (2.0 - r[mid])
        out[r >= 2] = -1.5
        return out


@dataclass(frozen=True)
class FactorUse:
    """The factor inputs of T techniques as coordinate lists, each (N,): technique position,
    factor position (in ``factor_ids``) and units of the factor per unit of activity."""

    T: int
    technique: np.ndarray
    factor: np.ndarray
    amount: np.ndarray
    factor_ids: pd.Index


@dataclass(frozen=True)
class Rule:
    """What one kind of objective means.

    summary : how it meets the targets, in words (messages and docs).
    levels : the λ columns it maximises (Σ λ; :class:`Levels`), or none (targets in full).
    maximise : True when the objective is maximised (λ), False when minimised (a use).
    years : which scenarios it plans (:class:`Years`).
    positive : which positive targets it needs (:class:`Positive`).
    argument : what its argument names (``min-factor:NAME``), None when it takes none.
    saves_factor : each unit of activity counts minus its use of the named factor.
    by_lp : planned as an LP; False: solved as Leontief's linear system (balance).
    reads_weights : reads targets.csv's ``weight`` (else a weight other than 1 is refused).
    headline : what the console says of a verified plan, a template of ``{value}`` (the
        objective's value), ``{lowest}`` (the lowest share of a target met, or λ) and
        ``{argument}``; lines split by newlines.
    concave : with :attr:`Levels.EACH`, the concave function of each target's share that it
        maximises, weighted (Σ weight · H(share) over targets and years); None for linear
        objectives. Planned by LPs of tangent planes refined to the optimum.
    """

    summary: str
    levels: Levels = Levels.NONE
    maximise: bool = True
    years: Years = Years.ANY
    positive: Positive = Positive.NONE
    argument: str | None = None
    saves_factor: bool = False
    by_lp: bool = True
    reads_weights: bool = False
    headline: str = "objective {value}"
    concave: type[Harmony] | None = None

    def activity_value(self, objective: Objective, uses: FactorUse) -> np.ndarray:
        """(T,) what one unit of each technique's activity adds to the objective read as
        *maximise* (minus the use of the saved factor; 0 for objectives of levels)."""
        value = np.zeros(uses.T)
        if self.saves_factor:
            chosen = uses.factor == uses.factor_ids.get_loc(objective.factor)
            value -= np.bincount(uses.technique[chosen], weights=uses.amount[chosen],
                                 minlength=uses.T)
        return value


RULES: dict[Kind, Rule] = {
    Kind.MAX_FULFILMENT: Rule(
        "max-fulfilment meets every target at λ × amount", levels=Levels.ONE,
        positive=Positive.SOME,
        headline="fulfilment: every target met {lowest} times over (lambda = {lowest})"),
    Kind.MAX_TOTAL_FULFILMENT: Rule(
        "max-total-fulfilment meets every target of year t at λ_t × amount",
        levels=Levels.YEARLY, years=Years.HORIZON, positive=Positive.EVERY_YEAR,
        headline="sum of the yearly levels {value}; lowest {lowest}"),
    Kind.MIN_FACTOR: Rule(
        "min-factor meets every target in full", maximise=False, argument="the factor to save",
        saves_factor=True,
        headline="total {argument} used: {value}; every target met (lowest share {lowest})\n"
                 "prices are {argument} values: units of {argument} per unit of each product"),
    Kind.BALANCE: Rule(
        "balance meets every target in full", maximise=False, years=Years.ONE, by_lp=False,
        headline="total gross output {value}; prices are embodied factor contents"),
    Kind.MAX_HARMONY: Rule(
        "max-harmony weighs every target's share met by its weight", levels=Levels.EACH,
        positive=Positive.SOME, reads_weights=True, concave=Harmony,
        headline="total harmony {value} (Σ weight · H(delivered / target)); lowest share "
                 "{lowest}\nprices are marginal harmony: harmony per extra unit of each product"),
}
"""The rule of every kind of objective."""

KINDS = tuple(kind.value for kind in Kind)


@dataclass(frozen=True)
class Objective:
    """``max-fulfilment``: the largest λ with every target met at λ x amount.
    ``min-factor:NAME``: every target met in full with the least total use of factor NAME.
    ``max-total-fulfilment``: over a horizon, the sum of the yearly levels λ_t, each year's
    targets met at λ_t x amount (a multi-year scenario only).
    ``balance``: Leontief's (I - A) x = y, solved as a linear system, not an LP.
    ``max-harmony``: the largest Σ weight · H(delivered / target) over targets (and years),
    H Cockshott's harmony (:class:`Harmony`).
    """

    kind: Kind
    factor: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))  # a plain string is accepted too

    @property
    def rule(self) -> Rule:
        """What this objective means (its kind's :class:`Rule`)."""
        return RULES[self.kind]

    @classmethod
    def parse(cls, text: str) -> Objective:
        kind, _, argument = text.strip().partition(":")
        if kind not in KINDS:
            spelled = [f"{k}:NAME" if RULES[Kind(k)].argument else k for k in KINDS]
            raise ValueError(f"unknown objective {text!r}; choose {', '.join(spelled[:-1])} "
                             f"or {spelled[-1]}")
        rule = RULES[Kind(kind)]
        if rule.argument and not argument:
            raise ValueError(f"{kind} needs {rule.argument}: {kind}:NAME")
        if not rule.argument and argument:
            raise ValueError(f"objective {kind} takes no argument (got {text!r})")
        return cls(Kind(kind), argument or None)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.factor}" if self.factor else self.kind.value
