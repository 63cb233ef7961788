"""Chat mode in Chromium: a conversation, Regenerate, New chat, editing a turn and its versions,
reasoning shown apart, structured output, and a conversation that outgrows its context."""

from __future__ import annotations

from playwright.sync_api import expect

from playground.catalog import facts as facts_module
from tests.browser_page import BROWSER_MARKS, open_page, set_model, stats_line, wait_for_new_stats
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS


def chat_mode(page, model: str = "test/chat-model", max_new_tokens: int = 12) -> None:
    facts_module._facts_cache.clear()  # router facts are cached for minutes; each test sets its own
    set_model(page, model)
    page.get_by_label("Chat", exact=True).check()
    page.locator("#pg-conversation").wait_for()
    page.locator("#pg-generate-chat").wait_for()  # shown by an event of its own, after the Conversation's
    page.locator("#pg-chat-setup").get_by_text("System prompt:").click()  # unfold the system prompt and response format
    page.get_by_label("System prompt", exact=True).wait_for()
    page.locator("input[aria-label='number input for Max new tokens']").fill(str(max_new_tokens))


def send(page, text: str | None, button: str = "Generate") -> None:
    """Types `text` (unless None) in Prompt, presses `button`, and waits for this run's stats line:
    one that differs from the last (each run has its own seed and timings). Only the line's own
    text counts: while a run streams, the element also shows Gradio's timer."""
    before = stats_line(page)
    if text is not None:
        page.get_by_label("Prompt", exact=True).fill(text)
    page.get_by_role("button", name=button, exact=True).click()
    wait_for_new_stats(page, before)


def bot_texts(page) -> list[str]:
    return page.locator("#pg-conversation .message.bot").all_inner_texts()


def user_texts(page) -> list[str]:
    return page.locator("#pg-conversation .message.user").all_inner_texts()


def test_the_second_turn_sends_user_assistant_user(page, server: ProtocolServer) -> None:
    chat_mode(page)
    send(page, "Hello there")
    assert page.get_by_label("Prompt", exact=True).input_value() == ""  # the message moved into the conversation
    first_answer = server.posts("test/chat-model")[-1]
    send(page, "Second question")
    body = server.posts("test/chat-model")[-1].body
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][0]["content"] == "Hello there" and body["messages"][2]["content"] == "Second question"
    assert body["messages"][1]["content"].startswith("Echo") and first_answer is not None
    assert "Second question" in bot_texts(page)[-1]
    assert "prompt " in page.locator("#pg-stats").inner_text()  # usage from the stream: exact, no ≈
    assert "≈" not in page.locator("#pg-stats").inner_text()


def test_regenerate_resends_up_to_the_last_message_and_new_chat_starts_over(page, server: ProtocolServer) -> None:
    chat_mode(page)
    page.get_by_label("System prompt").fill("Be brief.")
    send(page, "One")
    send(page, "Two")
    before = server.posts("test/chat-model")[-1].body["messages"]
    send(page, None, button="Regenerate")
    again = server.posts("test/chat-model")[-1].body["messages"]
    assert [m["role"] for m in again] == ["system", "user", "assistant", "user"] and again[:3] == before[:3]
    assert again[-1]["content"] == "Two"
    page.get_by_role("button", name="New chat").click()
    page.wait_for_function("() => document.querySelectorAll('#pg-conversation .message').length === 0", timeout=10_000)
    assert page.get_by_label("System prompt").input_value() == "Be brief."
    send(page, "Fresh start")
    assert [m["role"] for m in server.posts("test/chat-model")[-1].body["messages"]] == ["system", "user"]


def edit_first_message(page, text: str) -> None:
    """Edits turn 1 with the Chatbot's own edit button, and waits for the answer to the edit."""
    before = stats_line(page)
    chat = page.locator("#pg-conversation")
    chat.locator(".message.user").first.hover()
    chat.get_by_role("button", name="Edit").first.click()
    chat.locator("textarea").fill(text)
    chat.get_by_role("button", name="Submit").click()
    wait_for_new_stats(page, before)


def test_editing_turn_one_regenerates_from_it_and_keeps_the_old_branch_reachable(page, server: ProtocolServer) -> None:
    chat_mode(page)
    send(page, "Tell me about owls")
    send(page, "And their eyes?")
    edit_first_message(page, "Tell me about cats")
    body = server.posts("test/chat-model")[-1].body
    assert [m["content"] for m in body["messages"]] == ["Tell me about cats"]  # the turns after it are gone
    assert user_texts(page) == ["Tell me about cats"]
    page.wait_for_function("() => document.querySelector('#pg-edited-turn input')?.value === 'Turn 1: version 2 of 2'", timeout=10_000)
    page.get_by_role("button", name="Previous version").click()
    page.wait_for_function("() => document.querySelectorAll('#pg-conversation .message.user').length === 2", timeout=10_000)
    assert user_texts(page) == ["Tell me about owls", "And their eyes?"]  # the old branch, whole
    send(page, "And their ears?")  # the old branch goes on from where it was
    assert [m["content"] for m in server.posts("test/chat-model")[-1].body["messages"] if m["role"] == "user"] == [
        "Tell me about owls", "And their eyes?", "And their ears?"]
    page.get_by_role("button", name="Next version").click()
    page.wait_for_function("() => document.querySelectorAll('#pg-conversation .message.user').length === 1", timeout=10_000)
    assert user_texts(page) == ["Tell me about cats"]
    correct_the_answer(page, "Cats purr.")  # an answer can be corrected too, and the next turn sends it
    send(page, "Why?")
    sent = server.posts("test/chat-model")[-1].body["messages"]
    assert [m["content"] for m in sent] == ["Tell me about cats", "Cats purr.", "Why?"]


def correct_the_answer(page, text: str) -> None:
    """Edits the answer of a one-turn conversation with the Chatbot's own edit button; nothing is asked again."""
    chat = page.locator("#pg-conversation")
    chat.locator(".message.bot").first.hover()
    chat.get_by_role("button", name="Edit").last.click()  # one turn: the last Edit is its answer's
    chat.locator("textarea").fill(text)
    chat.get_by_role("button", name="Submit").click()
    page.wait_for_function("() => document.querySelector('#pg-edited-turn input')?.value === 'Turn 1: version 3 of 3'", timeout=10_000)
    expect(chat.locator(".message.bot").first).to_contain_text(text)


def test_a_think_model_shows_its_thinking_collapsed_and_apart_with_no_raw_tags(page, server: ProtocolServer) -> None:
    chat_mode(page, "test/think-model")
    send(page, "Why is the sky blue?")
    chat = page.locator("#pg-conversation")
    thinking = chat.get_by_text("Thinking", exact=True)
    thinking.wait_for()
    expect(chat).not_to_contain_text("Let me think about it.")  # collapsed: the reasoning is not on screen
    assert "<think>" not in chat.inner_text() and "</think>" not in chat.inner_text()
    assert "Why is the sky blue?" in bot_texts(page)[-1]  # the answer, shown apart
    # counted apart from the answer: five words and the four tag and blank-line tokens around them
    assert "thinking 9 · answer 12 tokens" in page.locator("#pg-stats").inner_text()
    thinking.click()
    chat.get_by_text("Let me think about it.").wait_for()  # opens on click
    send(page, "And at sunset?")
    earlier_answer = server.posts("test/think-model")[-1].body["messages"][1]["content"]
    assert earlier_answer.startswith("Echo") and "think" not in earlier_answer  # sent back without its reasoning


def test_a_json_schema_request_sends_response_format_and_marks_an_invalid_answer(page, server: ProtocolServer) -> None:
    chat_mode(page, "test/json-model")
    page.get_by_label("JSON schema", exact=True).check()
    page.locator("#pg-schema").wait_for()
    send(page, "Dune")
    sent = server.posts("test/json-model")[-1].body["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["schema"]["required"] == ["name", "year"]
    verdict = page.locator("#pg-verdict")
    verdict.get_by_text("Invalid").wait_for()
    assert "year: 'nineteen' is not of type 'integer'" in verdict.inner_text()
    assert "$" in page.locator("#pg-stats").inner_text()  # the router's price gives the run's cost


def test_a_model_without_structured_output_says_why_the_format_is_not_offered(page) -> None:
    chat_mode(page, "test/chat-model")
    page.locator("#pg-format-note").get_by_text("isn't offered").wait_for()
    assert not page.get_by_label("JSON schema", exact=True).is_enabled()


def test_a_conversation_that_outgrows_the_context_offers_to_drop_the_oldest_turns(page, server: ProtocolServer) -> None:
    server.add_model("test/short-context", providers={"hf-inference": "conversational"},
                     facts={"hf-inference": {"context_length": 120}})
    chat_mode(page, "test/short-context", max_new_tokens=20)
    send(page, "First question about the sea and its many waves")
    send(page, "Second question about the sky and its clouds")
    posts = len(server.posts("test/short-context"))
    page.get_by_label("Prompt", exact=True).fill("Third question, which no longer fits in the context")
    page.get_by_role("button", name="Generate", exact=True).click()
    page.locator("#pg-fit-notice").get_by_text("doesn't fit").wait_for()
    assert len(server.posts("test/short-context")) == posts  # nothing sent, nothing cut
    assert page.get_by_label("Prompt", exact=True).input_value() == "Third question, which no longer fits in the context"
    assert len(user_texts(page)) == 2
    page.get_by_role("button", name="Drop oldest turns").click()
    page.wait_for_function("() => document.querySelectorAll('#pg-conversation .message.user').length < 2", timeout=10_000)
    send(page, None)
    sent = [m["content"] for m in server.posts("test/short-context")[-1].body["messages"] if m["role"] == "user"]
    assert sent[-1] == "Third question, which no longer fits in the context" and "First question about the sea and its many waves" not in sent


def test_a_share_link_and_the_history_bring_back_the_conversation(browser, page, app_url: str, server: ProtocolServer) -> None:
    chat_mode(page)
    send(page, "Remember the word 'lighthouse'")
    send(page, "Which word?")
    sent = server.posts("test/chat-model")[-1].body
    page.get_by_text("Share and View code").click()
    link = page.locator("#pg-share-link textarea").input_value()
    context, fresh = open_page(browser, link)
    try:
        fresh.locator("#pg-conversation .message.user").first.wait_for()
        assert user_texts(fresh) == ["Remember the word 'lighthouse'"]
        assert fresh.get_by_label("Prompt", exact=True).input_value() == "Which word?"
    finally:
        context.close()
    page.get_by_role("button", name="New chat").click()
    page.wait_for_function("() => document.querySelectorAll('#pg-conversation .message').length === 0", timeout=10_000)
    page.locator("#pg-history").get_by_text("Which word?").click()  # the whole conversation, as it was shown
    page.wait_for_function("() => document.querySelectorAll('#pg-conversation .message.user').length === 2", timeout=10_000)
    send(page, None, button="Re-run")
    again = server.posts("test/chat-model")[-1].body
    assert again["messages"] == sent["messages"] and again["seed"] == sent["seed"]  # the very same request


def test_view_code_reproduces_the_conversation(page, server: ProtocolServer) -> None:
    chat_mode(page)
    send(page, "Hello there")
    page.get_by_label("Prompt", exact=True).fill("Next one")
    page.get_by_text("Share and View code").click()
    page.get_by_role("button", name="View code", exact=True).click()
    page.get_by_role("tab", name="cURL").click()
    page.locator("#pg-code-curl .cm-content").get_by_text('"Next one"').wait_for()
    snippet = page.locator("#pg-code-curl .cm-content").inner_text()
    assert snippet.index('"Hello there"') < snippet.index('"assistant"') < snippet.index('"Next one"')
    assert '"include_usage": true' in snippet
