"""Token probabilities in plain Python: the request's parameters, percentages with "other", the
summary figures, the history bound, the tint bands and the continuation prompt."""

from __future__ import annotations

import math

import pytest

from playground.errors import InvalidParametersError
from playground.inference.coalesce import joined
from playground.inference.events import Token
from playground.inference.probabilities import (
    MAX_KEPT_TOKENS,
    Alternative,
    TokenOdds,
    bounded,
    shown_alternatives,
    summarise,
    tint_band,
)
from playground.input.form_values import FormValues, parameter_form_values, request_from_form
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode, client_call
from playground.runs.continuation import continuation_label, continuation_prompt, continuation_request


def odds(text: str, probability: float, *alternatives: tuple[str, float]) -> TokenOdds:
    return TokenOdds(text, math.log(probability), tuple(Alternative(t, math.log(p)) for t, p in alternatives))


def test_the_option_is_off_by_default_and_sends_top_5_in_both_modes() -> None:
    assert GenerationParams().token_probabilities is False
    on = GenerationParams(token_probabilities=True)
    completion = client_call(GenerationRequest(model="org/m", prompt="p", params=on)).kwargs
    chat = client_call(GenerationRequest(model="org/m", prompt="p", mode=Mode.CHAT, params=on)).kwargs
    assert completion["top_n_tokens"] == 5 and "logprobs" not in completion
    assert chat["logprobs"] is True and chat["top_logprobs"] == 5 and "top_n_tokens" not in chat


def test_the_option_travels_through_the_form() -> None:
    values = parameter_form_values(GenerationParams(token_probabilities=True), random_seed=False)
    assert values["token_probabilities"] is True
    form = FormValues(model="org/m", provider="auto", mode="Completion", prompt="p", **values)
    assert request_from_form(form).params.token_probabilities is True


def test_percentages_are_never_renormalised_and_the_rest_is_other() -> None:
    lines = shown_alternatives(odds("a", 0.05, ("b", 0.5), ("c", 0.2), ("a", 0.05)))
    assert [(line.text, round(line.percent, 1), line.chosen) for line in lines] == [
        ("b", 50.0, False), ("c", 20.0, False), ("a", 5.0, True), (None, 25.0, False)]


def test_a_chosen_token_the_provider_left_out_is_still_listed_and_marked() -> None:
    lines = shown_alternatives(odds("z", 0.01, ("b", 0.99)))
    assert [(line.text, line.chosen) for line in lines] == [("b", False), ("z", True)]  # 100 %: no "other"


def test_summary_gives_mean_logprob_perplexity_and_unlikely_picks() -> None:
    summary = summarise([odds("a", 0.5), odds("b", 0.05), odds("c", 0.5)])
    assert summary is not None and summary.unlikely == 1 and summary.tokens == 3
    assert summary.mean_logprob == pytest.approx((2 * math.log(0.5) + math.log(0.05)) / 3)
    assert summary.perplexity == pytest.approx(math.exp(-summary.mean_logprob))
    assert summarise([]) is None


def test_a_5_percent_token_and_a_60_percent_token_get_different_tints() -> None:
    assert tint_band(0.05) == 0 and tint_band(0.6) == 3 and tint_band(0.95) == 4


def test_history_keeps_at_most_5_alternatives_and_1024_tokens() -> None:
    many = [odds("x", 0.5, *((str(i), 0.01) for i in range(8)))] * (MAX_KEPT_TOKENS + 10)
    kept = bounded(many)
    assert len(kept) == MAX_KEPT_TOKENS and all(len(token.alternatives) == 5 for token in kept)


def test_coalescing_keeps_every_tokens_odds_in_order() -> None:
    merged = joined([Token("a", odds=(odds("a", 0.5),)), Token("b", odds=(odds("b", 0.1),))])
    assert merged.text == "ab" and [o.text for o in merged.odds] == ["a", "b"]


def test_a_continuation_prompt_is_the_prompt_the_answer_before_the_token_and_the_alternative() -> None:
    answer = [odds("The ", 0.9), odds("cat ", 0.05, ("dog ", 0.6)), odds("sat", 0.5)]
    assert continuation_prompt("Once: ", answer, 1, "dog ") == "Once: The dog "
    request = GenerationRequest(model="org/m", prompt="Once: ")
    assert continuation_request(request, answer, 1, "dog ").prompt == "Once: The dog "
    assert continuation_label(1, " alt") == "Continued from token 2 with ' alt'"


def test_a_continuation_is_refused_in_chat_and_for_an_alternative_not_listed() -> None:
    answer = [odds("cat ", 0.05, ("dog ", 0.6))]
    with pytest.raises(InvalidParametersError):
        continuation_request(GenerationRequest(model="org/m", prompt="p", mode=Mode.CHAT), answer, 0, "dog ")
    with pytest.raises(InvalidParametersError):
        continuation_request(GenerationRequest(model="org/m", prompt="p"), answer, 0, "bird ")
    with pytest.raises(InvalidParametersError):
        continuation_request(GenerationRequest(model="org/m", prompt="p"), answer, 3, "dog ")
