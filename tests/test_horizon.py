"""Multi-year plans: a two-product, two-year economy derived by hand, earliest years checked
against planning year by year, wear and tear, pdlp against HiGHS, the CLI's exit codes.

The hand economy (``tiny``): one region kz; products steel and meat; labour 10 a year.
    mill: 1 labour -> 1 steel.          farm: 1 labour -> 1 meat, and needs 1 steel
    installed per unit of meat a year (capital.csv: stock 5 in 1960, no wear); lag 1.
    Targets: 9 meat in 1960 and in 1961.
1960: the farm can run at most at the installed 5, so at most 5/9 of the meat target.
1961: installed(1961) = 5 + v(1960), and v(1960) <= steel made in 1960 <= 10 (labour), so up
    to 15 steel is installed; 9 meat takes 9 labour <= 10 and 9 steel <= 15: met in full.
    The earliest year is 1961, with 5/9 the best in 1960.
max-fulfilment (one λ for both years): 1960 limits it, λ = 5/9.
max-total-fulfilment: with farm a <= 5 in 1960, mill 10 - a, installed(1961) = 15 - a and
    farm(1961) <= min(10, 15 - a): λ60 + λ61 = a/9 + min(10, 15 - a)/9, largest at a = 5:
    5/9 + 10/9 = 15/9.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from sovnarkhoz.cli.main import main
from sovnarkhoz.formulation.years import build_years
from sovnarkhoz.horizon import earliest
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables

TINY = {
    "products": pd.DataFrame({"product": ["steel", "meat"]}),
    "regions": pd.DataFrame({"region": ["kz"]}),
    "factors": pd.DataFrame({"factor": ["labour"]}),
    "techniques": pd.DataFrame({"technique": ["mill", "farm"], "region": ["kz", "kz"],
                                "product": ["steel", "meat"]}),
    "inputs": pd.DataFrame({"technique": ["mill", "farm"], "input": ["labour", "labour"],
                            "amount": [1.0, 1.0]}),
    "supplies": pd.DataFrame({"region": ["kz"], "factor": ["labour"], "amount": [10.0]}),
    "targets": pd.DataFrame({"region": ["kz"], "product": ["meat"], "amount": [9.0]}),
    "capital": pd.DataFrame({"technique": ["farm"], "good": ["steel"], "amount": [1.0],
                             "stock": [5.0], "depreciation": [0.0]}),
}


def tiny(first: int = 1960, last: int = 1961, lag: int = 1, **changes: pd.DataFrame
         ) -> sovnarkhoz.Scenario:
    frames = {**TINY, **changes}
    return sovnarkhoz.Scenario.from_frames(
        name="tiny", settings={"horizon": {"first": first, "last": last, "lag": lag}}, **frames)


def test_hand_economy_objectives():
    scenario = tiny()
    plan = sovnarkhoz.make_plan(scenario, "max-fulfilment")
    assert plan.status == "optimal" and plan.verification.passed
    assert plan.fulfilment == pytest.approx(5 / 9)
    total = sovnarkhoz.make_plan(scenario, "max-total-fulfilment")
    assert total.objective_value == pytest.approx(15 / 9)
    assert total.details["yearly_fulfilment"] == pytest.approx({"1960": 5 / 9, "1961": 10 / 9})
    assert total.fulfilment == pytest.approx(5 / 9)
    stocks = total.stocks.set_index("year")
    assert stocks.loc[1961, "installed"] == pytest.approx(10.0)  # 5 + 5 set aside in 1960
    assert total.investment.set_index("year").loc[1960, "amount"] == pytest.approx(5.0)
    # every table carries the year
    for name in ("activities", "fulfilment", "factors", "prices", "investment", "stocks"):
        assert "year" in total.tables[name].columns


def test_hand_economy_earliest():
    answer = earliest(tiny())
    assert answer.year == 1961
    assert answer.best[1960] == pytest.approx(5 / 9)
    assert answer.best[1961] == pytest.approx(1.0)
    # with no construction lag to spare (stock only), 1961 cannot be reached either
    assert earliest(tiny(lag=2)).year is None


def test_min_factor_infeasible_plan_explains_itself():
    plan = sovnarkhoz.make_plan(tiny(), "min-factor:labour")
    assert plan.status == "infeasible"
    explanation = plan.details["explanation"]
    assert not explanation["feasible"]
    kinds = sorted(c["kind"] for c in explanation["constraints"])
    assert kinds == ["capital", "stock", "target"]


def _truncated_year_plan(scenario_frames: dict, first: int, year: int, lag: int) -> float:
    """Best share of year ``year``'s targets over first..year, by an ordinary plan: targets of
    the earlier years set to zero, max-fulfilment (one λ, so it is that year's level)."""
    frames = dict(scenario_frames)
    base = frames["targets"]
    horizon_years = np.arange(first, year + 1)
    rows = []
    for y in horizon_years:
        part = base.drop(columns=[c for c in ("year",) if c in base.columns]).copy()
        if "year" in base.columns:
            part = base[(base["year"] == y) | base["year"].isna()].drop(columns="year")
        part["amount"] = part["amount"] if y == year else 0.0
        part["year"] = float(y)
        rows.append(part)
    targets = pd.concat(rows, ignore_index=True)
    targets = targets.drop_duplicates(["region", "product", "year"], keep="last")
    frames["targets"] = targets
    scenario = sovnarkhoz.Scenario.from_frames(
        name="cut", settings={"horizon": {"first": first, "last": year, "lag": lag}}, **frames)
    plan = sovnarkhoz.make_plan(scenario, "max-fulfilment")
    assert plan.status == "optimal" and plan.verification.passed
    return min(plan.fulfilment, 1.0)


def generated_horizon(years: int = 4, seed: int = 3) -> tuple[dict, sovnarkhoz.Scenario]:
    spec = GeneratorSpec(products=12, regions=3, inputs=3, factors=2, seed=seed, years=years,
                         capital=2)
    tables = generate_tables(spec)
    settings = {"horizon": {"first": 2000, "last": 2000 + years - 1, "lag": 1}}
    return tables, sovnarkhoz.Scenario.from_frames(name=spec.name, settings=settings, **tables)


@pytest.mark.parametrize("case", ["tiny", "generated"])
def test_earliest_agrees_with_planning_year_by_year(case):
    if case == "tiny":
        frames, scenario, first, lag = TINY, tiny(last=1963), 1960, 1
    else:
        frames, scenario = generated_horizon()
        first, lag = 2000, 1
    answer = earliest(scenario)
    by_year = {}
    for year in scenario.horizon.years:
        by_year[int(year)] = _truncated_year_plan(frames, first, int(year), lag)
        if by_year[int(year)] >= 1 - 1e-7:
            break
    met = [y for y, level in by_year.items() if level >= 1 - 1e-7]
    assert answer.year == (met[0] if met else None)
    for year, level in answer.best.items():
        assert level == pytest.approx(by_year[year], abs=1e-6)


def test_faster_wear_builds_more():
    """Targets 10 meat in 1960 and 1961, stock 10 of steel, min-factor:labour. Installed in
    1961 is (1 - d)·10 + v(1960) >= 10, so the plan sets aside v = 10·d: 1 steel at d = 0.1,
    5 at d = 0.5, i.e. 4 more; labour is 10 + 10 + 10·d."""
    targets = pd.DataFrame({"region": ["kz"], "product": ["meat"], "amount": [10.0]})
    supplies = pd.DataFrame({"region": ["kz"], "factor": ["labour"], "amount": [20.0]})
    built = {}
    for wear in (0.1, 0.5):
        capital = pd.DataFrame({"technique": ["farm"], "good": ["steel"], "amount": [1.0],
                                "stock": [10.0], "depreciation": [wear]})
        plan = sovnarkhoz.make_plan(tiny(targets=targets, capital=capital, supplies=supplies),
                                    "min-factor:labour")
        assert plan.status == "optimal" and plan.verification.passed
        built[wear] = float(plan.investment["amount"].sum())
        assert plan.objective_value == pytest.approx(20 + 10 * wear)
    assert built[0.1] == pytest.approx(1.0)
    assert built[0.5] == pytest.approx(5.0)
    assert built[0.5] - built[0.1] == pytest.approx(4.0)


def test_growth_and_yearly_rows():
    """Labour 10 grows 50% a year; a 1961 row of 4 replaces the grown 15 in 1961 only."""
    supplies = pd.DataFrame({"region": ["kz", "kz"], "factor": ["labour", "labour"],
                             "amount": [10.0, 4.0], "year": [np.nan, 1961.0]})
    growth = pd.DataFrame({"region": ["kz"], "factor": ["labour"], "rate": [0.5]})
    scenario = tiny(last=1962, supplies=supplies, growth=growth)
    plan = sovnarkhoz.make_plan(scenario, "max-total-fulfilment")
    supply = plan.factors.set_index("year")["supply"]
    assert supply.loc[1960] == pytest.approx(10.0)
    assert supply.loc[1961] == pytest.approx(4.0)
    assert supply.loc[1962] == pytest.approx(22.5)
    assert plan.verification.passed


def test_verify_catches_broken_stock_dynamics():
    from sovnarkhoz.plan.verify import verify_years

    scenario = tiny()
    plan = sovnarkhoz.make_plan(scenario, "max-total-fulfilment")
    stocks = plan.stocks.copy()
    stocks.loc[stocks["year"] == 1961, "installed"] += 3.0  # stock out of nowhere
    check = verify_years(scenario.tables, scenario.horizon, plan.activities, plan.deliveries,
                         plan.investment, stocks, np.array([5 / 9, 10 / 9]))
    assert not check.passed and check.by_kind["stock dynamics"] == pytest.approx(3.0)
    levels = plan.activities.copy()
    levels.loc[(levels["technique"] == "farm") & (levels["year"] == 1960), "level"] += 1.0
    check = verify_years(scenario.tables, scenario.horizon, levels, plan.deliveries,
                         plan.investment, plan.stocks, np.array([5 / 9, 10 / 9]))
    assert check.by_kind["capital used <= installed"] == pytest.approx(1.0)


def test_multi_year_lp_is_the_single_year_lp_each_year():
    """Without capital, a horizon of identical years is the single-year LP repeated:
    max-total-fulfilment is Y times the single-year λ."""
    tables = generate_tables(GeneratorSpec(products=10, regions=3, inputs=3, seed=1))
    single = sovnarkhoz.make_plan(sovnarkhoz.Scenario.from_frames(**tables), "max-fulfilment")
    years = sovnarkhoz.Scenario.from_frames(
        settings={"horizon": {"first": 1, "last": 3}}, **tables)
    plan = sovnarkhoz.make_plan(years, "max-total-fulfilment")
    assert plan.objective_value == pytest.approx(3 * single.fulfilment, rel=1e-7)
    program = build_years(years, None)
    assert program.lp.data.nnz == 3 * (build_years(
        sovnarkhoz.Scenario.from_frames(**tables), None).lp.data.nnz)


def test_pdlp_agrees_with_highs_on_a_small_horizon():
    pytest.importorskip("torch")
    from sovnarkhoz.solvers import SolverOptions

    _, scenario = generated_horizon(years=3)
    exact = sovnarkhoz.make_plan(scenario, "max-total-fulfilment", solver="highs")
    first_order = sovnarkhoz.make_plan(scenario, "max-total-fulfilment", solver="pdlp",
                                       options=SolverOptions(tolerance=1e-7, device="cpu"))
    assert exact.status == "optimal" and first_order.status == "optimal"
    assert first_order.objective_value == pytest.approx(exact.objective_value, rel=1e-4)
    assert first_order.verification.passed


def _write(directory: Path, scenario: sovnarkhoz.Scenario) -> Path:
    scenario.write(directory)
    return directory


def test_cli_exit_codes(tmp_path, capsys):
    directory = _write(tmp_path / "tiny", tiny())
    assert main(["plan", str(directory), "--quiet", "--out", str(tmp_path / "out")]) == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["fulfilment"] == pytest.approx(5 / 9)
    assert (tmp_path / "out" / "stocks.csv").exists()
    assert main(["plan", str(directory), "--quiet", "--objective", "min-factor:labour",
                 "--out", str(tmp_path / "bad")]) == 1
    summary = json.loads((tmp_path / "bad" / "summary.json").read_text())
    assert summary["status"] == "infeasible" and summary["explanation"]["sentences"]
    assert main(["earliest", str(directory)]) == 0
    assert "met in full in 1961" in capsys.readouterr().out
    assert main(["earliest", _write(tmp_path / "lag2", tiny(lag=2)).as_posix()]) == 1
    assert "not within the horizon" in capsys.readouterr().out
    assert main(["explain", str(directory)]) == 1
    out = capsys.readouterr().out
    assert "5 of steel is installed for farm in 1960; the targets would need 9 (4 missing)" in out
    assert main(["explain", "two_regions"]) == 0
    assert main(["earliest", "two_regions"]) == 2  # a single-year scenario has no years
    assert main(["earliest", str(directory), "--targets", "kz:milk"]) == 2
    assert "Traceback" not in capsys.readouterr().err
