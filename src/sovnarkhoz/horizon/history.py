"""The model beside history: its best plan, the plan's targets and what actually happened,
year by year and product by product.

``best_outputs`` asks, for every year t of the horizon, the question of
:func:`~.earliest.earliest` (the horizon cut at t; the chosen targets of year t met at the
highest share λ_t <= 1 a plan can reach, every other target held in full in every year up to
t) and keeps that plan's gross output of every product in year t: what the economy could have
made in t had it planned for t's chosen targets from the start. ``read_record`` reads a record
of what happened (``actual.csv``: measure, year, amount, unit, product, source, status), and
``read_goals`` the goals a plan set (``goals.csv``: product, year, low, high, unit, source,
status). ``history_table`` puts the three side by side.

The history table's columns (one row per product and year; docs/model.md):
``product``, ``year``, ``model_output`` (gross output in the best plan for that year),
``model_share`` (that plan's λ_t: the share of the year's chosen targets met, 0..1),
``target`` (the scenario's targets of the product in that year, national total: final demand
asked), ``goal_low`` and ``goal_high`` (the plan's goal, where goals.csv gives one),
``actual`` (what happened, blank where the record has no figure), ``actual_status`` (cited or
estimate), ``actual_source``, ``model_over_actual`` (model_output / actual).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..formulation import Levels, Mode
from ..formulation.years import build_years
from ..scenario.errors import Issue, ScenarioError
from ..scenario.model import Scenario
from ..solvers import SolverOptions, get_solver
from .earliest import _best_level, chosen_targets

__all__ = ["RECORD_COLUMNS", "BestOutputs", "best_outputs", "history_table", "read_goals",
           "read_record"]

RECORD_COLUMNS = ("measure", "year", "amount", "unit", "product", "source", "status")
"""actual.csv's columns (ussr1957_actual/SOURCES.md)."""
GOAL_COLUMNS = ("product", "year", "low", "high", "unit", "source", "status")
"""goals.csv's columns (ussr1959_seven_year/SOURCES.md)."""
STATUSES = ("cited", "estimate")


@dataclass
class BestOutputs:
    """``outputs``: (years × products) gross output of each product in the best plan for
    each year; ``share``: {year: λ_t}; ``products``: the product ids (columns)."""

    outputs: pd.DataFrame
    share: dict[int, float]
    seconds: float
    solves: int


def best_outputs(scenario: Scenario, targets: list[str] | None,
                 options: SolverOptions | None = None, solver: str = "auto",
                 progress: Callable[[int, float], None] | None = None) -> BestOutputs:
    """For every year t that asks for something of the chosen ``targets``: the gross output
    of every product in year t of the plan for first .. t that meets t's chosen targets at the
    highest share it can (the others held in full), as :func:`~.earliest.earliest` finds it
    (but not stopping at the first year met)."""
    started = time.perf_counter()
    if scenario.horizon is None:
        raise ScenarioError([Issue("scenario.toml", "history compares years: this is a "
                                   "single-year scenario (no [horizon])")],
                            source=scenario.name)
    scenario.check_weights("earliest")
    options = options or SolverOptions()
    probe = build_years(scenario, None)
    chosen = chosen_targets(scenario, probe.layout.targets.keys, targets)
    horizon = probe.horizon
    economy = scenario.economy
    products = economy.products.to_numpy().astype(str)
    made_by = np.asarray(economy.tech_product)  # (T,) product index of each technique
    positive = (probe.layout.targets.amount[:, chosen] > 0).any(axis=1)
    rows, share, solves = {}, {}, 0
    for t in np.flatnonzero(positive):
        year = int(horizon.years[t])
        program = build_years(scenario, None, horizon=horizon.truncated(year),
                              mode=Mode(Levels.YEARLY, scaled=chosen))
        backend, _ = get_solver(solver, program.data, options.device)
        level = _best_level(program, backend, options)
        solves += level.solves
        share[year] = level.level
        activity = program.col_blocks["activity"]
        x = np.asarray(level.result.x)[activity.slice].reshape(-1, len(made_by))[-1]
        rows[year] = np.bincount(made_by, weights=x, minlength=len(products))
        if progress is not None:
            progress(year, level.level)
    outputs = pd.DataFrame.from_dict(rows, orient="index", columns=products)
    return BestOutputs(outputs, share, time.perf_counter() - started, solves)


def _read_csv(path: Path, columns: tuple[str, ...], numeric: tuple[str, ...]) -> pd.DataFrame:
    """A small table of text and numbers; every bad cell reported with file, line, column
    and value (ScenarioError: exit 2)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ScenarioError([Issue(str(path), f"could not be read as CSV: {error}")],
                            source=path.parent.name) from None
    issues = [Issue(path.name, "required column is missing", line=1, column=c)
              for c in columns if c not in frame.columns]
    if issues:
        raise ScenarioError(issues, source=path.parent.name)
    for column in numeric:
        text = frame[column].str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() & text.ne("")
        if column == "year":
            bad |= text.eq("") | (values.notna() & (values != values.round()))
        issues += [Issue(path.name, "is not a number" if column != "year" else
                         "is not a whole year", line=int(k) + 2, column=column,
                         value=frame[column].iat[k]) for k in np.flatnonzero(bad.to_numpy())]
        frame[column] = values
    status = frame["status"].str.strip().str.lower()
    issues += [Issue(path.name, "is not cited or estimate", line=int(k) + 2, column="status",
                     value=frame["status"].iat[k])
               for k in np.flatnonzero(~status.isin(STATUSES).to_numpy())]
    frame["status"] = status
    if issues:
        raise ScenarioError(issues, source=path.parent.name)
    frame["year"] = frame["year"].astype("int64")
    return frame


def read_record(path: str | Path) -> pd.DataFrame:
    """``actual.csv`` of a record folder (or the file itself): columns RECORD_COLUMNS."""
    path = Path(path)
    path = path / "actual.csv" if path.is_dir() else path
    if not path.is_file():
        raise ScenarioError([Issue(str(path), "is missing: a record folder holds actual.csv "
                                   "(see ussr1957_actual/SOURCES.md)")], source=path.parent.name)
    return _read_csv(path, RECORD_COLUMNS, ("year", "amount"))


def read_goals(directory: str | Path) -> pd.DataFrame | None:
    """``goals.csv`` beside a scenario's tables (None when it has none)."""
    path = Path(directory) / "goals.csv"
    if not path.is_file():
        return None
    return _read_csv(path, GOAL_COLUMNS, ("year", "low", "high"))


def history_table(scenario: Scenario, best: BestOutputs, record: pd.DataFrame,
                  goals: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per product of the record that the scenario makes and year of the horizon
    (module docstring: the columns)."""
    horizon = scenario.horizon
    years = np.arange(horizon.first, horizon.last + 1) if horizon else np.array([], int)
    known = set(scenario.economy.products.astype(str))
    made = record[record["product"].isin(known)]
    products = list(dict.fromkeys(made["product"]))
    grid = pd.MultiIndex.from_product([products, years], names=["product", "year"])
    table = pd.DataFrame(index=grid).reset_index()
    long = best.outputs.rename_axis("year").reset_index().melt(
        id_vars="year", var_name="product", value_name="model_output")
    table = table.merge(long, on=["product", "year"], how="left")
    table["model_share"] = table["year"].map(best.share)
    asked = scenario.tables["targets"]
    if "year" in asked.columns:
        totals = asked.groupby(["product", "year"])["amount"].sum().rename("target")
        table = table.merge(totals.reset_index().astype({"year": "int64"}),
                            on=["product", "year"], how="left")
    else:
        table["target"] = table["product"].map(asked.groupby("product")["amount"].sum())
    if goals is not None:
        table = table.merge(goals[["product", "year", "low", "high"]].rename(
            columns={"low": "goal_low", "high": "goal_high"}), on=["product", "year"],
            how="left")
    else:
        table["goal_low"] = table["goal_high"] = math.nan
    actual = made[["product", "year", "amount", "status", "source"]].rename(
        columns={"amount": "actual", "status": "actual_status", "source": "actual_source"})
    table = table.merge(actual, on=["product", "year"], how="left")
    table["model_over_actual"] = table["model_output"] / table["actual"]
    return table[["product", "year", "model_output", "model_share", "target", "goal_low",
                  "goal_high", "actual", "actual_status", "actual_source",
                  "model_over_actual"]]
