"""Page ready in the browser: Chromium from navigation to an enabled Generate, the playground against
the floor (benchmarks/floor_app.py, a bare Gradio page that streams a model), in one run, plus what
each page's first config weighs (bytes, components, events).

    python benchmarks/bench_page.py [--loads 7] [--before DIR]

Writes benchmarks/results/page.md (overwritten each run). Targets (issue 21): the playground's page
ready within 1.3x of the floor's, its first config under 60 KB. Each load is a fresh browser context
(an empty cache and localStorage, as a first visit); the two pages load in turns, so a slow spell of
this shared machine falls on both. Both apps talk to a local protocol server (loopback only).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import gradio  # noqa: E402

from benchmarks.bench_app_overhead import MODEL, base_env, free_port, subprocess_serving, time_limit  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "page.md"
READY_TARGET, CONFIG_TARGET_KB = 1.3, 60
PLAYGROUND, FLOOR = "playground (`python app.py`)", "floor (bare streaming page)"
BEFORE = "playground before (`--before`)"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


class PageLoad(NamedTuple):
    ready_s: float  # navigation to a visible, enabled Generate
    busy_s: float  # the page's main-thread time until then (Chrome's TaskDuration): what a busy machine moves least


def page_load(browser, url: str, html: str | None = None) -> PageLoad:
    """One first visit (a fresh context) until Generate is visible and enabled; with `html`, the
    browser gets that page instead of the server's (everything else still comes from the server)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        devtools = context.new_cdp_session(page)
        devtools.send("Performance.enable")
        if html is not None:
            page.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
        ready = visit(page, url)
        metrics = {metric["name"]: metric["value"] for metric in devtools.send("Performance.getMetrics")["metrics"]}
        return PageLoad(ready, metrics["TaskDuration"])
    finally:
        context.close()


# Generate is ready when a button named Generate is on screen and enabled. Checked at every frame
# in the page: Playwright's expect() polls at 100, 250, 500 and then 1,000 ms, which put up to a
# second of waiting into a load's time (and made both pages' figures bimodal).
GENERATE_READY = """() => {
  const ready = [...document.querySelectorAll("button")].find((button) => button.innerText.trim() === "Generate"
    && !button.disabled && button.checkVisibility({visibilityProperty: true}) && button.getClientRects().length > 0);
  return ready ? performance.now() : false;
}"""


def visit(page, url: str) -> float:
    """Seconds from navigating `page` to `url` until its Generate is visible and enabled, by the
    page's own clock (from the navigation's start, checked at every frame)."""
    page.goto(url, wait_until="commit")
    ready_ms = page.wait_for_function(GENERATE_READY, polling="raf", timeout=60_000).json_value()
    return ready_ms / 1000


def config_weight(url: str) -> tuple[int, int, int]:
    """(bytes, components, events) of the config a new page session receives."""
    with urllib.request.urlopen(f"{url}config", timeout=30) as answer:
        body = answer.read()
    config = json.loads(body)
    return len(body), len(config.get("components", [])), len(config.get("dependencies", []))


@contextmanager
def serving_pages(before: Path | None = None) -> Iterator[dict[str, str]]:
    """The playground and the floor (and the playground at `before`, another checkout), each on its
    own port and talking to a local protocol server: {name: url}."""
    server_port, app_port, floor_port, before_port = free_port(), free_port(), free_port(), free_port()
    server_url = f"http://127.0.0.1:{server_port}"
    urls = {PLAYGROUND: f"http://127.0.0.1:{app_port}/", FLOOR: f"http://127.0.0.1:{floor_port}/"}
    env = {**base_env(), "HF_ENDPOINT": server_url, "HF_ROUTER_URL": server_url, "HF_TOKEN": "hf_bench_token",
           "GRADIO_SERVER_NAME": "127.0.0.1", "PLAYGROUND_MODELS": MODEL}  # fmt: skip
    logs = Path("/tmp") / f"bench_page_{os.getpid()}"
    logs.mkdir(exist_ok=True)
    server_args = [sys.executable, "-m", "tests.protocol_server", "--port", str(server_port)]
    with ExitStack() as stack:
        stack.enter_context(subprocess_serving(server_args, ROOT, base_env(), f"{server_url}/api/models/{MODEL}", logs / "server.log", 20))
        stack.enter_context(subprocess_serving([sys.executable, "app.py"], ROOT, {**env, "GRADIO_SERVER_PORT": str(app_port)},
                                               urls[PLAYGROUND], logs / "app.log", 180))
        stack.enter_context(subprocess_serving([sys.executable, "benchmarks/floor_app.py"], ROOT, {**env, "GRADIO_SERVER_PORT": str(floor_port)},
                                               urls[FLOOR], logs / "floor.log", 120))
        if before is not None:
            urls[BEFORE] = f"http://127.0.0.1:{before_port}/"
            stack.enter_context(subprocess_serving([sys.executable, "app.py"], before, {**env, "GRADIO_SERVER_PORT": str(before_port)},
                                                   urls[BEFORE], logs / "before.log", 180))
        yield urls


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def measure(loads: int, before: Path | None) -> tuple[dict[str, list[PageLoad]], dict[str, tuple[int, int, int]]]:
    with serving_pages(before) as urls, chromium() as browser:
        weights = {name: config_weight(url) for name, url in urls.items()}
        for url in urls.values():  # warm-up: the OS file cache, the servers' first-request imports
            page_load(browser, url)
        runs: dict[str, list[PageLoad]] = {name: [] for name in urls}
        for load in range(loads):
            for name in urls if load % 2 == 0 else reversed(list(urls)):
                runs[name].append(page_load(browser, urls[name]))
            print(" | ".join(f"{name}: {done[-1].ready_s:.2f} s" for name, done in runs.items()), flush=True)
    return runs, weights


def medians(runs: dict[str, list[PageLoad]]) -> dict[str, PageLoad]:
    return {name: PageLoad(*(statistics.median(values) for values in zip(*loads, strict=True))) for name, loads in runs.items()}


def report(runs: dict[str, list[PageLoad]], weights: dict[str, tuple[int, int, int]], command: str) -> str:
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    typical = medians(runs)
    floor = typical[FLOOR]
    ratio, config_kb = typical[PLAYGROUND].ready_s / floor.ready_s, weights[PLAYGROUND][0] / 1024
    verdict = {True: "PASS", False: "MISS"}
    rows = "\n".join(
        f"| {name} | {typical[name].ready_s:.2f} s ({typical[name].ready_s / floor.ready_s:.2f}x) | "
        f"{min(load.ready_s for load in runs[name]):.2f}–{max(load.ready_s for load in runs[name]):.2f} s | "
        f"{typical[name].busy_s:.2f} s ({typical[name].busy_s / floor.busy_s:.2f}x) | "
        f"{weights[name][0] / 1024:.0f} KB | {weights[name][1]} | {weights[name][2]} |" for name in runs)
    machine = f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, Python {platform.python_version()}, gradio {gradio.__version__}"
    return f"""# Page ready: the playground vs a bare Gradio streaming page

How it was run: `{command}` ({machine}), {now}. Ready = Chromium's navigation to a visible, enabled Generate, checked at
every frame by the page's own clock, each load in a fresh browser context (a first visit); medians of {len(runs[PLAYGROUND])} loads each, in alternating order,
after one warm-up load each. Main thread = the page's main-thread time until then (Chrome's TaskDuration), which
other work on this shared machine moves less than the wall time. Targets: ready within {READY_TARGET}x of the floor,
first config under {CONFIG_TARGET_KB} KB.

| page | ready (median) | spread | main thread (median) | first config | components | events |
|---|---|---|---|---|---|---|
{rows}

Ready ratio: **{ratio:.2f}x {verdict[ratio <= READY_TARGET]}** (target <= {READY_TARGET}x). First config: **{config_kb:.0f} KB
{verdict[config_kb < CONFIG_TARGET_KB]}** (target < {CONFIG_TARGET_KB} KB).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--before", type=Path, help="another checkout of the playground, measured in the same run")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    with time_limit(900):
        runs, weights = measure(args.loads, args.before)
    command = f"python benchmarks/bench_page.py --loads {args.loads}" + (f" --before {args.before}" if args.before else "")
    text = report(runs, weights, command)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
