"""components.chat_run draws a turn's events: what each one puts on the page."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import gradio as gr

from components.chat_run import run_conversation
from components.chat_view import fit_message, verdict_html
from components.messages import STOPPED, info_html, silence_html
from playground import errors as e
from playground.chat.context import check_fit
from playground.chat.conversation import Answer, Conversation
from playground.chat.facts import UNKNOWN, ModelFacts
from playground.chat.structured import Verdict
from playground.chat.turn import run_turn
from playground.inference.events import Done, Event, RunStats, Silence, Token
from playground.input.request import GenerationRequest, Mode
from tests.chat_updates import chat_outputs

BEFORE = Conversation().ask("Hi").answer(Answer("Hello!"))
ASKED = BEFORE.ask("Why?")
REQUEST = GenerationRequest(model="test/chat-model", prompt="Why?", mode=Mode.CHAT, turns=(("Hi", "Hello!"),), params={"seed": 1})
SILENT = Silence(seconds=4.0, first_token=False, limit=60)


class Canned:
    def __init__(self, items: list[Event | Exception]) -> None:
        self.items = items

    def run(self, request: GenerationRequest, token: str | None) -> Iterator[Event]:
        for item in self.items:
            if isinstance(item, Exception):
                raise item
            yield item


def stats(tokens: int) -> RunStats:
    return RunStats(time_to_first_token=0.1, total_time=0.2, tokens=tokens, seed=1, attempts=1)


def draw(items: list[Event | Exception], facts: ModelFacts = UNKNOWN, typed: str | None = "Why?"):
    out = chat_outputs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gr.Warning outside a request only warns
        updates = list(run_conversation(Canned(items), out, REQUEST, None, BEFORE, ASKED, facts, typed))
    return out, updates


def test_a_conversation_that_does_not_fit_shows_the_offer_to_drop_turns_and_nothing_else() -> None:
    facts = ModelFacts(context_length=50)
    out, updates = draw([Done(stats(1))], facts)
    (update,) = updates
    fit = check_fit(ASKED, 50, REQUEST.params.max_new_tokens)
    assert update[out.panel.fit_row] == gr.update(visible=True) and update[out.panel.fit_notice] == fit_message(fit)
    assert update[out.panel.drop_count] == (fit.drop_turns or 0) and update[out.finished] is None
    assert update[out.status] == gr.update(visible=False)


def test_a_turn_shows_sending_then_the_answer_then_the_stats_and_history_entry() -> None:
    out, updates = draw([Token("Be"), Token("cause."), Done(stats(2))])
    start, *answers, done = updates
    assert start[out.prompt] == "" and start[out.status] == gr.update(value=info_html("Sending…"), visible=True)
    assert start[out.panel.state] == ASKED and start[out.stopped] == gr.update(visible=False)
    assert [update[out.panel.state].turns[-1].answer.content for update in answers] == ["Be", "Because."]
    assert all(out.prompt not in update and update[out.stopped] == STOPPED for update in answers)
    assert done[out.status] == gr.update(visible=False) and "2 tokens" in done[out.stats] and "prompt ≈" in done[out.stats]
    assert done[out.finished]["output"] == "Because." and done[out.panel.state].turns[-1].answer.content == "Because."


def test_an_answer_with_no_text_says_so() -> None:
    out, updates = draw([Done(stats(0))])
    assert updates[-1][out.status] == gr.update(value=info_html("The model answered with no text."), visible=True)


def test_a_silence_notice_shows_once_and_the_next_answer_hides_it() -> None:
    out, updates = draw([Token("Be"), SILENT, SILENT, Token("cause."), Done(stats(2))])
    notices = [update for update in updates if set(update) == {out.status}]
    assert notices == [{out.status: gr.update(value=silence_html(SILENT), visible=True)}]  # the same notice is not sent twice
    after = updates[updates.index(notices[0]) + 1]
    assert after[out.status] == gr.update(value="", visible=False)


def test_a_failure_before_any_text_restores_the_conversation_and_puts_the_typed_message_back() -> None:
    out, updates = draw([e.ServerError("broke")])
    failed = updates[-1]
    assert failed[out.panel.state] == BEFORE and failed[out.prompt] == "Why?" and failed[out.finished] is None
    assert "pg-error" in failed[out.status]["value"] and failed[out.stopped] == gr.update(visible=False)


def test_a_failure_after_some_text_keeps_it_and_leaves_the_prompt_alone() -> None:
    out, updates = draw([Token("Part"), e.ServerError("broke")])
    failed = updates[-1]
    assert failed[out.panel.state].turns[-1].answer.content == "Part" and out.prompt not in failed


def test_the_drawing_follows_the_turn_event_for_event() -> None:
    items = [Token("a"), SILENT, Token("b"), Done(stats(2))]
    events = list(run_turn(Canned(items), REQUEST, None, BEFORE, ASKED, UNKNOWN))
    _, updates = draw(items)
    assert len(updates) == len(events)


def test_a_json_answer_cut_off_at_max_new_tokens_says_to_raise_it() -> None:
    shown = verdict_html(Verdict(False, "not valid JSON: Unterminated string", cut_off_at=64))["value"]
    assert "cut off at Max new tokens (64)" in shown and "Raise Max new tokens" in shown and "Unterminated" not in shown
    assert "not valid JSON" in verdict_html(Verdict(False, "not valid JSON: Expecting value"))["value"]
