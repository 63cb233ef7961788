"""A share link names a host: a visitor's Hugging Face token never goes there (issue 22, part 1).

The "stranger" is a second protocol server on loopback, standing in for a host chosen by a link's
author. The Space allow-lists 127.0.0.1, as an operator might, so the address check lets it through:
only the token rule stands between the visitor's token and the stranger.
"""

from __future__ import annotations

import pytest
from gradio_client import Client

from playground.config import Settings
from playground.hf.tokens import is_hugging_face_url, token_for_model
from playground.inference.backend import Backend
from tests.api_forms import COMPARE, FORM, SWEEP
from tests.gradio_updates import last_values
from tests.protocol_server import ProtocolServer

VISITOR = "hf_visitorSignedIn"


@pytest.fixture(scope="module")
def stranger() -> ProtocolServer:
    host = ProtocolServer().start()
    yield host
    host.stop()


@pytest.fixture
def stranger_url(stranger: ProtocolServer) -> str:
    stranger.reset()
    return f"{stranger.url}/tgi/link-author"


def tokens_received(host: ProtocolServer) -> set[str | None]:
    posts = host.posts()
    assert posts, "the stranger's host was never called: the test proves nothing"
    return {post.headers.get("authorization") for post in posts}


@pytest.mark.parametrize("url", [
    "https://router.huggingface.co/v1", "https://huggingface.co/api", "https://abc.us-east-1.aws.endpoints.huggingface.cloud",
    "https://someone-app.hf.space/v1",
])
def test_hugging_face_hosts_get_the_visitors_token(url: str) -> None:
    assert token_for_model(VISITOR, url, Settings()) == VISITOR


@pytest.mark.parametrize("url", [
    "http://evil.example/v1", "https://huggingface.co.evil.example/", "https://evil-hf.space/", "http://someone-app.hf.space/",
    "https://someone-app.hf.space@evil.example/", "https://evil.example\\@x.hf.space/", "https://endpoints.huggingface.cloud.evil.example/",
])
def test_any_other_host_gets_no_token(url: str) -> None:
    assert not is_hugging_face_url(url, Settings())
    assert token_for_model(VISITOR, url, Settings()) is None


def test_the_configured_router_and_hub_count_as_hugging_face() -> None:
    settings = Settings(router_url="http://127.0.0.1:9000", hub_endpoint="http://127.0.0.1:9001")
    assert token_for_model(VISITOR, "http://127.0.0.1:9000/models/x", settings) == VISITOR
    assert token_for_model(VISITOR, "http://127.0.0.1:9002/x", settings) is None


def test_a_link_to_a_strangers_host_says_so_and_generate_sends_it_no_token(space_app, server: ProtocolServer, stranger: ProtocolServer,
                                                                           stranger_url: str) -> None:
    """Guards issue 22.1: `/?model=http://<any host>/…` sent a signed-in visitor's token to that host."""
    app_url, _ = space_app
    client = Client(app_url, verbose=False)
    job = client.submit(**{**FORM, "model": stranger_url, "session_token": VISITOR}, api_name="/generate")
    job.result(timeout=60)
    assert tokens_received(stranger) == {None}


def test_compare_and_sweep_send_a_strangers_host_no_token(space_app, server: ProtocolServer, stranger: ProtocolServer, stranger_url: str) -> None:
    app_url, _ = space_app
    client = Client(app_url, verbose=False)
    values = last_values(_finished(client.submit(**{**COMPARE, "model_a": "test/tiny-gpt", "model_b": stranger_url, "session_token": VISITOR},
                                                 api_name="/compare")))
    assert tokens_received(stranger) == {None}
    assert {post.headers.get("authorization") for post in server.posts("test/tiny-gpt")} == {f"Bearer {VISITOR}"}
    assert VISITOR not in " ".join(map(str, values))
    stranger.reset()
    _finished(client.submit(**{**SWEEP, "models": [stranger_url], "session_token": VISITOR}, api_name="/sweep"))
    assert tokens_received(stranger) == {None}


def test_check_models_sends_a_strangers_host_no_token(server: ProtocolServer, stranger: ProtocolServer, stranger_url: str) -> None:
    from components.context import RunContext
    from components.preflight_panel import new_check

    settings = Settings(on_space=True, endpoint_allowlist=frozenset({"127.0.0.1"}), suggested_models=[])
    check = new_check(RunContext(Backend(), settings), session_token=VISITOR, oauth_token=None, extra=[stranger_url])
    check.start()
    while not check.finished():
        check.wait_for_change(5.0)
    assert tokens_received(stranger) == {None}


def test_opening_a_link_to_a_strangers_host_shows_a_note(space_app, stranger_url: str) -> None:
    from types import SimpleNamespace

    from components.code_panel import foreign_host_note

    _, settings = space_app
    ctx = SimpleNamespace(settings=settings)
    note = foreign_host_note(ctx, "https://evil.example/v1")
    assert "This link points at evil.example" in note and "never sent there" in note
    assert foreign_host_note(ctx, "test/tiny-gpt") == ""
    assert foreign_host_note(ctx, "https://x.endpoints.huggingface.cloud") == ""


def _finished(job):
    job.result(timeout=120)
    return job.outputs()
