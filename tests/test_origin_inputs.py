"""inputs.csv's optional ``origin``: a product input drawn from another region's pool.

A two-region economy small enough to solve by hand: region b makes cars from steel, half a
unit from region a's pool (``origin`` a) and a quarter from its own; steel costs 1 hour of
labour in a and 3 in b; a car 1 hour in b. Labour: 10 hours in a, 20 in b; target: 8 cars
in b; no links.
- max-fulfilment: cars c = 8λ; a's labour 0.5c <= 10, b's labour 0.25·3c + c = 1.75c <= 20:
  c = 80/7, λ = 10/7 (b's labour binds, a's is slack).
- balance: c = 8, steel in a 4, in b 2; embodied labour of a car 0.5 + 0.25·3 + 1 = 2.25.
- without the origin (all steel from b): 3.25c <= 20, λ = 20/26.
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


def _tables(origin: bool = True) -> dict[str, pd.DataFrame]:
    inputs = pd.DataFrame({
        "technique": ["a_steel", "b_steel", "b_car", "b_car", "b_car"],
        "input": ["labour", "labour", "steel", "steel", "labour"],
        "amount": [1.0, 3.0, 0.5, 0.25, 1.0],
        "origin": ["", "", "a", "", ""]})
    if not origin:
        inputs = inputs.drop(columns="origin").groupby(
            ["technique", "input"], as_index=False, sort=False)["amount"].sum()
    return {
        "products": pd.DataFrame({"product": ["steel", "car"]}),
        "regions": pd.DataFrame({"region": ["a", "b"]}),
        "factors": pd.DataFrame({"factor": ["labour"]}),
        "techniques": pd.DataFrame({"technique": ["a_steel", "b_steel", "b_car"],
                                    "region": ["a", "b", "b"],
                                    "product": ["steel", "steel", "car"]}),
        "inputs": inputs,
        "supplies": pd.DataFrame({"region": ["a", "b"], "factor": "labour",
                                  "amount": [10.0, 20.0]}),
        "targets": pd.DataFrame({"region": ["b"], "product": ["car"], "amount": [8.0]}),
    }


def test_max_fulfilment_draws_steel_from_the_origin() -> None:
    scenario = sovnarkhoz.Scenario.from_frames(name="origin", **_tables())
    plan = sovnarkhoz.make_plan(scenario)
    assert plan.status == "optimal", plan.message
    assert plan.fulfilment == pytest.approx(10 / 7, rel=1e-9)
    levels = plan.activities.set_index("technique")["level"]
    assert levels["b_car"] == pytest.approx(80 / 7, rel=1e-9)
    assert levels["a_steel"] >= 40 / 7 * (1 - 1e-9)  # a's labour is slack: it may make more
    assert levels["b_steel"] == pytest.approx(20 / 7, rel=1e-9)
    factors = plan.factors.set_index("region")
    assert factors.loc["a", "price"] == pytest.approx(0.0, abs=1e-12)  # slack in a
    # λ = 20 / (8 · 1.75) per hour of b's labour: its price is dλ/dsupply = 1 / 14
    assert factors.loc["b", "price"] == pytest.approx(1 / 14, rel=1e-9)
    assert plan.verification.proven_optimal
    without = sovnarkhoz.make_plan(sovnarkhoz.Scenario.from_frames(name="own",
                                                                   **_tables(origin=False)))
    assert without.fulfilment == pytest.approx(20 / 26, rel=1e-9)


def test_the_verifier_takes_the_input_from_its_origin() -> None:
    """The steel a's pool must give: a plan making it in b instead fails at a/steel."""
    tables = sovnarkhoz.Scenario.from_frames(name="origin", **_tables()).tables
    deliveries = pd.DataFrame({"origin": [], "destination": [], "product": [], "sent": []})
    right = pd.DataFrame({"technique": ["a_steel", "b_steel", "b_car"],
                          "level": [4.0, 2.0, 8.0]})
    assert verify(tables, right, deliveries, 1.0).passed
    wrong = pd.DataFrame({"technique": ["a_steel", "b_steel", "b_car"],
                          "level": [0.0, 6.0, 8.0]})
    checked = verify(tables, wrong, deliveries, 1.0)
    assert not checked.passed
    assert checked.worst == "balance a/steel (by 4)"


def test_balance_with_origins() -> None:
    scenario = sovnarkhoz.Scenario.from_frames(name="origin", **_tables())
    plan = sovnarkhoz.make_plan(scenario, objective="balance")
    assert plan.status == "optimal", plan.message
    levels = plan.activities.set_index("technique")["level"]
    np.testing.assert_allclose(levels[["a_steel", "b_steel", "b_car"]], [4, 2, 8], rtol=1e-12)
    embodied = plan.prices.set_index(["region", "product"])["embodied_labour"]
    assert embodied["b", "car"] == pytest.approx(2.25, rel=1e-12)
    assert embodied["a", "steel"] == pytest.approx(1.0, rel=1e-12)


def test_a_horizon_gets_the_origin_in_every_year() -> None:
    scenario = sovnarkhoz.Scenario.from_frames(
        name="years", settings={"horizon": {"first": 2030, "last": 2032}}, **_tables())
    plan = sovnarkhoz.make_plan(scenario)
    assert plan.status == "optimal", plan.message
    assert plan.fulfilment == pytest.approx(10 / 7, rel=1e-9)
    assert plan.verification.proven_optimal
    steel = plan.activities[plan.activities["technique"] == "b_steel"]
    np.testing.assert_allclose(steel["level"], 20 / 7, rtol=1e-9)
    assert len(steel) == 3


def test_an_unknown_origin_and_an_origin_on_a_factor_are_located(tmp_path: Path,
                                                                 capsys) -> None:
    directory = sovnarkhoz.Scenario.from_frames(name="origin", **_tables()).write(
        tmp_path / "origin")
    text = (directory / "inputs.csv").read_text().splitlines()
    assert text[0] == "technique,input,amount,origin"
    text[3] = "b_car,steel,0.5,c"  # no region c
    text[5] = "b_car,labour,1,a"  # a factor with an origin
    text.append("b_car,steel,0.25,")  # the same (technique, input, origin) twice
    (directory / "inputs.csv").write_text("\n".join(text) + "\n")
    code = main(["validate", str(directory)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[1:] == [
        "  inputs.csv:7: column 'origin': value 'b_car, steel, ': duplicate (technique, input, "
        "origin): already given on line 5",
        "  inputs.csv:4: column 'origin': value 'c': unknown region: not listed in regions.csv",
        "  inputs.csv:6: column 'origin': value 'a': an origin is for product inputs: a factor "
        "is used from the supply of the technique's own region; leave it blank"]


def test_the_same_input_from_two_origins_is_two_rows() -> None:
    tables = _tables()
    with pytest.raises(ScenarioError):  # without origins, the same pair twice is a duplicate
        sovnarkhoz.Scenario.from_frames(name="dup", **{
            **tables, "inputs": tables["inputs"].drop(columns="origin")})
