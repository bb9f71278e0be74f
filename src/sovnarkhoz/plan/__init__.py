"""The result: plans built from solver output, labelled, verified against the tables."""

from .bottlenecks import bottlenecks
from .planner import make_plan
from .result import Plan
from .verify import Verification, verify

__all__ = ["Plan", "Verification", "bottlenecks", "make_plan", "verify"]
