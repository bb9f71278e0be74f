"""The prices protocol: the centre moves posted prices by the mismatch, with a proximal term
(a proximal bundle method on the councils' dual, i.e. an augmented-Lagrangian scheme).

The centre posts prices y of the shared rows (deliveries between councils, and the balances
that carry targets). Each council plans its own part against them, min (c_k - B_k'y)'x_k
over its own rows, and answers with what it would send and take (B_k x_k) and its cost; the
centre keeps every answer (a council keeps the plan behind it). Each answer is a piece of the
dual function g(y) = Σ_k min_k (c_k - B_k'y)'x_k + (centre's λ part) + (bounds' part), which
bounds the national optimum from below at any prices.

Each round the centre solves, over mixes w of the answers so far (convex per council) and its
own columns x_0 (λ), the master LP (``master.Master``)

    min  Σ cost·w + c_0'x_0 - ŷ'r + t·|r|₁    r = Σ B w + B_0 x_0 - s,  s ∈ [l, u]

whose duals are the prices y that maximise the model of g within the box |y - ŷ| <= t
around the stability centre ŷ (the best prices so far): each price moves against the
mismatch r_i of the best mix, by at most t. This is the box-step form of the proximal bundle
method (Marsten, Hogan and Blankenship 1975) on the dual, with the councils' answers as the
model of g, so it does not oscillate as plain tâtonnement does. A round whose true dual value
g(y) rises by at least a tenth of what the model promised moves the centre (ŷ = y,
"serious"); otherwise the new answers only refine the model ("null") and t stays: shrinking
it after null rounds starved the method (on ussr1957 over 3 years t fell to 1e-8 and the gap
stalled at 0.7; with t kept it converges in about 120 rounds). t doubles after a serious
round that earned at least half of its promise.

It stops when the mix's delivery mismatch and its gap to the best bound g(ŷ) are under the
tolerance; the mix is then made exact on the shared rows by the master LP over the same
proposals when that LP can (as in Dantzig-Wolfe), and the posted prices are ŷ.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..solvers.problem import LPData
from ..solvers.result import Status
from .dantzig_wolfe import PENALTY, Centre, run_centre
from .engines import Engine
from .proposals import relative_gap
from .protocol import Coordination, Round, posted_prices

SERIOUS = 0.1
"""A round moves the centre when the dual rises by this share of the model's promise."""
STEP_RANGE = 1e8
"""The step t grows to at most this factor of its start."""


def coordinate_by_prices(lp: LPData, owner: np.ndarray, names: list[str],
                         tolerance: float = 1e-4, max_rounds: int = 500,
                         progress: Callable[[Round], None] | None = None,
                         engine: Engine | None = None, solver: str = "auto",
                         alone: bool = True) -> Coordination:
    """Run the prices protocol to ``tolerance`` (relative mismatch and gap) or
    ``max_rounds``, the councils running on ``engine`` (default: in this process) and
    planning with ``solver`` (auto, highs or pdlp); ``alone``: the councils open with their
    self-sufficient plans (``Centre.alone``)."""
    return run_centre(_rounds, lp, owner, names, tolerance, max_rounds, progress, engine,
                      solver, alone=alone)


def _first_step(centre: Centre) -> float:
    """A starting t: prices of the objective's scale for mismatches of the rows' scale."""
    return centre.scale / float(np.max(centre.size, initial=1.0))


def _rounds(centre: Centre, engine: Engine, tolerance: float, max_rounds: int,
            progress: Callable[[Round], None] | None) -> Coordination:
    m = centre.m
    centre.open(engine)
    y_hat = np.zeros(m)
    answers = centre.ask(engine, y_hat)
    for k, answer in enumerate(answers):
        centre.take(k, answer)
    g_hat = centre.dual_value(y_hat, answers)
    t = _first_step(centre)
    largest = t * STEP_RANGE
    history: list[Round] = []
    converged = False
    started = time.perf_counter()
    rounds = 0
    weights = np.zeros(0)
    centre_x = np.zeros(len(centre.columns))
    stopped = None
    for round_number in range(1, max_rounds + 1):
        rounds = round_number
        try:
            step = _proximal_master(centre, y_hat, t, largest)
            y = posted_prices(step.prices, centre.lower, centre.upper)
            answers = centre.ask(engine, y)
        except RuntimeError as failure:  # a solver failed: keep the best mix so far
            stopped = str(failure)
            break
        weights, centre_x, t = step.weights, step.centre_x, step.step
        r, mix_cost, model = step.mismatch, step.mix_cost, step.model
        for k, answer in enumerate(answers):
            centre.take(k, answer)
        g = centre.dual_value(y, answers)
        promised = model - g_hat
        serious = g > g_hat + SERIOUS * promised if math.isfinite(g_hat) else math.isfinite(g)
        if serious:
            if math.isfinite(g_hat) and g - g_hat >= 0.5 * promised:
                t = min(2.0 * t, largest)
            y_hat, g_hat = y, g
        mismatch = float(np.max(np.abs(r) / centre.size, initial=0.0))
        gap = relative_gap(mix_cost, g_hat)
        centre.log_round(history, progress, round=round_number, mismatch=mismatch,
                         objective=mix_cost, dual_objective=g_hat, gap=gap, dual_residual=0.0,
                         step=t, seconds=time.perf_counter() - started)
        if mismatch <= tolerance and gap <= tolerance:
            converged = True
            break
    weights, centre_x = _exact_mix(centre, weights, centre_x, g_hat, tolerance)
    x, row_dual = centre.assemble(engine, weights, centre_x, y_hat)
    centre.count_last(history)
    return Coordination(x=x, row_dual=row_dual, converged=converged, history=history,
                        rounds=rounds, stopped=stopped, solvers=centre.solvers)


@dataclass(frozen=True)
class ProximalStep:
    """One solve of the proximal master: the mix's weights w (proposals,) and the centre's
    columns x_0 (n_0,), the mismatch r (m,), the mix's cost, the model's value at the new
    prices, the new prices (m,) (the duals of the shared rows, moved from ŷ by the sign of r)
    and the step t they were held within (widened when no prices within the asked step give
    a finite model)."""

    weights: np.ndarray
    centre_x: np.ndarray
    mismatch: np.ndarray
    mix_cost: float
    model: float
    prices: np.ndarray
    step: float


def _proximal_master(centre: Centre, y_hat: np.ndarray, step: float,
                     largest: float) -> ProximalStep:
    """The centre's LP (``master.Master``) with prices held within ``step`` of ŷ."""
    centre.master.stabilise(y_hat, step)
    solution = centre.master.solve()
    while solution.status is Status.UNBOUNDED and step < largest:
        # no prices within the step make the centre's own plan (λ) worth its cost: widen
        step = min(10.0 * step, largest)
        centre.master.stabilise(y_hat, step)
        solution = centre.master.solve()
    if solution.status is not Status.OPTIMAL:
        raise RuntimeError(f"the centre's price problem ended {solution.status.value}: "
                           f"{solution.message}")
    y = np.clip(solution.prices, y_hat - step, y_hat + step)
    return ProximalStep(weights=solution.weights, centre_x=solution.centre_x,
                        mismatch=solution.mismatch, mix_cost=solution.mix_cost,
                        model=solution.objective, prices=y, step=step)


def _exact_mix(centre: Centre, weights: np.ndarray, centre_x: np.ndarray, bound: float,
               tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """The master LP over the same proposals, with artificial slack at Dantzig-Wolfe's
    penalty, meets the shared rows exactly; take its mix when it does and is within the
    tolerance of the bound, else keep the bundle's mix."""
    centre.master.stabilise(np.zeros(centre.m), PENALTY * centre.scale)
    solution = centre.master.solve()
    if solution.status is not Status.OPTIMAL or np.any(solution.mismatch != 0.0):
        return weights, centre_x
    if math.isfinite(bound) and relative_gap(solution.mix_cost, bound) > tolerance:
        return weights, centre_x
    return solution.weights, solution.centre_x
