"""Where the page's load time goes: the playground's own page against the same page with one part
taken out of its first config, and against the floor, in one run.

    python benchmarks/bench_page_parts.py [--loads 9] [--profile]

`bench_page.py` says how far the page is from the floor; this says what each part costs, before
anyone builds it on demand. Each variant is the page the app serves with its embedded config
(`window.gradio_config`) changed, handed to Chromium in place of the server's page (everything
else, the assets and the load events, still comes from the running app): a part taken out of the
config is what drawing it on demand would save at most. Every page, the unchanged one and the
floor included, is handed over the same way, so the hand-over costs each the same. `--profile`
adds the JavaScript functions that spend the most time while the unchanged page loads (V8's
sampling profiler, summed over 3 loads). Writes benchmarks/results/page_parts.md.
"""

from __future__ import annotations

import argparse
import collections
import copy
import datetime
import json
import re
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_app_overhead import time_limit  # noqa: E402
from benchmarks.bench_page import FLOOR, PLAYGROUND, PageLoad, chromium, medians, page_load, serving_pages, visit  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "page_parts.md"
CONFIG = re.compile(r"window\.gradio_config = (.*?);</script>", re.S)
LAYOUT_TYPES = {"tabs", "tabitem", "row", "column", "form", "accordion", "group"}
HEAVY_TYPES = {"code", "chatbot", "dataframe", "nativeplot"}  # CodeMirror, Markdown and KaTeX, the grid, Vega
Config = dict[str, Any]


# ---- the variants: each a change to a copy of the page's config -------------------------------------

def layout_nodes(config: Config, pick: Callable[[dict], bool]) -> list[dict]:
    """The layout nodes whose component `pick` chooses."""
    blocks = {c["id"]: c for c in config["components"]}
    found, todo = [], [config["layout"]]
    while todo:
        node = todo.pop()
        if pick(blocks.get(node["id"], {"type": None, "props": {}})):
            found.append(node)
        todo.extend(node.get("children", []))
    return found


def closed_accordions(config: Config) -> list[dict]:
    return layout_nodes(config, lambda block: block["type"] == "accordion" and block["props"].get("open") is False)


def subtree_ids(node: dict) -> set[int]:
    return {node["id"], *(i for child in node.get("children", []) for i in subtree_ids(child))}


def without_contents(config: Config, holders: list[dict]) -> Config:
    """The config as if `holders` (layout nodes) were drawn empty: their contents and every event
    that names one of them are gone, as a part drawn on demand brings its own events (the page
    finds an event by its `id`, so the others keep theirs)."""
    gone = {i for holder in holders for child in holder.get("children", []) for i in subtree_ids(child)}
    for holder in holders:
        holder["children"] = []
    config["components"] = [c for c in config["components"] if c["id"] not in gone]
    config["dependencies"] = [event for event in config["dependencies"]
                              if not ({t[0] for t in event["targets"]} | set(event["inputs"]) | set(event["outputs"])) & gone]
    for page in config.get("page", {}).values():
        page["layout"], page["components"] = config["layout"], [c["id"] for c in config["components"]]
    return config


def inert(config: Config, kinds: Callable[[dict], bool]) -> Config:
    """The components `kinds` picks turned into states: in the config, but never drawn."""
    for block in config["components"]:
        if kinds(block):
            block["type"], block["props"] = "state", {"value": None, "name": "state"}
    return config


def no_load_events(config: Config) -> Config:
    for event in config["dependencies"]:
        event["targets"] = [t for t in event["targets"] if t[1] != "load"] or [[None, "never"]]
    return config


def is_generate(block: dict) -> bool:
    return block["type"] == "button" and block["props"].get("value") == "Generate"


def out_of_layout(config: Config) -> list[dict]:
    """The components the page never builds: in the config (for the API: the `/compare` and `/sweep` twins), not in the layout."""
    placed = subtree_ids(config["layout"])
    return [block for block in config["components"] if block["id"] not in placed and block["type"] != "state"]


def trimmed_props(config: Config) -> Config:
    """The components out of the layout with their props cut to their name: what they weigh in bytes alone."""
    for block in out_of_layout(config):
        block["props"] = {"name": block["props"].get("name"), "visible": False}
    return config


def right_column(config: Config) -> list[dict]:
    """The column beside the tabs (On stage, presets, parameters, the histories)."""
    stage = {c["id"] for c in config["components"] if c["props"].get("elem_id") == "pg-on-stage"}
    return layout_nodes(config, lambda block: block["type"] == "column" and bool(stage & subtree_ids(_node(config, block["id"]))))[:1]


def _node(config: Config, block_id: int) -> dict:
    return next(iter(layout_nodes(config, lambda block: block.get("id") == block_id)), {"id": block_id})


def hidden_blocks(config: Config) -> list[dict]:
    """The layout nodes drawn hidden (visible=False), Chat mode's parts in Completion mode among them: as holders of
    their own contents, so `without_contents` takes what is inside them."""
    return layout_nodes(config, lambda block: block["props"].get("visible") is False and block["type"] in LAYOUT_TYPES)


VARIANTS: dict[str, Callable[[Config], Config]] = {
    "as served": lambda c: c,
    "without the closed accordions' contents": lambda c: without_contents(c, closed_accordions(c)),
    "without the hidden groups' contents (Chat mode's, ...)": lambda c: without_contents(c, hidden_blocks(c)),
    "without the right column's contents": lambda c: without_contents(c, right_column(c)),
    "the API twins' props cut (out of the layout)": trimmed_props,
    "Code, Chatbot, Dataframe, plots never drawn": lambda c: inert(c, lambda b: b["type"] in HEAVY_TYPES),
    "no load events": no_load_events,
    "layout and Generate only (the rest never drawn)": lambda c: inert(c, lambda b: b["type"] not in LAYOUT_TYPES and not is_generate(b)),
}


def page_with(html: str, config: Config) -> str:
    """`html` with its embedded config replaced, escaped as Gradio's template escapes it."""
    text = json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
    found = CONFIG.search(html)
    return html[: found.start(1)] + text + html[found.end(1):]


def variant_pages(html: str) -> dict[str, tuple[str, Config]]:
    served = json.loads(CONFIG.search(html).group(1))
    configs = {name: change(copy.deepcopy(served)) for name, change in VARIANTS.items()}
    return {name: (page_with(html, config), config) for name, config in configs.items()}


# ---- measuring ------------------------------------------------------------------------------------

def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read().decode()


def measure(loads: int, profile: bool) -> tuple[dict[str, list[PageLoad]], dict[str, Config], dict[str, Profile]]:
    with serving_pages() as urls, chromium() as browser:
        app = urls[PLAYGROUND]
        pages = {name: (app, page, config) for name, (page, config) in variant_pages(fetch(app)).items()}
        pages[FLOOR] = (urls[FLOOR], fetch(urls[FLOOR]), {})
        for url, html, _ in pages.values():  # warm-up
            page_load(browser, url, html)
        runs: dict[str, list[PageLoad]] = {name: [] for name in pages}
        for load in range(loads):
            for name in pages if load % 2 == 0 else reversed(list(pages)):
                url, html, _ = pages[name]
                runs[name].append(page_load(browser, url, html))
            print(f"load {load + 1}: " + " | ".join(f"{done[-1].ready_s:.2f}" for done in runs.values()), flush=True)
        hot = {name: js_profile(browser, urls[name]) for name in (PLAYGROUND, FLOOR)} if profile else {}
    return runs, {name: config for name, (_, _, config) in pages.items()}, hot


# Gradio's own functions that build and update the page's tree (js/core/src/init.svelte.ts): their
# total time, callees included, says what the tree's size costs. `reload` runs once as the page
# mounts (Blocks.svelte's reload effect), so the whole tree is built twice.
TREE_FUNCTIONS = ("reload", "create_node", "find_attached_events", "postprocess", "update_state")


class Profile(NamedTuple):
    self_ms: list[tuple[float, str]]  # (ms per load, function): the most self time
    tree_ms: list[tuple[float, str]]  # (ms per load, function): TREE_FUNCTIONS' total time


def js_profile(browser, url: str, loads: int = 3) -> Profile:
    """Where the main thread's time goes from navigation to an enabled Generate (V8's sampling profiler)."""
    self_ms: collections.Counter[str] = collections.Counter()
    tree_ms: collections.Counter[str] = collections.Counter()
    for _ in range(loads):
        context = browser.new_context()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 200})
        cdp.send("Profiler.start")
        visit(page, url)
        samples = cdp.send("Profiler.stop")["profile"]
        context.close()
        nodes = {node["id"]: node for node in samples["nodes"]}
        parents = {child: node["id"] for node in samples["nodes"] for child in node.get("children", [])}
        for node_id, micros in zip(samples["samples"], samples["timeDeltas"], strict=True):
            self_ms[frame_name(nodes[node_id]["callFrame"])] += micros / 1000 / loads
            for name in stack_functions(node_id, nodes, parents) & set(TREE_FUNCTIONS):
                tree_ms[name] += micros / 1000 / loads
    return Profile([(ms, name) for name, ms in self_ms.most_common(12)],
                   [(tree_ms[name], name) for name in TREE_FUNCTIONS])


def frame_name(frame: dict) -> str:
    where = frame["url"].rsplit("/", 1)[-1]
    return f"{frame['functionName'] or '(anonymous)'} ({where}:{frame['columnNumber']})" if where else frame["functionName"]


def stack_functions(node_id: int, nodes: dict[int, dict], parents: dict[int, int]) -> set[str]:
    """The function names on the sample's stack."""
    names = set()
    while node_id in nodes:
        names.add(nodes[node_id]["callFrame"]["functionName"])
        node_id = parents.get(node_id, -1)
    return names


# ---- reporting ------------------------------------------------------------------------------------

def report(runs: dict[str, list[PageLoad]], configs: dict[str, Config], hot: dict[str, Profile], command: str) -> str:
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    typical = medians(runs)
    served, floor = typical["as served"], typical[FLOOR]
    rows = []
    for name, loads in runs.items():
        blocks = f'{len(configs[name]["components"])}, {len(configs[name]["dependencies"])}' if configs[name] else "–"
        saved = "–" if name == FLOOR else f"{served.ready_s - typical[name].ready_s:+.2f} s, {served.busy_s - typical[name].busy_s:+.2f} s"
        spread = f"{min(load.ready_s for load in loads):.2f}–{max(load.ready_s for load in loads):.2f} s"
        rows.append(f"| {name} | {typical[name].ready_s:.2f} s ({typical[name].ready_s / floor.ready_s:.2f}x) | {spread} | "
                    f"{typical[name].busy_s:.2f} s ({typical[name].busy_s / floor.busy_s:.2f}x) | {saved} | {blocks} |")
    table = "\n".join(rows)
    profile_part = "\n"
    if hot:
        self_rows = "\n".join(f"| {ms:.0f} ms | `{name}` |" for ms, name in hot[PLAYGROUND].self_ms)
        tree_rows = "\n".join(f"| `{name}` | {ms:.0f} ms | {floor_ms:.0f} ms |"
                              for (ms, name), (floor_ms, _) in zip(hot[PLAYGROUND].tree_ms, hot[FLOOR].tree_ms, strict=True))
        profile_part = (f"\n\nJavaScript self time while the page as served loads (ms per load, 3 loads):\n\n"
                        f"| self time | function |\n|---|---|\n{self_rows}\n\nGradio's tree-building functions, callees included "
                        f"(ms per load; `reload` runs once as the page mounts, so the tree is built twice):\n\n"
                        f"| function | the page as served | the floor |\n|---|---|---|\n{tree_rows}\n")
    return f"""# Where the page's load time goes

How it was run: `{command}`, {now}. Ready = Chromium's navigation to a visible, enabled Generate in a fresh
context (checked at every frame, by the page's clock); main thread = the page's main-thread time until then (Chrome's TaskDuration), which other work on the
machine moves less. Medians of {len(runs[FLOOR])} loads each, in alternating order. Each variant is the playground's
page with its first config changed (see the script's docstring): "saved" (ready, main thread) is what taking that
part out of the first config would save at most. The floor is `benchmarks/floor_app.py`'s page, handed to the
browser the same way.

| page | ready (median) | spread | main thread (median) | saved | blocks, events in the config |
|---|---|---|---|---|---|
{table}
{profile_part}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=9)
    parser.add_argument("--profile", action="store_true", help="add the JavaScript functions with the most self time")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    with time_limit(1200):
        runs, configs, hot = measure(args.loads, args.profile)
    command = f"python benchmarks/bench_page_parts.py --loads {args.loads}" + (" --profile" if args.profile else "")
    text = report(runs, configs, hot, command)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
