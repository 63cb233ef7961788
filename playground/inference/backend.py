"""The only module that calls InferenceClient: builds the call, streams it, retries what is transient.

`Backend.run` is a generator of events (see `playground.inference.events`). Retrying stops for good as soon
as the first token has arrived: a half-streamed answer is never silently replaced by another.

The stream is read in a worker thread (`playground.inference.stream_reader`); the run waits for it in ticks,
so it reports silence as it happens, fails after `first_token_timeout` seconds without a token
(before the first, or between two), and stops within a tick when its consumer closes it (Stop).
A stream that ends without the model's final event is an answer cut off, not a success.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
from huggingface_hub import InferenceClient

from playground import errors as e
from playground.config import DEFAULT_FIRST_TOKEN_TIMEOUT
from playground.endpoint import openai_stream
from playground.endpoint.discovery import Protocol, ServerInfo, api_base, server_info
from playground.hf.address_guard import AddressGuard, guard_for
from playground.hf.outbound import run_scope
from playground.hf.refused_params import call_without_refused
from playground.hf.router import endpoint_client
from playground.inference.clock import NOTHING, Clock, SystemClock
from playground.inference.events import Done, Event, RunStats, Silence, Token, Usage, Waiting
from playground.inference.http_errors import is_dropped_connection, to_playground_error
from playground.inference.pieces import Piece, chat_piece, completion_piece, pieces, tgi_piece
from playground.inference.retry import RetryPolicy, wait_reason
from playground.inference.stream_reader import Ended, Failed, StreamReader, record_response
from playground.input.model_ref import Resolver, is_endpoint_url
from playground.input.policy import check_policy_use
from playground.input.request import OPENAI_CHAT, GenerationRequest, Mode, client_call, openai_call

_TIME_EPSILON = 1e-6  # seconds: what is left of a wait below this is nothing
TICK = 0.25  # seconds between countdown and silence updates; also how fast Stop takes effect
CONNECT_TIMEOUT = 10.0
# The socket's own read timeout only ends a worker stuck before the answer's headers (see
# stream_reader); the run itself gives up earlier, at first_token_timeout, with a clear message.
READ_TIMEOUT_MARGIN = 5.0


@dataclass
class _Progress:
    started: float
    first_token_at: float | None = None
    tokens: int = 0
    attempts: int = 0
    ignored_params: tuple[str, ...] = ()  # set by the worker before its first piece
    route: str = ""  # an endpoint URL's request, as "POST /v1/completions (model 'x')", for a 404's words
    usage: Usage | None = None  # the chat stream's token counts, when it reports them


class Run(Iterator[Event]):
    """A run's events (see `Backend.run`). `close` ends it at once, also before its first event,
    when its first request is already on its way."""

    def __init__(self, events: Generator[Event, None, None], first: StreamReader[Any]) -> None:
        self._events = events
        self._first = first

    def __next__(self) -> Event:
        return next(self._events)

    def close(self) -> None:
        self._events.close()
        self._first.close()  # a run closed before its first `next` never reached the reader's own close


@dataclass
class Backend:
    """`resolve_url` turns a built-in model name (the local model) into its server URL, or returns None.

    On a Space (`on_space`), a visitor's endpoint URL is connected to only at a global address,
    checked at connect with `resolver` (playground.hf.address_guard), unless its host is in
    `endpoint_allowlist` (PLAYGROUND_ENDPOINT_ALLOWLIST, matched by name)."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Clock = field(default_factory=SystemClock)
    resolve_url: Callable[[str], str | None] = lambda model: None
    first_token_timeout: float = DEFAULT_FIRST_TOKEN_TIMEOUT  # also the longest gap between tokens
    on_space: bool = False  # a missing token means "sign in"; endpoint hosts are held to global addresses
    endpoint_allowlist: frozenset[str] = frozenset()
    resolver: Resolver = socket.getaddrinfo

    def run(self, request: GenerationRequest, token: str | None, cancel: threading.Event | None = None) -> Run:
        """Yields Waiting*, Silence*, Token*, Done (Silence also between tokens). Raises a
        PlaygroundError subclass on failure; returns quietly, without Done, if `cancel` is set or
        the run is closed.

        The first request leaves now, not at the first `next`: a caller can show "Sending…" while
        it is on its way. Close the run (or iterate it to its end) to release it."""
        cancel = cancel or threading.Event()
        progress = _Progress(started=self.clock.now(), attempts=1)
        first = self._start(request, token, progress)
        return Run(self._events(request, token, progress, cancel, first), first)

    def _events(self, request: GenerationRequest, token: str | None, progress: _Progress, cancel: threading.Event,
                reader: StreamReader[Piece]) -> Iterator[Event]:
        try:
            yield from self._attempts(request, token, progress, cancel, reader)
        except e.InvalidTokenError as error:
            if not is_endpoint_url(request.model):
                raise
            # An endpoint gets the Endpoint token (or, on a Hugging Face host, the visitor's): saying
            # "the Hugging Face token was refused" would point at the wrong field.
            raise e.EndpointTokenRefusedError(error.detail, status=error.status, request_id=error.request_id) from error

    def _attempts(self, request: GenerationRequest, token: str | None, progress: _Progress, cancel: threading.Event,
                  reader: StreamReader[Piece]) -> Iterator[Event]:
        while not cancel.is_set():
            try:
                yield from self._stream_once(request, reader, progress, cancel)
                break
            except e.RetryableError as error:
                if progress.tokens:
                    raise
                yield from self._wait_before_retry(error, progress, cancel)
                if cancel.is_set():
                    break
                progress.attempts += 1
                reader = self._start(request, token, progress)
        if not cancel.is_set():
            yield Done(self._stats(request, progress))

    def _start(self, request: GenerationRequest, token: str | None, progress: _Progress) -> StreamReader[Piece]:
        """One attempt's stream, opened and read in a worker thread (playground.inference.stream_reader)."""
        return StreamReader(lambda: self._open_stream(request, token, progress)).start()

    def _stream_once(self, request: GenerationRequest, reader: StreamReader[Piece], progress: _Progress,
                     cancel: threading.Event) -> Iterator[Token | Silence]:
        try:
            yield from self._read(reader, progress, cancel)
        except e.PlaygroundError as error:
            raise _endpoint_words(request, progress, error) from error.__cause__
        except Exception as exc:  # every failure leaves here typed; see http_errors
            if progress.tokens and is_dropped_connection(exc):
                raise e.CutOffError(f"the connection was closed after {progress.tokens} tokens, before the model's final event") from exc
            raise _endpoint_words(request, progress, to_playground_error(exc)) from exc
        finally:
            reader.close()  # also on Stop (GeneratorExit): the worker's socket is shut down now

    def _read(self, reader: StreamReader[Piece], progress: _Progress, cancel: threading.Event) -> Iterator[Token | Silence]:
        """Tokens as they come, a Silence each tick without one; raises on a timeout or a cut-off."""
        last = self.clock.now()
        finished = False
        while not cancel.is_set():
            item = self.clock.take(reader.items, TICK)
            if item is NOTHING:
                yield self._silence(progress, self.clock.now() - last)
                continue
            if isinstance(item, Failed):
                raise item.error
            if isinstance(item, Ended):
                break
            last = self.clock.now()
            finished = finished or item.final
            progress.usage = item.usage or progress.usage
            if item.text or item.reasoning:
                progress.tokens += 1
                progress.first_token_at = progress.first_token_at or last
                yield Token(item.text, item.reasoning, item.odds)
        if not cancel.is_set() and not finished and progress.tokens:
            raise e.CutOffError(f"the stream ended after {progress.tokens} tokens without the model's final event")

    def _silence(self, progress: _Progress, seconds: float) -> Silence:
        """The tick's report; raises TimedOutError once the silence reaches the limit."""
        first = progress.tokens == 0
        if seconds >= self.first_token_timeout:
            what = "no first token" if first else "no new token"
            raise e.TimedOutError(f"{what} after {seconds:.0f} s (limit: PLAYGROUND_FIRST_TOKEN_TIMEOUT={self.first_token_timeout:g} s)")
        return Silence(seconds=seconds, first_token=first, limit=self.first_token_timeout)

    def server_info(self, model: str, token: str | None) -> ServerInfo | None:
        """What the endpoint URL `model` speaks (`playground.endpoint.discovery`), asked with `token`
        and the same address rules as a run; None when it can't tell (unreachable, refused...)."""
        try:
            return self._lookup(model, token)
        except e.InvalidModelError:
            return None

    def _lookup(self, model: str, token: str | None) -> ServerInfo | None:
        """`server_info`, but an address the guard refused raises InvalidModelError: a run must stop
        there, not resolve the name again."""
        if not is_endpoint_url(model) or self.resolve_url(model) is not None:
            return None
        with run_scope(token, endpoint=True, guard=self._guard(model)):
            try:
                return server_info(model)
            except e.InvalidModelError:
                raise
            except e.PlaygroundError:
                return None

    def _guard(self, model: str) -> AddressGuard | None:
        return guard_for(model, self.on_space, self.endpoint_allowlist, self.resolver)

    def _open_stream(self, request: GenerationRequest, token: str | None, progress: _Progress) -> Iterator[Piece]:
        """Runs in the stream reader's worker thread."""
        info = self._lookup(request.model, token)
        if info is not None and info.protocol is Protocol.OPENAI:
            return self._open_openai_stream(request, token, info, progress)
        if is_endpoint_url(request.model):
            progress.route = _tgi_route(request, info)
        local_url = self.resolve_url(request.model)
        if local_url is None and not is_endpoint_url(request.model) and not token:
            raise e.MissingTokenError("hosted models need a Hugging Face token", on_space=self.on_space)
        call = client_call(request)
        check_policy_use(request.model, chat=call.method == "chat_completion", provider=request.provider)
        client_token = None if local_url else token
        client = InferenceClient(model=local_url or request.model, provider=request.provider, token=client_token)  # type: ignore[arg-type]
        client.timeout = self._http_timeout()  # type: ignore[assignment]  # httpx takes per-phase timeouts
        kwargs: dict[str, Any] = {**call.kwargs, "stream": True}
        # The client makes its Hub lookups and opens the stream inside this call: the scope makes
        # every one of those requests carry exactly this visitor's token, or none (playground.hf.outbound).
        guard = None if local_url else self._guard(request.model)
        with run_scope(client_token, endpoint=local_url is not None or is_endpoint_url(request.model), guard=guard):
            stream, progress.ignored_params = call_without_refused(getattr(client, call.method), kwargs, client.model)
        return pieces(client, stream, chat_piece if call.method == "chat_completion" else tgi_piece)

    def _open_openai_stream(self, request: GenerationRequest, token: str | None, info: ServerInfo,
                            progress: _Progress) -> Iterator[Piece]:
        """An OpenAI-compatible endpoint, through the `openai` package (`playground.endpoint.openai_stream`)."""
        served = request.served_model or (info.models[0] if info.models else "")
        call = openai_call(request, served)
        route = "/v1/chat/completions" if call.method == OPENAI_CHAT else "/v1/completions"
        progress.route = f"POST {route} (model {served!r}; the server lists {', '.join(info.models) or 'none'})"
        http_client = endpoint_client(self._http_timeout(), response_hooks=[record_response])
        try:
            with run_scope(token, endpoint=True, guard=self._guard(request.model)):
                stream = openai_stream.open_stream(api_base(request.model), call, http_client)
        except BaseException:
            http_client.close()
            raise
        return pieces(http_client, stream, chat_piece if call.method == OPENAI_CHAT else completion_piece)

    def _http_timeout(self) -> httpx2.Timeout:
        return httpx2.Timeout(self.first_token_timeout + READ_TIMEOUT_MARGIN, connect=CONNECT_TIMEOUT)

    def _wait_before_retry(self, error: e.RetryableError, progress: _Progress, cancel: threading.Event) -> Iterator[Waiting]:
        elapsed = self.clock.now() - progress.started
        wait = self.policy.next_wait(error, progress.attempts, elapsed)
        if wait is None and isinstance(error, e.RateLimitedError):
            raise error  # the server's Retry-After lies beyond the deadline: say so, not "timed out"
        if wait is None:
            raise e.TimedOutError(f"gave up after {elapsed:.0f} s and {progress.attempts} attempts: {error.detail}") from error
        wait_ends = self.clock.now() + wait
        # Not `> 0`: a float remainder too small to move the clock would loop for ever.
        while (left := wait_ends - self.clock.now()) > _TIME_EPSILON:
            yield self._waiting(error, progress, left, wait)
            if self.clock.sleep(min(TICK, left), cancel):
                return

    def _waiting(self, error: e.RetryableError, progress: _Progress, left: float, wait: float) -> Waiting:
        waited = self.clock.now() - progress.started
        return Waiting(
            attempt=progress.attempts + 1,
            reason=wait_reason(error),
            seconds_left=left,
            wait_length=wait,
            waited=waited,
            deadline_left=max(0.0, self.policy.deadline - waited),
            estimate=error.retry_after,
            detail=error.detail,
        )

    def _stats(self, request: GenerationRequest, progress: _Progress) -> RunStats:
        first = progress.first_token_at
        return RunStats(
            time_to_first_token=None if first is None else first - progress.started,
            total_time=self.clock.now() - progress.started,
            tokens=progress.tokens,
            seed=request.params.seed,
            attempts=progress.attempts,
            ignored_params=progress.ignored_params,
            usage=progress.usage,
        )


def _endpoint_words(request: GenerationRequest, progress: _Progress, error: e.PlaygroundError) -> e.PlaygroundError:
    """An endpoint URL's 404 or 405 is a missing route (or a served model refused), never "check the
    spelling of the model ID": NoRouteError, naming the URL and what was tried."""
    if not progress.route or error.status not in (404, 405) or not isinstance(error, (e.ModelNotFoundError, e.ServerError)):
        return error
    url = request.model if len(request.model) <= 120 else request.model[:119] + "…"
    detail = f"no TGI or OpenAI route at {url} answered (tried {progress.route}): {error.detail}"
    return e.NoRouteError(detail, status=error.status, request_id=error.request_id)


def _tgi_route(request: GenerationRequest, info: ServerInfo | None) -> str:
    """What a run of an endpoint URL that is not OpenAI-compatible tries, for a 404's words."""
    looked = f"{', '.join(info.tried)}, then " if info is not None else ""
    post = "POST /v1/chat/completions" if request.mode is Mode.CHAT else "POST to the URL (TGI)"
    return looked + post
