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
    _add_pymrio(formats)
    _add_bea(formats)
    _add_flows(formats)


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
    mrio.add_argument("--final-demand", action="append", metavar="CATEGORY",
                      help="a final-demand category (Y's second column level) to make targets "
                      "of; repeat for more (default: all)")
    mrio.add_argument("--trade", choices=[t.value for t in Trade], default="fixed",
                      help="fixed: inputs from the regions the table says (default); free: "
                      "the planner chooses, along links between regions that trade")
    _add_common(mrio)


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _row_factors(pairs: list[str]) -> dict[str, str]:
    """``ROW=NAME`` pairs (repeatable --factors of bea and flows) as {row: factor}."""
    from ..scenario.errors import Issue, ScenarioError

    out = {}
    for pair in pairs:
        row, equals, name = pair.rpartition("=")
        if not (equals and row.strip() and name.strip()):
            raise ScenarioError([Issue("--factors", "expected ROW=NAME, e.g. 'Compensation of "
                                       "employees=labour'", value=pair)], source="import")
        out[row.strip()] = name.strip()
    return out


def _add_bea(formats: argparse._SubParsersAction) -> None:
    bea = formats.add_parser(
        "bea", help="the BEA's use table (xlsx or CSV) as a one-region scenario: each "
        "industry a technique, value added and imported inputs as factors")
    bea.add_argument("use", type=Path, metavar="USE", help="the use table")
    bea.add_argument("make", type=Path, nargs="?", metavar="MAKE",
                     help="the make table (industries by commodities, or a supply table): "
                     "requirements under the industry-technology assumption")
    bea.add_argument("--level", choices=("summary", "sector", "detail"), default="summary",
                     help="which of the BEA's tables it is (recorded in scenario.toml)")
    bea.add_argument("--model", choices=("industry", "commodity"), default="industry",
                     help="industry-by-industry (default) or commodity-by-commodity "
                     "(needs MAKE)")
    bea.add_argument("--sheet", help="the xlsx sheet (default: the first), e.g. 2021")
    bea.add_argument("--make-sheet", help="the make table's xlsx sheet (default: the first)")
    bea.add_argument("--year", type=int, help="the table's year (recorded)")
    bea.add_argument("--unit", default="millions of dollars",
                     help="the table's unit (default: millions of dollars)")
    bea.add_argument("--factors", action="append", default=[], metavar="ROW=NAME",
                     help="a further row (e.g. scrap) as factor NAME; repeat for more")
    _add_common(bea)


def _add_flows(formats: argparse._SubParsersAction) -> None:
    flows = formats.add_parser(
        "flows", help="a square inter-industry flow table with value-added rows and "
        "final-demand columns (CSV or xlsx) as a one-region scenario")
    flows.add_argument("table", type=Path, metavar="TABLE", help="the flow table")
    flows.add_argument("--value-added", required=True, metavar="ROWS",
                       help="comma-separated names of the value-added rows")
    flows.add_argument("--final-demand", required=True, metavar="COLS",
                       help="comma-separated names of the final-demand columns")
    flows.add_argument("--factors", action="append", default=[], metavar="ROW=NAME",
                       help="a value-added row as its own factor NAME (the others are summed "
                       "as value_added); repeat for more")
    flows.add_argument("--sheet", help="the xlsx sheet (default: the first)")
    flows.add_argument("--unit", default="", help="the table's unit (recorded in "
                       "products.csv and factors.csv)")
    flows.add_argument("--region", default="economy", help="the region's id (default economy)")
    _add_common(flows)


def run_import(args: argparse.Namespace) -> int:
    """Read the files (bad input raises ScenarioError: exit 2), write the scenario."""
    runner = {"pymrio": _run_pymrio, "bea": _run_bea, "flows": _run_flows}.get(
        args.format_name)
    if runner is not None:
        check_out(args.out, args.force, command="import", scenario=True)
        return runner(args)
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
    from ..scenario.mrio import FactorSpec, describe, load_mrio, mrio_settings, mrio_table

    specs = tuple(FactorSpec.parse(text) for text in args.factors)
    loaded = load_mrio(args.source, args.source_format, args.year)
    io = loaded.io
    trade = Trade(args.trade)
    categories = None if args.final_demand is None else tuple(args.final_demand)
    table = mrio_table(io, specs, source=str(args.source), categories=categories,
                       core=loaded.core)
    settings = mrio_settings(io, trade, specs, loaded.format, str(args.source))
    description = describe(io, trade, {"regions": table.regions, "products": table.sectors,
                                       "factors": table.factors})
    del io, loaded  # its dense matrices are no longer needed: the tables are built without them
    frames = io_tables(table, trade)
    if args.year is not None:
        settings["source"]["year"] = args.year
    if categories is not None:
        settings["source"]["final_demand"] = ", ".join(categories)
    return _written(args, frames, settings, description)


def _run_bea(args: argparse.Namespace) -> int:
    from ..scenario.bea import read_bea_use, read_bea_use_make
    from ..scenario.ioscenario import io_tables
    from .main import UsageError

    if args.make is None and args.model == "commodity":
        raise UsageError("--model commodity needs the make table: import bea USE MAKE")
    if args.make is not None and args.factors:
        raise UsageError("--factors rows are read from the use table alone (without MAKE)")
    if args.make is not None:
        table = read_bea_use_make(args.use, args.make, args.model, args.sheet, args.make_sheet,
                                  args.unit)
    else:
        table = read_bea_use(args.use, args.sheet, _row_factors(args.factors), args.unit)
    frames = io_tables(table)
    source = {"importer": "bea", "path": str(args.use), "level": args.level,
              "model": args.model, "unit": args.unit}
    if args.year is not None:
        source["year"] = args.year
    if args.make is not None:
        source["make"] = str(args.make)
    description = (f"BEA use table {args.use.name}"
                   + (f" and make table {args.make.name}: {args.model}-by-{args.model} "
                      "requirements under the industry-technology assumption"
                      if args.make is not None else ": each industry its own commodity")
                   + f", {len(table.sectors)} sectors; imported inputs by the "
                   "import-similarity assumption")
    return _written(args, frames, {"source": source}, description)


def _run_flows(args: argparse.Namespace) -> int:
    from ..scenario.flows import read_flows
    from ..scenario.ioscenario import io_tables

    table, check = read_flows(args.table, _names(args.value_added), _names(args.final_demand),
                              _row_factors(args.factors), args.sheet, args.unit, args.region)
    frames = io_tables(table)
    source = {"importer": "flows", "path": str(args.table), "value_added": args.value_added,
              "final_demand": args.final_demand, "unit": args.unit}
    code = _written(args, frames, {"source": source},
                    f"flow table {args.table.name}: {len(table.sectors)} industries")
    if check.gap > 0:
        print(f"note: row and column totals differ by up to {check.gap:.6g} (industry "
              f"{check.industry}); gross output is taken as the column total (inputs + value "
              "added)")
    return code
