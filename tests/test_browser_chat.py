# ruff: noqa: F811  (pytest fixtures imported from test_browser are used as parameters)
"""Chat mode in Chromium: a conversation, Regenerate, New chat, editing a turn and its versions,
reasoning shown apart, structured output, and a conversation that outgrows its context."""

from __future__ import annotations

from tests.protocol_server import ProtocolServer
from tests.test_browser import browser, page, pytestmark, set_model, set_seed  # noqa: F401  (shared fixtures, marks)


def chat_mode(page, model: str = "test/chat-model", max_new_tokens: int = 12) -> None:
    set_model(page, model)
    page.get_by_label("Chat", exact=True).check()
    page.locator("#pg-conversation").wait_for()
    page.locator("input[aria-label='number input for Max new tokens']").fill(str(max_new_tokens))


STATS_TEXT = "() => document.querySelector('#pg-stats [data-testid=markdown]')?.innerText || ''"


def send(page, text: str | None, button: str = "Generate") -> None:
    """Types `text` (unless None) in Prompt, presses `button`, and waits for this run's stats line:
    one that differs from the last (each run has its own seed and timings). Only the line's own
    text counts: while a run streams, the element also shows Gradio's timer."""
    before = page.evaluate(STATS_TEXT)
    if text is not None:
        page.get_by_label("Prompt", exact=True).fill(text)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_function(f"before => {{ const now = ({STATS_TEXT})(); return now.includes('tokens/s') && now !== before; }}",
                           arg=before, timeout=30_000)


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
