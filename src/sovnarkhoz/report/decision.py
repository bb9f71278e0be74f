"""The report on ``frontier`` (frontier.csv, frontier.json) and ``decide`` (decision.json,
frontier.csv, the adopted plan): the frontier with its vertices, the factions' ideals and
the adopted plans, then for each body its votes, the majority cycle where there is one, and
the power indices."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..frontier_figure import choose_axes, frontier_figure, pairwise_figure
from . import charts
from .folder import OutputFolder
from .page import Fact, Section, Table, number


def frontier_sections(folder: OutputFolder) -> list[Section]:
    """The frontier, drawn with the ideals and adopted plans that decision.json gives."""
    table = folder.table("frontier")
    if table is None:
        folder.cannot_show("the frontier: no frontier.csv")
        return []
    names = [c for c in table.columns if c != "point"]
    levels = table[names].to_numpy(dtype=float)
    decision = folder.decision or {}
    ideals = {f: _levels(p, names) for f, p in (decision.get("ideals") or {}).items()
              if p is not None}
    adopted = {}
    for record in _bodies(decision):
        adopted[str(record["body"])] = _levels(record.get("fulfilment") or {}, names)
    info = folder.frontier_info or {}
    section = Section("frontier", "The frontier of the priorities")
    facts = [Fact("priorities", ", ".join(names)),
             Fact("vertices", str(len(table)), *(("points", info["points"])
                                                 if "points" in info else ()))]
    if info:
        facts.append(Fact("exact", "yes" if info.get("exact") else
                          f"no: inner approximation, largest gap {info.get('gap', 0):.3g}",
                          "exact", bool(info.get("exact"))))
        if info.get("verified") is not None:
            facts.append(Fact("every vertex verified as a plan", "passed" if info["verified"]
                              else "FAILED", "verified", bool(info["verified"])))
        if info.get("solves") is not None:
            facts.append(Fact("solves", f"{info['solves']} in {info.get('seconds', 0):.2f} s"))
    section.facts(facts)
    axes = choose_axes(names, levels)
    fig = frontier_figure(names, levels, ideals, adopted, title="", size=(7.2, 5.0))
    shown = [names[q] for q in axes.varying]
    if not shown:
        alt = ("The frontier is one plan, whose levels are drawn as bars: no priority can "
               "gain at another's cost.")
    else:
        how = ("the plane of " + " and ".join(shown) if len(shown) <= 2 else
               "parallel coordinates, one axis per priority")
        held = "".join(f"; {q} is {v:.4g} at every vertex and is not an axis"
                       for q, v in axes.constant.items())
        alt = (f"The frontier's {len(table)} vertices in {how}{held}; {len(ideals)} "
               f"factions' ideals and {len(adopted)} adopted plan(s) labelled.")
    section.chart(charts.to_svg(fig, alt))
    pairs = pairwise_figure(names, levels, ideals, adopted)
    if pairs is not None:
        section.chart(charts.to_svg(pairs, "The same vertices, ideals and adopted plans, two "
                                    "priorities at a time (projections: a point inside a "
                                    "panel's cloud may be on the frontier in the other "
                                    "priorities)."), title="Two priorities at a time")
    section.say("Every plan on the frontier meets every target in full; a priority's level is "
                "how many times its bundle is delivered on top. No plan gives more of one "
                "priority without giving less of another.")
    section.table(Table.of("frontier", table), title="The vertices")
    return [section]


def _levels(point: dict[str, Any], names: list[str]) -> np.ndarray:
    return np.array([float(point.get(q, np.nan)) for q in names])


def _bodies(decision: dict[str, Any]) -> list[dict[str, Any]]:
    """The bodies' records in the order they decided (an appeal's first body first)."""
    if not decision:
        return []
    first = decision.get("appealed_from")
    return ([first] if isinstance(first, dict) else []) + [decision]


def decide_sections(folder: OutputFolder) -> list[Section]:
    """What stands (the overview), then one section per body: seats, votes, cycle, power."""
    decision = folder.decision
    if decision is None:
        folder.cannot_show("the votes and power indices: no decision.json")
        return [Section("decision", "The decision")]
    records = _bodies(decision)
    overview = Section("decision", "The decision")
    facts = [Fact("the plan that stands", f"the plan of {decision['adopted']}",
                  f"{decision['body']}.adopted", decision["adopted"], emphasis=True),
             Fact("decided by", " then, on appeal, ".join(str(r["body"]) for r in records))]
    for q, v in (decision.get("fulfilment") or {}).items():
        facts.append(Fact(f"level of {q}", number(v), f"{decision['body']}.fulfilment.{q}", v))
    overview.facts(facts)
    if len(records) == 2:
        verdict = "overrules" if decision.get("overrules") else "upholds"
        overview.say(f"On appeal, {decision['body']} {verdict} {records[0]['body']}: the "
                     f"plan of {decision['adopted']} stands.")
    return [overview, *(body_section(record) for record in records)]


def body_section(record: dict[str, Any]) -> Section:
    """A body's decision: what it adopts and why, the pairwise votes, the power indices."""
    body = str(record["body"])
    levels = ", ".join(f"{q} {number(v)}" for q, v in (record.get("fulfilment") or {}).items())
    cycle = record.get("cycle") or []
    why = ("beats every other plan (Condorcet winner)" if record.get("condorcet_winner")
           else "no plan beats every other; " + str(record.get("fallback", "")))
    facts = [Fact("adopted", f"the plan of {record['adopted']}", f"{body}.adopted",
                  record["adopted"], emphasis=True),
             Fact("why", f"{why} (rule: {record.get('rule', '')})"),
             Fact("levels of the priorities", levels)]
    for q, v in (record.get("fulfilment") or {}).items():
        facts.append(Fact(f"level of {q}", number(v), f"{body}.fulfilment.{q}", v))
    if cycle:
        facts.append(Fact("majority cycle", " > ".join(map(str, cycle + cycle[:1]))))
    if record.get("median_full_member"):
        facts.append(Fact("median full member's ideal", str(record["median_full_member"])))
    if record.get("if_candidates_voted") and record["if_candidates_voted"] != record["adopted"]:
        facts.append(Fact("had the candidates voted", str(record["if_candidates_voted"])))
    section = Section(f"body-{body}", f"The vote in {body}").facts(facts)
    for note in record.get("notes") or []:
        section.say(f"Note: {note}")
    votes = record.get("votes") or {}
    plans = list(votes)
    if plans:
        matrix = np.array([[np.nan if a == b else votes[a].get(b, np.nan) for b in plans]
                           for a in plans], dtype=float)
        section.chart(charts.heatmap(
            matrix, plans, plans, label="full members preferring the row's plan",
            cmap="Purples", fmt="{:.0f}", xlabel="against", ylabel="plan of", colorbar=False,
            alt=f"Pairwise votes in {body}: each cell counts the full members who prefer the "
            "row's plan to the column's."), title="Pairwise votes")
    power = record.get("power") or {}
    members = record.get("members") or {}
    if power:
        factions = list(power)
        section.chart(charts.grouped_bars(factions, {
            "Banzhaf": np.array([power[f].get("banzhaf", np.nan) for f in factions]),
            "Shapley-Shubik": np.array([power[f].get("shapley_shubik", np.nan)
                                        for f in factions])},
            ylabel="share of voting power", alt=f"Power indices of the factions in {body} "
            "(the factions vote as blocs of their full members)."), title="Power")
        rows = [{"faction": f, "full members": members.get(f, {}).get("full"),
                 "candidates": members.get(f, {}).get("candidate"),
                 "Banzhaf": power[f].get("banzhaf"),
                 "Shapley-Shubik": power[f].get("shapley_shubik"),
                 "valuation of the adopted plan": (record.get("valuation_of_adopted") or {})
                 .get(f)} for f in factions]
        section.table(Table.of(f"members of {body}", pd.DataFrame(rows)),
                      title="Factions, seats and power")
    return section
