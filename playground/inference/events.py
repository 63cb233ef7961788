"""What a run reports, in order: any number of Waiting and Silence, then Tokens (Silence between
them), then one Done.

The UI only renders these; it never decides anything about retries or timeouts itself.

Heartbeat: while a model stream is open, the backend yields a `Silence` every `backend.TICK`
(0.25 s) in which no token arrived, and a `Waiting` every tick of a retry wait. So a consumer
that batches tokens (flushing pending text on whichever event comes next) is never left holding
text for longer than a tick. A Silence is cheap to make and to skip.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from playground.inference.probabilities import TokenOdds


class WaitReason(str, Enum):
    LOADING = "Model is loading"
    BUSY = "Busy or rate-limited, waiting its turn"
    UNAVAILABLE = "Service is briefly unavailable"
    UNREACHABLE = "Server cannot be reached"


@dataclass(frozen=True)
class Waiting:
    """A retry wait in progress: `seconds_left` of this wait, `waited` so far in the whole run."""

    attempt: int
    reason: WaitReason
    seconds_left: float
    wait_length: float
    waited: float
    deadline_left: float
    estimate: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class Silence:
    """The stream is open and the model sends nothing: `seconds` since the request was sent (before
    the first token) or since the last token. The run fails with TimedOutError at `limit` seconds
    (PLAYGROUND_FIRST_TOKEN_TIMEOUT). Also the heartbeat: see the module docstring."""

    seconds: float
    first_token: bool
    limit: float


@dataclass(frozen=True)
class Token:
    """One streamed piece. `reasoning` is a chat delta's separate reasoning field
    (`reasoning_content` or `reasoning`); `<think>` tags inside `text` are split out later, in one
    place (`playground.chat.reasoning`). `odds`: the probabilities of the tokens in `text`, when the
    run asked for them and the model sent them (coalescing joins several tokens' odds)."""

    text: str
    reasoning: str = ""
    odds: tuple[TokenOdds, ...] = ()


@dataclass(frozen=True)
class Usage:
    """Token counts the server reported for the whole run (the stream's `usage`), if it did."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None


@dataclass(frozen=True)
class RunStats:
    time_to_first_token: float | None
    total_time: float
    tokens: int
    seed: int | None
    attempts: int
    # Parameters the model refused ("model_kwargs are not used") and the run was sent without.
    ignored_params: tuple[str, ...] = ()
    usage: Usage | None = None

    @property
    def tokens_per_second(self) -> float | None:
        """Decode speed: tokens after the first, over the time after the first."""
        if self.time_to_first_token is None or self.tokens < 2:
            return None
        span = self.total_time - self.time_to_first_token
        return (self.tokens - 1) / span if span > 0 else None

    def record(self) -> dict[str, float | int | None]:
        """The stats as plain numbers, as the history keeps them; token usage where the run reported or estimated it."""
        record = {"time_to_first_token": self.time_to_first_token, "total_time": self.total_time, "tokens": self.tokens,
                  "tokens_per_second": self.tokens_per_second, "attempts": self.attempts}
        if self.usage is not None:
            record |= {"prompt_tokens": self.usage.prompt_tokens, "completion_tokens": self.usage.completion_tokens}
        return record


@dataclass(frozen=True)
class Done:
    stats: RunStats


Event = Waiting | Silence | Token | Done
