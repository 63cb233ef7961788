"""Helpers for the browser tests: Debian's Chromium, the marks, and what a presenter does on the page.

The fixtures built on these (`browser`, `page`) live in conftest.py.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import wait_for

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

# .ci/run installs Chromium, and under CI a missing browser fails the run instead of skipping it.
BROWSER_MARKS = [pytest.mark.browser]
if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
    BROWSER_MARKS.append(pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install -y chromium)"))

HISTORY_KEY = "inference-playground-history"
PRESETS_KEY = "inference-playground-presets"


def open_page(browser, url: str):
    """A page in a fresh browser profile (its own localStorage), once the form is ready."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.get_by_label("Prompt", exact=True).wait_for()
    return context, page


def generate_and_wait(page, button: str = "Generate") -> str:
    """Presses Generate (or `button`) and returns the Output (in Chat mode, the newest answer in the
    Conversation) once this run's stats line is shown (the line is cleared when a run starts)."""
    stats = "() => (document.querySelector('#pg-stats')?.innerText || '').includes('tokens/s')"
    shown_before = page.evaluate(stats)
    page.get_by_role("button", name=button, exact=True).click()
    if shown_before:  # an earlier run's line: wait until this run clears it (it may refill fast)
        page.wait_for_function(f"() => !({stats})()", polling="raf", timeout=10_000)
    page.wait_for_function(stats, timeout=60_000)
    if page.locator("#pg-conversation").is_visible():
        return page.locator("#pg-conversation .message.bot").last.inner_text()
    return page.locator("#pg-output textarea").input_value()


STATS_TEXT = "() => document.querySelector('#pg-stats [data-testid=markdown]')?.innerText || ''"


def stats_line(page) -> str:
    """The stats line's own text (while a run streams, #pg-stats also shows Gradio's timer)."""
    return page.evaluate(STATS_TEXT)


def wait_for_new_stats(page, before: str, timeout_ms: int = 30_000) -> None:
    """Waits until this run has finished: its stats line is shown and differs from `before` (each run
    has its own seed and timings), so an earlier run's line never passes for this one's."""
    page.wait_for_function(f"before => {{ const now = ({STATS_TEXT})(); return now.includes('tokens/s') && now !== before; }}",
                           arg=before, timeout=timeout_ms)


def set_seed(page, seed: int) -> None:
    """Types a seed; typing one unchecks "Random seed" by itself."""
    from playwright.sync_api import expect

    page.get_by_label("Seed", exact=True).fill(str(seed))
    expect(page.get_by_label("Random seed")).not_to_be_checked(timeout=5_000)


def set_model(page, model: str) -> None:
    box = page.get_by_label("Model", exact=True)
    box.click()
    box.fill(model)
    box.press("Enter")


def stored(page, key: str) -> str | None:
    """The raw (encrypted) value Gradio's BrowserState keeps under `key` in localStorage."""
    return page.evaluate("key => localStorage.getItem(key)", key)


def wait_until_stored(page, key: str, before: str | None) -> None:
    """Waits until the browser has written a new value under `key` (it differs from `before`)."""
    page.wait_for_function("([key, before]) => localStorage.getItem(key) !== before", arg=[key, before], timeout=10_000)


def wait_until(page, condition, timeout_ms: int = 10_000) -> bool:
    """Waits until `condition()` holds on the test's side, such as what the protocol server recorded
    (the page runs on in Chromium meanwhile); returns whether it did before the timeout."""
    return wait_for(condition, timeout_ms / 1000)
