"""No objective drops a table silently: it reads it, refuses it (exit 2, located) or warns.

targets.csv's ``weight`` is read by no objective yet: blank or 1 is accepted, anything else is
refused with file, line, column and value by every objective and by the commands that plan
without one. priorities.csv, factions.csv and members.csv are read by ``frontier`` and
``decide``; ``plan`` warns that it does not plan them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import sovnarkhoz
from sovnarkhoz.cli.main import main
from sovnarkhoz.decision import LevelSolver
from sovnarkhoz.scenario import ScenarioError

BUNDLED = Path(sovnarkhoz.__file__).parent / "scenarios"
HORIZON = "\n[horizon]\nfirst = 1960\nlast = 1961\n"


def _copy(tmp_path: Path, name: str, targets: str | None = None, *, links: bool = True,
          horizon: bool = False) -> Path:
    directory = tmp_path / name
    shutil.copytree(BUNDLED / name, directory)
    if targets is not None:
        (directory / "targets.csv").write_text(targets)
    if not links:
        (directory / "links.csv").unlink()
    if horizon:
        with (directory / "scenario.toml").open("a") as handle:
            handle.write(HORIZON)
    return directory


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, list[str]]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err.splitlines()


WEIGHTS_OF_ONE = ("region,product,amount,weight\nnorth,grain,1,1\nnorth,cloth,1,\n"
                  "south,grain,1,1.0\nsouth,cloth,1,1\n")
WEIGHT_OF_TWO = ("region,product,amount,weight\nnorth,grain,1,1\nnorth,cloth,1,\n"
                 "south,grain,1,2.5\nsouth,cloth,1,1\n")


def _weight_refused(reader: str) -> str:
    return (f"  targets.csv:4: column 'weight': value '2.5': {reader}, whatever its weight, so "
            "this weight would be ignored; objectives that use target weights: max-harmony. "
            "Leave weight blank or 1")


# --- targets.csv weight ------------------------------------------------------------------------
def test_weights_blank_or_one_are_accepted_and_change_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _copy(tmp_path, "two_regions", WEIGHTS_OF_ONE)
    for objective in ("max-fulfilment", "min-factor:labour"):
        code, out, err = _run(capsys, "validate", directory, "--objective", objective)
        assert (code, err) == (0, []), err
        assert out.startswith(f"{directory}: valid for {objective} (")
    plan = sovnarkhoz.make_plan(sovnarkhoz.load_scenario(directory))
    assert plan.fulfilment == pytest.approx(450 / 7, rel=1e-9)  # as without weights
    balance = _copy(tmp_path / "b", "two_regions", WEIGHTS_OF_ONE, links=False)
    assert _run(capsys, "validate", balance, "--objective", "balance")[0] == 0


@pytest.mark.parametrize(("objective", "links", "reader"), [
    ("max-fulfilment", True, "max-fulfilment meets every target at λ × amount"),
    ("min-factor:labour", True, "min-factor meets every target in full"),
    ("balance", False, "balance meets every target in full"),
])
def test_a_weight_other_than_one_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], objective: str, links: bool,
        reader: str) -> None:
    directory = _copy(tmp_path, "two_regions", WEIGHT_OF_TWO, links=links)
    for command in (["validate"], ["plan", "--quiet"]):
        code, out, err = _run(capsys, *command, directory, "--objective", objective)
        assert code == 2, (out, err)
        assert err == ["two_regions: 1 problem found", _weight_refused(reader)]


def test_a_weight_other_than_one_is_refused_over_a_horizon(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _copy(tmp_path, "two_regions", WEIGHT_OF_TWO, horizon=True)
    for argv, reader in (
            (["validate", directory, "--objective", "max-total-fulfilment"],
             "max-total-fulfilment meets every target of year t at λ_t × amount"),
            (["earliest", directory], "earliest meets the chosen targets in full"),
            (["explain", directory], "explain asks for every target in full")):
        code, out, err = _run(capsys, *argv)
        assert code == 2, (argv, out, err)
        assert err == ["two_regions: 1 problem found", _weight_refused(reader)], argv
    # the same horizon with weights of 1 is fine
    (directory / "targets.csv").write_text(WEIGHTS_OF_ONE)
    code, out, err = _run(capsys, "validate", directory, "--objective", "max-total-fulfilment")
    assert code == 0, err


def test_frontier_and_decide_refuse_a_weight(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    directory = _copy(tmp_path, "presidium", "region,product,amount,weight\ncentre,grain,8,\n"
                      "centre,steel,4,3\nkazakhstan,grain,2,1\n")
    for argv in (["frontier", directory], ["decide", directory, "--body", "presidium"]):
        code, _, err = _run(capsys, *argv)
        assert code == 2, argv
        assert err == ["presidium: 1 problem found",
                       "  targets.csv:3: column 'weight': value '3': frontier and decide meet "
                       "every target in full, whatever its weight, so this weight would be "
                       "ignored; objectives that use target weights: max-harmony. Leave weight "
                       "blank or 1"]
    with pytest.raises(ScenarioError):
        LevelSolver(sovnarkhoz.load_scenario(directory))


# --- tables an objective does not read -----------------------------------------------------------
PRESIDIUM_WARNINGS = [
    "priorities.csv: 3 priorities (heavy, pledge, virgin) not planned: {goal} plans the "
    "targets alone; `frontier` and `decide` deliver priorities at levels λ_q on top of every "
    "target met in full",
    "factions.csv: 7 rows not read by {goal}: factions.csv is read by `decide` only",
    "members.csv: 128 rows not read by {goal}: members.csv is read by `decide` only",
]


@pytest.mark.parametrize("objective", ["max-fulfilment", "min-factor:labour"])
def test_plan_warns_of_priorities_factions_and_members(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], objective: str) -> None:
    expected = [w.format(goal=objective) for w in PRESIDIUM_WARNINGS]
    code, out, err = _run(capsys, "plan", "presidium", "--objective", objective,
                          "--out", tmp_path / "out", "--quiet")
    assert code == 0, err
    assert [line[len("  warning: "):] for line in out.splitlines()
            if line.startswith("  warning: ")] == expected
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["warnings"] == expected
    code, out, err = _run(capsys, "validate", "presidium", "--objective", objective)
    assert code == 0, err
    assert out.splitlines()[1:] == [f"  warning: {w}" for w in expected]


def test_no_warnings_where_every_table_is_read() -> None:
    plan = sovnarkhoz.make_plan(sovnarkhoz.load_scenario(BUNDLED / "two_regions"))
    assert "warnings" not in plan.details
    assert "warnings" not in plan.summary()


def test_councils_warn_as_a_central_plan_does() -> None:
    from sovnarkhoz.councils import plan_by_councils

    scenario = sovnarkhoz.load_scenario(BUNDLED / "presidium")
    plan = plan_by_councils(scenario, "territorial", protocol="prices")
    assert plan.details["warnings"] == [w.format(goal="max-fulfilment")
                                        for w in PRESIDIUM_WARNINGS]


def test_max_harmony_reads_the_weight_the_others_refuse(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _copy(tmp_path, "two_regions", WEIGHT_OF_TWO)
    code, out, err = _run(capsys, "validate", directory, "--objective", "max-harmony")
    assert (code, err) == (0, []), err
