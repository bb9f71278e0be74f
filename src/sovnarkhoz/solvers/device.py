"""PyTorch, imported only when something that runs on it is asked for, and the one choice of
device for everything that does (the pdlp solver, the Neumann series of ``balance``)."""

from __future__ import annotations

from types import ModuleType

from .options import DEVICES

INSTALL_HINT = ("the pdlp solver needs PyTorch: pip install 'sovnarkhoz[gpu]' "
                "(or pip install torch; a CPU build is enough to run it on the CPU)")
NO_CUDA = "no CUDA device is visible to PyTorch (or PyTorch is not installed)"


def import_torch() -> ModuleType:
    """The torch module, or an ImportError that says how to install it."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return torch


def torch_available() -> bool:
    try:
        import_torch()
    except ImportError:
        return False
    return True


def cuda_available() -> bool:
    if not torch_available():
        return False
    torch = import_torch()
    return bool(torch.cuda.is_available())


def check_device(name: str) -> None:
    """ValueError when device ``name`` cannot be had: an unknown name, or cuda without a
    visible CUDA device. auto and cpu always can (checked without importing PyTorch)."""
    if name not in DEVICES:
        raise ValueError(f"unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    if name == "cuda" and not cuda_available():
        raise ValueError(NO_CUDA)


def pick_device(name: str = "auto") -> str:
    """``auto`` -> cuda when a GPU is visible, else cpu; ``cpu``/``cuda`` as asked
    (ValueError for cuda when no CUDA device is visible: :func:`check_device`)."""
    check_device(name)
    if name == "auto":
        return "cuda" if cuda_available() else "cpu"
    return name
