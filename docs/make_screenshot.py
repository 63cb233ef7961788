"""Makes docs/screenshot.png: the Playground tab after a streamed answer, the parameters beside it;
and the same in dark mode (docs/screenshot-dark.png) and on a phone (docs/screenshot-phone.png).

    python -m docs.make_screenshot

Runs everything on 127.0.0.1: the tests' protocol server plays the Hub and the router (its answers
are its own deterministic text, not a real model's), and Debian's Chromium takes the picture.
"""

from __future__ import annotations

from pathlib import Path

from docs.screenshot_app import browser_page, running_app
from playground.inference.backend import Backend
from tests.protocol_server import ProtocolServer

DOCS = Path(__file__).parent
# (file, viewport width, height, colour scheme, whole page): the phone shows its first screen.
SHOTS = [("screenshot.png", 1280, 1100, "light", True), ("screenshot-dark.png", 1280, 1100, "dark", True),
         ("screenshot-phone.png", 390, 844, "light", False)]
MODEL = "meta-llama/Llama-3.1-8B-Instruct"
STATS = "() => (document.querySelector('#pg-stats [data-testid=markdown]')?.innerText || '')"


def main() -> None:
    server = ProtocolServer(token_delay=0.02).start()
    server.add_model(MODEL, providers={"hf-inference": "text-generation"})
    with running_app(server, Backend(), [MODEL], MODEL) as url:
        for name, width, height, scheme, full_page in SHOTS:
            shoot(url, DOCS / name, width, height, scheme, full_page)


def shoot(url: str, out: Path, width: int, height: int, color_scheme: str, full_page: bool) -> None:
    with browser_page(width, height, color_scheme) as page:
        page.goto(url)
        page.get_by_label("Prompt", exact=True).fill("Write a haiku about cold starts.")
        page.get_by_role("button", name="Generate", exact=True).click()
        page.wait_for_function(f"() => ({STATS})().includes('tokens/s')", timeout=30_000)
        page.wait_for_function("() => !document.querySelector('#pg-stop').classList.contains('stop')")  # the run has ended
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(out), full_page=full_page)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
