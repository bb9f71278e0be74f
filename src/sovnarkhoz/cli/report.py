"""``sovnarkhoz report OUT [--to FILE.html]`` and ``--report`` on plan, compare, earliest,
explain, frontier and decide.

``--report`` writes ``OUT/report.html`` inside the output folder while it is staged (after
the command's own files, before the folder is moved into place), so the report is part of
the folder written whole or not at all. ``sovnarkhoz report OUT`` reads any output folder,
of this version or an earlier one, and says on the console what it cannot show.
Exit codes: 0 written, 2 a folder there is nothing to report on or a bad ``--to``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .outputs import staged_folder

INSTALL_HINT = "the report needs Jinja2: pip install 'sovnarkhoz[report]'"


def add_report_flag(parser: argparse.ArgumentParser) -> None:
    """``--report``: also write OUT/report.html."""
    parser.add_argument("--report", action="store_true",
                        help="also write OUT/report.html: one self-contained page with the "
                        "charts and tables (needs --out)")


def add_report_command(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="write the HTML report of an output folder")
    report.add_argument("folder", metavar="OUT", type=Path,
                        help="an output folder of plan, compare, earliest, explain, frontier, "
                        "decide, history or sensitivity")
    report.add_argument("--to", type=Path, metavar="FILE.html",
                        help="write the report here (default OUT/report.html)")
    report.set_defaults(run=run_report)


def check_report(args: argparse.Namespace) -> None:
    """Before anything is solved: ``--report`` needs ``--out`` and Jinja2."""
    from .main import UsageError

    if not getattr(args, "report", False):
        return
    if getattr(args, "out", None) is None:
        raise UsageError("--report writes OUT/report.html: give --out OUT as well")
    _check_installed()


def _check_installed() -> None:
    from .main import UsageError

    try:
        import jinja2  # noqa: F401
    except ImportError:
        raise UsageError(INSTALL_HINT) from None


def stage_report(args: argparse.Namespace, staging: Path, command: str):  # -> Written | None
    """With ``--report``: write report.html into the folder being staged (``staging``) by
    ``command``; without it, nothing. Say where it is with :func:`say_report` once the
    folder is in place."""
    if not getattr(args, "report", False):
        return None
    from ..report import write_report

    return write_report(staging, command=command, shown_as=args.out)


def say_report(args: argparse.Namespace, written) -> None:
    """One line saying where the report is (and a line for each thing it cannot show)."""
    if written is None:
        return
    print(f"  report: {args.out / written.path.name} ({written.size / 1e6:.2f} MB)")
    for line in written.missing:
        print(f"  the report cannot show {line}")


def write_plan(plan, args: argparse.Namespace):  # -> tuple[list[Path], Written | None]
    """The plan's files (``Plan.write``), and with ``--report`` its report beside them,
    in one folder written whole: the paths where they now lie, and the report."""
    if not getattr(args, "report", False):
        return plan.write(args.out, args.format, force=args.force), None
    with staged_folder(args.out, "plan", force=args.force) as staging:
        written = plan.write_files(staging, args.format)
        report = stage_report(args, staging, "plan")
        written.append(report.path)
    return [args.out / path.relative_to(staging) for path in written], report


def run_report(args: argparse.Namespace) -> int:
    from ..report import ReportError, write_report
    from .main import UsageError

    _check_installed()
    try:
        written = write_report(args.folder, args.to)
    except ReportError as error:
        raise UsageError(str(error)) from None
    print(f"wrote {written.path} ({written.size / 1e6:.2f} MB)")
    for line in written.missing:
        print(f"  cannot show {line}")
    return 0
