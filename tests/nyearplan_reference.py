"""An independent builder of the linear program that Cockshott's ``nyearplan`` writes.

``nyearplan`` (GitHub wc22m/5yearplan, plancode/planning/nyearplan.java) prints an lp_solve
model from four CSV tables. This module builds the same model, variable for variable and
row for row, as sparse matrices handed straight to HiGHS, so that tests can compare the
optimum of ``sovnarkhoz plan`` on an imported scenario with the original formulation. It
shares no code with :mod:`sovnarkhoz.scenario.fiveyear` (its own small CSV reader included).

The model, for years y = 1..Y, industries p and goods i (all variables >= 0, lp_solve's
default), with F the flow table, L its labour row, Q its output row, C the capital table,
D the depreciation table, T the targets and S the labour supplies:

    maximise  Σ_y target_y
    output_yp <= (Q_p / C_ip) cap_ypi                      for C_ip != 0
    output_yp <= (Q_p / F_ip) flow_ypi                     for F_ip != 0
    dep_ypi    = D_ip cap_ypi
    cap_1pi   <= C_ip;   cap_ypi <= cap_(y-1)pi + acc_(y-1)pi - dep_(y-1)pi   (y > 1)
    output_yp <= (Q_p / L_p) labour_yp                     for Q_p != 0 (L_p = 0: no row)
    labour_y  >= Σ_p labour_yp;   labour_y <= S_y
    accum_yp  >= Σ_i acc_yip          (good p set aside as stock for every industry i)
    prodcons_yp >= Σ_i flow_yip       (good p used up as input by every industry i)
    final_yp  <= output_yp - accum_yp - prodcons_yp
    target_y  <= final_yp / T_yp                           for T_yp > 0

(``nyearplan`` writes L_p = 0 as an infinite coefficient; here that row is left out, which is
what an infinite coefficient would mean.)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp


@dataclass
class NYearData:
    """The four tables as arrays; industries in the flow table's column order."""

    flows: np.ndarray  # (n, n): input i (row) used by industry p (column)
    labour: np.ndarray  # (n,)
    output: np.ndarray  # (n,)
    capital: np.ndarray  # (n, n): stock of good i held by industry p
    depreciation: np.ndarray  # (n, n)
    targets: np.ndarray  # (Y, n)
    supply: np.ndarray  # (Y,)


def _table(path: Path) -> tuple[list[str], dict[str, list[float]], list[list[float]]]:
    """Header names, rows by label and rows in order, of one 5yearplan CSV file."""
    with Path(path).open(newline="") as handle:
        rows = [[c.strip() for c in r] for r in csv.reader(handle) if any(c.strip() for c in r)]
    header = rows[0][1:]
    values = [[float(c) if c else 0.0 for c in r[1:len(header) + 1]] for r in rows[1:]]
    return header, {r[0]: v for r, v in zip(rows[1:], values, strict=True)}, values


def read_nyear(flows: Path, capital: Path, depreciation: Path, targets: Path) -> NYearData:
    """The four files (assumed well formed) as :class:`NYearData`."""
    names, flow_rows, _ = _table(flows)
    _, cap_rows, _ = _table(capital)
    _, dep_rows, _ = _table(depreciation)
    _, _, target_rows = _table(targets)
    n = len(names)
    years = np.array(target_rows)
    return NYearData(
        flows=np.array([flow_rows[name] for name in names]),
        labour=np.array(flow_rows["labour"]),
        output=np.array(flow_rows["output"]),
        capital=np.array([cap_rows[name] for name in names]),
        depreciation=np.array([dep_rows[name] for name in names]),
        targets=years[:, :n],
        supply=years[:, n],
    )


@dataclass
class NYearSolution:
    status: str
    objective: float
    fulfilment: np.ndarray  # (Y,) target_y
    output: np.ndarray  # (Y, n)


def solve_nyear(data: NYearData) -> NYearSolution:
    """Build ``nyearplan``'s LP for ``data`` and solve it with HiGHS."""
    n = len(data.output)
    years = len(data.supply)
    Y, N = years, n
    # variable blocks: (name, shape)
    shapes = {"out": (Y, N), "flow": (Y, N, N), "cap": (Y, N, N), "dep": (Y, N, N),
              "acc": (Y, N, N), "accum": (Y, N), "lab": (Y, N), "laby": (Y,),
              "prod": (Y, N), "final": (Y, N), "target": (Y,)}
    start, index = 0, {}
    for name, shape in shapes.items():
        size = int(np.prod(shape))
        index[name] = np.arange(start, start + size).reshape(shape)
        start += size
    num_cols = start
    upper = np.full(num_cols, np.inf)
    upper[index["cap"][0]] = data.capital.T  # cap[0, p, i] <= C[i, p]
    upper[index["laby"]] = data.supply

    rows, cols, vals, lo, hi = [], [], [], [], []
    count = 0

    def add(row_cols: np.ndarray, row_vals: np.ndarray, low: float, high: float) -> None:
        """Rows r = 0..m-1, entry k of row r at column row_cols[r, k] with row_vals[r, k]."""
        nonlocal count
        m, k = row_cols.shape
        rows.append(np.repeat(count + np.arange(m), k))
        cols.append(row_cols.ravel())
        vals.append(np.broadcast_to(row_vals, (m, k)).ravel())
        lo.append(np.full(m, low))
        hi.append(np.full(m, high))
        count += m

    def pair(a: np.ndarray, b: np.ndarray, coef_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows a - coef_b * b (one row per element)."""
        a, b, coef_b = a.ravel(), b.ravel(), np.broadcast_to(coef_b, a.shape).ravel()
        return np.stack([a, b], 1), np.stack([np.ones(len(a)), -coef_b], 1)

    y_idx, p_idx, i_idx = np.meshgrid(np.arange(Y), np.arange(N), np.arange(N), indexing="ij")
    q = data.output[p_idx]
    # output <= (Q/C) cap and output <= (Q/F) flow, where C, F are not 0
    for table, block in ((data.capital, "cap"), (data.flows, "flow")):
        coef = table[i_idx, p_idx]
        mask = coef != 0
        add(*pair(index["out"][y_idx[mask], p_idx[mask]], index[block][mask],
                  q[mask] / coef[mask]), -np.inf, 0.0)
    # dep = D cap
    add(*pair(index["dep"], index["cap"], data.depreciation[i_idx, p_idx]), 0.0, 0.0)
    # cap_y - cap_(y-1) - acc_(y-1) + dep_(y-1) <= 0
    if Y > 1:
        m = (Y - 1) * N * N
        add(np.stack([index["cap"][1:].ravel(), index["cap"][:-1].ravel(),
                      index["acc"][:-1].ravel(), index["dep"][:-1].ravel()], 1),
            np.tile([1.0, -1.0, -1.0, 1.0], (m, 1)), -np.inf, 0.0)
    # output <= (Q/L) labour, for Q != 0 and L != 0
    yy, pp = np.meshgrid(np.arange(Y), np.arange(N), indexing="ij")
    mask = (data.output[pp] != 0) & (data.labour[pp] != 0)
    add(*pair(index["out"][mask], index["lab"][mask],
              data.output[pp][mask] / data.labour[pp][mask]), -np.inf, 0.0)
    # laby - sum_p lab_p >= 0;  accum_p - sum_i acc[i, p] >= 0;  prod_p - sum_i flow[i, p] >= 0
    add(np.concatenate([index["laby"][:, None], index["lab"]], 1),
        np.concatenate([[1.0], -np.ones(N)])[None, :], 0.0, np.inf)
    for total, parts in (("accum", "acc"), ("prod", "flow")):
        by_good = np.swapaxes(index[parts], 1, 2).reshape(Y * N, N)  # row (y, p): [y, i, p]
        add(np.concatenate([index[total].reshape(-1, 1), by_good], 1),
            np.concatenate([[1.0], -np.ones(N)])[None, :], 0.0, np.inf)
    # final - out + accum + prod <= 0
    add(np.stack([index["final"].ravel(), index["out"].ravel(), index["accum"].ravel(),
                  index["prod"].ravel()], 1), np.array([[1.0, -1.0, 1.0, 1.0]]), -np.inf, 0.0)
    # target_y <= final_yp / T_yp, for T_yp > 0
    mask = data.targets > 0
    add(*pair(index["target"][yy[mask]], index["final"][mask], 1.0 / data.targets[mask]),
        -np.inf, 0.0)

    matrix = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                           shape=(count, num_cols))
    matrix.sum_duplicates()
    cost = np.zeros(num_cols)
    cost[index["target"]] = 1.0

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = num_cols, count
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(num_cols)
    lp.col_upper_ = upper
    lp.row_lower_ = np.concatenate(lo)
    lp.row_upper_ = np.concatenate(hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = num_cols, count
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return NYearSolution(highs.modelStatusToString(status), float("nan"),
                             np.full(Y, np.nan), np.full((Y, N), np.nan))
    x = np.asarray(highs.getSolution().col_value)
    return NYearSolution("optimal", float(highs.getInfo().objective_function_value),
                         x[index["target"]], x[index["out"]])
