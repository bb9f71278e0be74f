"""Which protocol coordinates the councils when none is named (``--protocol auto``).

The rules, measured on the benchmarks (docs/performance.md, "The auto rules";
``python benchmarks/councils_protocols.py --economies c2,c10,c50,c107,g60x6x2,ussr1,ussr3,ussr5
--protocols auto,prices,dantzig-wolfe,quotas``, CPU seconds on a shared 2-core machine), with
every council opening with its self-sufficient plan:

- several years -> dantzig-wolfe: its first rounds post central prices that value the many
  yearly target rows at once, and its master mixes the councils' plans exactly. On
  ussr1957 by its fifteen republic councils it needs 69 rounds over 1957-59 where prices
  needs 103 (2.4 against 3.1 CPU s), and over 1957-70 prices did not reach the optimum;
- one year -> prices: as few rounds or fewer than dantzig-wolfe on every economy measured
  (2 generated councils: 18 against 27; 10: 15 against 26; 50: 11 against 23; 107: 13
  against 51; the generated 60 x 6 x 2 economy: 57 against 76; ussr1957's 1957: 23 against
  18, the same 0.5 CPU s), and its final prices prove its plan where dantzig-wolfe's first
  ones did not (107 councils).

quotas and admm are never chosen by themselves. admm reaches no verified plan of the larger
economies within 150 rounds. quotas converges (fewest rounds from 10 councils up, e.g. 10 at
50 councils) but asks two plans of every council a round and is never the fastest
(docs/performance.md, "Quotas that converge"). They are kept for what they show
(Kornai-Liptak's quota planning, sharing ADMM).
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
    above: by its horizon."""
    horizon = scenario.horizon
    years = 1 if horizon is None else horizon.last - horizon.first + 1
    councils = council_count(scenario, organisation)
    if years > 1:
        return ProtocolChoice("dantzig-wolfe", (
            f"auto: dantzig-wolfe for {councils} councils over {years} years (its central "
            "prices cover every year's targets at once)"))
    return ProtocolChoice("prices", (
        f"auto: prices for {councils} councils in one year (its stabilised prices need the "
        "fewest rounds)"))
