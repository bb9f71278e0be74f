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


def plot_tornado(table: pd.DataFrame, path: str | Path, nominal: float, answer: str,
                 title: str = "") -> Path:
    """Write a PNG tornado of ``table`` (:meth:`~.sensitivity.Sensitivity.tornado_table`'s
    rows for one ``answer``: input, at_low, at_high): one bar per input from its answer at the
    low end to that at the high end, the largest swing on top, ``nominal`` marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    rows = table[table["answer"] == answer].sort_values("swing")
    fig, ax = plt.subplots(figsize=(7.2, 0.5 * len(rows) + 1.6), dpi=100)
    y = range(len(rows))
    left = rows[["at_low", "at_high"]].min(axis=1)
    width = (rows["at_high"] - rows["at_low"]).abs()
    low_is_left = rows["at_low"] <= rows["at_high"]
    ax.barh(list(y), width.to_numpy(), left=left.to_numpy(), color="#8da0cb")
    for k, (lo, hi, flag) in enumerate(zip(rows["at_low"], rows["at_high"], low_is_left,
                                           strict=True)):
        ax.annotate("low", (lo, k), textcoords="offset points", fontsize=7,
                    xytext=(-4 if flag else 4, -3), ha="right" if flag else "left")
        ax.annotate("high", (hi, k), textcoords="offset points", fontsize=7,
                    xytext=(4 if flag else -4, -3), ha="left" if flag else "right")
    ax.axvline(nominal, color="k", linewidth=0.9)
    ax.margins(x=0.12)  # room for the end labels
    ax.set_yticks(list(y))
    ax.set_yticklabels(rows["input"].tolist(), fontsize=7)
    ax.set_xlabel(f"{answer} (nominal {nominal:.4g})")
    ax.set_title(title or "which inputs move the answer most", fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
