"""verify() catches each kind of broken plan, with the right size of violation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from sovnarkhoz.plan.verify import verify


@pytest.fixture
def optimum(bundled_scenario):
    scenario = bundled_scenario("two_regions")
    return scenario, sovnarkhoz.make_plan(scenario)


def _check(scenario, activities, deliveries, lam):
    return verify(scenario.tables, activities, deliveries, lam)


def test_the_optimal_plan_passes(optimum):
    scenario, plan = optimum
    result = _check(scenario, plan.activities, plan.deliveries, plan.fulfilment)
    assert result.passed and result.max_violation < 1e-9


def test_claiming_more_fulfilment_breaks_balances(optimum):
    scenario, plan = optimum
    result = _check(scenario, plan.activities, plan.deliveries, plan.fulfilment + 1.0)
    assert not result.passed
    assert result.by_kind["balance"] == pytest.approx(1.0)  # each target of 1 is short by 1
    assert result.worst.startswith("balance ")


def test_overusing_labour_breaks_the_supply(optimum):
    scenario, plan = optimum
    activities = plan.activities.copy()
    activities.loc[activities["technique"] == "south_cloth", "level"] += 5.0
    result = _check(scenario, activities, plan.deliveries, plan.fulfilment)
    assert result.by_kind["factor supply"] == pytest.approx(5.0)
    assert "factor supply south/labour" in result.worst


def test_negative_activity_and_missing_rows(optimum):
    scenario, plan = optimum
    activities = plan.activities.copy()
    activities.loc[activities["technique"] == "south_grain", "level"] = -2.0
    result = _check(scenario, activities, plan.deliveries, plan.fulfilment)
    assert result.by_kind["activity >= 0"] == pytest.approx(2.0)
    # a technique missing from the table counts as idle: North's grain vanishes
    missing = plan.activities[plan.activities["technique"] != "north_grain"]
    short = _check(scenario, missing, plan.deliveries, plan.fulfilment)
    # North's grain balance loses everything that technique made (it was exactly used up)
    made = plan.activities.set_index("technique").at["north_grain", "level"]
    assert short.by_kind["balance"] == pytest.approx(made, rel=1e-9)


def test_shipping_off_the_links_or_untradable_goods(optimum):
    scenario, plan = optimum
    extra = pd.DataFrame({"origin": ["north"], "destination": ["nowhere"], "product": ["grain"],
                          "sent": [3.0], "received": [3.0]})
    result = _check(scenario, plan.activities, pd.concat([plan.deliveries, extra]),
                    plan.fulfilment)
    assert result.by_kind["shipment on a link"] == pytest.approx(3.0)
    # what left North is gone from its balance even though no link carried it
    assert result.by_kind["balance"] == pytest.approx(3.0)
    products = scenario.products.assign(tradable=[True, False])
    stay = sovnarkhoz.Scenario.from_frames(name="x", **{**scenario.tables, "products": products})
    result = verify(stay.tables, plan.activities, plan.deliveries, plan.fulfilment)
    cloth = plan.deliveries.loc[plan.deliveries["product"] == "cloth", "sent"].sum()
    assert result.by_kind["tradable shipment"] == pytest.approx(cloth)


def test_received_must_be_sent_less_the_loss(optimum):
    scenario, plan = optimum
    deliveries = plan.deliveries.assign(received=plan.deliveries["sent"])  # no loss claimed
    result = _check(scenario, plan.activities, deliveries, plan.fulfilment)
    expected = (plan.deliveries["sent"] * 0.1).max()
    assert result.by_kind["received = sent x (1 - loss)"] == pytest.approx(expected)


def test_capacities_of_techniques_and_links(optimum):
    scenario, plan = optimum
    techniques = scenario.techniques.assign(capacity=[np.nan, 10.0, np.nan, np.nan])
    links = scenario.links.assign(capacity=[50.0, np.nan])
    capped = sovnarkhoz.Scenario.from_frames(name="c", **{**scenario.tables,
                                                          "techniques": techniques,
                                                          "links": links})
    result = verify(capped.tables, plan.activities, plan.deliveries, plan.fulfilment)
    north_cloth = plan.activities.set_index("technique").at["north_cloth", "level"]
    assert result.by_kind["capacity"] == pytest.approx(north_cloth - 10.0)
    north_sent = plan.deliveries.loc[plan.deliveries["origin"] == "north", "sent"].sum()
    assert result.by_kind["link capacity"] == pytest.approx(north_sent - 50.0)
    assert not result.passed
