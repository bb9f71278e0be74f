"""dantzig-wolfe's menu: proposals long off the master's basis leave it (IDLE_SOLVES), and
the plan stays exact."""

from __future__ import annotations

import pytest

import sovnarkhoz
from sovnarkhoz.councils import plan_by_councils
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables


def test_dantzig_wolfe_drops_idle_proposals_and_stays_exact(monkeypatch):
    """Proposals off the master's basis are taken off the menu (here after a single idle
    solve, the harshest setting): the plan is still the central optimum, proven, and a
    dropped proposal may come back."""
    from sovnarkhoz.councils import dantzig_wolfe

    dropped = []
    prune = dantzig_wolfe.Centre.prune

    def counting(self, weights):
        before = len(self.menu)
        kept = prune(self, weights)
        dropped.append(before - len(self.menu))
        assert len(self.menu) == self.master.highs.getNumCol() - self.master.first
        return kept

    monkeypatch.setattr(dantzig_wolfe, "IDLE_SOLVES", 1)
    monkeypatch.setattr(dantzig_wolfe.Centre, "prune", counting)
    tables = generate_tables(GeneratorSpec(8, 4, 2, 3, 2, seed=1))
    scenario = sovnarkhoz.Scenario.from_frames(name="idle", **tables)
    central = sovnarkhoz.make_plan(scenario, solver="highs")
    plan = plan_by_councils(scenario, "territorial", protocol="dantzig-wolfe", tolerance=1e-7)
    assert sum(dropped) > 0
    assert plan.status == "optimal", plan.message
    assert plan.fulfilment == pytest.approx(central.fulfilment, rel=1e-6)
