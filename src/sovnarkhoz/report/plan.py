"""The report on a plan (``plan``, ``decide``'s adopted plan): the headline from
summary.json, then targets, bottlenecks, factors, prices and deliveries from the tables, and
over several years the yearly fulfilment, investment and capital stocks.

Every number is read from the folder; nothing is recomputed but sums and shares of the
tables' own columns (fulfilment by region and product, totals by year).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..scenario.objectives import Objective
from . import charts
from .folder import OutputFolder
from .page import Fact, Section, Table, number, small

TOP_BOTTLENECKS = 20
"""Bottlenecks drawn in the ranked chart (the table lists every one)."""


def plan_sections(folder: OutputFolder, title: str = "The plan") -> list[Section]:
    """The sections on the plan whose summary.json and tables lie in ``folder``."""
    summary = folder.summary
    if summary is None:
        folder.cannot_show("the plan's headline, targets, bottlenecks, factors, prices and "
                           "deliveries: no summary.json")
        return []
    sections = [headline(summary, title)]
    status = str(summary.get("status", ""))
    if status not in ("optimal", "feasible") and not any(
            folder.has_table(t) for t in ("activities", "fulfilment", "prices")):
        folder.cannot_show(f"the plan's tables: there is no plan (status {status})")
        return sections
    for build in (_yearly, _targets, _bottlenecks, _factors, _prices, _deliveries,
                  _investment, _stocks):
        section = build(folder, summary)
        if section is not None:
            sections.append(section)
    return sections


def _objective(summary: dict[str, Any]) -> Objective | None:
    """The summary's objective, None when this version does not know it."""
    try:
        return Objective.parse(str(summary.get("objective", "")))
    except ValueError:
        return None


def objective_in_words(summary: dict[str, Any]) -> str:
    """What was optimised and how far it got, in a sentence (as the console says it)."""
    objective = str(summary.get("objective", ""))
    value = summary.get("objective_value")
    lam = summary.get("fulfilment")
    if summary.get("priorities"):
        levels = ", ".join(f"{q} {number(v)}" for q, v in summary["priorities"].items())
        return f"every target met in full, the priorities at levels {levels}"
    goal = _objective(summary)
    if goal is None:  # an objective this version does not know: say what is there
        return f"{objective}: objective value {number(value)}"
    return "; ".join(goal.rule.headline.format(value=number(value), lowest=number(lam),
                                               argument=goal.factor).splitlines())


def headline(summary: dict[str, Any], title: str) -> Section:
    """Status, the objective in words, the verification (largest violation, optimality
    gap, dual violation, bound), solver and time; each number tagged with its field."""
    v = summary.get("verification") or {}
    status = str(summary.get("status", "unknown"))
    facts = [
        Fact("status", status.upper(), "status", status, emphasis=True),
        Fact("scenario", str(summary.get("scenario", "")), "scenario",
             summary.get("scenario")),
        Fact("objective", str(summary.get("objective", "")), "objective",
             summary.get("objective")),
        Fact("answer", objective_in_words(summary), emphasis=True),
    ]
    if summary.get("fulfilment") is not None:
        goal = _objective(summary)
        levels = goal is not None and goal.kind.maximises_levels
        label = "fulfilment (λ)" if levels else "lowest share of a target met"
        facts.append(Fact(label, number(summary["fulfilment"]), "fulfilment",
                          summary["fulfilment"]))
    if summary.get("objective_value") is not None:
        facts.append(Fact("objective value", number(summary["objective_value"]),
                          "objective_value", summary["objective_value"]))
    if v:
        facts.append(Fact("verification against the scenario's tables",
                          "passed" if v.get("passed") else "FAILED", "verification.passed",
                          bool(v.get("passed"))))
    if summary.get("max_violation") is not None:
        worst = v.get("worst")
        facts.append(Fact("largest violation", small(summary["max_violation"])
                          + (f" (at {worst})" if worst and summary["max_violation"] > 0 else ""),
                          "max_violation", summary["max_violation"]))
    for key, label in (("gap", "optimality gap (relative, from the plan's own prices)"),
                       ("dual_violation", "dual violation (relative)")):
        if v.get(key) is not None:
            facts.append(Fact(label, small(v[key]), f"verification.{key}", v[key]))
    if v.get("dual_bound") is not None:
        facts.append(Fact("bound the prices prove", number(v["dual_bound"]),
                          "verification.dual_bound", v["dual_bound"]))
    facts.append(Fact("solver", f"{summary.get('solver', '')} — "
                      f"{summary.get('solver_choice', '')}".rstrip(" —")))
    if summary.get("seconds") is not None:
        facts.append(Fact("seconds", f"{summary['seconds']:.2f}", "seconds", summary["seconds"]))
    section = Section("headline", title).facts(facts)
    if summary.get("message"):
        section.say(str(summary["message"]))
    for warning in summary.get("warnings") or []:
        section.say(f"Warning: {warning}")
    explanation = summary.get("explanation") or {}
    if explanation.get("sentences"):
        section.items([str(s) for s in explanation["sentences"]],
                      title="Why the targets cannot be met")
    return section


def _yearly(folder: OutputFolder, summary: dict[str, Any]) -> Section | None:
    yearly = summary.get("yearly_fulfilment")
    if not yearly:
        return None
    years = [int(y) for y in yearly]
    values = np.array([np.nan if v is None else v for v in yearly.values()], dtype=float)
    chart = charts.lines(years, {"λ_t, the share of every target met": values},
                         ylabel="share of the targets met", xlabel="year",
                         hline=(1.0, "targets met in full"), ymin=0.0,
                         alt=f"Yearly fulfilment {years[0]}–{years[-1]}: lowest "
                         f"{np.nanmin(values):.4g}, highest {np.nanmax(values):.4g}.")
    return Section("yearly", "Fulfilment year by year").chart(chart)


def _targets(folder: OutputFolder, summary: dict[str, Any]) -> Section | None:
    table = folder.table("fulfilment")
    if table is None:
        folder.cannot_show("targets met by region and product: no fulfilment table")
        return None
    section = Section("targets", "Targets met, by region and product")
    if not len(table):
        return section.say("The scenario sets no targets.")
    share = table.groupby(["region", "product"], sort=False)["fulfilment"].min()
    matrix = share.unstack("product")
    dated = "year" in table.columns and table["year"].nunique() > 1
    what = "lowest share over the years" if dated else "share"
    top = float(np.nanmax(matrix.to_numpy())) if matrix.size else 1.0
    chart = charts.heatmap(matrix.to_numpy(), list(matrix.index), list(matrix.columns),
                           label="share delivered" + (" (lowest year)" if dated else ""), vmin=0.0,
                           vmax=max(1.0, top), cmap="RdYlGn",
                           alt=f"Share of each target delivered ({what}), regions down, "
                           "products across; grey: no target.")
    section.chart(chart)
    section.table(Table.of("fulfilment", table), title="Every target")
    return section


def _bottlenecks(folder: OutputFolder, summary: dict[str, Any]) -> Section | None:
    table = folder.table("bottlenecks")
    if table is None:
        folder.cannot_show("bottlenecks: no bottlenecks table")
        return None
    section = Section("bottlenecks", "Bottlenecks, ranked by shadow price")
    if not len(table):
        return section.say("No constraint binds with a positive price.")
    ranked = table.sort_values("price", ascending=False, kind="stable")
    top = ranked.head(TOP_BOTTLENECKS)
    labels = [f"{k}: {w} in {p}" for k, w, p in zip(top["kind"], top["what"], top["where"],
                                                   strict=True)]
    notes = [f"used {u:,.4g} of {lim:,.4g}" for u, lim in zip(top["used"], top["limit"],
                                                              strict=True)]
    chart = charts.ranked_bars(labels, top["price"].to_numpy(dtype=float), notes,
                               xlabel="shadow price (objective per unit)",
                               alt=f"The {len(top)} highest-priced of {len(table)} binding "
                               "constraints, with what is used of what is available.")
    section.say("A bottleneck is a limit the plan reaches (a factor's supply, a capacity, an "
                "installed stock, a link): its shadow price is what one more unit of it "
                "would add to the objective.")
    return section.chart(chart).table(Table.of("bottlenecks", ranked), title="Every binding "
                                                                             "constraint")


def _factors(folder: OutputFolder, summary: dict[str, Any]) -> Section | None:
    table = folder.table("factors")
    if table is None:
        folder.cannot_show("factor use against supply: no factors table")
        return None
    section = Section("factors", "Factors: use against supply, by region")
    if not len(table):
        return section.say("The scenario has no primary factors.")
    dated = "year" in table.columns and table["year"].nunique() > 1
    totals = table.groupby(["factor", "region"], sort=False)[["supply", "used"]].sum()
    panels = {}
    for factor, part in totals.groupby(level="factor", sort=False):
        regions = [r for _, r in part.index]
        panels[str(factor)] = (regions, part["supply"].to_numpy(dtype=float),
                               part["used"].to_numpy(dtype=float))
    when = (f", summed over {table['year'].min()}–{table['year'].max()}" if dated else "")
    chart = charts.use_against_supply(
        panels, alt=f"Supply (light) and use (dark) of each factor by region{when}.")
    section.chart(chart)
    return section.table(Table.of("factors", table), title="Every factor, region"
                         + (" and year" if dated else ""))


def _prices(folder: OutputFolder, summary: dict[str, Any]) -> Section | None:
    table = folder.table("prices")
    if table is None:
        folder.cannot_show("prices: no prices table")
        return None
    section = Section("prices", "Prices (objectively determined valuations)")
    section.say(f"{len(table):,} prices: sort by a column's header, filter by any words "
                "(e.g. a region and a product).")
    return section.table(Table.of("prices", table, page=25))


def _deliveries(folder: OutputFolder, summary: dict[str, Any]) -> Section | None:
    table = folder.table("deliveries")
    if table is None:
        folder.cannot_show("deliveries between regions: no deliveries table")
        return None
    section = Section("deliveries", "Deliveries between regions")
    if not len(table) or not float(table["sent"].abs().sum()):
        return section.say("Nothing is shipped between regions.")
    regions = _regions(folder, table)
    matrix = (table.groupby(["origin", "destination"])["sent"].sum().unstack("destination")
              .reindex(index=regions, columns=regions).fillna(0.0))
    dated = "year" in table.columns and table["year"].nunique() > 1
    when = " summed over the years" if dated else ""
    chart = charts.heatmap(matrix.to_numpy(), regions, regions,
                           label=f"units sent (all products{when})", cmap="Blues",
                           mask_zero=True, xlabel="to", ylabel="from",
                           alt=f"Units sent from each region (down) to each region (across), "
                           f"all products{when}; grey: nothing sent.")
    section.chart(chart)
    return section.table(Table.of("deliveries", table), title="Every shipment")


def _regions(folder: OutputFolder, deliveries: pd.DataFrame) -> list[str]:
    """Regions in the order the plan's tables give them."""
    order: list[str] = []
    for name in ("fulfilment", "factors", "prices"):
        table = folder.table(name)
        if table is not None and "region" in table.columns:
            order = list(dict.fromkeys(table["region"]))
            break
    seen = set(order)
    extra = [r for r in dict.fromkeys([*deliveries["origin"], *deliveries["destination"]])
             if r not in seen]
    return order + extra


def _investment(folder: OutputFolder, summary: dict[str, Any]) -> Section | None:
    table = folder.table("investment")
    if table is None:
        if summary.get("horizon"):
            folder.cannot_show("investment by year: no investment table")
        return None
    section = Section("investment", "Investment by good and region, year by year")
    if not len(table):
        return section.say("No capital goods: nothing is invested.")
    chart = charts.stacked_panels(*_by_good_and_region(table, "amount"),
                                  ylabel="invested that year",
                                  alt="New capital installed each year, one panel per capital "
                                  "good, stacked by region.")
    return section.chart(chart)


def _stocks(folder: OutputFolder, summary: dict[str, Any]) -> Section | None:
    table = folder.table("stocks")
    if table is None:
        if summary.get("horizon"):
            folder.cannot_show("capital stocks by year: no stocks table")
        return None
    section = Section("stocks", "Capital stocks by good and region, year by year")
    if not len(table):
        return section.say("No capital goods.")
    chart = charts.stacked_panels(*_by_good_and_region(table, "installed"),
                                  ylabel="installed",
                                  alt="Capital installed in each year, one panel per capital "
                                  "good, stacked by region.")
    section.chart(chart)
    used = table.groupby(["good", "year"])[["installed", "used"]].sum().reset_index()
    return section.table(Table.of("stocks by good and year", used),
                         title="Installed and used, by good and year (all regions)")


def _by_good_and_region(table: pd.DataFrame, column: str):
    """(years, {good: {region: (Y,) totals}}) of ``column`` over the table's years."""
    years = sorted(table["year"].unique())
    sums = table.groupby(["good", "region", "year"])[column].sum()
    panels: dict[str, dict[str, np.ndarray]] = {}
    for good in dict.fromkeys(table["good"]):
        part = sums.loc[good].unstack("year").reindex(columns=years).fillna(0.0)
        panels[str(good)] = {str(r): part.loc[r].to_numpy(dtype=float) for r in part.index}
    return years, panels
