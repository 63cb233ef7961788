"""In Chromium: what a presenter uses on stage — model search, "Check models", "Run on <fallback>", Replay, Big text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playground.catalog import facts as facts_module
from playground.catalog import search as search_module
from tests.browser_page import BROWSER_MARKS, generate_and_wait, set_model, set_seed
from tests.protocol_server import ROUTER_FACTS_EXAMPLE, ProtocolServer, Reply

pytestmark = BROWSER_MARKS


@pytest.fixture
def stage_page(page, server: ProtocolServer):
    """The page, with the app's shared lookup caches emptied (models are added per test)."""
    search_module._search_cache.clear()
    facts_module._facts_cache.clear()
    return page


def test_a_search_lists_a_served_model_with_router_facts_and_picking_it_fills_model_and_provider(stage_page, server: ProtocolServer) -> None:
    page = stage_page
    server.add_model("stage/served-model", providers={"together": "conversational", "novita": "conversational"},
                     facts={"together": ROUTER_FACTS_EXAMPLE}, statuses={"novita": "staging"})
    search = page.get_by_label("Search models")
    search.fill("served")
    search.press("Enter")
    results = page.locator("#pg-search-results")
    hit = results.get_by_text("stage/served-model")
    hit.wait_for(timeout=10_000)
    label = hit.inner_text()
    assert "together (live): 32k context · $0.20 in / $0.60 out per 1M · 86 tok/s · 420 ms to first token" in label
    assert "novita (staging)" in label
    hit.click()
    page.wait_for_function("() => document.querySelector('input[aria-label=\"Model\"]')?.value === 'stage/served-model'", timeout=10_000)
    page.get_by_label("Provider", exact=True).click()
    options = page.get_by_role("option").all_inner_texts()
    assert [o.replace("✓", "").strip() for o in options] == ["auto", "together", "novita"]


def test_a_failed_search_says_so_quietly_and_typing_an_id_still_works(stage_page, server: ProtocolServer) -> None:
    page = stage_page
    page.locator("#pg-tokens").get_by_text("Using the server's token (HF_TOKEN)").click()  # the fold opens
    page.get_by_label("Hugging Face token").fill("hf_bad_token")
    search = page.get_by_label("Search models")
    search.fill("anything")
    search.press("Enter")
    page.locator("#pg-search-note").get_by_text("type a model ID").wait_for(timeout=10_000)
    assert page.locator(".toast-wrap .toast-body").count() == 0  # no error toast
    page.get_by_label("Hugging Face token").fill("")
    set_model(page, "test/chat-model")
    expect(page.get_by_label("Chat", exact=True)).to_be_checked()  # the chat model's mode has arrived
    # and so has its Generate: the mode's change swaps the buttons in an event of its own, after the radio
    expect(page.locator("#pg-generate-chat")).to_be_visible()
    server.token_delay = 0.05  # long enough for generate_and_wait to see the run start
    page.get_by_label("Prompt", exact=True).fill("Still works")
    assert "Still works" in generate_and_wait(page)


def test_check_models_flags_an_unknown_model_red_and_warms_a_cold_one_to_green(stage_page, server: ProtocolServer) -> None:
    page = stage_page
    loading = Reply(status=503, body={"error": "Model test/chat-model is currently loading", "estimated_time": 2.0})
    server.script("test/chat-model", loading, loading)
    set_model(page, "test/no-such-model")
    page.get_by_role("button", name="Check models").click()
    board = page.locator("#pg-preflight")
    board.locator("[data-model='test/no-such-model'][data-light='red']").get_by_text("Model not found").wait_for(timeout=15_000)
    board.locator("[data-model='test/chat-model'][data-light='amber']").get_by_text("Model is loading").wait_for(timeout=15_000)
    board.locator("[data-model='test/chat-model'][data-light='green']").get_by_text("warmed up").wait_for(timeout=20_000)
    assert board.locator("[data-model='test/tiny-gpt'][data-light='green']").get_by_text("first token").is_visible()
    assert len(server.posts("test/chat-model")) == 3 and server.posts("test/chat-model")[-1].body["max_tokens"] == 1


def test_replay_shows_the_recorded_text_labelled_and_sends_nothing(stage_page, server: ProtocolServer) -> None:
    page = stage_page
    server.token_delay = 0.1
    page.get_by_label("Prompt", exact=True).fill("Replay me on stage")
    page.locator("input[aria-label='number input for Max new tokens']").fill("12")  # about a second to replay
    recorded = generate_and_wait(page)
    history = page.locator("#pg-history")
    history.get_by_text("Replay me on stage").wait_for(timeout=10_000)
    entries = history.locator("label").count()
    page.get_by_label("Prompt", exact=True).fill("something else")
    requests_before = len(server.requests)
    page.get_by_role("button", name="Replay").click()
    status = page.locator("#pg-status")
    status.get_by_text("Replay of test/tiny-gpt, ").wait_for(timeout=10_000)
    status.get_by_text("not a live run").wait_for(timeout=20_000)
    assert page.locator("#pg-output textarea").input_value() == recorded
    assert "Replay of a recorded run" in page.locator("#pg-stats").inner_text()
    assert len(server.requests) == requests_before  # the test server received nothing
    assert history.locator("label").count() == entries  # and the replay was not recorded as a run


def test_big_text_enlarges_prompt_and_output(stage_page) -> None:
    page = stage_page
    size = "() => parseFloat(getComputedStyle(document.querySelector('#pg-output textarea')).fontSize)"
    before = page.evaluate(size)
    prompt_before = page.get_by_label("Prompt", exact=True).evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
    page.get_by_label("Big text").check()
    page.wait_for_function(f"() => ({size})() > {before} * 1.3", timeout=10_000)
    assert page.get_by_label("Prompt", exact=True).evaluate("t => parseFloat(getComputedStyle(t).fontSize)") > prompt_before * 1.3
    page.get_by_label("Big text").uncheck()
    page.wait_for_function(f"() => ({size})() === {before}", timeout=10_000)


def test_an_unknown_models_error_offers_a_fallback_that_answers_with_the_same_settings_labelled(stage_page, server: ProtocolServer) -> None:
    page = stage_page
    set_model(page, "test/no-such-model")
    page.get_by_label("Prompt", exact=True).fill("Fall back gracefully")
    set_seed(page, 77)
    page.locator("input[aria-label='number input for Max new tokens']").fill("9")
    page.get_by_role("button", name="Generate").click()
    page.locator("#pg-status").get_by_text("Model not found").wait_for(timeout=10_000)
    offer = page.get_by_role("button", name="Run on test/tiny-gpt")  # the first fallback is the failing model: skipped
    offer.wait_for(timeout=10_000)
    offer.click()
    label = "Answered by test/tiny-gpt instead of test/no-such-model (fallback)"
    page.locator("#pg-stats").get_by_text(label).wait_for(timeout=30_000)  # the stats line of the finished fallback run
    assert page.locator("#pg-stats").inner_text().startswith(label)
    assert page.locator("#pg-output textarea").input_value().startswith("Echo seed=77 temp=0.7: Fall back gracefully")
    page.locator("#pg-status").get_by_text(label).wait_for(timeout=10_000)
    (post,) = server.posts("test/tiny-gpt")
    sent = post.body["parameters"]
    assert (sent["max_new_tokens"], sent["seed"], sent["temperature"]) == (9, 77, 0.7)
    page.locator("#pg-history").get_by_text(label).wait_for(timeout=10_000)
    assert page.get_by_label("Model", exact=True).input_value() == "test/no-such-model"  # the form is untouched
    assert not offer.is_visible()
    expect(page.locator(".toast-body")).to_have_count(0)  # the card said it all: no toast outlives the failed run


def test_picking_the_built_in_model_switches_mode_to_chat(stage_page) -> None:
    page = stage_page
    assert page.get_by_role("radio", name="Completion").is_checked()
    page.get_by_label("Model", exact=True).click()
    page.get_by_role("option", name="SmolLM2-135M-Instruct (local, built-in)").click()
    page.wait_for_function("() => document.querySelector('input[type=radio][value=\"Chat\"]')?.checked", timeout=10_000)


def test_a_picked_models_fastest_policy_goes_to_the_router_in_chat_mode(stage_page, server: ProtocolServer) -> None:
    page = stage_page
    server.add_model("stage/policy-model", providers={"together": "conversational", "novita": "conversational"})
    search = page.get_by_label("Search models")
    search.fill("policy-model")
    search.press("Enter")
    page.locator("#pg-search-results").get_by_text("stage/policy-model").click()
    page.wait_for_function("() => document.querySelector('input[aria-label=\"Model\"]')?.value === 'stage/policy-model'", timeout=10_000)
    page.get_by_label("Model", exact=True).click()
    page.get_by_role("option", name="stage/policy-model — fastest provider").click()
    page.wait_for_function("() => document.querySelector('input[type=radio][value=\"Chat\"]')?.checked", timeout=10_000)
    server.token_delay = 0.05  # long enough for generate_and_wait to see the run start
    page.get_by_label("Prompt", exact=True).fill("Whoever is quickest")
    assert "Whoever is quickest" in generate_and_wait(page)
    post = server.posts("stage/policy-model")[-1]
    assert post.path == "/v1/chat/completions" and post.body["model"] == "stage/policy-model:fastest"
