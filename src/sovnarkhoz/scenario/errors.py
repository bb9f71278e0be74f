"""Problems found in a scenario, each pointing at the file, line, column and value."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_ISSUES = 50
"""How many problems are collected before validation stops looking (the rest are counted)."""


@dataclass(frozen=True)
class Issue:
    """One thing wrong with the input.

    ``line`` is the 1-based line of a CSV file (the header is line 1) or the 1-based row of a
    Parquet file; ``None`` when the problem is with the whole file or a whole column.
    """

    file: str
    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return ": ".join(parts) + f": {self.message}"


@dataclass
class IssueList:
    """Collects issues up to a limit, counting those past it."""

    limit: int = MAX_ISSUES
    issues: list[Issue] = field(default_factory=list)
    overflow: int = 0

    def add(self, issue: Issue) -> None:
        if len(self.issues) < self.limit:
            self.issues.append(issue)
        else:
            self.overflow += 1

    @property
    def full(self) -> bool:
        return len(self.issues) >= self.limit

    def __bool__(self) -> bool:
        return bool(self.issues)

    def __len__(self) -> int:
        return len(self.issues) + self.overflow


class ScenarioError(ValueError):
    """The scenario cannot be used; ``issues`` says every reason found."""

    def __init__(self, issues: list[Issue], overflow: int = 0, source: str = "scenario"):
        self.issues = list(issues)
        self.overflow = overflow
        self.source = source
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.issues) + self.overflow
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''} found"
        lines = [head] + [f"  {issue}" for issue in self.issues]
        if self.overflow:
            lines.append(f"  ... and {self.overflow} more not shown")
        return "\n".join(lines)
