"""The report on ``earliest`` (earliest.json: the best share reachable by each year, the
year the targets are met in full) and ``explain`` (explanation.json: the sentences and the
constraints they come from)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import charts
from .folder import OutputFolder
from .page import Fact, Section, Table


def earliest_sections(folder: OutputFolder) -> list[Section]:
    """The share reachable by year against the target line, and the answer."""
    content = folder.earliest
    if content is None:
        folder.cannot_show("the earliest year: no earliest.json")
        return []
    best: dict[str, Any] = content.get("best") or {}
    targets = content.get("targets") or []
    what = ", ".join(map(str, targets)) if targets else "every target"
    year = content.get("earliest")
    stopped = content.get("stopped") or ""
    answer = (f"{what} met in full in {year}" if year is not None else
              f"no answer: {stopped}" if stopped else
              ("the targets cannot all" if not targets else f"{what} cannot")
              + f" be met in full within {content.get('first')}–{content.get('last')}")
    facts = [Fact("answer", answer, emphasis=True),
             Fact("earliest year", "none within the horizon" if year is None else str(year),
                  "earliest", year),
             Fact("targets asked for", what),
             Fact("horizon", f"{content.get('first')}–{content.get('last')}")]
    reached = {int(y): v for y, v in best.items() if v is not None}
    if reached:
        last = max(reached)
        facts.append(Fact(f"best share by {last}", f"{reached[last]:.4g}", f"best.{last}",
                          reached[last]))
    solver = str(content.get("solver", ""))
    tolerance = content.get("tolerance") or 0
    facts.append(Fact("solves", f"{content.get('solves')} ({solver}"
                      + (f", relative KKT error {tolerance:.0e}" if tolerance else "") + ")"))
    if content.get("violation") is not None:
        facts.append(Fact("largest violation of the plan found", f"{content['violation']:.3g}",
                          "violation", content["violation"]))
    if content.get("seconds") is not None:
        facts.append(Fact("seconds", f"{content['seconds']:.2f}", "seconds",
                          content["seconds"]))
    section = Section("earliest", "When can the targets be met?").facts(facts)
    series = {"best share reachable by that year": _curve(best)}
    xs = {"best share reachable by that year": _years(best)}
    each = content.get("each") or {}  # earliest --each: {label: answer}, the joint one last
    for label, other in each.items() if isinstance(each, dict) else ():
        if isinstance(other, dict) and isinstance(other.get("best"), dict):
            series[f"{label} alone" if label != list(each)[-1] else f"{label} together"] = (
                _curve(other["best"]))
            xs[list(series)[-1]] = _years(other["best"])
    if best:
        chart = charts.lines(
            xs, series, ylabel="share of the targets met", xlabel="year",
            hline=(1.0, "target (met in full)"), ymin=0.0,
            vline=None if year is None else (float(year), f"met in full in {year}"),
            alt=f"The largest share of {what} that can be met in each year; the dashed line "
            "is the target. " + (f"Met in full in {year}." if year is not None
                                 else "Not met in full within the horizon."))
        section.chart(chart)
        summary = folder.table("earliest_each_summary")
        if summary is not None:
            section.table(Table.of("earliest_each", summary, caption=(
                "Each target product alone (the others let go), then all together: the "
                "earliest year it is met in full, or the best share and the year it is "
                "first reached.")), "Each alone, then together")
        nan = [y for y, v in best.items() if v is None]
        if nan:
            section.say("No share in " + ", ".join(nan) + ": the targets held in full "
                        "there conflict.")
    return [section]


def _years(best: dict[str, Any]) -> np.ndarray:
    return np.array(sorted(int(y) for y in best))


def _curve(best: dict[str, Any]) -> np.ndarray:
    """The shares in the order of their years (None: NaN, a gap in the line)."""
    return np.array([np.nan if best[y] is None else best[y]
                     for y in sorted(best, key=int)], dtype=float)


def explain_sections(folder: OutputFolder) -> list[Section]:
    """The explanation's sentences beside the constraints they come from."""
    content = folder.explanation
    if content is None:
        folder.cannot_show("the explanation: no explanation.json")
        return []
    feasible = bool(content.get("feasible"))
    sentences = [str(s) for s in content.get("sentences") or []]
    constraints = content.get("constraints") or []
    facts = [Fact("answer", "every target can be met in full; nothing to explain" if feasible
                  else f"the targets cannot all be met in full: these {len(sentences)} "
                  "constraints together rule them out (remove any one and the rest can be met)",
                  "feasible", feasible, emphasis=True),
             Fact("method", f"{content.get('method', '')}, {content.get('solves')} solves, "
                  f"{content.get('seconds', 0):.2f} s")]
    section = Section("explanation", "Why the targets cannot all be met").facts(facts)
    if feasible:
        return [section]
    rows = []
    for k, sentence in enumerate(sentences):
        source = constraints[k] if k < len(constraints) and isinstance(constraints[k],
                                                                         dict) else {}
        rows.append({"#": k + 1, "sentence": sentence, "kind": str(source.get("kind", "")),
                     "constraint": str(source.get("name", "")),
                     "year": "" if source.get("year") is None else str(source["year"])})
    table = pd.DataFrame(rows)
    section.table(Table.of("explanation", table, page=50),
                  title="The sentences and the constraints they come from")
    kinds = table["kind"].replace("", "other").value_counts()
    if len(kinds) > 1:
        section.chart(charts.ranked_bars(list(kinds.index), kinds.to_numpy(dtype=float),
                                         [str(n) for n in kinds], xlabel="constraints",
                                         alt="How many of the conflicting constraints are of "
                                         "each kind."))
    return [section]
