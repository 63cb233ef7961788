"""In Chromium: a run kept with its token probabilities shows its tint again when replayed or restored from the history."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_browser_probabilities import background, generate, tick_probabilities
from tests.browser_page import BROWSER_MARKS
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS


def tinted_run_in_history_then_reload(page) -> None:
    tick_probabilities(page)
    generate(page, "Replay my tint")
    expect(page.locator("#pg-stats")).to_contain_text("perplexity", timeout=20_000)
    expect(page.locator("#pg-history")).to_contain_text("Replay my tint", timeout=10_000)
    page.reload()
    expect(page.locator("#pg-history")).to_contain_text("Replay my tint", timeout=10_000)
    expect(page.locator("#pg-odds")).to_be_hidden()  # a fresh page: no tint until the run is replayed or restored


def test_a_replayed_run_shows_its_tint_and_alternatives_again(page, server: ProtocolServer) -> None:
    tinted_run_in_history_then_reload(page)
    sent = len(server.posts())
    page.get_by_role("button", name="Replay").click()
    stats = page.locator("#pg-stats")
    expect(stats).to_contain_text("Replay of a recorded run", timeout=30_000)
    expect(stats).to_contain_text("perplexity")
    tokens = page.locator("#pg-odds .pg-tok")
    expect(tokens.first).to_have_text("Echo ")
    assert background(tokens.nth(0)) != background(tokens.nth(1))  # the 60 % and the 5 % pick still look different
    tokens.nth(1).click()
    expect(page.get_by_role("group", name="Alternatives for token 2")).to_contain_text("'maybe ' 38.0 %")
    assert len(server.posts()) == sent  # a replay sends nothing


def test_a_run_restored_from_the_history_shows_its_tint_again(page, server: ProtocolServer) -> None:
    tinted_run_in_history_then_reload(page)
    page.locator("#pg-history").get_by_text("Replay my tint").click()
    expect(page.locator("#pg-output textarea")).not_to_have_value("", timeout=10_000)
    tokens = page.locator("#pg-odds .pg-tok")
    expect(tokens.first).to_have_text("Echo ")
    tokens.nth(1).click()
    expect(page.get_by_role("group", name="Alternatives for token 2")).to_contain_text("(chosen)")
