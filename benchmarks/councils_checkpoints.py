"""What the councils' worker processes send back each round, and what it costs in time.

    python benchmarks/councils_checkpoints.py --years 5 --engine processes [--label after]

Plans the bundled ussr1957 over its first ``--years`` years by its fifteen republic councils
(territorial, ``--protocol``, default dantzig-wolfe) on ``--engine`` (local or processes) and
prints one line: label | engine | status | rounds | wall seconds of the whole plan | λ | and,
for the processes engine, the bytes of the workers' replies (each council's answer and its
checkpoint, as pickled on the pipe) in all | in the largest round | in the last round.
One run per call, so that two versions of the code (``PYTHONPATH``) can be run interleaved
(A, B, A, B) on a shared machine; the reply bytes are counted as the pipe reads them, at no
extra cost. ``--json PATH`` also writes each round's reply bytes there.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sovnarkhoz  # noqa: E402
from councils_ussr1957 import first_years  # noqa: E402
from sovnarkhoz.bundled import bundled  # noqa: E402
from sovnarkhoz.councils import engines, plan_by_councils  # noqa: E402


class CountingPipe:
    """A worker's pipe that counts the bytes of every message it receives."""

    def __init__(self, connection: Connection, engine: engines.ProcessEngine):
        self.connection, self.engine = connection, engine

    def send(self, message: object) -> None:
        self.connection.send(message)

    def recv(self) -> object:
        data = self.connection.recv_bytes()
        self.engine.received.append(len(data))
        return pickle.loads(data)

    def close(self) -> None:
        self.connection.close()


def count_replies() -> list[list[int]]:
    """Make every ProcessEngine count its workers' reply bytes; per engine round, the bytes
    of each worker's reply (start and results messages are not rounds and not counted)."""
    rounds: list[list[int]] = []
    launch, ask_round = engines.ProcessEngine._launch, engines.ProcessEngine.round

    def counted_launch(self, w: int) -> None:
        launch(self, w)
        self.pipes[w] = CountingPipe(self.pipes[w], self)

    def counted_round(self, requests):
        self.received = []
        try:
            return ask_round(self, requests)
        finally:
            rounds.append(self.received)
            self.received = []

    engines.ProcessEngine._launch = counted_launch
    engines.ProcessEngine.round = counted_round
    engines.ProcessEngine.received = []
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--engine", default="processes", choices=["local", "processes"])
    parser.add_argument("--protocol", default="dantzig-wolfe")
    parser.add_argument("--label", default="")
    parser.add_argument("--json", help="write the bytes of each round's replies to this file")
    args = parser.parse_args()
    rounds = count_replies()
    scenario = first_years(sovnarkhoz.load_scenario(bundled("ussr1957")), args.years)
    started = time.perf_counter()
    plan = plan_by_councils(scenario, "territorial", protocol=args.protocol,
                            engine=args.engine)
    seconds = time.perf_counter() - started
    per_round = [sum(r) for r in rounds]
    if args.json:
        Path(args.json).write_text(json.dumps({"label": args.label, "bytes": per_round}))
    traffic = (f"{sum(per_round):,} | {max(per_round):,} | {per_round[-1]:,}"
               if per_round else "- | - | -")
    print(f"{args.label} | {args.engine} | {plan.status} | {plan.details['rounds']} | "
          f"{seconds:.1f} | {plan.objective_value:.12f} | {traffic}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
