"""Output folders: written whole or not at all, and never over what is not ours.

Every command that writes a folder (``plan``, ``compare``, ``earliest``, ``explain``,
``frontier``, ``decide``, ``generate``, ``import``; :meth:`Plan.write` and
:meth:`Scenario.write`) writes it through :func:`staged_folder`:

- The folder is built in a fresh hidden folder beside the target (same parent, so that the
  rename is atomic), ``.NAME.sovnarkhoz-tmp-PID-XXXX``, then moved into place. When an earlier
  folder is there it is renamed away (``.NAME.sovnarkhoz-old-PID-XXXX``), the new one renamed
  in, and the old one deleted. A run interrupted while writing (SIGINT, an exception) removes
  its temporary folder and leaves the previous output as it was, or nothing. SIGINT and
  SIGTERM that arrive during the two renames are held back until both are done. Only a hard
  kill (SIGKILL, power loss) between them can leave no folder at the target; the previous
  output then lies in the ``-old-`` folder, and the next run that writes there puts it back
  before it checks the target. Temporary folders of dead processes are removed by the next
  run into the same target.
- A second output into the same folder replaces the first whole: nothing of an earlier plan
  survives beside a later one.
- Every output folder gets a marker, ``.sovnarkhoz-output``, a small JSON file naming the
  command that wrote it (``{"command": "plan"}``); a scenario that ``generate``, ``import``
  or :meth:`Scenario.write` wrote names it in its scenario.toml instead (``[sovnarkhoz]
  written_by = "generate"``), so that a scenario directory holds nothing but its scenario.toml
  and tables. A folder is replaced only when it does not exist,
  is empty, or is ours: it has the marker (or, written before the marker existed, holds
  nothing but files our commands write) and is not a scenario directory (``scenario.toml``,
  ``products.csv`` or ``products.parquet``) -- except that a scenario that ``generate``,
  ``import`` or :meth:`Scenario.write` wrote may be replaced by another scenario. Anything
  else needs ``force`` (``--force``). The file system root, the home folder and the current
  folder or any folder above it are never replaced, even with ``force``.

:func:`check_target` makes the same checks without writing, so that commands can refuse a bad
``--out`` before they solve anything.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

MARKER = ".sovnarkhoz-output"
SCENARIO_FILES = ("scenario.toml", "products.csv", "products.parquet")
#: Commands whose folders are scenarios (a later scenario may replace them).
SCENARIO_COMMANDS = frozenset({"generate", "import", "scenario"})

# What our commands wrote before the marker existed: a folder holding only these is ours.
_TABLES = ("activities", "deliveries", "fulfilment", "factors", "prices", "links",
           "bottlenecks", "investment", "stocks", "priorities")
LEGACY_NAMES = frozenset({
    "summary.json", "decision.json", "frontier.csv", "frontier.json", "frontier.png",
    "comparison.csv", "earliest.json", "explanation.json", "report.html",
    *(f"{table}.{ext}" for table in _TABLES for ext in ("csv", "parquet"))})
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.sovnarkhoz-(?P<kind>tmp|old)-(?P<pid>\d+)-[^/]*$")


class OutputError(Exception):
    """An output folder that cannot, or may not, be written.

    ``path`` is the folder as given, ``reason`` what is wrong with it, ``forceable`` whether
    ``force`` (``--force``) would override it.
    """

    def __init__(self, path: Path, reason: str, forceable: bool = False):
        self.path, self.reason, self.forceable = Path(path), reason, forceable
        hint = "; pass force=True to replace it whole" if forceable else ""
        super().__init__(f"{path}: {reason}{hint}")

    def message(self, flag: str) -> str:
        """One line for the command line, naming the flag (``--out``, ``DIR``)."""
        hint = (f"; choose another {flag} or pass --force to replace it whole"
                if self.forceable else "")
        return f"{flag} {self.path}: {self.reason}{hint}"


def check_target(target: str | Path, *, force: bool = False, scenario: bool = False) -> Path:
    """Raise :class:`OutputError` unless ``target`` can be written as a whole folder.

    ``scenario``: the folder will hold a scenario (``generate``, ``import``), so a scenario
    that one of those wrote may be replaced. Returns the target as an absolute path.
    """
    given = Path(target)
    target = Path(os.path.realpath(given))  # a link to a folder: the folder it points to
    if target.exists() and not target.is_dir():
        raise OutputError(given, "exists and is not a directory")
    existing = next(p for p in (target, *target.parents) if p.exists())
    if not existing.is_dir():
        raise OutputError(given, f"lies under a file, {existing}")
    _check_not_precious(given, target)
    if len(os.fsencode(target.name)) > 200:  # room for the staging folder's name beside it
        raise OutputError(given, "has a name longer than 200 bytes")
    writable = existing if existing != target else target.parent
    _check_writable(given, writable)
    if not force and target.is_dir():
        _check_ours(given, target, scenario)
    return target


def is_scenario_directory(folder: Path) -> bool:
    return any((folder / name).exists() for name in SCENARIO_FILES)


def scenario_marker(command: str) -> dict[str, dict[str, str]]:
    """The section a scenario's writer adds to its scenario.toml: ``[sovnarkhoz]
    written_by = "generate"`` (a scenario directory holds no other files than its own)."""
    return {"sovnarkhoz": {"written_by": command}}


def written_by(folder: Path) -> str | None:
    """The command named in ``folder``'s marker (its ``.sovnarkhoz-output``, or for a scenario
    its scenario.toml's ``[sovnarkhoz] written_by``); "" for a marker that cannot be read;
    None when there is none."""
    marker = folder / MARKER
    if marker.is_file():
        try:
            return str(json.loads(marker.read_text(encoding="utf-8")).get("command", ""))
        except (OSError, ValueError, AttributeError):
            return ""
    header = folder / "scenario.toml"
    if header.is_file():
        try:
            section = tomllib.loads(header.read_text(encoding="utf-8")).get("sovnarkhoz")
        except (OSError, ValueError):
            return None
        if isinstance(section, dict) and "written_by" in section:
            return str(section["written_by"])
    return None


def _check_ours(given: Path, target: Path, scenario: bool) -> None:
    entries = sorted(p.name for p in target.iterdir())
    if not entries:
        return
    command = written_by(target)
    if is_scenario_directory(target):
        if scenario and command in SCENARIO_COMMANDS:
            return
        found = next(name for name in SCENARIO_FILES if (target / name).exists())
        raise OutputError(given, f"is a scenario directory ({found})", forceable=True)
    if command is not None:
        return
    foreign = [name for name in entries if not _legacy_entry(target / name)]
    if foreign:
        raise OutputError(given, f"holds files sovnarkhoz did not write "
                          f"({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''})",
                          forceable=True)


def _legacy_entry(entry: Path) -> bool:
    """A file our commands write (``bodies/``: plans, as ``decide`` writes them): how a folder
    written before the marker existed is recognised as ours."""
    if entry.name == "bodies" and entry.is_dir() and not entry.is_symlink():
        return all(body.is_dir() and not body.is_symlink() and
                   all(_legacy_entry(p) and p.is_file() for p in body.iterdir())
                   for body in entry.iterdir())
    return entry.name in LEGACY_NAMES and entry.is_file() and not entry.is_symlink()


def _check_not_precious(given: Path, target: Path) -> None:
    here = Path(os.path.realpath(os.getcwd()))
    home = Path(os.path.realpath(os.path.expanduser("~")))
    what = ("the file system root" if target == Path(target.anchor) else
            "the home folder" if target == home else
            "the current folder" if target == here else
            "a folder above the current one" if target in here.parents else None)
    if what:
        raise OutputError(given, f"is {what}, which sovnarkhoz never replaces")


def _check_writable(given: Path, folder: Path) -> None:
    """Make and remove a hidden folder in ``folder``: the only test that root, ACLs and
    read-only file systems cannot fool."""
    try:
        probe = _new_folder(folder, ".sovnarkhoz-probe-")
    except OSError as error:
        raise OutputError(given, f"cannot write in {folder} ({error.strerror or error})") \
            from None
    os.rmdir(probe)


def _new_folder(parent: Path, prefix: str) -> Path:
    """A new empty folder ``parent/PREFIX<random>``, with the permissions the umask gives
    (unlike tempfile.mkdtemp's 0700: it becomes the output folder)."""
    for _ in range(100):
        folder = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            os.mkdir(folder)
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(f"no free name for a temporary folder in {parent}")


@contextlib.contextmanager
def staged_folder(target: str | Path, command: str, *, force: bool = False) -> Iterator[Path]:
    """Yield a fresh empty folder to write into; on success it replaces ``target`` whole.

    ``command`` names what writes it (recorded in the marker; ``generate``, ``import`` and
    ``scenario`` write scenarios). On any exception, KeyboardInterrupt included, the
    temporary folder is removed and ``target`` is left as it was. Raises
    :class:`OutputError` (before yielding) when ``target`` may not be written, and again
    before the swap if it has become so in the meantime.
    """
    scenario = command in SCENARIO_COMMANDS
    given = Path(target)
    _sweep(Path(os.path.realpath(given)))
    target = check_target(given, force=force, scenario=scenario)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _new_folder(target.parent, f".{target.name}.sovnarkhoz-tmp-{os.getpid()}-")
    moved: list[Path] = []
    try:
        yield staging
        if not scenario:  # a scenario's writer marks its scenario.toml (scenario_marker)
            (staging / MARKER).write_text(json.dumps({"command": command}) + "\n",
                                          encoding="utf-8")
        check_target(given, force=force, scenario=scenario)
        with _signals_held():
            _swap(staging, target, moved)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        for old in moved:
            shutil.rmtree(old, ignore_errors=True)


def _swap(staging: Path, target: Path, moved: list[Path]) -> None:
    """Rename ``staging`` to ``target``, moving an existing ``target`` away first (into
    ``moved``, to be deleted)."""
    if not target.exists():
        os.rename(staging, target)
        return
    old = target.parent / f".{target.name}.sovnarkhoz-old-{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    moved.append(old)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (main thread only) and deliver them afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    wanted = [s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None]
    previous = {s: signal.signal(s, lambda number, _frame: caught.append(number))
                for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            if handler is not None:  # None: set outside Python; cannot be put back
                signal.signal(s, handler)
        for number in dict.fromkeys(caught):
            signal.raise_signal(number)


def _sweep(target: Path) -> None:
    """Remove what dead runs left beside ``target``; put back an output a hard kill left
    renamed away."""
    parent = target.parent
    if not parent.is_dir():
        return
    for entry in sorted(parent.iterdir()):
        match = _LEFTOVER.match(entry.name)
        if not match or match["name"] != target.name or _alive(int(match["pid"])):
            continue
        if match["kind"] == "old" and not target.exists():
            with contextlib.suppress(OSError):
                os.rename(entry, target)
                continue
        shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
