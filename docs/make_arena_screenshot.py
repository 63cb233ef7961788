"""Makes docs/arena.png: the Arena after a few votes, the last round revealed, and the leaderboard.

    python -m docs.make_arena_screenshot

Runs everything on 127.0.0.1: the tests' protocol server plays the Hub and the router (one of the
three models answers with a <think> block, so the voter can tell it apart), and Debian's Chromium
votes for it every round, then takes the picture.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from docs.screenshot_app import browser_page, running_app
from playground.arena.code import arena_share_query
from playground.arena.pairs import Contender
from playground.inference.backend import Backend
from playground.inference.retry import RetryPolicy
from playground.input.request import parse_request
from tests.protocol_server import ProtocolServer

OUT = Path(__file__).parent / "arena.png"
THINKER, OTHERS = "Qwen/QwQ-32B", ("meta-llama/Llama-3.1-8B-Instruct", "mistralai/Mistral-7B-Instruct-v0.3")
PROMPT = "Name a colour and say why you like it."


def main() -> None:
    server = ProtocolServer().start()
    server.add_model(THINKER, providers={"together": "conversational"}, answers="think")
    for model in OTHERS:
        server.add_model(model, providers={"together": "conversational"})
    models = [THINKER, *OTHERS]
    with running_app(server, Backend(policy=RetryPolicy(deadline=60)), models, THINKER) as url:
        base = parse_request({"model": THINKER, "prompt": PROMPT, "params": {"seed": 3, "max_new_tokens": 24}})
        shoot(f"{url}?{arena_share_query(base, [Contender(m) for m in models])}")


def shoot(url: str) -> None:
    with browser_page(width=1700, height=1400) as page:
        page.goto(url)
        expect(page.locator("#pg-arena-status")).to_contain_text("Opened from a share link", timeout=30_000)
        for _ in range(5):
            page.locator("#pg-arena-generate").click()
            expect(page.locator("#pg-arena-status")).to_contain_text("Both answers are in", timeout=60_000)
            a_thinks = "think" in page.locator("#pg-arena-a-output textarea").input_value()
            b_thinks = "think" in page.locator("#pg-arena-b-output textarea").input_value()
            page.get_by_role("button", name="A is better" if a_thinks else "B is better" if b_thinks else "Tie").click()
            expect(page.locator("#pg-arena-status")).to_contain_text("You voted", timeout=30_000)
        page.get_by_role("tabpanel").screenshot(path=str(OUT))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
