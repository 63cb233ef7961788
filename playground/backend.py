"""The only module that calls InferenceClient: builds the call, streams it, retries what is transient.

`Backend.run` is a generator of events (see `playground.events`). Retrying stops for good as soon
as the first token has arrived: a half-streamed answer is never silently replaced by another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from huggingface_hub import InferenceClient

from playground import errors as e
from playground.clock import Clock, SystemClock
from playground.events import Done, Event, RunStats, Token, Usage, Waiting
from playground.http_errors import to_playground_error
from playground.model_ref import is_endpoint_url
from playground.request import GenerationRequest, client_call
from playground.retry import RetryPolicy, wait_reason

TICK = 0.25  # seconds between countdown updates while waiting; also how fast Stop takes effect


@dataclass
class _Progress:
    started: float
    first_token_at: float | None = None
    tokens: int = 0
    attempts: int = 0
    usage: Usage | None = None


@dataclass
class Backend:
    """`resolve_url` turns a built-in model name (the local model) into its server URL, or returns None."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Clock = field(default_factory=SystemClock)
    resolve_url: Callable[[str], str | None] = lambda model: None

    def run(self, request: GenerationRequest, token: str | None, cancel: threading.Event | None = None) -> Iterator[Event]:
        """Yields Waiting*, Token*, Done. Raises a PlaygroundError subclass on failure; returns
        quietly, without Done, if `cancel` is set."""
        cancel = cancel or threading.Event()
        progress = _Progress(started=self.clock.now())
        while not cancel.is_set():
            progress.attempts += 1
            try:
                yield from self._stream_once(request, token, progress, cancel)
                break
            except e.RetryableError as error:
                if progress.tokens:
                    raise
                yield from self._wait_before_retry(error, progress, cancel)
        if not cancel.is_set():
            yield Done(self._stats(request, progress))

    def _stream_once(self, request: GenerationRequest, token: str | None, progress: _Progress, cancel: threading.Event) -> Iterator[Token]:
        try:
            for piece in self._open_stream(request, token):
                if cancel.is_set():
                    return
                if isinstance(piece, Usage):
                    progress.usage = piece
                    continue
                if not piece.text and not piece.reasoning:
                    continue
                progress.tokens += 1
                progress.first_token_at = progress.first_token_at or self.clock.now()
                yield piece
        except Exception as exc:  # every failure leaves here typed; see http_errors
            raise to_playground_error(exc) from exc

    def _open_stream(self, request: GenerationRequest, token: str | None) -> Iterator[Token | Usage]:
        local_url = self.resolve_url(request.model)
        if local_url is None and not is_endpoint_url(request.model) and not token:
            raise e.MissingTokenError("hosted models need a Hugging Face token")
        call = client_call(request)
        client = InferenceClient(model=local_url or request.model, provider=request.provider, token=None if local_url else token)  # type: ignore[arg-type]
        stream = getattr(client, call.method)(**call.kwargs, stream=True)
        return _texts(client, stream, chat=call.method == "chat_completion")

    def _wait_before_retry(self, error: e.RetryableError, progress: _Progress, cancel: threading.Event) -> Iterator[Waiting]:
        elapsed = self.clock.now() - progress.started
        wait = self.policy.next_wait(error, progress.attempts, elapsed)
        if wait is None:
            raise e.TimedOutError(f"gave up after {elapsed:.0f} s and {progress.attempts} attempts: {error.detail}") from error
        wait_started = self.clock.now()
        while (left := wait - (self.clock.now() - wait_started)) > 0:
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
            usage=progress.usage,
        )


def _texts(client: InferenceClient, stream: Iterator, chat: bool) -> Iterator[Token | Usage]:
    """Each streamed item as a Token (a chat delta's text and reasoning fields), and the chat
    stream's `usage` when it sends one; closes the HTTP stream when the caller stops early (Stop).

    Holds `client` until the end: once the client is garbage-collected its stream is closed.
    """
    try:
        for item in stream:
            if not chat:
                yield Token(item)
                continue
            if item.choices:
                yield _delta_token(item.choices[0].delta)
            if getattr(item, "usage", None):
                yield _usage(item.usage)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        client.close()  # the client keeps streamed responses open until closed


def _delta_token(delta: object) -> Token:
    # `reasoning_content` (DeepSeek, vLLM, llama.cpp) is not a declared field: huggingface_hub keeps
    # unknown fields as attributes. `reasoning` is declared (OpenRouter-style providers).
    reasoning = getattr(delta, "reasoning_content", None) or getattr(delta, "reasoning", None)
    return Token(getattr(delta, "content", None) or "", reasoning if isinstance(reasoning, str) else "")


def _usage(usage: object) -> Usage:
    details = getattr(usage, "completion_tokens_details", None)
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else getattr(details, "reasoning_tokens", None)
    return Usage(
        prompt_tokens=_count(getattr(usage, "prompt_tokens", None)),
        completion_tokens=_count(getattr(usage, "completion_tokens", None)),
        reasoning_tokens=_count(reasoning),
    )


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and value >= 0 else None
