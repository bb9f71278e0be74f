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
    # figures found in published sources (ussr1957_actual/SOURCES.md), each as the source
    # gives it: Strana Sovetov za 50 let (grain), Narodnoe khozyaistvo SSSR 1922-1972
    # (workers and employees), the Great Soviet Encyclopedia (coal, herds), Etemad & Luciani
    # (oil, 70,793 and 242,888 thousand t), the 1956 handbook as Time reported it (steel)
    status = record.set_index(["measure", "year"])["status"]
    for key, amount in ((("grain", 1964), 152.1), (("grain", 1966), 171.2),
                        (("labour_force", 1965), 76.9), (("coal", 1970), 624.1),
                        (("cattle", 1971), 99.2), (("pigs", 1961), 58.7),
                        (("oil", 1955), 70.8), (("oil", 1965), 242.9), (("steel", 1955), 45.3)):
        assert value[key] == amount and status[key] == "cited", key
    assert len(cited) >= 52


def test_the_seven_year_plan_scenario():
    """ussr1959_seven_year: the goals of 1965 (grain 164-180, meat 16, milk 100-105, steel
    86-91 Mt cited), each asked from 1959 as its increase over the 1957 output (meat: 16 -
    6.6 = 9.4 Mt a year, nationally), beside the needs of ussr1957."""
    import sovnarkhoz
    from sovnarkhoz.horizon.history import read_goals

    directory = ROOT / "ussr1959_seven_year"
    goals = read_goals(directory).set_index("product")
    assert goals.loc["grain", ["low", "high"]].tolist() == [164.0, 180.0]
    assert goals.loc["milk", ["low", "high"]].tolist() == [100.0, 105.0]
    assert goals.loc["steel", ["low", "high"]].tolist() == [86.0, 91.0]
    assert goals.loc["meat", "low"] == 16.0
    assert set(goals.loc[["grain", "meat", "milk", "steel"], "status"]) == {"cited"}
    scenario = sovnarkhoz.load_scenario(directory)
    targets = scenario.tables["targets"]
    meat = targets[targets["product"] == "meat"].groupby("year")["amount"].sum()
    assert meat.index.min() == 1959
    assert meat.to_numpy() == pytest.approx(16.0 - 6.6, rel=1e-5)
    steel = targets[(targets["product"] == "steel") & (targets["year"] == 1965)]
    assert steel["high"].sum() - steel["amount"].sum() == pytest.approx(5.0, rel=1e-5)
    plain = sovnarkhoz.load_scenario(ROOT / "ussr1957").tables["targets"]
    grain = targets[targets["product"] == "grain"].groupby("year")["amount"].sum()
    need = plain[plain["product"] == "grain"].groupby("year")["amount"].sum()
    assert grain[1957] == pytest.approx(need[1957])
    assert grain[1965] - need[1965] == pytest.approx(164.0 - 110.0, rel=1e-5)


def test_history_report_draws_each_product(tmp_path, capsys):
    directory = tmp_path / "labour_only"
    labour_only().write(directory)
    (tmp_path / "record").mkdir()
    (tmp_path / "record" / "actual.csv").write_text(RECORD)
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "history", str(directory), "--against",
                          str(tmp_path / "record"), "--targets", "a,b", "--solver", "highs",
                          "--out", str(out), "--report")
    assert code == 0 and "report:" in stdout, stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    products = pd.read_csv(out / "history.csv")["product"].unique()
    assert page.count("<svg") >= len(products)  # one chart per product
    assert 'data-name="history"' in page
