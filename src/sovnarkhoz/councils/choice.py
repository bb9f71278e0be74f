"""Which protocol coordinates the councils when none is named (``--protocol auto``).

The rules, measured on the benchmarks (docs/performance.md, "The auto rules";
``benchmarks/councils_protocols.py``, CPU seconds on a loaded 2-core machine):

- several years -> dantzig-wolfe: its first rounds post central prices that value the many
  yearly target rows at once. On ussr1957 by its fifteen republic councils it needs 57
  rounds over 1957-59 where prices needs 131 (2.2 against 5.7 CPU s), 80 over 1957-61
  against 461, and over 1957-70 prices leaves λ = 0 after 230 rounds while dantzig-wolfe
  reaches the optimum;
- one year, MANY_COUNCILS councils or more -> prices: 15 rounds against 30 at 50 generated
  councils (1.7 against 3.5 CPU s), 14 against 27 at 107 (5.1 against 6.2), where
  dantzig-wolfe's final prices do not prove its plan optimal;
- one year, fewer councils -> dantzig-wolfe: on the generated 60 x 6 x 2 economy 52 rounds
  against 63 (1.1 against 1.6 CPU s), on ussr1957's 1957 14 against 21; on 2 and 10
  generated councils the two are within 0.1 s of each other.

quotas and admm are never chosen by themselves. admm reaches no verified plan of the larger
economies within 150 rounds. quotas converges (fewest rounds from 10 councils up, e.g. 10 at
50 councils) but asks two plans of every council a round and is never the fastest:
dantzig-wolfe is quicker on one year below 50 councils and over years, prices from 50
councils (docs/performance.md, "Quotas that converge"). They are kept for what they show
(Kornai-Liptak's quota planning, sharing ADMM).
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
            f"auto: dantzig-wolfe for {councils} councils over {years} years (its central "
            "prices cover every year's targets at once)"))
    if councils >= MANY_COUNCILS:
        return ProtocolChoice("prices", (
            f"auto: prices for {councils} councils in one year (from {MANY_COUNCILS} "
            "councils its stabilised prices need the fewest rounds)"))
    return ProtocolChoice("dantzig-wolfe", (
        f"auto: dantzig-wolfe for {councils} councils in one year (below {MANY_COUNCILS} "
        "councils as fast as prices or faster)"))
