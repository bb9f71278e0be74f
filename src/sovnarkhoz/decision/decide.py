"""What a body adopts: each faction's ideal plan, majority rule among its full members.

A faction values a plan at Σ_q weight_q λ_q (factions.csv). Its ideal plan maximises that
over every plan meeting the targets (ties broken towards the larger Σ λ, so no ideal gives a
level away for nothing). The candidate plans are the distinct ideals; full members vote on
every pair by their faction's valuation; candidates of the body sit without a vote.

With two priorities the valuations are linear along a concave frontier, hence single-peaked
along it, and the ideal of the median full member (members ordered by where their ideal lies
on the frontier) beats every other plan: Black's median voter theorem. In general the plan
beating every other may not exist; the module then shows a cycle and adopts by Copeland, then
Borda (see ``vote``); if they tie, by a stated compromise: the plan maximising the sum of
the full members' valuations (their factions' weights added up), labelled ``compromise``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..plan import Plan
from ..scenario.collective import vote_column
from ..scenario.model import Scenario
from .frontier import RELATIVE, Frontier, frontier
from .levels import FrontierError, LevelSolver, Point
from .power import majority_quota, weighted_game_power
from .vote import Ballot, majority

COMPROMISE = "compromise"
FALLBACK = ("no plan beats every other: the plans with most pairwise wins minus losses "
            "(Copeland); if several, the most Borda points; if still several, the "
            "compromise maximising the sum of the full members' valuations")


@dataclass
class Seats:
    """A body's factions (in factions.csv order) with their full and candidate members."""

    body: str
    factions: list[str]
    full: np.ndarray  # (F,) int full members per faction
    candidates: np.ndarray  # (F,) int candidate members per faction


@dataclass
class Decision:
    """One body's decision (see ``as_dict`` for decision.json)."""

    body: str
    priorities: list[str]
    factions: list[str]
    weights: np.ndarray  # (F, B)
    seats: Seats
    ideals: list[Point | None]  # per faction; None for a faction valuing nothing
    plans: list[Point]  # candidate plans
    labels: list[str]  # each plan's faction(s)
    ballot: Ballot
    adopted_label: str
    adopted: Point
    if_candidates_voted: str | None
    median: str | None
    power: dict[str, dict[str, float]]
    plan: Plan | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def fulfilment(self) -> dict[str, float]:
        return {q: float(v) + 0.0 for q, v in zip(self.priorities, self.adopted.levels,
                                                  strict=True)}

    def as_dict(self) -> dict[str, object]:
        counts = self.ballot.counts
        votes = {a: {b: int(counts[i, j]) for j, b in enumerate(self.labels) if j != i}
                 for i, a in enumerate(self.labels)}
        return {
            "body": self.body,
            "adopted": self.adopted_label,
            "fulfilment": self.fulfilment,
            "votes": votes,
            "power": self.power,
            "rule": self.ballot.rule,
            "condorcet_winner": (None if self.ballot.winner is None
                                 else self.labels[self.ballot.winner]),
            "cycle": [self.labels[i] for i in self.ballot.cycle],
            "fallback": FALLBACK,
            "copeland": dict(zip(self.labels, self.ballot.copeland.tolist(), strict=True)),
            "borda": dict(zip(self.labels, self.ballot.borda.tolist(), strict=True)),
            "members": {f: {"full": int(n), "candidate": int(c)} for f, n, c in
                        zip(self.seats.factions, self.seats.full, self.seats.candidates,
                            strict=True)},
            "ideals": {f: (None if p is None else dict(zip(self.priorities,
                                                           (p.levels + 0.0).tolist(),
                                                           strict=True)))
                       for f, p in zip(self.factions, self.ideals, strict=True)},
            "median_full_member": self.median,
            "if_candidates_voted": self.if_candidates_voted,
            "valuation_of_adopted": {f: float(w @ self.adopted.levels) for f, w in
                                     zip(self.factions, self.weights, strict=True)},
            "notes": self.notes,
        }


def seats(scenario: Scenario, body: str) -> Seats:
    """Full and candidate members of ``body`` per faction; KeyError names the bodies."""
    members = scenario.tables["members"]
    factions = list(dict.fromkeys(scenario.tables["factions"]["faction"]))
    bodies = list(dict.fromkeys(members["body"]))
    if body not in bodies:
        raise KeyError(f"no body {body!r} in members.csv; bodies: {', '.join(bodies) or 'none'}")
    mine = members["body"].to_numpy() == body
    vote = vote_column(members)[mine]
    faction = members["faction"].to_numpy()[mine]
    full = pd.Series(faction[vote != "candidate"]).value_counts()
    candidates = pd.Series(faction[vote == "candidate"]).value_counts()
    return Seats(body, factions,
                 full.reindex(factions, fill_value=0).to_numpy(dtype=np.int64),
                 candidates.reindex(factions, fill_value=0).to_numpy(dtype=np.int64))


def faction_weights(scenario: Scenario, priorities: list[str]) -> tuple[list[str], np.ndarray]:
    """(factions, (F, B) weights) over ``priorities``; a priority a faction omits weighs 0."""
    table = scenario.tables["factions"]
    factions = list(dict.fromkeys(table["faction"]))
    grid = table.pivot_table(index="faction", columns="priority", values="weight",
                             aggfunc="sum", fill_value=0.0)
    grid = grid.reindex(index=factions, columns=priorities, fill_value=0.0)
    return factions, grid.to_numpy(dtype=np.float64)


class Chamber:
    """The frontier and the factions' ideals of a scenario, shared by the bodies asked."""

    def __init__(self, scenario: Scenario, priorities: list[str] | None = None,
                 solver: LevelSolver | None = None):
        self.scenario = scenario
        self.solver = solver or LevelSolver(scenario, priorities)
        self.priorities = self.solver.names
        self.factions, self.weights = faction_weights(scenario, self.priorities)
        if not self.factions:
            raise FrontierError(f"{scenario.name}: factions.csv lists no factions")
        self.ideals: list[Point | None] = [
            self.solver.maximise(w) if (w > 0).any() else None for w in self.weights]
        self._frontier: Frontier | None = None

    @property
    def frontier(self) -> Frontier:
        if self._frontier is None:
            self._frontier = frontier(self.solver)
        return self._frontier

    def decide(self, body: str, verify_plan: bool = True) -> Decision:
        """Majority rule in ``body``; the adopted plan verified as a plan when asked."""
        seated = seats(self.scenario, body)
        plans, labels, owner = self._candidates()
        values = self.weights @ np.array([p.levels for p in plans]).T  # (F, P)
        ballot = majority(np.repeat(values, seated.full, axis=0))
        notes: list[str] = []
        if ballot.chosen is not None:
            adopted, label = plans[ballot.chosen], labels[ballot.chosen]
        else:
            together = seated.full @ self.weights
            adopted, label = self.solver.maximise(together), COMPROMISE
            notes.append("Copeland and Borda tie among " + ", ".join(
                labels[i] for i in ballot.tied) + f"; adopted the {COMPROMISE} maximising "
                "the sum of the full members' valuations")
        everyone = majority(np.repeat(values, seated.full + seated.candidates, axis=0))
        if_all = (labels[everyone.chosen] if everyone.chosen is not None else COMPROMISE)
        game = weighted_game_power(seated.full, majority_quota(int(seated.full.sum())))
        power = {f: {"full_members": int(n), "banzhaf": float(b), "swings": int(s),
                     "shapley_shubik": float(ss)}
                 for f, n, b, s, ss in zip(seated.factions, seated.full, game.banzhaf,
                                           game.swings, game.shapley_shubik, strict=True)}
        decision = Decision(
            body=body, priorities=self.priorities, factions=self.factions,
            weights=self.weights, seats=seated, ideals=self.ideals, plans=plans,
            labels=labels, ballot=ballot, adopted_label=label, adopted=adopted,
            if_candidates_voted=if_all, median=self._median(seated, owner, labels),
            power=power, notes=notes)
        if verify_plan:
            decision.plan = self.solver.plan(adopted, label=f"decision of {body}: {label}")
        return decision

    def _candidates(self) -> tuple[list[Point], list[str], list[int]]:
        """Distinct ideal plans, each labelled by the faction(s) whose ideal it is; and for
        each faction the index of its plan (-1 for a faction valuing nothing)."""
        plans: list[Point] = []
        names: list[list[str]] = []
        owner = []
        scale = max([1e-12] + [float(p.levels.max()) for p in self.ideals if p is not None])
        for faction, point in zip(self.factions, self.ideals, strict=True):
            if point is None:
                owner.append(-1)
                continue
            same = [i for i, p in enumerate(plans)
                    if np.abs(p.levels - point.levels).max() <= RELATIVE * 10 * scale]
            if same:
                names[same[0]].append(faction)
                owner.append(same[0])
            else:
                plans.append(point)
                names.append([faction])
                owner.append(len(plans) - 1)
        if not plans:
            raise FrontierError("no faction values any of the priorities: nothing to decide")
        return plans, ["+".join(n) for n in names], owner

    def _median(self, seated: Seats, owner: list[int], labels: list[str]) -> str | None:
        """With two priorities, the ideal of the median full member along the frontier
        (ordered by the first priority's level); None otherwise or when the full members
        are even in number and the two middle ones differ."""
        if len(self.priorities) != 2:
            return None
        keyed = [(self.ideals[f].levels[0], owner[f]) for f in range(len(self.factions))
                 for _ in range(int(seated.full[f])) if owner[f] >= 0]
        keyed.sort()
        n = len(keyed)
        if n == 0:
            return None
        low, high = keyed[(n - 1) // 2][1], keyed[n // 2][1]
        return labels[low] if low == high else None
