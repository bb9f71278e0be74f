"""HiGHS's ranging (solvers/ranging.py) on an LP whose intervals are derived by hand.

    minimise  -3x - 2y  subject to  x + y <= 4 (row 0),  0 <= x <= 3,  0 <= y <= 10

Optimum x = 3 (at its upper bound), y = 1 (basic), objective -11; row 0 active, its dual
c_y = -2; x's reduced cost -3 - (-2) = -1. By hand, each number alone:

- row 0's bound b: y = b - 3 stays in [0, 10] for b in [3, 13]; objective -9 - 2 (b - 3);
- x's upper bound U: y = 4 - U >= 0, x >= 0: U in [0, 4]; slope -1 (its reduced cost);
- x's cost c_x: x stays at its bound while c_x + 2 <= 0: (-inf, -2]; slope x = 3;
- y's cost c_y: row 0's dual c_y <= 0 and x's reduced cost -3 - c_y <= 0: [-3, 0]; slope 1;
- y's upper bound (inactive, y = 1): [1, inf), slope 0.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from sovnarkhoz.solvers import LPData
from sovnarkhoz.solvers.ranging import Entry, range_change, ranging_model, single_change


def hand_lp() -> LPData:
    return LPData(c=np.array([-3.0, -2.0]), A=sp.csr_matrix(np.array([[1.0, 1.0]])),
                  row_lower=np.array([-np.inf]), row_upper=np.array([4.0]),
                  col_lower=np.zeros(2), col_upper=np.array([3.0, 10.0]))


def ranged(changed: LPData):
    lp = hand_lp()
    change = single_change(lp, changed)
    assert change is not None
    highs, factor = ranging_model(lp)
    assert factor == 0.5  # costs ~2.5 against a column norm of 1: scaled by 2^-1
    return change, range_change(highs, lp, change, factor)


@pytest.mark.parametrize(("changed", "entry", "interval", "slope", "how"), [
    (lambda lp: replace(lp, row_upper=np.array([5.0])), Entry.ROW_BOUND, (3, 13), -2,
     "HiGHS ranging"),
    (lambda lp: replace(lp, col_upper=np.array([2.0, 10.0])), Entry.COLUMN_BOUND, (0, 4), -1,
     "HiGHS ranging"),
    (lambda lp: replace(lp, c=np.array([-2.5, -2.0])), Entry.COST, (-math.inf, -2), 3,
     "HiGHS ranging"),
    (lambda lp: replace(lp, c=np.array([-3.0, -1.0])), Entry.COST, (-3, 0), 1,
     "HiGHS ranging"),
    (lambda lp: replace(lp, col_upper=np.array([3.0, 20.0])), Entry.COLUMN_BOUND,
     (1, math.inf), 0, "an inactive bound"),
])
def test_ranging_by_hand(changed, entry, interval, slope, how):
    change, result = ranged(changed(hand_lp()))
    assert change.entry is entry
    assert result.objective == pytest.approx(-11.0)
    assert result.interval == pytest.approx(interval)
    assert result.slope == pytest.approx(slope)
    assert result.how == how


def test_ranged_line_is_the_solved_optimum_inside_the_interval():
    """Row 0's bound at 4 -> 12 (inside [3, 13]): the line gives -11 - 2 * 8 = -27, which
    is the optimum of the LP solved there; 14 leaves the interval."""
    change, result = ranged(replace(hand_lp(), row_upper=np.array([12.0])))
    assert result.covers(4.0, 12.0) and not result.covers(4.0, 14.0)
    assert result.objective_at(12.0) == pytest.approx(-27.0)
    highs, factor = ranging_model(replace(hand_lp(), row_upper=np.array([12.0])))
    assert highs.getInfo().objective_function_value / factor == pytest.approx(-27.0)


def test_single_change_refuses_more_than_one_number():
    lp = hand_lp()
    assert single_change(lp, lp) is None
    assert single_change(lp, replace(lp, c=np.array([-1.0, -1.0]))) is None
    assert single_change(lp, replace(lp, col_upper=np.array([2.0, 9.0]))) is None
    assert single_change(lp, replace(lp, A=sp.csr_matrix(np.array([[1.0, 2.0]])))) is None
    # a cost and a bound together are two numbers
    assert single_change(lp, replace(lp, c=np.array([-1.0, -2.0]),
                                     row_upper=np.array([5.0]))) is None
