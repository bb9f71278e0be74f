"""sovnarkhoz: a planning engine for whole economies.

>>> import sovnarkhoz
>>> scenario = sovnarkhoz.load_scenario(sovnarkhoz.bundled("kantorovich1939"))
>>> plan = sovnarkhoz.make_plan(scenario)
>>> round(plan.fulfilment, 4)
86.6667
"""

from importlib.metadata import PackageNotFoundError, version

from .bundled import bundled, bundled_names
from .plan import Plan, Verification, make_plan, verify
from .scenario import Economy, Issue, Scenario, ScenarioError, load_scenario
from .scenario.mrio import from_pymrio
from .solvers import SolverOptions

try:  # one version string: pyproject.toml's, as the installed package's metadata gives it
    __version__ = version("sovnarkhoz")
except PackageNotFoundError:  # pragma: no cover - sources on the path, never installed
    __version__ = "0+unknown"

__all__ = ["Economy", "Issue", "Plan", "Scenario", "ScenarioError", "SolverOptions",
           "Verification", "bundled", "bundled_names", "from_pymrio", "load_scenario", "make_plan",
           "verify"]
