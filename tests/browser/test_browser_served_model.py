"""In Chromium: an OpenAI-compatible server's URL as "Model" (issue 17). The page says what it speaks,
"Served model" lists its one model, picked, and Generate sends that name."""

from __future__ import annotations

from playwright.sync_api import expect

from playground.input.request import GenerationRequest
from playground.saved.share import share_query
from tests.browser_page import BROWSER_MARKS, generate_and_wait, open_page
from tests.protocol_server import ProtocolServer

pytestmark = BROWSER_MARKS


def test_an_openai_compatible_url_shows_its_served_model_and_generate_sends_it(browser, app_url: str, server: ProtocolServer) -> None:
    url = f"{server.url}/openai/vllm-model/v1"
    context, page = open_page(browser, f"{app_url}?{share_query(GenerationRequest(model=url, prompt='Hello there'))}")
    try:
        expect(page.locator("#pg-server-note")).to_contain_text("OpenAI-compatible server, 1 model", timeout=20_000)
        expect(page.locator("#pg-served-model input")).to_have_value("vllm-model")
        assert generate_and_wait(page)
        (post,) = server.posts("openai/vllm-model")
        assert post.path == "/openai/vllm-model/v1/completions" and post.body["model"] == "vllm-model"
    finally:
        context.close()
