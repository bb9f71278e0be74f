"""docs/scenario-format.md's column tables, rendered from :mod:`.schema`.

The document's text between GENERATED_BEGIN and GENERATED_END is :func:`render_tables`'s
output; tests/test_scenario_format.py fails when it differs, and
``python -m sovnarkhoz.scenario.formatdoc docs/scenario-format.md`` rewrites it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .schema import KIND_MEANINGS, TABLES, TOML_SECTIONS

GENERATED_BEGIN = "<!-- generated from src/sovnarkhoz/scenario/schema.py: begin -->"
GENERATED_END = "<!-- generated from src/sovnarkhoz/scenario/schema.py: end -->"
REGENERATE = "python -m sovnarkhoz.scenario.formatdoc docs/scenario-format.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|") if text else ""


def render_tables() -> str:
    """The column tables of docs/scenario-format.md, as Markdown, from TOML_SECTIONS,
    TABLES and KIND_MEANINGS (the text between GENERATED_BEGIN and GENERATED_END)."""
    out = ["### scenario.toml", "",
           "| section | key | type | required | default | meaning |",
           "| --- | --- | --- | --- | --- | --- |"]
    for section in TOML_SECTIONS.values():
        for key in section.keys:
            out.append(f"| `[{section.name}]` | `{key.name}` | {key.kind} | "
                       f"{'yes' if key.required else 'no'} | {_cell(key.default)} | "
                       f"{_cell(key.meaning)} |")
    out.append("")
    for section in TOML_SECTIONS.values():
        out.append(f"- `[{section.name}]`: {section.meaning}.")
    for spec in TABLES.values():
        needed = "required" if spec.required else "optional"
        key = ", ".join(spec.key) + (
            f" (with {', '.join(spec.key_when_present)} when given)"
            if spec.key_when_present else "")
        out += ["", f"### {spec.name}.csv ({needed})", "",
                f"{spec.meaning[0].upper()}{spec.meaning[1:]}. One row per {key}.", "",
                "| column | type | required | default | unit | meaning |",
                "| --- | --- | --- | --- | --- | --- |"]
        for column in spec.columns:
            out.append(f"| `{column.name}` | {column.kind.value} | "
                       f"{'yes' if column.required else 'no'} | {_cell(column.default)} | "
                       f"{_cell(column.unit)} | {_cell(column.meaning)} |")
    out += ["", "### Types", "", "| type | accepted values |", "| --- | --- |"]
    for kind, meaning in KIND_MEANINGS.items():
        out.append(f"| {kind.value} | {_cell(meaning)} |")
    return "\n".join(out) + "\n"


def replace_generated(document: str) -> str:
    """``document`` with the text between its GENERATED markers replaced by render_tables()."""
    head, begin, rest = document.partition(GENERATED_BEGIN)
    _, end, tail = rest.partition(GENERATED_END)
    if not begin or not end:
        raise ValueError(f"the document has no {GENERATED_BEGIN} ... {GENERATED_END} block")
    return f"{head}{begin}\n{render_tables()}{end}{tail}"


if __name__ == "__main__":  # rewrite the generated part of docs/scenario-format.md
    if len(sys.argv) != 2:
        sys.exit(f"usage: {REGENERATE}")
    path = Path(sys.argv[1])
    path.write_text(replace_generated(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"rewrote the generated part of {path}")
