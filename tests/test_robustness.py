"""Every ordinary mistake ends in a short error naming what is wrong, exit code 2, and never a
traceback; Ctrl-C, SIGTERM and a closed pipe end quietly too.

Bad scenario files are reported as ScenarioError reports: a heading (``NAME: 1 problem
found``) and one line per problem naming file, line, column and value. Bad flags are one line.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sovnarkhoz
from cli_run import run
from sovnarkhoz.cli.main import main

BUNDLED = Path(sovnarkhoz.__file__).parent / "scenarios"
TWO_REGIONS_TABLES = ("products", "regions", "factors", "techniques", "inputs", "supplies",
                      "targets", "links")


# --- helpers ---------------------------------------------------------------------------------


def problem_line(capsys, *argv: str | Path) -> str:
    """The one problem reported by a run that must exit 2 (after its heading)."""
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    lines = [line for line in err.strip().splitlines() if not line.startswith("[")]  # stages
    assert lines[0].endswith(": 1 problem found"), err
    assert len(lines) == 2, err
    return lines[1].strip()


def usage_line(capsys, *argv: str | Path) -> str:
    """The one line of a usage error (exit 2, nothing on stdout)."""
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def two_regions(tmp_path: Path, name: str = "two_regions") -> Path:
    directory = tmp_path / name
    shutil.copytree(BUNDLED / "two_regions", directory)
    return directory


def cli() -> list[str]:
    return [sys.executable, "-m", "sovnarkhoz"]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONWARNINGS": "ignore"}


# --- 1. a table with only its header ---------------------------------------------------------
def test_header_only_targets_is_a_located_error(capsys, tmp_path):
    directory = two_regions(tmp_path)
    (directory / "targets.csv").write_text("region,product,amount\n")
    for command in ("validate", "plan"):
        line = problem_line(capsys, command, directory)
        assert line.startswith("targets.csv: ") and "positive amount" in line


# each table of two_regions with its header only: the file the report names (None: still valid)
HEADER_ONLY = {"products": "products.csv", "regions": "regions.csv", "techniques":
               "techniques.csv", "factors": "supplies.csv", "targets": "targets.csv",
               "inputs": None, "supplies": None, "links": None}


@pytest.mark.parametrize("table", TWO_REGIONS_TABLES)
def test_every_header_only_table(capsys, tmp_path, table):
    directory = two_regions(tmp_path)
    path = directory / f"{table}.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    code, out, err = run(capsys, "validate", directory)
    named = HEADER_ONLY[table]
    if named is None:
        assert code == 0, err
        code, out, err = run(capsys, "plan", directory, "--quiet")
        assert code in (0, 1)
    else:
        assert code == 2
        assert any(line.strip().startswith(named) for line in err.splitlines()[1:]), err


# --- 2. an id longer than Python's csv field limit -------------------------------------------
@pytest.mark.parametrize("length", [131_073 + 9, 3_000_000], ids=["past-csv-limit", "past-1MB"])
def test_very_long_unknown_id(capsys, tmp_path, length):
    directory = two_regions(tmp_path)
    with (directory / "targets.csv").open("a") as handle:
        handle.write("north," + "x" * length + ",1\n")
    line = problem_line(capsys, "validate", directory)
    assert line.startswith("targets.csv:6: column 'product': value 'xxx")
    assert "unknown product" in line
    assert len(line) < 300  # the value is shown cut short


# --- 3. bytes that are not UTF-8 ---------------------------------------------------------------
def test_non_utf8_byte_after_the_first_8kb_of_a_csv(capsys, tmp_path):
    directory = two_regions(tmp_path)
    padding = b"".join(b"north,grain,%d\n" % i for i in range(1000))  # about 15 KB
    assert len(padding) > 8192
    (directory / "targets.csv").write_bytes(b"region,product,amount,note\n" +
                                            b"".join(line.rstrip(b"\n") + b",ok\n"
                                                     for line in padding.splitlines()) +
                                            b"north,cloth,1,caf\xe9\n")
    line = problem_line(capsys, "validate", directory)
    assert line.startswith("targets.csv:1002: value '0xe9': byte 0xe9 at character 18")
    assert "not UTF-8" in line


def test_non_utf8_byte_in_a_csv_header(capsys, tmp_path):
    directory = two_regions(tmp_path)
    (directory / "regions.csv").write_bytes(b"region,n\xffame\nnorth,North\nsouth,South\n")
    line = problem_line(capsys, "validate", directory)
    assert line.startswith("regions.csv:1: value '0xff'")


def test_non_utf8_byte_in_scenario_toml(capsys, tmp_path):
    directory = two_regions(tmp_path)
    (directory / "scenario.toml").write_bytes(b'[scenario]\nname = "two_regions"\n'
                                              b'description = "Gr\xfc\xdfe"\n')
    line = problem_line(capsys, "validate", directory)
    assert line.startswith("scenario.toml:3: value '0xfc': byte 0xfc at character 18")


# --- 4. not a regular, readable file -----------------------------------------------------------
@pytest.mark.parametrize("name", ["links.csv", "scenario.toml"])
def test_a_directory_in_place_of_a_file(capsys, tmp_path, name):
    directory = two_regions(tmp_path)
    (directory / name).unlink()
    (directory / name).mkdir()
    line = problem_line(capsys, "validate", directory)
    assert line == f"{name}: is a directory, not a file"


@pytest.mark.parametrize("name", ["inputs.csv", "scenario.toml"])
def test_a_named_pipe_in_place_of_a_file_is_refused_not_waited_on(tmp_path, name):
    directory = two_regions(tmp_path)
    (directory / name).unlink()
    os.mkfifo(directory / name)
    done = subprocess.run([*cli(), "validate", str(directory)], capture_output=True, text=True,
                          timeout=60, env=env())
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"  {name}: is a named pipe, not a regular file" in done.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
@pytest.mark.parametrize("name", ["inputs.csv", "scenario.toml"])
def test_an_unreadable_file(capsys, tmp_path, name):
    directory = two_regions(tmp_path)
    (directory / name).chmod(0)
    try:
        line = problem_line(capsys, "validate", directory)
    finally:
        (directory / name).chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert line == f"{name}: cannot be read: Permission denied"


@pytest.mark.parametrize("name", ["inputs.csv", "scenario.toml"])
def test_an_unreadable_file_simulated(capsys, tmp_path, monkeypatch, name):
    """As above, for root too: opening the file is refused."""
    directory = two_regions(tmp_path)
    real_open = Path.open

    def refusing(self, *args, **kwargs):
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    def refusing_read(self):
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, "rb").read()

    monkeypatch.setattr(Path, "open", refusing)
    monkeypatch.setattr(Path, "read_bytes", refusing_read)
    line = problem_line(capsys, "validate", directory)
    assert line == f"{name}: cannot be read: Permission denied"


# --- 5. Parquet columns that are neither text nor numbers -------------------------------------
def _parquet_two_regions(tmp_path: Path) -> Path:
    directory = two_regions(tmp_path)
    scenario = sovnarkhoz.load_scenario(directory)
    shutil.rmtree(directory)
    scenario.write(directory, fmt="parquet")
    return directory


@pytest.mark.parametrize("column", [
    pa.array([["north"], ["south"]], type=pa.list_(pa.string())),
    pa.array([{"id": "north"}, {"id": "south"}]),
    pa.array([b"north", b"\xff\xfe"], type=pa.binary()),
], ids=["list", "struct", "binary-not-utf8"])
def test_parquet_column_of_the_wrong_type(capsys, tmp_path, column):
    directory = _parquet_two_regions(tmp_path)
    pq.write_table(pa.table({"region": column, "name": ["North", "South"]}),
                   directory / "regions.parquet")
    line = problem_line(capsys, "validate", directory)
    assert line.startswith("regions.parquet")
    assert "column 'region'" in line
    if pa.types.is_binary(column.type):
        assert line.startswith("regions.parquet:2: column 'region': value 'ff fe'")
    else:
        assert "text or numbers" in line


def test_parquet_binary_utf8_ids_and_nested_extra_columns_are_accepted(capsys, tmp_path):
    directory = _parquet_two_regions(tmp_path)
    pq.write_table(pa.table({"region": pa.array([b"north", b"south"], type=pa.binary()),
                             "notes": pa.array([[1, 2], []], type=pa.list_(pa.int64()))}),
                   directory / "regions.parquet")
    code, out, err = run(capsys, "validate", directory)
    assert code == 0, err


# --- 6. flags ------------------------------------------------------------------------------------
def test_generate_into_an_existing_file(capsys, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me\n")
    line = usage_line(capsys, "generate", target, "--products", "3", "--regions", "2")
    assert line.startswith("sovnarkhoz generate: ") and "not a directory" in line
    assert target.read_text() == "keep me\n"


def test_generate_with_a_negative_seed(capsys, tmp_path):
    line = usage_line(capsys, "generate", tmp_path / "g", "--products", "3", "--regions", "2",
                      "--seed", "-1")
    assert "--seed" in line and "zero or more" in line
    assert not (tmp_path / "g").exists()


def test_generate_too_large_is_refused_up_front(capsys, tmp_path):
    line = usage_line(capsys, "generate", tmp_path / "g", "--products", "100000000",
                      "--regions", "100000")
    assert "at most" in line
    assert not (tmp_path / "g").exists()


FLOAT_FLAGS = [
    ["plan", "two_regions", "--localism"],
    ["plan", "two_regions", "--departmentalism"],
    ["plan", "two_regions", "--hidden"],
    ["plan", "two_regions", "--tolerance"],
    ["plan", "two_regions", "--time-limit"],
    ["compare", "two_regions", "--tolerance"],
    ["earliest", "two_regions", "--tolerance"],
    ["earliest", "two_regions", "--time-limit"],
    ["explain", "two_regions", "--tolerance"],
    ["explain", "two_regions", "--time-limit"],
]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "infinity", "1e999"])
@pytest.mark.parametrize("argv", FLOAT_FLAGS, ids=[" ".join(a[::2]) for a in FLOAT_FLAGS])
def test_float_flags_refuse_nan_and_infinity(capsys, argv, value):
    line = usage_line(capsys, *argv, value)
    assert line.startswith(f"sovnarkhoz {argv[0]}: argument {argv[2]}")


@pytest.mark.parametrize("value", ["-5", "0", "1.5", "many"])
def test_frontier_max_solves_must_be_a_positive_whole_number(capsys, value):
    line = usage_line(capsys, "frontier", "presidium", "--max-solves", value)
    assert line.startswith("sovnarkhoz frontier: argument --max-solves")


def test_frontier_priorities_naming_none(capsys):
    line = usage_line(capsys, "frontier", "presidium", "--priorities", ",")
    assert line.startswith("sovnarkhoz frontier: --priorities names no priority")


@pytest.mark.parametrize("command", ["plan", "earliest", "explain"])
@pytest.mark.parametrize("threads", ["100000", str((os.cpu_count() or 1) + 1)])
def test_threads_beyond_the_machine_are_refused_up_front(capsys, command, threads):
    line = usage_line(capsys, command, "two_regions", "--threads", threads)
    assert f"at most {os.cpu_count() or 1}" in line and "processors" in line


def test_threads_within_the_machine_are_taken(capsys):
    code, out, err = run(capsys, "plan", "two_regions", "--threads", str(os.cpu_count() or 1),
                         "--quiet")
    assert code == 0, err


# --- 7. numbers the solver cannot represent ----------------------------------------------------
def _with_amount(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("command", ["validate", "plan"])
def test_a_coefficient_the_solver_refuses_is_a_located_error(capsys, tmp_path, command):
    directory = two_regions(tmp_path)
    _with_amount(directory, "inputs.csv", "north_grain,labour,1\n", "north_grain,labour,1e15\n")
    line = problem_line(capsys, command, directory)
    assert line.startswith("inputs.csv:2: column 'amount': value '1e15': is 1e15 or more")
    assert "units" in line


@pytest.mark.parametrize("file, old, new, where", [
    ("supplies.csv", "north,labour,200\n", "north,labour,1e20\n", "supplies.csv:2"),
    ("targets.csv", "south,cloth,1\n", "south,cloth,3e25\n", "targets.csv:5"),
    ("inputs.csv", "south_grain,labour,3\n", "south_grain,labour,1e300\n", "inputs.csv:4"),
], ids=["supply", "target", "input"])
def test_numbers_taken_as_infinite_are_located_errors(capsys, tmp_path, file, old, new, where):
    directory = two_regions(tmp_path)
    _with_amount(directory, file, old, new)
    line = problem_line(capsys, "plan", directory)
    assert line.startswith(f"{where}: column 'amount': value '{new.split(',')[-1].strip()}'")
    assert "infinite" in line and "units" in line


def test_doubtful_magnitudes_are_located_warnings(capsys, tmp_path):
    directory = two_regions(tmp_path)
    _with_amount(directory, "inputs.csv", "north_grain,labour,1\n", "north_grain,labour,1e13\n")
    _with_amount(directory, "inputs.csv", "south_cloth,labour,1\n",
                 "south_cloth,labour,1e-10\n")
    code, out, err = run(capsys, "validate", directory)
    assert code == 0 and "valid" in out
    warnings = err.strip().splitlines()
    assert len(warnings) == 3, err
    assert warnings[0].startswith("warning: inputs.csv:2: column 'amount': value '1e13': is "
                                  "1e12 or more")
    assert warnings[1].startswith("warning: inputs.csv:5: column 'amount': value '1e-10': is "
                                  "1e-9 or less")
    assert warnings[2].startswith("warning: inputs.csv:3: column 'amount': value '2': the "
                                  "smallest nonzero amount here is 5e+12 times smaller than "
                                  "the largest (1e13 on line 2)")
    assert all("units" in w for w in warnings)
    code, out, err = run(capsys, "plan", directory, "--quiet")
    assert code in (0, 1)
    assert "warning: inputs.csv:2" in err


def test_bundled_scenarios_have_no_magnitude_warnings(bundled_scenario):
    for name in ("kantorovich1939", "two_regions", "presidium", "miller_blair"):
        assert not bundled_scenario(name).warnings


def test_highs_refusing_a_model_is_an_error_not_an_empty_optimum():
    from sovnarkhoz.solvers.highs import HighsSolver
    from sovnarkhoz.solvers.problem import LPData
    from sovnarkhoz.solvers.result import Status

    lp = LPData(c=np.array([-1.0]), A=sp.csr_matrix(np.array([[1e16]])),
                row_lower=np.array([-np.inf]), row_upper=np.array([1.0]),
                col_lower=np.array([0.0]), col_upper=np.array([np.inf]))
    result = HighsSolver().solve(lp)
    assert result.status is Status.ERROR
    assert "units" in result.message


# --- 8. signals and pipes ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def long_plan(tmp_path_factory) -> Path:
    """An economy whose plan takes HiGHS several seconds (8 to 25 s on two shared cores by
    interior point; 600 products, about 20 s by dual simplex, now take 4 s)."""
    directory = tmp_path_factory.mktemp("signals") / "g1000"
    assert main(["generate", str(directory), "--products", "1000", "--regions", "10",
                 "--techniques", "2"]) == 0
    return directory


@pytest.mark.parametrize("signum, code, said", [
    (signal.SIGINT, 130, "sovnarkhoz plan: interrupted"),
    (signal.SIGTERM, 143, "sovnarkhoz plan: interrupted (SIGTERM)"),
], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_solve_ends_in_one_line(long_plan, signum, code, said):
    process = subprocess.Popen([*cli(), "plan", str(long_plan)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env())
    try:
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until HiGHS is at work
            line = process.stderr.readline()
            seen.append(line)
            if "solving with" in line or not line:
                break
        time.sleep(2)
        assert process.poll() is None, "".join(seen)
        sent = time.monotonic()
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
        waited = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == code, err
    assert "Traceback" not in err + "".join(seen)
    assert err.strip().splitlines()[-1] == said
    assert waited < 30, f"took {waited:.1f} s to stop"  # HiGHS is stopped, not waited for


def test_output_into_head_ends_quietly():
    done = subprocess.run(["bash", "-c", 'set -o pipefail; "$@" scenarios | head -1', "sh",
                           *cli()], capture_output=True, text=True, timeout=60, env=env())
    assert done.stdout.strip() == "kantorovich1939"
    assert done.stderr == ""
    assert done.returncode in (0, 141)


@pytest.mark.parametrize("argv", [["scenarios"], ["plan", "two_regions", "--quiet"]])
def test_a_closed_stdout_ends_quietly(argv):
    process = subprocess.Popen([*cli(), *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env())
    process.stdout.close()  # the reader is gone before anything is written
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    process.stderr.close()
    assert err == ""
    assert process.returncode == 141


# --- fuzz: the loader and the flags ------------------------------------------------------------
EXAMPLES = int(os.environ.get("SOVNARKHOZ_FUZZ_EXAMPLES", "0"))
"""Set to search longer, with fresh random examples each run; by default a fixed 40."""
FUZZ = settings(max_examples=EXAMPLES or 40, deadline=None, derandomize=not EXAMPLES,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
GARBAGE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "nan", "-inf", "inf", "1e400", "-1", "0", "1e20", "1e15",
                     "1e-300", "north", "labour", "grain", "\"", "\"\"", ",", "\n", "\x00",
                     "true", "1,2", "０"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def damage(draw):
    """A table of two_regions and what to do to it."""
    table = draw(st.sampled_from(TWO_REGIONS_TABLES + ("scenario",)))
    how = draw(st.sampled_from(["bytes", "cell", "drop-column", "truncate", "line"]))
    return table, how, draw(st.binary(max_size=200)), draw(GARBAGE), draw(st.integers(0, 50))


def _damaged(directory: Path, table: str, how: str, data: bytes, cell: str, seed: int) -> None:
    path = directory / ("scenario.toml" if table == "scenario" else f"{table}.csv")
    text = path.read_bytes()
    if how == "bytes":
        path.write_bytes(data)
    elif how == "truncate":
        path.write_bytes(text[: seed % (len(text) + 1)])
    elif how == "line":
        lines = text.splitlines(keepends=True)
        lines.insert(seed % (len(lines) + 1), data + b"\n")
        path.write_bytes(b"".join(lines))
    else:
        rows = [line.split(",") for line in text.decode().splitlines()]
        width = len(rows[0])
        column = seed % width
        if how == "drop-column":
            rows = [row[:column] + row[column + 1:] for row in rows]
        else:
            row = 1 + seed % max(len(rows) - 1, 1) if len(rows) > 1 else 0
            rows[row][column % len(rows[row])] = cell
        path.write_text("\n".join(",".join(row) for row in rows) + "\n")


@FUZZ
@given(damage())
def test_fuzz_the_loader(capsys, case):
    with tempfile.TemporaryDirectory() as folder:
        directory = two_regions(Path(folder))
        _damaged(directory, *case)
        for command in ("validate", "plan"):
            argv = [command, str(directory)] + (["--quiet"] if command == "plan" else [])
            code = main(argv)
            out, err = capsys.readouterr()
            assert code in (0, 1, 2), (case, out, err)
            assert "Traceback" not in out + err


NUMBERS = st.one_of(
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-0", "0", "1e-320", "1e308", "", "x", "0x10", "1_000",
                     " 3", "٣"]),
)
PLAN_FLAGS = ["--tolerance", "--time-limit", "--threads", "--localism", "--departmentalism",
              "--hidden", "--rounds"]


@FUZZ
@given(st.dictionaries(st.sampled_from(PLAN_FLAGS), NUMBERS, min_size=1, max_size=3),
       st.sampled_from(["central", "territorial"]))
def test_fuzz_numeric_flags(capsys, flags, organisation):
    argv = ["plan", "two_regions", "--quiet", "--organisation", organisation]
    for flag, value in flags.items():
        argv.append(f"{flag}={value}")
    if organisation == "territorial" and not _small_rounds(flags.get("--rounds")):
        argv.append("--rounds=50")
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, out, err)
    assert "Traceback" not in out + err


def _small_rounds(value: str | None) -> bool:
    try:
        return value is not None and int(value) <= 50
    except ValueError:
        return True  # refused anyway


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["--products", "--regions", "--techniques",
                                           "--inputs", "--factors", "--seed", "--years",
                                           "--capital"]), NUMBERS), min_size=1, max_size=4))
def test_fuzz_generate_flags(capsys, flags):
    with tempfile.TemporaryDirectory() as folder:
        argv = ["generate", str(Path(folder) / "g"), "--products", "3", "--regions", "2"]
        for flag, value in flags:
            if flag in ("--products", "--regions", "--techniques", "--years") and \
                    _too_big(value, 6):
                value = "4"
            if flag in ("--inputs", "--factors", "--capital") and _too_big(value, 6):
                value = "2"
            argv.append(f"{flag}={value}")
        code = main(argv)
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), (argv, out, err)
        assert "Traceback" not in out + err


def _too_big(value: str, limit: int) -> bool:
    try:
        return int(value) > limit
    except ValueError:
        return False


def test_fuzz_helpers_make_what_they_say(tmp_path):
    directory = two_regions(tmp_path)
    _damaged(directory, "inputs", "drop-column", b"", "", 2)
    assert (directory / "inputs.csv").read_text().splitlines()[0] == "technique,input"
