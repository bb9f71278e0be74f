"""Turning the text of a table into typed columns, reporting every cell that does not fit.

All checks are vectorised over the column; only the offending cells (at most the issue limit)
are turned into messages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import Issue, IssueList
from .files import RawTable
from .schema import FALSE_WORDS, RANGED, TRUE_WORDS, Kind, Status, TableSpec


def report_rows(
    issues: IssueList,
    raw: RawTable,
    mask: np.ndarray,
    column: str | None,
    message: str,
    values: pd.Series | np.ndarray | None = None,
) -> None:
    """Add one issue for each row where ``mask`` holds (until the list is full)."""
    if issues.full:
        issues.overflow += int(np.count_nonzero(mask))
        return
    rows = np.flatnonzero(mask)
    room = issues.limit - len(issues.issues)
    shown, hidden = rows[:room], rows[room:]
    lines = raw.lines(shown)
    if values is None and column is not None:
        values = raw.frame[column]
    for row, line in zip(shown, lines, strict=True):
        value = None if values is None else _show(values[row] if isinstance(values, np.ndarray)
                                                  else values.iat[row])
        issues.add(Issue(raw.file, message, int(line), column, value))
    issues.overflow += len(hidden)


def _show(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_table(raw: RawTable, spec: TableSpec, issues: IssueList) -> pd.DataFrame | None:
    """Typed copy of ``raw`` following ``spec``; None when required columns are missing.

    Ids stay text; amounts become float64 (NaN where an optional cell is blank); booleans
    become bool (blank means true). Columns the contract does not name are kept as text.
    """
    missing = [c for c in spec.required_columns if c not in raw.frame.columns]
    if missing:
        present = ", ".join(raw.frame.columns) or "none"
        for column in missing:
            issues.add(Issue(raw.file, f"required column is missing (columns present: {present})",
                             line=1, column=column))
        return None
    typed = {}
    for name in raw.frame.columns:
        spec_column = next((c for c in spec.columns if c.name == name), None)
        if spec_column is None or spec_column.kind is Kind.TEXT:
            typed[name] = raw.frame[name]
        elif spec_column.kind is Kind.ID:
            typed[name] = _parse_id(raw, name, issues, spec_column.required)
        elif spec_column.kind is Kind.BOOL:
            typed[name] = _parse_bool(raw, name, issues)
        elif spec_column.kind is Kind.STATUS:
            typed[name] = _parse_status(raw, name, issues)
        else:
            typed[name] = _parse_number(raw, name, spec_column.kind, spec_column.required, issues)
    frame = pd.DataFrame(typed)
    _check_range(raw, spec, frame, issues)
    return frame


def _parse_status(raw: RawTable, name: str, issues: IssueList) -> pd.Series:
    """A ``status`` column: cited, estimate or blank (any case), as lower-case text."""
    column = raw.frame[name]
    if column.dtype != "str":
        column = column.map(_number_as_id).astype("str")
    words = column.str.strip().str.lower()
    allowed = [s.value for s in Status]
    bad = ~(words.isin(allowed) | words.eq("")).to_numpy()
    if bad.any():
        report_rows(issues, raw, bad, name, f"is not one of {', '.join(allowed)} (or blank)")
    return words


def _check_range(raw: RawTable, spec: TableSpec, frame: pd.DataFrame,
                 issues: IssueList) -> None:
    """``low`` <= the value <= ``high`` wherever they are given (RANGED tables)."""
    value = RANGED.get(spec.name)
    if value is None or value not in frame.columns:
        return
    values = frame[value].to_numpy(dtype=np.float64)
    for bound, outside in (("low", np.greater), ("high", np.less)):
        if bound not in frame.columns:
            continue
        given = frame[bound].to_numpy(dtype=np.float64)
        bad = np.isfinite(given) & np.isfinite(values) & outside(given, values)
        if bad.any():
            side = "above" if bound == "low" else "below"
            report_rows(issues, raw, bad, bound, f"lies {side} the row's {value}: the range "
                        f"must hold it (low <= {value} <= high)")


def _parse_id(raw: RawTable, name: str, issues: IssueList, required: bool = True) -> pd.Series:
    """Ids as text; a blank is an error in a required column (in an optional one, its
    default)."""
    column = raw.frame[name]
    if column.dtype != "str":
        column = column.map(_number_as_id).astype("str")
    blank = column.str.strip().eq("").to_numpy()
    if required and blank.any():
        report_rows(issues, raw, blank, name, "is blank; every row needs an id here")
    return column


def _number_as_id(value: float) -> str:
    """An id stored as a number in Parquet: 7.0 -> '7'."""
    if np.isnan(value):
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _parse_bool(raw: RawTable, name: str, issues: IssueList) -> pd.Series:
    column = raw.frame[name]
    if column.dtype != "str":
        values = column.to_numpy()
        blank = raw.numeric_nulls.get(name, np.isnan(values))
        bad = ~blank & ~np.isin(values, (0.0, 1.0))
        if bad.any():
            report_rows(issues, raw, bad, name, "is not true or false")
        return pd.Series(np.where(blank, True, values == 1.0), name=name)
    words = column.str.strip().str.lower()
    true = words.isin(TRUE_WORDS).to_numpy()
    false = words.isin(FALSE_WORDS).to_numpy()
    blank = words.eq("").to_numpy()
    bad = ~(true | false | blank)
    if bad.any():
        report_rows(issues, raw, bad, name,
                    "is not true or false (write true, false, yes, no, 1 or 0)")
    return pd.Series(true | blank, name=name)


def _parse_number(
    raw: RawTable, name: str, kind: Kind, required: bool, issues: IssueList
) -> pd.Series:
    column = raw.frame[name]
    if column.dtype == "str":
        values, blank, not_numeric = _text_to_float(column)
    else:
        values = column.to_numpy(dtype=np.float64)
        blank = raw.numeric_nulls.get(name, np.zeros(len(values), dtype=bool))
        not_numeric = np.zeros(len(values), dtype=bool)
    if not_numeric.any():
        report_rows(issues, raw, not_numeric, name, "is not a number")
    if required and blank.any():
        report_rows(issues, raw, blank, name, "is blank; a number is required")
    checked = ~blank & ~not_numeric
    nan = checked & np.isnan(values)
    if nan.any():
        report_rows(issues, raw, nan, name, "is NaN; give a number")
    infinite = checked & np.isinf(values)
    if infinite.any():
        report_rows(issues, raw, infinite, name, "is infinite; give a finite number")
    finite = checked & ~infinite & ~nan
    if kind is Kind.RATE:
        too_low = finite & (values <= -1)
        if too_low.any():
            report_rows(issues, raw, too_low, name,
                        "must be more than -1: a yearly growth rate (-0.02 shrinks by 2%)")
    elif kind is Kind.YEAR:
        fractional = finite & (values != np.round(values))
        if fractional.any():
            report_rows(issues, raw, fractional, name, "is not a whole year")
    else:
        negative = checked & (values < 0) & ~infinite
        if negative.any():
            report_rows(issues, raw, negative, name, "is negative; amounts must be zero or more")
    if kind is Kind.FRACTION:
        too_big = checked & (values >= 1) & ~infinite
        if too_big.any():
            report_rows(issues, raw, too_big, name,
                        "must lie in [0, 1): a fraction lost on the way")
    if kind is Kind.SHARE:
        too_big = checked & (values > 1) & ~infinite
        if too_big.any():
            report_rows(issues, raw, too_big, name,
                        "must lie in [0, 1]: the fraction that wears out each year")
    values = np.where(blank | not_numeric, np.nan, values)
    return pd.Series(values, name=name, dtype=np.float64)


def _text_to_float(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, blank mask, not-a-number mask) of a text column; NaN where not a value."""
    text = pc.utf8_trim_whitespace(pa.array(column, type=pa.string()))
    blank = pc.equal(text, "").to_numpy(zero_copy_only=False)
    nullable = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    try:
        values = pc.cast(nullable, pa.float64()).to_numpy(zero_copy_only=False)
        return values, blank, np.zeros(len(blank), dtype=bool)
    except pa.ArrowInvalid:
        pass
    as_numbers = pd.to_numeric(pd.Series(nullable.to_pandas()), errors="coerce").to_numpy(
        dtype=np.float64
    )
    lowered = pc.utf8_lower(text).to_numpy(zero_copy_only=False)
    spelled_nan = np.isin(lowered, ("nan", "+nan", "-nan"))
    not_numeric = np.isnan(as_numbers) & ~blank & ~spelled_nan
    return as_numbers, blank, not_numeric
