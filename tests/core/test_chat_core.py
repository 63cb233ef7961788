"""Chat as a conversation, in the core: the conversation value, reasoning split out of a stream,
fitting a context, structured output, token counts and cost. Pure tests, no server."""

from __future__ import annotations

import json

import pytest

from playground.chat.context import check_fit
from playground.chat.conversation import Answer, Conversation, answered, from_pairs
from playground.chat.facts import LOCAL_FACTS, UNKNOWN, model_facts, structured_output_note
from playground.chat.reasoning import ReplySplitter
from playground.chat.structured import check_answer
from playground.chat.usage import Price, run_cost, run_tokens, tokens_text
from playground.errors import InvalidParametersError
from playground.inference.events import Usage
from playground.input.request import GenerationRequest, Mode, client_call
from playground.input.response_format import EXAMPLE_SCHEMA_TEXT, ResponseFormat, parse_schema, response_format_body
from playground.local import LOCAL_MODEL_NAME
from playground.local.protocol import response_grammar


def two_turns() -> Conversation:
    chat = Conversation("Be brief.").ask("Hi").answer(Answer("Hello!", reasoning="greet back"))
    return chat.ask("How are you?").answer(Answer("Fine."))


def test_a_request_carries_system_prompt_then_user_and_assistant_turns_without_reasoning() -> None:
    chat = two_turns().ask("And you?")
    assert chat.to_messages() == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "How are you?"}, {"role": "assistant", "content": "Fine."},
        {"role": "user", "content": "And you?"},
    ]
    request = GenerationRequest(model="org/m", prompt=chat.last_user_message, mode=Mode.CHAT, system_prompt=chat.system_prompt, turns=chat.earlier_pairs())
    assert client_call(request).kwargs["messages"] == chat.to_messages()
    assert from_pairs(chat.system_prompt, chat.earlier_pairs(), chat.last_user_message).to_messages() == chat.to_messages()


def test_regenerate_asks_the_last_message_again_and_keeps_the_old_answer_reachable() -> None:
    again = two_turns().regenerate()
    assert again.pending and again.to_messages()[-1] == {"role": "user", "content": "How are you?"}
    assert len(again.to_messages()) == 4
    answered = again.answer(Answer("Great."))
    assert answered.turns[-1].version == (2, 2)
    assert answered.switch_version(1, -1).turns[-1].answer == Answer("Fine.")


def test_editing_turn_one_drops_what_followed_and_keeps_the_old_branch_reachable() -> None:
    edited = two_turns().edit(0, "Hey")
    assert edited.to_messages() == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hey"}]
    edited = edited.answer(Answer("Hey yourself."))
    back = edited.switch_version(0, -1)
    assert back.to_messages() == two_turns().to_messages() and back.turns[0].answer.reasoning == "greet back"
    assert back.turns[0].version == (1, 2)
    forward = back.switch_version(0, 1)
    assert forward.to_messages() == edited.to_messages() and forward.turns[0].version == (2, 2)
    assert forward.switch_version(0, 1) == forward  # no version after the newest


def test_a_corrected_answer_is_what_later_turns_send_and_the_original_stays_reachable() -> None:
    corrected = two_turns().edit_answer(0, "Hello, friend!")
    assert corrected.ask("And you?").to_messages()[2] == {"role": "assistant", "content": "Hello, friend!"}
    assert corrected.turns[0].answer.reasoning == "" and corrected.turns[1].user == "How are you?"  # nothing asked again
    assert corrected.turns[0].version == (2, 2)
    back = corrected.switch_version(0, -1)
    assert back.to_messages() == two_turns().to_messages() and back.turns[0].answer.reasoning == "greet back"


def test_a_failed_message_is_replaced() -> None:
    failed = two_turns().ask("lost?")
    assert failed.ask("Retry").to_messages()[-2:] == [{"role": "assistant", "content": "Fine."}, {"role": "user", "content": "Retry"}]


def feed_all(pieces: list[str | tuple[str, str]]) -> ReplySplitter:
    splitter = ReplySplitter(started=0.0)
    for now, piece in enumerate(pieces, start=1):
        text, reasoning = piece if isinstance(piece, tuple) else (piece, "")
        splitter.feed(text, reasoning, float(now))
    splitter.finish(float(len(pieces) + 1))
    return splitter


def test_think_tags_split_across_tokens_never_show_and_the_thinking_is_timed_and_counted() -> None:
    reply = feed_all(["<th", "ink>", "Let ", "me ", "think.", "</th", "ink>", "\n\n", "Hello", " world"]).reply
    assert (reply.answer, reply.reasoning) == ("Hello world", "Let me think.")
    assert reply.thinking_tokens == 8 and reply.answer_tokens == 2
    assert reply.thinking_seconds == 5.0  # from the opening tag, complete at 2, to the closing one, complete at 7
    assert "<" not in reply.answer + reply.reasoning


def test_a_template_that_opens_the_block_itself_still_splits_at_the_closing_tag() -> None:
    reply = feed_all(["I ", "reason", "</think>", "Answer"]).reply
    assert (reply.answer, reply.reasoning) == ("Answer", "I reason")
    assert reply.thinking_tokens == 3 and reply.answer_tokens == 1


def test_a_reasoning_field_is_kept_apart_and_plain_text_with_angle_brackets_is_untouched() -> None:
    reply = feed_all([("", "Weighing "), ("", "options."), ("Yes.", "")]).reply
    assert (reply.answer, reply.reasoning, reply.thinking_tokens, reply.answer_tokens) == ("Yes.", "Weighing options.", 2, 1)
    assert reply.thinking_seconds == 2.0
    assert feed_all(["a < b and <thinking> is not a tag <"]).reply.answer == "a < b and <thinking> is not a tag <"


def test_a_conversation_that_outgrows_the_context_says_how_many_turns_to_drop() -> None:
    chat = Conversation()
    for number in range(12):
        chat = chat.ask(f"Question {number}: " + "words " * 60).answer(Answer("Answer " + "text " * 60))
    chat = chat.ask("Last question?")
    fit = check_fit(chat, context_length=2048, max_new_tokens=256)
    assert not fit.fits and fit.drop_turns
    smaller = chat.drop_oldest(fit.drop_turns)
    assert check_fit(smaller, 2048, 256).fits and smaller.last_user_message == "Last question?"
    assert check_fit(smaller.drop_oldest(0), 2048, 256).drop_turns == 0
    assert check_fit(chat, None, 256) is None  # unknown context: only the server can tell
    assert check_fit(Conversation().ask("x" * 20_000), 2048, 256).drop_turns is None


def test_json_schema_answers_are_marked_valid_or_invalid_with_the_first_error() -> None:
    schema = parse_schema(EXAMPLE_SCHEMA_TEXT)
    assert check_answer('{"name": "Dune", "year": 1965}', ResponseFormat.JSON_SCHEMA, schema).valid
    invalid = check_answer('{"name": "Dune", "year": "1965"}', ResponseFormat.JSON_SCHEMA, schema)
    assert not invalid.valid and invalid.error == "year: '1965' is not of type 'integer'"
    assert not check_answer("Sure! Here it is", ResponseFormat.JSON, None).valid
    assert check_answer('```json\n{"a": 1}\n```', ResponseFormat.JSON, None).valid
    assert check_answer("anything", ResponseFormat.TEXT, None) is None


@pytest.mark.parametrize("text, problem", [("", "write a JSON schema"), ("{", "not valid JSON"), ("[1]", "JSON object"),
                                           ('{"type": 5}', "not a valid JSON Schema")])
def test_a_bad_schema_is_refused_with_words(text: str, problem: str) -> None:
    with pytest.raises(InvalidParametersError, match=problem):
        parse_schema(text)


def test_the_response_format_is_sent_on_the_chat_route_with_usage_asked_for() -> None:
    request = GenerationRequest(model="org/m", prompt="Name a film", mode=Mode.CHAT, response_format=ResponseFormat.JSON_SCHEMA, json_schema=EXAMPLE_SCHEMA_TEXT)
    kwargs = client_call(request).kwargs
    assert kwargs["response_format"] == {"type": "json_schema", "json_schema": {"name": "answer", "schema": json.loads(EXAMPLE_SCHEMA_TEXT), "strict": True}}
    assert kwargs["stream_options"] == {"include_usage": True}
    assert "response_format" not in client_call(GenerationRequest(model="org/m", prompt="x", mode=Mode.CHAT)).kwargs
    assert response_format_body(ResponseFormat.JSON, None) == {"type": "json_object"}


def test_the_local_model_turns_every_response_format_shape_into_a_grammar() -> None:
    pytest.importorskip("llama_cpp")
    schema = json.loads(EXAMPLE_SCHEMA_TEXT)
    assert response_grammar(None) is None and response_grammar({"type": "text"}) is None
    assert "root" in response_grammar({"type": "json_object"})
    from_tgi = response_grammar({"type": "json_object", "value": schema})
    assert from_tgi == response_grammar({"type": "json_schema", "json_schema": {"name": "a", "schema": schema}})
    assert '\\"year\\"' in from_tgi or '"year"' in from_tgi
    with pytest.raises(ValueError):
        response_grammar({"type": "regex", "value": "a+"})


def test_reported_usage_is_exact_and_estimates_are_marked() -> None:
    messages = [{"role": "user", "content": "Hello there"}]
    exact = run_tokens(Usage(12, 30, 10), messages, "answer", "thought", thinking_pieces=9, answer_pieces=20)
    assert (exact.prompt, exact.completion, exact.thinking, exact.answer, exact.estimated) == (12, 30, 10, 20, False)
    assert tokens_text(exact, run_cost(exact, Price(1.0, 2.0))) == "prompt 12 · thinking 10 · answer 20 tokens · $0.000072"
    guess = run_tokens(None, messages, "answer", "", thinking_pieces=0, answer_pieces=5)
    assert guess.estimated and tokens_text(guess, None).startswith("prompt ≈") and "answer ≈5 tokens" in tokens_text(guess, None)
    assert run_cost(guess, None) is None


def test_facts_are_known_for_the_local_model_and_unknown_without_a_lookup() -> None:
    assert model_facts(LOCAL_MODEL_NAME, "auto", None) == LOCAL_FACTS and LOCAL_FACTS.context_length == 2048
    assert model_facts("org/m", "auto", None) == UNKNOWN
    assert model_facts("org/m", "auto", None, lookup=lambda *_: 1 / 0) == UNKNOWN  # a failing lookup knows nothing
    assert structured_output_note(LOCAL_MODEL_NAME, LOCAL_FACTS) is None
    assert "doesn't say" in structured_output_note("org/m", UNKNOWN)


def test_a_share_link_carries_the_conversation_the_format_and_the_schema() -> None:
    from playground.saved.share import parse_share_url, share_query

    request = GenerationRequest(model="org/m", prompt="Third?", mode=Mode.CHAT, turns=(("a & b?", "c = d"), ("e", "f")),
                                response_format=ResponseFormat.JSON_SCHEMA, json_schema=EXAMPLE_SCHEMA_TEXT)
    shared = parse_share_url(share_query(request))
    assert shared.apply_to(GenerationRequest(model="x/y", prompt="")) == request and not shared.problems
    broken = parse_share_url("user=a&user=b&assistant=c&prompt=x")
    assert broken.turns is None and "conversation" in broken.problems[0]  # left out whole, never half


def test_a_preset_carries_a_conversation_a_format_and_a_schema() -> None:
    from playground.saved.presets import Preset, preset_from_request, presets_from_yaml, presets_to_yaml

    request = GenerationRequest(model="org/m", prompt="", mode=Mode.CHAT, turns=(("Say hi", "Hi!"),),
                                response_format=ResponseFormat.JSON_SCHEMA, json_schema=EXAMPLE_SCHEMA_TEXT)
    preset = preset_from_request("few-shot", "Few-shot", request)
    (loaded,) = presets_from_yaml(presets_to_yaml([preset])).presets
    assert loaded.conversation == [("Say hi", "Hi!")] and loaded.response_format is ResponseFormat.JSON_SCHEMA
    assert loaded.json_schema == EXAMPLE_SCHEMA_TEXT
    with pytest.raises(ValueError, match="not valid JSON"):
        Preset(name="bad", label="Bad", json_schema="{")


def test_a_finished_chat_comes_back_whole_with_its_last_answer() -> None:
    """Guards issue 20: a chat picked in History shows every turn, the last one answered, nothing waiting."""
    chat = answered("Be brief.", (("Hi", "Hello"),), "Which word?", "Harbour")
    assert chat.to_messages() == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                                  {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Which word?"},
                                  {"role": "assistant", "content": "Harbour"}]
