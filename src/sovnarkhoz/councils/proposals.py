"""Councils that answer posted prices with plans, and the centre's menu of those answers.

Shared by the two price-directive protocols in which the centre mixes what councils propose
(``prices``: proximal bundle; ``dantzig-wolfe``: plain column generation). A council keeps its
own proposals; the centre learns of each only what it contributes to the shared rows and what
it costs, and at the end sends each council the weights of its mix, from which the council
makes its plan. The centre never sees a council's books.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from ..solvers import get_solver, is_exact
from ..solvers.highs import HighsSolver
from ..solvers.options import SolverOptions
from ..solvers.persistent import PersistentHighs
from ..solvers.problem import LPData
from ..solvers.result import SolverResult, Status
from .council import CouncilData, CouncilPlan
from .engines import Change

FIRST_ORDER_TOLERANCE = 1e-8
"""Relative KKT error a council's pdlp solve must reach: its answers (and so the centre's
bound) are exact to about this much."""


@dataclass
class Proposal:
    """A council's answer to posted prices.

    kind: "point" (a plan) or "ray" (a direction in which its plans improve without end);
    index: its number in the council's own list; new: False when it repeats an earlier one;
    contribution: (s_k,) what it adds to the council's shared rows; cost: its objective c'x;
    value: its cost at the posted prices, c'x - y'B x (for a ray: of the unit direction);
    solver: what found it (highs or pdlp; none for a ray announced without solving).
    """

    kind: str
    index: int
    new: bool
    contribution: np.ndarray
    cost: float
    value: float
    solver: str = "none"


@dataclass(frozen=True)
class BestPlan:
    """A council's best plan at some costs: kind "point" (a plan) or "ray" (a direction in
    which its plans improve without end), the vector (n_k,), its own rows' duals (p_k,) and
    the solver that found it (highs or pdlp)."""

    kind: str
    vector: np.ndarray
    duals: np.ndarray
    solver: str


@dataclass(frozen=True)
class AloneTask:
    """What a council is told to plan alone (the request ("alone", task), once, before the
    first round): the shared rows it answers for, as positions in its own shared rows (h,),
    with their bounds (h,); and a copy of the centre's own columns that enter those rows (such
    as λ): their entries (h, n_0) (csr), costs (n_0,) and bounds (n_0,)."""

    rows: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    centre_entries: sp.csr_matrix
    centre_cost: np.ndarray
    centre_lower: np.ndarray
    centre_upper: np.ndarray


@dataclass(frozen=True)
class PricingState:
    """What a pricing council needs to resume (its checkpoint): its proposals so far, as
    (kind, vector (n_k,)), its own rows' last prices (p_k,) and its plan (n_k,)."""

    proposals: list[tuple[str, np.ndarray]]
    private_duals: np.ndarray
    x: np.ndarray


@dataclass(frozen=True)
class PricingChange(Change):
    """What a pricing council sends back after a round for its checkpoint: the proposals it
    made since the checkpoint the engine holds (which holds the first ``start`` of them), their
    kinds and their vectors as the rows of a sparse matrix (len(kinds), n_k) (a plan is a
    vertex, a free direction a unit vector: mostly zeros), and its own rows' last prices
    (p_k,) and its plan (n_k,; None when it is the checkpoint's: a council's plan changes
    only when the centre asks for its mix). Its size does not grow with the rounds: a round
    adds at most a few proposals (the first round's free directions, one per free column,
    once)."""

    start: int
    kinds: list[str]
    vectors: sp.csr_matrix
    private_duals: np.ndarray
    x: np.ndarray | None

    @classmethod
    def since(cls, start: int, proposals: list[tuple[str, np.ndarray]],
              private_duals: np.ndarray, x: np.ndarray | None, columns: int) -> PricingChange:
        """The change that adds ``proposals[start:]`` (each (kind, vector (n_k,)), n_k =
        ``columns``) to a checkpoint of the first ``start``, with the prices (p_k,) and the
        plan x (n_k,; None: the checkpoint's)."""
        added = proposals[start:]
        vectors = (sp.csr_matrix(np.vstack([vector for _, vector in added])) if added
                   else sp.csr_matrix((0, columns)))
        return cls(start, [kind for kind, _ in added], vectors, private_duals, x)

    def apply_to(self, checkpoint: PricingState | None) -> PricingState:
        """The council's whole state: the proposals of ``checkpoint`` (None: none yet) and
        those added (as dense vectors (n_k,), equal to the council's own; a zero's sign
        is not kept, which no comparison or mix can tell), its prices and plan now. Raises
        ValueError if ``checkpoint`` does not hold the ``start`` proposals this change
        extends (or, None, has no plan this change keeps)."""
        held = [] if checkpoint is None else checkpoint.proposals
        if len(held) != self.start:
            raise ValueError(f"a pricing council's change extends a checkpoint of {self.start} "
                             f"proposals, applied to one of {len(held)}")
        if self.x is None and checkpoint is None:
            raise ValueError("a pricing council's change keeps the plan of a checkpoint "
                             "that is not there")
        added = list(zip(self.kinds, self.vectors.toarray(), strict=True))
        x = self.x if self.x is not None else checkpoint.x  # type: ignore[union-attr]
        return PricingState([*held, *added], self.private_duals, x)


class PricingCouncil:
    """A council's pricing LP, kept alive between rounds (HiGHS restarts from its basis).

    ``solver``: "auto" (pdlp on a GPU for councils of 200,000 nonzeros or more, else HiGHS),
    "highs" or "pdlp" (on any device); HiGHS settles what pdlp cannot (rays, infeasibility).

    Requests: ("prices", y) with y (s_k,) the posted prices of its shared rows, answered by
    a Proposal; ("alone", AloneTask), answered by its self-sufficient plan as a Proposal (or
    None when it has none, see :meth:`plan_alone`); ("rays", None), answered by its obvious
    rays; ("mix", (weights, y)) with weights (number of proposals,) and the centre's
    final prices y (s_k,), answered by None after the council sets its plan to that mix of
    its proposals and prices its own rows by planning against y (its duals at the last
    prices asked need not be those of y: a smoothed or null round's prices are not the
    centre's final ones).
    """

    def __init__(self, data: CouncilData, solver: str = "auto", scaled: bool = False):
        self.data = data
        lp = LPData(c=data.c, A=data.A_private, row_lower=data.row_lower,
                    row_upper=data.row_upper, col_lower=data.col_lower, col_upper=data.col_upper)
        # scaled: HiGHS works with its costs scaled so that prices are of order one (its dual
        # tolerance is absolute); see Centre's ``scaled``
        self.model = PersistentHighs(lp, scale_objective=scaled)
        self.model.highs.setOptionValue("presolve", "off")  # so that rays come back
        # a large council on a GPU (or when asked) plans with pdlp, warm-started each round
        backend, _ = get_solver(solver, lp)
        self.first_order = None if is_exact(backend) else backend
        self.last: SolverResult | None = None
        self.proposals: list[tuple[str, np.ndarray]] = []
        self.private_duals = np.zeros(len(data.private_rows))
        self.x = np.zeros(len(data.columns))
        # what the engine's checkpoint holds (as far as the council's changes, ``state``,
        # or the checkpoint it was restored from tell): how many of its proposals, its plan
        self.checkpointed = 0
        self.checkpointed_x: np.ndarray | None = None

    @staticmethod
    def workload(data: CouncilData, *_: object) -> float:
        """How much work its rounds are, relative to other councils' (to deal councils to
        workers evenly): the entries of its LP, and its columns."""
        return float(data.A_private.nnz + data.B.nnz + len(data.columns))

    def answer(self, request: tuple[str, np.ndarray | None]
               ) -> Proposal | list[Proposal] | None:
        kind, payload = request
        if kind == "rays":
            return self._free_directions()
        if kind == "alone":
            return self.plan_alone(payload)
        if kind == "mix":
            weights, prices = payload
            self.x = np.zeros(len(self.data.columns))
            for (_, vector), weight in zip(self.proposals, weights, strict=True):
                if weight:
                    self.x += weight * vector
            try:
                best = self._priced_exactly(self.data.c - self.data.B.T @ prices)
            except RuntimeError:  # its solver failed: the plan stands, with the last duals
                return None
            if best.kind == "point":  # else (no optimum at y) keep the last prices' duals
                self.private_duals = best.duals
            return None
        d = self.data
        cost = d.c - d.B.T @ payload
        best = self._best(cost)
        kind, vector = best.kind, best.vector
        if kind == "point":
            self.private_duals = best.duals
        index, new = self.remember(kind, vector)
        return Proposal(kind=kind, index=index, new=new, contribution=d.B @ vector,
                        cost=float(d.c @ vector), value=float(cost @ vector), solver=best.solver)

    def remember(self, kind: str, vector: np.ndarray) -> tuple[int, bool]:
        """Its number for a plan or ray (n_k,) of ``kind``, and whether it is new (kept)."""
        index = next((i for i, (old_kind, old) in enumerate(self.proposals)
                      if old_kind == kind and np.array_equal(old, vector)), None)
        if index is not None:
            return index, False
        self.proposals.append((kind, vector))
        return len(self.proposals) - 1, True

    def plan_alone(self, task: AloneTask) -> Proposal | None:
        """Its self-sufficient plan: the best plan it can make on its own, meeting its own
        rows and, without anything from other councils, the shared rows it answers for, with
        its own copy of the centre's columns there (under max-fulfilment: the highest level
        of its own targets it can meet alone). Solved once, by HiGHS; None when it has none
        (infeasible alone, or unbounded). Its value is its cost: no prices are posted."""
        d = self.data
        n, n0 = len(d.columns), task.centre_entries.shape[1]
        private = d.A_private.shape[0]
        A = sp.vstack([sp.hstack([d.A_private, sp.csr_matrix((private, n0))]),
                       sp.hstack([d.B[task.rows], task.centre_entries])], format="csc")
        lp = LPData(c=np.concatenate([d.c, task.centre_cost]), A=A,
                    row_lower=np.concatenate([d.row_lower, task.row_lower]),
                    row_upper=np.concatenate([d.row_upper, task.row_upper]),
                    col_lower=np.concatenate([d.col_lower, task.centre_lower]),
                    col_upper=np.concatenate([d.col_upper, task.centre_upper]))
        result = HighsSolver().solve(lp)
        if result.status is not Status.OPTIMAL:
            return None
        vector = result.x[:n]
        index, new = self.remember("point", vector)
        cost = float(d.c @ vector)
        return Proposal(kind="point", index=index, new=new, contribution=d.B @ vector,
                        cost=cost, value=cost, solver="highs")

    def _free_directions(self) -> list[Proposal]:
        """Its obvious rays, announced once: columns that none of its own rows hold and no
        upper bound stops (e.g. shipments between two shared balances); the prices must not
        make any of them profitable."""
        d = self.data
        held = np.diff(d.A_private.tocsc().indptr) > 0
        free = np.flatnonzero(~held & ~np.isfinite(d.col_upper) & np.isfinite(d.col_lower))
        answers = []
        for j in free:
            vector = np.zeros(len(d.columns))
            vector[j] = 1.0
            answers.append(Proposal(kind="ray", index=len(self.proposals), new=True,
                                    contribution=d.B @ vector, cost=float(d.c[j]),
                                    value=float(d.c[j])))
            self.proposals.append(("ray", vector))
        return answers

    def state(self) -> PricingChange:
        """What changed since the checkpoint the engine holds (``engines.Change``): the
        proposals made since, its prices, and its plan if it changed. The engine's checkpoint
        then holds every proposal so far."""
        same = self.checkpointed_x is not None and np.array_equal(self.x, self.checkpointed_x)
        change = PricingChange.since(self.checkpointed, self.proposals, self.private_duals,
                                     None if same else self.x, len(self.data.columns))
        self.checkpointed = len(self.proposals)
        if not same:
            self.checkpointed_x = self.x.copy()
        return change

    def checkpoint(self) -> PricingState:
        """Its whole state: what the engine's checkpoint holds once it has folded every
        change the council sent (``state``), and what ``restore`` takes."""
        return PricingState(list(self.proposals), self.private_duals, self.x)

    def restore(self, state: PricingState) -> None:
        self.proposals, self.private_duals, self.x = (list(state.proposals),
                                                      state.private_duals, state.x)
        self.checkpointed, self.checkpointed_x = len(self.proposals), self.x.copy()

    def result(self) -> CouncilPlan:
        """Its plan (the last mix) and its own rows' prices."""
        return CouncilPlan(self.x, self.private_duals)

    def _priced_exactly(self, cost: np.ndarray) -> BestPlan:
        """Its best plan at ``cost`` (the centre's final prices), HiGHS working with the costs
        scaled so that its own rows' prices are of order one: they complete the plan's prices
        and must pass the proof, but HiGHS's dual tolerance is absolute (1e-7), and at prices
        of order 1e-2 a labour row's price came back -1.4e-8 (ussr1957 over 1957-59: the
        plan unproven at 1e-6). Its model is scaled as before afterwards."""
        scaled = self.model.scale_objective
        self.model.set_cost(cost)
        self.model.scale_costs(True)
        try:
            return self._best(cost)
        finally:
            self.model.scale_costs(scaled)

    def _best(self, cost: np.ndarray) -> BestPlan:
        """The council's best plan at ``cost``."""
        if self.first_order is not None:
            lp = replace(self.model.lp, c=cost)
            result = self.first_order.solve(lp, SolverOptions(tolerance=FIRST_ORDER_TOLERANCE),
                                            self.last)
            if result.status is Status.OPTIMAL:  # else HiGHS decides (rays, infeasibility)
                self.last = result
                return BestPlan("point", result.x, result.row_dual, "pdlp")
        self.model.set_cost(cost)
        result = self.model.solve()
        if result.status not in (Status.OPTIMAL, Status.UNBOUNDED):
            # HiGHS can stop with status "unknown" when restarted from an earlier basis (seen
            # on multi-year councils whose problem turned unbounded): solve afresh once
            self.model.highs.clearSolver()
            result = self.model.solve()
        if result.status is Status.OPTIMAL:
            return BestPlan("point", result.x, result.row_dual, "highs")
        if result.status is Status.UNBOUNDED:
            ray = self._ray(cost)
            if ray is not None:
                return BestPlan("ray", ray / max(np.abs(ray).max(), 1e-300), self.private_duals,
                                "highs")
        raise RuntimeError(f"council {self.data.name}'s pricing problem ended "
                           f"{result.status.value}: {result.message}")

    def _ray(self, cost: np.ndarray) -> np.ndarray | None:
        """An improving direction: HiGHS's ray, or else the cheapest column that no row of
        the council holds back and no upper bound stops."""
        _, has_ray, ray = self.model.highs.getPrimalRay()
        if has_ray:
            return np.asarray(ray, dtype=np.float64)
        lp = self.model.lp
        unconstrained = np.diff(lp.A.tocsc().indptr) == 0
        free = unconstrained & ~np.isfinite(lp.col_upper) & (cost < 0)
        if not free.any():
            return None
        ray = np.zeros(lp.num_cols)
        ray[np.flatnonzero(free)[np.argmin(cost[free])]] = 1.0
        return ray


@dataclass
class Menu:
    """The centre's record of the proposals it may mix: per proposal its council and its
    index in that council's list (their costs and contributions are the master's columns,
    ``master.Master``, in the same order)."""

    council: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    known: set[tuple[int, int]] = field(default_factory=set)
    ray: list[bool] = field(default_factory=list)

    def __contains__(self, key: tuple[int, int]) -> bool:
        """Whether (council, index) is on the menu."""
        return key in self.known

    def add(self, k: int, proposal: Proposal) -> None:
        self.known.add((k, proposal.index))
        self.council.append(k)
        self.index.append(proposal.index)
        self.ray.append(proposal.kind == "ray")

    def drop(self, positions: np.ndarray) -> None:
        """Take the proposals at ``positions`` (menu order) off the menu; a council may
        propose one again."""
        gone = set(np.asarray(positions).tolist())
        for position in gone:
            self.known.discard((self.council[position], self.index[position]))
        keep = [i for i in range(len(self.index)) if i not in gone]
        self.council = [self.council[i] for i in keep]
        self.index = [self.index[i] for i in keep]
        self.ray = [self.ray[i] for i in keep]

    def __len__(self) -> int:
        return len(self.index)

    def weights_by_council(self, weights: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
        """The mix each council is to make: weights over its own list of proposals."""
        out = [np.zeros(n) for n in sizes]
        for k, i, w in zip(self.council, self.index, weights, strict=True):
            out[k][i] += w
        return out


def relative_gap(primal: float, dual: float) -> float:
    return (abs(primal - dual) / (1.0 + abs(primal) + abs(dual))
            if math.isfinite(dual) else math.inf)
