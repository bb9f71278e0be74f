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

Runs on CPU or CUDA from the same code; float64 by default.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..capabilities import Capability
from ..device import import_torch, pick_device
from ..options import SolverOptions
from ..problem import LPData
from ..result import SolverResult, Status
from . import kkt
from .scaling import scale_problem

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
        options = options or SolverOptions()
        torch = import_torch()
        started = time.perf_counter()
        device = pick_device(options.device)
        if options.threads is not None and device == "cpu":
            torch.set_num_threads(int(options.threads))
        dtype = getattr(torch, self.dtype)
        tol = options.tolerance if options.tolerance is not None else DEFAULT_TOLERANCE
        s = self.settings

        def tensor(values: np.ndarray) -> Any:
            return torch.as_tensor(np.ascontiguousarray(values), dtype=dtype, device=device)

        coo = lp.A.tocoo()
        rows = torch.as_tensor(coo.row.astype(np.int64), device=device)
        cols = torch.as_tensor(coo.col.astype(np.int64), device=device)
        problem = kkt.make_problem(torch, tensor(lp.c), tensor(lp.row_lower),
                                   tensor(lp.row_upper), tensor(lp.col_lower),
                                   tensor(lp.col_upper), float(lp.offset))
        sc = scale_problem(torch, rows, cols, tensor(coo.data), lp.A.shape, problem.c,
                           problem.row_lower, problem.row_upper, problem.col_lower,
                           problem.col_upper, s.ruiz_iterations, s.bound_objective_scaling)
        del rows, cols, coo
        setup_seconds = time.perf_counter() - started

        m, n = lp.A.shape
        norm = _largest_singular_value(torch, sc.A, sc.AT, n, s.power_iterations, dtype, device)
        eta = s.step_safety / max(norm, 1e-12)
        c_norm = float(torch.linalg.vector_norm(sc.c))
        finite_rows = torch.cat([sc.row_lower[torch.isfinite(sc.row_lower)],
                                 sc.row_upper[torch.isfinite(sc.row_upper)]])
        b_norm = float(torch.linalg.vector_norm(finite_rows)) if finite_rows.numel() else 0.0
        weight = c_norm / b_norm if c_norm > 1e-10 and b_norm > 1e-10 else 1.0

        x = torch.zeros(n, dtype=dtype, device=device)
        y = torch.zeros(m, dtype=dtype, device=device)
        if start is not None and start.has_solution and start.x.size == n:
            x = tensor(start.x) / sc.x_unscale
            if start.row_dual.size == m:
                y = tensor(start.row_dual) / sc.y_unscale
        x = torch.clamp(x, min=sc.col_lower, max=sc.col_upper)
        neg_upper, neg_lower = -sc.row_upper, -sc.row_lower

        def step(x: Any, y: Any, tau: float, sigma: float) -> tuple[Any, Any]:
            """One PDHG step T(x, y) in the scaled space."""
            x_new = torch.clamp(x - tau * (sc.c - sc.AT @ y), min=sc.col_lower, max=sc.col_upper)
            v = y / sigma - sc.A @ (2.0 * x_new - x)
            y_new = sigma * (v - torch.clamp(v, min=neg_upper, max=neg_lower))
            return x_new, y_new

        def distance(dx: Any, dy: Any, w: float) -> float:
            return math.sqrt(w * float(dx @ dx) + float(dy @ dy) / w)

        anchor_x, anchor_y = x.clone(), y.clone()
        last_restart_x, last_restart_y = x.clone(), y.clone()
        inner = 0
        total = 0
        restarts = 0
        anchor_residual = math.inf
        previous_residual = math.inf
        status, message = Status.TIME_LIMIT, "iteration limit reached"
        best: tuple[Any, Any] = (x, y)
        measures: kkt.Residuals | None = None
        z_plus = None
        deadline = None if options.time_limit is None else started + options.time_limit
        iterate_started = time.perf_counter()
        while True:
            tau, sigma = eta / weight, eta * weight
            for _ in range(s.check_every - 1):
                tx, ty = step(x, y, tau, sigma)
                w = (inner + 1) / (inner + 2)
                x = w * (2.0 * tx - x) + (1.0 - w) * anchor_x
                y = w * (2.0 * ty - y) + (1.0 - w) * anchor_y
                inner += 1
            tx, ty = step(x, y, tau, sigma)
            total += s.check_every
            # ---- measure the candidate T(z) on the unscaled problem ---------------------
            ux, uy = tx * sc.x_unscale, ty * sc.y_unscale
            Ax = (sc.A @ tx) * sc.Ax_unscale
            ATy = (sc.AT @ ty) * sc.ATy_unscale
            measures, z_plus = kkt.residuals(torch, problem, ux, uy, Ax, ATy)
            best = (ux, uy)
            error = measures.worst if s.rowwise_check else measures.worst_l2
            if error <= tol:
                status = Status.OPTIMAL
                message = f"relative KKT error {error:.2e} <= {tol:g}"
                break
            dx, dy = tx - x, ty - y
            residual = distance(dx, dy, weight)
            if measures.primal > tol:
                ray = kkt.primal_infeasibility(torch, problem, dy * sc.y_unscale,
                                               (sc.AT @ dy) * sc.ATy_unscale)
                if ray <= INFEASIBILITY_TOLERANCE:
                    status, message = Status.INFEASIBLE, (
                        f"primal infeasible: Farkas certificate found (ratio {ray:.1e})")
                    break
            if measures.dual > tol:
                ray = kkt.dual_infeasibility(torch, problem, dx * sc.x_unscale,
                                             (sc.A @ dx) * sc.Ax_unscale)
                if ray <= INFEASIBILITY_TOLERANCE:
                    status, message = Status.UNBOUNDED, (
                        f"dual infeasible: an improving ray found (ratio {ray:.1e})")
                    break
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                status, message = Status.TIME_LIMIT, (
                    f"time limit reached; relative KKT error {measures.worst:.2e}")
                break
            if total >= s.max_iterations:
                message = f"iteration limit reached; relative KKT error {measures.worst:.2e}"
                break
            # ---- restart? ---------------------------------------------------------------
            restart = (residual <= s.sufficient_decay * anchor_residual
                       or (residual <= s.necessary_decay * anchor_residual
                           and residual > previous_residual)
                       or inner >= s.artificial_share * total)
            previous_residual = residual
            if restart:
                moved_x = float(torch.linalg.vector_norm(tx - last_restart_x))
                moved_y = float(torch.linalg.vector_norm(ty - last_restart_y))
                if moved_x > 1e-10 and moved_y > 1e-10:
                    weight = math.exp(s.weight_smoothing * math.log(moved_y / moved_x)
                                      + (1 - s.weight_smoothing) * math.log(weight))
                x, y = tx, ty
                anchor_x, anchor_y = tx.clone(), ty.clone()
                last_restart_x, last_restart_y = tx.clone(), ty.clone()
                anchor_residual = residual
                previous_residual = math.inf
                inner = 0
                restarts += 1
            else:
                w = (inner + 1) / (inner + 2)
                x = w * (2.0 * tx - x) + (1.0 - w) * anchor_x
                y = w * (2.0 * ty - y) + (1.0 - w) * anchor_y
                inner += 1
        if device == "cuda":
            torch.cuda.synchronize()
        iterating = time.perf_counter() - iterate_started

        ux, uy = best
        result = SolverResult(status=status, message=message, solver=self.name,
                              seconds=time.perf_counter() - started, iterations=total)
        if status in (Status.OPTIMAL, Status.TIME_LIMIT):
            result.x = ux.cpu().numpy().astype(np.float64)
            result.row_dual = uy.cpu().numpy().astype(np.float64)
            result.col_dual = z_plus.cpu().numpy().astype(np.float64)
            result.objective = measures.primal_objective
            result.dual_objective = measures.dual_objective
        result.details = {
            "device": device, "dtype": self.dtype, "tolerance": tol, "restarts": restarts,
            "primal_weight": weight, "step_size": eta, "norm_estimate": norm,
            "setup_seconds": setup_seconds, "iterate_seconds": iterating,
            "ms_per_iteration": 1000.0 * iterating / max(total, 1),
            **(measures.as_dict() if measures is not None else {}),
        }
        return result


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
