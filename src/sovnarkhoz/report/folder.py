"""Reading an output folder as the commands wrote it: what is there, never what should be.

An output folder (see :mod:`sovnarkhoz.output`) names the command that wrote it in its
marker, ``.sovnarkhoz-output``; a folder written before the marker existed is read by its
files. Every file is optional here: the report shows what the folder holds and says what it
cannot show (:attr:`OutputFolder.missing`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from ..output import MARKER, is_scenario_directory, written_by


class ReportError(Exception):
    """A folder that cannot be reported on (not there, not an output folder, a file that
    cannot be read); one line for the command line, exit code 2."""


class Command(StrEnum):
    """What wrote the folder (its marker's ``command``)."""

    PLAN = "plan"
    COMPARE = "compare"
    EARLIEST = "earliest"
    EXPLAIN = "explain"
    FRONTIER = "frontier"
    DECIDE = "decide"
    HISTORY = "history"
    SENSITIVITY = "sensitivity"


JSON_FILES = ("summary.json", "decision.json", "frontier.json", "earliest.json",
              "explanation.json", "history.json", "sensitivity.json")
TABLES = ("activities", "deliveries", "fulfilment", "factors", "prices", "links",
          "bottlenecks", "investment", "stocks", "priorities", "frontier", "comparison",
          "rounds", "earliest_each_summary", "history", "sensitivity_range",
          "sensitivity_tornado", "sensitivity_frequency")


@dataclass
class OutputFolder:
    """One output folder, read lazily: its JSON files at once, its tables when asked.

    path : the folder. command : what wrote it (None: unknown, older than the marker).
    """

    path: Path
    command: Command | None
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tables: dict[str, pd.DataFrame | None] = field(default_factory=dict, repr=False)
    missing: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any] | None:
        return self.documents.get("summary.json")

    @property
    def decision(self) -> dict[str, Any] | None:
        return self.documents.get("decision.json")

    @property
    def frontier_info(self) -> dict[str, Any] | None:
        return self.documents.get("frontier.json")

    @property
    def earliest(self) -> dict[str, Any] | None:
        return self.documents.get("earliest.json")

    @property
    def explanation(self) -> dict[str, Any] | None:
        return self.documents.get("explanation.json")

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` (``name.csv`` or ``name.parquet``), None when absent."""
        if name not in self._tables:
            self._tables[name] = read_table(self.path, name)
        return self._tables[name]

    def has_table(self, name: str) -> bool:
        return any((self.path / f"{name}.{ext}").is_file() for ext in ("csv", "parquet"))

    def cannot_show(self, what: str) -> None:
        """Record something the report cannot show from this folder, with the reason."""
        if what not in self.missing:
            self.missing.append(what)


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """``folder/name.csv`` or ``.parquet`` as pandas reads it (ids as text, numbers as
    float; ``inf`` capacities as infinity); None when neither exists."""
    for ext in ("csv", "parquet"):
        path = folder / f"{name}.{ext}"
        if not path.is_file():
            continue
        try:
            if ext == "csv":
                frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
            else:
                frame = pd.read_parquet(path)
        except (OSError, ValueError) as error:
            raise ReportError(f"{path}: cannot be read as a table ({error})") from None
        for column in ("region", "origin", "destination", "product", "factor", "good",
                       "technique", "organisation", "protocol", "kind", "what", "where"):
            if column in frame.columns:
                frame[column] = frame[column].fillna("").astype(str)
        return frame
    return None


def read_folder(path: str | Path, command: str | None = None) -> OutputFolder:
    """Read the output folder at ``path``. ``command``: what is writing it (a folder being
    staged has no marker yet); None: the marker's, or guessed from the files.

    Raises :class:`ReportError` when ``path`` is not a folder, is a scenario directory, or
    holds nothing a report can be made of.
    """
    path = Path(path)
    if not path.is_dir():
        raise ReportError(f"{path}: no such folder" if not path.exists()
                          else f"{path}: is not a folder")
    if is_scenario_directory(path):
        raise ReportError(f"{path}: is a scenario directory, not an output folder; plan it "
                          "first (sovnarkhoz plan DIR --out OUT --report)")
    documents = {}
    for name in JSON_FILES:
        file = path / name
        if file.is_file():
            try:
                content = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as error:
                raise ReportError(f"{file}: cannot be read as JSON ({error})") from None
            if not isinstance(content, dict):
                raise ReportError(f"{file}: holds {type(content).__name__}, not an object")
            documents[name] = content
    folder = OutputFolder(path, _command(path, command, documents), documents)
    if folder.command is None and not documents and not any(
            folder.has_table(t) for t in TABLES):
        raise ReportError(f"{path}: holds none of the files sovnarkhoz writes (summary.json, "
                          "decision.json, frontier.csv, comparison.csv, earliest.json, "
                          "explanation.json): nothing to report")
    return folder


def _command(path: Path, given: str | None, documents: dict[str, Any]) -> Command | None:
    """The command that wrote the folder: as given, from the marker, or from its files."""
    if given is None and (path / MARKER).is_file():
        given = written_by(path)
    if given in set(Command):
        return Command(given)
    if "decision.json" in documents:
        return Command.DECIDE
    for name, command in (("summary.json", Command.PLAN), ("earliest.json", Command.EARLIEST),
                          ("explanation.json", Command.EXPLAIN),
                          ("frontier.json", Command.FRONTIER)):
        if name in documents:
            return command
    if (path / "comparison.csv").is_file():
        return Command.COMPARE
    if (path / "frontier.csv").is_file():
        return Command.FRONTIER
    return None
