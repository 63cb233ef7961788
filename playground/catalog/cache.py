"""A small time-to-live cache shared by every visitor of the app.

Lookups of public model facts (Hub search, the router's model list) are the same for everyone, so
fifty visitors searching "llama" within a few minutes must cause one Hub call, not fifty. Two
things make that hold: answers are kept for `ttl` seconds, and visitors asking for the same key
while the first call is still running wait for that call instead of making their own.

Failures are not cached: the next visitor tries again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
MAX_ENTRIES = 512  # bounds memory when visitors search many different texts


@dataclass
class TtlCache(Generic[T]):
    ttl: float
    now: Callable[[], float] = time.monotonic
    _values: dict[Hashable, tuple[float, T]] = field(default_factory=dict)
    _key_locks: dict[Hashable, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The cached value for `key`, or `load()`'s, kept for `ttl` seconds. Raises what `load` raises."""
        if (hit := self._fresh(key)) is not None:
            return hit[1]
        with self._key_lock(key):
            if (hit := self._fresh(key)) is not None:  # another visitor loaded it while we waited
                return hit[1]
            value = load()
            self._store(key, value)
            return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def _fresh(self, key: Hashable) -> tuple[float, T] | None:
        with self._lock:
            hit = self._values.get(key)
        if hit is None or self.now() - hit[0] >= self.ttl:
            return None
        return hit

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def _store(self, key: Hashable, value: T) -> None:
        with self._lock:
            if len(self._values) >= MAX_ENTRIES:
                self._drop_oldest()
            self._values[key] = (self.now(), value)

    def _drop_oldest(self) -> None:
        oldest = sorted(self._values, key=lambda k: self._values[k][0])[: MAX_ENTRIES // 4]
        for key in oldest:
            self._values.pop(key, None)
            self._key_locks.pop(key, None)
