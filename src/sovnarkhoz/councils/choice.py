"""Which protocol coordinates the councils when none is named (``--protocol auto``).

The rules, measured on the benchmarks (docs/performance.md, "The auto rules"):

- several years -> dantzig-wolfe: its first rounds post central prices that value the many
  yearly target rows at once; the prices protocol leaves λ = 0 on ussr1957 1957-70 after
  hundreds of rounds, quotas and admm do not reach the optimum there;
- one year, MANY_COUNCILS councils or more -> prices: on the generated 50- and 107-council
  economies its box-stabilised master needs about half the rounds of dantzig-wolfe;
- one year, fewer councils -> dantzig-wolfe: exact in few rounds (ussr1957 1957, the
  generated 2- and 10-council economies), with a true bound every round.

quotas and admm are never chosen by themselves: both are kept for what they show
(Kornai-Liptak's quota planning; sharing ADMM), not for speed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scenario.model import Scenario
from .partition import council_count

AUTO = "auto"
MANY_COUNCILS = 50
"""From this many councils on, a one-year economy goes to the prices protocol."""


@dataclass(frozen=True)
class ProtocolChoice:
    """The protocol chosen and a sentence saying why (printed as --solver auto's is)."""

    protocol: str
    reason: str


def choose_protocol(scenario: Scenario, organisation: str) -> ProtocolChoice:
    """The protocol for ``scenario`` planned by ``organisation``'s councils, by the rules
    above: its horizon first, then the number of councils."""
    horizon = scenario.horizon
    years = 1 if horizon is None else horizon.last - horizon.first + 1
    councils = council_count(scenario, organisation)
    if years > 1:
        return ProtocolChoice("dantzig-wolfe", (
            f"auto: dantzig-wolfe for {years} years (its central prices cover every year's "
            "targets at once)"))
    if councils >= MANY_COUNCILS:
        return ProtocolChoice("prices", (
            f"auto: prices for {councils} councils in one year (from {MANY_COUNCILS} "
            "councils its stabilised prices need the fewest rounds)"))
    return ProtocolChoice("dantzig-wolfe", (
        f"auto: dantzig-wolfe for {councils} councils in one year (exact in few rounds "
        f"below {MANY_COUNCILS} councils)"))
