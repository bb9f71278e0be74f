"""pdlp's thread count on the CPU: from the work and the cores free, never oversubscribed.

The machine's readings (cores, load) are monkeypatched, so these tests are deterministic
whatever else runs on the machine that runs them.
"""

from __future__ import annotations

import itertools

import pytest

import sovnarkhoz
from sovnarkhoz.solvers import SolverOptions
from sovnarkhoz.solvers.pdlp import threads as pdlp_threads
from sovnarkhoz.solvers.pdlp.threads import (
    NONZEROS_PER_THREAD,
    MachineLoad,
    ThreadReason,
    choose_threads,
    read_machine,
)


@pytest.mark.parametrize(("machine", "free"), [
    (MachineLoad(cores=2, load=10.2, running=7), 1),  # the development machine, five sessions
    (MachineLoad(cores=2, load=0.9, running=1), 2),  # idle but for this process
    (MachineLoad(cores=2, load=2.0, running=1), 1),  # one busy neighbour (load: it and us)
    (MachineLoad(cores=2, load=0.1, running=2), 1),  # a neighbour just started: now counts
    (MachineLoad(cores=16, load=5.2, running=3), 11),  # floor(16 - max(4.2, 2))
    (MachineLoad(cores=16, load=0.0, running=None), 16),
    (MachineLoad(cores=1, load=0.0, running=None), 1),
])
def test_free_cores_by_hand(machine, free):
    assert machine.free == free


def test_threads_never_exceed_the_free_cores_and_never_fall_below_one():
    for cores, load, running, nonzeros in itertools.product(
            [1, 2, 4, 16], [0.0, 0.5, 1.0, 1.7, 3.0, 10.2, 40.0], [None, 1, 2, 9],
            [0, 10, 47_225, 606_018, 10_600_000, 140_000_000]):
        machine = MachineLoad(cores=cores, load=load, running=running)
        choice = choose_threads(nonzeros, machine=machine)
        assert 1 <= choice.threads <= machine.free <= cores
        assert choice.free_cores == machine.free


def test_threads_follow_the_work_on_an_idle_machine():
    idle = MachineLoad(cores=16, load=0.0, running=1)
    assert choose_threads(47_225, machine=idle).threads == 1  # 200 x 8 x 2
    assert choose_threads(222_742, machine=idle).threads == 1  # 500 x 15 x 2
    assert choose_threads(606_018, machine=idle).threads == 1  # 1000 x 20 x 2
    assert choose_threads(10_600_000, machine=idle).threads == 11  # horizon 4000 x 9 x 10
    assert choose_threads(NONZEROS_PER_THREAD + 1, machine=idle).threads == 2
    assert choose_threads(10**9, machine=idle).threads == 16
    assert choose_threads(606_018, machine=idle).reason is ThreadReason.WORK
    loaded = MachineLoad(cores=16, load=13.0, running=1)
    choice = choose_threads(10**9, machine=loaded)
    assert (choice.threads, choice.reason) == (4, ThreadReason.FREE_CORES)  # floor(16 - 12)


def test_explicit_threads_are_respected():
    loaded = MachineLoad(cores=2, load=10.2, running=7)
    for asked in (1, 2, 3):
        choice = choose_threads(47_225, asked, machine=loaded)
        assert (choice.threads, choice.reason) == (asked, ThreadReason.ASKED)


def test_read_machine_uses_the_affinity_and_the_load_average(monkeypatch):
    monkeypatch.setattr(pdlp_threads.os, "sched_getaffinity", lambda pid: {0, 1, 5},
                        raising=False)
    monkeypatch.setattr(pdlp_threads.os, "getloadavg", lambda: (2.5, 1.0, 0.5))
    monkeypatch.setattr(pdlp_threads, "_running_now", lambda: 2)
    assert read_machine() == MachineLoad(cores=3, load=2.5, running=2)
    assert read_machine().free == 1  # floor(3 - max(1.5, 1))


def test_the_solver_records_its_choice_and_gives_torch_its_threads_back(
        monkeypatch, bundled_scenario):
    torch = pytest.importorskip("torch")
    busy = MachineLoad(cores=2, load=10.2, running=7)
    monkeypatch.setattr(pdlp_threads, "read_machine", lambda: busy)
    scenario = bundled_scenario("two_regions")
    before = torch.get_num_threads()
    plan = sovnarkhoz.make_plan(scenario, solver="pdlp", options=SolverOptions(device="cpu"))
    details = plan.details["solver_details"]
    assert (details["threads"], details["threads_reason"], details["free_cores"]) == (
        1, "work", 1)
    assert torch.get_num_threads() == before
    asked = sovnarkhoz.make_plan(scenario, solver="pdlp",
                                 options=SolverOptions(device="cpu", threads=2))
    assert asked.details["solver_details"]["threads"] == 2
    assert asked.details["solver_details"]["threads_reason"] == "asked"
    assert asked.verification.passed and plan.verification.passed
    assert asked.fulfilment == pytest.approx(plan.fulfilment, rel=2e-3)
    assert torch.get_num_threads() == before
