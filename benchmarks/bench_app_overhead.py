"""What the running app adds to a streamed generation: time to first token and decode tokens/s
through the playground (gradio_client streaming `/generate`) against a direct `InferenceClient`
call to the same local server, in one run.

The local protocol server (tests/protocol_server.py) sends model `test/tiny-gpt`'s answer with a
fixed delay between tokens, so the model's own speed is known and the same on both sides. Both
sides ask for the same prompt, seed, temperature and number of tokens, so they receive the very
same text; the two paths alternate, so a slow spell of the machine falls on both.

    python benchmarks/bench_app_overhead.py [--token-delay 0.02] [--tokens 64] [--repetitions 7]

Writes benchmarks/results/app_overhead.md (overwritten each run). Targets: at most 50 ms added to
the median time to first token, and at least 0.95x the direct median tokens/s.

Processes: the protocol server and the app each run as their own subprocess, so the app's Python
(Gradio's event loop, the handler thread) and the server's event loop never compete for this
process's interpreter lock with the measuring client, and the direct path is not slowed by a
server living in the measuring process either.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make playground/ and tests/ importable
    sys.path.insert(0, str(ROOT))
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.pop("HF_TOKEN", None)  # a developer's own token must never reach the benchmark

import gradio  # noqa: E402
from gradio_client import Client  # noqa: E402
from huggingface_hub import InferenceClient  # noqa: E402
from huggingface_hub import constants as hf_constants  # noqa: E402

from playground.router import install_router  # noqa: E402
from tests.protocol_answers import generate as expected_answer  # noqa: E402

MODEL = "test/tiny-gpt"
TOKEN = "hf_bench_token"
PROMPT = "Benchmark the playground"
SEED = 7
TEMPERATURE = 0.7
MAX_ADDED_TTFT_MS = 50.0
MIN_RATIO = 0.95
RESULTS = ROOT / "benchmarks" / "results" / "app_overhead.md"
TIME_LIMIT = 150  # seconds for the whole run; a hung app or server must not hang the benchmark
RUN_TIMEOUT = 30.0  # seconds for one generation


@dataclass(frozen=True)
class Run:
    """One streamed generation. `first_tokens` is how many tokens the first observation held
    (1 on the direct side; more if the app's updates were coalesced)."""

    ttft: float  # seconds from the request to the first token seen
    first_at: float
    last_at: float
    first_tokens: int
    tokens: int
    updates: int  # separate observations of the text growing
    text: str

    @property
    def tokens_per_s(self) -> float:
        """Decode speed: tokens after the first observation over the time they took to arrive."""
        return (self.tokens - self.first_tokens) / (self.last_at - self.first_at)


# ---- the two measured paths ---------------------------------------------------------------------


def direct_run(tokens: int) -> Run:
    """The call the playground's backend makes, straight from this process (router rewrite installed)."""
    client = InferenceClient(model=MODEL, token=TOKEN)
    stamps: list[float] = []
    pieces: list[str] = []
    started = time.perf_counter()
    for piece in client.text_generation(PROMPT, max_new_tokens=tokens, seed=SEED, temperature=TEMPERATURE, stream=True):
        stamps.append(time.perf_counter())
        pieces.append(piece)
    if not stamps:
        raise RuntimeError("direct call streamed no tokens")
    return Run(stamps[0] - started, stamps[0], stamps[-1], 1, len(pieces), len(pieces), "".join(pieces))


def app_form(tokens: int) -> dict[str, object]:
    return {
        "model": MODEL, "provider": "auto", "mode": "Completion", "system_prompt": "", "prompt": PROMPT,
        "temperature": TEMPERATURE, "max_new_tokens": tokens, "seed": SEED, "random_seed": False, "top_p": 1.0,
        "top_k": 0, "repetition_penalty": 1.0, "stop": "", "session_token": "",
    }  # fmt: skip


def streamed_outputs(job, timeout: float) -> Iterator[tuple[float, object]]:
    """(arrival time, Output value) for each update the job streams, in order.

    The same list `for update in job` reads, polled here instead: Job.__next__ sleeps 1 ms while
    holding the lock the client's SSE reader thread needs to append an update (which can hold
    the reader back), and it has no timeout.
    """
    seen = 0
    deadline = time.perf_counter() + timeout
    while True:
        outputs = job.outputs()  # the live list; taking its length under no lock is safe enough here
        while seen < len(outputs):
            update = outputs[seen]
            seen += 1
            yield time.perf_counter(), (update[0] if isinstance(update, list | tuple) and update else None)
        if job.done() and seen >= len(job.outputs()):
            job.result()  # raises the app's error, if any
            return
        if time.perf_counter() > deadline:
            job.cancel()
            raise TimeoutError(f"the app did not finish a generation within {timeout:.0f} s")
        time.sleep(0.0005)


def app_run(client: Client, tokens: int) -> Run:
    """Through the running app: gradio_client submits `/generate` and follows its stream.

    Time to first token runs from submit() to the first update whose Output is non-empty. Updates
    may be coalesced (by Gradio or the client), so tokens are counted in the text, never by update.
    """
    started = time.perf_counter()
    job = client.submit(**app_form(tokens), api_name="/generate")
    first_at = last_at = None
    first_tokens, text, updates = 0, "", 0
    for at, output in streamed_outputs(job, RUN_TIMEOUT):
        if not isinstance(output, str) or not output or output == text:
            continue  # status-only update ("Sending…"), or the final update repeating the text
        if first_at is None:
            first_at, first_tokens = at, count_tokens(output)
        last_at, text, updates = at, output, updates + 1
    if first_at is None or last_at is None:
        raise RuntimeError("the app streamed no output")
    return Run(first_at - started, first_at, last_at, first_tokens, count_tokens(text), updates, text)


def count_tokens(text: str) -> int:
    """The protocol server's token is one word plus a space."""
    return len(text.split())


# ---- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{' '.join(map(str, process.args))} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@contextmanager
def subprocess_serving(args: list[str], cwd: Path, env: dict[str, str], probe_url: str, log: Path, timeout: float) -> Iterator[None]:
    """Starts a process, waits until `probe_url` answers 200, and always stops it (terminate, then kill)."""
    with log.open("wb") as out:
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_until_answering(probe_url, process, log, timeout)
        yield
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "GRADIO_", "PLAYGROUND_", "SPACE_"))}
    return {**env, "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}


# ---- measuring and reporting --------------------------------------------------------------------


def measure(token_delay: float, tokens: int, repetitions: int, app_dir: Path) -> list[tuple[Run, Run]]:
    server_url = f"http://127.0.0.1:{free_port()}"
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}/"
    logs = Path(tempfile.mkdtemp(prefix="bench_app_overhead_"))
    server_args = [sys.executable, "-m", "tests.protocol_server", "--port", server_url.rsplit(":", 1)[1], "--token-delay", str(token_delay)]
    app_env = {
        **base_env(), "HF_ENDPOINT": server_url, "HF_ROUTER_URL": server_url, "HF_TOKEN": TOKEN,
        "GRADIO_SERVER_PORT": str(app_port), "GRADIO_SERVER_NAME": "127.0.0.1", "PLAYGROUND_MODELS": MODEL,
    }  # fmt: skip
    with (
        subprocess_serving(server_args, ROOT, base_env(), f"{server_url}/api/models/{MODEL}", logs / "protocol_server.log", 20),
        subprocess_serving([sys.executable, "app.py"], app_dir, app_env, app_url, logs / "app.log", 60),
    ):
        hf_constants.ENDPOINT = server_url
        install_router(server_url)
        client = Client(app_url, verbose=False)
        try:
            # Warm-up: provider-mapping caches on both sides, HTTP connections, gradio_client's SSE stream.
            check(direct_run(tokens), tokens, "direct warm-up")
            check(app_run(client, tokens), tokens, "app warm-up")
            pairs = []
            for repetition in range(repetitions):
                # Alternate which path goes first, so a slow spell of the machine hits both.
                if repetition % 2 == 0:
                    direct = direct_run(tokens)
                    app = app_run(client, tokens)
                else:
                    app = app_run(client, tokens)
                    direct = direct_run(tokens)
                check(direct, tokens, "direct")
                check(app, tokens, "app")
                pairs.append((direct, app))
                print(
                    f"run {repetition + 1}: TTFT direct {direct.ttft * 1000:6.1f} ms, app {app.ttft * 1000:6.1f} ms | "
                    f"tok/s direct {direct.tokens_per_s:5.1f}, app {app.tokens_per_s:5.1f} "
                    f"({app.updates} output updates, first held {app.first_tokens} token(s))",
                    flush=True,
                )
            return pairs
        finally:
            client.close()


def check(run: Run, tokens: int, label: str) -> None:
    expected = expected_answer(PROMPT, seed=SEED, temperature=TEMPERATURE, max_tokens=tokens).text
    if run.text != expected or run.tokens != tokens:
        raise RuntimeError(f"{label}: got {run.tokens} tokens {run.text[:80]!r}..., expected {tokens} tokens {expected[:80]!r}...")


def median(values: Iterator[float] | list[float]) -> float:
    return statistics.median(list(values))


def spread(runs: list[Run], value: Callable[[Run], float], scale: float = 1.0) -> str:
    values = [value(r) * scale for r in runs]
    return f"{min(values):.1f}–{max(values):.1f}"


def report(pairs: list[tuple[Run, Run]], token_delay: float, tokens: int) -> str:
    directs = [d for d, _ in pairs]
    apps = [a for _, a in pairs]
    direct_ttft = median(r.ttft for r in directs) * 1000
    app_ttft = median(r.ttft for r in apps) * 1000
    added = app_ttft - direct_ttft
    direct_rate = median(r.tokens_per_s for r in directs)
    app_rate = median(r.tokens_per_s for r in apps)
    ratio = app_rate / direct_rate
    ttft_verdict = "PASS" if added <= MAX_ADDED_TTFT_MS else "MISS"
    rate_verdict = "PASS" if ratio >= MIN_RATIO else "MISS"
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, gradio {gradio.__version__}"
    ttft_ms, rate = attrgetter("ttft"), attrgetter("tokens_per_s")
    return f"""# App overhead: through the running playground vs a direct InferenceClient call

Run with `python benchmarks/bench_app_overhead.py --token-delay {token_delay} --tokens {tokens} --repetitions {len(pairs)}`
({machine}): the protocol server (`tests/protocol_server.py`, model `{MODEL}`) and `python app.py` each run
as a subprocess; direct = `InferenceClient.text_generation(..., stream=True)` from the benchmark process,
app = `gradio_client` streaming `/generate`. Medians of {len(pairs)} alternating repetitions after one warm-up each.
TTFT = request start to first token seen; tok/s = tokens after the first one seen over the time from the first to the
last token seen (counted in the text, not by updates: the app's updates may be coalesced).

| date | per-token delay | tokens | direct TTFT | app TTFT | added TTFT (target <= {MAX_ADDED_TTFT_MS:.0f} ms) | direct tok/s | app tok/s | ratio (target >= {MIN_RATIO}) |
|---|---|---|---|---|---|---|---|---|
| {now} | {token_delay * 1000:.0f} ms | {tokens} | {direct_ttft:.1f} ms | {app_ttft:.1f} ms | {added:.1f} ms **{ttft_verdict}** | {direct_rate:.2f} | {app_rate:.2f} | {ratio:.3f} **{rate_verdict}** |

Spread (min–max over the repetitions): TTFT direct {spread(directs, ttft_ms, 1000)} ms, app {spread(apps, ttft_ms, 1000)} ms;
tok/s direct {spread(directs, rate)}, app {spread(apps, rate)}; the server's own pace is {1 / token_delay:.1f} tok/s.
App output updates per run: {min(a.updates for a in apps)}–{max(a.updates for a in apps)} for {tokens} tokens.
"""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raises TimeoutError in the main thread after `seconds`, so the finally blocks stop the subprocesses."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"benchmark exceeded {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token-delay", type=float, default=0.02, help="seconds between the server's streamed tokens")
    parser.add_argument("--tokens", type=int, default=64, help="max_new_tokens; every run generates exactly this many")
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py is run (default: this one)")
    args = parser.parse_args()
    if args.token_delay <= 0 or args.tokens < 2 or args.repetitions < 1:
        parser.error("needs --token-delay > 0, --tokens >= 2 and --repetitions >= 1")
    with time_limit(TIME_LIMIT):
        pairs = measure(args.token_delay, args.tokens, args.repetitions, args.app_dir.resolve())
    text = report(pairs, args.token_delay, args.tokens)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
