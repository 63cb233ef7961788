"""The built-in local model, end to end: the real SmolLM2-135M weights, the real server on loopback,
and the real `huggingface_hub.InferenceClient` pointed at its URL, as the backend uses it.

Skipped only when llama-cpp-python is not installed; CI installs it (requirements-local.txt).
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator

import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -r requirements-local.txt")

from huggingface_hub import InferenceClient  # noqa: E402
from huggingface_hub.errors import HfHubHTTPError, OverloadedError, ValidationError  # noqa: E402

from playground.input.params import GenerationParams  # noqa: E402
from playground.input.request import GenerationRequest, Mode, client_call  # noqa: E402
from playground.local import LOCAL_MODEL_NAME  # noqa: E402
from playground.local.service import LocalModelService  # noqa: E402
from tests.conftest import fixed_configuration_service, running_local_model  # noqa: E402

STORY = "Once upon a time, in a small village by the sea,"
COUNTING = "1, 2, 3, 4, 5,"  # greedy SmolLM2 keeps counting: no early end-of-text
SMOLLM2_CHAT = (
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
)


@pytest.fixture(scope="module")
def service() -> Iterator[LocalModelService]:
    with running_local_model() as service:
        yield service


@pytest.fixture
def client(service: LocalModelService) -> Iterator[InferenceClient]:
    client = InferenceClient(model=service.url, token=None)
    yield client
    client.close()


def test_same_seed_gives_the_same_story_and_another_seed_another(client: InferenceClient) -> None:
    def story(seed: int) -> str:
        return client.text_generation(STORY, max_new_tokens=40, temperature=0.8, seed=seed)

    first = story(seed=7)
    assert first.strip()
    assert story(seed=7) == first
    assert story(seed=8) != first


def test_answer_stops_at_max_new_tokens(client: InferenceClient) -> None:
    events = list(client.text_generation(COUNTING, max_new_tokens=12, stream=True, details=True))

    assert len(events) == 12
    assert events[-1].details.generated_tokens == 12
    assert events[-1].details.finish_reason == "length"
    assert events[-1].generated_text == "".join(event.token.text for event in events)


def test_answer_ends_right_after_a_stop_sequence(client: InferenceClient) -> None:
    answer = client.text_generation(COUNTING, max_new_tokens=60, stop=["9"], details=True)

    assert answer.generated_text.endswith("9")  # kept, as TGI keeps it
    assert answer.generated_text.count("9") == 1
    assert answer.details.finish_reason == "stop_sequence"
    assert answer.details.generated_tokens < 60


def test_text_arrives_token_by_token_and_adds_up_to_the_whole_answer(client: InferenceClient) -> None:
    chunks = list(client.text_generation(STORY, max_new_tokens=25, temperature=0.7, seed=3, stream=True))

    assert len(chunks) == 25
    assert "".join(chunks) == client.text_generation(STORY, max_new_tokens=25, temperature=0.7, seed=3)


def test_chat_answers_through_the_models_own_template(client: InferenceClient) -> None:
    question = [{"role": "user", "content": "What is the capital of France?"}]
    chunks = list(client.chat_completion(question, max_tokens=30, temperature=0, stream=True))

    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert len(chunks) > 3
    assert chunks[-1].choices[0].finish_reason in {"stop", "length"}
    # SmolLM2's template adds its default system prompt; greedy chat is the completion of that text.
    assert text == client.text_generation(SMOLLM2_CHAT.format(question=question[0]["content"]), max_new_tokens=30, do_sample=False)
    assert client.chat_completion(question, max_tokens=30, temperature=0).choices[0].message.content == text


def test_every_setting_the_ui_sends_is_accepted(client: InferenceClient) -> None:
    """Guards the contract with playground.input.request: the local server takes the exact calls the backend makes."""
    params = GenerationParams(temperature=0.9, max_new_tokens=8, seed=11, top_p=0.9, top_k=40, repetition_penalty=1.2,
                              frequency_penalty=0.3, stop=("\n\n",))
    for mode in Mode:
        call = client_call(GenerationRequest(model=LOCAL_MODEL_NAME, prompt="Tell me about owls.", mode=mode, params=params))
        items = list(getattr(client, call.method)(**call.kwargs, stream=True))
        assert items, f"{mode.value} mode gave nothing"
    greedy = client_call(GenerationRequest(model=LOCAL_MODEL_NAME, prompt=STORY, params=GenerationParams(temperature=0, max_new_tokens=8)))
    assert greedy.kwargs.get("do_sample") is False
    assert client.text_generation(**greedy.kwargs) == client.text_generation(**greedy.kwargs)


def test_while_the_weights_load_the_answer_is_503_with_an_estimate() -> None:
    gate = threading.Event()
    loading = fixed_configuration_service(load_gate=gate)
    try:
        client = InferenceClient(model=loading.start(), token=None)
        with pytest.raises(HfHubHTTPError) as refused:
            client.text_generation("Hello", max_new_tokens=3)
        assert refused.value.response.status_code == 503
        body = refused.value.response.json()
        assert body["error"] == f"Model {LOCAL_MODEL_NAME} is currently loading"
        assert body["estimated_time"] > 0

        gate.set()
        assert loading.wait_until_ready(timeout=60)
        assert client.text_generation("Hello", max_new_tokens=3)
    finally:
        loading.stop()


def test_a_second_request_while_one_runs_is_told_to_wait_its_turn(service: LocalModelService) -> None:
    first, second = InferenceClient(model=service.url), InferenceClient(model=service.url)
    stream = first.text_generation(COUNTING, max_new_tokens=400, stream=True)
    next(iter(stream))  # the model is now busy with the first request
    with pytest.raises(OverloadedError) as refused:
        second.text_generation("Hello", max_new_tokens=3)
    response = refused.value.__cause__.response  # type: ignore[union-attr]
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json()["error"] == "The local model is busy with another request"
    assert next(iter(stream), None) is not None, "refused while the first answer still streams: not queued behind it"

    first.close()  # what Stop does: the connection closes, and the model is free again at once
    assert second.text_generation("Hello", max_new_tokens=3)
    second.close()


@pytest.mark.parametrize(
    "setting",
    [
        {"temperature": 5.0},
        {"top_p": 1.5},
        {"max_new_tokens": 0},
        {"repetition_penalty": 0.0},
        {"frequency_penalty": 3.0},
        {"seed": -1},
        {"stop": ["a", "b", "c", "d", "e"]},
    ],
)
def test_out_of_range_settings_are_refused_with_422(client: InferenceClient, setting: dict) -> None:
    with pytest.raises(ValidationError, match="Input validation error"):
        client.text_generation("Hello", **setting)


def test_out_of_range_chat_settings_are_refused_with_422(client: InferenceClient) -> None:
    with pytest.raises(HfHubHTTPError) as refused:
        client.chat_completion([{"role": "user", "content": "Hi"}], temperature=3.0)
    assert refused.value.response.status_code == 422
    assert refused.value.response.json()["error_type"] == "validation"


def test_a_prompt_longer_than_the_context_is_refused_with_422(client: InferenceClient) -> None:
    with pytest.raises(ValidationError, match="at most 2047"):
        client.text_generation("word " * 3000, max_new_tokens=3)


def test_health_and_info_describe_the_model(service: LocalModelService) -> None:
    with urllib.request.urlopen(f"{service.url}/health", timeout=5) as health:
        assert health.status == 200
    with urllib.request.urlopen(f"{service.url}/info", timeout=5) as answer:
        info = json.load(answer)
    assert info["model_id"] == LOCAL_MODEL_NAME
    assert info["status"] == "ready"
    assert info["max_total_tokens"] == 2048


def test_the_note_beside_model_names_the_configuration_in_use(service: LocalModelService) -> None:
    from playground.local.resolve import local_model_note, local_model_resolver

    note = local_model_note(local_model_resolver(service))
    assert note.startswith("Runs on this machine (llama.cpp) · ")
    assert "set by LOCAL_MODEL_THREADS" in note  # the tests' fixed configuration, said as the tuner chose it


def test_while_the_model_loads_the_note_says_it_is_measuring() -> None:
    from playground.local.resolve import local_model_note, local_model_resolver

    gate = threading.Event()
    loading = fixed_configuration_service(load_gate=gate)
    try:
        assert local_model_note(local_model_resolver(loading)).endswith("loading, and measuring its fastest configuration")
    finally:
        loading.stop()
