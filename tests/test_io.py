"""Scenarios in and out: CSV and Parquet round trips, DataFrames from users, odd CSV text."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from sovnarkhoz import Scenario

BUNDLED = Path(sovnarkhoz.__file__).parent / "scenarios"
TABLES = ("products", "regions", "factors", "techniques", "inputs", "supplies", "targets",
          "links", "priorities", "factions", "members")


def same_tables(a: Scenario, b: Scenario, check_dtype: bool = True) -> None:
    assert set(a.tables) == set(b.tables) == set(TABLES)
    for name in TABLES:
        left, right = a.tables[name], b.tables[name]
        if len(left) == 0 and len(right) == 0:  # absent optional table: columns only
            assert list(left.columns) == list(right.columns), name
            continue
        pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True),
                                      check_dtype=check_dtype, check_exact=True, obj=name)


def same_plan(a: Scenario, b: Scenario, objective: str | None = None) -> None:
    first = sovnarkhoz.make_plan(a, objective=objective)
    second = sovnarkhoz.make_plan(b, objective=objective)
    assert first.status == second.status == "optimal"
    assert second.fulfilment == pytest.approx(first.fulfilment, rel=1e-12, abs=1e-12)
    assert second.objective_value == pytest.approx(first.objective_value, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(second.activities["level"].to_numpy(),
                               first.activities["level"].to_numpy(), rtol=1e-12, atol=1e-12)
    assert list(second.activities["technique"]) == list(first.activities["technique"])


# --- round trips of the bundled scenarios ----------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("name", ["kantorovich1939", "miller_blair", "two_regions"])
def test_bundled_scenario_round_trip(bundled_scenario, tmp_path, name, fmt):
    original = bundled_scenario(name)
    written = original.write(tmp_path / name, fmt)
    assert written == tmp_path / name
    files = sorted(p.name for p in written.iterdir())
    assert "scenario.toml" in files
    assert all(f.endswith(f".{fmt}") for f in files if f != "scenario.toml")
    for required in ("products", "regions", "techniques", "inputs", "targets"):
        assert f"{required}.{fmt}" in files
    again = sovnarkhoz.load_scenario(written)
    assert again.name == original.name
    assert again.description == original.description
    assert again.default_objective == original.default_objective
    same_tables(original, again)
    same_plan(original, again)
    # a second trip writes the very same files
    twice = again.write(tmp_path / f"{name}-2", fmt)
    if fmt == "csv":
        for file in files:
            assert (twice / file).read_bytes() == (written / file).read_bytes(), file
    same_tables(original, sovnarkhoz.load_scenario(twice))


def test_kantorovich_repeating_decimals_survive_csv(bundled_scenario, tmp_path):
    original = bundled_scenario("kantorovich1939")
    again = sovnarkhoz.load_scenario(original.write(tmp_path / "k", "csv"))
    amounts = again.inputs.set_index("technique")["amount"]
    assert amounts["turret_B"] == original.inputs.set_index("technique")["amount"]["turret_B"]
    assert amounts["turret_B"] == pytest.approx(1 / 30, rel=1e-15)
    plan = sovnarkhoz.make_plan(again)
    assert plan.fulfilment == pytest.approx(260 / 3, rel=1e-12)


def test_csv_and_parquet_copies_are_equal(bundled_scenario, tmp_path):
    original = bundled_scenario("two_regions")
    from_csv = sovnarkhoz.load_scenario(original.write(tmp_path / "c", "csv"))
    from_parquet = sovnarkhoz.load_scenario(original.write(tmp_path / "p", "parquet"))
    same_tables(from_csv, from_parquet)


def test_writing_over_another_format_leaves_one_file_per_table(bundled_scenario, tmp_path):
    original = bundled_scenario("two_regions")
    directory = original.write(tmp_path / "s", "csv")
    original.write(directory, "parquet")
    assert not list(directory.glob("*.csv"))
    same_tables(original, sovnarkhoz.load_scenario(directory))


# --- DataFrames from users -------------------------------------------------------------------
def user_frames() -> dict[str, pd.DataFrame]:
    """two_regions with integer ids and integer amounts, plus one product input (north's cloth
    uses 0.5 grain) given as an integer id in a column that also holds 'labour'."""
    return {
        "products": pd.DataFrame({"product": [1, 2]}),  # 1 grain, 2 cloth
        "regions": pd.DataFrame({"region": [10, 20]}),  # 10 north, 20 south
        "factors": pd.DataFrame({"factor": ["labour"]}),
        "techniques": pd.DataFrame({"technique": [101, 102, 201, 202],
                                    "region": [10, 10, 20, 20], "product": [1, 2, 1, 2]}),
        "inputs": pd.DataFrame({"technique": [101, 102, 201, 202, 102],
                                "input": ["labour", "labour", "labour", "labour", 1],
                                "amount": [1, 2, 3, 1, 0.5]}),
        "supplies": pd.DataFrame({"region": [10, 20], "factor": ["labour", "labour"],
                                  "amount": [200, 100]}),
        "targets": pd.DataFrame({"region": [10, 10, 20, 20], "product": [1, 2, 1, 2],
                                 "amount": [1, 1, 1, 1]}),
        "links": pd.DataFrame({"origin": [10, 20], "destination": [20, 10],
                               "loss": [0.1, 0.1]}),
    }


def text_frames() -> dict[str, pd.DataFrame]:
    """The same economy written the ordinary way: ids as text, amounts as floats."""
    frames = user_frames()
    out = {}
    for name, frame in frames.items():
        frame = frame.copy()
        for column in frame.columns:
            if column in ("amount", "loss"):
                frame[column] = frame[column].astype(float)
            else:
                frame[column] = frame[column].map(str)
        out[name] = frame
    return out


def test_from_frames_with_integer_ids_and_amounts(tmp_path):
    from_ints = Scenario.from_frames(name="ints", **user_frames())
    from_text = Scenario.from_frames(name="ints", **text_frames())
    assert list(from_ints.products["product"]) == ["1", "2"]
    assert list(from_ints.techniques["region"]) == ["10", "10", "20", "20"]
    assert list(from_ints.inputs["input"]) == ["labour"] * 4 + ["1"]
    assert from_ints.inputs["amount"].dtype == np.float64
    assert from_ints.supplies["amount"].tolist() == [200.0, 100.0]
    assert from_ints.products["tradable"].tolist() == [True, True]
    same_tables(from_ints, from_text)
    same_plan(from_ints, from_text)
    same_plan(from_ints, from_text, objective="min-factor:labour")
    plan = sovnarkhoz.make_plan(from_ints)
    assert plan.status == "optimal" and 0 < plan.fulfilment < 450 / 7  # cloth now needs grain
    assert plan.verification.passed


def test_parquet_with_integer_ids_loads_as_text_ids(tmp_path):
    directory = tmp_path / "ints"
    directory.mkdir()
    for name, frame in user_frames().items():
        if name == "inputs":  # a Parquet column has one type: ids as text here, amounts ints
            frame = frame.assign(input=frame["input"].map(str),
                                 amount=[1, 2, 3, 1, 0]).astype({"amount": "int64"})
        frame.to_parquet(directory / f"{name}.parquet", index=False)
    assert pd.read_parquet(directory / "techniques.parquet")["technique"].dtype == np.int64
    loaded = sovnarkhoz.load_scenario(directory)
    assert list(loaded.techniques["technique"]) == ["101", "102", "201", "202"]
    assert list(loaded.targets["product"]) == ["1", "2", "1", "2"]
    assert loaded.inputs["amount"].tolist() == [1.0, 2.0, 3.0, 1.0, 0.0]
    frames = text_frames()
    frames["inputs"] = frames["inputs"].assign(amount=[1.0, 2.0, 3.0, 1.0, 0.0])
    expected = Scenario.from_frames(name="ints", **frames)
    same_tables(loaded, expected)
    plan = sovnarkhoz.make_plan(loaded)
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-12)  # two_regions again
    same_plan(loaded, expected)


def test_extra_user_columns_survive_a_round_trip(bundled_scenario, tmp_path):
    original = bundled_scenario("two_regions")
    frames = {name: frame.copy() for name, frame in original.tables.items()}
    frames["products"]["note"] = ["staple, grown in the north", 'woven; "fine"']
    frames["regions"]["remark"] = ["", "warm"]
    scenario = Scenario.from_frames(name="noted", **frames)
    assert scenario.products["note"].tolist() == ["staple, grown in the north", 'woven; "fine"']
    for fmt in ("csv", "parquet"):
        again = sovnarkhoz.load_scenario(scenario.write(tmp_path / fmt, fmt))
        assert list(again.products.columns) == list(scenario.products.columns)
        assert again.products["note"].tolist() == scenario.products["note"].tolist()
        assert again.regions["remark"].tolist() == ["", "warm"]
        same_tables(scenario, again)
    plan = sovnarkhoz.make_plan(scenario)
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-12)


def test_extra_column_in_a_csv_file_is_kept(tmp_path):
    directory = tmp_path / "s"
    shutil.copytree(BUNDLED / "two_regions", directory)
    (directory / "products.csv").write_text(
        "product,name,unit,note\ngrain,Grain,t,first\ncloth,Cloth,m,second\n", encoding="utf-8")
    loaded = sovnarkhoz.load_scenario(directory)
    assert loaded.products["note"].tolist() == ["first", "second"]
    again = sovnarkhoz.load_scenario(loaded.write(tmp_path / "copy", "csv"))
    assert again.products["note"].tolist() == ["first", "second"]
    same_tables(loaded, again)


def test_quoted_csv_fields_with_commas(tmp_path):
    directory = tmp_path / "s"
    shutil.copytree(BUNDLED / "two_regions", directory)
    (directory / "products.csv").write_text(
        'product,name,unit,branch\n'
        'grain,"Grain, wheat and rye",t,"agriculture, food"\n'
        '"cloth","Cloth ""fine"", woven","m, metres",light industry\n', encoding="utf-8")
    loaded = sovnarkhoz.load_scenario(directory)
    products = loaded.products
    assert products["product"].tolist() == ["grain", "cloth"]
    assert products["name"].tolist() == ["Grain, wheat and rye", 'Cloth "fine", woven']
    assert products["unit"].tolist() == ["t", "m, metres"]
    assert products["branch"].tolist() == ["agriculture, food", "light industry"]
    assert products["tradable"].tolist() == [True, True]
    plan = sovnarkhoz.make_plan(loaded)
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-12)
    for fmt in ("csv", "parquet"):
        again = sovnarkhoz.load_scenario(loaded.write(tmp_path / fmt, fmt))
        same_tables(loaded, again)
