"""Running the ``sovnarkhoz`` command in-process, as the CLI tests do."""

from __future__ import annotations

from pathlib import Path

import pytest

from sovnarkhoz.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``sovnarkhoz ARGV`` run in-process; never a traceback."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err
