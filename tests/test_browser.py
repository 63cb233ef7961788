"""The page in Chromium (Debian's, driven by Playwright): what a presenter sees."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from tests.protocol_server import ProtocolServer, Reply

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser
# .ci/run installs Chromium, and under CI a missing browser fails the run instead of skipping it.
if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install -y chromium)")]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


def open_page(browser, url: str):
    """A page in a fresh browser profile (its own localStorage), once the form is ready."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.get_by_label("Prompt").wait_for()
    return context, page


@pytest.fixture
def page(browser, app_url: str, server: ProtocolServer):
    context, page = open_page(browser, app_url)
    yield page
    context.close()


def generate_and_wait(page, button: str = "Generate") -> str:
    """Presses Generate (or `button`) and returns the Output once this run's stats line is shown
    (the line is cleared when a run starts)."""
    stats = "() => (document.querySelector('#pg-stats')?.innerText || '').includes('tokens/s')"
    page.get_by_role("button", name=button).click()
    page.wait_for_function(f"() => !({stats})()", polling="raf", timeout=10_000)
    page.wait_for_function(stats, timeout=60_000)
    return page.locator("#pg-output textarea").input_value()


def set_seed(page, seed: int) -> None:
    """Types a seed; typing one unchecks "Random seed" by itself."""
    page.get_by_label("Seed", exact=True).fill(str(seed))
    checkbox = page.get_by_label("Random seed")
    for _ in range(50):
        if not checkbox.is_checked():
            return
        page.wait_for_timeout(100)
    raise AssertionError("typing a seed did not uncheck Random seed")


def set_model(page, model: str) -> None:
    box = page.get_by_label("Model", exact=True)
    box.click()
    box.fill(model)
    box.press("Enter")


def test_a_loading_model_shows_the_panel_then_the_streamed_answer(page, server: ProtocolServer) -> None:
    loading = Reply(status=503, body={"error": "Model test/tiny-gpt is currently loading", "estimated_time": 1.5})
    server.script("test/tiny-gpt", loading, loading)
    server.token_delay = 0.05
    page.get_by_label("Prompt").fill("Say hello to the audience")
    page.get_by_role("button", name="Generate").click()
    status = page.locator("#pg-status")
    status.get_by_text("Model is loading — attempt 2").wait_for(timeout=10_000)
    output = page.locator("#pg-output textarea")
    page.wait_for_function("() => document.querySelector('#pg-stats')?.innerText.includes('tokens/s')", timeout=20_000)
    assert output.input_value().startswith("Echo seed=")
    assert "Say hello to the audience" in output.input_value()
    assert not status.is_visible()


def test_an_unknown_model_shows_a_clear_error_and_keeps_the_prompt(page, server: ProtocolServer) -> None:
    set_model(page, "test/no-such-model")
    page.get_by_label("Prompt").fill("Is anyone there?")
    page.get_by_role("button", name="Generate").click()
    page.locator("#pg-status").get_by_text("Model not found").wait_for(timeout=10_000)
    assert page.get_by_label("Prompt").input_value() == "Is anyone there?"


def test_stop_cancels_a_wait_at_once(page, server: ProtocolServer) -> None:
    server.script("test/tiny-gpt", Reply(status=503, body={"error": "Model test/tiny-gpt is currently loading", "estimated_time": 60}))
    page.get_by_label("Prompt").fill("Never mind")
    page.get_by_role("button", name="Generate").click()
    page.locator("#pg-status").get_by_text("Model is loading").wait_for(timeout=10_000)
    page.get_by_role("button", name="Stop").click()
    page.locator("#pg-status").get_by_text("Stopped.").wait_for(timeout=3_000)
    assert len(server.posts("test/tiny-gpt")) == 1


def test_stop_during_a_coalesced_stream_closes_the_server_stream(page, server: ProtocolServer) -> None:
    """Regression guard: merging tokens into fewer page updates must not hold the provider's stream
    open after Stop (the coalescer closes the backend's stream when the handler is closed)."""
    server.token_delay = 0.01  # faster than the page's update interval, so updates carry several tokens
    page.get_by_label("Prompt").fill("Keep talking")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function("() => document.querySelector('#pg-output textarea')?.value.split(' ').length > 20", timeout=10_000)
    page.get_by_role("button", name="Stop").click()
    page.locator("#pg-status").get_by_text("Stopped.").wait_for(timeout=3_000)
    deadline = time.monotonic() + 5
    while server.cancelled_streams == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.cancelled_streams == 1
    assert len(page.locator("#pg-output textarea").input_value().split()) < 256  # the answer really was cut short
