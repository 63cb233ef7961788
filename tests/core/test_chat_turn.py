"""One chat turn in plain Python (playground.chat.turn): each event it reports, from a fake backend
that plays canned events on a hand-moved clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from playground import errors as e
from playground.chat.conversation import Answer, Conversation
from playground.chat.facts import UNKNOWN, ModelFacts
from playground.chat.turn import Answering, DoesNotFit, Failed, Finished, Started, TurnEvent, run_turn
from playground.chat.usage import Price, RunTokens
from playground.inference.events import Done, Event, RunStats, Silence, Token, Usage, Waiting, WaitReason
from playground.input.request import GenerationRequest, Mode
from playground.input.response_format import ResponseFormat

BEFORE = Conversation("Be brief.").ask("Hi").answer(Answer("Hello!"))
ASKED = BEFORE.ask("Why?")
STATS = RunStats(time_to_first_token=0.1, total_time=1.0, tokens=3, seed=1, attempts=1)
WAITING = Waiting(attempt=1, reason=WaitReason.LOADING, seconds_left=2, wait_length=2, waited=0, deadline_left=30)
SILENCE = Silence(seconds=0.25, first_token=True, limit=60)


class Clock:
    def __init__(self) -> None:
        self.time = 100.0

    def now(self) -> float:
        return self.time


class CannedBackend:
    """Plays (delay, event) pairs: the clock moves by the delay, then the event arrives; an
    exception in the list is raised there. Records the runs asked for and whether each was closed."""

    def __init__(self, clock: Clock, items: list[tuple[float, Event | Exception]]) -> None:
        self.clock, self.items = clock, items
        self.runs: list[GenerationRequest] = []
        self.closed = False

    def run(self, request: GenerationRequest, token: str | None) -> Iterator[Event]:
        self.runs.append(request)
        return self._play()

    def _play(self) -> Iterator[Event]:
        try:
            for delay, item in self.items:
                self.clock.time += delay
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            self.closed = True


def chat_request(**changes: object) -> GenerationRequest:
    return GenerationRequest(model="test/chat-model", prompt=ASKED.last_user_message, mode=Mode.CHAT, system_prompt=ASKED.system_prompt,
                             turns=ASKED.earlier_pairs(), params={"seed": 1, "max_new_tokens": 20}, **changes)


def turn(items: list[tuple[float, Event | Exception]], interval: float = 0.0, facts: ModelFacts = UNKNOWN,
         request: GenerationRequest | None = None) -> tuple[list[TurnEvent], CannedBackend]:
    clock = Clock()
    backend = CannedBackend(clock, items)
    events = list(run_turn(backend, request or chat_request(), "hf_x", BEFORE, ASKED, facts, interval, clock.now))
    return events, backend


def answers(events: list[TurnEvent]) -> list[str]:
    return [event.conversation.turns[-1].answer.content for event in events if isinstance(event, Answering)]


def test_a_conversation_too_long_for_the_context_is_not_sent_and_says_by_how_much() -> None:
    events, backend = turn([(0.0, Done(STATS))], facts=ModelFacts(context_length=50))
    (verdict,) = events
    assert isinstance(verdict, DoesNotFit) and not verdict.fit.fits
    assert verdict.fit.context_length == 50 and verdict.fit.answer_room == 20 and verdict.fit.prompt_tokens > 30
    assert verdict.fit.drop_turns == 1  # dropping the first turn makes it fit
    assert backend.runs == []


def test_a_turn_starts_with_the_conversation_asked_and_passes_waiting_and_silence_through() -> None:
    events, backend = turn([(0.0, WAITING), (0.25, SILENCE), (0.1, Token("Yes")), (0.1, Done(STATS))])
    assert events[0] == Started(ASKED)
    assert events[1] is WAITING and events[2] is SILENCE
    assert backend.runs == [chat_request()] and backend.closed


def test_each_token_gives_the_answer_so_far_and_whether_the_model_is_still_thinking() -> None:
    items = [(0.1, Token("", reasoning="Hmm. ")), (0.1, Token("<think>more")), (0.1, Token("</think>Because.")), (0.1, Done(STATS))]
    events, _ = turn(items)
    answering = [event for event in events if isinstance(event, Answering)]
    assert [event.thinking for event in answering] == [True, True, False]
    assert [event.conversation.turns[-1].answer.reasoning for event in answering] == ["Hmm. ", "Hmm. more", "Hmm. more"]
    assert answers(events) == ["", "", "Because."]
    assert answering[-1].conversation.turns[:-1] == ASKED.turns[:-1]  # the earlier turns stay as they were


def test_the_finished_turn_carries_the_whole_answer_its_tokens_cost_and_history_entry() -> None:
    stats = RunStats(time_to_first_token=0.1, total_time=1.0, tokens=3, seed=1, attempts=1,
                     usage=Usage(prompt_tokens=30, completion_tokens=3, reasoning_tokens=1))
    items = [(0.1, Token("", reasoning="Hmm.")), (0.2, Token("Be")), (0.1, Token("cause.")), (0.1, Done(stats))]
    events, _ = turn(items, facts=ModelFacts(price=Price(1.0, 2.0)))
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert finished.conversation == ASKED.answer(Answer("Because.", "Hmm.", pytest.approx(0.2)))
    assert finished.stats == stats and finished.tokens == RunTokens(30, 3, 1, estimated=False)
    assert finished.cost == pytest.approx((30 * 1.0 + 3 * 2.0) / 1_000_000)
    assert finished.verdict is None  # Text: nothing to check
    assert finished.entry["output"] == "Because." and finished.entry["turns"] == [["Hi", "Hello!"]]


def test_without_usage_the_tokens_are_counted_per_streamed_piece_even_when_updates_are_merged() -> None:
    items = [(0.001, Token("", reasoning="a ")), (0.001, Token("", reasoning="b ")), (0.001, Token("c")), (0.001, Token("d")),
             (0.001, Token("e")), (0.001, Done(STATS))]
    events, _ = turn(items, interval=10.0)
    assert len(answers(events)) == 1  # the first token only: the rest leave with Finished
    tokens = events[-1].tokens
    assert (tokens.thinking, tokens.answer, tokens.estimated) == (2, 3, True)


def test_a_json_answer_is_checked_against_the_response_format() -> None:
    request = chat_request(response_format=ResponseFormat.JSON_SCHEMA, json_schema='{"type": "object", "required": ["year"]}')
    events, _ = turn([(0.1, Token('{"name": "Dune"}')), (0.1, Done(STATS))], request=request)
    verdict = events[-1].verdict
    assert not verdict.valid and "year" in verdict.error
    events, _ = turn([(0.1, Token('{"year": 1965}')), (0.1, Done(STATS))], request=request)
    assert events[-1].verdict.valid


def test_json_cut_off_at_max_new_tokens_says_so_rather_than_only_not_valid_json() -> None:
    request = chat_request(response_format=ResponseFormat.JSON)  # Max new tokens: 20
    at_limit = RunStats(time_to_first_token=0.1, total_time=1.0, tokens=20, seed=1, attempts=1)
    events, _ = turn([(0.1, Token('{"name": "Du')), (0.1, Done(at_limit))], request=request)
    assert events[-1].verdict.cut_off_at == 20 and not events[-1].verdict.valid
    events, _ = turn([(0.1, Token('{"name": "Du')), (0.1, Done(STATS))], request=request)  # 3 tokens: not the limit
    assert events[-1].verdict.cut_off_at is None and "not valid JSON" in events[-1].verdict.error
    reported = RunStats(time_to_first_token=0.1, total_time=1.0, tokens=5, seed=1, attempts=1, usage=Usage(completion_tokens=20))
    events, _ = turn([(0.1, Token('{"name": "Du')), (0.1, Done(reported))], request=request)  # the server's own count
    assert events[-1].verdict.cut_off_at == 20


def test_a_fast_stream_gives_the_first_answer_at_once_then_one_per_interval_and_never_one_after_the_end() -> None:
    items = [(0.001, Token(f"w{i} ")) for i in range(100)] + [(0.001, Done(STATS))]
    events, _ = turn(items, interval=0.04)
    assert answers(events)[0] == "w0 "
    assert 2 <= len(answers(events)) <= 0.1 / 0.04 + 1
    assert isinstance(events[-1], Finished) and events[-1].conversation.turns[-1].answer.content == "".join(f"w{i} " for i in range(100))


def test_a_held_answer_leaves_with_the_next_heartbeat_after_the_interval() -> None:
    events, _ = turn([(0.001, Token("a")), (0.001, Token("b")), (0.25, SILENCE), (0.1, Done(STATS))], interval=0.04)
    assert [type(event) for event in events] == [Started, Answering, Answering, Silence, Finished]
    assert answers(events) == ["a", "ab"]


def test_a_failure_after_some_text_keeps_it_and_says_so() -> None:
    events, backend = turn([(0.1, Token("", reasoning="Hmm.")), (0.1, Token("Part")), (0.1, e.ServerError("broke"))])
    failed = events[-1]
    assert isinstance(failed, Failed) and isinstance(failed.error, e.ServerError) and failed.kept_answer
    assert failed.conversation.turns[-1].answer == Answer("Part", "Hmm.", pytest.approx(0.1))
    assert backend.closed


def test_a_failure_before_any_text_gives_back_the_conversation_before_the_run() -> None:
    events, _ = turn([(0.0, WAITING), (1.0, e.TimedOutError("no token"))])
    assert events[-1] == Failed(events[-1].error, BEFORE, kept_answer=False)
    assert isinstance(events[-1].error, e.TimedOutError)


def test_a_backend_that_refuses_the_run_at_once_ends_the_turn_in_failed() -> None:
    class Refusing:
        def run(self, request: GenerationRequest, token: str | None) -> Iterator[Event]:
            raise e.InvalidModelError("test/chat-model", reason="no such model")

    events = list(run_turn(Refusing(), chat_request(), None, BEFORE, ASKED, ModelFacts()))
    assert [type(event) for event in events] == [Started, Failed] and events[-1].conversation == BEFORE


def test_closing_the_turn_closes_the_models_stream() -> None:
    clock = Clock()
    backend = CannedBackend(clock, [(0.001, Token(f"w{i} ")) for i in range(100)])
    events = run_turn(backend, chat_request(), None, BEFORE, ASKED, ModelFacts(), 0.04, clock.now)
    assert isinstance(next(events), Started) and isinstance(next(events), Answering)
    events.close()  # what Gradio does to the handler when Stop cancels the event
    assert backend.closed
