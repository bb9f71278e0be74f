"""The BEA's use table (commodities by industries) as a one-region scenario, alone or with
the make table (:func:`read_bea_use_make`: the industry-technology assumption).

The layout, as the BEA publishes it (xlsx or CSV) and as it is commonly re-published:

- a header row holding the industries' codes and ``T001`` (total intermediate), then the
  final-use columns, codes ``F...`` (personal consumption F010, investment F02*, inventories
  F030, exports F040, imports F050 when given, government F06*..F10*), then totals (``T...``);
- the first column labels rows: commodity codes (with a ``Code`` header cell and the
  descriptions in the next column) or the commodities' names;
- commodity rows, then the total-intermediate row (``T005``, or a label starting "Total
  Intermediate"), then the value-added rows (codes ``V...``, or the named rows up to "Value
  Added ..."; rows whose name starts "Less:" are subtracted), and the total industry output
  row (``T018``/``T008``, or a label starting "Total industry output");
- ``---`` (and blanks, ``...``, ``(D)``) for suppressed cells, read as 0.

Commodity i is paired with the industry of the same code (or, when rows carry names only,
the industry in the same position; rows left over, such as scrap and noncomparable imports,
are no industry's product and are not used unless named with ``--factors``).

The use table records the use of every commodity, imported or made at home, and the
output g of each industry. Each industry makes its own commodity, and the share of a
commodity's recorded use that the industry's output covers, s_i = g_i / (Σ_j U_ij + Σ_F
U_iF), is taken to hold for every user alike (the import-similarity assumption of the
BEA's and the OECD's domestic tables): per unit of industry j's output, s_i U_ij / g_j of
commodity i and, when s_i < 1, (1 − s_i) U_ij / g_j of the factor ``imports`` (in the
table's units, dollars); the target of commodity i is s_i Σ_F U_iF (g_i when the row
records no use at all, as a suppressed government row). So (I − A) g = y exactly: balance
returns the table's total industry output (to floating point; the table's own totals agree
with its cells to their rounding). Value added per unit of output is the factor
``value_added``; supplies are the observed use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Issue, IssueList, ScenarioError
from .ioscenario import Factor, IOTable
from .spreadsheet import Grid, numbers, read_grid

SOURCE = "import bea"
TOTAL_INTERMEDIATE_COLUMN = "T001"
TOTAL_INTERMEDIATE_ROWS = ("T005",)
TOTAL_OUTPUT_ROWS = ("T018", "T008")
VALUE_ADDED_TOTALS = ("T006", "VABAS", "VAPRO")


def _fail(grid: Grid, message: str, line: int | None = None, column: str | None = None,
          value: str | None = None) -> ScenarioError:
    return ScenarioError([Issue(grid.file, message, line, column, value)], source=SOURCE)


def _starts(label: str, *prefixes: str) -> bool:
    lowered = label.lower()
    return any(lowered.startswith(p.lower()) for p in prefixes)


@dataclass(frozen=True)
class _Use:
    """A use table as read: U (commodities, industries), final uses (commodities,), value
    added and total output (industries,), and where everything came from."""

    grid: Grid
    header: list[str]
    labels: list[str]
    coded: bool
    industries: list[str]
    industry_cols: np.ndarray
    commodity_rows: np.ndarray
    row_labels: list[str]
    use: np.ndarray
    final: np.ndarray
    value: np.ndarray
    value_rows: list[int]
    output: np.ndarray
    output_row: int
    head: int


def _parse_use(path: Path, sheet: str | None) -> _Use:
    grid = read_grid(Path(path), sheet, SOURCE)
    cells = grid.cells
    marked = np.flatnonzero((cells == TOTAL_INTERMEDIATE_COLUMN).any(axis=1))
    if not len(marked):
        raise _fail(grid, f"no header row with {TOTAL_INTERMEDIATE_COLUMN} (total "
                    "intermediate): expected the BEA's use table, industries' codes across "
                    "the header, then T001 and the final-use columns F...")
    head = int(marked[0])
    header = [str(c) for c in cells[head]]
    coded = header[0].lower() == "code"
    first = 2 if coded else 1
    stop = header.index(TOTAL_INTERMEDIATE_COLUMN)
    industries = header[first:stop]
    if not industries:
        raise _fail(grid, "no industry columns before T001", grid.where(head))
    final_cols = [j for j in range(stop + 1, len(header)) if header[j].upper().startswith("F")]
    if not final_cols:
        raise _fail(grid, "no final-use columns (codes F...) after T001", grid.where(head))
    labels = [str(c) for c in cells[:, 0]]
    body = range(head + 1, len(cells))
    end = next((i for i in body if labels[i] in TOTAL_INTERMEDIATE_ROWS
                or _starts(labels[i], "Total Intermediate")), None)
    if end is None:
        raise _fail(grid, "no total-intermediate row (T005, or 'Total Intermediate') after "
                    "the commodity rows", column=header[0])
    commodity_rows = np.array([i for i in range(head + 1, end)
                               if not (labels[i] == "" or _is_text_row(cells[i, first:stop]))])
    output_row = next((i for i in range(end + 1, len(cells)) if labels[i] in TOTAL_OUTPUT_ROWS
                       or _starts(labels[i], "Total industry output")), None)
    if output_row is None:
        raise _fail(grid, "no total industry output row (T018, T008, or 'Total industry "
                    "output') after the value-added rows", column=header[0])
    value_rows, signs = [], []
    for i in range(end + 1, output_row):
        label = labels[i]
        if label in VALUE_ADDED_TOTALS or _starts(label, "Value Added", "Total Value Added"):
            break
        if coded and not label.upper().startswith("V"):
            continue
        value_rows.append(i)
        signs.append(-1.0 if _starts(label, "Less:") else 1.0)
    if not value_rows:
        raise _fail(grid, "no value-added rows (V..., or named rows between total intermediate "
                    "and value added)", column=header[0])

    issues = IssueList()
    industry_cols = np.arange(first, stop)
    use = numbers(grid, commodity_rows, industry_cols, industries, issues)
    final = numbers(grid, commodity_rows, np.array(final_cols),
                    [header[j] for j in final_cols], issues).sum(axis=1)
    value = (np.array(signs)[:, None] * numbers(grid, np.array(value_rows), industry_cols,
                                                industries, issues)).sum(axis=0)
    output = numbers(grid, np.array([output_row]), industry_cols, industries, issues)[0]
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)

    return _Use(grid, header, labels, coded, industries, industry_cols, commodity_rows,
                [labels[i] for i in commodity_rows], use, final, value, value_rows, output,
                output_row, head)


def read_bea_use(path: Path, sheet: str | None = None,
                 factor_rows: dict[str, str] | None = None,
                 unit: str = "millions of dollars") -> IOTable:
    """The use table at ``path`` as an :class:`IOTable` of one region, ``economy`` (see the
    module docstring). factor_rows : {row label: factor id} of further rows made factors
    (their cells must be zero or more); unit : the table's unit, every amount's."""
    u = _parse_use(path, sheet)
    grid, header, labels, coded, industries = u.grid, u.header, u.labels, u.coded, u.industries
    industry_cols, commodity_rows, row_labels = u.industry_cols, u.commodity_rows, u.row_labels
    use, final, value, value_rows, output = u.use, u.final, u.value, u.value_rows, u.output
    output_row, head, cells = u.output_row, u.head, grid.cells
    issues = IssueList()
    n = len(industries)
    if coded:
        position = pd.Index(row_labels).get_indexer(industries)
        missing = np.flatnonzero(position < 0)
        if len(missing):
            raise _fail(grid, "an industry with no commodity row of the same code",
                        grid.where(head), industries[missing[0]], industries[missing[0]])
    else:
        if len(row_labels) < n:
            raise _fail(grid, f"{len(row_labels)} commodity rows for {n} industries: each "
                        "industry's commodity needs a row", grid.where(head))
        position = np.arange(n)
    names = ([str(cells[commodity_rows[p], 1]) for p in position] if coded
             else [row_labels[p] for p in position])
    paired_use = use[position]  # (n, n): commodity of industry i used by industry j
    paired_final = final[position]
    line_of = [grid.where(commodity_rows[p]) for p in position]
    _refuse_negative(grid, output[None, :], [grid.where(output_row)], industries,
                     "total industry output")
    _refuse_negative(grid, paired_use, line_of, industries, "intermediate use")

    recorded = paired_use.sum(axis=1) + paired_final  # (n,) use of each commodity
    share = np.where(recorded > 0, output / np.where(recorded > 0, recorded, 1.0), 0.0)
    wanted = np.where(recorded > 0, share * paired_final, output)
    negative = np.flatnonzero(wanted < 0)
    if len(negative):
        i = negative[0]
        raise _fail(grid, "final uses sum to less than 0: a target is zero or more",
                    line_of[i], "F...", f"{paired_final[i]:g}")
    safe = np.where(output > 0, output, 1.0)
    coefficients = share[:, None] * paired_use / safe[None, :]
    imported = (np.maximum(1.0 - share, 0.0)[:, None] * paired_use).sum(axis=0)
    rows, cols = np.nonzero(coefficients * (output > 0)[None, :])
    low = np.flatnonzero(value < 0)
    if len(low):
        raise _fail(grid, "value added below 0: a factor's use is zero or more",
                    grid.where(value_rows[0]), industries[low[0]], f"{value[low[0]]:g}")
    factors = [Factor("value_added", "value added", unit, value)]
    if imported.any():
        factors.append(Factor("imports", "imported intermediate inputs", unit, imported))
    for label, factor in (factor_rows or {}).items():
        if label not in labels:
            raise _fail(grid, "no row with this label for --factors", column=header[0],
                        value=label)
        i = labels.index(label)
        row = numbers(grid, np.array([i]), industry_cols, industries, issues)[0]
        if issues:
            raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)
        _refuse_negative(grid, row[None, :], [grid.where(i)], industries, f"factor {factor}")
        factors.append(Factor(factor, label, unit, row))
    return IOTable(regions=["economy"], sectors=industries, units=[unit] * n,
                   coefficient_row=rows.astype(np.int64), coefficient_col=cols.astype(np.int64),
                   coefficient=coefficients[rows, cols], output=output,
                   final=wanted[:, None], factors=tuple(factors), names=names)


def _is_text_row(cells: np.ndarray) -> bool:
    """A second header row (the industries' names under their codes)."""
    text = [c for c in cells if c]
    return bool(text) and all(pd.isna(pd.to_numeric(c.replace(",", ""), errors="coerce"))
                              and c not in ("---", "...") for c in text)


def _refuse_negative(grid: Grid, values: np.ndarray, lines: list[int], columns: list[str],
                     what: str) -> None:
    found = np.argwhere(values < 0)
    if len(found):
        i, j = found[0]
        raise _fail(grid, f"negative {what}: amounts are zero or more", lines[i], columns[j],
                    f"{values[i, j]:g}")


def _make_matrix(path: Path, sheet: str | None, u: _Use, names: list[str]) -> np.ndarray:
    """(industries, commodities) V of the make table at ``path``: industries by commodities
    (the BEA's make table) or commodities by industries (a supply table), told by which of
    the use table's labels its header row holds; every industry needs its row (column)."""
    grid = read_grid(Path(path), sheet, SOURCE)
    commodities = pd.Index(u.row_labels)
    industries = pd.Index(u.industries)
    named = pd.Index(names)
    head = -1
    for position, row in enumerate(grid.cells):
        head = position
        cells = pd.Index([str(c) for c in row])
        as_commodity = commodities.get_indexer(cells)
        as_industry = np.maximum(industries.get_indexer(cells), named.get_indexer(cells))
        if (as_commodity >= 0).sum() >= max(2, len(commodities) // 2):
            by_row, by_col, row_ids, col_ids = industries, commodities, named, None
            break
        if (as_industry >= 0).sum() >= max(2, len(industries) // 2):
            by_row, by_col, row_ids, col_ids = commodities, industries, None, named
            break
    else:
        raise _fail(grid, "no header row naming the use table's commodities or industries: "
                    "expected the make table (industries by commodities) or a supply table "
                    "(commodities by industries) of the same codes or names")
    header = [str(c) for c in grid.cells[head]]
    columns = np.maximum(by_col.get_indexer(header),
                         col_ids.get_indexer(header) if col_ids is not None else -1)
    labels = pd.Index([str(c) for c in grid.cells[:, 0]])
    rows = np.maximum(by_row.get_indexer(labels),
                      row_ids.get_indexer(labels) if row_ids is not None else -1)
    rows[:head + 1] = -1
    for kind, found, size, ids in (("row", rows, len(by_row), by_row),
                                   ("column", columns, len(by_col), by_col)):
        missing = np.setdiff1d(np.arange(size), found[found >= 0])
        if len(missing) and ids is industries:
            raise _fail(grid, f"no {kind} for this industry of the use table", None, None,
                        str(ids[missing[0]]))
    issues = IssueList()
    take_rows, take_cols = np.flatnonzero(rows >= 0), np.flatnonzero(columns >= 0)
    values = numbers(grid, take_rows, take_cols, [header[j] for j in take_cols], issues)
    if issues:
        raise ScenarioError(issues.issues, issues.overflow, source=SOURCE)
    _refuse_negative(grid, values, [grid.where(i) for i in take_rows],
                     [header[j] for j in take_cols], "make (output)")
    V = np.zeros((len(by_row), len(by_col)))
    np.add.at(V, (rows[take_rows][:, None], columns[take_cols][None, :]), values)
    return V if by_row is industries else V.T


def read_bea_use_make(use: Path, make: Path, model: str = "industry", sheet: str | None = None,
                      make_sheet: str | None = None, unit: str = "millions of dollars"
                      ) -> IOTable:
    """Use and make tables under the industry-technology assumption: B = s∘U / g (the
    domestic share s of each commodity's recorded use, as for the use table alone), market
    shares D = V / q (q = Σ_i V_ic, each commodity's domestic output);
    ``industry``: A = D B, targets D (s∘e), gross outputs g; ``commodity``: A = B D, targets
    s∘e, gross outputs q; value added and imported inputs per unit of output (per commodity:
    through D). Negative requirements (a commodity such as scrap sold back) are refused."""
    u = _parse_use(use, sheet)
    grid, industries = u.grid, u.industries
    coded = u.coded
    n = len(industries)
    names = ([str(grid.cells[i, 1]) for i in u.commodity_rows][:n] if coded
             else u.row_labels[:n])
    V = _make_matrix(make, make_sheet, u, names)  # (industries, commodities)
    q = V.sum(axis=0)
    g = u.output
    recorded = u.use.sum(axis=1) + u.final
    share = np.where(recorded > 0, q / np.where(recorded > 0, recorded, 1.0), 0.0)
    wanted = np.where(recorded > 0, share * u.final, q)  # (commodities,)
    safe_g = np.where(g > 0, g, 1.0)
    B = share[:, None] * u.use / safe_g[None, :]
    imports = (np.maximum(1.0 - share, 0.0)[:, None] * u.use).sum(axis=0) / safe_g
    D = V / np.where(q > 0, q, 1.0)[None, :]
    value = u.value / safe_g  # per unit of industry output
    if model == "industry":
        A, y, x, sectors, labels = D @ B, D @ wanted, g, industries, names
        per_unit = {"value_added": value, "imports": imports}
    else:
        A, y, x, sectors, labels = B @ D, wanted, q, u.row_labels, u.row_labels
        per_unit = {"value_added": value @ D, "imports": imports @ D}
    bad = np.argwhere(A < -1e-12)
    if len(bad):
        i, j = bad[0]
        raise _fail(grid, f"under the industry-technology assumption {sectors[j]} needs "
                    f"{A[i, j]:.3g} of {sectors[i]} per unit: a negative requirement (a "
                    "commodity sold back, such as scrap); amounts are zero or more",
                    value=str(sectors[i]))
    if (y < -1e-9 * max(float(np.abs(y).max(initial=0.0)), 1.0)).any():
        i = int(np.argmin(y))
        raise _fail(grid, "a negative target under the industry-technology assumption",
                    value=str(sectors[i]))
    A, y = np.maximum(A, 0.0), np.maximum(y, 0.0)
    rows, cols = np.nonzero(A * (x > 0)[None, :])
    factors = tuple(Factor(f, f.replace("_", " "), unit, per_unit[f] * x)
                    for f in ("value_added", "imports") if (per_unit[f] * x).any())
    return IOTable(regions=["economy"], sectors=list(sectors), units=[unit] * len(sectors),
                   coefficient_row=rows.astype(np.int64), coefficient_col=cols.astype(np.int64),
                   coefficient=A[rows, cols], output=x, final=y[:, None], factors=factors,
                   names=list(labels))
