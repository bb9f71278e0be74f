"""Price-directive planning by Dantzig-Wolfe decomposition (Dantzig and Wolfe, 1960).

The classic scheme for decentralised planning: the centre keeps the shared rows and, for each
council, a menu of the plans that council has proposed so far. Each round it

1. chooses the best mix of proposals (the master LP: convex weights per council, plus the
   centre's own columns such as λ), and posts the master's prices y of the shared rows and,
   per council, the value σ_k of its convexity row;
2. each council answers with the plan that is best for it at those prices,
   min (c_k - B_k'y)'x over its own rows and bounds (or an improving direction when that is
   unbounded); a plan whose value beats σ_k is a new proposal.

The master's objective falls to the optimum; each round also gives a true bound (at the
master's prices master + Σ_k min(0, value_k - σ_k); at others the Lagrangian g(y)), so the
gap to the best bound closes with a certificate, in finitely many rounds. Shared rows get
artificial slack at a large cost until the proposals cover them. Before the first round
councils announce their obvious rays (free shipments) and propose their self-sufficient
plans (``Centre.alone``), whose mix often meets every target at once. Until the cost of the
master's mix first moves they are asked at central prices (the master solved by interior
point, stopped early, without crossover: Gondzio, González-Brevis and Munari 2013), which
value every row the proposals do not yet cover instead of one; after that at prices smoothed
towards those of the best bound (SMOOTHING), which damps the master's jumps between
vertices. With RETIRE_ARTIFICIAL, once a vertex mix needs no artificial slack the artificial
columns leave the master (``Master.retire_artificial``): a third of its columns on ussr1957.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ..solvers.duality import bound_term
from ..solvers.highs import objective_scale
from ..solvers.problem import LPData
from ..solvers.result import Status
from .engines import Engine, LocalEngine
from .master import Master, MasterSolution
from .proposals import AloneTask, Menu, PricingCouncil, Proposal, relative_gap
from .protocol import Coordination, Round, collect_plan, split

SMOOTHING = 0.8
"""Councils are asked at SMOOTHING × (the prices of the best bound so far) + the rest × the
master's prices (Wentges 1997), which damps the master's jumps between vertices: ussr1957
over 1957-61 by republic councils in 158 rounds instead of 424. A round at smoothed prices
that improves nothing is followed by one at the master's own."""
CENTRAL_TOLERANCE = 0.1
"""While the cost of the master's mix (artificial slack aside) has not moved from its first
value, councils are asked at central prices: the master solved by interior point to this
relative tolerance, without crossover (``Master.solve``). On ussr1957 λ stays 0 until the
proposals together cover every region's target in every year; at vertex prices each round
covers a row or two (λ still 0 after 470 rounds over 1957-70), at central prices the targets
are covered in 70 rounds. A central round that adds nothing is repeated at a tolerance ten
times finer."""
FINEST_CENTRAL = 1e-9
"""Below this tolerance central prices are vertex prices in all but name."""
PENALTY = 1e6
"""Cost per unit of artificial slack on a shared row (relative to the objective's scale)."""
RETIRE_ARTIFICIAL = False
"""Whether the master's artificial columns leave it once a vertex mix needs none
(``Master.retire_artificial``). Off: on ussr1957 over 1957-70 it made each round about a
fifth cheaper (CPU) but the simplex then pivots to other vertices and the run took 554
rounds instead of 359, 156 CPU s against 128 (docs/performance.md)."""
IDLE_SOLVES = 50
"""A proposal (not a ray) off the master's basis in this many solves in a row is taken off
the menu: the master's LP, whose every simplex iteration prices every column, stays small (a
council may propose it again; docs/performance.md)."""


class Centre:
    """What the centre of a proposal-mixing protocol holds: the shared rows, its own columns
    (λ), and the menu of proposals."""

    def __init__(self, lp: LPData, owner: np.ndarray, names: list[str],
                 solver: str = "auto", scaled: bool = False, alone: bool = True):
        self.lp = lp
        self.opens_alone = alone  # councils open with their self-sufficient plans (open)
        self.solver = solver  # the councils' own: auto, highs or pdlp
        # scaled: the master's and the councils' HiGHS models work with costs scaled so that
        # prices are of order one, as the central planner's (solvers.highs.objective_scale)
        self.scaled = scaled
        self.parts = split(lp, owner, names)
        self.data, self.shared, self.columns = self.parts
        self.K, self.m = len(self.data), len(self.shared)
        position = np.full(lp.num_rows, -1, dtype=np.int64)
        position[self.shared] = np.arange(self.m)
        self.local_rows = [position[d.shared_rows] for d in self.data]
        self.B = lp.A.tocsc()[:, self.columns][self.shared].tocsc()
        self.lower, self.upper = lp.row_lower[self.shared], lp.row_upper[self.shared]
        self.scale = 1.0 + float(np.abs(lp.c).max(initial=0.0))
        self.size = 1.0 + np.maximum(np.abs(np.where(np.isfinite(self.lower), self.lower, 0.0)),
                                     np.abs(np.where(np.isfinite(self.upper), self.upper, 0.0)))
        self.menu = Menu()
        self.master = Master(self.B, lp.c[self.columns], lp.col_lower[self.columns],
                             lp.col_upper[self.columns], self.lower, self.upper, self.K,
                             lp.offset, objective_scale(lp) if scaled else 0)
        self.proposed = [0] * self.K  # how many proposals each council keeps
        self.idle = np.zeros(0, dtype=np.int64)  # master solves each proposal sat idle
        self.solvers: dict[str, int] = {}  # how many answers each solver found
        self.messages = 0  # between the centre and the councils, so far
        self.bytes = 0
        self._logged = (0, 0)  # (messages, bytes) already put into a logged round

    def _traffic(self) -> tuple[int, int]:
        """(messages, bytes) exchanged since the last logged round (or the start)."""
        messages, sent = self.messages - self._logged[0], self.bytes - self._logged[1]
        self._logged = (self.messages, self.bytes)
        return messages, sent

    def log_round(self, history: list[Round], progress: Callable[[Round], None] | None,
                  **measures: float) -> None:
        """Append a Round of ``measures`` (round, mismatch, objective, dual_objective, gap,
        dual_residual, step, seconds) with the traffic since the last one, and report it."""
        messages, sent = self._traffic()
        record = Round(messages=messages, bytes=sent, **measures)  # type: ignore[arg-type]
        history.append(record)
        if progress is not None:
            progress(record)

    def count_last(self, history: list[Round]) -> None:
        """Add the traffic after the last round (the mixes sent out) to that round."""
        messages, sent = self._traffic()
        if history:
            history[-1].messages += messages
            history[-1].bytes += sent

    def open(self, engine: Engine) -> None:
        """Before the first round: each council announces its obvious rays, and (unless the
        centre was made with ``alone=False``) opens with its self-sufficient plan
        (:meth:`alone`); all go on the menu."""
        self.rays(engine)
        if self.opens_alone:
            self.alone(engine)

    def home(self) -> np.ndarray:
        """The council that answers for each shared row (m,): the one whose columns hold the
        most entries in it (a region's balance rows: its own council's, whose techniques make
        and use the product there, rather than those who ship to it); ties to the first
        council, -1 for a row only the centre's columns enter."""
        council = np.repeat(np.arange(self.K), [len(rows) for rows in self.local_rows])
        row = np.concatenate(self.local_rows).astype(np.int64)
        entries = np.concatenate([np.diff(d.B.tocsr().indptr) for d in self.data])
        order = np.lexsort((council, -entries, row))  # by row, most entries, first council
        first = order[np.flatnonzero(np.diff(row[order], prepend=-1))]  # each row's first
        home = np.full(self.m, -1, dtype=np.int64)
        home[row[first]] = np.where(entries[first] > 0, council[first], -1)
        return home

    def alone(self, engine: Engine) -> None:
        """Each council proposes the best plan it can make alone: its own rows and, with
        nothing from the others, the shared rows it answers for (:meth:`home`), with a copy
        of the centre's columns that enter them (``PricingCouncil.plan_alone``). Under
        max-fulfilment that is the highest level of its own targets it can meet by itself,
        the sovnarkhoz's localist plan; a mix of these covers at once the many target rows
        that answers at prices cover a few at a time (ussr1957 over 1957-70: λ above 0 from
        the first rounds, where central prices took some 80; docs/performance.md)."""
        home = self.home()
        centre_entries = self.B.tocsr()
        cost, lower, upper = (self.lp.c[self.columns], self.lp.col_lower[self.columns],
                              self.lp.col_upper[self.columns])
        requests = []
        for k, rows in enumerate(self.local_rows):
            mine = np.flatnonzero(home[rows] == k)
            entries = centre_entries[rows[mine]]
            enter = np.flatnonzero(np.diff(entries.tocsc().indptr) > 0)
            requests.append(("alone", AloneTask(
                rows=mine, row_lower=self.lower[rows[mine]], row_upper=self.upper[rows[mine]],
                centre_entries=entries[:, enter].tocsr(), centre_cost=cost[enter],
                centre_lower=lower[enter], centre_upper=upper[enter])))
        for k, answer in enumerate(engine.round(requests)):
            self.messages += 2
            self.bytes += 8 * (3 * len(requests[k][1].rows) + len(self.local_rows[k]) + 2)
            if answer is not None:
                self.proposed[k] += answer.new
                self.take(k, answer)

    def rays(self, engine: Engine) -> None:
        """Each council announces its obvious rays once; they go on the menu."""
        for k, rays in enumerate(engine.round([("rays", None)] * self.K)):
            for ray in rays:
                self.take(k, ray)
            self.proposed[k] += len(rays)
            self.messages += 2
            self.bytes += 8 * len(rays) * (len(self.local_rows[k]) + 2)

    def members(self) -> list[tuple[type, tuple]]:
        return [(PricingCouncil, (d, self.solver, self.scaled)) for d in self.data]

    def ask(self, engine: Engine, y: np.ndarray) -> list[Proposal]:
        """Post prices y (m,) of the shared rows; each council's best answer."""
        answers = engine.round([("prices", y[rows]) for rows in self.local_rows])
        for k, answer in enumerate(answers):
            self.proposed[k] += answer.new
            self.solvers[answer.solver] = self.solvers.get(answer.solver, 0) + 1
        self.messages += 2 * self.K  # prices out, proposals back: (s_k) and (s_k + 2) floats
        self.bytes += 8 * sum(2 * len(r) + 2 for r in self.local_rows)
        return answers

    def take(self, k: int, answer: Proposal) -> bool:
        """Put a proposal on the menu; False if it is there already."""
        if (k, answer.index) in self.menu:
            return False
        self.menu.add(k, answer)
        self.master.add(k, answer.kind == "point", answer.cost, self.local_rows[k],
                        answer.contribution)
        return True

    def prune(self, weights: np.ndarray) -> np.ndarray:
        """After a master solve at a vertex that gave ``weights``: count the solves each
        proposal sat off the basis, take those idle for IDLE_SOLVES off the menu and out of
        the master; the weights of the proposals kept."""
        idle = self.master.idle()
        self.idle = np.concatenate([self.idle, np.zeros(len(idle) - len(self.idle),
                                                        dtype=np.int64)])
        self.idle = np.where(idle, self.idle + 1, 0)
        old = np.flatnonzero((self.idle >= IDLE_SOLVES) & ~np.asarray(self.menu.ray, bool))
        if not len(old):
            return weights
        self.master.drop(old)
        self.menu.drop(old)
        self.idle = np.delete(self.idle, old)
        return np.delete(weights, old[old < len(weights)])

    def assemble(self, engine: Engine, weights: np.ndarray, centre_x: np.ndarray,
                 y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Tell each council its mix and the final prices y (m,) of the shared rows, collect
        the plans and the councils' prices of their own rows at y: the national x and row
        prices."""
        # proposals taken after the mix was chosen get no weight
        weights = np.concatenate([weights, np.zeros(len(self.menu) - len(weights))])
        mixes = self.menu.weights_by_council(weights, self.proposed)
        engine.round([("mix", (mix, y[rows]))
                      for mix, rows in zip(mixes, self.local_rows, strict=True)])
        self.messages += self.K
        self.bytes += 8 * sum(len(mix) + len(rows)
                              for mix, rows in zip(mixes, self.local_rows, strict=True))
        return collect_plan(self.lp, self.parts, engine.results(), centre_x, y)

    def dual_value(self, y: np.ndarray, answers: list[Proposal]) -> float:
        """The Lagrangian bound g(y) (a true lower bound on the national optimum) from the
        councils' ``answers`` at prices y: their values, the centre's own part and the
        bounds' part; -inf when a council answered with a ray."""
        if any(a.kind == "ray" for a in answers):
            return -np.inf
        return (float(np.sum(_values(answers))) + self.centre_value(y)
                + bound_term(y, self.lower, self.upper) + self.lp.offset)

    def centre_value(self, y: np.ndarray) -> float:
        """min over the centre's own columns of (c_0 - B_0'y)'x_0 (−inf if unbounded); a
        reduced cost within rounding of zero (1e-9 of the cost scale) counts as zero."""
        reduced = self.lp.c[self.columns] - self.B.T @ y
        reduced[np.abs(reduced) <= 1e-9 * self.scale] = 0.0
        lo, hi = self.lp.col_lower[self.columns], self.lp.col_upper[self.columns]
        edge = np.where(reduced > 0, lo, np.where(reduced < 0, hi, 0.0))
        return float(np.sum(np.where(reduced != 0, reduced * edge, 0.0)))


def decompose(lp: LPData, owner: np.ndarray, names: list[str], tolerance: float = 1e-4,
              max_rounds: int = 500, progress: Callable[[Round], None] | None = None,
              engine: Engine | None = None, solver: str = "auto",
              scaled: bool = False, alone: bool = True) -> Coordination:
    """Coordinate councils by Dantzig-Wolfe column generation to a relative gap of
    ``tolerance`` (or ``max_rounds``), the councils running on ``engine`` and planning with
    ``solver``; ``scaled``: the master and the councils with their costs scaled so that
    prices are of order one (see ``councils.run``: asked for when the plan's prices fail
    the proof unscaled); ``alone``: the councils open with their self-sufficient plans
    (``Centre.alone``)."""
    return run_centre(_rounds, lp, owner, names, tolerance, max_rounds, progress, engine,
                      solver, scaled, alone)


Rounds = Callable[["Centre", Engine, float, int, Callable[[Round], None] | None], Coordination]


def run_centre(rounds: Rounds, lp: LPData, owner: np.ndarray, names: list[str],
               tolerance: float, max_rounds: int, progress: Callable[[Round], None] | None,
               engine: Engine | None, solver: str, scaled: bool = False,
               alone: bool = True) -> Coordination:
    """Start the councils of a proposal-mixing protocol on ``engine`` (default: in this
    process), run its ``rounds`` and close the engine whatever happens."""
    engine = engine or LocalEngine()
    centre = Centre(lp, owner, names, solver, scaled, alone)
    engine.start(centre.members())
    try:
        return rounds(centre, engine, tolerance, max_rounds, progress)
    finally:
        engine.close()


def _rounds(centre: Centre, engine: Engine, tolerance: float, max_rounds: int,
            progress: Callable[[Round], None] | None) -> Coordination:
    m = centre.m
    centre.open(engine)
    for k, answer in enumerate(centre.ask(engine, np.zeros(m))):  # first proposals
        centre.take(k, answer)
    centre.master.stabilise(np.zeros(m), PENALTY * centre.scale)
    history: list[Round] = []
    converged = False
    started = time.perf_counter()
    rounds = 0
    best = -np.inf  # the best bound so far, and the prices that gave it
    best_prices: np.ndarray | None = None  # (for smoothing; forgotten when central ends)
    bound_prices: np.ndarray | None = None  # the prices of the best bound, kept
    smooth = True
    central: float | None = CENTRAL_TOLERANCE  # None once the prices are the master's vertex's
    first_cost: float | None = None
    stopped = None
    weights, centre_x, y = np.zeros(0), np.zeros(len(centre.columns)), np.zeros(m)
    for round_number in range(1, max_rounds + 1):
        rounds = round_number
        try:
            solved, artificial = _master(centre, central)
            if central is not None:
                first_cost = solved.mix_cost if first_cost is None else first_cost
                if solved.mix_cost < first_cost - 1e-9 * centre.scale:  # the mix's cost moves
                    central, best_prices = None, None
                    solved, artificial = _master(centre, None)
            posted = solved.prices
            if central is None and smooth and best_prices is not None:
                posted = SMOOTHING * best_prices + (1.0 - SMOOTHING) * solved.prices
            answers = centre.ask(engine, posted)
        except RuntimeError as failure:  # a solver failed: keep the last mix
            stopped = str(failure)
            break
        master, weights, centre_x = solved.mix_cost, solved.weights, solved.centre_x
        y, sigma = solved.prices, solved.sigma
        if central is None:  # at a vertex: proposals long off its basis leave the menu
            if RETIRE_ARTIFICIAL and artificial == 0.0:  # no artificial slack: phase two
                centre.master.retire_artificial()
            weights = centre.prune(weights)
        bound = centre.dual_value(posted, answers) if central is not None or posted is not y \
            else master + float(np.sum(np.minimum(0.0, _values(answers) - sigma)))
        if bound > best:
            best, best_prices, bound_prices = bound, posted, posted
        added = 0
        for k, answer in enumerate(answers):
            # a proposal that beats the council's value at the master's own prices improves
            # the master; stopping is left to the gap, which sums the shortfalls
            reduced = answer.cost - float(y[centre.local_rows[k]] @ answer.contribution)
            if answer.kind == "point":
                reduced -= sigma[k]
            if reduced < -1e-9 * centre.scale:
                added += centre.take(k, answer)
        gap = relative_gap(master, best)
        centre.log_round(history, progress, round=round_number, mismatch=artificial,
                         objective=master, dual_objective=best, gap=gap, dual_residual=0.0,
                         step=0.0, seconds=time.perf_counter() - started)
        if central is not None:
            # a central mix is not a vertex: converge, or give up on central prices, at the
            # master's own vertex prices next round
            if gap <= tolerance and artificial <= tolerance:
                central, best_prices = None, None
            elif added == 0:
                central /= 10.0
                if central < FINEST_CENTRAL:
                    central, best_prices = None, None
            continue
        if gap <= tolerance and artificial <= tolerance:
            converged = True
            break
        if added == 0 and posted is y:  # nothing improves the master at its own prices
            stopped = (f"no council's answer improves the centre's mix, yet it still needs "
                       f"{artificial:.1e} (relative) of artificial slack on the shared rows: "
                       "the councils cannot meet them" if artificial > tolerance else
                       f"no council's answer improves the centre's mix; the gap {gap:.1e} is "
                       "rounding")
            break
        smooth = added > 0  # smoothed prices that add nothing: the master's own next
    # the prices posted at the end are those of the best bound: g(y) is the optimum to the
    # tolerance, so they are an optimal dual (the master's own prices need not be: its
    # last vertex may price out a proposal it never got)
    final = bound_prices if bound_prices is not None else y
    x, row_dual = centre.assemble(engine, weights, centre_x, final)
    centre.count_last(history)
    return Coordination(x=x, row_dual=row_dual, converged=converged, history=history,
                        rounds=rounds, stopped=stopped, solvers=centre.solvers)


def _values(answers: list[Proposal]) -> np.ndarray:
    """Each council's value at the posted prices (-inf for a ray: no bound)."""
    return np.array([-np.inf if a.kind == "ray" else a.value for a in answers])


def _master(centre: Centre, central: float | None) -> tuple[MasterSolution, float]:
    """Solve the restricted master (at a vertex, or ``central`` to that tolerance); returns
    its solution and the largest relative artificial slack."""
    solution = centre.master.solve(central)
    if solution.status is not Status.OPTIMAL:
        raise RuntimeError(f"the centre's master problem ended {solution.status.value}: "
                           f"{solution.message}")
    return solution, float(np.max(np.abs(solution.mismatch) / centre.size, initial=0.0))
