"""Chat with the real built-in model (SmolLM2-135M through llama.cpp, on loopback), through the
backend as the app runs it: a conversation it follows, one that outgrows its 2048-token context,
and JSON that llama.cpp's grammar constrains.

Skipped only when llama-cpp-python is not installed; CI installs it (requirements-local.txt).
"""

from __future__ import annotations

import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -r requirements-local.txt")

from playground import errors as e  # noqa: E402
from playground.chat.context import check_fit  # noqa: E402
from playground.chat.conversation import Answer, Conversation  # noqa: E402
from playground.chat.facts import LOCAL_FACTS  # noqa: E402
from playground.chat.structured import check_answer  # noqa: E402
from playground.inference.backend import Backend  # noqa: E402
from playground.inference.events import Done, Token  # noqa: E402
from playground.input.params import GenerationParams  # noqa: E402
from playground.input.request import GenerationRequest, Mode  # noqa: E402
from playground.input.response_format import (
    EXAMPLE_SCHEMA_TEXT,
    ResponseFormat,
    parse_schema,  # noqa: E402
)
from playground.local import LOCAL_MODEL_NAME  # noqa: E402
from playground.local.resolve import local_model_resolver  # noqa: E402

GREEDY = GenerationParams(temperature=0, max_new_tokens=40, seed=1)


@pytest.fixture(scope="module")
def backend(local_service) -> Backend:
    return Backend(resolve_url=local_model_resolver(local_service))


def ask(backend: Backend, chat: Conversation, **changes: object) -> tuple[str, Done]:
    request = GenerationRequest(model=LOCAL_MODEL_NAME, prompt=chat.last_user_message, mode=Mode.CHAT, system_prompt=chat.system_prompt,
                                turns=chat.earlier_pairs(), params=GREEDY, **changes)
    events = list(backend.run(request, None))
    return "".join(event.text for event in events if isinstance(event, Token)), events[-1]


def test_a_two_turn_chat_remembers_the_first_turn(backend: Backend) -> None:
    chat = Conversation("You are a helpful assistant.").ask("I have a dog called Rex.")
    first, _ = ask(backend, chat)
    chat = chat.answer(Answer(first)).ask("What is the name of my dog?")
    second, done = ask(backend, chat)
    assert "Rex" in second  # only the first turn says so
    alone, _ = ask(backend, Conversation("You are a helpful assistant.").ask("What is the name of my dog?"))
    assert "Rex" not in alone
    assert done.stats.usage.prompt_tokens > 20 and done.stats.usage.completion_tokens == done.stats.tokens + 1  # + end of turn
    assert check_fit(chat, LOCAL_FACTS.context_length, GREEDY.max_new_tokens).fits


def test_a_conversation_longer_than_the_context_is_refused_until_the_oldest_turns_go(backend: Backend) -> None:
    chat = Conversation("You are a helpful assistant.")
    for number in range(14):
        chat = chat.ask(f"Tell me fact number {number} about the sea. " + "The sea is deep and wide. " * 20)
        chat = chat.answer(Answer("The sea covers most of the planet. " * 20))
    chat = chat.ask("What did we talk about?")
    fit = check_fit(chat, LOCAL_FACTS.context_length, GREEDY.max_new_tokens)
    assert not fit.fits and fit.drop_turns
    with pytest.raises(e.RequestRejectedError, match="reads at most 2047"):
        ask(backend, chat)  # the estimate is not just cautious: the model really cannot read it
    answer, done = ask(backend, chat.drop_oldest(fit.drop_turns))
    assert answer.strip() and done.stats.usage.prompt_tokens < 2048


def test_the_local_model_answers_json_that_follows_the_schema(backend: Backend) -> None:
    chat = Conversation().ask("Give me a famous film as JSON with its name and year.")
    answer, _ = ask(backend, chat, response_format=ResponseFormat.JSON_SCHEMA, json_schema=EXAMPLE_SCHEMA_TEXT)
    assert check_answer(answer, ResponseFormat.JSON_SCHEMA, parse_schema(EXAMPLE_SCHEMA_TEXT)).valid, answer
