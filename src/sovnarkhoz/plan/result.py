"""The plan: one object with a status, a message, the tables and the verification."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..output import staged_folder
from ..scenario.files import write_frame
from ..scenario.horizon import Horizon
from ..solvers.result import Status
from .verify import Verification

CONTRACT_TABLES = ("activities", "deliveries", "fulfilment", "factors", "prices")
EXTRA_TABLES = ("links", "bottlenecks", "investment", "stocks", "priorities")


@dataclass
class LPSize:
    """The central LP's shape: rows, columns and nonzeros."""

    rows: int
    columns: int
    nonzeros: int


@dataclass
class SolveReport:
    """What the central solve reports (summary.json's size, iterations, primal_objective,
    dual_objective and solver_details).

    primal_objective : the solver's objective in the objective's own sense (NaN: no point).
    dual_objective : the bound of the plan's prices when they are dual feasible (None: no
        bound they support).
    solver_details : the backend's own numbers (HiGHS's iteration counts, pdlp's KKT
        residuals), as it reports them.
    """

    size: LPSize
    iterations: int
    primal_objective: float
    dual_objective: float | None = None
    solver_details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Traffic:
    """What the councils exchanged: messages and bytes, and the bytes of handing the whole
    LP to a centre instead."""

    messages: int
    bytes: int
    central_bytes: int


@dataclass
class CouncilRun:
    """What a plan by councils reports (summary.json's organisation ... history, behaviour).

    dual_objective : the last round's dual bound, in the objective's units (None: no round).
    history : one record per round (mismatch, objective, gap, ...), as the protocol keeps it.
    behaviour : localism, hidden reserves and departmentalism, and what they cost against
        the cooperative optimum (None: the councils cooperated).
    """

    organisation: str
    protocol: str
    engine: str
    councils: list[str]
    rounds: int
    traffic: Traffic
    dual_objective: float | None
    history: list[dict[str, Any]]
    behaviour: dict[str, Any] | None = None


@dataclass
class Plan:
    """A planning answer.

    status : optimal, feasible, infeasible, unbounded, time_limit or error (a
        :class:`~sovnarkhoz.solvers.Status`, a ``str``: see ../shared/DESIGN.md).
    fulfilment : λ, the share of every target met (max-fulfilment), or the lowest share met.
    objective_value : the objective's own value (λ; the factor's total use; for balance the
        total gross output).
    tables : activities, deliveries, fulfilment, factors, prices (the contract's tables),
        links and bottlenecks (investment, stocks, priorities where they apply); each but
        fulfilment is also a property (``plan.activities``; ``plan.fulfilment`` is λ, the
        table is :attr:`fulfilment_table`). Empty when no plan was found.
    verification : the plan recomputed from the scenario tables; None when there is no plan.
    seconds : wall time from the scenario in memory to the verified plan; ``timings`` splits it.
    solve : what the central LP solve reports (None: balance, councils, priorities).
    council_run : what a plan by councils reports (None: a central plan).
    horizon : the years planned (None: a one-year plan).
    yearly_fulfilment : {year: λ} over a horizon (max-fulfilment, max-total-fulfilment).
    explanation : why an infeasible plan's targets cannot be met (sentences, members).
    warnings : tables the scenario gives that this objective does not read.
    residual : balance: the largest entry of |(I - A) x - y|.
    priority_levels : {priority: λ_q} of a plan at priority levels (frontier, decide).
    ``details`` gives these as summary.json writes them.
    """

    scenario: str
    objective: str
    status: Status
    message: str
    solver: str
    solver_choice: str = ""
    fulfilment: float | None = None
    objective_value: float | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    verification: Verification | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    solve: SolveReport | None = None
    council_run: CouncilRun | None = None
    horizon: Horizon | None = None
    yearly_fulfilment: dict[str, float] | None = None
    explanation: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    residual: float | None = None
    priority_levels: dict[str, float] | None = None
    solution: Any = field(default=None, repr=False)  # the solver's SolverResult, for warm starts

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def details(self) -> dict[str, Any]:
        """The typed fields as summary.json writes them after its own fields, each present
        only where it applies (a new dict: set the fields, not its entries)."""
        out: dict[str, Any] = {}
        if self.priority_levels is not None:
            out["priorities"] = self.priority_levels
        if self.residual is not None:
            out["residual"] = self.residual
        run = self.council_run
        if run is not None:
            out.update(organisation=run.organisation, protocol=run.protocol, engine=run.engine,
                       councils=run.councils, rounds=run.rounds, traffic=asdict(run.traffic),
                       dual_objective=run.dual_objective, history=run.history)
        if self.solve is not None:
            out["size"] = asdict(self.solve.size)
        if self.horizon is not None:
            out["horizon"] = {"first": self.horizon.first, "last": self.horizon.last,
                              "lag": self.horizon.lag}
        if self.solve is not None:
            out.update(iterations=self.solve.iterations,
                       primal_objective=self.solve.primal_objective,
                       dual_objective=self.solve.dual_objective,
                       solver_details=self.solve.solver_details)
        if self.yearly_fulfilment is not None:
            out["yearly_fulfilment"] = self.yearly_fulfilment
        if self.explanation is not None:
            out["explanation"] = self.explanation
        if run is not None and run.behaviour is not None:
            out["behaviour"] = run.behaviour
        if self.warnings:
            out["warnings"] = self.warnings
        return out

    @property
    def dual_bound(self) -> float | None:
        """The bound on the objective the solve (or the councils' last round) reports, in
        the objective's units; None when there is none."""
        if self.solve is not None:
            return self.solve.dual_objective
        return None if self.council_run is None else self.council_run.dual_objective

    def _table(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise AttributeError(f"this plan has no {name} table") from None

    @property
    def activities(self) -> pd.DataFrame:
        return self._table("activities")

    @property
    def deliveries(self) -> pd.DataFrame:
        return self._table("deliveries")

    @property
    def fulfilment_table(self) -> pd.DataFrame:
        """The fulfilment table (``plan.fulfilment`` is λ)."""
        return self._table("fulfilment")

    @property
    def factors(self) -> pd.DataFrame:
        return self._table("factors")

    @property
    def prices(self) -> pd.DataFrame:
        return self._table("prices")

    @property
    def links(self) -> pd.DataFrame:
        return self._table("links")

    @property
    def bottlenecks(self) -> pd.DataFrame:
        return self._table("bottlenecks")

    @property
    def investment(self) -> pd.DataFrame:
        return self._table("investment")

    @property
    def stocks(self) -> pd.DataFrame:
        return self._table("stocks")

    @property
    def priorities(self) -> pd.DataFrame:
        """The priorities table (the levels are :attr:`priority_levels`)."""
        return self._table("priorities")

    @property
    def found(self) -> bool:
        """A plan exists (optimal, or the best point a solver kept)."""
        return bool(self.tables)

    @property
    def exit_code(self) -> int:
        """0 when a plan was found (optimal), 1 otherwise (../shared/DESIGN.md)."""
        return 0 if self.status is Status.OPTIMAL else 1

    def to_pymrio(self, scenario: Any, year: int | None = None) -> Any:
        """The planned economy as a pymrio IOSystem (Z, Y, x, the factors as the extension
        ``factors``) of ``scenario``, the scenario planned (over a horizon, of ``year``);
        see :mod:`~sovnarkhoz.plan.iosystem`. Needs pymrio (the ``io`` extra)."""
        from .iosystem import to_pymrio

        return to_pymrio(self, scenario, year)

    def summary(self) -> dict[str, Any]:
        """The contents of summary.json: the contract's fields first, then extras."""
        v = self.verification
        out: dict[str, Any] = {
            "status": self.status.value,
            "objective": self.objective,
            "fulfilment": _number(self.fulfilment),
            "objective_value": _number(self.objective_value),
            "solver": self.solver,
            "seconds": round(self.seconds, 6),
            "max_violation": None if v is None else _number(v.max_violation),
            "message": self.message,
            "scenario": self.scenario,
            "solver_choice": self.solver_choice,
            "verification": None if v is None else v.as_dict(),
            "timings": {k: round(t, 6) for k, t in self.timings.items()},
        }
        if "bottlenecks" in self.tables:
            out["bottlenecks"] = self.tables["bottlenecks"].head(10).to_dict(orient="records")
        out.update(self.details)
        return out

    def write(self, directory: str | Path, fmt: str = "csv", *, force: bool = False,
              command: str = "plan") -> list[Path]:
        """Write summary.json and the plan's tables (``fmt`` csv or parquet) to ``directory``.

        The folder is written whole or not at all and replaces an earlier output whole; a
        scenario directory or a folder of someone else's files is refused
        (:class:`~sovnarkhoz.output.OutputError`) unless ``force`` (see
        :mod:`sovnarkhoz.output`). Returns the files written, where they now lie.
        """
        directory = Path(directory)
        with staged_folder(directory, command, force=force) as staging:
            written = self.write_files(staging, fmt)
        return [directory / path.relative_to(staging) for path in written]

    def write_files(self, directory: str | Path, fmt: str = "csv") -> list[Path]:
        """Write summary.json and the tables into ``directory`` as it is, creating it if
        needed: for a folder being staged (:func:`sovnarkhoz.output.staged_folder`)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name in CONTRACT_TABLES + EXTRA_TABLES:
            if name in self.tables:
                written.append(write_frame(self.tables[name], directory / name, fmt))
        summary = directory / "summary.json"
        summary.write_text(json.dumps(_jsonable(self.summary()), indent=2, allow_nan=False) + "\n",
                           encoding="utf-8")
        return [summary, *written]


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value) + 0.0  # no negative zero in the summary


def _jsonable(value: Any) -> Any:
    """Replace NaN and infinities (not JSON) by null, recursively; numpy scalars by Python's."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
