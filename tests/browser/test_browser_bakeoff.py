"""In Chromium: the provider bake-off on the Sweep tab — Providers, Repeats, the charts, Push to Hub."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser_page import BROWSER_MARKS
from tests.conftest import TEST_TOKEN
from tests.protocol_server import BAKEOFF_MODEL, BAKEOFF_PROVIDERS, READ_ONLY_TOKEN, ProtocolServer

pytestmark = BROWSER_MARKS

VISITOR = "hf_visitor_write_token"
# Set to a folder to keep a screenshot of the chart: PLAYGROUND_SCREENSHOT_DIR=docs makes the README's.
SCREENSHOT_DIR = os.environ.get("PLAYGROUND_SCREENSHOT_DIR")


def run_bakeoff(page, server: ProtocolServer) -> None:
    """A sweep of the bake-off model on all its live providers, twice each, in Chat mode."""
    server.add_bakeoff_model()
    page.get_by_label("Chat", exact=True).check()
    page.locator("input[aria-label='number input for Max new tokens']").fill("12")
    page.get_by_role("tab", name="Sweep").click()
    models = page.get_by_label("Models", exact=True)
    models.click()
    models.fill(BAKEOFF_MODEL)
    models.press("Enter")
    providers = page.get_by_label("Providers", exact=True)
    providers.click()
    for provider in BAKEOFF_PROVIDERS:  # offered from the router's facts for the picked model
        expect(page.get_by_role("option", name=provider, exact=True)).to_be_visible(timeout=30_000)
    page.get_by_role("option", name="all live providers").click()
    page.locator("input[aria-label='number input for Repeats']").fill("2")
    page.locator("#pg-sweep-prompt textarea").fill("Which provider is fastest?")
    page.get_by_role("button", name="Run sweep").click()
    expect(page.locator("#pg-sweep-status")).to_contain_text("6 of 6 runs finished", timeout=90_000)


def test_a_bakeoff_draws_its_runs_on_a_chart_coloured_by_provider(page, server: ProtocolServer) -> None:
    run_bakeoff(page, server)
    chart = page.locator("#pg-sweep-speed-chart")
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    for provider in BAKEOFF_PROVIDERS:  # the legend names each provider's runs, and its claim apart
        expect(chart.locator("svg text").filter(has_text=re.compile(f"^{provider}$"))).to_have_count(1, timeout=30_000)
        expect(chart.locator("svg text").filter(has_text=f"{provider} · claimed")).to_have_count(1)
    assert chart.locator("svg path[aria-roledescription='point'], svg .mark-symbol path").count() >= 6 + 3
    expect(page.locator("#pg-sweep-cost-chart canvas, #pg-sweep-cost-chart svg").first).to_be_visible()
    summary = page.locator("#pg-sweep-summary")
    expect(summary).to_contain_text("claimed tokens/s")
    expect(summary).to_contain_text("2 of 2")
    assert len(server.posts(BAKEOFF_MODEL)) == 6
    if SCREENSHOT_DIR:
        chart.screenshot(path=str(Path(SCREENSHOT_DIR) / "bakeoff-chart.png"))


def test_push_to_hub_commits_the_card_and_every_run_with_the_visitors_token_and_links_it(page, server: ProtocolServer) -> None:
    run_bakeoff(page, server)
    page.get_by_label("Dataset name").fill("my-bakeoff")
    page.get_by_role("button", name="Push to Hub").click()
    status = page.locator("#pg-sweep-push-status")
    expect(status).to_contain_text("needs your own token", timeout=30_000)  # never the server's HF_TOKEN
    assert server.repos == {}
    page.locator("#pg-tokens").get_by_text("Using the server's token (HF_TOKEN)").click()  # the fold opens
    page.get_by_label("Hugging Face token").fill(VISITOR)
    page.get_by_role("button", name="Push to Hub").click()
    link = page.locator("#pg-sweep-dataset-link")
    expect(link).to_have_attribute("href", f"{server.url}/datasets/test-user/my-bakeoff", timeout=30_000)
    repo = server.repos["dataset/test-user/my-bakeoff"]
    assert repo["private"] is True  # "Public" was not ticked
    runs = [json.loads(line) for line in repo["files"]["runs.jsonl"].decode().splitlines()]
    assert len(runs) == 6 and sorted(r["provider"] for r in runs) == sorted(list(BAKEOFF_PROVIDERS) * 2)
    card = repo["files"]["README.md"].decode()
    assert card.startswith("---\n") and "Which provider is fastest?" in card and "## Summary" in card
    hub = [r for r in server.requests if r.path.startswith(("/api/repos", "/api/datasets", "/api/validate-yaml"))]
    assert hub and {r.headers.get("authorization") for r in hub} == {f"Bearer {VISITOR}"}
    for content in repo["files"].values():
        assert VISITOR.encode() not in content and TEST_TOKEN.encode() not in content


def test_a_read_only_token_gets_a_message_and_no_dataset(page, server: ProtocolServer) -> None:
    run_bakeoff(page, server)
    page.locator("#pg-tokens").get_by_text("Using the server's token (HF_TOKEN)").click()  # the fold opens
    page.get_by_label("Hugging Face token").fill(READ_ONLY_TOKEN)
    page.get_by_role("button", name="Push to Hub").click()
    expect(page.locator("#pg-sweep-push-status")).to_contain_text("This token can only read", timeout=30_000)
    expect(page.locator("#pg-sweep-push-status")).not_to_contain_text(READ_ONLY_TOKEN)
    assert server.repos == {}


def test_every_provider_fills_the_compare_panes_with_the_model_on_each_live_provider(page, server: ProtocolServer) -> None:
    server.add_bakeoff_model()
    page.get_by_role("tab", name="Compare").click()
    model_a = page.get_by_label("Model A", exact=True)
    model_a.click()
    model_a.fill(BAKEOFF_MODEL)
    model_a.press("Enter")
    page.get_by_role("button", name="Every provider").click()
    for key, provider in zip("ABC", BAKEOFF_PROVIDERS, strict=True):  # the router's order
        expect(page.get_by_label(f"Provider {key}", exact=True)).to_have_value(provider, timeout=30_000)
        expect(page.get_by_label(f"Model {key}", exact=True)).to_have_value(BAKEOFF_MODEL)
    expect(page.get_by_label("Model D", exact=True)).to_be_hidden()  # three providers: three panes
