"""Runs many requests through `Backend.run` at once and merges their events, tagged by job key.

Each started job runs in its own worker thread with its own retries and errors: a job that fails
reports `Failed` and the others go on. Politeness: at most `per_model` jobs of one model run at the
same time (a sweep must not trip a provider's rate limit), and the built-in local model, whose
single engine answers one request at a time, runs one job at a time. Bounds: a job starts only with
a slot (`playground.runs.slots`: at most so many runs per visitor session and streams per process).
A job that must wait is reported as `Queued` with the reason (again when the reason changes); it has
no thread until it starts, so a visitor's twenty sweeps cost only the threads of their runs in flight.

The merged stream yields at least every `BEAT` seconds, an empty batch when nothing happened: a
consumer can redraw countdowns, and Gradio, which closes a cancelled event's generator only between
two items, closes it at once on Stop. Setting `cancel` (or closing the iterator) ends every job
within a tick: waits end at once, streams are closed, and jobs not yet started never start.

Tokens: `token_for(model)` gives each job the token its model may receive (see
`playground.hf.tokens.token_for_model`), so one visitor's token goes only where theirs would.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from playground.errors import PlaygroundError
from playground.inference.backend import Backend
from playground.inference.events import Done, Event
from playground.input.request import GenerationRequest
from playground.local import LOCAL_MODEL_NAME
from playground.runs.slots import Turn, Visitor

PER_MODEL_LIMIT = 4
# Seconds: the merged stream yields at least this often, so that its consumer (a Gradio event) can
# yield at least every 0.5 s (see `Heartbeat`); also how soon it notices `cancel`.
BEAT = 0.2
TokenFor = Callable[[str], str | None]


@dataclass(frozen=True)
class Job:
    """One run: `key` names its pane or cell ("A", "3", ...)."""

    key: str
    request: GenerationRequest


@dataclass(frozen=True)
class Queued:
    """The job waits its turn: `turn` says for what, `limit` is that limit's number."""

    turn: Turn = Turn.MODEL
    limit: int = PER_MODEL_LIMIT


@dataclass(frozen=True)
class Started:
    """The job's first request is about to be sent."""


@dataclass(frozen=True)
class Failed:
    error: PlaygroundError


@dataclass(frozen=True)
class Stopped:
    """The job was cancelled before it finished."""


JobEvent = Event | Queued | Started | Failed | Stopped


@dataclass(frozen=True)
class Tagged:
    key: str
    event: JobEvent


def model_limit(model: str, per_model: int = PER_MODEL_LIMIT) -> int:
    """How many runs of `model` may be in flight at once."""
    return 1 if model == LOCAL_MODEL_NAME else per_model


def run_jobs(backend: Backend, jobs: Sequence[Job], token_for: TokenFor, cancel: threading.Event | None = None,
             per_model: int = PER_MODEL_LIMIT, visitor: Visitor | None = None) -> Iterator[Tagged]:
    """Every job's events, in the order they happen. Ends when every job has ended, or soon after
    `cancel` is set (jobs still running then report nothing more)."""
    for batch in run_job_batches(backend, jobs, token_for, cancel, per_model, interval=0.0, visitor=visitor):
        yield from batch


def run_job_batches(backend: Backend, jobs: Sequence[Job], token_for: TokenFor, cancel: threading.Event | None = None,
                    per_model: int = PER_MODEL_LIMIT, interval: float = 0.04, visitor: Visitor | None = None) -> Iterator[list[Tagged]]:
    """Like `run_jobs`, but yields everything that happened within `interval` seconds as one list,
    so a UI streaming many panes sends one update per interval rather than one per token; and an
    empty list after `BEAT` seconds without an event. `visitor`: whose slots the jobs take (by
    default a session of their own, with the default limits); leaving the page stops them."""
    cancel = cancel or threading.Event()
    visitor = visitor or Visitor()
    inbox: queue.Queue[Tagged | _WorkerDone] = queue.Queue()
    visitor.slots.watch(visitor.session, cancel)
    try:
        yield from _collect(_Starter(backend, token_for, cancel, visitor, inbox), _Lanes.of(jobs, per_model), inbox, interval)
    finally:
        cancel.set()  # the consumer left early (Stop): every worker ends at its next step
        visitor.slots.forget(visitor.session, cancel)


@dataclass(frozen=True)
class _WorkerDone:
    model: str
    error: BaseException | None = None  # an unexpected exception, re-raised in the caller's thread


@dataclass(frozen=True)
class _Starter:
    """What a job needs to run: its worker thread is started only once it holds a slot."""

    backend: Backend
    token_for: TokenFor
    cancel: threading.Event
    visitor: Visitor
    inbox: queue.Queue

    def take(self) -> Turn | None:
        return self.visitor.slots.take(self.visitor.session, self.visitor.limits)

    def start(self, job: Job) -> None:
        threading.Thread(target=_work, args=(self, job), daemon=True, name=f"run-{job.request.model[:40]}").start()


@dataclass
class _Lanes:
    """The jobs not started yet, per model in order; how many of each model run; the waits reported."""

    waiting: dict[str, deque[Job]]
    per_model: int
    running: Counter[str] = field(default_factory=Counter)
    told: dict[str, Queued] = field(default_factory=dict)

    @classmethod
    def of(cls, jobs: Sequence[Job], per_model: int) -> _Lanes:
        waiting: dict[str, deque[Job]] = {}
        for job in jobs:
            waiting.setdefault(job.request.model, deque()).append(job)
        return cls(waiting, per_model)

    @property
    def idle(self) -> bool:
        return not any(self.waiting.values()) and not any(self.running.values())

    def start_ready(self, starter: _Starter) -> list[Tagged]:
        """Starts, in order, every job that may start now; returns the waits that changed."""
        reports: list[Tagged] = []
        full: Turn | None = None  # once the visitor or the process is full, nothing else starts this round
        for model, lane in self.waiting.items():
            limit = model_limit(model, self.per_model)
            while lane:
                if self.running[model] >= limit:
                    wait = Queued(Turn.LOCAL if model == LOCAL_MODEL_NAME else Turn.MODEL, limit)
                else:
                    full = full or starter.take()
                    if full is None:
                        job = lane.popleft()
                        self.running[model] += 1
                        starter.start(job)
                        continue
                    wait = Queued(full, starter.visitor.limits.of(full))
                reports += self._tell(lane, wait)
                break
        return reports

    def _tell(self, lane: deque[Job], wait: Queued) -> list[Tagged]:
        told = [Tagged(job.key, wait) for job in lane if self.told.get(job.key) != wait]
        self.told.update((tagged.key, wait) for tagged in told)
        return told

    def finished(self, done: _WorkerDone) -> None:
        self.running[done.model] -= 1
        if done.error is not None:
            raise done.error


def _work(starter: _Starter, job: Job) -> None:
    """A started job's thread: runs it, then gives its slot back."""
    error: BaseException | None = None
    try:
        _run_one(starter.backend, job, starter.token_for(job.request.model), starter.cancel, starter.inbox.put)
    except BaseException as unexpected:  # handed to the caller's thread, which re-raises it
        error = unexpected
    finally:
        starter.visitor.slots.give_back(starter.visitor.session)
        starter.inbox.put(_WorkerDone(job.request.model, error))


def _run_one(backend: Backend, job: Job, token: str | None, cancel: threading.Event, send: Callable[[Tagged], None]) -> None:
    if cancel.is_set():
        send(Tagged(job.key, Stopped()))
        return
    send(Tagged(job.key, Started()))
    finished = False
    try:
        for event in backend.run(job.request, token, cancel):
            send(Tagged(job.key, event))
            finished = finished or isinstance(event, Done)
    except PlaygroundError as error:
        send(Tagged(job.key, Failed(error)))
        return
    if not finished:
        send(Tagged(job.key, Stopped()))


def _collect(starter: _Starter, lanes: _Lanes, inbox: queue.Queue, interval: float) -> Iterator[list[Tagged]]:
    while not starter.cancel.is_set():
        batch = lanes.start_ready(starter)
        if lanes.idle and inbox.empty():
            if batch:
                yield batch
            return
        yield batch + _gather(inbox, lanes, interval)  # empty: a heartbeat
    yield from _drained(inbox)  # Stop: what already arrived, then no more waiting for slow workers


def _gather(inbox: queue.Queue, lanes: _Lanes, interval: float) -> list[Tagged]:
    """What arrives within `interval` of the first item, waiting at most BEAT for that one;
    re-raises a worker's unexpected error."""
    batch: list[Tagged] = []
    try:
        item = inbox.get(timeout=BEAT)
    except queue.Empty:
        return batch
    deadline = time.monotonic() + interval
    while True:
        if isinstance(item, _WorkerDone):
            lanes.finished(item)
        else:
            batch.append(item)
        left = deadline - time.monotonic()
        if left <= 0 or (not any(lanes.running.values()) and inbox.empty()):
            return batch
        try:
            item = inbox.get(timeout=left)
        except queue.Empty:
            return batch


def _drained(inbox: queue.Queue) -> Iterator[list[Tagged]]:
    batch = []
    while True:
        try:
            item = inbox.get_nowait()
        except queue.Empty:
            break
        if isinstance(item, Tagged):
            batch.append(item)
    if batch:
        yield batch
