"""docs/real-data.md's example, from pymrio.load_test() to a plan, its bottlenecks, its
prices and back to pymrio, runs and prints what the page says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "real-data.md"


def test_the_example_prints_what_the_page_says() -> None:
    pytest.importorskip("pymrio")
    text = DOC.read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    expected = re.search(r"prints\n\n```text\n(.*?)```", text, re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 15  # a dozen lines
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(DOC), "exec"), {})
    assert [line.rstrip() for line in printed.getvalue().splitlines()] == [
        line.rstrip() for line in expected.splitlines()]
