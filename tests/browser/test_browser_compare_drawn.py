"""In Chromium: the Compare tab is not sent with the page but drawn the first time it is opened
(components/on_demand.py), and then works as a tab sent with the page: the prompt typed elsewhere,
Big text, the Playground's Stop, "Check models", a share link and a comparison restored from history
whether drawn yet or not."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import expect

from tests.browser.test_browser_compare import open_tab, pane_stats, set_max_new_tokens, set_pane_model
from tests.browser_page import BROWSER_MARKS, wait_until
from tests.conftest import TEST_TOKEN
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS


def test_the_compare_is_drawn_on_first_open_with_the_prompt_typed_so_far_and_stays_one_with_the_playground(page, app_url: str) -> None:
    with urllib.request.urlopen(f"{app_url}config", timeout=30) as answer:
        ids = [str(component.get("props", {}).get("elem_id")) for component in json.load(answer)["components"]]
    drawn = [i for i in ids if i.startswith(("pg-compare-", "pg-pane-")) and i != "pg-compare-api"]  # the /compare API's hidden trigger aside
    assert "pg-playground" in ids and not drawn  # not sent with the page
    playground_prompt = page.locator("#pg-prompt textarea")
    playground_prompt.press_sequentially("Typed first")  # keys, as a person types: Gradio's input event
    open_tab(page, "Compare")
    compare_prompt = page.locator("#pg-compare-prompt textarea")
    expect(compare_prompt).to_have_value("Typed first")
    compare_prompt.press_sequentially(", then in Compare")
    page.get_by_role("tab", name="Playground").click()
    expect(playground_prompt).to_have_value("Typed first, then in Compare")
    playground_prompt.press_sequentially(", then here")
    page.get_by_label("Big text").check()
    open_tab(page, "Compare")
    expect(compare_prompt).to_have_value("Typed first, then in Compare, then here")  # every key, none lost to an echo
    for key in "ab":  # Big text, checked after the tab was drawn
        expect(page.locator(f"#pg-pane-{key}-output")).to_have_class(re.compile(r"\bpg-big\b"))


def test_the_playgrounds_stop_ends_a_comparison_drawn_after_it(page, server: ProtocolServer) -> None:
    server.token_delay = 0.25  # slow and long: the panes are surely still streaming when Stop is pressed
    set_max_new_tokens(page, 300)
    open_tab(page, "Compare")
    page.locator("#pg-compare-prompt textarea").fill("A long answer, please")
    page.get_by_role("button", name="Generate all").click()
    assert wait_until(page, lambda: server.open_streams == 2, timeout_ms=60_000)
    page.get_by_role("tab", name="Playground").click()
    stop = page.locator("#pg-stop")
    expect(stop).to_have_class(re.compile(r"\bstop\b"))  # the page's Stop is prominent while the panes run
    cancelled = server.cancelled_streams
    stop.click()
    assert wait_until(page, lambda: server.cancelled_streams == cancelled + 2 and server.open_streams == 0, timeout_ms=30_000)
    expect(stop).not_to_have_class(re.compile(r"\bstop\b"))
    open_tab(page, "Compare")
    expect(page.locator("#pg-compare-stop")).not_to_have_class(re.compile(r"\bstop\b"))  # the tab's own Stop went quiet too


def test_check_models_checks_the_compare_panes_models_before_and_after_the_tab_is_drawn(page, server: ProtocolServer) -> None:
    page.get_by_role("button", name="Check models").click()
    board = page.locator("#pg-preflight")
    for model in ("test/tiny-gpt", "test/chat-model"):  # before the tab is drawn: the suggested models and the panes. first
        expect(board.locator(f"[data-model='{model}']")).to_be_visible(timeout=30_000)
    open_tab(page, "Compare")
    set_pane_model(page, "B", "test/only-in-pane-b")
    page.get_by_role("tab", name="Playground").click()
    page.get_by_role("button", name="Check models").click()
    expect(board.locator("[data-model='test/only-in-pane-b'][data-light='red']")).to_contain_text("Model not found", timeout=30_000)


def test_a_share_link_of_a_comparison_draws_the_tab_with_its_panes(browser, page, server: ProtocolServer) -> None:
    set_max_new_tokens(page, 6)
    open_tab(page, "Compare")
    page.locator("#pg-compare-panes").get_by_text("3", exact=True).click()
    page.get_by_label("Model C", exact=True).wait_for()
    set_pane_model(page, "C", "test/chat-model")
    page.locator("#pg-compare-prompt textarea").fill("Share these panes")
    page.locator("#pg-compare-code-box").get_by_text("Share this comparison and View code").click()
    page.locator("#pg-compare-code-box").get_by_role("button", name="View code", exact=True).click()
    link_box = page.locator("#pg-compare-share-link textarea")
    expect(link_box).to_have_value(re.compile("tab=compare"), timeout=30_000)
    link = link_box.input_value()
    assert TEST_TOKEN not in link
    context = browser.new_context()
    try:
        fresh = context.new_page()
        fresh.goto(link)
        expect(fresh.locator("#pg-compare-status")).to_contain_text("Opened from a share link", timeout=30_000)
        expect(fresh.get_by_label("Model C", exact=True)).to_have_value("test/chat-model")
        expect(fresh.locator("#pg-compare-prompt textarea")).to_have_value("Share these panes")
        fresh.get_by_role("button", name="Generate all").click()
        fresh.wait_for_function(pane_stats("c"), timeout=60_000)
        assert server.posts("test/chat-model")  # the third pane ran, on the link's model
    finally:
        context.close()


def test_a_comparison_comes_back_from_the_history_into_the_drawn_tab(page, server: ProtocolServer) -> None:
    set_max_new_tokens(page, 6)
    open_tab(page, "Compare")
    page.locator("#pg-compare-prompt textarea").fill("Keep these panes")
    page.get_by_role("button", name="Generate all").click()
    page.wait_for_function(pane_stats("b"), timeout=60_000)
    answer = page.locator("#pg-pane-b-output textarea").input_value()
    entry = page.locator("#pg-group-history").get_by_text("Keep these panes")
    entry.wait_for(timeout=30_000)
    set_pane_model(page, "A", "test/chat-model")
    page.locator("#pg-compare-prompt textarea").fill("Something else")
    entry.click()  # the tab is drawn already: filled through its relay
    expect(page.get_by_label("Model A", exact=True)).to_have_value("test/tiny-gpt", timeout=30_000)
    expect(page.locator("#pg-compare-prompt textarea")).to_have_value("Keep these panes")
    expect(page.locator("#pg-pane-b-output textarea")).to_have_value(answer)
