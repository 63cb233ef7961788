"""The retry policy: which failures are retried, and how long to wait before the next attempt.

Pure decisions, no sleeping, so it is tested with plain numbers. Waits follow the server's own
hint when it gives one (`estimated_time`, `Retry-After`), else a capped exponential backoff; no
wait may run past the run's total deadline.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground import errors as e
from playground.inference.events import WaitReason

_REASONS: dict[type[e.RetryableError], WaitReason] = {
    e.ModelLoadingError: WaitReason.LOADING,
    e.RateLimitedError: WaitReason.BUSY,
    e.ServiceUnavailableError: WaitReason.UNAVAILABLE,
    e.ConnectionFailedError: WaitReason.UNREACHABLE,
}


@dataclass(frozen=True)
class RetryPolicy:
    deadline: float = 300.0
    first_delay: float = 1.0
    max_delay: float = 30.0
    min_delay: float = 0.1

    def next_wait(self, error: e.RetryableError, attempt: int, elapsed: float) -> float | None:
        """Seconds to wait after failed attempt number `attempt` (1-based), or None to give up."""
        wait = error.retry_after if error.retry_after is not None else self._backoff(attempt)
        left = self.deadline - elapsed
        if left < self.min_delay:
            return None
        # The last wait is shortened to end at the deadline, so one more attempt is made there.
        return min(max(wait, self.min_delay), self.max_delay, left)

    def _backoff(self, attempt: int) -> float:
        return self.first_delay * 2 ** (attempt - 1)


def wait_reason(error: e.RetryableError) -> WaitReason:
    return _REASONS.get(type(error), WaitReason.UNAVAILABLE)
