"""Where councils run: in this process, or in worker processes that keep their councils.

An engine starts the councils once (each gets its block of the LP), then each round passes
the centre's requests and returns the councils' answers. Worker processes hold their
councils' models between rounds; each answer carries the council's plan as a checkpoint, so a
worker that dies is started again from the last round's state and the round is asked again:
the run finishes with the same plan.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection
from typing import Protocol

import numpy as np

from .council import Answer, Council, CouncilData

Request = tuple[np.ndarray, np.ndarray, float]  # proposal d, prices y, rho


class Engine(Protocol):
    def start(self, data: list[CouncilData], rho: float) -> None: ...

    def round(self, requests: list[Request]) -> list[Answer]: ...

    def results(self) -> list[tuple[np.ndarray, np.ndarray]]: ...

    def close(self) -> None: ...


class LocalEngine:
    """Every council in this process, one after another."""

    name = "local"

    def start(self, data: list[CouncilData], rho: float) -> None:
        self.councils = [Council(d, rho) for d in data]

    def round(self, requests: list[Request]) -> list[Answer]:
        return [c.plan(*r) for c, r in zip(self.councils, requests, strict=True)]

    def results(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(c.x, c.private_duals) for c in self.councils]

    def close(self) -> None:
        self.councils = []


class CouncilHost:
    """Holds some councils between rounds: the body of a worker process and of a Ray actor.
    Each answer carries the council's plan as the engine's checkpoint."""

    def __init__(self, items: list[tuple[int, CouncilData, float, np.ndarray | None]]):
        self.councils: dict[int, Council] = {}
        for index, data, rho, x in items:
            council = Council(data, rho)
            if x is not None:
                council.x = x
            self.councils[index] = council

    def round(self, items: list[tuple[int, Request]]) -> list[Answer]:
        answers = []
        for index, request in items:
            answer = self.councils[index].plan(*request)
            answer.x = self.councils[index].x
            answers.append(answer)
        return answers

    def results(self, indices: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(self.councils[i].x, self.councils[i].private_duals) for i in indices]


def _worker(connection: Connection) -> None:
    """A worker process: one CouncilHost, driven by the coordinator's messages."""
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
            connection.send(host.results([i for i, _ in payload]))
        else:
            return


class ProcessEngine:
    """Councils spread over worker processes (``workers``, default one per CPU core)."""

    name = "processes"

    def __init__(self, workers: int | None = None, kill_worker_at_round: int | None = None):
        self.workers = workers or mp.cpu_count()
        self.kill_worker_at_round = kill_worker_at_round  # for tests: simulate a crash
        self.restarts = 0
        self._context = mp.get_context("spawn")

    def start(self, data: list[CouncilData], rho: float) -> None:
        self.data = data
        self.rho = rho
        count = max(1, min(self.workers, len(data)))
        self.assignment = [list(range(w, len(data), count)) for w in range(count)]
        self.checkpoint: list[np.ndarray | None] = [None] * len(data)
        self.processes: list[mp.Process] = []
        self.pipes: list[Connection] = []
        for w in range(count):
            self._launch(w)
        self.rounds = 0

    def _launch(self, w: int) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker, args=(child,), daemon=True)
        process.start()
        child.close()
        parent.send(("start", [(i, self.data[i], self.rho, self.checkpoint[i])
                               for i in self.assignment[w]]))
        parent.recv()
        if w < len(self.processes):
            self.processes[w], self.pipes[w] = process, parent
        else:
            self.processes.append(process)
            self.pipes.append(parent)

    def _ask(self, w: int, message: tuple) -> object:
        """Send and receive, starting the worker again (from the checkpoints) if it died."""
        for _attempt in range(3):
            try:
                self.pipes[w].send(message)
                return self.pipes[w].recv()
            except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
                self.processes[w].join(timeout=1)
                self.restarts += 1
                self._launch(w)
        raise RuntimeError(f"worker {w} keeps dying; giving up")

    def round(self, requests: list[Request]) -> list[Answer]:
        self.rounds += 1
        if self.rounds == self.kill_worker_at_round:
            self.processes[0].kill()
            self.processes[0].join()
        self.rho = requests[0][2] if requests else self.rho
        for w, indices in enumerate(self.assignment):  # all workers compute at once
            try:
                self.pipes[w].send(("round", [(i, requests[i]) for i in indices]))
            except (BrokenPipeError, OSError):
                pass  # found dead on receiving below
        answers: list[Answer | None] = [None] * len(requests)
        for w, indices in enumerate(self.assignment):
            try:
                replies = self.pipes[w].recv()
            except (EOFError, ConnectionResetError, OSError):
                self.processes[w].join(timeout=1)
                self.restarts += 1
                self._launch(w)
                replies = self._ask(w, ("round", [(i, requests[i]) for i in indices]))
            for i, answer in zip(indices, replies, strict=True):
                answers[i] = answer
                self.checkpoint[i] = answer.x
        return answers  # type: ignore[return-value]

    def results(self) -> list[tuple[np.ndarray, np.ndarray]]:
        out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(self.data)
        for w, indices in enumerate(self.assignment):
            for i, pair in zip(indices, self._ask(w, ("results", [(i, None) for i in indices])),
                               strict=True):
                out[i] = pair
        return out  # type: ignore[return-value]

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


class RayEngine:
    """Councils held by Ray actors, on this machine or a cluster (``address``).

    An actor that dies is created again from the last round's checkpoints and asked again.
    """

    name = "ray"

    def __init__(self, address: str | None = None, actors: int | None = None,
                 kill_actor_at_round: int | None = None):
        try:
            import ray
        except ImportError as exc:
            raise ImportError(RAY_HINT) from exc
        self.ray = ray
        self.address = address
        self.actors = actors
        self.kill_actor_at_round = kill_actor_at_round  # for tests: simulate a crash
        self.restarts = 0
        self._started_ray = False

    def start(self, data: list[CouncilData], rho: float) -> None:
        ray = self.ray
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
            self._started_ray = True
        self.data, self.rho = data, rho
        count = max(1, min(self.actors or int(ray.available_resources().get("CPU", 1)),
                           len(data)))
        self.assignment = [list(range(w, len(data), count)) for w in range(count)]
        self.checkpoint: list[np.ndarray | None] = [None] * len(data)
        self.host = ray.remote(CouncilHost)
        self.hosts = [self._create(w) for w in range(count)]
        self.rounds = 0

    def _create(self, w: int):
        return self.host.remote([(i, self.data[i], self.rho, self.checkpoint[i])
                                 for i in self.assignment[w]])

    def round(self, requests: list[Request]) -> list[Answer]:
        ray = self.ray
        self.rounds += 1
        if self.rounds == self.kill_actor_at_round:
            ray.kill(self.hosts[0])
        self.rho = requests[0][2] if requests else self.rho
        work = [[(i, requests[i]) for i in indices] for indices in self.assignment]
        pending = [host.round.remote(items) for host, items in zip(self.hosts, work, strict=True)]
        answers: list[Answer | None] = [None] * len(requests)
        for w, indices in enumerate(self.assignment):
            for _attempt in range(3):
                try:
                    replies = ray.get(pending[w])
                    break
                except ray.exceptions.RayActorError:
                    self.restarts += 1
                    self.hosts[w] = self._create(w)
                    pending[w] = self.hosts[w].round.remote(work[w])
            else:
                raise RuntimeError(f"Ray actor {w} keeps dying; giving up")
            for i, answer in zip(indices, replies, strict=True):
                answers[i] = answer
                self.checkpoint[i] = answer.x
        return answers  # type: ignore[return-value]

    def results(self) -> list[tuple[np.ndarray, np.ndarray]]:
        out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(self.data)
        for host, indices in zip(self.hosts, self.assignment, strict=True):
            for i, pair in zip(indices, self.ray.get(host.results.remote(indices)), strict=True):
                out[i] = pair
        return out  # type: ignore[return-value]

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
