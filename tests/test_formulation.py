"""The planning LP against a naive reference built with plain loops from the scenario tables.

``reference_lp`` restates the formulation of ``sovnarkhoz/formulation/build.py`` row by row
and entry by entry, reading only ``scenario.tables`` (never the Economy arrays); the vectorised
LP must match it to rounding, with rows and columns matched by name. The HiGHS backend is then
checked on hand-made LPs for the dual sign convention of ``solvers/result.py``.
"""

from __future__ import annotations

import ast
import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import sovnarkhoz
from conftest import generated
from sovnarkhoz import solvers
from sovnarkhoz.formulation import Objective, build_lp
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from sovnarkhoz.solvers import LPData, SolverOptions, Status
from sovnarkhoz.solvers.highs import HighsSolver

INF = math.inf


# --- the reference formulation ---------------------------------------------------------------
@dataclass
class Reference:
    rows: list[str]
    cols: list[str]
    A: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    c: np.ndarray


def _number(value: object, default: float) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    return float(value)


def reference_lp(scenario: sovnarkhoz.Scenario, objective: str) -> Reference:
    """The LP written out from the tables with dicts and loops (see build.py's docstring)."""
    t = scenario.tables
    max_fulfilment = objective == "max-fulfilment"
    products = list(t["products"]["product"])
    product_set = set(products)
    tradable = dict(zip(products, t["products"]["tradable"], strict=True))
    factor_set = set(t["factors"]["factor"])
    techniques = []
    for row in t["techniques"].to_dict("records"):
        techniques.append((row["technique"], row["region"], row["product"],
                           _number(row.get("capacity"), INF)))
    region_of = {tech: region for tech, region, _, _ in techniques}
    inputs = [(r["technique"], r["input"], float(r["amount"]))
              for r in t["inputs"].to_dict("records")]
    links = [(r["origin"], r["destination"], _number(r.get("loss"), 0.0),
              _number(r.get("capacity"), INF)) for r in t["links"].to_dict("records")]
    made = {product for _, _, product, _ in techniques}
    shipped = [p for p in products if tradable[p] and p in made]
    targets = [(r["region"], r["product"], float(r["amount"]))
               for r in t["targets"].to_dict("records")]
    supply = {(r["region"], r["factor"]): float(r["amount"])
              for r in t["supplies"].to_dict("records")}

    # columns
    cols = [f"activity[{tech}]" for tech, _, _, _ in techniques]
    col_upper = [capacity for _, _, _, capacity in techniques]
    for origin, destination, _, _ in links:
        for product in shipped:
            cols.append(f"shipment[{origin}->{destination},{product}]")
            col_upper.append(INF)
    if max_fulfilment:
        cols.append("fulfilment")
        col_upper.append(INF)
    col = {name: j for j, name in enumerate(cols)}

    # rows: every (region, product) something touches, every (region, factor) used
    balance: list[tuple[str, str]] = []

    def touch(region: str, product: str) -> None:
        if (region, product) not in balance:
            balance.append((region, product))

    for _, region, product, _ in techniques:
        touch(region, product)
    for tech, used, _ in inputs:
        if used in product_set:
            touch(region_of[tech], used)
    for origin, destination, _, _ in links:
        for product in shipped:
            touch(origin, product)
            touch(destination, product)
    for region, product, _ in targets:
        touch(region, product)
    factor_rows: list[tuple[str, str]] = []
    for tech, used, _ in inputs:
        if used in factor_set and (region_of[tech], used) not in factor_rows:
            factor_rows.append((region_of[tech], used))
    capped = [(o, d, cap) for o, d, _, cap in links if cap < INF]
    rows = ([f"balance[{r},{p}]" for r, p in balance] + [f"factor[{r},{f}]" for r, f in factor_rows]
            + [f"link[{o}->{d}]" for o, d, _ in capped])
    row = {name: i for i, name in enumerate(rows)}

    A = np.zeros((len(rows), len(cols)))
    row_lower = np.zeros(len(rows))
    row_upper = np.full(len(rows), INF)
    for tech, region, product, _ in techniques:
        A[row[f"balance[{region},{product}]"], col[f"activity[{tech}]"]] += 1.0
    for tech, used, amount in inputs:
        if used in product_set:
            A[row[f"balance[{region_of[tech]},{used}]"], col[f"activity[{tech}]"]] -= amount
        else:
            A[row[f"factor[{region_of[tech]},{used}]"], col[f"activity[{tech}]"]] += amount
    for origin, destination, loss, _ in links:
        for product in shipped:
            j = col[f"shipment[{origin}->{destination},{product}]"]
            A[row[f"balance[{origin},{product}]"], j] -= 1.0
            A[row[f"balance[{destination},{product}]"], j] += 1.0 - loss
    for region, product, amount in targets:
        if max_fulfilment:
            A[row[f"balance[{region},{product}]"], col["fulfilment"]] -= amount
        else:
            row_lower[row[f"balance[{region},{product}]"]] += amount
    for region, factor in factor_rows:
        i = row[f"factor[{region},{factor}]"]
        row_lower[i] = -INF
        row_upper[i] = supply.get((region, factor), 0.0)
    for origin, destination, capacity in capped:
        i = row[f"link[{origin}->{destination}]"]
        row_lower[i] = -INF
        row_upper[i] = capacity
        for product in shipped:
            A[i, col[f"shipment[{origin}->{destination},{product}]"]] = 1.0

    c = np.zeros(len(cols))
    if max_fulfilment:
        c[col["fulfilment"]] = -1.0
    else:
        saved = objective.split(":", 1)[1]
        for tech, used, amount in inputs:
            if used == saved:
                c[col[f"activity[{tech}]"]] += amount
    return Reference(rows, cols, A, row_lower, row_upper, np.zeros(len(cols)),
                     np.asarray(col_upper), c)


def lp_names(lp) -> tuple[list[str], list[str]]:
    """Row and column names of the LP."""
    return lp.row_names(), lp.col_names()


def assert_matches_reference(scenario: sovnarkhoz.Scenario, objective: str) -> None:
    lp = build_lp(scenario.economy, Objective.parse(objective))
    ref = reference_lp(scenario, objective)
    rows, cols = lp_names(lp)
    assert len(set(rows)) == len(rows) and len(set(cols)) == len(cols)  # names are unique
    assert sorted(rows) == sorted(ref.rows)
    assert sorted(cols) == sorted(ref.cols)
    r = np.array([ref.rows.index(name) for name in rows], dtype=int)
    k = np.array([ref.cols.index(name) for name in cols], dtype=int)
    data = lp.data
    assert data.A.shape == (len(rows), len(cols))
    np.testing.assert_allclose(data.A.toarray(), ref.A[np.ix_(r, k)], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(data.row_lower, ref.row_lower[r])
    np.testing.assert_array_equal(data.row_upper, ref.row_upper[r])
    np.testing.assert_array_equal(data.col_lower, ref.col_lower[k])
    np.testing.assert_array_equal(data.col_upper, ref.col_upper[k])
    np.testing.assert_allclose(data.c, ref.c[k], rtol=1e-12, atol=0)
    assert data.offset == 0.0
    assert lp.sense == (-1 if objective == "max-fulfilment" else 1)
    # blocks in order: balance, factor, link rows; activity, shipment, fulfilment columns
    kinds = [name.split("[", 1)[0] for name in rows]
    assert kinds == sorted(kinds, key=["balance", "factor", "link"].index)
    kinds = [name.split("[", 1)[0] for name in cols]
    assert kinds == sorted(kinds, key=["activity", "shipment", "fulfilment"].index)
    assert cols[: len(scenario.techniques)] == [
        f"activity[{t}]" for t in scenario.techniques["technique"]]


def enriched(products: int, regions: int, techniques: int, seed: int) -> sovnarkhoz.Scenario:
    """A generated economy with what the generator never makes: technique and link
    capacities (some blank), non-tradable products, a technique using its own product, a
    product nobody makes, a factor with no supply in some region, an unused factor."""
    rng = np.random.default_rng(seed)
    spec = GeneratorSpec(products, regions, techniques, inputs=3, factors=2, seed=seed)
    t = generate_tables(spec)
    T = len(t["techniques"])
    capacity = np.round(rng.uniform(5, 50, size=T), 2)
    capacity[rng.random(T) < 0.4] = np.nan
    t["techniques"] = t["techniques"].assign(capacity=capacity)
    L = len(t["links"])
    link_capacity = np.round(rng.uniform(1, 20, size=L), 2)
    link_capacity[rng.random(L) < 0.5] = np.nan
    t["links"] = t["links"].assign(capacity=link_capacity)
    tradable = np.ones(products, dtype=bool)
    tradable[1::3] = False
    unmade = pd.DataFrame({"product": ["unmade"], "tradable": [True]})
    t["products"] = pd.concat([t["products"].assign(tradable=tradable), unmade],
                              ignore_index=True)
    first = t["techniques"].iloc[0]
    last = t["techniques"].iloc[-1]
    extra_inputs = pd.DataFrame({
        "technique": [first["technique"], last["technique"], last["technique"]],
        "input": [first["product"], "unmade", "water"],
        "amount": [0.125, 0.0, 0.25]})
    t["inputs"] = pd.concat([t["inputs"], extra_inputs], ignore_index=True)
    t["factors"] = pd.concat([t["factors"], pd.DataFrame({"factor": ["water", "sunlight"]})],
                             ignore_index=True)
    first_region = t["regions"]["region"].iloc[0]
    t["supplies"] = pd.concat([t["supplies"], pd.DataFrame({
        "region": [first_region, first_region], "factor": ["water", "sunlight"],
        "amount": [3.0, 7.0]})], ignore_index=True)
    return sovnarkhoz.Scenario.from_frames(name=f"enriched-{seed}", **t)


CASES = [
    pytest.param(lambda: generated(6, 3, 1, inputs=3, factors=2, seed=0), id="6x3x1-s0"),
    pytest.param(lambda: generated(5, 1, 2, inputs=2, factors=1, seed=1), id="5x1x2-one-region"),
    pytest.param(lambda: generated(8, 4, 2, inputs=4, factors=2, seed=2), id="8x4x2-s2"),
    pytest.param(lambda: generated(4, 2, 1, inputs=0, factors=3, seed=3), id="4x2x1-no-inputs"),
    pytest.param(lambda: generated(7, 5, 1, inputs=3, factors=2, seed=11), id="7x5x1-chords"),
    pytest.param(lambda: enriched(6, 3, 2, seed=4), id="enriched-6x3x2"),
    pytest.param(lambda: enriched(5, 1, 1, seed=5), id="enriched-one-region"),
    pytest.param(lambda: enriched(9, 4, 1, seed=6), id="enriched-9x4x1"),
]


@pytest.mark.parametrize("objective", ["max-fulfilment", "min-factor:labour"])
@pytest.mark.parametrize("make", CASES)
def test_lp_matches_the_naive_reference(make, objective):
    assert_matches_reference(make(), objective)


@pytest.mark.parametrize("name", ["kantorovich1939", "two_regions"])
def test_bundled_lps_match_the_reference(bundled_scenario, name):
    scenario = bundled_scenario(name)
    assert_matches_reference(scenario, "max-fulfilment")
    factor = scenario.factors["factor"].iloc[0]
    assert_matches_reference(scenario, f"min-factor:{factor}")


def test_enriched_economy_has_what_it_claims():
    """The enriched cases really exercise capacities, own-product use and absent supplies."""
    scenario = enriched(6, 3, 2, seed=4)
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment"))
    rows, cols = lp_names(lp)
    assert any(name.startswith("link[") for name in rows)
    assert np.isfinite(lp.data.col_upper[: len(scenario.techniques)]).any()
    assert any(name.startswith("balance[") and name.endswith(",unmade]") for name in rows)
    assert not any(name.endswith(",unmade]") for name in cols)  # not made: never shipped
    non_tradable = scenario.products["product"][~scenario.products["tradable"]]
    assert not any(name.endswith(f",{p}]") for name in cols if name.startswith("shipment")
                   for p in non_tradable)
    water = [i for i, name in enumerate(rows) if name.startswith("factor[") and "water" in name]
    assert len(water) == 1 and lp.data.row_upper[water[0]] == 0.0  # used, none supplied there
    assert not any("sunlight" in name for name in rows)  # supplied, never used: no row
    first = scenario.techniques.iloc[0]
    i = rows.index(f"balance[{first['region']},{first['product']}]")
    j = cols.index(f"activity[{first['technique']}]")
    assert lp.data.A[i, j] == pytest.approx(1 - 0.125)  # output less its own use, summed


def test_min_factor_objective_counts_only_that_factor():
    scenario = generated(6, 2, 2, inputs=2, factors=2, seed=9)
    for factor in ("labour", "land"):
        lp = build_lp(scenario.economy, Objective.parse(f"min-factor:{factor}"))
        inputs = scenario.inputs[scenario.inputs["input"] == factor]
        expected = inputs.groupby("technique")["amount"].sum().reindex(
            scenario.techniques["technique"]).fillna(0.0).to_numpy()
        T = len(scenario.techniques)
        np.testing.assert_allclose(lp.data.c[:T], expected, rtol=1e-12)
        assert not lp.data.c[T:].any()
        assert "fulfilment" not in lp.col_blocks


# --- names ----------------------------------------------------------------------------------
def test_names_of_two_regions(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment"))
    assert lp.row_names() == ["balance[north,grain]", "balance[north,cloth]",
                              "balance[south,grain]", "balance[south,cloth]",
                              "factor[north,labour]", "factor[south,labour]"]
    cols = lp.col_names()
    assert cols[:8] == ["activity[north_grain]", "activity[north_cloth]",
                        "activity[south_grain]", "activity[south_cloth]",
                        "shipment[north->south,grain]", "shipment[north->south,cloth]",
                        "shipment[south->north,grain]", "shipment[south->north,cloth]"]
    assert len(cols) == 9 and cols[8] == "fulfilment"
    assert lp.row_names(np.array([5, 0])) == ["factor[south,labour]", "balance[north,grain]"]
    assert lp.col_names(np.array([6])) == ["shipment[south->north,grain]"]
    minimal = build_lp(scenario.economy, Objective.parse("min-factor:labour"))
    assert minimal.col_names() == cols[:8]
    assert minimal.row_names() == lp.row_names()

    capped = {name: frame.copy() for name, frame in scenario.tables.items()}
    capped["links"]["capacity"] = [5.0, np.nan]
    lp = build_lp(sovnarkhoz.Scenario.from_frames(**capped).economy,
                  Objective.parse("max-fulfilment"))
    assert lp.row_names()[-1] == "link[north->south]"
    assert lp.data.row_upper[-1] == 5.0


def test_solvers_see_no_names(bundled_scenario):
    lp = build_lp(bundled_scenario("two_regions").economy, Objective.parse("max-fulfilment"))
    fields = {f.name for f in dataclasses.fields(LPData)}
    assert fields == {"c", "A", "row_lower", "row_upper", "col_lower", "col_upper", "offset"}
    for name in fields - {"A", "offset"}:
        value = getattr(lp.data, name)
        assert type(value) is np.ndarray and value.dtype == np.float64, name
    assert sp.issparse(lp.data.A) and lp.data.A.dtype == np.float64
    assert isinstance(lp.data.offset, float)
    # the solvers package imports nothing of the scenario, the formulation or the plan
    package = Path(solvers.__file__).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level in (0, 1), f"{source.name} imports from {'.' * node.level}"
                assert not (node.module or "").startswith("sovnarkhoz"), source.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("sovnarkhoz") for a in node.names), source.name


# --- the HiGHS backend on hand-made LPs ------------------------------------------------------
def tiny_lp() -> LPData:
    """min x1 + 2 x2 + 3 x3 - x4
    s.t.  x1 + x2 + x3 + x4 >= 1       (lower bound active, dual 2)
          x1                <= 0.5     (upper bound active, dual -1)
          0 <= x, x4 <= 0.25           (x3 at its lower bound: reduced cost 1;
                                        x4 at its upper bound: reduced cost -3)
    Optimum x = (0.5, 0.25, 0, 0.25), objective 0.75."""
    A = sp.csr_matrix(np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.0, 0.0]]))
    return LPData(c=np.array([1.0, 2.0, 3.0, -1.0]), A=A,
                  row_lower=np.array([1.0, -INF]), row_upper=np.array([INF, 0.5]),
                  col_lower=np.zeros(4), col_upper=np.array([INF, INF, INF, 0.25]))


@pytest.mark.parametrize("method", ["simplex", "ipm", "auto"])
def test_highs_dual_sign_convention(method):
    lp = tiny_lp()
    result = HighsSolver().solve(lp, SolverOptions(method=method))
    assert result.status is Status.OPTIMAL
    assert result.solver == "highs"
    np.testing.assert_allclose(result.x, [0.5, 0.25, 0.0, 0.25], atol=1e-9)
    assert result.objective == pytest.approx(0.75, abs=1e-9)
    assert result.has_duals
    y, z = result.row_dual, result.col_dual
    np.testing.assert_allclose(lp.c - lp.A.T @ y - z, 0.0, atol=1e-9)  # stationarity
    np.testing.assert_allclose(y, [2.0, -1.0], atol=1e-9)
    assert y[0] >= 0  # at its lower bound
    assert y[1] <= 0  # at its upper bound
    np.testing.assert_allclose(z, [0.0, 0.0, 1.0, -3.0], atol=1e-9)
    assert result.dual_objective == pytest.approx(result.objective, abs=1e-9)


def test_row_dual_is_the_derivative_of_the_objective_in_the_bound():
    base = HighsSolver().solve(tiny_lp())
    h = 1e-3
    for i, side in ((0, "row_lower"), (1, "row_upper")):
        lp = tiny_lp()
        bound = getattr(lp, side).copy()
        bound[i] += h
        moved = HighsSolver().solve(dataclasses.replace(lp, **{side: bound}))
        assert moved.status is Status.OPTIMAL
        assert (moved.objective - base.objective) / h == pytest.approx(base.row_dual[i],
                                                                       abs=1e-6)


@pytest.mark.parametrize("method", ["simplex", "ipm"])
def test_dual_convention_on_a_planning_lp(method):
    """The same convention holds on a real LP, with the sign conditions of every row."""
    scenario = enriched(6, 3, 1, seed=8)
    lp = build_lp(scenario.economy, Objective.parse("max-fulfilment"))
    result = solvers.solve(lp.data, options=SolverOptions(method=method))
    assert result.status is Status.OPTIMAL
    data = lp.data
    y, z, x = result.row_dual, result.col_dual, result.x
    np.testing.assert_allclose(data.c - data.A.T @ y - z, 0.0, atol=1e-7)
    activity = data.A @ x
    tol = 1e-7
    at_lower = np.isclose(activity, data.row_lower, atol=1e-7)
    at_upper = np.isclose(activity, data.row_upper, atol=1e-7)
    np.testing.assert_allclose(y[~at_lower & ~at_upper], 0.0, atol=tol)  # slack rows
    assert (y[at_lower & ~at_upper] >= -tol).all()
    assert (y[at_upper & ~at_lower] <= tol).all()
    assert result.dual_objective == pytest.approx(result.objective, rel=1e-7, abs=1e-9)
    plan = sovnarkhoz.make_plan(scenario, options=SolverOptions(method=method))
    assert plan.fulfilment == pytest.approx(-result.objective, rel=1e-7)


@pytest.mark.parametrize("method", ["simplex", "ipm", "auto"])
def test_highs_reports_infeasible(method):
    # x1 + x2 >= 2 with x1, x2 <= 0.5
    lp = LPData(c=np.array([1.0, 1.0]), A=sp.csr_matrix(np.array([[1.0, 1.0]])),
                row_lower=np.array([2.0]), row_upper=np.array([INF]),
                col_lower=np.zeros(2), col_upper=np.array([0.5, 0.5]))
    result = HighsSolver().solve(lp, SolverOptions(method=method))
    assert result.status is Status.INFEASIBLE
    assert result.status.value == "infeasible"


@pytest.mark.parametrize("method", ["simplex", "ipm", "auto"])
def test_highs_reports_unbounded(method):
    # min -x1 - x2 with x1 - x2 <= 1: x1 = x2 grows without end
    lp = LPData(c=np.array([-1.0, -1.0]), A=sp.csr_matrix(np.array([[1.0, -1.0]])),
                row_lower=np.array([-INF]), row_upper=np.array([1.0]),
                col_lower=np.zeros(2), col_upper=np.full(2, INF))
    result = HighsSolver().solve(lp, SolverOptions(method=method))
    assert result.status is Status.UNBOUNDED
    assert result.status.value == "unbounded"
