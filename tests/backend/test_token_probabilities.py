"""Token probabilities through the backend, with the real InferenceClient against the protocol server:
TGI `top_tokens` and chat `logprobs` parsed into each Token's odds, and a model that sends none."""

from __future__ import annotations

import math

import pytest

from playground.inference.backend import Backend
from playground.inference.events import Token
from playground.inference.probabilities import TokenOdds, summarise
from playground.inference.retry import RetryPolicy
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from tests import protocol_answers as answers
from tests.conftest import TEST_TOKEN, FakeClock
from tests.protocol_server import ProtocolServer


@pytest.fixture
def backend(clock: FakeClock) -> Backend:
    return Backend(policy=RetryPolicy(deadline=30), clock=clock)


def run_odds(backend: Backend, model: str, mode: Mode = Mode.COMPLETION, on: bool = True) -> tuple[str, list[TokenOdds]]:
    params = GenerationParams(max_new_tokens=6, seed=1, token_probabilities=on)
    tokens = [event for event in backend.run(GenerationRequest(model=model, prompt="hi there", mode=mode, params=params), TEST_TOKEN)
              if isinstance(event, Token)]
    return "".join(token.text for token in tokens), [odds for token in tokens for odds in token.odds]


def test_completion_asks_for_top_tokens_and_reads_each_tokens_alternatives(server: ProtocolServer, backend: Backend) -> None:
    text, odds = run_odds(backend, "test/tiny-gpt")
    (post,) = server.posts("test/tiny-gpt")
    assert post.body["parameters"]["top_n_tokens"] == 5
    assert "".join(token.text for token in odds) == text
    assert [round(token.probability, 3) for token in odds[:4]] == [0.6, 0.05, 0.9, 0.3]
    second = odds[1]  # a 5 % pick: four likelier alternatives, and itself
    assert [alt.text for alt in second.alternatives][:2] == ["maybe ", "perhaps "]
    assert math.isclose(second.alternatives[0].probability, 0.95 * 0.4)
    assert len(second.alternatives) == 5


def test_chat_asks_for_logprobs_and_reads_top_logprobs(server: ProtocolServer, backend: Backend) -> None:
    text, odds = run_odds(backend, "test/chat-model", Mode.CHAT)
    (post,) = server.posts("test/chat-model")
    assert post.body["logprobs"] is True and post.body["top_logprobs"] == 5
    assert "".join(token.text for token in odds) == text
    assert round(odds[0].probability, 3) == answers.PICKED[0]
    assert odds[0].alternatives[0].text == odds[0].text  # 60 %: the likeliest


def test_with_the_option_off_nothing_is_asked_for(server: ProtocolServer, backend: Backend) -> None:
    run_odds(backend, "test/chat-model", Mode.CHAT, on=False)
    run_odds(backend, "test/tiny-gpt", on=False)
    (chat,) = server.posts("test/chat-model")
    (tgi,) = server.posts("test/tiny-gpt")
    assert "logprobs" not in chat.body and "top_logprobs" not in chat.body
    assert "top_n_tokens" not in tgi.body["parameters"]


@pytest.mark.parametrize(("model", "mode"), [("test/no-probs-model", Mode.COMPLETION), ("test/no-probs-chat", Mode.CHAT)])
def test_a_model_that_ignores_the_request_gives_text_and_no_alternatives(server: ProtocolServer, backend: Backend, model: str, mode: Mode) -> None:
    text, odds = run_odds(backend, model, mode)
    assert text.startswith("Echo")
    # TGI sends each token's own logprob anyway: without alternatives it is not counted as probabilities
    assert odds == [] and summarise(odds) is None
