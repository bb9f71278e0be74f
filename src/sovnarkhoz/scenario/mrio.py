"""pymrio's systems in: every database pymrio reads (a system saved by pymrio, EXIOBASE 3,
WIOD, the OECD's ICIO, Eora26, GLORIA), read by pymrio's own loader and parsers, made a
scenario by :mod:`.ioscenario` (each (region, sector) a technique, its inputs from A, trade
fixed or free, factors from named satellite rows, supplies their observed use, targets the
final demand Y).

pymrio is an optional dependency (the ``io`` extra): imported only when used.

Nothing is written here by hand for a database: a layout pymrio reads but this module does
not expect (no Z and no A, an index without regions and sectors, a named extension or row
that is not there, rows of one factor in different units, negative flows) is refused with an
:class:`~.errors.Issue` naming the source, the table and what was expected.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sized
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import Issue, ScenarioError
from .ioscenario import Factor, IOTable, Trade, coefficients_from_flows, io_tables
from .mrio_core import CoreEntries, core_of_system, saved_core_file, stream_saved_core


class SourceFormat(StrEnum):
    """What SOURCE holds: ``auto`` tells it from the path; the others name pymrio's reader."""

    AUTO = "auto"
    PYMRIO = "pymrio"
    EXIOBASE3 = "exiobase3"
    WIOD = "wiod"
    OECD = "oecd"
    EORA26 = "eora26"
    GLORIA = "gloria"


PARSERS: dict[SourceFormat, tuple[str, str, str]] = {
    SourceFormat.PYMRIO: ("load_all", "a folder or zip archive saved by pymrio's save_all "
                          "(with metadata.json), text or Parquet", ""),
    SourceFormat.EXIOBASE3: ("parse_exiobase3", "an EXIOBASE 3 download (IOT_YYYY_ixi.zip "
                             "or IOT_YYYY_pxp.zip, or its folder)", r"IOT_\d{4}_(ixi|pxp)"),
    SourceFormat.WIOD: ("parse_wiod", "a WIOD release (the WIOTS_in_EXCEL folder or a "
                        "WIOT...xlsb file) and --year", r"WIOT"),
    SourceFormat.OECD: ("parse_oecd", "an OECD ICIO download (ICIO...zip or csv) and --year",
                        r"ICIO"),
    SourceFormat.EORA26: ("parse_eora26", "an Eora26 download (Eora26_YYYY_bp.zip) and --year",
                          r"Eora26"),
    SourceFormat.GLORIA: ("parse_gloria", "a GLORIA download (the GLORIA_MRIO folder or "
                          "zip) and --year", r"GLORIA"),
}
"""For each format: pymrio's function, what it expects, and the file name pattern ``auto``
recognises."""

TAKES_YEAR = (SourceFormat.WIOD, SourceFormat.OECD, SourceFormat.EORA26, SourceFormat.GLORIA)


@dataclass(frozen=True)
class FactorSpec:
    """``NAME=EXTENSION:ROW[+ROW...]``: factor NAME is the sum of ROWs of the satellite
    account EXTENSION (its attribute name, ``factor_inputs``, or its name, ``Factor
    Inputs``); a ROW is an entry of the extension's index (with a multi-level index, the
    value of any one level, which takes every entry with it, or every level joined by ``, ``:
    GLORIA's value added is indexed by (region, input type), so ``VA:Compensation of
    employees`` sums it over the regions)."""

    factor: str
    extension: str
    rows: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> FactorSpec:
        name, equals, rest = text.partition("=")
        extension, colon, rows = rest.partition(":")
        parts = tuple(r.strip() for r in rows.split("+"))
        if not (equals and colon and name.strip() and extension.strip() and all(parts)):
            raise ScenarioError([Issue("--factors", "expected NAME=EXTENSION:ROW[+ROW...], "
                                       "e.g. value_added=factor_inputs:Value Added",
                                       value=text)], source="import pymrio")
        return cls(name.strip(), extension.strip(), parts)

    def __str__(self) -> str:
        return f"{self.factor}={self.extension}:{'+'.join(self.rows)}"


def _pymrio() -> Any:
    try:
        import pymrio
    except ImportError:  # pragma: no cover - the io extra installs it
        raise ScenarioError([Issue("pymrio", "is not installed: pip install "
                                   "'sovnarkhoz[io]'")], source="import pymrio") from None
    return pymrio


def detect_format(source: Path) -> SourceFormat:
    """The format of ``source``: an EXIOBASE 3 download by its name (it holds pymrio's
    metadata.json too, but ``parse_exiobase3`` mends the names of some releases), else saved
    by pymrio (metadata.json in the folder or archive), else a database download recognised
    by its name; else a located error."""
    exiobase = re.search(PARSERS[SourceFormat.EXIOBASE3][2], source.name, flags=re.IGNORECASE)
    if exiobase:  # EXIOBASE 3 ships in pymrio's format, but its parser also mends its names
        return SourceFormat.EXIOBASE3
    if (source / "metadata.json").is_file() if source.is_dir() else _zip_has_metadata(source):
        return SourceFormat.PYMRIO
    for fmt, (_, _, pattern) in PARSERS.items():
        if pattern and re.search(pattern, source.name, flags=re.IGNORECASE):
            return fmt
    expected = "; ".join(f"{fmt.value}: {what}" for fmt, (_, what, _) in PARSERS.items())
    raise ScenarioError([Issue(str(source), "cannot tell which database this is; expected "
                               f"one of {expected}. Name it with --format")],
                        source="import pymrio")


def _zip_has_metadata(path: Path) -> bool:
    if not path.is_file() or not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(Path(name).name == "metadata.json" for name in archive.namelist())


def read_mrio(source: str | Path, fmt: SourceFormat | str = SourceFormat.AUTO,
              year: int | None = None) -> Any:
    """An IOSystem read by pymrio from ``source`` (see :class:`SourceFormat`); pymrio's
    failure becomes a located error naming the source and what was expected."""
    return _read(Path(source), SourceFormat(fmt), year, include_core=True)[0]


@dataclass(frozen=True)
class LoadedMrio:
    """A system read for import: ``io`` as pymrio read it, ``core`` its Z or A read apart
    as entries (None when ``io`` holds them), and ``format`` the reader used (never
    ``auto``)."""

    io: Any
    core: CoreEntries | None
    format: SourceFormat


def load_mrio(source: str | Path, fmt: SourceFormat | str = SourceFormat.AUTO,
              year: int | None = None) -> LoadedMrio:
    """As :func:`read_mrio`, but a folder pymrio saved as Parquet has its core matrix
    streamed (:mod:`.mrio_core`): pymrio loads all the rest, and the dense n × n matrix is
    never held. Any other source is read whole by pymrio."""
    source, fmt = Path(source), SourceFormat(fmt)
    if source.is_dir() and fmt in (SourceFormat.AUTO, SourceFormat.PYMRIO) and (
            source / "metadata.json").is_file():
        saved = saved_core_file(source)
        if saved is not None:
            io, _ = _read(source, SourceFormat.PYMRIO, year, include_core=False)
            return LoadedMrio(io, stream_saved_core(saved[1], saved[0]), SourceFormat.PYMRIO)
    io, fmt = _read(source, fmt, year, include_core=True)
    return LoadedMrio(io, None, fmt)


def _read(source: Path, fmt: SourceFormat, year: int | None, include_core: bool
          ) -> tuple[Any, SourceFormat]:
    """pymrio's IOSystem of ``source`` and the format it was read as."""
    if not source.exists():
        raise ScenarioError([Issue(str(source), "does not exist")], source="import pymrio")
    if fmt is SourceFormat.AUTO:
        fmt = detect_format(source)
    pymrio = _pymrio()
    function, expected, _ = PARSERS[fmt]
    kwargs: dict[str, Any] = {}
    if fmt in TAKES_YEAR and year is not None:
        kwargs["year"] = year
    if fmt is SourceFormat.PYMRIO and not include_core:
        kwargs["include_core"] = False
    try:
        io = getattr(pymrio, function)(source, **kwargs)
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as error:  # pymrio's parsers raise anything for a layout they miss
        raise ScenarioError([Issue(str(source), f"pymrio's {function} could not read it "
                                   f"({type(error).__name__}: {error}); expected {expected}")],
                            source="import pymrio") from None
    if io is None or not hasattr(io, "Y"):
        raise ScenarioError([Issue(str(source), f"pymrio's {function} found no IO system "
                                   f"there; expected {expected}")], source="import pymrio")
    if year is not None and fmt not in TAKES_YEAR:
        io.meta.change_meta("year", year, log=False)
    return io, fmt


def mrio_table(io: Any, factors: tuple[FactorSpec, ...] = (), source: str = "IOSystem",
               categories: tuple[str, ...] | None = None, core: CoreEntries | None = None
               ) -> IOTable:
    """The arrays of ``io`` (an IOSystem, as loaded: calc_all is not needed), checked.

    core : the entries of its Z or A when they were read apart (:func:`load_mrio` streams
    them from a Parquet save); default, the system's own A (with x) or Z.

    categories : the final-demand categories (Y's second column level) whose demand becomes
    targets (None: all of them); gross outputs stay the system's, so the observed economy
    delivers more than these targets ask."""
    where = f"{source} (pymrio"

    def refuse(table: str, message: str, value: str | None = None) -> ScenarioError:
        return ScenarioError([Issue(f"{where}'s {table})", message, value=value)],
                             source="import pymrio")

    Y = getattr(io, "Y", None)
    if Y is None:
        raise refuse("Y", "there is no final demand Y; expected a system with Y and Z (or A)")
    if core is None:
        core = _core_in_memory(io, refuse)
    name, index = core.table, core.index
    if not isinstance(index, pd.MultiIndex) or index.nlevels != 2:
        raise refuse(name, "its rows are not indexed by (region, sector) pairs",
                     value=str(index.names))
    if not Y.index.equals(index):
        raise refuse("Y", f"its rows differ from {name}'s (region, sector) rows")
    regions = list(dict.fromkeys(index.get_level_values(0)))
    sectors = list(dict.fromkeys(index.get_level_values(1)))
    full = pd.MultiIndex.from_product([regions, sectors])
    if len(index) != len(full) or not index.equals(full):
        raise refuse(name, f"expected every region with every sector, region by region "
                     f"({len(regions)} x {len(sectors)} rows); it has {len(index)}")
    if not isinstance(Y.columns, pd.MultiIndex) or Y.columns.nlevels != 2:
        raise refuse("Y", "its columns are not (region, final demand category) pairs",
                     value=str(Y.columns.names))
    consumer = pd.Index(regions).get_indexer(Y.columns.get_level_values(0))
    if (consumer < 0).any():
        bad = Y.columns.get_level_values(0)[consumer < 0][0]
        raise refuse("Y", "a final-demand column of a region that has no rows", value=str(bad))
    final_by_column = Y.to_numpy(dtype=np.float64)
    chosen = np.ones(len(Y.columns), dtype=bool)
    if categories is not None:
        present = Y.columns.get_level_values(1).astype(str)
        for category in categories:
            if category not in set(present):
                raise refuse("Y", "no final-demand category of this name; the categories are "
                             + ", ".join(dict.fromkeys(present)), value=category)
        chosen = np.isin(present, list(categories))
    _no_negatives(final_by_column[:, chosen], index, Y.columns[chosen], refuse, "Y",
                  "final demand")
    n = len(index)
    final = np.zeros((n, len(regions)))
    np.add.at(final.T, consumer[chosen], final_by_column[:, chosen].T)

    x = getattr(io, "x", None)
    if x is not None:
        output = x.to_numpy(dtype=np.float64).reshape(-1)
        if len(output) != n:
            raise refuse("x", f"has {len(output)} rows, not the {n} of {name}")
    elif name == "Z":  # pymrio's calc_x: the rows of Z and of Y summed
        output = core.row_sums + final_by_column.sum(axis=1)
    else:  # A and Y alone (GLORIA's parser): x from (I - A) x = Y's row sums, as calc_x
        output = _output_from_coefficients(core, final_by_column.sum(axis=1), refuse)
    what = "input coefficient" if name == "A" else "flow"
    _no_negative_entries(core, refuse, what)
    if name == "A":
        rows, cols, values = core.rows, core.cols, core.values
    else:
        rows, cols, values = coefficients_from_flows(core.rows, core.cols, core.values, output)
    if (output < 0).any():
        _no_negatives(output[:, None], index, pd.Index(["indout"]), refuse, "x",
                      "gross output")
    units = _sector_units(io, regions, sectors, refuse)
    made = tuple(_factor(io, spec, index, output, refuse) for spec in factors)
    return IOTable(regions=[str(r) for r in regions], sectors=[str(s) for s in sectors],
                   units=units, coefficient_row=rows, coefficient_col=cols, coefficient=values,
                   output=output, final=final, factors=made)


def _core_in_memory(io: Any, refuse) -> CoreEntries:
    """The core entries of the system held in memory, its layout checked first."""
    Z, A = getattr(io, "Z", None), getattr(io, "A", None)
    if Z is None and A is None:
        raise refuse("Z", "there is neither Z nor A; expected a system with Y and Z (or A and "
                     "x)")
    core = core_of_system(io)
    frame = getattr(io, core.table)
    if not isinstance(frame.index, pd.MultiIndex) or frame.index.nlevels != 2:
        raise refuse(core.table, "its rows are not indexed by (region, sector) pairs",
                     value=str(frame.index.names))
    if not frame.columns.equals(frame.index):
        raise refuse(core.table, "its columns are not its rows: a square (region, sector) "
                     "table was expected")
    return core


def _output_from_coefficients(core: CoreEntries, final: np.ndarray, refuse) -> np.ndarray:
    """(n,) gross outputs x = (I - A)^-1 y of the coefficients ``core`` (A) and total final
    demand ``final`` (n,), solved sparsely (pymrio's calc_x would invert I - A densely)."""
    import scipy.sparse as sp

    from ..formulation.leontief import solve_levels

    n = len(core.index)
    A = sp.csr_matrix((core.values, (core.rows, core.cols)), shape=(n, n))
    try:
        output = solve_levels(sp.identity(n, format="csr") - A, final)
    except (RuntimeError, ValueError) as error:
        raise refuse("A", f"there is no x, and (I - A) x = y could not be solved for it "
                     f"({error})") from None
    if not np.all(np.isfinite(output)):
        raise refuse("A", "there is no x, and (I - A) x = y has no finite solution: is A "
                     "productive?")
    return output


def _no_negative_entries(core: CoreEntries, refuse, what: str) -> None:
    strange = np.flatnonzero(~np.isfinite(core.values))
    if len(strange):
        first = strange[0]
        raise refuse(core.table, f"the {what} at row {core.index[core.rows[first]]}, column "
                     f"{core.index[core.cols[first]]} is not a number",
                     value=repr(float(core.values[first])))
    negative = np.flatnonzero(core.values < 0)
    if len(negative):
        first = negative[0]
        more = f" (and {len(negative) - 1} more)" if len(negative) > 1 else ""
        raise refuse(core.table, f"negative {what} at row {core.index[core.rows[first]]}, "
                     f"column {core.index[core.cols[first]]}{more}: a plan's amounts are zero "
                     "or more", value=repr(float(core.values[first])))


def _no_negatives(values: np.ndarray, rows: pd.Index, cols: pd.Index, refuse, table: str,
                  what: str) -> None:
    negative = np.argwhere(values < 0)
    if len(negative):
        i, j = negative[0]
        more = f" (and {len(negative) - 1} more)" if len(negative) > 1 else ""
        raise refuse(table, f"negative {what} at row {rows[i]}, column {cols[j]}{more}: "
                     "a plan's amounts are zero or more", value=repr(float(values[i, j])))


def _sector_units(io: Any, regions: list, sectors: list, refuse) -> list[str]:
    """(S,) each sector's unit from the system's ``unit`` table ('' where absent); a sector
    counted in different units in different regions is refused."""
    unit = getattr(io, "unit", None)
    if unit is None or "unit" not in getattr(unit, "columns", ()):
        return [""] * len(sectors)
    frame = unit["unit"]
    if not isinstance(frame.index, pd.MultiIndex) or frame.index.nlevels != 2:
        return [""] * len(sectors)
    table = frame.astype(str).unstack(level=0).reindex(index=sectors)
    out = []
    for sector, row in table.iterrows():  # S sectors (a few hundred): metadata, not data
        found = sorted(set(row.dropna()))
        if len(found) > 1:
            raise refuse("unit", f"sector {sector} is counted in different units in different "
                         f"regions ({', '.join(found)}); a product has one unit")
        out.append(found[0] if found else "")
    return out


def _extension(io: Any, name: str, refuse) -> Any:
    names = dict(zip(io.get_extensions(data=False, instance_names=True),
                     io.get_extensions(data=True), strict=True))
    if name in names:
        return names[name]
    for extension in names.values():
        if extension.name == name:
            return extension
    known = ", ".join(f"{attr} ({ext.name})" for attr, ext in names.items()) or "none"
    raise refuse("extensions", f"no satellite account named {name}; the system has {known}",
                 value=name)


def _factor(io: Any, spec: FactorSpec, index: pd.Index, output: np.ndarray, refuse
            ) -> Factor:
    """A factor's use (n,) by each (region, sector): the sum of the spec's rows of F (or of
    S times x when only coefficients are stored)."""
    extension = _extension(io, spec.extension, refuse)
    F = getattr(extension, "F", None)
    if F is None and getattr(extension, "S", None) is not None:
        F = extension.S * output[None, :]
    if F is None:
        raise refuse(f"{spec.extension}", "the satellite account has neither F nor S")
    entries = F.index
    levels = ([entries.get_level_values(i).astype(str) for i in range(entries.nlevels)]
              if isinstance(entries, pd.MultiIndex) else [entries.astype(str)])
    joined = (pd.Index([", ".join(map(str, e)) for e in entries])
              if isinstance(entries, pd.MultiIndex) else levels[0])
    chosen = np.zeros(len(entries), dtype=bool)
    for row in spec.rows:
        hit = np.asarray(joined == row)
        for level in levels:
            hit |= np.asarray(level == row)
        if not hit.any():
            shown = ", ".join(dict.fromkeys(joined[:20])) + (", ..." if len(entries) > 20
                                                             else "")
            raise refuse(f"{spec.extension}.F", f"no row {row!r} for factor {spec.factor}; "
                         f"its rows are {shown}", value=row)
        chosen |= hit
    if not F.columns.equals(index):
        raise refuse(f"{spec.extension}.F", "its columns are not the system's (region, sector) "
                     "columns")
    values = F.to_numpy(dtype=np.float64)[chosen]
    _no_negatives(values, entries[chosen], index, refuse, f"{spec.extension}.F",
                  f"use of factor {spec.factor}")
    unit_table = getattr(extension, "unit", None)
    units: list[str] = []
    if unit_table is not None and "unit" in unit_table.columns:
        units = sorted(set(unit_table["unit"].reindex(entries[chosen]).dropna().astype(str)))
    if len(units) > 1:
        raise refuse(f"{spec.extension}.unit", f"rows of factor {spec.factor} are in different "
                     f"units ({', '.join(units)}); a factor adds them, so they need one unit")
    return Factor(factor=spec.factor, name=" + ".join(spec.rows), unit=units[0] if units else "",
                  use=values.sum(axis=0))


def mrio_settings(io: Any, trade: Trade, factors: tuple[FactorSpec, ...], fmt: str = "",
                  source: str = "") -> dict[str, dict[str, Any]]:
    """scenario.toml's ``[source]``: where the tables came from (name, version, system, year,
    price of the MRIO as pymrio's metadata has them), the trade and the factors chosen."""
    meta = getattr(getattr(io, "meta", None), "_content", {}) or {}
    section: dict[str, Any] = {"importer": "pymrio", "trade": str(trade)}
    if source:
        section["path"] = source
    if fmt:
        section["format"] = fmt
    for key in ("name", "version", "system", "year", "price"):
        value = meta.get(key)
        if value not in (None, "", "None"):
            section[key] = value if isinstance(value, int) else str(value)
    if factors:
        section["factors"] = ", ".join(map(str, factors))
    return {"source": section}


def from_pymrio(io: Any, factors: tuple[FactorSpec | str, ...] | list = (),
                trade: Trade | str = Trade.FIXED, name: str | None = None,
                final_demand: tuple[str, ...] | list | None = None):
    """A validated :class:`~.model.Scenario` of the pymrio IOSystem ``io``.

    factors : ``NAME=EXTENSION:ROW[+ROW...]`` strings or :class:`FactorSpec`; trade :
    ``fixed`` (the origins the table records) or ``free`` (see :mod:`.ioscenario`);
    final_demand : the final-demand categories made targets (default all).
    """
    from .model import Scenario

    specs = tuple(f if isinstance(f, FactorSpec) else FactorSpec.parse(f) for f in factors)
    trade = Trade(trade)
    categories = None if final_demand is None else tuple(final_demand)
    frames = io_tables(mrio_table(io, specs, categories=categories), trade)
    settings = mrio_settings(io, trade, specs)
    label = name or str(getattr(io, "name", "") or "mrio")
    return Scenario.from_frames(name=label, description=describe(io, trade, frames),
                                settings=settings, **frames)


def describe(io: Any, trade: Trade, frames: Mapping[str, Sized]) -> str:
    """One line on the system imported (``frames``: regions, products, factors, each with a
    length)."""
    return (f"pymrio system {getattr(io, 'name', '')}: {len(frames['regions'])} regions x "
            f"{len(frames['products'])} sectors, trade {trade}, "
            f"{len(frames['factors'])} factors")
