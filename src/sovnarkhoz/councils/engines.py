"""Where councils run: in this process, in worker processes, or in Ray actors.

An engine is told once which councils to hold (a class and its constructor's arguments for
each, so any protocol's councils can be held), then each round passes the centre's requests
and returns the councils' answers. Worker processes and Ray actors keep their councils (and
their solver models) between rounds. After each answer the engine keeps the council's state
as a checkpoint, so a worker or actor that dies is created again from the last round's
checkpoint and the round is asked again: the run finishes with the same plan, and nothing is
lost.

A council held by an engine provides::

    answer(request) -> answer        one round
    state() -> object | Change | None
                                     what it sends back for its checkpoint after a round:
                                     its whole state (e.g. its last plan), or a Change
                                     (below), or None (nothing: it is stateless)
    restore(checkpoint) -> None      resume from a checkpoint
    result() -> object               its final word (e.g. its plan and its own rows' prices)

Checkpoints that do not grow with the rounds. A council whose state grows round by round (a
pricing council keeps every plan it has proposed) would send ever more each round if it sent
its whole state. Such a council's ``state()`` returns a ``Change`` instead: what changed since
the checkpoint the engine holds for it, which the engine folds into that checkpoint
(``fold``: ``change.apply_to(checkpoint)``, the new checkpoint; a state that is no Change
replaces the checkpoint). The engine knows nothing of the council's kind; the contract is:

- the checkpoint the engine holds is always the council's whole state, what ``restore``
  takes (None before the council's first round);
- a council counts what that checkpoint holds from the changes it has sent and, when it was
  created from a checkpoint, from what ``restore`` was given; so after a worker is recreated
  and the round asked again, its next change extends the checkpoint the engine holds, and
  nothing is lost or counted twice. A change should check that it extends the checkpoint it
  is applied to (``PricingChange`` checks the number of proposals) and raise if not;
- an engine that loses a council's reply therefore creates the council again from the
  checkpoint it holds (both worker engines do: a reply is lost only with its worker);
- ``state()`` is asked once after every answer, and never between the councils' rounds.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from abc import ABC, abstractmethod
from multiprocessing.connection import Connection
from typing import Any, Protocol

import numpy as np

Member = tuple[type, tuple]
"""A council as an engine receives it: its class and the arguments that construct it."""


class Change(ABC):
    """What a council sends back after a round in place of its whole state: how its state
    changed since the checkpoint the engine holds for it (see the module's docstring)."""

    @abstractmethod
    def apply_to(self, checkpoint: Any) -> Any:
        """The council's whole state: ``checkpoint`` (its last one; None before its first
        round) with this change applied. Leaves ``checkpoint`` as it was."""


def fold(checkpoint: Any, state: Any) -> Any:
    """The checkpoint an engine keeps after a council sent ``state``: ``state`` applied to
    ``checkpoint`` if it is a Change, else ``state`` itself (the council's whole state)."""
    if isinstance(state, Change):
        return state.apply_to(checkpoint)
    return state


class Engine(Protocol):
    name: str
    restarts: int

    def start(self, members: list[Member]) -> None: ...

    def round(self, requests: list[Any]) -> list[Any]: ...

    def results(self) -> list[Any]: ...

    def close(self) -> None: ...


class CouncilHost:
    """Holds some councils between rounds: the whole of the local engine, and the body of a
    worker process and of a Ray actor. ``items`` are (index, class, arguments, checkpoint)."""

    def __init__(self, items: list[tuple[int, type, tuple, Any]]):
        self.members: dict[int, Any] = {}
        for index, kind, arguments, state in items:
            member = kind(*arguments)
            if state is not None:
                member.restore(state)
            self.members[index] = member

    def round(self, items: list[tuple[int, Any]]) -> list[tuple[Any, Any]]:
        """(answer, state) of each council asked: its answer to its request, and what it
        sends for its checkpoint (its ``state()``: its whole state, or a Change)."""
        replies = []
        for index, request in items:
            member = self.members[index]
            replies.append((member.answer(request), member.state()))
        return replies

    def results(self, indices: list[int]) -> list[Any]:
        return [self.members[i].result() for i in indices]


class LocalEngine:
    """Every council in this process, one after another."""

    name = "local"

    def __init__(self) -> None:
        self.restarts = 0

    def start(self, members: list[Member]) -> None:
        self.host = CouncilHost([(i, kind, args, None) for i, (kind, args) in enumerate(members)])

    def round(self, requests: list[Any]) -> list[Any]:
        return [answer for answer, _ in self.host.round(list(enumerate(requests)))]

    def results(self) -> list[Any]:
        return self.host.results(list(self.host.members))

    def close(self) -> None:
        self.host = CouncilHost([])


class _Spread:
    """What the process and Ray engines share: councils dealt to ``count`` workers by their
    workload, and the checkpoint of every council (its whole state after its last round)."""

    def _deal(self, members: list[Member], count: int) -> None:
        """Deal ``members`` to ``count`` workers, the largest first, each to the worker with
        the least work so far (a council's ``workload``, if its class has one, else 1), so
        that one large council does not share a worker with many others: on ussr1957 RSFSR
        answers for 43 % of the councils' time."""
        self.members = members
        count = max(1, min(count, len(members)))
        work = np.array([float(getattr(kind, "workload", lambda *_: 1.0)(*arguments))
                         for kind, arguments in members])
        load = np.zeros(count)
        self.assignment = [[] for _ in range(count)]
        for i in sorted(range(len(members)), key=lambda i: (-work[i], i)):
            w = int(np.argmin(load))
            self.assignment[w].append(i)
            load[w] += work[i]
        self.assignment = [sorted(indices) for indices in self.assignment]
        self.checkpoint: list[Any] = [None] * len(members)

    def _items(self, w: int) -> list[tuple[int, type, tuple, Any]]:
        return [(i, *self.members[i], self.checkpoint[i]) for i in self.assignment[w]]

    def _keep(self, w: int, replies: list[tuple[Any, Any]], answers: list[Any]) -> None:
        for i, (answer, state) in zip(self.assignment[w], replies, strict=True):
            answers[i] = answer
            self.checkpoint[i] = fold(self.checkpoint[i], state)


def _worker(connection: Connection) -> None:
    """A worker process: one CouncilHost, driven by the coordinator's messages."""
    # Ctrl-C reaches every process of the terminal's group: the coordinator alone answers it
    # (one line, exit 130); a worker would print its own traceback. It ends with its parent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    host = CouncilHost([])
    while True:
        try:
            kind, payload = connection.recv()
        except EOFError:
            return
        if kind == "start":
            host = CouncilHost(payload)
            connection.send(None)
        elif kind == "round":
            connection.send(host.round(payload))
        elif kind == "results":
            connection.send(host.results(payload))
        else:
            return


class ProcessEngine(_Spread):
    """Councils spread over worker processes (``workers``, default one per CPU core)."""

    name = "processes"

    def __init__(self, workers: int | None = None):
        self.workers = workers or mp.cpu_count()
        self.restarts = 0
        self._context = mp.get_context("spawn")
        self.processes: list[Any] = []
        self.pipes: list[Connection] = []

    def start(self, members: list[Member]) -> None:
        self._deal(members, self.workers)
        self.processes, self.pipes = [], []
        for w in range(len(self.assignment)):
            self._launch(w)

    def _launch(self, w: int) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker, args=(child,), daemon=True)
        process.start()
        child.close()
        parent.send(("start", self._items(w)))
        parent.recv()
        if w < len(self.processes):
            self.processes[w], self.pipes[w] = process, parent
        else:
            self.processes.append(process)
            self.pipes.append(parent)

    def _relaunch(self, w: int) -> None:
        self.processes[w].join(timeout=1)
        self.restarts += 1
        self._launch(w)

    def _ask(self, w: int, message: tuple) -> Any:
        """Send and receive, starting the worker again (from the checkpoints) if it died."""
        for _attempt in range(3):
            try:
                self.pipes[w].send(message)
                return self.pipes[w].recv()
            except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
                self._relaunch(w)
        raise RuntimeError(f"worker {w} keeps dying; giving up")

    def round(self, requests: list[Any]) -> list[Any]:
        work = [[(i, requests[i]) for i in indices] for indices in self.assignment]
        for w, items in enumerate(work):  # all workers compute at once
            try:
                self.pipes[w].send(("round", items))
            except (BrokenPipeError, OSError):
                pass  # found dead on receiving below
        answers: list[Any] = [None] * len(requests)
        for w, items in enumerate(work):
            try:
                replies = self.pipes[w].recv()
            except (EOFError, ConnectionResetError, OSError):
                self._relaunch(w)
                replies = self._ask(w, ("round", items))
            self._keep(w, replies, answers)
        return answers

    def results(self) -> list[Any]:
        out: list[Any] = [None] * len(self.members)
        for w, indices in enumerate(self.assignment):
            for i, result in zip(indices, self._ask(w, ("results", indices)), strict=True):
                out[i] = result
        return out

    def close(self) -> None:
        for pipe, process in zip(self.pipes, self.processes, strict=True):
            try:
                pipe.send(("stop", None))
            except (BrokenPipeError, OSError):
                pass
            process.join(timeout=5)
            if process.is_alive():
                process.kill()


RAY_HINT = "the ray engine needs Ray: pip install 'sovnarkhoz[ray]'"


class RayEngine(_Spread):
    """Councils held by Ray actors, on this machine or a cluster (``address``).

    ``address``: the cluster to join (``host:port``, or ``auto`` for the cluster this
    machine belongs to); None: the ``RAY_ADDRESS`` environment variable if set, else a Ray
    instance of this run's own on this machine (``local``), never a cluster someone else
    happens to have started here (Ray's own default would join it).

    An actor that dies is created again from the last round's checkpoints and asked again.
    """

    name = "ray"

    def __init__(self, address: str | None = None, actors: int | None = None):
        try:
            import ray
        except ImportError as exc:
            raise ImportError(RAY_HINT) from exc
        self.ray = ray
        self.address = address or os.environ.get("RAY_ADDRESS") or "local"
        self.actors = actors
        self.restarts = 0
        self._started_ray = False

    def start(self, members: list[Member]) -> None:
        ray = self.ray
        if not ray.is_initialized():
            try:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
            except ConnectionError as error:
                raise ConnectionError(f"cannot reach the Ray cluster at {self.address}: "
                                      f"{error}") from None
            self._started_ray = True
        self._deal(members, self.actors or int(ray.available_resources().get("CPU", 1)))
        self.host = ray.remote(CouncilHost)
        self.hosts = [self.host.remote(self._items(w)) for w in range(len(self.assignment))]

    def _call(self, w: int, method: str, payload: Any) -> Any:
        """Call an actor, creating it again (from the checkpoints) if it died."""
        for _attempt in range(3):
            try:
                return self.ray.get(getattr(self.hosts[w], method).remote(payload))
            except self.ray.exceptions.RayActorError:
                self.restarts += 1
                self.hosts[w] = self.host.remote(self._items(w))
        raise RuntimeError(f"Ray actor {w} keeps dying; giving up")

    def round(self, requests: list[Any]) -> list[Any]:
        ray = self.ray
        work = [[(i, requests[i]) for i in indices] for indices in self.assignment]
        pending = [host.round.remote(items) for host, items in zip(self.hosts, work, strict=True)]
        answers: list[Any] = [None] * len(requests)
        for w, items in enumerate(work):
            try:
                replies = ray.get(pending[w])
            except ray.exceptions.RayActorError:
                self.restarts += 1
                self.hosts[w] = self.host.remote(self._items(w))
                replies = self._call(w, "round", items)
            self._keep(w, replies, answers)
        return answers

    def results(self) -> list[Any]:
        out: list[Any] = [None] * len(self.members)
        for w, indices in enumerate(self.assignment):
            for i, result in zip(indices, self._call(w, "results", indices), strict=True):
                out[i] = result
        return out

    def close(self) -> None:
        for host in getattr(self, "hosts", []):
            self.ray.kill(host)
        if self._started_ray:
            self.ray.shutdown()


ENGINES = {"local": LocalEngine, "processes": ProcessEngine, "ray": RayEngine}


def make_engine(name: str, address: str | None = None) -> Engine:
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    if name == "ray":
        return RayEngine(address=address)
    return ENGINES[name]()
