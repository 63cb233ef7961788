"""In Chromium: the Compare and Sweep tabs, against the protocol server."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from tests.browser_page import BROWSER_MARKS, set_model, wait_until
from tests.conftest import TEST_TOKEN
from tests.protocol_answers import generate
from tests.protocol_server import ProtocolServer, Reply

pytestmark = BROWSER_MARKS

SWEEP_PROMPT = "Sweep the seeds"


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.locator("#pg-compare-panes" if name == "Compare" else "#pg-sweep-models").wait_for()


def set_pane_model(page, key: str, model: str) -> None:
    box = page.get_by_label(f"Model {key}", exact=True)
    box.click()
    box.fill(model)
    box.press("Enter")


def set_max_new_tokens(page, value: int) -> None:
    page.locator("input[aria-label='number input for Max new tokens']").fill(str(value))


def pane_stats(key: str) -> str:
    return f"() => (document.querySelector('#pg-pane-{key}-stats')?.innerText || '').includes('tokens/s')"


def test_a_cold_model_and_an_unknown_model_side_by_side(page, server: ProtocolServer) -> None:
    server.add_model("test/cold-model")
    # One 503 whose wait is long enough to be seen on a busy machine (the card shows it counting down).
    server.script("test/cold-model", Reply(status=503, body={"error": "Model test/cold-model is currently loading", "estimated_time": 5.0}))
    server.token_delay = 0.05
    set_max_new_tokens(page, 20)
    open_tab(page, "Compare")
    set_pane_model(page, "A", "test/cold-model")
    set_pane_model(page, "B", "test/no-such-model")
    page.locator("#pg-compare-prompt textarea").fill("Who is ready?")
    page.get_by_role("button", name="Generate all").click()
    page.locator("#pg-pane-a-status").get_by_text("Model is loading — attempt 2").wait_for(timeout=90_000)
    page.locator("#pg-pane-b-status").get_by_text("Model not found").wait_for(timeout=90_000)
    page.wait_for_function(pane_stats("a"), timeout=60_000)
    answer = page.locator("#pg-pane-a-output textarea").input_value()
    assert answer.startswith("Echo seed=") and "Who is ready?" in answer
    assert page.locator("#pg-pane-a-status").inner_text() == ""  # the loading card is gone once text streams
    assert page.locator("#pg-pane-b-status").get_by_text("Model not found").is_visible()  # B's error stays in B
    assert page.locator("#pg-pane-b-output textarea").input_value() == ""
    assert len(server.posts("test/cold-model")) == 2  # B failing at once did not stop A retrying


def test_stop_ends_every_pane(page, server: ProtocolServer) -> None:
    server.token_delay = 0.25  # slow and long: the runs are surely still streaming when Stop is pressed
    set_max_new_tokens(page, 300)
    open_tab(page, "Compare")
    page.locator("#pg-compare-panes").get_by_text("3", exact=True).click()
    page.get_by_label("Model C", exact=True).wait_for()
    set_pane_model(page, "C", "test/tiny-gpt")
    page.locator("#pg-compare-prompt textarea").fill("A long answer, please")
    stop = page.locator("#pg-compare-stop")
    expect(stop).not_to_have_class(re.compile(r"\bstop\b"))  # neutral while nothing runs
    page.get_by_role("button", name="Generate all").click()
    expect(stop).to_have_class(re.compile(r"\bstop\b"))  # prominent while the panes run
    for key in "abc":
        page.wait_for_function(f"() => document.querySelector('#pg-pane-{key}-output textarea')?.value.includes('Echo')", timeout=60_000)
    stop.click(force=True)  # the panes below keep growing while they stream
    for key in "abc":
        page.locator(f"#pg-pane-{key}-status").get_by_text("Stopped.").wait_for(timeout=30_000)
    expect(stop).not_to_have_class(re.compile(r"\bstop\b"))
    assert wait_until(page, lambda: server.cancelled_streams == 3 and server.open_streams == 0, timeout_ms=30_000)  # the server saw 3 streams closed
    assert len(server.posts()) == 3


def run_sweep(page, temperatures: str, seeds: str) -> None:
    open_tab(page, "Sweep")
    page.get_by_label("Temperatures").fill(temperatures)
    page.get_by_label("Seeds").fill(seeds)
    page.locator("#pg-sweep-prompt textarea").fill(SWEEP_PROMPT)
    page.get_by_role("button", name="Run sweep").click()


def test_a_sweep_sends_exactly_its_six_parameter_sets_and_shows_six_answers(page, server: ProtocolServer) -> None:
    set_max_new_tokens(page, 8)
    run_sweep(page, "0.2, 0.7", "1, 2, 3")
    page.locator("#pg-sweep-status").get_by_text("6 of 6 runs finished").wait_for(timeout=90_000)
    sent = sorted((p.body["parameters"]["temperature"], p.body["parameters"]["seed"]) for p in server.posts("test/tiny-gpt"))
    assert sent == [(0.2, 1), (0.2, 2), (0.2, 3), (0.7, 1), (0.7, 2), (0.7, 3)]
    table = page.locator("#pg-sweep-table").inner_text()
    for temperature in (0.2, 0.7):
        for seed in (1, 2, 3):
            assert generate(SWEEP_PROMPT, seed=seed, temperature=temperature, max_tokens=8).text.strip() in table
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert len(rows) == 6 and {row["status"] for row in rows} == {"done"}
    assert {(row["temperature"], row["seed"]) for row in rows} == {(t, s) for t in ("0.2", "0.7") for s in ("1", "2", "3")}
    assert all(row["output"] == generate(SWEEP_PROMPT, seed=int(row["seed"]), temperature=float(row["temperature"]), max_tokens=8).text
               for row in rows)


def test_a_share_link_of_a_sweep_reopens_it(browser, page, server: ProtocolServer) -> None:
    set_max_new_tokens(page, 6)
    run_sweep(page, "0.3, 0.9", "4, 5")
    page.locator("#pg-sweep-status").get_by_text("4 of 4 runs finished").wait_for(timeout=90_000)
    page.locator("#pg-sweep-code-box").get_by_text("Share this sweep and View code").click()
    link = page.locator("#pg-sweep-share-link textarea").input_value()
    assert "tab=sweep" in link and TEST_TOKEN not in link
    context = browser.new_context()
    try:
        fresh = context.new_page()
        fresh.goto(link)
        fresh.locator("#pg-sweep-status").get_by_text("Opened from a share link").wait_for(timeout=30_000)
        assert fresh.get_by_label("Temperatures").input_value() == "0.3, 0.9"
        assert fresh.get_by_label("Seeds").input_value() == "4, 5"
        assert fresh.locator("#pg-sweep-prompt textarea").input_value() == SWEEP_PROMPT
        fresh.get_by_role("button", name="Run sweep").click()
        fresh.locator("#pg-sweep-status").get_by_text("4 of 4 runs finished").wait_for(timeout=90_000)
        table = fresh.locator("#pg-sweep-table").inner_text()
        for temperature in (0.3, 0.9):
            for seed in (4, 5):  # the same grid, so the same answers
                assert generate(SWEEP_PROMPT, seed=seed, temperature=temperature, max_tokens=6).text.strip() in table
    finally:
        context.close()


def test_a_comparison_comes_back_from_the_history_with_one_click(page, server: ProtocolServer) -> None:
    open_tab(page, "Compare")
    page.locator("#pg-compare-prompt textarea").fill("Keep this comparison")
    page.get_by_role("button", name="Generate all").click()
    page.wait_for_function(pane_stats("b"), timeout=60_000)
    answer = page.locator("#pg-pane-b-output textarea").input_value()
    page.locator("#pg-group-history").get_by_text("Keep this comparison").wait_for(timeout=30_000)
    page.reload()
    page.locator("#pg-group-history").get_by_text("Keep this comparison").click()
    page.locator("#pg-compare-panes").wait_for(timeout=30_000)  # the Compare tab opened by itself
    page.wait_for_function("(a) => document.querySelector('#pg-pane-b-output textarea')?.value === a", arg=answer, timeout=30_000)
    assert page.locator("#pg-compare-prompt textarea").input_value() == "Keep this comparison"


def test_chat_panes_continue_the_playground_conversation(page, server: ProtocolServer) -> None:
    """Issue 11: Compare panes in Chat mode each get the same conversation as the Playground; the
    page's Generate all reads it, while the public /compare API keeps its documented inputs."""
    set_model(page, "test/chat-model")
    page.get_by_label("Chat", exact=True).check()
    page.locator("#pg-conversation").wait_for()
    set_max_new_tokens(page, 8)
    page.get_by_label("Prompt", exact=True).fill("Hello there")
    page.get_by_role("button", name="Generate", exact=True).click()
    page.wait_for_function("() => (document.querySelector('#pg-stats')?.innerText || '').includes('tokens/s')", timeout=30_000)
    first_answer = server.posts("test/chat-model")[-1]
    open_tab(page, "Compare")
    for key in ("A", "B"):
        set_pane_model(page, key, "test/chat-model")
        page.locator(f"#pg-pane-{key.lower()}").get_by_label("Chat", exact=True).check()
    page.locator("#pg-compare-prompt textarea").fill("Second question")
    page.get_by_role("button", name="Generate all").click()
    page.wait_for_function(pane_stats("a"), timeout=60_000)
    page.wait_for_function(pane_stats("b"), timeout=60_000)
    bodies = [post.body for post in server.posts("test/chat-model") if post is not first_answer][-2:]
    assert len(bodies) == 2
    for body in bodies:
        assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
        assert body["messages"][0]["content"] == "Hello there" and body["messages"][2]["content"] == "Second question"
        assert body["messages"][1]["content"].startswith("Echo")
