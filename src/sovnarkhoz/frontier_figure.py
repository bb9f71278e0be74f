"""The frontier of the priorities' levels as a matplotlib figure, shared by ``frontier.png``
(:mod:`sovnarkhoz.decision.plot`) and the report (:mod:`sovnarkhoz.report`).

Only the priorities whose level varies along the frontier become axes: a priority held at
one level at every vertex (``heavy_defence`` at 0.1 on ``ussr1957_plenum``) is named in the
caption instead. Two varying priorities: the frontier in the plane, every vertex a dot, the
factions' ideals and the adopted plans labelled, each label placed where it overlaps no
other label, marker or the frame (points that coincide share one label). Three or more:
parallel coordinates, one vertical axis per priority (all levels are in the same unit,
multiples of their bundles, so they share one scale), the frontier's vertices as grey lines,
ideals and adopted plans as coloured lines named in a legend below the axes.

Levels are given as arrays: ``levels`` (V, B) for the V vertices of B priorities, ideals and
adopted plans as (B,) arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CONSTANT = 1e-6
"""A priority whose levels span at most this fraction of the largest level (or of 1) is
constant along the frontier and is not drawn as an axis."""

IDEAL_COLOURS = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#7f7f7f")
ADOPTED_COLOUR = "#c00000"


@dataclass
class Axes:
    """Which priorities are drawn: ``varying`` (indices into the priorities, in order) and
    ``constant`` {priority name: its one level}."""

    varying: list[int]
    constant: dict[str, float] = field(default_factory=dict)


def choose_axes(names: list[str], levels: np.ndarray) -> Axes:
    """The priorities that vary along the frontier (``levels`` (V, B)); the others, with
    the level they are held at, for the caption."""
    levels = np.asarray(levels, dtype=float).reshape(-1, len(names))
    if not len(levels):
        return Axes(list(range(len(names))))
    spread = levels.max(axis=0) - levels.min(axis=0)
    scale = max(float(np.abs(levels).max()), 1.0)
    varying = [int(q) for q in np.flatnonzero(spread > CONSTANT * scale)]
    constant = {names[q]: float(levels[:, q].mean()) for q in range(len(names))
                if q not in varying}
    return Axes(varying, constant)


@dataclass
class Marked:
    """A labelled point: where it is (B,), what it is called, and how it is drawn."""

    levels: np.ndarray
    labels: list[str]
    adopted: bool
    colour: str


def marked_points(ideals: dict[str, np.ndarray], adopted: dict[str, np.ndarray],
                  tolerance: float) -> list[Marked]:
    """Ideals and adopted plans, those at one place (within ``tolerance`` in every level)
    merged into one point with one label: ``ideal of khrushchev; adopted by plenum``."""
    out: list[Marked] = []
    entries = [(np.asarray(p, dtype=float), f"ideal of {f}", False, IDEAL_COLOURS[k % 8])
               for k, (f, p) in enumerate(ideals.items())]
    entries += [(np.asarray(p, dtype=float), f"adopted by {b}", True, ADOPTED_COLOUR)
                for b, p in adopted.items()]
    for levels, label, is_adopted, colour in entries:
        same = next((m for m in out if np.all(np.abs(m.levels - levels) <= tolerance)), None)
        if same is None:
            out.append(Marked(levels, [label], is_adopted, colour))
        else:
            same.labels.append(label)
            same.adopted = same.adopted or is_adopted
    return out


def frontier_figure(names: list[str], levels: np.ndarray,
                    ideals: dict[str, np.ndarray] | None = None,
                    adopted: dict[str, np.ndarray] | None = None, title: str = "",
                    size: tuple[float, float] = (6.4, 4.8)):
    """A matplotlib Figure of the frontier (see the module's docstring); the caller saves
    and closes it. ``levels`` (V, B) in the order of ``names``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    levels = np.asarray(levels, dtype=float).reshape(-1, len(names))
    ideals, adopted = ideals or {}, adopted or {}
    axes = choose_axes(names, levels)
    scale = max(float(np.abs(levels).max(initial=0.0)), 1e-12)
    marks = marked_points(ideals, adopted, 1e-6 * scale)
    fig = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(fig)  # a renderer to measure the labels with
    ax = fig.add_subplot()
    shown = axes.varying
    if len(shown) >= 3:
        _parallel(ax, [names[q] for q in shown], levels[:, shown], marks, shown)
    elif not shown:  # the frontier is one plan: its levels as bars
        ax.bar(np.arange(len(names)), levels[0] if len(levels) else np.zeros(len(names)),
               color="#555555", width=0.6)
        ax.set_xticks(np.arange(len(names)), names)
        ax.set_ylabel("level (multiples of the priority's bundle)")
        ax.grid(True, axis="y", alpha=0.3)
    else:
        _plane(fig, ax, [names[q] for q in shown], levels[:, shown], marks, shown)
    caption = title or "frontier of the priorities"
    if not shown:
        caption += "\n(one plan: no priority can gain at another's cost)"
    elif axes.constant:
        held = ", ".join(f"{q} {v:.4g}" for q, v in axes.constant.items())
        caption += f"\n(same at every vertex, so not an axis: {held})"
    ax.set_title(caption, fontsize=9)
    fig.tight_layout()
    if 0 < len(shown) < 3:
        _label_points(fig, ax)
    return fig


def _plane(fig, ax, names: list[str], levels: np.ndarray, marks: list[Marked],
           shown: list[int]) -> None:
    """Two (or one) varying priorities: the frontier's chain of vertices in the plane."""
    if levels.shape[1] == 1:
        levels = np.hstack([levels, np.zeros((len(levels), 1))])
        names = [names[0], "(no other priority varies)"]
    order = np.argsort(levels[:, 0], kind="stable")
    ax.plot(levels[order, 0], levels[order, 1], "-o", color="#555555", markersize=4,
            linewidth=1.2, label="frontier (vertices)", zorder=2)
    ax._labelled = []  # (x, y, text, colour) placed after the layout is fixed
    for m in marks:
        point = m.levels[shown] if len(shown) == 2 else np.array([m.levels[shown[0]], 0.0])
        if m.adopted:
            ax.plot(point[0], point[1], "*", markersize=16, markerfacecolor="none",
                    markeredgewidth=1.5, color=ADOPTED_COLOUR, zorder=4)
        ax.plot(point[0], point[1], "o", markersize=7, color=m.colour, zorder=3,
                alpha=0.9 if not m.adopted else 0.6)
        ax._labelled.append((float(point[0]), float(point[1]), "; ".join(m.labels),
                             ADOPTED_COLOUR if m.adopted else m.colour))
    ax.set_xlabel(f"level of {names[0]}")
    ax.set_ylabel(f"level of {names[1]}")
    ax.grid(True, alpha=0.3)
    ax.margins(0.12)
    ax.legend(fontsize=7, loc="best")


def _label_points(fig, ax) -> None:
    """Place each label of ``ax._labelled`` beside its point where its box overlaps no
    label placed before, no frontier vertex or labelled point, and stays inside the axes;
    among the candidate places (eight directions, four distances) the first free one, else
    the least overlapping. A leader line joins a label placed away from its point."""
    canvas = fig.canvas
    renderer = canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    points = np.vstack([line.get_xydata() for line in ax.get_lines()]
                       or [np.zeros((0, 2))])
    dots = ax.transData.transform(points) if len(points) else np.zeros((0, 2))
    legend = ax.get_legend()
    taken = [legend.get_window_extent(renderer)] if legend is not None else []
    directions = [(1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1)]
    for x, y, text, colour in getattr(ax, "_labelled", []):
        best, best_cost = None, np.inf
        for distance in (8, 16, 28, 44):
            for dx, dy in directions:
                ha = "left" if dx > 0 else "right" if dx < 0 else "center"
                va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
                note = ax.annotate(text, (x, y), xytext=(dx * distance, dy * distance),
                                   textcoords="offset points", ha=ha, va=va, fontsize=8,
                                   color=colour, zorder=5)
                box = note.get_window_extent(renderer).expanded(1.06, 1.15)
                cost = _overlap(box, taken, dots, frame)
                note.remove()
                if cost < best_cost:
                    best, best_cost = (dx * distance, dy * distance, ha, va, box), cost
                if cost == 0:
                    break
            if best_cost == 0:
                break
        dx, dy, ha, va, box = best
        arrow = (dict(arrowstyle="-", color=colour, lw=0.6, shrinkA=0, shrinkB=4)
                 if max(abs(dx), abs(dy)) > 8 else None)
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                    fontsize=8, color=colour, zorder=5, arrowprops=arrow)
        taken.append(box)


def _overlap(box, taken: list, dots: np.ndarray, frame) -> float:
    """How badly a label's box (display units) sits: area shared with placed labels, the
    number of markers under it (weighted) and the area outside the axes."""
    cost = 0.0
    for other in taken:
        w = min(box.x1, other.x1) - max(box.x0, other.x0)
        h = min(box.y1, other.y1) - max(box.y0, other.y0)
        if w > 0 and h > 0:
            cost += w * h
    if len(dots):
        inside = ((dots[:, 0] >= box.x0 - 4) & (dots[:, 0] <= box.x1 + 4)
                  & (dots[:, 1] >= box.y0 - 4) & (dots[:, 1] <= box.y1 + 4))
        cost += 100.0 * float(inside.sum())
    outside = (max(0.0, frame.x0 - box.x0) + max(0.0, box.x1 - frame.x1)) * box.height + (
        max(0.0, frame.y0 - box.y0) + max(0.0, box.y1 - frame.y1)) * box.width
    return cost + 10.0 * outside


def _parallel(ax, names: list[str], levels: np.ndarray, marks: list[Marked],
              shown: list[int]) -> None:
    """Three or more varying priorities: one vertical axis per priority, one line per
    vertex (grey), per ideal (its faction's colour) and per adopted plan (red, dashed)."""
    positions = np.arange(len(names))
    for k, row in enumerate(levels):
        ax.plot(positions, row, "-o", color="#999999", markersize=3, linewidth=0.9,
                alpha=0.8, label="frontier vertices" if k == 0 else None, zorder=2)
    for m in marks:
        ax.plot(positions, m.levels[shown], "--" if m.adopted else "-", marker="o",
                markersize=5, linewidth=2.2 if m.adopted else 1.8, color=m.colour,
                label="; ".join(m.labels), zorder=3)
    for p in positions:
        ax.axvline(p, color="#333333", linewidth=0.8, zorder=1)
    ax.set_xticks(positions, names)
    ax.set_xlim(-0.15, len(names) - 0.85)
    ax.set_ylabel("level (multiples of the priority's bundle)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2,
              frameon=False)


def pairwise_figure(names: list[str], levels: np.ndarray,
                    ideals: dict[str, np.ndarray] | None = None,
                    adopted: dict[str, np.ndarray] | None = None, most: int = 6):
    """Three or more varying priorities: one panel per pair of them (at most ``most``
    pairs), the frontier's vertices projected (grey), ideals and adopted plans as coloured
    markers named once in a legend below; None when fewer than three priorities vary."""
    from itertools import combinations

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    levels = np.asarray(levels, dtype=float).reshape(-1, len(names))
    shown = choose_axes(names, levels).varying
    if len(shown) < 3:
        return None
    pairs = list(combinations(shown, 2))[:most]
    scale = max(float(np.abs(levels).max(initial=0.0)), 1e-12)
    marks = marked_points(ideals or {}, adopted or {}, 1e-6 * scale)
    columns = min(len(pairs), 3)
    rows = -(-len(pairs) // columns)
    fig = Figure(figsize=(7.2, 2.5 * rows + 0.6), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, (i, j) in zip(axes, pairs, strict=False):
        ax.scatter(levels[:, i], levels[:, j], s=14, color="#777777", zorder=2,
                   label="frontier vertices")
        for m in marks:
            ax.scatter(m.levels[i], m.levels[j], s=90 if m.adopted else 45, zorder=3,
                       marker="*" if m.adopted else "o", color=m.colour,
                       label="; ".join(m.labels))
        ax.set_xlabel(names[i], fontsize=8)
        ax.set_ylabel(names[j], fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, alpha=0.3)
    for ax in axes[len(pairs):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.06 + 0.03 * (len(labels) // 2), 1, 1))
    return fig
