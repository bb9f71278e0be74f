"""The years a multi-year scenario plans, and the tables that hold year by year.

``[horizon]`` in scenario.toml gives ``first`` and ``last`` (calendar years, inclusive) and
``lag``, the years between setting output aside as new capital stock and that stock being
ready (default 1). A scenario without ``[horizon]`` is a single-year one.

Rows of supplies.csv and targets.csv without a year hold every year; a row with a year holds
that year only and replaces, for that year, a row of the same region and factor (product)
without a year. Supplies given without a year grow by growth.csv's yearly rate:
``amount · (1 + rate)^(year - first)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import Issue, IssueList
from .files import RawTable
from .parse import report_rows
from .schema import HORIZON_TABLES, YEARLY_TABLES

MAX_YEARS = 500
"""The longest horizon accepted (a guard against a typo such as last = 19600)."""


@dataclass(frozen=True)
class Horizon:
    """Years ``first`` .. ``last`` inclusive; new stock is ready ``lag`` years after it is
    set aside."""

    first: int
    last: int
    lag: int = 1

    @property
    def years(self) -> np.ndarray:
        """(Y,) int64 calendar years."""
        return np.arange(self.first, self.last + 1, dtype=np.int64)

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def truncated(self, last: int) -> Horizon:
        return Horizon(self.first, last, self.lag)


def read_horizon(settings: dict[str, Any], file: str) -> tuple[Horizon | None, list[Issue]]:
    """The [horizon] section as a :class:`Horizon` (None when absent), with its problems."""
    section = settings.get("horizon")
    if section is None:
        return None, []
    if not isinstance(section, dict):
        return None, [Issue(file, f"[horizon] must be a table (a [horizon] section), "
                           f"not {section!r}")]
    issues: list[Issue] = []
    values: dict[str, int] = {}
    for key, default in (("first", None), ("last", None), ("lag", 1)):
        value = section.get(key, default)
        if value is None:
            issues.append(Issue(file, f"[horizon] needs {key} (a year, e.g. {key} = 1960)",
                                column=key))
        elif isinstance(value, bool) or not isinstance(value, int):
            issues.append(Issue(file, f"[horizon] {key} must be a whole number", column=key,
                                value=str(value)))
        else:
            values[key] = value
    unknown = sorted(set(section) - {"first", "last", "lag"})
    for key in unknown:
        issues.append(Issue(file, "[horizon] takes first, last and lag only", column=key,
                            value=str(section[key])))
    if issues:
        return None, issues
    first, last, lag = values["first"], values["last"], values["lag"]
    if last < first:
        issues.append(Issue(file, f"[horizon] last ({last}) comes before first ({first})",
                            column="last", value=str(last)))
    elif last - first + 1 > MAX_YEARS:
        issues.append(Issue(file, f"[horizon] spans {last - first + 1} years; at most "
                            f"{MAX_YEARS} are planned", column="last", value=str(last)))
    if lag < 0:
        issues.append(Issue(file, "[horizon] lag must be zero or more years", column="lag",
                            value=str(lag)))
    if issues:
        return None, issues
    return Horizon(first, last, lag), []


def check_years(raws: dict[str, RawTable], frames: dict[str, pd.DataFrame],
                horizon: Horizon | None, toml_file: str, issues: IssueList) -> None:
    """Year columns, capital.csv and growth.csv need a horizon; years lie inside it."""
    for table in YEARLY_TABLES:
        frame = frames.get(table)
        if frame is None or "year" not in frame.columns or table not in raws:
            continue
        year = frame["year"].to_numpy(dtype=np.float64)
        given = ~np.isnan(year)
        if horizon is None:
            if given.any():
                report_rows(issues, raws[table], given, "year",
                            f"a year is given, but {toml_file} has no [horizon]: this is a "
                            "single-year scenario (add [horizon] first = ..., last = ...)")
            continue
        outside = given & ((year < horizon.first) | (year > horizon.last))
        if outside.any():
            report_rows(issues, raws[table], outside, "year",
                        f"lies outside the horizon {horizon.first}-{horizon.last}")
    if horizon is None:
        for table in HORIZON_TABLES:
            if table in raws and len(frames.get(table, ())):
                issues.add(Issue(raws[table].file, f"{table} needs a multi-year scenario: add "
                                 f"[horizon] first = ..., last = ... to {toml_file}"))


def yearly_amounts(frame: pd.DataFrame, keys: np.ndarray, universe: int,
                   horizon: Horizon, growth: np.ndarray | None = None) -> np.ndarray:
    """(Y, universe) amounts of a yearly table for each year.

    frame : supplies or targets (``amount`` and optional ``year``); keys : (rows,) int code of
    each row's (region, factor) or (region, product) in [0, universe).
    growth : (universe,) yearly rate applied to rows without a year, or None.
    Rows without a year fill every year; rows with a year replace that year's value.
    """
    Y = horizon.count
    out = np.zeros((Y, universe))
    amount = frame["amount"].to_numpy(dtype=np.float64)
    year = (frame["year"].to_numpy(dtype=np.float64) if "year" in frame.columns
            else np.full(len(frame), np.nan))
    every = np.isnan(year)
    base = np.zeros(universe)
    base[keys[every]] = amount[every]
    if growth is not None:
        steps = np.arange(Y, dtype=np.float64)[:, None]
        out[:] = base[None, :] * (1.0 + growth[None, :]) ** steps
    else:
        out[:] = base[None, :]
    # rows of years outside the horizon (a horizon cut short, e.g. by ``earliest``) do not count
    dated = ~every & (year >= horizon.first) & (year <= horizon.last)
    out[year[dated].astype(np.int64) - horizon.first, keys[dated]] = amount[dated]
    return out
