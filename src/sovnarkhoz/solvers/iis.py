"""Irreducible infeasible subsets of an LP (matrices only, no names).

``infeasible_subset`` asks HiGHS for an IIS of an infeasible LP (``Highs.getIis``), then
minimises it by a deletion filter over a small sub-LP: column lower bounds are always kept
(nothing runs backwards), while every row and every finite column upper bound in the subset is
tried without; one whose removal leaves the subset infeasible is dropped for good. What
remains is irreducible: removing any one member makes the subset feasible.
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
    method = "HiGHS IIS"
    rows, cols = np.zeros(0, np.int64), np.zeros(0, np.int64)
    try:
        # the default ("light") strategy only finds bound clashes; ask for one from the LP
        highs.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyFromLp))
        found, iis = highs.getIis()
        if found == highspy.HighsStatus.kOk and iis.valid_:
            rows = np.asarray(iis.row_index_, dtype=np.int64)
            cols = np.asarray(iis.col_index_, dtype=np.int64)
    except (AttributeError, RuntimeError):  # older highspy: no IIS
        pass
    if rows.size == 0:  # fall back on the support of the Farkas ray
        method = "dual ray"
        _, has_ray, ray = highs.getDualRay()
        if has_ray:
            ray = np.asarray(ray)
            rows = np.flatnonzero(np.abs(ray) > 1e-9 * max(np.abs(ray).max(), 1.0))
            cols = np.unique(lp.A[rows].indices)
        else:  # nothing better: every row
            rows = np.arange(lp.num_rows)
            cols = np.arange(lp.num_cols)
    cols = cols[np.isfinite(lp.col_upper[cols])]
    rows, cols, solves = _deletion_filter(lp, rows, cols, options)
    sides = []
    lower, upper = lp.row_lower[rows], lp.row_upper[rows]
    for low, high in zip(lower, upper, strict=True):
        sides.append("both" if np.isfinite(low) and np.isfinite(high) else
                     "lower" if np.isfinite(low) else "upper")
    return Subset(False, rows, sides, cols, time.perf_counter() - started, solves + 1,
                  method + " + deletion filter")


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


def _deletion_filter(lp: LPData, rows: np.ndarray, cols: np.ndarray,
                     options: SolverOptions) -> tuple[np.ndarray, np.ndarray, int]:
    """Drop every member whose removal keeps the subset infeasible (one small solve each)."""
    solves = 0
    keep_rows = np.ones(len(rows), dtype=bool)
    keep_cols = np.ones(len(cols), dtype=bool)
    for i in range(len(rows)):  # members of one conflict: a handful to a few hundred
        keep_rows[i] = False
        solves += 1
        if not _infeasible(lp, rows[keep_rows], cols[keep_cols], options):
            keep_rows[i] = True
    for j in range(len(cols)):
        keep_cols[j] = False
        solves += 1
        if not _infeasible(lp, rows[keep_rows], cols[keep_cols], options):
            keep_cols[j] = True
    return rows[keep_rows], cols[keep_cols], solves
