"""Time, behind a small interface so the retry loop and the timeouts can be tested with a fake clock."""

from __future__ import annotations

import queue
import threading
import time
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
