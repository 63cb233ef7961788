"""What the running app adds to a streamed generation: time to first token and decode tokens/s
through the playground against a direct `InferenceClient` call to the same local server, in one run.

    python benchmarks/bench_app_overhead.py [--token-delay 0.001] [--tokens 512] [--repetitions 7]

Writes benchmarks/results/app_overhead.md (overwritten each run). Targets: the whole answer at
least 0.95x as fast as direct (median direct time to the last token / median app time to the last
token), and at most 50 ms added to the median time to first token. The defaults are a fast
provider (1 ms per token, 512 tokens); `--token-delay 0.02 --tokens 64` is a typical one.
`--probabilities` ticks "Token probabilities" on every path (the direct call asks for
`top_n_tokens=5` too), so the table shows what drawing the tinted answer costs per token.

The local protocol server (tests/protocol_server.py) sends model `test/tiny-gpt`'s answer with a
fixed delay between tokens, so the model's pace is known and the same for every path. All paths
ask for the same prompt, seed, temperature and number of tokens and must receive the very same
text. Three paths, in rotating order so a slow spell of the machine falls on each:

- direct: `InferenceClient.text_generation(..., stream=True)` from this process;
- app, gradio_client: `Client.submit(..., api_name="/generate")`, following the job's updates;
- app, page protocol: the same event through Gradio's own queue protocol (POST queue/join, then
  the queue/data event stream) on one keep-alive connection, as the page in a browser does.
  It runs the event of the page's own Generate button (Completion mode), the very path a click
  takes, with `/generate`'s inputs.
  gradio_client adds costs of its own, not the app's: a new connection for each join and each
  event stream, and a reader that looks for new messages only every 50 ms. The page-protocol
  path shows what the app itself adds.

The protocol server and the app each run as their own subprocess, so neither competes with the
measuring client for this process's interpreter lock (and the direct path does not share its
process with a server either).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make playground/ and tests/ importable
    sys.path.insert(0, str(ROOT))
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.pop("HF_TOKEN", None)  # a developer's own token must never reach the benchmark

import gradio  # noqa: E402
import httpx  # noqa: E402
from gradio_client import Client  # noqa: E402
from gradio_client.utils import apply_diff  # noqa: E402
from huggingface_hub import InferenceClient  # noqa: E402
from huggingface_hub import constants as hf_constants  # noqa: E402

from playground.hf.router import install_router  # noqa: E402
from playground.input.form_values import parameter_form_values  # noqa: E402
from playground.input.params import GenerationParams  # noqa: E402
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
# Pause before each run. tests/protocol_server.py's sockets lack TCP_NODELAY (uvicorn given a
# socket made without IPPROTO_TCP), so a connection reused within ~0.1 s of a finished stream
# waits ~40 ms (Nagle against a delayed ACK) for its first token. Both the direct path and the
# app's own call to the server would pay that at random; a short idle avoids it.
SETTLE = 0.25

DIRECT, CLIENT, PAGE = "direct InferenceClient", "app via gradio_client", "app via page protocol"
PATHS = (DIRECT, CLIENT, PAGE)


@dataclass(frozen=True)
class Run:
    """One streamed generation. `first_tokens` is how many tokens the first observation held
    (1 on the direct side; more if the app's updates were coalesced)."""

    ttft: float  # seconds from the request to the first token seen
    total: float  # seconds from the request to the whole answer seen
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


# ---- the measured paths -------------------------------------------------------------------------


def direct_run(tokens: int, probabilities: bool = False) -> Run:
    """The call the playground's backend makes, straight from this process (router rewrite installed)."""
    client = InferenceClient(model=MODEL, token=TOKEN)
    stamps: list[float] = []
    pieces: list[str] = []
    started = time.perf_counter()
    asked = {"details": True, "top_n_tokens": 5} if probabilities else {}
    for piece in client.text_generation(PROMPT, max_new_tokens=tokens, seed=SEED, temperature=TEMPERATURE, stream=True, **asked):
        stamps.append(time.perf_counter())
        pieces.append(piece.token.text if probabilities else piece)
    client.close()
    if not stamps:
        raise RuntimeError("direct call streamed no tokens")
    return Run(stamps[0] - started, stamps[-1] - started, stamps[0], stamps[-1], 1, len(pieces), len(pieces), "".join(pieces))


def app_form(tokens: int, probabilities: bool = False) -> dict[str, object]:
    """The `/generate` API's inputs, by name."""
    params = GenerationParams(temperature=TEMPERATURE, max_new_tokens=tokens, seed=SEED, token_probabilities=probabilities)
    return {
        "model": MODEL, "served_model": "", "provider": "auto", "mode": "Completion", "system_prompt": "", "response_format": "Text", "json_schema": "", "prompt": PROMPT,
        **parameter_form_values(params, random_seed=False),
        "session_token": "", "endpoint_token": "",
    }  # fmt: skip


def run_from_updates(started: float, updates: Iterator[tuple[float, object]]) -> Run:
    """A Run from (arrival time, Output value) updates. Time to first token runs from the request to
    the first update whose Output is non-empty. Updates may be coalesced, so tokens are counted in
    the text, never by update."""
    first_at = last_at = None
    first_tokens, text, seen = 0, "", 0
    for at, output in updates:
        if not isinstance(output, str) or not output or output == text:
            continue  # status-only update ("Sending…"), or the final update repeating the text
        if first_at is None:
            first_at, first_tokens = at, count_tokens(output)
        last_at, text, seen = at, output, seen + 1
    if first_at is None or last_at is None:
        raise RuntimeError("the app streamed no output")
    return Run(first_at - started, last_at - started, first_at, last_at, first_tokens, count_tokens(text), seen, text)


def count_tokens(text: str) -> int:
    """The protocol server's token is one word plus a space."""
    return len(text.split())


def client_run(client: Client, tokens: int, probabilities: bool = False) -> Run:
    started = time.perf_counter()
    job = client.submit(**app_form(tokens, probabilities), api_name="/generate")
    return run_from_updates(started, job_outputs(job, RUN_TIMEOUT))


def job_outputs(job, timeout: float) -> Iterator[tuple[float, object]]:
    """(arrival time, Output value) for each update the job streams, in order.

    The same list `for update in job` reads, polled here instead: Job.__next__ has no timeout, and
    sleeps 1 ms while holding the lock the client's reader needs to add an update.
    """
    seen = 0
    deadline = time.perf_counter() + timeout
    while True:
        outputs = job.outputs()
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


PAGE_GENERATE = "pg-generate"  # the elem_id of the page's Generate button in Completion mode


def clicked_by(config: dict, elem_id: str) -> dict:
    """The event a click on the component with `elem_id` runs (the page's own, not an API trigger)."""
    component = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    return next(d for d in config["dependencies"] if [component, "click"] in [list(t) for t in d["targets"]] and d.get("queue"))


class PageProtocol:
    """Gradio's queue protocol (sse_v3) as the page speaks it, on one keep-alive connection: POST
    queue/join, then read queue/data's event stream, timestamping each message as it is read. It
    runs the event of the page's own Generate button; its inputs are `/generate`'s, in that order."""

    def __init__(self, url: str, client: Client, api_name: str = "/generate", button: str = PAGE_GENERATE) -> None:
        config = client.config or {}
        self._base = url.rstrip("/") + config.get("api_prefix", "/gradio_api")
        dependency = clicked_by(config, button)
        api = next(d for d in config["dependencies"] if d.get("api_name") == api_name.lstrip("/"))
        parameters = client.view_api(print_info=False, return_format="dict")["named_endpoints"][api_name]["parameters"]
        self._names = [p["parameter_name"] for p in parameters]
        if config.get("protocol") != "sse_v3" or dependency["inputs"] != api["inputs"]:
            raise RuntimeError(f"{button}: unexpected protocol {config.get('protocol')} or inputs {dependency['inputs']}")
        self._fn_index = dependency["id"]
        self._session = uuid.uuid4().hex  # one page, one session
        self._http = httpx.Client(timeout=RUN_TIMEOUT)

    def run(self, tokens: int, probabilities: bool = False) -> Run:
        form = app_form(tokens, probabilities)
        started = time.perf_counter()
        join = {"data": [form[name] for name in self._names], "fn_index": self._fn_index, "session_hash": self._session}
        self._http.post(f"{self._base}/queue/join", json={**join, "event_data": None, "trigger_id": None}).raise_for_status()
        return run_from_updates(started, self._outputs())

    def _outputs(self) -> Iterator[tuple[float, object]]:
        outputs: list | None = None
        with self._http.stream("GET", f"{self._base}/queue/data", params={"session_hash": self._session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                at = time.perf_counter()
                message = json.loads(line[5:])
                kind = message.get("msg")
                if kind == "process_generating":
                    data = message["output"]["data"]  # the whole outputs first, then diffs against them
                    outputs = list(data) if outputs is None else [apply_diff(old, diff) for old, diff in zip(outputs, data, strict=True)]
                    yield at, outputs[0]
                elif kind == "process_completed":
                    if not message.get("success", False):
                        raise RuntimeError(f"the app failed: {message.get('output')}")
                    return
                elif kind in ("close_stream", "unexpected_error"):
                    raise RuntimeError(f"the event stream ended early: {message}")

    def close(self) -> None:
        self._http.close()


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
def subprocess_serving(
    args: list[str], cwd: Path, env: dict[str, str], probe_url: str, log: Path, timeout: float
) -> Iterator[subprocess.Popen]:
    """Starts a process, waits until `probe_url` answers 200, yields it, and always stops it (terminate, then kill)."""
    with log.open("wb") as out:
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_until_answering(probe_url, process, log, timeout)
        yield process
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


def measure(token_delay: float, tokens: int, repetitions: int, app_dir: Path, extra_env: dict[str, str],
            probabilities: bool = False) -> dict[str, list[Run]]:
    """Runs the paths; the subprocesses' logs are kept (and named) only if something fails."""
    logs = Path(tempfile.mkdtemp(prefix="bench_app_overhead_"))
    try:
        runs = _measure(token_delay, tokens, repetitions, app_dir, logs, extra_env, probabilities)
    except BaseException:
        print(f"failed; the protocol server's and the app's logs are in {logs}", file=sys.stderr)
        raise
    shutil.rmtree(logs, ignore_errors=True)
    return runs


def _measure(token_delay: float, tokens: int, repetitions: int, app_dir: Path, logs: Path, extra_env: dict[str, str],
             probabilities: bool) -> dict[str, list[Run]]:
    server_port, app_port = free_port(), free_port()
    server_url, app_url = f"http://127.0.0.1:{server_port}", f"http://127.0.0.1:{app_port}/"
    server_args = [sys.executable, "-m", "tests.protocol_server", "--port", str(server_port), "--token-delay", str(token_delay)]
    app_env = {
        **base_env(), "HF_ENDPOINT": server_url, "HF_ROUTER_URL": server_url, "HF_TOKEN": TOKEN,
        "GRADIO_SERVER_PORT": str(app_port), "GRADIO_SERVER_NAME": "127.0.0.1", "PLAYGROUND_MODELS": MODEL, **extra_env,
    }  # fmt: skip
    with (
        subprocess_serving(server_args, app_dir, base_env(), f"{server_url}/api/models/{MODEL}", logs / "protocol_server.log", 20),
        subprocess_serving([sys.executable, "app.py"], app_dir, app_env, app_url, logs / "app.log", 180),
    ):
        hf_constants.ENDPOINT = server_url
        install_router(server_url)
        with closing(Client(app_url, verbose=False)) as client, closing(PageProtocol(app_url, client)) as page:
            paths: dict[str, Callable[[], Run]] = {
                DIRECT: lambda: direct_run(tokens, probabilities),
                CLIENT: lambda: client_run(client, tokens, probabilities),
                PAGE: lambda: page.run(tokens, probabilities),
            }
            for name, path in paths.items():  # warm-up: provider-mapping caches, connections, first-call imports
                time.sleep(SETTLE)
                check(path(), tokens, f"{name} (warm-up)")
            runs: dict[str, list[Run]] = {name: [] for name in PATHS}
            for repetition in range(repetitions):
                order = PATHS[repetition % 3 :] + PATHS[: repetition % 3]  # rotate, so each path goes first in turn
                for name in order:
                    time.sleep(SETTLE)
                    runs[name].append(check(paths[name](), tokens, name))
                print(
                    f"run {repetition + 1}: "
                    + " | ".join(
                        f"{name}: TTFT {runs[name][-1].ttft * 1000:6.1f} ms, {runs[name][-1].tokens_per_s:5.1f} tok/s" for name in PATHS
                    ),
                    flush=True,
                )
            return runs


def check(run: Run, tokens: int, label: str) -> Run:
    expected = expected_answer(PROMPT, seed=SEED, temperature=TEMPERATURE, max_tokens=tokens).text
    if run.text != expected or run.tokens != tokens:
        raise RuntimeError(f"{label}: got {run.tokens} tokens {run.text[:80]!r}..., expected {tokens} tokens {expected[:80]!r}...")
    return run


def spread(runs: list[Run], value: Callable[[Run], float]) -> str:
    values = [value(r) for r in runs]
    return f"{min(values):.1f}–{max(values):.1f}"


def report(runs: dict[str, list[Run]], token_delay: float, tokens: int, command: str, label: str) -> str:
    ttft_ms = {name: statistics.median(r.ttft for r in runs[name]) * 1000 for name in PATHS}
    total = {name: statistics.median(r.total for r in runs[name]) for name in PATHS}
    rate = {name: statistics.median(r.tokens_per_s for r in runs[name]) for name in PATHS}
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    head = f"| {now} | {label} | {token_delay * 1000:g} ms | {tokens} |"
    rows = [f"{head} {DIRECT} | {ttft_ms[DIRECT]:.1f} ms | – | {total[DIRECT]:.3f} s | – | {rate[DIRECT]:.1f} | {updates(runs[DIRECT])} |"]
    for name in (CLIENT, PAGE):
        added = ttft_ms[name] - ttft_ms[DIRECT]
        ratio = total[DIRECT] / total[name]
        ttft_verdict = "PASS" if added <= MAX_ADDED_TTFT_MS else "MISS"
        speed_verdict = "PASS" if ratio >= MIN_RATIO else "MISS"
        rows.append(
            f"{head} {name} | {ttft_ms[name]:.1f} ms | {added:.1f} ms **{ttft_verdict}** | {total[name]:.3f} s "
            f"| {ratio:.3f} **{speed_verdict}** | {rate[name]:.1f} | {updates(runs[name])} |"
        )
    spreads = "\n".join(
        f"- {name}: TTFT {spread(runs[name], lambda r: r.ttft * 1000)} ms, whole answer {spread(runs[name], lambda r: r.total * 1000)} ms"
        for name in PATHS
    )
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, gradio {gradio.__version__}"
    return f"""# App overhead: through the running playground vs a direct InferenceClient call

How it was run: `{command}` ({machine}). The protocol server (`tests/protocol_server.py`, model `{MODEL}`,
{token_delay * 1000:g} ms between tokens) and `python app.py` each run as a subprocess.
direct = `InferenceClient.text_generation(..., stream=True)` from the benchmark process; app via gradio_client =
`Client.submit(..., api_name="/generate")`; app via page protocol = Gradio's queue protocol on one keep-alive connection,
as the browser page uses it, running the page's own Generate event (no gradio_client: its new connection per call and its
50 ms message polling are its own).
Medians of {len(runs[DIRECT])} repetitions in rotating order, after one warm-up each. TTFT = request start to the first
token seen; whole answer = request start to the last token seen; speed = direct's whole-answer time over the path's.
tok/s = tokens after the first one seen over the time from the first to the last token seen (tokens counted in the text,
not by updates, since updates may be coalesced). Targets: speed >= {MIN_RATIO}, added TTFT <= {MAX_ADDED_TTFT_MS:.0f} ms.

| date | app | per-token delay | tokens | path | TTFT | added TTFT (<= {MAX_ADDED_TTFT_MS:.0f} ms) | whole answer | speed vs direct (>= {MIN_RATIO}) | tok/s | text updates |
|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Spread over the repetitions (min–max):
{spreads}
"""


def updates(runs: list[Run]) -> str:
    """Median number of separate text updates per run."""
    return f"{statistics.median(r.updates for r in runs):g}"


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
    parser.add_argument("--token-delay", type=float, default=0.001, help="seconds between the server's streamed tokens")
    parser.add_argument("--tokens", type=int, default=512, help="max_new_tokens; every run generates exactly this many")
    parser.add_argument("--label", default="this checkout", help="names the app in the table (e.g. before/after)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="extra environment for app.py")
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--probabilities", action="store_true", help='tick "Token probabilities" (top 5 alternatives per token)')
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py and protocol server run (default: this one)")
    args = parser.parse_args()
    if args.token_delay <= 0 or args.tokens < 2 or args.repetitions < 1:
        parser.error("needs --token-delay > 0, --tokens >= 2 and --repetitions >= 1")
    with time_limit(TIME_LIMIT):
        runs = measure(args.token_delay, args.tokens, args.repetitions, args.app_dir.resolve(), dict(e.split("=", 1) for e in args.env),
                       args.probabilities)
    command = (
        f"python benchmarks/bench_app_overhead.py --token-delay {args.token_delay} --tokens {args.tokens} --repetitions {args.repetitions}"
        + "".join(f" --env {e}" for e in args.env) + (" --probabilities" if args.probabilities else "")
    )
    text = report(runs, args.token_delay, args.tokens, command, args.label)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
