"""In Chromium: the built-in local model for a first-time user, presets, history, share links, View code."""

from __future__ import annotations

import os
import re
import subprocess

from playwright.sync_api import expect

from tests.browser_page import (
    BROWSER_MARKS,
    HISTORY_KEY,
    PRESETS_KEY,
    generate_and_wait,
    open_page,
    set_seed,
    stored,
    wait_until_stored,
)
from tests.conftest import TEST_TOKEN
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS


def test_without_a_token_the_local_model_is_selected_and_writes_real_text(fresh_page) -> None:
    page = fresh_page
    assert "local" in page.get_by_label("Model", exact=True).input_value()
    assert page.get_by_role("radio", name="Chat").is_checked()  # an instruct model: Chat by default
    assert page.locator("#pg-banner").get_by_text("built-in local model").is_visible()
    page.get_by_label("Prompt", exact=True).fill("The capital of France is")
    page.locator("input[aria-label='number input for Max new tokens']").fill("40")
    set_seed(page, 7)
    first = generate_and_wait(page)
    assert len(first.split()) >= 3 and not first.startswith("Echo")
    # Beside "Model": where it runs and the configuration chosen (the tests fix it, see conftest)
    expect(page.locator("#pg-server-note")).to_contain_text("Runs on this machine (llama.cpp) · ")
    expect(page.locator("#pg-server-note")).to_contain_text("set by LOCAL_MODEL_THREADS")
    # Chat mode: Regenerate sends the same conversation again, so the same seed gives the same text
    assert generate_and_wait(page, button="Regenerate") == first
    set_seed(page, 8)
    page.locator("input[aria-label='number input for Temperature']").fill("1.3")
    assert generate_and_wait(page, button="Regenerate") != first
    assert "seed 8" in page.locator("#pg-stats").inner_text()


def test_choosing_a_preset_changes_the_controls(page) -> None:
    page.get_by_label("Preset").click()
    page.get_by_role("option", name="Creative").click()
    page.wait_for_function("() => document.querySelector('input[aria-label=\"number input for Temperature\"]')?.value === '1.1'", timeout=10_000)
    page.get_by_label("Preset").click()
    page.get_by_role("option", name="Precise").click()
    page.wait_for_function("() => document.querySelector('input[aria-label=\"number input for Temperature\"]')?.value === '0'", timeout=10_000)


def test_a_run_stays_in_the_history_after_a_reload(page, server: ProtocolServer) -> None:
    page.get_by_label("Prompt").fill("Remember me")
    before = stored(page, HISTORY_KEY)
    generate_and_wait(page)
    page.locator("#pg-history").get_by_text("Remember me").wait_for(timeout=10_000)
    wait_until_stored(page, HISTORY_KEY, before)  # saved to the browser
    page.reload()
    page.locator("#pg-history").get_by_text("Remember me").wait_for(timeout=10_000)


def test_a_share_link_restores_settings_and_prompt_in_a_fresh_browser(browser, page, app_url: str, server: ProtocolServer) -> None:
    page.get_by_label("Prompt").fill("Shared prompt with 'quotes' & more")
    set_seed(page, 321)
    page.locator("input[aria-label='number input for Max new tokens']").fill("7")
    generate_and_wait(page)
    page.get_by_text("Share and View code").click()
    link = page.locator("#pg-share-link textarea").input_value()
    assert link.startswith(app_url) and TEST_TOKEN not in link
    context, fresh = open_page(browser, link)
    try:
        fresh.wait_for_function("() => document.querySelector('#pg-status')?.innerText.includes('share link')", timeout=10_000)
        assert fresh.get_by_label("Prompt").input_value() == "Shared prompt with 'quotes' & more"
        assert fresh.get_by_label("Seed", exact=True).input_value() == "321"
        assert not fresh.get_by_label("Random seed").is_checked()
        assert fresh.locator("input[aria-label='number input for Max new tokens']").input_value() == "7"
    finally:
        context.close()


def test_the_curl_snippet_has_no_token_and_returns_the_text_the_ui_showed(page, server: ProtocolServer) -> None:
    page.get_by_label("Prompt").fill("Reproduce me")
    set_seed(page, 99)
    shown = generate_and_wait(page)
    page.get_by_text("Share and View code").click()
    page.get_by_role("tab", name="cURL").click()
    snippet = page.locator("#pg-code-curl .cm-content").inner_text()
    assert TEST_TOKEN not in snippet and "$HF_TOKEN" in snippet
    env = {**os.environ, "HF_TOKEN": TEST_TOKEN}
    answer = subprocess.run(["bash", "-c", snippet], capture_output=True, text=True, env=env, timeout=30, check=True).stdout
    streamed = "".join(line for line in answer.splitlines() if line.startswith("data:"))
    assert shown.strip() and all(word in streamed for word in shown.split())
    assert server.posts()[-1].body == server.posts()[-2].body  # the snippet sent the UI's exact request


def test_a_saved_preset_survives_a_reload_and_exports_as_yaml(page) -> None:
    page.get_by_text("My presets").click()
    page.locator("input[aria-label='number input for Temperature']").fill("1.45")
    page.get_by_label("Preset name").fill("Stage demo")
    before = stored(page, PRESETS_KEY)
    page.get_by_role("button", name="Save preset").click()
    page.get_by_text("Saved preset").first.wait_for(timeout=10_000)
    wait_until_stored(page, PRESETS_KEY, before)
    page.reload()
    page.get_by_label("Prompt").wait_for()
    page.get_by_label("Preset").click()
    page.get_by_role("option", name="My: Stage demo").click()
    expect(page.locator("input[aria-label='number input for Temperature']")).to_have_value("1.45", timeout=30_000)
    page.get_by_text("My presets").click()
    page.get_by_role("button", name="Export presets").click()
    page.locator(".cm-content").filter(has_text="stage-demo").wait_for(timeout=10_000)


def test_rerun_sends_the_same_request_again(page, server: ProtocolServer) -> None:
    page.get_by_label("Prompt").fill("Once more, please")
    generate_and_wait(page)
    page.get_by_label("Prompt").fill("something else")
    page.locator("#pg-history").get_by_text("Once more, please").click()
    page.wait_for_function("() => [...document.querySelectorAll('textarea')].some(t => t.value === 'Once more, please')", timeout=10_000)
    assert page.get_by_label("Prompt").input_value() == "Once more, please"  # one click restores the run
    generate_and_wait(page, button="Re-run")
    first, second = server.posts("test/tiny-gpt")[-2:]
    assert first.body == second.body  # the random seed chosen for the first run is reused


def test_the_share_link_is_there_once_a_prompt_is_typed_and_view_code_before_any_run_shows_a_snippet(page, server: ProtocolServer) -> None:
    """Guards View code before any run, which failed with `TypeError: missing 'request'`; and the
    share link, which stayed empty until View code was pressed."""
    page.get_by_label("Prompt").fill("Show me the code first")
    page.get_by_text("Share and View code").click()
    expect(page.locator("#pg-share-link textarea")).to_have_value(re.compile(r"prompt=Show"))
    page.get_by_role("button", name="View code", exact=True).click()
    snippet = page.locator("#pg-code-python .cm-content")
    snippet.filter(has_text="InferenceClient(").wait_for(timeout=10_000)
    text = snippet.inner_text()
    assert "test/tiny-gpt" in text and "Show me the code first" in text and TEST_TOKEN not in text
    assert "prompt=Show" in page.locator("#pg-share-link textarea").input_value()
    assert server.posts() == []  # View code sends nothing


def test_clear_history_empties_the_list_and_it_stays_empty_after_a_reload(page, server: ProtocolServer) -> None:
    page.get_by_label("Prompt").fill("Forget me")
    generate_and_wait(page)
    history = page.locator("#pg-history")
    history.get_by_text("Forget me").wait_for(timeout=10_000)
    before = stored(page, HISTORY_KEY)
    page.get_by_role("button", name="Clear history").click()
    page.get_by_role("button", name="Yes, clear history").click()  # it asks once
    history.get_by_text("Forget me").wait_for(state="detached", timeout=10_000)
    wait_until_stored(page, HISTORY_KEY, before)
    page.reload()
    page.get_by_label("Prompt").wait_for()
    page.get_by_role("button", name="Re-run").click()  # nothing is left to re-run
    page.get_by_text("There is no run in the history yet.").first.wait_for(timeout=10_000)
    assert history.get_by_text("Forget me").count() == 0
