"""Any national flow table (CSV or xlsx) as a one-region scenario: the layout of most
statistical offices' input-output tables.

The first column labels the rows, the first row the columns. The industries are the columns
before the first final-demand column; each must have a row of the same name (the
inter-industry block is square). ``--value-added ROWS`` names the rows of primary inputs
(compensation, taxes, surplus, ...), ``--final-demand COLS`` the final-use columns. Rows and
columns whose label starts with "Total" are totals and are skipped; any other row or column
is an error, named. Gross output of industry j is its column total (inputs + value added);
where the row total (uses + final demand) differs by more than the table's rounding, the
importer says so.

Each industry is a technique: per unit of output Z_ij / x_j of each industry's product,
and its value-added rows as factors: all of them summed as ``value_added``, except rows
named with ``--factors ROW=NAME``, each its own factor NAME. Supplies are the observed use,
targets the final demand (summed over the final-demand columns), so balance returns x.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import Issue, IssueList, ScenarioError
from .ioscenario import Factor, IOTable
from .spreadsheet import numbers, read_grid

SOURCE = "import flows"


@dataclass(frozen=True)
class FlowCheck:
    """The largest gap between an industry's row total and its column total (same units as
    the table), and the industry."""

    gap: float
    industry: str


def _total(label: str) -> bool:
    return label.lower().startswith("total")


def read_flows(path: Path, value_added: list[str], final_demand: list[str],
               factors: dict[str, str] | None = None, sheet: str | None = None,
               unit: str = "", region: str = "economy") -> tuple[IOTable, FlowCheck]:
    """The flow table at ``path`` as an :class:`IOTable` (see the module docstring), and
    how far its row and column totals disagree."""
    grid = read_grid(Path(path), sheet, SOURCE)
    factors = dict(factors or {})
    cells = grid.cells
    header = [str(c) for c in cells[0]]
    labels = [str(c) for c in cells[:, 0]]
    issues = IssueList()

    def issue(message: str, row: int | None, column: str | None, value: str | None) -> None:
        issues.add(Issue(grid.file, message, None if row is None else grid.where(row),
                         column, value))

    column_of = {name: j for j, name in enumerate(header) if j > 0}
    for name in final_demand:
        if name not in column_of:
            issue("unknown final-demand column: no column has this name", 0, None, name)
    row_of: dict[str, int] = {}
    for i, label in enumerate(labels[1:], start=1):
        if label in row_of:
            issue(f"row named twice (first on line {grid.where(row_of[label])})", i,
                  header[0], label)
        row_of.setdefault(label, i)
    for name in [*value_added, *factors]:
        if name not in row_of:
            issue("unknown value-added row: no row has this name", None, header[0], name)
    for name in factors:
        if name not in value_added:
            issue("a --factors row must be one of --value-added", None, header[0], name)
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)

    first_final = min(column_of[name] for name in final_demand)
    industries = [h for h in header[1:first_final] if not _total(h)]
    industry_cols = np.array([column_of[h] for h in industries])
    final_cols = np.array([column_of[name] for name in final_demand])
    for j, name in enumerate(header):
        if j > first_final and name not in final_demand and not _total(name):
            issue("unknown column after the final-demand columns: neither final demand nor a "
                  "total", 0, name, name)
    if len(set(industries)) != len(industries):
        issue("industry column named twice", 0, None, next(
            h for h in industries if industries.count(h) > 1))
    industry_rows = []
    for name in industries:
        if name in row_of:
            industry_rows.append(row_of[name])
        else:
            issue("industry column with no row of the same name: the inter-industry table "
                  f"must be square ({len(industries)} industry columns)", 0, name, name)
    known = set(industries) | set(value_added)
    for i, label in enumerate(labels[1:], start=1):
        if label not in known and not _total(label):
            issue("unknown row: neither an industry (a column before the final demand), a "
                  "--value-added row nor a total", i, header[0], label)
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)

    rows = np.array(industry_rows)
    flows = numbers(grid, rows, industry_cols, industries, issues)
    final = numbers(grid, rows, final_cols, final_demand, issues).sum(axis=1)
    added_rows = np.array([row_of[name] for name in value_added])
    added = numbers(grid, added_rows, industry_cols, industries, issues)
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)
    for i, j in np.argwhere(flows < 0)[:issues.limit]:
        issue("negative flow: an industry's use of another's output is zero or more",
              rows[i], industries[j], f"{flows[i, j]:g}")
    for i in np.flatnonzero(final < 0)[:issues.limit]:
        issue("final demand sums to less than 0 over the final-demand columns: a target is "
              "zero or more", rows[i], ", ".join(final_demand), f"{final[i]:g}")
    own = [name for name in value_added if name in factors]
    for k, name in enumerate(value_added):
        if name in own:
            for j in np.flatnonzero(added[k] < 0)[:issues.limit]:
                issue(f"negative use of factor {factors[name]}: a factor's use is zero or "
                      "more", added_rows[k], industries[j], f"{added[k, j]:g}")
    pooled = added[[k for k, name in enumerate(value_added) if name not in own]].sum(axis=0)
    output = flows.sum(axis=0) + added.sum(axis=0)
    for j in np.flatnonzero(output < 0):
        issue("gross output (inputs + value added) below 0", None, industries[j],
              f"{output[j]:g}")
    if len(own) < len(value_added):
        for j in np.flatnonzero(pooled < 0)[:issues.limit]:
            issue("value added below 0: a factor's use is zero or more", added_rows[0],
                  industries[j], f"{pooled[j]:g}")
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)

    gap = np.abs(flows.sum(axis=1) + final - output)
    worst = int(np.argmax(gap)) if len(gap) else 0
    check = FlowCheck(float(gap[worst]) if len(gap) else 0.0,
                      industries[worst] if industries else "")
    made = [Factor(factors[name], name, unit, added[k])
            for k, name in enumerate(value_added) if name in own]
    if len(own) < len(value_added):
        made.insert(0, Factor("value_added", " + ".join(n for n in value_added if n not in own),
                              unit, pooled))
    safe = np.where(output > 0, output, 1.0)
    coefficients = flows / safe[None, :] * (output > 0)[None, :]
    r, c = np.nonzero(coefficients)
    return IOTable(regions=[region], sectors=industries, units=[unit] * len(industries),
                   coefficient_row=r.astype(np.int64), coefficient_col=c.astype(np.int64),
                   coefficient=coefficients[r, c], output=output, final=final[:, None],
                   factors=tuple(made)), check
