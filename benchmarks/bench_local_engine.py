"""The built-in model through the playground against raw llama-cpp-python in its best configuration.

Raw llama-cpp-python runs in every configuration (threads 1..usable CPUs x OpenMP wait policy
default/PASSIVE), each alone in a fresh process, since OpenMP reads OMP_WAIT_POLICY once per
process. The playground runs in a fresh process too, as an app does: its local server calibrates at
first load and picks its own configuration; it is then called through `InferenceClient`, streaming.
All of it twice: on a quiet machine, and with one CPU-bound neighbour process running. The ratio is
the playground's median against the best raw configuration's median in the same condition.

Every run generates the same prompt with the same settings (seed, temperature 0.8, no top-k/top-p/
min-p filtering) for MAX_NEW_TOKENS tokens, or until MAX_RUN_S (a crawling configuration on a busy
host makes under 1 token/s). Times run from the call to the last token, prompt evaluation included.

    python -m benchmarks.bench_local_engine [--repetitions 3] [--rounds 2]

Writes benchmarks/results/local_engine.md; the target is at least 0.9x the best raw configuration.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playground.local.calibration import DEFAULT_WAIT, WAIT_POLICY_ENV, Config, candidates
from playground.local.setup import THREADS_ENV, usable_cpus

PROMPT = "1, 2, 3, 4, 5,"  # SmolLM2 keeps counting, so every run reaches MAX_NEW_TOKENS
MAX_NEW_TOKENS = 128
MAX_RUN_S = 20.0
SEED = 1234
TEMPERATURE = 0.8
TARGET = 0.9
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "local_engine.md"
APP = "playground"


@dataclass
class Side:
    """One configuration's (or the playground's) tokens/s over every run, and what it said."""

    name: str
    speeds: list[float]
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.speeds) if self.speeds else 0.0


# --- child processes: each measures one side, alone, and prints JSON ---


def raw_child(threads: int, repetitions: int) -> dict:
    from llama_cpp import Llama

    from playground.local.engine import CONTEXT_TOKENS
    from playground.local.setup import find_model_path

    llm = Llama(model_path=str(find_model_path()), n_ctx=CONTEXT_TOKENS, seed=0, verbose=False, n_threads=threads, n_threads_batch=threads)
    raw_run(llm)  # warm-up: first-touch page faults, OpenMP's pool
    return {"speeds": [raw_run(llm) for _ in range(repetitions)]}


def raw_run(llm) -> float:  # noqa: ANN001 - llama_cpp.Llama, imported in the child only
    started = time.perf_counter()
    chunks = llm.create_completion(
        PROMPT, max_tokens=MAX_NEW_TOKENS, temperature=TEMPERATURE, seed=SEED, top_k=0, top_p=1.0, min_p=0.0, stream=True
    )
    count = 0
    for count, _chunk in enumerate(chunks, start=1):  # noqa: B007 - one chunk per token
        if time.perf_counter() - started > MAX_RUN_S:
            break
    return count / (time.perf_counter() - started)


def app_child(repetitions: int) -> dict:
    import httpx
    from huggingface_hub import InferenceClient

    from playground.local.service import LocalModelService

    service = LocalModelService()
    url = service.start()
    if not service.wait_until_ready(timeout=300):
        raise SystemExit("the local model did not load")
    client = InferenceClient(model=url, token=None)
    try:
        app_run(client)  # warm-up, as on the raw side
        speeds = [app_run(client) for _ in range(repetitions)]
        return {"speeds": speeds, "note": httpx.get(f"{url}/info").json()["configuration"]}
    finally:
        client.close()
        service.stop()


def app_run(client) -> float:  # noqa: ANN001 - huggingface_hub.InferenceClient
    """One timed run. A 429 means the model is re-measuring itself after slow runs (the app's retry
    loop waits it out the same way): wait and start the run, and its clock, again."""
    from huggingface_hub.errors import OverloadedError

    for _ in range(30):
        try:
            return timed_app_run(client)
        except OverloadedError:
            time.sleep(1.0)
    raise SystemExit("the local model stayed busy for 30 s")


def timed_app_run(client) -> float:  # noqa: ANN001 - huggingface_hub.InferenceClient
    started = time.perf_counter()
    events = client.text_generation(PROMPT, max_new_tokens=MAX_NEW_TOKENS, temperature=TEMPERATURE, seed=SEED, stream=True, details=True)
    count = 0
    for count, _event in enumerate(events, start=1):  # noqa: B007 - one event per token
        if time.perf_counter() - started > MAX_RUN_S:
            break
    return count / (time.perf_counter() - started)


# --- the parent: runs every side in its own process, quiet and with a neighbour ---


def in_child(side: str, repetitions: int) -> dict:
    """Runs one side in a fresh process; the raw side's wait policy comes from its environment."""
    base = {k: v for k, v in os.environ.items() if k not in (WAIT_POLICY_ENV, THREADS_ENV)}
    env = base if side == APP else config_of(side).environ(base)
    command = [sys.executable, "-m", "benchmarks.bench_local_engine", "--child", side, "--repetitions", str(repetitions)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def side_name(config: Config) -> str:
    return f"{config.threads}/{config.wait_policy}"


def config_of(name: str) -> Config:
    threads, policy = name.split("/")
    return Config(int(threads), policy)


@contextmanager
def neighbour(on: bool) -> Iterator[None]:
    """One CPU-bound process beside the measured one, as another app on the host would be."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if on else None
    try:
        yield
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()


def measure(repetitions: int, rounds: int, with_neighbour: bool) -> dict[str, Side]:
    """`rounds` passes over every side; the playground goes first in one pass, last in the next, so a
    slow spell of the machine falls on both."""
    names = [side_name(config) for config in candidates(usable_cpus(), None, None)]
    sides = {name: Side(name, []) for name in [*names, APP]}
    with neighbour(with_neighbour):
        for index in range(rounds):
            order = [APP, *names] if index % 2 == 0 else [*names, APP]
            for name in order:
                answer = in_child(name, repetitions)
                sides[name].speeds += answer["speeds"]
                sides[name].note = answer.get("note", "")
                print(f"{'neighbour' if with_neighbour else 'quiet'} round {index + 1}: {name:>10} {statistics.median(answer['speeds']):6.1f} tok/s")
    return sides


def machine_note() -> str:
    import llama_cpp

    features = llama_cpp.llama_print_system_info().decode().split("|")
    enabled = [f.split("=")[0].strip() for f in features if f.strip().endswith("= 1") and "AVX" in f]
    return f"{platform.machine()}, {usable_cpus()} usable CPUs, llama-cpp-python {llama_cpp.__version__} ({', '.join(enabled)}), Python {platform.python_version()}"


def condition_table(title: str, sides: dict[str, Side]) -> tuple[str, float]:
    raw = {name: side for name, side in sides.items() if name != APP}
    best = max(raw.values(), key=lambda side: side.median)
    ratio = sides[APP].median / best.median if best.median else 0.0
    rows = "\n".join(
        f"| raw, {config_of(name).label()}{' (best)' if side is best else ''} | {side.median:.1f} | {', '.join(f'{s:.1f}' for s in side.speeds)} |"
        for name, side in raw.items()
    )
    app = sides[APP]
    verdict = "met" if ratio >= TARGET else "NOT met"
    return f"""## {title}

| side | tok/s (median) | every run |
|---|---|---|
{rows}
| **the playground** ({app.note}) | {app.median:.1f} | {', '.join(f'{s:.1f}' for s in app.speeds)} |

The playground against the best raw configuration: **{ratio:.3f}x** (target >= {TARGET}: {verdict}).
""", ratio


def report(quiet: dict[str, Side], busy: dict[str, Side], repetitions: int, rounds: int) -> str:
    quiet_table, quiet_ratio = condition_table("Quiet", quiet)
    busy_table, busy_ratio = condition_table("With one CPU-bound neighbour process", busy)
    return f"""# Local engine: the playground against raw llama-cpp-python's best configuration

`python -m benchmarks.bench_local_engine --repetitions {repetitions} --rounds {rounds}` on {datetime.date.today().isoformat()},
{machine_note()}: prompt `{PROMPT}`, {MAX_NEW_TOKENS} new tokens (or {MAX_RUN_S:.0f} s), seed {SEED}, temperature {TEMPERATURE},
no top-k/top-p/min-p. Raw: `create_completion` streaming, each configuration alone in a fresh process; the playground: a
fresh process whose local server calibrates at first load, called through `InferenceClient` streaming `text_generation`.
Times include prompt evaluation. "{DEFAULT_WAIT}" is OMP_WAIT_POLICY unset.

| condition | playground / best raw |
|---|---|
| quiet | {quiet_ratio:.3f}x |
| one CPU-bound neighbour | {busy_ratio:.3f}x |

{quiet_table}
{busy_table}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3, help="runs per process (after one warm-up)")
    parser.add_argument("--rounds", type=int, default=2, help="processes per side and condition")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        answer = app_child(args.repetitions) if args.child == APP else raw_child(config_of(args.child).threads, args.repetitions)
        print(json.dumps(answer))
        return
    quiet = measure(args.repetitions, args.rounds, with_neighbour=False)
    busy = measure(args.repetitions, args.rounds, with_neighbour=True)
    text = report(quiet, busy, args.repetitions, args.rounds)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
