"""On a Space, an endpoint URL's host is checked where the connection is made (issue 22, part 5).

A probe found the name resolved once at validation and again at connect: a name answering a public
address first and 127.0.0.1 next reached the loopback server, and a name that did not resolve at
validation was allowed. Here a fake resolver, handed to the check and to `Backend` (their injection
points), answers in turn. Nothing connects anywhere but loopback (`no_foreign_connections`): a public
address is only ever an answer, and the transport test connects through a recording backend.
"""

from __future__ import annotations

import socket
from typing import Any

import httpcore2
import httpx2
import pytest

from components.messages import error_text
from playground import errors as e
from playground.hf.address_guard import AddressGuard, CheckedBackend, GuardedTransport
from playground.inference.backend import Backend, Run
from playground.inference.events import Done, Event, Waiting
from playground.inference.retry import RetryPolicy
from playground.input.model_ref import check_endpoint_allowed
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from tests.conftest import TEST_TOKEN, FakeClock
from tests.protocol_server import ProtocolServer

PUBLIC = "93.184.215.14"  # answered, never connected to
PARAMS = GenerationParams(temperature=0.5, max_new_tokens=4, seed=1)


class ScriptedResolver:
    """socket.getaddrinfo's shape: each call takes the next list of answers (none left: the name
    does not resolve); records each name asked."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, host: str, port: int | None, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        self.asked.append(host)
        addresses = self.answers.pop(0) if self.answers else []
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 0)) for a in addresses]


def endpoint(server: ProtocolServer, host: str) -> str:
    return f"http://{host}:{httpx2.URL(server.url).port}/tgi/endpoint"


def space_backend(resolver: ScriptedResolver, allowlist: frozenset[str] = frozenset()) -> Backend:
    return Backend(policy=RetryPolicy(deadline=30), clock=FakeClock(), on_space=True, endpoint_allowlist=allowlist, resolver=resolver)


def outcome(run: Run) -> tuple[list[Event], e.PlaygroundError | None]:
    """The run's events, and the error that ended it (None if it ended without one)."""
    events: list[Event] = []
    try:
        for event in run:
            events.append(event)
    except e.PlaygroundError as error:
        return events, error
    finally:
        run.close()
    return events, None


def run_of(backend: Backend, url: str, token: str | None = None, mode: Mode = Mode.COMPLETION) -> tuple[list[Event], e.PlaygroundError | None]:
    return outcome(backend.run(GenerationRequest(model=url, prompt="Hi", params=PARAMS, mode=mode), token))


@pytest.mark.parametrize("mode", [Mode.COMPLETION, Mode.CHAT])
def test_a_name_rebinding_to_loopback_passes_the_check_and_is_refused_at_connect(server: ProtocolServer, no_foreign_connections: list,
                                                                                   mode: Mode) -> None:
    """Guards issue 22, part 5: the second resolution (at connect) answered 127.0.0.1 and the
    request reached the loopback server."""
    resolver = ScriptedResolver([PUBLIC], ["127.0.0.1"])
    url = endpoint(server, "rebind.test")
    check_endpoint_allowed(url, frozenset(), resolver=resolver)  # the first answer is public
    events, error = run_of(space_backend(resolver), url, mode=mode)
    assert isinstance(error, e.InvalidModelError) and "private or local address, which this Space does not allow" in error.detail
    assert url in error.detail and "private or local" in error_text(error)
    assert not any(isinstance(event, Waiting) for event in events)  # refused, not retried
    assert resolver.asked == ["rebind.test", "rebind.test"]  # once to check, once to connect
    assert server.requests == [] and no_foreign_connections == []


@pytest.mark.parametrize("answer", [["127.0.0.1"], [PUBLIC, "10.0.0.1"], ["169.254.169.254"], ["100.64.0.1"], ["::1"], ["::ffff:127.0.0.1"]])
def test_any_non_global_answer_at_connect_is_refused(server: ProtocolServer, no_foreign_connections: list, answer: list[str]) -> None:
    resolver = ScriptedResolver(answer)
    _, error = run_of(space_backend(resolver), endpoint(server, "rebind.test"))
    assert isinstance(error, e.InvalidModelError) and "private or local" in error.detail
    assert server.requests == [] and no_foreign_connections == []


def test_a_name_that_resolves_to_nothing_is_refused_on_a_space(server: ProtocolServer, no_foreign_connections: list) -> None:
    """Guards issue 22, part 5: an unresolvable name was allowed at validation."""
    url = endpoint(server, "nowhere.test")
    with pytest.raises(e.InvalidModelError, match="can't be resolved"):
        check_endpoint_allowed(url, frozenset(), resolver=ScriptedResolver())
    resolver = ScriptedResolver()
    events, error = run_of(space_backend(resolver), url)
    assert isinstance(error, e.InvalidModelError) and "can't be resolved" in error.detail
    assert not any(isinstance(event, Waiting) for event in events) and resolver.asked == ["nowhere.test"]
    assert server.requests == [] and no_foreign_connections == []


def test_an_allow_listed_host_still_connects(server: ProtocolServer, no_foreign_connections: list) -> None:
    """Matched by name, as at validation: the guard is not applied, and the system resolves it."""
    resolver = ScriptedResolver()
    url = endpoint(server, "localhost")
    check_endpoint_allowed(url, frozenset({"localhost"}), resolver=resolver)
    events, error = run_of(space_backend(resolver, allowlist=frozenset({"localhost"})), url)
    assert error is None and isinstance(events[-1], Done)
    assert resolver.asked == [] and len(server.posts()) == 1 and no_foreign_connections == []


def test_off_a_space_nothing_changes(server: ProtocolServer, no_foreign_connections: list) -> None:
    resolver = ScriptedResolver()
    backend = Backend(policy=RetryPolicy(deadline=30), clock=FakeClock(), resolver=resolver)
    for host in ("localhost", "127.0.0.1"):
        events, error = run_of(backend, endpoint(server, host))
        assert error is None and isinstance(events[-1], Done)
    assert resolver.asked == [] and len(server.posts()) == 2 and no_foreign_connections == []


def test_the_operators_router_and_hub_are_not_guarded(server: ProtocolServer, no_foreign_connections: list) -> None:
    """HF_ROUTER_URL and HF_ENDPOINT are the operator's (loopback here): a Hub ID runs on a Space,
    and so does an endpoint URL on the operator's own origin."""
    resolver = ScriptedResolver()
    for model, token in (("test/tiny-gpt", TEST_TOKEN), (f"{server.url}/tgi/endpoint", None)):
        events, error = run_of(space_backend(resolver), model, token)
        assert error is None and isinstance(events[-1], Done)
    assert resolver.asked == [] and no_foreign_connections == []


class RecordingStream(httpcore2.NetworkStream):
    """Answers one canned HTTP response; records what is written and the TLS server name."""

    def __init__(self, log: dict[str, Any]) -> None:
        self.log = log
        self.answer = [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.answer.pop(0) if self.answer else b""

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.log["written"] += buffer

    def close(self) -> None:
        pass

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> RecordingStream:
        self.log["tls_name"] = server_hostname
        return self

    def get_extra_info(self, info: str) -> Any:
        return None


class RecordingBackend(httpcore2.NetworkBackend):
    """Stands in for the socket layer: records where it was asked to connect, connects nowhere."""

    def __init__(self) -> None:
        self.log: dict[str, Any] = {"connected": [], "written": b"", "tls_name": None}

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> RecordingStream:
        self.log["connected"].append((host, port))
        return RecordingStream(self.log)


def test_the_transport_connects_to_the_address_it_checked_keeping_host_and_tls_name(no_foreign_connections: list) -> None:
    url = "https://api.rebind.test/v1/models"
    resolver, recording = ScriptedResolver([PUBLIC], ["127.0.0.1"]), RecordingBackend()
    with httpx2.Client(transport=GuardedTransport(lambda: AddressGuard(url, resolver), connect=recording)) as client:
        assert client.get(url).text == "ok"
    assert recording.log["connected"] == [(PUBLIC, 443)] and resolver.asked == ["api.rebind.test"]
    assert recording.log["tls_name"] == "api.rebind.test" and b"\r\nHost: api.rebind.test\r\n" in recording.log["written"]
    assert no_foreign_connections == []


def test_the_guarded_pool_checks_even_without_a_guard_in_scope(no_foreign_connections: list) -> None:
    """A wiring mistake (no guard where the guarded pool connects) checks with the system's resolver."""
    recording = RecordingBackend()
    with pytest.raises(e.InvalidModelError, match="private or local"):
        CheckedBackend(lambda: None, connect=recording).connect_tcp("localhost", 80)
    assert recording.log["connected"] == [] and no_foreign_connections == []
