"""The :class:`Scenario`: an economy's tables, validated, with an indexed view for algebra."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..output import scenario_marker, staged_folder
from . import checks
from .codes import IdCodes
from .collective import Bundles, check_collective
from .economy import Economy
from .errors import Issue, IssueList, ScenarioError
from .files import RawTable, find_table_file, read_raw_table, read_toml, toml_text, write_frame
from .horizon import Horizon, check_years, read_horizon
from .objectives import Objective, Positive, Years
from .parse import parse_table
from .schema import HORIZON_TABLES, TABLE_ORDER, TABLES

WARNING_LIMIT = 10
"""How many warnings are kept (the rest are counted)."""


def objective_problem(objective: object) -> str | None:
    """Why ``objective`` is not an objective's name (None when it is one)."""
    if not isinstance(objective, str):
        return (f"objective {objective!r} is not text; choose max-fulfilment, "
                "min-factor:NAME or balance")
    try:
        Objective.parse(objective)
    except ValueError as error:
        return str(error)
    return None


@dataclass
class Scenario:
    """A validated economy: the contract's tables as typed pandas DataFrames.

    ``tables`` holds every table the user gave, with the columns they gave (ids as text,
    amounts as float64, blank optional amounts as NaN, ``tradable`` as bool). Absent optional
    tables are empty frames. Build one with :func:`load_scenario` or :meth:`from_frames`.
    """

    name: str
    tables: dict[str, pd.DataFrame]
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    horizon: Horizon | None = None  # the years planned; None for a single-year scenario
    _raw: dict[str, RawTable] = field(default_factory=dict, repr=False)
    _codes: IdCodes | None = field(default=None, repr=False)
    warnings: IssueList = field(default_factory=lambda: IssueList(limit=WARNING_LIMIT),
                                repr=False)
    """What validation found doubtful but not wrong (e.g. coefficients so far apart that the
    plan may not be faithful), each with file, line, column and value; ``validate`` and
    ``plan`` print them."""

    # --- tables -------------------------------------------------------------------------
    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in TABLES and "tables" in self.__dict__ and name in self.__dict__["tables"]:
            return self.__dict__["tables"][name]
        raise AttributeError(name)

    @cached_property
    def economy(self) -> Economy:
        """Integer-indexed arrays of the economy, ready for sparse algebra."""
        return Economy.from_tables(self.tables, self._codes)

    def bundles(self, only: list[str] | None = None) -> Bundles:
        """The priorities of priorities.csv as arrays (``only``: these, in this order)."""
        return Bundles.from_tables(self.tables, self._codes, only)

    @property
    def codes(self) -> IdCodes:
        """Positions of every id column among the ids it names (computed once)."""
        if self._codes is None:
            self._codes = IdCodes(self.tables)
        return self._codes

    @property
    def default_objective(self) -> str:
        return str(self.settings.get("plan", {}).get("objective", "max-fulfilment"))

    def file_of(self, table: str) -> str:
        raw = self._raw.get(table)
        return raw.file if raw is not None else f"{table}.csv"

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_frames(
        cls,
        name: str = "scenario",
        description: str = "",
        settings: dict[str, Any] | None = None,
        **frames: pd.DataFrame,
    ) -> Scenario:
        """Build and validate a scenario from DataFrames named like the tables.

        >>> Scenario.from_frames(products=..., regions=..., techniques=..., inputs=...,
        ...                      targets=...)  # doctest: +SKIP

        Raises :class:`ScenarioError` naming each bad row (rows counted from 1).
        """
        unknown = sorted(set(frames) - set(TABLES))
        if unknown:
            raise TypeError(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(TABLES)}")
        raws = {table: _raw_from_frame(table, frame) for table, frame in frames.items()
                if frame is not None}
        settings = dict(settings or {})
        settings.setdefault("scenario", {}).update({"name": name, "description": description})
        issues = IssueList()
        for table in TABLE_ORDER:
            if TABLES[table].required and table not in raws:
                issues.add(Issue(table, f"is missing: the {table} table is required "
                                 f"(pass {table}=DataFrame)"))
        return _build(raws, settings, source=None, default_name=name, issues=issues)

    def check_objective(self, objective: str) -> None:
        """Raise :class:`ScenarioError` if this scenario cannot be planned with ``objective``."""
        issues = IssueList()
        goal = Objective.parse(objective)
        rule = goal.rule
        targets_file = self._raw["targets"].file if self._raw.get("targets") else "targets.csv"
        if rule.saves_factor and goal.factor not in set(self.tables["factors"]["factor"]):
            issues.add(Issue(self.file_of("factors"), f"{goal} names a factor that is not "
                             "listed", column="factor", value=goal.factor))
        if rule.years is Years.ONE and self.horizon is not None:
            issues.add(Issue("scenario.toml", f"the {goal.kind} objective plans one year; this "
                             "scenario has a [horizon]: choose max-fulfilment, "
                             "max-total-fulfilment or min-factor:NAME"))
        if rule.years is Years.HORIZON and self.horizon is None:
            issues.add(Issue("scenario.toml", f"{goal.kind} sums yearly levels over a "
                             "[horizon]; this is a single-year scenario (use max-fulfilment)"))
        if not rule.by_lp:
            checks.check_balance_economy(self._raw, self.tables, issues)
        self._check_positive_targets(goal, targets_file, issues)
        checks.check_target_weights(self._raw, self.tables, issues, goal.kind)
        if issues:
            raise ScenarioError(issues.issues, issues.overflow, source=self.name)

    def _check_positive_targets(self, goal: Objective, targets_file: str,
                                issues: IssueList) -> None:
        """The positive targets ``goal``'s rule needs (:class:`Positive`)."""
        amounts = self.tables["targets"]["amount"]
        if goal.rule.positive is Positive.SOME and not (amounts > 0).any():
            issues.add(Issue(targets_file, f"{goal.kind} needs at least one target with a "
                             "positive amount"))
        if goal.rule.positive is Positive.EVERY_YEAR and self.horizon is not None:
            from .horizon import yearly_amounts

            targets = self.tables["targets"]
            yearly = yearly_amounts(targets, np.arange(len(targets)), len(targets),
                                    self.horizon)
            empty = np.flatnonzero(~(yearly > 0).any(axis=1))
            if empty.size:
                years = ", ".join(str(self.horizon.first + int(y)) for y in empty[:10])
                issues.add(Issue(targets_file, f"{goal.kind} needs a positive target in every "
                                 f"year; none in {years}"))

    def check_weights(self, reader: str) -> None:
        """Raise :class:`ScenarioError` if targets.csv gives weights (other than blank or 1)
        that ``reader`` (a command planning without an objective: earliest, explain,
        frontier) would ignore."""
        issues = IssueList()
        checks.check_target_weights(self._raw, self.tables, issues, reader)
        if issues:
            raise ScenarioError(issues.issues, issues.overflow, source=self.name)

    def objective_warnings(self, objective: str) -> list[Issue]:
        """Tables this scenario gives that planning with ``objective`` does not read (they
        are for other commands), each as an :class:`Issue` naming the file. What an
        objective cannot honour is refused by :meth:`check_objective` instead."""
        goal = Objective.parse(objective)
        notes: list[Issue] = []
        priorities = self.tables.get("priorities")
        if priorities is not None and len(priorities):
            names = list(dict.fromkeys(priorities["priority"]))
            shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
            notes.append(Issue(
                self.file_of("priorities"),
                f"{len(names)} priorit{'ies' if len(names) != 1 else 'y'} ({shown}) not "
                f"planned: {goal} plans the targets alone; `frontier` and `decide` deliver "
                "priorities at levels λ_q on top of every target met in full"))
        for table in ("factions", "members"):
            frame = self.tables.get(table)
            if frame is not None and len(frame):
                notes.append(Issue(
                    self.file_of(table),
                    f"{len(frame)} row{'s' if len(frame) != 1 else ''} not read by {goal}: "
                    f"{table}.csv is read by `decide` only"))
        return notes

    # --- output ----------------------------------------------------------------------------
    def write(self, directory: str | Path, fmt: str = "csv", *, force: bool = False) -> Path:
        """Write the scenario as a directory of tables (``fmt`` csv or parquet).

        The directory is written whole or not at all and replaces whole an output or a
        scenario that sovnarkhoz wrote; a hand-made scenario or a folder of someone else's
        files is refused (:class:`~sovnarkhoz.output.OutputError`) unless ``force`` (see
        :mod:`sovnarkhoz.output`).
        """
        directory = Path(directory)
        settings = {k: v for k, v in self.settings.items() if isinstance(v, dict)}
        settings["scenario"] = {**settings.get("scenario", {}), "name": self.name,
                                "description": self.description}
        settings.update(scenario_marker("scenario"))
        with staged_folder(directory, "scenario", force=force) as staging:
            (staging / "scenario.toml").write_text(toml_text(settings), encoding="utf-8")
            for table in TABLE_ORDER:
                frame = self.tables.get(table)  # capital and growth exist only when given
                if frame is not None and (TABLES[table].required or len(frame)):
                    write_frame(frame, staging / table, fmt)
        return directory


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate the scenario directory ``path`` (tables as CSV or Parquet).

    Raises :class:`ScenarioError` listing every problem found (up to a limit), each with its
    file, line, column and value.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise ScenarioError([Issue(str(directory), "is not a directory with scenario tables")],
                            source=str(directory))
    issues = IssueList()
    settings, toml_issues = read_toml(directory / "scenario.toml")
    for issue in toml_issues:
        issues.add(issue)
    raws: dict[str, RawTable] = {}
    for table, spec in TABLES.items():
        file, found_issues = find_table_file(directory, table)
        for issue in found_issues:
            issues.add(issue)
        if file is None:
            if spec.required and not found_issues:
                issues.add(Issue(f"{table}.csv", f"is missing from {directory}: the {table} table "
                                 "is required (CSV or Parquet)"))
            continue
        raw, read_issues = read_raw_table(file, table)
        for issue in read_issues:
            issues.add(issue)
        if raw is not None:
            raws[table] = raw
    return _build(raws, settings, directory, directory.name, issues)


def _build(raws: dict[str, RawTable], settings: dict[str, Any], source: Path | None,
           default_name: str, issues: IssueList) -> Scenario:
    for issue in _settings_issues(settings, "scenario.toml" if source is not None else "settings"):
        issues.add(issue)
    toml_file = "scenario.toml" if source is not None else "settings"
    horizon, horizon_issues = read_horizon(settings, toml_file)
    for issue in horizon_issues:
        issues.add(issue)
    header = settings.get("scenario", {})
    header = header if isinstance(header, dict) else {}
    name = str(header.get("name") or default_name)
    frames: dict[str, pd.DataFrame] = {}
    for table, raw in raws.items():
        frame = parse_table(raw, TABLES[table], issues)
        if frame is not None:
            frames[table] = frame
    for table, spec in TABLES.items():
        if table not in raws and not spec.required and table not in HORIZON_TABLES:
            frames[table] = pd.DataFrame({c.name: pd.Series([], dtype="str" if c.kind.value in
                                                            ("id", "text") else np.float64)
                                          for c in spec.columns if c.required})
    codes = IdCodes(frames)
    for table in TABLE_ORDER:
        if table in raws and table in frames:
            key = TABLES[table].key_of(frames[table].columns)
            checks.check_keys(raws[table], frames[table], key, issues,
                              codes.key_codes(table, key))
    missing_required = [t for t, s in TABLES.items() if s.required and t not in frames]
    if not missing_required:
        frames["products"] = _with_tradable(frames["products"])
        checks.check_not_empty(raws, frames, issues)
        checks.check_references(raws, frames, issues, codes)
        if not horizon_issues:
            check_years(raws, frames, horizon, toml_file, issues)
        check_collective(raws, frames, issues)
        if not issues:
            checks.check_targets_reachable(raws, frames, issues, codes)
    warnings = IssueList(limit=WARNING_LIMIT)
    checks.check_magnitudes(raws, frames, issues, warnings)
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=name)
    return Scenario(name=name, tables=frames, description=str(header.get("description", "")),
                    settings=settings, source=source, horizon=horizon, _raw=raws,
                    _codes=codes, warnings=warnings)


def _settings_issues(settings: dict[str, Any], file: str) -> list[Issue]:
    """The sections read here are tables, and a default objective is an objective."""
    issues = [Issue(file, f"[{section}] must be a table (a [{section}] section), "
                    f"not {settings[section]!r}")
              for section in ("scenario", "plan")
              if section in settings and not isinstance(settings[section], dict)]
    plan = settings.get("plan")
    if isinstance(plan, dict) and "objective" in plan:
        problem = objective_problem(plan["objective"])
        if problem is not None:
            issues.append(Issue(file, f"[plan] objective: {problem}"))
    return issues


def _with_tradable(products: pd.DataFrame) -> pd.DataFrame:
    if "tradable" in products.columns:
        return products
    return products.assign(tradable=np.ones(len(products), dtype=bool))


def _raw_from_frame(table: str, frame: pd.DataFrame) -> RawTable:
    """A user's DataFrame as a RawTable: numbers stay numbers, everything else becomes text."""
    columns: dict[str, Any] = {}
    nulls: dict[str, np.ndarray] = {}
    for column in frame.columns:
        series = frame[column].reset_index(drop=True)
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            nulls[str(column)] = series.isna().to_numpy()
            columns[str(column)] = series.astype(np.float64).to_numpy()
        else:
            text = series.astype("str")
            columns[str(column)] = text.where(series.notna(), "").astype("str")
    return RawTable(table, f"{table} (DataFrame row)", None, pd.DataFrame(columns),
                    numeric_nulls=nulls)
