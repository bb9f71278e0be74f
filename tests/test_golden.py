"""Bundled scenarios whose answers are known in advance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz


def test_kantorovich_1939_optimum_is_86_and_two_thirds_sets(bundled_scenario):
    plan = sovnarkhoz.make_plan(bundled_scenario("kantorovich1939"))
    assert plan.status == "optimal"
    assert plan.fulfilment == pytest.approx(260 / 3, rel=1e-9)
    assert plan.verification.passed and plan.verification.max_violation < 1e-9
    # machine-day valuations: the dual of "each group's days are limited"
    price = plan.factors.set_index("factor")["price"]
    assert price["automatic"] == pytest.approx(80 / 3, rel=1e-9)
    assert price["turret"] == pytest.approx(40 / 3, rel=1e-9)
    assert price["milling"] == pytest.approx(20 / 3, rel=1e-9)
    # duality: sum of supply x valuation equals the number of sets
    assert (plan.factors["supply"] * plan.factors["price"]).sum() == pytest.approx(260 / 3)
    # turret lathes make only A, the automatic only B, milling splits 8/9 of its days to A
    level = plan.activities.set_index("technique")["level"]
    assert level["turret_A"] == pytest.approx(60)
    assert level["automatic_B"] == pytest.approx(80)
    assert level["milling_A"] == pytest.approx(30 * 8 / 9)
    assert level["milling_B"] == pytest.approx(60 / 9)


def test_kantorovich_1939_groups_balancing_their_own_parts_make_77_8(bundled_scenario):
    """Each group of machines makes complete sets alone: 20 + 36 + 21.8 = 77.8 sets."""
    whole = bundled_scenario("kantorovich1939")
    total = 0.0
    for group in ("milling", "turret", "automatic"):
        techniques = whole.techniques[whole.techniques["technique"].str.startswith(group)]
        alone = sovnarkhoz.Scenario.from_frames(
            name=group, products=whole.products, regions=whole.regions,
            factors=whole.factors[whole.factors["factor"] == group],
            techniques=techniques,
            inputs=whole.inputs[whole.inputs["technique"].isin(techniques["technique"])],
            supplies=whole.supplies[whole.supplies["factor"] == group],
            targets=whole.targets)
        plan = sovnarkhoz.make_plan(alone)
        assert plan.status == "optimal"
        total += plan.fulfilment
    assert total == pytest.approx(20 + 36 + 240 / 11, rel=1e-9)
    assert round(total, 1) == 77.8


def test_miller_blair_gross_outputs(bundled_scenario):
    plan = sovnarkhoz.make_plan(bundled_scenario("miller_blair"))
    assert plan.status == "optimal"
    level = plan.activities.set_index("product")["level"]
    assert round(level["sector1"], 2) == 1247.52
    assert round(level["sector2"], 2) == 1841.58
    A = np.array([[0.15, 0.25], [0.20, 0.05]])
    expected = np.linalg.solve(np.eye(2) - A, [600, 1500])
    np.testing.assert_allclose(level[["sector1", "sector2"]].to_numpy(), expected, rtol=1e-12)
    assert plan.verification.passed


def test_two_regions_trade_optimum_derived_by_hand(bundled_scenario):
    """North (200 labour) makes grain at 1 labour, cloth at 2; South (100 labour) grain at 3,
    cloth at 1; 10% is lost in shipping; each region wants λ grain and λ cloth.

    South makes only cloth (cS = 100) and ships sc of it north; North makes all the grain and
    ships sg south, and makes the rest of its own cloth:
        0.9 sg = λ,  cS = λ + sc,  cN + 0.9 sc = λ,  gN = λ + sg,  gN + 2 cN = 200.
    So sc = 100 - λ, cN = 1.9 λ - 90, gN = λ (1 + 1/0.9), and (1 + 10/9) λ + 3.8 λ - 180 = 200,
    λ = 380 / (53.2 / 9) = 450/7.
    Duals: gN, cN, cS, sg, sc basic give pgN = wN, pcN = 2 wN, pcS = wS, pgN = 0.9 pgS,
    pcS = 0.9 pcN, and pgN + pcN + pgS + pcS = 1 (the λ column): wN (1 + 2 + 1.8 + 10/9) = 1,
    wN = 45/266, wS = 1.8 wN = 81/266. Check: 200 wN + 100 wS = 450/7.
    """
    plan = sovnarkhoz.make_plan(bundled_scenario("two_regions"))
    lam = 450 / 7
    assert plan.status == "optimal"
    assert plan.fulfilment == pytest.approx(lam, rel=1e-12)
    level = plan.activities.set_index("technique")["level"]
    assert level["north_grain"] == pytest.approx(lam * (1 + 1 / 0.9))
    assert level["north_cloth"] == pytest.approx(1.9 * lam - 90)
    assert level["south_cloth"] == pytest.approx(100)
    assert level["south_grain"] == pytest.approx(0, abs=1e-12)
    sent = plan.deliveries.set_index(["origin", "product"])["sent"]
    assert sent["north", "grain"] == pytest.approx(lam / 0.9)
    assert sent["south", "cloth"] == pytest.approx(100 - lam)
    w = 45 / 266
    labour = plan.factors.set_index("region")["price"]
    assert labour["north"] == pytest.approx(w, rel=1e-9)
    assert labour["south"] == pytest.approx(1.8 * w, rel=1e-9)
    price = plan.prices.set_index(["region", "product"])["price"]
    assert price["north", "grain"] == pytest.approx(w)
    assert price["north", "cloth"] == pytest.approx(2 * w)
    assert price["south", "grain"] == pytest.approx(w / 0.9)
    assert price["south", "cloth"] == pytest.approx(1.8 * w)
    assert plan.details["dual_objective"] == pytest.approx(lam, rel=1e-12)
    bottleneck = plan.bottlenecks.iloc[0]
    assert (bottleneck["kind"], bottleneck["where"], bottleneck["what"]) == ("factor", "south",
                                                                             "labour")


def test_min_factor_gives_labour_values(bundled_scenario):
    """min-factor:labour meets one of each target with least labour; prices are labour values.

    With targets of 1, North's grain costs 1 labour at home and 1/0.9 shipped; South's cloth
    costs 1 at home, 1/0.9 shipped: total 1 + 1/0.9 + 1 + 1/0.9 (North's cloth at 2 and
    South's grain at 3 are dearer than importing them)."""
    plan = sovnarkhoz.make_plan(bundled_scenario("two_regions"), objective="min-factor:labour")
    assert plan.status == "optimal"
    assert plan.objective_value == pytest.approx(2 + 2 / 0.9)
    value = plan.prices.set_index(["region", "product"])["price"]
    assert value["north", "grain"] == pytest.approx(1.0)
    assert value["south", "cloth"] == pytest.approx(1.0)
    assert value["south", "grain"] == pytest.approx(1 / 0.9)
    assert value["north", "cloth"] == pytest.approx(1 / 0.9)
    assert plan.fulfilment == pytest.approx(1.0)
    assert plan.verification.passed


def test_capacity_binds_and_is_priced(bundled_scenario):
    whole = bundled_scenario("two_regions")
    techniques = whole.techniques.assign(capacity=[np.nan, np.nan, np.nan, 50.0])
    capped = sovnarkhoz.Scenario.from_frames(
        name="capped", **{**whole.tables, "techniques": techniques})
    plan = sovnarkhoz.make_plan(capped)
    assert plan.status == "optimal"
    assert plan.fulfilment < 450 / 7
    row = plan.activities.set_index("technique").loc["south_cloth"]
    assert row["level"] == pytest.approx(50)
    assert row["capacity_price"] > 0
    assert "capacity" in set(plan.bottlenecks["kind"])
    assert plan.verification.passed


def test_link_capacity_binds_and_is_priced(bundled_scenario):
    whole = bundled_scenario("two_regions")
    links = whole.links.assign(capacity=[10.0, np.nan])
    plan = sovnarkhoz.make_plan(sovnarkhoz.Scenario.from_frames(
        name="narrow", **{**whole.tables, "links": links}))
    assert plan.status == "optimal"
    sent = plan.deliveries.groupby("origin")["sent"].sum()
    assert sent["north"] == pytest.approx(10)
    link = plan.links.set_index("origin").loc["north"]
    assert link["price"] > 0
    assert ("link", "north->south") in set(zip(plan.bottlenecks["kind"],
                                               plan.bottlenecks["where"], strict=True))
    assert plan.verification.passed


def test_non_tradable_products_stay_home(bundled_scenario):
    whole = bundled_scenario("two_regions")
    products = whole.products.assign(tradable=[True, False])
    plan = sovnarkhoz.make_plan(sovnarkhoz.Scenario.from_frames(
        name="cloth stays", **{**whole.tables, "products": products}))
    assert plan.status == "optimal"
    assert not (plan.deliveries["product"] == "cloth").any()
    assert plan.verification.passed
    assert isinstance(plan.prices, pd.DataFrame)
