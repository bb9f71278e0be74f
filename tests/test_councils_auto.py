"""``--protocol auto``: the protocol chosen by the rules of councils/choice.py, said aloud."""

from __future__ import annotations

import pytest

import sovnarkhoz
from cli_run import run
from sovnarkhoz.councils import plan_by_councils
from sovnarkhoz.councils.choice import choose_protocol
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables
from test_horizon import tiny


def _generated(regions: int) -> sovnarkhoz.Scenario:
    tables = generate_tables(GeneratorSpec(2, regions, 1, 1, 1, seed=1))
    return sovnarkhoz.Scenario.from_frames(name=f"g{regions}", **tables)


@pytest.mark.parametrize(("scenario", "organisation", "protocol", "reason"), [
    ("two_regions", "territorial", "prices", "auto: prices for 2 councils in one year"),
    ("two_regions", "branch", "prices", "auto: prices for 2 councils in one year"),
    ("ussr1957", "territorial", "dantzig-wolfe",
     "auto: dantzig-wolfe for 15 councils over 14 years"),
])
def test_auto_picks_by_the_horizon(bundled_scenario, scenario, organisation, protocol,
                                   reason):
    chosen = choose_protocol(bundled_scenario(scenario), organisation)
    assert chosen.protocol == protocol
    assert chosen.reason.startswith(reason)


def test_auto_picks_prices_in_one_year_whatever_the_councils():
    for regions, protocol in ((1, "prices"), (10, "prices"), (50, "prices"), (107, "prices")):
        chosen = choose_protocol(_generated(regions), "territorial")
        assert chosen.protocol == protocol
        assert chosen.reason.startswith(f"auto: {protocol} for {regions} councils in one year")
    # over years dantzig-wolfe, whatever the organisation
    assert choose_protocol(tiny(), "branch").protocol == "dantzig-wolfe"
    assert choose_protocol(tiny(), "territorial").protocol == "dantzig-wolfe"


def test_auto_is_the_default_and_the_plan_says_which_and_why(bundled_scenario):
    plan = plan_by_councils(bundled_scenario("two_regions"), "territorial", tolerance=1e-9)
    assert plan.status == "optimal"
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-9)
    assert plan.details["protocol"] == "prices"
    assert ("prices protocol (auto: prices for 2 councils in one year"
            in plan.solver_choice)
    named = plan_by_councils(bundled_scenario("two_regions"), "territorial",
                             protocol="dantzig-wolfe", tolerance=1e-9)
    assert named.details["protocol"] == "dantzig-wolfe"
    assert "(dantzig-wolfe, as asked)" in named.solver_choice
    assert named.fulfilment == pytest.approx(450 / 7, rel=1e-9)


def test_cli_says_which_protocol_auto_chose(capsys):
    code, out, err = run(capsys, "plan", "two_regions", "--organisation", "territorial")
    assert code == 0
    assert "protocol auto: prices for 2 councils in one year" in err
    assert "prices protocol (auto: prices for 2 councils" in out

