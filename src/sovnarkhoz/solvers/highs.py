"""HiGHS through highspy, with the matrix handed over directly (no scipy.optimize layer)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import numpy as np

from .capabilities import Capability
from .duality import dual_objective
from .options import PROGRESS_AFTER, SolverOptions
from .problem import LPData
from .result import SolverResult, Status

try:  # highspy is a hard dependency, but keep the import error readable
    import highspy
except ImportError as exc:  # pragma: no cover
    raise ImportError("highspy is required for the HiGHS solver: pip install highspy") from exc


def _status_map() -> dict[object, Status]:
    m = highspy.HighsModelStatus
    return {
        m.kOptimal: Status.OPTIMAL,
        m.kModelEmpty: Status.OPTIMAL,
        m.kInfeasible: Status.INFEASIBLE,
        m.kUnbounded: Status.UNBOUNDED,
        m.kTimeLimit: Status.TIME_LIMIT,
    }


DEFAULT_TOLERANCE = 1e-7

IPM_NONZEROS = 25_000
"""LPs with at least this many nonzeros go to HiGHS's interior point (with crossover to a
vertex) when no method is asked for. Multi-year LPs: dual simplex crawls along their
staircase (100 products x 4 regions: 5.3 s against 3.1 s at 4 years, no end in 300 s against
60 s at 10). One-year LPs: a generated 300 x 10 x 2 economy (90,000 nonzeros) in 0.7 s
against 3.9 s, 1000 x 10 x 2 in 8 s against 61 s (docs/performance.md). Below this size
simplex is as fast or faster. Above it simplex still wins on some LPs (ussr1957's plan:
1.5 s against 3.0 s): ``--method simplex`` then."""


def choose_method(options: SolverOptions | None, lp: LPData) -> tuple[SolverOptions, str]:
    """``options`` with HiGHS's method chosen for ``lp`` (interior point from IPM_NONZEROS
    nonzeros when the method is ``auto``), and a few words on the choice ("" when none)."""
    options = options or SolverOptions()
    if options.method == "auto" and lp.nnz >= IPM_NONZEROS:
        return replace(options, method="ipm"), (
            f"interior point: an LP of {IPM_NONZEROS:,} nonzeros or more")
    return options, ""


_BANNER_SHOWN = False


def run_decided(highs: highspy.Highs) -> highspy.HighsModelStatus:
    """Run HiGHS (:func:`run_highs`) and return its model status; when presolve could not
    tell an infeasible LP from an unbounded one, solve again without presolve, which can."""
    run_highs(highs)
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        highs.setOptionValue("presolve", "off")
        run_highs(highs)
        status = highs.getModelStatus()
    return status


def run_highs(highs: highspy.Highs) -> None:
    """``highs.run()``, but a Ctrl-C (or any exception a signal handler raises) stops it.

    HiGHS runs in C++ and releases the GIL, so Python's signal handlers would wait until it
    returns: minutes on a large LP. From the main thread it therefore runs in a helper thread
    while the main thread waits and stays responsive; on an exception there (KeyboardInterrupt,
    or what a SIGTERM handler raises), HiGHS is told to stop through its interrupt callbacks,
    is waited for (it stops within an iteration), and the exception goes on. Elsewhere it
    simply runs.
    """
    if threading.current_thread() is not threading.main_thread():
        highs.run()
        return
    stop = threading.Event()

    def interrupt(event) -> None:  # called by HiGHS between iterations
        if stop.is_set():
            event.interrupt()

    callbacks = (highs.cbSimplexInterrupt, highs.cbIpmInterrupt)
    for callback in callbacks:
        callback.subscribe(interrupt)
    worker = threading.Thread(target=highs.run, name="highs", daemon=True)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
    except BaseException:
        stop.set()
        while worker.is_alive():
            try:
                worker.join()
            except BaseException:  # a second Ctrl-C: still wait, HiGHS is stopping
                stop.set()
        raise
    finally:
        for callback in callbacks:
            callback.unsubscribe(interrupt)


def pass_model(highs: highspy.Highs, lp: LPData) -> str | None:
    """Hand ``lp`` to ``highs``; why HiGHS refused it (None when it took it).

    HiGHS refuses a matrix holding a coefficient of 1e15 or more (its large_matrix_value)
    and then holds an empty model that it would call optimal."""
    status = highs.passModel(HighsSolver._model(lp))
    if status == highspy.HighsStatus.kError:
        return ("HiGHS refused the LP (a coefficient of 1e15 or more, or a bound it cannot "
                "take): change the scenario's units so that its numbers lie closer together")
    return None


def _new_highs(quiet: bool) -> highspy.Highs:
    """A Highs instance; HiGHS prints a banner from C on its first construction in a process,
    which would pollute our own output, so that one construction writes to /dev/null.

    highspy has no silencing of its own that acts in time: ``Highs()`` takes no arguments
    and its C++ constructor prints the banner ("Running HiGHS 1.16.0 ...") to the process's
    standard output before any option can be set; ``Highs.silent()`` and ``output_flag =
    False`` only silence what comes after, and no environment variable turns it off
    (checked with highspy 1.16 in a subprocess). So file descriptor 1 is pointed at
    /dev/null for that one construction, and every later solve is silenced by its options.
    """
    global _BANNER_SHOWN
    if _BANNER_SHOWN or not quiet:
        _BANNER_SHOWN = True
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 1)
            highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SHOWN = True
    return highs


def objective_scale(lp: LPData) -> int:
    """Exponent k of the power of two 2**k by which HiGHS is to scale the costs so that the
    duals it works with are of order one.

    HiGHS's dual feasibility tolerance is absolute (1e-7). A planning LP's duals are prices in
    points of the objective per unit: for max-fulfilment, whose only cost is λ's 1 against
    targets summing to 10^4, they are of order 1e-4, and a reduced cost "feasible" to 1e-7 is
    then wrong by 1e-3 of the price level (dual simplex stopped 6e-6 short of the optimum on a
    generated 300 x 10 x 2 economy, 7e-5 short on a 1000 x 10 x 2 one; docs/performance.md).
    At a dual y, each cost-bearing column j has c_j = (A^T y)_j + reduced cost, so y is of
    order |c_j| / ||A_j||_1; the median of that ratio over those columns estimates the duals'
    scale, and 2**k its inverse. 0 when no column has a cost.
    """
    return cost_scale(lp.c, lp)


def cost_scale(cost: np.ndarray, lp: LPData) -> int:
    """:func:`objective_scale` for the costs ``cost`` (n,) on ``lp``'s matrix (a persistent
    model whose costs change between solves)."""
    priced = np.flatnonzero(cost)
    if not priced.size:
        return 0
    norms = np.asarray(abs(lp.A_csc[:, priced]).sum(axis=0)).ravel()
    ratio = np.abs(cost[priced]) / np.where(norms > 0, norms, np.abs(cost[priced]))
    return int(np.clip(-np.round(np.log2(np.median(ratio))), -30, 30))


@contextmanager
def _log_forwarded(highs: highspy.Highs, progress: Callable[[str], None] | None
                   ) -> Iterator[None]:
    """While inside, pass HiGHS's log lines to ``progress`` once the solve has run
    PROGRESS_AFTER seconds (HiGHS logs to the callback rather than the console). The
    callback is removed on the way out, whatever happens: one left on a model that outlives
    an interrupted solve would be called into while Python shuts down (an abort)."""
    if progress is None:
        yield
        return
    started = time.perf_counter()
    highs.setOptionValue("output_flag", True)
    highs.setOptionValue("log_to_console", False)

    def forward(event: object) -> None:
        if time.perf_counter() - started < PROGRESS_AFTER:
            return
        for line in str(getattr(event, "message", "")).splitlines():
            if line.strip():
                progress(f"HiGHS: {line.strip()}")

    highs.cbLogging.subscribe(forward)
    try:
        yield
    finally:
        highs.cbLogging.unsubscribe(forward)
        highs.setOptionValue("output_flag", False)


class HighsSolver:
    """Exact LP solver: dual simplex or interior point (with crossover) from HiGHS."""

    name = "highs"
    capabilities = (Capability.EXACT | Capability.DUALS | Capability.CERTIFICATES
                    | Capability.TIME_LIMIT | Capability.ADD_ROWS)
    default_tolerance = DEFAULT_TOLERANCE

    def persistent(self, lp: LPData, options: SolverOptions | None = None):
        """A model of ``lp`` kept between solves (:class:`~.persistent.PersistentHighs`), to
        which rows can be added (:attr:`Capability.ADD_ROWS`)."""
        from .persistent import PersistentHighs

        return PersistentHighs(lp, options=options)

    def settings_for(self, lp: LPData, options: SolverOptions) -> tuple[SolverOptions, str]:
        """The method by size (:func:`choose_method`)."""
        return choose_method(options, lp)

    def solve(self, lp: LPData, options: SolverOptions | None = None,
              start: SolverResult | None = None) -> SolverResult:
        """Solve ``lp``. ``start`` is accepted for interface symmetry; HiGHS starts cold."""
        options = options or SolverOptions()
        started = time.perf_counter()
        highs = self._configured(options)
        highs.setOptionValue("user_objective_scale", objective_scale(lp))
        refused = pass_model(highs, lp)
        if refused is not None:
            return SolverResult(status=Status.ERROR, message=refused, solver="highs",
                                seconds=time.perf_counter() - started)
        run_started = time.perf_counter()
        with _log_forwarded(highs, None if options.verbose else options.progress):
            status = run_decided(highs)
        result = self._result(lp, highs, status, time.perf_counter() - started)
        result.details["run_seconds"] = time.perf_counter() - run_started
        return result

    @staticmethod
    def _configured(options: SolverOptions) -> highspy.Highs:
        highs = _new_highs(quiet=not options.verbose)
        highs.setOptionValue("output_flag", bool(options.verbose))
        if options.time_limit is not None:
            highs.setOptionValue("time_limit", float(options.time_limit))
        if options.method == "simplex":
            highs.setOptionValue("solver", "simplex")
        elif options.method == "ipm":
            highs.setOptionValue("solver", "ipm")
            highs.setOptionValue("run_crossover", "on")
        if options.threads is not None:
            highs.setOptionValue("threads", int(options.threads))
        tolerance = DEFAULT_TOLERANCE if options.tolerance is None else float(options.tolerance)
        highs.setOptionValue("primal_feasibility_tolerance", tolerance)
        highs.setOptionValue("dual_feasibility_tolerance", tolerance)
        return highs

    @staticmethod
    def _model(lp: LPData) -> highspy.HighsLp:
        model = highspy.HighsLp()
        model.num_col_ = lp.num_cols
        model.num_row_ = lp.num_rows
        model.col_cost_ = np.ascontiguousarray(lp.c, dtype=np.float64)
        model.offset_ = float(lp.offset)
        model.col_lower_ = np.ascontiguousarray(lp.col_lower, dtype=np.float64)
        model.col_upper_ = np.ascontiguousarray(lp.col_upper, dtype=np.float64)
        model.row_lower_ = np.ascontiguousarray(lp.row_lower, dtype=np.float64)
        model.row_upper_ = np.ascontiguousarray(lp.row_upper, dtype=np.float64)
        matrix = lp.A_csc
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.num_col_ = lp.num_cols
        model.a_matrix_.num_row_ = lp.num_rows
        model.a_matrix_.start_ = matrix.indptr.astype(np.int32, copy=False)
        model.a_matrix_.index_ = matrix.indices.astype(np.int32, copy=False)
        model.a_matrix_.value_ = matrix.data.astype(np.float64, copy=False)
        return model

    @staticmethod
    def _result(lp: LPData, highs: highspy.Highs, model_status: object,
                seconds: float) -> SolverResult:
        status = _status_map().get(model_status, Status.ERROR)
        if model_status == highspy.HighsModelStatus.kModelEmpty and lp.num_cols:
            status = Status.ERROR  # HiGHS holds no model: it did not take this one
        info = highs.getInfo()
        message = highs.modelStatusToString(model_status)
        iterations = int(max(info.simplex_iteration_count, 0) + max(info.ipm_iteration_count, 0))
        result = SolverResult(status=status, message=message, solver="highs", seconds=seconds,
                              iterations=iterations)
        # keep any primal point HiGHS holds (e.g. the best one when time ran out)
        if info.primal_solution_status >= 1 or status is Status.OPTIMAL:
            solution = highs.getSolution()
            result.x = np.asarray(solution.col_value, dtype=np.float64)
            if solution.dual_valid:
                result.row_dual = np.asarray(solution.row_dual, dtype=np.float64)
                result.col_dual = np.asarray(solution.col_dual, dtype=np.float64)
            if result.x.size == lp.num_cols:
                result.objective = float(lp.c @ result.x + lp.offset)
            else:
                result.x = np.zeros(0)
        if result.has_duals:
            result.dual_objective = dual_objective(lp, result.row_dual, result.col_dual)
        result.details = {
            "primal_solution_status": int(info.primal_solution_status),
            "dual_solution_status": int(info.dual_solution_status),
            "simplex_iterations": int(info.simplex_iteration_count),
            "ipm_iterations": int(info.ipm_iteration_count),
            "crossover_iterations": int(info.crossover_iteration_count),
        }
        return result
