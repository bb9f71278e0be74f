"""The Pareto frontier of the priorities' levels.

Two priorities: exact. The set of attainable (λ_1, λ_2) is a convex polygon (the projection
of the plans' polytope); its Pareto frontier is a chain of its edges. The two ends are the
lexicographic maxima (largest λ_1, then the largest λ_2 with it; and the other way round),
so that a weakly dominated edge at either end (more of one level at no cost to the other)
is left off. Between two known frontier points L and R the weighted sum with the normal of
LR (both weights positive, so every answer is Pareto-optimal) either finds a point beyond LR,
which splits it in two (Aneja and Nair's dichotomic search, 1979), or proves LR an edge.
Points found inside an edge (a simplex vertex of the plans may project there) are dropped
at the end, so the answer is the frontier's vertices, in order of λ_1, and nothing else.
Each vertex costs one solve and each edge one more, all on one warm HiGHS model.

Three or more priorities: an inner approximation (the points found) and an outer one (the
half-spaces w·λ <= max w·λ of the weighted solves, with λ >= 0), refined where they are
furthest apart: each step measures, for each vertex of the outer polytope, how far (along
the diagonal, in units of λ) it lies outside the inner set, and solves the weighted sum
whose weights are that distance problem's dual (the normal of the inner facet it lies
beyond). The largest such distance is the stated gap: every attainable plan is within it.
The ends are lexicographic maxima, i.e. ε-constraint solves with the other levels held.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..solvers import LPData, SolverOptions, Status
from ..solvers.highs import HighsSolver
from .levels import FrontierError, LevelSolver, Point

RELATIVE = 1e-7
"""Points closer than this (relative to the frontier's extent) are the same; a weighted
maximum must beat a segment by this much to count as a new vertex."""


@dataclass
class Frontier:
    """The frontier's points in order; ``exact`` for two priorities, else ``gap`` is the
    largest distance (in levels, along the diagonal) from the outer bound to the points."""

    names: list[str]
    points: list[Point]
    exact: bool
    gap: float = 0.0
    solves: int = 0
    seconds: float = 0.0
    solve_seconds: list[float] = field(default_factory=list)

    @property
    def levels(self) -> np.ndarray:
        """(V, B) the points' levels (solver noise below 1e-12 of the largest read as 0)."""
        levels = np.array([p.levels for p in self.points]).reshape(-1, len(self.names))
        scale = float(np.abs(levels).max(initial=0.0))
        return np.where(np.abs(levels) <= 1e-12 * max(scale, 1.0), 0.0, levels) + 0.0

    def table(self) -> pd.DataFrame:
        """frontier.csv: ``point`` (1, 2, ...), then one column per priority."""
        frame = pd.DataFrame(self.levels + 0.0, columns=self.names)
        frame.insert(0, "point", np.arange(1, len(frame) + 1))
        return frame

    def summary(self) -> dict[str, object]:
        return {"priorities": self.names, "points": len(self.points), "exact": self.exact,
                "gap": self.gap, "solves": self.solves, "seconds": self.seconds,
                "first_solve_seconds": self.solve_seconds[0] if self.solve_seconds else None,
                "later_solve_seconds_mean": (float(np.mean(self.solve_seconds[1:]))
                                             if len(self.solve_seconds) > 1 else None)}


def frontier(solver: LevelSolver, max_solves: int = 60, gap: float = 1e-6) -> Frontier:
    """The exact frontier (two priorities; one priority: its single best point) or an inner
    approximation with its gap (three or more: at most ``max_solves`` solves, stopping once
    the gap is below ``gap`` relative to the largest level)."""
    started = time.perf_counter()
    if solver.size == 1:
        points, exact, width = [solver.lexicographic([0])], True, 0.0
    elif solver.size == 2:
        points, exact, width = _two(solver), True, 0.0
    else:
        points, width = _sandwich(solver, max_solves, gap)
        exact = False
    return Frontier(names=solver.names, points=points, exact=exact, gap=width,
                    solves=solver.solves, seconds=time.perf_counter() - started,
                    solve_seconds=list(solver.solve_seconds))


# --- two priorities: exact ------------------------------------------------------------------
def _two(solver: LevelSolver) -> list[Point]:
    right = solver.lexicographic([0, 1])  # the most of the first priority
    left = solver.lexicographic([1, 0])  # the most of the second
    scale = max(1e-12, float(np.abs(np.vstack([left.levels, right.levels])).max()))
    if np.abs(right.levels - left.levels).max() <= RELATIVE * scale:
        return [right]
    chain = [left]
    pending = [(left, right)]
    while pending:  # depth first, left part first: points come out in order of λ_1
        a, b = pending.pop()
        normal = np.array([a.levels[1] - b.levels[1], b.levels[0] - a.levels[0]])
        if (normal <= 0).any():  # a and b coincide in one level: nothing lies between
            chain.append(b)
            continue
        found = solver.maximise(normal, tie=normal)
        beyond = found.value(normal) - a.value(normal)
        if beyond > RELATIVE * scale * normal.sum():
            pending.append((found, b))
            pending.append((a, found))
        else:
            chain.append(b)
    return _vertices_only(chain, scale)


def _vertices_only(chain: list[Point], scale: float) -> list[Point]:
    """Drop repeats and points inside an edge (collinear with their neighbours)."""
    kept: list[Point] = []
    for point in chain:
        if kept and np.abs(point.levels - kept[-1].levels).max() <= RELATIVE * scale:
            continue
        while len(kept) >= 2:
            a, b, c = kept[-2].levels, kept[-1].levels, point.levels
            cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
            if abs(cross) <= RELATIVE * np.linalg.norm(b - a) * np.linalg.norm(c - a) + 1e-15:
                kept.pop()
            else:
                break
        kept.append(point)
    return kept


# --- three or more: the sandwich -----------------------------------------------------------
def _sandwich(solver: LevelSolver, max_solves: int, relative_gap: float
              ) -> tuple[list[Point], float]:
    B = solver.size
    points = [solver.lexicographic([q] + [j for j in range(B) if j != q]) for q in range(B)]
    ideal = np.max([p.levels for p in points], axis=0)
    live = ideal > 0  # a priority nothing can deliver stays at 0 and drops out of the geometry
    if not live.any():
        return points[:1], 0.0
    cuts = [(np.eye(B)[q], ideal[q]) for q in range(B)]
    middle = solver.maximise(np.where(live, 1.0 / np.where(live, ideal, 1.0), 0.0))
    points.append(middle)
    cuts.append((middle_weights := np.where(live, 1.0 / np.where(live, ideal, 1.0), 0.0),
                 float(middle_weights @ middle.levels)))
    width = np.inf
    while solver.solves < max_solves:
        width, weights = _widest(points, cuts, live)
        if width <= relative_gap * ideal.max() or weights is None:
            break
        found = solver.maximise(weights)
        points.append(found)
        cuts.append((weights, float(weights @ found.levels)))
    else:
        width, _ = _widest(points, cuts, live)
    return _non_dominated(points, ideal.max()), float(width)


def _widest(points: list[Point], cuts: list[tuple[np.ndarray, float]], live: np.ndarray
            ) -> tuple[float, np.ndarray | None]:
    """The outer vertex furthest outside the inner set: (distance, the weights whose
    maximum would cut it off or push the inner set out to it)."""
    inner = np.array([p.levels for p in points])[:, live]
    normals = np.array([w[live] for w, _ in cuts])
    bounds = np.array([v for _, v in cuts])
    best, weights = 0.0, None
    for vertex in _outer_vertices(normals, bounds):
        distance, dual = _distance(inner, vertex)
        if distance > best:
            best = distance
            full = np.zeros(len(live))
            full[live] = np.maximum(dual, 0.0)
            weights = full if full.any() else None
    return best, weights


def _outer_vertices(normals: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Vertices of {λ >= 0 : normals @ λ <= bounds} (k small), by scipy's halfspace
    intersection from an interior point (a small positive multiple of the diagonal)."""
    from scipy.spatial import HalfspaceIntersection

    k = normals.shape[1]
    keep = normals.sum(axis=1) > 0  # a dead priority's cut has no normal left
    normals, bounds = normals[keep], bounds[keep]
    halfspaces = np.vstack([np.hstack([normals, -bounds[:, None]]),
                            np.hstack([-np.eye(k), np.zeros((k, 1))])])
    interior = np.full(k, 0.5 * (bounds / normals.sum(axis=1)).min())
    try:
        vertices = HalfspaceIntersection(halfspaces, interior).intersections
    except Exception as error:  # qhull: degenerate geometry
        raise FrontierError(f"cannot bound the frontier from outside: {error}") from None
    return np.unique(np.round(vertices, 12), axis=0)


def _distance(inner: np.ndarray, vertex: np.ndarray) -> tuple[float, np.ndarray]:
    """min t >= 0 with vertex - t·1 <= Σ μ_i inner_i, Σ μ = 1, μ >= 0; with the duals of the
    k rows (the normal of the inner facet that holds the vertex off)."""
    N, k = inner.shape
    import scipy.sparse as sp

    A = sp.csr_matrix(np.vstack([np.hstack([inner.T, np.ones((k, 1))]),
                                 np.append(np.ones(N), 0.0)]))
    lp = LPData(c=np.append(np.zeros(N), 1.0), A=A,
                row_lower=np.append(vertex, 1.0), row_upper=np.append(np.full(k, np.inf), 1.0),
                col_lower=np.append(np.zeros(N), -np.inf), col_upper=np.full(N + 1, np.inf))
    result = HighsSolver().solve(lp, SolverOptions(method="simplex"))
    if result.status is not Status.OPTIMAL:
        return 0.0, np.zeros(k)
    return max(float(result.x[-1]), 0.0), result.row_dual[:k]


def _non_dominated(points: list[Point], scale: float) -> list[Point]:
    """Distinct points that no other point dominates, ordered by their levels."""
    levels = np.array([p.levels for p in points])
    tol = RELATIVE * max(scale, 1e-12)
    keep = []
    for i, row in enumerate(levels):
        dominated = ((levels >= row - tol).all(axis=1) & (levels > row + tol).any(axis=1)).any()
        repeat = any(np.abs(levels[j] - row).max() <= tol for j in keep)
        if not dominated and not repeat:
            keep.append(i)
    order = sorted(keep, key=lambda i: tuple(levels[i]))
    return [points[i] for i in order]
