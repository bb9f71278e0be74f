"""One warm HiGHS model of the priorities LP, asked for many weightings of the levels λ.

The LP (``plan.priorities.formulate_priorities``; on a multi-year scenario one λ_q over the
horizon) meets every target in full and has one column λ_q per priority. One
extra row, ``valuation``, Σ_q c_q λ_q, is free until a
tie-break needs it. Every question here (a weighted maximum, a lexicographic maximum)
changes only costs and bounds, so HiGHS restarts
from its last basis: the solves after the first cost a fraction of it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from ..formulation import Block, LinearProgram
from ..plan import Plan
from ..plan.priorities import formulate_priorities, plan_at_levels
from ..scenario.model import Scenario
from ..solvers import LPData, SolverOptions, SolverResult, Status
from ..solvers.persistent import PersistentHighs


class FrontierError(ValueError):
    """No plan delivers the priorities: the targets cannot be met, or a level is unbounded."""


@dataclass
class Point:
    """A plan's priority levels (B,) and the solution behind them."""

    levels: np.ndarray
    result: SolverResult
    # what proves the plan optimal: the weights (B,) it maximises and the solve of Σ weights·λ
    # alone, whose prices bound every plan (None for a lexicographic point)
    weights: np.ndarray | None = None
    proof: SolverResult | None = None

    def value(self, weights: np.ndarray) -> float:
        return float(np.asarray(weights) @ self.levels)


class LevelSolver:
    """Maximise valuations of the levels λ (B,) of ``priorities`` (default: every priority
    of priorities.csv, in order of first appearance) over the plans of ``scenario``.

    The first solve uses ``options.method`` (default: interior point with crossover to a
    basis, the fastest cold start on large economies); every later one the primal simplex
    from the basis before it (a change of costs leaves that basis feasible)."""

    def __init__(self, scenario: Scenario, priorities: list[str] | None = None,
                 options: SolverOptions | None = None):
        started = time.perf_counter()
        scenario.check_weights("frontier")
        self.scenario = scenario
        try:
            bundles = scenario.bundles(priorities)
        except KeyError as error:
            raise FrontierError(str(error.args[0])) from None
        if not len(bundles.priorities):
            raise FrontierError(f"{scenario.name}: priorities.csv lists no priorities")
        self.names = [str(q) for q in bundles.priorities]
        lp = formulate_priorities(scenario, bundles)
        self.lp = _with_valuation_row(lp)
        block = lp.col_blocks["priority"]
        self.columns = np.arange(block.start, block.stop)
        self.valuation_row = self.lp.row_blocks["valuation"].start
        self.model = PersistentHighs(self.lp.data, options=options or SolverOptions(
            method="ipm"), scale_objective=True)
        self.solves = 0
        self.solve_seconds: list[float] = []
        self.setup_seconds = time.perf_counter() - started

    @property
    def size(self) -> int:
        return len(self.names)

    # --- questions ------------------------------------------------------------------------
    def maximise(self, weights: np.ndarray, tie: np.ndarray | None = None) -> Point:
        """A plan with the largest Σ weights·λ; among those, the largest Σ tie·λ (default:
        Σ λ, so that no level is given away where a weight is zero)."""
        weights = _normalised(weights)
        first = self._solve(weights)
        first.weights, first.proof = weights, first.result
        tie = np.ones(self.size) if tie is None else _normalised(tie)
        if np.allclose(tie / tie.max(), weights / weights.max()):
            return first
        best = first.value(weights)
        self.model.change_row(self.valuation_row, self.columns, weights, best, np.inf)
        try:
            point = self._solve(tie, allow_infeasible=True)
            if point is None:  # held a hair too high: loosen it
                self.model.change_row(self.valuation_row, self.columns, weights,
                                      best - 1e-9 * max(1.0, abs(best)), np.inf)
                point = self._solve(tie)
            point.weights, point.proof = weights, first.result
            return point
        finally:
            self.model.change_row(self.valuation_row, self.columns, weights, -np.inf, np.inf)

    def lexicographic(self, order: list[int]) -> Point:
        """The largest λ[order[0]], then the largest λ[order[1]] with the first held at its
        best, ... (each step an ε-constraint solve with the earlier levels as floors)."""
        held: dict[int, float] = {}
        point = None
        try:
            for q in order:
                found = self._solve(np.eye(self.size)[q], allow_infeasible=bool(held))
                if found is None:  # a level held exactly was a hair too high: loosen them
                    floors = np.array(list(held.values()))
                    self.model.set_bounds(self.columns[list(held)],
                                          floors - 1e-9 * np.maximum(1.0, floors),
                                          self._upper(list(held)))
                    found = self._solve(np.eye(self.size)[q])
                point = found
                held[q] = float(point.levels[q])
                self.model.set_bounds(self.columns[[q]], [held[q]], self._upper([q]))
        finally:
            if held:
                self.model.set_bounds(self.columns[list(held)], np.zeros(len(held)),
                                      self._upper(list(held)))
        assert point is not None
        return point

    def _upper(self, priorities: list[int]) -> np.ndarray:
        """The built upper bounds of these priorities' columns (0 for one nothing delivers)."""
        return self.lp.data.col_upper[self.columns[priorities]]

    def plan(self, point: Point, label: str = "priorities") -> Plan:
        """The point as a plan: tables and verification against the scenario tables."""
        weights = (None if point.weights is None else
                   dict(zip(self.names, point.weights.tolist(), strict=True)))
        return plan_at_levels(self.scenario, self.lp, point.result, label, weights=weights,
                              proof=point.proof)

    # --- the solve --------------------------------------------------------------------------
    def _solve(self, weights: np.ndarray, allow_infeasible: bool = False) -> Point | None:
        cost = np.zeros(self.lp.data.num_cols)
        cost[self.columns] = -weights  # HiGHS minimises
        self.model.set_cost(cost)
        clock = time.perf_counter()
        result = self.model.solve(dual_bound=False)
        self.solve_seconds.append(time.perf_counter() - clock)
        if self.solves == 0:  # later questions start from this basis: primal simplex
            self.model.highs.setOptionValue("solver", "simplex")
            self.model.highs.setOptionValue("simplex_strategy", 4)
        self.solves += 1
        if result.status is Status.UNBOUNDED:  # HiGHS's presolve may not tell which: ask
            self.model.highs.setOptionValue("presolve", "off")
            result = self.model.solve(dual_bound=False)
            self.model.highs.setOptionValue("presolve", "choose")
        if result.status is Status.INFEASIBLE and allow_infeasible:
            return None
        if result.status is Status.INFEASIBLE:
            raise FrontierError(f"{self.scenario.name}: the targets cannot all be met in full, "
                                "so no plan delivers any priority on top of them")
        if result.status is Status.UNBOUNDED:
            raise FrontierError(f"{self.scenario.name}: a priority's level can grow without "
                                "limit (nothing it needs is scarce)")
        if result.status is not Status.OPTIMAL:
            raise FrontierError(f"{self.scenario.name}: the solver stopped: {result.message}")
        levels = np.maximum(result.x[self.columns], 0.0)
        levels[levels <= 1e-12 * max(1.0, float(levels.max(initial=0.0)))] = 0.0
        return Point(levels, result)


def _normalised(weights: np.ndarray) -> np.ndarray:
    """Non-negative weights scaled to a largest of 1 (HiGHS's tolerances are absolute)."""
    weights = np.asarray(weights, dtype=np.float64)
    if (weights < 0).any() or not (weights > 0).any():
        raise ValueError(f"weights must be non-negative and not all zero, got {weights}")
    return weights / weights.max()


def _with_valuation_row(lp: LinearProgram) -> LinearProgram:
    """``lp`` with one more row Σ_q λ_q, free: the tie-break's constraint when bounded."""
    data = lp.data
    block = lp.col_blocks["priority"]
    row = sp.csr_matrix((np.ones(block.size), (np.zeros(block.size, dtype=np.int64),
                                               np.arange(block.start, block.stop))),
                        shape=(1, data.num_cols))
    m = data.num_rows
    extended = LPData(c=data.c, A=sp.vstack([data.A, row], format="csr"),
                      row_lower=np.append(data.row_lower, -np.inf),
                      row_upper=np.append(data.row_upper, np.inf),
                      col_lower=data.col_lower, col_upper=data.col_upper, offset=data.offset)
    blocks = {**lp.row_blocks, "valuation": Block("valuation", m, m + 1, {})}
    return replace(lp, data=extended, row_blocks=blocks)
