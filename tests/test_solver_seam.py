"""The seam between the planner and its solvers: capability flags instead of names, one
bound term, one device choice, HiGHS's banner kept off standard output."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field, replace

import numpy as np
import pytest
import scipy.sparse as sp

import sovnarkhoz
from sovnarkhoz.solvers import (
    Capability,
    LPData,
    SolverOptions,
    SolverResult,
    Status,
    capabilities,
    get_solver,
    is_exact,
)
from sovnarkhoz.solvers.device import check_device, pick_device
from sovnarkhoz.solvers.duality import bound_term, finite_bound_term
from sovnarkhoz.solvers.highs import DEFAULT_TOLERANCE, HighsSolver
from sovnarkhoz.solvers.reach import reach


def kantorovich():
    return sovnarkhoz.load_scenario(sovnarkhoz.bundled("kantorovich1939"))


def test_backends_declare_what_they_promise():
    highs = HighsSolver()
    assert is_exact(highs) and Capability.DUALS in highs.capabilities
    assert Capability.WARM_START not in highs.capabilities
    assert Capability.GPU not in highs.capabilities
    pytest.importorskip("torch")
    from sovnarkhoz.solvers.pdlp import PdlpSolver

    pdlp = PdlpSolver()
    assert not is_exact(pdlp)
    for flag in (Capability.DUALS, Capability.WARM_START, Capability.CERTIFICATES,
                 Capability.TIME_LIMIT, Capability.GPU):
        assert flag in pdlp.capabilities
    assert pdlp.default_tolerance > highs.default_tolerance == DEFAULT_TOLERANCE


def test_an_object_that_declares_nothing_promises_nothing():
    assert capabilities(object()) == Capability.NONE
    assert not is_exact(object())


@dataclass
class Wrapped:
    """HiGHS behind another name, with only the capabilities it is given: duals are dropped
    unless it declares them; records what it is handed."""

    capabilities: Capability
    name: str = "wrapped"
    default_tolerance: float = DEFAULT_TOLERANCE
    keep_duals: bool = False
    starts: list[bool] = field(default_factory=list)
    calls: int = 0

    def settings_for(self, lp, options):
        return options, ""

    def solve(self, lp, options=None, start=None):
        self.calls += 1
        self.starts.append(start is not None)
        result = HighsSolver().solve(lp, options)
        if not (self.keep_duals or Capability.DUALS in self.capabilities):
            result.row_dual, result.col_dual = np.zeros(0), np.zeros(0)
            result.dual_objective = float("nan")
        return replace(result, solver=self.name)


def test_a_solver_without_duals_gets_a_feasible_plan_and_no_proof():
    solver = Wrapped(Capability.EXACT)
    lines: list[str] = []
    plan = sovnarkhoz.make_plan(kantorovich(), solver=solver, progress=lines.append)
    assert solver.calls == 1  # no re-solve at a tighter tolerance: it cannot bring prices
    assert plan.solver == "wrapped" and plan.status == "feasible" and plan.exit_code == 1
    assert plan.verification.passed and plan.verification.optimality is None
    assert "no prices to prove it" in plan.message
    assert any("wrapped gives no prices" in line for line in lines)
    assert plan.fulfilment == pytest.approx(260 / 3, rel=1e-9)  # feasible, and checked


def test_duals_a_solver_does_not_promise_are_not_read():
    solver = Wrapped(Capability.EXACT, keep_duals=True)
    plan = sovnarkhoz.make_plan(kantorovich(), solver=solver)
    assert plan.status == "feasible" and plan.verification.optimality is None


def test_a_custom_exact_solver_with_duals_proves_its_plan():
    solver = Wrapped(Capability.EXACT | Capability.DUALS)
    plan = sovnarkhoz.make_plan(kantorovich(), solver=solver)
    assert plan.status == "optimal" and plan.solver == "wrapped"
    assert plan.verification.proven_optimal
    assert plan.fulfilment == pytest.approx(260 / 3, rel=1e-12)


def test_a_warm_start_goes_only_to_a_solver_that_can_use_it():
    first = sovnarkhoz.make_plan(kantorovich())
    cold = Wrapped(Capability.EXACT | Capability.DUALS)
    sovnarkhoz.make_plan(kantorovich(), solver=cold, warm_start=first)
    assert cold.starts == [False]
    warm = Wrapped(Capability.EXACT | Capability.DUALS | Capability.WARM_START)
    sovnarkhoz.make_plan(kantorovich(), solver=warm, warm_start=first)
    assert warm.starts == [True]


def test_reach_takes_any_exact_solver_at_its_word():
    lp = LPData(c=np.zeros(2), A=sp.csr_matrix(np.array([[1.0, -2.0]])),
                row_lower=np.array([-np.inf]), row_upper=np.array([0.0]),
                col_lower=np.zeros(2), col_upper=np.array([np.inf, 0.3]))
    answer = reach(lp, 0, Wrapped(Capability.EXACT | Capability.DUALS))
    assert answer.solves == 1 and answer.tolerance == 0.0
    assert answer.level == pytest.approx(0.6) and not answer.reached


def test_get_solver_takes_a_backend_as_given():
    solver = Wrapped(Capability.EXACT)
    backend, why = get_solver(solver)
    assert backend is solver and why == "wrapped, as given"
    with pytest.raises(ValueError, match="unknown solver"):
        get_solver("glpk")


def test_one_bound_term_two_readings():
    dual = np.array([2.0, -1.0, 0.0, 1e-12])
    lower = np.array([1.0, -np.inf, -np.inf, -np.inf])
    upper = np.array([np.inf, 3.0, np.inf, np.inf])
    assert bound_term(dual, lower, upper) == -np.inf  # strict: noise on a free bound counts
    assert finite_bound_term(dual, lower, upper) == pytest.approx(2.0 - 3.0)  # left out
    finite = np.array([2.0, -1.0, 0.0])
    assert bound_term(finite, lower[:3], upper[:3]) == finite_bound_term(finite, lower[:3],
                                                                         upper[:3])


def test_one_device_choice():
    assert pick_device("cpu") == "cpu"
    assert pick_device("auto") in ("cpu", "cuda")
    check_device("auto")
    with pytest.raises(ValueError, match="unknown device"):
        check_device("tpu")


def test_highs_banner_stays_off_standard_output():
    """HiGHS prints its banner from C on the first Highs() of a process; a quiet solve keeps
    it (and everything else) off file descriptor 1."""
    code = ("import numpy as np, scipy.sparse as sp\n"
            "from sovnarkhoz.solvers import LPData, SolverOptions\n"
            "from sovnarkhoz.solvers.highs import HighsSolver\n"
            "lp = LPData(c=np.array([-1.0]), A=sp.csr_matrix(np.ones((1, 1))),\n"
            "            row_lower=np.array([-np.inf]), row_upper=np.array([2.0]),\n"
            "            col_lower=np.zeros(1), col_upper=np.array([np.inf]))\n"
            "r = HighsSolver().solve(lp, SolverOptions())\n"
            "import sys; sys.stderr.write(r.status.value)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout == "" and done.stderr == Status.OPTIMAL.value


def test_pdlp_start_is_used_only_with_a_same_shaped_result():
    pytest.importorskip("torch")
    from sovnarkhoz.solvers.pdlp import PdlpSolver

    lp = LPData(c=np.array([-1.0, -1.0]), A=sp.csr_matrix(np.array([[1.0, 2.0]])),
                row_lower=np.array([-np.inf]), row_upper=np.array([4.0]),
                col_lower=np.zeros(2), col_upper=np.array([3.0, 3.0]))
    cpu = SolverOptions(device="cpu", tolerance=1e-8)
    first = PdlpSolver().solve(lp, cpu)
    assert first.status is Status.OPTIMAL and first.objective == pytest.approx(-3.5, rel=1e-6)
    other = SolverResult(status=Status.OPTIMAL, message="", solver="x", x=np.zeros(5))
    assert PdlpSolver().solve(lp, cpu, other).iterations == first.iterations
