"""The report on ``history`` (history.csv: each year's best plan, the plan's targets and
what happened, per product) and ``sensitivity`` (sensitivity_*.csv: the answer's range, how
often each answer occurs, and which uncertain inputs move it most)."""

from __future__ import annotations

from . import charts
from .folder import OutputFolder
from .page import Fact, Section, Table


def history_sections(folder: OutputFolder) -> list[Section]:
    """Per product, the model's best plan, the targets and what happened, year by year."""
    table = folder.table("history")
    content = folder.documents.get("history.json") or {}
    if table is None:
        folder.cannot_show("the history: no history.csv")
        return []
    facts = [Fact("scenario", str(content.get("scenario", ""))),
             Fact("compared with", str(content.get("against", ""))),
             Fact("products", ", ".join(map(str, table["product"].unique())))]
    section = Section("history", "The model, the plan and what happened").facts(facts)
    section.say("Each year's best plan is the plan of that year's earliest-year search (the "
                "largest share of the chosen targets that year can meet); the targets are "
                "the scenario's, national totals; what happened is the record's, cited or "
                "estimated row by row.")
    for product, rows in table.groupby("product", sort=False):
        years = rows["year"].to_numpy()
        series = {"model's best plan": rows["model_output"].to_numpy(dtype=float),
                  "targets": rows["target"].to_numpy(dtype=float)}
        if "actual" in rows and rows["actual"].notna().any():
            series["what happened"] = rows["actual"].to_numpy(dtype=float)
        if "goal_low" in rows and rows["goal_low"].notna().any():
            series["the plan's goal"] = rows["goal_low"].to_numpy(dtype=float)
        section.chart(charts.lines(
            years, series, ylabel=str(product), xlabel="year",
            alt=f"{product}: the model's best plan, the targets and what happened by year"),
            str(product))
    section.table(Table.of("history", table, caption="history.csv: every product and year."))
    return [section]


def sensitivity_sections(folder: OutputFolder) -> list[Section]:
    """The answer's range, a tornado of the inputs that move it most, how often each answer
    occurs over the samples."""
    ranges = folder.table("sensitivity_range")
    tornado = folder.table("sensitivity_tornado")
    content = folder.documents.get("sensitivity.json") or {}
    if ranges is None or tornado is None:
        folder.cannot_show("the sensitivity: no sensitivity_range.csv or "
                           "sensitivity_tornado.csv")
        return []
    facts = [Fact("question", str(content.get("question", ""))),
             Fact("samples", str(content.get("samples", ""))),
             Fact("method", str(content.get("method", "samples"))),
             Fact("answers computed", str(content.get("solves", "")))]
    for row in ranges.itertuples():
        facts.append(Fact(f"{row.answer}: nominal, range",
                          f"{row.nominal:.4g}, {row.low:.4g} .. {row.high:.4g}"))
    section = Section("sensitivity", "How uncertain inputs move the answer").facts(facts)
    if content.get("exact"):
        section.say(f"Exact: {content['exact']}")
    elif (content.get("ranging") or {}).get("not_used"):
        section.say(f"HiGHS's ranging not used: {content['ranging']['not_used']}.")
    for answer, rows in tornado.groupby("answer", sort=False):
        rows = rows.sort_values("swing", ascending=False)
        notes = [f"{lo:.3g} .. {hi:.3g}" for lo, hi in zip(rows["at_low"], rows["at_high"],
                                                           strict=True)]
        section.chart(charts.ranked_bars(
            rows["input"].astype(str).tolist(), rows["swing"].to_numpy(dtype=float), notes,
            xlabel=f"swing of {answer} (answer at the input's high end minus low end)",
            alt=f"Tornado: the inputs that move {answer} most, largest swing first"),
            f"Which inputs move {answer} most")
    section.table(Table.of("sensitivity_tornado", tornado,
                           caption="Each input at its low and high end, the others nominal; "
                           "first-order Sobol indices where asked."))
    frequency = folder.table("sensitivity_frequency")
    if frequency is not None:
        section.table(Table.of("sensitivity_frequency", frequency,
                               caption="How often each answer occurs over the samples."))
    return [section]
