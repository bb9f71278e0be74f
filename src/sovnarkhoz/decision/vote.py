"""Majority rule among plans: pairwise counts, the Condorcet winner, cycles, fallbacks.

Voters are full members; a voter prefers plan a to plan b when its faction values a more
(Σ weight x λ) by more than a hair (``tolerance`` relative to the valuations' size);
indifferent voters abstain on that pair. Everything here works on a (voters, plans) matrix
of valuations and knows nothing of economies.

Fallback when no plan beats every other: the plans with the best Copeland score (pairwise
wins minus losses); among those, the best Borda score (for each voter, the number of plans
it values strictly less, summed); if that still leaves more than one, none is adopted here
and the caller adopts a compromise (see ``decide``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOLERANCE = 1e-9


@dataclass
class Ballot:
    """The outcome of majority rule over P plans.

    counts[a, b] : voters preferring plan a to plan b.
    winner : the plan beating every other by a majority (None when there is none).
    cycle : plans a1 beats a2 beats ... beats a1 (empty when there is none).
    copeland, borda : (P,) scores; chosen : the winner, else the fallback's single best
    plan, else None; rule : how it was chosen.
    """

    counts: np.ndarray
    winner: int | None
    cycle: list[int]
    copeland: np.ndarray
    borda: np.ndarray
    chosen: int | None
    rule: str
    tied: list[int]


def pairwise_counts(values: np.ndarray, tolerance: float = TOLERANCE) -> np.ndarray:
    """(P, P) voters strictly preferring a to b; ``values`` (V, P) each voter's valuations."""
    values = np.asarray(values, dtype=np.float64)
    scale = tolerance * max(1.0, float(np.abs(values).max(initial=0.0)))
    better = values[:, :, None] > values[:, None, :] + scale
    return better.sum(axis=0).astype(np.int64)


def beats(counts: np.ndarray) -> np.ndarray:
    """(P, P) bool: a beats b by a majority of those not abstaining."""
    return counts > counts.T


def condorcet_winner(counts: np.ndarray) -> int | None:
    """The plan beating every other, or None."""
    wins = beats(counts)
    P = len(counts)
    for a in range(P):
        if all(wins[a, b] for b in range(P) if b != a):
            return a
    return None


def find_cycle(counts: np.ndarray) -> list[int]:
    """A shortest cycle of the majority relation (a1 beats a2 beats ... beats a1), by a
    breadth-first search from each plan; [] when the relation has none."""
    wins = beats(counts)
    best: list[int] = []
    for start in range(len(counts)):
        parent = {start: -1}
        layer, closed = [start], None
        while layer and closed is None:
            step = []
            for a in layer:
                if wins[a, start]:
                    closed = a
                    break
                for b in np.flatnonzero(wins[a]).tolist():
                    if b not in parent:
                        parent[b] = a
                        step.append(b)
            layer = step
        if closed is not None:
            path = [closed]
            while parent[path[-1]] != -1:
                path.append(parent[path[-1]])
            if not best or len(path) < len(best):
                best = path[::-1]
    return best


def majority(values: np.ndarray, tolerance: float = TOLERANCE) -> Ballot:
    """Majority rule among plans, with the fallback of this module's docstring."""
    counts = pairwise_counts(values, tolerance)
    wins = beats(counts)
    copeland = wins.sum(axis=1) - wins.sum(axis=0)
    borda = counts.sum(axis=1)
    winner = condorcet_winner(counts)
    if winner is not None:
        return Ballot(counts, winner, [], copeland, borda, winner, "condorcet", [winner])
    top = np.flatnonzero(copeland == copeland.max())
    if len(top) == 1:
        return Ballot(counts, None, find_cycle(counts), copeland, borda, int(top[0]),
                      "copeland", top.tolist())
    best = top[borda[top] == borda[top].max()]
    if len(best) == 1:
        return Ballot(counts, None, find_cycle(counts), copeland, borda, int(best[0]),
                      "copeland, then borda", best.tolist())
    return Ballot(counts, None, find_cycle(counts), copeland, borda, None,
                  "copeland and borda tie", best.tolist())
