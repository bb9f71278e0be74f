"""Reading and writing scenario tables as CSV or Parquet, keeping track of source lines.

Tables are read with every cell as text, exactly as the user wrote it; turning text into
numbers belongs to validation, which can then say which line holds a bad value. pyarrow does
the reading (multi-threaded, a few seconds for ten million rows); Python's ``csv`` module is
used only to find line numbers once something is wrong, or to locate a malformed line.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..arrowtext import text_frame, text_series
from .errors import Issue

FORMATS = ("csv", "parquet")


@dataclass
class RawTable:
    """One table as read: every column as text (``str`` dtype), blank cells as ``""``.

    Parquet columns stored as numbers stay float64; ``numeric_nulls`` marks their null cells.

    ``file`` is the file's name as shown to the user, ``path`` where it lies.
    """

    name: str
    file: str
    path: Path | None
    frame: pd.DataFrame
    numeric_nulls: dict[str, np.ndarray] = field(default_factory=dict)
    _lines: np.ndarray | None = field(default=None, repr=False)

    @property
    def is_csv(self) -> bool:
        return self.file.endswith(".csv")

    def lines(self, rows: np.ndarray) -> np.ndarray:
        """1-based line numbers (CSV, header is line 1) or row numbers (Parquet) of ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        if not self.is_csv or self.path is None:
            return rows + (2 if self.is_csv else 1)
        if self._lines is None:
            self._lines = _data_line_numbers(self.path)
        return self._lines[rows]


def _data_line_numbers(path: Path) -> np.ndarray:
    """Line on which each data row of a CSV file starts, skipping blank lines as pyarrow does."""
    starts: list[int] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        previous_end = 0
        for index, row in enumerate(reader):
            start = previous_end + 1
            previous_end = reader.line_num
            if index == 0 or not row:
                continue
            starts.append(start)
    return np.asarray(starts, dtype=np.int64)


def find_table_file(directory: Path, name: str) -> tuple[Path | None, list[Issue]]:
    """The file holding table ``name`` in ``directory``: NAME.csv or NAME.parquet."""
    found = [directory / f"{name}.{ext}" for ext in FORMATS
             if (directory / f"{name}.{ext}").exists()]
    if len(found) > 1:
        return None, [
            Issue(found[0].name, f"both {found[0].name} and {found[1].name} exist; keep one")
        ]
    return (found[0] if found else None), []


def read_raw_table(path: Path, name: str) -> tuple[RawTable | None, list[Issue]]:
    """Read ``path`` with every cell as text. Returns the table, or None with the reasons."""
    if path.suffix == ".parquet":
        return _read_parquet(path, name)
    return _read_csv(path, name)


def _read_csv(path: Path, name: str) -> tuple[RawTable | None, list[Issue]]:
    file = path.name
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        return None, [Issue(file, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")]
    if not header or all(not h.strip() for h in header):
        return None, [Issue(file, "is empty: the first line must name the columns", line=1)]
    header = [h.strip() for h in header]
    issues = _header_issues(file, header)
    if issues:
        return None, issues
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:
        return None, _malformed_lines(path, len(header))
    frame = text_frame(table)
    return RawTable(name, file, path, frame), []


def _header_issues(file: str, header: list[str]) -> list[Issue]:
    issues = []
    seen: set[str] = set()
    for position, column in enumerate(header, start=1):
        if not column:
            issues.append(Issue(file, f"column {position} of the header has no name", line=1))
        elif column in seen:
            issues.append(Issue(file, "column name appears twice in the header", 1, column))
        seen.add(column)
    return issues


def _malformed_lines(path: Path, expected: int) -> list[Issue]:
    """Locate lines whose number of fields differs from the header's."""
    issues = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        previous_end = reader.line_num
        for row in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if row and len(row) != expected:
                shown = ",".join(row)
                issues.append(
                    Issue(
                        path.name,
                        f"has {len(row)} fields where the header names {expected}",
                        line=line,
                        value=shown if len(shown) <= 80 else shown[:77] + "...",
                    )
                )
                if len(issues) >= 20:
                    break
    return issues or [Issue(path.name, "could not be parsed as CSV")]


def _read_parquet(path: Path, name: str) -> tuple[RawTable | None, list[Issue]]:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        return None, [Issue(path.name, f"could not be read as Parquet: {exc}")]
    header = [str(c) for c in table.column_names]
    issues = _header_issues(path.name, header)
    if issues:
        return None, issues
    columns: dict[str, Any] = {}
    nulls: dict[str, np.ndarray] = {}
    for column_name, column in zip(header, table.columns, strict=True):
        if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
            # numbers stay numbers; a null cell is remembered as blank, apart from NaN
            nulls[column_name] = column.is_null().to_numpy(zero_copy_only=False)
            columns[column_name] = column.to_numpy(zero_copy_only=False).astype(np.float64)
        else:
            columns[column_name] = text_series(column.cast(pa.string()).fill_null("")).array
    frame = pd.DataFrame(columns)
    return RawTable(name, path.name, path, frame, numeric_nulls=nulls), []


_TOML_POSITION = re.compile(r"at line (\d+)")


def read_toml(path: Path) -> tuple[dict[str, Any], list[Issue]]:
    """scenario.toml as a dict; an absent file is an empty dict."""
    if not path.exists():
        return {}, []
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle), []
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_POSITION.search(str(exc))
        line = int(match.group(1)) if match else None
        return {}, [Issue(path.name, f"is not valid TOML: {exc}", line=line)]


def write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    """Write ``frame`` to ``path`` (its suffix replaced by the format's). Returns the path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    path = path.with_suffix(f".{fmt}")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if fmt == "parquet":
        pq.write_table(table, path)
    else:
        try:  # plain, unquoted CSV where no value needs quotes (pyarrow's "needed" quotes all)
            pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(
                quoting_style="none", quoting_header="none"))
        except pa.ArrowInvalid:
            pacsv.write_csv(table, path)
    return path


def toml_text(sections: dict[str, dict[str, Any]]) -> str:
    """Render a two-level dict of plain values as TOML."""
    lines: list[str] = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'
