"""How many runs may stream at once: at most `per_visitor` runs of one visitor session
(PLAYGROUND_RUNS_PER_VISITOR) and at most `max_streams` in the whole process (PLAYGROUND_MAX_STREAMS).

The scheduler takes a slot before it starts a run's thread and gives it back when the run ends. A run
that gets no slot waits its turn without a thread of its own, and Stop ends it at once (it was never
started). `SLOTS` is the one registry of the process: the stream cap is the process's, and one visitor's
Compare and Sweep runs count together. It also knows each session's running batches, so leaving the
page (`end_session`) stops them. A session with nothing in flight takes no room here.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum

from playground.config import DEFAULT_MAX_STREAMS, DEFAULT_RUNS_PER_VISITOR, Settings


class Turn(str, Enum):
    """Why a run waits its turn."""

    LOCAL = "local"  # the built-in model answers one request at a time
    MODEL = "model"  # at most so many runs of one model per comparison or sweep
    VISITOR = "visitor"  # at most PLAYGROUND_RUNS_PER_VISITOR runs of one session
    SERVER = "server"  # at most PLAYGROUND_MAX_STREAMS streams in the process


@dataclass(frozen=True)
class Limits:
    per_visitor: int = DEFAULT_RUNS_PER_VISITOR
    max_streams: int = DEFAULT_MAX_STREAMS

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.runs_per_visitor, settings.max_streams)

    def of(self, turn: Turn) -> int:
        """The number behind a VISITOR or SERVER wait."""
        return self.per_visitor if turn is Turn.VISITOR else self.max_streams


class Slots:
    """Counts the runs in flight, per session and in all; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken: dict[str, int] = {}
        self._total = 0
        self._cancels: dict[str, set[threading.Event]] = {}

    def take(self, session: str, limits: Limits) -> Turn | None:
        """Takes a slot for one run of `session`: None when taken, else the limit that is full."""
        with self._lock:
            if self._taken.get(session, 0) >= limits.per_visitor:
                return Turn.VISITOR
            if self._total >= limits.max_streams:
                return Turn.SERVER
            self._taken[session] = self._taken.get(session, 0) + 1
            self._total += 1
            return None

    def give_back(self, session: str) -> None:
        with self._lock:
            left = self._taken.get(session, 0) - 1
            if left > 0:
                self._taken[session] = left
            else:
                self._taken.pop(session, None)
            self._total = max(0, self._total - 1)

    def in_flight(self, session: str | None = None) -> int:
        with self._lock:
            return self._total if session is None else self._taken.get(session, 0)

    def watch(self, session: str, cancel: threading.Event) -> None:
        """Registers a running batch's cancel flag, which `end_session` sets."""
        with self._lock:
            self._cancels.setdefault(session, set()).add(cancel)

    def forget(self, session: str, cancel: threading.Event) -> None:
        with self._lock:
            flags = self._cancels.get(session)
            if flags is not None:
                flags.discard(cancel)
                if not flags:
                    del self._cancels[session]

    def end_session(self, session: str) -> None:
        """The visitor left: every batch of runs of theirs stops within a tick."""
        with self._lock:
            flags = list(self._cancels.get(session, ()))
        for cancel in flags:
            cancel.set()

    def sessions(self) -> int:
        """Sessions with runs in flight or batches running (what this registry holds)."""
        with self._lock:
            return len(self._taken.keys() | self._cancels.keys())


SLOTS = Slots()


@dataclass(frozen=True)
class Visitor:
    """Whose runs these are: a Gradio session hash (a fresh one stands alone) and the limits."""

    session: str = field(default_factory=lambda: f"alone-{uuid.uuid4().hex}")
    limits: Limits = field(default_factory=Limits)
    slots: Slots = SLOTS


def visitor_for(session: str | None, limits: Limits) -> Visitor:
    """The runs of a Gradio session (`session_hash`); without one, a visitor of their own."""
    return Visitor(session, limits) if session else Visitor(limits=limits)


@contextmanager
def ended_with_session(session: str | None, slots: Slots = SLOTS) -> Iterator[threading.Event]:
    """A cancel flag for one run of `session` (a Gradio session hash), set when the visitor leaves
    the page (`Slots.end_session`, from the page's unload event). Without a session, a flag no one sets."""
    cancel = threading.Event()
    if session is None:
        yield cancel
        return
    slots.watch(session, cancel)
    try:
        yield cancel
    finally:
        slots.forget(session, cancel)
