"""The linear program of a scenario: objectives, labelled sparse assembly, Leontief's system."""

from ..scenario.objectives import Objective
from .build import build_lp, shipped_products
from .leontief import BalanceSolution, solve_balance
from .program import Block, LinearProgram

__all__ = ["BalanceSolution", "Block", "LinearProgram", "Objective", "build_lp",
           "shipped_products", "solve_balance"]
