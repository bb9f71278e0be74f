"""``sovnarkhoz sensitivity``: an answer's range when uncertain figures move within theirs.
Exit codes: 0 answered, 2 bad input or usage."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .outputs import add_force, check_out, staged_folder
from .report import add_report_flag, check_report, say_report, stage_report


def add_parser(sub: argparse._SubParsersAction) -> None:
    from .main import _threads

    parser = sub.add_parser("sensitivity", help="the range of an answer when uncertain "
                            "figures move within their ranges")
    parser.add_argument("scenario", metavar="DIR")
    parser.add_argument("--vary", action="append", default=[],
                        metavar="TABLE:ROW-KEY:COLUMN=LOW..HIGH",
                        help="an uncertain input (repeatable; ROW-KEY: the key values joined "
                        "by /, globs allowed; LOW, HIGH: numbers or *FACTOR); default: the "
                        "low and high columns of the scenario's tables")
    parser.add_argument("--question", choices=("plan", "share", "earliest"), default="plan",
                        help="plan: the best plan's objective (λ); share: the highest share "
                        "of --targets in --year; earliest: each of --targets' earliest year "
                        "on its own")
    parser.add_argument("--targets", metavar="REGION:PRODUCT,...",
                        help="the targets the share and earliest questions ask about")
    parser.add_argument("--let-go", metavar="REGION:PRODUCT,...",
                        help="targets set to 0 before every question (not asked for: "
                        "--targets milk --let-go meat,butter asks for milk alone)")
    parser.add_argument("--year", type=int, help="the year the share question asks about; "
                        "for earliest, the first year tried (as earliest --from)")
    parser.add_argument("--samples", type=_count, default=32, metavar="N",
                        help="Latin-hypercube samples (default 32); with --sobol also the "
                        "Saltelli base size (N (k + 2) more solves)")
    parser.add_argument("--sobol", action="store_true",
                        help="first-order Sobol indices (Saltelli's scheme)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the samples (default 0)")
    parser.add_argument("--workers", type=_threads, default=1,
                        help="worker processes for the samples (default 1)")
    parser.add_argument("--out", type=Path, metavar="OUT", help="write the tables here")
    add_force(parser)
    add_report_flag(parser)
    parser.set_defaults(run=run_sensitivity)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def run_sensitivity(args: argparse.Namespace) -> int:
    from ..horizon.sensitivity import Question, parse_vary, ranges_in, sensitivity
    from .main import load_checked, resolve_scenario

    check_out(args.out, args.force, command="sensitivity")
    check_report(args)
    scenario = load_checked(resolve_scenario(args.scenario))
    inputs = ([parse_vary(scenario, text) for text in args.vary] if args.vary
              else ranges_in(scenario))
    targets = [t.strip() for t in args.targets.split(",") if t.strip()] if args.targets else None
    question = Question(args.question)
    let_go = [t.strip() for t in args.let_go.split(",") if t.strip()] if args.let_go else None
    print(f"Sensitivity of {question.value} in {scenario.name} to {len(inputs)} uncertain "
          "inputs:", flush=True)
    for item in inputs:
        print(f"  {item.name}: {item.describe()}", flush=True)
    result = sensitivity(scenario, inputs, question, targets, args.year, args.samples,
                         args.sobol, args.seed, args.workers,
                         progress=lambda line: print(f"  {line}", flush=True),
                         let_go=let_go)
    ranges, tornado = result.range_table(), result.tornado_table()
    frequency = result.frequency_table()
    print(ranges.to_string(index=False, float_format=lambda v: f"{v:.6g}"))
    print("  which inputs move it most (answer at each input's low and high end):")
    print(tornado.drop(columns="range").to_string(index=False,
                                                  float_format=lambda v: f"{v:.4g}"))
    print(f"  method: {result.method.value}"
          + (f" ({result.exact})" if result.exact else ""))
    print(f"  {result.solves} answers (each one solve, or one earliest search), "
          f"{result.seconds:.2f} s")
    if args.out is not None:
        with staged_folder(args.out, "sensitivity", force=args.force) as staging:
            ranges.to_csv(staging / "sensitivity_range.csv", index=False)
            frequency.to_csv(staging / "sensitivity_frequency.csv", index=False)
            tornado.to_csv(staging / "sensitivity_tornado.csv", index=False)
            result.samples_table().to_csv(staging / "sensitivity_samples.csv", index=False)
            from ..horizon.plot import plot_tornado

            for k, label in enumerate(result.labels):  # one tornado chart per answer part
                name = "tornado.png" if len(result.labels) == 1 else f"tornado_{label}.png"
                plot_tornado(tornado, staging / name, float(result.nominal[k]), label,
                             title=f"{scenario.name}: {question.value}, which inputs move it")
            content = {"scenario": scenario.name, "question": question.value,
                       "targets": targets, "let_go": let_go, "year": args.year,
                       "samples": args.samples,
                       "sobol": args.sobol, "seed": args.seed, "solves": result.solves,
                       "exact": result.exact, "method": result.method.value,
                       "ranging": result.ranging,
                       "seconds": round(result.seconds, 3),
                       "inputs": [{"name": i.name, "range": i.describe()} for i in inputs],
                       "nominal": dict(zip(result.labels, result.nominal.tolist(),
                                           strict=True))}
            (staging / "sensitivity.json").write_text(json.dumps(content, indent=2) + "\n",
                                                      encoding="utf-8")
            report = stage_report(args, staging, "sensitivity")
        say_report(args, report)
    return 0
