"""Before/after timing of the one-path refactor (issue 14): the same commands run by two
checkouts of sovnarkhoz, interleaved (A, B, A, B, ...), on this machine at the same time.

    python benchmarks/one_path.py --before /path/to/old/src --after src [--repeats 3]

Each case runs ``python -m sovnarkhoz`` in a fresh subprocess with PYTHONPATH set to the
checkout's ``src``; it reports each run's wall time, the minimum per checkout and the ratio
after/before of the minima (below 1: faster after). The economies: ussr1957 over 1957-70
(the bundled scenario, max-fulfilment) and the foundation's 1e5 economy (generated
300 × 10 × 2, seed 1, ~10^5 nonzeros), one year.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(src: Path, args: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(src.resolve()))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sovnarkhoz", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the old checkout's src")
    parser.add_argument("--after", type=Path, required=True, help="the new checkout's src")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        economy = work / "g300"
        _run(options.after, ["generate", "--products", "300", "--regions", "10",
                             "--techniques", "2", "--seed", "1", str(economy)])
        cases = {"ussr1957 1957-70": ["plan", "ussr1957"],
                 "generated 300x10x2": ["plan", str(economy)]}
        for name, args in cases.items():
            times: dict[str, list[float]] = {"before": [], "after": []}
            for r in range(options.repeats):
                for label in ("before", "after"):
                    out = work / f"out-{label}-{r}-{len(times[label])}-{abs(hash(name))}"
                    src = getattr(options, label)
                    times[label].append(_run(src, [*args, "--out", str(out)]))
            low = {label: min(values) for label, values in times.items()}
            runs = ", ".join(f"{label} {', '.join(f'{v:.2f}' for v in values)}"
                             for label, values in times.items())
            print(f"{name}: min before {low['before']:.2f} s, after {low['after']:.2f} s, "
                  f"ratio {low['after'] / low['before']:.2f}  ({runs})", flush=True)


if __name__ == "__main__":
    main()
