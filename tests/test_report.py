"""The report without a browser: what it reads, what it says it cannot show, where it is
written, and the frontier picture's axes and labels. (tests/test_report_browser.py opens the
pages in Chromium.)"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_run import run
from sovnarkhoz.frontier_figure import choose_axes, frontier_figure
from sovnarkhoz.output import MARKER
from sovnarkhoz.report import read_folder, write_report
from sovnarkhoz.report.page import Table

pytest.importorskip("jinja2")


def facts(page: str) -> dict[str, str]:
    """{data-key: data-value} of the page's headline facts."""
    return {k: html.unescape(v) for k, v in
            re.findall(r'data-key="([^"]+)" data-value="([^"]*)"', page)}


def table_rows(page: str, name: str) -> list[list]:
    """The rows embedded for the table called ``name``."""
    match = re.search(rf'data-name="{re.escape(name)}".*?<script type="application/json">'
                      r"(.*?)</script>", page, re.S)
    assert match, name
    return json.loads(match.group(1).replace("<\\/", "</"))["rows"]


@pytest.fixture(scope="module")
def plan_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "plan"
    from sovnarkhoz.cli import main

    assert main(["plan", "two_regions", "--out", str(out), "--report", "--quiet"]) == 0
    return out


def test_plan_report_headline_is_summary_json(plan_out):
    page = (plan_out / "report.html").read_text(encoding="utf-8")
    summary = json.loads((plan_out / "summary.json").read_text())
    found = facts(page)
    assert float(found["fulfilment"]) == summary["fulfilment"]
    assert float(found["max_violation"]) == summary["max_violation"]
    assert float(found["verification.gap"]) == summary["verification"]["gap"]
    assert float(found["verification.dual_bound"]) == summary["verification"]["dual_bound"]
    assert found["status"] == summary["status"] == "optimal"
    # two_regions: λ = 450/7 (north's labour 200 and south's 150 share the targets;
    # tests/test_golden.py derives it); the page says it as the console does
    assert summary["fulfilment"] == pytest.approx(450 / 7, rel=1e-12)
    assert "every target met 64.2857 times over" in page
    prices = pd.read_csv(plan_out / "prices.csv")
    assert len(table_rows(page, "prices")) == len(prices)
    for section in ("targets", "bottlenecks", "factors", "prices", "deliveries"):
        assert f'<section id="{section}">' in page
    assert "Not shown" not in page


def test_the_page_asks_for_nothing_from_outside(plan_out):
    page = (plan_out / "report.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in page
    assert not re.search(r'(src|href)="(?!#|data:)', page)
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page


def test_report_is_inside_the_marked_output_folder(plan_out, capsys):
    assert json.loads((plan_out / MARKER).read_text()) == {"command": "plan"}
    assert not list(plan_out.parent.glob(".plan.sovnarkhoz-*"))


def test_report_command_on_a_folder_written_without_it(tmp_path, capsys):
    out = tmp_path / "k"
    assert run(capsys, "plan", "kantorovich1939", "--out", out, "--quiet")[0] == 0
    assert not (out / "report.html").exists()
    code, said, _ = run(capsys, "report", out)
    assert code == 0 and f"wrote {out / 'report.html'}" in said
    # and elsewhere, leaving the folder as it was
    code, said, _ = run(capsys, "report", out, "--to", tmp_path / "k.html")
    assert code == 0 and (tmp_path / "k.html").stat().st_size > 10_000


def test_report_says_what_an_older_folder_cannot_show(tmp_path, capsys):
    """A folder of an earlier version: no marker, no bottlenecks table; a compare output
    without rounds.csv."""
    out = tmp_path / "old"
    assert run(capsys, "plan", "two_regions", "--out", out, "--quiet")[0] == 0
    (out / MARKER).unlink()
    (out / "bottlenecks.csv").unlink()
    code, said, _ = run(capsys, "report", out)
    assert code == 0
    assert "cannot show bottlenecks: no bottlenecks table" in said
    page = (out / "report.html").read_text()
    assert "Not shown" in page and "no bottlenecks table" in page
    compared = tmp_path / "cmp"
    assert run(capsys, "compare", "two_regions", "--out", compared, "--quiet")[0] == 0
    (compared / "rounds.csv").unlink()
    code, said, _ = run(capsys, "report", compared)
    assert code == 0 and "no rounds.csv" in said


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no such folder"),
    (lambda p: p.mkdir(), "nothing to report"),
    (lambda p: (p.mkdir(), (p / "products.csv").write_text("product\na\n")),
     "is a scenario directory"),
    (lambda p: (p.mkdir(), (p / "summary.json").write_text("{not json")),
     "summary.json: cannot be read as JSON"),
])
def test_report_on_what_is_not_an_output_folder_is_one_line_and_exit_2(make, message,
                                                                       tmp_path, capsys):
    target = tmp_path / "x"
    make(target)
    code, out, err = run(capsys, "report", target)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_report_flag_needs_out(capsys):
    code, _, err = run(capsys, "frontier", "presidium", "--report")
    assert code == 2 and "--report" in err and "--out" in err


def test_a_report_that_fails_leaves_the_previous_output(tmp_path, capsys, monkeypatch):
    out = tmp_path / "f"
    assert run(capsys, "frontier", "presidium", "--out", out)[0] == 0
    before = sorted(p.name for p in out.iterdir())
    import sovnarkhoz.report.build as build

    def broken(report):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "render", broken)
    code, _, _ = run(capsys, "frontier", "presidium", "--out", out, "--report")
    assert code == 130
    assert sorted(p.name for p in out.iterdir()) == before
    assert not list(tmp_path.glob(".f.sovnarkhoz-*"))


def test_compare_writes_every_round(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert run(capsys, "compare", "two_regions", "--out", out, "--quiet", "--report")[0] == 0
    rounds = pd.read_csv(out / "rounds.csv")
    comparison = pd.read_csv(out / "comparison.csv")
    for row in comparison.itertuples():
        if row.organisation == "central":
            continue
        mine = rounds[rounds["organisation"] == row.organisation]
        assert len(mine) == row.rounds and list(mine["round"]) == list(range(1, row.rounds + 1))
        # the traffic round by round; the rest is the councils' final plans, collected once
        assert 0 < mine["bytes"].sum() <= row.bytes_exchanged
    page = (out / "report.html").read_text()
    assert "Convergence" in page and "Not shown" not in page


def test_a_table_keeps_infinities_and_gaps():
    frame = pd.DataFrame({"a": ["x", "y"], "capacity": [np.inf, np.nan], "n": [1, 2]})
    table = Table.of("t", frame)
    assert table.rows == [["x", "inf", 1], ["y", None, 2]]
    assert "</" not in Table("t", ["a"], [["</script>"]]).payload


def test_twelve_thousand_prices_stay_small(tmp_path, plan_out):
    """12,000 prices: embedded once as JSON (about 50 bytes a row), shown a page at a
    time."""
    folder = tmp_path / "big"
    folder.mkdir()
    for file in plan_out.iterdir():
        if file.is_file() and file.name != "report.html":
            (folder / file.name).write_bytes(file.read_bytes())
    n = 12_000
    pd.DataFrame({"region": [f"r{i % 100}" for i in range(n)],
                  "product": [f"p{i // 100}" for i in range(n)],
                  "price": np.linspace(0, 1, n)}).to_csv(folder / "prices.csv", index=False)
    written = write_report(folder)
    page = written.path.read_text()
    assert len(table_rows(page, "prices")) == n
    assert written.size < 1_500_000


LEVELS_JUNE = np.array([[0.0, 0.10000001381917174, 0.0683619107182834],
                        [0.022979391779180926, 0.10000001381917517, 0.049739254631247065],
                        [0.031646380587312985, 0.10000001381917177, 0.033282407552792256]])
NAMES_JUNE = ["pledge", "heavy_defence", "virgin_lands"]


def test_a_priority_held_constant_is_not_an_axis():
    """ussr1957_plenum's frontier (as decide writes it): heavy_defence is 0.1 at every
    vertex, to 3e-15; the axes are pledge and virgin_lands."""
    axes = choose_axes(NAMES_JUNE, LEVELS_JUNE)
    assert axes.varying == [0, 2]
    assert axes.constant == {"heavy_defence": pytest.approx(0.1, abs=1e-7)}
    fig = frontier_figure(NAMES_JUNE, LEVELS_JUNE)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "level of pledge" and ax.get_ylabel() == "level of virgin_lands"
    assert "heavy_defence" in ax.get_title()


def test_frontier_labels_do_not_overlap():
    """June 1957: each faction's ideal is also a body's adopted plan; they share one label
    per point, and no two labels' boxes overlap."""
    ideals = {"anti_party_group": LEVELS_JUNE[2], "khrushchev": LEVELS_JUNE[1]}
    adopted = {"presidium": LEVELS_JUNE[2], "plenum": LEVELS_JUNE[1]}
    fig = frontier_figure(NAMES_JUNE, LEVELS_JUNE, ideals, adopted)
    ax = fig.axes[0]
    texts = [t for t in ax.texts]
    assert sorted(t.get_text() for t in texts) == [
        "ideal of anti_party_group; adopted by presidium",
        "ideal of khrushchev; adopted by plenum"]
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    frame = ax.get_window_extent(renderer)
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)


def test_many_labels_crowded_together_do_not_overlap():
    """Five ideals close together on a frontier of two varying priorities."""
    levels = np.array([[0.0, 1.0], [0.5, 0.9], [0.8, 0.6], [1.0, 0.0]])
    ideals = {f"faction_{k}": levels[1] + [0.01 * k, -0.01 * k] for k in range(5)}
    fig = frontier_figure(["a", "b"], levels, ideals, {"body": levels[2]})
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
    assert len(boxes) == 6
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)


def test_read_folder_names_the_command(plan_out, tmp_path):
    assert read_folder(plan_out).command == "plan"
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "frontier.csv").write_text("point,a,b\n1,0,1\n2,1,0\n")
    assert read_folder(legacy).command == "frontier"


def test_a_plan_that_was_not_found_is_its_headline_and_its_explanation(tmp_path, capsys):
    """A generated 4-year economy whose targets cannot be met in full (earliest says so):
    min-factor:labour has no plan; the report gives the status, the reasons and one line
    for the tables it cannot have."""
    scenario = tmp_path / "g"
    assert run(capsys, "generate", scenario, "--products", "6", "--regions", "2", "--years",
               "4", "--capital", "1")[0] == 0
    out = tmp_path / "inf"
    code, said, _ = run(capsys, "plan", scenario, "--objective", "min-factor:labour",
                        "--out", out, "--report", "--quiet")
    assert code == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "infeasible"
    assert said.count("the report cannot show") == 1
    assert "there is no plan (status infeasible)" in said
    page = (out / "report.html").read_text()
    assert facts(page)["status"] == "infeasible"
    for sentence in summary["explanation"]["sentences"]:
        assert html.escape(sentence, quote=False) in page


def test_a_parquet_plan_by_councils(tmp_path, capsys):
    """Tables as Parquet; a plan by councils shows how they converged after the headline."""
    out = tmp_path / "p"
    assert run(capsys, "plan", "two_regions", "--organisation", "territorial", "--format",
               "parquet", "--out", out, "--report", "--quiet")[0] == 0
    page = (out / "report.html").read_text()
    assert len(table_rows(page, "prices")) == len(pd.read_parquet(out / "prices.parquet"))
    summary = json.loads((out / "summary.json").read_text())
    assert len(table_rows(page, "rounds")) == summary["rounds"] == len(summary["history"])
    order = re.findall(r'<section id="([^"]+)">', page)
    assert order[:3] == ["headline", "councils", "targets"]
    assert facts(page)["traffic.central_bytes"] == str(summary["traffic"]["central_bytes"])


def test_a_majority_cycle_is_shown(tmp_path):
    """A hand-written decide folder (no plan tables): three factions' ideals beat each other
    in a ring, 2 : 1 each (the Condorcet paradox); the page names the cycle and the
    fallback, and says it has no plan tables."""
    folder = tmp_path / "cycle"
    folder.mkdir()
    (folder / "frontier.csv").write_text("point,a,b,c\n1,1,0,0\n2,0,1,0\n3,0,0,1\n")
    plans = ["x", "y", "z"]
    votes = {p: {q: (2 if (plans.index(q) - plans.index(p)) % 3 == 1 else 1)
                 for q in plans if q != p} for p in plans}
    record = {"body": "council", "adopted": "x", "fulfilment": {"a": 1.0, "b": 0.0, "c": 0.0},
              "votes": votes, "power": {p: {"banzhaf": 1 / 3, "shapley_shubik": 1 / 3}
                                        for p in plans},
              "rule": "copeland", "condorcet_winner": None, "cycle": ["x", "y", "z"],
              "fallback": "Copeland, then Borda", "members": {p: {"full": 1, "candidate": 0}
                                                              for p in plans},
              "ideals": {"x": {"a": 1, "b": 0, "c": 0}, "y": {"a": 0, "b": 1, "c": 0},
                         "z": {"a": 0, "b": 0, "c": 1}}}
    (folder / "decision.json").write_text(json.dumps(record))
    written = write_report(folder)
    page = written.path.read_text()
    assert "x &gt; y &gt; z &gt; x" in page
    assert "no plan beats every other; Copeland, then Borda" in page
    assert facts(page)["council.adopted"] == "x"
    assert any("no summary.json" in line for line in written.missing)


def test_the_councils_history_is_read_in_the_objectives_own_sense(tmp_path, capsys):
    """Rounds keep the objective as a minimisation (-λ); the report shows λ."""
    from sovnarkhoz.report.councils import _sense

    out = tmp_path / "c"
    assert run(capsys, "plan", "two_regions", "--organisation", "territorial", "--out", out,
               "--quiet")[0] == 0
    summary = json.loads((out / "summary.json").read_text())
    history = pd.DataFrame(summary["history"])
    assert history["objective"].iloc[-1] == pytest.approx(-450 / 7)
    assert _sense(history, summary["objective_value"]) == -1.0
    assert _sense(history.assign(objective=-history["objective"]),
                  summary["objective_value"]) == 1.0


def test_a_frontier_of_one_plan_draws_its_levels_not_an_axis():
    levels = np.array([[7.747, 0.0]])
    fig = frontier_figure(["heavy", "pledge"], levels)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["heavy", "pledge"]
    assert [p.get_height() for p in ax.patches] == [7.747, 0.0]
    assert "one plan" in ax.get_title()


def test_heat_map_cells_are_compact():
    from sovnarkhoz.report.charts import compact

    assert [compact(v) for v in (0.324, 999.4, 1329.02, 10_700.0, 2.5e6, -1329.0)] == [
        "0.324", "999", "1.33k", "10.7k", "2.5M", "-1.33k"]


def test_earliest_each_report_shows_every_item_alone_and_together(tmp_path, capsys):
    """earliest --each --report: one curve per item and the summary table, the joint answer
    last (earliest_each_summary.csv's rows, as written)."""
    scenario = tmp_path / "g"
    assert run(capsys, "generate", "--products", "6", "--regions", "2", "--techniques", "2",
               "--years", "4", "--seed", "3", scenario)[0] == 0
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "earliest", scenario, "--each", "--report", "--out", out)
    assert code == 0 and f"report: {out / 'report.html'}" in stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(out / "earliest_each_summary.csv")
    rows = table_rows(page, "earliest_each")
    assert [row[0] for row in rows] == summary["targets"].tolist()
    assert [row[1] for row in rows] == summary["earliest"].tolist()
