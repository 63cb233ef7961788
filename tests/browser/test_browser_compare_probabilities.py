"""In Chromium: with "Token probabilities" on, Compare panes show their answers tinted, and say so when a model sends none."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_browser_compare import open_tab, set_pane_model
from tests.browser.test_browser_probabilities import background, tick_probabilities
from tests.browser_page import BROWSER_MARKS
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS


def test_compare_panes_tint_their_answers_and_list_alternatives(page, server: ProtocolServer) -> None:
    tick_probabilities(page)
    open_tab(page, "Compare")
    set_pane_model(page, "A", "test/tiny-gpt")
    set_pane_model(page, "B", "test/no-probs-model")
    page.locator("#pg-compare-prompt textarea").fill("Tint both")
    page.get_by_role("button", name="Generate all").click()

    expect(page.locator("#pg-pane-a-stats")).to_contain_text("perplexity", timeout=30_000)
    expect(page.locator("#pg-pane-b-stats")).to_contain_text("no token probabilities from this model/provider", timeout=30_000)
    assert server.posts("test/tiny-gpt")[-1].body["parameters"]["top_n_tokens"] == 5

    tokens = page.locator("#pg-pane-a-odds .pg-tok")
    expect(tokens.first).to_have_text("Echo ")
    assert background(tokens.nth(0)) != background(tokens.nth(1))  # a 60 % pick and a 5 % pick look different
    tokens.nth(1).click()
    alternatives = page.locator("#pg-pane-a-odds").get_by_role("group", name="Alternatives for token 2")
    expect(alternatives).to_contain_text("'maybe ' 38.0 %")
    expect(alternatives).to_contain_text("(chosen)")
    expect(page.locator("#pg-pane-b-odds .pg-tok")).to_have_count(0)  # plain text only
    expect(page.locator("#pg-pane-b-output textarea")).not_to_have_value("")
