"""The built-in model's token probabilities, through our local server in both protocols, read by the
real `InferenceClient`, checked against what llama.cpp itself reports (`create_completion(logprobs=5)`)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -r requirements-local.txt")

from huggingface_hub import InferenceClient  # noqa: E402

from playground.local.service import LocalModelService  # noqa: E402
from playground.local.setup import find_model_path  # noqa: E402
from tests.conftest import running_local_model  # noqa: E402

PROMPT = "The capital of France is"
TOKENS = 6


@pytest.fixture(scope="module")
def service() -> Iterator[LocalModelService]:
    with running_local_model() as service:
        yield service


@pytest.fixture
def client(service: LocalModelService) -> Iterator[InferenceClient]:
    client = InferenceClient(model=service.url, token=None)
    yield client
    client.close()


@pytest.fixture(scope="module")
def llama_reports() -> list[dict[str, float]]:
    """llama.cpp's own answer: per token, its top 5 alternatives (text -> logprob), greedy, seed 1."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(find_model_path()), n_ctx=512, logits_all=True, verbose=False, seed=1)
    try:
        answer = llm.create_completion(PROMPT, max_tokens=TOKENS, temperature=0.0, logprobs=5, seed=1, top_k=0, top_p=1.0, min_p=0.0)
        return answer["choices"][0]["logprobs"]["top_logprobs"]
    finally:
        llm.close()


def _best(alternatives: dict[str, float]) -> tuple[str, float]:
    return max(alternatives.items(), key=lambda item: item[1])


def test_the_built_in_model_sends_tgi_top_tokens_that_match_llama_cpp(client: InferenceClient, llama_reports) -> None:
    events = list(client.text_generation(PROMPT, max_new_tokens=TOKENS, do_sample=False, seed=1, details=True, top_n_tokens=5, stream=True))
    assert len(events) == TOKENS
    for event, reported in zip(events, llama_reports, strict=True):
        assert len(event.top_tokens) == 5
        text, logprob = _best(reported)
        assert event.top_tokens[0].text == text
        assert math.exp(event.top_tokens[0].logprob) == pytest.approx(math.exp(logprob), abs=1e-3)
        assert event.token.logprob is not None and event.token.logprob <= event.top_tokens[0].logprob + 1e-6


def test_the_built_in_model_sends_chat_logprobs(client: InferenceClient) -> None:
    chunks = list(client.chat_completion([{"role": "user", "content": "Say hello"}], max_tokens=5, temperature=0.0, seed=1,
                                         logprobs=True, top_logprobs=5, stream=True))
    content = [entry for chunk in chunks if chunk.choices and chunk.choices[0].logprobs for entry in chunk.choices[0].logprobs.content]
    assert content, "no chat logprobs"
    first = content[0]
    assert len(first.top_logprobs) == 5
    # greedy: the token picked is the likeliest one (its text may be part of a longer character)
    assert first.logprob == pytest.approx(first.top_logprobs[0].logprob, abs=1e-5)


def test_without_the_option_the_built_in_model_sends_no_probabilities(client: InferenceClient) -> None:
    events = list(client.text_generation(PROMPT, max_new_tokens=3, do_sample=False, details=True, stream=True))
    assert all(event.token.logprob is None and not event.top_tokens for event in events)
