"""The linear program of a scenario: objectives, labelled sparse assembly, Leontief's system."""

from ..scenario.objectives import Kind, Objective
from .build import Layout, Levels, Mode, build, build_lp, economy_layout, shipped_products
from .leontief import BalanceSolution, solve_balance
from .program import Block, LinearProgram

__all__ = ["BalanceSolution", "Block", "Kind", "Layout", "Levels", "LinearProgram", "Mode",
           "Objective", "build", "build_lp", "economy_layout", "shipped_products",
           "solve_balance"]
