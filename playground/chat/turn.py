"""One chat turn, run: the fit check, the streamed answer split from its reasoning, and the finished
turn's tokens, cost, schema verdict and history entry, reported as events for a UI to draw.

`run_turn` yields, in order:

    DoesNotFit                 the conversation can't fit the model's context (nothing is sent), or
    Started                    the request is on its way, then
    Waiting | Silence          the backend's own, passed through, between
    Answering                  the conversation with its answer so far (at most one per interval), and
    Finished | Failed          the end: the whole turn, or the error with what to show instead.

Every streamed token goes through the reasoning splitter (`playground.chat.reasoning`), so its counts
are per token; the page updates are paced by `playground.inference.coalesce`, like Completion's: the
first answer at once, then at most one per interval, held ones leaving with the next heartbeat.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Protocol

from playground import errors as e
from playground.chat.context import Fit, check_fit
from playground.chat.conversation import Answer, Conversation
from playground.chat.facts import ModelFacts
from playground.chat.reasoning import ReplySplitter, SplitReply
from playground.chat.structured import Verdict, check_answer
from playground.chat.usage import RunTokens, run_cost, run_tokens
from playground.inference.coalesce import coalesce, newest
from playground.inference.events import Done, Event, RunStats, Silence, Token, Waiting
from playground.inference.probabilities import TokenOdds, bounded
from playground.input.request import GenerationRequest
from playground.input.response_format import ResponseFormat, parse_schema
from playground.saved.history import new_entry


class ChatBackend(Protocol):
    def run(self, request: GenerationRequest, token: str | None) -> Iterator[Event]: ...


class CancellableBackend(Protocol):
    def run(self, request: GenerationRequest, token: str | None, cancel: threading.Event | None = None) -> Iterator[Event]: ...


@dataclass(frozen=True)
class EndedBy:
    """A ChatBackend whose runs end quietly once `cancel` is set (the visitor left the page)."""

    backend: CancellableBackend
    cancel: threading.Event

    def run(self, request: GenerationRequest, token: str | None) -> Iterator[Event]:
        return self.backend.run(request, token, self.cancel)


@dataclass(frozen=True)
class DoesNotFit:
    """The conversation and room for the answer exceed the model's context; nothing was sent."""

    fit: Fit


@dataclass(frozen=True)
class Started:
    """The conversation fits (or its fit is unknown) and is being sent."""

    conversation: Conversation


@dataclass(frozen=True)
class Answering:
    """The conversation with its answer so far; `thinking` while the model is still reasoning."""

    conversation: Conversation
    thinking: bool


@dataclass(frozen=True)
class Finished:
    """The turn, done: the conversation with the whole answer, the run's stats, its tokens and
    cost (None when the price is unknown), the response format's verdict (None for Text) and the
    history entry (plain JSON)."""

    conversation: Conversation
    stats: RunStats
    tokens: RunTokens
    cost: float | None
    verdict: Verdict | None
    entry: dict[str, Any]
    odds: tuple[TokenOdds, ...] = ()  # token probabilities, when asked for and sent


@dataclass(frozen=True)
class Failed:
    """The run failed. `conversation` is what to show: the answer so far if any text arrived
    (`kept_answer`), else the conversation as it was before the run."""

    error: e.PlaygroundError
    conversation: Conversation
    kept_answer: bool


TurnEvent = DoesNotFit | Started | Waiting | Silence | Answering | Finished | Failed


def run_turn(backend: ChatBackend, request: GenerationRequest, token: str | None, before: Conversation,
             asked: Conversation, facts: ModelFacts, update_interval: float = 0.0,
             now: Callable[[], float] = time.monotonic) -> Iterator[TurnEvent]:
    """Runs the answer to `asked` (a conversation ending with an unanswered message) as `request`.
    `before` is what a failure with no text shows. Never raises a PlaygroundError: it ends in Failed."""
    fit = check_fit(asked, facts.context_length, request.params.max_new_tokens)
    if fit is not None and not fit.fits:
        yield DoesNotFit(fit)
        return
    yield Started(asked)
    progress = _progress(backend, request, token, before, asked, facts, now)
    with closing(coalesce(progress, update_interval, now, piece=Answering, merge=newest)) as events:
        for event in events:
            yield event
            if isinstance(event, (Finished, Failed)):
                return  # it shows the whole conversation: an answer still held is out of date


def _progress(backend: ChatBackend, request: GenerationRequest, token: str | None, before: Conversation,
              asked: Conversation, facts: ModelFacts, now: Callable[[], float]) -> Iterator[TurnEvent]:
    """The backend's events as the turn's, one Answering per token, unpaced."""
    splitter = ReplySplitter(started=now())
    current = asked
    odds: list[TokenOdds] = []
    run: Iterator[Event] | None = None
    try:
        run = backend.run(request, token)
        for event in run:
            if isinstance(event, Token):
                splitter.feed(event.text, event.reasoning, now())
                odds += event.odds
                current = asked.answer(answer_of(splitter.reply))
                yield Answering(current, splitter.reply.thinking)
            elif isinstance(event, Done):
                reply = splitter.finish(now())
                current = asked.answer(answer_of(reply))
                yield finished_turn(request, current, reply, event.stats, facts, tuple(odds))
            else:
                yield event
    except e.PlaygroundError as error:
        reply = splitter.finish(now())
        kept = bool(reply.answer or reply.reasoning)
        yield Failed(error, current if kept else before, kept)
    finally:
        close = getattr(run, "close", None)
        if close is not None:
            close()  # Stop: the model's stream ends now, not when garbage-collected


def answer_of(reply: SplitReply) -> Answer:
    return Answer(reply.answer, reply.reasoning, reply.thinking_seconds)


def finished_turn(request: GenerationRequest, chat: Conversation, reply: SplitReply, stats: RunStats,
                  facts: ModelFacts, odds: tuple[TokenOdds, ...] = ()) -> Finished:
    """The finished turn's facts: tokens (reported, else estimated), cost, verdict and history entry."""
    tokens = run_tokens(stats.usage, chat.to_messages()[:-1], reply.answer, reply.reasoning, reply.thinking_tokens,
                        reply.answer_tokens)
    limit = request.params.max_new_tokens
    verdict = check_answer(reply.answer, request.response_format, _schema(request), limit if made_tokens(stats) >= limit else None)
    kept = bounded(odds)
    entry = new_entry(request, reply.answer, stats.record(), token_odds=kept).model_dump(mode="json")
    return Finished(chat, stats, tokens, run_cost(tokens, facts.price), verdict, entry, kept)


def made_tokens(stats: RunStats) -> int:
    """The tokens the model generated (reasoning included, as Max new tokens counts them): the
    server's count, else the streamed tokens."""
    reported = stats.usage.completion_tokens if stats.usage is not None else None
    return reported if reported is not None else stats.tokens


def _schema(request: GenerationRequest) -> dict | None:
    return parse_schema(request.json_schema) if request.response_format is ResponseFormat.JSON_SCHEMA else None
