"""Fewer, larger text updates for the page: a fast provider's tokens merged into one update per interval.

A page update costs the same whether it carries one token or forty (a queue message, a diff, a
repaint), so sending one per token shows a provider that streams a thousand tokens a second at a
fraction of its speed. `coalesce` sits between `Backend.run` and the UI:

    for event in coalesce(backend.run(request, token), interval=0.04):
        ...  # Token events now carry one or more tokens' text; everything else is unchanged

- the first token is passed on at once (time to first token does not change);
- after that, tokens are held and merged so that at most one Token leaves per `interval`; a token
  that arrives when the last update is at least `interval` old leaves at once, so a slow model's
  tokens are never delayed;
- held text leaves as soon as any event arrives after the interval has passed (the backend's
  periodic events bound how long it can wait), and always before a non-token event such as Done,
  and before an error propagates, so the last update carries the whole text;
- Done's stats come from the backend: they time the model, not the updates;
- closing the coalescer (Stop) closes the backend's stream at once.

What is merged is a choice: Tokens by default (their texts joined), or any other kind of piece with
its own `merge`. Chat mode merges its "answer so far" snapshots by keeping the newest
(`playground.chat.turn`), so its reasoning split still sees every token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from playground.inference.events import Done, Token

E = TypeVar("E")
P = TypeVar("P")


def joined(tokens: list[Token]) -> Token:
    """Tokens' merge: one Token with their texts, in order."""
    return Token("".join(token.text for token in tokens), odds=tuple(odds for token in tokens for odds in token.odds))


def newest(snapshots: list[P]) -> P:
    """Snapshots' merge: each holds everything so far, so the newest one stands for them all."""
    return snapshots[-1]


def coalesce(events: Iterator[E], interval: float, now: Callable[[], float] = time.monotonic,
             piece: type[P] = Token, merge: Callable[[list[P]], P] = joined) -> Iterator[E | P]:
    """`events` with consecutive `piece`s merged (by `merge`) into at most one per `interval` seconds.

    `interval` 0 passes every event through unchanged. Exceptions from `events` propagate after
    any held piece has been yielded.
    """
    if interval <= 0:
        yield from events
        return
    held: list[P] = []
    sent_at = -float("inf")  # when the last piece left: the first one never waits
    try:
        for event in events:
            if isinstance(event, piece):
                held.append(event)
            at = now()
            if held and (at - sent_at >= interval or isinstance(event, Done)):
                sent_at = at
                yield merge(held)
                held.clear()
            if not isinstance(event, piece):
                yield event
        if held:
            yield merge(held)
    except Exception:
        if held:  # the text streamed so far stays on screen next to the error
            yield merge(held)
        raise
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()  # Stop: the backend's HTTP stream ends now, not when garbage-collected
