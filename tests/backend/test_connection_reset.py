"""A connection reset in the middle of a stream (the server sends an RST after some tokens) is a
cut-off answer, worded as one: it read "The server answered with an error (RemoteProtocolError)".
The real InferenceClient, through the backend, against the protocol server's `Reply(reset_after=n)`."""

from __future__ import annotations

import errno

import httpx2
import pytest

from components.messages import error_html, error_text
from playground import errors as e
from playground.inference.backend import Backend
from playground.inference.events import Done, Token
from playground.inference.retry import RetryPolicy
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from tests.conftest import TEST_TOKEN, FakeClock
from tests.protocol_server import ProtocolServer, Reply

TGI_BODY = {"inputs": "hello there", "parameters": {"max_new_tokens": 6, "seed": 1}, "stream": True}


@pytest.fixture
def backend(clock: FakeClock) -> Backend:
    return Backend(policy=RetryPolicy(deadline=300), clock=clock, first_token_timeout=3)


def test_the_reset_reply_sends_its_tokens_then_an_rst(server: ProtocolServer) -> None:
    server.script("test/tiny-gpt", Reply(reset_after=3))
    received: list[str] = []
    with pytest.raises(httpx2.ReadError) as raised:
        with httpx2.stream("POST", f"{server.url}/hf-inference/models/test/tiny-gpt", json=TGI_BODY) as response:
            assert response.status_code == 200
            received.extend(line for line in response.iter_lines() if line.startswith("data:"))
    assert len(received) == 3
    assert f"[Errno {errno.ECONNRESET}]" in str(raised.value)  # an RST, not a clean close


@pytest.mark.parametrize(("model", "mode"), [("test/tiny-gpt", Mode.COMPLETION), ("test/chat-model", Mode.CHAT)])
def test_a_connection_reset_mid_stream_is_a_cut_off_answer(server: ProtocolServer, backend: Backend, model: str, mode: Mode) -> None:
    server.script(model, Reply(reset_after=3))
    request = GenerationRequest(model=model, prompt="Tell me about resets", mode=mode,
                                params=GenerationParams(max_new_tokens=8, seed=42))
    events: list = []
    with pytest.raises(e.CutOffError) as raised:
        events.extend(backend.run(request, TEST_TOKEN))
    assert len([event for event in events if isinstance(event, Token)]) == 3  # the text so far is kept
    assert not any(isinstance(event, Done) for event in events)
    assert len(server.posts(model)) == 1  # a half-streamed answer is never retried
    assert "The answer was cut off" in error_html(raised.value) and "after 3 tokens" in error_text(raised.value)
    assert "RemoteProtocolError" not in error_text(raised.value) and "ReadError" not in error_text(raised.value)
