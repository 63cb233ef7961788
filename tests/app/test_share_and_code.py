"""The share link and View code as the form makes them (components/share_code.py): a link as soon as
there is something to share, and with Random seed on, the seed the run just made actually used."""

from __future__ import annotations

from dataclasses import replace

from components.chat_run import turn_request
from components.context import RunContext, checked_request
from components.share_code import code_for_form, share_link_for_form
from playground.chat.conversation import Answer, Conversation
from playground.config import Settings
from playground.inference.backend import Backend
from playground.input.form_values import FormValues
from playground.input.request import Mode
from playground.saved.history import new_entry

PAGE = "http://127.0.0.1:7860/"
FORM = FormValues(model="test/chat-model", provider="auto", mode=Mode.COMPLETION.value, system_prompt="", response_format="Text",
                  json_schema="", prompt="Once upon a time", temperature=0.7, max_new_tokens=20, seed=5, random_seed=True,
                  top_p=1.0, top_k=50, repetition_penalty=1.0, frequency_penalty=0.0, stop="")
CHAT = replace(FORM, mode=Mode.CHAT.value, prompt="")


def context() -> RunContext:
    return RunContext(Backend(), Settings())


def finished_entry(request) -> dict:
    return new_entry(request, "An answer.", {}).model_dump(mode="json")


def test_the_share_link_holds_the_typed_prompt_and_is_empty_while_there_is_nothing_to_share() -> None:
    assert share_link_for_form(FORM, PAGE).startswith(f"{PAGE}?") and "prompt=Once%20upon" in share_link_for_form(FORM, PAGE)
    assert share_link_for_form(replace(FORM, prompt="  "), PAGE) == ""
    assert share_link_for_form(replace(FORM, temperature=9), PAGE) == ""


def test_with_random_seed_the_chat_snippet_shows_the_seed_the_run_used() -> None:
    asked = Conversation().ask("Hello there")
    sent = turn_request(context(), CHAT, asked)  # the run's request, its random seed made concrete
    after = asked.answer(Answer("An answer."))
    python = code_for_form(context(), CHAT, PAGE, after, finished=finished_entry(sent))[1]
    assert f"seed={sent.params.seed}" in python and "seed=None" not in python
    assert f"seed={sent.params.seed}" in share_link_for_form(CHAT, PAGE, after, finished_entry(sent))


def test_with_random_seed_a_changed_request_shows_no_seed_rather_than_an_old_one() -> None:
    sent = checked_request(context(), FORM)
    python = code_for_form(context(), replace(FORM, prompt="Another start"), PAGE, finished=finished_entry(sent))[1]
    assert f"seed={sent.params.seed}" not in python
    completion = code_for_form(context(), FORM, PAGE, finished=finished_entry(sent))[1]
    assert f"seed={sent.params.seed}" in completion
