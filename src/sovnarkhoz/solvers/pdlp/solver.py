"""Restarted Halpern PDHG with reflection (the HPR-LP / cuPDLPx family), in PyTorch.

One PDHG step T maps z = (x, y) to
    x⁺ = proj_[l_v, u_v](x - τ (c - A'y))
    y⁺ = y - σ A(2x⁺ - x) - σ proj_[-u, -l](y/σ - A(2x⁺ - x))
and the Halpern iteration with reflection anchors every step to the last restart point z⁰:
    z_{k+1} = (k+1)/(k+2) · (2 T(z_k) - z_k) + 1/(k+2) · z⁰.
Step sizes τ = η/ω, σ = ηω with η = 0.998 / ||Ã||₂ (power iteration) and ω the primal
weight, re-balanced at each restart from how far x and y moved. Restarts follow the fixed-point
residual ||z - T(z)||_ω (sufficient decay 0.2, necessary decay 0.8 without progress, or 36% of
all iterations). Every ``check_every`` steps the candidate T(z) is measured on the unscaled
problem (relative KKT error) and z - T(z) is tested as an infeasibility certificate.

The default stop asks every row to be within the tolerance of its own size too. Once the ℓ2
rule is met (and the dual residual is within 1 % of the tolerance) but some row is not, the
primal is polished (polish.py): PDHG on the feasibility problem, objective held under the
dual objective plus half the gap allowed, from the candidate; the polished x with the
candidate's dual must pass the very same check. A failed polish costs its iterations (at most
half of those so far; the next try waits until the count has doubled) and nothing else.

Runs on CPU or CUDA from the same code; float64 by default. On the CPU the thread count is
chosen from the work and the cores free (threads.py). ``PdlpSettings(compile_steps=True)``
runs the inner loop between two checks (``check_every`` - 1 Halpern steps) as one function
through torch.compile (on CUDA in reduce-overhead mode, i.e. replayed as one CUDA graph, the
weights of its steps passed as one tensor); it gives the same iterates as the eager loop
(tested on the CPU, where it is slower: sparse products break the graph) and is off by
default until it is measured on a GPU.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..capabilities import Capability
from ..device import import_torch, pick_device
from ..options import SolverOptions
from ..problem import LPData
from ..result import SolverResult, Status
from . import kkt
from .polish import ceiling, with_objective_row
from .scaling import Scaled, scale_problem
from .threads import ThreadChoice, choose_threads

DEFAULT_TOLERANCE = 1e-4
INFEASIBILITY_TOLERANCE = 1e-8


@dataclass(frozen=True)
class PdlpSettings:
    """Tuning constants; the defaults follow the cuPDLPx paper."""

    check_every: int = 64
    sufficient_decay: float = 0.2
    necessary_decay: float = 0.8
    artificial_share: float = 0.36
    step_safety: float = 0.998
    power_iterations: int = 60
    ruiz_iterations: int = 10
    weight_smoothing: float = 0.5
    max_iterations: int = 2_000_000
    bound_objective_scaling: bool = True
    rowwise_check: bool = True
    compile_steps: bool = False  # the loop between checks through torch.compile (CUDA: a graph)
    polish: bool = True  # primal feasibility polishing once the l2 rule is met (row-wise only)
    polish_share: float = 0.5  # a polishing phase runs at most this share of the iterations
    polish_gap_share: float = 0.5  # polishing holds c'x within this share of the gap allowed
    polish_row_norm: float = 0.3  # the objective row's norm in polishing, relative to ||Ã||₂
    polish_dual_share: float = 1e-2  # polishing waits for the dual residual this far in


class PdlpSolver:
    """First-order LP solver: scales, iterates on the device, reports KKT residuals.

    ``solve(lp, options, start)``: ``start`` is an earlier SolverResult (same shape) whose x
    and row_dual warm-start the iteration.
    """

    name = "pdlp"
    capabilities = (Capability.DUALS | Capability.WARM_START | Capability.CERTIFICATES
                    | Capability.TIME_LIMIT | Capability.GPU)
    default_tolerance = DEFAULT_TOLERANCE

    def __init__(self, settings: PdlpSettings | None = None, dtype: str = "float64"):
        self.settings = settings or PdlpSettings()
        self.dtype = dtype

    def settings_for(self, lp: LPData, options: SolverOptions) -> tuple[SolverOptions, str]:
        """pdlp makes no choice by size: ``options`` as given."""
        return options, ""

    def solve(self, lp: LPData, options: SolverOptions | None = None,
              start: SolverResult | None = None) -> SolverResult:
        """Scale ``lp``, choose the step sizes, iterate from ``start`` (or zero) until the
        relative KKT error falls under the tolerance, a certificate is found or time or
        iterations run out, and report the best candidate on the unscaled problem."""
        options = options or SolverOptions()
        torch = import_torch()
        started = time.perf_counter()
        device = pick_device(options.device)
        if device != "cpu":
            return self._solve(torch, lp, options, start, started, device, None)
        choice = choose_threads(lp.nnz, options.threads)
        previous = torch.get_num_threads()
        torch.set_num_threads(choice.threads)
        try:
            return self._solve(torch, lp, options, start, started, device, choice)
        finally:
            torch.set_num_threads(previous)

    def _solve(self, torch: Any, lp: LPData, options: SolverOptions,
               start: SolverResult | None, started: float, device: str,
               threads: ThreadChoice | None) -> SolverResult:
        """:meth:`solve` on ``device``, with PyTorch's threads already set (``threads``: the
        choice on the CPU, None on CUDA)."""
        tol = options.tolerance if options.tolerance is not None else DEFAULT_TOLERANCE
        space = self._scaled(torch, lp, device)
        setup_seconds = time.perf_counter() - started
        steps = self._step_sizes(space, lp.A.shape)
        run = _Run.starting(space, steps.weight, self._start(space, start, lp.A.shape))
        run.norm = steps.norm
        deadline = None if options.time_limit is None else started + options.time_limit
        iterate_started = time.perf_counter()
        status, message = run.iterate(self.settings, steps.eta, tol, deadline)
        if device == "cuda":
            torch.cuda.synchronize()
        iterating = time.perf_counter() - iterate_started

        result = SolverResult(status=status, message=message, solver=self.name,
                              seconds=time.perf_counter() - started, iterations=run.total)
        if status in (Status.OPTIMAL, Status.TIME_LIMIT):
            ux, uy = run.best
            result.x = ux.cpu().numpy().astype(np.float64)
            result.row_dual = uy.cpu().numpy().astype(np.float64)
            result.col_dual = run.z_plus.cpu().numpy().astype(np.float64)
            result.objective = run.measures.primal_objective
            result.dual_objective = run.measures.dual_objective
        result.details = {
            "device": device, "dtype": self.dtype, "tolerance": tol, "restarts": run.restarts,
            "primal_weight": run.weight, "step_size": steps.eta, "norm_estimate": steps.norm,
            "setup_seconds": setup_seconds, "iterate_seconds": iterating,
            "ms_per_iteration": 1000.0 * iterating / max(run.total, 1),
            "polish_iterations": run.polish_iterations, "polish_attempts": run.polish_attempts,
            **(threads.as_dict() if threads is not None else {}),
            **(run.measures.as_dict() if run.measures is not None else {}),
        }
        return result

    def _scaled(self, torch: Any, lp: LPData, device: str) -> _Space:
        """``lp`` on the device: the unscaled data the KKT measures read, and its scaled
        form (Ruiz, Pock-Chambolle and bound-objective scaling) that the iteration runs on."""
        dtype = getattr(torch, self.dtype)

        def tensor(values: np.ndarray) -> Any:
            return torch.as_tensor(np.ascontiguousarray(values), dtype=dtype, device=device)

        coo = lp.A.tocoo()
        rows = torch.as_tensor(coo.row.astype(np.int64), device=device)
        cols = torch.as_tensor(coo.col.astype(np.int64), device=device)
        problem = kkt.make_problem(torch, tensor(lp.c), tensor(lp.row_lower),
                                   tensor(lp.row_upper), tensor(lp.col_lower),
                                   tensor(lp.col_upper), float(lp.offset))
        s = self.settings
        scaled = scale_problem(torch, rows, cols, tensor(coo.data), lp.A.shape, problem.c,
                               problem.row_lower, problem.row_upper, problem.col_lower,
                               problem.col_upper, s.ruiz_iterations, s.bound_objective_scaling)
        return _Space(torch, device, dtype, tensor, problem, scaled)

    def _step_sizes(self, space: _Space, shape: tuple[int, int]) -> _Steps:
        """η = step_safety / ||Ã||₂ (power iteration) and the first primal weight
        ω = ||c̃|| / ||b̃|| (1 when either is nearly zero)."""
        torch, sc, s = space.torch, space.scaled, self.settings
        norm = _largest_singular_value(torch, sc.A, sc.AT, shape[1], s.power_iterations,
                                       space.dtype, space.device)
        eta = s.step_safety / max(norm, 1e-12)
        c_norm = float(torch.linalg.vector_norm(sc.c))
        finite_rows = torch.cat([sc.row_lower[torch.isfinite(sc.row_lower)],
                                 sc.row_upper[torch.isfinite(sc.row_upper)]])
        b_norm = float(torch.linalg.vector_norm(finite_rows)) if finite_rows.numel() else 0.0
        weight = c_norm / b_norm if c_norm > 1e-10 and b_norm > 1e-10 else 1.0
        return _Steps(norm=norm, eta=eta, weight=weight)

    @staticmethod
    def _start(space: _Space, start: SolverResult | None, shape: tuple[int, int]
               ) -> tuple[Any, Any]:
        """The first iterate in the scaled space: ``start``'s x (and its row duals, when they
        fit) or zero, x clipped to its bounds."""
        torch, sc = space.torch, space.scaled
        m, n = shape
        x = torch.zeros(n, dtype=space.dtype, device=space.device)
        y = torch.zeros(m, dtype=space.dtype, device=space.device)
        if start is not None and start.has_solution and start.x.size == n:
            x = space.tensor(start.x) / sc.x_unscale
            if start.row_dual.size == m:
                y = space.tensor(start.row_dual) / sc.y_unscale
        return torch.clamp(x, min=sc.col_lower, max=sc.col_upper), y


@dataclass
class _Space:
    """The LP on the device: ``problem`` unscaled (for the measures), ``scaled`` (for the
    iteration); ``tensor`` turns a numpy array into one of its tensors."""

    torch: Any
    device: str
    dtype: Any
    tensor: Callable[[np.ndarray], Any]
    problem: kkt.Problem
    scaled: Scaled


@dataclass
class _Steps:
    norm: float  # estimate of ||Ã||₂
    eta: float  # η: τ = η/ω, σ = ηω
    weight: float  # the first primal weight ω


@dataclass
class _Run:
    """The iteration's state: the iterate z = (x, y), the Halpern anchor (the last restart
    point), where the last restart was, counts, the restart criteria's residuals, the primal
    weight, and the last candidate measured (``best``, ``measures``, ``z_plus``)."""

    space: _Space
    weight: float
    x: Any
    y: Any
    anchor_x: Any
    anchor_y: Any
    last_restart_x: Any
    last_restart_y: Any
    best: tuple[Any, Any]
    inner: int = 0
    total: int = 0
    restarts: int = 0
    anchor_residual: float = math.inf
    previous_residual: float = math.inf
    measures: kkt.Residuals | None = None
    z_plus: Any = None
    compiled: Callable[..., tuple[Any, Any]] | None = None
    next_polish: int = 0
    norm: float = 1.0
    polish_iterations: int = 0
    polish_attempts: int = 0

    @classmethod
    def starting(cls, space: _Space, weight: float, start: tuple[Any, Any]) -> _Run:
        x, y = start
        return cls(space=space, weight=weight, x=x, y=y, anchor_x=x.clone(),
                   anchor_y=y.clone(), last_restart_x=x.clone(), last_restart_y=y.clone(),
                   best=(x, y))

    def iterate(self, s: PdlpSettings, eta: float, tol: float, deadline: float | None
                ) -> tuple[Status, str]:
        """Halpern steps, ``check_every`` at a time, until a stop; (status, message)."""
        sc = self.space.scaled
        neg_upper, neg_lower = -sc.row_upper, -sc.row_lower
        if s.compile_steps:
            self.compiled = _compiled_step(self.space)
        while True:
            tau, sigma = eta / self.weight, eta * self.weight
            tx, ty = self._steps(s.check_every, tau, sigma, neg_upper, neg_lower)
            self.total += s.check_every
            error = self._measure(tx, ty, s.rowwise_check)
            if error <= tol:
                return Status.OPTIMAL, f"relative KKT error {error:.2e} <= {tol:g}"
            if (s.rowwise_check and s.polish and self.total >= self.next_polish
                    and self.measures.worst_l2 <= tol
                    and self.measures.dual <= s.polish_dual_share * tol):
                if self._polish(s, eta, tol, deadline, tx, ty):
                    return Status.OPTIMAL, (
                        f"relative KKT error {self.measures.worst:.2e} <= {tol:g} "
                        f"after primal feasibility polishing")
                self.next_polish = 2 * self.total
            dx, dy = tx - self.x, ty - self.y
            residual = _distance(dx, dy, self.weight)
            stop = self._stop(dx, dy, tol, deadline, s.max_iterations)
            if stop is not None:
                return stop
            self._advance(s, tx, ty, residual)

    def _polish(self, s: PdlpSettings, eta: float, tol: float, deadline: float | None,
                tx: Any, ty: Any) -> bool:
        """Primal feasibility polishing from the candidate (tx, ty) (polish.py): PDHG on the
        feasibility problem, anchored at tx and starting from y = 0, for at most
        ``polish_share`` of the iterations so far. Each polished x is measured with the
        candidate's dual by the full check (relative KKT error, every row within the
        tolerance). True, and the candidate replaced by the polished one, when it passes."""
        space, torch = self.space, self.space.torch
        sc = space.scaled
        budget = max(s.check_every, int(s.polish_share * self.total))
        m = ty.shape[0]
        limit = ceiling(self.measures.dual_objective, space.problem.offset, tol,
                        s.polish_gap_share)
        feasible = with_objective_row(torch, sc, limit, s.polish_row_norm * self.norm)
        primal = _Run.starting(self._subspace(feasible), self.weight,
                               (tx, torch.zeros(m + 1, dtype=ty.dtype, device=ty.device)))
        uy = ty * sc.y_unscale
        ATy = (sc.AT @ ty) * sc.ATy_unscale
        found: dict[str, Any] = {}
        self.polish_attempts += 1

        def primal_passes(px: Any, py: Any) -> bool:
            ux = px * sc.x_unscale
            Ax = (feasible.A @ px)[:m] * sc.Ax_unscale
            measures, z_plus = kkt.residuals(torch, space.problem, ux, uy, Ax, ATy)
            found.update(ux=ux, measures=measures, z_plus=z_plus)
            return measures.worst <= tol

        primal_eta = eta / math.sqrt(1.0 + s.polish_row_norm ** 2)  # ||(Ã; row)|| at most
        if not self._feasibility(primal, s, primal_eta, budget, deadline, primal_passes):
            return False
        self.measures, self.z_plus = found["measures"], found["z_plus"]
        self.best = (found["ux"], uy)
        return True

    def _subspace(self, scaled: Scaled) -> _Space:
        """This run's space with another scaled problem (polishing's), same unscaled data."""
        space = self.space
        return _Space(space.torch, space.device, space.dtype, space.tensor, space.problem,
                      scaled)

    def _feasibility(self, sub: _Run, s: PdlpSettings, eta: float, budget: int,
                     deadline: float | None, passes: Callable[[Any, Any], bool]) -> bool:
        """Halpern steps of ``sub`` (a polishing problem) until ``passes`` a candidate, the
        budget of iterations or the deadline; its iterations count in the total."""
        neg_upper, neg_lower = -sub.space.scaled.row_upper, -sub.space.scaled.row_lower
        try:
            while sub.total < budget:
                tau, sigma = eta / sub.weight, eta * sub.weight
                px, py = sub._steps(s.check_every, tau, sigma, neg_upper, neg_lower)
                sub.total += s.check_every
                if passes(px, py):
                    return True
                if deadline is not None and time.perf_counter() >= deadline:
                    return False
                dx, dy = px - sub.x, py - sub.y
                sub._advance(s, px, py, _distance(dx, dy, sub.weight))
            return False
        finally:
            self.total += sub.total
            self.polish_iterations += sub.total

    def _steps(self, count: int, tau: float, sigma: float, neg_upper: Any, neg_lower: Any
               ) -> tuple[Any, Any]:
        """``count`` - 1 Halpern steps from z, then the candidate T(z)."""
        if self.compiled is not None:
            return self._compiled_steps(count, tau, sigma, neg_upper, neg_lower)
        for _ in range(count - 1):
            tx, ty = self._pdhg(tau, sigma, neg_upper, neg_lower)
            self._halpern(tx, ty)
        return self._pdhg(tau, sigma, neg_upper, neg_lower)

    def _pdhg(self, tau: float, sigma: float, neg_upper: Any, neg_lower: Any
              ) -> tuple[Any, Any]:
        """One PDHG step T(x, y) in the scaled space."""
        sc, torch, x, y = self.space.scaled, self.space.torch, self.x, self.y
        x_new = torch.clamp(x - tau * (sc.c - sc.AT @ y), min=sc.col_lower, max=sc.col_upper)
        v = y / sigma - sc.A @ (2.0 * x_new - x)
        y_new = sigma * (v - torch.clamp(v, min=neg_upper, max=neg_lower))
        return x_new, y_new

    def _compiled_steps(self, count: int, tau: float, sigma: float, neg_upper: Any,
                        neg_lower: Any) -> tuple[Any, Any]:
        """:meth:`_steps` through the compiled loop: the count - 1 Halpern steps between two
        checks as one compiled function (on CUDA one CUDA graph), the same arithmetic in the
        same order; the Halpern weights of those steps go in as one tensor, made once, so
        that no step copies a scalar to the device."""
        sc, torch, space = self.space.scaled, self.space.torch, self.space
        if count > 1:
            scalar = {"dtype": space.dtype, "device": space.device}
            first = self.inner
            weights = torch.tensor([(k + 1) / (k + 2) for k in range(first, first + count - 1)],
                                   **scalar)
            self.x, self.y = self.compiled(
                self.x, self.y, self.anchor_x, self.anchor_y, weights,
                torch.tensor(tau, **scalar), torch.tensor(sigma, **scalar), sc.A, sc.AT, sc.c,
                sc.col_lower, sc.col_upper, neg_upper, neg_lower)
            self.inner += count - 1
        return self._pdhg(tau, sigma, neg_upper, neg_lower)

    def _advance(self, s: PdlpSettings, tx: Any, ty: Any, residual: float) -> None:
        """After a check that did not stop: restart at the candidate (tx, ty) if one is due
        (``residual`` its fixed-point residual), else one more Halpern step towards it."""
        restart = self._restart_due(s, residual)
        self.previous_residual = residual
        if restart:
            self._restart(tx, ty, residual, s.weight_smoothing)
        else:
            self._halpern(tx, ty)

    def _halpern(self, tx: Any, ty: Any) -> None:
        """z ← (k+1)/(k+2) · (2 T(z) - z) + 1/(k+2) · anchor."""
        w = (self.inner + 1) / (self.inner + 2)
        self.x = w * (2.0 * tx - self.x) + (1.0 - w) * self.anchor_x
        self.y = w * (2.0 * ty - self.y) + (1.0 - w) * self.anchor_y
        self.inner += 1

    def _measure(self, tx: Any, ty: Any, rowwise: bool) -> float:
        """The candidate T(z) on the unscaled problem: its KKT residuals; the error that
        decides optimality (with or without the row-by-row check)."""
        sc, torch = self.space.scaled, self.space.torch
        ux, uy = tx * sc.x_unscale, ty * sc.y_unscale
        Ax = (sc.A @ tx) * sc.Ax_unscale
        ATy = (sc.AT @ ty) * sc.ATy_unscale
        self.measures, self.z_plus = kkt.residuals(torch, self.space.problem, ux, uy, Ax, ATy)
        self.best = (ux, uy)
        return self.measures.worst if rowwise else self.measures.worst_l2

    def _stop(self, dx: Any, dy: Any, tol: float, deadline: float | None,
              max_iterations: int) -> tuple[Status, str] | None:
        """A reason to stop other than optimality: a Farkas certificate (the primal is off),
        an improving ray (the dual is off), the time or the iteration limit; else None."""
        sc, torch, problem, measures = (self.space.scaled, self.space.torch,
                                        self.space.problem, self.measures)
        if measures.primal > tol:
            ray = kkt.primal_infeasibility(torch, problem, dy * sc.y_unscale,
                                           (sc.AT @ dy) * sc.ATy_unscale)
            if ray <= INFEASIBILITY_TOLERANCE:
                return Status.INFEASIBLE, (
                    f"primal infeasible: Farkas certificate found (ratio {ray:.1e})")
        if measures.dual > tol:
            ray = kkt.dual_infeasibility(torch, problem, dx * sc.x_unscale,
                                         (sc.A @ dx) * sc.Ax_unscale)
            if ray <= INFEASIBILITY_TOLERANCE:
                return Status.UNBOUNDED, (
                    f"dual infeasible: an improving ray found (ratio {ray:.1e})")
        if deadline is not None and time.perf_counter() >= deadline:
            return Status.TIME_LIMIT, (
                f"time limit reached; relative KKT error {measures.worst:.2e}")
        if self.total >= max_iterations:
            return Status.TIME_LIMIT, (
                f"iteration limit reached; relative KKT error {measures.worst:.2e}")
        return None

    def _restart_due(self, s: PdlpSettings, residual: float) -> bool:
        """Sufficient decay of the fixed-point residual since the anchor, necessary decay
        without progress since the last check, or too long since the last restart."""
        return (residual <= s.sufficient_decay * self.anchor_residual
                or (residual <= s.necessary_decay * self.anchor_residual
                    and residual > self.previous_residual)
                or self.inner >= s.artificial_share * self.total)

    def _restart(self, tx: Any, ty: Any, residual: float, smoothing: float) -> None:
        """Restart at the candidate: re-balance the primal weight from how far x and y moved
        since the last restart, and anchor there."""
        torch = self.space.torch
        moved_x = float(torch.linalg.vector_norm(tx - self.last_restart_x))
        moved_y = float(torch.linalg.vector_norm(ty - self.last_restart_y))
        if moved_x > 1e-10 and moved_y > 1e-10:
            self.weight = math.exp(smoothing * math.log(moved_y / moved_x)
                                   + (1 - smoothing) * math.log(self.weight))
        self.x, self.y = tx, ty
        self.anchor_x, self.anchor_y = tx.clone(), ty.clone()
        self.last_restart_x, self.last_restart_y = tx.clone(), ty.clone()
        self.anchor_residual = residual
        self.previous_residual = math.inf
        self.inner = 0
        self.restarts += 1


def halpern_step(x: Any, y: Any, anchor_x: Any, anchor_y: Any, w: Any, tau: Any, sigma: Any,
                 A: Any, AT: Any, c: Any, col_lower: Any, col_upper: Any, neg_upper: Any,
                 neg_lower: Any) -> tuple[Any, Any]:
    """One PDHG step T and the Halpern update, as one function of tensors (what
    ``PdlpSettings.compile_steps`` hands to torch.compile): the same expressions as
    ``_Run._pdhg`` and ``_Run._halpern``; w, tau, sigma are 0-d tensors."""
    import torch

    x_new = torch.clamp(x - tau * (c - AT @ y), min=col_lower, max=col_upper)
    v = y / sigma - A @ (2.0 * x_new - x)
    y_new = sigma * (v - torch.clamp(v, min=neg_upper, max=neg_lower))
    return (w * (2.0 * x_new - x) + (1.0 - w) * anchor_x,
            w * (2.0 * y_new - y) + (1.0 - w) * anchor_y)


def halpern_steps(x: Any, y: Any, anchor_x: Any, anchor_y: Any, weights: Any, tau: Any,
                  sigma: Any, A: Any, AT: Any, c: Any, col_lower: Any, col_upper: Any,
                  neg_upper: Any, neg_lower: Any) -> tuple[Any, Any]:
    """len(weights) Halpern steps (:func:`halpern_step`), the k-th with weight weights[k]:
    the inner loop between two checks, as one function of tensors to compile whole."""
    for k in range(weights.shape[0]):  # unrolled when compiled: the shapes are fixed
        x, y = halpern_step(x, y, anchor_x, anchor_y, weights[k], tau, sigma, A, AT, c,
                            col_lower, col_upper, neg_upper, neg_lower)
    return x, y


def _compiled_step(space: _Space) -> Callable[..., tuple[Any, Any]]:
    """:func:`halpern_steps` through torch.compile: fixed shapes (one graph for each number
    of steps between checks, normally only ``check_every`` - 1); on CUDA in
    ``reduce-overhead`` mode, which replays the whole inner loop as one CUDA graph."""
    mode = "reduce-overhead" if space.device == "cuda" else "default"
    return space.torch.compile(halpern_steps, dynamic=False, mode=mode)


def _distance(dx: Any, dy: Any, w: float) -> float:
    """||(dx, dy)||_ω = sqrt(ω ||dx||² + ||dy||² / ω)."""
    return math.sqrt(w * float(dx @ dx) + float(dy @ dy) / w)


def _largest_singular_value(torch: Any, A: Any, AT: Any, n: int, iterations: int, dtype: Any,
                            device: str) -> float:
    """||A||₂ by power iteration on A'A from a fixed pseudo-random start."""
    generator = torch.Generator(device="cpu").manual_seed(0)
    v = torch.rand(n, generator=generator, dtype=dtype).to(device) + 0.1
    v /= torch.linalg.vector_norm(v)
    estimate = 0.0
    for _ in range(iterations):
        w = AT @ (A @ v)
        size = float(torch.linalg.vector_norm(w))
        if size == 0.0:
            return 0.0
        v = w / size
        estimate = math.sqrt(size)
    return estimate * 1.01  # a little margin above the estimate keeps the step stable
