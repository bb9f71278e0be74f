"""The report's size and how fast it opens: the ussr1957 plan's report.html in headless
Chromium, and a table of 12,000 prices filtered and sorted in the page.

    python benchmarks/report.py --runs 5 --json benchmarks/results/report.json

Plans ussr1957 once (HiGHS) into a temporary folder with its report, then opens the report
--runs times in one headless Chromium (Debian's chromium and chromium-driver, through
Selenium), each time in a fresh tab state (about:blank between), and reads the page's own
navigation timing: DOMContentLoaded and load (the page is fully drawn at load: its charts
are inline SVG and its tables are filled by a script that runs before load). Then the same
folder with its prices table replaced by 12,000 rows: the time the page's script takes to
filter them by a word and to sort them by price (performance.now() around the event).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sovnarkhoz.cli import main as sovnarkhoz
from sovnarkhoz.report import write_report

LOCAL = Path(__file__).resolve().parent / "results" / "local"  # git-ignored

TIMING = """
const n = performance.getEntriesByType('navigation')[0];
return [n.domContentLoadedEventEnd, n.loadEventEnd];"""

INTERACT = """
const table = document.querySelector('.datatable[data-name="prices"]');
const box = table.querySelector('input');
let t = performance.now();
box.value = 'r7';
box.dispatchEvent(new Event('input'));
const filtered = performance.now() - t;
const count = table.querySelector('.count').textContent;
box.value = '';
box.dispatchEvent(new Event('input'));
const header = table.querySelector('th[data-column="2"]');
t = performance.now();
header.click();
const sorted = performance.now() - t;
return [filtered, sorted, count];"""


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(argument)
    return webdriver.Chrome(options=options,
                            service=Service(shutil.which("chromedriver") or
                                            "/usr/bin/chromedriver"))


def open_times(driver, page: Path, runs: int) -> list[dict[str, float]]:
    out = []
    for _ in range(runs):
        driver.get("about:blank")
        clock = time.perf_counter()
        driver.get(page.resolve().as_uri())
        wall = time.perf_counter() - clock
        loaded, load = driver.execute_script(TIMING)
        out.append({"dom_content_loaded_ms": loaded, "load_ms": load, "get_s": wall})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=LOCAL / "report.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sovnarkhoz-report-"))
    try:
        out = work / "u"
        clock = time.perf_counter()
        code = sovnarkhoz(["plan", "ussr1957", "--out", str(out), "--quiet"])
        planned = time.perf_counter() - clock
        assert code == 0
        clock = time.perf_counter()
        written = write_report(out)
        built = time.perf_counter() - clock
        driver = browser()
        try:
            opened = open_times(driver, written.path, args.runs)
            big = work / "big"
            shutil.copytree(out, big)
            n = 12_000
            pd.DataFrame({"region": [f"r{i % 100}" for i in range(n)],
                          "product": [f"p{i // 100}" for i in range(n)],
                          "price": np.random.default_rng(0).random(n)}).to_csv(
                big / "prices.csv", index=False)
            big_report = write_report(big)
            big_opened = open_times(driver, big_report.path, args.runs)
            interactions = []
            for _ in range(args.runs):
                driver.get(big_report.path.resolve().as_uri())
                filtered, sorted_ms, count = driver.execute_script(INTERACT)
                interactions.append({"filter_ms": filtered, "sort_ms": sorted_ms,
                                     "count": count})
        finally:
            driver.quit()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "ussr1957": {"plan_seconds": planned, "report_seconds": built,
                     "bytes": written.size, "open": opened,
                     "load_ms_median": statistics.median(o["load_ms"] for o in opened)},
        "prices_12000": {"bytes": big_report.size, "open": big_opened,
                         "load_ms_median": statistics.median(o["load_ms"] for o in big_opened),
                         "interactions": interactions,
                         "filter_ms_median": statistics.median(i["filter_ms"]
                                                               for i in interactions),
                         "sort_ms_median": statistics.median(i["sort_ms"]
                                                             for i in interactions)},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    u, big = result["ussr1957"], result["prices_12000"]
    print(f"ussr1957 plan report: {u['bytes'] / 1e6:.2f} MB, built in {built:.2f} s; opens "
          f"(load event) in {u['load_ms_median']:.0f} ms (median of {args.runs}; "
          + ", ".join(f"{o['load_ms']:.0f}" for o in opened) + ")")
    print(f"12,000 prices: {big['bytes'] / 1e6:.2f} MB, load {big['load_ms_median']:.0f} ms; "
          f"filter {big['filter_ms_median']:.1f} ms, sort {big['sort_ms_median']:.1f} ms "
          f"(medians); {interactions[0]['count']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
