"""The earliest year for each target product on its own, beside all of them together.

``earliest(scenario, ["meat", "milk", "butter"])`` asks for one common level: the first year
all three can be met in full. One at a time the answers differ (one product may be met years
before another, or never). :func:`earliest_each` runs the same search once per item with
only that item's targets chosen and the other *named* items' targets let go (their amounts
set to 0: "this product alone"); targets of products not named are held in full every year,
as in :func:`~.earliest.earliest`. Then, with more than one item, the joint search.

:func:`each_table` lays the answers out as one long table (``targets``, ``year``, ``best``)
and :func:`each_summary` as one row per item (``targets``, ``earliest``, ``best_share``,
``best_year``, ``last_year_tried``, ``solves``, ``seconds``); docs/model.md documents both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario.model import Scenario
from ..solvers import SolverOptions
from ..solvers.reach import Reach
from .earliest import Earliest, earliest

__all__ = ["EachAnswer", "each_summary", "each_table", "earliest_each", "without_targets"]

JOINT_SEPARATOR = "+"
"""How the joint answer's row names its items (``meat+milk+butter``)."""


@dataclass
class EachAnswer:
    """``answers``: {label: Earliest}, one per item alone (label: the item) and, when more
    than one item was asked, the joint one (label: the items joined by ``+``), in that
    order."""

    answers: dict[str, Earliest]

    def as_dict(self) -> dict[str, object]:
        return {label: _jsonable(answer.as_dict()) for label, answer in self.answers.items()}


def without_targets(scenario: Scenario, items: list[str]) -> Scenario:
    """``scenario`` with the targets of ``items`` ('product' or 'region:product') set to 0:
    those targets are let go, every other target stays as it was."""
    targets = scenario.tables["targets"]
    hit = np.zeros(len(targets), dtype=bool)
    for item in items:
        region, _, product = item.rpartition(":")
        mask = targets["product"].astype(str).to_numpy() == product
        if region:
            mask &= targets["region"].astype(str).to_numpy() == region
        hit |= mask
    amounts = targets["amount"].to_numpy(dtype=np.float64).copy()
    amounts[hit] = 0.0
    tables = dict(scenario.tables)
    tables["targets"] = targets.assign(amount=amounts)
    return Scenario(name=scenario.name, tables=tables, description=scenario.description,
                    settings=scenario.settings, source=scenario.source,
                    horizon=scenario.horizon, _raw=scenario._raw)


def earliest_each(scenario: Scenario, items: list[str], options: SolverOptions | None = None,
                  solver: str = "auto", joint: bool = True,
                  progress: Callable[[str, int, Reach], None] | None = None,
                  from_year: int | None = None) -> EachAnswer:
    """The earliest year of every item of ``items`` alone (the other items' targets let go),
    then (``joint`` and more than one item) of all of them at one common level; ``from_year``
    as for :func:`~.earliest.earliest`."""
    answers: dict[str, Earliest] = {}
    for item in items:
        others = [other for other in items if other != item]
        alone = without_targets(scenario, others) if others else scenario
        said = None if progress is None else (
            lambda year, level, label=item: progress(label, year, level))
        answers[item] = earliest(alone, [item], options, solver, progress=said,
                                 from_year=from_year)
        if answers[item].stopped:
            return EachAnswer(answers)
    if joint and len(items) > 1:
        label = JOINT_SEPARATOR.join(items)
        said = None if progress is None else (
            lambda year, level: progress(label, year, level))
        answers[label] = earliest(scenario, items, options, solver, progress=said,
                                  from_year=from_year)
    return EachAnswer(answers)


def each_table(answer: EachAnswer) -> pd.DataFrame:
    """One row per item and year tried: ``targets`` (the item, or the items joined by +),
    ``year``, ``best`` (the highest share of the item's targets of that year a plan can meet,
    0..1; blank when the targets held in full conflict)."""
    rows = [(label, year, None if math.isnan(best) else best)
            for label, result in answer.answers.items() for year, best in result.best.items()]
    return pd.DataFrame(rows, columns=["targets", "year", "best"]).astype(
        {"year": "int64", "best": "float64"})


def each_summary(answer: EachAnswer) -> pd.DataFrame:
    """One row per item: ``targets``, ``earliest`` (the first year met in full; blank: not
    within the horizon), ``best_share`` and ``best_year`` (the highest share reached and the
    first year it was reached), ``last_year_tried``, ``solves``, ``seconds``."""
    rows = []
    for label, result in answer.answers.items():
        best = {y: v for y, v in result.best.items() if not math.isnan(v)}
        top = max(best.values(), default=math.nan)
        top_year = min((y for y, v in best.items() if v >= top - 1e-12), default=None)
        rows.append({"targets": label, "earliest": result.year, "best_share": top,
                     "best_year": top_year, "last_year_tried": max(result.best, default=None),
                     "solves": result.solves, "seconds": round(result.seconds, 3)})
    frame = pd.DataFrame(rows)
    for column in ("earliest", "best_year", "last_year_tried"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _jsonable(content: dict[str, object]) -> dict[str, object]:
    best = content.get("best")
    if isinstance(best, dict):
        content["best"] = {k: (None if isinstance(v, float) and math.isnan(v) else v)
                           for k, v in best.items()}
    return content
