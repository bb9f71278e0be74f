"""pdlp's compiled inner step (``PdlpSettings(compile_steps=True)``) on the CPU: the very same
iterates as the eager loop, so turning it on (for CUDA graphs on a GPU) changes no plan."""

from __future__ import annotations

import numpy as np
import pytest

from sovnarkhoz.formulation import Objective, build_lp
from sovnarkhoz.solvers import SolverOptions
from sovnarkhoz.solvers.pdlp import PdlpSettings, PdlpSolver

torch = pytest.importorskip("torch")


def test_compiled_steps_give_the_same_iterates_as_eager_ones(bundled_scenario):
    lp = build_lp(bundled_scenario("two_regions").economy, Objective.parse("max-fulfilment")).data
    options = SolverOptions(device="cpu", tolerance=1e-6, threads=1)
    eager = PdlpSolver(PdlpSettings(compile_steps=False)).solve(lp, options)
    compiled = PdlpSolver(PdlpSettings(compile_steps=True)).solve(lp, options)
    assert eager.status.value == compiled.status.value == "optimal"
    assert compiled.iterations == eager.iterations
    assert compiled.details["restarts"] == eager.details["restarts"]
    np.testing.assert_array_equal(compiled.x, eager.x)
    np.testing.assert_array_equal(compiled.row_dual, eager.row_dual)
    assert compiled.objective == eager.objective
