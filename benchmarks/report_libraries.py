"""Which plotting library for the report: size, speed and look of the same two charts.

    pip install plotly altair vl-convert-python   # only for this comparison
    python benchmarks/report_libraries.py --runs 5 --json benchmarks/results/report_libraries.json

The same page in three ways: a convergence line on a log scale (60 rounds) and a 9 x 9 heat
map with values in the cells (deliveries between regions), written as one self-contained HTML
file by Plotly (its JavaScript embedded), Altair (Vega-Lite, its JavaScript inlined through
vl-convert) and matplotlib (inline SVG, no JavaScript). For each: the file's size, the
seconds Python takes to write it (the first chart's import included), and the page's load
time in headless Chromium, opened in turns (A, B, C, A, B, C, ...) so that a loaded machine
slows each alike. A library that is not installed is left out. Screenshots of each page go
to benchmarks/results/local/ to compare the look.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

LOCAL = Path(__file__).resolve().parent / "results" / "local"  # git-ignored

ROUNDS = np.arange(1, 61)
GAP = np.logspace(0, -9, 60) * (1 + 0.3 * np.sin(ROUNDS))
REGIONS = [f"region_{k}" for k in range(9)]
FLOWS = np.where(np.eye(9) > 0, 0.0, np.random.default_rng(0).random((9, 9)) * 50)


def plotly_page() -> str:
    import plotly.graph_objects as go
    from plotly.io import to_html

    line = go.Figure(go.Scatter(x=ROUNDS, y=GAP, mode="lines+markers"))
    line.update_yaxes(type="log", title="gap")
    heat = go.Figure(go.Heatmap(z=FLOWS, x=REGIONS, y=REGIONS, text=np.round(FLOWS, 1),
                                texttemplate="%{text}"))
    return ("<html><body>" + to_html(line, include_plotlyjs=True, full_html=False)
            + to_html(heat, include_plotlyjs=False, full_html=False) + "</body></html>")


def altair_page() -> str:
    import altair as alt
    import pandas as pd

    line = alt.Chart(pd.DataFrame({"round": ROUNDS, "gap": GAP})).mark_line(point=True).encode(
        x="round", y=alt.Y("gap", scale=alt.Scale(type="log")))
    cells = pd.DataFrame([(a, b, FLOWS[i, j]) for i, a in enumerate(REGIONS)
                          for j, b in enumerate(REGIONS)], columns=["from", "to", "sent"])
    base = alt.Chart(cells).encode(x="to:N", y="from:N")
    heat = base.mark_rect().encode(color="sent:Q") + base.mark_text().encode(
        text=alt.Text("sent:Q", format=".1f"))
    buffer = io.StringIO()
    alt.vconcat(line, heat).save(buffer, format="html", inline=True)
    return buffer.getvalue()


def matplotlib_page() -> str:
    from sovnarkhoz.report import charts

    line = charts.lines(ROUNDS, {"gap": GAP}, ylabel="gap", alt="gap", log=True)
    heat = charts.heatmap(FLOWS, REGIONS, REGIONS, label="sent", alt="flows", mask_zero=True)
    return ("<html><body><figure>" + line.svg + "</figure><figure>" + heat.svg
            + "</figure></body></html>")


MAKERS = {"plotly": plotly_page, "altair": altair_page, "matplotlib": matplotlib_page}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=LOCAL / "report_libraries.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sovnarkhoz-libraries-"))
    pages, results = {}, {}
    for name, make in MAKERS.items():
        clock = time.perf_counter()
        try:
            html = make()
        except ImportError as error:
            print(f"{name}: not installed ({error}); left out")
            continue
        seconds = time.perf_counter() - clock
        pages[name] = work / f"{name}.html"
        pages[name].write_text(html, encoding="utf-8")
        results[name] = {"bytes": len(html.encode()), "write_seconds": seconds, "load_ms": []}
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from report import browser  # benchmarks/report.py

    driver = browser()
    try:
        for _ in range(args.runs):
            for name, page in pages.items():  # in turns
                driver.get("about:blank")
                driver.get(page.as_uri())
                time.sleep(0.2)  # let a script that draws after load finish
                load = driver.execute_script(
                    "return performance.getEntriesByType('navigation')[0].loadEventEnd")
                results[name]["load_ms"].append(load)
        LOCAL.mkdir(parents=True, exist_ok=True)
        for name, page in pages.items():
            driver.get(page.as_uri())
            time.sleep(0.5)
            driver.save_screenshot(str(LOCAL / f"library_{name}.png"))
    finally:
        driver.quit()
    for name, r in results.items():
        r["load_ms_median"] = statistics.median(r["load_ms"])
        print(f"{name:<11} {r['bytes'] / 1e6:6.3f} MB  written in {r['write_seconds']:.2f} s  "
              f"load {r['load_ms_median']:.0f} ms (median of {args.runs})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
