"""Many visitors at once: p95 latency over one visitor alone, for the playground and for a bare
Gradio app streaming the same model (benchmarks/floor_app.py), in one run.

    python benchmarks/bench_load.py [--visitors 10 25 50] [--token-delay 0.12] [--tokens 16]

Writes benchmarks/results/load.md (overwritten each run). Target: the playground's ratio at or
below the floor's at every count, and every answer complete.

Each visitor is its own page: its own session, its own HTTP connection, Gradio's queue protocol
as the browser speaks it (POST queue/join, then the queue/data event stream, applying the diffs),
running the event of the page's own Generate button (Completion mode).
Latency runs from the join to the last message of the run. "Alone" is the median of a few
single-visitor runs of the same app in the same run. The two apps take turns at each count, so a
slow spell of this (shared) machine falls on both. Both apps let 32 events run at once (the
playground's default `PLAYGROUND_CONCURRENCY`), and the model is the protocol server's
`test/tiny-gpt` with a fixed delay per token.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
import uuid
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import gradio  # noqa: E402
import httpx  # noqa: E402
from gradio_client import Client  # noqa: E402
from gradio_client.utils import apply_diff  # noqa: E402

from benchmarks.bench_app_overhead import (  # noqa: E402
    MODEL,
    PAGE_GENERATE,
    TOKEN,
    app_form,
    base_env,
    clicked_by,
    free_port,
    subprocess_serving,
    time_limit,
)
from tests.protocol_answers import generate as expected_answer  # noqa: E402

PROMPT = "Benchmark the playground"
SEED, TEMPERATURE = 7, 0.7
RESULTS = ROOT / "benchmarks" / "results" / "load.md"
ALONE_RUNS = 3
PLAYGROUND, FLOOR = "playground", "bare Gradio floor"
OPEN_PAGES, NEW_SESSIONS = "open pages", "new sessions"
MODES = (OPEN_PAGES, NEW_SESSIONS)


@dataclass(frozen=True)
class Endpoint:
    """What a page needs to run `/generate`: where, which function, and the inputs in order."""

    base: str
    fn_index: int
    data: list

    @classmethod
    def read(cls, url: str, data_by_name: dict[str, object]) -> Endpoint:
        """The page's own Generate event where the app has one (the playground's `pg-generate` button,
        whose inputs are `/generate`'s), else `/generate` (the floor, whose button is its API)."""
        with closing(Client(url, verbose=False)) as client:
            config = client.config or {}
            dependency = next(d for d in config["dependencies"] if d.get("api_name") == "generate")
            if any(c.get("props", {}).get("elem_id") == PAGE_GENERATE for c in config["components"]):
                dependency = clicked_by(config, PAGE_GENERATE)
            names = [p["parameter_name"] for p in client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/generate"]["parameters"]]
        return cls(url.rstrip("/") + config.get("api_prefix", "/gradio_api"), dependency["id"], [data_by_name[n] for n in names])


async def visit(endpoint: Endpoint, output_index: int, session: str | None = None) -> tuple[float, str]:
    """One visitor: (seconds from join to the end of the run, the final text of Output)."""
    session = session or uuid.uuid4().hex
    async with httpx.AsyncClient(timeout=120) as http:
        started = time.perf_counter()
        join = {"data": endpoint.data, "fn_index": endpoint.fn_index, "session_hash": session, "event_data": None, "trigger_id": None}
        (await http.post(f"{endpoint.base}/queue/join", json=join)).raise_for_status()
        outputs: list | None = None
        async with http.stream("GET", f"{endpoint.base}/queue/data", params={"session_hash": session}) as stream:
            async for line in stream.aiter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                kind = message.get("msg")
                if kind == "process_generating":
                    data = message["output"]["data"]
                    outputs = list(data) if outputs is None else [apply_diff(old, diff) for old, diff in zip(outputs, data, strict=True)]
                elif kind == "process_completed":
                    if not message.get("success", False):
                        raise RuntimeError(f"a visitor's run failed: {message.get('output')}")
                    final = message["output"]["data"] if outputs is None else outputs
                    return time.perf_counter() - started, final[output_index] if isinstance(final[output_index], str) else ""
                elif kind in ("close_stream", "unexpected_error"):
                    raise RuntimeError(f"a visitor's event stream ended early: {message}")
    raise RuntimeError("a visitor's event stream ended without completing")


async def crowd(endpoint: Endpoint, visitors: int, open_pages: bool) -> list[tuple[float, str]]:
    """`visitors` runs at once. With `open_pages`, each visitor's session exists before the timed run (its
    page has been used once, untimed), as for a visitor whose page has loaded; without, the timed run is
    the session's first event, which also pays for Gradio building the session's copy of the page."""
    sessions = [uuid.uuid4().hex for _ in range(visitors)]
    if open_pages:
        await asyncio.gather(*(visit(endpoint, 0, session) for session in sessions))
    return await asyncio.gather(*(visit(endpoint, 0, session) for session in sessions))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(counts: list[int], token_delay: float, tokens: int, app_dir: Path, rounds: int = 3) -> tuple[dict, dict]:
    """({(mode, app, visitors): (p95 seconds, complete answers)}, visitors 1 holding the median alone time;
    {(mode, app, visitors): the app process's CPU seconds per visitor}). Each crowd runs `rounds`
    times, the apps taking turns; p95 and CPU are the medians over the rounds, answers are summed."""
    expected = expected_answer(PROMPT, seed=SEED, temperature=TEMPERATURE, max_tokens=tokens).text
    server_port, app_port, floor_port = free_port(), free_port(), free_port()
    server_url = f"http://127.0.0.1:{server_port}"
    env = {
        **base_env(), "HF_ENDPOINT": server_url, "HF_ROUTER_URL": server_url, "HF_TOKEN": TOKEN,
        "GRADIO_SERVER_NAME": "127.0.0.1", "PLAYGROUND_MODELS": MODEL, "PLAYGROUND_CONCURRENCY": "32",
    }  # fmt: skip
    logs = Path("/tmp") / f"bench_load_{uuid.uuid4().hex[:8]}"
    logs.mkdir()
    server_args = [sys.executable, "-m", "tests.protocol_server", "--port", str(server_port), "--token-delay", str(token_delay)]
    with ExitStack() as stack:
        stack.enter_context(subprocess_serving(server_args, ROOT, base_env(), f"{server_url}/api/models/{MODEL}", logs / "server.log", 20))
        urls = {PLAYGROUND: f"http://127.0.0.1:{app_port}/", FLOOR: f"http://127.0.0.1:{floor_port}/"}
        processes = {}
        processes[PLAYGROUND] = stack.enter_context(
            subprocess_serving([sys.executable, "app.py"], app_dir, {**env, "GRADIO_SERVER_PORT": str(app_port)}, urls[PLAYGROUND], logs / "app.log", 180)
        )
        processes[FLOOR] = stack.enter_context(
            subprocess_serving(
                [sys.executable, "benchmarks/floor_app.py"], ROOT, {**env, "GRADIO_SERVER_PORT": str(floor_port)}, urls[FLOOR], logs / "floor.log", 180
            )
        )
        form = {**app_form(tokens), "prompt": PROMPT, "seed": SEED, "temperature": TEMPERATURE}
        endpoints = {name: Endpoint.read(url, form) for name, url in urls.items()}
        for endpoint in endpoints.values():  # warm-up: provider-mapping caches, first-call imports
            asyncio.run(crowd(endpoint, 2, open_pages=False))
        results: dict = {}
        cpu: dict = {}
        for mode in MODES:
            open_pages = mode == OPEN_PAGES
            alone: dict[str, list[tuple[float, str]]] = {name: [] for name in endpoints}
            for repetition in range(ALONE_RUNS):
                for name in endpoints if repetition % 2 == 0 else reversed(list(endpoints)):
                    time.sleep(0.3)
                    alone[name] += asyncio.run(crowd(endpoints[name], 1, open_pages))
            for name, runs in alone.items():
                results[mode, name, 1] = (statistics.median(t for t, _ in runs), sum(text == expected for _, text in runs))
            for count in counts:
                rounds_of: dict[str, list[tuple[float, int, float]]] = {name: [] for name in endpoints}
                for round_ in range(rounds):
                    for name in endpoints if (count + round_) % 2 else reversed(list(endpoints)):
                        time.sleep(0.5)
                        cpu_before = cpu_seconds(processes[name].pid)
                        runs = asyncio.run(crowd(endpoints[name], count, open_pages))
                        # With open pages the untimed first runs are in the CPU time too: halve it.
                        spent = (cpu_seconds(processes[name].pid) - cpu_before) / count / (2 if open_pages else 1)
                        rounds_of[name].append((p95([t for t, _ in runs]), sum(text == expected for _, text in runs), spent))
                        print(f"{mode}, {name}: {count} visitors, round {round_ + 1}, p95 {rounds_of[name][-1][0]:.2f} s, "
                              f"{rounds_of[name][-1][1]}/{count} complete, {spent * 1000:.0f} ms CPU per visitor", flush=True)
                for name, measured in rounds_of.items():
                    results[mode, name, count] = (statistics.median(r[0] for r in measured), min(r[1] for r in measured))
                    cpu[mode, name, count] = statistics.median(r[2] for r in measured)
    return results, cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(results: dict, cpu: dict, counts: list[int], token_delay: float, tokens: int, command: str, label: str, rounds: int) -> str:
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    rows = []
    for mode in MODES:
        for count in counts:
            alone = {name: results[mode, name, 1][0] for name in (PLAYGROUND, FLOOR)}
            high = {name: results[mode, name, count][0] for name in (PLAYGROUND, FLOOR)}
            ratio = {name: high[name] / alone[name] for name in (PLAYGROUND, FLOOR)}
            done = {name: results[mode, name, count][1] for name in (PLAYGROUND, FLOOR)}
            verdict = "PASS" if ratio[PLAYGROUND] <= ratio[FLOOR] else "MISS"
            complete = "" if all(d == count for d in done.values()) else " **INCOMPLETE**"
            rows.append(
                f"| {now} | {label} | {mode} | {count} | {alone[PLAYGROUND]:.2f} s | {high[PLAYGROUND]:.2f} s | **{ratio[PLAYGROUND]:.2f}x** "
                f"| {alone[FLOOR]:.2f} s | {high[FLOOR]:.2f} s | **{ratio[FLOOR]:.2f}x** | {verdict} "
                f"| {cpu[mode, PLAYGROUND, count] * 1000:.0f} ms, {cpu[mode, FLOOR, count] * 1000:.0f} ms "
                f"| {done[PLAYGROUND]}/{count}, {done[FLOOR]}/{count}{complete} |"
            )
    machine = f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, Python {platform.python_version()}, gradio {gradio.__version__}"
    return f"""# Load: many visitors at once, the playground vs a bare Gradio app

How it was run: `{command}` ({machine}). Model: the protocol server's `{MODEL}`, {tokens} tokens, {token_delay * 1000:g} ms
each. Each visitor is its own session and connection speaking Gradio's queue protocol, all started at once; latency is
join to end of run. Alone = median of {ALONE_RUNS} single-visitor runs per app and mode, in the same run. Each crowd
runs {rounds} times, the two apps taking turns; p95 and CPU per visitor are the medians over those rounds, and "complete"
is the fewest complete answers in any round.
Floor = `benchmarks/floor_app.py`, Gradio's standard streaming pattern (yield the text so far per token). Both apps
run 32 events at once. Modes: *open pages* = each visitor's session already exists (its page was used once, untimed),
as for a visitor whose page has loaded; *new sessions* = the timed Generate is the session's first event, so it also
pays for Gradio copying the page's configuration into the new session (a cost that grows with the number of components).
App CPU per visitor = the app process's user+system CPU time over the crowd, per visitor (independent of how busy the
rest of the machine is). Target: playground p95/alone <= floor p95/alone, every answer complete.

| date | app | mode | visitors | playground alone | playground p95 | playground p95/alone | floor alone | floor p95 | floor p95/alone | at or below floor | app CPU per visitor (playground, floor) | complete (playground, floor) |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--token-delay", type=float, default=0.12)
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="crowds per app and count; the table shows medians")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py runs (default: this one)")
    args = parser.parse_args()
    with time_limit(900):
        results, cpu = measure(args.visitors, args.token_delay, args.tokens, args.app_dir.resolve(), args.rounds)
    command = (f"python benchmarks/bench_load.py --visitors {' '.join(map(str, args.visitors))} --token-delay {args.token_delay} "
               f"--tokens {args.tokens} --rounds {args.rounds}")
    text = report(results, cpu, args.visitors, args.token_delay, args.tokens, command, args.label, args.rounds)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
