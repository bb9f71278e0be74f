"""Leontief's balance answers only the question it can: (I - A) x = y region by region.

A scenario with links (shipments are choices) is refused, naming the file and the
objectives that plan it; where balance solves, its gross outputs are checked against
numpy's dense solve and, when pymrio is installed, against pymrio on its test MRIO.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from sovnarkhoz.cli.main import main
from sovnarkhoz.plan.verify import verify
from sovnarkhoz.scenario import ScenarioError

BUNDLED = Path(sovnarkhoz.__file__).parent / "scenarios"


def _tables_from_mrio(mrio, *, origins_as_products: bool = False) -> dict[str, pd.DataFrame]:
    """A scenario of a pymrio system (``calc_all`` done): regions as regions, sectors as
    products, one technique per region and sector whose inputs are the column of A summed
    over the regions they come from (a region's pool), targets the final demand of each
    region's categories summed the same way, value added as the factor ``value_added``
    (10 x the table's total as supply). ``origins_as_products``: one region, ``world``, whose
    products are the MRIO's (region, sector) pairs, so that nothing is summed away."""
    A, Y = mrio.A, mrio.Y
    S = mrio.factor_inputs.S.loc["Value Added"]
    F = mrio.factor_inputs.F.loc["Value Added"]

    def name(region: str, sector: str) -> str:
        return f"{region}/{sector}" if origins_as_products else sector

    demand = Y.T.groupby(level="region").sum().T  # (origin, sector) x destination region
    rows, inputs, targets, supply = [], [], [], {}
    for (region, sector), column in A.items():
        where = "world" if origins_as_products else region
        technique = f"{region}.{sector}"
        rows.append((technique, where, name(region, sector)))
        uses = (column if origins_as_products
                else column.groupby(level="sector").sum())
        for used, amount in uses.items():
            product = name(*used) if origins_as_products else used
            if amount > 0:
                inputs.append((technique, product, float(amount)))
        inputs.append((technique, "value_added", float(S[(region, sector)])))
        supply[where] = 10 * float(F.sum())
    if origins_as_products:
        total = Y.sum(axis=1)
        targets = [("world", name(*pair), float(v)) for pair, v in total.items()]
        regions = ["world"]
        products = [name(*pair) for pair in A.columns]
    else:
        regions = list(mrio.get_regions())
        products = list(mrio.get_sectors())
        by_sector = demand.groupby(level="sector").sum()
        targets = [(r, p, float(by_sector.loc[p, r])) for r in regions for p in products]
    return {
        "products": pd.DataFrame({"product": products}),
        "regions": pd.DataFrame({"region": regions}),
        "factors": pd.DataFrame({"factor": ["value_added"]}),
        "techniques": pd.DataFrame(rows, columns=["technique", "region", "product"]),
        "inputs": pd.DataFrame(inputs, columns=["technique", "input", "amount"]),
        "supplies": pd.DataFrame({"region": list(supply), "factor": "value_added",
                                  "amount": list(supply.values())}),
        "targets": pd.DataFrame(targets, columns=["region", "product", "amount"]),
    }


def _links(regions: list[str]) -> pd.DataFrame:
    return pd.DataFrame([(a, b) for a in regions for b in regions if a != b],
                        columns=["origin", "destination"])


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# --- refused: links ---------------------------------------------------------------------------
TEST_MRIO_LINKS = (
    "links.csv: 30 links (reg1->reg2, reg1->reg3, reg1->reg4, reg1->reg5, reg1->reg6, ...): "
    "shipments between regions are choices that Leontief's system does not make; balance "
    "solves (I - A) x = y region by region with no shipping: remove links.csv or plan it with "
    "max-fulfilment or min-factor:NAME")


def test_balance_refuses_the_test_mrio_with_links(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """pymrio's test MRIO with regions as regions and every region linked to every other:
    balance used to answer it (1,521 % off pymrio's gross outputs); now validate and plan
    both refuse it, exit 2, naming links.csv and what plans it instead."""
    pymrio = pytest.importorskip("pymrio")
    mrio = pymrio.load_test()
    mrio.calc_all()
    tables = _tables_from_mrio(mrio)
    tables["links"] = _links(list(mrio.get_regions()))
    scenario = sovnarkhoz.Scenario.from_frames(name="test_mrio", **tables)
    with pytest.raises(ScenarioError) as caught:
        sovnarkhoz.make_plan(scenario, objective="balance")
    (issue,) = caught.value.issues
    assert (issue.file, issue.line) == ("links (DataFrame row)", None)  # from_frames' name
    assert f"links.csv: {issue.message}" == TEST_MRIO_LINKS

    directory = scenario.write(tmp_path / "test_mrio")
    for extra in (["validate"], ["plan", "--quiet", "--out", tmp_path / "out"]):
        code, out, err = _run(capsys, extra[0], directory, "--objective", "balance", *extra[1:])
        assert code == 2, (out, err)
        assert err.splitlines() == ["test_mrio: 1 problem found", f"  {TEST_MRIO_LINKS}"]
    assert not (tmp_path / "out").exists()  # no plan written
    # the objectives it names do take it
    code, out, err = _run(capsys, "validate", directory, "--objective", "min-factor:value_added")
    assert code == 0, err
    assert out.startswith(f"{directory}: valid for min-factor:value_added (8 products, "
                          "6 regions, 1 factors, 48 techniques, 30 links, 48 targets")


def test_balance_refuses_a_choice_of_techniques_in_any_region(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = tmp_path / "two"
    shutil.copytree(BUNDLED / "two_regions", directory)
    (directory / "links.csv").unlink()
    with (directory / "techniques.csv").open("a") as handle:
        handle.write("south_grain_2,south,grain\n")
    with (directory / "inputs.csv").open("a") as handle:
        handle.write("south_grain_2,labour,2\n")
    code, _, err = _run(capsys, "validate", directory, "--objective", "balance")
    assert code == 2
    assert err.splitlines() == [
        "two_regions: 1 problem found",
        "  techniques.csv:6: column 'product': value 'grain': the balance objective needs "
        "exactly one technique per product and region; this is a second one for this product "
        "here, and choosing between techniques is not Leontief's system: plan it with "
        "max-fulfilment or min-factor:NAME"]


# --- solved: each region's own system ---------------------------------------------------------
def test_balance_without_links_solves_each_region_alone_as_numpy_does() -> None:
    """Three regions, no links: each region's (I - A_r) x_r = y_r, solved densely by numpy
    from the tables, equals the plan's gross outputs; the embodied labour too."""
    rng = np.random.default_rng(7)
    regions, products = ["a", "b", "c"], ["p0", "p1", "p2", "p3"]
    techniques, inputs, targets = [], [], []
    A = {r: rng.uniform(0, 0.2, (4, 4)) * (rng.uniform(size=(4, 4)) < 0.7) for r in regions}
    labour = {r: rng.uniform(0.5, 2.0, 4) for r in regions}
    y = {r: rng.uniform(1, 10, 4) for r in regions}
    for r in regions:
        for j, p in enumerate(products):
            techniques.append((f"{r}_{p}", r, p))
            inputs += [(f"{r}_{p}", q, A[r][i, j]) for i, q in enumerate(products)
                       if A[r][i, j] > 0]
            inputs.append((f"{r}_{p}", "labour", labour[r][j]))
            targets.append((r, p, y[r][j]))
    scenario = sovnarkhoz.Scenario.from_frames(
        name="three", products=pd.DataFrame({"product": products}),
        regions=pd.DataFrame({"region": regions}), factors=pd.DataFrame({"factor": ["labour"]}),
        techniques=pd.DataFrame(techniques, columns=["technique", "region", "product"]),
        inputs=pd.DataFrame(inputs, columns=["technique", "input", "amount"]),
        supplies=pd.DataFrame({"region": regions, "factor": "labour", "amount": 1e6}),
        targets=pd.DataFrame(targets, columns=["region", "product", "amount"]))
    plan = sovnarkhoz.make_plan(scenario, objective="balance")
    assert plan.status == "optimal"
    assert plan.verification.passed and "balance surplus" in plan.verification.by_kind
    levels = plan.activities.set_index(["region", "product"])["level"]
    embodied = plan.prices.set_index(["region", "product"])["embodied_labour"]
    for r in regions:
        x = np.linalg.solve(np.eye(4) - A[r], y[r])
        v = np.linalg.solve((np.eye(4) - A[r]).T, labour[r])
        np.testing.assert_allclose(levels.loc[r].reindex(products), x, rtol=1e-12)
        np.testing.assert_allclose(embodied.loc[r].reindex(products), v, rtol=1e-12)
    assert plan.objective_value == pytest.approx(
        sum(np.linalg.solve(np.eye(4) - A[r], y[r]).sum() for r in regions), rel=1e-12)


def test_balance_of_the_test_mrio_without_links_is_each_region_alone() -> None:
    """Without links, the test MRIO's regions are each their own economy: the plan equals
    numpy's solve of each region's (I - A_r) x = y_r with A_r summed over the regions inputs
    come from, and is not pymrio's answer (which ships): 1,521 % off at the worst."""
    pymrio = pytest.importorskip("pymrio")
    mrio = pymrio.load_test()
    mrio.calc_all()
    scenario = sovnarkhoz.Scenario.from_frames(name="test_mrio", **_tables_from_mrio(mrio))
    plan = sovnarkhoz.make_plan(scenario, objective="balance")
    assert plan.status == "optimal", plan.message
    levels = plan.activities.set_index(["region", "product"])["level"]
    sectors = list(mrio.get_sectors())
    for region in mrio.get_regions():
        A_r = mrio.A.loc[:, region].groupby(level="sector").sum().loc[sectors, sectors]
        y_r = mrio.Y.loc[:, region].sum(axis=1).groupby(level="sector").sum().loc[sectors]
        x_r = np.linalg.solve(np.eye(len(sectors)) - A_r.to_numpy(), y_r.to_numpy())
        np.testing.assert_allclose(levels.loc[region].reindex(sectors), x_r, rtol=1e-9)
    theirs = mrio.x["indout"].reindex(levels.index).to_numpy()
    assert round(float(np.max(np.abs(levels.to_numpy() - theirs) / theirs)), 4) == 15.2128


def test_balance_equals_pymrio_on_the_test_mrio_as_one_region() -> None:
    """The test MRIO aggregated to one region: balance's gross outputs equal pymrio's calc_x
    (from the flows) and L y (from the Leontief inverse); its embodied value added equals
    pymrio's multipliers M = S L."""
    pymrio = pytest.importorskip("pymrio")
    world = pymrio.load_test().aggregate(region_agg=["world"] * 6, inplace=False)
    world.calc_all()
    scenario = sovnarkhoz.Scenario.from_frames(name="world", **_tables_from_mrio(world))
    plan = sovnarkhoz.make_plan(scenario, objective="balance")
    assert plan.status == "optimal", plan.message
    assert plan.verification.max_relative_violation <= 1e-9
    sectors = list(world.get_sectors())
    levels = plan.activities.set_index("product")["level"].reindex(sectors).to_numpy()
    by_flows = pymrio.calc_x(world.Z, world.Y)["indout"].to_numpy()
    by_inverse = (pymrio.calc_L(world.A) @ world.Y.sum(axis=1)).to_numpy()
    np.testing.assert_allclose(levels, by_flows, rtol=1e-9)
    np.testing.assert_allclose(levels, by_inverse, rtol=1e-9)
    assert round(float(levels.sum())) == round(float(by_flows.sum()))
    embodied = plan.prices.set_index("product")["embodied_value_added"].reindex(sectors)
    np.testing.assert_allclose(embodied, world.factor_inputs.M.loc["Value Added"], rtol=1e-9)


def test_balance_reproduces_the_test_mrio_with_origins_as_products() -> None:
    """The multi-region question as a balance: one region whose products are the MRIO's
    (region, sector) pairs, so that where an input comes from is part of what it is. Then
    the 48 gross outputs are pymrio's."""
    pymrio = pytest.importorskip("pymrio")
    mrio = pymrio.load_test()
    mrio.calc_all()
    tables = _tables_from_mrio(mrio, origins_as_products=True)
    plan = sovnarkhoz.make_plan(sovnarkhoz.Scenario.from_frames(name="mrio", **tables),
                                objective="balance")
    assert plan.status == "optimal", plan.message
    levels = plan.activities.set_index("product")["level"]
    theirs = pd.Series(mrio.x["indout"].to_numpy(),
                       index=[f"{r}/{s}" for r, s in mrio.x.index])
    np.testing.assert_allclose(levels.reindex(theirs.index), theirs, rtol=1e-9)


# --- capacities, and the equality it is verified to -------------------------------------------
def test_balance_above_a_capacity_is_infeasible(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    directory = tmp_path / "mb"
    shutil.copytree(BUNDLED / "miller_blair", directory)
    (directory / "techniques.csv").write_text(
        "technique,region,product,capacity\nmake_sector1,economy,sector1,1000\n"
        "make_sector2,economy,sector2,\n")
    code, out, _ = _run(capsys, "plan", directory, "--out", tmp_path / "out", "--quiet")
    assert code == 1
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "infeasible"
    assert summary["message"] == (
        "the gross outputs exceed technique capacities: make_sector1 in economy must make "
        "1247.52 sector1, capacity 1000 (1 technique(s) over); Leontief's system has one "
        "answer, so no plan meets every target in full (max-fulfilment says how much of them "
        "can be met)")
    assert "INFEASIBLE" in out
    # max-fulfilment honours the capacity: sector1 at 1000 of the 1247.52 needed
    plan = sovnarkhoz.make_plan(sovnarkhoz.load_scenario(directory), objective="max-fulfilment")
    assert plan.status == "optimal"
    assert plan.fulfilment == pytest.approx(1000 / 1247.5227, rel=1e-5)


def test_verification_of_a_balance_requires_equality() -> None:
    """A plan making more than (I - A) x = y asks (a surplus) meets every ``>=`` balance but
    is not Leontief's answer: verify(exact=True) finds it."""
    scenario = sovnarkhoz.load_scenario(BUNDLED / "miller_blair")
    plan = sovnarkhoz.make_plan(scenario)
    activities = plan.activities.set_index("product")
    more = np.linalg.solve(np.eye(2) - [[0.15, 0.25], [0.20, 0.05]], [0.0, 10.0])
    activities["level"] += more  # 10 more of sector2 than the targets take
    activities = activities.reset_index()
    loose = verify(scenario.tables, activities, plan.deliveries, fulfilment=1.0)
    exact = verify(scenario.tables, activities, plan.deliveries, fulfilment=1.0, exact=True)
    assert loose.passed and loose.max_violation == 0.0
    assert not exact.passed
    assert exact.worst == "balance surplus economy/sector2 (by 10)"
    assert exact.by_kind["balance surplus"] == pytest.approx(10.0)
