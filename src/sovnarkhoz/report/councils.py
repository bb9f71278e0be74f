"""The report on councils: a plan by councils (summary.json's ``history``, ``traffic``) and
``compare`` (comparison.csv, and rounds.csv: every organisation's rounds).

Convergence is drawn on a log scale: the gap between the plan's objective and the bound of
the posted prices, the mismatch of the shared rows and the dual residual, round by round.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import charts
from .folder import OutputFolder
from .page import Fact, Section, Table, number

MEASURES = {"gap": "duality gap (relative)", "mismatch": "mismatch of the shared rows "
            "(largest, relative)", "dual_residual": "dual residual (relative)"}


def council_sections(folder: OutputFolder) -> list[Section]:
    """A plan by councils: who planned, how it converged, what it exchanged."""
    summary = folder.summary or {}
    if not summary.get("organisation"):
        return []
    traffic = summary.get("traffic") or {}
    councils = summary.get("councils") or []
    facts = [Fact("organisation", str(summary["organisation"]), "organisation",
                  summary["organisation"]),
             Fact("protocol", str(summary.get("protocol", "")), "protocol",
                  summary.get("protocol")),
             Fact("engine", str(summary.get("engine", ""))),
             Fact("councils", f"{len(councils)}: " + ", ".join(map(str, councils[:12]))
                  + (" …" if len(councils) > 12 else "")),
             Fact("rounds", str(summary.get("rounds")), "rounds", summary.get("rounds"))]
    if summary.get("dual_objective") is not None:
        facts.append(Fact("last round's bound", number(summary["dual_objective"]),
                          "dual_objective", summary["dual_objective"]))
    if traffic:
        facts.append(Fact("exchanged", f"{traffic.get('messages', 0):,} messages, "
                          f"{traffic.get('bytes', 0):,} bytes", "traffic.bytes",
                          traffic.get("bytes")))
        facts.append(Fact("a central planner would gather", f"{traffic.get('central_bytes', 0):,}"
                          " bytes (the whole LP)", "traffic.central_bytes",
                          traffic.get("central_bytes")))
    section = Section("councils", "Planning by councils").facts(facts)
    history = pd.DataFrame(summary.get("history") or [])
    if len(history):
        section.chart(convergence({summary["organisation"]: history}, "gap"))
        who = str(summary["organisation"])
        section.chart(bound_chart({who: history}, {who: _sense(history,
                                                               summary.get("objective_value"))}))
        for measure in ("mismatch", "dual_residual"):
            if measure in history and (history[measure] > 0).any():
                section.chart(convergence({summary["organisation"]: history}, measure))
        if "bytes" in history and traffic.get("central_bytes"):
            section.chart(traffic_chart({summary["organisation"]: history},
                                        float(traffic["central_bytes"])))
        section.table(Table.of("rounds", history), title="Every round")
    else:
        folder.cannot_show("the councils' convergence: summary.json has no history")
    if summary.get("behaviour"):
        section.facts([Fact(str(k), str(v)) for k, v in summary["behaviour"].items()],
                      title="How the councils behaved")
    return [section]


def convergence(histories: dict[str, pd.DataFrame], measure: str) -> charts.Chart:
    """``measure`` (gap, mismatch, dual_residual) per round, log scale, one line per
    organisation; rounds where it is 0 are left off (log scale)."""
    series = {who: h[measure].to_numpy(dtype=float) for who, h in histories.items()
              if measure in h}
    rounds = {who: h["round"].to_numpy() for who, h in histories.items() if measure in h}
    last = {who: v[-1] for who, v in series.items() if len(v)}
    return charts.lines(rounds, series, ylabel=MEASURES.get(measure, measure), xlabel="round",
                        log=True, markers=max((len(v) for v in series.values()),
                                              default=0) <= 60,
                        alt=f"{MEASURES.get(measure, measure).capitalize()} per round (log "
                        "scale); last round: " + ", ".join(f"{w} {v:.2g}"
                                                           for w, v in last.items()) + ".")


def bound_chart(histories: dict[str, pd.DataFrame], sense: dict[str, float],
                optimum: float | None = None) -> charts.Chart:
    """The plan's objective and the bound of the posted prices, per round, in the
    objective's own units (``sense`` per organisation: -1 where the history keeps a
    maximised objective as its negative). The y axis spans 60 % of the optimum (or of the
    last plan) either side of it, where the last rounds close in; the first rounds' values,
    which may lie orders of magnitude away, are cut off and the caption says so."""
    series, rounds = {}, {}
    for who, h in histories.items():
        if "objective" not in h or "dual_objective" not in h:
            continue
        for column, what in (("objective", "plan"), ("dual_objective", "bound")):
            name = f"{who}: {what}" if len(histories) > 1 else what
            series[name] = sense.get(who, 1.0) * h[column].to_numpy(dtype=float)
            rounds[name] = h["round"].to_numpy()
    plans = [v[-1] for name, v in series.items() if name.endswith("plan") and len(v)]
    reference = optimum if optimum is not None else (plans[-1] if plans else 0.0)
    span = 0.6 * abs(reference) or 1.0
    values = np.concatenate([v[np.isfinite(v)] for v in series.values()] or [np.zeros(0)])
    cut = bool((np.abs(values - reference) > span).any())
    return charts.lines(rounds, series, ylabel="objective (its own units)", xlabel="round",
                        markers=max((len(v) for v in series.values()), default=0) <= 60,
                        hline=None if optimum is None else (optimum, "central optimum"),
                        ylim=(reference - span, reference + span),
                        alt="The councils' plan and the bound their prices give, per round "
                        "(they meet at the optimum)" + ("; values further than 60 % from it "
                                                         "(the first rounds') are off the axis."
                                                         if cut else "."))


def _sense(history: pd.DataFrame, value: float | None) -> float:
    """-1 when the history keeps the objective as the negative of ``value`` (a maximised
    objective, kept as a minimisation), else 1."""
    if value is None or "objective" not in history or not len(history):
        return 1.0
    last = float(history["objective"].iloc[-1])
    return -1.0 if abs(last + value) < abs(last - value) else 1.0


def traffic_chart(histories: dict[str, pd.DataFrame], central: float) -> charts.Chart:
    """Bytes exchanged so far, per round, against what a central planner gathers."""
    series = {who: np.cumsum(h["bytes"].to_numpy(dtype=float)) for who, h in histories.items()}
    rounds = {who: h["round"].to_numpy() for who, h in histories.items()}
    return charts.lines(rounds, series, ylabel="bytes exchanged so far", xlabel="round",
                        log=True, markers=False, hline=(central, "a central planner gathers"),
                        alt=f"Bytes the centre and councils exchanged, summed round by round, "
                        f"against the {central:,.0f} bytes of the whole LP a central planner "
                        "gathers.")


def compare_sections(folder: OutputFolder) -> list[Section]:
    """``compare``: the organisations side by side, their convergence and traffic."""
    table = folder.table("comparison")
    if table is None:
        folder.cannot_show("the organisations compared: no comparison.csv")
        return []
    section = Section("compare", "The organisations side by side")
    facts = []
    for row in table.itertuples(index=False):
        value = row.objective_value
        facts.append(Fact(str(row.organisation), f"{row.status}; objective "
                          f"{number(value)}; {row.rounds} round(s); {row.seconds:.2f} s"
                          + ("" if pd.isna(row.protocol) or not str(row.protocol) or
                             str(row.protocol) == "nan" else f"; {row.protocol} protocol"),
                          f"comparison.{row.organisation}.objective_value",
                          None if pd.isna(value) else float(value)))
    section.facts(facts)
    organisations = [str(o) for o in table["organisation"]]
    panels = {"rounds": table["rounds"].to_numpy(dtype=float),
              "seconds": table["seconds"].to_numpy(dtype=float)}
    lines = {}
    central = table["central_bytes"].dropna() if "central_bytes" in table else []
    if "bytes_exchanged" in table and table["bytes_exchanged"].notna().any():
        panels["bytes exchanged"] = table["bytes_exchanged"].to_numpy(dtype=float)
        if len(central):
            lines["bytes exchanged"] = (float(central.iloc[0]), "a central planner gathers")
    section.chart(charts.bar_panels(
        organisations, panels, log=["bytes exchanged"], lines=lines,
        alt="Rounds, seconds and bytes exchanged by each organisation (bytes on a log scale; "
        "the dashed line is what a central planner gathers: the whole LP)."))
    if "shortfall" in table:
        shortfall = ", ".join(f"{o} {number(v)}" for o, v in zip(
            organisations, table["shortfall"], strict=True) if o != "central")
        section.say(f"Shortfall against the central optimum (objective units): {shortfall}.")
    rounds = folder.table("rounds")
    if rounds is None:
        folder.cannot_show("the organisations' convergence per round: no rounds.csv (compare "
                           "writes it since the report was added; run compare again)")
    elif len(rounds):
        histories = {str(o): part.sort_values("round") for o, part in
                     rounds.groupby("organisation", sort=False)}
        section.chart(convergence(histories, "gap"), title="Convergence")
        values = dict(zip(table["organisation"].astype(str), table["objective_value"],
                          strict=True))
        central_value = values.get("central")
        section.chart(bound_chart(
            histories, {who: _sense(h, None if pd.isna(values.get(who, np.nan))
                                    else float(values[who])) for who, h in histories.items()},
            None if central_value is None or pd.isna(central_value) else float(central_value)))
        if "mismatch" in rounds and (rounds["mismatch"] > 0).any():
            section.chart(convergence(histories, "mismatch"))
        central = table["central_bytes"].dropna()
        if "bytes" in rounds and len(central):
            section.chart(traffic_chart(histories, float(central.iloc[0])))
    section.table(Table.of("comparison", table), title="The comparison table")
    return [section]

