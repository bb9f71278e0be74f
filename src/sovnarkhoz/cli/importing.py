"""``sovnarkhoz import FORMAT ...``: other projects' files in, a scenario directory out."""

from __future__ import annotations

import argparse
from pathlib import Path

from .outputs import add_force, check_out


def add_import_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``import 5yearplan FLOWS CAP DEP TARGETS --out DIR``, ``import pymrio SOURCE
    --out DIR``."""
    command = sub.add_parser("import", help="turn another planning project's files or an "
                             "input-output table into a scenario")
    formats = command.add_subparsers(dest="format_name", required=True, metavar="FORMAT")
    five = formats.add_parser(
        "5yearplan", help="Cockshott's 5yearplan tables (flows, capital, depreciation, "
        "targets) as a multi-year scenario with the max-total-fulfilment objective")
    for name, metavar, what in (
            ("flows", "FLOWS", "flow table with labour and output rows"),
            ("capital", "CAP", "capital stock of each good held by each industry"),
            ("depreciation", "DEP", "depreciation rates of those stocks"),
            ("targets", "TARGETS", "one row of targets per year, labour supply last")):
        five.add_argument(name, type=Path, metavar=metavar, help=what)
    five.add_argument("--out", type=Path, required=True, metavar="DIR",
                      help="scenario directory to write")
    five.add_argument("--name", help="scenario name (default: the directory's name)")
    add_force(five, scenario=True)
    _add_pymrio(formats)


def _add_common(parser: argparse.ArgumentParser) -> None:
    """--out, --name, --tables, --force: what every table importer takes."""
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="scenario directory to write")
    parser.add_argument("--name", help="scenario name (default: the directory's name)")
    parser.add_argument("--tables", choices=("csv", "parquet"), default="csv",
                        help="write the scenario's tables as CSV (default) or Parquet")
    add_force(parser, scenario=True)


def _add_pymrio(formats: argparse._SubParsersAction) -> None:
    from ..scenario.ioscenario import Trade
    from ..scenario.mrio import SourceFormat

    mrio = formats.add_parser(
        "pymrio", help="any system pymrio reads (saved by pymrio; EXIOBASE 3, WIOD, OECD, "
        "Eora26, GLORIA downloads): each (region, sector) a technique")
    mrio.add_argument("source", type=Path, metavar="SOURCE",
                      help="a folder or archive saved by pymrio, or a database download")
    mrio.add_argument("--format", dest="source_format", default="auto",
                      choices=[f.value for f in SourceFormat],
                      help="which of pymrio's readers (default: told from SOURCE)")
    mrio.add_argument("--year", type=int, help="the year to read (WIOD, OECD, Eora26, "
                      "GLORIA) or to record")
    mrio.add_argument("--factors", action="append", default=[],
                      metavar="NAME=EXTENSION:ROW[+ROW...]",
                      help="a factor from satellite rows (repeat for more), e.g. "
                      "'value_added=factor_inputs:Value Added'")
    mrio.add_argument("--trade", choices=[t.value for t in Trade], default="fixed",
                      help="fixed: inputs from the regions the table says (default); free: "
                      "the planner chooses, along links between regions that trade")
    _add_common(mrio)


def run_import(args: argparse.Namespace) -> int:
    """Read the files (bad input raises ScenarioError: exit 2), write the scenario."""
    runner = {"pymrio": _run_pymrio}.get(args.format_name)
    if runner is not None:
        check_out(args.out, args.force, command="import", scenario=True)
        return runner(args)
    from ..scenario.fiveyear import read_fiveyear, write_fiveyear_scenario

    check_out(args.out, args.force, command="import", scenario=True)
    tables = read_fiveyear(args.flows, args.capital, args.depreciation, args.targets)
    name = args.name or args.out.name
    description = (f"Imported from 5yearplan tables ({args.flows.name}, {args.capital.name}, "
                   f"{args.depreciation.name}, {args.targets.name}): {len(tables.products)} "
                   f"industries, {tables.years} years, objective max-total-fulfilment")
    write_fiveyear_scenario(tables, args.out, name, description, force=args.force)
    print(f"wrote {args.out}: {len(tables.products)} industries, {tables.years} years "
          "(objective max-total-fulfilment)")
    return 0


def _written(args: argparse.Namespace, frames: dict, settings: dict, description: str) -> int:
    """Write the imported tables and say what was written."""
    from ..scenario.ioscenario import write_tables

    write_tables(frames, settings, args.out, args.name or args.out.name, description,
                 args.tables, force=args.force)
    inputs = frames["inputs"]
    print(f"wrote {args.out}: {len(frames['regions'])} region"
          f"{'s' if len(frames['regions']) != 1 else ''}, {len(frames['products'])} products, "
          f"{len(frames['techniques'])} techniques, {len(inputs)} inputs, "
          f"{len(frames['factors'])} factors, {len(frames['targets'])} targets")
    if not len(frames["factors"]):
        print("note: no factors, so nothing limits max-fulfilment (balance needs none); "
              "name them with --factors")
    return 0


def _run_pymrio(args: argparse.Namespace) -> int:
    from ..scenario.ioscenario import Trade, io_tables
    from ..scenario.mrio import FactorSpec, describe, mrio_settings, mrio_table, read_mrio

    specs = tuple(FactorSpec.parse(text) for text in args.factors)
    io = read_mrio(args.source, args.source_format, args.year)
    trade = Trade(args.trade)
    frames = io_tables(mrio_table(io, specs, source=str(args.source)), trade)
    settings = mrio_settings(io, trade, specs, args.source_format, str(args.source))
    if args.year is not None:
        settings["source"]["year"] = args.year
    return _written(args, frames, settings, describe(io, trade, frames))
