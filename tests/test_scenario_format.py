"""docs/scenario-format.md documents every scenario table as scenario/schema.py defines it.

Its column tables are rendered from the schema (scenario/formatdoc.py); these tests fail
when the two drift apart, and when the contract's tables (DESIGN.md) lose a column, change
whether one is optional, or are no longer quoted in the document.
"""

from __future__ import annotations

import re
from pathlib import Path

from sovnarkhoz.scenario.formatdoc import (
    GENERATED_BEGIN,
    GENERATED_END,
    REGENERATE,
    render_tables,
    replace_generated,
)
from sovnarkhoz.scenario.horizon import read_horizon
from sovnarkhoz.scenario.schema import KIND_MEANINGS, TABLES, TOML_SECTIONS, Kind

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scenario-format.md"
PINNED = Path(__file__).parent / "data" / "design_scenario_rows.md"
DESIGN = ROOT.parent / "shared" / "DESIGN.md"  # the contract, beside the repository

# The contract's scenario tables (DESIGN.md): required columns, then optional ones.
CONTRACT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "products": (("product",), ("name", "unit", "branch", "tradable")),
    "regions": (("region",), ("name", "council", "population")),
    "factors": (("factor",), ("name", "unit")),
    "techniques": (("technique", "region", "product"), ("capacity",)),
    "inputs": (("technique", "input", "amount"), ()),
    "supplies": (("region", "factor", "amount"), ("year",)),
    "targets": (("region", "product", "amount"), ("weight", "year")),
    "links": (("origin", "destination"), ("loss", "capacity")),
    "capital": (("technique", "good", "amount"), ("stock", "depreciation")),
    "growth": (("region", "factor", "rate"), ()),
    "priorities": (("priority", "region", "product", "amount"), ()),
    "factions": (("faction", "priority", "weight"), ()),
    "members": (("body", "member", "faction"), ("vote",)),
}
REQUIRED_TABLES = {"products", "regions", "techniques", "inputs", "targets"}


def _generated(document: str) -> str:
    return document.split(GENERATED_BEGIN, 1)[1].split(GENERATED_END, 1)[0]


def test_the_documents_tables_are_what_the_schema_renders() -> None:
    document = DOC.read_text(encoding="utf-8")
    assert GENERATED_BEGIN in document and GENERATED_END in document
    assert _generated(document) == "\n" + render_tables(), (
        "docs/scenario-format.md's column tables differ from src/sovnarkhoz/scenario/"
        f"schema.py; regenerate them with `{REGENERATE}` (from the repository root, with "
        "src on the path) and review the diff")
    assert replace_generated(document) == document


def test_every_table_and_column_of_the_schema_is_documented() -> None:
    generated = _generated(DOC.read_text(encoding="utf-8"))
    for spec in TABLES.values():
        needed = "required" if spec.required else "optional"
        assert f"### {spec.name}.csv ({needed})\n" in generated
        section = generated.split(f"### {spec.name}.csv", 1)[1].split("### ", 1)[0]
        rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (yes|no) \|", section, re.M)
        assert rows == [(c.name, c.kind.value, "yes" if c.required else "no")
                        for c in spec.columns]
        assert all(c.meaning for c in spec.columns) and spec.meaning
    assert set(KIND_MEANINGS) == set(Kind)
    for section in TOML_SECTIONS.values():
        for key in section.keys:
            assert f"| `[{section.name}]` | `{key.name}` |" in generated


def test_the_schema_keeps_the_contracts_columns() -> None:
    assert set(CONTRACT) == set(TABLES)
    for table, (required, optional) in CONTRACT.items():
        spec = TABLES[table]
        assert spec.required == (table in REQUIRED_TABLES), table
        assert tuple(spec.required_columns) == required, table
        assert set(optional) <= {c.name for c in spec.columns if not c.required}, table


def test_the_document_quotes_the_contract() -> None:
    """Every scenario-table row of DESIGN.md appears in the document word for word, so that
    its meanings stay as the contract says. The rows are kept in tests/data (the contract
    does not travel with a clone); where DESIGN.md lies beside the repository, as in a
    development checkout, the kept rows must still be its rows."""
    rows = PINNED.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 16
    if DESIGN.exists():
        assert rows == [line for line in DESIGN.read_text(encoding="utf-8").splitlines()
                        if re.match(r"\| `(scenario\.toml|[a-z]+\.csv)`", line)], (
            f"{PINNED} differs from {DESIGN}: copy its scenario-table rows again")
    document = DOC.read_text(encoding="utf-8")
    missing = [row for row in rows if row not in document]
    assert not missing, "rows of DESIGN.md not quoted in docs/scenario-format.md:\n" + (
        "\n".join(missing))


def test_the_horizon_section_takes_the_documented_keys() -> None:
    keys = {key.name: key for key in TOML_SECTIONS["horizon"].keys}
    assert list(keys) == ["first", "last", "lag"]
    horizon, issues = read_horizon({"horizon": {"first": 1960, "last": 1965}}, "scenario.toml")
    assert issues == [] and horizon.lag == int(keys["lag"].default) == 1
    _, issues = read_horizon({"horizon": {"first": 1960, "last": 1965, "step": 2}},
                             "scenario.toml")
    assert [str(i) for i in issues] == [
        "scenario.toml: column 'step': value '2': [horizon] takes first, last and lag only"]
    for required in ("first", "last"):
        assert keys[required].required
        _, issues = read_horizon({"horizon": {k: 1960 for k in ("first", "last")
                                              if k != required}}, "scenario.toml")
        assert any(f"[horizon] needs {required}" in str(i) for i in issues)


def test_the_readme_points_at_the_format_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[docs/scenario-format.md](docs/scenario-format.md)" in readme
    assert "](../shared/DESIGN.md)" not in readme  # not a link a clone can follow
    assert "see ../shared/DESIGN.md" not in readme
