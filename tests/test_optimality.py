"""Optimality proven from a plan's own prices and the scenario's tables (plan/optimality.py),
and the default path's plans exact where HiGHS's dual simplex used to stop short."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sovnarkhoz
from sovnarkhoz.cli import main
from sovnarkhoz.plan.optimality import check_optimality
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from sovnarkhoz.scenario.objectives import Objective
from sovnarkhoz.solvers import highs


def _generated(products: int, regions: int, techniques: int, seed: int,
               **more: int) -> sovnarkhoz.Scenario:
    spec = GeneratorSpec(products, regions, techniques, seed=seed, **more)
    settings = {"horizon": spec.horizon} if spec.horizon else None
    return sovnarkhoz.Scenario.from_frames(name=spec.name, settings=settings,
                                           **generate_tables(spec))


def _check(scenario, plan, objective="max-fulfilment", levels=None, horizon=None):
    return check_optimality(scenario.tables, plan.tables, Objective.parse(objective),
                            None if levels is None else np.atleast_1d(levels), horizon)


def test_two_regions_prices_prove_450_over_7(bundled_scenario):
    """The hand derivation of tests/test_golden.py: λ = 450/7, and the labour prices
    0.16917 (north) and 0.30451 (south) value the supplies 200 and 100 at exactly λ."""
    scenario = bundled_scenario("two_regions")
    plan = sovnarkhoz.make_plan(scenario)
    o = plan.verification.optimality
    assert plan.status == "optimal" and plan.verification.proven_optimal
    assert o.dual_bound == pytest.approx(450 / 7, rel=1e-12)
    assert o.objective == pytest.approx(450 / 7, rel=1e-12)
    assert o.gap < 1e-12 and o.dual_violation < 1e-12
    assert plan.details["dual_objective"] == pytest.approx(450 / 7, rel=1e-12)
    summary = plan.summary()["verification"]
    assert summary["gap"] < 1e-12 and summary["dual_violation"] < 1e-12
    assert summary["optimal"] is True


def test_min_factor_bound_is_the_least_labour(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    plan = sovnarkhoz.make_plan(scenario, objective="min-factor:labour")
    o = plan.verification.optimality
    assert plan.verification.proven_optimal
    # the bound is in the objective's units: labour, from below
    assert o.dual_bound == pytest.approx(plan.objective_value, rel=1e-12)
    assert o.objective == pytest.approx(plan.objective_value, rel=1e-12)


def test_a_price_too_low_makes_a_technique_pay(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    plan = sovnarkhoz.make_plan(scenario)
    factors = plan.tables["factors"]
    north = (factors["region"] == "north") & (factors["factor"] == "labour")
    factors.loc[north, "price"] *= 0.9
    o = _check(scenario, plan, levels=plan.fulfilment)
    assert o.dual_violation > 1e-3
    assert o.worst.startswith("technique pays north_")


def test_a_negative_price_is_a_violation(bundled_scenario):
    scenario = bundled_scenario("kantorovich1939")
    plan = sovnarkhoz.make_plan(scenario)
    prices = plan.tables["prices"]
    prices.loc[0, "price"] = -0.5 * prices["price"].abs().max()
    o = _check(scenario, plan, levels=plan.fulfilment)
    assert o.dual_violation == pytest.approx(0.5, rel=1e-6) or o.dual_violation > 0.5
    assert "price >= 0" in o.worst or "pays" in o.worst


def test_a_plan_short_of_the_optimum_shows_its_gap(bundled_scenario):
    """Claiming λ 10 % below the optimum with the optimal prices: the gap is the 10 %."""
    scenario = bundled_scenario("kantorovich1939")
    plan = sovnarkhoz.make_plan(scenario)
    o = _check(scenario, plan, levels=0.9 * plan.fulfilment)
    assert o.dual_violation < 1e-12
    lam = plan.fulfilment
    assert o.gap == pytest.approx(0.1 * lam / (1 + 0.9 * lam + lam), rel=1e-9)


def test_multi_year_prices_prove_the_plan_and_a_wrong_capital_price_is_found():
    scenario = _generated(12, 3, 2, seed=4, years=4, capital=1)
    plan = sovnarkhoz.make_plan(scenario)
    assert plan.status == "optimal"
    o = plan.verification.optimality
    assert o.gap < 1e-9 and o.dual_violation < 1e-9
    assert o.dual_bound == pytest.approx(plan.fulfilment, rel=1e-9)
    stocks = plan.tables["stocks"]
    busy = stocks["price"].idxmax()
    assert stocks.loc[busy, "price"] > 0
    price = stocks.loc[busy, "price"]
    # capital priced higher: still dual feasible, but the stock is valued higher, so the
    # bound moves off the plan's λ
    stocks.loc[busy, "price"] = 3.0 * price
    dearer = _check(scenario, plan, levels=plan.fulfilment, horizon=scenario.horizon)
    assert dearer.dual_violation < 1e-9 and dearer.gap > 1e-4
    # capital given away: the technique that uses it pays
    stocks.loc[busy, "price"] = 0.0
    free = _check(scenario, plan, levels=plan.fulfilment, horizon=scenario.horizon)
    assert free.dual_violation > 1e-3
    assert free.worst == (f"technique pays {stocks.loc[busy, 'technique']} "
                          f"{stocks.loc[busy, 'year']}")


def test_max_total_fulfilment_over_years_is_proven():
    scenario = _generated(12, 3, 2, seed=4, years=4, capital=1)
    plan = sovnarkhoz.make_plan(scenario, objective="max-total-fulfilment")
    o = plan.verification.optimality
    assert plan.status == "optimal" and o.gap < 1e-9 and o.dual_violation < 1e-9
    assert o.objective == pytest.approx(plan.objective_value, rel=1e-9)


SHORT = (100, 5, 2, 22)
"""A generated economy on which dual simplex, with the objective unscaled, stops 9e-6 short
of the optimum (1.4031157449827 against 1.4031030304852) and calls it optimal."""


def test_the_default_path_is_exact_where_dual_simplex_stopped_short():
    plan = sovnarkhoz.make_plan(_generated(*SHORT))
    assert plan.status == "optimal"
    assert plan.fulfilment == pytest.approx(1.4031157449827, rel=1e-12)
    assert plan.verification.optimality.gap < 1e-9


def test_300x10x2_seed_7311_default_plan_is_the_true_optimum():
    """The issue's case: 1.5669896 reported optimal; interior point with crossover and
    OR-Tools' GLOP agree on 1.5669993 (1.566999344053 to 13 digits)."""
    plan = sovnarkhoz.make_plan(_generated(300, 10, 2, 7311))
    assert plan.status == "optimal"
    assert plan.fulfilment == pytest.approx(1.566999344053, rel=1e-11)


def _unscaled(monkeypatch: pytest.MonkeyPatch, retry_fixes: bool) -> None:
    """HiGHS as it was: the objective unscaled, dual simplex; and, unless ``retry_fixes``,
    a re-solve that ignores the tighter tolerance it is asked for."""
    monkeypatch.setattr(highs, "objective_scale", lambda lp: 0)
    solve = highs.HighsSolver.solve

    def as_before(self, lp, options=None, start=None):
        from dataclasses import replace

        options = replace(options or highs.SolverOptions(), method="simplex")
        if not retry_fixes:
            options = replace(options, tolerance=None)
        return solve(self, lp, options, start)

    monkeypatch.setattr(highs.HighsSolver, "solve", as_before)


def test_a_solver_that_stops_short_is_not_called_optimal(monkeypatch):
    _unscaled(monkeypatch, retry_fixes=False)
    lines: list[str] = []
    plan = sovnarkhoz.make_plan(_generated(*SHORT), progress=lines.append)
    assert plan.status == "feasible" and plan.exit_code == 1
    assert any("do not prove the plan optimal" in line for line in lines)
    assert "prices do not prove it optimal" in plan.message
    assert plan.verification.passed and not plan.verification.proven_optimal
    # the plan is the short one, and what it claims is what it is
    assert plan.fulfilment == pytest.approx(1.4031030304852, rel=1e-9)
    assert plan.verification.optimality.dual_violation > plan.verification.tolerance
    # no bound is stored that the prices do not support
    assert plan.details["dual_objective"] is None


def test_a_tighter_re_solve_reaches_the_optimum(monkeypatch):
    _unscaled(monkeypatch, retry_fixes=True)
    lines: list[str] = []
    plan = sovnarkhoz.make_plan(_generated(*SHORT), progress=lines.append)
    assert any("do not prove the plan optimal" in line for line in lines)
    assert plan.status == "optimal"
    assert plan.fulfilment == pytest.approx(1.4031157449827, rel=1e-10)


def test_summary_json_reports_gap_and_dual_violation(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["plan", "two_regions", "--out", str(out)]) == 0
    verification = json.loads((out / "summary.json").read_text())["verification"]
    assert verification["gap"] < 1e-12 and verification["dual_violation"] < 1e-12
    assert verification["dual_bound"] == pytest.approx(450 / 7, rel=1e-12)
    printed = capsys.readouterr().out
    assert "optimality from the plan's own prices: gap" in printed


@pytest.mark.parametrize("name", ["kantorovich1939", "two_regions", "presidium", "ussr1957",
                                  "ussr1957_plenum", "ussr1959_seven_year"])
def test_every_bundled_plan_is_proven_optimal(bundled_scenario, name):
    plan = sovnarkhoz.make_plan(bundled_scenario(name))
    assert plan.status == "optimal"
    o = plan.verification.optimality
    assert o.gap < 1e-9 and o.dual_violation < 1e-9


def test_a_pdlp_plan_is_proven_at_the_tolerance_it_was_asked_to_reach(bundled_scenario):
    pytest.importorskip("torch")
    from sovnarkhoz.solvers import SolverOptions

    plan = sovnarkhoz.make_plan(bundled_scenario("two_regions"), solver="pdlp",
                                options=SolverOptions(device="cpu", tolerance=1e-6))
    o = plan.verification.optimality
    assert plan.status == "optimal" and plan.verification.tolerance == 1e-6
    assert o.gap <= 1e-6 and o.dual_violation <= 1e-6
    assert o.dual_bound == pytest.approx(450 / 7, rel=1e-5)


def test_a_negative_zero_is_printed_as_zero():
    from sovnarkhoz.cli.summary import _fmt

    assert _fmt(-0.0) == "0" and _fmt(None) == "n/a" and _fmt(-1.5) == "-1.5"


def test_a_level_within_the_verified_tolerance_of_zero_is_printed_as_zero(bundled_scenario,
                                                                          capsys):
    """Councils stopped at their round cap can leave λ = -3.18e-15: rounding noise inside the
    tolerance the plan was verified to, printed as 0 (λ and the sum of levels), while a level
    beyond the tolerance and a factor's use are printed as they are."""
    from dataclasses import replace

    from sovnarkhoz.cli.summary import print_plan_summary

    plan = sovnarkhoz.make_plan(bundled_scenario("two_regions"))
    tolerance = plan.verification.tolerance
    noisy = replace(plan, fulfilment=-3.18e-15, objective_value=-3.18e-15)
    print_plan_summary(noisy, [])
    out = capsys.readouterr().out
    assert "every target met 0 times over (lambda = 0)" in out and "e-15" not in out
    beyond = replace(plan, fulfilment=-3 * tolerance)
    print_plan_summary(beyond, [])
    assert f"(lambda = {-3 * tolerance:,.6g})" in capsys.readouterr().out
    factor = replace(plan, objective="min-factor:labour", objective_value=1e-12,
                     fulfilment=1.0 + 1e-12)
    print_plan_summary(factor, [])
    out = capsys.readouterr().out
    assert "total labour used: 1e-12" in out and "(lowest share 1)" in out


def test_an_adopted_plan_is_proven_the_best_for_its_factions_weights(bundled_scenario):
    """The presidium adopts the wavering faction's plan (README): heavy 5.70538, pledge 3;
    the prices of the weighted solve prove its Σ weight·λ the largest any plan reaches."""
    from sovnarkhoz.decision import Chamber

    decision = Chamber(bundled_scenario("presidium")).decide("presidium")
    plan = decision.plan
    o = plan.verification.optimality
    assert plan.status == "optimal" and plan.verification.proven_optimal
    assert o.gap < 1e-12 and o.dual_violation < 1e-12
    assert plan.priority_levels["heavy"] == pytest.approx(5.70538, abs=1e-5)
    assert plan.priority_levels["pledge"] == pytest.approx(3.0, abs=1e-9)
    # the bound is the weighted value of the levels: Σ weight·λ
    assert o.dual_bound == pytest.approx(o.objective, rel=1e-12)
