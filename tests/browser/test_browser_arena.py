"""In Chromium: the Arena tab against the protocol server — blind rounds, votes, the leaderboard,
votes kept in the browser, their download and import."""

from __future__ import annotations

import json
import re
import time
import urllib.request

from playwright.sync_api import expect

from playground.arena.code import arena_share_query
from playground.arena.pairs import Contender
from playground.input.request import parse_request
from tests.browser_page import BROWSER_MARKS
from tests.conftest import TEST_TOKEN
from tests.protocol_server import ProtocolServer, Reply

pytestmark = BROWSER_MARKS

# Chat models with answers a voter can tell apart: the think model's answers start with <think>.
WINNER, OTHERS = "test/think-model", ("test/json-model", "test/chat-model")
CONTENDERS = (WINNER, *OTHERS)
ASKED = "Both answers are in"


def arena_link(app_url: str, models=CONTENDERS, prompt: str = "Name a colour", max_new_tokens: int = 12) -> str:
    base = parse_request({"model": models[0], "prompt": prompt, "params": {"seed": 3, "max_new_tokens": max_new_tokens}})
    return f"{app_url}?{arena_share_query(base, [Contender(model) for model in models])}"


def open_arena(browser, url: str):
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    expect(page.locator("#pg-arena-status")).to_contain_text("Opened from a share link", timeout=30_000)
    return context, page


def play_round(page, button: str = "Generate") -> tuple[str, str]:
    """Starts a round and waits until both answers are in; returns (Answer A, Answer B)."""
    page.locator("#pg-arena-generate" if button == "Generate" else "#pg-arena-new-pair").click()
    expect(page.locator("#pg-arena-status")).to_contain_text(ASKED, timeout=60_000)
    return (page.locator("#pg-arena-a-output textarea").input_value(), page.locator("#pg-arena-b-output textarea").input_value())


def vote(page, label: str) -> tuple[str, str]:
    """Votes; returns the revealed (A, B) models."""
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator("#pg-arena-status")).to_contain_text("You voted", timeout=30_000)
    expect(page.locator("#pg-arena-b-reveal")).to_contain_text("was", timeout=30_000)
    return tuple(next(m for m in CONTENDERS if m in page.locator(f"#pg-arena-{k}-reveal").inner_text()) for k in "ab")


def vote_for_the_thinker(page, answers: tuple[str, str]) -> tuple[str, str]:
    a, b = ("<think>" in answer or "think about it" in answer for answer in answers)
    return vote(page, "A is better" if a else "B is better" if b else "Tie")


def leaderboard_rows(page) -> list[str]:
    return [row.inner_text() for row in page.locator("#pg-arena-leaderboard [role=row][data-index]").all()]


def test_eight_rounds_over_three_contenders_draw_different_pairs_blind_until_each_vote(browser, app_url, server: ProtocolServer) -> None:
    context, page = open_arena(browser, arena_link(app_url))
    try:
        pairs = set()
        for round_number in range(8):
            play_round(page, "Generate" if round_number % 2 else "New pair")
            blind = page.locator("#pg-arena-round").inner_html()
            assert not [model for model in CONTENDERS if model in blind], "a contender is named before the vote"
            revealed = vote(page, "Tie")
            assert revealed[0] != revealed[1]
            pairs.add(frozenset(revealed))
        assert len(pairs) >= 2
        assert len(server.posts()) == 16  # two runs a round, nothing else
    finally:
        context.close()


def test_the_network_names_no_contender_until_the_vote(browser, app_url, server: ProtocolServer) -> None:
    """What the browser receives for a round (the queue's event stream, as read by the page) holds
    no contender's name; the vote's answer names both."""
    context = browser.new_context()
    context.add_init_script(RECORD_STREAMS)
    page = context.new_page()
    try:
        page.goto(arena_link(app_url))
        expect(page.locator("#pg-arena-status")).to_contain_text("Opened from a share link", timeout=30_000)
        page.evaluate("() => { window.__streams.length = 0; }")
        play_round(page)
        before = page.evaluate("() => window.__streams.join('')")
        assert ASKED in before  # the round's own updates were recorded
        assert [model for model in CONTENDERS if model in before] == []
        revealed = vote(page, "Both are bad")
        after = page.evaluate("() => window.__streams.join('')")
        assert all(model in after for model in revealed)
    finally:
        context.close()


# Records, as the page reads them, the bytes of Gradio's queue streams (test-side only).
RECORD_STREAMS = """
window.__streams = [];
const originalFetch = window.fetch;
window.fetch = async (...args) => {
  const response = await originalFetch(...args);
  const url = String(args[0] && args[0].url ? args[0].url : args[0]);
  if (url.includes('/queue/data') && response.body) {
    const reader = response.clone().body.getReader();
    const decoder = new TextDecoder();
    (async () => { for (;;) { const { done, value } = await reader.read(); if (done) break;
                              window.__streams.push(decoder.decode(value, { stream: true })); } })();
  }
  return response;
};
"""


def test_a_contender_that_always_wins_tops_the_leaderboard_and_votes_survive_a_reload(browser, app_url, server: ProtocolServer) -> None:
    context, page = open_arena(browser, arena_link(app_url))
    try:
        for _ in range(6):
            vote_for_the_thinker(page, play_round(page))
        expect(page.locator("#pg-arena-leaderboard [role=row][data-index]").first).to_contain_text(WINNER, timeout=30_000)
        board = leaderboard_rows(page)
        assert len(board) == 3 and "provisional" in " ".join(board)  # 6 votes over 3 contenders: someone has fewer than 5
        page.reload()
        expect(page.locator("#pg-arena-leaderboard [role=row][data-index]").first).to_contain_text(WINNER, timeout=30_000)
        assert leaderboard_rows(page) == board
    finally:
        context.close()


def test_the_download_holds_every_vote_and_importing_it_reproduces_the_leaderboard(browser, app_url, server: ProtocolServer, tmp_path) -> None:
    context, page = open_arena(browser, arena_link(app_url))
    try:
        played, rounds = set(), 0
        while len(played) < len(CONTENDERS) or rounds < 4:  # pairs are drawn at random: until all three have played
            played.update(vote_for_the_thinker(page, play_round(page)))
            rounds += 1
            assert rounds <= 16, "three contenders, yet the same pair came up 16 times running"
        expect(page.locator("#pg-arena-leaderboard [role=row][data-index]")).to_have_count(3, timeout=30_000)
        board = leaderboard_rows(page)
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name="Download votes").click()
        text = download.value.path().read_text(encoding="utf-8")
        assert TEST_TOKEN not in text  # the app runs with a token; no vote holds it
        lines = text.splitlines()
        records = [json.loads(line) for line in lines]
        assert len(records) == rounds
        assert all({"model_a", "model_b", "winner", "prompt", "parameters", "timestamp"} <= set(r) for r in records)
        assert all(r["prompt"] == "Name a colour" for r in records)
        saved = tmp_path / "votes.jsonl"
        saved.write_text("\n".join([*lines, "{broken"]) + "\n", encoding="utf-8")
    finally:
        context.close()
    context, fresh = open_arena(browser, app_url + "?tab=arena")
    try:
        expect(fresh.locator("#pg-arena-leaderboard [role=row][data-index]")).to_have_count(0)
        with fresh.expect_file_chooser() as chooser:
            fresh.get_by_role("button", name="Import votes").click()
        chooser.value.set_files(str(saved))
        expect(fresh.locator("#pg-arena-status")).to_contain_text("Refused 1: line 5", timeout=30_000)
        expect(fresh.locator("#pg-arena-leaderboard [role=row][data-index]")).to_have_count(3, timeout=30_000)
        assert leaderboard_rows(fresh) == board
    finally:
        context.close()


def test_a_failed_answer_is_shown_blind_and_cannot_win(browser, app_url, server: ProtocolServer) -> None:
    server.add_model("test/flaky-model", providers={"hf-inference": "conversational"})
    server.script("test/flaky-model", *[Reply(status=404, body={"error": "Model test/flaky-model does not exist"})] * 4)
    context, page = open_arena(browser, arena_link(app_url, models=("test/flaky-model", "test/chat-model")))
    try:
        page.locator("#pg-arena-generate").click()
        expect(page.locator("#pg-arena-status")).to_contain_text("failed, so it can't win", timeout=60_000)
        failed = "a" if "A failed" in page.locator("#pg-arena-status").inner_text() else "b"
        other = "b" if failed == "a" else "a"
        expect(page.locator(f"#pg-arena-{failed}-status")).to_contain_text("Model not found")
        assert "flaky" not in page.locator("#pg-arena-round").inner_html()
        expect(page.locator(f"#pg-arena-{failed}-is-better")).to_be_disabled()
        expect(page.locator("#pg-arena-tie")).to_be_disabled()
        expect(page.locator(f"#pg-arena-{other}-is-better")).to_be_enabled()
    finally:
        context.close()


def long_round_streaming(browser, app_url: str, server: ProtocolServer):
    """An Arena opened from a link, its round started on a slow model, both answers streaming."""
    server.token_delay = 0.25
    context, page = open_arena(browser, arena_link(app_url, models=(WINNER, "test/chat-model"), prompt="A long answer please", max_new_tokens=300))
    try:
        page.locator("#pg-arena-generate").click()
        for key in "ab":
            expect(page.locator(f"#pg-arena-{key}-output textarea")).not_to_have_value("", timeout=60_000)
    except Exception:
        context.close()
        raise
    return context, page


def test_stop_ends_both_streams_and_the_round_takes_no_vote(browser, app_url, server: ProtocolServer) -> None:
    context, page = long_round_streaming(browser, app_url, server)
    try:
        for label in ("a-is-better", "b-is-better", "tie", "both-are-bad"):  # no vote while the answers stream
            expect(page.locator(f"#pg-arena-{label}")).to_be_disabled()
        page.locator("#pg-arena-stop").click()
        expect(page.locator("#pg-arena-status")).to_contain_text("Stopped", timeout=30_000)
        for label in ("a-is-better", "b-is-better", "tie", "both-are-bad"):
            expect(page.locator(f"#pg-arena-{label}")).to_be_disabled()
        expect(page.locator("#pg-arena-a-status")).to_contain_text("Stopped.")
        expect(page.locator("#pg-arena-b-status")).to_contain_text("Stopped.")
    finally:
        context.close()


def test_clear_votes_asks_once(browser, app_url, server: ProtocolServer) -> None:
    context, page = open_arena(browser, arena_link(app_url))
    try:
        play_round(page)
        vote(page, "Tie")
        expect(page.locator("#pg-arena-leaderboard [role=row][data-index]")).to_have_count(2, timeout=30_000)
        page.get_by_role("button", name="Clear votes").click()
        page.get_by_role("button", name="Keep them").click()
        expect(page.locator("#pg-arena-leaderboard [role=row][data-index]")).to_have_count(2)
        page.get_by_role("button", name="Clear votes").click()
        page.get_by_role("button", name="Yes, clear every vote").click()
        expect(page.locator("#pg-arena-leaderboard [role=row][data-index]")).to_have_count(0, timeout=30_000)
    finally:
        context.close()


def test_a_share_link_reopens_the_arena_with_its_contenders_and_prompt(browser, app_url, server: ProtocolServer) -> None:
    context, page = open_arena(browser, arena_link(app_url, prompt="Shared prompt"))
    try:
        expect(page.locator("#pg-arena-prompt textarea")).to_have_value("Shared prompt")
        for model in CONTENDERS:
            expect(page.locator("#pg-arena-contenders")).to_contain_text(model)
    finally:
        context.close()
    context, page = open_arena(browser, arena_link(app_url, models=(WINNER, "http://203.0.113.5:8080/v1")))
    try:  # a link naming another host's endpoint says so, as other links do
        expect(page.locator("#pg-arena-status")).to_contain_text("This link points at 203.0.113.5")
        assert server.posts() == []
    finally:
        context.close()


def test_the_arena_is_drawn_on_first_open_with_the_prompt_typed_so_far_and_stays_one_with_the_other_tabs(browser, app_url, server: ProtocolServer) -> None:
    with urllib.request.urlopen(f"{app_url}config", timeout=30) as answer:
        first_config = answer.read().decode()
    assert "pg-playground" in first_config and "pg-arena-prompt" not in first_config  # not sent with the page
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(app_url)
        playground_prompt, compare_prompt = page.locator("#pg-prompt textarea"), page.locator("#pg-compare-prompt textarea")
        playground_prompt.press_sequentially("Typed first")  # keys, as a person types: Gradio's input event
        page.get_by_role("tab", name="Arena").click()
        arena_prompt = page.locator("#pg-arena-prompt textarea")
        expect(arena_prompt).to_have_value("Typed first", timeout=30_000)
        arena_prompt.press_sequentially(", then in the Arena")
        page.get_by_role("tab", name="Compare").click()
        expect(compare_prompt).to_have_value("Typed first, then in the Arena")
        page.get_by_role("tab", name="Playground").click()
        expect(playground_prompt).to_have_value("Typed first, then in the Arena")
        playground_prompt.press_sequentially(", then here")
        page.get_by_label("Big text").check()
        page.get_by_role("tab", name="Arena").click()
        expect(arena_prompt).to_have_value("Typed first, then in the Arena, then here")  # every key, none lost to an echo
        for key in "ab":  # Big text, checked after the Arena was drawn, reaches its answers
            expect(page.locator(f"#pg-arena-{key}-output")).to_have_class(re.compile(r"\bpg-big\b"))
        answers = play_round(page)  # drawn on demand, the round plays as on a page that held it from the start
        assert all(answers)
    finally:
        context.close()


def test_the_playgrounds_stop_turns_prominent_during_an_arena_round_drawn_after_it_and_ends_it(browser, app_url, server: ProtocolServer) -> None:
    context, page = long_round_streaming(browser, app_url, server)
    try:
        cancelled = server.cancelled_streams
        page.get_by_role("tab", name="Playground").click()
        stop = page.locator("#pg-stop")
        expect(stop).to_have_class(re.compile(r"\bstop\b"))  # prominent while the round runs, as for any run
        stop.click()
        expect(stop).to_have_text("Stop")
        expect(stop).not_to_have_class(re.compile(r"\bstop\b"))
        deadline = time.monotonic() + 30
        while server.cancelled_streams < cancelled + 2 and time.monotonic() < deadline:
            page.wait_for_timeout(100)  # the model's server sees both streams closed
        assert server.cancelled_streams == cancelled + 2 and server.open_streams == 0
    finally:
        context.close()
