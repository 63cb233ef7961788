"""A model that goes silent, a stream cut off, parameters a model refuses: the backend against the
protocol server, with the real InferenceClient over real HTTP.

Silence is measured on a fake clock where it can be (the waits then take no real time).
"""

from __future__ import annotations

import threading

import httpx2
import pytest
from huggingface_hub.errors import InferenceTimeoutError

from playground import errors as e
from playground.inference.backend import Backend
from playground.inference.events import Done, Silence, Token
from playground.inference.http_errors import to_playground_error
from playground.inference.retry import RetryPolicy
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from tests.conftest import TEST_TOKEN, FakeClock, wait_for
from tests.protocol_server import ProtocolServer, Reply

PARAMS = GenerationParams(temperature=0.5, max_new_tokens=8, seed=42)


def completion(model: str = "test/tiny-gpt", **changes: object) -> GenerationRequest:
    return GenerationRequest(model=model, **{"prompt": "Tell me about cold starts", "params": PARAMS, **changes})


def collect(events, into: list) -> None:
    for event in events:
        into.append(event)



def until_two_tokens(events) -> None:
    """Consumes a run's events up to its second token (silences before it, on a slow machine, too)."""
    tokens = 0
    while tokens < 2:
        tokens += isinstance(next(events), Token)


@pytest.fixture
def backend(clock: FakeClock) -> Backend:
    return Backend(policy=RetryPolicy(deadline=300), clock=clock, first_token_timeout=3)


def test_a_silent_model_shows_the_wait_for_the_first_token_then_times_out(server: ProtocolServer, backend: Backend, clock: FakeClock) -> None:
    """Guards C.7: a model that accepts the request and sends nothing used to leave "Sending…" forever."""
    server.script("test/tiny-gpt", Reply(stall_after=0))
    clock.silent = lambda: server.stalls == 1  # fake time passes once the model has gone quiet
    events: list = []
    with pytest.raises(e.TimedOutError, match="no first token after 3 s"):
        collect(backend.run(completion(), TEST_TOKEN), events)
    silences = [event for event in events if isinstance(event, Silence)]
    assert silences and all(s.first_token and s.limit == 3 for s in silences)
    assert [s.seconds for s in silences] == sorted(s.seconds for s in silences) and silences[-1].seconds >= 2.5
    assert wait_for(lambda: server.cancelled_streams == 1)  # the model's stream was closed, not left open
    assert len(server.posts("test/tiny-gpt")) == 1  # a timeout is not retried


def test_a_model_that_stops_between_tokens_times_out_and_keeps_the_tokens(server: ProtocolServer, backend: Backend, clock: FakeClock) -> None:
    """Guards C.7: the same limit holds for a gap between two tokens."""
    server.script("test/tiny-gpt", Reply(stall_after=3))
    events: list = []
    # Fake time passes only once the model has gone quiet and its three tokens have arrived.
    clock.silent = lambda: server.stalls == 1 and sum(isinstance(event, Token) for event in events) == 3
    with pytest.raises(e.TimedOutError, match="no new token after 3 s"):
        collect(backend.run(completion(), TEST_TOKEN), events)
    assert len([event for event in events if isinstance(event, Token)]) == 3
    gap = [event for event in events if isinstance(event, Silence)]
    assert gap and not any(s.first_token for s in gap)


def test_a_model_that_never_answers_at_all_times_out(server: ProtocolServer, backend: Backend, clock: FakeClock) -> None:
    """Guards C.7: no status line, no headers, nothing: the run still ends with a clear error."""
    server.script("test/tiny-gpt", Reply(no_answer=True))
    clock.silent = lambda: server.stalls == 1
    with pytest.raises(e.TimedOutError, match="no first token"):
        list(backend.run(completion(), TEST_TOKEN))


def test_silence_is_reported_every_tick_while_the_stream_is_open(server: ProtocolServer) -> None:
    """The heartbeat other consumers rely on: a Silence each tick without a token, real clock."""
    server.script("test/tiny-gpt", Reply(stall_after=2))
    events = Backend().run(completion(), TEST_TOKEN)
    until_two_tokens(events)
    after = [next(events), next(events)]  # the model has gone quiet: only silence comes now
    events.close()
    assert [type(event) for event in after] == [Silence, Silence]
    assert after[1].seconds > after[0].seconds


def test_stop_on_a_silent_model_closes_its_stream_at_once(server: ProtocolServer) -> None:
    """Guards C.7: Stop must free the run even while the model sends nothing (the socket read is
    in a worker thread that Stop wakes), and the model's server must see the stream closed."""
    server.script("test/tiny-gpt", Reply(stall_after=2))
    before = set(threading.enumerate())
    events = Backend().run(completion(), TEST_TOKEN)
    until_two_tokens(events)
    assert isinstance(next(events), Silence)
    (worker,) = [t for t in threading.enumerate() if t not in before and t.name == "model-stream"]
    events.close()  # what Gradio does when Stop cancels the event
    assert wait_for(lambda: server.cancelled_streams == 1)
    assert wait_for(lambda: not worker.is_alive())  # the blocked read was woken, the thread ended


def test_stop_before_the_model_sends_headers_frees_the_run(server: ProtocolServer) -> None:
    """Guards C.7: closing the run while the request is still unanswered returns, without waiting
    for the model (the worker thread ends at its socket read timeout, not holding the run)."""
    server.script("test/tiny-gpt", Reply(no_answer=True))
    events = Backend(first_token_timeout=30).run(completion(), TEST_TOKEN)
    assert isinstance(next(events), Silence)
    events.close()
    with pytest.raises(StopIteration):
        next(events)


def test_a_stream_closed_before_its_final_event_is_cut_off(server: ProtocolServer, backend: Backend) -> None:
    """Guards C.9: a TGI stream that ends cleanly after 3 tokens used to be shown as a success."""
    server.script("test/tiny-gpt", Reply(cut_after=3))
    events: list = []
    with pytest.raises(e.CutOffError):
        collect(backend.run(completion(), TEST_TOKEN), events)
    assert len([event for event in events if isinstance(event, Token)]) == 3
    assert not any(isinstance(event, Done) for event in events)


def test_a_chat_stream_closed_before_finish_reason_is_cut_off(server: ProtocolServer, backend: Backend) -> None:
    """Guards C.9 for chat: no finish_reason and no [DONE] after 3 chunks."""
    server.script("test/chat-model", Reply(cut_after=3))
    with pytest.raises(e.CutOffError):
        list(backend.run(completion("test/chat-model", mode=Mode.CHAT), TEST_TOKEN))


@pytest.mark.parametrize("mode", [Mode.COMPLETION, Mode.CHAT])
def test_a_whole_stream_is_still_a_success(server: ProtocolServer, backend: Backend, mode: Mode) -> None:
    model = "test/chat-model" if mode is Mode.CHAT else "test/tiny-gpt"
    events = list(backend.run(completion(model, mode=mode), TEST_TOKEN))
    assert isinstance(events[-1], Done) and events[-1].stats.tokens == 8


def test_a_parameter_the_model_refuses_is_dropped_and_reported(server: ProtocolServer, backend: Backend) -> None:
    """Guards item 14: after a 400 "model_kwargs are not used" huggingface_hub dropped the
    parameter (streamed runs then failed as "not served"); the run must go on and say so."""
    server.add_model("test/pipeline-model", refused_params=("seed",))
    events = list(backend.run(completion("test/pipeline-model"), TEST_TOKEN))
    assert isinstance(events[-1], Done) and events[-1].stats.ignored_params == ("seed",)
    assert "seed" not in server.posts("test/pipeline-model")[-1].body["parameters"]
    assert [event for event in events if isinstance(event, Token)]


def test_a_refusal_for_one_model_does_not_touch_the_next_run(server: ProtocolServer, backend: Backend) -> None:
    """huggingface_hub remembers refused parameters process-wide: another model's run (or
    another visitor's) must still stream, with its seed."""
    server.add_model("test/pipeline-model", refused_params=("seed",))
    list(backend.run(completion("test/pipeline-model"), TEST_TOKEN))
    events = list(backend.run(completion(), TEST_TOKEN))
    assert isinstance(events[-1], Done) and events[-1].stats.ignored_params == ()
    assert server.posts("test/tiny-gpt")[-1].body["parameters"]["seed"] == 42


def test_a_model_that_refuses_details_still_answers_without_a_report(server: ProtocolServer, backend: Backend) -> None:
    """`details` is the backend's own request (to see the final event): refusing it is not news."""
    server.add_model("test/no-details", refused_params=("details",))
    events = list(backend.run(completion("test/no-details"), TEST_TOKEN))
    assert isinstance(events[-1], Done) and events[-1].stats.ignored_params == () and events[-1].stats.tokens == 8


def test_timeouts_while_opening_or_reading_become_typed_errors() -> None:
    """Mid-stream a timeout is a raw httpx2.ReadTimeout; while opening, the client wraps it."""
    assert isinstance(to_playground_error(httpx2.ReadTimeout("read")), e.TimedOutError)
    opening = InferenceTimeoutError("timed out")
    opening.__cause__ = httpx2.ConnectTimeout("connect")
    assert isinstance(to_playground_error(opening), e.ConnectionFailedError)
    assert isinstance(to_playground_error(httpx2.ConnectTimeout("connect")), e.ConnectionFailedError)


def test_every_model_call_has_connect_and_read_timeouts(server: ProtocolServer) -> None:
    """The socket never waits forever: connect and read are bounded, read beyond the run's own limit."""
    timeout = Backend(first_token_timeout=30)._http_timeout()
    assert timeout.connect is not None and timeout.connect <= 30
    assert timeout.read is not None and 30 < timeout.read < 60


@pytest.mark.parametrize("mode", [Mode.COMPLETION, Mode.CHAT])
def test_the_built_in_model_ends_its_streams_with_a_final_event(local_service, mode: Mode) -> None:
    """The local server marks its last token as final (TGI's generated_text, a chat finish_reason),
    so its whole answers are not mistaken for cut-off ones."""
    from playground.local import LOCAL_MODEL_NAME
    from playground.local.resolve import local_model_resolver

    backend = Backend(resolve_url=local_model_resolver(local_service))
    params = GenerationParams(temperature=0, max_new_tokens=5, seed=1)
    events = list(backend.run(completion(LOCAL_MODEL_NAME, mode=mode, params=params), None))
    assert isinstance(events[-1], Done) and events[-1].stats.tokens >= 1
