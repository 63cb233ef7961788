"""Bounded work, through the real backend against the protocol server: at most so many runs per
visitor session and streams per process (playground.runs.slots), a waiting run costs no thread and
Stop ends it at once, the merged stream beats while nothing happens, and leaving the page stops a
session's runs."""

from __future__ import annotations

import threading

import pytest

from playground.inference.backend import Backend
from playground.inference.events import Done
from playground.inference.retry import RetryPolicy
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest
from playground.runs.scheduler import Job, Queued, Stopped, Tagged, run_job_batches, run_jobs
from playground.runs.slots import Limits, Slots, Turn, Visitor
from tests.conftest import TEST_TOKEN, wait_for
from tests.protocol_server import ProtocolServer, Reply

TOKEN_FOR = lambda model: TEST_TOKEN  # noqa: E731


@pytest.fixture
def backend(server: ProtocolServer) -> Backend:
    return Backend(policy=RetryPolicy(deadline=30, first_delay=0.05))


def jobs(prefix: str, count: int, model: str = "test/tiny-gpt", tokens: int = 6) -> list[Job]:
    params = GenerationParams(max_new_tokens=tokens, seed=1)
    return [Job(f"{prefix}{n}", GenerationRequest(model=model, prompt=f"Cell {prefix}{n}", params=params)) for n in range(count)]


def run_in_thread(backend: Backend, batch: list[Job], visitor: Visitor, cancel: threading.Event | None = None) -> tuple[threading.Thread, list[Tagged]]:
    events: list[Tagged] = []
    thread = threading.Thread(target=lambda: events.extend(run_jobs(backend, batch, TOKEN_FOR, cancel, visitor=visitor)), daemon=True)
    thread.start()
    return thread, events


def queued(events: list[Tagged]) -> set[Turn]:
    return {tagged.event.turn for tagged in events if isinstance(tagged.event, Queued)}


def test_one_visitors_batches_share_their_runs_in_flight(server: ProtocolServer, backend: Backend) -> None:
    server.token_delay = 0.03
    visitor = Visitor("session-a", Limits(per_visitor=2), Slots())
    runs = [run_in_thread(backend, jobs(prefix, 3), visitor) for prefix in "xy"]
    for thread, _ in runs:
        thread.join(timeout=60)
    assert server.peak_open_streams <= 2
    for _, events in runs:
        assert sum(isinstance(tagged.event, Done) for tagged in events) == 3  # every cell had its turn
    assert Turn.VISITOR in queued(runs[0][1] + runs[1][1])
    assert visitor.slots.in_flight() == 0 and visitor.slots.sessions() == 0  # nothing kept once done


def test_the_process_wide_cap_holds_across_visitors(server: ProtocolServer, backend: Backend) -> None:
    server.token_delay = 0.03
    slots, limits = Slots(), Limits(per_visitor=8, max_streams=3)
    runs = [run_in_thread(backend, jobs(prefix, 3), Visitor(f"session-{prefix}", limits, slots)) for prefix in "xy"]
    for thread, _ in runs:
        thread.join(timeout=60)
    assert server.peak_open_streams <= 3
    assert sum(isinstance(tagged.event, Done) for _, events in runs for tagged in events) == 6
    assert Turn.SERVER in queued(runs[0][1] + runs[1][1])


def test_a_run_waiting_its_turn_has_no_thread_and_stop_ends_it_at_once(server: ProtocolServer, backend: Backend) -> None:
    slots = Slots()
    visitor = Visitor("session-full", Limits(per_visitor=1), slots)
    assert slots.take(visitor.session, visitor.limits) is None  # another batch of this visitor holds the only slot
    before = threading.active_count()
    cancel = threading.Event()
    batches = run_job_batches(backend, jobs("w", 4), TOKEN_FOR, cancel, visitor=visitor)
    first = next(batches)
    assert {tagged.event for tagged in first} == {Queued(Turn.VISITOR, 1)}
    assert next(batches) == []  # nothing happens, yet the stream beats
    assert threading.active_count() <= before  # four waiting runs, no thread
    cancel.set()
    assert list(batches) == []  # ends at its next step
    assert server.posts() == []  # nothing was ever sent


def test_closing_the_stream_of_silent_runs_closes_every_stream(server: ProtocolServer, backend: Backend) -> None:
    server.script("test/tiny-gpt", *[Reply(stall_after=0)] * 3)
    batches = run_job_batches(backend, jobs("s", 3), TOKEN_FOR, visitor=Visitor(slots=Slots()))
    assert wait_for(lambda: next(batches) is not None and server.stalls == 3)  # silent: batches keep coming
    batches.close()  # what Gradio's Stop does to the handler that iterates it
    assert wait_for(lambda: server.cancelled_streams == 3 and server.open_streams == 0)


def test_leaving_the_page_stops_that_sessions_runs_only(server: ProtocolServer, backend: Backend) -> None:
    server.token_delay = 0.1
    slots = Slots()
    leaving, staying = Visitor("session-leaves", slots=slots), Visitor("session-stays", slots=slots)
    left, left_events = run_in_thread(backend, jobs("l", 2, tokens=200), leaving)
    stays, stay_events = run_in_thread(backend, jobs("k", 1, tokens=12), staying)
    assert wait_for(lambda: server.open_streams == 3)
    slots.end_session("session-leaves")
    left.join(timeout=10)
    assert not left.is_alive()
    assert wait_for(lambda: server.cancelled_streams == 2)
    stays.join(timeout=60)
    assert isinstance(stay_events[-1].event, Done)
    assert not any(isinstance(tagged.event, Done) for tagged in left_events)
    assert not any(isinstance(tagged.event, Stopped) for tagged in stay_events)


def test_a_session_with_nothing_in_flight_takes_no_room() -> None:
    slots, limits = Slots(), Limits(per_visitor=2, max_streams=3)
    assert [slots.take("a", limits), slots.take("a", limits), slots.take("a", limits)] == [None, None, Turn.VISITOR]
    assert [slots.take("b", limits), slots.take("b", limits)] == [None, Turn.SERVER]
    for session in ("a", "a", "b"):
        slots.give_back(session)
    assert slots.in_flight() == 0 and slots.sessions() == 0
