"""Chat runs through the backend with the real InferenceClient against the protocol server:
reasoning deltas, `<think>` text, usage and response_format on the wire."""

from __future__ import annotations

import pytest

from playground.chat.conversation import Answer, Conversation
from playground.chat.reasoning import ReplySplitter
from playground.chat.structured import check_answer
from playground.inference.backend import Backend
from playground.inference.events import Done, Token, Usage
from playground.inference.retry import RetryPolicy
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from playground.input.response_format import EXAMPLE_SCHEMA_TEXT, ResponseFormat, parse_schema
from tests.conftest import TEST_TOKEN, FakeClock
from tests.protocol_server import ProtocolServer


@pytest.fixture
def backend(clock: FakeClock) -> Backend:
    return Backend(policy=RetryPolicy(deadline=30), clock=clock)


def chat_request(model: str, conversation: Conversation, **changes: object) -> GenerationRequest:
    return GenerationRequest(model=model, prompt=conversation.last_user_message, mode=Mode.CHAT, system_prompt=conversation.system_prompt,
                             turns=conversation.earlier_pairs(), params=GenerationParams(max_new_tokens=6, seed=1), **changes)


def split(events: list) -> ReplySplitter:
    splitter = ReplySplitter()
    for number, event in enumerate(events):
        if isinstance(event, Token):
            splitter.feed(event.text, event.reasoning, float(number))
    splitter.finish(float(len(events)))
    return splitter


def test_the_second_turn_sends_the_whole_conversation_and_asks_for_usage(server: ProtocolServer, backend: Backend) -> None:
    chat = Conversation("Be brief.").ask("Hi").answer(Answer("Hello!", reasoning="secret")).ask("More?")
    events = list(backend.run(chat_request("test/chat-model", chat), TEST_TOKEN))
    (post,) = server.posts("test/chat-model")
    assert [m["role"] for m in post.body["messages"]] == ["system", "user", "assistant", "user"]
    assert post.body["messages"][2]["content"] == "Hello!"  # reasoning is never sent back
    assert post.body["stream_options"] == {"include_usage": True}
    done = events[-1]
    assert isinstance(done, Done) and done.stats.usage == Usage(prompt_tokens=5, completion_tokens=6, reasoning_tokens=None)  # words of the messages


def test_a_reasoning_content_field_arrives_apart_from_the_answer(server: ProtocolServer, backend: Backend) -> None:
    events = list(backend.run(chat_request("test/reasoning-model", Conversation().ask("Why?")), TEST_TOKEN))
    reply = split(events).reply
    assert reply.reasoning == "Let me think about it. " and reply.answer.startswith("Echo seed=1")
    assert reply.thinking_tokens == 5 and reply.answer_tokens == 6
    assert events[-1].stats.usage.reasoning_tokens == 5


def test_think_tags_in_the_text_are_split_out(server: ProtocolServer, backend: Backend) -> None:
    reply = split(list(backend.run(chat_request("test/think-model", Conversation().ask("Why?")), TEST_TOKEN))).reply
    assert reply.reasoning == "Let me think about it. " and reply.answer.startswith("Echo seed=1")
    assert "think>" not in reply.answer


def test_a_json_schema_is_sent_as_response_format_and_a_wrong_answer_is_invalid(server: ProtocolServer, backend: Backend) -> None:
    request = chat_request("test/json-model", Conversation().ask("Dune"), response_format=ResponseFormat.JSON_SCHEMA,
                           json_schema=EXAMPLE_SCHEMA_TEXT)
    events = list(backend.run(request, TEST_TOKEN))
    (post,) = server.posts("test/json-model")
    assert post.body["response_format"]["json_schema"]["schema"] == parse_schema(EXAMPLE_SCHEMA_TEXT)
    answer = "".join(event.text for event in events if isinstance(event, Token))
    verdict = check_answer(answer, ResponseFormat.JSON_SCHEMA, parse_schema(EXAMPLE_SCHEMA_TEXT))
    assert not verdict.valid and "year" in verdict.error


def test_router_facts_give_the_context_price_and_structured_output_per_provider(server: ProtocolServer) -> None:
    from playground.catalog import facts as catalog
    from playground.chat.facts import router_lookup
    from playground.chat.usage import Price

    catalog._facts_cache.clear()
    server.add_model("bars/two", providers={"together": "conversational", "novita": "conversational"}, facts={
        "together": {"context_length": 8192, "pricing": {"input": 0.2, "output": 0.6}, "supports_structured_output": True},
        "novita": {"context_length": 4096, "pricing": {"input": 0.1, "output": 0.3}, "supports_structured_output": False}})
    together = router_lookup("bars/two", "together", TEST_TOKEN)
    assert together.context_length == 8192 and together.price == Price(0.2, 0.6) and together.supports_structured_output
    auto = router_lookup("bars/two", "auto", TEST_TOKEN)  # either may answer: the safe bound, no single price
    assert auto.context_length == 4096 and auto.price is None and auto.supports_structured_output is False
    assert router_lookup("http://127.0.0.1:9/v1", "auto", TEST_TOKEN) is None  # an endpoint URL is not on the router
