"""Collective decision: the frontier of the priorities' levels, what bodies adopt.

``frontier(LevelSolver(scenario))`` gives the Pareto frontier (exact for two priorities);
``Chamber(scenario).decide(body)`` each faction's ideal, majority rule among the body's full
members, and the factions' voting power.
"""

from .decide import COMPROMISE, Chamber, Decision, seats
from .frontier import Frontier, frontier
from .levels import FrontierError, LevelSolver, Point
from .power import Power, majority_quota, weighted_game_power
from .vote import Ballot, majority

__all__ = ["COMPROMISE", "Ballot", "Chamber", "Decision", "Frontier", "FrontierError",
           "LevelSolver", "Point", "Power", "frontier", "majority", "majority_quota", "seats",
           "weighted_game_power"]
