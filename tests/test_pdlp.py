"""pdlp, our first-order solver, against HiGHS on the CPU (CI has no GPU)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sovnarkhoz
from sovnarkhoz.cli import main
from sovnarkhoz.formulation import Objective, build_lp
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from sovnarkhoz.solvers import SolverOptions, Status, get_solver, solve

torch = pytest.importorskip("torch")

CPU = {"device": "cpu"}


def _lp(scenario, objective="max-fulfilment"):
    return build_lp(scenario.economy, Objective.parse(objective)).data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=st.builds(GeneratorSpec, products=st.integers(2, 10), regions=st.integers(1, 3),
                      techniques=st.integers(1, 2), inputs=st.integers(0, 3),
                      factors=st.integers(1, 2), seed=st.integers(0, 10_000)),
       tolerance=st.sampled_from([1e-4, 1e-6]))
def test_pdlp_agrees_with_highs_on_random_economies(spec, tolerance):
    scenario = sovnarkhoz.Scenario.from_frames(name=spec.name, **generate_tables(spec))
    exact = sovnarkhoz.make_plan(scenario, solver="highs")
    first = sovnarkhoz.make_plan(scenario, solver="pdlp",
                                 options=SolverOptions(tolerance=tolerance, **CPU))
    assert first.status == "optimal", first.message
    kkt = first.details["solver_details"]
    assert max(kkt["relative_primal_residual"], kkt["relative_dual_residual"],
               kkt["relative_gap"]) <= tolerance
    # λ within what a relative KKT error of `tolerance` allows
    assert first.fulfilment == pytest.approx(exact.fulfilment, rel=20 * tolerance)
    assert first.verification.passed
    assert first.verification.max_relative_violation <= tolerance
    # the valuations price the target bundle at one point of λ, as the exact ones do
    targets = first.tables["fulfilment"]
    prices = first.prices.set_index(["region", "product"])["price"]
    keys = list(zip(targets["region"], targets["product"], strict=True))
    bundle = float((targets["target"].to_numpy() * prices.reindex(keys).to_numpy()).sum())
    assert bundle == pytest.approx(1.0, rel=50 * tolerance)


@pytest.mark.parametrize("name", ["kantorovich1939", "two_regions"])
def test_pdlp_shadow_prices_match_the_unique_exact_ones(bundled_scenario, name):
    """Both bundled LPs have unique duals, so prices must agree, not just the objective."""
    scenario = bundled_scenario(name)
    exact = sovnarkhoz.make_plan(scenario, solver="highs")
    first = sovnarkhoz.make_plan(scenario, solver="pdlp",
                                 options=SolverOptions(tolerance=1e-8, **CPU))
    assert first.status == "optimal"
    assert first.fulfilment == pytest.approx(exact.fulfilment, rel=1e-7)
    np.testing.assert_allclose(first.factors["price"], exact.factors["price"], rtol=1e-5)
    np.testing.assert_allclose(first.prices["price"], exact.prices["price"], rtol=1e-5)
    np.testing.assert_allclose(first.activities["level"], exact.activities["level"],
                               rtol=1e-6, atol=1e-6)


def test_pdlp_min_factor_matches_highs(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    first = sovnarkhoz.make_plan(scenario, objective="min-factor:labour", solver="pdlp",
                                 options=SolverOptions(tolerance=1e-8, **CPU))
    assert first.status == "optimal"
    assert first.objective_value == pytest.approx(2 + 2 / 0.9, rel=1e-7)


def test_pdlp_detects_an_infeasible_plan(bundled_scenario):
    """Every target at 1000 needs far more labour than the 300 supplied."""
    whole = bundled_scenario("two_regions")
    targets = whole.targets.assign(amount=1000.0)
    scenario = sovnarkhoz.Scenario.from_frames(name="too much", **{**whole.tables,
                                                                  "targets": targets})
    assert sovnarkhoz.make_plan(scenario, objective="min-factor:labour",
                                solver="highs").status == "infeasible"
    result = solve(_lp(scenario, "min-factor:labour"), "pdlp", SolverOptions(**CPU))
    assert result.status is Status.INFEASIBLE, result.message


def test_pdlp_detects_an_unbounded_plan(bundled_scenario):
    """Without factors nothing limits λ."""
    whole = bundled_scenario("two_regions")
    scenario = sovnarkhoz.Scenario.from_frames(
        name="free", products=whole.products, regions=whole.regions,
        techniques=whole.techniques, inputs=whole.inputs.iloc[0:0], targets=whole.targets,
        links=whole.links)
    result = solve(_lp(scenario), "pdlp", SolverOptions(**CPU))
    assert result.status is Status.UNBOUNDED, result.message


def test_warm_start_after_a_small_change_of_targets_takes_fewer_iterations():
    spec = GeneratorSpec(60, 4, 2, 4, 2, seed=11)
    tables = generate_tables(spec)
    before = sovnarkhoz.Scenario.from_frames(name="before", **tables)
    options = SolverOptions(tolerance=1e-6, **CPU)
    first = sovnarkhoz.make_plan(before, solver="pdlp", options=options)
    changed = tables["targets"].copy()
    changed.loc[changed.index[:5], "amount"] *= 1.02
    after = sovnarkhoz.Scenario.from_frames(name="after", **{**tables, "targets": changed})
    cold = sovnarkhoz.make_plan(after, solver="pdlp", options=options)
    warm = sovnarkhoz.make_plan(after, solver="pdlp", options=options, warm_start=first)
    assert cold.status == warm.status == "optimal"
    assert warm.fulfilment == pytest.approx(cold.fulfilment, rel=1e-4)
    assert warm.details["iterations"] < cold.details["iterations"]


def test_pdlp_time_limit_keeps_its_point():
    spec = GeneratorSpec(200, 6, 2, 6, 2, seed=5)
    scenario = sovnarkhoz.Scenario.from_frames(name=spec.name, **generate_tables(spec))
    result = solve(_lp(scenario), "pdlp", SolverOptions(time_limit=1e-3, tolerance=1e-8, **CPU))
    assert result.status is Status.TIME_LIMIT
    assert result.has_solution and result.x.size == _lp(scenario).num_cols


def test_auto_picks_highs_without_a_gpu_and_says_why(bundled_scenario):
    lp = _lp(bundled_scenario("two_regions"))
    backend, why = get_solver("auto", lp, "cpu")
    assert backend.name == "highs" and "HiGHS" in why


def test_cli_plans_with_pdlp_and_reports_kkt_residuals(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["plan", "kantorovich1939", "--solver", "pdlp", "--device", "cpu",
                 "--tolerance", "1e-6", "--out", str(out), "--quiet"])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["solver"] == "pdlp"
    assert summary["fulfilment"] == pytest.approx(260 / 3, rel=1e-5)
    assert summary["solver_details"]["relative_gap"] <= 1e-6
    assert summary["max_violation"] <= 1e-6 * 100
    assert "pdlp" in capsys.readouterr().out


def test_cli_without_torch_says_how_to_install(monkeypatch, capsys):
    import sovnarkhoz.solvers.pdlp as pdlp

    monkeypatch.setattr(pdlp, "torch_available", lambda: False)
    code = main(["plan", "kantorovich1939", "--solver", "pdlp", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "pip install 'sovnarkhoz[gpu]'" in err and "Traceback" not in err
