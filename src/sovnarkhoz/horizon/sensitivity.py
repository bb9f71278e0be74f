"""Answers with ranges: how an answer moves when uncertain figures move within their ranges.

An uncertain input (:class:`Uncertain`) is a set of rows of one table whose value column
(``amount``, or ``rate`` in growth.csv) moves together between a low and a high value per
row, driven by one number u in [0, 1] (value = low + u (high - low)). They come from a
scenario's own ``low`` and ``high`` columns (:func:`ranges_in`: rows of a table grouped by the
key columns that are not a region, technique ids read up to their ``@``, and by their relative
range) or from ``--vary TABLE:ROW-KEY:COLUMN=LOW..HIGH`` (:func:`parse_vary`).

Questions (:class:`Question`), each a number per sample:

- ``plan``: the objective value of the scenario's best plan (λ under max-fulfilment), by
  :func:`~sovnarkhoz.plan.make_plan` (verified, as every plan);
- ``share``: the highest share λ_t of the chosen targets of one year t a plan can reach, the
  others held in full (the LP :func:`~.earliest.earliest` solves for year t), on one HiGHS
  model warm-started from the last sample's basis;
- ``earliest``: the earliest year of each chosen target product on its own
  (:func:`~.each.earliest_each`, from ``year`` on when given; a year after the horizon
  counts as "never").

What is reported (:class:`Sensitivity`): the answer at the nominal figures; its range over
the samples (Latin hypercube, scipy.stats.qmc) and how often each answer occurs; a tornado
(the answer at each input's low and high end, the others at their nominal values: 2k
solves); and, with ``sobol``, first-order Sobol indices by Saltelli's sampling scheme and
Janon et al.'s estimator (N (k + 2) solves from a Sobol sequence, N rounded up to a power of
two). Samples run in worker processes, each warm-starting along its share of the samples.

Where the LP's own sensitivity is exact it replaces sampling. First :func:`by_ranging`: with
one uncertain input that moves a single number of the plan or share question's LP (a row
bound, a column bound or a cost), HiGHS's ranging of the nominal optimal basis gives the
interval over which the answer is linear at the rate of that number's dual; a range inside it
is answered on that line, tornado and samples included, with no further solve. Else
:func:`linear_by_prices`: for the share question with one uncertain input that moves only
supplies (row bounds, any number of them), the answer is concave and piecewise linear in u,
and linear over the whole range exactly when the slopes the optimal duals give at both ends
equal the chord; then every sample is answered on that line without a solve.
:attr:`Sensitivity.method` says which (:class:`Method`).
"""

from __future__ import annotations

import fnmatch
import math
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np
import pandas as pd

from ..scenario.errors import Issue, ScenarioError
from ..scenario.model import Scenario
from ..scenario.schema import RANGED, TABLES

__all__ = ["Method", "Question", "Sensitivity", "Uncertain", "parse_vary", "ranges_in",
           "sensitivity"]


class Method(Enum):
    """How the answers over the range were found."""

    RANGING = "ranging"
    """On a line from HiGHS's ranging of the one LP number the input moves (by_ranging)."""
    PRICES = "prices"
    """On a line proven by the LP's prices at both ends of the range (linear_by_prices)."""
    SAMPLES = "samples"
    """Each sample solved."""


class Question(Enum):
    """What each sample answers."""

    PLAN = "plan"
    SHARE = "share"
    EARLIEST = "earliest"


@dataclass(frozen=True)
class Uncertain:
    """Rows ``rows`` (positions) of ``table``'s column ``column`` move together from ``low``
    to ``high`` ((len(rows),) each, in the column's units); ``nominal`` the scenario's."""

    name: str
    table: str
    column: str
    rows: np.ndarray
    low: np.ndarray
    high: np.ndarray
    nominal: np.ndarray

    def values(self, u: float) -> np.ndarray:
        return self.low + u * (self.high - self.low)

    def describe(self) -> str:
        if len(self.rows) == 1:
            return f"{self.low[0]:.6g}..{self.high[0]:.6g} (nominal {self.nominal[0]:.6g})"
        ratio_low = self.low / np.where(self.nominal == 0, 1, self.nominal)
        ratio_high = self.high / np.where(self.nominal == 0, 1, self.nominal)
        return (f"{len(self.rows)} rows, x{ratio_low.min():.3g}..x{ratio_high.max():.3g} of "
                "their nominal values")


def _key_label(table: str, frame: pd.DataFrame) -> str:
    """A readable ROW-KEY for rows of ``table``: each key column's common value, or a glob."""
    parts = []
    for column in TABLES[table].key:
        values = frame[column].astype(str).unique()
        if len(values) == 1:
            parts.append(values[0])
            continue
        heads = {v.split("@")[0] for v in values}
        parts.append(f"{heads.pop()}@*" if len(heads) == 1 and all("@" in v for v in values)
                     else "*")
    return "/".join(parts)


def ranges_in(scenario: Scenario) -> list[Uncertain]:
    """The scenario's own ranges: rows of RANGED tables with ``low`` or ``high`` given,
    grouped into one input by table, by the key columns that are not regions (technique ids
    up to their ``@``) and by their relative range."""
    found = []
    for table, column in RANGED.items():
        frame = scenario.tables.get(table)
        if frame is None or not len(frame) or not {"low", "high"} & set(frame.columns):
            continue
        value = frame[column].to_numpy(dtype=np.float64)
        low = frame["low"].to_numpy(dtype=np.float64) if "low" in frame else value.copy()
        high = frame["high"].to_numpy(dtype=np.float64) if "high" in frame else value.copy()
        low, high = np.where(np.isnan(low), value, low), np.where(np.isnan(high), value, high)
        ranged = np.flatnonzero(high > low)
        if not ranged.size:
            continue
        keys = [c for c in TABLES[table].key if c != "region"]
        group = pd.DataFrame({
            c: frame[c].astype(str).str.split("@").str[0].to_numpy()[ranged] for c in keys})
        scale = np.where(value[ranged] == 0, 1.0, value[ranged])
        group["low"] = np.round(low[ranged] / scale, 3)  # rounded cells: ratios to 1e-3
        group["high"] = np.round(high[ranged] / scale, 3)
        for _, members in group.groupby(list(group.columns), sort=False):
            rows = ranged[members.index.to_numpy()]
            name = f"{table}:{_key_label(table, frame.iloc[rows])}:{column}"
            found.append(Uncertain(name, table, column, rows, low[rows], high[rows],
                                   value[rows]))
    return found


def parse_vary(scenario: Scenario, text: str) -> Uncertain:
    """``TABLE:ROW-KEY:COLUMN=LOW..HIGH``: ROW-KEY is the table's key values joined by ``/``
    (shell globs allowed: ``meat@*/fodder``; a year, where the table has one, is not part of
    it: every year's row matches); LOW and HIGH are numbers, or ``*F`` for F times each row's
    value. Raises ScenarioError (exit 2) naming what is wrong."""
    def bad(message: str) -> ScenarioError:
        return ScenarioError([Issue("--vary", message, value=text)], source=scenario.name)

    where, equals, span = text.partition("=")
    table, _, rest = where.partition(":")
    row_key, _, column = rest.rpartition(":")
    if not equals or ".." not in span or not row_key:
        raise bad("write TABLE:ROW-KEY:COLUMN=LOW..HIGH, e.g. supplies:north/labour:amount="
                  "150..250 or inputs:meat@*/fodder:amount=*0.9..*1.1")
    if table not in RANGED:
        raise bad(f"{table!r} has no value that can vary; one of {', '.join(RANGED)}")
    if column != RANGED[table]:
        raise bad(f"the column of {table} that can vary is {RANGED[table]!r}")
    frame = scenario.tables.get(table)
    keys = TABLES[table].key
    patterns = row_key.split("/")
    if len(patterns) != len(keys):
        raise bad(f"ROW-KEY of {table} is {'/'.join(keys)} ({len(keys)} parts)")
    hit = np.ones(0 if frame is None else len(frame), dtype=bool)
    for key, pattern in zip(keys, patterns, strict=True):
        values = frame[key].astype(str).to_numpy()
        hit &= np.array([fnmatch.fnmatchcase(v, pattern) for v in values], dtype=bool)
    rows = np.flatnonzero(hit)
    if not rows.size:
        raise bad(f"no row of {table} matches {row_key!r}")
    nominal = frame[column].to_numpy(dtype=np.float64)[rows]

    def bound(word: str) -> np.ndarray:
        word = word.strip()
        try:
            if word.startswith("*"):
                return nominal * float(word[1:])
            return np.full(len(rows), float(word))
        except ValueError:
            raise bad(f"{word!r} is not a number (or *FACTOR)") from None

    low_text, _, high_text = span.partition("..")
    low, high = bound(low_text), bound(high_text)
    if (low > high).any() or not (np.isfinite(low).all() and np.isfinite(high).all()):
        raise bad("LOW must be at most HIGH, both finite")
    if TABLES[table].column(column).kind.value == "amount" and (low < 0).any():
        raise bad(f"{column} cannot be negative")
    return Uncertain(where, table, column, rows, low, high, nominal)


def with_values(scenario: Scenario, inputs: list[Uncertain], u: np.ndarray) -> Scenario:
    """``scenario`` with each input set at its point ``u[k]`` of its range (no new
    validation: the values stay within ranges the scenario or --vary made valid)."""
    tables = dict(scenario.tables)
    for k, item in enumerate(inputs):
        frame = tables[item.table]
        values = frame[item.column].to_numpy(dtype=np.float64).copy()
        values[item.rows] = item.values(float(u[k]))
        tables[item.table] = frame.assign(**{item.column: values})
    return Scenario(name=scenario.name, tables=tables, description=scenario.description,
                    settings=scenario.settings, source=scenario.source,
                    horizon=scenario.horizon, _raw=scenario._raw)


@dataclass
class Asker:
    """Answers a question for one point u (k,) after another, warm-starting where it can."""

    scenario: Scenario
    inputs: list[Uncertain]
    question: Question
    targets: list[str] | None = None
    year: int | None = None
    let_go: list[str] = field(default_factory=list)
    _model: object = field(default=None, repr=False)
    _basis: object = field(default=None, repr=False)
    last: tuple | None = field(default=None, repr=False)
    """(LPData, row duals) of the last share solve (None when it failed)."""

    def labels(self) -> list[str]:
        """The answer's parts: 'value' (plan, share) or one per target item (earliest)."""
        return list(self.targets or []) if self.question is Question.EARLIEST else ["value"]

    def __call__(self, u: np.ndarray) -> np.ndarray:
        scenario = self._scenario_at(u)
        if self.question is Question.PLAN:
            from ..plan import make_plan

            plan = make_plan(scenario, solver="highs")
            return np.array([plan.objective_value if plan.status in ("optimal", "feasible")
                             else math.nan])
        if self.question is Question.SHARE:
            return np.array([self._share(scenario)])
        from .each import earliest_each

        answer = earliest_each(scenario, list(self.targets or []), solver="highs",
                               joint=False, from_year=self.year)
        never = scenario.horizon.last + 1
        return np.array([never if r.year is None else r.year
                         for r in answer.answers.values()], dtype=np.float64)

    def program(self, u: np.ndarray) -> tuple[object, float, object] | None:
        """The LP the question solves at point ``u`` (k,): its LPData, the sign that turns
        its minimised objective into the answer, and the LinearProgram that names its
        blocks; None for the earliest question and for objectives not planned by one LP
        (balance, harmony)."""
        scenario = self._scenario_at(u)
        if self.question is Question.SHARE:
            lp, _, program = self._share_lp(scenario)
            return lp, -1.0, program
        if self.question is Question.PLAN:
            from ..plan.assemble import formulate
            from ..scenario.objectives import Objective

            goal = Objective.parse(scenario.default_objective)
            if not goal.rule.by_lp:
                return None
            program = formulate(scenario, goal)
            return (None if program.tangents is not None
                    else (program.data, float(program.sense), program))
        return None

    def _scenario_at(self, u: np.ndarray) -> Scenario:
        scenario = with_values(self.scenario, self.inputs, u)
        if self.let_go:
            from .each import without_targets

            scenario = without_targets(scenario, self.let_go)
        return scenario

    def _share_lp(self, scenario: Scenario) -> tuple[object, int, object]:
        """The LP of λ_year of the chosen targets (minimise −λ_year), λ_year's column, and
        the LinearProgram it was made from."""
        from ..formulation import Levels, Mode
        from ..formulation.years import build_years
        from .earliest import chosen_targets

        probe = build_years(scenario, None)
        chosen = chosen_targets(scenario, probe.layout.targets.keys, self.targets)
        program = build_years(scenario, None, horizon=probe.horizon.truncated(self.year),
                              mode=Mode(Levels.YEARLY, scaled=chosen))
        lam = program.col_blocks["fulfilment"]
        data = program.data
        upper = data.col_upper.copy()
        upper[lam.slice] = 1.0
        cost = np.zeros(data.num_cols)
        cost[lam.stop - 1] = -1.0
        return replace(data, c=cost, col_upper=upper, offset=0.0), lam.stop - 1, program

    def _share(self, scenario: Scenario) -> float:
        """λ_year of the chosen targets: one HiGHS model, the last basis reused."""
        from ..solvers.highs import HighsSolver, highspy, run_highs

        lp, column, _ = self._share_lp(scenario)
        if self._model is None:
            from ..solvers import SolverOptions

            self._model = HighsSolver._configured(SolverOptions(method="simplex"))
        highs = self._model
        highs.passModel(HighsSolver._model(lp))
        if self._basis is not None:
            highs.setBasis(self._basis)
        run_highs(highs)
        self.last = None
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            self._basis = None
            return math.nan
        self._basis = highs.getBasis()
        solution = highs.getSolution()
        self.last = (lp, np.asarray(solution.row_dual, dtype=np.float64))
        return float(solution.col_value[column])


def _answer_chunk(asker: Asker, points: np.ndarray) -> np.ndarray:
    """(n, A) answers of ``points`` (n, k), in order, by one asker (one process)."""
    return np.vstack([asker(u) for u in points]) if len(points) else np.zeros((0, 1))


@dataclass
class Sensitivity:
    """nominal : (A,) the answer at the nominal figures. samples : (n, k) points u;
    answers : (n, A). tornado : {input: (answer at low (A,), at high (A,))}. sobol : {input:
    (A,) first-order index} (empty when not asked)."""

    labels: list[str]
    inputs: list[Uncertain]
    question: Question
    nominal: np.ndarray
    samples: np.ndarray
    answers: np.ndarray
    tornado: dict[str, tuple[np.ndarray, np.ndarray]]
    sobol: dict[str, np.ndarray]
    seconds: float
    solves: int
    exact: str = ""
    """How the samples were answered exactly without solving (by_ranging, linear_by_prices),
    or ""."""
    method: Method = Method.SAMPLES
    """How the answers over the range were found."""
    ranging: dict = field(default_factory=dict)
    """What HiGHS's ranging found (RangingLine.record), or {'not_used': why not}."""

    def range_table(self) -> pd.DataFrame:
        """One row per answer part: answer, nominal, low, high (over samples and tornado),
        samples, method (how the answers were found: :class:`Method`)."""
        every = np.vstack([self.answers, self.nominal[None, :],
                           *[np.vstack(v) for v in self.tornado.values()]])
        return pd.DataFrame({"answer": self.labels, "nominal": self.nominal,
                             "low": np.nanmin(every, axis=0), "high": np.nanmax(every, axis=0),
                             "samples": len(self.answers), "method": self.method.value})

    def frequency_table(self, digits: int = 3) -> pd.DataFrame:
        """How often each (rounded) answer occurs over the samples: answer, value, count,
        share."""
        rows = []
        for a, label in enumerate(self.labels):
            values = pd.Series(np.round(self.answers[:, a], digits))
            counts = values.value_counts(dropna=False).sort_index()
            rows += [(label, v, int(c), c / len(values)) for v, c in counts.items()]
        return pd.DataFrame(rows, columns=["answer", "value", "count", "share"])

    def tornado_table(self) -> pd.DataFrame:
        """One row per input and answer part: input, range, answer, at_low, at_high, swing
        (|at_high - at_low|), sobol_first_order (blank unless asked); largest swing first."""
        rows = []
        for item in self.inputs:
            low, high = self.tornado[item.name]
            for a, label in enumerate(self.labels):
                first = self.sobol.get(item.name)
                rows.append((item.name, item.describe(), label, low[a], high[a],
                             abs(high[a] - low[a]), math.nan if first is None else first[a]))
        table = pd.DataFrame(rows, columns=["input", "range", "answer", "at_low", "at_high",
                                            "swing", "sobol_first_order"])
        return table.sort_values(["answer", "swing"], ascending=[True, False],
                                 ignore_index=True)

    def samples_table(self) -> pd.DataFrame:
        """Every sample: u of each input (0 low .. 1 high), then each answer part."""
        table = pd.DataFrame(self.samples, columns=[i.name for i in self.inputs])
        for a, label in enumerate(self.labels):
            table[f"answer:{label}"] = self.answers[:, a]
        return table


def _run(asker: Asker, points: np.ndarray, workers: int) -> np.ndarray:
    """Answers of ``points`` (n, k), split into ``workers`` contiguous chunks (each process
    warm-starts along its chunk)."""
    if workers <= 1 or len(points) < 2 * workers:
        return _answer_chunk(asker, points)
    chunks = np.array_split(points, workers)
    fresh = replace(asker, _model=None, _basis=None, last=None)  # no HiGHS model travels
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_answer_chunk, [fresh] * len(chunks), chunks))
    return np.vstack(parts)


def sensitivity(scenario: Scenario, inputs: list[Uncertain], question: Question,
                targets: list[str] | None = None, year: int | None = None, samples: int = 32,
                sobol: bool = False, seed: int = 0, workers: int = 1,
                progress: Callable[[str], None] | None = None,
                let_go: list[str] | None = None) -> Sensitivity:
    """The answer to ``question`` at the nominal figures, over ``samples`` Latin-hypercube
    points of the ``inputs``' ranges, at each input's two ends (tornado), and (``sobol``)
    first-order Sobol indices from ``samples`` (k + 2) Saltelli points. ``let_go``: targets
    ('product' or 'region:product') set to 0 before every question (not asked for)."""
    from scipy.stats import qmc

    started = time.perf_counter()
    say = progress or (lambda _line: None)
    if not inputs:
        raise ScenarioError([Issue("--vary", "nothing is uncertain: give --vary, or low and "
                                   "high columns in the scenario's tables")],
                            source=scenario.name)
    if question is Question.SHARE and year is None:
        raise ScenarioError([Issue("--year", "the share question needs the year it asks "
                                   "about")], source=scenario.name)
    if question is Question.EARLIEST and not targets:
        raise ScenarioError([Issue("--targets", "the earliest question needs the target "
                                   "products it asks about")], source=scenario.name)
    asker = Asker(scenario, inputs, question, targets, year, list(let_go or []))
    k = len(inputs)
    nominal_u = np.array([_nominal_point(i) for i in inputs])
    nominal = asker(nominal_u)
    say(f"nominal: {_show(asker.labels(), nominal)}")
    ends = np.repeat(nominal_u[None, :], 2 * k, axis=0)
    ends[np.arange(k) * 2, np.arange(k)] = 0.0
    ends[np.arange(k) * 2 + 1, np.arange(k)] = 1.0
    ranging, why_not, ranging_solves = by_ranging(asker, nominal_u, float(nominal[0]))
    line = None
    if ranging is not None:
        method, exact = Method.RANGING, ranging.describe()
        say(f"exact: {exact}")
        at_ends = ranging(ends)
        run = ranging
    else:
        say(f"ranging not used: {why_not}")
        at_ends = _answer_chunk(asker, ends)
        say(f"tornado: {2 * k} solves")
        line = linear_by_prices(asker)
        method, exact = Method.SAMPLES, ""
        if line is not None:
            method = Method.PRICES
            exact = (f"linear in u over the whole range ({line[0]:.6g} + {line[1]:.6g} u), "
                     "proven by the LP's prices at both ends: samples answered without a "
                     "solve")
            say(f"exact: {exact}")

            def run(points: np.ndarray) -> np.ndarray:
                return (line[0] + line[1] * points[:, :1]).reshape(-1, 1)
        else:
            def run(points: np.ndarray) -> np.ndarray:
                return _run(asker, points, workers)
    tornado = {item.name: (at_ends[2 * j], at_ends[2 * j + 1]) for j, item in enumerate(inputs)}
    points = qmc.LatinHypercube(d=k, seed=seed).random(samples)
    answers = run(points)
    say(f"Latin hypercube: {samples} samples")
    first: dict[str, np.ndarray] = {}
    exact_line = method is not Method.SAMPLES
    solves = 1 + ranging_solves + (0 if ranging is not None else
                                   2 * k + (2 if line is not None else samples))
    if sobol:
        power = max(0, math.ceil(math.log2(samples)))  # Sobol points balance in 2^m
        base = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random_base2(power)
        a, b = base[:, :k], base[:, k:]
        mixed = [np.where(np.arange(k)[None, :] == j, b, a) for j in range(k)]
        f = run(np.vstack([a, b, *mixed]))
        n = len(a)
        fa, fb = f[:n], f[n:2 * n]
        for j, item in enumerate(inputs):
            first[item.name] = _first_order(fb, f[(2 + j) * n:(3 + j) * n])
        solves += 0 if exact_line else n * (k + 2)
        say(f"Sobol (Saltelli): {n * (k + 2)} points")
        answers = np.vstack([answers, fa, fb])
        points = np.vstack([points, a, b])
    return Sensitivity(asker.labels(), inputs, question, nominal, points, answers, tornado,
                       first, time.perf_counter() - started, solves, exact, method,
                       ranging.record() if ranging is not None else {"not_used": why_not})


@dataclass(frozen=True)
class RangingLine:
    """The answer as a line in u, read from HiGHS's ranging of the one LP number the input
    moves: answer(u) = sign × (objective + slope × (e(u) − at)), e(u) = before + u (after −
    before) the number's value at u, valid because [before, after] lies in the interval
    where the nominal LP's optimal basis stays optimal."""

    ranged: object  # solvers.ranging.Ranged
    sign: float
    solves: int
    """Solves it took beyond the nominal answer (1 for plan: a simplex model to range)."""
    block: str = ""
    """Which block of the LP the number lies in ('a factor row'), or ''."""

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """(n, 1) answers at points (n, 1)."""
        change = self.ranged.change
        value = change.before + points[:, :1] * (change.after - change.before)
        return self.sign * self.ranged.objective_at(value)

    def describe(self) -> str:
        change, ranged = self.ranged.change, self.ranged
        low, high = ranged.interval
        slope = self.sign * ranged.slope * (change.after - change.before)
        where = f"{change.describe()}, {self.block}" if self.block else change.describe()
        how = ("by HiGHS's ranging" if ranged.how == "HiGHS ranging" else
               "by the nominal solution (the bound that moves is not active there)")
        start = self(np.zeros((1, 1)))[0, 0] + 0.0
        return (f"{how}: the input moves one number of the LP ({where}, "
                f"{change.before:.6g} at the low end, {change.after:.6g} at the high end); the "
                f"nominal LP's optimal basis stays optimal for it over [{low:.6g}, {high:.6g}], "
                f"so the answer is linear over the whole range, {start:.6g} + {slope + 0.0:.6g} "
                "u: no sample solved")

    def record(self) -> dict:
        """For sensitivity.json: what was ranged and where its basis stays optimal (an
        infinite end of the interval as null)."""
        change, ranged = self.ranged.change, self.ranged
        return {"number": change.describe(), "block": self.block, "low_end": change.before,
                "high_end": change.after, "nominal": ranged.at,
                "interval": [v if math.isfinite(v) else None for v in ranged.interval],
                "how": ranged.how,
                "slope_per_unit": self.sign * ranged.slope}


def by_ranging(asker: Asker, nominal_u: np.ndarray, nominal: float
               ) -> tuple[RangingLine | None, str, int]:
    """(the answer as a line in u, "", solves spent) when the one uncertain input moves a
    single number of the question's LP (one row bound, one column bound or one cost: e.g. a
    supply of a one-year scenario, or of the first year asked about) and the whole range lies
    where the nominal LP's optimal basis stays optimal (HiGHS's ranging,
    :mod:`~sovnarkhoz.solvers.ranging`); else (None, why not, solves spent).

    The LPs at u = 0, 1 and the nominal point (and u = 1/2 when the nominal point is an end)
    are built, not solved: the number must be linear in u. The ranged LP's optimal objective
    must equal the nominal answer (1e-6 relative), or the line is not used. The plan question
    solves the nominal LP once more by simplex (its plan was solved by make_plan, which
    keeps no model); the share question ranges its own warm model."""
    from ..solvers.ranging import range_change, ranging_model, single_change

    if len(asker.inputs) != 1:
        return None, "ranging needs one uncertain input", 0
    if asker.question is Question.EARLIEST or math.isnan(nominal):
        return None, "ranging answers the plan and share questions at a solved optimum", 0
    built = [asker.program(np.array([u])) for u in (0.0, 1.0)]
    if any(b is None for b in built):
        return None, "the objective is not planned by one LP", 0
    (low_lp, sign, program), (high_lp, _, _) = built
    change = single_change(low_lp, high_lp)
    if change is None:
        return None, ("the input moves more than one number of the LP (several rows, e.g. "
                      "every year's supply, or matrix coefficients)"), 0
    u0 = float(nominal_u[0])
    nominal_lp = None
    for u in [u0] + ([0.5] if min(u0, 1 - u0) < 1e-9 else []):
        lp = asker.program(np.array([u]))[0]
        probe = single_change(low_lp, lp)
        value = change.before if probe is None else probe.after
        expected = change.before + u * (change.after - change.before)
        if (probe is not None and (probe.entry, probe.index, probe.sides)
                != (change.entry, change.index, change.sides)) or (
                abs(value - expected) > 1e-9 * (1 + abs(expected))):
            return None, f"the LP's {change.describe()} is not linear in the input", 0
        nominal_lp = lp if nominal_lp is None else nominal_lp
    solves = 0
    if asker.question is Question.SHARE and asker.last is not None:
        highs, factor = asker._model, 1.0  # holds the nominal LP, solved
    else:
        made = ranging_model(nominal_lp)
        solves = 1
        if made is None:
            return None, "the nominal LP was not solved to optimality for ranging", solves
        highs, factor = made
    ranged = range_change(highs, nominal_lp, change, factor)
    if ranged is None:
        return None, "HiGHS gave no ranging (no valid basis)", solves
    if abs(sign * ranged.objective - nominal) > 1e-6 * (1 + abs(nominal)):
        return None, "the ranged LP's optimum differs from the nominal answer", solves
    low, high = sorted((change.before, change.after))
    if not ranged.covers(low, high):
        return None, (f"the range of the LP's {change.describe()}, [{low:.6g}, {high:.6g}], "
                      f"leaves the interval where the nominal basis stays optimal, "
                      f"[{ranged.interval[0]:.6g}, {ranged.interval[1]:.6g}]"), solves
    return RangingLine(ranged, sign, solves, _block_of(program, change)), "", solves


def _block_of(program: object, change: object) -> str:
    """Which block of the LinearProgram ``program`` the changed number lies in: 'a factor
    row', 'an activity column' ('' when none holds it)."""
    from ..solvers.ranging import Entry

    blocks = program.row_blocks if change.entry is Entry.ROW_BOUND else program.col_blocks
    kind = "row" if change.entry is Entry.ROW_BOUND else "column"
    for block in blocks.values():
        if block.start <= change.index < block.stop:
            return f"a {block.name} {kind}"
    return ""


def linear_by_prices(asker: Asker) -> tuple[float, float] | None:
    """(answer at u = 0, its slope in u) when the share question's answer is linear in its one
    uncertain input over the whole range, proven by the LP's own prices; else None.

    Only supplies (row bounds) may differ between the LPs at u = 0 and u = 1 (the matrix,
    costs and column bounds equal). λ is then concave and piecewise linear in u (a parametric
    right-hand side), so it is linear on [0, 1] exactly when the slopes its prices give at
    both ends (Σ dual × change of the row's bound, HiGHS's duals) equal the chord."""
    if asker.question is not Question.SHARE or len(asker.inputs) != 1:
        return None
    ends = []
    for u in (0.0, 1.0):
        value = asker(np.array([u]))[0]
        if asker.last is None or math.isnan(value):
            return None
        ends.append((value, *asker.last))
    (v0, lp0, y0), (v1, lp1, y1) = ends
    same = (lp0.A.shape == lp1.A.shape and np.array_equal(lp0.A.indices, lp1.A.indices)
            and np.array_equal(lp0.A.indptr, lp1.A.indptr)
            and np.array_equal(lp0.A.data, lp1.A.data) and np.array_equal(lp0.c, lp1.c)
            and np.array_equal(lp0.col_lower, lp1.col_lower)
            and np.array_equal(lp0.col_upper, lp1.col_upper))
    if not same:
        return None
    with np.errstate(invalid="ignore"):
        d_upper = np.where(np.isfinite(lp0.row_upper), lp1.row_upper - lp0.row_upper, 0.0)
        d_lower = np.where(np.isfinite(lp0.row_lower), lp1.row_lower - lp0.row_lower, 0.0)
    change = np.where(d_upper != 0, d_upper, d_lower)
    chord = v1 - v0
    slopes = [-float(y @ change) for y in (y0, y1)]  # the LP minimises -λ
    tolerance = 1e-9 * (1 + abs(v0) + abs(v1))
    if all(abs(slope - chord) <= tolerance for slope in slopes):
        return v0, chord
    return None


def _first_order(fb: np.ndarray, fab: np.ndarray) -> np.ndarray:
    """(A,) first-order Sobol index of input i from f(B) and f(A_B^i) ((n, A) each: A with
    column i taken from B, so the pair shares only input i): Janon et al.'s (2014)
    estimator, the correlation of the two (exactly 1 when the input alone moves the answer,
    NaN when the answer does not move)."""
    mean = np.mean((fb + fab) / 2, axis=0)
    covariance = np.mean(fb * fab, axis=0) - mean**2
    variance = np.mean((fb**2 + fab**2) / 2, axis=0) - mean**2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(variance > 1e-15 * (1 + mean**2), covariance / variance, np.nan)


def _nominal_point(item: Uncertain) -> float:
    """Where the nominal values lie in the range (0 low .. 1 high), as one number: their
    mean position (rows of one input are built to share it)."""
    span = item.high - item.low
    where = np.where(span > 0, (item.nominal - item.low) / np.where(span > 0, span, 1), 0.5)
    return float(np.clip(np.mean(where), 0.0, 1.0))


def _show(labels: list[str], values: np.ndarray) -> str:
    return ", ".join(f"{label} {value:.6g}" for label, value in zip(labels, values, strict=True))
