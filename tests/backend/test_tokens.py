"""Tokens stay with their owner, and endpoint URLs stay on public hosts (issue 7, parts B.4 and B.5).

Every request goes to the local protocol server, which records its headers; canary tokens sit
wherever huggingface_hub looks for a token by itself.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from components.messages import error_html, error_text
from playground import errors as e
from playground.config import Settings, load_settings
from playground.hf.hub import suggest_mode
from playground.hf.lookup_cache import TokenScopedCache
from playground.hf.outbound import run_scope
from playground.hf.tokens import pick_token, token_for_model
from playground.inference.backend import Backend
from playground.inference.events import Done
from playground.inference.retry import RetryPolicy
from playground.input.model_ref import check_endpoint_allowed
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from playground.local import LOCAL_MODEL_NAME
from playground.patches.implicit_tokens import isolate_tokens
from tests.conftest import CANARIES, SPACE_ENVIRONMENT, FakeClock, forget_client_caches
from tests.protocol_server import ProtocolServer, RecordedRequest, Reply

VISITOR = "hf_visitorsOwnToken"
PARAMS = GenerationParams(temperature=0.5, max_new_tokens=4, seed=1)


@dataclass(frozen=True)
class Target:
    model: str  # "{url}" is the protocol server's base
    provider: str
    mode: Mode
    fails_with: type[e.PlaygroundError] | None = None


TARGETS = [
    Target("test/tiny-gpt", "hf-inference", Mode.COMPLETION),
    Target("test/tiny-gpt", "auto", Mode.COMPLETION),
    Target("test/chat-model", "hf-inference", Mode.CHAT),
    Target("test/chat-model", "auto", Mode.CHAT),
    Target("{url}/tgi/endpoint", "auto", Mode.COMPLETION),
    Target("{url}/tgi/endpoint", "auto", Mode.CHAT),
    Target(LOCAL_MODEL_NAME, "auto", Mode.COMPLETION),
    Target("test/gated-model", "hf-inference", Mode.COMPLETION, fails_with=e.GatedModelError),
    Target("test/no-such-model", "auto", Mode.COMPLETION, fails_with=e.ModelNotFoundError),
]


def settings_for(place: str, server: ProtocolServer) -> Settings:
    """Settings as start-up reads them, with the server's HF_TOKEN set to a canary."""
    environ = {"HF_TOKEN": CANARIES[0], "HF_ENDPOINT": server.url, "HF_ROUTER_URL": server.url}
    return load_settings({**environ, **(SPACE_ENVIRONMENT if place == "space" else {})})


def backend_for(server: ProtocolServer, settings: Settings) -> Backend:
    # The built-in model is served by the protocol server here, so its requests are recorded too.
    local = f"{server.url}/tgi/local"
    return Backend(policy=RetryPolicy(deadline=5), clock=FakeClock(), on_space=settings.on_space,
                   resolve_url=lambda model: local if model == LOCAL_MODEL_NAME else None)


def run_as_the_app_does(server: ProtocolServer, settings: Settings, target: Target, visitor: str | None) -> tuple[str | None, list]:
    """Picks the token as the Generate handler does, runs, and returns (that token, events or the error)."""
    model = target.model.format(url=server.url)
    token = token_for_model(pick_token(visitor, None, settings), model, settings)
    request = GenerationRequest(model=model, provider=target.provider, mode=target.mode, prompt="Hi", params=PARAMS)
    try:
        return token, list(backend_for(server, settings).run(request, token))
    except e.PlaygroundError as error:
        return token, [error]


def foreign_tokens(requests: list[RecordedRequest], allowed: str | None) -> list[str]:
    """Every header value carrying a token other than `allowed` (canaries anywhere, any other bearer)."""
    found = []
    for request in requests:
        for name, value in request.headers.items():
            if any(canary in value and canary != allowed for canary in CANARIES):
                found.append(f"{request.method} {request.path} {name}")
        auth = request.headers.get("authorization")
        if auth is not None and auth != f"Bearer {allowed}":
            found.append(f"{request.method} {request.path} authorization")
    return found


@pytest.mark.parametrize("isolated", [True, False], ids=["start-up", "guard-alone"])
@pytest.mark.parametrize("place", ["local", "space"])
def test_no_request_carries_a_token_but_the_one_picked_for_the_visitor(
    server: ProtocolServer, canary_tokens: tuple[str, ...], place: str, isolated: bool
) -> None:
    """Guards the owner's token leaking (issue 7, B.4): huggingface_hub's implicit token (HF_TOKEN,
    HF_HOME/token, HUGGING_FACE_HUB_TOKEN) went to visitors' endpoints and rode on the Hub lookups
    inside InferenceClient. "start-up" runs isolate_tokens as main() does; "guard-alone" leaves the
    canaries in place, so the request guard alone must hold the line."""
    settings = settings_for(place, server)
    if isolated:
        isolate_tokens()
    lookups_signed = 0
    for target, visitor in itertools.product(TARGETS, [None, VISITOR]):
        server.reset()
        forget_client_caches()
        token, outcome = run_as_the_app_does(server, settings, target, visitor)
        case = f"{place} {target} visitor={visitor}"
        assert foreign_tokens(server.requests, token) == [], case
        if token is None and place == "space" and target.model.startswith("test/"):
            assert isinstance(outcome[0], e.MissingTokenError) and not server.requests, case
            continue
        assert isinstance(outcome[-1], target.fails_with or Done), f"{case}: {outcome[-1]!r}"
        lookups = [r for r in server.requests if r.path.startswith("/api/models/")]
        lookups_signed += sum(r.headers.get("authorization") == f"Bearer {token}" for r in lookups)
    assert lookups_signed >= 4  # the Hub lookups ran, and carried the visitor's own token


def test_the_servers_token_never_goes_to_an_endpoint_url_even_locally(server: ProtocolServer) -> None:
    """Guards issue 7, B.4: locally, the server's HF_TOKEN went to a visitor-chosen endpoint."""
    settings = Settings(hf_token="hf_server")
    assert token_for_model(pick_token(None, None, settings), f"{server.url}/tgi/x", settings) is None
    assert token_for_model(pick_token(None, None, settings), "org/model", settings) == "hf_server"
    # Issue 22.1: a visitor's own token goes to Hugging Face hosts only, and this one is not.
    assert token_for_model(pick_token("hf_mine", None, settings), f"{server.url}/tgi/x", settings) is None


def test_the_hub_lookup_for_the_mode_carries_only_the_visitors_token(server: ProtocolServer, canary_tokens: tuple[str, ...]) -> None:
    """playground.hf.hub asks the Hub with token=False when the visitor has none: never an implicit one."""
    assert suggest_mode("test/chat-model", None) == Mode.CHAT
    assert suggest_mode("test/chat-model", VISITOR) == Mode.CHAT
    first, second = [r.headers.get("authorization") for r in server.requests]
    assert (first, second) == (None, f"Bearer {VISITOR}")


def test_a_private_models_lookup_made_by_its_reader_does_not_serve_another_visitor(server: ProtocolServer) -> None:
    """Guards the process-wide lookup caches of huggingface_hub: a mapping fetched with visitor A's
    token served visitor B without B's token ever being checked by the Hub."""
    server.add_model("test/private-model", readers=frozenset({"hf_reader"}))
    request = GenerationRequest(model="test/private-model", provider="auto", prompt="Hi", params=PARAMS)
    backend = Backend(policy=RetryPolicy(deadline=5), clock=FakeClock())
    assert isinstance(list(backend.run(request, "hf_reader"))[-1], Done)
    with pytest.raises(e.ModelNotFoundError):
        list(backend.run(request, "hf_someone_else"))
    asked = [r.headers.get("authorization") for r in server.requests if r.path == "/api/models/test/private-model"]
    assert "Bearer hf_someone_else" in asked
    assert not any(r.headers.get("authorization") == "Bearer hf_someone_else" for r in server.posts())


def test_lookup_caches_are_per_token_bounded_and_age() -> None:
    """huggingface_hub's own caches grow with every model asked for; these keep at most maxsize."""
    calls: list[str] = []
    clock = FakeClock()
    cache = TokenScopedCache(lambda model: calls.append(model) or model.upper(), maxsize=3, ttl=60, clock=clock.now)
    for model in ["a/1", "a/2", "a/3", "a/4", "a/5", "a/5"]:
        assert cache(model) == model.upper()
    assert len(cache) == 3 and calls == ["a/1", "a/2", "a/3", "a/4", "a/5"]
    with run_scope("hf_other"):
        cache("a/5")
    assert calls[-1] == "a/5" and len(calls) == 6  # another token: asked again
    clock.time += 61
    cache("a/4")
    assert len(calls) == 7  # too old: asked again


PRIVATE_URLS = [
    "http://100.64.0.1/", "http://100.127.255.254:8080/v1", "http://192.0.2.10/", "http://198.18.0.1/",
    "http://0.0.0.0:80/", "http://240.0.0.1/", "http://224.0.0.1/", "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:169.254.169.254]/latest", "http://[fd00::1]/", "http://[64:ff9b::a00:1]/", "http://0x0a000001/",
    "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_on_a_space_every_special_purpose_address_is_refused_before_any_connection(url: str, no_foreign_connections: list) -> None:
    """Guards issue 7, B.5: 100.64.0.0/10 and other non-global ranges passed as public."""
    with pytest.raises(e.InvalidModelError, match="private or local"):
        check_endpoint_allowed(url, frozenset())
    assert no_foreign_connections == []


def test_a_redirect_from_an_allow_listed_endpoint_is_not_followed(server: ProtocolServer, no_foreign_connections: list) -> None:
    """Guards issue 7, B.5: an allow-listed endpoint answering 302 to a private address was followed,
    and the internal server's body was shown."""
    server.script("tgi/redirector", Reply(status=302, headers={"location": "http://10.0.0.1/latest/meta-data"}))
    url = f"{server.url}/tgi/redirector"
    check_endpoint_allowed(url, frozenset({"127.0.0.1"}))
    request = GenerationRequest(model=url, prompt="Hi", params=PARAMS)
    with pytest.raises(e.EndpointRedirectError) as caught:
        list(Backend(policy=RetryPolicy(deadline=5), clock=FakeClock()).run(request, VISITOR))
    assert no_foreign_connections == [] and len(server.posts()) == 1  # besides the protocol lookup's GET /info
    assert "redirect" in error_text(caught.value) and "10.0.0.1" in caught.value.detail


def test_a_foreign_servers_body_is_shown_only_as_a_short_escaped_excerpt(server: ProtocolServer) -> None:
    """Guards issue 7, B.5: an endpoint's whole body reached the page, markup included."""
    body = "<img src=x onerror=alert(1)>" + "internal-secret " * 400
    server.script("tgi/chatty", Reply(status=500, body=body))
    request = GenerationRequest(model=f"{server.url}/tgi/chatty", prompt="Hi", params=PARAMS)
    with pytest.raises(e.ServerError) as caught:
        list(Backend(policy=RetryPolicy(deadline=5), clock=FakeClock()).run(request, None))
    assert len(caught.value.detail) <= 200
    for shown in (error_text(caught.value), error_html(caught.value)):
        assert "<img" not in shown and shown.count("internal-secret") < 15
