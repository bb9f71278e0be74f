"""Checks across tables: unique keys, known ids, reachable targets, productive technology.

Each check is vectorised and adds :class:`Issue` objects naming the offending file and line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..arrowtext import is_in
from .codes import IdCodes
from .errors import Issue, IssueList
from .files import RawTable
from .objectives import RULES
from .parse import report_rows
from .productivity import input_regions, unsustainable_cycles
from .schema import TABLES, Kind

# (table, column, table it refers to, id column there)
REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("techniques", "region", "regions", "region"),
    ("techniques", "product", "products", "product"),
    ("inputs", "technique", "techniques", "technique"),
    ("inputs", "origin", "regions", "region"),
    ("supplies", "region", "regions", "region"),
    ("supplies", "factor", "factors", "factor"),
    ("targets", "region", "regions", "region"),
    ("targets", "product", "products", "product"),
    ("links", "origin", "regions", "region"),
    ("links", "destination", "regions", "region"),
    ("capital", "technique", "techniques", "technique"),
    ("capital", "good", "products", "product"),
    ("growth", "region", "regions", "region"),
    ("growth", "factor", "factors", "factor"),
    ("priorities", "region", "regions", "region"),
    ("priorities", "product", "products", "product"),
    ("factions", "priority", "priorities", "priority"),
    ("members", "faction", "factions", "faction"),
)


def has_repeats(frame: pd.DataFrame, key: tuple[str, ...],
                combined: np.ndarray | None = None) -> bool:
    """Whether any combination of ``key`` columns repeats: codes per column, combined into
    one integer per row (or ``combined`` given), then sorted (no hashing of tuples)."""
    if combined is not None:
        combined = np.sort(combined)
        return bool((combined[1:] == combined[:-1]).any())
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in key:
        codes, uniques = pd.factorize(frame[column])
        if len(key) == 1:
            return len(uniques) < len(frame)
        combined = combined * (len(uniques) + 1) + codes
    combined.sort()
    return bool((combined[1:] == combined[:-1]).any())


def check_keys(raw: RawTable, frame: pd.DataFrame, key: tuple[str, ...], issues: IssueList,
               combined: np.ndarray | None = None) -> None:
    """Each combination of ``key`` columns appears once; later repeats are reported.
    ``combined``: one integer per row identifying its key, when already known."""
    if len(frame) == 0 or not has_repeats(frame, key, combined):
        return
    keys = frame[list(key)]
    repeated = keys.duplicated(keep="first").to_numpy()
    first_row = keys.groupby(list(key), sort=False).ngroup().to_numpy()
    first_index = np.full(first_row.max() + 1, -1, dtype=np.int64)
    order = np.arange(len(first_row))[::-1]
    first_index[first_row[order]] = order  # smallest row index per group wins
    rows = np.flatnonzero(repeated)
    shown = rows[: max(issues.limit - len(issues.issues), 0)]
    lines = raw.lines(shown)
    first_lines = raw.lines(first_index[first_row[shown]])
    what = "id" if len(key) == 1 else "(" + ", ".join(key) + ")"
    for row, line, first_line in zip(shown, lines, first_lines, strict=True):
        value = ", ".join(str(keys.iat[row, i]) for i in range(len(key)))
        issues.add(Issue(raw.file, f"duplicate {what}: already given on line {first_line}",
                         int(line), key[-1], value))
    issues.overflow += len(rows) - len(shown)


def check_references(
    raws: dict[str, RawTable], frames: dict[str, pd.DataFrame], issues: IssueList,
    codes: IdCodes,
) -> None:
    """Every id names a row of the table it refers to."""
    for table, column, target, target_column in REFERENCES:
        if table not in frames or column not in frames[table].columns:
            continue
        unknown = codes.reference(table, column) < 0
        blank = frames[table][column].str.strip().eq("").to_numpy()
        unknown &= ~blank
        if unknown.any():
            where = f"{target}.csv" if target not in raws else raws[target].file
            report_rows(issues, raws[table], unknown, column,
                        f"unknown {target_column}: not listed in {where}")
    if "inputs" in frames:
        used = frames["inputs"]["input"]
        as_product, as_factor = codes.input_kind()
        unknown = (as_product < 0) & (as_factor < 0) & ~used.str.strip().eq("").to_numpy()
        if unknown.any():
            report_rows(issues, raws["inputs"], unknown, "input",
                        "unknown input: neither a product nor a factor")
        if "origin" in frames["inputs"].columns:
            placed = (as_factor >= 0) & ~frames["inputs"]["origin"].str.strip().eq("").to_numpy()
            if placed.any():
                report_rows(issues, raws["inputs"], placed, "origin",
                            "an origin is for product inputs: a factor is used from the "
                            "supply of the technique's own region; leave it blank")
    if "factors" in frames:
        clash = is_in(frames["factors"]["factor"], frames["products"]["product"])
        if clash.any():
            report_rows(issues, raws["factors"], clash, "factor",
                        "is also a product id; an input must name one or the other")
    if "links" in frames:
        links = frames["links"]
        loop = (links["origin"] == links["destination"]).to_numpy()
        if loop.any():
            report_rows(issues, raws["links"], loop, "destination",
                        "a link must join two different regions")


def check_not_empty(raws: dict[str, RawTable], frames: dict[str, pd.DataFrame],
                    issues: IssueList) -> None:
    for name in ("products", "regions", "techniques"):
        if name in frames and len(frames[name]) == 0:
            issues.add(Issue(raws[name].file,
                             f"has no rows: a scenario needs at least one {name[:-1]}"))


def check_targets_reachable(
    raws: dict[str, RawTable], frames: dict[str, pd.DataFrame], issues: IssueList,
    codes: IdCodes,
) -> None:
    """Every positive target can be made in its region or shipped there from where it is made."""
    products = pd.Index(frames["products"]["product"])
    regions = pd.Index(frames["regions"]["region"])
    techniques = frames["techniques"]
    made = sp.csr_matrix(
        (np.ones(len(techniques), dtype=bool),
         (codes.reference("techniques", "product"), codes.reference("techniques", "region"))),
        shape=(len(products), len(regions)), dtype=bool,
    )
    reachable = made.copy()
    links = frames.get("links")
    tradable = frames["products"]["tradable"].to_numpy(dtype=bool)
    if links is not None and len(links) and tradable.any():
        adjacency = sp.csr_matrix(
            (np.ones(len(links), dtype=bool),
             (codes.reference("links", "origin"), codes.reference("links", "destination"))),
            shape=(len(regions), len(regions)), dtype=bool,
        )
        frontier = made[tradable]
        spread = frontier.copy()
        while frontier.nnz:
            step = (frontier @ adjacency).astype(bool)
            new = step > spread
            spread = spread + new
            frontier = new
        reachable = sp.vstack([made[~tradable], spread]).tocsr()
        order = np.concatenate([np.flatnonzero(~tradable), np.flatnonzero(tradable)])
        reachable = reachable[np.argsort(order)]
    targets = frames["targets"]
    if not len(targets):  # nothing to reach (sparse fancy indexing breaks on no indices)
        return
    p = codes.reference("targets", "product")
    r = codes.reference("targets", "region")
    ok = np.asarray(reachable[p, r]).ravel().astype(bool)
    bad = ~ok & (targets["amount"].to_numpy() > 0)
    if bad.any():
        report_rows(issues, raws["targets"], bad, "product",
                    "no technique in this region, nor in any region linked to it, makes this "
                    "product (non-tradable products must be made in the region)")


BALANCE_ALTERNATIVES = "plan it with max-fulfilment or min-factor:NAME"
"""What a scenario that is not a Leontief balance can be planned with instead."""


def check_balance_economy(
    raws: dict[str, RawTable], frames: dict[str, pd.DataFrame], issues: IssueList
) -> None:
    """Leontief's model needs one technique per product and region, no links, productive A.

    Shipments on links and a choice between techniques are decisions that Leontief's system
    does not make: (I - A) x = y gives gross outputs only when every region makes each
    product one way and ships nothing. A scenario with either is refused, saying what makes
    it so and which objectives plan it. (Capacities and supplies are honoured after the
    solve: the balance's one answer either fits them or makes the plan infeasible.)
    """
    techniques = frames["techniques"]
    pair = techniques[["region", "product"]]
    repeated = pair.duplicated(keep="first").to_numpy()
    if repeated.any():
        report_rows(issues, raws["techniques"], repeated, "product",
                    "the balance objective needs exactly one technique per product and region; "
                    "this is a second one for this product here, and choosing between "
                    f"techniques is not Leontief's system: {BALANCE_ALTERNATIVES}")
    links = frames.get("links")
    if links is not None and len(links):
        raw = raws.get("links")
        file = raw.file if raw is not None else "links.csv"
        count = len(links)
        joined = links["origin"] + "->" + links["destination"]
        shown = ", ".join(joined.iloc[:5]) + (", ..." if count > 5 else "")
        issues.add(Issue(
            file,
            f"{count} link{'s' if count != 1 else ''} ({shown}): shipments between regions "
            "are choices that Leontief's system does not make; balance solves (I - A) x = y "
            "region by region with no shipping: remove links.csv or "
            f"{BALANCE_ALTERNATIVES}"))
    inputs = frames["inputs"]
    product_inputs = inputs[is_in(inputs["input"], frames["products"]["product"])]
    tech_region = pd.Series(techniques["region"].to_numpy(), index=techniques["technique"])
    if tech_region.index.has_duplicates:
        return
    region_of_input = input_regions(tech_region, product_inputs)
    made_pairs = pd.MultiIndex.from_frame(pair)
    needed = pd.MultiIndex.from_arrays([region_of_input, product_inputs["input"].to_numpy()])
    not_made = ~needed.isin(made_pairs)
    if not_made.any():
        rows = np.zeros(len(inputs), dtype=bool)
        rows[np.flatnonzero(is_in(inputs["input"], frames["products"]["product"]))[not_made]] = True
        report_rows(issues, raws["inputs"], rows, "input",
                    "the balance objective needs a technique making every input in the region "
                    "that uses it (or in its origin); none makes this one there")
    if issues or repeated.any():
        return
    for cycle in unsustainable_cycles(techniques, product_inputs):
        names = ", ".join(cycle.products[:10]) + (" ..." if len(cycle.products) > 10 else "")
        issues.add(Issue(
            raws["inputs"].file,
            f"technology is not productive in region {cycle.region}: products {names} form a "
            f"cycle that cannot be sustained (each round through it needs {cycle.radius:.4g} "
            "times what it makes; it must be below 1)",
        ))


WEIGHTED_OBJECTIVES: tuple[str, ...] = tuple(kind.value for kind, rule in RULES.items()
                                              if rule.reads_weights)
"""Objectives that read targets.csv's ``weight``."""

HOW_TARGETS_ARE_MET: dict[str, str] = {
    **{kind.value: rule.summary for kind, rule in RULES.items()},
    "earliest": "earliest meets the chosen targets in full",
    "explain": "explain asks for every target in full",
    "frontier": "frontier and decide meet every target in full",
}
"""How each objective (or command that plans without one) treats a target, whatever its
weight."""


def check_target_weights(raws: dict[str, RawTable], frames: dict[str, pd.DataFrame],
                         issues: IssueList, reader: str) -> None:
    """targets.csv's ``weight`` must be blank or 1 for ``reader`` (an objective's kind or
    a command in HOW_TARGETS_ARE_MET) unless it is one of WEIGHTED_OBJECTIVES: a weight
    nothing reads would be dropped silently."""
    targets = frames.get("targets")
    if reader in WEIGHTED_OBJECTIVES or targets is None or "weight" not in targets.columns:
        return
    weight = targets["weight"].to_numpy(dtype=np.float64)
    other = ~np.isnan(weight) & (weight != 1.0)
    if not other.any():
        return
    raw = raws.get("targets")
    using = ", ".join(WEIGHTED_OBJECTIVES) or "none yet"
    message = (f"{HOW_TARGETS_ARE_MET.get(reader, reader)}, whatever its weight, so this "
               f"weight would be ignored; objectives that use target weights: {using}. "
               "Leave weight blank or 1")
    if raw is None:
        issues.add(Issue("targets", message, column="weight"))
        return
    report_rows(issues, raw, other, "weight", message)


# --- numbers the solver cannot represent faithfully -------------------------------------------
INFINITE = 1e20
"""HiGHS takes bounds and costs of 1e20 or more as infinite (its ``infinite_bound``)."""
REFUSED = 1e15
"""HiGHS refuses a matrix holding a coefficient of 1e15 or more (its ``large_matrix_value``)."""
LARGE = 1e12
"""Coefficients from here on are suspect: warned about."""
SMALL = 1e-9
"""HiGHS drops matrix coefficients of 1e-9 or less (its ``small_matrix_value``): warned about."""
SPREAD = 1e12
"""Largest ratio between a table's largest and smallest nonzero coefficient not warned about."""

COEFFICIENTS = (("inputs", "amount"), ("capital", "amount"))
"""Columns whose amounts become coefficients of the LP's matrix, one per row."""

_UNITS = ("change units (of the input, or of what the technique makes: e.g. thousands of "
          "tonnes instead of tonnes) so that coefficients lie closer to 1")


def check_magnitudes(raws: dict[str, RawTable], frames: dict[str, pd.DataFrame],
                     issues: IssueList, warnings: IssueList) -> None:
    """Numbers a solver cannot take as they are: errors where HiGHS would read them as
    infinite (1e20 or more, anywhere) or refuse them (coefficients of 1e15 or more); warnings,
    each suggesting a change of units, where coefficients are so large, so small or so far
    apart that the plan may not be computed faithfully."""
    for table, raw in raws.items():
        if table not in frames or table not in TABLES:
            continue
        for column in TABLES[table].columns:
            if column.kind is not Kind.AMOUNT or column.name not in frames[table].columns:
                continue
            values = frames[table][column.name].to_numpy(dtype=np.float64)
            huge = np.isfinite(values) & (values >= INFINITE)
            if huge.any():
                report_rows(issues, raw, huge, column.name,
                            "is 1e20 or more, which the solver takes as infinite; change the "
                            "units of this column (e.g. millions instead of units) so that "
                            "amounts lie well below 1e20")
    for table, column in COEFFICIENTS:
        if table not in raws or table not in frames or column not in frames[table].columns:
            continue
        raw = raws[table]
        values = frames[table][column].to_numpy(dtype=np.float64)
        usable = np.isfinite(values) & (values < INFINITE)
        refused = usable & (values >= REFUSED)
        if refused.any():
            report_rows(issues, raw, refused, column,
                        "is 1e15 or more: the solver refuses coefficients this large; "
                        f"{_UNITS}")
        large = usable & (values >= LARGE) & (values < REFUSED)
        if large.any():
            report_rows(warnings, raw, large, column,
                        "is 1e12 or more: the plan may not be computed faithfully with "
                        f"coefficients this large; {_UNITS}")
        small = usable & (values > 0) & (values <= SMALL)
        if small.any():
            report_rows(warnings, raw, small, column,
                        "is 1e-9 or less: the solver takes coefficients this small as zero; "
                        f"{_UNITS}")
        nonzero = usable & (values > SMALL) & (values < REFUSED)
        if nonzero.sum() >= 2:
            rows = np.flatnonzero(nonzero)
            low, high = rows[np.argmin(values[rows])], rows[np.argmax(values[rows])]
            if values[high] > SPREAD * values[low]:
                mask = np.zeros(len(values), dtype=bool)
                mask[low] = True
                report_rows(warnings, raw, mask, column,
                            f"the smallest nonzero {column} here is "
                            f"{values[high] / values[low]:.2g} times smaller than the largest "
                            f"({raw.frame[column].iat[high]} on line {int(raw.lines([high])[0])}"
                            "): the plan may not be computed faithfully with coefficients this "
                            f"far apart; {_UNITS}")
