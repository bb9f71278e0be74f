"""Where an LP's optimal basis stays optimal as one number of it moves: HiGHS's ranging.

When two LPs differ in a single number (one row bound, one column bound or one cost), the
optimal objective is linear in that number over the interval in which the optimal basis of
one of them stays optimal, at the rate its solution gives (the row's dual, the column's
reduced cost, or the column's value). HiGHS computes these intervals for every cost and
bound at once (``Highs.getRanging``); :func:`single_change` finds the one number two LPs
differ in, and :func:`range_change` reads its interval from a solved model. Matrices and
bounds only, as for every solver here.

What HiGHS's ranging means, as checked on a hand LP (highspy 1.16): for a bound that is
active (the row or column nonbasic at it) ``row_bound_up/dn`` and ``col_bound_up/dn`` give
how far it can rise and fall, with the objective there; for a basic row or column they range
its *value*, not its bound, so a bound that is not active is handled here by hand: moving it
changes nothing while it stays on the far side of the row's activity (or the column's
value). With ``user_objective_scale`` set, HiGHS's ranged costs and objectives come out
wrongly scaled (its bound intervals do not), so a model to be ranged is solved with its
costs scaled by the power of two in the LP itself (:func:`ranging_model`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from .highs import HighsSolver, cost_scale, highspy, run_decided
from .options import SolverOptions
from .problem import LPData

__all__ = ["Change", "Entry", "Ranged", "range_change", "ranging_model", "single_change"]


class Entry(Enum):
    """The kind of number two LPs differ in."""

    ROW_BOUND = "row bound"
    COLUMN_BOUND = "column bound"
    COST = "cost"


@dataclass(frozen=True)
class Change:
    """Two LPs differ only in ``entry`` of row or column ``index``; ``sides`` the bounds that
    move ('lower', 'upper' or both, which then move together); ``before`` and ``after`` its
    value in each (the moving bound's, both sides equal when both move)."""

    entry: Entry
    index: int
    sides: tuple[str, ...]
    before: float
    after: float

    def describe(self) -> str:
        where = "row" if self.entry is Entry.ROW_BOUND else "column"
        what = ("cost" if self.entry is Entry.COST else
                " and ".join(self.sides) + " bound")
        return f"{where} {self.index}'s {what}"


def _same_matrix(a: LPData, b: LPData) -> bool:
    return (a.A.shape == b.A.shape and np.array_equal(a.A.indptr, b.A.indptr)
            and np.array_equal(a.A.indices, b.A.indices) and np.array_equal(a.A.data, b.A.data))


def _differ(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Positions where x and y differ (infinities equal to themselves)."""
    return np.flatnonzero(~((x == y) | (np.isnan(x) & np.isnan(y))))


def single_change(before: LPData, after: LPData) -> Change | None:
    """The one number ``before`` and ``after`` differ in, or None when they differ in more
    (or in the matrix, or in nothing). A row or column whose lower and upper bounds both move
    counts only when it is fixed (lower = upper) in both."""
    if not _same_matrix(before, after) or before.offset != after.offset:
        return None
    found: list[Change] = []
    cost = _differ(before.c, after.c)
    if cost.size > 1:
        return None
    if cost.size:
        j = int(cost[0])
        found.append(Change(Entry.COST, j, (), float(before.c[j]), float(after.c[j])))
    for entry, lower, upper in ((Entry.ROW_BOUND, "row_lower", "row_upper"),
                                (Entry.COLUMN_BOUND, "col_lower", "col_upper")):
        lo0, lo1 = getattr(before, lower), getattr(after, lower)
        up0, up1 = getattr(before, upper), getattr(after, upper)
        moved = np.union1d(_differ(lo0, lo1), _differ(up0, up1))
        if moved.size > 1:
            return None
        for i in moved.tolist():
            sides = tuple(side for side, x, y in (("lower", lo0, lo1), ("upper", up0, up1))
                          if x[i] != y[i])
            if len(sides) == 2 and not (lo0[i] == up0[i] and lo1[i] == up1[i]):
                return None
            values = (lo0, lo1) if sides[0] == "lower" else (up0, up1)
            found.append(Change(entry, i, sides, float(values[0][i]), float(values[1][i])))
    if len(found) != 1 or not all(map(math.isfinite, (found[0].before, found[0].after))):
        return None
    return found[0]


def ranging_model(lp: LPData, options: SolverOptions | None = None
                  ) -> tuple[highspy.Highs, float] | None:
    """``lp`` solved by HiGHS's simplex for ranging: (the model, the factor its costs were
    multiplied by: a power of two, so that its duals are of order one; see
    :func:`~.highs.objective_scale`), or None when it is not solved to optimality."""
    options = options or SolverOptions()
    highs = HighsSolver._configured(SolverOptions(method="simplex", threads=options.threads,
                                                  tolerance=options.tolerance))
    factor = 2.0 ** cost_scale(lp.c, lp)
    highs.passModel(HighsSolver._model(LPData(lp.c * factor, lp.A, lp.row_lower,
                                              lp.row_upper, lp.col_lower, lp.col_upper,
                                              lp.offset * factor)))
    if run_decided(highs) != highspy.HighsModelStatus.kOptimal:
        return None
    return highs, factor


@dataclass(frozen=True)
class Ranged:
    """How the optimal objective of the solved LP moves with the changed number.

    at : the number's value in the solved LP; objective : its optimal objective there (the
    LP's own, minimised); slope : d objective / d number while the basis stays optimal;
    interval : (low, high), where it stays optimal (in the number's units; a side may be
    infinite); how : 'HiGHS ranging' or 'an inactive bound' (the solution stays optimal)."""

    change: Change
    at: float
    objective: float
    slope: float
    interval: tuple[float, float]
    how: str

    def covers(self, low: float, high: float) -> bool:
        """Whether [low, high] lies inside the interval (to 1e-9 of the numbers' size)."""
        slack = 1e-9 * (1.0 + abs(low) + abs(high))
        return self.interval[0] - slack <= low and high <= self.interval[1] + slack

    def objective_at(self, value: np.ndarray | float) -> np.ndarray | float:
        """The optimal objective with the number at ``value`` (inside the interval)."""
        return self.objective + self.slope * (np.asarray(value) - self.at)


def _status_side(status: object) -> str:
    kind = highspy.HighsBasisStatus
    return {kind.kLower: "lower", kind.kUpper: "upper", kind.kZero: "free"}.get(status, "basic")


def range_change(highs: highspy.Highs, lp: LPData, change: Change, factor: float = 1.0
                 ) -> Ranged | None:
    """The interval over which the optimal basis of ``highs`` (holding ``lp`` solved, its
    costs multiplied by ``factor``) stays optimal as ``change``'s number moves, and the
    objective's rate of change there; None when HiGHS has no valid basis or ranging."""
    basis = highs.getBasis()
    solution = highs.getSolution()
    if not basis.valid or not solution.dual_valid:
        return None
    objective = float(lp.c @ np.asarray(solution.col_value) + lp.offset)
    i = change.index
    if change.entry is Entry.COST:
        value = float(lp.c[i])
        status, ranging = highs.getRanging()
        if status != highspy.HighsStatus.kOk or not ranging.valid:
            return None
        low = float(ranging.col_cost_dn.value_[i]) / factor
        high = float(ranging.col_cost_up.value_[i]) / factor
        return Ranged(change, value, objective, float(solution.col_value[i]),
                      (min(low, value) + 0.0, max(high, value) + 0.0), "HiGHS ranging")
    if change.entry is Entry.ROW_BOUND:
        side = _status_side(basis.row_status[i])
        level = float(solution.row_value[i])
        dual = float(solution.row_dual[i]) / factor
        bounds = (lp.row_lower[i], lp.row_upper[i])
    else:
        side = _status_side(basis.col_status[i])
        level = float(solution.col_value[i])
        dual = float(solution.col_dual[i]) / factor
        bounds = (lp.col_lower[i], lp.col_upper[i])
    value = float(bounds[0] if change.sides[0] == "lower" else bounds[1])
    if side in change.sides:  # the active bound moves: HiGHS's ranging of it
        status, ranging = highs.getRanging()
        if status != highspy.HighsStatus.kOk or not ranging.valid:
            return None
        up, down = ((ranging.row_bound_up, ranging.row_bound_dn)
                    if change.entry is Entry.ROW_BOUND
                    else (ranging.col_bound_up, ranging.col_bound_dn))
        low, high = float(down.value_[i]), float(up.value_[i])
        return Ranged(change, value, objective, dual,
                      (min(low, value) + 0.0, max(high, value) + 0.0), "HiGHS ranging")
    if len(change.sides) == 2:  # a fixed row or column that HiGHS calls basic
        return None
    # an inactive bound: the solution stays feasible and optimal (its multiplier is 0) while
    # the bound stays on the far side of the activity
    interval = (-math.inf, level) if change.sides[0] == "lower" else (level, math.inf)
    return Ranged(change, value, objective, 0.0, interval, "an inactive bound")
