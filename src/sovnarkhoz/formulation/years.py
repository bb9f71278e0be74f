"""A scenario's layout over its years: yearly supplies and targets, capital stocks.

The LP itself is built by :func:`~sovnarkhoz.formulation.build.build` for a horizon of one
year or many; here the scenario's tables become that layout. Rows of supplies.csv and
targets.csv without a year hold every year, a row with a year replaces them in that year;
supplies without a year grow by growth.csv. A single-year scenario is one undated year of its
economy (:func:`~sovnarkhoz.formulation.build.economy_layout`) unless years are asked of it
(``explain`` plans it as the one-year horizon :data:`ONE_YEAR`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scenario.horizon import Horizon, yearly_amounts
from ..scenario.model import Scenario
from ..scenario.objectives import Objective
from .build import (
    ONE_YEAR,
    Capital,
    Core,
    Layout,
    Mode,
    YearlyTargets,
    build,
    build_core,
    economy_layout,
)
from .program import LinearProgram

__all__ = ["ONE_YEAR", "build_years", "capital_of", "scenario_horizon", "scenario_layout",
           "yearly_supply", "yearly_targets"]


def scenario_horizon(scenario: Scenario) -> Horizon:
    """The scenario's horizon, or a one-year horizon for a single-year scenario."""
    return scenario.horizon if scenario.horizon is not None else ONE_YEAR


def capital_of(scenario: Scenario) -> Capital:
    """capital.csv as index arrays (empty for a scenario without one)."""
    table = scenario.tables.get("capital")
    if table is None or not len(table):
        return Capital.none()
    codes = scenario.codes
    return Capital(
        technique=codes.reference("capital", "technique"),
        good=codes.reference("capital", "good"),
        amount=table["amount"].to_numpy(dtype=np.float64),
        stock=_or_zero(table, "stock"),
        depreciation=_or_zero(table, "depreciation"),
    )


def yearly_supply(scenario: Scenario, horizon: Horizon) -> np.ndarray:
    """(Y, R, F) factor supply of every region in every year (growth applied)."""
    e = scenario.economy
    R, F = len(e.regions), len(e.factors)
    supplies = scenario.tables["supplies"]
    if not len(supplies) or F == 0:
        return np.zeros((horizon.count, R, F))
    codes = scenario.codes
    keys = codes.reference("supplies", "region") * F + codes.reference("supplies", "factor")
    growth = np.zeros(R * F)
    table = scenario.tables.get("growth")
    if table is not None and len(table):
        growth[codes.reference("growth", "region") * F + codes.reference("growth", "factor")] = (
            table["rate"].to_numpy(dtype=np.float64))
    return yearly_amounts(supplies, keys, R * F, horizon, growth).reshape(horizon.count, R, F)


def yearly_targets(scenario: Scenario, horizon: Horizon, core: Core) -> YearlyTargets:
    """Each distinct target pair's amount in every year (see :class:`YearlyTargets`)."""
    e = scenario.economy
    P = len(e.products)
    key = e.target_region.astype(np.int64) * P + e.target_product
    pairs, inverse = np.unique(key, return_inverse=True)
    targets = scenario.tables["targets"]
    amount = yearly_amounts(targets, inverse, len(pairs), horizon)
    weight = yearly_amounts(targets.assign(amount=e.target_weight), inverse, len(pairs),
                            horizon)
    return YearlyTargets(keys=pairs, amount=amount, row=core.balance_row(pairs), weight=weight)


def scenario_layout(scenario: Scenario, horizon: Horizon | None = None) -> Layout:
    """The layout of ``scenario`` over ``horizon``, dated; without one, over the scenario's own
    years (one undated year for a single-year scenario)."""
    if horizon is None and scenario.horizon is None:
        return economy_layout(scenario.economy)
    horizon = horizon or scenario_horizon(scenario)
    e = scenario.economy
    capital = capital_of(scenario)
    good_keys = e.tech_region[capital.technique].astype(np.int64) * len(e.products) + capital.good
    core = build_core(e, extra_balance_keys=good_keys)
    return Layout(economy=e, horizon=horizon, dated=True, core=core,
                  targets=yearly_targets(scenario, horizon, core), capital=capital,
                  supply=yearly_supply(scenario, horizon))


def build_years(scenario: Scenario, objective: Objective | None,
                horizon: Horizon | None = None, mode: Mode | None = None) -> LinearProgram:
    """The dated LP of ``scenario`` over ``horizon`` (default: its own, or :data:`ONE_YEAR`).

    objective : max-fulfilment (one λ over all years), max-total-fulfilment (λ_t, maximise
        Σ_t λ_t), min-factor:NAME (every target in full, least total use of NAME), or None:
        every target in full and no cost (a feasibility problem, for explanations).
    mode : which targets λ scales and how many λ there are (default: the objective's own);
        costs stay zero on the λ columns unless the objective sets them (``earliest``).
    """
    return build(scenario_layout(scenario, horizon or scenario_horizon(scenario)), objective,
                 mode)


def _or_zero(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    return np.nan_to_num(frame[column].to_numpy(dtype=np.float64), nan=0.0)
