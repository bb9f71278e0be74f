"""Objectives: every kind has one rule, and the rule is what the formulation, validation
and proof read."""

import numpy as np
import pandas as pd
import pytest

from sovnarkhoz.formulation import Levels, Mode
from sovnarkhoz.scenario.objectives import RULES, FactorUse, Kind, Objective


def test_every_kind_has_a_rule():
    assert set(RULES) == set(Kind)
    assert Kind.MAX_FULFILMENT.rule.levels is Levels.ONE
    assert Kind.MAX_TOTAL_FULFILMENT.rule.levels is Levels.YEARLY
    assert Mode.of(Objective.parse("min-factor:labour")).levels is Levels.NONE
    assert Mode.of(None).levels is Levels.NONE


def test_min_factor_values_minus_the_use_of_its_factor():
    # techniques 0, 1, 2; factors labour, land: technique 0 uses 2 labour and 1 land,
    # technique 2 uses 0.5 labour twice (two rows are summed)
    uses = FactorUse(3, np.array([0, 0, 2, 2]), np.array([0, 1, 0, 0]),
                     np.array([2.0, 1.0, 0.5, 0.5]), pd.Index(["labour", "land"]))
    goal = Objective.parse("min-factor:labour")
    np.testing.assert_array_equal(goal.rule.activity_value(goal, uses), [-2.0, 0.0, -1.0])
    levels = Objective.parse("max-fulfilment")
    np.testing.assert_array_equal(levels.rule.activity_value(levels, uses), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("text, message", [
    ("max-harmonious", "choose max-fulfilment, max-total-fulfilment, min-factor:NAME, "
                       "balance or max-harmony"),
    ("min-factor", "min-factor needs the factor to save: min-factor:NAME"),
    ("balance:x", "objective balance takes no argument"),
])
def test_objective_spelling_mistakes_are_named(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        Objective.parse(text)
