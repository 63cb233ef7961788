"""The backend with the real InferenceClient over real HTTP, against the local protocol server.

Waits run on a fake clock, so retry tests take no real time; everything else is real.
"""

from __future__ import annotations

import threading

import pytest

from playground import errors as e
from playground.inference.backend import Backend
from playground.inference.events import Done, Token, Waiting, WaitReason
from playground.inference.retry import RetryPolicy
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from tests.conftest import TEST_TOKEN, FakeClock, wait_for
from tests.protocol_server import BAD_TOKEN, ProtocolServer, Reply

PARAMS = GenerationParams(temperature=0.5, max_new_tokens=8, seed=42)


def completion(model: str = "test/tiny-gpt", **changes: object) -> GenerationRequest:
    fields: dict = {"prompt": "Tell me about cold starts", "params": PARAMS, **changes}
    return GenerationRequest(model=model, **fields)


def run(backend: Backend, request: GenerationRequest, token: str | None = TEST_TOKEN, cancel: threading.Event | None = None) -> list:
    return list(backend.run(request, token, cancel))


def text_of(events: list) -> str:
    return "".join(event.text for event in events if isinstance(event, Token))


def loading(seconds: float = 20.0) -> Reply:
    return Reply(status=503, body={"error": "Model test/tiny-gpt is currently loading", "estimated_time": seconds})


@pytest.fixture
def backend(clock: FakeClock) -> Backend:
    return Backend(policy=RetryPolicy(deadline=300, jitter=0), clock=clock)  # no jitter: the waits are exact


def test_completion_streams_the_answer_token_by_token(server: ProtocolServer, backend: Backend) -> None:
    events = run(backend, completion())
    tokens = [event for event in events if isinstance(event, Token)]
    assert len(tokens) == 8
    assert text_of(events).startswith("Echo seed=42 temp=0.5")
    assert isinstance(events[-1], Done) and events[-1].stats.tokens == 8 and events[-1].stats.seed == 42


def test_the_request_carries_exactly_the_settings(server: ProtocolServer, backend: Backend) -> None:
    run(backend, completion())
    (post,) = server.posts("test/tiny-gpt")
    assert post.path == "/hf-inference/models/test/tiny-gpt"
    # details: the backend asks for TGI's final event, to tell a finished answer from a cut-off one.
    parameters = {"max_new_tokens": 8, "seed": 42, "temperature": 0.5, "details": True}
    assert post.body == {"inputs": "Tell me about cold starts", "parameters": parameters, "stream": True}
    assert post.headers["authorization"] == f"Bearer {TEST_TOKEN}"


def test_chat_mode_streams_through_the_router(server: ProtocolServer, backend: Backend) -> None:
    events = run(backend, completion("test/chat-model", mode=Mode.CHAT, system_prompt="Be brief."))
    (post,) = server.posts("test/chat-model")
    assert post.path == "/v1/chat/completions"
    assert post.body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert (post.body["max_tokens"], post.body["seed"], post.body["temperature"]) == (8, 42, 0.5)
    assert text_of(events)


def test_a_loading_model_is_waited_for_then_answers(server: ProtocolServer, backend: Backend, clock: FakeClock) -> None:
    server.script("test/tiny-gpt", loading(2.0), loading(1.0))
    events = run(backend, completion())
    waits = [event for event in events if isinstance(event, Waiting)]
    assert {w.reason for w in waits} == {WaitReason.LOADING}
    assert [w.attempt for w in waits][0] == 2 and waits[-1].attempt == 3
    # The server's estimated_time or the backoff, whichever is longer: 2 s (the estimate), then 2 s (the backoff).
    assert sum(clock.sleeps) == pytest.approx(4.0)
    assert text_of(events) and len(server.posts("test/tiny-gpt")) == 3
    assert events.index(waits[-1]) < next(i for i, ev in enumerate(events) if isinstance(ev, Token))


def test_a_rate_limit_waits_as_long_as_retry_after_says(server: ProtocolServer, backend: Backend, clock: FakeClock) -> None:
    server.script("test/tiny-gpt", Reply(status=429, body={"error": "Rate limit reached."}, headers={"Retry-After": "7"}))
    events = run(backend, completion())
    assert sum(clock.sleeps) == pytest.approx(7.0)
    assert [w.reason for w in events if isinstance(w, Waiting)][0] is WaitReason.BUSY
    assert text_of(events)


def test_a_retry_after_beyond_the_deadline_is_reported_as_a_rate_limit_at_once(server: ProtocolServer, backend: Backend,
                                                                                clock: FakeClock) -> None:
    server.script("test/tiny-gpt", Reply(status=429, body={"error": "Rate limit reached."}, headers={"Retry-After": "3600"}))
    with pytest.raises(e.RateLimitedError):
        run(backend, completion())
    assert clock.sleeps == [] and len(server.posts("test/tiny-gpt")) == 1


def test_the_ietf_ratelimit_header_sets_the_wait(server: ProtocolServer, backend: Backend, clock: FakeClock) -> None:
    server.script("test/tiny-gpt", Reply(status=429, body={"error": "Rate limit reached."}, headers={"RateLimit": '"api";r=0;t=12'}))
    run(backend, completion())
    assert sum(clock.sleeps) == pytest.approx(12.0)


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_errors_are_retried_with_backoff(server: ProtocolServer, backend: Backend, clock: FakeClock, status: int) -> None:
    server.script("test/tiny-gpt", Reply(status=status, body="Bad gateway"), Reply(status=status, body="Bad gateway"))
    events = run(backend, completion())
    assert sum(clock.sleeps) == pytest.approx(1.0 + 2.0)  # capped exponential backoff: 1 s, then 2 s
    assert text_of(events)


def test_a_model_that_says_it_is_ready_at_once_but_never_is_gets_at_most_12_requests_in_15_s(server: ProtocolServer, clock: FakeClock) -> None:
    """Guards issue 22.3: `estimated_time: 0` was honoured down to 0.1 s, 116-131 requests in 15 s.
    The app's own policy (jitter included), with the deadline at 15 s of fake time."""
    backend = Backend(policy=RetryPolicy(deadline=15), clock=clock)
    server.script("test/tiny-gpt", *[loading(0.0) for _ in range(200)])
    with pytest.raises(e.TimedOutError):
        run(backend, completion())
    requests = len(server.posts("test/tiny-gpt"))
    assert 3 <= requests <= 12
    # Waits are slept in ticks, and the jitter decides whether the last one ends on the deadline or
    # the backend gives up just before it: so the waits are judged in sum, never past the deadline,
    # and a second at least each but for the last.
    assert (requests - 2) * 1.0 <= sum(clock.sleeps) <= 15 + 1e-6


def test_a_model_that_never_loads_gives_up_at_the_deadline(server: ProtocolServer, clock: FakeClock) -> None:
    backend = Backend(policy=RetryPolicy(deadline=60), clock=clock)
    server.script("test/tiny-gpt", *[loading(25.0) for _ in range(10)])
    with pytest.raises(e.TimedOutError):
        run(backend, completion())
    assert sum(clock.sleeps) <= 60


def test_an_unreachable_endpoint_is_retried_then_reported(clock: FakeClock) -> None:
    backend = Backend(policy=RetryPolicy(deadline=10), clock=clock)
    request = completion("http://127.0.0.1:9/nothing-listens-here")
    events: list = []
    with pytest.raises(e.TimedOutError):
        events.extend(backend.run(request, None))
    assert {w.reason for w in events if isinstance(w, Waiting)} == {WaitReason.UNREACHABLE}


def test_stop_during_a_wait_ends_the_run_at_once(server: ProtocolServer, backend: Backend, clock: FakeClock) -> None:
    server.script("test/tiny-gpt", loading(200.0))
    cancel = threading.Event()
    clock.on_sleep = cancel.set
    events = run(backend, completion(), cancel=cancel)
    assert sum(clock.sleeps) <= 0.25  # one tick, not the 30 s wait
    assert not any(isinstance(ev, (Token, Done)) for ev in events)
    assert len(server.posts("test/tiny-gpt")) == 1


def test_no_retry_once_tokens_have_started(server: ProtocolServer, backend: Backend) -> None:
    server.script("test/tiny-gpt", Reply(stream_error=(2, "Model is overloaded", "overloaded")))
    with pytest.raises(e.RateLimitedError):
        run(backend, completion())
    assert len(server.posts("test/tiny-gpt")) == 1


def test_an_error_inside_the_stream_is_reported(server: ProtocolServer, backend: Backend) -> None:
    server.script("test/tiny-gpt", Reply(stream_error=(3, "CUDA out of memory", "generation")))
    with pytest.raises(e.GenerationFailedError, match="CUDA out of memory"):
        run(backend, completion())


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(status=402, body={"error": "You have exceeded your monthly included credits"}), e.OutOfCreditsError),
        (Reply(status=422, body={"error": "Input validation error: max_new_tokens must be <= 2048", "error_type": "validation"}), e.RequestRejectedError),
        (Reply(status=400, body={"error": "Bad request: prompt too long"}), e.RequestRejectedError),
        (Reply(status=500, body={"error": "Request failed", "error_type": "incomplete_generation"}), e.ServerError),
    ],
)
def test_http_failures_become_typed_errors(server: ProtocolServer, backend: Backend, reply: Reply, error: type) -> None:
    server.script("test/tiny-gpt", reply)
    with pytest.raises(error):
        run(backend, completion())


def test_an_answer_that_is_not_a_stream_gives_no_text_and_no_crash(server: ProtocolServer, backend: Backend) -> None:
    server.script("test/tiny-gpt", Reply(status=200, body="<html>not the protocol</html>"))
    events = run(backend, completion())
    assert text_of(events) == "" and isinstance(events[-1], Done) and events[-1].stats.tokens == 0


def test_a_bad_token_is_reported_as_such(server: ProtocolServer, backend: Backend) -> None:
    with pytest.raises(e.InvalidTokenError) as refused:
        run(backend, completion(), token="hf_bad_token")
    assert not isinstance(refused.value, e.EndpointTokenRefusedError)  # a Hub model: the Hugging Face token


def test_a_token_an_endpoint_refuses_is_blamed_on_the_endpoint_token_not_the_hugging_face_one(
        server: ProtocolServer, backend: Backend) -> None:
    from components.messages import error_text

    with pytest.raises(e.EndpointTokenRefusedError) as refused:
        run(backend, completion(f"{server.url}/tgi/mine"), token=BAD_TOKEN)
    assert error_text(refused.value).startswith("The endpoint refused the token")
    assert "Endpoint token" in error_text(refused.value)


def test_a_gated_model_is_reported_as_such(server: ProtocolServer, backend: Backend) -> None:
    with pytest.raises(e.GatedModelError, match="restricted"):
        run(backend, completion("test/gated-model"))


@pytest.mark.parametrize("mode", [Mode.COMPLETION, Mode.CHAT])
def test_an_unknown_model_is_reported_as_not_found(server: ProtocolServer, backend: Backend, mode: Mode) -> None:
    with pytest.raises(e.ModelNotFoundError):
        run(backend, completion("test/does-not-exist", mode=mode))


def test_a_model_not_served_for_the_task_is_reported(server: ProtocolServer, backend: Backend) -> None:
    server.add_model("test/image-model", pipeline_tag="text-to-image", providers={"hf-inference": "text-to-image"})
    with pytest.raises(e.NotServedError):
        run(backend, completion("test/image-model"))
    assert server.posts("test/image-model") == []


def test_a_hosted_model_without_token_asks_for_one_before_sending(server: ProtocolServer, backend: Backend) -> None:
    with pytest.raises(e.MissingTokenError):
        run(backend, completion(), token=None)
    assert server.requests == []


def test_an_endpoint_url_is_called_directly_without_hub_lookups(server: ProtocolServer, backend: Backend) -> None:
    events = run(backend, completion(f"{server.url}/tgi/mine"), token=None)
    assert text_of(events)
    # The endpoint's protocol is asked first (TGI's /info answers), then the stream: no Hub lookup.
    assert [r.path for r in server.requests] == ["/tgi/mine/info", "/tgi/mine"]
    assert all("authorization" not in r.headers for r in server.requests)


def test_greedy_temperature_zero_turns_sampling_off(server: ProtocolServer, backend: Backend) -> None:
    run(backend, completion(params=GenerationParams(temperature=0, max_new_tokens=4, seed=1)))
    assert server.posts()[0].body["parameters"] == {"max_new_tokens": 4, "seed": 1, "do_sample": False, "details": True}


def test_stop_during_a_stream_closes_the_connection(server: ProtocolServer, backend: Backend) -> None:
    server.token_delay = 0.05
    events = backend.run(completion(params=GenerationParams(max_new_tokens=200, seed=3)), TEST_TOKEN)
    received = [next(ev for ev in events if isinstance(ev, Token)) for _ in range(3)]
    events.close()  # what Gradio does to the handler when Stop cancels the event
    assert len(received) == 3
    assert wait_for(lambda: server.cancelled_streams == 1, seconds=5)



def test_the_request_leaves_before_the_first_event_is_asked_for(server: ProtocolServer, backend: Backend) -> None:
    """So the page's "Sending…" update is prepared while the request is on its way (issue 8)."""
    events = backend.run(completion(), TEST_TOKEN)
    assert wait_for(lambda: len(server.posts("test/tiny-gpt")) == 1)  # no `next` yet
    assert text_of(list(events)).startswith("Echo seed=42")  # and the run then reads that one request
    assert len(server.posts("test/tiny-gpt")) == 1


def test_closing_a_run_before_its_first_event_closes_the_stream(server: ProtocolServer, backend: Backend) -> None:
    """Stop (or a page that goes away) while "Sending…" is shown: the model's stream is not left open."""
    server.token_delay = 0.2
    events = backend.run(completion(params=GenerationParams(max_new_tokens=200, seed=3)), TEST_TOKEN)
    assert wait_for(lambda: len(server.posts("test/tiny-gpt")) == 1)
    events.close()  # the answer may not have begun: its stream is shut as soon as it does
    assert wait_for(lambda: server.cancelled_streams == 1)
