"""Irreducible infeasible subsets of an LP (matrices only, no names).

``infeasible_subset`` starts from an infeasible subset of an infeasible LP: the support of a
Farkas certificate of least (reweighted) weight, an LP of the same size whose vertices are
irreducible infeasible subsets; failing that, the support of HiGHS's dual ray, or HiGHS's own
IIS (``Highs.getIis``). The subset is then made irreducible by QuickXplain (Junker 2004), a
divide-and-conquer deletion filter: it halves the candidates and asks whether the background
plus one half is already infeasible, so a conflict of k members among n is found in
O(k log(n/k)) small LPs instead of n. Column lower bounds are always kept (nothing runs
backwards); every row and every finite column upper bound in the
subset is a member. What remains is irreducible: removing any one member makes the subset
feasible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from .capabilities import is_exact
from .highs import HighsSolver, highspy, run_decided
from .options import SolverOptions
from .problem import LPData
from .reach import FIRST_ORDER_TOLERANCE
from .result import Status

if TYPE_CHECKING:
    from . import Solver


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


def infeasible_subset(lp: LPData, options: SolverOptions | None = None,
                      solver: Solver | None = None, known_infeasible: bool = False) -> Subset:
    """An irreducible infeasible subset of ``lp``, or ``feasible=True``.

    solver : the backend for the least Farkas certificate (default HiGHS).
    known_infeasible : the caller has shown the LP infeasible, so the certificate is sought
        at once; HiGHS solves the whole LP (for its dual ray or IIS) only if that fails. With
        a first-order ``solver`` (pdlp, for LPs past what HiGHS can factor) HiGHS then never
        sees the whole LP: the approximate certificate's support is checked to be infeasible
        and made irreducible by HiGHS on that subsystem alone.
    """
    started = time.perf_counter()
    options = options or SolverOptions()
    solver = solver or HighsSolver()
    if known_infeasible:
        found = _sparse_certificate(lp, options, solver)
        options = _for_highs(options, solver)
        if found is not None:
            rows, cols, solves = _quickxplain(lp, found[0], found[1], options)
            how = "" if is_exact(solver) else f" ({solver.name})"
            return _subset(lp, rows, cols, time.perf_counter() - started, solves + 3,
                           f"least Farkas certificate{how} + QuickXplain")
    highs = HighsSolver._configured(options)
    highs.passModel(HighsSolver._model(lp))
    status = run_decided(highs)
    if status != highspy.HighsModelStatus.kInfeasible:
        return Subset(True, np.zeros(0, np.int64), [], np.zeros(0, np.int64),
                      time.perf_counter() - started, 1, "")
    rows, cols, method = _candidates(lp, highs, options, certificate=not known_infeasible)
    cols = cols[np.isfinite(lp.col_upper[cols])]
    rows, cols, solves = _quickxplain(lp, rows, cols, options)
    return _subset(lp, rows, cols, time.perf_counter() - started, solves + 2,
                   method + " + QuickXplain")


def _for_highs(options: SolverOptions, solver: Solver) -> SolverOptions:
    """``options`` for HiGHS's own solves: an inexact ``solver``'s tolerance is a relative
    KKT error, not a feasibility tolerance, and is dropped."""
    return options if is_exact(solver) else replace(options, tolerance=None)


def _subset(lp: LPData, rows: np.ndarray, cols: np.ndarray, seconds: float, solves: int,
            method: str) -> Subset:
    """The Subset of members ``rows`` and ``cols``, each row with the side that conflicts."""
    lower, upper = np.isfinite(lp.row_lower[rows]), np.isfinite(lp.row_upper[rows])
    sides = np.where(lower & upper, "both", np.where(lower, "lower", "upper")).tolist()
    return Subset(False, rows, sides, cols, seconds, solves, method)


def _candidates(lp: LPData, highs: highspy.Highs, options: SolverOptions,
                certificate: bool = True) -> tuple[np.ndarray, np.ndarray, str]:
    """An infeasible subset to start from: (rows, columns whose upper bound may count,
    how it was found). The least certificate costs two LPs of the LP's size and is nearly
    irreducible; the dual ray's support is cheap but wide (1,831 rows for a conflict of 9 on
    30 x 3 x 10 generated); HiGHS's IIS search took 9.8 s there (a 0.06 s LP) and left 522."""
    found = _sparse_certificate(lp, options) if certificate else None  # else: tried already
    if found is not None:
        return found[0], found[1], "least Farkas certificate"
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


def _sparse_certificate(lp: LPData, options: SolverOptions, solver: Solver | None = None,
                        rounds: int = 2) -> tuple[np.ndarray, np.ndarray] | None:
    """The support of a Farkas certificate of least weight: nonnegative multipliers of the
    rows' lower (y_l) and upper (y_u) bounds and of the columns' upper bounds (z_u) that add
    up to an impossible inequality 0 >= 1, each weighted by its row's number of entries,

        A_l' y_l - A_u' y_u - z_u + z_0 = 0,   l'y_l - u'y_u - c_u'z_u + c_0'z_0 = 1,

    (z_0 for the column lower bounds, always kept: weight 0), minimising the weighted sum of
    the multipliers. Vertices of this set are irreducible infeasible subsets (Gleeson and Ryan
    1990), and the least sum favours small ones; ``rounds`` - 1 more solves divide each
    weight by (the multiplier's last value + 1e-3 of the largest), which favours them much
    more (100 x 4 generated, first year: 582 members after one solve, 12 after two;
    QuickXplain then needs 22 solves instead of 133). Weighing by the row's entries rather
    than by 1 takes the ussr1957 explanation from 52 constraints to 27. ``solver`` (default
    HiGHS) solves these LPs; a first-order solver's multipliers are approximate, so their
    support is cut at ever smaller shares of the largest (1e-6, 1e-9, 1e-12) until HiGHS finds
    the subsystem infeasible. Returns (rows, columns) or None."""
    solver = solver or HighsSolver()
    exact = is_exact(solver)
    solve_options = options if exact else replace(
        options, tolerance=options.tolerance or FIRST_ORDER_TOLERANCE)
    options = _for_highs(options, solver)
    n = lp.num_cols
    A = lp.A.tocsr()
    low = np.flatnonzero(np.isfinite(lp.row_lower))
    up = np.flatnonzero(np.isfinite(lp.row_upper))
    cup = np.flatnonzero(np.isfinite(lp.col_upper))
    clow = np.flatnonzero(np.isfinite(lp.col_lower))
    columns = sp.hstack([A[low].T, -A[up].T,
                         -sp.csr_matrix((np.ones(len(cup)), (cup, np.arange(len(cup)))),
                                        shape=(n, len(cup))),
                         sp.csr_matrix((np.ones(len(clow)), (clow, np.arange(len(clow)))),
                                       shape=(n, len(clow)))], format="csr")
    rhs = np.concatenate([lp.row_lower[low], -lp.row_upper[up], -lp.col_upper[cup],
                          lp.col_lower[clow]])
    k = columns.shape[1]
    # a multiplier costs its row's number of entries: a dense row (a region's labour, which
    # every technique there uses) weighs more than a specific one (a target, a stock)
    size = np.diff(A.indptr).astype(np.float64)
    cost = np.concatenate([size[low], size[up], np.ones(len(cup))])
    certificate = LPData(
        c=np.concatenate([cost, np.zeros(len(clow))]),
        A=sp.vstack([columns, sp.csr_matrix(rhs[None, :])], format="csr"),
        row_lower=np.concatenate([np.zeros(n), [1.0]]),
        row_upper=np.concatenate([np.zeros(n), [1.0]]),
        col_lower=np.zeros(k), col_upper=np.full(k, np.inf))
    result = solver.solve(certificate, solve_options)
    if result.status is not Status.OPTIMAL:
        return None
    weight = result.x
    priced = len(low) + len(up) + len(cup)
    for _ in range(rounds - 1):  # reweighted (Candès, Wakin and Boyd 2008): sparser still
        scale = max(float(weight.max(initial=0.0)), 1e-300)
        certificate.c[:priced] = cost / (weight[:priced] / scale + 1e-3)
        again = solver.solve(certificate, solve_options, result)
        if again.status is not Status.OPTIMAL:
            break
        weight, result = again.x, again
    scale = max(float(weight.max(initial=0.0)), 1e-300)
    for share in ((1e-9,) if exact else (1e-6, 1e-9, 1e-12)):
        used = weight > share * scale
        rows = np.union1d(low[used[:len(low)]], up[used[len(low):len(low) + len(up)]])
        cols = cup[used[len(low) + len(up):len(low) + len(up) + len(cup)]]
        if rows.size and _infeasible(lp, rows, cols, options):
            return rows.astype(np.int64), cols.astype(np.int64)
    return None


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
    if result.status not in (Status.OPTIMAL, Status.INFEASIBLE):  # e.g. out of time
        raise RuntimeError(f"a subsystem's LP ended {result.status.value} ({result.message})")
    return result.status is Status.INFEASIBLE


def _quickxplain(lp: LPData, rows: np.ndarray, cols: np.ndarray, options: SolverOptions,
                 order: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int]:
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
    if order is None:
        order = np.arange(n_rows + len(cols))[::-1]
    members = np.asarray(sorted(explain([], False, [int(i) for i in order])), dtype=np.int64)
    return rows[members[members < n_rows]], cols[members[members >= n_rows] - n_rows], solves
