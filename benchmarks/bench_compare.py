"""Compare's panes stream side by side: wall time of two and four panes on a slow model, against
one run alone, through the running app.

    python benchmarks/bench_compare.py [--token-delay 0.05] [--tokens 40] [--repetitions 5]

Writes benchmarks/results/compare.md (overwritten each run). Target: at most 1.3x the wall time of
one run alone, for both two and four panes (panes run at once, so the slowest pane sets the time).

The local protocol server (tests/protocol_server.py) sends model `test/tiny-gpt`'s answer with a
fixed delay between tokens: a slow model whose pace is known. Each measurement is the wall time of
one event through gradio_client, from submit to its last update: `/generate` (the Playground's
Generate) for one run alone, `/compare` ("Generate all") with 2 and 4 panes of that model. Every
pane must receive the full expected answer. The three cases run in rotating order, so a slow spell
of the shared machine falls on each. The protocol server and the app run as subprocesses.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make playground/, tests/ and benchmarks/ importable
    sys.path.insert(0, str(ROOT))

from gradio_client import Client  # noqa: E402

from benchmarks.bench_app_overhead import base_env, free_port, subprocess_serving, time_limit  # noqa: E402
from playground.input.form_values import parameter_form_values  # noqa: E402
from playground.input.params import GenerationParams  # noqa: E402
from tests.gradio_updates import last_values  # noqa: E402
from tests.protocol_answers import generate as expected_answer  # noqa: E402

MODEL = "test/tiny-gpt"
TOKEN = "hf_bench_token"
PROMPT = "Compare the panes"
SEED = 11
TEMPERATURE = 0.7
TARGET = 1.3
RESULTS = ROOT / "benchmarks" / "results" / "compare.md"
TIME_LIMIT = 600
ALONE, TWO, FOUR = "one run alone (/generate)", "2 panes (/compare)", "4 panes (/compare)"
CASES = (ALONE, TWO, FOUR)


def parameters(tokens: int) -> dict[str, object]:
    """Every parameter field at its default, but for these run settings (the seed fixed)."""
    params = GenerationParams(temperature=TEMPERATURE, max_new_tokens=tokens, seed=SEED)
    return {**parameter_form_values(params, random_seed=False), "session_token": ""}


def generate_inputs(tokens: int) -> dict[str, object]:
    return {"model": MODEL, "provider": "auto", "mode": "Completion", "system_prompt": "", "response_format": "Text", "json_schema": "", "prompt": PROMPT, **parameters(tokens)}


def compare_inputs(panes: int, tokens: int) -> dict[str, object]:
    fields = {f"{name}_{key}": value for key in "abcd" for name, value in (("model", MODEL), ("provider", "auto"), ("mode", "Completion"))}
    return {"panes": panes, **fields, "system_prompt": "", "prompt": PROMPT, **parameters(tokens)}  # /compare has no response format


def timed(client: Client, api_name: str, inputs: dict[str, object], answers: int, tokens: int) -> float:
    """Wall seconds of one event; checks that `answers` outputs ended with the full expected answer."""
    started = time.perf_counter()
    job = client.submit(**inputs, api_name=api_name)
    job.result(timeout=120)
    elapsed = time.perf_counter() - started
    expected = expected_answer(PROMPT, seed=SEED, temperature=TEMPERATURE, max_tokens=tokens).text
    got = sum(1 for value in last_values(job.outputs()) if value == expected)
    if got != answers:
        raise RuntimeError(f"{api_name}: {got} of {answers} outputs hold the expected answer")
    return elapsed


def measure(token_delay: float, tokens: int, repetitions: int) -> dict[str, list[float]]:
    logs = Path(tempfile.mkdtemp(prefix="bench_compare_"))
    server_port, app_port = free_port(), free_port()
    server_url, app_url = f"http://127.0.0.1:{server_port}", f"http://127.0.0.1:{app_port}/"
    server_args = [sys.executable, "-m", "tests.protocol_server", "--port", str(server_port), "--token-delay", str(token_delay)]
    app_env = {**base_env(), "HF_ENDPOINT": server_url, "HF_ROUTER_URL": server_url, "HF_TOKEN": TOKEN,
               "GRADIO_SERVER_PORT": str(app_port), "GRADIO_SERVER_NAME": "127.0.0.1", "PLAYGROUND_MODELS": MODEL}
    with (
        subprocess_serving(server_args, ROOT, base_env(), f"{server_url}/api/models/{MODEL}", logs / "protocol_server.log", 20),
        subprocess_serving([sys.executable, "app.py"], ROOT, app_env, app_url, logs / "app.log", 90),
        closing(Client(app_url, verbose=False)) as client,
    ):
        cases = {ALONE: lambda: timed(client, "/generate", generate_inputs(tokens), 1, tokens),
                 TWO: lambda: timed(client, "/compare", compare_inputs(2, tokens), 2, tokens),
                 FOUR: lambda: timed(client, "/compare", compare_inputs(4, tokens), 4, tokens)}
        for run in cases.values():  # warm-up: provider-mapping caches, connections, first-call imports
            run()
        times: dict[str, list[float]] = {name: [] for name in CASES}
        for repetition in range(repetitions):
            for name in CASES[repetition % 3:] + CASES[: repetition % 3]:
                times[name].append(cases[name]())
            print(f"run {repetition + 1}: " + " | ".join(f"{n}: {times[n][-1]:.2f} s" for n in CASES), flush=True)
    return times


def report(times: dict[str, list[float]], token_delay: float, tokens: int, command: str) -> str:
    median = {name: statistics.median(values) for name, values in times.items()}
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    rows = []
    for name in CASES:
        ratio = median[name] / median[ALONE]
        verdict = "–" if name == ALONE else f"{ratio:.2f}x **{'PASS' if ratio <= TARGET else 'MISS'}**"
        spread = f"{min(times[name]):.2f}–{max(times[name]):.2f} s"
        rows.append(f"| {now} | {token_delay * 1000:.0f} ms | {tokens} | {name} | {median[name]:.2f} s | {spread} | {verdict} |")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    return f"""# Compare: panes side by side vs one run alone

How it was run: `{command}` ({machine}). The protocol server (`tests/protocol_server.py`, model `{MODEL}`,
{token_delay * 1000:.0f} ms between tokens) and `python app.py` each run as a subprocess; each case is one event
through gradio_client, timed from submit to its last update, and every pane must hold the full expected answer.
Medians of {len(times[ALONE])} repetitions in rotating order, after one warm-up each. Target: at most {TARGET}x one run alone.

| date | per-token delay | tokens | case | wall time (median) | spread | ratio to one run alone (<= {TARGET}x) |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token-delay", type=float, default=0.05, help="seconds between the server's streamed tokens")
    parser.add_argument("--tokens", type=int, default=40, help="max_new_tokens; every run generates exactly this many")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.token_delay <= 0 or args.tokens < 2 or args.repetitions < 1:
        parser.error("needs --token-delay > 0, --tokens >= 2 and --repetitions >= 1")
    with time_limit(TIME_LIMIT):
        times = measure(args.token_delay, args.tokens, args.repetitions)
    command = f"python benchmarks/bench_compare.py --token-delay {args.token_delay} --tokens {args.tokens} --repetitions {args.repetitions}"
    text = report(times, args.token_delay, args.tokens, command)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
