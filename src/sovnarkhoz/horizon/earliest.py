"""The earliest year in which chosen targets can all be met in full.

For a candidate year t the question is: is there a plan for the years first .. t that meets,
in year t, every chosen target of that year in full? Earlier years may set output aside to
build stock; the targets not chosen are held in full in every year up to t; later years do
not count. (The answer need not be monotone in t, since targets and supplies change from year
to year, so every year is tried in turn, not bisected.)

Candidate year t is the LP of the horizon cut at t (``formulation.years`` over first .. t,
one λ_s per year on the chosen targets, capped at 1), maximising λ_t. Years after t cannot
matter (they can always do nothing, and stock set aside for them is no use by t), so they are
left out rather than carried with their targets let go: the LPs of the early years, where the
answer usually lies, are small (100 products x 4 regions met in the 4th of 10 years: four LPs
of 1 to 4 years, 4.8 s, where one 10-year model warm-started from year to year took 38 s,
in the same session on the same shared cores; see docs/performance.md).
LPs from IPM_NONZEROS nonzeros go to interior point (``Solver.settings_for``).
Warm starts were measured and dropped: the basis of year t-1's LP, extended by the new year's
rows (basic) and columns (at zero), made dual simplex slower than a cold start (17,494
iterations against 6,667 at 100 x 4, 4 years). The best λ_t of each year tried is reported.

``solver`` (as for ``plan``): ``highs`` decides exactly; ``pdlp`` (a first-order solver,
for LPs past what HiGHS can factor; ``auto`` picks it on a GPU from 200,000 nonzeros) decides
to within a relative KKT error, refined where λ_t lies too near 1 to tell
(``solvers.reach``); the year found is then checked by planning its cut horizon's
activities against the scenario (``Earliest.violation``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from ..formulation import Levels, LinearProgram, Mode
from ..formulation.years import build_years
from ..scenario.errors import Issue, ScenarioError
from ..scenario.model import Scenario
from ..solvers import Solver, SolverOptions, get_solver
from ..solvers.reach import MET, Reach, reach

__all__ = ["MET", "Earliest", "chosen_targets", "earliest"]


@dataclass
class Earliest:
    """year : the earliest year (None: not within the horizon). best : {year: the highest
    share of the chosen targets that year can reach} for every year tried. solver : what
    answered; tolerance : the largest relative KKT error a first-order answer rests on (0:
    exact); violation : the largest relative violation of the found year's plan, checked
    against the scenario (first-order answers only; NaN otherwise). stopped : why the search
    ended without an answer (a solver that ran out of time or failed; "" otherwise): the years
    tried so far stay in ``best``."""

    year: int | None
    best: dict[int, float] = field(default_factory=dict)
    targets: list[str] = field(default_factory=list)
    first: int = 0
    last: int = 0
    seconds: float = 0.0
    solves: int = 0
    size: dict[str, int] = field(default_factory=dict)
    solver: str = "highs"
    tolerance: float = 0.0
    violation: float = float("nan")
    stopped: str = ""

    @property
    def exit_code(self) -> int:
        return 0 if self.year is not None else 1

    def as_dict(self) -> dict[str, object]:
        return {"earliest": self.year, "best": {str(k): v for k, v in self.best.items()},
                "targets": self.targets, "first": self.first, "last": self.last,
                "seconds": round(self.seconds, 6), "solves": self.solves, "size": self.size,
                "solver": self.solver, "tolerance": self.tolerance,
                "violation": None if math.isnan(self.violation) else self.violation,
                "stopped": self.stopped}


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
             options: SolverOptions | None = None, solver: str = "auto",
             progress: Callable[[int, Reach], None] | None = None,
             from_year: int | None = None) -> Earliest:
    """The earliest year in which the chosen ``targets`` (default: all) can be met in full,
    with ``solver`` (highs, pdlp or auto, as for ``plan``); ``progress(year, reach)`` is
    called as each year is decided. ``from_year``: only years from it on are candidates (a
    plan's goals that start after the first year, beside needs held from the start)."""
    started = time.perf_counter()
    if scenario.horizon is None:
        raise ScenarioError([Issue("scenario.toml", "earliest asks which year of a [horizon]; "
                                   "this is a single-year scenario")], source=scenario.name)
    scenario.check_weights("earliest")
    options = options or SolverOptions()
    probe = build_years(scenario, None)
    chosen = chosen_targets(scenario, probe.layout.targets.keys, targets)
    horizon = probe.horizon
    positive = (probe.layout.targets.amount[:, chosen] > 0).any(axis=1)
    if from_year is not None:
        positive &= horizon.years >= from_year
    data = probe.data
    answer = Earliest(year=None, targets=list(targets or []), first=horizon.first,
                      last=horizon.last,
                      size={"rows": data.num_rows, "columns": data.num_cols,
                            "nonzeros": data.nnz})
    names = set()
    for t in np.flatnonzero(positive):  # one LP per year that asks for something
        year = int(horizon.years[t])
        program = build_years(scenario, None, horizon=horizon.truncated(year),
                              mode=Mode(Levels.YEARLY, scaled=chosen))
        backend, _ = get_solver(solver, program.data, options.device)
        names.add(backend.name)
        try:
            level = _best_level(program, backend, options)
        except RuntimeError as error:
            answer.stopped = str(error)
            break
        answer.solves += level.solves
        answer.tolerance = max(answer.tolerance, level.tolerance)
        answer.best[year] = level.level
        if progress is not None:
            progress(year, level)
        if level.reached:
            answer.year = year
            if level.tolerance > 0:
                answer.violation = _checked(scenario, program, level.result.x, level.tolerance)
            break
    answer.solver = "+".join(sorted(names)) or "highs"
    answer.seconds = time.perf_counter() - started
    return answer


def _best_level(program: LinearProgram, backend: Solver, options: SolverOptions) -> Reach:
    """The highest share λ (at most 1) of the chosen targets of the cut horizon's last year
    that a plan of its years can meet, the other targets held in full (level NaN when those
    conflict); every earlier year's λ_s is capped at 1 and free."""
    data = program.data
    lam = program.col_blocks["fulfilment"]
    col_upper = data.col_upper.copy()
    col_upper[lam.slice] = 1.0
    problem = replace(data, col_upper=col_upper)
    options, _ = backend.settings_for(problem, options)
    try:
        return reach(problem, lam.stop - 1, backend, options)
    except RuntimeError as error:
        raise RuntimeError(f"earliest: {program.horizon.last}: {error}") from None


def _checked(scenario: Scenario, program: LinearProgram, x: np.ndarray, tolerance: float
             ) -> float:
    """The largest relative violation of the cut horizon's first-order plan ``x``, checked
    against the scenario's tables (``plan.assemble``) at ``tolerance``."""
    from ..plan.assemble import assess

    outcome = assess(scenario, program, x, None, None, tolerance, {})
    return float(outcome.verification.max_violation)
