"""How many CPU threads pdlp runs its kernels on: from the work and the cores actually free.

The rule (``choose_threads``), for a solve on the CPU:

1. threads the caller asked for (``SolverOptions.threads``, ``--threads``) are used as given;
2. otherwise ``min(by work, free cores)``, never below 1, where
   - by work = ceil(nonzeros / ``NONZEROS_PER_THREAD``): one thread per 1,000,000 nonzeros of A
     (a judgement, not a measured optimum: in issue 20's figures one thread was at least as
     fast as two up to 606,018 nonzeros, and no idle machine was at hand to find the
     break-even point);
   - free cores = floor(cores - busy), cores being those this process may run on
     (``os.sched_getaffinity``) and busy what the other processes keep running: the 1-minute
     load average less this process's own share (1), or the processes runnable right now
     less this one (``/proc/loadavg``, where there is one), whichever is larger.

Why not simply every core: PyTorch's CPU kernels split each sparse product over OpenMP threads
that wait for each other at the end of every kernel, about 20 kernels an iteration. When another
process holds a core, one of our threads is descheduled and the others spin until it returns,
so each of thousands of iterations waits for the scheduler. Measured on the 2-core development
machine with five other sessions running (load average 10-15), the 200 x 8 x 2 economy (47,225
nonzeros): 1 thread 8.2 s and 10.4 s to tolerance, 2 threads 339 s (interleaved 1, 2, 1);
2.8-3.5 ms an iteration with 1 thread against 30-93 ms with 2 (three interleaved rounds of 640
iterations). On an idle machine a second thread gains at most 2x, so a rule that errs towards
fewer threads loses little when the machine is idle and avoids losing 10-40x when it is not.
See docs/performance.md (pdlp on a busy CPU).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from enum import StrEnum

NONZEROS_PER_THREAD = 1_000_000
"""Work (nonzeros of A) that one thread is given before a second is worth waking."""


class ThreadReason(StrEnum):
    """Why the thread count is what it is (recorded in ``result.details``)."""

    ASKED = "asked"  # the caller's explicit threads
    WORK = "work"  # the problem is too small for more threads
    FREE_CORES = "free cores"  # other processes hold the remaining cores


@dataclass(frozen=True)
class MachineLoad:
    """What the machine looks like to this process.

    cores : processors this process may run on.
    load : 1-minute load average (runnable processes, averaged).
    running : processes runnable at this instant, this one included (None: not known).
    """

    cores: int
    load: float
    running: int | None = None

    @property
    def busy(self) -> float:
        """Cores the other processes keep busy (this process's own share taken out)."""
        now = 0.0 if self.running is None else float(self.running - 1)
        return max(0.0, self.load - 1.0, now)

    @property
    def free(self) -> int:
        """Whole cores free for this process's threads, at least 1, at most ``cores``."""
        return max(1, min(self.cores, math.floor(self.cores - self.busy)))


@dataclass(frozen=True)
class ThreadChoice:
    """The threads chosen and why, with the readings that decided it."""

    threads: int
    reason: ThreadReason
    cores: int
    free_cores: int
    load: float

    def as_dict(self) -> dict[str, object]:
        return {"threads": self.threads, "threads_reason": self.reason.value,
                "cores": self.cores, "free_cores": self.free_cores, "load_average": self.load}


def read_machine() -> MachineLoad:
    """The cores this process may use and the load on them, read now."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    return MachineLoad(cores=max(1, cores), load=load, running=_running_now())


def _running_now() -> int | None:
    """Processes runnable at this instant (the fourth field of /proc/loadavg, "R/T")."""
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            return int(handle.read().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        return None


def choose_threads(nonzeros: int, requested: int | None = None,
                   machine: MachineLoad | None = None) -> ThreadChoice:
    """Threads for a CPU solve of an LP with ``nonzeros`` nonzeros (see the module's rule).

    ``requested``: the caller's explicit count, used as given. ``machine``: the readings
    (default: :func:`read_machine` now).
    """
    machine = machine or read_machine()
    free = machine.free
    if requested is not None:
        return ThreadChoice(int(requested), ThreadReason.ASKED, machine.cores, free, machine.load)
    by_work = max(1, math.ceil(nonzeros / NONZEROS_PER_THREAD))
    if by_work <= free:
        return ThreadChoice(by_work, ThreadReason.WORK, machine.cores, free, machine.load)
    return ThreadChoice(free, ThreadReason.FREE_CORES, machine.cores, free, machine.load)
