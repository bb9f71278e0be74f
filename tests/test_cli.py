"""The ``sovnarkhoz`` command line against the file contract of ../shared/DESIGN.md.

Most runs call :func:`sovnarkhoz.cli.main.main` in-process (output captured with capsys); a
few run the installed console script and ``python -m sovnarkhoz`` in a subprocess.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from cli_run import run

BUNDLED = Path(sovnarkhoz.__file__).parent / "scenarios"
CONTRACT_SUMMARY = ("status", "objective", "fulfilment", "objective_value", "solver", "seconds",
                    "max_violation")
CONTRACT_COLUMNS = {
    "activities": ["technique", "region", "product", "level"],
    "deliveries": ["origin", "destination", "product", "sent", "received"],
    "fulfilment": ["region", "product", "target", "delivered", "fulfilment"],
    "factors": ["region", "factor", "supply", "used", "slack", "price"],
    "prices": ["region", "product", "price"],
}
SCENARIO_TABLES = ("products", "regions", "factors", "techniques", "inputs", "supplies",
                   "targets", "links")


# --- helpers ---------------------------------------------------------------------------------


def console_script() -> list[str]:
    """The installed ``sovnarkhoz`` entry point, preferably beside this interpreter."""
    beside = Path(sys.executable).parent / "sovnarkhoz"
    found = str(beside) if beside.exists() else shutil.which("sovnarkhoz")
    assert found, "the sovnarkhoz console script is not installed"
    return [found]


def subprocess_run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def summary_of(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def read_table(out: Path, name: str, fmt: str = "csv") -> pd.DataFrame:
    path = out / f"{name}.{fmt}"
    assert path.exists(), f"{path.name} was not written"
    return pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)


def copy_bundled(name: str, tmp_path: Path, as_name: str | None = None) -> Path:
    directory = tmp_path / (as_name or name)
    shutil.copytree(BUNDLED / name, directory)
    return directory


def stage_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("[") and " s] " in line]


# --- plan: the contract ----------------------------------------------------------------------
def test_plan_kantorovich_writes_the_contract_summary_and_tables(capsys, tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "plan", "kantorovich1939", "--out", out)
    assert code == 0
    assert "OPTIMAL" in stdout

    summary = summary_of(out)
    assert tuple(summary)[: len(CONTRACT_SUMMARY)] == CONTRACT_SUMMARY  # contract fields first
    assert summary["status"] == "optimal"
    assert summary["objective"] == "max-fulfilment"
    assert isinstance(summary["fulfilment"], float)
    assert summary["fulfilment"] == pytest.approx(260 / 3, rel=1e-12)
    assert round(summary["fulfilment"], 4) == 86.6667
    assert isinstance(summary["objective_value"], float)
    assert summary["objective_value"] == pytest.approx(summary["fulfilment"], rel=1e-12)
    assert summary["solver"] == "highs"
    assert isinstance(summary["seconds"], int | float) and not isinstance(summary["seconds"], bool)
    assert summary["seconds"] >= 0
    assert isinstance(summary["max_violation"], int | float)
    assert not isinstance(summary["max_violation"], bool)
    assert 0 <= summary["max_violation"] <= 1e-9

    for name, columns in CONTRACT_COLUMNS.items():
        frame = read_table(out, name)
        assert list(frame.columns[: len(columns)]) == columns, name

    factors = read_table(out, "factors").set_index("factor")
    assert factors.loc["automatic", "price"] == pytest.approx(80 / 3, rel=1e-9)
    assert factors.loc["turret", "price"] == pytest.approx(40 / 3, rel=1e-9)
    assert factors.loc["milling", "price"] == pytest.approx(20 / 3, rel=1e-9)
    np.testing.assert_allclose(factors.loc[["milling", "turret", "automatic"], "supply"],
                               [3, 3, 1])
    np.testing.assert_allclose(factors["slack"], 0.0, atol=1e-9)  # every machine group binds
    assert (factors["region"] == "plant").all()

    activities = read_table(out, "activities").set_index("technique")
    assert len(activities) == 6
    assert activities.loc["turret_A", "level"] == pytest.approx(60)
    assert activities.loc["automatic_B", "level"] == pytest.approx(80)
    assert activities.loc["milling_A", "level"] == pytest.approx(30 * 8 / 9)
    assert activities.loc["milling_B", "level"] == pytest.approx(60 / 9)
    assert activities.loc["milling_A", "product"] == "A"

    fulfilment = read_table(out, "fulfilment")
    np.testing.assert_allclose(fulfilment["target"], [1, 1])
    np.testing.assert_allclose(fulfilment["delivered"], 260 / 3, rtol=1e-9)
    np.testing.assert_allclose(fulfilment["fulfilment"], 260 / 3, rtol=1e-9)

    prices = read_table(out, "prices").set_index("product")
    # λ's column: one unit of λ needs one A and one B, so the two prices add up to 1
    assert prices.loc["A", "price"] + prices.loc["B", "price"] == pytest.approx(1.0)
    assert (prices["price"] >= 0).all()
    # duality: supply x price over the factors equals λ
    assert (factors["supply"] * factors["price"]).sum() == pytest.approx(260 / 3, rel=1e-9)

    assert len(read_table(out, "deliveries")) == 0  # one region: nothing shipped


def test_console_script_plans_like_the_in_process_command(tmp_path):
    out = tmp_path / "out"
    done = subprocess_run([*console_script(), "plan", "kantorovich1939", "--out", str(out)],
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("Plan for kantorovich1939 (max-fulfilment): OPTIMAL")
    summary = summary_of(out)
    assert summary["status"] == "optimal"
    assert summary["fulfilment"] == pytest.approx(260 / 3, rel=1e-12)
    for name in CONTRACT_COLUMNS:
        assert (out / f"{name}.csv").exists()


def test_parquet_tables_hold_the_same_plan_as_csv(capsys, tmp_path):
    csv_out, parquet_out = tmp_path / "csv", tmp_path / "parquet"
    assert run(capsys, "plan", "two_regions", "--out", csv_out, "--quiet")[0] == 0
    assert run(capsys, "plan", "two_regions", "--out", parquet_out, "--format", "parquet",
               "--quiet")[0] == 0
    assert not list(parquet_out.glob("*.csv"))
    csv_names = sorted(p.stem for p in csv_out.glob("*.csv"))
    assert sorted(p.stem for p in parquet_out.glob("*.parquet")) == csv_names
    assert set(CONTRACT_COLUMNS) <= set(csv_names)
    for name in csv_names:
        from_csv = read_table(csv_out, name)
        from_parquet = read_table(parquet_out, name, "parquet")
        assert len(from_csv) == len(from_parquet), name
        if name in CONTRACT_COLUMNS:
            assert list(from_parquet.columns[: len(CONTRACT_COLUMNS[name])]) == (
                CONTRACT_COLUMNS[name])
        pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=False,
                                      check_exact=False, rtol=1e-14, atol=0.0, obj=name)
    assert len(read_table(parquet_out, "deliveries", "parquet")) == 2  # grain south, cloth north
    csv_summary, parquet_summary = summary_of(csv_out), summary_of(parquet_out)
    for field in ("status", "objective", "fulfilment", "objective_value", "solver",
                  "max_violation"):
        assert csv_summary[field] == parquet_summary[field]
    assert parquet_summary["fulfilment"] == pytest.approx(450 / 7, rel=1e-12)


def test_a_scenario_directory_plans_like_the_bundled_name(capsys, tmp_path):
    directory = copy_bundled("two_regions", tmp_path, "my scenario")  # a space in the path
    by_name, by_path = tmp_path / "by_name", tmp_path / "by_path"
    code, out_name, _ = run(capsys, "plan", "two_regions", "--out", by_name, "--quiet")
    assert code == 0
    code, out_path, _ = run(capsys, "plan", directory, "--out", by_path, "--quiet")
    assert code == 0
    assert out_path.splitlines()[0] == out_name.splitlines()[0]
    a, b = summary_of(by_name), summary_of(by_path)
    assert b["status"] == "optimal"
    assert b["fulfilment"] == pytest.approx(450 / 7, rel=1e-12)
    for field in ("status", "objective", "fulfilment", "objective_value", "solver"):
        assert a[field] == b[field]
    for name in CONTRACT_COLUMNS:
        pd.testing.assert_frame_equal(read_table(by_name, name), read_table(by_path, name),
                                      obj=name)


def test_min_factor_labour_on_two_regions(capsys, tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "plan", "two_regions", "--objective", "min-factor:labour",
                          "--out", out, "--quiet")
    assert code == 0
    summary = summary_of(out)
    assert summary["status"] == "optimal"
    assert summary["objective"] == "min-factor:labour"
    # grain is made in north (1 labour), cloth in south (1 labour); the unit of each that the
    # other region wants is shipped, 1/0.9 made per unit arriving: 1 + 1 + 2/0.9 labour
    assert summary["objective_value"] == pytest.approx(2 + 2 / 0.9, rel=1e-12)
    assert summary["fulfilment"] == pytest.approx(1.0, rel=1e-12)  # every target met in full
    factors = read_table(out, "factors").set_index("region")
    assert factors["used"].sum() == pytest.approx(2 + 2 / 0.9, rel=1e-12)
    fulfilment = read_table(out, "fulfilment")
    np.testing.assert_allclose(fulfilment["delivered"], fulfilment["target"], rtol=1e-9)
    # labour values: a unit of grain in north costs 1 labour, of cloth in south 1 labour
    prices = read_table(out, "prices").set_index(["region", "product"])["price"]
    assert prices[("north", "grain")] == pytest.approx(1.0)
    assert prices[("south", "cloth")] == pytest.approx(1.0)
    assert prices[("south", "grain")] == pytest.approx(1 / 0.9)
    assert prices[("north", "cloth")] == pytest.approx(1 / 0.9)
    assert "total labour used" in stdout


def test_balance_on_miller_blair(capsys, tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "plan", "miller_blair", "--out", out, "--quiet")
    assert code == 0
    summary = summary_of(out)
    assert summary["status"] == "optimal"
    assert summary["objective"] == "balance"
    activities = read_table(out, "activities").set_index("product")
    assert round(activities.loc["sector1", "level"], 2) == 1247.52
    assert round(activities.loc["sector2", "level"], 2) == 1841.58
    assert summary["objective_value"] == pytest.approx(activities["level"].sum(), rel=1e-12)
    assert summary["max_violation"] <= 1e-9
    assert "OPTIMAL" in stdout


# --- plan: no plan ---------------------------------------------------------------------------
def test_targets_beyond_labour_are_infeasible(capsys, tmp_path):
    directory = copy_bundled("two_regions", tmp_path)
    (directory / "targets.csv").write_text(
        "region,product,amount\nnorth,grain,1000\nnorth,cloth,1000\n"
        "south,grain,1000\nsouth,cloth,1000\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "plan", directory, "--objective", "min-factor:labour",
                          "--out", out, "--quiet")
    assert code == 1
    assert stdout.splitlines()[0].endswith(": INFEASIBLE")
    assert "every target met" not in stdout
    summary = summary_of(out)
    assert summary["status"] == "infeasible"
    assert summary["objective"] == "min-factor:labour"
    assert summary["solver"] == "highs"
    assert summary["fulfilment"] is None  # nothing met: no fulfilment is claimed


def test_no_factors_under_max_fulfilment_is_unbounded(capsys, tmp_path):
    directory = copy_bundled("two_regions", tmp_path)
    (directory / "factors.csv").unlink()
    (directory / "supplies.csv").unlink()
    inputs = pd.read_csv(directory / "inputs.csv")
    inputs[inputs["input"] != "labour"].to_csv(directory / "inputs.csv", index=False)
    assert pd.read_csv(directory / "inputs.csv").empty  # two_regions uses only labour
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "plan", directory, "--out", out, "--quiet")
    assert code == 1
    assert stdout.splitlines()[0].endswith(": UNBOUNDED")
    summary = summary_of(out)
    assert summary["status"] == "unbounded"
    assert summary["objective"] == "max-fulfilment"
    assert summary["fulfilment"] is None and summary["objective_value"] is None
    assert "without limit" in summary["message"]
    assert "every target met" not in stdout


def test_a_tiny_time_limit_stops_a_large_economy(capsys, tmp_path):
    directory = tmp_path / "big"
    code, _, _ = run(capsys, "generate", directory, "--products", "400", "--regions", "8",
                     "--techniques", "2", "--seed", "3")
    assert code == 0
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "plan", directory, "--time-limit", "0.001", "--out", out,
                          "--quiet")
    assert code == 1
    assert stdout.splitlines()[0].endswith(": TIME_LIMIT")
    summary = summary_of(out)
    assert summary["status"] == "time_limit"
    assert summary["objective"] == "max-fulfilment"
    assert summary["solver"] == "highs"


def test_balance_needing_more_factor_than_supplied_is_infeasible(capsys, tmp_path):
    directory = copy_bundled("miller_blair", tmp_path)
    (directory / "factors.csv").write_text("factor\nlabour\n", encoding="utf-8")
    (directory / "supplies.csv").write_text("region,factor,amount\neconomy,labour,1000\n",
                                            encoding="utf-8")
    with (directory / "inputs.csv").open("a", encoding="utf-8") as handle:
        handle.write("make_sector1,labour,1\nmake_sector2,labour,1\n")
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "plan", directory, "--out", out, "--quiet")
    assert code == 1
    assert stdout.splitlines()[0].endswith(": INFEASIBLE")
    summary = summary_of(out)
    assert summary["status"] == "infeasible"
    assert summary["objective"] == "balance"
    message = summary["message"]
    assert "labour" in message and "economy" in message
    assert "labour" in stdout and "economy" in stdout
    factors = read_table(out, "factors")
    # the gross outputs (1247.52 + 1841.58) need 3089.1 labour against 1000
    assert factors.loc[0, "used"] == pytest.approx(1247.5248 + 1841.5842, rel=1e-6)
    assert factors.loc[0, "slack"] < 0


# --- usage errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["plan", "no_such_scenario_anywhere"],
    ["plan", "kantorovich1939", "--time-limit", "-1"],
    ["plan", "kantorovich1939", "--format", "xml"],
    ["generate", "{tmp}/g", "--products", "0", "--regions", "2"],
], ids=["unknown-scenario", "negative-time-limit", "xml-format", "zero-products"])
def test_usage_errors_exit_2_with_one_line(capsys, tmp_path, argv):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"sovnarkhoz {argv[0]}")
    assert not (tmp_path / "g").exists()


def test_usage_error_from_the_console_script(tmp_path):
    done = subprocess_run([*console_script(), "plan", "kantorovich1939", "--format", "xml"],
                          cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "xml" in done.stderr


# --- generate, validate, scenarios -----------------------------------------------------------
GENERATE = ["--products", "30", "--regions", "4", "--techniques", "2", "--inputs", "3",
            "--factors", "2", "--seed", "7"]


def test_generate_writes_a_consistent_economy(capsys, tmp_path):
    directory = tmp_path / "g"
    code, stdout, _ = run(capsys, "generate", directory, *GENERATE)
    assert code == 0
    assert "240 techniques" in stdout
    assert (directory / "scenario.toml").exists()
    tables = {name: pd.read_csv(directory / f"{name}.csv", dtype={"product": str})
              for name in SCENARIO_TABLES}
    P, R, K, D, F = 30, 4, 2, 3, 2
    T = P * R * K
    assert len(tables["products"]) == P and tables["products"]["product"].is_unique
    assert len(tables["regions"]) == R
    assert len(tables["factors"]) == F
    techniques = tables["techniques"]
    assert len(techniques) == T and techniques["technique"].is_unique
    assert (techniques.groupby(["region", "product"]).size() == K).all()
    inputs = tables["inputs"]
    assert len(inputs) == T * (D + F)
    assert (inputs.groupby("technique").size() == D + F).all()
    assert not inputs.duplicated(["technique", "input"]).any()
    factor_ids = set(tables["factors"]["factor"])
    is_factor = inputs["input"].isin(factor_ids)
    product_inputs = inputs[~is_factor].merge(techniques, on="technique")
    assert product_inputs["input"].isin(set(tables["products"]["product"])).all()
    assert (product_inputs["input"] != product_inputs["product"]).all()  # never its own product
    coefficient_sum = product_inputs.groupby("technique")["amount"].sum()
    assert len(coefficient_sum) == T
    assert (coefficient_sum <= 0.6 + 1e-5).all()
    assert (coefficient_sum >= 0.3 - 1e-5).all()
    assert (inputs["amount"] > 0).all()
    targets = tables["targets"]
    assert 0.3 * P * R <= len(targets) <= 0.7 * P * R  # about half of the 120 pairs
    assert not targets.duplicated(["region", "product"]).any()
    assert (targets["amount"] > 0).all()
    links = tables["links"]
    assert len(links) >= R  # at least the ring, both ways
    assert (links["origin"] != links["destination"]).all()
    pairs = set(zip(links["origin"], links["destination"], strict=True))
    assert all((b, a) in pairs for a, b in pairs)
    assert links["loss"].between(0.01, 0.08).all()
    supplies = tables["supplies"]
    assert len(supplies) == R * F and (supplies["amount"] > 0).all()

    code, stdout, _ = run(capsys, "validate", directory)
    assert code == 0
    assert "valid for max-fulfilment" in stdout


def test_generate_is_reproducible_and_writes_parquet(capsys, tmp_path):
    first, second, parquet = tmp_path / "a", tmp_path / "b", tmp_path / "p"
    assert run(capsys, "generate", first, *GENERATE)[0] == 0
    assert run(capsys, "generate", second, *GENERATE)[0] == 0
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert names == sorted(["scenario.toml", *(f"{t}.csv" for t in SCENARIO_TABLES)])
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    other_seed = tmp_path / "c"
    assert run(capsys, "generate", other_seed, *GENERATE[:-1], "8")[0] == 0
    assert (other_seed / "inputs.csv").read_bytes() != (first / "inputs.csv").read_bytes()

    assert run(capsys, "generate", parquet, *GENERATE, "--format", "parquet")[0] == 0
    assert sorted(p.name for p in parquet.glob("*.parquet")) == sorted(
        f"{t}.parquet" for t in SCENARIO_TABLES)
    assert not list(parquet.glob("*.csv"))
    from_csv = sovnarkhoz.load_scenario(first)
    from_parquet = sovnarkhoz.load_scenario(parquet)
    for name in SCENARIO_TABLES:
        pd.testing.assert_frame_equal(from_csv.tables[name], from_parquet.tables[name],
                                      check_dtype=False, obj=name)
    assert run(capsys, "validate", parquet)[0] == 0


def test_scenarios_lists_the_bundled_names(capsys):
    code, out, _ = run(capsys, "scenarios")
    assert code == 0
    names = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert names == ["kantorovich1939", "miller_blair", "presidium", "two_regions", "ussr1957",
                     "ussr1957_plenum", "ussr1959_seven_year"]
    assert "86 2/3" in out  # the descriptions come along


def test_python_dash_m_sovnarkhoz(tmp_path):
    done = subprocess_run([sys.executable, "-m", "sovnarkhoz", "scenarios"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("kantorovich1939", "miller_blair", "two_regions"):
        assert name in done.stdout.split()


# --- progress and quiet ----------------------------------------------------------------------
def test_stage_lines_go_to_stderr_and_quiet_removes_them(capsys, tmp_path):
    code, out, err = run(capsys, "plan", "two_regions", "--out", tmp_path / "loud")
    assert code == 0
    stages = stage_lines(err)
    assert len(stages) >= 4
    assert any("loaded and validated" in line for line in stages)
    assert any("assembled the LP" in line for line in stages)
    assert any("verified against the scenario tables" in line for line in stages)
    assert not stage_lines(out)
    assert out.startswith("Plan for two_regions (max-fulfilment): OPTIMAL")
    assert "lambda = 64.2857" in out  # 450/7

    code, quiet_out, quiet_err = run(capsys, "plan", "two_regions", "--out", tmp_path / "quiet",
                                     "--quiet")
    assert code == 0
    assert quiet_err == ""
    assert quiet_out.splitlines()[0] == out.splitlines()[0]
    assert math.isclose(summary_of(tmp_path / "quiet")["fulfilment"], 450 / 7, rel_tol=1e-12)
