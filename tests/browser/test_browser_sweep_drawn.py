"""In Chromium: the Sweep tab is not sent with the page but drawn the first time it is opened
(components/on_demand.py), and then works as a tab sent with the page: the prompt typed elsewhere,
Big text, the Playground's Stop and model, a sweep restored from history whether drawn yet or not."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import expect

from tests.browser.test_browser_compare import open_tab, run_sweep, set_max_new_tokens
from tests.browser_page import BROWSER_MARKS, set_model, wait_until
from tests.protocol_server import BAKEOFF_MODEL, BAKEOFF_PROVIDERS, ProtocolServer

pytestmark = BROWSER_MARKS


def test_the_sweep_is_drawn_on_first_open_with_the_prompt_typed_so_far_and_stays_one_with_the_other_tabs(page, app_url: str) -> None:
    with urllib.request.urlopen(f"{app_url}config", timeout=30) as answer:
        ids = [str(component.get("props", {}).get("elem_id")) for component in json.load(answer)["components"]]
    assert "pg-playground" in ids and not [i for i in ids if i.startswith("pg-sweep-")]  # not sent with the page
    playground_prompt = page.locator("#pg-prompt textarea")
    playground_prompt.press_sequentially("Typed first")  # keys, as a person types: Gradio's input event
    page.get_by_role("tab", name="Arena").click()  # another tab drawn on demand: both share the prompt
    arena_prompt = page.locator("#pg-arena-prompt textarea")
    expect(arena_prompt).to_have_value("Typed first", timeout=30_000)
    open_tab(page, "Sweep")
    sweep_prompt = page.locator("#pg-sweep-prompt textarea")
    expect(sweep_prompt).to_have_value("Typed first")
    sweep_prompt.press_sequentially(", then in the Sweep")
    for tab, box in (("Compare", "#pg-compare-prompt"), ("Arena", "#pg-arena-prompt"), ("Playground", "#pg-prompt")):
        page.get_by_role("tab", name=tab).click()
        expect(page.locator(f"{box} textarea")).to_have_value("Typed first, then in the Sweep")
    playground_prompt.press_sequentially(", then here")
    page.get_by_label("Big text").check()
    open_tab(page, "Sweep")
    expect(sweep_prompt).to_have_value("Typed first, then in the Sweep, then here")  # every key, none lost to an echo
    expect(page.locator("#pg-sweep-table")).to_have_class(re.compile(r"\bpg-big\b"))  # Big text, checked after it was drawn


def test_the_playgrounds_stop_ends_a_sweep_drawn_after_it(page, server: ProtocolServer) -> None:
    server.token_delay = 0.25  # slow and long: the cells are surely still streaming when Stop is pressed
    set_max_new_tokens(page, 300)
    run_sweep(page, "", "1, 2")
    assert wait_until(page, lambda: server.open_streams == 2, timeout_ms=60_000)
    page.get_by_role("tab", name="Playground").click()
    stop = page.locator("#pg-stop")
    expect(stop).to_have_class(re.compile(r"\bstop\b"))  # the page's Stop is prominent while the sweep runs
    cancelled = server.cancelled_streams
    stop.click()
    assert wait_until(page, lambda: server.cancelled_streams == cancelled + 2 and server.open_streams == 0, timeout_ms=30_000)
    expect(stop).not_to_have_class(re.compile(r"\bstop\b"))
    open_tab(page, "Sweep")
    expect(page.locator("#pg-sweep-stop")).not_to_have_class(re.compile(r"\bstop\b"))  # the tab's own Stop went quiet too


def test_a_sweep_comes_back_from_the_history_into_the_drawn_tab_and_after_a_reload(page, server: ProtocolServer) -> None:
    set_max_new_tokens(page, 6)
    open_tab(page, "Sweep")
    page.get_by_label("Seeds").fill("7, 8")
    page.locator("#pg-sweep-prompt textarea").fill("Keep this sweep")
    page.get_by_role("button", name="Run sweep").click()
    expect(page.locator("#pg-sweep-status")).to_contain_text("2 of 2 runs finished", timeout=90_000)
    table = page.locator("#pg-sweep-table").inner_text()
    entry = page.locator("#pg-group-history").get_by_text("Keep this sweep")
    entry.wait_for(timeout=30_000)
    page.get_by_label("Seeds").fill("9")
    page.locator("#pg-sweep-prompt textarea").fill("Something else")
    entry.click()  # the tab is drawn already: filled through its relay
    expect(page.get_by_label("Seeds")).to_have_value("7, 8", timeout=30_000)
    expect(page.locator("#pg-sweep-prompt textarea")).to_have_value("Keep this sweep")
    page.reload()
    page.locator("#pg-group-history").get_by_text("Keep this sweep").click()  # not drawn yet: drawn with the entry
    expect(page.get_by_label("Seeds")).to_have_value("7, 8", timeout=30_000)  # the Sweep tab opened by itself
    expect(page.locator("#pg-sweep-prompt textarea")).to_have_value("Keep this sweep")
    for line in (line for line in table.splitlines() if "Keep" not in line and line.strip()):
        expect(page.locator("#pg-sweep-table")).to_contain_text(line.split("\t")[0])


def test_providers_follow_the_playgrounds_model_before_and_after_the_sweep_is_drawn(page, server: ProtocolServer) -> None:
    server.add_bakeoff_model()
    set_model(page, BAKEOFF_MODEL)  # before the Sweep is drawn: it is drawn offering the model's providers
    open_tab(page, "Sweep")
    providers = page.get_by_label("Providers", exact=True)
    providers.click()
    for provider in BAKEOFF_PROVIDERS:
        expect(page.get_by_role("option", name=provider, exact=True)).to_be_visible(timeout=30_000)
    providers.press("Escape")
    page.get_by_role("tab", name="Playground").click()
    set_model(page, "test/tiny-gpt")  # after: the drawn list follows
    open_tab(page, "Sweep")
    providers.click()
    expect(page.get_by_role("option", name="all live providers")).to_be_visible(timeout=30_000)
    for provider in BAKEOFF_PROVIDERS:
        expect(page.get_by_role("option", name=provider, exact=True)).to_be_hidden(timeout=30_000)
