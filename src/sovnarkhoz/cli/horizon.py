"""``sovnarkhoz earliest`` and ``sovnarkhoz explain``: questions over the years.

Exit codes (../shared/DESIGN.md): earliest 0 when a year is found, 1 when the targets cannot
be met within the horizon; explain 0 when there is nothing to explain, 1 when it explains why
targets cannot be met; both 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from .outputs import add_force, check_out, staged_folder
from .report import check_report, say_report, stage_report


def _solver_arguments(parser: argparse.ArgumentParser) -> None:
    """--solver, --device, --tolerance, --threads and --time-limit, as for ``plan``."""
    from ..solvers import DEVICES, SOLVER_NAMES
    from .main import _fraction, _positive_float, _threads

    parser.add_argument("--solver", choices=SOLVER_NAMES, default="auto",
                        help="auto (HiGHS, or pdlp on a GPU for LPs of 200,000 nonzeros or "
                        "more), highs (exact) or pdlp (first-order, PyTorch)")
    parser.add_argument("--device", choices=DEVICES, default="auto",
                        help="where pdlp runs (auto: CUDA when visible)")
    parser.add_argument("--tolerance", type=_fraction, metavar="EPS",
                        help="pdlp: relative KKT error to start from (default 1e-6, refined "
                        "where a share lies too near 1 to tell); HiGHS: feasibility "
                        "tolerance (default 1e-7)")
    parser.add_argument("--threads", type=_threads, help="solver threads (at most the "
                        "machine's processors; default: HiGHS's own choice, and for pdlp on "
                        "the CPU one thread per million nonzeros, no more than the cores free)")
    parser.add_argument("--time-limit", type=_positive_float, metavar="S",
                        help="stop any one solve after S seconds (the question is then "
                        "not answered)")


def _options(args: argparse.Namespace):  # -> SolverOptions
    from ..solvers import SolverOptions
    from .main import _check_solver_available

    _check_solver_available(args.solver, args.device)
    return SolverOptions(time_limit=args.time_limit, threads=args.threads,
                         tolerance=args.tolerance, device=args.device)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the earliest and explain subcommands to the ``sovnarkhoz`` parser."""
    first = sub.add_parser("earliest", help="the earliest year chosen targets can be met in full")
    first.add_argument("scenario", metavar="DIR")
    first.add_argument("--targets", metavar="REGION:PRODUCT,...",
                       help="the targets to meet (region:product or product, comma-separated; "
                       "default: all); the others are held in full every year")
    first.add_argument("--from", dest="from_year", type=int, metavar="YEAR",
                       help="try only the years from YEAR on (goals that start after the "
                       "first year, beside needs held from the start)")
    first.add_argument("--each", action="store_true",
                       help="answer for every item of --targets on its own (the other items "
                       "let go), then for all together; writes OUT/earliest_each.csv, "
                       "earliest_each_summary.csv and earliest_each.png")
    first.add_argument("--out", type=Path, metavar="OUT", help="also write OUT/earliest.json")
    add_force(first)
    _solver_arguments(first)
    why = sub.add_parser("explain", help="why the targets cannot all be met in full")
    why.add_argument("scenario", metavar="DIR")
    why.add_argument("--out", type=Path, metavar="OUT", help="also write OUT/explanation.json")
    add_force(why)
    _solver_arguments(why)


def _write(out: Path | None, name: str, content: dict, command: str, force: bool,
           args: argparse.Namespace | None = None) -> None:
    if out is not None:
        with staged_folder(out, command, force=force) as staging:
            (staging / name).write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
            report = stage_report(args, staging, command)
        say_report(args, report)


def run_earliest(args: argparse.Namespace) -> int:
    from ..horizon import earliest
    from ..solvers.reach import Reach
    from .main import load_checked, resolve_scenario

    check_out(args.out, args.force, command="earliest")
    check_report(args)
    options = _options(args)
    scenario = load_checked(resolve_scenario(args.scenario))
    targets = [t.strip() for t in args.targets.split(",") if t.strip()] if args.targets else None
    what = ", ".join(targets) if targets else "every target"
    horizon = scenario.horizon
    if horizon is not None:
        print(f"Earliest year for {what} in {scenario.name} ({horizon.first}-{horizon.last}):",
              flush=True)
    clock = [time.perf_counter()]

    def said(year: int, level: Reach) -> None:
        shown = ("the targets held in full conflict" if math.isnan(level.level) else
                 f"{level.level:.1%}")
        print(f"  {year}: at most {shown} ({time.perf_counter() - clock[0]:.2f} s)", flush=True)
        clock[0] = time.perf_counter()

    if args.each:
        return _run_each(args, scenario, targets, options)
    answer = earliest(scenario, targets, options, args.solver, progress=said,
                      from_year=args.from_year)
    if answer.year is not None:
        print(f"  met in full in {answer.year}")
    elif answer.stopped:
        print(f"  no answer: {answer.stopped}")
    else:
        print("  not within the horizon")
    how = answer.solver if answer.tolerance == 0 else (
        f"{answer.solver}, relative KKT error {answer.tolerance:.0e}"
        + ("" if math.isnan(answer.violation) else
           f"; the plan of {answer.year} checked: largest violation {answer.violation:.2g}"))
    print(f"  {answer.solves} solves ({how}), {answer.seconds:.2f} s")
    content = answer.as_dict()
    content["best"] = {k: (None if math.isnan(v) else v) for k, v in content["best"].items()}
    _write(args.out, "earliest.json", content, "earliest", args.force, args)
    return answer.exit_code


def _run_each(args: argparse.Namespace, scenario, targets: list[str] | None,
              options) -> int:
    """``earliest --each``: every item alone, then together; each line names its item.
    Exit 0 when every item alone and together is met within the horizon, else 1."""
    from ..horizon.each import each_summary, each_table, earliest_each
    from ..horizon.plot import plot_each
    from ..solvers.reach import Reach

    if not targets:  # every product with a target
        frame = scenario.tables["targets"]
        targets = list(dict.fromkeys(frame.loc[frame["amount"] > 0, "product"].astype(str)))
    clock = [time.perf_counter()]

    def said(label: str, year: int, level: Reach) -> None:
        shown = ("the targets held in full conflict" if math.isnan(level.level) else
                 f"{level.level:.1%}")
        print(f"  {label}: {year}: at most {shown} ({time.perf_counter() - clock[0]:.2f} s)",
              flush=True)
        clock[0] = time.perf_counter()

    answer = earliest_each(scenario, targets, options, args.solver, progress=said,
                           from_year=args.from_year)
    summary = each_summary(answer)
    print("  answers (each alone, then together):")
    for row in summary.itertuples():
        result = answer.answers[row.targets]
        if result.year is not None:
            verdict = f"met in full in {result.year}"
        elif result.stopped:
            verdict = f"no answer: {result.stopped}"
        else:
            verdict = (f"not within the horizon (at most {row.best_share:.1%}, "
                       f"first reached in {row.best_year})")
        print(f"  {row.targets}: {verdict}; {row.solves} solves, {row.seconds:.2f} s")
    if args.out is not None:
        with staged_folder(args.out, "earliest", force=args.force) as staging:
            each = answer.as_dict()  # the joint answer (the last) keeps earliest.json's keys
            content = {**each[list(each)[-1]], "each": each}
            (staging / "earliest.json").write_text(json.dumps(content, indent=2) + "\n",
                                                   encoding="utf-8")
            table = each_table(answer)
            table.to_csv(staging / "earliest_each.csv", index=False)
            summary.to_csv(staging / "earliest_each_summary.csv", index=False)
            plot_each(table, staging / "earliest_each.png",
                      title=f"{scenario.name}: earliest year, each alone and together")
            report = stage_report(args, staging, "earliest")
        say_report(args, report)
    done = all(r.year is not None for r in answer.answers.values())
    return 0 if done else 1


def run_explain(args: argparse.Namespace) -> int:
    from ..horizon import explain
    from .main import load_checked, resolve_scenario

    check_out(args.out, args.force, command="explain")
    check_report(args)
    options = _options(args)
    scenario = load_checked(resolve_scenario(args.scenario))
    try:
        answer = explain(scenario, options, solver=args.solver)
    except RuntimeError as error:  # a solver that ran out of time or failed
        print(f"{scenario.name}: no explanation: {error}", flush=True)
        return 1
    if answer.feasible:
        print(f"{scenario.name}: every target can be met in full; nothing to explain")
    else:
        print(f"{scenario.name}: the targets cannot all be met in full. These "
              f"{len(answer.sentences)} constraints together rule them out (remove any one "
              "and the rest can be met):")
        for sentence in answer.sentences:
            print(f"  - {sentence}")
        print(f"  ({answer.method}, {answer.solves} solves, {answer.seconds:.2f} s)")
    _write(args.out, "explanation.json", answer.as_dict(), "explain", args.force, args)
    sys.stdout.flush()
    return answer.exit_code
