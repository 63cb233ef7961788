"""In Chromium: a page a presenter drives without looking for anything (issue 20) — the keyboard,
cards readable in dark mode, a chat back from History, controls that don't bite, the first screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from playground.catalog import facts as facts_module
from tests.browser_page import BROWSER_MARKS, set_model
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS

CTRL_ENTER = "Control+Enter"


def chat_mode(page, model: str = "test/chat-model") -> None:
    facts_module._facts_cache.clear()  # router facts are cached for minutes
    set_model(page, model)
    page.get_by_label("Chat", exact=True).check()
    expect(page.locator("#pg-conversation")).to_be_visible()
    page.locator("input[aria-label='number input for Max new tokens']").fill("8")


def test_ctrl_enter_in_the_prompt_generates_in_completion_mode(page, server: ProtocolServer) -> None:
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("Sent from the keyboard")
    prompt.press(CTRL_ENTER)
    expect(page.locator("#pg-output textarea")).to_have_value(re.compile("Sent from the keyboard"), timeout=30_000)
    assert prompt.input_value() == "Sent from the keyboard"  # no newline was added


def test_in_chat_mode_enter_sends_shift_enter_adds_a_line_and_ctrl_enter_sends_too(page, server: ProtocolServer) -> None:
    chat_mode(page)
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("First line")
    prompt.press("Shift+Enter")
    prompt.press_sequentially("second line")
    expect(prompt).to_have_value("First line\nsecond line")
    prompt.press("Enter")
    bots = page.locator("#pg-conversation .message.bot")
    expect(bots).to_have_count(1, timeout=30_000)
    expect(page.locator("#pg-conversation .message.user").first).to_contain_text("second line")
    expect(bots.last).not_to_be_empty(timeout=30_000)
    expect(page.locator("#pg-stats")).to_contain_text("tokens/s", timeout=30_000)  # the first turn has finished
    prompt.fill("Again by Ctrl+Enter")
    prompt.press(CTRL_ENTER)
    expect(page.locator("#pg-conversation .message.user")).to_have_count(2, timeout=30_000)
    assert server.posts("test/chat-model")[0].body["messages"][0]["content"] == "First line\nsecond line"


def test_ctrl_enter_in_the_compare_prompt_runs_every_pane(page, server: ProtocolServer) -> None:
    page.get_by_role("tab", name="Compare").click()
    prompt = page.locator("#pg-compare-prompt textarea")
    prompt.fill("Both panes, by keyboard")
    prompt.press(CTRL_ENTER)
    expect(page.locator("#pg-pane-a-output textarea")).to_have_value(re.compile("Both panes, by keyboard"), timeout=60_000)


def test_generate_shows_its_ctrl_enter_hint(page) -> None:
    hint = page.locator("#pg-generate").evaluate("b => getComputedStyle(b, '::after').content")
    assert "Ctrl+Enter" in hint
    expect(page.get_by_role("button", name="Generate", exact=True)).to_be_visible()  # its name is unchanged
