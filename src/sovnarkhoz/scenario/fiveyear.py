"""Reading the four tables of Cockshott's ``5yearplan`` project into a multi-year scenario.

The project's ``nyearplan`` program takes four CSV files, each with ``headings`` in its first
header cell and the industries' names across the header:

- FLOWS: one row per product (the input), one column per industry (the user): the flow of the
  input used to make the industry's ``output``; plus a ``labour`` row (labour used) and an
  ``output`` row (gross output in the base period);
- CAP: the capital stock of each good (row) held by each industry (column);
- DEP: the yearly depreciation rate of each such stock;
- TARGETS: one row per year (``year1``, ``year2``, ...), the final consumption wanted of each
  product, and the labour supply of that year in the last column.

Its linear program runs each industry at constant returns to scale from its base period:
per unit of output, F[i, p] / Q[p] of input i, L[p] / Q[p] of labour and C[i, p] / Q[p] of
installed stock i; stock wears out at D[i, p] a year and what is set aside in one year is
installed the next; the objective is the sum over years of each year's fulfilment of its
targets. That is exactly a sovnarkhoz multi-year scenario with one region, one technique per
industry, ``capital.csv`` and the ``max-total-fulfilment`` objective, which
:func:`fiveyear_tables` writes.

Tolerated as in the original: blank lines, spaces around cells, blank cells (zero). Rejected,
each with file, line, column and value: a first header cell other than ``headings``, headers
that disagree with the flow table's, rows missing or named twice, text where a number belongs,
negative amounts, depreciation above 1, years without any positive target (the original LP
is then unbounded) and industries with no output but no inputs either (also unbounded).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Issue, IssueList, ScenarioError
from .files import file_problem, utf8_problem
from .ioscenario import write_tables

SOURCE = "5yearplan import"
REGION = "economy"
LABOUR = "labour"
DEFAULT_OBJECTIVE = "max-total-fulfilment"
"""The objective of nyearplan; ``max-harmony`` is that of his harmonyplan."""
OUTPUT = "output"


@dataclass(frozen=True)
class Grid:
    """One CSV file as read: header cells, row labels and the cells right of the labels.

    ``cells`` is a (rows, columns) array of stripped text; ``lines`` the 1-based line of each
    row in the file (blank lines skipped).
    """

    file: str
    header: list[str]
    labels: list[str]
    cells: np.ndarray
    lines: np.ndarray


@dataclass(frozen=True)
class FiveYearTables:
    """The four tables as numbers, industries in the flow table's column order (n of them).

    ``flows[i, p]``: input i used by industry p in the base period (n × n); ``labour[p]`` and
    ``output[p]``: labour used and gross output of p (n); ``capital[i, p]``: stock of good i
    held by p (n × n); ``depreciation[i, p]``: yearly fraction of it worn out (n × n);
    ``targets[y, p]``: final consumption wanted of p in year y (Y × n); ``labour_supply[y]``
    (Y). Units are the user's.
    """

    products: list[str]
    flows: np.ndarray
    labour: np.ndarray
    output: np.ndarray
    capital: np.ndarray
    depreciation: np.ndarray
    targets: np.ndarray
    labour_supply: np.ndarray
    year_labels: list[str]

    @property
    def years(self) -> int:
        return len(self.year_labels)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True


def read_grid(path: Path, issues: IssueList) -> Grid | None:
    """Read a 5yearplan CSV file: strip every cell, skip blank lines; None if unreadable."""
    file = str(path)
    problem = file_problem(path, file) if _exists(path) else None
    if problem is not None:  # a directory, or a named pipe that would never end
        issues.add(problem)
        return None
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = []
            lines = []
            reader = csv.reader(handle)
            previous_end = 0
            for row in reader:
                start, previous_end = previous_end + 1, reader.line_num
                cells = [cell.strip() for cell in row]
                if any(cells):
                    rows.append(cells)
                    lines.append(start)
    except FileNotFoundError:
        issues.add(Issue(file, "does not exist"))
        return None
    except UnicodeDecodeError as error:
        issues.add(utf8_problem(path, file) or Issue(file, f"is not UTF-8 text: {error}"))
        return None
    except (OSError, csv.Error) as error:
        issues.add(Issue(file, f"could not be read as CSV text: {error}"))
        return None
    if not rows:
        issues.add(Issue(file, "is empty: the first line must be the header (headings,...)"))
        return None
    header = rows[0]
    while len(header) > 1 and not header[-1]:
        header = header[:-1]
    if header[0].lower() != "headings":
        issues.add(Issue(file, "the first header cell must be 'headings'", lines[0],
                         "1", header[0]))
        return None
    width = len(header)
    body: list[list[str]] = []
    for cells, line in zip(rows[1:], lines[1:], strict=True):
        extra = [c for c in cells[width:] if c]
        if extra:
            issues.add(Issue(file, f"has {len(cells)} fields where the header names {width}",
                             line, None, ",".join(cells)))
        elif len(cells) < width:
            issues.add(Issue(file, f"has {len(cells)} fields where the header names {width}",
                             line, None, ",".join(cells)))
        body.append((cells + [""] * width)[:width])
    cells = np.array([row[1:] for row in body], dtype=object).reshape(len(body), width - 1)
    return Grid(file, header[1:], [row[0] for row in body], cells, np.asarray(lines[1:]))


def _numbers(grid: Grid, rows: np.ndarray, issues: IssueList) -> np.ndarray:
    """The cells of ``rows`` as float64 (blank = 0), reporting every non-number."""
    text = grid.cells[rows]
    flat = pd.Series(text.ravel(), dtype="str")
    values = pd.to_numeric(flat.where(flat != "", "0"), errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(values)
    for index in np.flatnonzero(bad)[: issues.limit]:
        row, column = divmod(int(index), text.shape[1])
        issues.add(Issue(grid.file, "is not a number", int(grid.lines[rows[row]]),
                         grid.header[column], str(text[row, column])))
    return values.reshape(text.shape)


def _check_header(grid: Grid, products: list[str], extra: int, issues: IssueList,
                  what: str) -> bool:
    """The header must name the flow table's industries in order (then ``extra`` columns)."""
    expected = len(products) + extra
    for position, (found, wanted) in enumerate(zip(grid.header, products, strict=False), 2):
        if found != wanted:
            issues.add(Issue(grid.file, f"header disagrees with the flow table: column "
                             f"{position} should be {wanted!r}", 1, str(position), found))
            return False
    if len(grid.header) != expected:
        issues.add(Issue(grid.file, f"header has {len(grid.header)} columns after 'headings' "
                         f"where {expected} are expected ({what})", 1, None,
                         ",".join(grid.header)))
        return False
    return True


def _row_positions(grid: Grid, names: list[str], issues: IssueList,
                   allowed_extra: tuple[str, ...] = ()) -> np.ndarray | None:
    """Row index of each of ``names`` (matched by label), reporting missing, twice, unknown."""
    known = set(names) | set(allowed_extra)
    seen: dict[str, int] = {}
    ok = True
    for row, label in enumerate(grid.labels):
        if label not in known:
            issues.add(Issue(grid.file, "row label is neither an industry of the flow table's "
                             "header" + (f" nor one of {', '.join(allowed_extra)}"
                                         if allowed_extra else ""),
                             int(grid.lines[row]), "headings", label))
            ok = False
        elif label in seen:
            issues.add(Issue(grid.file, f"row {label!r} appears twice (first on line "
                             f"{int(grid.lines[seen[label]])})", int(grid.lines[row]),
                             "headings", label))
            ok = False
        else:
            seen[label] = row
    for name in [*names, *allowed_extra]:
        if name not in seen:
            issues.add(Issue(grid.file, f"has no row {name!r}", None, "headings", name))
            ok = False
    if not ok:
        return None
    return np.array([seen[name] for name in [*names, *allowed_extra]], dtype=np.int64)


def _report_cells(grid: Grid, rows: np.ndarray, mask: np.ndarray, message: str,
                  issues: IssueList) -> None:
    for row, column in np.argwhere(mask)[: issues.limit]:
        issues.add(Issue(grid.file, message, int(grid.lines[rows[row]]), grid.header[column],
                         str(grid.cells[rows[row], column])))


def read_fiveyear(flows: Path, capital: Path, depreciation: Path,
                  targets: Path) -> FiveYearTables:
    """Read and check the four files; raise :class:`ScenarioError` listing every problem."""
    issues = IssueList()
    grids = [read_grid(Path(p), issues) for p in (flows, capital, depreciation, targets)]
    if issues or any(g is None for g in grids):
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)
    flow_grid, cap_grid, dep_grid, targ_grid = grids
    products = list(flow_grid.header)
    _check_products(flow_grid, products, issues)
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)
    n = len(products)
    headers_ok = [_check_header(g, products, 0, issues, "the industries")
                  for g in (cap_grid, dep_grid)]
    headers_ok.append(_check_header(targ_grid, products, 1, issues,
                                    "the industries, then the labour supply"))
    flow_rows = _row_positions(flow_grid, products, issues, (LABOUR, OUTPUT))
    cap_rows = _row_positions(cap_grid, products, issues) if headers_ok[0] else None
    dep_rows = _row_positions(dep_grid, products, issues) if headers_ok[1] else None
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)
    year_rows = np.arange(len(targ_grid.labels))
    if not len(year_rows):
        issues.add(Issue(targ_grid.file, "has no year rows: one row of targets per year is "
                         "needed"))
    flow_values = _numbers(flow_grid, flow_rows, issues)
    cap_values = _numbers(cap_grid, cap_rows, issues)
    dep_values = _numbers(dep_grid, dep_rows, issues)
    targ_values = _numbers(targ_grid, year_rows, issues)
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)
    for grid, rows, values in ((flow_grid, flow_rows, flow_values),
                               (cap_grid, cap_rows, cap_values),
                               (dep_grid, dep_rows, dep_values),
                               (targ_grid, year_rows, targ_values)):
        _report_cells(grid, rows, values < 0, "must not be negative", issues)
    _report_cells(dep_grid, dep_rows, dep_values > 1,
                  "a depreciation rate must lie between 0 and 1", issues)
    output = flow_values[n + 1]
    _check_outputs(flow_grid, flow_rows, flow_values, cap_values, products, issues)
    no_target = ~(targ_values[:, :n] > 0).any(axis=1)
    for row in np.flatnonzero(no_target)[: issues.limit]:
        issues.add(Issue(targ_grid.file, "a year needs at least one positive target (without "
                         "one its fulfilment is unbounded)", int(targ_grid.lines[row]),
                         "headings", targ_grid.labels[row]))
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)
    return FiveYearTables(products=products, flows=flow_values[:n], labour=flow_values[n],
                          output=output, capital=cap_values, depreciation=dep_values,
                          targets=targ_values[:, :n], labour_supply=targ_values[:, n],
                          year_labels=list(targ_grid.labels))


def _check_products(grid: Grid, products: list[str], issues: IssueList) -> None:
    if not products:
        issues.add(Issue(grid.file, "header names no industries after 'headings'", 1))
    seen: set[str] = set()
    for position, name in enumerate(products, 2):
        if not name:
            issues.add(Issue(grid.file, "header cell is blank", 1, str(position), name))
        elif name in seen:
            issues.add(Issue(grid.file, "industry appears twice in the header", 1,
                             str(position), name))
        elif name in (LABOUR, OUTPUT):
            issues.add(Issue(grid.file, f"{name!r} names a row, not an industry", 1,
                             str(position), name))
        seen.add(name)


def _check_outputs(grid: Grid, rows: np.ndarray, flows: np.ndarray, capital: np.ndarray,
                   products: list[str], issues: IssueList) -> None:
    """An industry with output 0 and no inputs would make its product for nothing."""
    n = len(products)
    output = flows[n + 1]
    uses = (flows[: n + 1] != 0).any(axis=0) | (capital != 0).any(axis=0)
    for p in np.flatnonzero((output == 0) & ~uses)[: issues.limit]:
        issues.add(Issue(grid.file, "output 0 with no inputs, labour or capital would make "
                         "this product free (nyearplan's LP is then unbounded)",
                         int(grid.lines[rows[n + 1]]), products[p], "0"))


def fiveyear_tables(tables: FiveYearTables, objective: str = DEFAULT_OBJECTIVE
                    ) -> tuple[dict[str, pd.DataFrame], dict]:
    """The scenario's tables (DataFrames by name) and its settings (for scenario.toml), planned
    by ``objective`` (max-total-fulfilment as nyearplan, or max-harmony as harmonyplan).

    Years are numbered 1..Y in the order of the target rows. An industry with output 0 gets a
    technique of capacity 0 (nyearplan then forces its output to 0).
    """
    years = tables.years
    products = np.asarray(tables.products, dtype=object)
    technique = np.asarray([f"make_{p}" for p in tables.products], dtype=object)
    producing = tables.output > 0
    scale = np.where(producing, tables.output, 1.0)
    techniques = pd.DataFrame({"technique": technique, "region": REGION, "product": products})
    if not producing.all():
        techniques["capacity"] = np.where(producing, np.nan, 0.0)
    inp, user = np.nonzero((tables.flows != 0) & producing[None, :])
    lab = np.flatnonzero((tables.labour != 0) & producing)
    inputs = pd.DataFrame({
        "technique": np.concatenate([technique[user], technique[lab]]),
        "input": np.concatenate([products[inp], np.full(len(lab), LABOUR, dtype=object)]),
        "amount": np.concatenate([tables.flows[inp, user] / scale[user],
                                  tables.labour[lab] / scale[lab]]),
    })
    good, holder = np.nonzero((tables.capital != 0) & producing[None, :])
    capital = pd.DataFrame({
        "technique": technique[holder], "good": products[good],
        "amount": tables.capital[good, holder] / scale[holder],
        "stock": tables.capital[good, holder],
        "depreciation": tables.depreciation[good, holder],
    })
    year_numbers = np.arange(1, years + 1)
    y, p = np.nonzero(tables.targets > 0)
    targets = pd.DataFrame({"region": REGION, "product": products[p],
                            "amount": tables.targets[y, p], "year": year_numbers[y]})
    supplies = pd.DataFrame({"region": REGION, "factor": LABOUR,
                             "amount": tables.labour_supply, "year": year_numbers})
    frames = {
        "products": pd.DataFrame({"product": products, "name": products}),
        "regions": pd.DataFrame({"region": [REGION], "name": ["the whole economy"]}),
        "factors": pd.DataFrame({"factor": [LABOUR], "name": ["Labour"]}),
        "techniques": techniques,
        "inputs": inputs,
        "capital": capital,
        "supplies": supplies,
        "targets": targets,
    }
    settings = {
        "horizon": {"first": 1, "last": years, "lag": 1},
        "plan": {"objective": objective},
    }
    return frames, settings


def write_fiveyear_scenario(tables: FiveYearTables, out: Path, name: str,
                            description: str = "", *, force: bool = False,
                            objective: str = DEFAULT_OBJECTIVE) -> Path:
    """Write ``tables`` as a scenario directory ``out`` (CSV tables and scenario.toml).

    The directory is written whole or not at all: it replaces an earlier scenario or output
    of ours whole, so that none of an earlier scenario's tables is read with the new ones;
    anything else only with ``force`` (see :mod:`sovnarkhoz.output`).
    """
    frames, settings = fiveyear_tables(tables, objective)
    return write_tables(frames, settings, out, name, description, "csv", force=force)
