"""history: the model's best plan beside the plan's goals and what happened (issue 19), on the
labour-only economy solved by hand, and the bundled record's structure."""

from __future__ import annotations

import pandas as pd
import pytest

from cli_run import run
from sovnarkhoz.bundled import ROOT
from sovnarkhoz.horizon.history import best_outputs, read_record
from test_earliest_each import labour_only

RECORD = ("measure,year,amount,unit,product,source,status\n"
          "a,1960,0.25,t,a,yearbook p. 1,cited\n"
          "b,1961,1.0,t,b,a guess,estimate\n"
          "workers,1960,3,M,,a guess,estimate\n")


def test_best_outputs_by_hand():
    """Labour 1, 2, 4 against a = 1, b = 2 chosen together: in 1960 λ = 1/3, so a = 1/3 and
    b = 2/3 use all the labour; in 1961 λ = 2/3 (a = 2/3, b = 4/3); in 1962 both in full."""
    best = best_outputs(labour_only(), ["a", "b"], solver="highs")
    assert best.share == pytest.approx({1960: 1 / 3, 1961: 2 / 3, 1962: 1.0})
    assert best.outputs.loc[1960, "a"] == pytest.approx(1 / 3)
    assert best.outputs.loc[1961, "b"] == pytest.approx(4 / 3)
    assert best.outputs.loc[1962, "a"] >= 1 - 1e-9 and best.outputs.loc[1962, "b"] >= 2 - 1e-9


def test_history_table_and_cli(tmp_path, capsys):
    directory = tmp_path / "labour_only"
    labour_only().write(directory)
    (directory / "goals.csv").write_text("product,year,low,high,unit,source,status\n"
                                         "b,1961,1.5,2.5,t,the plan,cited\n")
    (tmp_path / "record").mkdir()
    (tmp_path / "record" / "actual.csv").write_text(RECORD)
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "history", str(directory), "--against",
                          str(tmp_path / "record"), "--targets", "a,b", "--solver", "highs",
                          "--out", str(out))
    assert code == 0, stdout
    table = pd.read_csv(out / "history.csv").set_index(["product", "year"])
    assert table.loc[("a", 1960), "actual"] == 0.25
    assert table.loc[("a", 1960), "actual_status"] == "cited"
    assert table.loc[("a", 1960), "model_output"] == pytest.approx(1 / 3)
    assert table.loc[("a", 1960), "model_over_actual"] == pytest.approx(4 / 3)
    assert table.loc[("b", 1961), "goal_low"] == 1.5 and table.loc[("b", 1961), "target"] == 2
    assert pd.isna(table.loc[("b", 1960), "actual"])
    assert "workers" not in set(table.index.get_level_values(0))  # no product of the model
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "actual.csv").write_text(RECORD.replace("0.25,t,a,yearbook p. 1,cited",
                                                   "lots,t,a,yearbook p. 1,certain"))
    code, _, err = run(capsys, "history", str(directory), "--against", str(bad))
    assert code == 2
    assert "actual.csv:2" in err and "'lots'" in err and "'certain'" in err


def test_the_bundled_record():
    record = read_record(ROOT / "ussr1957_actual")
    assert set(record["status"]) == {"cited", "estimate"}
    value = record.set_index(["measure", "year"])["amount"]
    assert value[("grain", 1963)] == 107.5  # the harvest failure, cited
    assert value[("meat", 1960)] == 8.7 and value[("milk", 1965)] == 72.6  # GSE, cited
    cited = record[record["status"] == "cited"]
    assert cited["source"].str.len().min() > 10
    assert not record.duplicated(["measure", "year"]).any()
