"""max-harmony: Cockshott's objective of diminishing returns, planned to a proven optimum.

Hand derivations: one region, products a and b made from labour alone (1 and 2 units of
labour a unit), targets 2 and 2. Maximise w_a H(x_a / 2) + w_b H(x_b / 2) subject to
x_a + 2 x_b <= L. At the optimum w_a H'(s_a) / 2 = μ and w_b H'(s_b) / 2 = 2 μ (μ the
labour price), with H'(s) = 1/s above the target and 2 - s below it.

Harmony is flat at its top: a plan within δ of the optimal harmony may have shares about √δ
from the optimal ones. The planner proves the harmony to 1e-10 relative (the tangent planes'
gap, and the independent bound from the plan's prices); shares and prices are therefore
checked to 1e-4 relative, the harmony itself to 1e-9.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from sovnarkhoz.cli import main as cli_main
from sovnarkhoz.councils import plan_by_councils
from sovnarkhoz.plan.verify import verify
from sovnarkhoz.scenario.objectives import Harmony
from sovnarkhoz.solvers.tangents import Tangents

DATA = Path(__file__).parent / "data" / "harmony"


def _two_products(labour: float, weight_b: float = 1.0) -> sovnarkhoz.Scenario:
    return sovnarkhoz.Scenario.from_frames(
        name="harmony_by_hand",
        products=pd.DataFrame({"product": ["a", "b"]}),
        regions=pd.DataFrame({"region": ["r"]}),
        factors=pd.DataFrame({"factor": ["labour"]}),
        techniques=pd.DataFrame({"technique": ["make_a", "make_b"], "region": ["r", "r"],
                                 "product": ["a", "b"]}),
        inputs=pd.DataFrame({"technique": ["make_a", "make_b"], "input": ["labour", "labour"],
                             "amount": [1.0, 2.0]}),
        supplies=pd.DataFrame({"region": ["r"], "factor": ["labour"], "amount": [labour]}),
        targets=pd.DataFrame({"region": ["r", "r"], "product": ["a", "b"],
                              "amount": [2.0, 2.0], "weight": [1.0, weight_b]}),
    )


def _shares(plan) -> dict[str, float]:
    table = plan.tables["fulfilment"]
    return dict(zip(table["product"], table["fulfilment"], strict=True))


def test_harmony_function_and_its_conjugate():
    s = np.array([0.0, 0.5, 1.0, 2.0, math.e])
    np.testing.assert_allclose(Harmony.value(s), [-1.5, -0.625, 0.0, math.log(2), 1.0])
    np.testing.assert_allclose(Harmony.slope(s), [2.0, 1.5, 1.0, 0.5, 1 / math.e])
    # the conjugate is the best of H(s) - r s over a fine grid of s
    grid = np.linspace(0.0, 50.0, 500_001)
    for r in (0.1, 0.5, 1.0, 1.3, 1.9, 2.0, 3.0):
        assert Harmony.best_against(np.array([r]))[0] == pytest.approx(
            float(np.max(Harmony.value(grid) - r * grid)), abs=1e-8)
    assert Harmony.best_against(np.array([0.0]))[0] == np.inf


def test_surplus_by_hand():
    """L = 10: 1/s_b = 2/s_a, 2 s_a + 4 s_b = 10: s_a = 2.5, s_b = 1.25; harmony ln 3.125;
    prices a 0.2, b 0.4, labour 0.2."""
    plan = sovnarkhoz.make_plan(_two_products(10.0), "max-harmony")
    assert plan.status == "optimal" and plan.verification.proven_optimal
    shares = _shares(plan)
    assert shares["a"] == pytest.approx(2.5, rel=1e-4)
    assert shares["b"] == pytest.approx(1.25, rel=1e-4)
    assert plan.objective_value == pytest.approx(math.log(3.125), rel=1e-9)
    prices = dict(zip(plan.tables["prices"]["product"], plan.tables["prices"]["price"],
                      strict=True))
    assert prices["a"] == pytest.approx(0.2, rel=1e-3)
    assert prices["b"] == pytest.approx(0.4, rel=1e-3)
    assert plan.tables["factors"]["price"].iat[0] == pytest.approx(0.2, rel=1e-3)
    assert plan.verification.optimality.gap < 1e-8


def test_shortfall_by_hand():
    """L = 4: 2 - s_b = 2/s_a and s_a = 2 - 2 s_b give s_b = (3 - √5)/2, s_a = √5 - 1."""
    plan = sovnarkhoz.make_plan(_two_products(4.0), "max-harmony")
    assert plan.status == "optimal"
    s_b = (3 - math.sqrt(5)) / 2
    s_a = math.sqrt(5) - 1
    shares = _shares(plan)
    assert shares["a"] == pytest.approx(s_a, rel=1e-4)
    assert shares["b"] == pytest.approx(s_b, rel=1e-4)
    expected = math.log(s_a) + (s_b - 1) - (s_b - 1) ** 2 / 2
    assert plan.objective_value == pytest.approx(expected, rel=1e-9)


def test_weights_by_hand():
    """w_b = 3, L = 10: 3/s_b = 2/s_a, 2 s_a + 4 s_b = 10: s_b = 1.875, s_a = 1.25."""
    plan = sovnarkhoz.make_plan(_two_products(10.0, weight_b=3.0), "max-harmony")
    shares = _shares(plan)
    assert shares["a"] == pytest.approx(1.25, rel=1e-4)
    assert shares["b"] == pytest.approx(1.875, rel=1e-4)
    assert plan.objective_value == pytest.approx(math.log(1.25) + 3 * math.log(1.875),
                                                 rel=1e-9)


def _harmony_of(plan, scenario) -> float:
    """Σ weight · H(share) of any plan's fulfilment table."""
    table = plan.tables["fulfilment"]
    targets = scenario.tables["targets"]
    weight = (targets["weight"].fillna(1.0).to_numpy() if "weight" in targets.columns
              else np.ones(len(targets)))
    return float(np.sum(weight * Harmony.value(table["fulfilment"].to_numpy())))


def test_harmony_beats_every_other_objective_in_harmony(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    best = sovnarkhoz.make_plan(scenario, "max-harmony")
    assert best.status == "optimal"
    assert _harmony_of(best, scenario) == pytest.approx(best.objective_value, rel=1e-9)
    for other in ("max-fulfilment", "min-factor:labour"):
        plan = sovnarkhoz.make_plan(scenario, other)
        assert _harmony_of(plan, scenario) <= best.objective_value + 1e-9


def _cockshott(tmp_path: Path) -> Path:
    out = tmp_path / "harmony_test"
    code = cli_main([
        "import", "5yearplan", *(str(DATA / f) for f in ("testflow.csv", "testcap.csv",
                                                          "testdep.csv", "testtarg.csv")),
        "--out", str(out), "--objective", "max-harmony"])
    assert code == 0
    return out


def test_cockshotts_test_files_planned_to_the_proven_optimum(tmp_path):
    """His harmonyplan reports a total harmony of 2.28807 on these files; the optimum of the
    same model is 4.4996871716, proven by the plan's prices; and his plan (result.csv's outputs,
    nothing set aside) is feasible in our model with his harmony."""
    scenario = sovnarkhoz.load_scenario(_cockshott(tmp_path))
    plan = sovnarkhoz.make_plan(scenario)
    assert plan.objective == "max-harmony" and plan.status == "optimal"
    assert plan.objective_value == pytest.approx(4.4996871716, rel=1e-8)
    assert plan.verification.optimality.gap < 1e-8
    # his plan, read off result.csv: gross outputs of P0..P3 in years 1 and 2
    his = {1: [1.96191, 8.95213, 9.40367, 10.10954], 2: [1.82459, 9.03698, 9.41843, 10.10473]}
    activities = pd.DataFrame([{"technique": f"make_P{i}", "year": y, "level": level}
                               for y, levels in his.items() for i, level in enumerate(levels)])
    empty = pd.DataFrame({"origin": [], "destination": [], "product": [], "year": [],
                          "sent": []})
    investment = scenario.tables["capital"][["technique", "good"]].assign(year=1, amount=0.0)
    stocks = pd.concat([scenario.tables["capital"][["technique", "good"]].assign(
        year=y, installed=scenario.tables["capital"]["stock"] * 0.93 ** (y - 1))
        for y in (1, 2)])
    check = verify(scenario.tables, activities, empty, np.zeros(2), tolerance=1e-6,
                   horizon=scenario.horizon, investment=investment, stocks=stocks)
    assert check.passed, check.worst
    targets = scenario.tables["targets"]
    wanted = targets.sort_values(["year", "product"])["amount"].to_numpy().reshape(2, 4)
    his_harmony = float(np.sum(Harmony.value(check.delivered / wanted)))
    assert his_harmony == pytest.approx(2.28807, abs=2e-4)
    assert plan.objective_value > his_harmony


def test_tangent_rows_lie_on_the_function():
    """A tangent row at share a holds h <= H(a) + H'(a)(s - a): equality at s = a."""
    t = Tangents(share=np.array([0, 1]), value=np.array([2, 3]), weight=np.ones(2),
                 function=Harmony)
    A, upper = t.rows(np.array([0, 1]), np.array([0.5, 3.0]), 4)
    x = np.array([0.5, 3.0, *Harmony.value(np.array([0.5, 3.0]))])
    np.testing.assert_allclose(A @ x, upper)


def test_councils_refuse_harmony(bundled_scenario):
    with pytest.raises(ValueError, match="councils plan LPs, not max-harmony"):
        plan_by_councils(bundled_scenario("two_regions"), "territorial",
                                    objective="max-harmony")


def test_cli_plans_harmony(tmp_path, bundled_scenario):
    out = tmp_path / "out"
    code = cli_main(["plan", "two_regions", "--objective", "max-harmony",
                                "--out", str(out), "--quiet"])
    assert code == 0
    import json
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["verification"]["gap"] < 1e-8
    shutil.rmtree(out)


@pytest.fixture
def by_tangent_planes(monkeypatch):
    """Plan harmony by LPs of tangent planes (HiGHS) instead of Clarabel's cones."""
    from sovnarkhoz.plan import planner

    monkeypatch.setattr(planner, "_by_cones", lambda backend: False)


def test_tangent_planes_reach_the_hand_optimum(by_tangent_planes):
    plan = sovnarkhoz.make_plan(_two_products(10.0), "max-harmony")
    assert plan.status == "optimal" and "tangent planes" in plan.solver_choice
    assert plan.objective_value == pytest.approx(math.log(3.125), rel=1e-9)
    assert plan.solve.solver_details["tangent_gap"] <= 1e-10 or (
        plan.verification.optimality.gap < 1e-9)


def test_two_methods_agree_on_cockshotts_files(tmp_path, by_tangent_planes):
    """An independent solve of the same model: LPs of tangent planes by HiGHS give the
    optimum the conic program gives (4.4996871716)."""
    scenario = sovnarkhoz.load_scenario(_cockshott(tmp_path))
    plan = sovnarkhoz.make_plan(scenario)
    assert plan.status == "optimal" and "tangent planes" in plan.solver_choice
    assert plan.objective_value == pytest.approx(4.4996871716, rel=1e-8)


def test_a_time_limit_holds_for_all_the_tangent_rounds():
    """A time limit bounds the whole refinement, not each LP: with LPs that take 0.2 s each
    and 0.3 s allowed, the rounds stop after one or two LPs, with status time_limit and the
    last LP's point (the tangents' value columns at the harmony of its shares)."""
    import time

    from sovnarkhoz.formulation import Objective
    from sovnarkhoz.plan.assemble import formulate
    from sovnarkhoz.solvers import Capability, SolverOptions, Status
    from sovnarkhoz.solvers.highs import HighsSolver
    from sovnarkhoz.solvers.tangents import solve_by_tangents

    class Slow:
        name, default_tolerance = "slow", 1e-7
        capabilities = Capability.EXACT | Capability.DUALS

        def solve(self, lp, options=None, start=None):
            time.sleep(0.2)
            return HighsSolver().solve(lp, options)

    lp = formulate(_two_products(10.0), Objective.parse("max-harmony"))
    result, _ = solve_by_tangents(Slow(), lp.data, lp.tangents, SolverOptions(time_limit=0.3))
    assert result.status is Status.TIME_LIMIT and result.has_solution
    assert re.search(r"time limit after [12] LPs", result.message)
    shares = result.x[lp.tangents.share]
    np.testing.assert_allclose(result.x[lp.tangents.value], Harmony.value(shares))
