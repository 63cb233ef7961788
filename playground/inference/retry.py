"""The retry policy: which failures are retried, and how long to wait before the next attempt.

Pure decisions, no sleeping, so it is tested with plain numbers. A wait is an exponential backoff
with jitter (1, 2, 4 … 30 s, each spread by ±20 % so that many visitors don't retry in step),
never shorter than `min_delay` (1 s) whatever the server says, and never shorter than the server's
own hint (`estimated_time`, `Retry-After`) when that is longer. No wait runs past the run's total
deadline: a loading model's last wait is shortened to end there, for one last attempt; a rate limit
whose Retry-After lies beyond the deadline is given up at once, since retrying sooner is refused.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from playground import errors as e
from playground.inference.events import WaitReason

_REASONS: dict[type[e.RetryableError], WaitReason] = {
    e.ModelLoadingError: WaitReason.LOADING,
    e.RateLimitedError: WaitReason.BUSY,
    e.ServiceUnavailableError: WaitReason.UNAVAILABLE,
    e.ConnectionFailedError: WaitReason.UNREACHABLE,
}
_LAST_MOMENT = 0.1  # seconds: with less left before the deadline, no attempt is worth making


@dataclass(frozen=True)
class RetryPolicy:
    deadline: float = 300.0
    first_delay: float = 1.0  # the backoff's first wait; it doubles with each attempt
    max_delay: float = 30.0  # the backoff's ceiling (a longer server hint is still honoured)
    min_delay: float = 1.0  # the floor: an `estimated_time: 0` must not turn retries into a flood
    jitter: float = 0.2  # each backoff wait is spread by ± this fraction
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)  # in [0, 1)

    def next_wait(self, error: e.RetryableError, attempt: int, elapsed: float) -> float | None:
        """Seconds to wait after failed attempt number `attempt` (1-based), or None to give up."""
        left = self.deadline - elapsed
        hint = error.retry_after or 0.0
        if left < _LAST_MOMENT or (isinstance(error, e.RateLimitedError) and hint > left):
            return None
        return min(max(self._backoff(attempt), hint, self.min_delay), left)

    def _backoff(self, attempt: int) -> float:
        base = min(self.first_delay * 2 ** (attempt - 1), self.max_delay)
        return base * (1 + self.jitter * (2 * self.random() - 1))


def wait_reason(error: e.RetryableError) -> WaitReason:
    return _REASONS.get(type(error), WaitReason.UNAVAILABLE)
