"""``sovnarkhoz import bea`` and ``sovnarkhoz import flows``: national tables in, balanced.

- the BEA's 2021 71-industry use table (tests/data/bea, from quantecon-book-networks, MIT):
  balance returns the table's total industry output; the table's own totals agree with its
  cells to their rounding;
- a hand-made coded BEA table (xlsx, codes and names, V rows, ``---``) with imports, solved
  by hand;
- a flow table (CSV), its balance and embodied labour checked against numpy, and a broken
  one for each located error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sovnarkhoz.cli.main import main

DATA = Path(__file__).parent / "data"
BEA_USE = DATA / "bea" / "use_71_2021.csv"


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _levels(folder: Path) -> pd.Series:
    return pd.read_csv(folder / "activities.csv", dtype={"technique": str}).set_index(
        "technique")["level"]


# --- the BEA ---------------------------------------------------------------------------------
def test_the_bea_2021_use_table_balances_to_its_total_output(tmp_path: Path, capsys) -> None:
    code, out, err = _run(capsys, "import", "bea", BEA_USE, "--out", tmp_path / "bea",
                          "--year", 2021)
    assert code == 0, err
    assert out.splitlines()[0] == (f"wrote {tmp_path / 'bea'}: 1 region, 71 products, "
                                   "71 techniques, 3488 inputs, 2 factors, 71 targets")
    code, out, err = _run(capsys, "plan", tmp_path / "bea", "--objective", "balance",
                          "--quiet", "--out", tmp_path / "plan")
    assert code == 0, err
    table = pd.read_csv(BEA_USE, index_col=0, na_values=["---"]).fillna(0.0)
    total = table.loc["Total industry output (basic prices)"].iloc[:71]
    levels = _levels(tmp_path / "plan")
    np.testing.assert_allclose(levels.reindex(total.index), total, rtol=1e-9)
    assert levels["111CA"] == pytest.approx(484432, rel=1e-12)  # Farms
    assert levels["GSLG"] == pytest.approx(2679952, rel=1e-12)  # state and local government
    # the table's own totals: inputs + value added = total output, to the rounding of its
    # cells (whole millions: at most 5 over some 80 cells)
    inputs = table.iloc[:73, :71].sum(axis=0)
    added = table.loc["Value Added (basic prices)"].iloc[:71]
    assert float((inputs + added - total).abs().max()) <= 5.0
    products = pd.read_csv(tmp_path / "bea" / "products.csv")
    assert products.iloc[0].tolist() == ["111CA", "Farms", "millions of dollars"]
    factors = pd.read_csv(tmp_path / "bea" / "factors.csv")
    assert list(factors["factor"]) == ["value_added", "imports"]
    supply = pd.read_csv(tmp_path / "bea" / "supplies.csv").set_index("factor")["amount"]
    components = (table.loc["Compensation of employees"] + table.loc["Other taxes on production"]
                  - table.loc["Less: Other subsidies on production"]
                  + table.loc["Gross operating surplus"]).iloc[:71]
    assert supply["value_added"] == pytest.approx(components.sum(), rel=1e-12)
    assert float((components - added).abs().max()) <= 2.0  # the total row, to its rounding
    assert "year = 2021" in (tmp_path / "bea" / "scenario.toml").read_text().splitlines()


def _coded_bea(imports: bool) -> list[list[object]]:
    """A BEA-layout table: Code and description columns, a row of names under the codes,
    V rows, T018; industry B's output 60 against a recorded use of 80 when ``imports``."""
    out_b, va_b = (60, (20, "---", 15)) if imports else (80, (30, "---", 25))
    return [
        ["The use of commodities by industries", "", "", "", "", "", "", ""],
        ["Code", "Commodity Description", "A", "B", "T001", "F010", "F040", "T019"],
        ["", "", "Apples", "Bread", "Total Intermediate", "PCE", "Exports", "Total use"],
        ["A", "Apples", 10, 20, 30, 60, 10, 100],
        ["B", "Bread", 30, 5, 35, 45, "---", 80],
        ["T005", "Total Intermediate", 40, 25, 65, "", "", ""],
        ["V001", "Compensation of employees", 40, va_b[0], "", "", "", ""],
        ["V002", "Taxes on production and imports, less subsidies", "---", va_b[1], "", "",
         "", ""],
        ["V003", "Gross operating surplus", 20, va_b[2], "", "", "", ""],
        ["T006", "Total Value Added", 60, 35 if imports else 55, "", "", "", ""],
        ["T018", "Total industry output", 100, out_b, "", "", "", ""],
    ]


def test_a_coded_bea_table_with_imports_solved_by_hand(tmp_path: Path, capsys) -> None:
    """Bread's use is 80 but its industry makes 60: s = 0.75 of each use is domestic. Per
    unit of A: 0.75·30/100 = 0.225 bread and 0.25·30/100 = 0.075 imports; bread's target
    0.75·45 = 33.75; imports used 0.25·(30 + 5) = 8.75; balance returns (100, 60)."""
    path = tmp_path / "use.xlsx"
    pd.DataFrame(_coded_bea(imports=True)).to_excel(path, sheet_name="2021", header=False,
                                                    index=False)
    code, _, err = _run(capsys, "import", "bea", path, "--sheet", "2021", "--out",
                        tmp_path / "scenario")
    assert code == 0, err
    scenario = tmp_path / "scenario"
    inputs = pd.read_csv(scenario / "inputs.csv").set_index(["technique", "input"])["amount"]
    assert inputs["A", "B"] == pytest.approx(0.225)
    assert inputs["A", "imports"] == pytest.approx(0.075)
    assert inputs["A", "A"] == pytest.approx(0.1)
    assert inputs["B", "value_added"] == pytest.approx(35 / 60)
    targets = pd.read_csv(scenario / "targets.csv").set_index("product")["amount"]
    assert targets.to_dict() == pytest.approx({"A": 70.0, "B": 33.75})
    supplies = pd.read_csv(scenario / "supplies.csv").set_index("factor")["amount"]
    assert supplies["imports"] == pytest.approx(8.75)
    assert pd.read_csv(scenario / "products.csv")["name"].tolist() == ["Apples", "Bread"]
    code, _, err = _run(capsys, "plan", scenario, "--objective", "balance", "--quiet",
                        "--out", tmp_path / "plan")
    assert code == 0, err
    np.testing.assert_allclose(_levels(tmp_path / "plan")[["A", "B"]], [100, 60], rtol=1e-12)


def test_bea_errors_are_located(tmp_path: Path, capsys) -> None:
    rows = _coded_bea(imports=False)
    rows[4][3] = "five"
    path = tmp_path / "use.csv"
    pd.DataFrame(rows).to_csv(path, header=False, index=False)
    code, _, err = _run(capsys, "import", "bea", path, "--out", tmp_path / "out")
    assert code == 2
    assert err.splitlines() == [
        "import bea: 1 problem found",
        f"  {path}:5: column 'B': value 'five': is not a number (suppressed cells may be ---, "
        "... or blank)"]
    rows = _coded_bea(imports=False)
    rows[1][4] = "TOTAL"
    pd.DataFrame(rows).to_csv(path, header=False, index=False)
    code, _, err = _run(capsys, "import", "bea", path, "--out", tmp_path / "out")
    assert code == 2
    assert err.splitlines()[1] == (
        f"  {path}: no header row with T001 (total intermediate): expected the BEA's use "
        "table, industries' codes across the header, then T001 and the final-use columns F...")
    code, _, err = _run(capsys, "import", "bea", BEA_USE, "--model", "commodity", "--out",
                        tmp_path / "out")
    assert code == 2
    assert err.splitlines() == ["sovnarkhoz import: --model commodity needs the make table: "
                                "import bea USE MAKE"]
    assert not (tmp_path / "out").exists()


MAKE = """\
Code,Industry Description,A,B,T007
,,Apples,Bread,Total Industry Output
A,Apples,90,10,100
B,Bread,---,60,60
T007,Total Commodity Output,90,70,160
"""
MAKE_USE = [
    ["Code", "Commodity Description", "A", "B", "T001", "F010", "T019"],
    ["A", "Apples", 10, 20, 30, 60, 90],
    ["B", "Bread", 30, 5, 35, 35, 70],
    ["T005", "Total Intermediate", 40, 25, 65, "", ""],
    ["V001", "Compensation of employees", 60, 35, "", "", ""],
    ["T018", "Total industry output", 100, 60, "", "", ""],
]


@pytest.mark.parametrize(("model", "x", "targets", "value_added"), [
    # D = V / q = [[1, 1/7], [0, 6/7]]; y = D e = (60 + 35/7, 35·6/7)
    ("industry", {"A": 100.0, "B": 60.0}, {"A": 65.0, "B": 30.0}, {"A": 0.6, "B": 35 / 60}),
    # commodity outputs q = (90, 70); value added per unit of commodity: (va / g) D
    ("commodity", {"A": 90.0, "B": 70.0}, {"A": 60.0, "B": 35.0},
     {"A": 0.6, "B": 0.6 / 7 + 35 / 60 * 6 / 7}),
])
def test_use_and_make_under_the_industry_technology_assumption(
        tmp_path: Path, capsys, model, x, targets, value_added) -> None:
    """Industry A makes 90 apples and 10 bread, B 60 bread; solved by hand: balance returns
    the industries' outputs g (industry model) or the commodities' q (commodity model)."""
    use, make = tmp_path / "use.csv", tmp_path / "make.csv"
    pd.DataFrame(MAKE_USE).to_csv(use, header=False, index=False)
    make.write_text(MAKE)
    code, _, err = _run(capsys, "import", "bea", use, make, "--model", model, "--out",
                        tmp_path / "scenario")
    assert code == 0, err
    scenario = tmp_path / "scenario"
    wanted = pd.read_csv(scenario / "targets.csv").set_index("product")["amount"]
    assert wanted.to_dict() == pytest.approx(targets)
    inputs = pd.read_csv(scenario / "inputs.csv").set_index(["technique", "input"])["amount"]
    assert {k: inputs[k, "value_added"] for k in "AB"} == pytest.approx(value_added)
    code, _, err = _run(capsys, "plan", scenario, "--objective", "balance", "--quiet",
                        "--out", tmp_path / "plan")
    assert code == 0, err
    assert _levels(tmp_path / "plan")[["A", "B"]].to_dict() == pytest.approx(x, rel=1e-12)


# --- any flow table ------------------------------------------------------------------------
FLOWS = """\
,agri,manu,serv,households,exports,Total
agri,10,20,5,50,15,100
manu,15,40,25,100,20,200
serv,5,30,20,40,5,100
wages,50,70,40,,,
profits,20,40,10,,,
Total,100,200,100,,,
"""
ARGS = ("--value-added", "wages,profits", "--final-demand", "households,exports")


def test_a_flow_table_balances_and_its_labour_values_are_numpys(tmp_path: Path,
                                                                capsys) -> None:
    table = tmp_path / "flows.csv"
    table.write_text(FLOWS)
    code, out, err = _run(capsys, "import", "flows", table, *ARGS, "--factors",
                          "wages=labour", "--unit", "million kr", "--out", tmp_path / "io")
    assert code == 0, err
    assert out.splitlines() == [f"wrote {tmp_path / 'io'}: 1 region, 3 products, "
                                "3 techniques, 15 inputs, 2 factors, 3 targets"]
    factors = pd.read_csv(tmp_path / "io" / "factors.csv")
    assert factors.to_dict("records") == [
        {"factor": "value_added", "name": "profits", "unit": "million kr"},
        {"factor": "labour", "name": "wages", "unit": "million kr"}]
    code, _, err = _run(capsys, "plan", tmp_path / "io", "--objective", "balance", "--quiet",
                        "--out", tmp_path / "plan")
    assert code == 0, err
    x = np.array([100.0, 200.0, 100.0])
    np.testing.assert_allclose(_levels(tmp_path / "plan")[["agri", "manu", "serv"]], x,
                               rtol=1e-12)
    Z = np.array([[10, 20, 5], [15, 40, 25], [5, 30, 20]], dtype=float)
    A = Z / x
    labour = np.array([50, 70, 40]) / x
    values = np.linalg.solve((np.eye(3) - A).T, labour)
    prices = pd.read_csv(tmp_path / "plan" / "prices.csv").set_index("product")
    np.testing.assert_allclose(prices.loc[["agri", "manu", "serv"], "embodied_labour"],
                               values, rtol=1e-12)


@pytest.mark.parametrize(("change", "extra", "message"), [
    (lambda t: t.replace("serv,5,30,20,40,5,100\n", ""), ARGS,
     "flows.csv:1: column 'serv': value 'serv': industry column with no row of the same "
     "name: the inter-industry table must be square (3 industry columns)"),
    (lambda t: t.replace("wages,", "labour,"), ARGS,
     "flows.csv: column '': value 'wages': unknown value-added row: no row has this name"),
    (lambda t: t.replace("profits,20,40,10,,,\n", "profits,20,40,10,,,\nsubsidy,1,1,1,,,\n"),
     ARGS, "flows.csv:7: column '': value 'subsidy': unknown row: neither an industry (a "
     "column before the final demand), a --value-added row nor a total"),
    (lambda t: t.replace("manu,15,40,25", "manu,15,-40,25"), ARGS,
     "flows.csv:3: column 'manu': value '-40': negative flow: an industry's use of "
     "another's output is zero or more"),
    (lambda t: t, ("--value-added", "wages,profits", "--final-demand", "households,exports,gov"),
     "flows.csv:1: value 'gov': unknown final-demand column: no column has this name"),
    (lambda t: t.replace("agri,10,20", "agri,10,twenty"), ARGS,
     "flows.csv:2: column 'manu': value 'twenty': is not a number (suppressed cells may be "
     "---, ... or blank)"),
    (lambda t: t.replace(",Total\n", ",stock\n", 1), ARGS,
     "flows.csv:1: column 'stock': value 'stock': unknown column after the final-demand "
     "columns: neither final demand nor a total"),
])
def test_broken_flow_tables_are_located(tmp_path: Path, capsys, change, extra,
                                        message) -> None:
    table = tmp_path / "flows.csv"
    table.write_text(change(FLOWS))
    code, _, err = _run(capsys, "import", "flows", table, *extra, "--out", tmp_path / "out")
    assert code == 2, err
    assert err.splitlines() == ["import flows: 1 problem found", f"  {tmp_path}/{message}"]
    assert not (tmp_path / "out").exists()
