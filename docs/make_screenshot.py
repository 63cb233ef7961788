"""Makes docs/screenshot.png: the Playground tab after a streamed answer, the parameters beside it.

    python -m docs.make_screenshot

Runs everything on 127.0.0.1: the tests' protocol server plays the Hub and the router (its answers
are its own deterministic text, not a real model's), and Debian's Chromium takes the picture.
"""

from __future__ import annotations

from pathlib import Path

from docs.screenshot_app import browser_page, running_app
from playground.inference.backend import Backend
from tests.protocol_server import ProtocolServer

OUT = Path(__file__).parent / "screenshot.png"
MODEL = "meta-llama/Llama-3.1-8B-Instruct"
STATS = "() => (document.querySelector('#pg-stats [data-testid=markdown]')?.innerText || '')"


def main() -> None:
    server = ProtocolServer(token_delay=0.02).start()
    server.add_model(MODEL, providers={"hf-inference": "text-generation"})
    with running_app(server, Backend(), [MODEL], MODEL) as url:
        shoot(url)


def shoot(url: str) -> None:
    with browser_page(height=1100) as page:
        page.goto(url)
        page.get_by_label("Prompt", exact=True).fill("Write a haiku about cold starts.")
        page.get_by_role("button", name="Generate", exact=True).click()
        page.wait_for_function(f"() => ({STATS})().includes('tokens/s')", timeout=30_000)
        page.screenshot(path=str(OUT), full_page=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
