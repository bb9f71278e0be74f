"""Shared fixtures: bundled scenarios and small generated economies."""

from __future__ import annotations

import pytest

import sovnarkhoz
from sovnarkhoz.scenario.generate import GeneratorSpec, generate_tables


@pytest.fixture
def bundled_scenario():
    def load(name: str) -> sovnarkhoz.Scenario:
        return sovnarkhoz.load_scenario(sovnarkhoz.bundled(name))

    return load


def generated(products: int, regions: int, techniques: int = 1, inputs: int = 3,
              factors: int = 2, seed: int = 0) -> sovnarkhoz.Scenario:
    """A small synthetic scenario built in memory through the DataFrame API."""
    spec = GeneratorSpec(products, regions, techniques, inputs, factors, seed)
    return sovnarkhoz.Scenario.from_frames(name=spec.name, **generate_tables(spec))
