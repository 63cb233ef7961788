"""A share link names a host: a visitor's Hugging Face token never goes there (issue 22, part 1).

The "stranger" is a second protocol server on loopback, standing in for a host chosen by a link's
author. The Space allow-lists 127.0.0.1, as an operator might, so the address check lets it through:
only the token rule stands between the visitor's token and the stranger.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from gradio_client import Client

from components.context import RunContext
from playground.config import Settings
from playground.hf.tokens import is_hugging_face_url, token_for_model
from playground.inference.backend import Backend
from tests.api_forms import COMPARE, FORM, SWEEP
from tests.gradio_updates import last_values
from tests.protocol_server import ProtocolServer

VISITOR = "hf_visitorSignedIn"
KEY = "sk-endpointKeyCanary-42"  # what a visitor types in "Endpoint token"


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


def test_check_models_sends_a_strangers_host_nothing_until_the_visitor_ran_it(server: ProtocolServer, stranger: ProtocolServer,
                                                                            stranger_url: str) -> None:
    """A link may have put the URL in "Model": "Check models" leaves it out (and says so) until the
    visitor pressed Generate with it; then it gets the Endpoint token, or no token at all."""
    from components.preflight_panel import LEFT_OUT, left_out_models, new_check, preflight_html

    settings = Settings(on_space=True, endpoint_allowlist=frozenset({"127.0.0.1"}), suggested_models=[])
    ctx = RunContext(Backend(), settings)
    left_out = checked(new_check(ctx, session_token=VISITOR, oauth_token=None, extra=[stranger_url], endpoint_token=KEY, ran=[]))
    assert left_out == [] and stranger.posts() == []
    assert left_out_models(settings, [stranger_url, "test/tiny-gpt"], []) == [stranger_url]
    assert LEFT_OUT in preflight_html([], [stranger_url]) and "No models to check" not in preflight_html([], [stranger_url])
    checked(new_check(ctx, session_token=VISITOR, oauth_token=None, extra=[stranger_url], ran=[stranger_url]))
    assert tokens_received(stranger) == {None}
    stranger.reset()
    checked(new_check(ctx, session_token=VISITOR, oauth_token=None, extra=[stranger_url], endpoint_token=KEY, ran=[stranger_url]))
    assert tokens_received(stranger) == {f"Bearer {KEY}"}


def test_opening_a_link_to_a_strangers_host_shows_a_note(space_app, stranger_url: str) -> None:
    from components.share_code import foreign_host_note

    _, settings = space_app
    ctx = SimpleNamespace(settings=settings)
    note = foreign_host_note(ctx, "https://evil.example/v1")
    assert "This link points at evil.example" in note and "never sent there" in note
    assert foreign_host_note(ctx, "test/tiny-gpt") == ""
    assert foreign_host_note(ctx, "https://x.endpoints.huggingface.cloud") == ""


# ---- the Endpoint token -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["Completion", "Chat"])
def test_generate_sends_a_strangers_host_exactly_the_endpoint_token(space_app, server: ProtocolServer, stranger: ProtocolServer,
                                                                     stranger_url: str, mode: str) -> None:
    app_url, _ = space_app
    client = Client(app_url, verbose=False)
    outputs = _finished(client.submit(**{**FORM, "model": stranger_url, "mode": mode, "session_token": VISITOR, "endpoint_token": KEY},
                                      api_name="/generate"))
    assert tokens_received(stranger) == {f"Bearer {KEY}"}
    _finished(client.submit(**{**FORM, "mode": mode, "session_token": VISITOR, "endpoint_token": KEY}, api_name="/generate"))
    assert {post.headers.get("authorization") for post in server.posts("test/tiny-gpt")} == {f"Bearer {VISITOR}"}
    assert not any(KEY in str(request.headers) for request in server.requests)  # the router and the Hub never see it
    assert KEY not in str(outputs)


def test_compare_and_sweep_send_a_strangers_host_exactly_the_endpoint_token(space_app, server: ProtocolServer, stranger: ProtocolServer,
                                                                             stranger_url: str) -> None:
    app_url, _ = space_app
    client = Client(app_url, verbose=False)
    tokens = {"session_token": VISITOR, "endpoint_token": KEY}
    compared = _finished(client.submit(**{**COMPARE, "model_a": "test/tiny-gpt", "model_b": stranger_url, **tokens}, api_name="/compare"))
    assert tokens_received(stranger) == {f"Bearer {KEY}"}
    assert {post.headers.get("authorization") for post in server.posts("test/tiny-gpt")} == {f"Bearer {VISITOR}"}
    stranger.reset()
    swept = _finished(client.submit(**{**SWEEP, "models": [stranger_url, "test/tiny-gpt"], **tokens}, api_name="/sweep"))
    assert tokens_received(stranger) == {f"Bearer {KEY}"}
    assert not any(KEY in str(request.headers) for request in server.requests)
    shown = " ".join(map(str, [*last_values(compared), *last_values(swept)]))  # share links and snippets included
    assert KEY not in shown and VISITOR not in shown


def test_a_malformed_endpoint_token_is_refused_unquoted_and_nothing_is_sent(space_app, server: ProtocolServer, stranger: ProtocolServer,
                                                                              stranger_url: str) -> None:
    app_url, _ = space_app
    client = Client(app_url, verbose=False)
    key = "sk-abc\r\nX-Evil: 1"
    outputs = _finished(client.submit(**{**FORM, "model": stranger_url, "endpoint_token": key}, api_name="/generate"))
    assert "Endpoint token" in str(outputs) and "X-Evil" not in str(outputs)
    assert stranger.posts() == []


def test_view_code_for_a_strangers_host_reads_endpoint_token_never_hf_token(space_app, stranger_url: str) -> None:
    app_url, _ = space_app
    client = Client(app_url, verbose=False)
    form = {name: value for name, value in FORM.items() if name not in ("session_token", "endpoint_token")}
    link, python, curl, javascript = client.predict(**{**form, "model": stranger_url}, api_name="/view_code")
    assert 'os.environ.get("ENDPOINT_TOKEN", "EMPTY")' in python and "$ENDPOINT_TOKEN" in curl and "process.env.ENDPOINT_TOKEN" in javascript
    assert "HF_TOKEN" not in python + curl + javascript and "session_token" not in link and "endpoint_token" not in link
    _, python, _, _ = client.predict(**form, api_name="/view_code")
    assert 'os.environ["HF_TOKEN"]' in python  # a Hub model: the Hugging Face token, as before


def test_sign_in_token_goes_to_the_router_never_to_a_strangers_host(server: ProtocolServer, stranger: ProtocolServer, stranger_url: str) -> None:
    """"Sign in with Hugging Face", driven by calling the Generate handler with a gr.OAuthToken."""
    import gradio as gr

    from components.generation import RunOutputs, make_generate_handler

    settings = Settings(on_space=True, endpoint_allowlist=frozenset({"127.0.0.1"}), router_url=server.url, hub_endpoint=server.url)
    generate = make_generate_handler(RunContext(Backend(), settings), RunOutputs("output", "status", "stats", "finished"))
    signed_in = gr.OAuthToken(token="hf_signedInCanary", scope="inference-api", expires_at=0)
    form = {**FORM, "session_token": "", "endpoint_token": ""}
    assert list(generate(signed_in, **form))[-1]["finished"] is not None
    assert {post.headers.get("authorization") for post in server.posts("test/tiny-gpt")} == {"Bearer hf_signedInCanary"}
    list(generate(signed_in, **{**form, "model": stranger_url}))
    assert tokens_received(stranger) == {None}
    stranger.reset()
    updates = list(generate(signed_in, **{**form, "model": stranger_url, "endpoint_token": KEY}))
    assert tokens_received(stranger) == {f"Bearer {KEY}"} and KEY not in str(updates)


# ---- notes for a URL that arrives without being typed ----------------------------------------------

FOREIGN = "http://vllm.example:8000/tgi/x"


@pytest.fixture(scope="module")
def built_page():
    """The page as app.py builds it (not launched): handlers are called directly, nothing is sent."""
    import gradio as gr

    from app import build_page

    settings = Settings(suggested_models=[("test/tiny-gpt", "test/tiny-gpt")], default_model="test/tiny-gpt")
    with gr.Blocks() as demo:
        page = build_page(demo, settings, "test/tiny-gpt", local_installed=False)
    return SimpleNamespace(settings=settings), page


def test_a_history_entry_naming_another_host_restores_with_the_note(built_page) -> None:
    from components.history_panel import restore_run
    from playground.input.request import GenerationRequest
    from playground.saved.history import new_entry

    ctx, page = built_page
    stored = [new_entry(GenerationRequest(model=FOREIGN, prompt="Hi"), "answer", {}).model_dump(mode="json")]
    status = restore_run(ctx, page, None, stored)[page.run.status]
    assert "This history entry points at vllm.example" in status["value"] and "never sent there" in status["value"]
    hub = [new_entry(GenerationRequest(model="test/tiny-gpt", prompt="Hi"), "answer", {}).model_dump(mode="json")]
    assert page.run.status not in restore_run(ctx, page, None, hub)
    assert page.auth.endpoint_token not in restore_run(ctx, page, None, stored)  # never filled from history


def test_a_preset_naming_another_host_applies_with_the_note(built_page) -> None:
    from components.presets_panel import MINE, applied_preset
    from playground.saved.presets import Preset, preset_to_dict

    ctx, page = built_page
    stored = [preset_to_dict(Preset(name="my-vllm", label="My vLLM", model=FOREIGN))]
    updates = applied_preset(ctx, page, MINE + "my-vllm", stored, {})
    assert "This preset points at vllm.example" in updates[page.run.status]["value"]
    assert page.auth.endpoint_token not in updates and page.auth.session_token not in updates


def test_compare_and_sweep_links_naming_another_host_say_so(built_page) -> None:
    from urllib.parse import parse_qs

    from components.runs_links import open_group_link
    from playground.input.request import GenerationRequest
    from playground.runs.compare import parse_pane
    from playground.runs.saved import compare_share_query, parse_group_query, sweep_share_query
    from playground.runs.sweep import parse_grid
    from playground.saved.share import parse_share_query

    ctx, page = built_page
    base = GenerationRequest(model="test/tiny-gpt", prompt="Hi")
    panes = [parse_pane("A", "test/tiny-gpt", "auto", "Completion"), parse_pane("B", FOREIGN, "auto", "Completion")]
    def opened(query: str) -> dict:
        values = parse_qs(query)
        return open_group_link(ctx, page, parse_group_query(values), parse_share_query(values))

    # Compare and the Sweep are drawn with the link's panes or grid and the note (components/compare_tab.py, sweep_tab.py).
    assert "This link points at vllm.example" in opened(compare_share_query(base, panes))[page.compare.place.seed].status
    assert "This link points at vllm.example" in opened(sweep_share_query(base, parse_grid([FOREIGN], "", "")))[page.sweep.place.seed].status


def _finished(job):
    job.result(timeout=120)
    return job.outputs()


def checked(check) -> list:
    check.start()
    while not check.finished():
        check.wait_for_change(5.0)
    return check.results()
