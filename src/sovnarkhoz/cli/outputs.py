"""``--out`` and ``--force`` for every command that writes a folder (see
:mod:`sovnarkhoz.output`): the folder is checked before anything is solved, so that a long
solve is never lost to a bad ``--out`` at the end, and written whole or not at all."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..output import OutputError, check_target, staged_folder

__all__ = ["add_force", "check_out", "error_line", "staged_folder"]

# the name a command's output folder goes by on its command line (default --out)
_FLAGS = {"generate": "DIR"}


def add_force(parser: argparse.ArgumentParser, scenario: bool = False) -> None:
    """Add ``--force``: replace the output folder whole even when it is not ours."""
    what = ("a scenario or folder that sovnarkhoz did not write" if scenario else
            "a scenario directory or a folder that sovnarkhoz did not write")
    parser.add_argument("--force", action="store_true",
                        help=f"replace the output folder whole even when it is {what}")


def check_out(path: Path | None, force: bool, *, command: str, scenario: bool = False) -> None:
    """Raise UsageError (one line, exit 2) unless ``path`` (None: nothing is written) can be
    written whole by ``command``; called before any solving."""
    from .main import UsageError

    if path is None:
        return
    try:
        check_target(path, force=force, scenario=scenario)
    except OutputError as error:
        raise UsageError(error.message(_FLAGS.get(command, "--out"))) from None


def error_line(command: str, error: OutputError) -> str:
    """An OutputError raised while writing (the folder changed during the run), in one line."""
    return f"sovnarkhoz {command}: {error.message(_FLAGS.get(command, '--out'))}"
