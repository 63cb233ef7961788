"""Time, behind a small interface so the retry loop and the timeouts can be tested with a fake clock."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

T = TypeVar("T")
NOTHING = object()  # what `take` returns when no item came in time


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        """Sleeps up to `seconds`; returns True if `cancel` was set meanwhile."""
        ...

    def take(self, items: queue.Queue[T], seconds: float) -> T | object:
        """The next item of `items`, waiting up to `seconds`; NOTHING if none came."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        return cancel.wait(seconds)

    def take(self, items: queue.Queue[T], seconds: float) -> T | object:
        try:
            return items.get(timeout=seconds)
        except queue.Empty:
            return NOTHING


# Gradio closes a generator (Stop, a new press, a visitor leaving) only between two of its items:
# an event that yields at least every 0.5 s is closed at once.
HEARTBEAT_SECONDS = 0.2


@dataclass
class Heartbeat:
    """For an event that yields only what changed: `due()` says when to yield anyway (an unchanged
    value, which Gradio sends as nothing). Asked at least every 0.25 s (the backend's ticks, the
    scheduler's batches), it never lets its event stay quiet for 0.5 s."""

    every: float = HEARTBEAT_SECONDS
    last: float = field(default_factory=time.monotonic)

    def beat(self) -> None:
        self.last = time.monotonic()

    def due(self) -> bool:
        """True (and counted as a beat) once `every` seconds have passed since the last beat."""
        if time.monotonic() - self.last < self.every:
            return False
        self.beat()
        return True
