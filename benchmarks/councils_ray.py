"""ussr1957's republic councils on a local Ray cluster of several worker nodes, against the
local engine: do the councils' solves run in parallel?

    python benchmarks/councils_ray.py --years 1 --protocol prices --workers 1,2,4 [--repeat 2]

For each worker count k a multi-node Ray cluster is started on this machine: a head node
with no CPUs of its own (so that no actor runs beside the driver) and k worker nodes of one
CPU each, each its own raylet, as ``ray start --head --num-cpus=0`` and k times ``ray start
--address HEAD --num-cpus=1`` would make it. It is started through ``ray.cluster_utils``
(Ray's own tool for clusters of several nodes on one machine), because ``ray stop`` would
end every Ray process on a shared machine, other users' too; the plan then joins it by its
address, as ``--engine ray --address HEAD`` does, with one actor per worker node.

For each run it reports the wall time of the whole plan, the wall time of the councils'
phase (the time spent inside the engine's ``round``, summed over rounds), the rounds and λ,
against the local engine (every council in this process, one after another). The runs
alternate (local, ray k=1, ray k=2, ..., then again) so that a load that changes slowly
weighs on all of them alike; the machine is shared, so the ratios within a round are what
the figures mean.

``--scenario DIR`` plans another scenario (e.g. a generated one with larger councils)
instead of ussr1957's first ``--years``. ``--processes`` adds a run on the worker-process
engine (one worker per core). ``--address HOST:PORT`` joins a cluster started beforehand by
Ray's own commands instead of starting one per worker count, e.g.

    ray start --head --port 6399 --num-cpus 2 --include-dashboard false
    python benchmarks/councils_ray.py --years 14 --protocol dantzig-wolfe \
        --address 127.0.0.1:6399 --processes
    ray stop

(one actor per CPU the cluster offers; ``--workers`` is then only a label).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sovnarkhoz  # noqa: E402
from councils_ussr1957 import first_years  # noqa: E402
from sovnarkhoz.bundled import bundled  # noqa: E402
from sovnarkhoz.councils import engines, plan_by_councils  # noqa: E402


def _timed_rounds() -> dict[str, float]:
    """Wrap every engine's ``round`` so that the seconds spent in it are summed."""
    spent = {"seconds": 0.0, "rounds": 0}
    for kind in (engines.LocalEngine, engines.ProcessEngine, engines.RayEngine):
        original = kind.round

        def timed(self, requests, _original=original):
            started = time.perf_counter()
            try:
                return _original(self, requests)
            finally:
                spent["seconds"] += time.perf_counter() - started
                spent["rounds"] += 1

        kind.round = timed
    return spent


CURRENT_CLUSTER = Path("/tmp/ray/ray_current_cluster")
"""Where Ray notes the last cluster started on this machine (``ray.init()`` without an
address would join it); removed after each run, so that nothing joins a cluster gone."""


def _cluster(workers: int):
    """A fresh local cluster: a head without CPUs and ``workers`` one-CPU worker nodes."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    for _ in range(workers):
        cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    return cluster


def _run(scenario, engine: str, protocol: str, address: str | None, spent: dict) -> dict:
    spent.update(seconds=0.0, rounds=0)
    started = time.perf_counter()
    plan = plan_by_councils(scenario, organisation="territorial", protocol=protocol,
                            engine=engine, address=address)
    wall = time.perf_counter() - started
    if engine == "ray":
        import ray

        ray.shutdown()
    return {"engine": engine, "wall": round(wall, 2), "councils_phase": round(spent["seconds"], 2),
            "rounds": plan.council_run.rounds if plan.council_run else None,
            "status": str(plan.status), "fulfilment": plan.fulfilment,
            "violation": plan.verification.max_relative_violation if plan.verification else None,
            "load": os.getloadavg()[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--scenario", type=Path, help="a scenario folder instead of ussr1957")
    parser.add_argument("--protocol", default="prices")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--address", help="join this running cluster (started by ray start)")
    parser.add_argument("--processes", action="store_true",
                        help="also run on the worker-process engine")
    args = parser.parse_args()
    scenario = (sovnarkhoz.load_scenario(args.scenario) if args.scenario else
                first_years(sovnarkhoz.load_scenario(bundled("ussr1957")), args.years))
    spent = _timed_rounds()
    records = []
    for turn in range(args.repeat):
        record = _run(scenario, "local", args.protocol, None, spent)
        records.append({"turn": turn, "workers": 0, **record})
        print(json.dumps(records[-1]), flush=True)
        if args.processes:
            record = _run(scenario, "processes", args.protocol, None, spent)
            records.append({"turn": turn, "workers": os.cpu_count(), **record})
            print(json.dumps(records[-1]), flush=True)
        if args.address:
            record = _run(scenario, "ray", args.protocol, args.address, spent)
            records.append({"turn": turn, "workers": args.workers, **record})
            print(json.dumps(records[-1]), flush=True)
            continue
        for workers in [int(w) for w in args.workers.split(",")]:
            cluster = _cluster(workers)
            try:
                record = _run(scenario, "ray", args.protocol, cluster.address, spent)
            finally:
                cluster.shutdown()
                CURRENT_CLUSTER.unlink(missing_ok=True)
            records.append({"turn": turn, "workers": workers, **record})
            print(json.dumps(records[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(records, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
