"""Output folders are written whole or not at all, never over what is not ours
(sovnarkhoz.output; README, "Using it").

1. Every folder is staged beside its target and renamed into place: an interrupted write
   leaves the previous output, or nothing, and no temporary folder.
2. A second output replaces the first whole.
3. A scenario directory or a folder of someone else's files is never written over without
   --force; our own outputs (the .sovnarkhoz-output marker) and our own generated or imported
   scenarios (scenario.toml's [sovnarkhoz] written_by) are.
4. A bad --out is one line on stderr and exit code 2, before anything is solved.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sovnarkhoz
from cli_run import run
from sovnarkhoz import output
from sovnarkhoz.cli.main import main
from sovnarkhoz.output import MARKER, OutputError, staged_folder

BUNDLED = Path(sovnarkhoz.__file__).parent / "scenarios"
FIVEYEAR = [Path(__file__).parent / "data" / "5yearplan" / name
            for name in ("flows.csv", "cap.csv", "dep.csv", "labtarg.csv")]
SMALL = ("--products", "4", "--regions", "2")


# --- helpers ---------------------------------------------------------------------------------


def interrupted(capsys, argv: list[str]) -> None:
    """``main(argv)`` is interrupted (Ctrl-C): one line, exit code 130, no traceback."""
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones included), by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    """Temporary or moved-away folders that a staged write left in ``parent``."""
    return sorted(p.name for p in parent.iterdir() if ".sovnarkhoz-" in p.name)


def copy_bundled(name: str, where: Path) -> Path:
    shutil.copytree(BUNDLED / name, where)
    return where


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def command_line(command: str, out: Path) -> list:
    """``command`` with its output folder ``out``; the scenario is never read in these tests
    (loading is made to fail), so any name will do."""
    return {
        "plan": ["plan", "kantorovich1939", "--out", out, "--quiet"],
        "compare": ["compare", "two_regions", "--out", out],
        "earliest": ["earliest", "ussr1957", "--out", out],
        "explain": ["explain", "ussr1957", "--out", out],
        "frontier": ["frontier", "presidium", "--out", out],
        "decide": ["decide", "presidium", "--body", "presidium", "--out", out],
        "generate": ["generate", out, *SMALL],
        "import": ["import", "5yearplan", *FIVEYEAR, "--out", out],
        "history": ["history", "ussr1957", "--against", "ussr1957_actual", "--out", out],
        "sensitivity": ["sensitivity", "two_regions", "--out", out],
    }[command]


COMMANDS = ("plan", "compare", "earliest", "explain", "frontier", "decide", "generate", "import",
            "history", "sensitivity")


@pytest.fixture
def nothing_runs(monkeypatch):
    """Reading a scenario or the 5yearplan files, or generating one, fails the test: a bad
    --out must be refused before any of that (and so before any solving)."""
    import sovnarkhoz.scenario
    import sovnarkhoz.scenario.fiveyear
    import sovnarkhoz.scenario.generate

    def ran(*_args, **_kwargs):
        raise AssertionError("the command went on past a bad --out")

    monkeypatch.setattr(sovnarkhoz.scenario, "load_scenario", ran)
    monkeypatch.setattr(sovnarkhoz.scenario.fiveyear, "read_fiveyear", ran)
    monkeypatch.setattr(sovnarkhoz.scenario.generate, "generate", ran)


def refused(capsys, command: str, out: Path, *extra: str) -> str:
    """Run ``command`` into ``out``: exit 2, one line on stderr naming it, nothing on stdout."""
    code, stdout, err = run(capsys, *command_line(command, out), *extra)
    assert code == 2, (command, stdout, err)
    assert stdout == ""
    line = err.strip()
    assert "\n" not in line and line.startswith(f"sovnarkhoz {command}: "), err
    assert str(out) in line
    return line


# --- rule 4: a bad --out is refused before anything runs, in one line ------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_an_existing_file_as_out_is_refused(command, tmp_path, capsys, nothing_runs):
    out = tmp_path / "out"
    out.write_text("mine\n")
    assert "exists and is not a directory" in refused(capsys, command, out)
    assert out.read_text() == "mine\n"


@pytest.mark.parametrize("command", COMMANDS)
def test_an_out_under_a_file_is_refused(command, tmp_path, capsys, nothing_runs):
    (tmp_path / "file").write_text("mine\n")
    out = tmp_path / "file" / "deeper" / "out"
    assert "lies under a file" in refused(capsys, command, out)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_out_in_a_folder_that_cannot_be_written_is_refused(command, capsys, nothing_runs):
    if not Path("/proc/self").is_dir():
        pytest.skip("needs /proc, a folder nobody can write in")
    out = Path("/proc/sovnarkhoz-test/out")
    assert "cannot write in /proc" in refused(capsys, command, out)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes in read-only folders")
def test_an_out_in_a_read_only_folder_is_refused(tmp_path, capsys, nothing_runs):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        assert "cannot write in" in refused(capsys, "plan", parent / "out")
    finally:
        parent.chmod(0o755)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_scenario_directory_as_out_is_refused(command, tmp_path, capsys, nothing_runs):
    scenario = copy_bundled("kantorovich1939", tmp_path / "a")
    before = snapshot(scenario)
    line = refused(capsys, command, scenario)
    assert "is a scenario directory (scenario.toml)" in line and "--force" in line
    assert snapshot(scenario) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_of_someone_elses_files_is_refused(command, tmp_path, capsys, nothing_runs):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n")
    (out / "summary.json").write_text("{}\n")  # ours by name, but notes.txt is not
    line = refused(capsys, command, out)
    assert "holds files sovnarkhoz did not write (notes.txt)" in line
    assert snapshot(out) == {"notes.txt": b"my notes\n", "summary.json": b"{}\n"}


def test_a_name_too_long_to_stage_beside_is_refused(tmp_path, capsys, nothing_runs):
    assert "longer than 200 bytes" in refused(capsys, "plan", tmp_path / ("x" * 220))


@pytest.mark.parametrize("command", ["plan", "generate"])
def test_the_current_folder_is_refused_even_with_force(command, tmp_path, capsys, monkeypatch,
                                                       nothing_runs):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert "is the current folder" in refused(capsys, command, Path("."), "--force")
    assert "is a folder above the current one" in refused(capsys, command, Path(".."),
                                                          "--force")
    assert here.is_dir()


def test_plan_into_its_own_scenario_leaves_it_byte_for_byte(tmp_path, capsys):
    scenario = copy_bundled("kantorovich1939", tmp_path / "a")
    (scenario / "links.csv").write_text("origin,destination\n")  # a plan table's name too
    before = snapshot(scenario)
    code, stdout, err = run(capsys, "plan", scenario, "--out", scenario, "--quiet")
    assert code == 2 and stdout == ""
    assert err.strip() == (f"sovnarkhoz plan: --out {scenario}: is a scenario directory "
                           "(scenario.toml); choose another --out or pass --force to replace "
                           "it whole")
    assert snapshot(scenario) == before
    assert leftovers(tmp_path) == []


def test_the_module_entry_point_refuses_in_one_line(tmp_path):
    scenario = copy_bundled("kantorovich1939", tmp_path / "a")
    env = {**os.environ, "PYTHONPATH": str(Path(sovnarkhoz.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-m", "sovnarkhoz.cli", "plan", str(scenario),
                           "--out", str(scenario)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "scenario directory" in done.stderr


# --- rule 3: --force, and what is ours --------------------------------------------------------
def test_force_replaces_a_scenario_directory_whole(tmp_path, capsys):
    scenario = copy_bundled("kantorovich1939", tmp_path / "a")
    code, _, _ = run(capsys, "plan", scenario, "--out", scenario, "--quiet", "--force")
    assert code == 0
    names = {p.name for p in scenario.iterdir()}
    assert "summary.json" in names and MARKER in names
    assert not names & {"scenario.toml", "products.csv", "techniques.csv", "inputs.csv"}
    assert json.loads((scenario / MARKER).read_text()) == {"command": "plan"}
    assert leftovers(tmp_path) == []


def test_force_replaces_a_folder_of_someone_elses_files(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n")
    assert run(capsys, "compare", "two_regions", "--out", out, "--force")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "comparison.csv", "rounds.csv"]


@pytest.mark.parametrize("command, files", [
    ("plan", {"summary.json", "activities.csv"}),
    ("earliest", {"earliest.json"}),
    ("explain", {"explanation.json"}),
    ("frontier", {"frontier.csv", "frontier.json", "frontier.png"}),
    ("decide", {"summary.json", "decision.json", "frontier.csv", "frontier.png"}),
])
def test_every_output_is_marked_and_an_empty_folder_is_fine(command, files, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()  # empty: fine
    argv = {"plan": ["plan", "kantorovich1939", "--quiet"],
            "earliest": ["earliest", "ussr1957", "--targets", "meat", "--time-limit", "0.05"],
            "explain": ["explain", "two_regions"],
            "frontier": ["frontier", "presidium"],
            "decide": ["decide", "presidium", "--body", "presidium"]}[command]
    code, _, err = run(capsys, *argv, "--out", out)
    assert code in (0, 1), err
    names = {p.name for p in out.iterdir()}
    assert files <= names, names
    assert json.loads((out / MARKER).read_text()) == {"command": command}
    assert leftovers(tmp_path) == []


def test_one_command_may_replace_another_commands_output(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(capsys, "frontier", "presidium", "--out", out)[0] == 0
    assert run(capsys, "plan", "kantorovich1939", "--out", out, "--quiet")[0] == 0
    assert not (out / "frontier.csv").exists() and (out / "summary.json").exists()


def test_an_output_written_before_the_marker_is_ours(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(capsys, "decide", "presidium", "--body", "presidium", "--appeal", "plenum",
               "--out", out)[0] == 0
    (out / MARKER).unlink()  # as an earlier version wrote it: only files our commands write
    assert run(capsys, "plan", "kantorovich1939", "--out", out, "--quiet")[0] == 0
    assert not (out / "bodies").exists() and not (out / "decision.json").exists()


def test_generate_replaces_its_own_scenario_but_not_a_hand_made_one(tmp_path, capsys):
    generated = tmp_path / "g"
    assert run(capsys, "generate", generated, *SMALL, "--format", "parquet")[0] == 0
    assert 'written_by = "generate"' in (generated / "scenario.toml").read_text()
    assert not (generated / MARKER).exists()  # a scenario holds its own files only
    assert run(capsys, "generate", generated, *SMALL)[0] == 0  # ours: replaced whole
    assert not list(generated.glob("*.parquet")) and (generated / "products.csv").exists()

    hand_made = copy_bundled("two_regions", tmp_path / "h")
    before = snapshot(hand_made)
    code, _, err = run(capsys, "generate", hand_made, *SMALL)
    assert code == 2 and f"DIR {hand_made}: is a scenario directory" in err
    assert snapshot(hand_made) == before
    assert run(capsys, "generate", hand_made, *SMALL, "--force")[0] == 0
    assert "written_by" in (hand_made / "scenario.toml").read_text()

    # a plan may not go into a scenario, even one we generated
    code, _, err = run(capsys, "plan", generated, "--out", generated, "--quiet")
    assert code == 2 and "is a scenario directory" in err


def test_import_refuses_a_folder_that_is_not_ours_without_force(tmp_path, capsys):
    out = tmp_path / "s"
    out.mkdir()
    (out / "links.csv").write_text("origin,destination\neconomy,elsewhere\n")
    (out / "targets.parquet").write_bytes(b"stale")
    before = snapshot(out)
    code, _, err = run(capsys, "import", "5yearplan", *FIVEYEAR, "--out", out)
    assert code == 2 and "holds files sovnarkhoz did not write" in err
    assert snapshot(out) == before
    assert run(capsys, "import", "5yearplan", *FIVEYEAR, "--out", out, "--force")[0] == 0
    assert not (out / "links.csv").exists() and not (out / "targets.parquet").exists()
    assert 'written_by = "import"' in (out / "scenario.toml").read_text()
    sovnarkhoz.load_scenario(out)  # the marker section does not disturb loading
    # an imported scenario may be generated over, and the other way round
    assert run(capsys, "generate", out, *SMALL)[0] == 0
    assert run(capsys, "import", "5yearplan", *FIVEYEAR, "--out", out)[0] == 0


def test_the_python_api_follows_the_same_rules(tmp_path, bundled_scenario):
    scenario = bundled_scenario("two_regions")
    plan = sovnarkhoz.make_plan(scenario)
    hand_made = copy_bundled("two_regions", tmp_path / "h")
    before = snapshot(hand_made)
    with pytest.raises(OutputError, match="is a scenario directory.*force=True"):
        plan.write(hand_made)
    with pytest.raises(OutputError, match="is a scenario directory"):
        scenario.write(hand_made)
    assert snapshot(hand_made) == before
    written = scenario.write(tmp_path / "w")
    assert scenario.write(written, "parquet") == written  # ours: replaced whole
    assert not list(written.glob("*.csv"))
    scenario.write(hand_made, force=True)
    assert 'written_by = "scenario"' in (hand_made / "scenario.toml").read_text()
    files = plan.write(tmp_path / "p")
    assert all(f.parent == tmp_path / "p" and f.exists() for f in files)


# --- rule 2: a second output replaces the first whole -----------------------------------------
def test_a_one_year_plan_replaces_a_multi_year_plan_whole(tmp_path, capsys):
    years = tmp_path / "years"
    assert run(capsys, "generate", years, *SMALL, "--years", "3", "--capital", "1")[0] == 0
    out = tmp_path / "out"
    assert run(capsys, "plan", years, "--out", out, "--quiet")[0] == 0
    assert (out / "investment.csv").exists() and (out / "stocks.csv").exists()
    assert run(capsys, "plan", "kantorovich1939", "--out", out, "--quiet")[0] == 0
    assert not (out / "investment.csv").exists() and not (out / "stocks.csv").exists()
    assert json.loads((out / "summary.json").read_text())["scenario"] == "kantorovich1939"
    assert "year" not in pd.read_csv(out / "activities.csv").columns
    assert leftovers(tmp_path) == []


def test_a_parquet_plan_replaces_a_csv_plan_whole(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(capsys, "plan", "two_regions", "--out", out, "--quiet")[0] == 0
    assert (out / "activities.csv").exists()
    assert run(capsys, "plan", "two_regions", "--out", out, "--quiet", "--format",
               "parquet")[0] == 0
    assert not list(out.glob("*.csv")) and (out / "activities.parquet").exists()


def test_a_time_limit_summary_replaces_an_optimal_plan_whole(tmp_path, capsys):
    big = tmp_path / "big"
    assert run(capsys, "generate", big, "--products", "400", "--regions", "8", "--techniques",
               "2", "--seed", "3")[0] == 0
    out = tmp_path / "out"
    assert run(capsys, "plan", "kantorovich1939", "--out", out, "--quiet")[0] == 0
    earlier = snapshot(out)
    code, stdout, _ = run(capsys, "plan", big, "--time-limit", "0.001", "--out", out, "--quiet")
    assert code == 1
    assert json.loads((out / "summary.json").read_text())["status"] == "time_limit"
    # HiGHS may or may not keep a point within 0.001 s (on a loaded machine it may): either
    # way every file is this plan's own, none of the earlier optimal plan's
    wrote = stdout.split(f"wrote {out}/: ")[1].splitlines()[0].split(", ")
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, *wrote])
    assert all(earlier.get(name) != (out / name).read_bytes() for name in wrote
               if (out / name).read_text().count("\n") > 1)  # tables with rows
    if (out / "activities.csv").exists():
        ours = set(pd.read_csv(big / "techniques.csv")["technique"])
        assert set(pd.read_csv(out / "activities.csv")["technique"]) <= ours


def test_a_decision_without_appeal_replaces_one_with_bodies_whole(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(capsys, "decide", "presidium", "--body", "presidium", "--appeal", "plenum",
               "--out", out)[0] == 0
    assert (out / "bodies" / "plenum" / "summary.json").exists()
    assert run(capsys, "decide", "presidium", "--body", "presidium", "--out", out)[0] == 0
    assert not (out / "bodies").exists()
    assert json.loads((out / "decision.json").read_text())["body"] == "presidium"


# --- rule 1: an interrupted write leaves the previous output, or nothing ---------------------
def failing_writer(monkeypatch, after: int, error: BaseException) -> None:
    """Make the plan's table writer raise ``error`` once ``after`` tables are written."""
    import sovnarkhoz.plan.result as result

    real, calls = result.write_frame, [0]

    def write_frame(frame, path, fmt):
        if calls[0] == after:
            raise error
        calls[0] += 1
        return real(frame, path, fmt)

    monkeypatch.setattr(result, "write_frame", write_frame)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError(28, "No space left on device")])
def test_an_interrupted_plan_leaves_the_previous_output_intact(error, tmp_path, capsys,
                                                               monkeypatch):
    out = tmp_path / "out"
    assert run(capsys, "plan", "kantorovich1939", "--out", out, "--quiet")[0] == 0
    before = snapshot(out)
    failing_writer(monkeypatch, 3, error)
    argv = ["plan", "two_regions", "--out", str(out), "--quiet"]
    if isinstance(error, KeyboardInterrupt):
        interrupted(capsys, argv)
    else:
        with pytest.raises(type(error)):
            main(argv)
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_an_interrupted_first_plan_leaves_nothing(tmp_path, capsys, monkeypatch):
    failing_writer(monkeypatch, 2, KeyboardInterrupt())
    interrupted(capsys, ["plan", "kantorovich1939", "--out", str(tmp_path / "out"), "--quiet"])
    assert list(tmp_path.iterdir()) == []


def test_a_real_sigint_during_the_write_leaves_the_previous_output(tmp_path, capsys,
                                                                   monkeypatch):
    out = tmp_path / "out"
    assert run(capsys, "decide", "presidium", "--body", "presidium", "--appeal", "plenum",
               "--out", out)[0] == 0
    before = snapshot(out)
    import sovnarkhoz.plan.result as result

    real, calls = result.write_frame, [0]

    def write_frame(frame, path, fmt):
        calls[0] += 1
        if calls[0] == 12:  # past the standing plan's tables, in the bodies' plans
            signal.raise_signal(signal.SIGINT)
        return real(frame, path, fmt)

    monkeypatch.setattr(result, "write_frame", write_frame)
    interrupted(capsys, ["decide", "presidium", "--body", "presidium", "--appeal", "plenum",
                         "--out", str(out)])
    assert calls[0] == 12
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_an_interrupted_generate_leaves_the_earlier_scenario(tmp_path, capsys, monkeypatch):
    import sovnarkhoz.scenario.generate as generate

    directory = tmp_path / "g"
    assert run(capsys, "generate", directory, *SMALL)[0] == 0
    before = snapshot(directory)
    monkeypatch.setattr(generate, "write_frame", lambda *a: (_ for _ in ()).throw(
        KeyboardInterrupt()))
    interrupted(capsys, ["generate", str(directory), *[str(a) for a in SMALL], "--seed", "5"])
    assert snapshot(directory) == before
    assert leftovers(tmp_path) == []


def test_signals_wait_for_the_swap_to_finish():
    reached = False
    with pytest.raises(KeyboardInterrupt):
        with output._signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            reached = True
    assert reached


def test_what_a_dead_run_left_is_cleared_and_a_moved_away_output_put_back(tmp_path):
    pid = dead_pid()
    target = tmp_path / "out"
    stale = tmp_path / f".out.sovnarkhoz-tmp-{pid}-abcd1234"
    stale.mkdir()
    (stale / "activities.csv").write_text("half\n")
    alive = tmp_path / f".out.sovnarkhoz-tmp-{os.getpid()}-abcd1234"  # this process: kept
    alive.mkdir()
    moved = tmp_path / f".out.sovnarkhoz-old-{pid}-abcd1234"  # killed between the renames
    moved.mkdir()
    (moved / MARKER).write_text('{"command": "plan"}\n')
    output._sweep(target)
    assert not stale.exists() and alive.exists()
    assert (target / MARKER).exists() and not moved.exists()
    alive.rmdir()
    with staged_folder(target, "plan") as staging:
        (staging / "summary.json").write_text("{}\n")
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "summary.json"]
    assert leftovers(tmp_path) == []


def test_the_folder_gets_the_usual_permissions(tmp_path):
    with staged_folder(tmp_path / "out", "plan") as staging:
        (staging / "summary.json").write_text("{}\n")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~mask


def test_a_link_to_an_output_folder_stays_a_link(tmp_path, capsys):
    real = tmp_path / "real"
    assert run(capsys, "plan", "two_regions", "--out", real, "--quiet")[0] == 0
    link = tmp_path / "link"
    link.symlink_to(real)
    assert run(capsys, "plan", "kantorovich1939", "--out", link, "--quiet")[0] == 0
    assert link.is_symlink()
    assert json.loads((real / "summary.json").read_text())["scenario"] == "kantorovich1939"


def test_legacy_names_cover_every_plan_table():
    from sovnarkhoz.plan.result import CONTRACT_TABLES, EXTRA_TABLES

    for table in CONTRACT_TABLES + EXTRA_TABLES:
        assert {f"{table}.csv", f"{table}.parquet"} <= output.LEGACY_NAMES
