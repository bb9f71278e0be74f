"""What goes in a report, by what the folder holds, and writing it.

One path for both ways of asking: ``--report`` on a command builds the report from the
folder being staged (after its tables are written, before it is moved into place), and
``sovnarkhoz report OUT`` from a finished folder; either way the report reads the files.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .councils import compare_sections, council_sections
from .decision import decide_sections, frontier_sections
from .folder import Command, OutputFolder, ReportError, read_folder
from .history import history_sections, sensitivity_sections
from .horizon import earliest_sections, explain_sections
from .page import Report, Section, render
from .plan import plan_sections

REPORT_NAME = "report.html"

_TITLES = {Command.PLAN: "plan", Command.COMPARE: "organisations compared",
           Command.EARLIEST: "earliest year", Command.EXPLAIN: "explanation",
           Command.FRONTIER: "frontier", Command.DECIDE: "decision",
           Command.HISTORY: "history", Command.SENSITIVITY: "sensitivity"}


@dataclass
class Written:
    """A report written: where, its size in bytes, and what it could not show."""

    path: Path
    size: int
    missing: list[str]


def build_report(folder: OutputFolder, shown_as: Path | None = None) -> Report:
    """The report's sections for what ``folder`` holds (whatever command wrote it);
    ``shown_as``: the folder's name on the page (a folder being staged: where it will be)."""
    sections: list[Section] = []
    command = folder.command
    if command is Command.DECIDE or folder.decision is not None:
        overview, *bodies = decide_sections(folder)
        sections += [overview, *frontier_sections(folder), *bodies]
        sections += plan_sections(folder, "The adopted plan")
    elif command is Command.FRONTIER or (command is None and folder.has_table("frontier")):
        sections += frontier_sections(folder)
    elif command is Command.COMPARE or (command is None and folder.has_table("comparison")):
        sections += compare_sections(folder)
    elif command is Command.HISTORY or (command is None and folder.has_table("history")):
        sections += history_sections(folder)
    elif command is Command.SENSITIVITY or (command is None
                                            and folder.has_table("sensitivity_range")):
        sections += sensitivity_sections(folder)
    elif command is Command.EARLIEST or folder.earliest is not None:
        sections += earliest_sections(folder)
    elif command is Command.EXPLAIN or folder.explanation is not None:
        sections += explain_sections(folder)
    else:  # a plan: by councils, how they converged right after the headline
        plan = plan_sections(folder)
        sections += plan[:1] + council_sections(folder) + plan[1:]
    summary = folder.summary or {}
    scenario = summary.get("scenario") or (folder.decision or {}).get("scenario") or ""
    what = _TITLES.get(command, "output") if command is not None else "output"
    title = f"sovnarkhoz: {what}" + (f" for {scenario}" if scenario else "")
    where = Path(shown_as) if shown_as is not None else folder.path
    subtitle = (f"Written by sovnarkhoz {command.value}" if command is not None else
                "An output folder") + f" in {where.name}/"
    return Report(title, subtitle, sections, list(folder.missing), str(where))


def write_report(folder: str | Path, to: str | Path | None = None,
                 command: str | None = None, shown_as: str | Path | None = None) -> Written:
    """Write the report on the output ``folder`` to ``to`` (default ``folder/report.html``)
    and return where, its size and what it could not show.

    The file is written whole or not at all (a temporary file beside it, then renamed).
    ``command``: what is writing the folder, for a folder being staged (no marker yet);
    ``shown_as``: the name the page gives the folder (for a staged folder, its target).
    Raises :class:`ReportError` for a folder there is nothing to report on, or a ``to``
    that cannot be written.
    """
    folder = read_folder(folder, command)
    html = render(build_report(folder, None if shown_as is None else Path(shown_as)))
    target = Path(to) if to is not None else folder.path / REPORT_NAME
    if target.is_dir():
        raise ReportError(f"{target}: is a folder; --to names the HTML file to write")
    if not target.parent.is_dir():
        raise ReportError(f"{target}: its folder {target.parent} does not exist")
    temporary = target.parent / f".{target.name}.sovnarkhoz-tmp-{os.getpid()}-" \
                                f"{secrets.token_hex(4)}"
    data = html.encode("utf-8")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ReportError(f"{target}: cannot be written ({error.strerror or error})") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Written(target, len(data), list(folder.missing))
