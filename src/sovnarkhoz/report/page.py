"""The page: sections of blocks (facts, text, charts, tables), rendered with Jinja2 into one
self-contained HTML file.

The page makes no request of any kind: its Content-Security-Policy allows nothing from
outside (``default-src 'none'``), its charts are inline SVG, its one script (sorting,
filtering and paging the tables) and its styles are inline, and table data is embedded as
JSON. It works from file://, offline, from an e-mail attachment, and prints (charts and
the first page of each table; a print stylesheet drops the controls).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from .. import __version__
from .charts import Chart


@dataclass
class Fact:
    """One headline number or word: ``key`` names the field of the JSON it was read from
    (``data-key`` in the page, so that tests can check it), ``value`` the value as read
    (``data-value``: repr of the float, exact), ``text`` how it is shown."""

    label: str
    text: str
    key: str = ""
    value: Any = None
    emphasis: bool = False

    @property
    def data_value(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, float):
            return repr(self.value)
        return str(self.value)


@dataclass
class Table:
    """A table shown sortable, filterable and paged (``page`` rows at a time), its rows
    embedded as JSON; numbers are shown to 6 significant digits and sorted as numbers."""

    name: str
    columns: list[str]
    rows: list[list[Any]]
    page: int = 10
    caption: str = ""

    @classmethod
    def of(cls, name: str, frame: pd.DataFrame, caption: str = "", page: int = 10) -> Table:
        """From a DataFrame: NaN and infinities become null / "inf" (JSON has neither)."""
        rows = []
        columns = [str(c) for c in frame.columns]
        data = {c: frame[c].to_numpy() for c in frame.columns}
        for c, values in data.items():
            if values.dtype.kind == "f":
                as_list = [None if math.isnan(v) else ("inf" if v == math.inf else "-inf"
                                                       if v == -math.inf else float(v) + 0.0)
                           for v in values.tolist()]
            elif values.dtype.kind in "iu":
                as_list = values.tolist()
            else:
                as_list = [str(v) for v in values.tolist()]
            data[c] = as_list
        rows = [list(r) for r in zip(*data.values(), strict=True)] if len(frame) else []
        return cls(name, columns, rows, page, caption)

    @property
    def payload(self) -> str:
        """The rows as JSON, safe inside a <script> element (no ``</``)."""
        text = json.dumps({"columns": self.columns, "rows": self.rows}, allow_nan=False,
                          separators=(",", ":"))
        return text.replace("</", "<\\/")


@dataclass
class Block:
    """One thing in a section: ``facts`` (a definition list), ``text`` (paragraphs),
    ``items`` (a list), ``chart``, ``table`` or ``missing`` (what cannot be shown)."""

    kind: str
    facts: list[Fact] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    chart: Chart | None = None
    table: Table | None = None
    title: str = ""


@dataclass
class Section:
    """A titled part of the page."""

    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def facts(self, facts: list[Fact], title: str = "") -> Section:
        self.blocks.append(Block("facts", facts=facts, title=title))
        return self

    def say(self, *paragraphs: str) -> Section:
        self.blocks.append(Block("text", text=[p for p in paragraphs if p]))
        return self

    def items(self, items: list[str], title: str = "") -> Section:
        self.blocks.append(Block("items", text=items, title=title))
        return self

    def chart(self, chart: Chart, title: str = "") -> Section:
        self.blocks.append(Block("chart", chart=chart, title=title))
        return self

    def table(self, table: Table, title: str = "") -> Section:
        self.blocks.append(Block("table", table=table, title=title))
        return self


@dataclass
class Report:
    """The page's content: a title, a subtitle, its sections and what it cannot show."""

    title: str
    subtitle: str
    sections: list[Section]
    missing: list[str] = field(default_factory=list)
    source: str = ""


def render(report: Report) -> str:
    """The report as one HTML document (str)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("sovnarkhoz.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
        lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    template = environment.get_template("report.html.j2")
    return template.render(report=report, version=__version__, markup=_markup,
                           made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def _markup(text: str):
    """Trusted markup (our own SVG) past autoescaping."""
    import markupsafe

    return markupsafe.Markup(text)


def number(value: float | None, digits: int = 6) -> str:
    """A number as the console summary shows it (6 significant digits, no "-0")."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{float(value) + 0.0:,.{digits}g}"


def small(value: float | None) -> str:
    """A small quantity (a violation, a gap) in 3 significant digits."""
    if value is None:
        return "n/a"
    return f"{float(value):.3g}"
