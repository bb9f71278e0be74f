"""The frontier as a picture: its vertices, each faction's ideal, the adopted plan(s).

Two priorities: the frontier in the plane. Three or more: the first two priorities' levels of
the points found (a projection), the third as colour, said so in the title. matplotlib
draws off-screen (Agg).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .frontier import Frontier


def plot_frontier(front: Frontier, path: str | Path, ideals: dict[str, np.ndarray] | None = None,
                  adopted: dict[str, np.ndarray] | None = None, title: str = "") -> Path:
    """Write a PNG: the frontier (levels of the first two priorities), ``ideals`` {faction:
    levels (B,)} as labelled dots, ``adopted`` {body: levels (B,)} as stars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    levels = front.levels
    names = front.names
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    if len(names) == 1:
        levels = np.hstack([levels, np.zeros((len(levels), 1))])
        names = names + ["(none)"]
    if levels.shape[1] >= 3:  # a projection: the third level as colour
        shown = ax.scatter(levels[:, 0], levels[:, 1], c=levels[:, 2], cmap="viridis", s=40,
                           edgecolors="#444444", label="frontier points (projection)")
        fig.colorbar(shown, ax=ax, label=f"level of {names[2]}")
    else:
        ax.plot(levels[:, 0], levels[:, 1], "-o", color="#444444", markersize=4,
                label="frontier")
    colours = matplotlib.colormaps["tab10"]
    for k, (faction, point) in enumerate((ideals or {}).items()):
        point = np.asarray(point)
        ax.plot(point[0], point[1] if len(point) > 1 else 0.0, "o", markersize=9,
                color=colours(k % 10), label=f"ideal of {faction}")
    for body, point in (adopted or {}).items():
        point = np.asarray(point)
        ax.plot(point[0], point[1] if len(point) > 1 else 0.0, "*", markersize=18,
                markerfacecolor="none", markeredgewidth=1.6, color="#cc0000" if body else "k")
        right = point[0] > 0.5 * float(levels[:, 0].max(initial=0.0))
        ax.annotate(f"adopted by {body}", (point[0], point[1] if len(point) > 1 else 0.0),
                    textcoords="offset points", xytext=(-10 if right else 10, 10),
                    ha="right" if right else "left", fontsize=8, color="#cc0000")
    ax.set_xlabel(f"level of {names[0]}")
    ax.set_ylabel(f"level of {names[1]}")
    extra = "" if front.exact else f" (inner approximation, gap {front.gap:.3g})"
    ax.set_title((title or "frontier of the priorities") + extra, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
