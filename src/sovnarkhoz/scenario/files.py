"""Reading and writing scenario tables as CSV or Parquet, keeping track of source lines.

Tables are read with every cell as text, exactly as the user wrote it; turning text into
numbers belongs to validation, which can then say which line holds a bad value. pyarrow does
the reading (multi-threaded, a few seconds for ten million rows); Python's ``csv`` module is
used only to find line numbers once something is wrong, or to locate a malformed line.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import sys
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

_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)
"""Python's csv module refuses fields over 131,072 characters by default; pyarrow reads
them, so the line-locating readers here must too."""

_MAX_BLOCK = 2**31 - 1
"""Largest block pyarrow's CSV reader takes: a field must fit in one block."""


def _csv_reader(handle: Any) -> Any:
    """``csv.reader`` that takes fields of any length (an id may be long; it is an error to
    report, not a reason to crash)."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    return csv.reader(handle)


def file_problem(path: Path, file: str | None = None) -> Issue | None:
    """Why ``path`` cannot be read as a file (None when it is a regular, readable file).

    Anything but a regular file is refused before it is opened: reading a directory fails
    and reading a named pipe waits for a writer that may never come.
    """
    file = file or path.name
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return Issue(file, f"cannot be read: {error.strerror or error}")
    if stat.S_ISDIR(mode):
        return Issue(file, "is a directory, not a file")
    if stat.S_ISFIFO(mode):
        return Issue(file, "is a named pipe, not a regular file; save the table to a file")
    if not stat.S_ISREG(mode):
        return Issue(file, "is not a regular file (a device or socket); save the table to "
                     "a file")
    return None


def _present(path: Path) -> bool:
    """Whether something is at ``path``: a dangling link is absent; a path that cannot even be
    looked at (no permission on its folder) counts as present, to be reported when read."""
    try:
        return path.exists()
    except OSError:
        return True


def _open_problem(path: Path) -> Issue | None:
    """Why ``path`` cannot be opened for reading (None when it can)."""
    try:
        with path.open("rb"):
            return None
    except OSError as error:
        return Issue(path.name, f"cannot be read: {error.strerror or error}")


def utf8_problem(path: Path, file: str | None = None) -> Issue | None:
    """The first byte of ``path`` that is not UTF-8, as an issue naming its line (None when
    the whole file is UTF-8). Read line by line: no UTF-8 character spans a newline."""
    with path.open("rb") as handle:
        return _utf8_problem_in(handle, file or path.name)


def _utf8_problem_in(lines: Any, file: str) -> Issue | None:
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = line[error.start]
            position = len(line[: error.start].decode("utf-8", errors="replace")) + 1
            return Issue(file, f"byte 0x{byte:02x} at character {position} of the line is not "
                         f"UTF-8 text ({error.reason}); save the file as UTF-8",
                         line=number, value=f"0x{byte:02x}")
    return None


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
        reader = _csv_reader(handle)
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
             if _present(directory / f"{name}.{ext}")]
    if len(found) > 1:
        return None, [
            Issue(found[0].name, f"both {found[0].name} and {found[1].name} exist; keep one")
        ]
    return (found[0] if found else None), []


def read_raw_table(path: Path, name: str) -> tuple[RawTable | None, list[Issue]]:
    """Read ``path`` with every cell as text. Returns the table, or None with the reasons."""
    problem = file_problem(path) or _open_problem(path)
    if problem is not None:
        return None, [problem]
    if path.suffix == ".parquet":
        return _read_parquet(path, name)
    return _read_csv(path, name)


def _read_csv(path: Path, name: str) -> tuple[RawTable | None, list[Issue]]:
    file = path.name
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(_csv_reader(handle), None)
    except UnicodeDecodeError as exc:
        return None, [utf8_problem(path) or
                      Issue(file, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, [Issue(file, f"cannot be read: {exc.strerror or exc}")]
    except csv.Error as exc:
        return None, [Issue(file, f"could not be parsed as CSV: {exc}", line=1)]
    if not header or all(not h.strip() for h in header):
        return None, [Issue(file, "is empty: the first line must name the columns", line=1)]
    header = [h.strip() for h in header]
    issues = _header_issues(file, header)
    if issues:
        return None, issues
    read_options = pacsv.ReadOptions(column_names=header, skip_rows=1)
    convert_options = pacsv.ConvertOptions(
        column_types={h: pa.string() for h in header}, strings_can_be_null=False)
    try:
        try:
            table = pacsv.read_csv(path, read_options=read_options,
                                   convert_options=convert_options)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc):
                raise
            # a field longer than pyarrow's block (1 MB): read again in one block
            read_options.block_size = min(max(path.stat().st_size + 1, 1 << 20), _MAX_BLOCK)
            table = pacsv.read_csv(path, read_options=read_options,
                                   convert_options=convert_options)
    except pa.ArrowInvalid:
        bad_text = utf8_problem(path)
        if bad_text is not None:
            return None, [bad_text]
        return None, _malformed_lines(path, len(header))
    except OSError as exc:
        return None, [Issue(file, f"cannot be read: {exc.strerror or exc}")]
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
        reader = _csv_reader(handle)
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
    from .schema import TABLES  # the columns the contract names; others may be dropped

    named = {c.name for c in TABLES[name].columns} if name in TABLES else set(header)
    columns: dict[str, Any] = {}
    nulls: dict[str, np.ndarray] = {}
    for column_name, column in zip(header, table.columns, strict=True):
        if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
            # numbers stay numbers; a null cell is remembered as blank, apart from NaN
            nulls[column_name] = column.is_null().to_numpy(zero_copy_only=False)
            columns[column_name] = column.to_numpy(zero_copy_only=False).astype(np.float64)
            continue
        text, problem = _parquet_text(path.name, column_name, column)
        if problem is None:
            columns[column_name] = text
        elif column_name in named:
            issues.append(problem)
        # a column the contract does not name is ignored, whatever it holds
    if issues:
        return None, issues
    frame = pd.DataFrame(columns)
    return RawTable(name, path.name, path, frame, numeric_nulls=nulls), []


def _parquet_text(file: str, name: str, column: pa.ChunkedArray) -> tuple[Any, Issue | None]:
    """A Parquet column of text (or of anything that reads as text) as ``str`` values; or the
    reason it cannot be: nested values (lists, structs, maps) or bytes that are not UTF-8."""
    kind = column.type
    value_kind = kind.value_type if pa.types.is_dictionary(kind) else kind
    if pa.types.is_nested(value_kind):
        return None, Issue(file, f"holds nested values of Parquet type {kind}; a table's "
                           "cells must be text or numbers", column=name)
    try:
        text = column.cast(pa.string()).fill_null("")
    except (pa.ArrowException, ValueError) as error:
        if pa.types.is_binary(value_kind) or pa.types.is_large_binary(value_kind) or \
                pa.types.is_fixed_size_binary(value_kind):
            return None, _binary_issue(file, name, column)
        return None, Issue(file, f"holds {kind} values that cannot be read as text or numbers "
                           f"({error})", column=name)
    return text_series(text).array, None


def _binary_issue(file: str, name: str, column: pa.ChunkedArray) -> Issue:
    """The first cell of a binary column that is not UTF-8 text."""
    for row, value in enumerate(column.to_pylist(), start=1):
        try:
            if value is not None:
                value.decode("utf-8")
        except UnicodeDecodeError as error:
            shown = value[:20].hex(" ") + (" ..." if len(value) > 20 else "")
            return Issue(file, f"holds bytes that are not UTF-8 text ({error.reason}); store "
                         "the column as text (string)", line=row, column=name, value=shown)
    return Issue(file, "holds bytes that cannot be read as text; store the column as text "
                 "(string)", column=name)


_TOML_POSITION = re.compile(r"at line (\d+)")


def read_toml(path: Path) -> tuple[dict[str, Any], list[Issue]]:
    """scenario.toml as a dict; an absent file is an empty dict."""
    if not _present(path):
        return {}, []
    problem = file_problem(path)
    if problem is not None:
        return {}, [problem]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return {}, [Issue(path.name, f"cannot be read: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        bad = _utf8_problem_in(io.BytesIO(data), path.name)
        return {}, [bad or Issue(path.name, "is not UTF-8 text")]
    try:
        return tomllib.loads(text), []
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
