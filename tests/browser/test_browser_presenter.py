"""In Chromium: a page a presenter drives without looking for anything (issue 20) — the keyboard,
cards readable in dark mode, a chat back from History, controls that don't bite, the first screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import expect

from components.chat_view import verdict_html
from components.messages import error_html, info_html, silence_html, waiting_html
from playground.catalog import facts as facts_module
from playground.chat.structured import Verdict
from playground.errors import ModelNotFoundError
from playground.inference.events import Silence, Waiting, WaitReason
from playground.local import LOCAL_MODEL_LABEL
from tests.browser_page import BROWSER_MARKS, set_model, stats_line, wait_for_new_stats
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS

CTRL_ENTER = "Control+Enter"


@contextmanager
def opened_page(browser, url: str, init_script: str | None = None, **context_options: Any) -> Iterator[Any]:
    """A page of its own browser context (a viewport, a colour scheme, a phone...), form ready; the
    context is closed after."""
    context = browser.new_context(**context_options)
    try:
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        goto_ready(page, url)
        yield page
    finally:
        context.close()


def goto_ready(page, url: str) -> None:
    """Opens the page and waits for its form (a busy machine may take a while to load it)."""
    page.goto(url)
    expect(page.get_by_label("Prompt", exact=True)).to_be_visible(timeout=30_000)


def chat_mode(page, model: str = "test/chat-model") -> None:
    facts_module._facts_cache.clear()  # router facts are cached for minutes
    set_model(page, model)
    page.get_by_label("Chat", exact=True).check()
    expect(page.locator("#pg-conversation")).to_be_visible()
    expect(page.locator("#pg-generate-chat")).to_be_visible()  # shown by an event of its own, after the Conversation's
    page.locator("input[aria-label='number input for Max new tokens']").fill("8")


def test_ctrl_enter_in_the_prompt_generates_in_completion_mode(page, server: ProtocolServer) -> None:
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("Sent from the keyboard")
    prompt.press(CTRL_ENTER)
    expect(page.locator("#pg-output textarea")).to_have_value(re.compile("Sent from the keyboard"), timeout=30_000)
    assert prompt.input_value() == "Sent from the keyboard"  # no newline was added


def test_in_chat_mode_enter_sends_shift_enter_adds_a_line_and_ctrl_enter_sends_too(page, server: ProtocolServer) -> None:
    chat_mode(page)
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("First line")
    prompt.press("Shift+Enter")
    prompt.press_sequentially("second line")
    expect(prompt).to_have_value("First line\nsecond line")
    prompt.press("Enter")
    bots = page.locator("#pg-conversation .message.bot")
    expect(bots).to_have_count(1, timeout=30_000)
    expect(page.locator("#pg-conversation .message.user").first).to_contain_text("second line")
    expect(bots.last).not_to_be_empty(timeout=30_000)
    expect(page.locator("#pg-stats")).to_contain_text("tokens/s", timeout=30_000)  # the first turn has finished
    prompt.fill("Again by Ctrl+Enter")
    prompt.press(CTRL_ENTER)
    expect(page.locator("#pg-conversation .message.user")).to_have_count(2, timeout=30_000)
    assert server.posts("test/chat-model")[0].body["messages"][0]["content"] == "First line\nsecond line"


def test_ctrl_enter_in_the_compare_prompt_runs_every_pane(page, server: ProtocolServer) -> None:
    page.get_by_role("tab", name="Compare").click()
    prompt = page.locator("#pg-compare-prompt textarea")
    prompt.fill("Both panes, by keyboard")
    prompt.press(CTRL_ENTER)
    expect(page.locator("#pg-pane-a-output textarea")).to_have_value(re.compile("Both panes, by keyboard"), timeout=60_000)


def test_generate_shows_its_ctrl_enter_hint(page) -> None:
    hint = page.locator("#pg-generate").evaluate("b => getComputedStyle(b, '::after').content")
    assert "Ctrl+Enter" in hint
    expect(page.get_by_role("button", name="Generate", exact=True)).to_be_visible()  # its name is unchanged


# Every card kind, as messages.py words it: loading and rate-limited retries, a silent model, an
# error (with the server's detail), the fallback, replay and "Stopped." notes, and the verdicts.
CARDS = {
    "loading": waiting_html(Waiting(attempt=2, reason=WaitReason.LOADING, seconds_left=3, wait_length=5, waited=2, deadline_left=28)),
    "retry": waiting_html(Waiting(attempt=3, reason=WaitReason.BUSY, seconds_left=1, wait_length=2, waited=4, deadline_left=20)),
    "waiting": silence_html(Silence(seconds=4, first_token=True, limit=60)),
    "error": error_html(ModelNotFoundError("no such model")),
    "fallback": info_html("Answered by test/tiny-gpt instead of test/x (fallback)"),
    "replay": info_html("Replay of test/tiny-gpt, not a live run"),
    "warning": verdict_html(Verdict(valid=False, error="'name' is a required property"))["value"],
    "valid": verdict_html(Verdict(valid=True, error=""))["value"],
}

# The WCAG contrast of every text in the card against the card's background, the lowest; a text's
# colour is blended with the background by its opacity (and its ancestors' inside the card).
LOWEST_CONTRAST = """card => {
  const rgba = (c) => { const [r, g, b, a = 1] = c.match(/[\\d.]+/g).map(Number); return [r, g, b, a]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bg = rgba(getComputedStyle(card).backgroundColor);
  let lowest = 99;
  for (const el of [card, ...card.querySelectorAll('*')]) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    let alpha = rgba(getComputedStyle(el).color)[3];
    for (let e = el; e && e !== card.parentElement; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
    const fg = rgba(getComputedStyle(el).color).slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    lowest = Math.min(lowest, (hi + 0.05) / (lo + 0.05));
  }
  return lowest;
}"""


def card_contrasts(page) -> dict[str, float]:
    """Each kind of card shown where the run's card is, and its lowest contrast."""
    set_model(page, "test/no-such-model")
    page.get_by_label("Prompt", exact=True).fill("Show me a card")
    page.get_by_role("button", name="Generate", exact=True).click()
    live = page.locator("#pg-status .pg-status")
    expect(live).to_contain_text("Model not found", timeout=30_000)
    contrasts = {"live error": live.evaluate(LOWEST_CONTRAST)}
    for kind, html in CARDS.items():  # in the live card's place, so it sits where Gradio puts cards
        page.locator("#pg-status .pg-status").evaluate("(card, html) => { card.outerHTML = html; }", html)
        contrasts[kind] = page.locator("#pg-status .pg-status").evaluate(LOWEST_CONTRAST)
    return contrasts


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_every_card_is_readable_in_dark_and_light_mode(browser, app_url: str, server: ProtocolServer, scheme: str) -> None:
    with opened_page(browser, app_url, color_scheme=scheme) as page:
        assert page.evaluate("() => !!document.querySelector('.dark')") == (scheme == "dark")
        unreadable = {kind: round(ratio, 2) for kind, ratio in card_contrasts(page).items() if ratio < 4.5}
        assert unreadable == {}


def test_a_chat_picked_in_history_after_a_reload_comes_back_whole(page, server: ProtocolServer) -> None:
    chat_mode(page)
    page.locator("#pg-chat-setup").get_by_text("System prompt:").click()
    page.get_by_label("System prompt", exact=True).fill("You are terse.")
    prompt = page.get_by_label("Prompt", exact=True)
    for text in ("Remember 'harbour'", "Which word?"):
        prompt.fill(text)
        prompt.press("Enter")
        expect(page.locator("#pg-history").get_by_text(text)).to_be_visible(timeout=30_000)
    page.reload()
    expect(page.get_by_role("radio", name="Completion", exact=True)).to_be_checked(timeout=30_000)
    page.locator("#pg-history").get_by_text("Which word?").click()
    expect(page.get_by_role("radio", name="Chat", exact=True)).to_be_checked(timeout=10_000)
    expect(page.locator("#pg-chat-setup")).to_contain_text('System prompt: "You are terse."')  # the fold's summary
    page.locator("#pg-chat-setup").get_by_text("System prompt:").click()
    expect(page.get_by_label("System prompt", exact=True)).to_have_value("You are terse.")
    conversation = page.locator("#pg-conversation")
    expect(conversation.locator(".message.user")).to_have_text(["Remember 'harbour'", "Which word?"])
    expect(conversation.locator(".message.bot")).to_have_count(2)
    expect(conversation.locator(".message.bot").last).to_contain_text("Which word?")
    expect(page.locator("#pg-output")).to_be_hidden()
    expect(page.locator(".progress-text, .eta-bar")).to_have_count(0)  # no spinner left behind


def test_one_click_never_clears_the_history(page, server: ProtocolServer) -> None:
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("Keep me safe")
    prompt.press(CTRL_ENTER)
    history = page.locator("#pg-history")
    expect(history.get_by_text("Keep me safe")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Clear history").click()
    keep = page.get_by_role("button", name="Keep history")
    expect(keep).to_be_visible()
    expect(history.get_by_text("Keep me safe")).to_be_visible()
    keep.click()
    expect(page.get_by_role("button", name="Yes, clear history")).to_be_hidden()
    page.reload()
    expect(page.locator("#pg-history").get_by_text("Keep me safe")).to_be_visible(timeout=30_000)


def test_stop_is_small_and_quiet_until_a_run_starts_then_prominent_and_esc_presses_it(page, server: ProtocolServer) -> None:
    stop, generate = page.locator("#pg-stop"), page.locator("#pg-generate")
    width = "e => e.getBoundingClientRect().width"
    expect(stop).not_to_have_class(re.compile(r"\bstop\b"))  # neutral, not the red variant
    assert stop.evaluate(width) < generate.evaluate(width) / 2
    stop.click()  # nothing runs: nothing happens
    expect(page.locator("#pg-stopped")).to_be_hidden()
    server.token_delay = 0.2  # 256 tokens: about 50 s, so Esc lands mid-stream
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("Stop me with Esc")
    prompt.press(CTRL_ENTER)
    expect(page.locator("#pg-output textarea")).to_have_value(re.compile("^Echo"), timeout=30_000)
    expect(stop).to_have_class(re.compile(r"\bstop\b"))
    assert stop.evaluate(width) > generate.evaluate(width) / 2
    page.keyboard.press("Escape")
    expect(page.locator("#pg-stopped")).to_contain_text("Stopped.")
    expect(stop).not_to_have_class(re.compile(r"\bstop\b"))
    server.token_delay = 0.0
    prompt.press(CTRL_ENTER)
    expect(page.locator("#pg-stats")).to_contain_text("tokens/s", timeout=30_000)
    expect(stop).not_to_have_class(re.compile(r"\bstop\b"))  # quiet again once the run has ended


def test_ctrl_enter_pressed_while_the_stop_is_landing_runs_once_it_has_landed(page, server: ProtocolServer) -> None:
    """The Stop's cancel is held on its way to the server: Gradio alone drops a press of Generate
    until it has landed (components/press_after_stop.py)."""
    cancels = []
    page.route("**/gradio_api/cancel", lambda route: cancels.append(route))
    server.token_delay = 0.2
    prompt, generate = page.get_by_label("Prompt", exact=True), page.locator("#pg-generate")
    prompt.fill("Stop me, then run me again")
    prompt.press(CTRL_ENTER)
    expect(page.locator("#pg-output textarea")).to_have_value(re.compile("^Echo"), timeout=30_000)
    with page.expect_request("**/gradio_api/cancel"):
        page.keyboard.press("Escape")
    expect(page.locator("#pg-stopped")).to_contain_text("Stopped.")
    server.token_delay = 0.0
    prompt.press(CTRL_ENTER)
    expect(generate).to_have_attribute("data-held", "")  # held while the cancel is on its way
    cancels[0].continue_()
    expect(page.locator("#pg-stats")).to_contain_text("tokens/s", timeout=30_000)
    expect(page.locator("#pg-output textarea")).to_have_value(re.compile("run me again"))
    expect(generate).not_to_have_attribute("data-held", "")
    expect(page.locator("#pg-stop")).not_to_have_class(re.compile(r"\bstop\b"))  # counted in, then out


def send_by_enter(page, text: str) -> None:
    """Types `text` in Prompt, presses Enter and waits, as a presenter does, until it is answered
    (this turn's own stats line: an earlier turn's line never passes for it)."""
    before = stats_line(page)
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill(text)
    prompt.press("Enter")
    wait_for_new_stats(page, before)


def box(locator) -> dict:
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }")


def test_at_1280x800_a_chat_has_the_conversation_above_the_prompt_and_generate_on_the_first_screen(browser, app_url: str,
                                                                                                   server: ProtocolServer) -> None:
    with opened_page(browser, app_url, viewport={"width": 1280, "height": 800}) as page:
        expect(page.locator("#pg-generate")).to_be_in_viewport(ratio=1)  # Completion mode: the Prompt and Generate too
        expect(page.get_by_label("Prompt", exact=True)).to_be_in_viewport(ratio=1)
        chat_mode(page)
        expect(page.locator("#pg-chat-setup")).to_contain_text("System prompt: none · Response format: Text")
        expect(page.get_by_label("System prompt", exact=True)).to_be_hidden()  # folded away
        page.evaluate("() => window.scrollTo(0, 0)")
        prompt, generate = page.get_by_label("Prompt", exact=True), page.locator("#pg-generate-chat")
        assert box(prompt)["bottom"] <= 800 and box(generate)["bottom"] <= 800
        assert box(page.locator("#pg-conversation"))["bottom"] <= box(prompt)["top"]
        for count, text in enumerate(("One", "Two", "Three", "Four"), start=1):
            send_by_enter(page, text)
            expect(page.locator("#pg-conversation .message.user")).to_have_count(count)
        expect(page.locator("#pg-conversation .message.bot").last).to_be_in_viewport()  # the newest answer is scrolled to


def font_size(locator) -> float:
    return locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def test_big_text_enlarges_the_chat_the_compare_panes_and_the_arena_answers_too(page, server: ProtocolServer) -> None:
    chat_mode(page)
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("Make me big")
    prompt.press("Enter")
    message = page.locator("#pg-conversation .message.bot .message-content").last
    expect(message).to_contain_text("Make me big", timeout=30_000)
    before = font_size(message)
    page.get_by_label("Big text").check()
    expect(page.locator("#pg-conversation")).to_have_class(re.compile(r"\bpg-big\b"))
    assert font_size(message) > before * 1.3
    page.get_by_role("tab", name="Compare").click()
    pane = page.locator("#pg-pane-a-output textarea")
    expect(page.locator("#pg-pane-a-output")).to_have_class(re.compile(r"\bpg-big\b"))
    assert font_size(pane) >= 1.3 * 16
    page.get_by_role("tab", name="Arena").click()
    for key in "ab":
        expect(page.locator(f"#pg-arena-{key}-output")).to_have_class(re.compile(r"\bpg-big\b"))
        assert font_size(page.locator(f"#pg-arena-{key}-output textarea")) >= 1.3 * 16


def pane_tops(page, keys: str) -> list[float]:
    return [page.locator(f"#pg-pane-{key}").evaluate("e => Math.round(e.getBoundingClientRect().top)") for key in keys]


def test_three_compare_panes_share_one_row_at_1280_and_four_at_1600_starting_on_different_models(browser, app_url: str,
                                                                                                 server: ProtocolServer) -> None:
    with opened_page(browser, app_url, viewport={"width": 1280, "height": 800}) as page:
        page.get_by_role("tab", name="Compare").click()
        assert page.get_by_label("Model A", exact=True).input_value() != page.get_by_label("Model B", exact=True).input_value()
        page.locator("#pg-compare-panes").get_by_text("3", exact=True).click()
        expect(page.locator("#pg-pane-c")).to_be_visible()
        assert len(set(pane_tops(page, "abc"))) == 1
        page.set_viewport_size({"width": 1600, "height": 900})
        page.locator("#pg-compare-panes").get_by_text("4", exact=True).click()
        expect(page.locator("#pg-pane-d")).to_be_visible()
        assert len(set(pane_tops(page, "abcd"))) == 1


# Each header's text is whole: no header cell cuts its text short (its text box is as wide as the text).
CUT_HEADERS = """table => [...table.querySelectorAll('th')].filter((th) => th.innerText.trim()).filter((th) =>
  [th, ...th.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible'))
  .map((th) => th.innerText.trim())"""


RECORD_ANNOUNCEMENTS = """window.pgAnnounced = [];
new MutationObserver(() => document.querySelectorAll('[aria-live]').forEach((live) => {
  const text = live.textContent.trim();
  if (text) window.pgAnnounced.push(text);
})).observe(document, {subtree: true, childList: true, characterData: true});"""
RAW_KEYS = """() => [...document.querySelectorAll('body *:not(script):not(style)')].flatMap((e) => [e.getAttribute('aria-label') || '',
  [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('')]).filter((t) => /\\bcommon\\./.test(t))"""


def test_at_1280_a_sweep_has_whole_headers_wrapped_output_rows_that_open_in_full_and_no_raw_words_for_screen_readers(browser, app_url: str, server: ProtocolServer) -> None:
    with opened_page(browser, app_url, viewport={"width": 1280, "height": 800}, init_script=RECORD_ANNOUNCEMENTS) as page:
        page.locator("input[aria-label='number input for Max new tokens']").fill("24")
        page.get_by_role("tab", name="Sweep").click()
        page.get_by_label("Temperatures").fill("0.2")
        page.get_by_label("Seeds").fill("1")
        prompt = page.locator("#pg-sweep-prompt textarea")
        prompt.fill("A long enough answer to need more than one line in the output column of the table")
        prompt.press(CTRL_ENTER)
        expect(page.locator("#pg-sweep-status")).to_contain_text("1 of 1 runs finished", timeout=60_000)
        table = page.locator("#pg-sweep-table")
        assert table.locator("table").first.evaluate(CUT_HEADERS) == []
        output_cell = table.locator("[role=row] [role=gridcell]").last  # the first row's output
        expect(output_cell).to_contain_text("Echo")
        table_box, cell_box = table.bounding_box(), output_cell.bounding_box()
        assert cell_box["x"] + cell_box["width"] <= table_box["x"] + table_box["width"] + 1  # no sideways scroll to read it
        assert cell_box["height"] > 40  # wrapped onto several lines
        output_cell.click()  # a row opens in full under the table: its whole answer and its request
        expect(page.locator("#pg-sweep-row-output textarea")).to_have_value(re.compile(r"^Echo"))
        request = page.locator("#pg-sweep-row-request")
        expect(request).to_contain_text('"max_new_tokens": 24')
        expect(request).to_contain_text("more than one line in the output column")
        # A screen reader hears "Done" when an event finishes, never a raw translation key.
        page.wait_for_function("() => window.pgAnnounced.includes('Done')", timeout=15_000)
        assert not [text for text in page.evaluate("window.pgAnnounced") if "common." in text]
        assert page.evaluate(RAW_KEYS) == []


def test_an_empty_prompt_gets_its_words_and_an_error_is_one_card_with_no_toast(page, server: ProtocolServer) -> None:
    page.get_by_label("Prompt", exact=True).press(CTRL_ENTER)
    status = page.locator("#pg-status")
    expect(status).to_contain_text("Type a prompt first")
    expect(status).not_to_contain_text("out of range")
    expect(page.locator(".toast-body")).to_have_count(0)
    set_model(page, "test/no-such-model")
    page.get_by_label("Prompt", exact=True).fill("Fail once, say it once")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(status).to_contain_text("Model not found", timeout=30_000)
    expect(status).not_to_contain_text("suggested model")
    expect(page.locator(".toast-body")).to_have_count(0)


def test_on_a_phone_the_first_screen_has_the_prompt_and_generate_with_the_answer_right_under(browser, app_url: str,
                                                                                             server: ProtocolServer) -> None:
    with opened_page(browser, app_url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as page:
        prompt, generate = page.get_by_label("Prompt", exact=True), page.locator("#pg-generate")
        expect(generate).to_be_in_viewport(ratio=1)
        expect(prompt).to_be_in_viewport(ratio=1)
        answer, settings = box(page.locator("#pg-output")), box(page.locator("input[aria-label='number input for Temperature']"))
        assert box(generate)["bottom"] <= answer["top"] <= box(generate)["bottom"] + 200  # the answer right under
        assert settings["top"] > answer["bottom"]  # the settings column after


def test_a_regenerated_turn_joins_the_history_and_new_chat_clears_the_stats_line(page, server: ProtocolServer) -> None:
    chat_mode(page)
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("Say it twice")
    prompt.press("Enter")
    entries = page.locator("#pg-history label")
    expect(entries).to_have_count(1, timeout=30_000)
    page.get_by_role("button", name="Regenerate").click()
    expect(entries).to_have_count(2, timeout=30_000)
    expect(page.locator("#pg-stats")).to_contain_text("tokens/s")
    page.get_by_role("button", name="New chat").click()
    expect(page.locator("#pg-conversation .message")).to_have_count(0)
    expect(page.locator("#pg-stats")).not_to_contain_text("tokens/s")


def test_a_json_choice_that_cant_be_picked_looks_disabled(page) -> None:
    chat_mode(page)  # test/chat-model: no structured output
    page.locator("#pg-chat-setup").get_by_text("System prompt:").click()
    choice = page.get_by_label("JSON schema", exact=True)
    expect(choice).to_be_disabled()
    assert float(choice.evaluate("e => getComputedStyle(e.closest('label')).opacity")) <= 0.5


def test_at_1920x1080_with_big_text_the_newest_answer_and_the_prompt_are_in_sight(browser, app_url: str,
                                                                                  server: ProtocolServer) -> None:
    with opened_page(browser, app_url, viewport={"width": 1920, "height": 1080}) as page:
        chat_mode(page)
        page.get_by_label("Big text").check()
        expect(page.locator("#pg-conversation")).to_have_class(re.compile(r"\bpg-big\b"))
        prompt = page.get_by_label("Prompt", exact=True)
        for count, text in enumerate(("First big question", "Second big question", "Third big question"), start=1):
            send_by_enter(page, text)
            expect(page.locator("#pg-conversation .message.bot")).to_have_count(count)
        expect(page.locator("#pg-conversation .message.bot").last).to_contain_text("Third big question", timeout=30_000)
        page.evaluate("() => window.scrollTo(0, 0)")
        expect(page.locator("#pg-conversation .message.bot").last).to_be_in_viewport()
        expect(prompt).to_be_in_viewport(ratio=1)
        expect(page.locator("#pg-generate-chat")).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize(("tab", "button", "status"), [("Compare", "Generate all", "#pg-compare-status"),
                                                       ("Sweep", "Run sweep", "#pg-sweep-status")])
def test_a_refused_comparison_or_sweep_is_one_card_with_no_toast(page, server: ProtocolServer, tab: str, button: str,
                                                                  status: str) -> None:
    page.get_by_role("tab", name=tab).click()
    page.get_by_role("button", name=button).click()  # the tab's prompt is empty
    expect(page.locator(status)).to_contain_text("Prompt")
    expect(page.locator(".toast-body")).to_have_count(0)
    assert server.posts() == []


# The room a text has in its input, and the width it needs in the input's own font: a placeholder
# doesn't count in scrollWidth, so its width is measured.
TEXT_FITS = """(input) => {
  const style = getComputedStyle(input);
  const canvas = document.createElement('canvas').getContext('2d');
  canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = input.value || input.placeholder;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {text, need: Math.ceil(canvas.measureText(text).width), room, scroll: input.scrollWidth <= input.clientWidth};
}"""


def test_at_1280_the_search_placeholder_and_the_built_in_models_name_are_whole(browser, tokenless_app_url: str) -> None:
    with opened_page(browser, tokenless_app_url, viewport={"width": 1280, "height": 800}) as page:
        model = page.get_by_label("Model", exact=True)
        expect(model).to_have_value(LOCAL_MODEL_LABEL)
        for field in (page.locator("#pg-search input, #pg-search textarea").first, model):
            fits = field.evaluate(TEXT_FITS)
            assert fits["need"] <= fits["room"] and fits["scroll"], fits
