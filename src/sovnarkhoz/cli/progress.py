"""How far councils have got, round by round, on stderr.

Coordination has no known length: the round cap is a cap, not an estimate (a run that
converges in 403 rounds of 2000 is not "20% done"). So the display counts the rounds done and
shows the mismatch and the gap to the best bound as they go: a tqdm counter without a total on
a terminal, plain lines otherwise (the first round, then one every PLAIN_EVERY seconds, and
the last), so that a log or a pipe shows the run is alive.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..councils.protocol import Round

PLAIN_EVERY = 10.0
"""Seconds between progress lines when stderr is not a terminal."""


class RoundDisplay:
    """Shows the rounds of one run of councils (``label``, e.g. "territorial councils,
    dantzig-wolfe") on ``stream`` (default stderr); call :meth:`update` with each round and
    :meth:`close` at the end."""

    def __init__(self, label: str, quiet: bool = False, stream: TextIO | None = None,
                 every: float = PLAIN_EVERY, started: float | None = None):
        self.label, self.quiet = label, quiet
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        # lines give seconds since ``started`` (a time.perf_counter(); default: now)
        self.started = time.perf_counter() if started is None else started
        self.last_line = -float("inf")
        self.record: Round | None = None
        self.shown: Round | None = None
        self.bar = None
        if not quiet and _is_terminal(self.stream):
            from tqdm import tqdm

            self.bar = tqdm(total=None, desc=label, unit=" rounds", file=self.stream,
                            leave=True, mininterval=0.5)

    def update(self, record: Round) -> None:
        self.record = record
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(mismatch=f"{record.mismatch:.1e}", gap=f"{record.gap:.1e}",
                                 refresh=False)
            return
        now = time.perf_counter()
        if self.shown is None or now - self.last_line >= self.every:
            self._line(record, "")
            self.last_line = now

    def close(self) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.close()
            return
        if self.record is not None and self.record is not self.shown:
            self._line(self.record, " (last)")

    def _line(self, record: Round, note: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:8.2f} s] {self.label}: round {record.round}{note}, mismatch "
              f"{record.mismatch:.1e}, gap {record.gap:.1e}", file=self.stream, flush=True)
        self.shown = record

    def __enter__(self) -> RoundDisplay:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
