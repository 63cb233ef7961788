"""In Chromium: a share link names another host (issue 22, part 1). "Check models" leaves it out until
the visitor pressed Generate with it in this session; the Endpoint token goes there, and nowhere on the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playground.input.request import GenerationRequest
from playground.saved.share import share_query
from tests.browser_page import BROWSER_MARKS, generate_and_wait, open_page
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS
KEY = "sk-endpointKeyTypedInThePage"


@pytest.fixture(scope="module")
def stranger() -> ProtocolServer:
    """Another host on loopback, standing in for the one a link's author chose."""
    host = ProtocolServer().start()
    yield host
    host.stop()


def test_check_models_leaves_a_linked_host_out_until_generate_ran_it(browser, app_url: str, server: ProtocolServer,
                                                                     stranger: ProtocolServer) -> None:
    stranger.reset()
    url = f"{stranger.url}/tgi/link-author"
    context, page = open_page(browser, f"{app_url}?{share_query(GenerationRequest(model=url, prompt='Hello from a link'))}")
    try:
        expect(page.locator("#pg-status")).to_contain_text("This link points at 127.0.0.1", timeout=10_000)
        page.locator("#pg-tokens").get_by_text("Using the server's token (HF_TOKEN)").click()  # the fold opens
        page.locator("#pg-endpoint-token input").fill(KEY)
        page.get_by_role("button", name="Check models").click()
        board = page.locator("#pg-preflight")
        expect(board.locator("[data-model='test/tiny-gpt'][data-light='green']")).to_be_visible(timeout=20_000)
        expect(board.locator(f"li.pg-left-out[data-model='{url}']")).to_contain_text("left out until you run it once")
        assert stranger.posts() == []
        generate_and_wait(page)
        assert {post.headers.get("authorization") for post in stranger.posts()} == {f"Bearer {KEY}"}
        page.get_by_role("button", name="Check models").click()
        expect(board.locator(f"li[data-model='{url}'][data-light='green']")).to_be_visible(timeout=20_000)
        expect(board.locator("li.pg-left-out")).to_have_count(0)
        assert {post.headers.get("authorization") for post in stranger.posts()} == {f"Bearer {KEY}"}
        storage = page.evaluate("() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
        assert KEY not in storage and KEY not in page.locator("body").inner_text() and KEY not in page.url
    finally:
        context.close()
