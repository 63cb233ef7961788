"""Replay: play a recorded answer back at its recorded pace, sending no request.

The history keeps each run's output and stats (time to first token, total time, token count). A
replay waits the first-token time, then releases the text in as many pieces as the run had tokens,
at the recorded token rate. Long runs are sped up evenly so a replay takes at most
MAX_REPLAY_SECONDS: a 60 s run replays in 15 s. A replay is never a live run: the UI labels it
("Replay of <model>, <date>") and never records it in the history.

    plan = replay_plan(entry.output, entry.stats)
    for text in play(plan, clock, cancel): show(text)      # the text so far, piece by piece

A run kept with its token probabilities replays token by token (`tokens`: the recorded tokens'
texts), and `tokens_shown` says how many of them the text so far holds, for the tinted view.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

from playground.inference.clock import Clock

MAX_REPLAY_SECONDS = 15.0
MIN_STEP_SECONDS = 0.05  # faster than this, pieces are grouped: a page can't show 1000 updates a second
MAX_RECORDED_SECONDS = 24 * 3600.0  # stats come from the browser: anything larger is not a real run


@dataclass(frozen=True)
class ReplayPlan:
    pieces: tuple[str, ...]
    first_delay: float  # seconds before the first piece
    step_delay: float  # seconds between pieces
    speedup: float  # 1.0 at the recorded pace; 4.0 when a 60 s run is squeezed into 15 s

    @property
    def duration(self) -> float:
        return self.first_delay + self.step_delay * max(0, len(self.pieces) - 1)


def replay_plan(output: str, stats: Mapping[str, object], max_seconds: float = MAX_REPLAY_SECONDS,
                tokens: Sequence[str] = ()) -> ReplayPlan:
    """The schedule for `output`, from the recorded `stats` (missing or odd values count as 0).
    `tokens`: the recorded tokens' texts; when they make up `output`, they are the pieces."""
    first = _seconds(stats.get("time_to_first_token"))
    total = max(_seconds(stats.get("total_time")), first)
    if tokens and "".join(tokens) == output:
        pieces = tuple(tokens)
    else:
        count = _count(stats.get("tokens")) or len(output.split())
        pieces = split_pieces(output, max(1, min(count, len(output))))
    speedup = total / max_seconds if total > max_seconds else 1.0
    step = (total - first) / speedup / (len(pieces) - 1) if len(pieces) > 1 else 0.0
    if 0 < step < MIN_STEP_SECONDS:
        group = math.ceil(MIN_STEP_SECONDS / step)
        pieces = tuple("".join(pieces[i : i + group]) for i in range(0, len(pieces), group))
        step *= group
    return ReplayPlan(pieces=pieces, first_delay=first / speedup, step_delay=step, speedup=speedup)


def play(plan: ReplayPlan, clock: Clock, cancel: threading.Event | None = None) -> Iterator[str]:
    """The text so far after each piece; stops quietly when `cancel` is set."""
    cancel = cancel or threading.Event()
    text = ""
    for index, piece in enumerate(plan.pieces):
        if clock.sleep(plan.first_delay if index == 0 else plan.step_delay, cancel):
            return
        text += piece
        yield text


def tokens_shown(tokens: Sequence[str], length: int) -> int:
    """How many of the recorded tokens (a prefix of the answer) the first `length` characters hold."""
    return bisect_right(list(accumulate(len(token) for token in tokens)), length)


def split_pieces(text: str, count: int) -> tuple[str, ...]:
    """`text` cut into `count` pieces of near-equal length (tokens were not stored, only their number)."""
    if not text:
        return ("",)
    count = max(1, min(count, len(text)))
    bounds = [round(i * len(text) / count) for i in range(count + 1)]
    return tuple(text[bounds[i] : bounds[i + 1]] for i in range(count))


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        return 0.0
    return min(float(value), MAX_RECORDED_SECONDS)


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        return 0
    return int(min(value, 1_000_000))
