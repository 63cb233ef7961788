"""Makes docs/probabilities.png: an answer tinted by token probability, one token's alternatives open.

    python -m docs.make_probabilities_screenshot

Runs everything on 127.0.0.1: the tests' protocol server plays the router and a TGI model whose
token probabilities are deterministic (`tests.protocol_answers.PICKED`), and Debian's Chromium
takes the picture.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from docs.screenshot_app import browser_page, running_app
from playground.inference.backend import Backend
from tests.protocol_server import ProtocolServer

OUT = Path(__file__).parent / "probabilities.png"
MODEL = "test/tiny-gpt"


def main() -> None:
    server = ProtocolServer(token_delay=0.01).start()
    with running_app(server, Backend(), [MODEL], MODEL) as url:
        shoot(url)


def shoot(url: str) -> None:
    with browser_page(height=1000) as page:
        page.goto(url)
        page.get_by_role("button", name="Advanced").first.click()
        page.get_by_label("Token probabilities").check()
        page.locator("input[aria-label='number input for Max new tokens']").fill("14")
        page.get_by_label("Prompt", exact=True).fill("Tell the audience a story")
        page.locator("#pg-generate").click()
        expect(page.locator("#pg-stats")).to_contain_text("perplexity", timeout=30_000)
        page.locator("#pg-odds .pg-tok").nth(5).click()
        expect(page.get_by_role("group", name="Alternatives for token 6")).to_be_visible()
        box = page.locator("#pg-odds").bounding_box()
        assert box is not None
        # The open list hangs below the answer: the picture takes in room for it.
        page.screenshot(path=str(OUT), clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"] + 220})
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
