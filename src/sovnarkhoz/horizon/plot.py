"""Pictures of answers over the years, drawn off-screen (matplotlib's Agg)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def plot_each(table: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Write a PNG of ``table`` (:func:`~.each.each_table`'s columns targets, year, best):
    one line per item, the highest share of its targets each year can meet (in %), 100 %
    marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    for label, rows in table.groupby("targets", sort=False):
        joint = "+" in str(label)
        ax.plot(rows["year"], 100 * rows["best"], marker="o", markersize=3,
                linestyle="--" if joint else "-", color="k" if joint else None,
                label=f"{label} (together)" if joint else f"{label} alone")
    ax.axhline(100, color="#999999", linewidth=0.8)
    ax.set_xlabel("year")
    ax.set_ylabel("highest share of the targets met (%)")
    ax.set_ylim(0, 105)
    ax.set_title(title or "earliest year, each target on its own", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
