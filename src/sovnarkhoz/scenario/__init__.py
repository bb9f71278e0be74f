"""Data in: scenario directories (CSV or Parquet tables), validation, the indexed economy."""

from .economy import Economy
from .errors import Issue, ScenarioError
from .model import Scenario, load_scenario

__all__ = ["Economy", "Issue", "Scenario", "ScenarioError", "load_scenario"]
