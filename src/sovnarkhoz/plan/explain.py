"""Why the targets cannot be met in full: a minimal set of conflicting constraints, in words.

The scenario's targets are all required in full (every year of a multi-year scenario), with
no objective. Over a horizon the first year whose targets cannot be met (given the years
before it) is found first, by doubling and bisection over LPs of the horizon cut at a year
(a plan for first .. t holds for any earlier cut, so feasibility only fails from some year on):
the conflict is looked for in that cut LP alone, which is much smaller than the whole
horizon's when the trouble starts early. A conflict among the rows of first .. t is one of the
whole LP as well (investment for the years after t only takes output, and may be zero).
``solvers.iis`` then finds an irreducible infeasible subset (the Farkas ray's support,
minimised by QuickXplain). Each member is then said in a sentence
with its names, year and amounts. How much is missing comes from one more small LP over the
subset alone: the limits in it (factor supplies, link and technique capacities, installed
stock) may be exceeded at a cost of the excess relative to the limit, and the cheapest excess
is what the targets would need beyond each limit.

``solver`` (as for ``plan``): with ``pdlp`` (``auto``: on a GPU from 200,000 nonzeros) the
cut LPs are asked whether one share λ of every target can reach 1 (``solvers.reach``), and
the least Farkas certificate of the first conflicting one is found by pdlp too; HiGHS then
only sees the certificate's support (``solvers.iis``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..formulation import Levels, LinearProgram, Mode
from ..formulation.years import build_years
from ..scenario.model import Scenario
from ..solvers import SolverOptions, Status, get_solver, is_exact
from ..solvers.highs import HighsSolver
from ..solvers.iis import infeasible_subset
from ..solvers.problem import LPData
from ..solvers.reach import reach

LIMITS = ("factor", "link", "stock", "capacity")
"""Kinds of members that cap what can be had (the others say what is asked or how it flows)."""


@dataclass
class Explanation:
    """``feasible``: every target can be met in full (nothing to explain). Otherwise
    ``sentences`` say why, one per conflicting constraint, the shortfall first; ``constraints``
    list the members (kind, name, limit, needed, missing; ``row`` or ``column`` of the LP)."""

    feasible: bool
    sentences: list[str] = field(default_factory=list)
    constraints: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    method: str = ""
    solves: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"feasible": self.feasible, "sentences": self.sentences,
                "constraints": self.constraints, "seconds": round(self.seconds, 6),
                "method": self.method, "solves": self.solves}

    @property
    def exit_code(self) -> int:
        """0: nothing to explain; 1: the targets cannot be met, and this says why."""
        return 0 if self.feasible else 1


def explain(scenario: Scenario, options: SolverOptions | None = None,
            program: LinearProgram | None = None, solver: str = "auto") -> Explanation:
    """Explain why ``scenario``'s targets cannot all be met in full (any scenario), with
    ``solver`` (highs, pdlp or auto, as for ``plan``) on the large LPs."""
    started = time.perf_counter()
    scenario.check_weights("explain")
    options = options or SolverOptions()
    program = program or build_years(scenario, None)
    lp = program.data
    cut, solves = _first_conflict(scenario, program, options, solver)
    if cut is None:
        return Explanation(True, ["every target can be met in full; nothing to explain"],
                           seconds=time.perf_counter() - started, method="feasibility LP",
                           solves=solves)
    backend, _ = get_solver(solver, cut.data, options.device)
    subset = infeasible_subset(cut.data, options, backend, known_infeasible=True)
    if subset.feasible:  # the cut LP was infeasible a moment ago: numerical trouble
        raise RuntimeError("explain: the targets conflict, but HiGHS finds no conflict when "
                           "asked again")
    subset.rows = _renumber(cut.row_blocks, program.row_blocks, subset.rows)
    subset.cols = _renumber(cut.col_blocks, program.col_blocks, subset.cols)
    subset.solves += solves
    if cut.horizon.count < program.horizon.count:
        subset.method = f"first conflicting year {cut.horizon.last}; {subset.method}"
    members = [_describe_row(program, int(row)) for row in subset.rows]
    members += [_describe_column(scenario, program, int(col)) for col in subset.cols]
    _shortfalls(lp, subset.rows, subset.cols, members)
    order = sorted(range(len(members)), key=lambda i: (
        0 if members[i].get("missing", 0) > 0 else 1 if members[i]["kind"] == "target" else 2))
    members = [members[i] for i in order]
    sentences = [_sentence(scenario, program, m) for m in members]
    return Explanation(False, sentences, members, time.perf_counter() - started,
                       subset.method, subset.solves)


def _first_conflict(scenario: Scenario, program: LinearProgram, options: SolverOptions,
                    solver: str = "auto") -> tuple[LinearProgram | None, int]:
    """The LP of the horizon cut at the first year whose targets cannot all be met in full
    (None: every year's can), by doubling then bisection; and the LPs solved. HiGHS solves
    each cut's feasibility LP; a first-order solver instead maximises one share λ of every
    target of the cut, capped at 1 (infeasible when λ cannot reach 1): an inexact solver's
    infeasibility is not trusted on its own."""
    count = program.horizon.count
    cuts: dict[int, LinearProgram] = {count - 1: program}
    solves = 0

    def infeasible(t: int) -> bool:
        nonlocal solves
        if t not in cuts:
            cuts[t] = build_years(scenario, None, horizon=program.horizon.truncated(
                int(program.horizon.years[t])))
        data = cuts[t].data
        backend, _ = get_solver(solver, data, options.device)
        if not is_exact(backend):
            shared = build_years(scenario, None, horizon=cuts[t].horizon,
                                 mode=Mode(Levels.ONE))
            answer = reach(shared.data, shared.col_blocks["fulfilment"].start, backend,
                           options)
            solves += answer.solves
            return not answer.reached
        settings, _ = backend.settings_for(data, options)
        result = backend.solve(data, settings)
        solves += 1
        if result.status not in (Status.OPTIMAL, Status.INFEASIBLE):
            raise RuntimeError(f"explain: the feasibility LP ended {result.status.value} "
                               f"({result.message})")
        return result.status is Status.INFEASIBLE

    feasible, t = -1, 0  # the last cut known feasible; the next one to try
    while not infeasible(t):
        if t == count - 1:
            return None, solves
        feasible, t = t, min(2 * t + 1, count - 1)
    while t - feasible > 1:
        middle = (feasible + t) // 2
        if infeasible(middle):
            t = middle
        else:
            feasible = middle
    return cuts[t], solves


def _renumber(inner: dict, outer: dict, positions: np.ndarray) -> np.ndarray:
    """Positions in a cut LP's blocks as positions in the whole horizon's LP (each block is
    year-major, so a cut's block is the start of the whole one's)."""
    original = np.asarray(positions, dtype=np.int64)
    out = original.copy()
    for name, block in inner.items():
        inside = (original >= block.start) & (original < block.stop)
        out[inside] = original[inside] - block.start + outer[name].start
    return out


# --- what each member is ---------------------------------------------------------------------
def _block_of(blocks: dict, position: int) -> tuple[str, int]:
    for name, block in blocks.items():
        if block.start <= position < block.stop:
            return name, position - block.start
    raise IndexError(position)


def _label(program: LinearProgram, block, local: int, label: str) -> str:
    return str(program.ids[label][int(block.labels[label][local])])


def _describe_row(program: LinearProgram, row: int) -> dict[str, Any]:
    lp = program
    name, local = _block_of(lp.row_blocks, row)
    block = lp.row_blocks[name]
    member: dict[str, Any] = {"row": row, "name": lp.row_names(np.array([row]))[0],
                              "year": _year(program, block, local)}
    for label in block.labels:
        if label != "year":
            member[label] = _label(program, block, local, label)
    lower, upper = float(lp.data.row_lower[row]), float(lp.data.row_upper[row])
    if name == "balance":
        member["kind"] = "target" if lower > 0 else "balance"
        member["target"] = lower
    elif name == "factor":
        member.update(kind="factor", limit=upper)
    elif name == "link":
        member.update(kind="link", limit=upper)
    elif name == "capital":
        cap = program.layout.capital
        k = local % cap.size
        member.update(kind="capital", amount=float(cap.amount[k]))
    elif name == "stock":
        cap = program.layout.capital
        k = local % cap.size
        member.update(kind="stock", limit=lower, first=local < cap.size,
                      depreciation=float(cap.depreciation[k]))
    return member


def _describe_column(scenario: Scenario, program: LinearProgram, col: int) -> dict[str, Any]:
    lp = program
    name, local = _block_of(lp.col_blocks, col)
    block = lp.col_blocks[name]
    member: dict[str, Any] = {"column": col, "name": lp.col_names(np.array([col]))[0],
                              "kind": "capacity", "year": _year(program, block, local),
                              "limit": float(lp.data.col_upper[col])}
    if "technique" in block.labels:
        t = int(block.labels["technique"][local])
        e = scenario.economy
        member.update(technique=str(e.techniques[t]), region=str(e.regions[e.tech_region[t]]),
                      product=str(e.products[e.tech_product[t]]))
    return member


def _year(program: LinearProgram, block, local: int) -> int | None:
    if program.horizon is None or "year" not in block.labels or program.ids["year"].size == 0:
        return None
    if program.horizon.first == 0 and program.horizon.last == 0:  # a single-year scenario
        return None
    return int(program.horizon.years[int(block.labels["year"][local])])


# --- how much is missing ---------------------------------------------------------------------
def _shortfalls(lp: LPData, rows: np.ndarray, cols: np.ndarray,
                members: list[dict[str, Any]]) -> None:
    """Fill ``needed`` and ``missing`` of the limit members: the least excess over the limits
    (each relative to its limit) that makes the subset feasible."""
    used = np.unique(np.concatenate([lp.A[rows].indices, cols]).astype(np.int64))
    base = LPData(c=np.zeros(len(used)), A=lp.A[rows][:, used].tocsr(),
                  row_lower=lp.row_lower[rows], row_upper=lp.row_upper[rows],
                  col_lower=lp.col_lower[used], col_upper=np.full(len(used), np.inf))
    limit_rows = [i for i, m in enumerate(members[:len(rows)]) if m["kind"] in LIMITS]
    n_rows, n_cols = base.num_rows, base.num_cols
    extra = len(limit_rows) + len(cols)
    # rows: the subset's rows, then x_j - e_j <= capacity_j for the capacity columns
    col_pos = np.searchsorted(used, cols)
    A = sp.bmat([
        [base.A, sp.csr_matrix((-np.ones(len(limit_rows)),
                                (np.array(limit_rows, dtype=np.int64),
                                 np.arange(len(limit_rows)))), shape=(n_rows, extra))],
        [sp.csr_matrix((np.ones(len(cols)), (np.arange(len(cols)), col_pos)),
                       shape=(len(cols), n_cols)),
         sp.csr_matrix((-np.ones(len(cols)), (np.arange(len(cols)),
                                              len(limit_rows) + np.arange(len(cols)))),
                       shape=(len(cols), extra))],
    ], format="csr")
    limits = np.array([members[i].get("limit", 0.0) for i in limit_rows]
                      + [lp.col_upper[c] for c in cols], dtype=np.float64)
    c = np.concatenate([np.zeros(n_cols), 1.0 / (1.0 + np.abs(limits))])
    elastic = LPData(c=c, A=A,
                     row_lower=np.concatenate([base.row_lower, np.full(len(cols), -np.inf)]),
                     row_upper=np.concatenate([base.row_upper, lp.col_upper[cols]]),
                     col_lower=np.zeros(n_cols + extra),
                     col_upper=np.full(n_cols + extra, np.inf))
    result = HighsSolver().solve(elastic)
    if not result.has_solution:
        return
    excess = result.x[n_cols:]
    targets = [i for i in limit_rows] + [len(rows) + j for j in range(len(cols))]
    for position, member_index in enumerate(targets):
        member = members[member_index]
        member["missing"] = float(excess[position])
        member["needed"] = float(member["limit"] + excess[position])


# --- sentences -------------------------------------------------------------------------------
def _amount(value: float) -> str:
    return f"{value:,.4g}"


def _unit(scenario: Scenario, kind: str, what: str) -> str:
    table = scenario.tables["products" if kind == "product" else "factors"]
    if "unit" not in table.columns:
        return ""
    match = table.loc[table[kind] == what, "unit"]
    unit = str(match.iloc[0]) if len(match) else ""
    return f" {unit}" if unit and unit != "nan" else ""


def _when(member: dict[str, Any]) -> str:
    return f" in {member['year']}" if member.get("year") is not None else ""


def _short(member: dict[str, Any], unit: str) -> str:
    if member.get("missing", 0) > 1e-9:
        return (f"; the targets would need {_amount(member['needed'])}{unit} "
                f"({_amount(member['missing'])}{unit} missing)")
    return ""


def _sentence(scenario: Scenario, program: LinearProgram, m: dict[str, Any]) -> str:
    kind = m["kind"]
    when = _when(m)
    if kind == "target":
        unit = _unit(scenario, "product", m["product"])
        return f"{m['product']} in {m['region']}{when}: the target is {_amount(m['target'])}{unit}"
    if kind == "balance":
        return (f"{m['product']} used in {m['region']}{when} must be made there or shipped "
                "in that same year")
    if kind == "factor":
        unit = _unit(scenario, "factor", m["factor"])
        return (f"{m['factor']} in {m['region']}{when} supplies at most "
                f"{_amount(m['limit'])}{unit}{_short(m, unit)}")
    if kind == "link":
        return (f"the link {m['link']}{when} carries at most {_amount(m['limit'])}"
                f"{_short(m, '')}")
    if kind == "capacity":
        unit = _unit(scenario, "product", m.get("product", ""))
        return (f"technique {m.get('technique')} makes at most {_amount(m['limit'])}{unit} of "
                f"{m.get('product')} in {m.get('region')}{when}{_short(m, unit)}")
    if kind == "capital":
        unit = _unit(scenario, "product", m["product"])
        return (f"technique {m['technique']} needs {_amount(m['amount'])}{unit} of "
                f"{m['product']} installed per unit it makes{when}")
    if kind == "stock":
        unit = _unit(scenario, "product", m["product"])
        if m.get("first"):
            return (f"{_amount(m['limit'])}{unit} of {m['product']} is installed for "
                    f"{m['technique']}{when}{_short(m, unit)}")
        lag = program.horizon.lag
        return (f"{m['product']} installed for {m['technique']}{when} is what remains of the "
                f"year before after {m['depreciation']:.0%} wear, plus what was set aside "
                f"{lag} year{'s' if lag != 1 else ''} earlier{_short(m, unit)}")
    return m["name"]
