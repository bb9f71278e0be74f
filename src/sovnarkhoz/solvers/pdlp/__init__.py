"""pdlp: our first-order LP solver (restarted Halpern PDHG with reflection) in PyTorch."""

from ..device import INSTALL_HINT, cuda_available, pick_device, torch_available
from .solver import DEFAULT_TOLERANCE, PdlpSettings, PdlpSolver

__all__ = ["DEFAULT_TOLERANCE", "INSTALL_HINT", "PdlpSettings", "PdlpSolver", "cuda_available",
           "pick_device", "torch_available"]
