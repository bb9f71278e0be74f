"""The frontier as a picture (``frontier.png``): its vertices, each faction's ideal, the
adopted plan(s), drawn by :func:`sovnarkhoz.frontier_figure.frontier_figure`: only the
priorities that vary along the frontier are axes (a priority held at one level is named in
the title), two of them as a plane with labels that do not overlap, three or more as
parallel coordinates."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..frontier_figure import frontier_figure
from .frontier import Frontier


def plot_frontier(front: Frontier, path: str | Path, ideals: dict[str, np.ndarray] | None = None,
                  adopted: dict[str, np.ndarray] | None = None, title: str = "") -> Path:
    """Write a PNG of ``front``, ``ideals`` {faction: levels (B,)} and ``adopted`` {body:
    levels (B,)} (levels in the order of ``front.names``)."""
    path = Path(path)
    extra = "" if front.exact else f" (inner approximation, gap {front.gap:.3g})"
    fig = frontier_figure(front.names, front.levels, ideals, adopted,
                          title=(title or "frontier of the priorities") + extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
