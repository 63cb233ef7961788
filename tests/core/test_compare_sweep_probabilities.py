"""Compare panes and Sweep cells with "Token probabilities": the tint, its figures, and nothing when it is off."""

from __future__ import annotations

import json
import math

from components.compare_panes import pane_stats, tint_html
from playground.inference.events import Done, RunStats, Token
from playground.inference.probabilities import Alternative, TokenOdds
from playground.input.request import parse_request
from playground.runs.results import ResultSet, RunResult, to_csv, to_json
from playground.runs.scheduler import Job, Tagged

ODDS = (TokenOdds("Echo ", math.log(0.6), (Alternative("Echo ", math.log(0.6)), Alternative("Hi ", math.log(0.3)))),
        TokenOdds("maybe", math.log(0.05), (Alternative("yes", math.log(0.5)),)))
STATS = RunStats(time_to_first_token=0.1, total_time=0.3, tokens=2, seed=1, attempts=1)


def request(probabilities: bool):
    return parse_request({"model": "org/a", "prompt": "Hi", "params": {"token_probabilities": probabilities, "seed": 1}})


def finished(probabilities: bool, odds: tuple[TokenOdds, ...] = ODDS) -> RunResult:
    result = RunResult("A", request(probabilities))
    result.apply(Token("Echo ", odds=odds[:1]))
    result.apply(Token("maybe", odds=odds[1:]))
    result.apply(Done(STATS))
    return result


def test_a_pane_with_probabilities_shows_tinted_tokens_with_their_alternatives() -> None:
    result = finished(True)
    assert result.odds == list(ODDS)
    shown = tint_html(result)
    assert shown.count('class="pg-tok ') == 2 and "Alternatives for token 2" in shown and "pg-tint-0" in shown
    assert "pg-alt\"" not in shown  # Compare offers no continuation
    assert "perplexity" in pane_stats(result) and "1 of 2 tokens under 10 %" in pane_stats(result)


def test_a_streaming_pane_only_grows_its_tint() -> None:
    result = RunResult("A", request(True))
    result.apply(Token("Echo ", odds=ODDS[:1]))
    first = tint_html(result)
    result.apply(Token("maybe", odds=ODDS[1:]))
    assert tint_html(result).startswith(first)  # an append: cheap to send


def test_a_pane_with_the_option_off_or_no_probabilities_shows_plain_text() -> None:
    assert tint_html(finished(False)) == "" and "perplexity" not in pane_stats(finished(False))
    silent = finished(True, odds=())
    assert tint_html(silent) == "" and "no token probabilities from this model/provider" in pane_stats(silent)


def test_sweep_exports_carry_the_summary_figures() -> None:
    results = ResultSet({"1": finished(True), "2": finished(False)})
    header, first, second = to_csv(results, lambda result: result.state.value).splitlines()
    assert "mean_logprob,perplexity,tokens_under_10_percent" in header
    assert f",{round(math.exp(-(math.log(0.6) + math.log(0.05)) / 2), 3)},1," in first and ",,,," in second
    exported = json.loads(to_json(results, lambda result: result.state.value))["rows"]
    assert exported[0]["tokens_under_10_percent"] == 1 and exported[0]["mean_logprob"] < 0
    assert exported[1]["perplexity"] is None


def test_a_compare_run_keeps_each_panes_odds_apart() -> None:
    results = ResultSet.for_jobs([Job("A", request(True)), Job("B", request(True))])
    results.apply([Tagged("A", Token("Echo ", odds=ODDS[:1])), Tagged("B", Token("maybe", odds=ODDS[1:]))])
    assert results["A"].odds == [ODDS[0]] and results["B"].odds == [ODDS[1]]
