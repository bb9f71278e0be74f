"""Deciding whether a share λ can reach 1 (earliest, explain) with an exact and a first-order
solver: the hand economies' answers, the pdlp answers against HiGHS's, and the refinement of
a first-order answer that lies too near 1 to tell (a scripted solver)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pytest
import scipy.sparse as sp

from sovnarkhoz.cli import main
from sovnarkhoz.horizon import earliest, explain
from sovnarkhoz.solvers import SolverOptions, SolverResult, Status
from sovnarkhoz.solvers.highs import HighsSolver
from sovnarkhoz.solvers.problem import LPData
from sovnarkhoz.solvers.reach import MET, margin, reach

CPU = SolverOptions(device="cpu")


def capped(bound: float) -> LPData:
    """max λ s.t. λ - 2 μ <= 0, μ <= bound / 2: the best λ is min(1, bound)."""
    return LPData(c=np.zeros(2), A=sp.csr_matrix(np.array([[1.0, -2.0]])),
                  row_lower=np.array([-np.inf]), row_upper=np.array([0.0]),
                  col_lower=np.zeros(2), col_upper=np.array([np.inf, bound / 2]))


@pytest.mark.parametrize("bound, reached", [(0.6, False), (1.0, True), (3.0, True),
                                            (1 - 1e-9, True), (1 - 1e-6, False)])
def test_highs_decides_exactly(bound, reached):
    answer = reach(capped(bound), 0, HighsSolver())
    assert answer.reached is reached
    assert answer.level == pytest.approx(min(bound, 1.0), abs=1e-7)  # HiGHS: 1e-7
    assert answer.tolerance == 0.0 and answer.solves == 1
    assert MET == 1 - 1e-7


@dataclass
class Scripted:
    """A first-order solver whose answer depends on the tolerance asked: (level, dual bound)
    per tolerance; records the tolerances and warm starts it was given."""

    answers: dict[float, tuple[float, float]]
    name: str = "scripted"
    asked: list[float] = field(default_factory=list)
    warm: list[bool] = field(default_factory=list)

    def solve(self, lp, options, start=None):
        self.asked.append(options.tolerance)
        self.warm.append(start is not None)
        level, bound = self.answers[options.tolerance]
        return SolverResult(status=Status.OPTIMAL, message="scripted", solver=self.name,
                            x=np.array([level, level / 2]),
                            objective=-level, dual_objective=-bound)


def test_first_order_answer_near_one_is_refined():
    # at 1e-6 the point says 0.9998 but the bound 1.0: undecided; at 1e-8 the point reaches
    # 1 - 5e-8, within the margin
    solver = Scripted({1e-6: (0.9998, 1.0), 1e-8: (1 - 5e-8, 1.0)})
    answer = reach(capped(1.0), 0, solver)
    assert answer.reached and answer.tolerance == 1e-8 and answer.solves == 2
    assert solver.asked == [1e-6, 1e-8] and solver.warm == [False, True]
    # the bound rules 1 out at once: no refinement
    solver = Scripted({1e-6: (0.9, 0.9001)})
    answer = reach(capped(1.0), 0, solver)
    assert not answer.reached and answer.upper == pytest.approx(0.9001)
    assert answer.solves == 1
    # never decided: at the finest tolerance the point's level is the answer
    solver = Scripted({1e-6: (0.999, 1.0), 1e-8: (0.999, 1.0), 1e-9: (0.999, 1.0)})
    answer = reach(capped(1.0), 0, solver)
    assert not answer.reached and solver.asked == [1e-6, 1e-8, 1e-9]
    assert margin(1e-6) == pytest.approx(1e-5) and margin(1e-12) == pytest.approx(1e-7)


def test_pdlp_earliest_agrees_with_highs():
    pytest.importorskip("torch")
    from test_horizon import generated_horizon, tiny

    for scenario in (tiny(), generated_horizon(years=4)[1]):
        exact = earliest(scenario)
        first_order = earliest(scenario, options=CPU, solver="pdlp")
        assert first_order.year == exact.year
        assert first_order.best.keys() == exact.best.keys()
        for year, level in exact.best.items():
            assert first_order.best[year] == pytest.approx(level, abs=1e-5)
        assert first_order.solver == "pdlp" and 0 < first_order.tolerance <= 1e-6
        if exact.year is not None:  # the year's plan, checked against the scenario
            assert 0 <= first_order.violation <= 1e-5
    assert exact.solver == "highs" and exact.tolerance == 0


def test_pdlp_explain_names_the_same_constraints():
    pytest.importorskip("torch")
    from test_explain import exact_conflict_cases

    for _, scenario, kinds in exact_conflict_cases():
        exact = explain(scenario)
        first_order = explain(scenario, CPU, solver="pdlp")
        assert not first_order.feasible
        assert {m["kind"] for m in first_order.constraints} == kinds
        assert sorted(first_order.sentences) == sorted(exact.sentences)
        assert "(pdlp)" in first_order.method


def test_cli_solver_options(tmp_path, capsys):
    pytest.importorskip("torch")
    from test_horizon import _write, tiny

    directory = _write(tmp_path / "tiny", tiny())
    assert main(["earliest", str(directory), "--solver", "pdlp", "--device", "cpu",
                 "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "met in full in 1961" in out and "pdlp, relative KKT error 1e-06" in out
    saved = json.loads((tmp_path / "out" / "earliest.json").read_text())
    assert saved["earliest"] == 1961 and saved["solver"] == "pdlp"
    assert saved["tolerance"] == 1e-6 and saved["violation"] <= 1e-5
    assert main(["explain", str(directory), "--solver", "pdlp", "--device", "cpu"]) == 1
    assert "5 of steel is installed for farm in 1960" in capsys.readouterr().out
    assert main(["earliest", str(directory), "--tolerance", "2"]) == 2


def test_a_solver_out_of_time_ends_the_search_without_an_answer(tmp_path, capsys):
    # ussr1957's later cut LPs take seconds: 0.05 s per solve cannot reach 1970
    assert main(["earliest", "ussr1957", "--targets", "meat", "--solver", "highs",
                 "--time-limit", "0.05", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "no answer: earliest:" in out and "time_limit" in out
    saved = json.loads((tmp_path / "earliest.json").read_text())
    assert saved["earliest"] is None and "time_limit" in saved["stopped"]
    assert len(saved["best"]) < 14  # the years decided before the stop are kept
