"""Time, behind a small interface so the retry loop can be tested with a fake clock."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        """Sleeps up to `seconds`; returns True if `cancel` was set meanwhile."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        return cancel.wait(seconds)
