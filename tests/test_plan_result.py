"""The plan's typed results (status, the solve's and the councils' reports, the tables as
properties) and the one version string."""

from __future__ import annotations

import importlib.metadata
import json
import tomllib
from pathlib import Path

import pytest

import sovnarkhoz
from sovnarkhoz.cli import main
from sovnarkhoz.plan.result import Plan
from sovnarkhoz.solvers import Status


def test_status_is_the_enum_and_compares_as_its_string(tmp_path):
    plan = sovnarkhoz.make_plan(sovnarkhoz.load_scenario(sovnarkhoz.bundled("kantorovich1939")))
    assert plan.status is Status.OPTIMAL and plan.status == "optimal"
    summary = plan.summary()
    assert type(summary["status"]) is str and summary["status"] == "optimal"
    plan.write(tmp_path / "out")
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["status"] == "optimal"
    # a plan built from a string (as the councils' and the balance's are) holds the enum
    other = Plan(scenario="s", objective="balance", status="infeasible", message="", solver="")
    assert other.status is Status.INFEASIBLE and other.exit_code == 1
    with pytest.raises(ValueError):
        Plan(scenario="s", objective="balance", status="fine", message="", solver="")


def test_the_solve_report_is_typed_and_details_reads_as_before():
    plan = sovnarkhoz.make_plan(sovnarkhoz.load_scenario(sovnarkhoz.bundled("two_regions")))
    report = plan.solve
    assert report.size.rows > 0 and report.size.nonzeros >= report.size.columns
    assert plan.details["size"] == {"rows": report.size.rows, "columns": report.size.columns,
                                    "nonzeros": report.size.nonzeros}
    assert plan.details["iterations"] == report.iterations
    assert plan.details["primal_objective"] == report.primal_objective == plan.objective_value
    assert plan.details["dual_objective"] == report.dual_objective == plan.dual_bound
    assert plan.dual_bound == pytest.approx(plan.fulfilment, rel=1e-9)
    assert list(plan.details) == ["size", "iterations", "primal_objective", "dual_objective",
                                  "solver_details"]
    assert plan.horizon is None and plan.council_run is None and plan.warnings == []


def test_the_tables_are_properties():
    plan = sovnarkhoz.make_plan(sovnarkhoz.load_scenario(sovnarkhoz.bundled("two_regions")))
    for name in ("activities", "deliveries", "factors", "prices", "links", "bottlenecks"):
        assert getattr(plan, name) is plan.tables[name]
    assert plan.fulfilment_table is plan.tables["fulfilment"]
    assert isinstance(plan.fulfilment, float)  # λ, not the table
    with pytest.raises(AttributeError, match="no investment table"):
        _ = plan.investment
    assert not hasattr(plan, "stocks") and not hasattr(plan, "no_such_table")


def test_a_multi_year_plan_reports_its_horizon_and_yearly_levels():
    scenario = sovnarkhoz.load_scenario(sovnarkhoz.bundled("ussr1957"))
    plan = sovnarkhoz.make_plan(scenario)
    h = scenario.horizon
    assert plan.horizon == h
    assert plan.details["horizon"] == {"first": h.first, "last": h.last, "lag": h.lag}
    assert list(plan.yearly_fulfilment) == [str(y) for y in h.years]
    assert list(plan.details)[:3] == ["size", "horizon", "iterations"]
    assert plan.investment is plan.tables["investment"]


def test_one_version_string(capsys):
    assert sovnarkhoz.__version__ == importlib.metadata.version("sovnarkhoz")
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text())["project"]["version"]
    assert sovnarkhoz.__version__ == declared
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"sovnarkhoz {declared}"
