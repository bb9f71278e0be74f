"""The report's charts: matplotlib figures written as inline SVG (no JavaScript, no network,
text kept as text so that it can be searched, selected and printed sharply).

Why matplotlib SVG rather than Plotly or Vega-Lite: see docs/report.md (Plotly's own
JavaScript is 4.8 MB, nearly the whole 5 MB budget of a report; Vega-Lite inlined is
0.9 MB and needs vl-convert, a 33 MB wheel; a matplotlib SVG is some 30 kB a chart, needs
only matplotlib, already a dependency, and draws nothing in the browser).

Every function returns an :class:`Chart`: the SVG markup and a one-line description.
Figures are made with ``matplotlib.figure.Figure`` (no pyplot, no global state).
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
WIDTH = 7.2  # inches: a figure's default width (about the page's text width)

_ids = itertools.count(1)


@dataclass
class Chart:
    """An inline SVG (``svg``, markup starting ``<svg``) and what it shows (``alt``)."""

    svg: str
    alt: str


def figure(width: float = WIDTH, height: float = 3.6):
    """A new matplotlib Figure (Agg canvas) of ``width`` x ``height`` inches."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def to_svg(fig, alt: str) -> Chart:
    """The figure as inline SVG markup: fonts as text, ids unique within the page (each
    chart gets its own hash salt), sized by its viewBox so that it scales to the page."""
    import matplotlib

    salt = f"chart{next(_ids)}"
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt,
                                "font.family": ["DejaVu Sans", "Arial", "sans-serif"]}):
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight",
                    metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    # matplotlib names its groups figure_1, axes_1, ... in every chart: keep only the ids
    # something refers to (clip paths and glyphs, unique by the salt), so that the page's
    # ids are unique
    used = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', text))
    text = re.sub(r' id="([^"]+)"', lambda m: m.group(0) if m.group(1) in used else "", text)
    match = re.match(r'<svg([^>]*?)width="([\d.]+)pt" height="([\d.]+)pt"', text)
    if match:
        width = float(match.group(2))
        text = (f'<svg{match.group(1)}class="chart" role="img" '
                f'style="max-width:{width:.0f}pt"' + text[match.end():])
    title = alt.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace(">", f"><title>{title}</title>", 1)
    return Chart(text, alt)


def short(values: Sequence[str], limit: int = 28) -> list[str]:
    """Labels cut to ``limit`` characters (an ellipsis marks a cut)."""
    return [v if len(v) <= limit else v[: limit - 1] + "…" for v in map(str, values)]


def compact(value: float) -> str:
    """A number in at most about five characters, to fit a heat map's cell: 3 significant
    digits, thousands as k, millions as M, billions as G."""
    size = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def ranked_bars(labels: Sequence[str], values: np.ndarray, notes: Sequence[str],
                xlabel: str, alt: str) -> Chart:
    """Horizontal bars, largest first from the top, each with a note at its end."""
    n = len(labels)
    fig = figure(height=0.6 + 0.26 * max(n, 2))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    ax.barh(y, values, color=PALETTE[0], height=0.7)
    ax.set_yticks(y, short(labels, 56), fontsize=8)
    top = float(np.max(values, initial=0.0)) or 1.0
    for yi, v, note in zip(y, values, notes, strict=True):
        ax.text(v + 0.01 * top, yi, note, va="center", fontsize=7, color="#333333")
    ax.set_xlim(0, top * 1.6)
    ax.set_xlabel(xlabel)
    ax.grid(True, axis="x", alpha=0.3)
    return to_svg(fig, alt)


def heatmap(matrix: np.ndarray, rows: Sequence[str], columns: Sequence[str], *, label: str,
            alt: str, vmin: float | None = None, vmax: float | None = None,
            cmap: str = "viridis", fmt: str | None = None, xlabel: str = "",
            ylabel: str = "", mask_zero: bool = False, colorbar: bool = True) -> Chart:
    """A matrix (R, C) as coloured cells with a colour bar; values written in the cells
    when there are at most 300 of them. NaN cells are left blank (grey)."""
    matrix = np.asarray(matrix, dtype=float)
    shown = np.where(matrix == 0, np.nan, matrix) if mask_zero else matrix
    r, c = matrix.shape
    fig = figure(width=min(WIDTH, 2.6 + 0.6 * c), height=min(9.0, 1.6 + 0.32 * r))
    ax = fig.add_subplot()
    import matplotlib

    colours = matplotlib.colormaps[cmap].with_extremes(bad="#eeeeee")
    image = ax.imshow(shown, aspect="auto", cmap=colours, vmin=vmin, vmax=vmax,
                      interpolation="nearest")
    ax.set_xticks(np.arange(c), short(columns, 16), rotation=45, ha="right", fontsize=8)
    ax.set_yticks(np.arange(r), short(rows, 24), fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if r * c <= 300:  # each value written in its cell, white on dark colours
        for i, j in zip(*np.nonzero(np.isfinite(shown)), strict=True):
            value = matrix[i, j]
            red, green, blue, _ = image.cmap(image.norm(value))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(j, i, compact(value) if fmt is None else fmt.format(value),
                    ha="center", va="center",
                    fontsize=9 if r * c <= 36 else 7,
                    color="white" if dark else "black")
    if colorbar:
        fig.colorbar(image, ax=ax, label=label, shrink=0.85)
    return to_svg(fig, alt)


def lines(x: Sequence, series: dict[str, np.ndarray], *, ylabel: str, alt: str,
          xlabel: str = "", log: bool = False, markers: bool = True,
          hline: tuple[float, str] | None = None, height: float = 3.4,
          integer_x: bool = True, ymin: float | None = None,
          vline: tuple[float, str] | None = None,
          ylim: tuple[float, float] | None = None) -> Chart:
    """One line per series over ``x`` (a sequence, or {series: its x}); ``log`` for a log
    scale (values <= 0 are left out); ``hline`` / ``vline`` (value, label) a dashed
    reference line across / up; ``ymin`` the bottom of the y axis."""
    fig = figure(height=height)
    ax = fig.add_subplot()
    for k, (name, values) in enumerate(series.items()):
        values = np.asarray(values, dtype=float)
        xs = np.asarray(x[: len(values)] if not isinstance(x, dict) else x[name])
        if log:
            keep = values > 0
            xs, values = xs[keep], values[keep]
        ax.plot(xs, values, "-o" if markers else "-", markersize=3, linewidth=1.5,
                color=PALETTE[k % len(PALETTE)], label=name)
    if hline is not None:
        ax.axhline(hline[0], color="#c00000", linestyle="--", linewidth=1.2, label=hline[1])
    if vline is not None:
        ax.axvline(vline[0], color="#2ca02c", linestyle=":", linewidth=1.5, label=vline[1])
    if log:
        ax.set_yscale("log")
        _major_labels_only(ax)
    if ymin is not None:
        ax.set_ylim(bottom=ymin)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if integer_x:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3, which="major")
    if len(series) > 1 or hline is not None or vline is not None:
        ax.legend(fontsize=7, loc="best")
    return to_svg(fig, alt)


def stacked_panels(x: Sequence, panels: dict[str, dict[str, np.ndarray]], *, ylabel: str,
                   alt: str, units: dict[str, str] | None = None) -> Chart:
    """Side by side, one panel per key of ``panels`` (a good), each a stack of areas over
    ``x`` (one per region); a legend of the regions below."""
    n = max(len(panels), 1)
    fig = figure(height=3.4)
    axes = fig.subplots(1, n, squeeze=False)[0]
    names: list[str] = list(dict.fromkeys(k for p in panels.values() for k in p))
    colour = {name: PALETTE[k % len(PALETTE)] for k, name in enumerate(names)}
    for ax, (title, series) in zip(axes, panels.items(), strict=False):
        values = [np.asarray(v, dtype=float) for v in series.values()]
        ax.stackplot(np.asarray(x), values, labels=list(series), linewidth=0,
                     colors=[colour[s] for s in series])
        unit = (units or {}).get(title)
        ax.set_title(title + (f" ({unit})" if unit else ""), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(True, alpha=0.3)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    axes[0].set_ylabel(ylabel)
    from matplotlib.patches import Patch

    handles = [Patch(color=colour[s], label=s) for s in names]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(names), 6), fontsize=7,
               frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.08 + 0.04 * (len(names) // 7), 1, 1))
    return to_svg(fig, alt)


def use_against_supply(panels: dict[str, tuple[list[str], np.ndarray, np.ndarray]], *,
                       alt: str, units: dict[str, str] | None = None) -> Chart:
    """One panel per factor: per region a light bar for the supply and a dark bar for
    what is used (regions (R,), supply (R,), used (R,))."""
    n = max(len(panels), 1)
    rows = max((len(p[0]) for p in panels.values()), default=1)
    fig = figure(height=0.9 + 0.24 * rows)
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, (factor, (regions, supply, used)) in zip(axes, panels.items(), strict=False):
        y = np.arange(len(regions))[::-1]
        ax.barh(y, supply, height=0.8, color="#d9e6f2", edgecolor="#7a9cc0", linewidth=0.6,
                label="supply")
        ax.barh(y, used, height=0.45, color=PALETTE[0], label="used")
        ax.set_yticks(y, short(regions, 18), fontsize=7)
        unit = (units or {}).get(factor)
        ax.set_title(factor + (f" ({unit})" if unit else ""), fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return to_svg(fig, alt)


def grouped_bars(categories: Sequence[str], series: dict[str, np.ndarray], *, ylabel: str,
                 alt: str, log: bool = False) -> Chart:
    """Bars side by side per category, one colour per series."""
    fig = figure(height=3.2)
    ax = fig.add_subplot()
    k = max(len(series), 1)
    width = 0.8 / k
    x = np.arange(len(categories))
    for i, (name, values) in enumerate(series.items()):
        values = np.asarray(values, dtype=float)
        ax.bar(x + (i - (k - 1) / 2) * width, np.nan_to_num(values), width,
               label=name, color=PALETTE[i % len(PALETTE)])
    ax.set_xticks(x, short(categories, 20), fontsize=8)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=7)
    return to_svg(fig, alt)


def bar_panels(categories: Sequence[str], panels: dict[str, np.ndarray], *, alt: str,
               log: Sequence[str] = (), lines: dict[str, tuple[float, str]] | None = None
               ) -> Chart:
    """Side by side, one small bar chart per measure (title: values (K,) over the
    ``categories``); ``log`` names the panels on a log scale, ``lines`` {panel: (value,
    label)} a dashed reference line in a panel. NaN bars are left out."""
    n = max(len(panels), 1)
    fig = figure(height=2.8)
    axes = fig.subplots(1, n, squeeze=False)[0]
    x = np.arange(len(categories))
    for ax, (title, values) in zip(axes, panels.items(), strict=False):
        values = np.asarray(values, dtype=float)
        keep = np.isfinite(values)
        ax.bar(x[keep], values[keep], color=[PALETTE[k % len(PALETTE)]
                                             for k in np.flatnonzero(keep)], width=0.6)
        reference = (lines or {}).get(title)
        if reference is not None:
            ax.axhline(reference[0], color="#c00000", linestyle="--", linewidth=1.2,
                       label=reference[1])
            ax.legend(fontsize=7, loc="lower right")
        if title in log:
            ax.set_yscale("log")
            _major_labels_only(ax)
            shown = [*values[keep & (values > 0)], *([reference[0]] if reference else [])]
            if shown:
                ax.set_ylim(min(shown) / 2, max(shown) * 2)
        ax.set_xticks(x, short(categories, 14), fontsize=7, rotation=20)
        ax.set_title(title, fontsize=9)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    return to_svg(fig, alt)


def _major_labels_only(ax) -> None:
    """A log axis labelled at its powers of ten only (the minor labels crowd them)."""
    from matplotlib.ticker import NullFormatter

    ax.yaxis.set_minor_formatter(NullFormatter())
