"""PyTorch, imported only when the first-order solver is asked for, and device choice."""

from __future__ import annotations

from types import ModuleType

INSTALL_HINT = ("the pdlp solver needs PyTorch: pip install 'sovnarkhoz[gpu]' "
                "(or pip install torch; a CPU build is enough to run it on the CPU)")


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


def pick_device(name: str = "auto") -> str:
    """``auto`` -> cuda when a GPU is visible, else cpu; ``cpu``/``cuda`` as asked."""
    if name not in ("auto", "cpu", "cuda"):
        raise ValueError(f"unknown device {name!r}; choose auto, cpu or cuda")
    if name == "auto":
        return "cuda" if cuda_available() else "cpu"
    if name == "cuda" and not cuda_available():
        raise ValueError("--device cuda asked for, but PyTorch sees no CUDA device")
    return name
