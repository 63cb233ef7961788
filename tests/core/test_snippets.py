"""The "View code" snippets reproduce exactly the request the UI sends, and never hold a token.

The pure tests read the snippet text the way a shell, Python or Node would. The execution tests
run the Python and cURL snippets against the local protocol server and check that they get the
same answer as the app's own call, with the same request body on the wire.
"""

from __future__ import annotations

import ast
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from huggingface_hub import InferenceClient
from huggingface_hub.inference._providers.hf_inference import _build_chat_completion_url

from playground.input.model_ref import is_endpoint_url
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode, client_call
from playground.input.response_format import EXAMPLE_SCHEMA_TEXT, ResponseFormat
from playground.saved.javascript import javascript_snippet
from playground.saved.snippets import ENDPOINT_TOKEN_VARIABLE, curl_snippet, http_request, python_snippet
from tests.conftest import TEST_TOKEN, forget_client_caches
from tests.protocol_server import ProtocolServer, RecordedRequest

ROOT = Path(__file__).resolve().parent.parent.parent
TRICKY = 'It\'s "quoted", costs $HOME & $(id) `uname` \\n-not-newline! 100% {x}\nsecond line\tcafé ✓ </script>'
PARAMS = GenerationParams(temperature=0.5, max_new_tokens=40, seed=42, top_k=10, repetition_penalty=1.1, stop=("dolor",))
CHAT_PARAMS = GenerationParams(temperature=0.8, max_new_tokens=40, seed=7, top_p=0.9, stop=("sit",))


def completion(model: str = "test/tiny-gpt", **changes: object) -> GenerationRequest:
    return GenerationRequest(**{"model": model, "prompt": TRICKY, "params": PARAMS, **changes})


def chat(model: str = "test/chat-model", **changes: object) -> GenerationRequest:
    fields: dict = {"mode": Mode.CHAT, "system_prompt": "Answer in 'one' line.\nNo $VARS.", "params": CHAT_PARAMS, **changes}
    return completion(model, **fields)


PURE_CASES = {
    "completion-auto": completion(),
    "completion-greedy-hf-inference": completion(provider="hf-inference", params=GenerationParams(temperature=0, seed=1)),
    "completion-together": completion(provider="together"),
    "completion-endpoint": completion("https://ep.example.com/path?x=1&y=2"),
    "chat-auto": chat(),
    "chat-hf-inference": chat(provider="hf-inference"),
    "chat-together": chat(provider="together"),
    "chat-endpoint": chat("http://localhost:8080/v1"),
    "chat-random-seed": chat(params=GenerationParams()),
}
SNIPPETS: dict[str, Callable[[GenerationRequest], str]] = {
    "python": python_snippet,
    "curl": curl_snippet,
    "javascript": javascript_snippet,
}


# ---- the text of the snippets ---------------------------------------------------------------


@pytest.mark.parametrize("kind", SNIPPETS)
@pytest.mark.parametrize("case", PURE_CASES)
def test_no_snippet_ever_contains_the_token(monkeypatch: pytest.MonkeyPatch, kind: str, case: str) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_SecretThatMustNotLeak")
    text = SNIPPETS[kind](PURE_CASES[case])
    assert "hf_SecretThatMustNotLeak" not in text
    placeholder = {"python": 'os.environ["HF_TOKEN"]', "curl": "Bearer $HF_TOKEN", "javascript": "process.env.HF_TOKEN"}[kind]
    assert placeholder in text


@pytest.mark.parametrize("case", PURE_CASES)
def test_the_python_snippet_makes_exactly_the_apps_call(case: str) -> None:
    request = PURE_CASES[case]
    tree = ast.parse(python_snippet(request))
    calls = {_call_name(node): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    client = calls["InferenceClient"]
    assert _literal_keywords(client, skip={"api_key"}) == {"model": request.model, "provider": request.provider}
    assert ast.unparse(_keyword(client, "api_key")) == "os.environ['HF_TOKEN']"
    call = client_call(request)
    assert _literal_keywords(calls[f"client.{call.method}"]) == {**call.kwargs, "stream": True}


@pytest.mark.parametrize("case", PURE_CASES)
def test_the_curl_snippet_posts_the_body_huggingface_hub_would(case: str) -> None:
    request = PURE_CASES[case]
    command = curl_snippet(request)
    words = shlex.split(command, comments=True)
    url, body, _ = http_request(request)
    assert words[:3] == ["curl", "-N", url]
    assert words[words.index("-X") + 1] == "POST"
    headers = [words[i + 1] for i, word in enumerate(words) if word == "-H"]
    if is_endpoint_url(request.model):  # a server that needs no token gets no header (issue 17)
        assert headers == ["Content-Type: application/json"]
        assert '${HF_TOKEN:+-H "Authorization: Bearer $HF_TOKEN"}' in command
    else:
        assert headers == ["Authorization: Bearer $HF_TOKEN", "Content-Type: application/json"]
    sent = json.loads(words[words.index("-d") + 1])
    assert sent == body and sent["stream"] is True
    assert (sent.get("inputs") or sent.get("prompt") or sent["messages"][-1]["content"]) == TRICKY


@pytest.mark.parametrize("case", PURE_CASES)
def test_the_javascript_snippet_is_valid_and_carries_the_exact_text(case: str, tmp_path: Path) -> None:
    request = PURE_CASES[case]
    text = javascript_snippet(request)
    assert json.dumps(TRICKY, indent=4) in text
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    path = tmp_path / "snippet.mjs"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([node, "--check", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "url", ["http://h:1", "http://h:1/", "http://h/v1", "http://h/v1/", "http://h/v1/chat/completions", "http://h/x/?q=1"]
)
def test_chat_with_an_endpoint_url_uses_the_clients_own_path_rule(url: str) -> None:
    endpoint, body, _ = http_request(chat(url))
    assert endpoint == _build_chat_completion_url(url)
    assert body["model"] == "dummy"  # what huggingface_hub sends in place of a URL


def test_the_routes_follow_provider_and_mode() -> None:
    router = "http://router.test"
    assert http_request(completion(), router)[0] == f"{router}/hf-inference/models/test/tiny-gpt"
    assert http_request(completion(provider="hf-inference"), router)[0] == f"{router}/hf-inference/models/test/tiny-gpt"
    assert http_request(chat(), router)[0] == f"{router}/v1/chat/completions"
    assert http_request(chat(provider="hf-inference"), router)[0] == f"{router}/hf-inference/models/test/chat-model/v1/chat/completions"
    assert http_request(completion("https://ep.example.com/path?x=1&y=2"), router)[0] == "https://ep.example.com/path?x=1&y=2"


def test_other_providers_say_in_a_comment_how_the_command_differs() -> None:
    chat_text = curl_snippet(chat(provider="together"))
    assert "# model test/chat-model:together asks the router for provider together" in chat_text
    assert http_request(chat(provider="together"))[1]["model"] == "test/chat-model:together"
    completion_text = curl_snippet(completion(provider="together"))
    assert "The Python snippet makes the exact call." in completion_text
    assert "/together/v1/completions" in completion_text


def test_a_random_seed_is_left_out_as_the_client_would() -> None:
    assert "seed" not in http_request(chat(params=GenerationParams()))[1]


# ---- running the snippets against the local server ------------------------------------------


CONVERSATION = (("First, " + TRICKY, "An answer with 'quotes' & $VARS"), ("Second?", "Yes."))


def _execution_cases(url: str) -> dict[str, GenerationRequest]:
    schema = {"response_format": ResponseFormat.JSON_SCHEMA, "json_schema": EXAMPLE_SCHEMA_TEXT}
    return {
        "chat-conversation": chat(turns=CONVERSATION),
        "chat-json-schema-hf-inference": chat(provider="hf-inference", turns=CONVERSATION, **schema),
        "chat-json-schema-endpoint": chat(f"{url}/tgi/local-model", **schema),
        "chat-json-auto": chat(response_format=ResponseFormat.JSON),
        "completion-auto": completion(),
        "completion-greedy-hf-inference": completion(
            provider="hf-inference", params=GenerationParams(temperature=0, seed=3, max_new_tokens=30)
        ),
        "completion-endpoint": completion(f"{url}/tgi/local-model"),
        "chat-auto": chat(),
        "chat-hf-inference": chat(provider="hf-inference"),
        "chat-endpoint": chat(f"{url}/tgi/local-model"),
        "chat-together": chat(provider="together"),
    }


EXECUTION_CASES = list(_execution_cases("http://placeholder"))


@pytest.mark.parametrize("case", EXECUTION_CASES)
def test_the_python_snippet_gets_the_same_answer_as_the_app(server: ProtocolServer, tmp_path: Path, case: str) -> None:
    request = _execution_cases(server.url)[case]
    expected, app_post = _app_answer(server, request)
    output = _run_python(python_snippet(request), server, tmp_path)
    assert output == expected + "\n"
    (post,) = server.posts()
    assert (post.path, post.query, post.body) == (app_post.path, app_post.query, app_post.body)
    assert post.headers["authorization"] == f"Bearer {TEST_TOKEN}"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed (Debian package: curl)")
@pytest.mark.parametrize("case", EXECUTION_CASES)
def test_the_curl_snippet_gets_the_same_answer_as_the_app(server: ProtocolServer, case: str) -> None:
    request = _execution_cases(server.url)[case]
    expected, app_post = _app_answer(server, request)
    raw = _run_curl(curl_snippet(request, router_url=server.url))
    assert _sse_text(raw, chat=request.mode is Mode.CHAT) == expected
    (post,) = server.posts()
    assert post.headers["authorization"] == f"Bearer {TEST_TOKEN}"
    assert post.body == http_request(request, server.url)[1]
    if request.provider in ("auto", "hf-inference") or post.path.startswith("/tgi/"):
        assert (post.path, post.query, post.body) == (app_post.path, app_post.query, app_post.body)
    else:  # another provider: the router's "model:provider" form, see snippets._chat_request
        assert post.path == "/v1/chat/completions" and post.body["model"] == f"{request.model}:{request.provider}"
        assert {**post.body, "model": app_post.body["model"]} == app_post.body


def _app_answer(server: ProtocolServer, request: GenerationRequest) -> tuple[str, RecordedRequest]:
    """The text the app's own call gets (the backend's call: `client_call` with stream=True), and
    what it sent. Leaves the server's record empty for the snippet that runs next."""
    call = client_call(request)
    client = InferenceClient(model=request.model, provider=request.provider, token=TEST_TOKEN)
    stream = getattr(client, call.method)(**call.kwargs, stream=True)
    if call.method == "chat_completion":
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    else:
        text = "".join(output.token.text for output in stream)  # details=True: stream outputs, not str
    (post,) = server.posts()
    server.reset()
    forget_client_caches()
    assert text, "the app got no answer: the comparison would prove nothing"
    return text, post


def _run_python(code: str, server: ProtocolServer, tmp_path: Path) -> str:
    # sitecustomize runs before the snippet: it sends router traffic to the local server, as the
    # app's HF_ROUTER_URL does, without changing a line of the snippet.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(f"from playground.hf.router import install_router\n\ninstall_router({server.url!r})\n")
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]),
        "PYTHONIOENCODING": "utf-8",
        "HF_ENDPOINT": server.url,
        "HF_TOKEN": TEST_TOKEN,
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    env.pop("HF_HUB_OFFLINE", None)
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, encoding="utf-8", timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _run_curl(command: str) -> str:
    env = {**os.environ, "HF_TOKEN": TEST_TOKEN}
    result = subprocess.run(["bash", "-c", command], env=env, capture_output=True, encoding="utf-8", timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _sse_text(raw: str, chat: bool) -> str:
    """The text of a TGI or OpenAI event stream, read as huggingface_hub reads it."""
    parts = []
    for line in raw.splitlines():
        if not line.startswith("data:"):
            continue
        payload = line[len("data:") :].strip()
        if payload == "[DONE]":
            break
        event = json.loads(payload)
        if chat and not event["choices"]:  # the usage chunk that stream_options asks for
            continue
        parts.append((event["choices"][0]["delta"].get("content") or "") if chat else event["token"]["text"])
    return "".join(parts)


def _call_name(node: ast.Call) -> str:
    return ast.unparse(node.func)


def _keyword(call: ast.Call, name: str) -> ast.expr:
    return next(keyword.value for keyword in call.keywords if keyword.arg == name)


def _literal_keywords(call: ast.Call, skip: set[str] = frozenset()) -> dict[str, object]:
    return {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords if keyword.arg not in skip}


def test_an_endpoint_snippet_run_without_an_endpoint_token_answers_and_never_sends_hf_token(
        server: ProtocolServer, tmp_path: Path) -> None:
    """A local server that needs no key: the snippet runs (no KeyError), and the HF_TOKEN in the
    caller's environment stays home (huggingface_hub would send it for a missing key)."""
    request = completion(f"{server.url}/tgi/local-model")
    output = _run_python(python_snippet(request, token_variable=ENDPOINT_TOKEN_VARIABLE), server, tmp_path)
    assert output.strip()
    (post,) = server.posts()
    assert TEST_TOKEN not in post.headers.get("authorization", "")
