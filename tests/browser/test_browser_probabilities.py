"""In Chromium: "Token probabilities" tints the answer, lists alternatives on click, and continues from one."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser_page import BROWSER_MARKS, set_model
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS


def tick_probabilities(page) -> None:
    page.get_by_role("button", name="Advanced").first.click()
    box = page.get_by_label("Token probabilities")
    box.check()
    expect(box).to_be_checked()


def generate(page, prompt: str, button: str = "#pg-generate") -> None:
    page.get_by_label("Prompt", exact=True).fill(prompt)
    page.locator(button).click()


def background(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).backgroundColor")


def test_a_tinted_answer_lists_alternatives_and_continues_from_one(page, server: ProtocolServer) -> None:
    tick_probabilities(page)
    generate(page, "Tint me")
    stats = page.locator("#pg-stats")
    expect(stats).to_contain_text("perplexity", timeout=20_000)
    expect(stats).to_contain_text("tokens under 10 %")
    (post,) = server.posts("test/tiny-gpt")
    assert post.body["parameters"]["top_n_tokens"] == 5  # ticking the option sends the parameter

    tokens = page.locator("#pg-odds .pg-tok")
    expect(tokens.first).to_have_text("Echo ")
    # the protocol server picks token 1 at 60 % and token 2 at 5 %: they must not look alike
    assert background(tokens.nth(0)) != background(tokens.nth(1))
    expect(page.locator("#pg-odds .pg-odds-legend")).to_contain_text("under 10 %")

    tokens.nth(1).click()
    alternatives = page.get_by_role("group", name="Alternatives for token 2")
    expect(alternatives).to_be_visible()
    expect(alternatives).to_contain_text("'maybe ' 38.0 %")
    expect(alternatives).to_contain_text("(chosen)")
    expect(alternatives).to_contain_text("other")

    earlier = tokens.nth(0).inner_text()
    alternatives.get_by_role("button", name=re.compile("maybe")).click()
    expect(stats).to_contain_text("Continued from token 2 with 'maybe '", timeout=20_000)
    expect(stats).to_contain_text("perplexity")
    continued = server.posts("test/tiny-gpt")[-1]
    assert continued.body["inputs"] == "Tint me" + earlier + "maybe "
    expect(page.locator("#pg-history")).to_contain_text("Continued from token 2")


def test_a_model_that_sends_no_probabilities_shows_plain_text_and_says_so(page, server: ProtocolServer) -> None:
    set_model(page, "test/no-probs-model")
    tick_probabilities(page)
    generate(page, "Plain please")
    stats = page.locator("#pg-stats")
    expect(stats).to_contain_text("no token probabilities from this model/provider", timeout=20_000)
    expect(page.locator("#pg-output textarea")).to_have_value(re.compile("Plain please"))
    expect(page.locator("#pg-odds")).to_be_hidden()
    expect(page.locator("#pg-status")).to_be_hidden()  # not an error


def test_chat_shows_alternatives_without_offering_continuations(page, server: ProtocolServer) -> None:
    set_model(page, "test/chat-model")
    page.get_by_role("radio", name="Chat").check()
    tick_probabilities(page)
    generate(page, "Hello there", button="#pg-generate-chat")
    expect(page.locator("#pg-stats")).to_contain_text("perplexity", timeout=20_000)
    post = server.posts("test/chat-model")[-1]
    assert post.body["logprobs"] is True and post.body["top_logprobs"] == 5
    view = page.locator("#pg-odds")
    expect(view).to_contain_text("can't be continued portably")
    view.locator(".pg-tok").nth(1).click()
    alternatives = page.get_by_role("group", name="Alternatives for token 2")
    expect(alternatives).to_contain_text("%")
    expect(alternatives.get_by_role("button")).to_have_count(0)


def test_the_built_in_model_tints_its_answer_and_lists_alternatives(fresh_page) -> None:
    """No network: llama.cpp's own probabilities, through our local server, drawn the same way."""
    page = fresh_page
    page.get_by_role("radio", name="Completion").check()
    tick_probabilities(page)
    page.locator("input[aria-label='number input for Max new tokens']").fill("8")
    generate(page, "The capital of France is")
    expect(page.locator("#pg-stats")).to_contain_text("perplexity", timeout=60_000)
    tokens = page.locator("#pg-odds .pg-tok")
    expect(tokens.first).to_be_visible()
    tokens.first.click()
    alternatives = page.get_by_role("group", name="Alternatives for token 1")
    expect(alternatives).to_contain_text("(chosen)")
    expect(alternatives.get_by_role("button")).not_to_have_count(0)  # Completion: each other alternative continues
