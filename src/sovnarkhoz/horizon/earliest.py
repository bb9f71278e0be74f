"""The earliest year in which chosen targets can all be met in full.

For a candidate year t the question is: is there a plan for the years first .. t that meets,
in year t, every chosen target of that year in full? Earlier years may set output aside to
build stock; the targets not chosen are held in full in every year up to t; later years do
not count. (The answer need not be monotone in t, since targets and supplies change from year
to year, so every year is tried in turn, not bisected.)

All candidates share one LP over the whole horizon (``formulation.years`` with one λ_t per
year on the chosen targets, capped at 1): for year t the cost is -λ_t, and the targets not
chosen of the years after t are let go (their balance rows' lower bounds set to 0; later years
can always do nothing). HiGHS keeps the model between candidates and starts each solve from
the last basis (a warm start). The best λ_t of each year tried is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..formulation.years import build_years
from ..scenario.errors import Issue, ScenarioError
from ..scenario.model import Scenario
from ..solvers import SolverOptions, Status
from ..solvers.persistent import PersistentHighs

MET = 1.0 - 1e-7
"""λ_t at or above this counts as every chosen target met in full."""


@dataclass
class Earliest:
    """year : the earliest year (None: not within the horizon). best : {year: the highest
    share of the chosen targets that year can reach} for every year tried."""

    year: int | None
    best: dict[int, float] = field(default_factory=dict)
    targets: list[str] = field(default_factory=list)
    first: int = 0
    last: int = 0
    seconds: float = 0.0
    solves: int = 0
    size: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 0 if self.year is not None else 1

    def as_dict(self) -> dict[str, object]:
        return {"earliest": self.year, "best": {str(k): v for k, v in self.best.items()},
                "targets": self.targets, "first": self.first, "last": self.last,
                "seconds": round(self.seconds, 6), "solves": self.solves, "size": self.size}


def chosen_targets(scenario: Scenario, keys: np.ndarray, targets: list[str] | None
                   ) -> np.ndarray:
    """(Qd,) bool: which target pairs (region * P + product ``keys``) are chosen.
    ``targets``: 'region:product' or 'product' (every region) items; None: all."""
    if not targets:
        return np.ones(len(keys), dtype=bool)
    e = scenario.economy
    P = len(e.products)
    regions = e.regions.to_numpy()[keys // P].astype(str)
    products = e.products.to_numpy()[keys % P].astype(str)
    chosen = np.zeros(len(keys), dtype=bool)
    problems = []
    for item in targets:
        region, _, product = item.rpartition(":")
        hit = (products == product) & ((regions == region) if region else True)
        if not hit.any():
            problems.append(Issue(scenario.file_of("targets"),
                                  f"--targets: no target for {item!r} (give region:product or "
                                  "product, as in targets.csv)", column="product", value=item))
        chosen |= hit
    if problems:
        raise ScenarioError(problems, source=scenario.name)
    return chosen


def earliest(scenario: Scenario, targets: list[str] | None = None,
             options: SolverOptions | None = None) -> Earliest:
    """The earliest year in which the chosen ``targets`` (default: all) can be met in full."""
    started = time.perf_counter()
    if scenario.horizon is None:
        raise ScenarioError([Issue("scenario.toml", "earliest asks which year of a [horizon]; "
                                   "this is a single-year scenario")], source=scenario.name)
    options = options or SolverOptions()
    probe = build_years(scenario, None)
    chosen = chosen_targets(scenario, probe.targets.keys, targets)
    program = build_years(scenario, None, scaled=chosen, lambdas="yearly")
    lp, data = program.lp, program.lp.data
    horizon = program.horizon
    Y, nb = horizon.count, program.core.n_balance
    lam = lp.col_blocks["fulfilment"]
    col_upper = data.col_upper.copy()
    col_upper[lam.slice] = 1.0
    model = PersistentHighs(type(data)(c=data.c, A=data.A, row_lower=data.row_lower,
                                       row_upper=data.row_upper, col_lower=data.col_lower,
                                       col_upper=col_upper), options=options)
    held = data.row_lower[:Y * nb].reshape(Y, nb)
    positive = (program.targets.amount[:, chosen] > 0).any(axis=1)
    answer = Earliest(year=None, targets=list(targets or []), first=horizon.first,
                      last=horizon.last,
                      size={"rows": data.num_rows, "columns": data.num_cols,
                            "nonzeros": data.nnz})
    later = np.arange(nb, Y * nb)  # the targets held in full of the years after the first
    model.set_row_bounds(later, np.zeros(len(later)), np.full(len(later), np.inf))
    for t in range(Y):  # each year is one warm-started solve
        if t > 0:
            rows = np.arange(t * nb, (t + 1) * nb)
            model.set_row_bounds(rows, held[t], np.full(nb, np.inf))
        year = int(horizon.years[t])
        if not positive[t]:
            continue
        cost = np.zeros(data.num_cols)
        cost[lam.start + t] = -1.0
        model.set_cost(cost)
        result = model.solve()
        answer.solves += 1
        if result.status is Status.INFEASIBLE:
            answer.best[year] = float("nan")  # the targets held in full already conflict
            continue
        if result.status is not Status.OPTIMAL:
            raise RuntimeError(f"earliest: the solver stopped with {result.status.value} in "
                               f"{year} ({result.message})")
        level = float(min(-result.objective, 1.0))
        answer.best[year] = level
        if level >= MET:
            answer.year = year
            break
    answer.seconds = time.perf_counter() - started
    return answer
