"""Which protocol coordinates the councils when none is named (``--protocol auto``).

The rules, measured on the benchmarks (docs/performance.md, "The auto rules";
``benchmarks/councils_protocols.py``):

- several years -> dantzig-wolfe: its first rounds post central prices that value the many
  yearly target rows at once. On ussr1957 by its fifteen republic councils it needs 57
  rounds over 1957-59 where prices needs 131, 80 over 1957-61 against 461, and over 1957-70
  prices leaves λ = 0 after 230 rounds while dantzig-wolfe reaches the optimum;
- one year -> prices, whatever the number of councils: on every one-year economy measured
  it needed as few rounds as dantzig-wolfe or fewer (generated 2, 10, 50 and 107 councils:
  20, 14, 15 and 14 rounds against 26, 13, 24 and 26; ussr1957 1957: 11 against 14), and at
  107 councils dantzig-wolfe's final prices did not prove its plan optimal.

quotas and admm are never chosen by themselves: neither reaches the optimum of the larger
economies within hundreds of rounds; they are kept for what they show (Kornai-Liptak's
quota planning, sharing ADMM).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scenario.model import Scenario
from .partition import council_count

AUTO = "auto"


@dataclass(frozen=True)
class ProtocolChoice:
    """The protocol chosen and a sentence saying why (printed as --solver auto's is)."""

    protocol: str
    reason: str


def choose_protocol(scenario: Scenario, organisation: str) -> ProtocolChoice:
    """The protocol for ``scenario`` planned by ``organisation``'s councils, by the rules
    above."""
    horizon = scenario.horizon
    years = 1 if horizon is None else horizon.last - horizon.first + 1
    councils = council_count(scenario, organisation)
    if years > 1:
        return ProtocolChoice("dantzig-wolfe", (
            f"auto: dantzig-wolfe for {councils} councils over {years} years (its central "
            "prices cover every year's targets at once)"))
    return ProtocolChoice("prices", (
        f"auto: prices for {councils} councils in one year (as few rounds as dantzig-wolfe "
        "or fewer on every one-year economy measured)"))
