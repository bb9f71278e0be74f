"""The quotas protocol: Kornai–Liptak two-level planning, by Benders cuts.

The centre allots each council a quota q_k for every shared row it takes part in (what it
must contribute there); each council plans its own part to meet its quotas at least cost,

    f_k(q_k) = min c_k'x + M·(shortfall + excess)  s.t.  B_k x + shortfall - excess = q_k,
               its own rows and bounds,

and answers with its cost and the shadow prices π_k of its quotas. Those prices are a
subgradient of f_k, so the centre learns a cut f_k(q) >= f_k(q_j) + π_j'(q - q_j) and
re-allots by solving its own LP over quotas (and its own columns, λ):

    min c_0'λ + Σ_k θ_k   s.t.  Σ_k q_k + B_0 λ within the shared rows' bounds,
                                 θ_k >= every cut learned for council k.

The centre's value is a lower bound; the councils' costs at the current quotas give an upper
bound (a feasible plan once no quota is missed). The gap closes in finitely many rounds.

Plain cutting planes jump about: each round's quotas go to a corner of the centre's model, far
from the best quotas so far. So the centre re-allots within a box around its best quotas
(a trust region, as in Linderoth and Wright's L-shaped method): the box doubles when a round
improves the nation's cost by much of what the model promised, and halves when it makes it
worse. The lower bound comes from the same model without the box.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..solvers.highs import HighsSolver
from ..solvers.options import SolverOptions
from ..solvers.persistent import PersistentHighs
from ..solvers.problem import LPData
from ..solvers.result import Status
from .council import CouncilData, CouncilPlan, own_prices
from .engines import Engine, LocalEngine
from .protocol import Coordination, Round, Split, collect_plan, split

PENALTY = 1e4
"""Cost of a unit of quota missed (or overshot), relative to the objective's scale."""
QUOTA_RANGE = 100.0
"""Quotas stay within this many times the largest bound of the LP, either way."""
SERIOUS = 0.1
"""A round moves the best quotas when it saves this share of what the model promised."""


class CentreFailed(RuntimeError):
    """The centre's own LP could not be solved; the protocol stops with what it has."""


@dataclass(frozen=True)
class QuotaAnswer:
    """A council's answer to its quotas: the cost f_k(q) of its elastic plan (penalty
    included), the shadow prices π (s_k,) of its quotas (a subgradient of f_k at q) and its
    largest miss of a quota."""

    cost: float
    prices: np.ndarray
    missed: float


@dataclass(frozen=True)
class CentreSolution:
    """One solve of the centre's LP over quotas: its value, the quotas (one (s_k,) array per
    council), the centre's own columns (n_0,) and the shared rows' prices (m,)."""

    value: float
    quotas: list[np.ndarray]
    centre_x: np.ndarray
    prices: np.ndarray


class QuotaCouncil:
    """A council's elastic LP: its rows, plus B x + shortfall - excess = quota.

    Requests: ("floor", None), answered by the least its plan can cost with no quota
    (-1e12 when unbounded); ("quota", q) with q (s_k,), answered by a QuotaAnswer;
    ("plan", (q, y)): plan to q and keep that plan as its result, with its own rows priced
    against the centre's final prices y (s_k,) of its shared rows
    (``council.own_prices``; the duals of the quota problem itself are not prices: at fixed
    quotas its own rows are degenerate, and their duals carried the penalty, 9000 for a
    unit of labour in two_regions' north where the economy's price is 0.169).
    """

    def __init__(self, data: CouncilData, penalty: float):
        self.data = data
        n, s = len(data.columns), len(data.shared_rows)
        A = sp.vstack([
            sp.hstack([data.A_private, sp.csr_matrix((len(data.private_rows), 2 * s))]),
            sp.hstack([data.B, sp.identity(s), -sp.identity(s)]),
        ], format="csr")
        self.n, self.s = n, s
        self.model = PersistentHighs(LPData(
            c=np.concatenate([data.c, np.full(2 * s, penalty)]), A=A,
            row_lower=np.concatenate([data.row_lower, np.zeros(s)]),
            row_upper=np.concatenate([data.row_upper, np.zeros(s)]),
            col_lower=np.concatenate([data.col_lower, np.zeros(2 * s)]),
            col_upper=np.concatenate([data.col_upper, np.full(2 * s, np.inf)])))
        self.private = len(data.private_rows)
        self.x = np.zeros(n)
        self.private_duals = np.zeros(self.private)

    def answer(self, request: tuple[str, object]):
        kind, payload = request
        if kind == "floor":
            d = self.data
            result = HighsSolver().solve(LPData(
                c=d.c, A=d.A_private, row_lower=d.row_lower, row_upper=d.row_upper,
                col_lower=d.col_lower, col_upper=d.col_upper), SolverOptions())
            return float(result.objective) if result.status is Status.OPTIMAL else -1e12
        quota, prices = payload if kind == "plan" else (payload, None)
        rows = np.arange(self.private, self.private + self.s, dtype=np.int32)
        self.model.highs.changeRowsBounds(self.s, rows, quota, quota)
        result = self.model.solve()
        if result.status is not Status.OPTIMAL:
            raise RuntimeError(f"council {self.data.name}'s quota problem ended "
                               f"{result.status.value}")
        x = result.x
        if kind == "plan":
            self.x = x[: self.n]
            duals = own_prices(self.data, prices)
            self.private_duals = duals if duals is not None else np.zeros(self.private)
            return None
        return QuotaAnswer(cost=float(result.objective), prices=result.row_dual[self.private:],
                           missed=float(x[self.n:].max(initial=0.0)))

    def state(self) -> None:
        return None  # each answer depends on the request alone

    def restore(self, state: None) -> None:
        pass

    def result(self) -> CouncilPlan:
        return CouncilPlan(self.x, self.private_duals)


def allot(lp: LPData, owner: np.ndarray, names: list[str], tolerance: float = 1e-4,
          max_rounds: int = 500, progress: Callable[[Round], None] | None = None,
          engine: Engine | None = None, solver: str = "highs") -> Coordination:
    """Coordinate councils by quotas (Benders cuts in a trust region) to a relative gap of
    ``tolerance``, the councils running on ``engine`` (default: in this process). ``solver``
    is the protocols' common signature: quota councils plan with HiGHS whatever it says."""
    engine = engine or LocalEngine()
    parts = split(lp, owner, names)
    scale = 1.0 + float(np.abs(lp.c).max(initial=0.0))
    engine.start([(QuotaCouncil, (d, PENALTY * scale)) for d in parts.councils])
    try:
        return _rounds(lp, parts, tolerance, max_rounds, progress, engine)
    finally:
        engine.close()


def _rounds(lp: LPData, parts: Split, tolerance: float, max_rounds: int,
            progress: Callable[[Round], None] | None, engine: Engine) -> Coordination:
    data, shared, centre_columns = parts
    K, m = len(data), len(shared)
    position = np.full(lp.num_rows, -1, dtype=np.int64)
    position[shared] = np.arange(m)
    local_rows = [position[d.shared_rows] for d in data]
    # each council's cost can fall no lower than its best plan with no quota at all
    floors = np.array(engine.round([("floor", None)] * K), dtype=np.float64)
    bounds = np.concatenate([lp.row_lower, lp.row_upper, lp.col_lower, lp.col_upper])
    size = max(float(np.abs(bounds[np.isfinite(bounds)]).max(initial=1.0)), 1.0)
    big = QUOTA_RANGE * size
    centre = _CentreModel(lp, K, m, local_rows, centre_columns, shared, floors, big)
    quota = [np.zeros(len(r)) for r in local_rows]
    centre_x = np.zeros(len(centre_columns))
    best_quota, best_x, best_cost = quota, centre_x, math.inf  # the trust region's centre
    feasible_cost, feasible = math.inf, None  # the best round that missed no quota
    radius = size
    history: list[Round] = []
    converged = False
    started = time.perf_counter()
    rounds = 0
    y = np.zeros(m)
    promised_cost = -math.inf
    stopped = None
    per_round = 8 * sum(3 * len(r) + 1 for r in local_rows)
    for round_number in range(1, max_rounds + 1):
        rounds = round_number
        answers = engine.round([("quota", q) for q in quota])
        for k, answer in enumerate(answers):
            centre.cut(k, answer.cost, answer.prices, quota[k])
        cost = (float(lp.c[centre_columns] @ centre_x) + sum(a.cost for a in answers)
                + lp.offset)
        missed = max(a.missed for a in answers)
        if missed <= tolerance and cost < feasible_cost:
            feasible_cost, feasible = cost, ([q.copy() for q in quota], centre_x.copy())
        if not math.isfinite(best_cost) or (
                cost <= best_cost - SERIOUS * (best_cost - promised_cost)):
            if math.isfinite(best_cost) and cost <= best_cost - 0.5 * (best_cost -
                                                                      promised_cost):
                radius *= 2.0
            best_quota, best_x, best_cost = [q.copy() for q in quota], centre_x.copy(), cost
        elif cost > best_cost:
            radius = max(radius / 2.0, 1e-9 * size)
        try:
            unboxed = centre.solve(None, None)
            lower_bound, y = unboxed.value, unboxed.prices
            boxed = centre.solve(best_quota, radius)
            promised_cost, quota, centre_x = boxed.value, boxed.quotas, boxed.centre_x
        except CentreFailed as failure:  # keep this round's record and the best plan
            stopped = str(failure)
            lower_bound = history[-1].dual_objective if history else -math.inf
        if np.max(np.abs(np.concatenate(quota) - np.concatenate(best_quota)),
                  initial=0.0) < radius * (1 - 1e-9):
            # the box did not bind: the model's least value inside it is its least anywhere
            lower_bound = max(lower_bound, promised_cost)
        reference = feasible_cost if math.isfinite(feasible_cost) else cost
        gap = abs(reference - lower_bound) / (1.0 + abs(reference) + abs(lower_bound))
        record = Round(round=round_number, mismatch=missed, objective=reference,
                       dual_objective=lower_bound, gap=gap, dual_residual=0.0, step=radius,
                       messages=2 * K, bytes=per_round, seconds=time.perf_counter() - started)
        history.append(record)
        if progress is not None:
            progress(record)
        if feasible is not None and gap <= tolerance:
            converged = True
            break
        if stopped:
            break
    plan_quota, centre_plan = feasible if feasible is not None else (best_quota, best_x)
    # the plan's quotas and the final prices, the centre's duals of the shared rows
    engine.round([("plan", (q, y[rows])) for q, rows in zip(plan_quota, local_rows,
                                                            strict=True)])
    if history:
        history[-1].messages += K
        history[-1].bytes += 8 * sum(2 * len(r) for r in local_rows)
    x, row_dual = collect_plan(lp, parts, engine.results(), centre_plan, y)
    return Coordination(x=x, row_dual=row_dual, converged=converged, history=history,
                        rounds=rounds, stopped=stopped)


class _CentreModel:
    """The centre's LP over quotas (one per council and shared row), θ_k and its own
    columns; its cuts grow by one per council each round."""

    def __init__(self, lp: LPData, K: int, m: int, local_rows: list[np.ndarray],
                 centre_columns: np.ndarray, shared: np.ndarray, floors: np.ndarray,
                 big: float):
        self.lp, self.K, self.m = lp, K, m
        self.offsets = np.concatenate([[0], np.cumsum([len(r) for r in local_rows])]
                                      ).astype(np.int64)
        self.n_quota = int(self.offsets[-1])
        self.columns = centre_columns
        self.floors, self.big = floors, big
        # shared rows: Σ_k q_k + B_0 λ within the rows' bounds
        quota_part = sp.csr_matrix((np.ones(self.n_quota), (np.concatenate(local_rows),
                                    np.arange(self.n_quota))), shape=(m, self.n_quota))
        self.coupling = sp.hstack([quota_part, sp.csr_matrix((m, K)),
                                   lp.A.tocsc()[:, centre_columns][shared]], format="csr")
        self.lower, self.upper = lp.row_lower[shared], lp.row_upper[shared]
        self.cut_rows: list[sp.csr_matrix] = []
        self.cut_lower: list[float] = []

    def cut(self, k: int, value: float, prices: np.ndarray, at: np.ndarray) -> None:
        """θ_k - π'q_k >= value - π'q_cut."""
        start = self.offsets[k]
        columns = np.concatenate([[self.n_quota + k], start + np.arange(len(prices))])
        row = sp.csr_matrix((np.concatenate([[1.0], -prices]),
                             (np.zeros(len(columns), dtype=np.int64), columns)),
                            shape=(1, self.coupling.shape[1]))
        self.cut_rows.append(row)
        self.cut_lower.append(value - float(prices @ at))

    def solve(self, around: list[np.ndarray] | None, radius: float | None) -> CentreSolution:
        """The centre's LP with every cut so far; quotas within ``radius`` of the quotas
        ``around`` when given."""
        lp, K, n_quota = self.lp, self.K, self.n_quota
        q_lower, q_upper = np.full(n_quota, -self.big), np.full(n_quota, self.big)
        if around is not None and radius is not None:
            centre = np.concatenate(around) if around else np.zeros(0)
            q_lower = np.maximum(q_lower, centre - radius)
            q_upper = np.minimum(q_upper, centre + radius)
        cuts = len(self.cut_rows)
        A = sp.vstack([self.coupling, *self.cut_rows], format="csr")
        master = LPData(
            c=np.concatenate([np.zeros(n_quota), np.ones(K), lp.c[self.columns]]), A=A,
            row_lower=np.concatenate([self.lower, self.cut_lower]),
            row_upper=np.concatenate([self.upper, np.full(cuts, np.inf)]),
            col_lower=np.concatenate([q_lower, self.floors, lp.col_lower[self.columns]]),
            col_upper=np.concatenate([q_upper, np.full(K, np.inf),
                                      np.minimum(lp.col_upper[self.columns], self.big)]),
            offset=lp.offset)
        # tight tolerances: cuts carry penalty-sized prices, and the bound must hold
        result = HighsSolver().solve(master, SolverOptions(tolerance=1e-9))
        if result.status is not Status.OPTIMAL:  # numerical trouble: the default tolerances
            result = HighsSolver().solve(master, SolverOptions())
        if result.status is not Status.OPTIMAL:
            raise CentreFailed(f"the centre's quota LP ended {result.status.value} "
                               f"({result.message})")
        x = result.x
        quotas = [x[self.offsets[k]: self.offsets[k + 1]].copy() for k in range(K)]
        return CentreSolution(value=float(result.objective), quotas=quotas,
                              centre_x=x[n_quota + K:], prices=result.row_dual[: self.m])
