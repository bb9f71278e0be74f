"""Voting power in a weighted majority game, exactly, by generating functions.

Players are factions voting as blocs; a faction's weight is its number of full members and a
coalition wins with at least ``quota`` votes. Counting coalitions by weight (and by size, for
Shapley and Shubik) is a product of polynomials Π_j (1 + z^{w_j}) built by shifted additions:
O(n · W) per player for n players and total weight W, never the 2^n coalitions.

- Banzhaf: player i swings in a losing coalition S of the others that i's votes make winning
  (quota - w_i <= w(S) < quota); the index is i's swings over all players' swings.
- Shapley–Shubik: the share of the n! orders of arrival in which i's arrival first reaches the
  quota: Σ_S |S|! (n - 1 - |S|)! / n! over the same swing coalitions S.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial

import numpy as np


@dataclass(frozen=True)
class Power:
    """Per player (in the order given): Banzhaf swings, the normalised Banzhaf index and the
    Shapley–Shubik index (each index sums to 1 unless nobody can swing)."""

    swings: np.ndarray  # (n,) int
    banzhaf: np.ndarray  # (n,) float
    shapley_shubik: np.ndarray  # (n,) float


def majority_quota(total: int) -> int:
    """More than half of ``total`` votes."""
    return total // 2 + 1


def _counts_by_weight(weights: np.ndarray, total: int) -> np.ndarray:
    """(W+1,) object array: how many subsets of ``weights`` have each total weight."""
    counts = np.zeros(total + 1, dtype=object)
    counts[0] = 1
    for w in weights:
        if w:
            counts[w:] = counts[w:] + counts[:-w].copy()
        else:
            counts = counts * 2
    return counts


def _counts_by_size_and_weight(weights: np.ndarray, total: int) -> np.ndarray:
    """(n+1, W+1) object array: how many subsets have each size and total weight."""
    n = len(weights)
    counts = np.zeros((n + 1, total + 1), dtype=object)
    counts[0, 0] = 1
    for w in weights:
        shifted = np.zeros_like(counts)
        shifted[1:, w:] = counts[:-1, : total + 1 - w]
        counts = counts + shifted
    return counts


def weighted_game_power(weights: list[int] | np.ndarray, quota: int) -> Power:
    """Banzhaf and Shapley–Shubik indices of the game [quota; weights] (non-negative ints)."""
    weights = np.asarray(weights, dtype=np.int64)
    if (weights < 0).any() or quota < 1:
        raise ValueError("weights must be non-negative integers and the quota at least 1")
    n, total = len(weights), int(weights.sum())
    swings = np.zeros(n, dtype=object)
    shapley = np.zeros(n, dtype=np.float64)
    order_weight = np.array([factorial(k) * factorial(n - 1 - k) for k in range(n)],
                            dtype=object)
    for i in range(n):
        w = int(weights[i])
        if w == 0:
            continue
        others = np.delete(weights, i)
        low, high = max(quota - w, 0), min(quota - 1, total)
        if low > high:
            continue
        swings[i] = int(_counts_by_weight(others, total)[low: high + 1].sum())
        by_size = _counts_by_size_and_weight(others, total)[:, low: high + 1].sum(axis=1)
        shapley[i] = float(sum(by_size[k] * order_weight[k] for k in range(n)) / factorial(n))
    swings = swings.astype(np.int64)
    banzhaf = swings / swings.sum() if swings.sum() else np.zeros(n)
    return Power(swings=swings, banzhaf=banzhaf.astype(np.float64), shapley_shubik=shapley)
