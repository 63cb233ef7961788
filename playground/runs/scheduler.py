"""Runs many requests through `Backend.run` at once and merges their events, tagged by job key.

Each job runs in its own worker thread with its own retries and errors: a job that fails reports
`Failed` and the others go on. Politeness: at most `per_model` jobs of one model run at the same
time (a sweep must not trip a provider's rate limit), and the built-in local model, whose single
engine answers one request at a time, runs one job at a time. A job not yet started is reported
once as `Queued` ("waiting its turn").

Setting `cancel` (or closing the event iterator, as Gradio does on Stop) ends every job within a
tick: waits end at once, streams are closed, and the iterator stops waiting for the workers.

Tokens: `token_for(model)` gives each job the token its model may receive (see
`playground.hf.tokens.token_for_model`), so one visitor's token goes only where theirs would.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from playground.errors import PlaygroundError
from playground.inference.backend import Backend
from playground.inference.events import Done, Event
from playground.input.request import GenerationRequest
from playground.local import LOCAL_MODEL_NAME

PER_MODEL_LIMIT = 4
TICK = 0.25  # seconds: how soon the merged stream notices `cancel` when no event arrives
TokenFor = Callable[[str], str | None]


@dataclass(frozen=True)
class Job:
    """One run: `key` names its pane or cell ("A", "3", ...)."""

    key: str
    request: GenerationRequest


@dataclass(frozen=True)
class Queued:
    """The job waits for another run of the same model to finish."""


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


@dataclass(frozen=True)
class _WorkerDone:
    error: BaseException | None = None  # an unexpected exception, re-raised in the caller's thread


def model_limit(model: str, per_model: int = PER_MODEL_LIMIT) -> int:
    """How many runs of `model` may be in flight at once."""
    return 1 if model == LOCAL_MODEL_NAME else per_model


def run_jobs(backend: Backend, jobs: Sequence[Job], token_for: TokenFor, cancel: threading.Event | None = None,
             per_model: int = PER_MODEL_LIMIT) -> Iterator[Tagged]:
    """Every job's events, in the order they happen. Ends when every job has ended, or soon after
    `cancel` is set (jobs still running then report nothing more)."""
    for batch in run_job_batches(backend, jobs, token_for, cancel, per_model, interval=0.0):
        yield from batch


def run_job_batches(backend: Backend, jobs: Sequence[Job], token_for: TokenFor, cancel: threading.Event | None = None,
                    per_model: int = PER_MODEL_LIMIT, interval: float = 0.04) -> Iterator[list[Tagged]]:
    """Like `run_jobs`, but yields everything that happened within `interval` seconds as one list,
    so a UI streaming many panes sends one update per interval rather than one per token."""
    cancel = cancel or threading.Event()
    inbox: queue.Queue[Tagged | _WorkerDone] = queue.Queue()
    workers = _start_workers(backend, jobs, token_for, cancel, per_model, inbox)
    try:
        yield from _collect(inbox, len(workers), interval, cancel)
    finally:
        cancel.set()  # the consumer left early (Stop): every worker ends at its next step


def _start_workers(backend: Backend, jobs: Sequence[Job], token_for: TokenFor, cancel: threading.Event,
                   per_model: int, inbox: queue.Queue) -> list[threading.Thread]:
    lanes: dict[str, deque[Job]] = {}
    for job in jobs:
        lanes.setdefault(job.request.model, deque()).append(job)
    workers = []
    for model, lane in lanes.items():
        for job in list(lane)[model_limit(model, per_model):]:
            inbox.put(Tagged(job.key, Queued()))
        for _ in range(min(model_limit(model, per_model), len(lane))):
            worker = threading.Thread(target=_work_lane, args=(backend, lane, token_for, cancel, inbox), daemon=True,
                                      name=f"run-{model[:40]}")
            workers.append(worker)
    for worker in workers:
        worker.start()
    return workers


def _work_lane(backend: Backend, lane: deque[Job], token_for: TokenFor, cancel: threading.Event, inbox: queue.Queue) -> None:
    """Takes the lane's jobs one after another until none is left."""
    error: BaseException | None = None
    try:
        while (job := _next_job(lane)) is not None:
            _run_one(backend, job, token_for(job.request.model), cancel, inbox.put)
    except BaseException as unexpected:  # handed to the caller's thread, which re-raises it
        error = unexpected
    finally:
        inbox.put(_WorkerDone(error))


def _next_job(lane: deque[Job]) -> Job | None:
    try:
        return lane.popleft()  # deque.popleft is atomic: two workers never take one job
    except IndexError:
        return None


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


def _collect(inbox: queue.Queue, workers: int, interval: float, cancel: threading.Event) -> Iterator[list[Tagged]]:
    running = workers
    while running or not inbox.empty():
        if cancel.is_set():  # Stop: what already arrived, then no more waiting for slow workers
            yield from _drained(inbox)
            return
        try:
            item = inbox.get(timeout=TICK)
        except queue.Empty:
            continue
        batch, running = _batch_from(inbox, item, running, time.monotonic() + interval)
        if batch:
            yield batch


def _batch_from(inbox: queue.Queue, item: Tagged | _WorkerDone, running: int, deadline: float) -> tuple[list[Tagged], int]:
    """`item` and whatever else arrives before `deadline`; re-raises a worker's unexpected error."""
    batch: list[Tagged] = []
    while True:
        if isinstance(item, _WorkerDone):
            running -= 1
            if item.error is not None:
                raise item.error
        else:
            batch.append(item)
        left = deadline - time.monotonic()
        if left <= 0 or (not running and inbox.empty()):
            return batch, running
        try:
            item = inbox.get(timeout=left)
        except queue.Empty:
            return batch, running


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
