"""The quotas protocol: Kornai–Lipták two-level planning, stabilised by the councils' plans.

The centre allots each council a quota q_k for every shared row it takes part in (what it
must contribute there: at least q_k to a balance); each council plans its own part to meet
its quotas and answers with a plan. Plain Kornai–Lipták (the centre re-allotting quotas by
the councils' shadow prices alone, i.e. Benders cuts on the councils' cost functions f_k(q))
does not converge in useful time on these economies: with max-fulfilment a council's cost is
0 wherever it can meet its quota, so each round teaches the centre one face of one council's
set of feasible quotas, in hundreds of dimensions (the generated 20 × 4 × 2 economy: after
50-60 rounds the best feasible λ was 0.44 to 0.97 against 1.41, the cutting-plane bound
still above 290; docs/performance.md, "Quotas that converge"). So the centre quotes, beside
each quota, the prices at which it values a contribution beyond it, and keeps what it learns
in an inner model:

1. From every plan the councils have shown it (as contributions B_k x and costs c_k'x), the
   centre mixes the best national plan it can (``master.Master``: convex weights per council,
   its own columns λ; artificial slack at a penalty while the plans do not yet cover the
   shared rows). The mix's contributions are the quotas: each council can meet its quota,
   by the same mix of its own plans. The mix's duals are the centre's prices y.
2. Each council answers its quota request ``("quota", (q_k, y_k))`` with two plans:
   - its plan at the quota: the plan that meets q_k and, beyond it, does what the centre's
     prices value most, min (c_k - B_k'y_k)'x s.t. B_k x meets q_k, its own rows and bounds
     (a bonus at the prices for over-fulfilment, as in the incentive schemes proposed for
     Soviet planning: Weitzman 1976). It dominates the council's part of the mix, so it
     improves the mix near where it is;
   - its best plan at the prices alone, min (c_k - B_k'y_k)'x over its own rows: its value
     is its part of the Lagrangian bound g(y), a true bound on the national optimum.
   Each joins the centre's inner model when it would enter the mix (its cost at the
   model's own prices below its council's share of the model's value).
3. The prices posted are the inner model's own, their signs cleaned (smoothing them towards
   those of the best bound, as ``dantzig_wolfe`` does, cost rounds here: 59-61 instead of
   38-40 on the generated 60 × 6 × 2 economy); until the mix's cost first moves the inner
   model is solved for central prices (interior point, stopped early), which value every
   row the plans do not yet cover (as in ``dantzig_wolfe``).

It stops when the best mix's gap to the best bound is within the tolerance and the mix
needs no artificial slack. The final quotas are the best mix's contributions; each council
meets them by that mix of its plans and prices its own rows by planning against the prices
of the best bound (as ``proposals.PricingCouncil`` does): those prices are an optimal dual
of the shared rows to the tolerance, so the plan's prices are the economy's (the central LP's
duals), proven by the same check as a central plan's (plan/optimality.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..solvers.highs import highspy
from ..solvers.persistent import PersistentHighs
from ..solvers.problem import LPData
from ..solvers.result import Status
from .council import CouncilData
from .dantzig_wolfe import CENTRAL_TOLERANCE, FINEST_CENTRAL, PENALTY, Centre
from .engines import Change, Engine, LocalEngine
from .master import MasterSolution
from .proposals import PricingChange, PricingCouncil, PricingState, Proposal, relative_gap
from .protocol import Coordination, Round, posted_prices

MISSED = 1e-7
"""A council's plan at its quota that misses it by more than this (relative to the quota's
scale) is not offered to the centre (quotas are mixes of its own plans, so it can meet them
up to rounding)."""


ROUNDING = 1e-10
"""A final price within this much (relative to the objective's scale) of zero is zero."""


@dataclass(frozen=True)
class QuotaAnswer:
    """A council's answer to its quota and prices: its best plan at the prices (a Proposal,
    whose value enters the bound) and its plan at the quota (a Proposal, None when its quota
    problem had no optimum within rounding of the quota)."""

    priced: Proposal
    at_quota: Proposal | None


@dataclass(frozen=True)
class QuotaState:
    """A quota council's checkpoint: its proposals (``PricingState``) and the basis of its
    quota problem (HiGHS's column and row statuses, as ints; None before its first solve), so
    that a council created again answers as the lost one would have."""

    pricing: PricingState
    basis: tuple[np.ndarray, np.ndarray] | None


@dataclass(frozen=True)
class QuotaChange(Change):
    """What a quota council sends back after a round for its checkpoint: its pricing
    council's change (``proposals.PricingChange``: the proposals made since the engine's
    checkpoint, its prices and plan) and the basis of its quota problem now (column statuses
    (n_k + 2 s_k,) and row statuses (p_k + s_k,), ints; None before its first solve)."""

    pricing: PricingChange
    basis: tuple[np.ndarray, np.ndarray] | None

    def apply_to(self, checkpoint: QuotaState | None) -> QuotaState:
        """The council's whole state: ``checkpoint`` (None: before its first round) with
        the proposals added, and its prices, plan and basis now."""
        pricing = self.pricing.apply_to(None if checkpoint is None else checkpoint.pricing)
        return QuotaState(pricing, self.basis)


class QuotaCouncil(PricingCouncil):
    """A pricing council (``proposals.PricingCouncil``) that also plans to a quota.

    Its quota problem, kept alive between rounds (HiGHS restarts from its last basis, only
    the costs and the quota rows' bounds change):

        min (c - B'y)'x + M·(shortfall + excess)
        s.t. B x + shortfall - excess meets q (>= q on a row with a lower bound only,
             <= q on one with an upper bound only, = q otherwise), its own rows and bounds.

    Requests: ("quota", (q, y)) with q and y (s_k,), answered by a QuotaAnswer; and the
    pricing council's ("rays", None), ("alone", task) and ("mix", (weights, y)).
    """

    def __init__(self, data: CouncilData, solver: str, lower_only: np.ndarray,
                 upper_only: np.ndarray, penalty: float, size: np.ndarray):
        super().__init__(data, solver)
        s = len(data.shared_rows)
        self.lower_only, self.upper_only, self.size = lower_only, upper_only, size
        A = sp.vstack([
            sp.hstack([data.A_private, sp.csr_matrix((len(data.private_rows), 2 * s))]),
            sp.hstack([data.B, sp.identity(s), -sp.identity(s)]),
        ], format="csr")
        self.quota_model = PersistentHighs(LPData(
            c=np.concatenate([data.c, np.full(2 * s, penalty)]), A=A,
            row_lower=np.concatenate([data.row_lower, np.zeros(s)]),
            row_upper=np.concatenate([data.row_upper, np.zeros(s)]),
            col_lower=np.concatenate([data.col_lower, np.zeros(2 * s)]),
            col_upper=np.concatenate([data.col_upper, np.full(2 * s, np.inf)])))
        self.penalty = penalty
        self.basis: tuple[np.ndarray, np.ndarray] | None = None

    def answer(self, request: tuple[str, object]):
        kind, payload = request
        if kind != "quota":
            return super().answer(request)  # type: ignore[arg-type]
        quota, prices = payload  # type: ignore[misc]
        priced = super().answer(("prices", prices))
        return QuotaAnswer(priced=priced, at_quota=self._at_quota(quota, prices))

    def _at_quota(self, quota: np.ndarray, prices: np.ndarray) -> Proposal | None:
        """The plan that meets ``quota`` at the least cost at ``prices``, as a proposal."""
        d, model = self.data, self.quota_model
        n, s, p = len(d.columns), len(d.shared_rows), len(d.private_rows)
        model.set_cost(np.concatenate([d.c - d.B.T @ prices, np.full(2 * s, self.penalty)]))
        rows = np.arange(p, p + s, dtype=np.int32)
        lower = np.where(self.upper_only, -np.inf, quota)
        upper = np.where(self.lower_only, np.inf, quota)
        model.highs.changeRowsBounds(s, rows, lower, upper)
        result = model.solve(dual_bound=False)
        self.basis = _basis(model)
        if result.status is not Status.OPTIMAL:  # e.g. unbounded at prices no mix supports
            return None
        vector = result.x[:n]
        if np.max(result.x[n:].reshape(2, s) / self.size, initial=0.0) > MISSED:
            return None
        index, new = self.remember("point", vector)
        contribution = d.B @ vector
        return Proposal(kind="point", index=index, new=new, contribution=contribution,
                        cost=float(d.c @ vector), value=float(d.c @ vector
                                                              - prices @ contribution),
                        solver="highs")

    def state(self) -> QuotaChange:  # type: ignore[override]
        """What changed since the engine's checkpoint (``engines.Change``): the pricing
        council's change and the quota problem's basis."""
        return QuotaChange(super().state(), self.basis)

    def checkpoint(self) -> QuotaState:  # type: ignore[override]
        """Its whole state: what the engine's checkpoint holds once it has folded every
        change, and what ``restore`` takes."""
        return QuotaState(super().checkpoint(), self.basis)

    def restore(self, state: QuotaState) -> None:
        super().restore(state.pricing)
        self.basis = state.basis
        if state.basis is not None:
            basis = highspy.HighsBasis()
            basis.col_status = [highspy.HighsBasisStatus(int(v)) for v in state.basis[0]]
            basis.row_status = [highspy.HighsBasisStatus(int(v)) for v in state.basis[1]]
            basis.valid = True
            self.quota_model.highs.setBasis(basis)


def _basis(model: PersistentHighs) -> tuple[np.ndarray, np.ndarray] | None:
    """The model's basis as (column statuses, row statuses), ints; None when it has none."""
    basis = model.highs.getBasis()
    if not basis.valid:
        return None
    return (np.array([int(v) for v in basis.col_status], dtype=np.int8),
            np.array([int(v) for v in basis.row_status], dtype=np.int8))


class QuotaCentre(Centre):
    """The centre of the quotas protocol: ``dantzig_wolfe.Centre``'s shared rows, inner
    model and menu, with quota councils, and each proposal's contribution kept so that the
    mix's contributions (the quotas) can be allotted (by council and index, so that
    proposals long idle can leave the menu, ``Centre.prune``)."""

    def __init__(self, lp: LPData, owner: np.ndarray, names: list[str], solver: str = "auto",
                 alone: bool = True):
        super().__init__(lp, owner, names, solver, alone=alone)
        self.contributions: dict[tuple[int, int], np.ndarray] = {}  # (s_k,) each

    def members(self) -> list[tuple[type, tuple]]:
        members = []
        for d, rows in zip(self.data, self.local_rows, strict=True):
            lower, upper = self.lower[rows], self.upper[rows]
            members.append((QuotaCouncil, (
                d, self.solver, ~np.isfinite(upper), ~np.isfinite(lower),
                PENALTY * self.scale, self.size[rows])))
        return members

    def take(self, k: int, answer: Proposal) -> bool:
        taken = super().take(k, answer)
        if taken:
            self.contributions[k, answer.index] = answer.contribution
        return taken

    def quotas(self, weights: np.ndarray) -> list[np.ndarray]:
        """Each council's quotas (s_k,): its part of the mix, Σ weight × contribution."""
        out = [np.zeros(len(rows)) for rows in self.local_rows]
        for j in np.flatnonzero(weights):  # the proposals in the mix, a few per council
            k = self.menu.council[j]
            out[k] += weights[j] * self.contributions[k, self.menu.index[j]]
        return out

    def allot(self, engine: Engine, quotas: list[np.ndarray],
              prices: np.ndarray) -> list[QuotaAnswer]:
        """Allot the quotas with the prices y (m,); each council's two plans."""
        answers = engine.round([("quota", (q, prices[rows]))
                                for q, rows in zip(quotas, self.local_rows, strict=True)])
        for k, answer in enumerate(answers):
            self.proposed[k] += answer.priced.new + (answer.at_quota is not None
                                                     and answer.at_quota.new)
            self.solvers[answer.priced.solver] = self.solvers.get(answer.priced.solver, 0) + 1
        # quotas and prices out, two plans back: (2 s_k) and 2 (s_k + 2) floats
        self.messages += 2 * self.K
        self.bytes += 8 * sum(4 * len(r) + 4 for r in self.local_rows)
        return answers


def allot(lp: LPData, owner: np.ndarray, names: list[str], tolerance: float = 1e-4,
          max_rounds: int = 500, progress: Callable[[Round], None] | None = None,
          engine: Engine | None = None, solver: str = "auto",
          alone: bool = True) -> Coordination:
    """Coordinate councils by quotas to a relative gap of ``tolerance`` (or ``max_rounds``),
    the councils running on ``engine`` (default: in this process) and planning at prices
    with ``solver`` (their quota problems with HiGHS); ``alone``: the councils open with
    their self-sufficient plans (``Centre.alone``)."""
    engine = engine or LocalEngine()
    centre = QuotaCentre(lp, owner, names, solver, alone=alone)
    engine.start(centre.members())
    try:
        return _rounds(centre, engine, tolerance, max_rounds, progress)
    finally:
        engine.close()


def _rounds(centre: QuotaCentre, engine: Engine, tolerance: float, max_rounds: int,
            progress: Callable[[Round], None] | None) -> Coordination:
    m = centre.m
    centre.open(engine)
    for k, answer in enumerate(centre.ask(engine, np.zeros(m))):  # first plans, at no prices
        centre.take(k, answer)
    centre.master.stabilise(np.zeros(m), PENALTY * centre.scale)
    history: list[Round] = []
    converged = False
    started = time.perf_counter()
    rounds = 0
    best = -np.inf  # the best bound so far and its prices
    best_prices: np.ndarray | None = None
    central: float | None = CENTRAL_TOLERANCE  # None once the prices are the vertex's
    first_cost: float | None = None
    stopped = None
    weights, centre_x = np.zeros(0), np.zeros(len(centre.columns))
    for round_number in range(1, max_rounds + 1):
        rounds = round_number
        try:
            solved, artificial = _inner(centre, central)
            if central is not None:
                first_cost = solved.mix_cost if first_cost is None else first_cost
                if solved.mix_cost < first_cost - 1e-9 * centre.scale:  # the mix's cost moves
                    central = None
                    solved, artificial = _inner(centre, None)
            # the signs the rows' bounds allow (a vertex's duals can be off by rounding), so
            # that the councils' answers give a finite bound
            posted = posted_prices(solved.prices, centre.lower, centre.upper)
            weights, centre_x = solved.weights, solved.centre_x
            if central is None:  # at a vertex: plans long off its basis leave the menu
                weights = centre.prune(weights)
            answers = centre.allot(engine, centre.quotas(weights), posted)
        except RuntimeError as failure:  # a solver failed: keep the last mix
            stopped = str(failure)
            break
        bound = centre.dual_value(posted, [a.priced for a in answers])
        if bound > best:
            best, best_prices = bound, posted
        added = 0
        for k, answer in enumerate(answers):
            for proposal in (answer.priced, answer.at_quota):
                if proposal is not None and _improves(centre, k, proposal, solved):
                    added += centre.take(k, proposal)
        gap = relative_gap(solved.mix_cost, best)
        centre.log_round(history, progress, round=round_number, mismatch=artificial,
                         objective=solved.mix_cost, dual_objective=best, gap=gap,
                         dual_residual=0.0, step=0.0, seconds=time.perf_counter() - started)
        if gap <= tolerance and artificial <= tolerance:
            if central is None:
                converged = True
                break
            central = None  # a central mix is no vertex: converge at the vertex next round
            continue
        if added == 0:
            if central is not None:  # nothing new at these central prices: finer ones
                central /= 10.0
                central = central if central >= FINEST_CENTRAL else None
            else:
                stopped = ("no council's answer adds a plan to the centre's, yet the gap is "
                           f"{gap:.1e} and the artificial slack {artificial:.1e}")
                break
    # the final quotas: the best mix's contributions, met by that mix of each council's plans;
    # its own rows priced against the prices of the best bound (an optimal dual, to the
    # tolerance), the shared rows' prices those prices
    final = best_prices if best_prices is not None else np.zeros(m)
    # a price within rounding of zero is zero (the inner model's duals hold to HiGHS's
    # tolerances: presidium's centre labour came out at 1.3e-11 where the economy's is 0)
    final = np.where(np.abs(final) <= ROUNDING * centre.scale, 0.0, final)
    x, row_dual = centre.assemble(engine, weights, centre_x, final)
    centre.count_last(history)
    return Coordination(x=x, row_dual=row_dual, converged=converged, history=history,
                        rounds=rounds, stopped=stopped, solvers=centre.solvers)


def _improves(centre: Centre, k: int, proposal: Proposal, solved: MasterSolution) -> bool:
    """Whether council k's ``proposal`` would enter the inner model's last mix: its cost at
    the model's own prices, less its council's convexity price for a plan, is negative."""
    y = solved.prices[centre.local_rows[k]]
    reduced = proposal.cost - float(y @ proposal.contribution)
    if proposal.kind == "point":
        reduced -= solved.sigma[k]
    return reduced < -1e-9 * centre.scale


def _inner(centre: Centre, central: float | None) -> tuple[MasterSolution, float]:
    """Solve the centre's inner model (at a vertex, or ``central`` to that tolerance); its
    solution and the largest relative artificial slack."""
    solution = centre.master.solve(central)
    if solution.status is Status.ERROR:  # HiGHS lost its way from the last basis: afresh
        centre.master.has_basis = False
        solution = centre.master.solve(central)
    if solution.status is not Status.OPTIMAL:
        raise RuntimeError(f"the centre's inner model ended {solution.status.value}: "
                           f"{solution.message}")
    return solution, float(np.max(np.abs(solution.mismatch) / centre.size, initial=0.0))
