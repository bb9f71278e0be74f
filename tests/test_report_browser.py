"""Each kind of report opened in headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium): no console error, no network request, every chart drawn, every table
filled, the headline numbers in the page equal to the folder's JSON, and the tables sort
and filter.

Small scenarios (two_regions, presidium, a generated 4-year economy) and ussr1957 once.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sovnarkhoz.cli import main

pytest.importorskip("jinja2")
webdriver = pytest.importorskip("selenium.webdriver")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not CHROMIUM or not CHROMEDRIVER,
                                reason="needs Chromium and chromedriver (apt-get install "
                                "chromium chromium-driver; .ci/run installs them)")

COMMANDS = {
    "plan": ["plan", "two_regions", "--quiet"],
    "plan-councils": ["plan", "two_regions", "--organisation", "territorial", "--quiet"],
    "plan-years": ["plan", "{generated}", "--quiet"],
    "plan-ussr1957": ["plan", "ussr1957", "--quiet"],
    "compare": ["compare", "two_regions", "--quiet"],
    "earliest": ["earliest", "{generated}"],
    "explain": ["explain", "{generated}"],
    "frontier": ["frontier", "presidium"],
    "decide": ["decide", "presidium", "--body", "presidium", "--appeal", "plenum"],
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    """Every command above run once with --report."""
    root = tmp_path_factory.mktemp("reports")
    generated = root / "generated"
    assert main(["generate", str(generated), "--products", "6", "--regions", "2", "--years",
                 "4", "--capital", "1"]) == 0
    folders = {}
    for kind, argv in COMMANDS.items():
        out = root / kind
        argv = [a.replace("{generated}", str(generated)) for a in argv]
        assert main([*argv, "--out", str(out), "--report"]) in (0, 1), kind
        assert (out / "report.html").is_file(), kind
        folders[kind] = out
    return folders


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()


def open_page(browser, path: Path) -> dict[str, Any]:
    """Load ``path``; return its console messages and the requests it made."""
    browser.get_log("browser")  # drop what earlier pages left
    browser.get_log("performance")
    url = path.resolve().as_uri()
    browser.get(url)
    console = browser.get_log("browser")
    events = [json.loads(e["message"])["message"] for e in browser.get_log("performance")]
    requests = [m["params"]["request"]["url"] for m in events
                if m["method"] == "Network.requestWillBeSent"]
    return {"console": console, "requests": requests, "url": url}


CHARTS = """
return Array.from(document.querySelectorAll('figure')).map(function (f) {
  var s = f.querySelector('svg.chart');
  if (!s) return null;
  var b = s.getBoundingClientRect();
  return [b.width, b.height, s.querySelectorAll('path, use, text, image').length];
});"""

TABLES = """
return Array.from(document.querySelectorAll('.datatable')).map(function (t) {
  var data = JSON.parse(t.querySelector("script[type='application/json']").textContent);
  return [t.dataset.name, data.rows.length, parseInt(t.dataset.page, 10),
          t.querySelectorAll('tbody tr').length, t.querySelector('.count').textContent];
});"""

FACTS = """
return Array.from(document.querySelectorAll('[data-key]')).map(function (d) {
  return [d.dataset.key, d.dataset.value, d.textContent];
});"""


def documents(folder: Path) -> dict[str, Any]:
    """The folder's JSON files, and the comparison table, by name."""
    found: dict[str, Any] = {}
    for name in ("summary.json", "decision.json", "frontier.json", "earliest.json",
                 "explanation.json"):
        if (folder / name).is_file():
            found[name] = json.loads((folder / name).read_text())
    if (folder / "comparison.csv").is_file():
        table = pd.read_csv(folder / "comparison.csv")
        found["comparison"] = {row.organisation: {"objective_value": row.objective_value}
                               for row in table.itertuples()}
    return found


def expected(folder_documents: dict[str, Any], key: str) -> Any:
    """The value a fact's ``data-key`` names, looked up in the folder's own files: a dotted
    path into summary.json, earliest.json, explanation.json or frontier.json; BODY.… into
    decision.json's record of that body; comparison.ORG.objective_value."""
    decision = folder_documents.get("decision.json")
    bodies = {}
    if decision:
        bodies[decision["body"]] = decision
        if decision.get("appealed_from"):
            bodies[decision["appealed_from"]["body"]] = decision["appealed_from"]
    head, _, rest = key.partition(".")
    candidates = [bodies[head]] if head in bodies and rest else []
    path = rest.split(".") if candidates else key.split(".")
    if not candidates:
        candidates = [folder_documents[n] for n in ("summary.json", "earliest.json",
                                                    "explanation.json", "frontier.json")
                      if n in folder_documents]
        if head == "comparison":
            candidates, path = [folder_documents["comparison"]], rest.split(".")
    for document in candidates:
        value = document
        for part in path:
            if not isinstance(value, dict) or part not in value:
                break
            value = value[part]
        else:
            return value
    raise KeyError(key)


def shown_as(value: float) -> set[str]:
    """The ways the page writes a number."""
    return {f"{value + 0.0:,.6g}", f"{value:.3g}", f"{value:.2f}", f"{value:.4g}",
            str(int(value)) if float(value).is_integer() else ""} - {""}


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_report_in_chromium(kind, outputs, browser):
    folder = outputs[kind]
    loaded = open_page(browser, folder / "report.html")
    severe = [m for m in loaded["console"] if m["level"] in ("SEVERE", "WARNING")]
    assert severe == [], severe
    outside = [u for u in loaded["requests"] if u != loaded["url"] and not u.startswith("data:")]
    assert outside == []
    charts = browser.execute_script(CHARTS)
    assert charts, "no chart"
    for chart in charts:
        assert chart is not None, "a figure without its SVG"
        width, height, marks = chart
        assert width > 100 and height > 50 and marks > 5, chart
    for name, rows, page, shown, count in browser.execute_script(TABLES):
        assert shown == min(rows, page), name
        assert count == f"{rows} rows", name
    folder_documents = documents(folder)
    facts = browser.execute_script(FACTS)
    assert facts
    for key, value, text in facts:
        truth = expected(folder_documents, key)
        if truth is None:
            assert value == "", key
        elif isinstance(truth, bool):
            assert value == str(truth), key
        elif isinstance(truth, int | float):
            assert float(value) == truth, key
            assert any(form in text for form in shown_as(truth)), (key, text)
        else:
            assert value == str(truth) and str(truth).lower() in text.lower(), key
    text = browser.find_element("tag name", "body").text
    assert "Not shown" not in text


def test_the_headline_of_each_kind(outputs, browser):
    """What each kind of report must say, read in the page as shown."""
    expectations = {
        "plan": ["OPTIMAL", "every target met 64.2857 times over"],
        "plan-ussr1957": ["every target met 0.323833 times over", "Investment by good"],
        "plan-years": ["Fulfilment year by year", "Capital stocks by good and region"],
        "plan-councils": ["Planning by councils", "territorial", "a central planner would"],
        "compare": ["The organisations side by side", "Convergence"],
        "earliest": ["When can the targets be met?"],
        "explain": ["The sentences and the constraints they come from"],
        "frontier": ["The frontier of the priorities", "parallel coordinates"],
        "decide": ["The vote in presidium", "The vote in plenum", "the plan of wavering",
                   "On appeal, plenum overrules presidium: the plan of khrushchev stands."],
    }
    for kind, phrases in expectations.items():
        open_page(browser, outputs[kind] / "report.html")
        text = browser.find_element("tag name", "body").text
        for phrase in phrases:
            assert phrase in text, (kind, phrase)
    earliest = json.loads((outputs["earliest"] / "earliest.json").read_text())
    open_page(browser, outputs["earliest"] / "report.html")
    text = browser.find_element("tag name", "body").text
    if earliest["earliest"] is None:
        assert "the targets cannot all be met in full within 2000–2003" in text
    else:
        assert f"met in full in {earliest['earliest']}" in text
    explanation = json.loads((outputs["explain"] / "explanation.json").read_text())
    open_page(browser, outputs["explain"] / "report.html")
    text = browser.find_element("tag name", "body").text
    for sentence in explanation["sentences"][:10]:  # the table's first page
        assert sentence in text


def test_ussr1957_report_is_under_5_mb(outputs):
    assert (outputs["plan-ussr1957"] / "report.html").stat().st_size < 5_000_000


def test_the_prices_table_filters_and_sorts(outputs, browser):
    folder = outputs["plan-ussr1957"]
    prices = pd.read_csv(folder / "prices.csv")
    open_page(browser, folder / "report.html")
    table = browser.find_element("css selector", '.datatable[data-name="prices"]')
    box = table.find_element("css selector", "input")
    box.send_keys("kharkiv meat")
    wanted = prices[(prices["region"] == "kharkiv") & (prices["product"] == "meat")]
    count = table.find_element("css selector", ".count").text
    assert count == f"{len(wanted)} of {len(prices)} rows"
    header = table.find_element("css selector", 'th[data-column="3"]')  # price
    assert header.text == "price"
    header.click()
    header.click()  # descending
    first = table.find_element("css selector", "tbody tr").find_elements("tag name", "td")
    assert first[0].text == "kharkiv" and first[1].text == "meat"
    top = wanted.sort_values("price", ascending=False).iloc[0]
    assert first[2].text == str(int(top["year"]))
    assert float(first[3].text.replace(",", "")) == pytest.approx(top["price"], rel=1e-5)


def test_the_checks_see_a_console_error_and_a_request(tmp_path, browser):
    """The two checks above are not vacuous: a page that logs an error and asks for an
    image from outside is caught by both (without our Content-Security-Policy)."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://192.0.2.1/x.png">'
                    "<script>console.error('broken')</script></body></html>")
    loaded = open_page(browser, page)
    assert any("broken" in m["message"] for m in loaded["console"])
    assert "http://192.0.2.1/x.png" in loaded["requests"]
