"""A table of text cells from a CSV file or an Excel sheet, with each row's line, and its
numbers read with every mistake located (file, line, column, value).

Shared by the flow-table importers (:mod:`.bea`, :mod:`.flows`): statistical offices publish
their tables as CSV or xlsx, with suppressed cells written ``---``, ``...``, ``(D)`` or left
blank (read as 0), and thousands separators (``1,234``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Issue, IssueList, ScenarioError
from .files import file_problem

SUPPRESSED = frozenset({"", "---", "--", "-", "...", "…", "(d)", "(x)", "x", "n/a", "na", "nan"})
"""Cells that mean "no number published here": read as 0."""


@dataclass(frozen=True)
class Grid:
    """cells (rows, columns) stripped text; lines (rows,) the 1-based line (CSV) or sheet row
    (xlsx) of each row; ``file`` names it in messages (the sheet too for xlsx)."""

    file: str
    cells: np.ndarray
    lines: np.ndarray

    def where(self, row: int) -> int:
        return int(self.lines[row])


def read_grid(path: Path, sheet: str | None = None, source: str = "import") -> Grid:
    """Every cell of ``path`` (.csv, or .xlsx/.xlsm/.xls: ``sheet``, default the first) as
    text; unreadable files raise a located :class:`ScenarioError`."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise ScenarioError([Issue(file, "does not exist")], source=source)
    problem = file_problem(path, file)
    if problem is not None:
        raise ScenarioError([problem], source=source)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0,
                                  header=None, dtype=str)
            file = f"{file} [{sheet}]" if sheet is not None else file
        else:
            frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False,
                                skip_blank_lines=False, encoding="utf-8-sig")
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as error:  # pandas' readers raise many kinds for a file they cannot read
        raise ScenarioError([Issue(file, f"cannot be read as a table ({type(error).__name__}: "
                                   f"{error}); expected a CSV or xlsx file")],
                            source=source) from None
    cells = frame.fillna("").astype(str).apply(lambda column: column.str.strip()).to_numpy()
    lines = np.arange(1, len(cells) + 1)
    keep = (cells != "").any(axis=1)  # blank lines skipped, their numbers kept
    return Grid(file=file, cells=cells[keep], lines=lines[keep])


def numbers(grid: Grid, rows: np.ndarray, cols: np.ndarray, header: list[str],
            issues: IssueList) -> np.ndarray:
    """(len(rows), len(cols)) the cells as numbers: suppressed cells 0, thousands separators
    dropped; every other cell that is not a number is an issue naming its line and column
    (``header[j]`` names column ``cols[j]``)."""
    text = grid.cells[np.ix_(rows, cols)]
    lowered = np.char.lower(text.astype(str))
    suppressed = np.isin(lowered, list(SUPPRESSED))
    cleaned = np.char.replace(text.astype(str), ",", "")
    values = pd.to_numeric(pd.Series(cleaned.ravel()), errors="coerce").to_numpy(
        dtype=np.float64).reshape(text.shape)
    bad = np.isnan(values) & ~suppressed
    for i, j in np.argwhere(bad)[:max(issues.limit - len(issues.issues), 0)]:
        issues.add(Issue(grid.file, "is not a number (suppressed cells may be ---, ... or "
                         "blank)", grid.where(rows[i]), header[j], str(text[i, j])))
    issues.overflow += max(int(bad.sum()) - issues.limit, 0)
    return np.where(suppressed | bad, 0.0, values)
