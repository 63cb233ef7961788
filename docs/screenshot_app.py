"""What the docs' screenshot scripts share: the app on 127.0.0.1, pointed at the tests' protocol
server (it plays the Hub and the router), and a headless Debian Chromium to take the picture."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from huggingface_hub import constants as hf_constants  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from app import LAUNCH_OPTIONS, build_app  # noqa: E402
from playground.config import Settings  # noqa: E402
from playground.hf.router import install_router  # noqa: E402
from playground.inference.backend import Backend  # noqa: E402
from tests.protocol_server import ProtocolServer  # noqa: E402

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@contextmanager
def running_app(server: ProtocolServer, backend: Backend, models: list[str], default_model: str) -> Iterator[str]:
    """The playground's URL, serving `models` from `server` (stopped afterwards, with the app)."""
    hf_constants.ENDPOINT = server.url
    install_router(server.url)
    settings = Settings(hf_token="hf_demo", hub_endpoint=server.url, router_url=server.url,
                        suggested_models=[(m, m) for m in models], default_model=default_model)
    demo = build_app(settings, backend)
    demo.queue()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **LAUNCH_OPTIONS)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()
        server.stop()


@contextmanager
def browser_page(width: int = 1280, height: int = 900, color_scheme: str = "light") -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser.new_page(viewport={"width": width, "height": height}, color_scheme=color_scheme)
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
