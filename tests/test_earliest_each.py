"""earliest --each: every target product on its own, then together, on an economy solved by
hand (issue 19)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import sovnarkhoz
from cli_run import run
from sovnarkhoz.horizon.each import each_summary, each_table, earliest_each


def labour_only(first: int = 1960) -> sovnarkhoz.Scenario:
    """One region; a and b each take 1 unit of labour per unit; labour 1, 2, 4 in three
    years; targets a = 1 and b = 2 every year. By hand: a alone is met in the first year,
    b alone (2 of labour) in the second with half of it in the first, both together (3 of
    labour) in the third, with shares 1/3 and 2/3 before."""
    years = [first, first + 1, first + 2]
    return sovnarkhoz.Scenario.from_frames(
        name="labour_only",
        settings={"horizon": {"first": first, "last": first + 2}},
        products=pd.DataFrame({"product": ["a", "b"]}),
        regions=pd.DataFrame({"region": ["r"]}),
        factors=pd.DataFrame({"factor": ["labour"]}),
        techniques=pd.DataFrame({"technique": ["ta", "tb"], "region": "r",
                                 "product": ["a", "b"]}),
        inputs=pd.DataFrame({"technique": ["ta", "tb"], "input": "labour", "amount": 1.0}),
        supplies=pd.DataFrame({"region": "r", "factor": "labour", "amount": [1.0, 2.0, 4.0],
                               "year": years}),
        targets=pd.DataFrame({"region": "r", "product": ["a", "b"], "amount": [1.0, 2.0]}),
    )


def test_each_alone_and_together_by_hand():
    answer = earliest_each(labour_only(), ["a", "b"], solver="highs")
    assert list(answer.answers) == ["a", "b", "a+b"]
    assert answer.answers["a"].year == 1960
    assert answer.answers["b"].year == 1961
    assert answer.answers["b"].best[1960] == pytest.approx(0.5)
    assert answer.answers["a+b"].year == 1962
    assert answer.answers["a+b"].best[1960] == pytest.approx(1 / 3)
    assert answer.answers["a+b"].best[1961] == pytest.approx(2 / 3)
    table = each_table(answer)
    assert table.columns.tolist() == ["targets", "year", "best"]
    assert len(table) == 1 + 2 + 3
    summary = each_summary(answer).set_index("targets")
    assert summary.loc["b", "earliest"] == 1961 and summary.loc["a+b", "earliest"] == 1962
    assert summary.loc["a+b", "best_share"] == pytest.approx(1.0)


def test_from_year_skips_the_years_before():
    """--from 1961: a alone (met from 1960) is met in 1961, the first year tried."""
    answer = earliest_each(labour_only(), ["a", "b"], solver="highs", from_year=1961)
    assert answer.answers["a"].year == 1961 and set(answer.answers["a"].best) == {1961}
    assert answer.answers["a+b"].year == 1962


def test_cli_each_writes_the_tables(tmp_path, capsys):
    directory = tmp_path / "labour_only"
    labour_only().write(directory)
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "earliest", str(directory), "--targets", "a,b", "--each",
                          "--solver", "highs", "--out", str(out))
    assert code == 0
    assert "  b: met in full in 1961" in stdout and "  a+b: met in full in 1962" in stdout
    summary = pd.read_csv(out / "earliest_each_summary.csv")
    assert summary["targets"].tolist() == ["a", "b", "a+b"]
    assert summary["earliest"].tolist() == [1960, 1961, 1962]
    assert (out / "earliest_each.png").stat().st_size > 1000
    content = json.loads((out / "earliest.json").read_text())
    assert content["earliest"] == 1962 and content["targets"] == ["a", "b"]
    assert content["each"]["b"]["earliest"] == 1961
