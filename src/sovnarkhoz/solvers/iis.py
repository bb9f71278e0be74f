"""Irreducible infeasible subsets of an LP (matrices only, no names).

``infeasible_subset`` starts from an infeasible subset of an infeasible LP: the support of
HiGHS's Farkas certificate (the dual ray: the rows it weighs, and the finite column upper
bounds its reduced costs lean on), or HiGHS's own IIS (``Highs.getIis``) when there is no ray.
Neither is irreducible as a rule (hundreds of members where a handful conflict), so the subset
is minimised by QuickXplain (Junker 2004), a divide-and-conquer deletion filter: it halves the
candidates and asks whether the background plus one half is already infeasible, so a conflict
of k members among n is found in O(k log(n/k)) small LPs instead of n. Column lower bounds are
always kept (nothing runs backwards); every row and every finite column upper bound in the
subset is a member. What remains is irreducible: removing any one member makes the subset
feasible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .highs import HighsSolver, highspy
from .options import SolverOptions
from .problem import LPData
from .result import Status


@dataclass
class Subset:
    """rows (r,) and the side of each that conflicts ('lower', 'upper' or 'both'); cols (c,)
    whose upper bound conflicts. ``feasible`` is True when the LP has no conflict at all."""

    feasible: bool
    rows: np.ndarray
    row_side: list[str]
    cols: np.ndarray
    seconds: float = 0.0
    solves: int = 0
    method: str = ""


_SIDE = {2: "lower", 3: "upper", 4: "both", 1: "both"}


def infeasible_subset(lp: LPData, options: SolverOptions | None = None) -> Subset:
    """An irreducible infeasible subset of ``lp``, or ``feasible=True``."""
    started = time.perf_counter()
    options = options or SolverOptions()
    highs = HighsSolver._configured(options)
    highs.passModel(HighsSolver._model(lp))
    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        highs.setOptionValue("presolve", "off")
        highs.run()
        status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kInfeasible:
        return Subset(True, np.zeros(0, np.int64), [], np.zeros(0, np.int64),
                      time.perf_counter() - started, 1, "")
    rows, cols, method = _candidates(lp, highs, options)
    cols = cols[np.isfinite(lp.col_upper[cols])]
    rows, cols, solves = _quickxplain(lp, rows, cols, options)
    sides = []
    lower, upper = lp.row_lower[rows], lp.row_upper[rows]
    for low, high in zip(lower, upper, strict=True):
        sides.append("both" if np.isfinite(low) and np.isfinite(high) else
                     "lower" if np.isfinite(low) else "upper")
    return Subset(False, rows, sides, cols, time.perf_counter() - started, solves + 2,
                  method + " + QuickXplain")


def _candidates(lp: LPData, highs: highspy.Highs, options: SolverOptions
                ) -> tuple[np.ndarray, np.ndarray, str]:
    """An infeasible subset to start from: (rows, columns whose upper bound may count,
    how it was found). The Farkas ray's support is cheap (no more than a solve); HiGHS's IIS
    search can take many times longer on multi-year LPs."""
    _, has_ray, ray = highs.getDualRay()
    if has_ray:
        ray = np.asarray(ray, dtype=np.float64)
        scale = max(float(np.abs(ray).max(initial=0.0)), 1e-300)
        rows = np.flatnonzero(np.abs(ray) > 1e-9 * scale)
        if rows.size:
            leaning = np.abs(lp.A[rows].T @ ray[rows]) > 1e-9 * scale
            cols = np.flatnonzero(leaning & np.isfinite(lp.col_upper))
            if _infeasible(lp, rows, cols, options):
                return rows, cols, "Farkas ray"
    try:
        # the default ("light") strategy only finds bound clashes; ask for one from the LP
        highs.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyFromLp))
        found, iis = highs.getIis()
        if found == highspy.HighsStatus.kOk and iis.valid_ and len(iis.row_index_):
            return (np.asarray(iis.row_index_, dtype=np.int64),
                    np.asarray(iis.col_index_, dtype=np.int64), "HiGHS IIS")
    except (AttributeError, RuntimeError):  # older highspy: no IIS
        pass
    return np.arange(lp.num_rows), np.arange(lp.num_cols), "every constraint"


def sub_lp(lp: LPData, rows: np.ndarray, upper_cols: np.ndarray) -> LPData:
    """The LP of ``rows`` alone, over the columns they touch; column upper bounds only on
    ``upper_cols`` (lower bounds always)."""
    block = lp.A[rows]
    used = np.unique(np.concatenate([block.indices, upper_cols]).astype(np.int64))
    col_upper = np.full(len(used), np.inf)
    keep = np.isin(used, upper_cols)
    col_upper[keep] = lp.col_upper[used[keep]]
    return LPData(c=np.zeros(len(used)), A=block[:, used].tocsr(),
                  row_lower=lp.row_lower[rows], row_upper=lp.row_upper[rows],
                  col_lower=lp.col_lower[used], col_upper=col_upper)


def _infeasible(lp: LPData, rows: np.ndarray, cols: np.ndarray,
                options: SolverOptions) -> bool:
    if rows.size == 0:
        return bool((lp.col_lower[cols] > lp.col_upper[cols]).any())
    result = HighsSolver().solve(sub_lp(lp, rows, cols), options)
    return result.status is Status.INFEASIBLE


def _quickxplain(lp: LPData, rows: np.ndarray, cols: np.ndarray, options: SolverOptions
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """A minimal infeasible subset of the members ``rows`` and ``cols`` (upper bounds), which
    together are infeasible, by QuickXplain; and the number of LPs solved.

    QX(B, Δ, C): if Δ was just added and B alone is infeasible, nothing of C is needed;
    one candidate left is needed; else split C = C1 + C2, find what C2 must add to B + C1,
    then what C1 must add to B + that. Recursion depth is log2(n).
    """
    n_rows = len(rows)
    solves = 0

    def infeasible(members: list[int]) -> bool:
        nonlocal solves
        solves += 1
        chosen = np.asarray(members, dtype=np.int64)
        return _infeasible(lp, rows[chosen[chosen < n_rows]], cols[chosen[chosen >= n_rows]
                                                                   - n_rows], options)

    def explain(background: list[int], added: bool, candidates: list[int]) -> list[int]:
        if added and infeasible(background):
            return []
        if len(candidates) == 1:
            return candidates
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        needed_second = explain(background + first, True, second)
        needed_first = explain(background + needed_second, bool(needed_second), first)
        return needed_first + needed_second

    # QuickXplain keeps the members it meets first; offering the LP's later members first
    # (capital, stock, factor and link limits come after the balances, later years after
    # earlier ones) gives conflicts that name limits rather than long chains of balances
    members = np.asarray(sorted(explain([], False, list(range(n_rows + len(cols)))[::-1])),
                         dtype=np.int64)
    return rows[members[members < n_rows]], cols[members[members >= n_rows] - n_rows], solves
