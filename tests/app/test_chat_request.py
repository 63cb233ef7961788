"""The chat turn's request (components.chat_run.turn_request): the form's settings and the
conversation's earlier turns, validated once, with the messages the two-step check gave."""

from __future__ import annotations

from dataclasses import asdict, replace

import gradio as gr
import pytest

from components.chat_events import make_edit
from components.chat_run import ChatOutputs, conversation_request, turn_request
from components.context import RunContext, checked_request
from playground import errors as e
from playground.chat.conversation import Answer, Conversation
from playground.config import Settings
from playground.inference.backend import Backend
from playground.input.form_values import FormValues
from playground.input.request import MAX_ANSWER_CHARS, Mode
from tests.chat_updates import chat_outputs

FORM = FormValues(model="test/chat-model", provider="auto", mode=Mode.CHAT.value, system_prompt="Be brief.", response_format="Text",
                  json_schema="", prompt="", temperature=0.7, max_new_tokens=20, seed=5, random_seed=False, top_p=1.0, top_k=50,
                  repetition_penalty=1.0, frequency_penalty=0.0, stop="")
ASKED = Conversation("Be brief.").ask("Hi").answer(Answer("Hello!", reasoning="greet back")).ask("Why?")


def context(**settings: object) -> RunContext:
    return RunContext(Backend(), Settings(**settings))


def two_step(ctx: RunContext, form: FormValues, asked: Conversation):
    """What the chat path did before: the form's request, then the conversation's, parsed again."""
    return conversation_request(checked_request(ctx, replace(form, prompt=asked.last_user_message)), asked)


def test_the_request_carries_the_last_message_and_the_earlier_turns_without_reasoning() -> None:
    request = turn_request(context(), FORM, ASKED)
    assert (request.prompt, request.turns, request.system_prompt) == ("Why?", (("Hi", "Hello!"),), "Be brief.")
    assert request == two_step(context(), FORM, ASKED)


def test_a_random_seed_is_resolved_once() -> None:
    request = turn_request(context(), replace(FORM, random_seed=True), ASKED)
    assert request.params.seed is not None


@pytest.mark.parametrize("form, asked", [
    (replace(FORM, temperature=9), ASKED),  # a setting out of bounds
    (FORM, Conversation().ask("Hi").answer(Answer("x" * (MAX_ANSWER_CHARS + 1))).ask("Why?")),  # an earlier answer too long
])
def test_bad_input_is_refused_with_the_words_it_had(form: FormValues, asked: Conversation) -> None:
    with pytest.raises(e.InvalidParametersError) as once:
        turn_request(context(), form, asked)
    with pytest.raises(e.InvalidParametersError) as before:
        two_step(context(), form, asked)
    assert str(once.value) == str(before.value)


def test_an_empty_message_is_refused_before_anything_is_sent() -> None:
    """(Its words are the page's: "Type a prompt first" for Generate, issue 20.)"""
    with pytest.raises(e.InvalidInputError):
        turn_request(context(), FORM, Conversation().ask("   "))


def test_on_a_space_a_private_endpoint_url_is_refused() -> None:
    with pytest.raises(e.InvalidModelError):
        turn_request(context(on_space=True), replace(FORM, model="http://127.0.0.1:9/v1"), ASKED)


def edited(index: int, value: str, chat: Conversation) -> tuple[ChatOutputs, dict]:
    """The one update an edit of message `index` of the Chatbot gives, with the form as FORM."""
    out = chat_outputs()
    data = gr.EditData(out.panel.conversation, {"index": index, "value": value, "previous_value": ""})
    updates = list(make_edit(context(), out)(data, chat_state=chat, **asdict(FORM)))
    assert len(updates) == 1  # an edited answer runs nothing
    return out, updates[0]


def test_an_edited_answer_is_what_the_next_turn_sends_as_that_assistant_message() -> None:
    answered = Conversation("Be brief.").ask("Hi").answer(Answer("Hello!", reasoning="greet back"))
    out, update = edited(2, "Hi! How can I help?", answered)  # messages: Hi, the Thinking block, the answer
    chat = update[out.panel.state]
    request = turn_request(context(), FORM, chat.ask("Why?"))
    assert request.turns == (("Hi", "Hi! How can I help?"),)
    assert update[out.panel.conversation][-1] == {"role": "assistant", "content": "Hi! How can I help?"}
    assert update[out.panel.edited_turn]["choices"] == [("Turn 1: version 2 of 2", 0)]  # the original stays reachable


def test_an_edited_answer_becomes_a_history_entry_of_its_turn() -> None:
    answered = Conversation("Be brief.").ask("Hi").answer(Answer("Hello!")).ask("Why?").answer(Answer("Because."))
    out, update = edited(1, "Hello there!", answered)
    entry = update[out.finished]
    assert (entry["prompt"], entry["output"], entry["turns"]) == ("Hi", "Hello there!", [])
    assert entry["system_prompt"] == "Be brief." and entry["model"] == "test/chat-model"


def test_editing_the_thinking_block_changes_nothing_and_records_nothing() -> None:
    answered = Conversation().ask("Hi").answer(Answer("Hello!", reasoning="greet back"))
    out, update = edited(1, "other thoughts", answered)
    assert out.panel.state not in update and update[out.finished] is None  # no earlier run is recorded again
