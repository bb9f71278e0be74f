"""The plan: one object with a status, a message, the tables and the verification."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..output import staged_folder
from ..scenario.files import write_frame
from .verify import Verification

CONTRACT_TABLES = ("activities", "deliveries", "fulfilment", "factors", "prices")
EXTRA_TABLES = ("links", "bottlenecks", "investment", "stocks", "priorities")


@dataclass
class Plan:
    """A planning answer.

    status : optimal, infeasible, unbounded, time_limit or error (see ../shared/DESIGN.md).
    fulfilment : λ, the share of every target met (max-fulfilment), or the lowest share met.
    objective_value : the objective's own value (λ; the factor's total use; for balance the
        total gross output).
    tables : activities, deliveries, fulfilment, factors, prices (the contract's tables),
        links and bottlenecks. Empty when no plan was found.
    verification : the plan recomputed from the scenario tables; None when there is no plan.
    seconds : wall time from the scenario in memory to the verified plan; ``timings`` splits it.
    """

    scenario: str
    objective: str
    status: str
    message: str
    solver: str
    solver_choice: str = ""
    fulfilment: float | None = None
    objective_value: float | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    verification: Verification | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    solution: Any = field(default=None, repr=False)  # the solver's SolverResult, for warm starts

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @property
    def found(self) -> bool:
        """A plan exists (optimal, or the best point a solver kept)."""
        return bool(self.tables)

    @property
    def exit_code(self) -> int:
        """0 when a plan was found (optimal), 1 otherwise (../shared/DESIGN.md)."""
        return 0 if self.status == "optimal" else 1

    def summary(self) -> dict[str, Any]:
        """The contents of summary.json: the contract's fields first, then extras."""
        v = self.verification
        out: dict[str, Any] = {
            "status": self.status,
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
