"""The protocol server, as the real huggingface_hub InferenceClient (and plain HTTP) sees it: the Hub's
model-info route, the router's and a direct TGI endpoint's routes, scripted failures, streams a client
leaves (`cancelled_streams`), `reset()`, and running the module in the foreground.

If these pass, a backend test that fails against the server fails because of the backend, not
because the fixture speaks a protocol the client does not.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2
import huggingface_hub
import pytest
from huggingface_hub import InferenceClient, constants
from huggingface_hub.errors import (
    GenerationError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    ValidationError,
)
from huggingface_hub.inference import _common as inference_common
from huggingface_hub.inference._providers import _common as providers_common
from huggingface_hub.inference._providers import hf_inference
from huggingface_hub.utils import _http as hf_http
from huggingface_hub.utils._http import hf_request_event_hook

from tests.conftest import wait_for
from tests.protocol_answers import generate
from tests.protocol_server import GATED_MESSAGE, ProtocolServer, Reply

TOKEN = "hf_test_token"  # the router's auto chat route needs a token starting with hf_
HELLO = [{"role": "user", "content": "hello there"}]


class _RouterToLocal(httpx2.HTTPTransport):
    """Sends router.huggingface.co traffic to the local server (until playground.hf.router exists)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base = httpx2.URL(base_url)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.host == "router.huggingface.co":
            request.url = request.url.copy_with(scheme=self._base.scheme, host=self._base.host, port=self._base.port)
            request.headers["host"] = self._base.netloc.decode()
        return super().handle_request(request)


def _install_router(base_url: str) -> None:
    def factory() -> httpx2.Client:
        return httpx2.Client(
            event_hooks={"request": [hf_request_event_hook]},
            follow_redirects=True,
            timeout=None,
            transport=_RouterToLocal(base_url),
        )

    huggingface_hub.set_client_factory(factory)


@pytest.fixture(scope="module")
def server() -> Iterator[ProtocolServer]:
    previous_factory = hf_http._GLOBAL_CLIENT_FACTORY  # put back whatever conftest installed
    running = ProtocolServer().start()
    _install_router(running.url)
    yield running
    huggingface_hub.set_client_factory(previous_factory)
    running.stop()


@pytest.fixture(autouse=True)
def fresh_state(server: ProtocolServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with a clean server and a client that has cached nothing about models."""
    monkeypatch.setattr(constants, "ENDPOINT", server.url)
    server.reset()
    providers_common._fetch_inference_provider_mapping.cache_clear()
    hf_inference._check_supported_task.cache_clear()
    inference_common._UNSUPPORTED_TEXT_GENERATION_KWARGS.clear()


def _model_calls(server: ProtocolServer) -> list[tuple[str, str, str]]:
    """The requests about a model, ignoring the client's once-per-process telemetry GET."""
    return [(r.method, r.path, r.query) for r in server.requests if r.model is not None]


def test_text_generation_streams_the_echo_token_by_token_after_the_mapping_lookup(server: ProtocolServer) -> None:
    client = InferenceClient(token=TOKEN)
    tokens = list(
        client.text_generation(
            "hello world", model="test/tiny-gpt", stream=True, max_new_tokens=6, seed=3, temperature=0.5
        )
    )

    assert tokens == ["Echo ", "seed=3 ", "temp=0.5: ", "hello ", "world ", "lorem "]
    assert _model_calls(server) == [
        ("GET", "/api/models/test/tiny-gpt", "expand=inferenceProviderMapping"),
        ("GET", "/api/models/test/tiny-gpt", ""),
        ("POST", "/hf-inference/models/test/tiny-gpt", ""),
    ]
    [post] = server.posts("test/tiny-gpt")
    assert post.body == {
        "inputs": "hello world",
        "parameters": {"max_new_tokens": 6, "seed": 3, "temperature": 0.5},
        "stream": True,
    }
    assert post.headers["authorization"] == f"Bearer {TOKEN}"


def test_text_generation_stops_before_the_stop_sequence_and_says_why(server: ProtocolServer) -> None:
    client = InferenceClient(token=TOKEN)
    output = client.text_generation(
        "a b", model="test/tiny-gpt", details=True, max_new_tokens=8, seed=1, stop=["ipsum"]
    )

    assert output.generated_text == "Echo seed=1 temp=None: a b lorem "
    assert output.generated_text == generate("a b", seed=1, max_tokens=8, stop=["ipsum"]).text
    assert output.details.finish_reason == "stop_sequence"
    assert output.details.generated_tokens == 6


def test_chat_with_provider_auto_posts_to_the_router_root_without_hub_calls(server: ProtocolServer) -> None:
    client = InferenceClient(token=TOKEN)
    output = client.chat_completion(HELLO, model="test/chat-model", max_tokens=7, seed=2, temperature=0.1)

    assert output.choices[0].message.content == generate("hello there", seed=2, temperature=0.1, max_tokens=7).text
    assert output.choices[0].finish_reason == "length"
    assert output.usage.completion_tokens == 7
    assert _model_calls(server) == [("POST", "/v1/chat/completions", "")]
    assert server.posts("test/chat-model")[0].body["model"] == "test/chat-model"


def test_chat_with_hf_inference_provider_streams_deltas_then_done(server: ProtocolServer) -> None:
    client = InferenceClient(provider="hf-inference", token=TOKEN)  # kept alive: it owns the stream
    chunks = list(client.chat_completion(HELLO, model="test/chat-model", stream=True, max_tokens=5))

    assert "".join(c.choices[0].delta.content for c in chunks) == generate("hello there", max_tokens=5).text
    assert [c.choices[0].finish_reason for c in chunks] == [None] * 4 + ["length"]
    assert server.posts()[0].path == "/hf-inference/models/test/chat-model/v1/chat/completions"


def test_chat_with_a_named_provider_goes_to_that_providers_route(server: ProtocolServer) -> None:
    client = InferenceClient(provider="together", token=TOKEN)
    client.chat_completion(HELLO, model="test/chat-model", max_tokens=3)

    assert [r.path for r in server.posts()] == ["/together/v1/chat/completions"]


def test_a_loading_model_answers_503_once_then_generates(server: ProtocolServer) -> None:
    loading = {"error": "Model test/tiny-gpt is currently loading", "estimated_time": 0.2}
    server.script("test/tiny-gpt", Reply(status=503, body=loading))
    client = InferenceClient(token=TOKEN)

    with pytest.raises(HfHubHTTPError) as raised:
        client.text_generation("hi", model="test/tiny-gpt")
    assert raised.value.response.status_code == 503
    assert raised.value.response.json()["estimated_time"] == 0.2
    assert client.text_generation("hi", model="test/tiny-gpt", max_new_tokens=3) == "Echo seed=None temp=None: "


def test_rate_limit_keeps_retry_after_visible_on_the_error(server: ProtocolServer) -> None:
    server.script(
        "test/chat-model", Reply(status=429, body={"error": "Rate limit reached."}, headers={"Retry-After": "1"})
    )

    with pytest.raises(HfHubHTTPError) as raised:
        InferenceClient(token=TOKEN).chat_completion(HELLO, model="test/chat-model")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["retry-after"] == "1"


def test_a_bad_token_is_refused_with_401(server: ProtocolServer) -> None:
    with pytest.raises(HfHubHTTPError) as raised:
        InferenceClient(token="hf_bad_token").chat_completion(HELLO, model="test/chat-model")
    assert raised.value.response.status_code == 401
    assert "Invalid credentials in Authorization header" in str(raised.value)


def test_a_gated_model_is_refused_with_403_and_the_hubs_message(server: ProtocolServer) -> None:
    with pytest.raises(HfHubHTTPError) as raised:
        InferenceClient(token=TOKEN).text_generation("hi", model="test/gated-model")
    assert raised.value.response.status_code == 403
    assert GATED_MESSAGE.format(model="test/gated-model") in str(raised.value)


def test_an_unknown_model_is_not_found_on_the_hub_and_on_the_router(server: ProtocolServer) -> None:
    client = InferenceClient(token=TOKEN)
    with pytest.raises(RepositoryNotFoundError):
        client.text_generation("hi", model="nobody/nothing")
    with pytest.raises(HfHubHTTPError) as raised:
        client.chat_completion(HELLO, model="nobody/nothing")
    assert raised.value.response.status_code == 404
    assert "Model nobody/nothing does not exist" in str(raised.value)


def test_a_422_with_error_type_becomes_a_validation_error(server: ProtocolServer) -> None:
    body = {"error": "Input validation error: `max_new_tokens` must be strictly positive", "error_type": "validation"}
    server.script("test/tiny-gpt", Reply(status=422, body=body))

    with pytest.raises(ValidationError, match="must be strictly positive"):
        InferenceClient(token=TOKEN).text_generation("hi", model="test/tiny-gpt")


def test_an_error_inside_a_stream_raises_after_the_tokens_before_it(server: ProtocolServer) -> None:
    server.script("test/tiny-gpt", Reply(stream_error=(2, "boom", "generation")))
    server.script("test/chat-model", Reply(stream_error=(2, "boom", "generation")))
    client = InferenceClient(token=TOKEN)

    received = []
    with pytest.raises(GenerationError, match="boom"):
        received.extend(client.text_generation("hi", model="test/tiny-gpt", stream=True))
    assert received == ["Echo ", "seed=None "]
    with pytest.raises(GenerationError, match="boom"):
        list(client.chat_completion(HELLO, model="test/chat-model", stream=True))


def test_an_endpoint_url_is_posted_to_directly_without_hub_calls(server: ProtocolServer) -> None:
    client = InferenceClient(model=server.url + "/tgi/x", token=TOKEN)

    assert client.text_generation("yo", max_new_tokens=4) == "Echo seed=None temp=None: yo "
    assert client.chat_completion(HELLO, max_tokens=3).choices[0].message.content == "Echo seed=None temp=None: "
    assert _model_calls(server) == [("POST", "/tgi/x", ""), ("POST", "/tgi/x/v1/chat/completions", "")]
    assert httpx2.get(server.url + "/tgi/x/info").json()["model_id"] == "tgi/x"


def _whole_stream(client: InferenceClient) -> None:
    tokens = list(client.text_generation("hi", model="test/tiny-gpt", stream=True, max_new_tokens=10))
    assert len(tokens) == 10


def test_slow_streams_are_served_side_by_side(server: ProtocolServer) -> None:
    """Side by side, not one after another: the server sends several streams at the same moment."""
    server.token_delay = 0.05
    client = InferenceClient(token=TOKEN)
    _whole_stream(client)  # warms the client's provider cache
    server.peak_open_streams = 0
    threads = [threading.Thread(target=_whole_stream, args=(client,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.peak_open_streams >= 2


def test_a_client_that_leaves_mid_stream_cancels_it(server: ProtocolServer) -> None:
    url = server.url + "/hf-inference/models/test/tiny-gpt"
    body = {"inputs": "hi", "parameters": {"max_new_tokens": 50}, "stream": True}
    server.token_delay = 0.05
    with httpx2.Client(timeout=5) as http, http.stream("POST", url, json=body) as response:
        next(response.iter_lines())  # one token, then hang up: 49 are still to come

    assert wait_for(lambda: server.cancelled_streams == 1, seconds=5)


def test_scripted_text_bodies_and_unknown_routes_answer_plain_text(server: ProtocolServer) -> None:
    server.script("test/tiny-gpt", Reply(status=503, body="Service Temporarily Unavailable"))
    scripted = httpx2.post(server.url + "/hf-inference/models/test/tiny-gpt", json={"inputs": "hi"})
    unknown = httpx2.get(server.url + "/no/such/route")

    assert (scripted.status_code, scripted.text) == (503, "Service Temporarily Unavailable")
    assert scripted.headers["content-type"].startswith("text/plain")
    assert (unknown.status_code, unknown.headers["content-type"].split(";")[0]) == (404, "text/plain")


def test_reset_forgets_scripts_added_models_and_requests(server: ProtocolServer) -> None:
    server.add_model("test/extra")
    server.script("test/tiny-gpt", Reply(status=500))
    server.token_delay = 1.0
    server.reset()

    assert httpx2.get(server.url + "/api/models/test/extra").status_code == 404
    assert InferenceClient(token=TOKEN).text_generation("hi", model="test/tiny-gpt", max_new_tokens=1) == "Echo "
    assert server.token_delay == 0.0
    assert [r.path for r in server.posts()] == ["/hf-inference/models/test/tiny-gpt"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_running_the_module_serves_in_the_foreground() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.protocol_server", "--port", str(port)],
        cwd=Path(__file__).resolve().parent.parent.parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "protocol server on" in process.stdout.readline()
        info = httpx2.get(f"http://127.0.0.1:{port}/api/models/test/chat-model").json()
        assert list(info["inferenceProviderMapping"]) == ["hf-inference", "together"]
    finally:
        process.terminate()
        process.wait(timeout=10)
