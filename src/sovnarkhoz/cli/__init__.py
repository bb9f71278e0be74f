"""Command-line interface: ``sovnarkhoz plan|validate|generate|scenarios``."""

from .main import main

__all__ = ["main", "run"]


def run() -> None:
    """Console entry point: exit with the command's code."""
    import sys

    sys.exit(main())
