"""``sovnarkhoz import FORMAT ...``: other projects' files in, a scenario directory out."""

from __future__ import annotations

import argparse
from pathlib import Path

from .outputs import add_force, check_out


def add_import_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``import 5yearplan FLOWS CAP DEP TARGETS --out DIR``."""
    command = sub.add_parser("import", help="turn another planning project's files into a "
                             "scenario")
    formats = command.add_subparsers(dest="format_name", required=True, metavar="FORMAT")
    five = formats.add_parser(
        "5yearplan", help="Cockshott's 5yearplan tables (flows, capital, depreciation, "
        "targets) as a multi-year scenario with the max-total-fulfilment objective (or "
        "max-harmony, that of his harmonyplan)")
    for name, metavar, what in (
            ("flows", "FLOWS", "flow table with labour and output rows"),
            ("capital", "CAP", "capital stock of each good held by each industry"),
            ("depreciation", "DEP", "depreciation rates of those stocks"),
            ("targets", "TARGETS", "one row of targets per year, labour supply last")):
        five.add_argument(name, type=Path, metavar=metavar, help=what)
    five.add_argument("--out", type=Path, required=True, metavar="DIR",
                      help="scenario directory to write")
    five.add_argument("--name", help="scenario name (default: the directory's name)")
    five.add_argument("--objective", choices=("max-total-fulfilment", "max-harmony"),
                      default="max-total-fulfilment",
                      help="the scenario's objective: nyearplan's sum of yearly levels "
                      "(default) or harmonyplan's harmony")
    add_force(five, scenario=True)


def run_import(args: argparse.Namespace) -> int:
    """Read the files (bad input raises ScenarioError: exit 2), write the scenario."""
    from ..scenario.fiveyear import read_fiveyear, write_fiveyear_scenario

    check_out(args.out, args.force, command="import", scenario=True)
    tables = read_fiveyear(args.flows, args.capital, args.depreciation, args.targets)
    name = args.name or args.out.name
    description = (f"Imported from 5yearplan tables ({args.flows.name}, {args.capital.name}, "
                   f"{args.depreciation.name}, {args.targets.name}): {len(tables.products)} "
                   f"industries, {tables.years} years, objective {args.objective}")
    write_fiveyear_scenario(tables, args.out, name, description, force=args.force,
                            objective=args.objective)
    print(f"wrote {args.out}: {len(tables.products)} industries, {tables.years} years "
          f"(objective {args.objective})")
    return 0
