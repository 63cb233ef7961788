"""Makes docs/preflight.png: the "Check models" list with a ready, a warming and two failing models.

    python -m docs.make_preflight_screenshot

Runs everything on 127.0.0.1: the tests' protocol server plays the Hub and the router (one model
cold, one out of credits, one unknown), and Debian's Chromium takes the picture.
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
from playground.retry import RetryPolicy  # noqa: E402
from playground.router import install_router  # noqa: E402
from tests.protocol_server import ProtocolServer, Reply  # noqa: E402

OUT = Path(__file__).parent / "preflight.png"
READY, COLD, BROKE = "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct", "mistralai/Mistral-7B-Instruct-v0.3"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def main() -> None:
    server = ProtocolServer().start()
    for model in (READY, COLD, BROKE):
        server.add_model(model, providers={"together": "conversational"})
    server.script(COLD, *[Reply(status=503, body={"error": f"Model {COLD} is currently loading", "estimated_time": 40.0})] * 3)
    server.script(BROKE, Reply(status=402, body={"error": "You have exceeded your monthly included credits for Inference Providers"}))
    hf_constants.ENDPOINT = server.url
    install_router(server.url)
    settings = Settings(hf_token="hf_demo", hub_endpoint=server.url, router_url=server.url,
                        suggested_models=[(m, m) for m in (READY, COLD, BROKE)], default_model="bars/missing")
    demo = build_app(settings, Backend(policy=RetryPolicy(deadline=300)))
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


def shoot(url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.get_by_role("button", name="Check models").click()
        board = page.locator("#pg-preflight")
        board.locator(f"[data-model='{COLD}'][data-light='amber']").wait_for(timeout=30_000)
        board.locator("[data-model='bars/missing'][data-light='red']").wait_for(timeout=30_000)
        board.locator(f"[data-model='{READY}'][data-light='green']").wait_for(timeout=30_000)
        page.locator("#pg-on-stage").screenshot(path=str(OUT))
        browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
