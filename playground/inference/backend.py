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
from playground.hf.address_guard import guard_for
from playground.hf.outbound import run_scope
from playground.hf.refused_params import call_without_refused
from playground.inference.clock import NOTHING, Clock, SystemClock
from playground.inference.events import Done, Event, RunStats, Silence, Token, Usage, Waiting
from playground.inference.http_errors import is_dropped_connection, to_playground_error
from playground.inference.probabilities import TokenOdds, chat_odds, tgi_odds
from playground.inference.retry import RetryPolicy, wait_reason
from playground.inference.stream_reader import Ended, Failed, StreamReader
from playground.input.model_ref import Resolver, is_endpoint_url
from playground.input.policy import check_policy_use
from playground.input.request import GenerationRequest, client_call

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


@dataclass(frozen=True)
class _Piece:
    """One streamed item: its text (and a chat delta's separate reasoning field), whether it is
    the model's final event, and the run's token counts if the item carries them."""

    text: str
    final: bool = False
    reasoning: str = ""
    usage: Usage | None = None
    odds: tuple[TokenOdds, ...] = ()


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
                reader: StreamReader[_Piece]) -> Iterator[Event]:
        while not cancel.is_set():
            try:
                yield from self._stream_once(reader, progress, cancel)
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

    def _start(self, request: GenerationRequest, token: str | None, progress: _Progress) -> StreamReader[_Piece]:
        """One attempt's stream, opened and read in a worker thread (playground.inference.stream_reader)."""
        return StreamReader(lambda: self._open_stream(request, token, progress)).start()

    def _stream_once(self, reader: StreamReader[_Piece], progress: _Progress, cancel: threading.Event) -> Iterator[Token | Silence]:
        try:
            yield from self._read(reader, progress, cancel)
        except e.PlaygroundError:
            raise
        except Exception as exc:  # every failure leaves here typed; see http_errors
            if progress.tokens and is_dropped_connection(exc):
                raise e.CutOffError(f"the connection was closed after {progress.tokens} tokens, before the model's final event") from exc
            raise to_playground_error(exc) from exc
        finally:
            reader.close()  # also on Stop (GeneratorExit): the worker's socket is shut down now

    def _read(self, reader: StreamReader[_Piece], progress: _Progress, cancel: threading.Event) -> Iterator[Token | Silence]:
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

    def _open_stream(self, request: GenerationRequest, token: str | None, progress: _Progress) -> Iterator[_Piece]:
        """Runs in the stream reader's worker thread."""
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
        guard = None if local_url else guard_for(request.model, self.on_space, self.endpoint_allowlist, self.resolver)
        with run_scope(client_token, endpoint=local_url is not None or is_endpoint_url(request.model), guard=guard):
            stream, progress.ignored_params = call_without_refused(getattr(client, call.method), kwargs, client.model)
        return _pieces(client, stream, chat=call.method == "chat_completion")

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


def _pieces(client: InferenceClient, stream: Iterator, chat: bool) -> Iterator[_Piece]:
    """Each streamed item as a piece; closes the HTTP stream when the caller stops early (Stop).

    Holds `client` until the end: once the client is garbage-collected its stream is closed.
    """
    try:
        for item in stream:
            yield _chat_piece(item) if chat else _tgi_piece(item)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        client.close()  # the client keeps streamed responses open until closed


def _tgi_piece(item: Any) -> _Piece:
    if isinstance(item, str):  # `details` was refused: plain text, and no final event to see
        return _Piece(item, final=True)
    odds = tgi_odds(item)
    return _Piece(item.token.text, final=item.generated_text is not None, odds=(odds,) if odds else ())


def _chat_piece(item: Any) -> _Piece:
    usage = _usage(item.usage) if getattr(item, "usage", None) else None
    if not item.choices:  # e.g. the last chunk that `stream_options={"include_usage": true}` asks for
        return _Piece("", usage=usage)
    choice = item.choices[0]
    delta = choice.delta
    # `reasoning_content` (DeepSeek, vLLM, llama.cpp) is not a declared field: huggingface_hub keeps
    # unknown fields as attributes. `reasoning` is declared (OpenRouter-style providers).
    reasoning = getattr(delta, "reasoning_content", None) or getattr(delta, "reasoning", None)
    return _Piece(delta.content or "", final=choice.finish_reason is not None,
                  reasoning=reasoning if isinstance(reasoning, str) else "", usage=usage, odds=chat_odds(choice.logprobs))


def _usage(usage: Any) -> Usage:
    details = getattr(usage, "completion_tokens_details", None)
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else getattr(details, "reasoning_tokens", None)
    return Usage(
        prompt_tokens=_count(getattr(usage, "prompt_tokens", None)),
        completion_tokens=_count(getattr(usage, "completion_tokens", None)),
        reasoning_tokens=_count(reasoning),
    )


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
