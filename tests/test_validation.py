"""Every kind of bad input is reported with file, line, column and value, exit code 2.

Each test copies the bundled two_regions scenario into tmp_path, spoils one table and runs the
command line (``sovnarkhoz validate DIR``, a few times ``sovnarkhoz plan DIR``) in-process.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from sovnarkhoz.cli.main import main
from sovnarkhoz.scenario import Scenario, ScenarioError

TWO_REGIONS = Path(sovnarkhoz.__file__).parent / "scenarios" / "two_regions"
TABLES_OF_TWO_REGIONS = ("products", "regions", "factors", "techniques", "inputs", "supplies",
                         "targets", "links")


# --- helpers ---------------------------------------------------------------------------------
def scenario(tmp_path: Path, files: dict[str, str | None] | None = None, *,
             append: dict[str, str] | None = None) -> Path:
    """two_regions copied to tmp_path; ``files`` replaces (text) or deletes (None) files,
    ``append`` adds lines to the end of files."""
    directory = tmp_path / "scenario"
    shutil.copytree(TWO_REGIONS, directory)
    for name, text in (files or {}).items():
        if text is None:
            (directory / name).unlink()
        else:
            (directory / name).write_text(text, encoding="utf-8")
    for name, lines in (append or {}).items():
        path = directory / name
        old = path.read_text(encoding="utf-8")
        path.write_text(old + ("" if old.endswith("\n") else "\n") + lines + "\n",
                        encoding="utf-8")
    return directory


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    """(exit code, stdout, stderr lines) of ``sovnarkhoz ARGV``; never a traceback."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err.splitlines()


def rejected(capsys: pytest.CaptureFixture[str], directory: Path, *options: str,
             command: str = "validate", count: int | None = None) -> list[str]:
    """Problem lines (without the heading) of a run that must exit 2."""
    code, out, lines = run(capsys, command, str(directory), *options)
    assert code == 2, (out, lines)
    assert lines, "nothing printed to stderr"
    assert "problem" in lines[0] and "found" in lines[0], lines
    if count is not None:
        plural = "problem" if count == 1 else "problems"
        assert lines[0].endswith(f": {count} {plural} found"), lines
    return lines[1:]


def problem(lines: list[str], where: str, *words: str) -> str:
    """The one reported line that starts with ``where`` and contains every word in ``words``.

    ``where`` is the exact start, e.g. ``"targets.csv:4: column 'amount': value '-3'"``.
    """
    prefix = f"  {where}: "
    starting = [line for line in lines if line.startswith(prefix)]
    assert starting, f"no line starts with {prefix!r} in:\n" + "\n".join(lines)
    matching = [line for line in starting if all(word in line for word in words)]
    assert len(matching) == 1, f"want one line with {words} in:\n" + "\n".join(starting)
    return matching[0]


def write_one_region(directory: Path, inputs: str) -> Path:
    """A one-region, two-product economy (a, b) with no factors and no links."""
    directory.mkdir()
    files = {
        "products.csv": "product\na\nb\n",
        "regions.csv": "region\nr\n",
        "techniques.csv": "technique,region,product\nta,r,a\ntb,r,b\n",
        "inputs.csv": "technique,input,amount\n" + inputs,
        "targets.csv": "region,product,amount\nr,a,1\nr,b,1\n",
    }
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


# --- a valid scenario ------------------------------------------------------------------------
def test_valid_scenario_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(scenario(tmp_path)))
    assert code == 0, err
    assert "valid for max-fulfilment" in out
    assert err == []


def test_blank_optional_cells_are_valid(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {
        "links.csv": "origin,destination,loss,capacity\nnorth,south,,\nsouth,north,0.99,5\n",
        "products.csv": "product,name,unit,tradable\ngrain,Grain,t,\ncloth,,m,yes\n",
    })
    code, out, err = run(capsys, "validate", str(directory))
    assert code == 0, err


# --- files and headers -----------------------------------------------------------------------
@pytest.mark.parametrize("table", ["products", "regions", "techniques", "inputs", "targets"])
def test_missing_required_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               table: str) -> None:
    lines = rejected(capsys, scenario(tmp_path, {f"{table}.csv": None}), count=1)
    problem(lines, f"{table}.csv", "is missing", "required")


def test_missing_required_file_with_plan(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    lines = rejected(capsys, scenario(tmp_path, {"targets.csv": None}), command="plan",
                     count=1)
    problem(lines, "targets.csv", "is missing", "required")


@pytest.mark.parametrize("optional", ["factors", "supplies", "links"])
def test_optional_files_may_be_absent(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      optional: str) -> None:
    files: dict[str, str | None] = {f"{optional}.csv": None}
    if optional == "factors":  # then nothing may refer to labour
        files |= {"supplies.csv": None, "inputs.csv": "technique,input,amount\n"}
    code, _, err = run(capsys, "validate", str(scenario(tmp_path, files)))
    assert code == 0, err


@pytest.mark.parametrize(("file", "text", "column"), [
    ("targets.csv", "region,product\nnorth,grain\n", "amount"),
    ("products.csv", "name,unit\nGrain,t\n", "product"),
    ("techniques.csv", "technique,product\nnorth_grain,grain\n", "region"),
    ("inputs.csv", "technique,input\nnorth_grain,labour\n", "amount"),
    ("links.csv", "origin,loss\nnorth,0.1\n", "destination"),
    ("supplies.csv", "region,amount\nnorth,200\n", "factor"),
])
def test_missing_required_column(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 file: str, text: str, column: str) -> None:
    lines = rejected(capsys, scenario(tmp_path, {file: text}), count=1)
    present = text.splitlines()[0].replace(",", ", ")
    problem(lines, f"{file}:1: column '{column}'", "required column is missing",
            f"columns present: {present}")


def test_duplicate_column_in_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {"products.csv": "product,name,product\ngrain,G,g\n"})
    lines = rejected(capsys, directory, count=1)
    problem(lines, "products.csv:1: column 'product'", "appears twice", "header")


def test_blank_column_name_in_header(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {"regions.csv": "region,,name\nnorth,x,North\n"})
    lines = rejected(capsys, directory, count=1)
    problem(lines, "regions.csv:1", "column 2", "no name")


def test_malformed_line_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {
        "targets.csv": "region,product,amount\nnorth,grain,1\nnorth,cloth,1,5\n\nsouth,grain\n"
                       "south,cloth,1\n",
    })
    lines = rejected(capsys, directory, count=2)
    problem(lines, "targets.csv:3: value 'north,cloth,1,5'", "has 4 fields", "names 3")
    problem(lines, "targets.csv:5: value 'south,grain'", "has 2 fields", "names 3")


def test_malformed_line_with_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, append={"inputs.csv": "south_cloth,labour,1,2,3"})
    lines = rejected(capsys, directory, command="plan", count=1)
    problem(lines, "inputs.csv:6: value 'south_cloth,labour,1,2,3'", "has 5 fields", "names 3")


def test_invalid_toml_reports_its_line(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {
        "scenario.toml": '[scenario]\nname = "bad"\ndescription = unquoted words\n',
    })
    lines = rejected(capsys, directory, count=1)
    problem(lines, "scenario.toml:3", "is not valid TOML")


@pytest.mark.parametrize(("text", "words"), [
    ('[scenario]\nname = "x"\n[plan]\nobjective = "nonsense"\n', ("objective", "nonsense")),
    ('[scenario]\nname = "x"\n[plan]\nobjective = "min-factor"\n', ("objective", "min-factor")),
    ('[scenario]\nname = "x"\n[plan]\nobjective = 3\n', ("objective", "3")),
    ('scenario = 3\n', ("[scenario]", "table")),
    ('plan = "balance"\n', ("[plan]", "table")),
])
@pytest.mark.parametrize("command", ["validate", "plan"])
def test_bad_settings_in_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                              words: tuple[str, ...], command: str) -> None:
    lines = rejected(capsys, scenario(tmp_path, {"scenario.toml": text}), command=command,
                     count=1)
    problem(lines, "scenario.toml", *words)


def test_nonexistent_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no_such_scenario"
    code, out, lines = run(capsys, "validate", str(missing))
    assert code == 2
    assert len(lines) == 1, lines
    assert str(missing) in lines[0] and "no such scenario directory" in lines[0]


# --- ids and keys ----------------------------------------------------------------------------
@pytest.mark.parametrize(("file", "row", "line", "column", "value", "first"), [
    ("products.csv", "grain,Grain again,t", 4, "product", "grain", 2),
    ("regions.csv", "south,South again", 4, "region", "south", 3),
    ("techniques.csv", "north_cloth,south,cloth", 6, "technique", "north_cloth", 3),
    ("factors.csv", "labour,Labour again,days", 3, "factor", "labour", 2),
])
def test_duplicate_id(tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, row: str,
                      line: int, column: str, value: str, first: int) -> None:
    lines = rejected(capsys, scenario(tmp_path, append={file: row}), count=1)
    problem(lines, f"{file}:{line}: column '{column}': value '{value}'", "duplicate id",
            f"already given on line {first}")


@pytest.mark.parametrize(("file", "row", "line", "column", "value", "key", "first"), [
    ("inputs.csv", "north_grain,labour,5", 6, "input", "north_grain, labour",
     "(technique, input)", 2),
    ("supplies.csv", "south,labour,7", 4, "factor", "south, labour", "(region, factor)", 3),
    ("targets.csv", "south,cloth,2", 6, "product", "south, cloth", "(region, product)", 5),
    ("links.csv", "north,south,0.2", 4, "destination", "north, south",
     "(origin, destination)", 2),
])
def test_duplicate_key_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str,
                            row: str, line: int, column: str, value: str, key: str,
                            first: int) -> None:
    lines = rejected(capsys, scenario(tmp_path, append={file: row}), count=1)
    problem(lines, f"{file}:{line}: column '{column}': value '{value}'", f"duplicate {key}",
            f"already given on line {first}")


@pytest.mark.parametrize(("file", "row", "line", "column", "value", "words"), [
    ("techniques.csv", "east_grain,east,grain", 6, "region", "east",
     ("unknown region", "regions.csv")),
    ("techniques.csv", "north_wool,north,wool", 6, "product", "wool",
     ("unknown product", "products.csv")),
    ("inputs.csv", "east_grain,labour,1", 6, "technique", "east_grain",
     ("unknown technique", "techniques.csv")),
    ("inputs.csv", "north_grain,steel,1", 6, "input", "steel",
     ("unknown input", "neither a product nor a factor")),
    ("supplies.csv", "east,labour,5", 4, "region", "east", ("unknown region", "regions.csv")),
    ("supplies.csv", "north,land,5", 4, "factor", "land", ("unknown factor", "factors.csv")),
    ("targets.csv", "east,grain,1", 6, "region", "east", ("unknown region", "regions.csv")),
    ("targets.csv", "north,wool,1", 6, "product", "wool", ("unknown product", "products.csv")),
    ("links.csv", "east,south,0", 4, "origin", "east", ("unknown region", "regions.csv")),
    ("links.csv", "north,east,0", 4, "destination", "east", ("unknown region", "regions.csv")),
])
def test_unknown_reference(tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str,
                           row: str, line: int, column: str, value: str,
                           words: tuple[str, ...]) -> None:
    lines = rejected(capsys, scenario(tmp_path, append={file: row}), count=1)
    problem(lines, f"{file}:{line}: column '{column}': value '{value}'", *words)


def test_unknown_reference_with_plan(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, append={"targets.csv": "north,wool,1"})
    lines = rejected(capsys, directory, command="plan", count=1)
    problem(lines, "targets.csv:6: column 'product': value 'wool'", "unknown product")


def test_supplies_of_unknown_factor_when_there_is_no_factors_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {"factors.csv": None})
    lines = rejected(capsys, directory, count=6)
    problem(lines, "supplies.csv:2: column 'factor': value 'labour'", "unknown factor")
    problem(lines, "inputs.csv:5: column 'input': value 'labour'", "unknown input")


@pytest.mark.parametrize(("file", "text", "line", "column"), [
    ("products.csv", "product,name,unit\ngrain,Grain,t\ncloth,Cloth,m\n,Nothing,-\n", 4,
     "product"),
    ("techniques.csv", "technique,region,product\nnorth_grain,north,grain\nnorth_cloth,,cloth\n"
     "south_grain,south,grain\nsouth_cloth,south,cloth\n", 3, "region"),
    ("inputs.csv", "technique,input,amount\nnorth_grain,labour,1\nnorth_cloth,  ,2\n", 3,
     "input"),
    ("targets.csv", "region,product,amount\nnorth,grain,1\n,cloth,1\n", 3, "region"),
    ("links.csv", "origin,destination\nnorth,\n", 2, "destination"),
])
def test_blank_id(tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, text: str,
                  line: int, column: str) -> None:
    lines = rejected(capsys, scenario(tmp_path, {file: text}), count=1)
    problem(lines, f"{file}:{line}: column '{column}'", "is blank", "needs an id")


def test_factor_that_is_also_a_product(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, append={"factors.csv": "grain,Grain land,ha"})
    lines = rejected(capsys, directory, count=1)
    problem(lines, "factors.csv:3: column 'factor': value 'grain'", "also a product id")


def test_link_from_a_region_to_itself(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, append={"links.csv": "south,south,0"})
    lines = rejected(capsys, directory, count=1)
    problem(lines, "links.csv:4: column 'destination': value 'south'", "two different regions")


# --- cells -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "words"), [
    ("", ("is blank", "number is required")),
    ("lots", ("is not a number",)),
    ("nan", ("is NaN",)),
    ("NaN", ("is NaN",)),
    ("inf", ("is infinite",)),
    ("-inf", ("is infinite",)),
    ("-3", ("is negative", "zero or more")),
])
@pytest.mark.parametrize("file", ["targets.csv", "inputs.csv", "supplies.csv"])
def test_bad_amount(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str,
                    words: tuple[str, ...], file: str) -> None:
    first_row = {"targets.csv": "north,grain", "inputs.csv": "north_grain,labour",
                 "supplies.csv": "north,labour"}[file]
    text = re.sub(rf"^{first_row},.*$", f"{first_row},{value}",
                  (TWO_REGIONS / file).read_text(encoding="utf-8"), count=1, flags=re.MULTILINE)
    assert text.splitlines()[1] == f"{first_row},{value}"
    lines = rejected(capsys, scenario(tmp_path, {file: text}), count=1)
    problem(lines, f"{file}:2: column 'amount': value '{value}'", *words)


def test_bad_amount_with_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, append={"supplies.csv": "south,labour,-3"}, files={
        "supplies.csv": "region,factor,amount\nnorth,labour,200\n"})
    lines = rejected(capsys, directory, command="plan", count=1)
    problem(lines, "supplies.csv:3: column 'amount': value '-3'", "is negative")


@pytest.mark.parametrize(("loss", "words"), [
    ("1.0", ("must lie in [0, 1)",)),
    ("1", ("must lie in [0, 1)",)),
    ("1.5", ("must lie in [0, 1)",)),
    ("-0.1", ("is negative",)),
    ("inf", ("is infinite",)),
    ("half", ("is not a number",)),
])
def test_loss_outside_unit_interval(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    loss: str, words: tuple[str, ...]) -> None:
    directory = scenario(tmp_path, {
        "links.csv": f"origin,destination,loss\nnorth,south,0.1\nsouth,north,{loss}\n"})
    lines = rejected(capsys, directory, count=1)
    problem(lines, f"links.csv:3: column 'loss': value '{loss}'", *words)


def test_bad_optional_amounts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {
        "techniques.csv": "technique,region,product,capacity\nnorth_grain,north,grain,-1\n"
                          "north_cloth,north,cloth,\nsouth_grain,south,grain,many\n"
                          "south_cloth,south,cloth,inf\n",
        "regions.csv": "region,name,population\nnorth,North,nan\nsouth,South,10\n",
    })
    lines = rejected(capsys, directory, count=4)
    problem(lines, "techniques.csv:2: column 'capacity': value '-1'", "is negative")
    problem(lines, "techniques.csv:4: column 'capacity': value 'many'", "is not a number")
    problem(lines, "techniques.csv:5: column 'capacity': value 'inf'", "is infinite")
    problem(lines, "regions.csv:2: column 'population': value 'nan'", "is NaN")


@pytest.mark.parametrize("word", ["maybe", "2", "truee"])
def test_bad_boolean(tmp_path: Path, capsys: pytest.CaptureFixture[str], word: str) -> None:
    directory = scenario(tmp_path, {
        "products.csv": f"product,name,unit,tradable\ngrain,Grain,t,yes\ncloth,Cloth,m,{word}\n"})
    lines = rejected(capsys, directory, count=1)
    problem(lines, f"products.csv:3: column 'tradable': value '{word}'", "not true or false")


# --- reachability ----------------------------------------------------------------------------
def _without_south_cloth(cloth_tradable: str) -> dict[str, str | None]:
    return {
        "products.csv": f"product,name,unit,tradable\ngrain,Grain,t,yes\ncloth,Cloth,m,"
                        f"{cloth_tradable}\n",
        "techniques.csv": "technique,region,product\nnorth_grain,north,grain\n"
                          "north_cloth,north,cloth\nsouth_grain,south,grain\n",
        "inputs.csv": "technique,input,amount\nnorth_grain,labour,1\nnorth_cloth,labour,2\n"
                      "south_grain,labour,3\n",
    }


def test_non_tradable_target_unreachable(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    lines = rejected(capsys, scenario(tmp_path, _without_south_cloth("no")), count=1)
    problem(lines, "targets.csv:5: column 'product': value 'cloth'", "no technique",
            "non-tradable")


def test_tradable_target_is_reached_by_shipping(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", str(scenario(tmp_path, _without_south_cloth("yes"))))
    assert code == 0, err


def test_tradable_target_unreachable_without_links(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    files = _without_south_cloth("yes") | {"links.csv": None}
    lines = rejected(capsys, scenario(tmp_path, files), count=1)
    problem(lines, "targets.csv:5: column 'product': value 'cloth'", "no technique")


def test_target_in_region_without_links(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, append={"regions.csv": "east,East",
                                           "targets.csv": "east,grain,1\neast,cloth,0"})
    lines = rejected(capsys, directory, count=1)  # a zero target needs nothing
    problem(lines, "targets.csv:6: column 'product': value 'grain'", "no technique",
            "linked to it")


def test_target_reached_over_two_links(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, append={"regions.csv": "east,East",
                                           "targets.csv": "east,grain,1",
                                           "links.csv": "south,east,0.2"})
    code, _, err = run(capsys, "validate", str(directory))
    assert code == 0, err


# --- objectives ------------------------------------------------------------------------------
def test_balance_needs_one_technique_per_product(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {"links.csv": None}, append={
        "techniques.csv": "north_grain_2,north,grain", "inputs.csv": "north_grain_2,labour,2"})
    code, _, err = run(capsys, "validate", str(directory))
    assert code == 0, err
    lines = rejected(capsys, directory, "--objective", "balance", count=1)
    problem(lines, "techniques.csv:6: column 'product': value 'grain'", "balance",
            "exactly one technique per product and region")


def test_balance_needs_no_links(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # one problem for the whole file (it used to be one per link, the same words each time),
    # naming the links, why they are not a balance and what plans them instead
    lines = rejected(capsys, scenario(tmp_path), "--objective", "balance", count=1)
    assert lines == [
        "  links.csv: 2 links (north->south, south->north): shipments between regions are "
        "choices that Leontief's system does not make; balance solves (I - A) x = y region by "
        "region with no shipping: remove links.csv or plan it with max-fulfilment or "
        "min-factor:NAME"]


def test_balance_without_links_is_valid(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {"links.csv": None})
    code, out, err = run(capsys, "validate", str(directory), "--objective", "balance")
    assert code == 0, err
    assert "valid for balance" in out


def test_balance_needs_inputs_made_in_the_region(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {
        "links.csv": None,
        "techniques.csv": "technique,region,product\nnorth_grain,north,grain\n"
                          "north_cloth,north,cloth\nsouth_grain,south,grain\n",
        "targets.csv": "region,product,amount\nnorth,cloth,1\nsouth,grain,1\n",
        "inputs.csv": "technique,input,amount\nnorth_grain,labour,1\nsouth_grain,cloth,0.1\n",
    })
    lines = rejected(capsys, directory, "--objective", "balance", count=1)
    problem(lines, "inputs.csv:3: column 'input': value 'cloth'", "balance", "none makes")


def test_balance_unproductive_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_one_region(tmp_path / "leontief", "ta,b,0.7\ntb,a,1.6\n")
    code, _, err = run(capsys, "validate", str(directory))
    assert code == 0, err  # fine for max-fulfilment: unproductive only matters to Leontief
    lines = rejected(capsys, directory, "--objective", "balance", count=1)
    line = problem(lines, "inputs.csv", "not productive", "region r", "products a, b",
                   "cannot be sustained")
    assert f"{np.sqrt(0.7 * 1.6):.4g}" in line


def test_balance_unproductive_self_use(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_one_region(tmp_path / "leontief", "ta,a,1\ntb,a,0.5\n")
    lines = rejected(capsys, directory, "--objective", "balance", count=1)
    problem(lines, "inputs.csv", "not productive", "products a ", "cannot be sustained")


def test_balance_productive_cycle_passes(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    directory = write_one_region(tmp_path / "leontief", "ta,b,0.7\ntb,a,1.4\n")
    code, out, err = run(capsys, "validate", str(directory), "--objective", "balance")
    assert code == 0, err
    assert "valid for balance" in out


@pytest.mark.parametrize("options", [(), ("--objective", "max-fulfilment")])
def test_max_fulfilment_needs_a_positive_target(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                options: tuple[str, ...]) -> None:
    directory = scenario(tmp_path, {
        "targets.csv": "region,product,amount\nnorth,grain,0\nsouth,cloth,0.0\n"})
    lines = rejected(capsys, directory, *options, count=1)
    problem(lines, "targets.csv", "max-fulfilment", "positive amount")


def test_min_factor_of_unknown_factor(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path)
    lines = rejected(capsys, directory, "--objective", "min-factor:nothing", count=1)
    problem(lines, "factors.csv: column 'factor': value 'nothing'", "not listed")
    code, out, err = run(capsys, "validate", str(directory), "--objective", "min-factor:labour")
    assert code == 0, err


@pytest.mark.parametrize("command", ["validate", "plan"])
@pytest.mark.parametrize("objective", ["nonsense", "min-factor", "balance:x"])
def test_unknown_objective_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            command: str, objective: str) -> None:
    code, out, lines = run(capsys, command, str(scenario(tmp_path)), "--objective", objective)
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"sovnarkhoz {command}: --objective")


# --- collecting, limits, line numbers ----------------------------------------------------------
def test_every_problem_is_reported_in_one_run(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {
        "targets.csv": "region,product,amount\nnorth,grain,-1\nnorth,cloth,x\nsouth,grain,1\n"
                       "south,cloth,nan\n",
        "regions.csv": "region,name,population\nnorth,North,-5\nsouth,South,1\n",
    }, append={"links.csv": "west,north,0"})
    lines = rejected(capsys, directory, count=5)
    problem(lines, "targets.csv:2: column 'amount': value '-1'", "is negative")
    problem(lines, "targets.csv:3: column 'amount': value 'x'", "is not a number")
    problem(lines, "targets.csv:5: column 'amount': value 'nan'", "is NaN")
    problem(lines, "regions.csv:2: column 'population': value '-5'", "is negative")
    problem(lines, "links.csv:4: column 'origin': value 'west'", "unknown region")


def _many_bad_rows(kind: str) -> dict[str, str | None]:
    products = [f"p{i}" for i in range(200)]
    if kind == "boolean":
        return {"products.csv": "product,tradable\ngrain,yes\ncloth,yes\n"
                + "".join(f"{p},perhaps\n" for p in products)}
    if kind == "amount":
        return {"products.csv": "product\ngrain\ncloth\n" + "".join(f"{p}\n" for p in products),
                "targets.csv": "region,product,amount\n"
                + "".join(f"north,{p},-1\n" for p in products)}
    if kind == "duplicate":
        return {"products.csv": "product\ngrain\ncloth\n" + "grain\n" * 200}
    return {"targets.csv": "region,product,amount\n"
            + "".join(f"north,{p},1\n" for p in products)}  # unknown products


@pytest.mark.parametrize("kind", ["boolean", "amount", "duplicate", "reference"])
def test_problems_past_the_limit_are_counted(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             kind: str) -> None:
    lines = rejected(capsys, scenario(tmp_path, _many_bad_rows(kind)), count=200)
    assert len(lines) == 51, lines[-3:]
    assert all(line.startswith("  ") and ":" in line for line in lines[:50])
    assert lines[-1] == "  ... and 150 more not shown"
    first_line = 4 if kind in ("boolean", "duplicate") else 2
    assert lines[0].startswith(f"  {'targets' if kind in ('amount', 'reference') else 'products'}"
                               f".csv:{first_line}: ")
    assert lines[49].split(":")[1] == str(first_line + 49)


def test_limit_is_shared_between_tables(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    files = _many_bad_rows("duplicate")
    files["regions.csv"] = "region,population\nnorth,1\nsouth,2\n" + "".join(
        f"r{i},-1\n" for i in range(30))
    lines = rejected(capsys, scenario(tmp_path, files), count=230)
    assert len(lines) == 51
    assert lines[-1] == "  ... and 180 more not shown"


def test_blank_lines_do_not_shift_line_numbers(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {
        "targets.csv": "region,product,amount\n"  # 1
                       "north,grain,1\n"  # 2
                       "\n"  # 3
                       "north,cloth,1\n"  # 4
                       "\n"  # 5
                       "\n"  # 6
                       "south,grain,-2\n"  # 7
                       "south,cloth,1\n"  # 8
                       "north,cloth,2\n"  # 9
                       "south,wool,1\n",  # 10
    })
    lines = rejected(capsys, directory, count=3)
    problem(lines, "targets.csv:7: column 'amount': value '-2'", "is negative")
    problem(lines, "targets.csv:9: column 'product': value 'north, cloth'", "duplicate",
            "already given on line 4")
    problem(lines, "targets.csv:10: column 'product': value 'wool'", "unknown product")


def test_line_numbers_with_crlf_and_quoted_newlines(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path)
    (directory / "products.csv").write_bytes(
        b'product,name,unit\r\ngrain,"Grain,\r\nall kinds",t\r\n\r\ncloth,Cloth,m\r\n'
        b'grain,Again,t\r\n')
    lines = rejected(capsys, directory, count=1)
    problem(lines, "products.csv:6: column 'product': value 'grain'", "duplicate id",
            "already given on line 2")


def test_header_only_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {"regions.csv": "region,name\n",
                                    "links.csv": "origin,destination\n"})
    lines = rejected(capsys, directory)
    problem(lines, "regions.csv", "has no rows")


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = rejected(capsys, scenario(tmp_path, {"inputs.csv": ""}), count=1)
    problem(lines, "inputs.csv:1", "is empty")


# --- Parquet and DataFrames --------------------------------------------------------------------
def test_parquet_tables_are_checked_by_row(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {"targets.csv": None, "products.csv": None})
    pd.DataFrame({"region": ["north", "north", "south", "south", "south", "north"],
                  "product": ["grain", "cloth", "grain", "cloth", "wool", "grain"],
                  "amount": [1.0, -3.0, None, np.inf, 1.0, 2.0]}).to_parquet(
        directory / "targets.parquet")
    pd.DataFrame({"product": ["grain", "cloth"], "tradable": ["yes", "sometimes"]}).to_parquet(
        directory / "products.parquet")
    lines = rejected(capsys, directory, count=6)
    problem(lines, "targets.parquet:2: column 'amount': value '-3.0'", "is negative")
    problem(lines, "targets.parquet:3: column 'amount'", "is blank", "number is required")
    problem(lines, "targets.parquet:4: column 'amount': value 'inf'", "is infinite")
    problem(lines, "targets.parquet:5: column 'product': value 'wool'", "unknown product",
            "products.parquet")
    problem(lines, "targets.parquet:6: column 'product': value 'north, grain'", "duplicate",
            "already given on line 1")
    problem(lines, "products.parquet:2: column 'tradable': value 'sometimes'",
            "not true or false")


def test_parquet_amounts_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {"supplies.csv": None})
    pd.DataFrame({"region": ["north", "south"], "factor": ["labour", "labour"],
                  "amount": ["200", "lots"]}).to_parquet(directory / "supplies.parquet")
    lines = rejected(capsys, directory, count=1)
    problem(lines, "supplies.parquet:2: column 'amount': value 'lots'", "is not a number")


def test_valid_parquet_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path)
    for table in TABLES_OF_TWO_REGIONS:
        pd.read_csv(directory / f"{table}.csv").to_parquet(directory / f"{table}.parquet")
        (directory / f"{table}.csv").unlink()
    code, out, err = run(capsys, "validate", str(directory))
    assert code == 0, err


def test_csv_and_parquet_of_one_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path)
    pd.read_csv(directory / "links.csv").to_parquet(directory / "links.parquet")
    lines = rejected(capsys, directory, count=1)
    problem(lines, "links.csv", "links.parquet", "keep one")


def _frames() -> dict[str, pd.DataFrame]:
    return {table: pd.read_csv(TWO_REGIONS / f"{table}.csv") for table in TABLES_OF_TWO_REGIONS}


def test_from_frames_valid() -> None:
    scenario_ = Scenario.from_frames(name="frames", **_frames())
    assert scenario_.economy.shape["techniques"] == 4


def test_from_frames_reports_bad_rows() -> None:
    frames = _frames()
    frames["targets"].loc[1, "amount"] = -3.0
    frames["links"].loc[0, "destination"] = "nowhere"
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(name="frames", **frames)
    error = caught.value
    assert len(error.issues) == 2
    report = error.report()
    assert report.startswith("frames: 2 problems found")
    negative = next(i for i in error.issues if i.column == "amount")
    assert (negative.file, negative.line, negative.value) == ("targets (DataFrame row)", 2,
                                                              "-3.0")
    assert "is negative" in negative.message
    assert "targets (DataFrame row):2: column 'amount': value '-3.0': is negative" in report
    assert ("links (DataFrame row):1: column 'destination': value 'nowhere': unknown region"
            in report)


def test_from_frames_missing_table_and_column() -> None:
    frames = _frames()
    del frames["targets"]
    frames["inputs"] = frames["inputs"].drop(columns="amount")
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    report = caught.value.report()
    assert "targets" in report and "missing" in report
    assert "column 'amount': required column is missing" in report


# --- multi-year scenarios ----------------------------------------------------------------------
HORIZON_TOML = ('[scenario]\nname = "two_regions"\n[plan]\nobjective = "max-fulfilment"\n'
                '[horizon]\nfirst = 1960\nlast = 1962\n')


def test_year_column_in_a_single_year_scenario(tmp_path, capsys):
    directory = scenario(tmp_path, {"targets.csv": "region,product,amount,year\n"
                                    "north,grain,1,1960\nnorth,cloth,1,\n"})
    lines = rejected(capsys, directory, count=1)
    problem(lines, "targets.csv:2: column 'year': value '1960'", "no [horizon]")


def test_horizon_tables_need_a_horizon(tmp_path, capsys):
    directory = scenario(tmp_path, {"capital.csv": "technique,good,amount\nnorth_grain,cloth,1\n"})
    lines = rejected(capsys, directory, count=1)
    assert "capital.csv" in lines[0] and "[horizon]" in lines[0]


def test_bad_horizon_section(tmp_path, capsys):
    toml = HORIZON_TOML.replace("last = 1962", "last = 1950\nlag = -1")
    lines = rejected(capsys, scenario(tmp_path, {"scenario.toml": toml}), count=2)
    problem(lines, "scenario.toml: column 'last': value '1950'", "comes before first")
    problem(lines, "scenario.toml: column 'lag': value '-1'", "zero or more")


def test_multi_year_tables_are_checked(tmp_path, capsys):
    directory = scenario(tmp_path, {
        "scenario.toml": HORIZON_TOML,
        "targets.csv": "region,product,amount,year\nnorth,grain,1,1960\nnorth,grain,2,1960\n"
                       "north,cloth,1,1970\nsouth,grain,1,1961.5\n",
        "capital.csv": "technique,good,amount,stock,depreciation\n"
                       "north_grain,cloth,1,5,0.1\nnowhere,cloth,1,,\nnorth_cloth,labour,1,,\n"
                       "south_grain,cloth,-2,,1.5\n",
        "growth.csv": "region,factor,rate\nnorth,labour,-1\nsouth,coal,0.1\n",
    })
    lines = rejected(capsys, directory)
    problem(lines, "targets.csv:3: column 'year': value 'north, grain, 1960.0'", "duplicate")
    problem(lines, "targets.csv:4: column 'year': value '1970'", "outside the horizon 1960-1962")
    problem(lines, "targets.csv:5: column 'year': value '1961.5'", "whole year")
    problem(lines, "capital.csv:3: column 'technique': value 'nowhere'", "unknown technique")
    problem(lines, "capital.csv:4: column 'good': value 'labour'", "unknown product")
    problem(lines, "capital.csv:5: column 'amount': value '-2'", "negative")
    problem(lines, "capital.csv:5: column 'depreciation': value '1.5'", "[0, 1]")
    problem(lines, "growth.csv:2: column 'rate': value '-1'", "more than -1")
    problem(lines, "growth.csv:3: column 'factor': value 'coal'", "unknown factor")


def test_a_valid_multi_year_scenario_plans(tmp_path, capsys):
    directory = scenario(tmp_path, {
        "scenario.toml": HORIZON_TOML,
        "capital.csv": "technique,good,amount,stock,depreciation\nnorth_grain,cloth,1,500,0.1\n",
        "growth.csv": "region,factor,rate\nnorth,labour,0.05\n",
        "targets.csv": "region,product,amount,year\nnorth,grain,1,\nnorth,cloth,1,\n"
                       "south,grain,1,\nsouth,cloth,1,\nsouth,cloth,2,1962\n",
    })
    code, out, _ = run(capsys, "validate", str(directory))
    assert code == 0, out
    code, out, _ = run(capsys, "plan", str(directory), "--quiet", "--objective",
                       "max-total-fulfilment")
    assert code == 0 and "passed" in out
    code, _, lines = run(capsys, "plan", str(directory), "--objective", "balance")
    assert code == 2 and any("[horizon]" in line for line in lines)


# --- collective decision: priorities, factions, members --------------------------------------
PRIORITIES = "priority,region,product,amount\nfood,north,grain,1\nfood,south,grain,1\n" \
             "cloth,south,cloth,2\n"
FACTIONS = "faction,priority,weight\nfarmers,food,1\nweavers,cloth,1\nweavers,food,0.5\n"
MEMBERS = "body,member,faction,vote\nsoviet,ann,farmers,full\nsoviet,bob,weavers,\n" \
          "soviet,cid,weavers,candidate\n"


def collective(tmp_path: Path, priorities: str = PRIORITIES, factions: str = FACTIONS,
               members: str = MEMBERS) -> Path:
    return scenario(tmp_path, {"priorities.csv": priorities, "factions.csv": factions,
                               "members.csv": members})


def test_collective_tables_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(collective(tmp_path)))
    assert code == 0, err
    loaded = sovnarkhoz.load_scenario(collective(tmp_path / "again"))
    assert loaded.tables["members"]["vote"].fillna("").tolist() == ["full", "", "candidate"]
    bundles = loaded.bundles()
    assert list(bundles.priorities) == ["food", "cloth"]
    assert bundles.priority_of.tolist() == [0, 0, 1]
    assert bundles.amount.tolist() == [1.0, 1.0, 2.0]


def test_unknown_ids_in_collective_tables(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    directory = collective(
        tmp_path,
        priorities=PRIORITIES + "steel,east,grain,1\nsteel,north,iron,1\n",
        factions=FACTIONS + "farmers,guns,1\n",
        members=MEMBERS + "soviet,dan,bankers,full\n")
    lines = rejected(capsys, directory, count=4)
    problem(lines, "priorities.csv:5: column 'region': value 'east'", "unknown region")
    problem(lines, "priorities.csv:6: column 'product': value 'iron'", "unknown product")
    problem(lines, "factions.csv:5: column 'priority': value 'guns'", "unknown priority",
            "priorities.csv")
    problem(lines, "members.csv:5: column 'faction': value 'bankers'", "unknown faction")


def test_bad_vote_duplicates_and_a_body_without_a_vote(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = collective(
        tmp_path,
        priorities=PRIORITIES + "food,north,grain,3\n",
        factions=FACTIONS + "farmers,food,2\n",
        members=MEMBERS + "soviet,ann,weavers,full\nsoviet,eve,farmers,maybe\n"
        "court,fay,farmers,candidate\ncourt,gus,weavers,candidate\n")
    lines = rejected(capsys, directory, count=5)
    problem(lines, "priorities.csv:5: column 'product': value 'north, food, grain'"
            .replace("north, food, grain", "food, north, grain"), "duplicate", "line 2")
    problem(lines, "factions.csv:5: column 'priority': value 'farmers, food'", "duplicate")
    problem(lines, "members.csv:5: column 'member': value 'soviet, ann'", "duplicate")
    problem(lines, "members.csv:6: column 'vote': value 'maybe'", "full", "candidate")
    problem(lines, "members.csv:7: column 'body': value 'court'", "no full member")


def test_priority_of_zeros_and_bad_amounts(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    directory = collective(
        tmp_path,
        priorities=PRIORITIES + "nothing,north,grain,0\nnothing,south,cloth,0\n",
        factions=FACTIONS + "farmers,nothing,-1\n")
    lines = rejected(capsys, directory, count=2)
    problem(lines, "priorities.csv:5: column 'priority': value 'nothing'", "no positive amount")
    problem(lines, "factions.csv:5: column 'weight': value '-1'", "negative")


def test_members_without_factions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = scenario(tmp_path, {"members.csv": MEMBERS})
    lines = rejected(capsys, directory)
    problem(lines, "members.csv:2: column 'faction': value 'farmers'", "unknown faction")


# --- provenance and ranges (source, status, low, high) ---------------------------------------
def test_source_status_and_ranges_are_read_and_kept(tmp_path: Path) -> None:
    """The optional columns of issue 19: text kept as given, status lower-cased, low and high
    typed as the value column, and the plan unchanged by them."""
    plain = sovnarkhoz.load_scenario(scenario(tmp_path / "a"))
    text = (TWO_REGIONS / "supplies.csv").read_text().splitlines()
    rows = [text[0] + ",source,status,low,high"]
    rows += [line + (",Yearbook p. 3,Cited,," if k == 0 else ",a guess,estimate,1,1e6")
             for k, line in enumerate(text[1:])]
    marked = sovnarkhoz.load_scenario(
        scenario(tmp_path / "b", {"supplies.csv": "\n".join(rows) + "\n"}))
    supplies = marked.tables["supplies"]
    assert supplies["status"].tolist()[:2] == ["cited", "estimate"]
    assert supplies["source"].iat[0] == "Yearbook p. 3"
    assert np.isnan(supplies["low"].iat[0]) and supplies["high"].iat[1] == 1e6
    a = sovnarkhoz.make_plan(plain, solver="highs")
    b = sovnarkhoz.make_plan(marked, solver="highs")
    assert a.fulfilment == pytest.approx(b.fulfilment, rel=1e-12)


def test_bad_status_and_range_are_located(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = (TWO_REGIONS / "supplies.csv").read_text().splitlines()
    rows = [text[0] + ",status,low,high", text[1] + ",guessed,,", text[2] + ",estimate,1e9,"]
    rows += [line + ",,," for line in text[3:]]
    directory = scenario(tmp_path, {"supplies.csv": "\n".join(rows) + "\n"})
    lines = rejected(capsys, directory, count=2)
    problem(lines, "supplies.csv:2: column 'status': value 'guessed'", "cited, estimate")
    problem(lines, "supplies.csv:3: column 'low': value '1e9'", "above the row's amount")
