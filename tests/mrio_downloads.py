"""Small database downloads in the layouts pymrio's parsers read, written from one small
MRIO, so that ``import pymrio`` is tested on the success path of each parser without a
download (none can be made here).

The economy: 3 regions × 4 sectors, Z, final demand in two categories and value added in two
rows, from a fixed random draw; every layout carries the same numbers, so that the gross
outputs any of them imports are known in advance (:data:`OUTPUT`).

Layouts (as documented by the databases and as pymrio's parsers read them):

- EXIOBASE 3 (``IOT_2011_pxp.zip``): the archive of a folder ``IOT_2011_pxp`` that the
  EXIOBASE consortium writes with pymrio's own file format (file_parameters.json, Z, Y, x,
  unit as tab-separated text, a ``satellite`` account); read by ``parse_exiobase3``.
- OECD ICIO (``ICIO2023_2011.csv``): one CSV, rows and columns ``REGION_SECTOR``, the
  final-demand columns ``REGION_HFCE``/``REGION_GFCF``, the rows ``TLS`` and ``VA`` and the
  row and column ``OUT``; read by ``parse_oecd``.
- Eora26 (``Eora26_2011_bp.zip``): headerless tab-separated ``Eora26_2011_bp_T/FD/VA/Q/QY``
  and the ``labels_*`` files; read by ``parse_eora26``.
- WIOD, 2013 release (``wiot11_row_sep12.xlsx``): one sheet, a title row and a blank one,
  four header rows (the table's system and unit in the first two) and four header columns
  (ISIC code, name, country, WIOD's ``c`` code; the last industry ``c35``), value added as
  row ``r64`` between the totals ``r60`` and ``r69``, final demand ``c37`` to ``c42`` and a
  total column; read by ``parse_wiod``. WIOD needs a ``USA``, so the third region is the
  USA there.
- GLORIA, release 059 (a folder holding ``GLORIA_MRIOs_59_2011.zip``,
  ``GLORIA_SatelliteAccounts_059_2011.zip`` and ``GLORIA_ReadMe_059.xlsx``): supply-use
  tables, headerless CSV over (region, Industry|Product, sector) labels that the ReadMe's
  sheets name; each industry supplies its own product; read by ``parse_gloria``, which makes
  A and Y (no x).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

REGIONS = ["AUS", "BRA", "DEU"]
REGION_NAMES = ["Australia", "Brazil", "Germany"]
SECTORS = ["D01T02", "D05T06", "D10T12", "D41T43"]
SECTOR_NAMES = ["Agriculture", "Mining", "Food", "Construction"]
CATEGORIES = ["HFCE", "GFCF"]
VALUE_ADDED = ["Compensation", "Surplus"]

_draw = np.random.default_rng(1957)
_n = len(REGIONS) * len(SECTORS)
FLOWS = np.round(_draw.uniform(0.0, 10.0, (_n, _n)) * (_draw.random((_n, _n)) < 0.7), 3)
"""(12, 12) Z, region-major (region r, sector s) = r·4 + s, in million USD."""
FINAL = np.round(_draw.uniform(5.0, 40.0, (_n, len(REGIONS) * len(CATEGORIES))), 3)
"""(12, 6) final demand by consuming (region, category), region-major."""
OUTPUT = FLOWS.sum(axis=1) + FINAL.sum(axis=1)
"""(12,) gross outputs x."""
_added = OUTPUT - FLOWS.sum(axis=0)
VALUE_ADDED_ROWS = np.vstack([np.round(0.6 * _added, 3), _added - np.round(0.6 * _added, 3)])
"""(2, 12) compensation and surplus; each column's inputs and value added sum to its x."""


def _pairs(first: list[str], second: list[str]) -> pd.MultiIndex:
    return pd.MultiIndex.from_product([first, second])


def exiobase3(folder: Path) -> Path:
    """``IOT_2011_pxp.zip`` in ``folder``, written through pymrio's own save_all (the format
    of the EXIOBASE 3 downloads) and zipped."""
    import pymrio

    index = _pairs(REGIONS, SECTORS)
    index.names = ["region", "sector"]
    columns = _pairs(REGIONS, CATEGORIES)
    columns.names = ["region", "category"]
    stressors = pd.Index([f"Value Added: {row}" for row in VALUE_ADDED], name="stressor")
    io = pymrio.IOSystem(
        Z=pd.DataFrame(FLOWS, index=index, columns=index),
        Y=pd.DataFrame(FINAL, index=index, columns=columns),
        x=pd.DataFrame({"indout": OUTPUT}, index=index),
        unit=pd.DataFrame({"unit": "M.EUR"}, index=index),
        name="EXIO3", version="3.8.2", system="pxp", year=2011,
        satellite={"name": "satellite",
                   "F": pd.DataFrame(VALUE_ADDED_ROWS, index=stressors, columns=index),
                   "unit": pd.DataFrame({"unit": "M.EUR"}, index=stressors)})
    unpacked = folder / "unpacked" / "IOT_2011_pxp"
    io.save_all(unpacked)
    archive = folder / "IOT_2011_pxp.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(unpacked.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(unpacked.parent).as_posix())
    return archive


def oecd(folder: Path) -> Path:
    """``ICIO2023_2011.csv`` in ``folder``: the OECD's inter-country table layout."""
    codes = [f"{r}_{s}" for r in REGIONS for s in SECTORS]
    demand = [f"{r}_{c}" for r in REGIONS for c in CATEGORIES]
    taxes = np.zeros((1, _n))
    body = np.vstack([np.hstack([FLOWS, FINAL, OUTPUT[:, None]]),
                      np.hstack([taxes, np.zeros((1, len(demand) + 1))]),
                      np.hstack([VALUE_ADDED_ROWS.sum(axis=0, keepdims=True),
                                 np.zeros((1, len(demand) + 1))]),
                      np.hstack([OUTPUT[None, :], np.zeros((1, len(demand) + 1))])])
    table = pd.DataFrame(body, index=pd.Index(codes + ["TLS", "VA", "OUT"], name="V1"),
                         columns=codes + demand + ["OUT"])
    path = folder / "ICIO2023_2011.csv"
    table.to_csv(path)
    return path


def eora26(folder: Path) -> Path:
    """``Eora26_2011_bp.zip`` in ``folder``: Eora26's headerless text tables and labels."""
    def text(frame: pd.DataFrame) -> str:
        return frame.to_csv(sep="\t", header=False, index=False)

    labels_t = pd.DataFrame([(REGION_NAMES[r], code, "Industries", SECTOR_NAMES[s])
                             for r, code in enumerate(REGIONS) for s in range(len(SECTORS))])
    labels_fd = pd.DataFrame([(REGION_NAMES[r], code, "Final Demand", category)
                              for r, code in enumerate(REGIONS) for category in CATEGORIES])
    labels_va = pd.DataFrame([("Primary input", row) for row in VALUE_ADDED])
    labels_q = pd.DataFrame([("CO2 (Gg)", "Total")])
    emissions = np.round(0.1 * OUTPUT[None, :], 3)
    files = {
        "Eora26_2011_bp_T.txt": text(pd.DataFrame(FLOWS)),
        "Eora26_2011_bp_FD.txt": text(pd.DataFrame(FINAL)),
        "Eora26_2011_bp_VA.txt": text(pd.DataFrame(VALUE_ADDED_ROWS)),
        "Eora26_2011_bp_Q.txt": text(pd.DataFrame(emissions)),
        "Eora26_2011_bp_QY.txt": text(pd.DataFrame(np.zeros((1, FINAL.shape[1])))),
        "labels_T.txt": text(labels_t),
        "labels_FD.txt": text(labels_fd),
        "labels_VA.txt": text(labels_va),
        "labels_Q.txt": text(labels_q),
    }
    archive = folder / "Eora26_2011_bp.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, content in files.items():
            zipped.writestr(name, content)
    return archive


WIOD_REGIONS = ["AUS", "BRA", "USA"]
WIOD_SECTORS = [("AtB", "Agriculture, Hunting, Forestry and Fishing", "c1"),
                ("C", "Mining and Quarrying", "c2"),
                ("15t16", "Food, Beverages and Tobacco", "c3"),
                ("P", "Private Households with Employed Persons", "c35")]
WIOD_CATEGORIES = [("CONS_h", "Final consumption expenditure by households", "c37"),
                   ("GFCF", "Gross fixed capital formation", "c41")]


def wiod(folder: Path) -> Path:
    """``wiot11_row_sep12.xlsx`` in ``folder``: WIOD's 2013-release world table layout."""
    industry = [(code, name, region, c_code) for region in WIOD_REGIONS
                for code, name, c_code in WIOD_SECTORS]
    demand = [(code, name, region, c_code) for region in WIOD_REGIONS
              for code, name, c_code in WIOD_CATEGORIES]
    width = 4 + len(industry) + len(demand) + 1
    rows: list[list[object]] = [["World Input-Output Table in current prices, 2011"]
                                + [None] * (width - 1), [None] * width]
    total = ("TOT", "Total output", "TOT", "c62")
    for level in range(4):  # the header rows: code, name, country, c code of each column
        rows.append([None] * 4 + [column[level] for column in industry + demand]
                    + [total[level]])
    rows[2][0], rows[3][0] = "(industry-by-industry)", "(millions of US$)"
    body = np.hstack([FLOWS, FINAL, OUTPUT[:, None]])
    rows += [list(header) + list(values) for header, values in zip(industry, body, strict=True)]
    zeros = [0.0] * (len(demand) + 1)
    rows.append(["", "Total intermediate consumption", "TOT", "r60"]
                + list(FLOWS.sum(axis=0)) + zeros)
    rows.append(["", "Value added at basic prices", "TOT", "r64"]
                + list(VALUE_ADDED_ROWS.sum(axis=0)) + zeros)
    rows.append(["", "Output at basic prices", "TOT", "r69"] + list(OUTPUT) + zeros)
    path = folder / "wiot11_row_sep12.xlsx"
    pd.DataFrame(rows).to_excel(path, header=False, index=False)
    return path


GLORIA_VALUE_ADDED = ["Compensation of employees", "Operating surplus"]


def gloria(folder: Path) -> Path:
    """A GLORIA download folder in ``folder`` (see the module docstring); returns it."""
    root = folder / "gloria"
    root.mkdir()
    n = _n
    industry = np.arange(2 * n).reshape(len(REGIONS), 2, len(SECTORS))[:, 0].ravel()
    product = np.arange(2 * n).reshape(len(REGIONS), 2, len(SECTORS))[:, 1].ravel()
    both = np.zeros((2 * n, 2 * n))
    both[np.ix_(industry, product)] = np.diag(OUTPUT)  # supply: industry i makes product i
    both[np.ix_(product, industry)] = FLOWS  # use
    final = np.zeros((2 * n, FINAL.shape[1]))
    final[product] = FINAL
    region_of = np.repeat(np.arange(len(REGIONS)), len(SECTORS))
    added = np.zeros((len(REGIONS) * len(GLORIA_VALUE_ADDED), 2 * n))
    for row, values in enumerate(VALUE_ADDED_ROWS):  # each region's own rows
        added[region_of * len(GLORIA_VALUE_ADDED) + row, industry] = values
    emissions = np.zeros((1, 2 * n))
    emissions[0, industry] = np.round(0.1 * OUTPUT, 3)

    def text(values: np.ndarray) -> str:
        return pd.DataFrame(values).to_csv(header=False, index=False)

    stem = "_120secMother_AllCountries_002_{}-Results_2011_059_Markup001(full).csv"
    with zipfile.ZipFile(root / "GLORIA_MRIOs_59_2011.zip", "w") as zipped:
        for key, values in (("T", both), ("Y", final), ("V", added)):
            zipped.writestr("20240111" + stem.format(key), text(values))
    with zipfile.ZipFile(root / "GLORIA_SatelliteAccounts_059_2011.zip", "w") as zipped:
        zipped.writestr("20240111" + stem.format("TQ"), text(emissions))
        zipped.writestr("20240111" + stem.format("YQ"), text(np.zeros((1, FINAL.shape[1]))))
    with pd.ExcelWriter(root / "GLORIA_ReadMe_059.xlsx") as book:
        pd.DataFrame({"Region_acronyms": REGIONS, "Region_names": REGION_NAMES}).to_excel(
            book, sheet_name="Regions", index=False)
        pd.DataFrame({"Sector_names": SECTOR_NAMES}).to_excel(book, sheet_name="Sectors",
                                                              index=False)
        pd.DataFrame({"Final_demand_names": CATEGORIES,
                      "Value_added_names": GLORIA_VALUE_ADDED}).to_excel(
            book, sheet_name="Value added and final demand", index=False)
        pd.DataFrame({"Sat_indicator": ["CO2"], "Sat_head_indicator": ["Emissions"],
                      "Sat_unit": ["kt"]}).to_excel(book, sheet_name="Satellites",
                                                   index=False)
    return root
