"""Makes docs/preflight.png: the "Check models" list with a ready, a warming and two failing models.

    python -m docs.make_preflight_screenshot

Runs everything on 127.0.0.1: the tests' protocol server plays the Hub and the router (one model
cold, one out of credits, one unknown), and Debian's Chromium takes the picture.
"""

from __future__ import annotations

from pathlib import Path

from docs.screenshot_app import browser_page, running_app
from playground.inference.backend import Backend
from playground.inference.retry import RetryPolicy
from tests.protocol_server import ProtocolServer, Reply

OUT = Path(__file__).parent / "preflight.png"
READY, COLD, BROKE = "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct", "mistralai/Mistral-7B-Instruct-v0.3"


def main() -> None:
    server = ProtocolServer().start()
    for model in (READY, COLD, BROKE):
        server.add_model(model, providers={"together": "conversational"})
    server.script(COLD, *[Reply(status=503, body={"error": f"Model {COLD} is currently loading", "estimated_time": 40.0})] * 3)
    server.script(BROKE, Reply(status=402, body={"error": "You have exceeded your monthly included credits for Inference Providers"}))
    with running_app(server, Backend(policy=RetryPolicy(deadline=300)), [READY, COLD, BROKE], "bars/missing") as url:
        shoot(url)


def shoot(url: str) -> None:
    with browser_page() as page:
        page.goto(url)
        page.get_by_role("button", name="Check models").click()
        board = page.locator("#pg-preflight")
        board.locator(f"[data-model='{COLD}'][data-light='amber']").wait_for(timeout=30_000)
        board.locator("[data-model='bars/missing'][data-light='red']").wait_for(timeout=30_000)
        board.locator(f"[data-model='{READY}'][data-light='green']").wait_for(timeout=30_000)
        page.locator("#pg-on-stage").screenshot(path=str(OUT))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
