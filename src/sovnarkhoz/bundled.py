"""Scenarios shipped with the package, found by name."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parent / "scenarios"


def bundled_names() -> list[str]:
    """Names of the bundled scenarios."""
    return sorted(p.name for p in ROOT.iterdir() if (p / "products.csv").exists())


def bundled(name: str) -> Path:
    """Directory of the bundled scenario ``name``."""
    path = ROOT / name
    if not (path / "products.csv").exists():
        raise KeyError(f"no bundled scenario {name!r}; bundled: {', '.join(bundled_names())}")
    return path
