"""``sovnarkhoz frontier`` and ``sovnarkhoz decide``: the collective-decision commands.

Exit codes as for ``plan``: 0 done, 1 no plan (targets cannot be met in full, a level is
unbounded, or a plan fails verification), 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..scenario.files import FORMATS
from .outputs import add_force, check_out, staged_folder
from .report import check_report, say_report, stage_report


def add_parsers(sub: Any) -> None:
    """Add the two subcommands to the main parser's ``sub``."""
    front = sub.add_parser("frontier", help="the Pareto frontier of the priorities' levels")
    front.add_argument("scenario", metavar="DIR")
    front.add_argument("--priorities", metavar="A,B,...",
                       help="priorities to trade off (default: every one in priorities.csv)")
    from .main import _positive_int

    front.add_argument("--max-solves", type=_positive_int, default=60, metavar="N",
                       help="three or more priorities: most solves for the approximation")
    front.add_argument("--out", type=Path, metavar="OUT",
                       help="write frontier.csv, frontier.json and frontier.png here")
    add_force(front)
    front.set_defaults(run=frontier_command)

    decide = sub.add_parser("decide", help="what a body adopts by majority rule")
    decide.add_argument("scenario", metavar="DIR")
    decide.add_argument("--body", required=True, help="the body that votes (members.csv)")
    decide.add_argument("--appeal", metavar="NAME2",
                        help="then put the decision to this body, whose decision stands")
    decide.add_argument("--priorities", metavar="A,B,...",
                        help="priorities at stake (default: every one in priorities.csv)")
    decide.add_argument("--out", type=Path, metavar="OUT",
                        help="write the adopted plan, decision.json and frontier.png here")
    decide.add_argument("--format", choices=FORMATS, default="csv", help="format of the tables")
    add_force(decide)
    decide.set_defaults(run=decide_command)


def _load(args: argparse.Namespace):
    from ..decision import Chamber, FrontierError
    from .main import UsageError, load_checked, resolve_scenario

    check_out(args.out, args.force, command=args.command)
    check_report(args)
    scenario = load_checked(resolve_scenario(args.scenario))
    if not len(scenario.tables["priorities"]):
        raise UsageError(f"{args.scenario}: no priorities.csv (or it is empty): there is "
                         "nothing to trade off")
    wanted = None
    if args.priorities:
        wanted = [q.strip() for q in args.priorities.split(",") if q.strip()]
        if not wanted:
            raise UsageError(f"--priorities names no priority: {args.priorities!r}")
        if len(set(wanted)) != len(wanted):
            raise UsageError(f"--priorities names a priority twice: {args.priorities}")
    try:
        from ..decision import LevelSolver

        return scenario, LevelSolver(scenario, wanted), Chamber, FrontierError
    except FrontierError as error:
        if "unknown priorit" in str(error):
            raise UsageError(f"--priorities: {error}") from None
        raise


def frontier_command(args: argparse.Namespace) -> int:
    from ..decision import FrontierError, frontier
    from ..decision.plot import plot_frontier

    try:
        scenario, solver, _, _ = _load(args)
        front = frontier(solver, max_solves=args.max_solves)
    except FrontierError as error:
        print(f"sovnarkhoz frontier: no frontier: {error}")
        return 1
    clock = time.perf_counter()
    plans = [solver.plan(p) for p in front.points]
    checked = time.perf_counter() - clock
    worst = max(p.verification.max_relative_violation for p in plans)
    passed = all(p.verification.passed for p in plans)
    kind = "exact" if front.exact else f"inner approximation, largest gap {front.gap:.4g}"
    print(f"Frontier of {', '.join(front.names)} on {scenario.name}: {len(front.points)} "
          f"point(s), {kind}")
    print(front.table().to_string(index=False, float_format=lambda v: f"{v:.6g}"))
    print(f"  {front.solves} solves in {front.seconds:.3f} s (first solve "
          f"{front.solve_seconds[0]:.3f} s); every point verified as a plan: "
          f"{'passed' if passed else 'FAILED'} (largest relative violation {worst:.3g}, "
          f"{checked:.2f} s)")
    if args.out is not None:
        with staged_folder(args.out, "frontier", force=args.force) as staging:
            front.table().to_csv(staging / "frontier.csv", index=False)
            info = {**front.summary(), "verified": passed, "max_relative_violation": worst,
                    "verify_seconds": checked}
            (staging / "frontier.json").write_text(json.dumps(info, indent=2) + "\n")
            plot_frontier(front, staging / "frontier.png", title=f"{scenario.name}")
            report = stage_report(args, staging, "frontier")
        print(f"  wrote {args.out}/: frontier.csv, frontier.json, frontier.png")
        say_report(args, report)
    return 0 if passed else 1


def decide_command(args: argparse.Namespace) -> int:
    from ..decision import FrontierError
    from .main import UsageError

    try:
        scenario, solver, Chamber, _ = _load(args)
        chamber = Chamber(scenario, solver=solver)
        bodies = [args.body] + ([args.appeal] if args.appeal else [])
        try:
            decisions = [chamber.decide(body) for body in bodies]
        except KeyError as error:
            raise UsageError(str(error.args[0])) from None
        front = chamber.frontier
    except FrontierError as error:
        print(f"sovnarkhoz decide: nothing to decide: {error}")
        return 1
    for decision in decisions:
        print_decision(decision)
    standing = decisions[-1]
    if len(decisions) == 2:
        first = decisions[0]
        verdict = ("upholds" if first.adopted_label == standing.adopted_label else "overrules")
        print(f"On appeal, {standing.body} {verdict} {first.body}: the plan of "
              f"{standing.adopted_label} stands.")
    ok = all(d.plan is not None and d.plan.verification.passed for d in decisions)
    if args.out is not None:
        with staged_folder(args.out, "decide", force=args.force) as staging:
            _write(staging, args.format, decisions, front, chamber, scenario.name)
            report = stage_report(args, staging, "decide")
        print(f"  wrote {args.out}/: summary.json, the plan's tables, decision.json, "
              "frontier.csv, frontier.png")
        say_report(args, report)
    return 0 if ok else 1


def _write(out: Path, fmt: str, decisions: list, front, chamber, name: str) -> None:
    from ..decision.plot import plot_frontier

    standing = decisions[-1]
    standing.plan.write_files(out, fmt)
    record = standing.as_dict()
    record["verification"] = standing.plan.verification.as_dict()
    if len(decisions) == 2:
        first = decisions[0]
        first.plan.write_files(out / "bodies" / first.body, fmt)
        standing.plan.write_files(out / "bodies" / standing.body, fmt)
        record["appealed_from"] = first.as_dict()
        record["standing"] = standing.body
        record["overrules"] = first.adopted_label != standing.adopted_label
    (out / "decision.json").write_text(json.dumps(_plain(record), indent=2) + "\n")
    front.table().to_csv(out / "frontier.csv", index=False)
    ideals = {f: p.levels for f, p in zip(chamber.factions, chamber.ideals, strict=True)
              if p is not None}
    adopted = {d.body: d.adopted.levels for d in decisions}
    plot_frontier(front, out / "frontier.png", ideals, adopted, title=name)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def print_decision(decision) -> None:
    """The votes in words: who sits, each pair's count, what is adopted and why."""
    seats = decision.seats
    print(f"Body {decision.body}: {int(seats.full.sum())} full members, "
          f"{int(seats.candidates.sum())} candidates without a vote")
    for f, n, c in zip(seats.factions, seats.full, seats.candidates, strict=True):
        power = decision.power[f]
        print(f"  {f:<20} {int(n):>4} full {int(c):>4} candidate   Banzhaf "
              f"{power['banzhaf']:.3f}  Shapley-Shubik {power['shapley_shubik']:.3f}")
    labels, counts = decision.labels, decision.ballot.counts
    print("  pairwise votes among the factions' ideal plans:")
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            a, b = counts[i, j], counts[j, i]
            lead = labels[i] if a > b else labels[j] if b > a else "tie"
            print(f"    {labels[i]} {a} : {b} {labels[j]}  -> {lead}")
    ballot = decision.ballot
    if ballot.winner is not None:
        why = "beats every other plan (Condorcet winner)"
        if decision.median is not None:
            why += f"; the median full member's ideal is {decision.median}'s"
    else:
        cycle = " > ".join(labels[i] for i in ballot.cycle + ballot.cycle[:1])
        why = ("no plan beats every other" + (f" (cycle: {cycle})" if cycle else "") +
               f"; fallback: {ballot.rule}")
    levels = ", ".join(f"{q} {v:.6g}" for q, v in decision.fulfilment.items())
    print(f"  adopted: {decision.adopted_label} ({why}): {levels}")
    if decision.if_candidates_voted != decision.adopted_label:
        print(f"  had the candidates voted: {decision.if_candidates_voted}")
    for note in decision.notes:
        print(f"  note: {note}")
