"""Coalesced streaming (playground.inference.coalesce): what reaches the page, and when, with a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from playground import errors as e
from playground.inference.coalesce import coalesce
from playground.inference.events import Done, RunStats, Token, Waiting, WaitReason

INTERVAL = 0.04
STATS = RunStats(time_to_first_token=0.1, total_time=1.0, tokens=3, seed=1, attempts=1)


class Ticking:
    """A clock the test moves by hand, and a log of what was sent at which time."""

    def __init__(self) -> None:
        self.time = 100.0

    def now(self) -> float:
        return self.time


def paced(clock: Ticking, items: list[tuple[float, object]]) -> Iterator[object]:
    """Yields each item after moving the clock forward by its delay, as a stream would arrive."""
    for delay, item in items:
        clock.time += delay
        yield item


def sent(clock: Ticking, events: Iterator[object]) -> list[tuple[float, object]]:
    return [(round(clock.time - 100.0, 6), event) for event in events]


def tokens(n: int, delay: float) -> list[tuple[float, object]]:
    return [(delay, Token(f"t{i} ")) for i in range(n)]


def test_a_stream_of_n_tokens_ends_with_exactly_the_full_text() -> None:
    clock = Ticking()
    for n in (1, 2, 7, 512):
        stream = [*tokens(n, 0.001), (0.001, Done(STATS))]
        out = list(coalesce(paced(clock, stream), INTERVAL, clock.now))
        assert "".join(ev.text for ev in out if isinstance(ev, Token)) == "".join(f"t{i} " for i in range(n))
        assert out[-1] == Done(STATS)  # the stats are the backend's, untouched
        assert isinstance(out[-2], Token)  # the text is complete before Done is rendered


def test_the_first_token_is_sent_without_waiting_for_a_batch() -> None:
    clock = Ticking()
    out = coalesce(paced(clock, tokens(100, 0.001)), INTERVAL, clock.now)
    first = next(out)
    assert first == Token("t0 ")
    assert clock.time == pytest.approx(100.001)  # handed on the moment it arrived, not after an interval


def test_fast_tokens_are_merged_into_at_most_one_update_per_interval() -> None:
    clock = Ticking()
    out = sent(clock, coalesce(paced(clock, tokens(512, 0.001)), INTERVAL, clock.now))
    times = [at for at, _ in out]
    assert all(later - earlier >= INTERVAL - 1e-9 for earlier, later in zip(times[1:-1], times[2:-1], strict=False))
    assert 10 <= len(out) <= 0.512 / INTERVAL + 2  # about one per 40 ms of a 0.5 s stream, not 512


def test_a_slow_models_tokens_are_each_sent_as_they_arrive() -> None:
    clock = Ticking()
    out = sent(clock, coalesce(paced(clock, tokens(5, 0.12)), INTERVAL, clock.now))
    assert [ev for _, ev in out] == [Token(f"t{i} ") for i in range(5)]
    assert [at for at, _ in out] == pytest.approx([0.12 * (i + 1) for i in range(5)])


def test_held_text_leaves_with_the_next_periodic_event_after_the_interval() -> None:
    """Regression guard: text held after a burst must not wait for the provider's next token."""
    clock = Ticking()
    heartbeat = object()  # any non-token event the backend sends while a stream is open
    stream = [(0.001, Token("a")), (0.001, Token("b")), (0.25, heartbeat), (2.0, Token("c"))]
    out = sent(clock, coalesce(paced(clock, stream), INTERVAL, clock.now))
    assert out == [(0.001, Token("a")), (0.252, Token("b")), (0.252, heartbeat), (2.252, Token("c"))]


def test_events_other_than_tokens_pass_through_in_order() -> None:
    clock = Ticking()
    waiting = Waiting(attempt=2, reason=WaitReason.LOADING, seconds_left=1, wait_length=1, waited=1, deadline_left=10)
    stream = [(0.0, waiting), (1.0, Token("a")), (0.001, Token("b")), (0.001, Done(STATS))]
    out = [ev for _, ev in sent(clock, coalesce(paced(clock, stream), INTERVAL, clock.now))]
    assert out == [waiting, Token("a"), Token("b"), Done(STATS)]


def test_text_held_when_the_stream_fails_is_kept_before_the_error() -> None:
    clock = Ticking()

    def failing() -> Iterator[object]:
        yield from paced(clock, [(0.001, Token("a")), (0.001, Token("b"))])
        raise e.ServerError("broke mid-stream")

    out = coalesce(failing(), INTERVAL, clock.now)
    assert next(out) == Token("a")
    assert next(out) == Token("b")
    with pytest.raises(e.ServerError):
        next(out)


def test_closing_the_coalesced_stream_closes_the_backend_stream() -> None:
    clock = Ticking()
    closed = []

    def backend() -> Iterator[object]:
        try:
            yield from paced(clock, tokens(1000, 0.001))
        finally:
            closed.append(True)

    out = coalesce(backend(), INTERVAL, clock.now)
    next(out), next(out)
    out.close()  # what Gradio does to the handler when Stop cancels the event
    assert closed == [True]


def test_an_interval_of_zero_sends_every_token() -> None:
    clock = Ticking()
    stream = tokens(20, 0.001)
    assert list(coalesce(paced(clock, stream), 0, clock.now)) == [ev for _, ev in stream]


def test_other_pieces_merge_by_their_own_rule_here_the_newest_snapshot() -> None:
    """Chat mode merges "answer so far" snapshots: the newest stands for those held before it."""
    from playground.inference.coalesce import newest

    clock = Ticking()
    heartbeat = object()
    snapshots = [(0.001, ("snapshot", i)) for i in range(5)]
    stream = [*snapshots, (0.25, heartbeat), (0.001, Done(STATS))]
    out = [ev for _, ev in sent(clock, coalesce(paced(clock, stream), INTERVAL, clock.now, piece=tuple, merge=newest))]
    assert out == [("snapshot", 0), ("snapshot", 4), heartbeat, Done(STATS)]
