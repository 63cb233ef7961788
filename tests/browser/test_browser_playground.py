"""The page in Chromium (Debian's, driven by Playwright): what a presenter sees."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser_page import BROWSER_MARKS, generate_and_wait, set_model, wait_until
from tests.protocol_server import ProtocolServer, Reply

pytestmark = BROWSER_MARKS


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
    page.locator("#pg-stopped").get_by_text("Stopped.").wait_for(timeout=3_000)
    assert len(server.posts("test/tiny-gpt")) == 1
    expect(page.locator("#pg-status")).to_be_hidden()  # the loading notice went with the run


def test_stopped_goes_away_when_the_next_run_starts(page, server: ProtocolServer) -> None:
    server.token_delay = 0.2  # 256 tokens: about 50 s, so Stop lands mid-stream
    page.get_by_label("Prompt").fill("Start, then stop")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function("() => (document.querySelector('#pg-output textarea')?.value || '').startsWith('Echo')", timeout=10_000)
    # The page ignores a Generate until its cancel of the stopped run has landed (Gradio's /reset
    # answers about 0.15 s after Stop): a press before that does nothing.
    with page.expect_response(lambda response: response.url.endswith("/reset")):
        page.get_by_role("button", name="Stop").click()
    stopped = page.locator("#pg-stopped")
    stopped.get_by_text("Stopped.").wait_for(timeout=10_000)
    server.token_delay = 0.0
    assert generate_and_wait(page).startswith("Echo")
    assert not stopped.is_visible()


def test_stop_during_a_rerun_closes_the_servers_stream(page, server: ProtocolServer) -> None:
    """Guards Stop during a Re-run: the Re-run kept streaming (18 -> 26 -> 35 words) after Stop."""
    page.get_by_label("Prompt").fill("Tell it again")
    page.get_by_role("button", name="Generate").click()  # a fresh page: no stats line until this run's
    page.locator("#pg-stats").get_by_text("tokens/s").wait_for(timeout=60_000)
    page.locator("#pg-history").get_by_text("Tell it again").wait_for(timeout=10_000)
    server.token_delay = 0.2  # the Re-run's 256 tokens would take about 50 s
    page.get_by_role("button", name="Re-run").click()
    output = "(document.querySelector('#pg-output textarea')?.value || '')"
    page.wait_for_function(f"() => {output}.startsWith('Echo') && {output}.split(' ').length < 12", timeout=15_000)
    page.get_by_role("button", name="Stop").click()
    page.locator("#pg-stopped").get_by_text("Stopped.").wait_for(timeout=10_000)
    assert wait_until(page, lambda: server.cancelled_streams >= 1), "the Re-run's stream was not closed"
    assert len(server.posts("test/tiny-gpt")) == 2 and server.cancelled_streams == 1


def test_stop_during_a_coalesced_stream_closes_the_server_stream(page, server: ProtocolServer) -> None:
    """Regression guard: merging tokens into fewer page updates must not hold the provider's stream
    open after Stop (the coalescer closes the backend's stream when the handler is closed)."""
    server.token_delay = 0.02  # faster than the page's update interval, so updates carry several tokens
    page.locator("input[aria-label='number input for Max new tokens']").fill("1024")  # 20 s: Stop lands mid-stream on a loaded machine too
    page.get_by_label("Prompt").fill("Keep talking")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function("() => document.querySelector('#pg-output textarea')?.value.split(' ').length > 20", timeout=10_000)
    page.get_by_role("button", name="Stop").click()
    page.locator("#pg-stopped").get_by_text("Stopped.").wait_for(timeout=10_000)
    assert wait_until(page, lambda: server.cancelled_streams >= 1), "the stream was not closed"
    assert server.cancelled_streams == 1
    assert len(page.locator("#pg-output textarea").input_value().split()) < 1024  # the answer really was cut short
