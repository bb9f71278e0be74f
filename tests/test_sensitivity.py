"""sensitivity: answers with ranges (issue 19). λ is linear in one supply, so its range,
tornado and Sobol index are known by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sovnarkhoz
from cli_run import run
from sovnarkhoz.horizon.sensitivity import Method, Question, parse_vary, ranges_in, sensitivity


def one_supply(low: float | None = 4.0, high: float | None = 8.0) -> sovnarkhoz.Scenario:
    """One region, product a made from 1 unit of labour; target a = 10; labour 5 (from
    ``low`` to ``high``): λ = labour / 10, so λ ranges over 0.4 .. 0.8, 0.5 at the nominal
    supply, and all of its variance is the supply's (first-order Sobol index 1)."""
    supplies = pd.DataFrame({"region": ["r"], "factor": ["labour"], "amount": [5.0]})
    if low is not None:
        supplies = supplies.assign(low=[low], high=[high], status=["estimate"])
    return sovnarkhoz.Scenario.from_frames(
        products=pd.DataFrame({"product": ["a"]}), regions=pd.DataFrame({"region": ["r"]}),
        factors=pd.DataFrame({"factor": ["labour"]}),
        techniques=pd.DataFrame({"technique": ["ta"], "region": ["r"], "product": ["a"]}),
        inputs=pd.DataFrame({"technique": ["ta"], "input": ["labour"], "amount": [1.0]}),
        supplies=supplies,
        targets=pd.DataFrame({"region": ["r"], "product": ["a"], "amount": [10.0]}))


def test_lambda_linear_in_one_supply_by_hand():
    scenario = one_supply()
    inputs = ranges_in(scenario)
    assert [i.name for i in inputs] == ["supplies:r/labour:amount"]
    result = sensitivity(scenario, inputs, Question.PLAN, samples=8, sobol=True, seed=1)
    assert result.nominal[0] == pytest.approx(0.5)
    low, high = result.tornado["supplies:r/labour:amount"]
    assert low[0] == pytest.approx(0.4) and high[0] == pytest.approx(0.8)
    # every sample on the line λ = (4 + 4 u) / 10
    np.testing.assert_allclose(result.answers[:, 0], (4 + 4 * result.samples[:, 0]) / 10,
                               rtol=1e-9)
    ranges = result.range_table()
    assert ranges["low"].iat[0] == pytest.approx(0.4)
    assert ranges["high"].iat[0] == pytest.approx(0.8)
    # one input carries all the variance: its first-order index is 1 (the estimator, a
    # correlation of f(B) and f(A_B), is exactly 1 here because f(A_B) = f(B) for k = 1)
    assert result.sobol["supplies:r/labour:amount"][0] == pytest.approx(1.0, abs=1e-9)
    frequency = result.frequency_table()
    assert frequency["count"].sum() == len(result.answers)


def test_vary_overrides_and_is_checked():
    scenario = one_supply(None)
    item = parse_vary(scenario, "supplies:r/labour:amount=*0.5..*2")
    np.testing.assert_allclose([item.low[0], item.high[0]], [2.5, 10.0])
    result = sensitivity(scenario, [item], Question.PLAN, samples=4)
    low, high = result.tornado[item.name]
    assert low[0] == pytest.approx(0.25) and high[0] == pytest.approx(1.0)
    for text, words in (("supplies:r/labour:amount", "TABLE:ROW-KEY"),
                        ("supplies:x/labour:amount=1..2", "no row"),
                        ("products:a:amount=1..2", "no value that can vary"),
                        ("supplies:r/labour:amount=3..2", "at most")):
        with pytest.raises(sovnarkhoz.ScenarioError, match=words):
            parse_vary(scenario, text)


def test_share_question_warm_starts_along_samples():
    """The share of a multi-year target: labour 1, 2, 4 (x the varied factor) against a = 1
    and b = 2 (labour_only of test_earliest_each): in the third year λ = min(1, 4 f / 3)."""
    from test_earliest_each import labour_only

    scenario = labour_only()
    item = parse_vary(scenario, "supplies:r/labour:amount=*0.3..*0.9")
    result = sensitivity(scenario, [item], Question.SHARE, targets=["a", "b"], year=1962,
                         samples=6, workers=2)  # the warm model stays behind
    assert result.exact == ""  # λ bends at f = 0.75, where it reaches 1: every sample solved
    f = 0.3 + 0.6 * result.samples[:, 0]
    np.testing.assert_allclose(result.answers[:, 0], np.minimum(1, 4 * f / 3), rtol=1e-7)


def test_share_linear_in_a_supply_is_proven_by_prices():
    """f from 0.3 to 0.6: λ = 4 f / 3 stays below 1, linear over the whole range; the prices
    at both ends prove it, and the samples are answered on the line without a solve."""
    from test_earliest_each import labour_only

    scenario = labour_only()
    item = parse_vary(scenario, "supplies:r/labour:amount=*0.3..*0.6")
    result = sensitivity(scenario, [item], Question.SHARE, targets=["a", "b"], year=1962,
                         samples=6, sobol=True)
    assert result.exact.startswith("linear")
    f = 0.3 + 0.3 * result.samples[:, 0]
    np.testing.assert_allclose(result.answers[:, 0], 4 * f / 3, rtol=1e-9)
    assert result.solves == 1 + 2 + 2
    assert result.sobol[item.name][0] == pytest.approx(1.0)


def test_earliest_question_counts_never_after_the_horizon():
    from test_earliest_each import labour_only

    scenario = labour_only()
    item = parse_vary(scenario, "supplies:r/labour:amount=*0.2..*1")
    result = sensitivity(scenario, [item], Question.EARLIEST, targets=["a", "b"], samples=4)
    low, high = result.tornado[item.name]
    # at 0.2 of the labour: a needs 1 (supplies 0.2, 0.4, 0.8): never; b never
    assert low.tolist() == [1963.0, 1963.0]
    assert high.tolist() == [1960.0, 1961.0]
    # b alone, a let go: at 0.5 of the labour (0.5, 1, 2) b = 2 is met in the third year
    item = parse_vary(scenario, "supplies:r/labour:amount=*0.5..*1")
    alone = sensitivity(scenario, [item], Question.EARLIEST, targets=["b"], samples=2,
                        let_go=["a"])
    assert alone.tornado[item.name][0].tolist() == [1962.0]


def test_cli_sensitivity_writes_its_tables(tmp_path, capsys):
    directory = tmp_path / "one_supply"
    one_supply().write(directory)
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "sensitivity", str(directory), "--samples", "5",
                          "--workers", "2", "--out", str(out))
    assert code == 0, stdout
    ranges = pd.read_csv(out / "sensitivity_range.csv")
    assert ranges["low"].iat[0] == pytest.approx(0.4)
    assert ranges["high"].iat[0] == pytest.approx(0.8)
    tornado = pd.read_csv(out / "sensitivity_tornado.csv")
    assert tornado["swing"].iat[0] == pytest.approx(0.4)
    assert (out / "tornado.png").stat().st_size > 1000
    # one supply of a one-year scenario: answered by HiGHS's ranging, and it says so
    import json

    assert ranges["method"].iat[0] == "ranging" and "method: ranging" in stdout
    content = json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))
    assert content["method"] == "ranging" and content["solves"] == 2
    assert content["ranging"]["interval"] == [0.0, None]  # [0, inf): λ has no upper bound
    code, _, err = run(capsys, "sensitivity", str(directory), "--vary", "bad",
                       "--out", str(tmp_path / "o2"))
    assert code == 2 and "TABLE:ROW-KEY" in err


def test_cli_sensitivity_report_shows_the_range_and_the_tornado(tmp_path, capsys):
    """--report: the range's facts and the tornado table as sensitivity_*.csv hold them."""
    import json
    import re

    directory = tmp_path / "one_supply"
    one_supply().write(directory)
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "sensitivity", str(directory), "--samples", "5",
                          "--out", str(out), "--report")
    assert code == 0 and "report:" in stdout, stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "0.4 .. 0.8" in page and page.count("<svg") >= 1
    assert "by HiGHS&#39;s ranging" in page or "by HiGHS's ranging" in page
    match = re.search(r'data-name="sensitivity_tornado".*?<script type="application/json">'
                      r"(.*?)</script>", page, re.S)
    rows = json.loads(match.group(1).replace("<\\/", "</"))["rows"]
    tornado = pd.read_csv(out / "sensitivity_tornado.csv")
    assert len(rows) == len(tornado) and rows[0][5] == pytest.approx(tornado["swing"].iat[0])


def labour_and_land(low: float, high: float) -> sovnarkhoz.Scenario:
    """a takes 1 labour and 1 land per unit; target a = 10; land 6, labour 5 varied from
    ``low`` to ``high``: λ = min(labour, 6) / 10. The labour row's bound keeps the optimal
    basis (labour binding, land slack) over [0, 6]: HiGHS's ranging interval, by hand."""
    return sovnarkhoz.Scenario.from_frames(
        products=pd.DataFrame({"product": ["a"]}), regions=pd.DataFrame({"region": ["r"]}),
        factors=pd.DataFrame({"factor": ["labour", "land"]}),
        techniques=pd.DataFrame({"technique": ["ta"], "region": ["r"], "product": ["a"]}),
        inputs=pd.DataFrame({"technique": ["ta", "ta"], "input": ["labour", "land"],
                             "amount": [1.0, 1.0]}),
        supplies=pd.DataFrame({"region": ["r", "r"], "factor": ["labour", "land"],
                               "amount": [5.0, 6.0], "low": [low, math.nan],
                               "high": [high, math.nan]}),
        targets=pd.DataFrame({"region": ["r"], "product": ["a"], "amount": [10.0]}))


def no_solves_beyond(monkeypatch, plans: list) -> None:
    """Fail on any sample or tornado solve; count make_plan calls in ``plans``."""
    import sovnarkhoz.horizon.sensitivity as module
    import sovnarkhoz.plan as plan_module

    def refuse(*_args, **_kwargs):
        raise AssertionError("a sample was solved")

    real = plan_module.make_plan

    def counted(*args, **kwargs):
        plans.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "_answer_chunk", refuse)
    monkeypatch.setattr(module, "_run", refuse)
    monkeypatch.setattr(plan_module, "make_plan", counted)


def test_plan_range_from_highs_ranging_no_sample_solved(monkeypatch):
    """Labour 4 .. 5.5 lies in [0, 6], the ranging interval: λ = labour / 10 = 0.4 + 0.15 u
    exactly; one verified plan at the nominal figures and one simplex model to range, no
    sample or tornado end solved."""
    plans: list = []
    no_solves_beyond(monkeypatch, plans)
    scenario = labour_and_land(4.0, 5.5)
    inputs = ranges_in(scenario)
    result = sensitivity(scenario, inputs, Question.PLAN, samples=8, sobol=True, seed=2)
    assert result.method is Method.RANGING and result.solves == 2 and len(plans) == 1
    assert result.ranging["interval"] == pytest.approx([0.0, 6.0])
    assert result.ranging["slope_per_unit"] == pytest.approx(0.1)
    assert result.ranging["block"] == "a factor row"
    low, high = result.tornado[inputs[0].name]
    assert low[0] == pytest.approx(0.4) and high[0] == pytest.approx(0.55)
    np.testing.assert_allclose(result.answers[:, 0], (4 + 1.5 * result.samples[:, 0]) / 10,
                               rtol=1e-9)
    ranges = result.range_table()
    assert ranges["method"].iat[0] == "ranging"
    assert ranges["low"].iat[0] == pytest.approx(0.4)
    assert ranges["high"].iat[0] == pytest.approx(0.55)


def test_range_past_the_ranging_interval_is_sampled():
    """Labour 4 .. 8 leaves [0, 6] (land binds from 6): ranging is not used, every sample is
    solved, and λ = min(labour, 6) / 10 still holds at each."""
    scenario = labour_and_land(4.0, 8.0)
    inputs = ranges_in(scenario)
    result = sensitivity(scenario, inputs, Question.PLAN, samples=6, seed=3)
    assert result.method is Method.SAMPLES
    assert "leaves the interval" in result.ranging["not_used"]
    assert "[0, 6]" in result.ranging["not_used"]
    assert result.solves == 1 + 1 + 2 + 6  # nominal, the ranging model, tornado, samples
    labour = 4 + 4 * result.samples[:, 0]
    np.testing.assert_allclose(result.answers[:, 0], np.minimum(labour, 6) / 10, rtol=1e-7)
    low, high = result.tornado[inputs[0].name]
    assert low[0] == pytest.approx(0.4) and high[0] == pytest.approx(0.6)
    assert result.range_table()["high"].iat[0] == pytest.approx(0.6)


def test_share_in_the_first_year_is_ranged_on_the_warm_model():
    """labour_only asked about its first year (1960): only 1960's labour row is in the LP
    cut at 1960, one number. λ_1960 = f / 3 for labour f (a = 1 and b = 2 need 3), linear
    until f = 3 where λ reaches its bound 1: ranging interval [0, 3] by hand, so f in
    0.3 .. 0.9 is answered on the line from the nominal solve alone."""
    from test_earliest_each import labour_only

    scenario = labour_only()
    item = parse_vary(scenario, "supplies:r/labour:amount=*0.3..*0.9")
    result = sensitivity(scenario, [item], Question.SHARE, targets=["a", "b"], year=1960,
                         samples=5)
    assert result.method is Method.RANGING and result.solves == 1
    assert result.ranging["interval"] == pytest.approx([0.0, 3.0])
    f = 0.3 + 0.6 * result.samples[:, 0]
    np.testing.assert_allclose(result.answers[:, 0], f / 3, rtol=1e-9)
    # every year's labour (1962): several rows, the earlier method
    later = sensitivity(scenario, [item], Question.SHARE, targets=["a", "b"], year=1962,
                        samples=2)
    assert later.method is not Method.RANGING
    assert "more than one number" in later.ranging["not_used"]
