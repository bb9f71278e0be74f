"""The sovnarkhozy: councils plan their own part of the economy, coordinated by the centre."""

from .admm import coordinate
from .behaviour import Behaviour
from .compare import compare_organisations
from .partition import ORGANISATIONS, Partition, partition
from .protocol import Coordination, Round
from .run import ENGINES, PROTOCOLS, plan_by_councils

__all__ = ["ENGINES", "ORGANISATIONS", "PROTOCOLS", "Behaviour", "Coordination", "Partition",
           "Round", "compare_organisations", "coordinate", "partition", "plan_by_councils"]
