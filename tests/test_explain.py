"""Explanations of targets that cannot be met: exactly the conflicting constraints, each
needed (removing any one leaves the rest feasible), in sentences with amounts.

Hand case (one year): region kz, labour 10; a farm makes 1 meat from 2 labour; the target is
6 meat. 6 meat take 12 labour: the conflict is {the meat target, the labour supply}, and 2
labour is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from sovnarkhoz.formulation.years import build_years
from sovnarkhoz.plan.explain import explain
from sovnarkhoz.solvers import Status, solve
from sovnarkhoz.solvers.problem import LPData


def one_region(target: float = 6.0) -> sovnarkhoz.Scenario:
    return sovnarkhoz.Scenario.from_frames(
        name="farm",
        products=pd.DataFrame({"product": ["meat", "grain"], "unit": ["t", "t"]}),
        regions=pd.DataFrame({"region": ["kz"]}),
        factors=pd.DataFrame({"factor": ["labour", "land"], "unit": ["people", "ha"]}),
        techniques=pd.DataFrame({"technique": ["farm", "field"], "region": ["kz", "kz"],
                                 "product": ["meat", "grain"]}),
        inputs=pd.DataFrame({"technique": ["farm", "field"], "input": ["labour", "land"],
                             "amount": [2.0, 1.0]}),
        supplies=pd.DataFrame({"region": ["kz", "kz"], "factor": ["labour", "land"],
                               "amount": [10.0, 100.0]}),
        targets=pd.DataFrame({"region": ["kz", "kz"], "product": ["meat", "grain"],
                              "amount": [target, 5.0]}))


def relaxed(lp: LPData, member: dict) -> LPData:
    """``lp`` without one member of an explanation (a row made free, or a column's upper
    bound removed)."""
    row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
    col_upper = lp.col_upper.copy()
    if "row" in member:
        row_lower[member["row"]], row_upper[member["row"]] = -np.inf, np.inf
    else:
        col_upper[member["column"]] = np.inf
    return LPData(c=lp.c, A=lp.A, row_lower=row_lower, row_upper=row_upper,
                  col_lower=lp.col_lower, col_upper=col_upper)


def test_hand_case_sentences():
    answer = explain(one_region())
    assert not answer.feasible and answer.exit_code == 1
    assert answer.sentences == [
        "labour in kz supplies at most 10 people; the targets would need 12 people "
        "(2 people missing)",
        "meat in kz: the target is 6 t",
    ]
    assert explain(one_region(target=5.0)).feasible


def exact_conflict_cases():
    """Infeasible scenarios with one conflict each: a factor (one year), a capital stock
    (several years), a link capacity (two_regions with a capped link and a far target)."""
    yield "labour", one_region(), {"factor", "target"}
    from test_horizon import tiny

    one_conflict = pd.DataFrame({"region": ["kz", "kz"], "product": ["meat", "meat"],
                                 "amount": [9.0, 5.0], "year": [1960.0, 1961.0]})
    yield "stock", tiny(targets=one_conflict), {"stock", "capital", "target"}
    base = sovnarkhoz.load_scenario(sovnarkhoz.bundled("two_regions"))
    tables = dict(base.tables)
    tables["techniques"] = tables["techniques"][tables["techniques"]["technique"]
                                                != "south_grain"]
    tables["inputs"] = tables["inputs"][tables["inputs"]["technique"] != "south_grain"]
    tables["links"] = tables["links"].assign(capacity=[5.0, 5.0])
    tables["targets"] = tables["targets"].assign(amount=[1.0, 1.0, 20.0, 1.0])
    yield "link", sovnarkhoz.Scenario.from_frames(name="capped", **tables), {
        "link", "target"}


@pytest.mark.parametrize("case", list(exact_conflict_cases()), ids=lambda c: c[0])
def test_each_member_is_needed(case):
    _, scenario, kinds = case
    program = build_years(scenario, None)
    lp = program.lp.data
    assert solve(lp, "highs").status is Status.INFEASIBLE
    answer = explain(scenario, program=program)
    assert not answer.feasible
    assert {m["kind"] for m in answer.constraints} == kinds
    assert len(answer.sentences) == len(answer.constraints)
    for member in answer.constraints:  # drop any one: the whole scenario becomes feasible
        assert solve(relaxed(lp, member), "highs").status is Status.OPTIMAL, member["name"]
    shortfalls = [m["missing"] for m in answer.constraints if "missing" in m]
    assert shortfalls and max(shortfalls) > 0


def test_link_case_amounts():
    """South needs 20 grain, made only in the North; the link carries at most 5 and loses
    10%: 4.5 arrive. To land 20, 20/0.9 = 22.22 must be sent: 17.22 missing on the link."""
    _, scenario, _ = list(exact_conflict_cases())[2]
    answer = explain(scenario)
    link = next(m for m in answer.constraints if m["kind"] == "link")
    assert link["limit"] == pytest.approx(5.0)
    assert link["needed"] == pytest.approx(20 / 0.9)
    assert link["missing"] == pytest.approx(20 / 0.9 - 5)


def test_a_conflict_in_a_later_year_is_found_in_that_year():
    """tiny over 1960-1965, 5 meat a year but 12 in 1962: 12 meat take 12 labour of the 10
    there are (the farm's steel can be built up to 15 by then). The first conflicting year is
    1962 (doubling finds 1963 infeasible, bisection 1962); the members are named in the whole
    horizon's LP, and dropping either makes the whole scenario feasible."""
    from test_horizon import tiny

    targets = pd.DataFrame({"region": ["kz", "kz"], "product": ["meat", "meat"],
                            "amount": [5.0, 12.0], "year": [np.nan, 1962.0]})
    scenario = tiny(last=1965, targets=targets)
    program = build_years(scenario, None)
    answer = explain(scenario, program=program)
    assert not answer.feasible
    assert answer.method.startswith("first conflicting year 1962")
    names = {m["name"] for m in answer.constraints}
    assert names == {"factor[kz,labour,1962]", "balance[kz,meat,1962]"}
    labour = next(m for m in answer.constraints if m["kind"] == "factor")
    assert labour["missing"] == pytest.approx(2.0)
    for member in answer.constraints:
        relaxed_lp = relaxed(program.lp.data, member)
        assert solve(relaxed_lp, "highs").status is Status.OPTIMAL, member["name"]


def _two_conflicts() -> tuple[LPData, tuple[set, set]]:
    """60 rows over 60 columns: two conflicts, {x0 >= 2, x0 <= 1} and {x1 + x2 >= 5,
    x1 <= 1, x2 <= 1}, among 55 loose rows x_j <= 10. Whatever the start, the answer must be
    one of the two conflicts, found in far fewer LPs than one per row."""
    import scipy.sparse as sp

    n = 60
    rows = [[0], [0], [1, 2], [1], [2]] + [[j] for j in range(5, n)]
    lower = [2.0, -np.inf, 5.0, -np.inf, -np.inf] + [-np.inf] * (n - 5)
    upper = [np.inf, 1.0, np.inf, 1.0, 1.0] + [10.0] * (n - 5)
    A = sp.csr_matrix((np.ones(sum(len(r) for r in rows)),
                       (np.repeat(np.arange(len(rows)), [len(r) for r in rows]),
                        np.concatenate(rows))), shape=(len(rows), n))
    lp = LPData(c=np.zeros(n), A=A, row_lower=np.array(lower), row_upper=np.array(upper),
                col_lower=np.zeros(n), col_upper=np.full(n, np.inf))
    return lp, ({0, 1}, {2, 3, 4})


def test_quickxplain_finds_an_irreducible_conflict_in_few_solves():
    from sovnarkhoz.solvers.iis import _quickxplain, infeasible_subset
    from sovnarkhoz.solvers.options import SolverOptions

    lp, conflicts = _two_conflicts()
    found, _, solves = _quickxplain(lp, np.arange(lp.num_rows), np.zeros(0, np.int64),
                                    SolverOptions())
    assert set(found.tolist()) in conflicts
    assert solves <= 20
    subset = infeasible_subset(lp)
    assert set(subset.rows.tolist()) in conflicts and subset.cols.size == 0
    assert subset.method == "least Farkas certificate + QuickXplain"


def test_without_a_certificate_the_dual_ray_is_the_start(monkeypatch):
    from sovnarkhoz.solvers import iis

    lp, conflicts = _two_conflicts()
    monkeypatch.setattr(iis, "_sparse_certificate", lambda *args, **kwargs: None)
    subset = iis.infeasible_subset(lp)
    assert subset.method in ("Farkas ray + QuickXplain", "HiGHS IIS + QuickXplain")
    assert set(subset.rows.tolist()) in conflicts
