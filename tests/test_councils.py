"""Councils coordinated by the four protocols reach the central plan."""

from __future__ import annotations

import json
import os
import signal
import time

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import sovnarkhoz
from dualcheck import proof_status
from sovnarkhoz.cli import main
from sovnarkhoz.councils import Behaviour, partition, plan_by_councils
from sovnarkhoz.councils.protocol import split
from sovnarkhoz.formulation import Objective, build_lp


def _dies_in_round(engine, number, kill):
    """``engine``, with ``kill(engine)`` run from outside as it is asked its ``number``-th
    round (every request to its councils counts): a crash the engine must survive."""
    asked = engine.round
    count = 0

    def round_(requests):
        nonlocal count
        count += 1
        if count == number:
            kill(engine)
        return asked(requests)

    engine.round = round_
    return engine


def _kill_first_worker(engine):
    """Kill the first worker process by its pid, as the system would, and wait for it."""
    os.kill(engine.processes[0].pid, signal.SIGKILL)
    engine.processes[0].join()


def _kill_first_actor(engine):
    """Kill the first Ray actor and wait until Ray reports it dead (``ray.kill`` returns
    before the actor is gone; a call sent in between would still be answered)."""
    actor = engine.hosts[0]
    engine.ray.kill(actor)
    for _ in range(200):
        try:
            engine.ray.get(actor.results.remote([]), timeout=10)
        except engine.ray.exceptions.RayActorError:
            return
        time.sleep(0.05)
    raise AssertionError("the killed actor still answers")


def test_territorial_and_branch_partitions(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    regions = scenario.regions.assign(council=["N", "S"])
    products = scenario.products.assign(branch=["agriculture", "light industry"])
    grouped = sovnarkhoz.Scenario.from_frames(name="g", **{**scenario.tables, "regions": regions,
                                                           "products": products})
    lp = build_lp(grouped.economy, Objective.parse("max-fulfilment"))
    names = lp.col_names()
    territorial = partition(grouped, lp, "territorial")
    assert territorial.names == ["N", "S"]
    owner = dict(zip(names, territorial.owner, strict=True))
    assert owner["activity[north_cloth]"] == 0 and owner["activity[south_grain]"] == 1
    assert owner["shipment[south->north,cloth]"] == 1  # the sender ships
    assert owner["fulfilment"] == -1  # λ stays with the centre
    branch = partition(grouped, lp, "branch")
    assert branch.names == ["agriculture", "light industry"]
    owner = dict(zip(names, branch.owner, strict=True))
    assert owner["activity[south_grain]"] == 0 and owner["activity[north_cloth]"] == 1
    assert owner["shipment[north->south,cloth]"] == 1
    # the labour rows are private to a region's council, shared between ministries
    councils, shared, _ = split(lp.data, territorial.owner, territorial.names)
    rows = lp.row_names()
    assert {rows[i] for i in councils[0].private_rows} == {"factor[north,labour]"}
    councils, shared, _ = split(lp.data, branch.owner, branch.names)
    assert "factor[north,labour]" in {rows[i] for i in shared}


@pytest.mark.parametrize(("organisation", "most_rounds"), [("territorial", 400),
                                                          ("branch", 600)])
def test_admm_councils_reach_the_central_plan(bundled_scenario, organisation, most_rounds):
    scenario = bundled_scenario("two_regions")
    central = sovnarkhoz.make_plan(scenario)
    plan = plan_by_councils(scenario, organisation, protocol="admm", tolerance=1e-4,
                            max_rounds=2000)
    assert plan.status == proof_status(plan), plan.message
    assert plan.details["rounds"] <= most_rounds
    last = plan.details["history"][-1]
    assert max(last["mismatch"], last["gap"], last["dual_residual"]) <= 1e-4
    assert plan.verification.passed
    assert plan.fulfilment == pytest.approx(central.fulfilment, rel=1e-4)
    # the posted prices are Kantorovich's valuations: labour in each region
    np.testing.assert_allclose(plan.factors["price"], central.factors["price"], rtol=1e-2)
    # a bound is stored only where the plan's prices prove one (dual feasible); it is then
    # a true bound, and within the tolerance of the optimum when they prove the plan too
    dual = plan.details["dual_objective"]
    assert (dual is not None) == (plan.verification.optimality.dual_violation <= 1e-4)
    if dual is not None:
        assert dual >= central.fulfilment * (1 - 1e-12)
    if plan.verification.proven_optimal:  # the gap is relative to 1 + |primal| + |dual|
        assert abs(dual - central.fulfilment) <= 1e-4 * (1 + plan.fulfilment + dual) * 1.01


def test_one_council_converges_to_optimal_quickly(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    plan = plan_by_councils(scenario, "central", protocol="admm", tolerance=1e-4,
                            max_rounds=500)
    assert plan.status == "optimal"
    assert plan.details["rounds"] < 200
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-4)


def test_admm_information_traffic_is_counted(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    plan = plan_by_councils(scenario, "territorial", protocol="admm", tolerance=1e-4,
                            max_rounds=20)
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment")).data
    parts = partition(scenario, build_lp(scenario.economy, Objective.parse("max-fulfilment")),
                      "territorial")
    councils, _, _ = split(lp, parts.owner, parts.names)
    per_round = 8 * sum(3 * len(c.shared_rows) + 3 for c in councils)
    traffic = plan.details["traffic"]
    assert traffic["messages"] == 2 * len(councils) * plan.details["rounds"]
    assert traffic["bytes"] == per_round * plan.details["rounds"]
    assert traffic["central_bytes"] == 8 * (3 * lp.nnz + 2 * lp.num_rows + 3 * lp.num_cols)
    assert plan.status == "time_limit" and "round limit" in plan.message


def test_cli_plans_by_councils(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["plan", "two_regions", "--organisation", "territorial", "--rounds", "1500",
                 "--out", str(out), "--quiet"])
    summary = json.loads((out / "summary.json").read_text())
    assert code == 0 and summary["status"] == "optimal"
    assert summary["organisation"] == "territorial"
    assert summary["fulfilment"] == pytest.approx(450 / 7, rel=1e-4)
    assert summary["traffic"]["bytes"] > 0 and summary["traffic"]["central_bytes"] > 0
    assert len(summary["history"]) == summary["rounds"]
    assert set(pd.read_csv(out / "activities.csv").columns) >= {"technique", "level"}
    assert "territorial councils" in capsys.readouterr().out


def test_admm_engines_agree_and_a_dead_worker_is_restarted(bundled_scenario):
    """Councils in worker processes give the local plan, even when a worker is killed
    mid-run: it restarts from the last round's checkpoint and the round is asked again."""
    from sovnarkhoz.councils.admm import coordinate
    from sovnarkhoz.councils.engines import LocalEngine, ProcessEngine

    scenario = bundled_scenario("two_regions")
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment"))
    parts = partition(scenario, lp, "territorial")
    local = coordinate(lp.data, parts.owner, parts.names, engine=LocalEngine())
    crashing = _dies_in_round(ProcessEngine(workers=2), 20, _kill_first_worker)
    remote = coordinate(lp.data, parts.owner, parts.names, engine=crashing)
    assert crashing.restarts == 1
    assert local.converged and remote.converged
    assert abs(remote.rounds - local.rounds) <= 2
    lam = lp.col_blocks["fulfilment"].start
    assert remote.x[lam] == pytest.approx(local.x[lam], rel=1e-6)
    np.testing.assert_allclose(remote.x, local.x, rtol=1e-5, atol=1e-6)


def test_hiding_capacity_costs_exactly_what_is_hidden(bundled_scenario):
    """Every supply scaled by 0.9 scales λ by 0.9 (the LP is homogeneous in supplies)."""
    scenario = bundled_scenario("two_regions")
    plan = plan_by_councils(scenario, "territorial", protocol="prices",
                            tolerance=1e-4, max_rounds=3000,
                            behaviour=Behaviour(hidden=0.1))
    assert plan.status == proof_status(plan)
    assert plan.fulfilment == pytest.approx(0.9 * 450 / 7, rel=5e-4)
    behaviour = plan.details["behaviour"]
    assert behaviour["cost"] == pytest.approx(0.1 * 450 / 7, rel=5e-3)
    assert plan.verification.passed  # hidden capacity keeps the plan feasible


@pytest.mark.parametrize("strength", [0.5, 2.0, 10.0])
def test_localism_never_improves_the_national_objective(bundled_scenario, strength):
    scenario = bundled_scenario("two_regions")
    plan = plan_by_councils(scenario, "territorial", protocol="prices",
                            tolerance=1e-4, max_rounds=3000,
                            behaviour=Behaviour(localism=strength))
    assert plan.status == proof_status(plan) and plan.verification.passed
    # no better than cooperation, up to the tolerance of the coordination (relative 1e-4)
    assert plan.fulfilment <= 450 / 7 * (1 + 3e-4)
    assert plan.details["behaviour"]["cost"] >= -3e-4 * 450 / 7
    if strength >= 10:  # strong localism: each region on its own, South limits at 100/4
        assert plan.fulfilment == pytest.approx(25.0, rel=1e-4)


def test_admm_ray_actors_give_the_same_plan_when_one_is_killed(bundled_scenario):
    pytest.importorskip("ray")
    from sovnarkhoz.councils.admm import coordinate
    from sovnarkhoz.councils.engines import LocalEngine, RayEngine

    scenario = bundled_scenario("two_regions")
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment"))
    parts = partition(scenario, lp, "territorial")
    local = coordinate(lp.data, parts.owner, parts.names, engine=LocalEngine())
    engine = _dies_in_round(RayEngine(actors=2), 15, _kill_first_actor)
    remote = coordinate(lp.data, parts.owner, parts.names, engine=engine)
    assert engine.restarts == 1
    assert remote.converged
    np.testing.assert_allclose(remote.x, local.x, rtol=1e-5, atol=1e-6)


def test_compare_organisations_under_admm(tmp_path, capsys):
    code = main(["compare", "two_regions", "--protocol", "admm", "--out", str(tmp_path)])
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert list(table["organisation"]) == ["central", "territorial", "branch"]
    # admm's prices prove its plan only to about its tolerance: optimal where they do,
    # feasible where they do not, and the exit code says whether all were proven
    assert table["status"].iat[0] == "optimal"
    assert set(table["status"]) <= {"optimal", "feasible"}
    assert code == (0 if (table["status"] == "optimal").all() else 1)
    assert table["objective_value"].to_numpy() == pytest.approx(450 / 7, rel=3e-4)
    assert (table["shortfall"].abs() <= 3e-4 * 450 / 7).all()
    assert table["rounds"].iloc[0] == 1 and (table["rounds"].iloc[1:] > 1).all()
    assert (table["bytes_exchanged"].iloc[1:] > table["central_bytes"].iloc[1:]).all()
    assert "territorial" in capsys.readouterr().out


@pytest.mark.parametrize("organisation", ["territorial", "branch"])
def test_dantzig_wolfe_is_exact_with_a_bound_every_round(bundled_scenario, organisation):
    scenario = bundled_scenario("two_regions")
    plan = plan_by_councils(scenario, organisation, protocol="dantzig-wolfe", tolerance=1e-9)
    assert plan.status == "optimal"
    assert plan.details["rounds"] <= 10
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-9)
    assert plan.verification.max_relative_violation <= 1e-9
    w = 45 / 266  # the hand-derived labour value in the North
    labour = plan.factors.set_index("region")["price"]
    assert labour["north"] == pytest.approx(w, rel=1e-6)
    assert labour["south"] == pytest.approx(1.8 * w, rel=1e-6)
    for record in plan.details["history"]:  # λ never exceeds the bound (a maximum)
        assert -record["dual_objective"] >= 450 / 7 * (1 - 1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("organisation", ["territorial", "branch"])
def test_dantzig_wolfe_reaches_the_central_optimum_on_generated_economies(seed, organisation):
    from conftest import generated

    scenario = generated(12, 5, 2, inputs=3, seed=seed)
    central = sovnarkhoz.make_plan(scenario)
    plan = plan_by_councils(scenario, organisation, protocol="dantzig-wolfe", tolerance=1e-8,
                            max_rounds=500)
    assert plan.status == "optimal", plan.message
    assert plan.fulfilment == pytest.approx(central.fulfilment, rel=1e-7)
    assert plan.verification.passed
    bounds = [-r["dual_objective"] for r in plan.details["history"]]
    assert min(bounds) >= central.fulfilment * (1 - 1e-9)


def test_dantzig_wolfe_with_localism_costs_no_less_than_cooperation(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    plan = plan_by_councils(scenario, "territorial", protocol="dantzig-wolfe",
                            behaviour=Behaviour(localism=10.0), tolerance=1e-9)
    assert plan.status == proof_status(plan)
    assert plan.fulfilment == pytest.approx(25.0, rel=1e-9)
    assert plan.details["behaviour"]["cost"] == pytest.approx(450 / 7 - 25.0, rel=1e-9)


@pytest.mark.parametrize("organisation", ["territorial", "branch"])
def test_quotas_reach_the_central_plan_with_bounds_on_both_sides(bundled_scenario,
                                                                 organisation):
    """Kornai-Liptak: the centre allots quotas, councils return their shadow prices."""
    scenario = bundled_scenario("two_regions")
    plan = plan_by_councils(scenario, organisation, protocol="quotas", tolerance=1e-8,
                            max_rounds=100)
    assert plan.status == "optimal", plan.message
    assert plan.details["rounds"] <= 20
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-8)
    assert plan.verification.max_relative_violation <= 1e-8
    for record in plan.details["history"]:  # the centre's value bounds λ from above
        assert -record["dual_objective"] >= 450 / 7 * (1 - 1e-9)


def _generated(regions: int, seed: int, branches: int | None = None):
    from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables

    tables = generate_tables(GeneratorSpec(8, regions, 2, 3, 2, seed=seed))
    if branches:
        products = tables["products"]
        tables["products"] = products.assign(
            branch=[f"b{i % branches}" for i in range(len(products))])
    return sovnarkhoz.Scenario.from_frames(name=f"g{regions}-{seed}", **tables)


@pytest.mark.parametrize("organisation", ["territorial", "branch"])
def test_prices_reach_the_hand_derived_plan_with_a_bound_every_round(bundled_scenario,
                                                                    organisation):
    """The default prices protocol on two_regions: λ = 450/7 and the labour values derived
    by hand, and the centre's best dual value never exceeds the optimum."""
    scenario = bundled_scenario("two_regions")
    plan = plan_by_councils(scenario, organisation, protocol="prices", tolerance=1e-9)
    assert plan.status == "optimal", plan.message
    assert plan.details["protocol"] == "prices"
    assert plan.details["rounds"] <= 10
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-9)
    assert plan.verification.max_relative_violation <= 1e-9
    w = 45 / 266
    labour = plan.factors.set_index("region")["price"]
    assert labour["north"] == pytest.approx(w, rel=1e-6)
    assert labour["south"] == pytest.approx(1.8 * w, rel=1e-6)
    for record in plan.details["history"]:  # g(ŷ) bounds the national optimum (as a minimum)
        assert -record["dual_objective"] >= 450 / 7 * (1 - 1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("organisation", ["territorial", "branch"])
def test_prices_reach_the_central_optimum_on_generated_economies(organisation, seed):
    scenario = _generated(6, seed, branches=3)
    central = sovnarkhoz.make_plan(scenario)
    plan = plan_by_councils(scenario, organisation, protocol="prices",
                            tolerance=1e-7, max_rounds=300)
    assert plan.status == "optimal", plan.message
    assert plan.fulfilment == pytest.approx(central.fulfilment, rel=1e-6)
    assert plan.verification.max_relative_violation <= 1e-7
    last = plan.details["history"][-1]
    assert last["gap"] <= 1e-7 and last["mismatch"] <= 1e-7
    # the bound is a true one: no better than the central optimum
    assert -last["dual_objective"] >= central.fulfilment * (1 - 1e-9)


def test_prices_traffic_is_counted():
    """Per round: prices out (s_k floats) and an answer back (s_k + 2) to every council;
    before the first round each council's rays, its self-sufficient plan and its first
    proposal, after the last the mixes."""
    scenario = _generated(6, 1)
    plan = plan_by_councils(scenario, "territorial", protocol="prices",
                            tolerance=1e-7, max_rounds=300)
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment")).data
    parts = partition(scenario, build_lp(scenario.economy, Objective.parse("max-fulfilment")),
                      "territorial")
    councils, _, _ = split(lp, parts.owner, parts.names)
    K = len(councils)
    per_round = 8 * sum(2 * len(c.shared_rows) + 2 for c in councils)
    history = plan.details["history"]
    assert plan.details["rounds"] >= 3
    assert [r["messages"] for r in history[1:-1]] == [2 * K] * (len(history) - 2)
    assert [r["bytes"] for r in history[1:-1]] == [per_round] * (len(history) - 2)
    assert history[0]["messages"] == 8 * K and history[-1]["messages"] == 3 * K
    assert history[0]["bytes"] > 2 * per_round  # rays, plans alone, two rounds of prices
    traffic = plan.details["traffic"]
    assert traffic["messages"] == sum(r["messages"] for r in history)
    assert traffic["bytes"] == sum(r["bytes"] for r in history)


def test_ministries_do_not_open_with_plans_alone(bundled_scenario, monkeypatch):
    """Territorial councils open with their self-sufficient plans; ministries, who need each
    other's products, do not (run.OPEN_ALONE); the plan is the central one either way."""
    from sovnarkhoz.councils.dantzig_wolfe import Centre

    opened = []
    alone = Centre.alone

    def recorded(centre, engine):
        opened.append(len(centre.data))
        return alone(centre, engine)

    monkeypatch.setattr(Centre, "alone", recorded)
    scenario = bundled_scenario("two_regions")
    for organisation in ("territorial", "branch", "central"):
        for protocol in ("prices", "dantzig-wolfe", "quotas"):
            plan = plan_by_councils(scenario, organisation, protocol=protocol, tolerance=1e-9)
            assert plan.status == "optimal"
            assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-9)
        # once per protocol run, or never
        assert len(opened) == (0 if organisation == "branch" else 3), organisation
        opened.clear()


def test_prices_engines_agree_when_a_worker_and_an_actor_die():
    """The prices protocol in worker processes and Ray actors gives the local plan, round for
    round, when a worker (or an actor) is killed mid-run: it comes back from the checkpoints
    (each council's proposals) and the round is asked again."""
    pytest.importorskip("ray")
    from sovnarkhoz.councils.bundle import coordinate_by_prices
    from sovnarkhoz.councils.engines import LocalEngine, ProcessEngine, RayEngine

    scenario = _generated(6, 2)
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment"))
    parts = partition(scenario, lp, "territorial")
    local = coordinate_by_prices(lp.data, parts.owner, parts.names, tolerance=1e-7,
                                 engine=LocalEngine())
    assert local.converged and local.rounds >= 4
    for engine in (_dies_in_round(ProcessEngine(workers=2), 3, _kill_first_worker),
                   _dies_in_round(RayEngine(actors=2), 3, _kill_first_actor)):
        remote = coordinate_by_prices(lp.data, parts.owner, parts.names, tolerance=1e-7,
                                      engine=engine)
        assert engine.restarts == 1
        assert remote.converged and remote.rounds == local.rounds
        np.testing.assert_allclose(remote.x, local.x, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(remote.row_dual, local.row_dual, rtol=1e-9, atol=1e-9)


def test_dantzig_wolfe_in_worker_processes_gives_the_local_plan_when_a_worker_dies():
    """The centre's central-price rounds are deterministic, so dantzig-wolfe in worker
    processes, one of them killed in round 3 and restarted from its checkpoint, gives the
    local plan and prices round for round."""
    from sovnarkhoz.councils.dantzig_wolfe import decompose
    from sovnarkhoz.councils.engines import LocalEngine, ProcessEngine

    scenario = _generated(6, 2)
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment"))
    parts = partition(scenario, lp, "territorial")
    local = decompose(lp.data, parts.owner, parts.names, tolerance=1e-7, engine=LocalEngine())
    engine = _dies_in_round(ProcessEngine(workers=2), 3, _kill_first_worker)
    remote = decompose(lp.data, parts.owner, parts.names, tolerance=1e-7, engine=engine)
    assert local.converged and local.rounds >= 4
    assert engine.restarts == 1
    assert remote.converged and remote.rounds == local.rounds
    np.testing.assert_allclose(remote.x, local.x, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(remote.row_dual, local.row_dual, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_departmentalism_never_improves_and_grows_with_its_strength(seed):
    """Ministries that value others' needs less give a plan no better than cooperation, and
    a stronger bias costs at least as much as a weaker one (each plan is the exact optimum
    of the biased problem, so the nation's λ can only fall as the bias grows)."""
    scenario = _generated(6, seed, branches=3)
    central = sovnarkhoz.make_plan(scenario)
    levels = []
    for strength in (0.0, 0.2, 1.0, 5.0):
        plan = plan_by_councils(scenario, "branch", protocol="prices",
                                tolerance=1e-8, max_rounds=300,
                                behaviour=Behaviour(departmentalism=strength))
        assert plan.status == proof_status(plan) and plan.verification.passed
        assert plan.fulfilment <= central.fulfilment * (1 + 1e-7)
        if strength:
            cost = plan.details["behaviour"]["cost"]
            assert cost == pytest.approx(central.fulfilment - plan.fulfilment, abs=1e-7)
        levels.append(plan.fulfilment)
    assert levels[0] == pytest.approx(central.fulfilment, rel=1e-7)
    assert all(b <= a * (1 + 1e-7) for a, b in zip(levels, levels[1:], strict=False))
    assert levels[-1] < 0.99 * central.fulfilment  # a strong bias costs something real


def test_departmentalism_is_for_ministries(bundled_scenario):
    with pytest.raises(ValueError, match="branch"):
        plan_by_councils(bundled_scenario("two_regions"), "territorial", protocol="prices",
                         behaviour=Behaviour(departmentalism=1.0))


@pytest.mark.parametrize(("products", "regions", "organisation", "seed"),
                         [(4, 3, "territorial", 1), (4, 3, "territorial", 2),
                          (3, 2, "branch", 1), (4, 2, "branch", 2)])
def test_quotas_reach_the_central_optimum_on_small_generated_economies(products, regions,
                                                                       organisation, seed):
    """Kornai-Liptak on generated economies: the councils' costs at the best quotas meet
    the centre's lower bound, which never passes the central optimum."""
    from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables

    tables = generate_tables(GeneratorSpec(products, regions, 2, 3, 2, seed=seed))
    scenario = sovnarkhoz.Scenario.from_frames(name="q", **tables)
    central = sovnarkhoz.make_plan(scenario)
    plan = plan_by_councils(scenario, organisation, protocol="quotas", tolerance=1e-6,
                            max_rounds=300)
    assert plan.status == "optimal", plan.message
    assert plan.fulfilment == pytest.approx(central.fulfilment, rel=1e-5)
    assert plan.verification.max_relative_violation <= 1e-6
    for record in plan.details["history"]:  # the centre's value bounds λ from above
        assert -record["dual_objective"] >= central.fulfilment * (1 - 1e-7)
    # the prices: the centre's of the shared rows, each council's own at them, are a dual
    # solution of the central LP with no gap (the quota problems' own duals gave a gap of 1)
    from dualcheck import dual_check
    from sovnarkhoz.plan.assemble import formulate

    lp = formulate(scenario, Objective.parse("max-fulfilment")).data
    infeasibility, gap = dual_check(lp, plan.solution.x, plan.solution.row_dual)
    assert infeasibility <= 1e-9 and gap <= 1e-6


@pytest.mark.parametrize("organisation", ["territorial", "branch"])
def test_quotas_are_exact_on_two_regions_prices_included(bundled_scenario, organisation):
    """Kornai-Lipták on two_regions to 1e-9: λ = 450/7 in a few rounds, and every row's price
    (balances, labour, links) the central plan's, whose prices are unique here; the quotas
    allotted last are met (the plan's shared rows hold)."""
    scenario = bundled_scenario("two_regions")
    lp, central, ranges = _central_prices(scenario)
    assert np.all(ranges[:, 1] - ranges[:, 0] <= 1e-9)  # one set of optimal prices
    plan = plan_by_councils(scenario, organisation, protocol="quotas", tolerance=1e-9,
                            max_rounds=100)
    assert plan.status == "optimal", plan.message
    assert plan.details["rounds"] <= 10
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-12)
    assert plan.verification.max_relative_violation <= 1e-12
    np.testing.assert_allclose(plan.solution.row_dual, central.solution.row_dual, rtol=1e-9,
                               atol=1e-12)
    for table in ("prices", "factors", "links"):
        np.testing.assert_allclose(plan.tables[table]["price"],
                                   central.tables[table]["price"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_quotas_reach_a_generated_20_by_4_by_2_economy_in_bounded_rounds(seed):
    """The generated economy of 20 products, 4 regions and 2 techniques (``sovnarkhoz
    generate --products 20 --regions 4 --techniques 2 --seed S``), 4 territorial councils, to
    1e-4 in at most 60 rounds (24 and 28 when written; the Benders quotas before had not
    converged in 300): λ within 1e-4 of the central one, every round's bound a true one, and
    the plan's prices a dual solution of the central LP that proves it (status optimal)."""
    from dualcheck import dual_check
    from sovnarkhoz.plan.assemble import formulate
    from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables

    scenario = sovnarkhoz.Scenario.from_frames(
        name="g20x4x2", **generate_tables(GeneratorSpec(20, 4, 2, seed=seed)))
    central = sovnarkhoz.make_plan(scenario, solver="highs")
    plan = plan_by_councils(scenario, "territorial", protocol="quotas", tolerance=1e-4,
                            max_rounds=60)
    assert plan.status == "optimal", plan.message
    assert plan.details["rounds"] <= 60
    assert plan.fulfilment == pytest.approx(central.fulfilment, rel=1e-4)
    for record in plan.details["history"]:  # the bound never passes the optimum
        assert -record["dual_objective"] >= central.fulfilment * (1 - 1e-9)
    lp = formulate(scenario, Objective.parse("max-fulfilment")).data
    infeasibility, gap = dual_check(lp, plan.solution.x, plan.solution.row_dual)
    assert infeasibility <= 1e-9 and gap <= 1e-4


def test_councils_planning_with_pdlp_reach_the_central_optimum(bundled_scenario):
    """Councils that plan with the first-order solver (here on the CPU) answer to its
    tolerance; the prices protocol still reaches λ = 450/7."""
    pytest.importorskip("torch")
    plan = plan_by_councils(bundled_scenario("two_regions"), "territorial", protocol="prices",
                            tolerance=1e-6,
                            max_rounds=50, solver="pdlp")
    assert plan.status == "optimal", plan.message
    assert plan.solver == "pdlp"
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-6)
    assert plan.verification.max_relative_violation <= 1e-6


def test_dantzig_wolfe_says_when_councils_cannot_meet_the_shared_rows(bundled_scenario):
    """Targets a hundred times two_regions' in full (min-factor): infeasible centrally; the
    councils stop when no answer improves the centre's mix and say why, not 'round limit'."""
    scenario = bundled_scenario("two_regions")
    targets = scenario.tables["targets"].assign(amount=lambda t: t["amount"] * 100)
    bigger = sovnarkhoz.Scenario.from_frames(name="bigger", settings=scenario.settings,
                                             **{**scenario.tables, "targets": targets})
    assert sovnarkhoz.make_plan(bigger, "min-factor:labour").status == "infeasible"
    plan = plan_by_councils(bigger, "territorial", objective="min-factor:labour",
                            protocol="dantzig-wolfe", max_rounds=100)
    assert plan.status == "error"
    assert "the councils cannot meet them" in plan.message
    assert plan.details["rounds"] < 100
    assert plan.details["history"][-1]["mismatch"] > 0.9  # most of the targets stay unmet


@pytest.mark.parametrize("protocol", ["prices", "dantzig-wolfe"])
@pytest.mark.parametrize("failing_round", [1, 2])
def test_a_council_whose_solver_fails_stops_the_run_without_a_traceback(
        tmp_path, capsys, monkeypatch, protocol, failing_round):
    """A council's LP that ends in error (here: made to, in a given round) ends the run with
    status error, the reason, and the plan of the last mix kept; the CLI exits 1."""
    from sovnarkhoz.councils import proposals

    answered = {"count": 0}
    best = proposals.PricingCouncil._best

    def failing(self, cost):
        answered["count"] += 1
        # every council answers once per round (two councils; the first ask is round 0)
        if answered["count"] > 2 * failing_round:
            raise RuntimeError(f"council {self.data.name}'s pricing problem ended error: test")
        return best(self, cost)

    monkeypatch.setattr(proposals.PricingCouncil, "_best", failing)
    out = tmp_path / "out"
    code = main(["plan", "two_regions", "--organisation", "territorial", "--protocol", protocol,
                 "--out", str(out), "--quiet"])
    summary = json.loads((out / "summary.json").read_text())
    assert code == 1 and summary["status"] == "error"
    assert "pricing problem ended error: test" in summary["message"]
    assert f"stopped in round {failing_round}" in summary["message"]
    assert len(summary["history"]) == failing_round - 1
    assert (out / "activities.csv").exists()


def test_an_admm_council_that_runs_nothing_answers_zero():
    """ussr1957's republics without techniques hold no columns; under admm they answered
    NaN (HiGHS finds an empty model has no solution), which made every round's objective
    NaN. A council with nothing to plan contributes nothing and costs nothing."""
    import scipy.sparse as sp

    from sovnarkhoz.councils.council import Council, CouncilData

    empty = np.zeros(0, dtype=np.int64)
    data = CouncilData(name="TurSSR", columns=empty, private_rows=empty, shared_rows=empty,
                       c=np.zeros(0), col_lower=np.zeros(0), col_upper=np.zeros(0),
                       A_private=sp.csr_matrix((0, 0)), row_lower=np.zeros(0),
                       row_upper=np.zeros(0), B=sp.csr_matrix((0, 0)))
    answer = Council(data, rho=1.0).plan(np.zeros(0), np.zeros(0), 1.0)
    assert answer.contribution.shape == (0,)
    assert (answer.objective, answer.dual_value, answer.dual_residual) == (0.0, 0.0, 0.0)


def test_dantzig_wolfe_central_prices_cover_every_row_at_once(monkeypatch):
    """max λ with x_i >= λ (i < 12, shared) and one council holding x in [0, 1]^12: λ = 1.
    While λ = 0 the master is degenerate; a vertex prices one row, the council answers
    x = e_j, and λ waits until all twelve rows are covered (12 rounds and 2 to close). Central
    prices value every row, the council answers x = 1 and λ = 1 in the second round. (The
    council's self-sufficient plan, x = 1 and λ = 1 too, is left out here: it would settle
    the matter before the first round, as the last assertions show.)"""
    from sovnarkhoz.councils import dantzig_wolfe
    from sovnarkhoz.solvers.problem import LPData

    opening = dantzig_wolfe.Centre.alone
    monkeypatch.setattr(dantzig_wolfe.Centre, "alone", lambda centre, engine: None)

    n = 12
    lp = LPData(c=np.concatenate([np.zeros(n), [-1.0]]),
                A=sp.hstack([sp.identity(n), -np.ones((n, 1))]).tocsr(),
                row_lower=np.zeros(n), row_upper=np.full(n, np.inf),
                col_lower=np.zeros(n + 1), col_upper=np.concatenate([np.ones(n), [np.inf]]))
    owner = np.concatenate([np.zeros(n, dtype=np.int64), [-1]])
    central = dantzig_wolfe.decompose(lp, owner, ["only"], tolerance=1e-9)
    assert central.converged and central.rounds == 2
    assert central.x[-1] == pytest.approx(1.0, abs=1e-9)
    assert np.allclose(central.x[:n], 1.0, atol=1e-9)
    monkeypatch.setattr(dantzig_wolfe, "CENTRAL_TOLERANCE", None)  # vertex prices only
    vertex = dantzig_wolfe.decompose(lp, owner, ["only"], tolerance=1e-9)
    assert vertex.converged and vertex.rounds >= n
    assert vertex.x[-1] == pytest.approx(1.0, abs=1e-9)
    monkeypatch.setattr(dantzig_wolfe.Centre, "alone", opening)  # vertex prices, plans alone
    alone = dantzig_wolfe.decompose(lp, owner, ["only"], tolerance=1e-9)
    assert alone.converged and alone.rounds == 1
    assert alone.history[0].objective == pytest.approx(-1.0, abs=1e-12)


def test_councils_open_with_the_plans_they_can_make_alone(bundled_scenario):
    """two_regions, by hand: alone, north (200 labour; grain 1, cloth 2 a unit) meets its
    targets of one unit each at λ = 200/3, south (100 labour; grain 3, cloth 1) at 25, each
    making grain and cloth in equal amounts and shipping nothing. These are the councils'
    first proposals, before any price is posted; the centre's mix of them meets every target
    at λ = 25, the lower of the two."""
    from sovnarkhoz.councils.dantzig_wolfe import Centre
    from sovnarkhoz.councils.engines import LocalEngine

    scenario = bundled_scenario("two_regions")
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment"))
    parts = partition(scenario, lp, "territorial")
    centre = Centre(lp.data, parts.owner, parts.names)
    engine = LocalEngine()
    engine.start(centre.members())
    centre.alone(engine)
    names = lp.col_names()
    for k, level in ((parts.names.index("north"), 200 / 3), (parts.names.index("south"), 25)):
        council = engine.host.members[k]
        (kind, plan), = council.proposals
        made = dict(zip([names[j] for j in council.data.columns], plan, strict=True))
        assert kind == "point"
        assert made == pytest.approx({name: (level if name.startswith("activity") else 0.0)
                                      for name in made}, abs=1e-9)
    centre.master.stabilise(np.zeros(centre.m), 1e6 * centre.scale)  # artificial slack dear
    solved = centre.master.solve()
    assert -solved.mix_cost == pytest.approx(25.0, abs=1e-9)


# --- the councils' prices are the economy's: a dual solution of the whole LP -------------

_REFERENCE: dict[str, tuple] = {}


def _central_prices(scenario):
    """The central LP's data, its plan by simplex, and each row's range of optimal duals
    (checked against a second solve by interior point: same prices)."""
    from dualcheck import dual_ranges
    from sovnarkhoz.plan.assemble import formulate
    from sovnarkhoz.solvers import SolverOptions

    if scenario.name not in _REFERENCE:
        lp = formulate(scenario, Objective.parse("max-fulfilment")).data
        simplex = sovnarkhoz.make_plan(scenario, solver="highs",
                                       options=SolverOptions(method="simplex"))
        ipm = sovnarkhoz.make_plan(scenario, solver="highs", options=SolverOptions(method="ipm"))
        np.testing.assert_allclose(ipm.solution.row_dual, simplex.solution.row_dual, atol=1e-9)
        _REFERENCE[scenario.name] = (lp, simplex, dual_ranges(lp, simplex.solution.x))
    return _REFERENCE[scenario.name]


def test_the_central_prices_of_two_regions_are_unique_and_presidiums_but_meat(
        bundled_scenario):
    """The optimal dual face, row by row: two_regions has one set of prices; presidium too,
    but for meat in either region, whose price may lie anywhere from 0 to 0.404 (centre) and
    0.425 (Kazakhstan): the plan is the same whichever."""
    _, _, ranges = _central_prices(bundled_scenario("two_regions"))
    assert np.all(ranges[:, 1] - ranges[:, 0] <= 1e-9)
    lp, central, ranges = _central_prices(bundled_scenario("presidium"))
    rows = np.array(build_lp(bundled_scenario("presidium").economy,
                             Objective.parse("max-fulfilment")).row_names())
    loose = rows[ranges[:, 1] - ranges[:, 0] > 1e-9]
    assert set(loose) == {"balance[centre,meat]", "balance[kazakhstan,meat]"}
    assert ranges[rows == "balance[centre,meat]"][0] == pytest.approx([0.0, 40 / 99])


@pytest.mark.parametrize("protocol", ["prices", "quotas", "dantzig-wolfe"])
@pytest.mark.parametrize("organisation", ["territorial", "branch"])
@pytest.mark.parametrize("name", ["two_regions", "presidium"])
def test_every_exact_protocol_gives_the_central_prices(bundled_scenario, name, organisation,
                                                       protocol):
    """Every table of prices (products, factors, links, capacity) and the bottlenecks equal
    the central plan's to 1e-6 wherever the central prices are unique, and lie in the optimal
    dual face where they are not (presidium's meat); the prices are dual feasible for the
    central LP with no duality gap."""
    from dualcheck import dual_check

    scenario = bundled_scenario(name)
    lp, central, ranges = _central_prices(scenario)
    plan = plan_by_councils(scenario, organisation, protocol=protocol, tolerance=1e-9,
                            max_rounds=500)
    assert plan.status == "optimal", plan.message
    y = plan.solution.row_dual
    unique = ranges[:, 1] - ranges[:, 0] <= 1e-9
    np.testing.assert_allclose(y[unique], central.solution.row_dual[unique], atol=1e-6)
    assert np.all((y >= ranges[:, 0] - 1e-6) & (y <= ranges[:, 1] + 1e-6))
    for table in ("factors", "links"):
        np.testing.assert_allclose(plan.tables[table]["price"], central.tables[table]["price"],
                                   atol=1e-6)
    balance = build_lp(scenario.economy, Objective.parse("max-fulfilment")).row_blocks["balance"]
    np.testing.assert_allclose(plan.prices["price"][unique[balance.slice]],
                               central.prices["price"][unique[balance.slice]], atol=1e-6)
    np.testing.assert_allclose(plan.activities["capacity_price"],
                               central.activities["capacity_price"], atol=1e-6)
    key = ["kind", "where", "what"]
    pd.testing.assert_frame_equal(plan.bottlenecks[key], central.bottlenecks[key])
    np.testing.assert_allclose(plan.bottlenecks["price"], central.bottlenecks["price"],
                               atol=1e-6)
    infeasibility, gap = dual_check(lp, plan.solution.x, y)
    assert infeasibility <= 1e-9 and gap <= 1e-8


@pytest.mark.parametrize("organisation", ["territorial", "branch"])
def test_quotas_price_labour_as_derived_by_hand(bundled_scenario, organisation):
    """Kornai-Liptak on two_regions: labour is worth 45/266 = 0.16917 in the North and
    81/266 = 0.30451 in the South (tests/test_golden.py), not the 9000 of the councils'
    quota penalty, and both regions' labour are bottlenecks."""
    plan = plan_by_councils(bundled_scenario("two_regions"), organisation, protocol="quotas",
                            tolerance=1e-9, max_rounds=100)
    assert plan.status == "optimal", plan.message
    labour = plan.factors.set_index("region")["price"]
    assert labour["north"] == pytest.approx(45 / 266, rel=1e-9)
    assert labour["south"] == pytest.approx(81 / 266, rel=1e-9)
    assert round(labour["north"], 5) == 0.16917 and round(labour["south"], 5) == 0.30451
    assert set(plan.bottlenecks["where"]) == {"north", "south"}


def test_quotas_on_presidium_price_the_binding_factors():
    """presidium by territorial councils and quotas: land in the centre at 10/99 and labour
    in Kazakhstan at 19/198 (0.0960, not 6650), both bottlenecks, as in the central plan."""
    scenario = sovnarkhoz.load_scenario(sovnarkhoz.bundled("presidium"))
    plan = plan_by_councils(scenario, "territorial", protocol="quotas", tolerance=1e-9,
                            max_rounds=500)
    assert plan.status == "optimal", plan.message
    price = plan.factors.set_index(["region", "factor"])["price"]
    assert price["centre", "land"] == pytest.approx(10 / 99, rel=1e-9)
    assert price["kazakhstan", "labour"] == pytest.approx(19 / 198, rel=1e-9)
    assert price["centre", "labour"] == pytest.approx(0.0, abs=1e-12)
    assert list(zip(plan.bottlenecks["where"], plan.bottlenecks["what"], strict=True)) == [
        ("centre", "land"), ("kazakhstan", "labour")]


@pytest.mark.parametrize("organisation", ["territorial", "branch"])
def test_admm_prices_are_dual_feasible_to_its_tolerance(bundled_scenario, organisation):
    """ADMM converges only to its tolerance, and so do its prices: those the councils last
    planned against, with the councils' own duals there, the dual point whose gap and
    residual the stopping rule measured (1e-4 here)."""
    from dualcheck import dual_check

    scenario = bundled_scenario("two_regions")
    lp, central, _ = _central_prices(scenario)
    plan = plan_by_councils(scenario, organisation, protocol="admm", tolerance=1e-4,
                            max_rounds=2000)
    assert plan.status == proof_status(plan), plan.message
    infeasibility, gap = dual_check(lp, plan.solution.x, plan.solution.row_dual)
    assert infeasibility <= 1e-4 and gap <= 1e-4
    assert gap == pytest.approx(plan.details["history"][-1]["gap"], rel=1e-3)
    np.testing.assert_allclose(plan.factors["price"], central.factors["price"], rtol=1e-3)


@pytest.mark.parametrize("protocol", ["prices", "dantzig-wolfe"])
@pytest.mark.parametrize("organisation", ["territorial", "branch"])
def test_councils_prices_are_a_dual_solution_on_generated_economies(protocol, organisation):
    """Generated economies (where the optimal prices need not be unique): the councils'
    prices are dual feasible for the central LP (plan.assemble.formulate) and close the
    duality gap with the councils' plan to 1e-6 relative. (Quotas: in
    test_quotas_reach_the_central_optimum_on_small_generated_economies.)"""
    from conftest import generated
    from dualcheck import dual_check
    from sovnarkhoz.plan.assemble import formulate

    for seed in (1, 2):
        scenario = generated(10, 4, 2, inputs=3, seed=seed)
        lp = formulate(scenario, Objective.parse("max-fulfilment")).data
        plan = plan_by_councils(scenario, organisation, protocol=protocol, tolerance=1e-8,
                                max_rounds=500)
        assert plan.status == "optimal", plan.message
        infeasibility, gap = dual_check(lp, plan.solution.x, plan.solution.row_dual)
        assert infeasibility <= 1e-9 and gap <= 1e-6, (seed, infeasibility, gap)


# --- what the councils show as they go, and what the plan says ran -----------------------

def test_plan_by_councils_shows_rounds_and_gap_not_a_share_of_the_round_cap(capsys):
    """Without a terminal: plain lines, the first round and the last, each with the round,
    the mismatch and the gap; nothing that reads as a share of --rounds done."""
    code = main(["plan", "two_regions", "--organisation", "territorial", "--protocol",
                 "quotas", "--tolerance", "1e-9"])
    assert code == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "territorial councils, quotas" in line]
    assert len(lines) == 2
    assert "round 1, mismatch" in lines[0] and "gap" in lines[0]
    assert "(last)" in lines[1] and "gap" in lines[1]
    rounds = int(lines[1].split("round ")[1].split(" ")[0])
    assert 1 < rounds <= 20
    assert "%" not in err and "remaining" not in err


def test_the_round_counter_on_a_terminal_has_no_total():
    """On a terminal a tqdm counter of rounds with the gap as it goes: a run of 403 rounds
    reads "403 rounds", not "20%" of the cap with a time remaining."""
    import io

    from sovnarkhoz.cli.progress import RoundDisplay
    from sovnarkhoz.councils import Round

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    with RoundDisplay("territorial councils, prices", stream=stream) as display:
        for number in range(1, 404):
            display.update(Round(round=number, mismatch=1e-3, objective=0.0,
                                 dual_objective=0.0, gap=10 ** (-number / 50),
                                 dual_residual=0.0, step=1.0, messages=0, bytes=0,
                                 seconds=0.0))
    shown = stream.getvalue().split("\r")[-1]
    assert shown.startswith("territorial councils, prices: 403 rounds")
    assert "gap=8.7e-09" in shown and "mismatch=1.0e-03" in shown
    assert "%" not in stream.getvalue() and "<" not in shown


def test_plain_progress_lines_come_every_few_seconds():
    import io

    from sovnarkhoz.cli.progress import RoundDisplay
    from sovnarkhoz.councils import Round

    stream = io.StringIO()
    display = RoundDisplay("branch councils, dantzig-wolfe", stream=stream, every=0.0)
    for number in (1, 2, 3):
        display.update(Round(round=number, mismatch=0.5, objective=0.0, dual_objective=0.0,
                             gap=0.25 / number, dual_residual=0.0, step=0.0, messages=0,
                             bytes=0, seconds=0.0))
    display.close()
    lines = stream.getvalue().splitlines()
    assert [line.split("] ")[1] for line in lines] == [
        "branch councils, dantzig-wolfe: round 1, mismatch 5.0e-01, gap 2.5e-01",
        "branch councils, dantzig-wolfe: round 2, mismatch 5.0e-01, gap 1.2e-01",
        "branch councils, dantzig-wolfe: round 3, mismatch 5.0e-01, gap 8.3e-02"]


def test_councils_report_the_solver_that_planned(bundled_scenario, monkeypatch):
    """--solver auto on this machine: councils plan with HiGHS, and say so; where auto picks
    pdlp for the councils (on a GPU, for large councils; here a stand-in named pdlp that
    answers by HiGHS, so that the test needs neither), the plan says pdlp, not highs."""
    from sovnarkhoz.councils import proposals
    from sovnarkhoz.solvers.highs import HighsSolver
    from sovnarkhoz.solvers.pdlp import PdlpSolver

    scenario = bundled_scenario("two_regions")
    plan = plan_by_councils(scenario, "territorial", protocol="dantzig-wolfe", solver="auto")
    assert plan.status == "optimal" and plan.solver == "highs"

    class FirstOrder(HighsSolver):
        name = "pdlp"
        capabilities = PdlpSolver.capabilities  # a first-order solver, as far as anyone asks

    asked = []

    def choose(name, lp, *rest):
        asked.append(name)
        return FirstOrder(), "pdlp (large council on a GPU)"

    monkeypatch.setattr(proposals, "get_solver", choose)
    for protocol in ("dantzig-wolfe", "prices"):
        plan = plan_by_councils(scenario, "territorial", protocol=protocol, solver="auto")
        assert plan.status == "optimal", plan.message
        assert plan.solver == "pdlp" and plan.solution.solver == "pdlp"
    assert set(asked) == {"auto"}


def test_unproven_dantzig_wolfe_prices_are_sought_again_scaled(monkeypatch):
    """107 generated councils: Dantzig-Wolfe converges, but a shipment pays 1.3e-4 of the
    price level at its prices (HiGHS's absolute dual tolerance on prices of order 1e-3), so
    the plan is not proven. The councils then coordinate again with the master's and their
    own costs scaled to prices of order one: the plan is proven (dual feasible to rounding)
    and λ is the central one within the tolerance; the rounds of both runs are counted."""
    from sovnarkhoz.councils import plan_by_councils
    from sovnarkhoz.councils.dantzig_wolfe import Centre
    from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables

    # without the councils' plans alone (Centre.alone), with which the first run happens to
    # end proven on this economy (51 rounds), but not on others
    monkeypatch.setattr(Centre, "alone", lambda centre, engine: None)
    scenario = sovnarkhoz.Scenario.from_frames(
        name="c107", **generate_tables(GeneratorSpec(10, 107, 2, 3, 2, seed=1)))
    central = sovnarkhoz.make_plan(scenario, solver="highs")
    plan = plan_by_councils(scenario, "territorial", protocol="dantzig-wolfe", tolerance=1e-4)
    assert plan.status == "optimal", plan.message
    assert plan.verification.optimality.dual_violation < 1e-9
    assert plan.fulfilment == pytest.approx(central.fulfilment, rel=2e-4)
    first, second = 27, 26  # each run's rounds, measured (the first alone: "feasible")
    assert plan.council_run.rounds == first + second
    assert len(plan.council_run.history) == first + second


def test_a_shared_row_is_answered_for_by_the_council_with_most_entries_in_it():
    """Centre.home: row 0 has two entries of council 0 and one of council 1 (0 answers for
    it), row 1 one of each (a tie: the first council), row 2 one of council 0 and two of
    council 1 (1 answers), row 3 one of council 1 and λ's (1)."""
    from sovnarkhoz.councils.dantzig_wolfe import Centre
    from sovnarkhoz.solvers.problem import LPData

    # columns: a, b (council 0), c, d (council 1), λ (the centre)
    A = sp.csr_matrix(np.array([[1.0, 1.0, 1.0, 0.0, 0.0],
                                [1.0, 0.0, 0.0, 1.0, 0.0],
                                [0.0, 1.0, 1.0, 1.0, 0.0],
                                [0.0, 0.0, 1.0, 0.0, -1.0]]))
    lp = LPData(c=np.array([0.0, 0.0, 0.0, 0.0, -1.0]), A=A, row_lower=np.zeros(4),
                row_upper=np.full(4, np.inf), col_lower=np.zeros(5), col_upper=np.ones(5))
    centre = Centre(lp, np.array([0, 0, 1, 1, -1]), ["zero", "one"])
    assert list(centre.shared) == [0, 1, 2, 3]
    assert list(centre.home()) == [0, 0, 1, 1]
