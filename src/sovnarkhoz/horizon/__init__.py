"""Questions over the years of a multi-year scenario: the earliest year targets can be met,
and (for any scenario) why targets cannot be met (``plan.explain``)."""

from ..plan.explain import Explanation, explain
from .earliest import Earliest, earliest

__all__ = ["Earliest", "Explanation", "earliest", "explain"]
