"""``sovnarkhoz history`` (the model beside what happened) and ``sovnarkhoz sensitivity``
(answers with ranges). Exit codes: 0 answered, 2 bad input or usage."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ..bundled import ROOT as BUNDLED_ROOT
from .horizon import _options, _solver_arguments
from .outputs import add_force, check_out, staged_folder
from .report import add_report_flag, check_report, say_report, stage_report


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the history and sensitivity subcommands."""
    history = sub.add_parser("history", help="the model's best plan, the plan's targets and "
                             "what happened, year by year per product")
    history.add_argument("scenario", metavar="DIR")
    history.add_argument("--against", required=True, metavar="RECORD",
                         help="a record folder holding actual.csv, or a bundled record's name "
                         "(ussr1957_actual)")
    history.add_argument("--targets", metavar="REGION:PRODUCT,...",
                         help="the targets each year's best plan reaches for, the others held "
                         "in full (default: the products of DIR/goals.csv, else all)")
    history.add_argument("--out", type=Path, metavar="OUT",
                         help="write OUT/history.csv and OUT/history.json")
    add_force(history)
    add_report_flag(history)
    _solver_arguments(history)
    history.set_defaults(run=run_history)
    from .sensitivity import add_parser

    add_parser(sub)


def resolve_record(text: str) -> Path:
    """A record folder (or actual.csv) as given, or a bundled record of that name."""
    from .main import UsageError

    path = Path(text)
    if path.exists():
        return path
    if (BUNDLED_ROOT / text / "actual.csv").exists():
        return BUNDLED_ROOT / text
    raise UsageError(f"{text}: no such record folder (one holding actual.csv), nor a bundled "
                     "record (ussr1957_actual)")


def run_history(args: argparse.Namespace) -> int:
    from ..horizon.history import best_outputs, history_table, read_goals, read_record
    from .main import load_checked, resolve_scenario

    check_out(args.out, args.force, command="history")
    check_report(args)
    options = _options(args)
    directory = resolve_scenario(args.scenario)
    record = read_record(resolve_record(args.against))
    scenario = load_checked(directory)
    goals = read_goals(directory)
    if args.targets:
        targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    else:
        targets = list(goals["product"].unique()) if goals is not None else None
    if scenario.horizon is None:
        from ..scenario.errors import Issue, ScenarioError

        raise ScenarioError([Issue("scenario.toml", "history compares years: this is a "
                                   "single-year scenario (no [horizon])")],
                            source=scenario.name)
    what = ", ".join(targets) if targets else "every target"
    print(f"History of {scenario.name} against {args.against}: each year's best plan for "
          f"{what}", flush=True)
    clock = [time.perf_counter()]

    def said(year: int, share: float) -> None:
        print(f"  {year}: at most {share:.1%} ({time.perf_counter() - clock[0]:.2f} s)",
              flush=True)
        clock[0] = time.perf_counter()

    best = best_outputs(scenario, targets, options, args.solver, progress=said)
    table = history_table(scenario, best, record, goals)
    shown = table.dropna(subset=["actual"])[["product", "year", "model_output", "target",
                                              "goal_low", "actual", "actual_status"]]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}", na_rep="-"))
    print(f"  {best.solves} solves, {best.seconds:.2f} s")
    if args.out is not None:
        with staged_folder(args.out, "history", force=args.force) as staging:
            table.to_csv(staging / "history.csv", index=False)
            content = {"scenario": scenario.name, "against": str(args.against),
                       "targets": targets, "share": {str(k): v for k, v in best.share.items()},
                       "solves": best.solves, "seconds": round(best.seconds, 3),
                       "columns": list(table.columns)}
            (staging / "history.json").write_text(json.dumps(content, indent=2) + "\n",
                                                  encoding="utf-8")
            report = stage_report(args, staging, "history")
        say_report(args, report)
    return 0
