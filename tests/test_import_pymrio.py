"""``sovnarkhoz import pymrio`` and ``from_pymrio``: pymrio's test MRIO (6 regions x 8
sectors), saved by pymrio's ``save_all`` as text and as Parquet, read back by pymrio's own
loader and made a scenario.

- fixed trade, balance: the gross outputs are pymrio's ``calc_all()`` x to 1e-9 relative;
- fixed trade, max-fulfilment: λ >= 1, and the observed economy (x, no shipments) verifies
  as a plan at λ = 1 against the imported tables (and not at λ = 1.001: it is the limit);
- free trade: λ at least fixed trade's;
- names, units, the year and the factors' units kept; located errors for what does not fit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from sovnarkhoz.cli.main import main
from sovnarkhoz.plan.verify import verify
from sovnarkhoz.scenario import ScenarioError

pymrio = pytest.importorskip("pymrio")

VALUE_ADDED = "value_added=factor_inputs:Value Added"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """pymrio's test system saved by pymrio as text and as Parquet."""
    root = tmp_path_factory.mktemp("mrio")
    io = pymrio.load_test()
    io.save_all(root / "text")
    io.save_all(root / "parquet", table_format="parquet")
    return {"text": root / "text", "parquet": root / "parquet"}


@pytest.fixture(scope="module")
def calculated() -> object:
    io = pymrio.load_test()
    io.calc_all()
    return io


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_balance_of_the_import_is_pymrios_calc_all(saved, calculated, tmp_path: Path,
                                                   capsys) -> None:
    scenario = tmp_path / "scenario"
    code, out, err = _run(capsys, "import", "pymrio", saved["text"], "--out", scenario,
                          "--factors", VALUE_ADDED, "--year", 2011)
    assert code == 0, err
    assert out.splitlines()[0] == (f"wrote {scenario}: 6 regions, 8 products, 48 techniques, "
                                   "2352 inputs, 1 factors, 48 targets")
    code, out, err = _run(capsys, "plan", scenario, "--objective", "balance", "--quiet",
                          "--out", tmp_path / "balance")
    assert code == 0, err
    levels = pd.read_csv(tmp_path / "balance" / "activities.csv").set_index(
        ["region", "product"])["level"]
    x = calculated.x["indout"]
    np.testing.assert_allclose(levels.reindex(x.index).to_numpy(), x.to_numpy(), rtol=1e-9)
    # names, units and the year are kept
    products = pd.read_csv(scenario / "products.csv")
    assert list(products["product"]) == list(calculated.get_sectors())
    assert set(products["unit"]) == {"Mill USD"}
    assert list(pd.read_csv(scenario / "regions.csv")["region"]) == list(
        calculated.get_regions())
    factors = pd.read_csv(scenario / "factors.csv")
    assert factors.to_dict("records") == [{"factor": "value_added", "name": "Value Added",
                                           "unit": "Mill USD"}]
    toml = (scenario / "scenario.toml").read_text()
    for line in ('year = 2011', 'trade = "fixed"', 'name = "testmrio"', 'system = "pxp"',
                 f'factors = "{VALUE_ADDED}"'):
        assert line in toml.splitlines()


def test_fixed_trade_plans_at_least_the_observed_economy(saved, calculated) -> None:
    from sovnarkhoz.scenario.mrio import from_pymrio, read_mrio

    io = read_mrio(saved["parquet"])
    scenario = from_pymrio(io, [VALUE_ADDED])
    plan = sovnarkhoz.make_plan(scenario)
    assert plan.status == "optimal", plan.message
    assert plan.fulfilment >= 1 - 1e-9
    assert plan.fulfilment == pytest.approx(1.0, rel=1e-6)  # value added binds everywhere
    x = calculated.x["indout"]
    observed = pd.DataFrame({"technique": [f"{r}/{s}" for r, s in x.index],
                             "level": x.to_numpy()})
    nothing = pd.DataFrame({"origin": [], "destination": [], "product": [], "sent": []})
    at_one = verify(scenario.tables, observed, nothing, 1.0)
    assert at_one.passed, at_one.worst
    assert at_one.max_relative_violation < 1e-12
    assert not verify(scenario.tables, observed, nothing, 1.001).passed

    free = sovnarkhoz.make_plan(from_pymrio(io, [VALUE_ADDED], trade="free"))
    assert free.status == "optimal", free.message
    assert free.fulfilment >= plan.fulfilment * (1 - 1e-9)
    assert free.fulfilment == pytest.approx(1.6831171450668805, rel=1e-6)


def test_free_trade_tables(calculated) -> None:
    """Free trade: inputs summed over origins, targets by consuming region, a link
    wherever the table records a flow (all 30 ordered pairs in the test MRIO)."""
    from sovnarkhoz.scenario.mrio import from_pymrio

    io = pymrio.load_test()
    scenario = from_pymrio(io, [VALUE_ADDED], trade="free")
    inputs = scenario.tables["inputs"].set_index(["technique", "input"])["amount"]
    summed = calculated.A.loc[:, ("reg2", "food")].groupby(level="sector").sum()
    np.testing.assert_allclose(inputs.loc["reg2/food"].reindex(summed.index), summed,
                               rtol=1e-12)
    assert "origin" not in scenario.tables["inputs"].columns
    assert len(scenario.tables["links"]) == 30
    targets = scenario.tables["targets"].set_index(["region", "product"])["amount"]
    by_consumer = calculated.Y.loc[:, "reg3"].sum(axis=1).groupby(level="sector").sum()
    np.testing.assert_allclose(targets.loc["reg3"].reindex(by_consumer.index), by_consumer,
                               rtol=1e-12)


def test_errors_name_the_source_and_what_was_expected(saved, tmp_path: Path,
                                                      capsys) -> None:
    out = tmp_path / "out"

    def fails(*argv: object) -> list[str]:
        code, _, err = _run(capsys, "import", "pymrio", *argv, "--out", out)
        assert code == 2, err
        assert not out.exists()
        return err.splitlines()

    assert fails(saved["text"], "--factors", "value_added") == [
        "import pymrio: 1 problem found",
        "  --factors: value 'value_added': expected NAME=EXTENSION:ROW[+ROW...], e.g. "
        "value_added=factor_inputs:Value Added"]
    assert fails(saved["text"], "--factors", "land=land:Cropland")[1] == (
        f"  {saved['text']} (pymrio's extensions): value 'land': no satellite account named "
        "land; the system has factor_inputs (Factor Inputs), emissions (Emissions)")
    assert fails(saved["text"], "--factors", "va=Factor Inputs:Wages")[1] == (
        f"  {saved['text']} (pymrio's Factor Inputs.F): value 'Wages': no row 'Wages' for "
        "factor va; its rows are Value Added")
    junk = tmp_path / "download"
    junk.mkdir()
    assert fails(junk)[1].startswith(f"  {junk}: cannot tell which database this is; expected "
                                     "one of pymrio: a folder or zip archive saved by pymrio")
    assert fails(junk, "--format", "exiobase3")[1].startswith(
        f"  {junk}: pymrio's parse_exiobase3 could not read it (")
    assert fails(junk, "--format", "exiobase3")[1].endswith(
        "expected an EXIOBASE 3 download (IOT_YYYY_ixi.zip or IOT_YYYY_pxp.zip, or its folder)")


def test_layouts_it_does_not_expect_are_refused() -> None:
    from sovnarkhoz.scenario.mrio import from_pymrio

    io = pymrio.load_test()
    io.Y.iloc[3, 2] = -5.0
    with pytest.raises(ScenarioError) as caught:
        from_pymrio(io)
    assert str(caught.value.issues[0]) == (
        "IOSystem (pymrio's Y): value '-5.0': negative final demand at row ('reg1', "
        "'electricity'), column ('reg1', 'Final consumption expenditure by government')"
        ": a plan's amounts are zero or more")
    io = pymrio.load_test()
    io.emissions.unit.iloc[1, 0] = "t"
    with pytest.raises(ScenarioError) as caught:
        from_pymrio(io, ["pollution=emissions:emission_type1+emission_type2"])
    assert str(caught.value.issues[0]) == (
        "IOSystem (pymrio's emissions.unit): rows of factor pollution are in different units "
        "(kg, t); a factor adds them, so they need one unit")
    io = pymrio.load_test()
    io.Z = None
    with pytest.raises(ScenarioError) as caught:
        from_pymrio(io)
    assert str(caught.value.issues[0]) == (
        "IOSystem (pymrio's Z): there is neither Z nor A; expected a system with Y and Z (or "
        "A and x)")


# --- out again: Plan.to_pymrio --------------------------------------------------------------
def test_balance_to_pymrio_is_the_mrio_and_its_prices_are_pymrios_multipliers(calculated
                                                                               ) -> None:
    """The balance plan of the imported test MRIO, back in pymrio: Z, Y's totals and x are
    the original's, and pymrio's multipliers M of the plan's factor are balance's embodied
    value added (its prices) and the original's M of Value Added."""
    from sovnarkhoz.scenario.mrio import from_pymrio

    scenario = from_pymrio(pymrio.load_test(), [VALUE_ADDED])
    plan = sovnarkhoz.make_plan(scenario, objective="balance")
    io = plan.to_pymrio(scenario)
    io.calc_all()
    index = calculated.x.index
    np.testing.assert_allclose(io.x["indout"].reindex(index), calculated.x["indout"],
                               rtol=1e-9)
    np.testing.assert_allclose(io.Z.loc[index, index], calculated.Z, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(io.Y.sum(axis=1).reindex(index), calculated.Y.sum(axis=1),
                               rtol=1e-9)
    M = io.factors.M.loc["value_added"].reindex(index)
    embodied = plan.prices.set_index(["region", "product"])["embodied_value_added"]
    np.testing.assert_allclose(M, embodied.reindex(index), rtol=1e-9)
    np.testing.assert_allclose(M, calculated.factor_inputs.M.loc["Value Added"], rtol=1e-9)
    assert io.factors.unit.loc["value_added", "unit"] == "Mill USD"
    assert set(io.unit["unit"]) == {"Mill USD"}


def test_a_free_trade_plan_in_pymrio_adds_up() -> None:
    """A free-trade plan ships: inputs drawn from a pool come from the regions filling it,
    in proportion; x = Z·1 + Y·1 row by row, and the factor use is the plan's."""
    from sovnarkhoz.scenario.mrio import from_pymrio

    scenario = from_pymrio(pymrio.load_test(), [VALUE_ADDED], trade="free")
    plan = sovnarkhoz.make_plan(scenario)
    assert len(plan.deliveries) > 0
    io = plan.to_pymrio(scenario)
    x = io.x["indout"]
    np.testing.assert_allclose(io.Z.sum(axis=1) + io.Y.sum(axis=1), x, rtol=1e-9,
                               atol=1e-9 * x.max())
    used = plan.factors.set_index("region")["used"]
    by_region = io.factors.F.loc["value_added"].groupby(level="region").sum()
    np.testing.assert_allclose(by_region.reindex(used.index), used, rtol=1e-9)
    made = plan.activities.groupby(["region", "product"])["level"].sum()
    np.testing.assert_allclose(x.reindex(made.index), made, rtol=1e-12)
    io.calc_all()  # pymrio's own analysis runs on it
    assert np.isfinite(io.factors.M.to_numpy()).all()


def test_targets_from_chosen_final_demand_categories(calculated, saved, tmp_path: Path,
                                                     capsys) -> None:
    """Households' consumption alone as targets: each target is that column group's sum,
    the observed economy still verifies (it delivers more), and λ rises above 1."""
    from sovnarkhoz.scenario.mrio import from_pymrio

    households = "Final consumption expenditure by households"
    scenario = from_pymrio(pymrio.load_test(), [VALUE_ADDED], final_demand=[households])
    targets = scenario.tables["targets"].set_index(["region", "product"])["amount"]
    wanted = calculated.Y.xs(households, axis=1, level="category").sum(axis=1)
    np.testing.assert_allclose(targets.reindex(wanted.index), wanted, rtol=1e-12)
    plan = sovnarkhoz.make_plan(scenario)
    assert plan.status == "optimal"
    assert plan.fulfilment > 1.2
    code, _, err = _run(capsys, "import", "pymrio", saved["text"], "--final-demand", "Toys",
                        "--out", tmp_path / "out")
    assert code == 2
    assert err.splitlines()[1].startswith(
        f"  {saved['text']} (pymrio's Y): value 'Toys': no final-demand category of this name; "
        "the categories are Final consumption expenditure by households, ")


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(folder / f"{name}.csv") for name in
            ("techniques", "inputs", "factors", "supplies", "targets")}


def test_a_parquet_save_is_streamed_and_gives_the_same_scenario(saved, tmp_path: Path,
                                                                capsys, monkeypatch) -> None:
    """A Parquet save has its Z read a slab of columns at a time (never whole): with slabs
    of 5 columns (10 slabs for 48), the imported tables are those of the text save, which
    pymrio reads whole."""
    from sovnarkhoz.scenario import mrio_core
    from sovnarkhoz.scenario.mrio import load_mrio

    monkeypatch.setattr(mrio_core, "COLUMNS_PER_SLAB", 5)
    loaded = load_mrio(saved["parquet"])
    assert getattr(loaded.io, "Z", None) is None  # pymrio was asked to leave the core
    assert loaded.core is not None and loaded.core.table == "Z"
    Z = pymrio.load_test().Z.to_numpy()
    rows, cols = np.nonzero(Z)
    assert len(loaded.core.values) == len(rows)
    order = np.lexsort((loaded.core.cols, loaded.core.rows))
    np.testing.assert_array_equal(loaded.core.rows[order], rows)
    np.testing.assert_array_equal(loaded.core.cols[order], cols)
    np.testing.assert_array_equal(loaded.core.values[order], Z[rows, cols])
    np.testing.assert_allclose(loaded.core.row_sums, Z.sum(axis=1), rtol=1e-14)
    for kind in ("text", "parquet"):
        code, _, err = _run(capsys, "import", "pymrio", saved[kind], "--out", tmp_path / kind,
                            "--factors", VALUE_ADDED)
        assert code == 0, err
    text, streamed = _tables(tmp_path / "text"), _tables(tmp_path / "parquet")
    for name, frame in text.items():
        pd.testing.assert_frame_equal(streamed[name], frame, rtol=1e-14, obj=name)


def test_a_saved_A_with_x_is_streamed_as_coefficients(calculated, tmp_path: Path) -> None:
    """A system saved after calc_all holds A and x: A is streamed (Z and L are left
    unread), and balance gives x back."""
    from sovnarkhoz.formulation.leontief import solve_balance
    from sovnarkhoz.scenario.mrio import from_pymrio, load_mrio, mrio_table

    calculated.save_all(tmp_path / "all", table_format="parquet")
    loaded = load_mrio(tmp_path / "all")
    assert loaded.core is not None and loaded.core.table == "A"
    assert all(getattr(loaded.io, name, None) is None for name in ("A", "Z", "L"))
    table = mrio_table(loaded.io, core=loaded.core)
    whole = mrio_table(calculated)
    np.testing.assert_array_equal(table.coefficient, whole.coefficient)
    scenario = from_pymrio(calculated)
    solved = solve_balance(scenario.economy)
    np.testing.assert_allclose(solved.levels, calculated.x["indout"].to_numpy(), rtol=1e-9)


def test_a_broken_parquet_core_is_refused_with_its_file(saved, tmp_path: Path,
                                                        capsys) -> None:
    """Z's columns not its rows, a value that is not a number, a file that is not Parquet:
    each a located error naming Z.parquet, exit 2."""
    import shutil

    def broken(name: str, change) -> Path:
        folder = tmp_path / name
        shutil.copytree(saved["parquet"], folder)
        change(folder / "Z.parquet")
        return folder

    Z = pymrio.load_test().Z
    with_nan = Z.copy()
    with_nan.iloc[3, 7] = np.nan
    cases = {
        "shuffled": (lambda path: Z.iloc[:, ::-1].to_parquet(path),
                     "the columns of Z are not its rows"),
        "nan": (lambda path: with_nan.to_parquet(path),
                "Z at row ('reg1', 'electricity'), column ('reg1', 'other') is not a number"),
        "garbage": (lambda path: path.write_text("not parquet"),
                    "pyarrow could not read pymrio's Z"),
    }
    for name, (change, message) in cases.items():
        folder = broken(name, change)
        code, _, err = _run(capsys, "import", "pymrio", folder, "--out", tmp_path / f"o{name}")
        assert code == 2, (name, err)
        assert str(folder / "Z.parquet") in err and message in err, (name, err)
        assert not (tmp_path / f"o{name}").exists()


DOWNLOADS = {
    # layout: (what --format auto should say, --factors, the regions after pymrio's parser)
    "exiobase3": ("value_added=satellite:Value Added: Compensation+Value Added: Surplus",
                  ["AU", "BR", "DE"]),
    "oecd": ("value_added=factor_inputs:VA", ["AUS", "BRA", "DEU"]),
    "eora26": ("value_added=VA:Primary input", ["AUS", "BRA", "DEU"]),
    "wiod": ("value_added=factor_inputs:Value added at basic prices", ["AUS", "BRA", "USA"]),
    "gloria": ("value_added=VA:Compensation of employees+Operating surplus",
               ["AUS", "BRA", "DEU"]),
}
YEAR_NEEDED = {"gloria": ["--year", "2011"]}


@pytest.mark.parametrize("layout", sorted(DOWNLOADS))
def test_a_database_download_is_read_by_pymrios_parser(layout: str, tmp_path: Path,
                                                       capsys) -> None:
    """A small download in each database's published layout (tests/mrio_downloads.py):
    ``--format auto`` names the database, pymrio's parser reads it (EXIOBASE 3's parser
    mends AUS to AU, which pymrio's plain loader would not; GLORIA's gives A and Y without x,
    so x is solved from them), balance returns the table's gross outputs to 1e-9, and
    max-fulfilment with fixed trade gives λ = 1 (value added binds)."""
    import mrio_downloads

    factors, regions = DOWNLOADS[layout]
    download = getattr(mrio_downloads, layout)(tmp_path)
    scenario = tmp_path / "scenario"
    code, out, err = _run(capsys, "import", "pymrio", download, "--out", scenario,
                          "--factors", factors, *YEAR_NEEDED.get(layout, []))
    assert code == 0, err
    assert out.startswith(f"wrote {scenario}: 3 regions, 4 products, 12 techniques")
    assert f'format = "{layout}"' in (scenario / "scenario.toml").read_text().splitlines()
    assert list(pd.read_csv(scenario / "regions.csv")["region"]) == regions
    code, _, err = _run(capsys, "plan", scenario, "--objective", "balance", "--quiet",
                        "--out", tmp_path / "balance")
    assert code == 0, err
    levels = pd.read_csv(tmp_path / "balance" / "activities.csv")["level"].to_numpy()
    np.testing.assert_allclose(levels, mrio_downloads.OUTPUT, rtol=1e-9)
    plan = sovnarkhoz.make_plan(sovnarkhoz.load_scenario(scenario))
    assert plan.status == "optimal", plan.message
    assert plan.fulfilment == pytest.approx(1.0, rel=1e-9)
