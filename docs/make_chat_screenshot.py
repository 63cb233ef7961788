"""Makes docs/chat.png: a two-turn conversation with a reasoning model, its Thinking collapsed.

    python -m docs.make_chat_screenshot

Runs everything on 127.0.0.1: the tests' protocol server plays the router and a model that reasons
in `<think>` tags (its answers echo the prompt, as the test server does), and Debian's Chromium
takes the picture.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from huggingface_hub import constants as hf_constants  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from app import LAUNCH_OPTIONS, build_app  # noqa: E402
from playground.backend import Backend  # noqa: E402
from playground.config import Settings  # noqa: E402
from playground.router import install_router  # noqa: E402
from tests.protocol_server import ProtocolServer  # noqa: E402

OUT = Path(__file__).parent / "chat.png"
MODEL = "HuggingFaceTB/SmolLM3-3B"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
STATS = "() => (document.querySelector('#pg-stats [data-testid=markdown]')?.innerText || '')"


def main() -> None:
    server = ProtocolServer(token_delay=0.02).start()
    facts = {"context_length": 65536, "pricing": {"input": 0.1, "output": 0.3}, "supports_structured_output": True}
    server.add_model(MODEL, providers={"hf-inference": "conversational"}, facts={"hf-inference": facts}, answers="think")
    hf_constants.ENDPOINT = server.url
    install_router(server.url)
    settings = Settings(hf_token="hf_demo", hub_endpoint=server.url, router_url=server.url,
                        suggested_models=[(MODEL, MODEL)], default_model=MODEL)
    demo = build_app(settings, Backend())
    demo.queue()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **LAUNCH_OPTIONS)
    try:
        shoot(f"http://127.0.0.1:{port}/")
    finally:
        demo.close()
        server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def send(page, text: str) -> None:
    before = page.evaluate(STATS)
    page.get_by_label("Prompt", exact=True).fill(text)
    page.get_by_role("button", name="Generate", exact=True).click()
    page.wait_for_function(f"before => {{ const now = ({STATS})(); return now.includes('tokens/s') && now !== before; }}",
                           arg=before, timeout=30_000)


def shoot(url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.get_by_label("Chat", exact=True).check()
        page.locator("#pg-conversation").wait_for()
        page.get_by_label("System prompt").fill("You are a concise science explainer.")
        page.locator("input[aria-label='number input for Max new tokens']").fill("14")
        send(page, "Why is the sky blue?")
        send(page, "And why is it red at sunset?")
        page.locator("#pg-conversation").screenshot(path=str(OUT))
        browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
