"""Frequency penalty, the parameter added by its declaration alone: a control in both modes, an
input of every endpoint that takes the form, on the wire for a hosted model (TGI and chat bodies),
honoured by the built-in model (llama.cpp's `frequency_penalty`), and refused with the
playground's message when out of range."""

from __future__ import annotations

import random

import pytest
from gradio_client import Client

from components.parameters_panel import CHAT_UNSENT, chat_unsent_controls
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode, client_call
from playground.local import LOCAL_MODEL_NAME
from playground.local.protocol import ChatRequest, TextGenerationParameters
from playground.saved.javascript import javascript_snippet
from playground.saved.presets import apply_preset, preset_from_request, presets_from_yaml, presets_to_yaml
from playground.saved.share import parse_share_url, share_query
from playground.saved.snippets import curl_snippet, python_snippet
from tests.protocol_server import ProtocolServer

FORM = {
    "model": "test/tiny-gpt", "provider": "auto", "mode": "Completion", "system_prompt": "", "response_format": "Text",
    "json_schema": "", "prompt": "Hello there", "temperature": 0.7, "max_new_tokens": 6, "seed": 5, "random_seed": False,
    "stop": "", "session_token": "",
}  # fmt: skip
LABEL = "Frequency penalty"


def generate(app_url: str, **changes: object) -> list[tuple]:
    job = Client(app_url, verbose=False).submit(**{**FORM, **changes}, api_name="/generate")
    return list(job) or [job.result()]


# ---- the control and the API ----------------------------------------------------------------------


def test_the_control_is_an_advanced_slider_from_minus_two_to_two_at_zero(app_url: str) -> None:
    config = Client(app_url, verbose=False).config
    (slider,) = [c for c in config["components"] if c.get("props", {}).get("label") == LABEL]
    props = slider["props"]
    assert slider["type"] == "slider" and (props["minimum"], props["maximum"], props["value"]) == (-2, 2, 0)
    assert "how often they already appeared" in props["info"]


def test_the_control_stays_usable_in_chat_mode() -> None:
    assert "frequency_penalty" not in CHAT_UNSENT
    assert len(chat_unsent_controls(Mode.CHAT.value)) == len(CHAT_UNSENT)  # Chat mode disables only the others


@pytest.mark.parametrize("endpoint", ["/generate", "/view_code", "/compare", "/sweep"])
def test_every_endpoint_that_takes_the_form_takes_it(app_url: str, endpoint: str) -> None:
    api = Client(app_url, verbose=False).view_api(print_info=False, return_format="dict")
    parameters = {item["parameter_name"]: item for item in api["named_endpoints"][endpoint]["parameters"]}
    assert parameters["frequency_penalty"]["parameter_default"] == 0
    names = list(parameters)
    assert names.index("repetition_penalty") + 1 == names.index("frequency_penalty") == names.index("stop") - 1


# ---- on the wire, hosted ------------------------------------------------------------------------------


def test_completion_sends_it_in_the_tgi_body(app_url: str, server: ProtocolServer) -> None:
    generate(app_url, frequency_penalty=0.5, top_k=40)
    parameters = server.posts("test/tiny-gpt")[0].body["parameters"]
    assert parameters == {"temperature": 0.7, "max_new_tokens": 6, "seed": 5, "top_k": 40, "frequency_penalty": 0.5, "details": True}


def test_chat_sends_it_in_the_chat_body(app_url: str, server: ProtocolServer) -> None:
    generate(app_url, model="test/chat-model", mode="Chat", frequency_penalty=-1.25)
    body = server.posts("test/chat-model")[0].body
    sent = {key: value for key, value in body.items() if key not in ("model", "messages", "stream", "stream_options")}
    assert sent == {"max_tokens": 6, "seed": 5, "temperature": 0.7, "frequency_penalty": -1.25}


@pytest.mark.parametrize("mode", list(Mode))
def test_zero_is_off_and_not_sent(mode: Mode) -> None:
    call = client_call(GenerationRequest(model="org/name", prompt="Hi", mode=mode, params=GenerationParams(frequency_penalty=0.0)))
    assert "frequency_penalty" not in call.kwargs


@pytest.mark.parametrize(("value", "message"), [
    (2.5, "Frequency penalty: Input should be less than or equal to 2"),
    (-2.01, "Frequency penalty: Input should be greater than or equal to -2"),
])  # fmt: skip
def test_an_out_of_range_value_gets_the_playgrounds_message(app_url: str, server: ProtocolServer, value: float, message: str) -> None:
    updates = generate(app_url, frequency_penalty=value)
    status = " ".join(str(update[1].get("value", "")) for update in updates if isinstance(update[1], dict))
    assert message in status
    assert server.posts() == []


# ---- kept and shown like the other parameters -----------------------------------------------------------


def test_links_presets_and_snippets_carry_it() -> None:
    request = GenerationRequest(model="org/name", prompt="Hi", params=GenerationParams(seed=3, frequency_penalty=0.75))
    assert parse_share_url(share_query(request)).apply_to(GenerationRequest(model="a/b", prompt="")).params == request.params
    (preset,) = presets_from_yaml(presets_to_yaml([preset_from_request("mine", "Mine", request)])).presets
    assert apply_preset(preset, GenerationParams()).frequency_penalty == 0.75
    assert "frequency_penalty=0.75" in python_snippet(request)
    assert '"frequency_penalty": 0.75' in curl_snippet(request) and '"frequency_penalty": 0.75' in javascript_snippet(request)
    assert "frequency_penalty" not in python_snippet(request.model_copy(update={"params": GenerationParams(seed=3)}))


# ---- the built-in model ---------------------------------------------------------------------------------


def test_the_local_server_hands_it_to_llama_cpp() -> None:
    from playground.local.engine import _sampler_options

    tgi = TextGenerationParameters.model_validate({"frequency_penalty": 0.5, "temperature": 0})
    assert _sampler_options(tgi.to_sampling(random.Random(0)))["frequency_penalty"] == 0.5
    chat = ChatRequest.model_validate({"messages": [{"role": "user", "content": "Hi"}], "frequency_penalty": -0.5})
    assert _sampler_options(chat.to_sampling(random.Random(0)))["frequency_penalty"] == -0.5
    assert _sampler_options(TextGenerationParameters().to_sampling(random.Random(0)))["frequency_penalty"] == 0.0


@pytest.mark.parametrize("mode", list(Mode))
def test_the_built_in_model_receives_it(local_service, monkeypatch: pytest.MonkeyPatch, mode: Mode) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -r requirements-local.txt")
    from llama_cpp import Llama

    asked: list[dict] = []
    generate_tokens = Llama.generate

    def recording(self: Llama, tokens: object, **options: object) -> object:
        asked.append(options)
        return generate_tokens(self, tokens, **options)

    monkeypatch.setattr(Llama, "generate", recording)
    assert _local_text(local_service, mode, frequency_penalty=1.5)
    assert asked[-1]["frequency_penalty"] == 1.5
    _local_text(local_service, mode, frequency_penalty=0.0)
    assert asked[-1]["frequency_penalty"] == 0.0


def test_the_built_in_model_honours_it(local_service) -> None:
    """Greedy counting repeats ", " at every step: penalizing what already appeared changes the text."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -r requirements-local.txt")
    assert _local_text(local_service, Mode.COMPLETION, frequency_penalty=2.0) != _local_text(local_service, Mode.COMPLETION, frequency_penalty=0.0)


def _local_text(local_service, mode: Mode, frequency_penalty: float) -> str:
    """The built-in model's greedy answer, through the very call the backend makes."""
    from huggingface_hub import InferenceClient

    client = InferenceClient(model=local_service.start(), token=None)
    assert local_service.wait_until_ready(timeout=60), "the local model did not load"
    params = GenerationParams(temperature=0, max_new_tokens=12, seed=1, frequency_penalty=frequency_penalty)
    call = client_call(GenerationRequest(model=LOCAL_MODEL_NAME, prompt="1, 2, 3, 4, 5,", mode=mode, params=params))
    try:
        return "".join(_texts(getattr(client, call.method)(**call.kwargs, stream=True)))
    finally:
        client.close()


def _texts(stream: object) -> list[str]:
    texts = []
    for item in stream:  # type: ignore[attr-defined]
        token = getattr(item, "token", None)
        texts.append(token.text if token else (item.choices[0].delta.content or "" if item.choices else ""))
    return texts
