"""`sovnarkhoz import 5yearplan`: reading Cockshott's four tables, and the same optimum as the
linear program his ``nyearplan`` generates (rebuilt independently in nyearplan_reference.py).
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import sovnarkhoz.formulation.years  # noqa: F401  the multi-year planner: fails, never skips
from sovnarkhoz.cli import main
from sovnarkhoz.scenario.errors import ScenarioError
from sovnarkhoz.scenario.fiveyear import fiveyear_tables, read_fiveyear

sys.path.insert(0, str(Path(__file__).parent))
from nyearplan_reference import read_nyear, solve_nyear  # noqa: E402

EXAMPLE = Path(__file__).parent / "data" / "5yearplan"
EXAMPLE_FILES = [EXAMPLE / f for f in ("flows.csv", "cap.csv", "dep.csv", "labtarg.csv")]


def _write(directory: Path, flows: str, cap: str, dep: str, targets: str) -> list[Path]:
    paths = [directory / f for f in ("flows.csv", "cap.csv", "dep.csv", "targ.csv")]
    for path, text in zip(paths, (flows, cap, dep, targets), strict=True):
        path.write_text(text)
    return paths


def _one_industry(directory: Path, depreciation: float) -> list[Path]:
    """Corn from corn and labour: per 10 of output 0.5 corn, 1 labour, 2 corn installed."""
    return _write(directory,
                  "headings,corn\ncorn,0.5\nlabour,1\noutput,10\n",
                  "headings,corn\ncorn,2\n",
                  f"headings,corn\ncorn,{depreciation}\n",
                  "headings,corn,labour\nyear1,4,1\nyear2,4,1\n")


# --- the reference LP, checked by hand -------------------------------------------------------

def test_reference_lp_one_industry_two_years_by_hand(tmp_path):
    """Per unit of corn: 0.05 corn, 0.1 labour, 0.2 corn installed; stock 2; labour 1 a year.

    Year 1: labour and stock both allow 10 units; 9.5 net, of which a is set aside as stock.
    Year 2 (depreciation 1/2): stock 1 + a allows 5 (1 + a) units, labour 10, so a = 1 buys
    the full 10 and costs 1/4 of year 1's fulfilment while adding 0.95 * 5 / 4 to year 2's:
    worth it. Fulfilment (9.5 - 1) / 4 + 9.5 / 4 = 4.5. Without depreciation the stock of 2
    already allows 10 units in year 2, nothing is set aside: 9.5 / 4 * 2 = 4.75.
    """
    worn = solve_nyear(read_nyear(*_one_industry(tmp_path, 0.5)))
    assert worn.status == "optimal"
    assert worn.objective == pytest.approx(4.5, abs=1e-9)
    assert worn.fulfilment == pytest.approx([2.125, 2.375], abs=1e-9)
    assert worn.output[:, 0] == pytest.approx([10, 10], abs=1e-9)
    lasting = solve_nyear(read_nyear(*_one_industry(tmp_path, 0.0)))
    assert lasting.objective == pytest.approx(4.75, abs=1e-9)


def test_reference_lp_labour_bound_by_hand(tmp_path):
    """Two industries, one year, no capital: bread = 1 corn + 1 labour, corn = 1 labour.

    Targets 1 corn and 1 bread, labour 6: fulfilment f needs f bread (f labour, f corn) and
    f corn more, so 2f corn (2f labour): 3f labour = 6, f = 2.
    """
    paths = _write(tmp_path,
                   "headings,corn,bread\ncorn,0,1\nbread,0,0\nlabour,1,1\noutput,1,1\n",
                   "headings,corn,bread\ncorn,0,0\nbread,0,0\n",
                   "headings,corn,bread\ncorn,0,0\nbread,0,0\n",
                   "headings,corn,bread,labour\nyear1,1,1,6\n")
    solution = solve_nyear(read_nyear(*paths))
    assert solution.objective == pytest.approx(2.0, abs=1e-9)


# --- reading and translating the files -------------------------------------------------------

def test_example_economy_is_read_with_its_quirks():
    tables = read_fiveyear(*EXAMPLE_FILES)
    assert tables.products == ["iron", "coal", "corn", "bread"]
    assert tables.years == 5
    assert tables.output == pytest.approx([10, 6, 10, 1])
    assert tables.labour_supply == pytest.approx([3.0, 3.01, 3.02, 3.03, 3.07])
    assert tables.capital[0] == pytest.approx([10, 7, 1.4, 1])


def test_example_economy_translates_per_unit_of_output():
    frames, settings = fiveyear_tables(read_fiveyear(*EXAMPLE_FILES))
    assert settings == {"horizon": {"first": 1, "last": 5, "lag": 1},
                        "plan": {"objective": "max-total-fulfilment"}}
    inputs = frames["inputs"].set_index(["technique", "input"])["amount"]
    # iron: 0.1 iron, 2 coal and 0.3 labour for 10 iron
    assert inputs[("make_iron", "iron")] == pytest.approx(0.01)
    assert inputs[("make_iron", "coal")] == pytest.approx(0.2)
    assert inputs[("make_iron", "labour")] == pytest.approx(0.03)
    assert inputs[("make_bread", "corn")] == pytest.approx(1.0)
    assert len(inputs) == 7 + 4  # nonzero flows + labour of each industry
    capital = frames["capital"].set_index(["technique", "good"])
    assert capital.loc[("make_coal", "iron"), "amount"] == pytest.approx(7 / 6)
    assert capital.loc[("make_coal", "iron"), "stock"] == pytest.approx(7)
    assert capital.loc[("make_corn", "corn"), "depreciation"] == pytest.approx(0.5)
    assert len(capital) == 9
    targets = frames["targets"]
    assert len(targets) == 15 and "corn" not in set(targets["product"])
    assert targets["year"].tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]
    assert frames["supplies"]["amount"].tolist() == pytest.approx([3, 3.01, 3.02, 3.03, 3.07])


def _compact_optimum(frames: dict[str, pd.DataFrame], settings: dict) -> float:
    """The multi-year LP of DESIGN.md on the imported tables, built here from the tables alone:
    activity x[y, t], installed stock K[y, c] of each capital row c, new stock v[y, c], λ_y.

    K[1] = stock; K[y] = (1 - d) K[y-1] + v[y-1]; amount·x ≤ K; output − inputs − Σ v of the
    good ≥ λ_y · target; labour ≤ supply_y; maximise Σ λ_y.
    """
    years = settings["horizon"]["last"]
    tech = frames["techniques"]
    t_of = {t: k for k, t in enumerate(tech["technique"])}
    products = list(frames["products"]["product"])
    T, C = len(tech), len(frames["capital"])
    nx, nk = years * T, years * C
    cols = nx + 2 * nk + years
    X = lambda y, t: y * T + t  # noqa: E731
    K = lambda y, c: nx + y * C + c  # noqa: E731
    V = lambda y, c: nx + nk + y * C + c  # noqa: E731
    L = lambda y: nx + 2 * nk + y  # noqa: E731
    entries, lo, hi = [], [], []

    def row(terms, low, high):
        r = len(lo)
        entries.extend((r, c, v) for c, v in terms)
        lo.append(low)
        hi.append(high)

    cap = frames["capital"]
    targets, supplies = frames["targets"], frames["supplies"]
    inputs = frames["inputs"]
    for y in range(years):
        for p in products:
            terms = [(X(y, t_of[t]), 1.0) for t in tech.loc[tech["product"] == p, "technique"]]
            use = inputs[inputs["input"] == p]
            terms += [(X(y, t_of[t]), -a) for t, a in zip(use["technique"], use["amount"],
                                                          strict=True)]
            terms += [(V(y, c), -1.0) for c in np.flatnonzero(cap["good"].to_numpy() == p)]
            want = targets[(targets["product"] == p) & (targets["year"] == y + 1)]["amount"]
            if len(want):
                terms.append((L(y), -float(want.iloc[0])))
            row(terms, 0.0, np.inf)
        use = inputs[inputs["input"] == "labour"]
        row([(X(y, t_of[t]), a) for t, a in zip(use["technique"], use["amount"], strict=True)],
            -np.inf, float(supplies.loc[supplies["year"] == y + 1, "amount"].iloc[0]))
        for c, (t, a, s, d) in enumerate(zip(cap["technique"], cap["amount"], cap["stock"],
                                             cap["depreciation"], strict=True)):
            row([(X(y, t_of[t]), a), (K(y, c), -1.0)], -np.inf, 0.0)
            if y == 0:
                row([(K(0, c), 1.0)], s, s)
            else:
                row([(K(y, c), 1.0), (K(y - 1, c), -(1 - d)), (V(y - 1, c), -1.0)], 0.0, 0.0)
    r, c, v = zip(*entries, strict=True)
    matrix = sp.csc_matrix((v, (r, c)), shape=(len(lo), cols))
    upper = np.full(cols, np.inf)
    if "capacity" in tech:
        caps = tech["capacity"].to_numpy(float)
        for y in range(years):
            upper[y * T:(y + 1) * T] = np.where(np.isnan(caps), np.inf, caps)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    cost = np.zeros(cols)
    cost[nx + 2 * nk:] = -1.0
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cols, len(lo)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, np.zeros(cols), upper
    lp.row_lower_, lp.row_upper_ = np.array(lo), np.array(hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = cols, len(lo)
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return -h.getInfo().objective_function_value


def random_files(directory: Path, seed: int) -> list[Path]:
    """A random economy in 5yearplan's layout, with blank lines and stray spaces."""
    rng = np.random.default_rng(seed)
    n, years = int(rng.integers(2, 6)), int(rng.integers(1, 6))
    names = [f"good{k}" for k in range(n)]
    output = rng.uniform(1, 20, n)
    flows = rng.uniform(0, 0.5, (n, n)) * (rng.random((n, n)) < 0.5) * output / n
    capital = rng.uniform(0, 3, (n, n)) * (rng.random((n, n)) < 0.6) * output
    depreciation = np.round(rng.uniform(0, 0.6, (n, n)), 3)
    labour = rng.uniform(0.1, 2, n) * output / n
    targets = rng.uniform(0, 2, (years, n)) * (rng.random((years, n)) < 0.7)
    targets[:, 0] += 0.5  # every year has a positive target
    supply = labour.sum() * rng.uniform(0.2, 1.5, years)

    def text(rows: list[tuple[str, np.ndarray]], header: list[str]) -> str:
        lines = [" headings , " + ",".join(header)]
        for label, values in rows:
            lines.append(f"{label} ," + ", ".join(f"{v:.6g}" for v in values) + " ")
            if rng.random() < 0.3:
                lines.append("")
        return "\n".join(lines) + "\n\n"

    flow_rows = [(name, flows[i]) for i, name in enumerate(names)]
    flow_rows += [("labour", labour), ("output", output)]
    order = rng.permutation(len(flow_rows))
    return _write(
        directory,
        text([flow_rows[k] for k in order], names),
        text([(name, capital[i]) for i, name in enumerate(names)], names),
        text([(name, depreciation[i]) for i, name in enumerate(names)], names),
        text([(f"year{y + 1}", np.append(targets[y], supply[y])) for y in range(years)],
             names + ["labour"]),
    )


@pytest.mark.parametrize("seed", range(8))
def test_imported_tables_give_nyearplans_optimum(tmp_path, seed):
    """The tables written by the import, read as DESIGN.md says, define the same LP optimum as
    nyearplan's own formulation (random economies in the original layout)."""
    paths = random_files(tmp_path, seed) if seed else EXAMPLE_FILES
    reference = solve_nyear(read_nyear(*paths))
    assert reference.status == "optimal"
    frames, settings = fiveyear_tables(read_fiveyear(*paths))
    assert _compact_optimum(frames, settings) == pytest.approx(reference.objective, rel=1e-7)


def test_example_optimum():
    """The example economy's optimum under nyearplan's formulation (HiGHS, to 1e-7)."""
    assert solve_nyear(read_nyear(*EXAMPLE_FILES)).objective == pytest.approx(8.7972991, rel=1e-6)


# --- the command -------------------------------------------------------------------------------

def test_cli_import_writes_a_scenario(tmp_path, capsys):
    out = tmp_path / "example"
    code = main(["import", "5yearplan", *map(str, EXAMPLE_FILES), "--out", str(out)])
    assert code == 0
    for table in ("products", "regions", "factors", "techniques", "inputs", "capital",
                  "supplies", "targets"):
        assert (out / f"{table}.csv").exists()
    settings = tomllib.loads((out / "scenario.toml").read_text())
    assert settings["horizon"] == {"first": 1, "last": 5, "lag": 1}
    assert settings["plan"]["objective"] == "max-total-fulfilment"
    assert "4 industries, 5 years" in capsys.readouterr().out


@pytest.mark.parametrize(("file", "edit", "expected"), [
    ("flows.csv", lambda t: t.replace("0.04", "O.04"),
     "flows.csv:3: column 'corn': value 'O.04': is not a number"),
    ("cap.csv", lambda t: t.replace("headings,iron,coal", "headings,coal,iron"),
     "cap.csv:1: column '2': value 'coal': header disagrees with the flow table"),
    ("flows.csv", lambda t: t.replace("labour,", "labor,"),
     "flows.csv:6: column 'headings': value 'labor': row label is neither"),
    ("flows.csv", lambda t: t.replace("output,10,6,10,1\n", ""),
     "flows.csv: column 'headings': value 'output': has no row 'output'"),
    ("dep.csv", lambda t: t.replace("headings", "sectors"),
     "dep.csv:1: column '1': value 'sectors': the first header cell must be 'headings'"),
    ("labtarg.csv", lambda t: "".join(line.rsplit(",", 1)[0] + "\n"
                                      for line in t.splitlines()),
     "labtarg.csv:1: value 'iron,coal,corn,bread': header has 4 columns after 'headings' "
     "where 5 are expected"),
    ("dep.csv", lambda t: t.replace("0.5,0.5,0.5,0.5", "0.5,1.5,0.5,0.5"),
     "dep.csv:3: column 'coal': value '1.5': a depreciation rate must lie between 0 and 1"),
    ("labtarg.csv", lambda t: t.replace("year2,0.1,3,0.00,2.010000", "year2,0,0,0.00,0"),
     "labtarg.csv:3: column 'headings': value 'year2': a year needs at least one positive"),
    ("cap.csv", lambda t: t.replace("corn,0,0,1,0\n", "corn,0,0,1\n"),
     "cap.csv:4: value 'corn,0,0,1': has 4 fields where the header names 5"),
])
def test_cli_import_bad_files(tmp_path, capsys, file, edit, expected):
    paths = []
    for source in EXAMPLE_FILES:
        target = tmp_path / source.name
        text = source.read_text()
        target.write_text(edit(text) if source.name == file else text)
        paths.append(target)
    code = main(["import", "5yearplan", *map(str, paths), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert expected in err.replace(str(tmp_path) + "/", "")
    assert not (tmp_path / "out").exists()


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ScenarioError, match="does not exist"):
        read_fiveyear(tmp_path / "nope.csv", *EXAMPLE_FILES[1:])


# --- against the engine (the multi-year planner, merged from branch `horizon`) ------------

@pytest.mark.parametrize("seed", range(12))
def test_plan_reaches_nyearplans_optimum(tmp_path, seed):
    paths = random_files(tmp_path, seed) if seed else EXAMPLE_FILES
    reference = solve_nyear(read_nyear(*paths))
    scenario, out = tmp_path / "scenario", tmp_path / "plan"
    assert main(["import", "5yearplan", *map(str, paths), "--out", str(scenario)]) == 0
    assert main(["plan", str(scenario), "--solver", "highs", "--quiet", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == "max-total-fulfilment"
    assert summary["objective_value"] == pytest.approx(reference.objective, rel=1e-6)
    assert summary["max_violation"] < 1e-6


def _odd_industries(directory: Path) -> list[Path]:
    """An industry needing no labour (tools) and one with output 0 (idle: nyearplan forces
    its output to 0, the import gives it capacity 0)."""
    return _write(directory,
                  "headings,corn,tools,idle\ncorn,1,2,1\ntools,0.5,0,0\nidle,0,0,0\n"
                  "labour,4,0,1\noutput,10,5,0\n",
                  "headings,corn,tools,idle\ncorn,0,3,0\ntools,2,0,0\nidle,0,0,0\n",
                  "headings,corn,tools,idle\ncorn,0,0.1,0\ntools,0.2,0,0\nidle,0,0,0\n",
                  "headings,corn,tools,idle,labour\nyear1,2,0,1,3\nyear2,3,0.5,0,3.5\n"
                  "year3,3,0.5,0,4\n")


def test_odd_industries_give_nyearplans_optimum(tmp_path):
    paths = _odd_industries(tmp_path)
    reference = solve_nyear(read_nyear(*paths))
    assert reference.status == "optimal"
    # year 1 asks for 'idle', which cannot be made: its fulfilment is 0
    assert reference.fulfilment[0] == pytest.approx(0.0, abs=1e-9)
    frames, settings = fiveyear_tables(read_fiveyear(*paths))
    assert frames["techniques"].set_index("technique")["capacity"].to_dict() == {
        "make_corn": pytest.approx(np.nan, nan_ok=True),
        "make_tools": pytest.approx(np.nan, nan_ok=True), "make_idle": 0.0}
    assert "make_tools" not in set(frames["inputs"].query("input == 'labour'")["technique"])
    assert _compact_optimum(frames, settings) == pytest.approx(reference.objective, rel=1e-7)
    scenario, out = tmp_path / "scenario", tmp_path / "plan"
    assert main(["import", "5yearplan", *map(str, paths), "--out", str(scenario)]) == 0
    assert main(["plan", str(scenario), "--solver", "highs", "--quiet", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective_value"] == pytest.approx(reference.objective, rel=1e-6)


def test_free_industry_is_rejected(tmp_path):
    paths = _write(tmp_path, "headings,corn,air\ncorn,1,0\nair,0,0\nlabour,1,0\noutput,10,0\n",
                   "headings,corn,air\ncorn,0,0\nair,0,0\n",
                   "headings,corn,air\ncorn,0,0\nair,0,0\n",
                   "headings,corn,air,labour\nyear1,1,1,5\n")
    with pytest.raises(ScenarioError, match="flows.csv:5: column 'air': value '0': output 0 "
                       "with no inputs"):
        read_fiveyear(*paths)


def test_import_replaces_an_earlier_scenario(tmp_path):
    out = tmp_path / "s"  # an earlier import, with tables it no longer has (ours: replaced)
    assert main(["import", "5yearplan", *map(str, EXAMPLE_FILES), "--out", str(out)]) == 0
    (out / "links.csv").write_text("origin,destination\neconomy,elsewhere\n")
    (out / "targets.parquet").write_bytes(b"stale")
    assert main(["import", "5yearplan", *map(str, EXAMPLE_FILES), "--out", str(out)]) == 0
    assert not (out / "links.csv").exists() and not (out / "targets.parquet").exists()
    assert (out / "targets.csv").exists()
