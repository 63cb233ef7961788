"""Makes docs/chat.png: a two-turn conversation with a reasoning model, its Thinking collapsed.

    python -m docs.make_chat_screenshot

Runs everything on 127.0.0.1: the tests' protocol server plays the router and a model that reasons
in `<think>` tags (its answers echo the prompt, as the test server does), and Debian's Chromium
takes the picture.
"""

from __future__ import annotations

from pathlib import Path

from docs.screenshot_app import browser_page, running_app
from playground.inference.backend import Backend
from tests.protocol_server import ProtocolServer

OUT = Path(__file__).parent / "chat.png"
MODEL = "HuggingFaceTB/SmolLM3-3B"
STATS = "() => (document.querySelector('#pg-stats [data-testid=markdown]')?.innerText || '')"


def main() -> None:
    server = ProtocolServer(token_delay=0.02).start()
    facts = {"context_length": 65536, "pricing": {"input": 0.1, "output": 0.3}, "supports_structured_output": True}
    server.add_model(MODEL, providers={"hf-inference": "conversational"}, facts={"hf-inference": facts}, answers="think")
    with running_app(server, Backend(), [MODEL], MODEL) as url:
        shoot(url)


def send(page, text: str) -> None:
    before = page.evaluate(STATS)
    page.get_by_label("Prompt", exact=True).fill(text)
    page.get_by_role("button", name="Generate", exact=True).click()
    page.wait_for_function(f"before => {{ const now = ({STATS})(); return now.includes('tokens/s') && now !== before; }}",
                           arg=before, timeout=30_000)


def shoot(url: str) -> None:
    with browser_page(height=1000) as page:
        page.goto(url)
        page.get_by_label("Chat", exact=True).check()
        page.locator("#pg-conversation").wait_for()
        page.get_by_label("System prompt").fill("You are a concise science explainer.")
        page.locator("input[aria-label='number input for Max new tokens']").fill("14")
        send(page, "Why is the sky blue?")
        send(page, "And why is it red at sunset?")
        page.locator("#pg-conversation").screenshot(path=str(OUT))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
