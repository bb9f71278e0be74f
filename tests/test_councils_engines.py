"""Every protocol's councils in worker processes and in Ray actors: the local plan, round for
round, even when a worker or an actor is killed mid-run (from outside, as the system would)."""

from __future__ import annotations

import numpy as np
import pytest

import sovnarkhoz
from sovnarkhoz.councils import partition
from sovnarkhoz.councils.engines import LocalEngine, ProcessEngine, RayEngine
from sovnarkhoz.councils.run import PROTOCOL_RUNS
from sovnarkhoz.formulation import Objective, build_lp
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from test_councils import _dies_in_round, _kill_first_actor, _kill_first_worker

TOLERANCE = {"prices": 1e-7, "dantzig-wolfe": 1e-7, "quotas": 1e-6, "admm": 1e-2}
"""Each protocol's tolerance here: what is tested is that the plan is the local one, round for
round (ADMM converges linearly, 1e-2 in a few dozen rounds; its accuracy is tested apart)."""
ROUNDS = 300
"""At most this many rounds (the protocols converge within them here)."""


@pytest.fixture(scope="module")
def economy():
    """A generated economy of three councils, 4 products, 2 techniques: its LP and partition."""
    tables = generate_tables(GeneratorSpec(4, 3, 2, 3, 2, seed=1))
    scenario = sovnarkhoz.Scenario.from_frames(name="engines", **tables)
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment"))
    return lp.data, partition(scenario, lp, "territorial")


def _run(protocol, economy, engine):
    lp, parts = economy
    return PROTOCOL_RUNS[protocol](lp, parts.owner, parts.names, tolerance=TOLERANCE[protocol],
                                   max_rounds=ROUNDS, engine=engine)


def _same(remote, local):
    assert remote.converged == local.converged and remote.rounds == local.rounds
    np.testing.assert_allclose(remote.x, local.x, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(remote.row_dual, local.row_dual, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("protocol", sorted(PROTOCOL_RUNS))
def test_every_protocol_in_worker_processes_survives_a_killed_worker(economy, protocol):
    local = _run(protocol, economy, LocalEngine())
    assert local.converged and local.rounds >= 3, (protocol, local.rounds)
    engine = _dies_in_round(ProcessEngine(workers=2), 3, _kill_first_worker)
    remote = _run(protocol, economy, engine)
    assert engine.restarts == 1
    _same(remote, local)


def test_every_protocol_in_ray_actors_survives_a_killed_actor(economy):
    """dantzig-wolfe and quotas here; prices and admm in test_councils.py (one Ray start)."""
    ray = pytest.importorskip("ray")
    ray.init(address="local", include_dashboard=False, log_to_driver=False, num_cpus=2)
    try:
        for protocol in ("dantzig-wolfe", "quotas"):
            local = _run(protocol, economy, LocalEngine())
            engine = _dies_in_round(RayEngine(actors=2), 3, _kill_first_actor)
            remote = _run(protocol, economy, engine)
            assert engine.restarts == 1, protocol
            _same(remote, local)
    finally:
        ray.shutdown()


def test_ray_joins_only_the_cluster_it_is_told(monkeypatch) -> None:
    """No address: $RAY_ADDRESS if set, else a Ray instance of the run's own ("local"),
    never a cluster someone else left running on the machine (Ray's own default)."""
    pytest.importorskip("ray")
    from sovnarkhoz.councils.engines import RayEngine

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert RayEngine().address == "local"
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.7:6379")
    assert RayEngine().address == "10.0.0.7:6379"
    assert RayEngine(address="auto").address == "auto"
