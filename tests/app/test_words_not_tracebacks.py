"""Issue 22's probe, through the running app as on a Space: a schema nested 180 levels deep and a
host name with a 70-character label get the playground's words on every endpoint that takes them,
where they raised RecursionError and UnicodeError; nothing is sent to any model."""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client

from playground.config import Settings
from playground.input.form_values import FORM_FIELDS
from tests.api_forms import COMPARE, FORM, SWEEP
from tests.protocol_server import ProtocolServer

DEEP_SCHEMA = '{"type": "object", "properties": {"a": ' * 180 + "{}" + "}}" * 180
BAD_HOST = "http://" + "a" * 70 + ".example/"
DEEP = {"mode": "Chat", "response_format": "JSON schema", "json_schema": DEEP_SCHEMA, "session_token": "hf_visitor"}


@pytest.fixture
def app(space_app: tuple[str, Settings], server: ProtocolServer, no_foreign_connections: list[object]) -> Client:
    return Client(space_app[0], verbose=False)


def text_of(job) -> str:
    """Every update the event sent, as text (the message may be in a status update, not a value)."""
    job.result(timeout=120)
    return " ".join(str(update) for update in job.outputs())


def view_code_text(url: str, values: dict) -> str:
    """Everything /view_code streamed back. Its refusal is a toast, which only the page receives."""
    with httpx.Client(base_url=url, timeout=60) as client:
        started = client.post("gradio_api/call/view_code", json={"data": [values[name] for name in FORM_FIELDS]})
        with client.stream("GET", f"gradio_api/call/view_code/{started.json()['event_id']}") as events:
            return "\n".join(events.iter_lines())


@pytest.mark.parametrize(("api_name", "inputs"), [("/generate", {**FORM, **DEEP}), ("/sweep", {**SWEEP, **DEEP, "models": ["test/chat-model"]})])
def test_a_schema_nested_too_deeply_gets_words(app: Client, server: ProtocolServer, api_name: str, inputs: dict) -> None:
    assert "Schema: nested too deeply" in text_of(app.submit(**inputs, api_name=api_name))
    assert server.posts() == []


def test_view_code_refuses_a_deep_schema_and_a_bad_host_without_failing(app: Client, space_app: tuple[str, Settings],
                                                                          server: ProtocolServer) -> None:
    """The event completes, leaving the snippets as they were (its toast is the page's); it failed with
    RecursionError and UnicodeError."""
    for values in ({**FORM, **DEEP}, {**FORM, "model": BAD_HOST}):
        text = view_code_text(space_app[0], values)
        assert text.startswith("event: complete") and "event: error" not in text, text
    assert server.posts() == []


@pytest.mark.parametrize(("api_name", "inputs"), [
    ("/generate", {**FORM, "model": BAD_HOST, "session_token": "hf_visitor"}),
    ("/compare", {**COMPARE, "model_b": BAD_HOST, "session_token": "hf_visitor"}),
    ("/sweep", {**SWEEP, "models": [BAD_HOST], "session_token": "hf_visitor"}),
])  # fmt: skip
def test_a_bad_host_name_gets_words(app: Client, server: ProtocolServer, api_name: str, inputs: dict) -> None:
    assert "invalid host name" in text_of(app.submit(**inputs, api_name=api_name))
    assert server.posts() == []
