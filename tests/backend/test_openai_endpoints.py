"""An endpoint URL of an OpenAI-compatible server, against the protocol server's vLLM-like mode
(`/openai/{name}`: one model by name, 404 to any other, TGI's response_format refused, no TGI
route), beside its TGI endpoint and a URL that speaks neither (issue 17)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.messages import error_title_and_advice
from playground import errors as e
from playground.endpoint.discovery import Protocol, forget_servers
from playground.inference.backend import Backend
from playground.inference.events import Done, Token
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from playground.input.response_format import EXAMPLE_SCHEMA_TEXT, ResponseFormat
from playground.saved.snippets import curl_snippet, python_snippet
from tests import protocol_answers as answers
from tests.protocol_server import ProtocolServer

SERVED = "org/served-model"
PARAMS = GenerationParams(temperature=0.7, max_new_tokens=6, seed=5)


@pytest.fixture(autouse=True)
def fresh_lookups() -> None:
    forget_servers()


def openai_url(server: ProtocolServer, name: str = "served-model") -> str:
    return f"{server.url}/openai/{name}"


def answer(backend: Backend, request: GenerationRequest, token: str | None = None) -> str:
    events = list(backend.run(request, token))
    assert isinstance(events[-1], Done)
    return "".join(event.text for event in events if isinstance(event, Token))


def test_the_served_model_is_listed_and_the_protocol_named(server: ProtocolServer) -> None:
    info = Backend().server_info(openai_url(server, "m1") + "/v1", None)
    assert info is not None and info.protocol is Protocol.OPENAI
    assert info.models == ("m1",)
    assert info.summary() == "OpenAI-compatible server, 1 model"


def test_completion_answers_through_v1_completions_with_the_served_name(server: ProtocolServer) -> None:
    url = openai_url(server, "m1")
    text = answer(Backend(), GenerationRequest(model=url, prompt="Hello there", params=PARAMS))
    assert text == "".join(answers.generate("Hello there", seed=5, temperature=0.7, max_tokens=6).tokens)
    (post,) = server.posts("openai/m1")
    assert post.path == "/openai/m1/v1/completions" and post.body["model"] == "m1"


def test_chat_sends_the_served_model_not_dummy(server: ProtocolServer) -> None:
    url = openai_url(server, "m1")
    request = GenerationRequest(model=url, served_model="m1", prompt="Hi", mode=Mode.CHAT, params=PARAMS)
    assert answer(Backend(), request)
    (post,) = server.posts("openai/m1")
    assert post.path == "/openai/m1/v1/chat/completions" and post.body["model"] == "m1"


def test_a_json_schema_goes_in_the_openai_form_and_the_strict_server_answers(server: ProtocolServer) -> None:
    request = GenerationRequest(model=openai_url(server, "m1"), prompt="Hi", mode=Mode.CHAT, params=PARAMS,
                                response_format=ResponseFormat.JSON_SCHEMA, json_schema=EXAMPLE_SCHEMA_TEXT)
    assert json.loads(answer(Backend(), request))
    (post,) = server.posts("openai/m1")
    sent = post.body["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["schema"] == json.loads(EXAMPLE_SCHEMA_TEXT)


def test_a_served_model_the_server_refuses_is_worded_with_the_url(server: ProtocolServer) -> None:
    url = openai_url(server, "m1")
    with pytest.raises(e.NoRouteError) as caught:
        list(Backend().run(GenerationRequest(model=url, served_model="other", prompt="Hi", params=PARAMS), None))
    assert url in caught.value.detail and "'other'" in caught.value.detail
    assert "spelling" not in " ".join(error_title_and_advice(caught.value))


@pytest.mark.parametrize("mode", [Mode.COMPLETION, Mode.CHAT])
def test_an_endpoint_with_neither_protocol_names_the_url_and_what_was_tried(server: ProtocolServer, mode: Mode) -> None:
    url = f"{server.url}/nothing/here"
    info = Backend().server_info(url, None)
    assert info is not None and info.protocol is Protocol.NEITHER
    with pytest.raises(e.NoRouteError) as caught:
        list(Backend().run(GenerationRequest(model=url, prompt="Hi", mode=mode, params=PARAMS), None))
    detail = caught.value.detail
    assert detail.startswith(f"no TGI or OpenAI route at {url}") and "GET /info" in detail and "GET /v1/models" in detail
    title, advice = error_title_and_advice(caught.value)
    assert "spelling" not in title + advice and "route" in title


def test_a_tgi_endpoint_still_goes_through_tgi(server: ProtocolServer) -> None:
    url = f"{server.url}/tgi/mistral"
    assert Backend().server_info(url, None).protocol is Protocol.TGI
    assert answer(Backend(), GenerationRequest(model=url, prompt="Hello there", params=PARAMS))
    (post,) = server.posts("tgi/mistral")
    assert post.path == "/tgi/mistral" and "inputs" in post.body


def test_the_lookup_and_the_run_carry_exactly_the_endpoint_token(server: ProtocolServer) -> None:
    url = openai_url(server, "m1")
    answer(Backend(), GenerationRequest(model=url, prompt="Hi", params=PARAMS), token="endpoint-secret")
    sent = [r.headers.get("authorization") for r in server.requests]
    assert sent and all(header == "Bearer endpoint-secret" for header in sent)


def test_without_a_token_nothing_is_sent_in_its_place(server: ProtocolServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-operator")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-operator")
    answer(Backend(), GenerationRequest(model=openai_url(server, "m1"), prompt="Hi", mode=Mode.CHAT, params=PARAMS))
    assert server.requests
    for recorded in server.requests:
        assert "authorization" not in recorded.headers and "openai-organization" not in recorded.headers


def test_the_lookup_is_asked_once_per_url(server: ProtocolServer) -> None:
    backend, url = Backend(), openai_url(server, "m1")
    for _ in range(3):
        backend.server_info(url, None)
    assert len(server.gets("/openai/m1/v1/models")) == 1


def test_on_a_space_the_lookup_never_reaches_a_private_address(server: ProtocolServer) -> None:
    """The lookup follows the run's address rules: on a Space, loopback is refused at connect. (By
    name: the server's own address is the tests' Hub, which the operator's rules let through.)"""
    url = openai_url(server, "m1").replace("127.0.0.1", "localhost")
    assert Backend(on_space=True).server_info(url, None) is None
    assert server.requests == []


def test_view_code_needs_no_token_and_names_the_served_model_and_the_apps_route(server: ProtocolServer) -> None:
    request = GenerationRequest(model=openai_url(server, "m1"), prompt="Hi", params=PARAMS)
    python = python_snippet(request, router_url="http://router.example", token_variable="ENDPOINT_TOKEN", openai_model="m1")
    assert 'os.environ.get("ENDPOINT_TOKEN", "EMPTY")' in python and "model='m1'" in python
    assert "router" not in python and "completions.create(" in python
    curl = curl_snippet(request, token_variable="ENDPOINT_TOKEN", openai_model="m1")
    assert f"{openai_url(server, 'm1')}/v1/completions" in curl and '"model": "m1"' in curl


@pytest.mark.parametrize("mode", [Mode.COMPLETION, Mode.CHAT])
def test_the_python_snippet_prints_the_apps_answer(server: ProtocolServer, mode: Mode, tmp_path: Path) -> None:
    request = GenerationRequest(model=openai_url(server, "m1"), prompt="Hello there", mode=mode, params=PARAMS)
    script = tmp_path / "snippet.py"
    script.write_text(python_snippet(request, token_variable="ENDPOINT_TOKEN", openai_model="m1"), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("ENDPOINT_TOKEN", "OPENAI_API_KEY")}
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, encoding="utf-8", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == answer(Backend(), request) + "\n"
