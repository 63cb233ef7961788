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
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from playground.inference.events import Done, Token

E = TypeVar("E")


def coalesce(events: Iterator[E], interval: float, now: Callable[[], float] = time.monotonic) -> Iterator[E | Token]:
    """`events` with consecutive Tokens merged into at most one Token per `interval` seconds.

    `interval` 0 passes every event through unchanged. Exceptions from `events` propagate after
    any held text has been yielded.
    """
    if interval <= 0:
        yield from events
        return
    held: list[str] = []
    sent_at = -float("inf")  # when the last Token left: the first token never waits
    try:
        for event in events:
            if isinstance(event, Token):
                held.append(event.text)
            at = now()
            if held and (at - sent_at >= interval or isinstance(event, Done)):
                sent_at = at
                yield Token("".join(held))
                held.clear()
            if not isinstance(event, Token):
                yield event
        if held:
            yield Token("".join(held))
    except Exception:
        if held:  # the text streamed so far stays on screen next to the error
            yield Token("".join(held))
        raise
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()  # Stop: the backend's HTTP stream ends now, not when garbage-collected
