"""The ``sovnarkhoz`` command: plan, validate, generate, scenarios.

Exit codes (../shared/DESIGN.md): 0 a plan was found, 1 no plan (infeasible, unbounded, time
limit, error; the summary says which), 2 bad input or usage. Bad input never shows a
traceback: it prints every problem found, each with file, line, column and value. Beyond the
contract, as shells have it: 130 after Ctrl-C, 143 after SIGTERM (each with one line on
stderr), 141 when stdout's reader has gone (``sovnarkhoz scenarios | head -1``), quietly.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, NoReturn

from .. import __version__
from ..bundled import ROOT as BUNDLED_ROOT
from ..bundled import bundled_names
from ..councils import ENGINES, ORGANISATIONS, PROTOCOLS
from ..output import OutputError
from ..scenario.errors import ScenarioError
from ..scenario.files import FORMATS
from ..solvers import DEVICES, METHODS, SOLVER_NAMES
from . import horizon
from .importing import add_import_parser, run_import
from .outputs import add_force, check_out, error_line, staged_folder
from .report import add_report_command, add_report_flag, check_report, say_report, stage_report
from .summary import print_plan_summary

EXIT_OK, EXIT_NO_PLAN, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_BROKEN_PIPE = 130, 143, 141  # 128 + the signal


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised wherever the program is, so that it unwinds as on Ctrl-C."""


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


class _ArgumentError(UsageError):
    """A flag or argument argparse rejected; the message already names the command."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (exit 2) rather than the usage text
    followed by ``SystemExit`` from inside :func:`main`; subcommand parsers inherit this."""

    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(f"{self.prog}: {message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sovnarkhoz",
        description="Plan whole economies: Leontief balances, Kantorovich's optimal plans and "
                    "shadow prices, verified against the scenario's own tables.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_plan(sub)
    _add_validate(sub)
    _add_generate(sub)
    _add_compare(sub)
    sub.add_parser("scenarios", help="list the bundled scenarios")
    horizon.add_commands(sub)
    add_import_parser(sub)
    from .decision import add_parsers  # frontier, decide: collective decision
    add_parsers(sub)
    add_report_command(sub)
    for command in ("plan", "compare", "earliest", "explain", "frontier", "decide"):
        add_report_flag(sub.choices[command])
    from .history import add_parsers as add_history  # history, sensitivity (issue 19)
    add_history(sub)
    return parser


def _add_plan(sub: Any) -> None:
    """``plan``: the scenario, the objective and the solver, then the councils."""
    plan = sub.add_parser("plan", help="compute, verify and write a plan")
    plan.add_argument("scenario", metavar="DIR",
                      help="scenario directory, or the name of a bundled scenario")
    plan.add_argument("--objective", help="max-fulfilment (default), max-total-fulfilment, "
                      "min-factor:NAME, balance or max-harmony; "
                      "default: the scenario's [plan] objective")
    plan.add_argument("--solver", choices=SOLVER_NAMES, default="auto",
                      help="auto (HiGHS for small problems, pdlp on a GPU for large ones), "
                      "highs (exact) or pdlp (first-order, PyTorch); with councils, what each "
                      "council plans with (prices and dantzig-wolfe protocols)")
    plan.add_argument("--device", choices=DEVICES, default="auto",
                      help="where pdlp runs (auto: CUDA when visible)")
    plan.add_argument("--tolerance", type=_fraction, metavar="EPS",
                      help="pdlp: relative KKT error to reach (default 1e-4); "
                      "HiGHS: feasibility tolerance (default 1e-7)")
    plan.add_argument("--method", choices=METHODS, default="auto",
                      help="HiGHS algorithm: simplex, ipm (interior point + crossover) or auto")
    plan.add_argument("--threads", type=_threads, help="solver threads (at most the "
                      "machine's processors; default: HiGHS's own choice, and for pdlp on the "
                      "CPU one thread per million nonzeros, no more than the cores free)")
    plan.add_argument("--time-limit", type=_positive_float, metavar="S",
                      help="stop the solver after S seconds and keep what it has")
    plan.add_argument("--out", type=Path, metavar="OUT",
                      help="write summary.json and the plan's tables here")
    plan.add_argument("--format", choices=FORMATS, default="csv", help="format of the tables")
    add_force(plan)
    _add_council_flags(plan)
    plan.add_argument("--quiet", action="store_true", help="no progress lines")
    plan.add_argument("--verbose", action="store_true", help="show the solver's own log")


def _add_council_flags(plan: argparse.ArgumentParser) -> None:
    """``plan``'s flags for planning by councils: organisation, protocol, engine and how
    councils behave."""
    plan.add_argument("--organisation", choices=ORGANISATIONS, default="central",
                      help="central (one exact plan), territorial (a council per regions.csv "
                      "council) or branch (a ministry per products.csv branch)")
    plan.add_argument("--protocol", choices=PROTOCOLS, default="auto",
                      help="how the centre coordinates councils (default auto: chosen from "
                      "the horizon and the number of councils, and the choice is printed; "
                      "docs/performance.md): posted prices moved by the "
                      "mismatch of the councils' answers, within a step (prices: a stabilised "
                      "proximal method on the councils' dual); quotas allotted with prices for "
                      "what goes beyond them, from the centre's mix of the councils' plans "
                      "(quotas: Kornai-Liptak); prices "
                      "from the centre's best mix of proposals (dantzig-wolfe); or sharing "
                      "ADMM with proximal terms (admm)")
    plan.add_argument("--engine", choices=ENGINES, default="local",
                      help="where councils run: in this process, in worker processes, or in "
                      "Ray actors (pip install 'sovnarkhoz[ray]')")
    plan.add_argument("--address", help="Ray cluster to join with --engine ray (host:port, "
                      "or auto for the cluster this machine belongs to; default: "
                      "$RAY_ADDRESS if set, else a Ray instance of this run's own)")
    plan.add_argument("--rounds", type=_positive_int, default=2000,
                      help="most rounds of coordination (default 2000)")
    plan.add_argument("--localism", type=_non_negative_float, default=0.0,
                      metavar="ALPHA",
                      help="councils value exports to other councils ALPHA points of the "
                      "objective less per whole target bundle (default 0: cooperative)")
    plan.add_argument("--departmentalism", type=_non_negative_float, default=0.0,
                      metavar="DELTA",
                      help="with --organisation branch: ministries value what they make for "
                      "others' needs DELTA points of the objective less per whole target "
                      "bundle (default 0)")
    plan.add_argument("--hidden", type=_share, default=0.0, metavar="H",
                      help="councils hide this fraction of their factor supplies (default 0)")


def _add_validate(sub: Any) -> None:
    """``validate``: every problem of a scenario, with file, line, column and value."""
    validate = sub.add_parser("validate", help="check a scenario and list every problem")
    validate.add_argument("scenario", metavar="DIR")
    validate.add_argument("--objective", help="also check what this objective needs "
                          "(e.g. balance needs a productive technology)")


def _add_generate(sub: Any) -> None:
    """``generate``: a synthetic economy of any size."""
    generate = sub.add_parser("generate", help="write a synthetic economy of any size")
    generate.add_argument("directory", metavar="DIR", type=Path)
    generate.add_argument("--products", type=_positive_int, required=True)
    generate.add_argument("--regions", type=_positive_int, required=True)
    generate.add_argument("--techniques", type=_positive_int, default=1,
                          help="techniques per product and region (default 1)")
    generate.add_argument("--inputs", type=_non_negative_int, default=8,
                          help="products each technique uses (default 8)")
    generate.add_argument("--factors", type=_non_negative_int, default=2,
                          help="primary factors (default 2)")
    generate.add_argument("--seed", type=_non_negative_int, default=0)
    generate.add_argument("--years", type=_positive_int, default=1,
                          help="years planned (default 1; more makes a [horizon] from 2000)")
    generate.add_argument("--capital", type=_non_negative_int, default=0,
                          help="capital goods each technique needs (multi-year only)")
    generate.add_argument("--format", choices=FORMATS, default="csv")
    add_force(generate, scenario=True)


def _add_compare(sub: Any) -> None:
    """``compare``: the organisations side by side."""
    compare = sub.add_parser("compare", help="plan by each organisation and compare them")
    compare.add_argument("scenario", metavar="DIR")
    compare.add_argument("--objective")
    compare.add_argument("--engine", choices=ENGINES, default="local")
    compare.add_argument("--protocol", choices=PROTOCOLS,
                         default="auto",
                         help="how the centre coordinates the councils (see plan --protocol); "
                         "default auto: each organisation's own choice")
    compare.add_argument("--rounds", type=_positive_int, default=2000)
    compare.add_argument("--tolerance", type=_fraction, default=1e-4, metavar="EPS")
    compare.add_argument("--out", type=Path, metavar="OUT",
                         help="also write OUT/comparison.csv")
    add_force(compare)
    compare.add_argument("--quiet", action="store_true", help="no progress lines")


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def _number(text: str) -> float:
    """A finite number: NaN and infinity are refused wherever a number is read."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def _checked(read, holds, must: str):
    """An argparse type: ``read`` the text (:func:`_whole` or :func:`_number`), then refuse
    a value for which ``holds`` is false, saying what it ``must`` be."""
    def check(text: str):
        value = read(text)
        if not holds(value):
            raise argparse.ArgumentTypeError(f"{must}, got {text}")
        return value
    return check


_positive_int = _checked(_whole, lambda v: v >= 1, "must be at least 1")
_non_negative_int = _checked(_whole, lambda v: v >= 0, "must be zero or more")
_fraction = _checked(_number, lambda v: 0 < v < 1, "must lie between 0 and 1")
_share = _checked(_number, lambda v: 0 <= v < 1, "must lie in [0, 1)")
_non_negative_float = _checked(_number, lambda v: v >= 0, "must be zero or more")
_positive_float = _checked(_number, lambda v: v > 0, "must be a positive number of seconds")


def _threads(text: str) -> int:
    """Solver threads: 1 to the machine's processors (HiGHS aborts the process when asked
    for far more threads than there are)."""
    value = _positive_int(text)
    available = os.cpu_count() or 1
    if value > available:
        raise argparse.ArgumentTypeError(f"must be at most {available}, the processors this "
                                         f"machine has; got {text}")
    return value


def resolve_scenario(text: str) -> Path:
    """A directory as given, or a bundled scenario of that name."""
    path = Path(text)
    if path.is_dir():
        return path
    if (BUNDLED_ROOT / text / "products.csv").exists():
        return BUNDLED_ROOT / text
    raise UsageError(f"{text}: no such scenario directory, nor a bundled scenario "
                     f"(bundled: {', '.join(bundled_names())})")


def load_checked(directory: Path):  # -> Scenario
    """Load and validate the scenario in ``directory``; print its warnings on stderr, each
    with file, line, column and value (bad input raises ScenarioError, as load_scenario)."""
    from ..scenario import load_scenario

    scenario = load_scenario(directory)
    for warning in scenario.warnings.issues:
        print(f"warning: {warning}", file=sys.stderr)
    if scenario.warnings.overflow:
        print(f"warning: ... and {scenario.warnings.overflow} more like these", file=sys.stderr)
    return scenario


def main(argv: list[str] | None = None) -> int:
    """Run ``sovnarkhoz ARGV`` and return its exit code, never a traceback for what a user
    does: Ctrl-C ends with one line and 130, SIGTERM with one line and 143, and a reader
    that stops reading (``sovnarkhoz scenarios | head -1``) ends it quietly with 141."""
    words = sys.argv[1:] if argv is None else argv
    name = "sovnarkhoz" + (f" {words[0]}" if words and not words[0].startswith("-") else "")
    installed, previous = _raise_on_sigterm()
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here rather than at the interpreter's exit
        return code
    except KeyboardInterrupt as stop:
        terminated = isinstance(stop, Terminated)
        _say(f"{name}: interrupted" + (" (SIGTERM)" if terminated else ""))
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    finally:
        if installed:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _raise_on_sigterm() -> tuple[bool, object]:
    """Make SIGTERM raise :class:`Terminated` (from the main thread only, where handlers can
    be set): whether it was done, and the handler it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return False, None

    def terminate(signum, frame) -> None:
        raise Terminated()

    return True, signal.signal(signal.SIGTERM, terminate)


def _say(line: str) -> None:
    """One line on stderr, if stderr can still take it."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _discard_stdout() -> None:
    """stdout's reader has gone: point stdout at /dev/null, so that nothing left in its
    buffer fails again at exit (the recipe of Python's signal module documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout without a file descriptor (captured): nothing to flush to a pipe


def _main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except _ArgumentError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return (_COMMANDS.get(args.command) or args.run)(args)
    except ScenarioError as error:
        print(error.report(), file=sys.stderr)
        return EXIT_BAD_INPUT
    except UsageError as error:
        print(f"sovnarkhoz {args.command}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputError as error:
        print(error_line(args.command, error), file=sys.stderr)
        return EXIT_BAD_INPUT


def _check_solver_available(solver: str, device: str) -> None:
    from ..solvers import pdlp
    from ..solvers.device import check_device

    if solver == "pdlp" and not pdlp.torch_available():
        raise UsageError(f"--solver pdlp: {pdlp.INSTALL_HINT}")
    try:
        check_device(device)
    except ValueError as error:
        raise UsageError(f"--device {device}: {error}") from None


def _checked_objective(text: str | None) -> str | None:
    from ..formulation import Objective

    if text is None:
        return None
    try:
        return str(Objective.parse(text))
    except ValueError as error:
        raise UsageError(f"--objective: {error}") from None


def _stage_printer(quiet: bool):
    started = time.perf_counter()

    def say(line: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - started:8.2f} s] {line}", file=sys.stderr, flush=True)

    say.started = started  # type: ignore[attr-defined]  # for RoundDisplay's lines
    return say


def _plan(args: argparse.Namespace) -> int:
    from ..plan import make_plan
    from ..solvers import SolverOptions

    check_out(args.out, args.force, command="plan")
    check_report(args)
    say = _stage_printer(args.quiet)
    objective = _checked_objective(args.objective)
    _check_solver_available(args.solver, args.device)
    directory = resolve_scenario(args.scenario)
    options = SolverOptions(time_limit=args.time_limit, method=args.method,
                            threads=args.threads, tolerance=args.tolerance, device=args.device,
                            verbose=args.verbose)
    clock = time.perf_counter()
    scenario = load_checked(directory)
    loaded = time.perf_counter() - clock
    say(f"loaded and validated {directory} ({loaded:.2f} s): " + ", ".join(
        f"{n:,} {k}" for k, n in scenario.economy.shape.items()))
    if args.organisation == "central":
        plan = make_plan(scenario, objective=objective, solver=args.solver, options=options,
                         progress=say)
    else:
        plan = _plan_by_councils(args, scenario, objective, say.started)
    plan.timings = {"load_and_validate": loaded, **plan.timings}
    from .report import write_plan

    written, report = write_plan(plan, args) if args.out is not None else ([], None)
    print_plan_summary(plan, written)
    say_report(args, report)
    return plan.exit_code


def _plan_by_councils(args: argparse.Namespace, scenario, objective: str | None,
                      started: float | None = None):
    """Councils coordinated round by round, showing the rounds done, mismatch and gap."""
    from ..councils import plan_by_councils
    from ..councils.behaviour import Behaviour
    from ..councils.choice import AUTO, choose_protocol
    from .progress import RoundDisplay

    tolerance = args.tolerance if args.tolerance is not None else 1e-4
    protocol = args.protocol
    if protocol == AUTO and args.organisation in ORGANISATIONS:
        chosen = choose_protocol(scenario, args.organisation)
        protocol = chosen.protocol
        if not args.quiet:
            clock = time.perf_counter() - (started if started is not None else 0.0)
            prefix = f"[{clock:8.2f} s] " if started is not None else ""
            print(f"{prefix}protocol {chosen.reason}", file=sys.stderr, flush=True)
    label = f"{args.organisation} councils, {protocol}"
    with RoundDisplay(label, quiet=args.quiet, started=started) as display:
        try:
            return plan_by_councils(scenario, args.organisation, objective=objective,
                                    protocol=args.protocol, engine=args.engine,
                                    tolerance=tolerance, max_rounds=args.rounds,
                                    progress=display.update,
                                    behaviour=Behaviour(args.localism, args.hidden,
                                                        args.departmentalism),
                                    address=args.address, solver=args.solver)
        except (ValueError, ImportError, ConnectionError) as error:
            raise UsageError(str(error)) from None


def _validate(args: argparse.Namespace) -> int:
    objective = _checked_objective(args.objective)
    directory = resolve_scenario(args.scenario)
    scenario = load_checked(directory)
    objective = objective or scenario.default_objective
    scenario.check_objective(objective)
    shape = scenario.economy.shape
    print(f"{directory}: valid for {objective} (" +
          ", ".join(f"{n:,} {k}" for k, n in shape.items()) + ")")
    for warning in scenario.objective_warnings(objective):
        print(f"  warning: {warning}")
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from ..scenario.generate import GeneratorSpec, generate

    check_out(args.directory, args.force, command="generate", scenario=True)
    try:
        spec = GeneratorSpec(products=args.products, regions=args.regions,
                             techniques=args.techniques, inputs=args.inputs,
                             factors=args.factors, seed=args.seed, years=args.years,
                             capital=args.capital)
    except ValueError as error:
        raise UsageError(str(error)) from None
    _check_generate_target(args.directory, spec)
    clock = time.perf_counter()
    try:
        generate(args.directory, spec, args.format, force=args.force)
    except MemoryError:
        raise UsageError(f"{args.directory}: an economy this large does not fit in this "
                         "machine's memory") from None
    except OSError as error:
        raise UsageError(f"{args.directory}: cannot write there: "
                         f"{error.strerror or error}") from None
    techniques = spec.products * spec.regions * spec.techniques
    print(f"wrote {args.directory}: {spec.products:,} products x {spec.regions:,} regions x "
          f"{spec.techniques} techniques = {techniques:,} techniques "
          f"({time.perf_counter() - clock:.2f} s)")
    return EXIT_OK


GENERATE_LIMIT = 10**10
"""Most input rows ``generate`` will attempt (far beyond any machine's memory)."""


def _check_generate_target(directory: Path, spec) -> None:
    """``generate`` writes into a directory: not over a file, not absurdly large."""
    try:
        taken = directory.exists() and not directory.is_dir()
    except OSError as error:  # e.g. a folder on the way that cannot be searched
        raise UsageError(f"{directory}: cannot write there: {error.strerror or error}") from None
    if taken:
        raise UsageError(f"{directory}: exists and is not a directory; generate writes a "
                         "scenario directory")
    rows = spec.products * spec.regions * spec.techniques * spec.years * (
        min(spec.inputs, spec.products - 1) + spec.factors + spec.capital + 1)
    if rows > GENERATE_LIMIT:
        raise UsageError(f"{spec.products} products x {spec.regions} regions x "
                         f"{spec.techniques} techniques would make about {rows:.3g} rows; "
                         f"at most {GENERATE_LIMIT:.0e} can be generated")


def _scenarios(args: argparse.Namespace) -> int:
    from ..scenario.files import read_toml

    for name in bundled_names():
        settings, _ = read_toml(BUNDLED_ROOT / name / "scenario.toml")
        description = settings.get("scenario", {}).get("description", "")
        print(f"{name}\n    {description}")
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from ..councils import compare_organisations
    from .progress import RoundDisplay

    check_out(args.out, args.force, command="compare")
    check_report(args)
    say = _stage_printer(args.quiet)
    objective = _checked_objective(args.objective)
    scenario = load_checked(resolve_scenario(args.scenario))
    displays: dict[str, RoundDisplay] = {}
    rounds: list[dict] = []  # every organisation's rounds, for rounds.csv

    def starting(organisation: str, protocol: str | None) -> None:
        if protocol is None:
            say(f"{organisation}: planning centrally (HiGHS)")
            return
        say(f"{organisation} councils: planning by the {protocol} protocol "
            f"(at most {args.rounds} rounds, to a gap of {args.tolerance:g})")
        displays[organisation] = RoundDisplay(f"{organisation} councils, {protocol}",
                                              quiet=args.quiet, started=say.started)

    def finished(organisation: str) -> None:
        display = displays.pop(organisation, None)
        if display is not None:
            display.close()

    try:
        table = compare_organisations(
            scenario, objective, args.engine, args.tolerance, args.rounds, args.protocol,
            starting=starting, progress=lambda who, record: (
                displays[who].update(record), rounds.append({"organisation": who,
                                                             **record.record()})),
            finished=finished)
    except (ValueError, ImportError) as error:
        raise UsageError(str(error)) from None
    print(f"Organisations compared on {scenario.name} (tolerance {args.tolerance:g}):")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.6g}"))
    if args.out is not None:
        with staged_folder(args.out, "compare", force=args.force) as staging:
            table.to_csv(staging / "comparison.csv", index=False)
            _rounds_table(rounds).to_csv(staging / "rounds.csv", index=False)
            report = stage_report(args, staging, "compare")
        say_report(args, report)
    return EXIT_OK if (table["status"] == "optimal").all() else EXIT_NO_PLAN


def _rounds_table(rounds: list[dict]):
    """rounds.csv: organisation, then each round as the plan's history keeps it."""
    import pandas as pd

    return pd.DataFrame(rounds, columns=["organisation", "round", "mismatch", "objective",
                                         "dual_objective", "gap", "dual_residual", "rho",
                                         "messages", "bytes", "seconds"] if not rounds else None)


_COMMANDS = {"plan": _plan, "validate": _validate, "generate": _generate,
             "compare": _compare, "scenarios": _scenarios, "earliest": horizon.run_earliest,
             "explain": horizon.run_explain, "import": run_import}
