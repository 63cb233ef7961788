"""Start-up: `python app.py` to its first HTTP answer, and its memory (RSS) at that moment, against a bare
Gradio Blocks app (benchmarks/bare_blocks_app.py) started the same way, in one run.

    python benchmarks/bench_startup.py [--repetitions 5]

Writes benchmarks/results/startup.md (overwritten each run). Target: the playground at most 1.1x the
bare app on both. The two start in turns, so a slow spell of this (shared) machine falls on both.
The Hub and the router point at a local protocol server (loopback only), so start-up's "is the Hub
reachable?" check answers at once, as it does on a machine with a good connection. Python writes
.pyc files as it does by default, even if this shell sets PYTHONDONTWRITEBYTECODE: each app's first
(warm-up) start, which is a clean clone's first start, writes them, and is reported apart. Alongside
wall time it reports CPU time, the figure that other work on a shared machine barely moves.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import gradio  # noqa: E402

from benchmarks.bench_app_overhead import MODEL, base_env, free_port, subprocess_serving, time_limit  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "startup.md"
TARGET = 1.1
PLAYGROUND, BARE = "playground (`python app.py`)", "bare Gradio Blocks"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Start(NamedTuple):
    seconds: float  # spawn to the first 200 on /
    rss_mb: float  # resident memory at that moment
    cpu_s: float  # CPU time (user + system) spent by then: what other work on the machine barely changes


def start_once(args: list[str], cwd: Path, env: dict[str, str]) -> Start:
    """One start, measured at its first 200 on /; the process is then stopped."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env={**env, "GRADIO_SERVER_PORT": str(port)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{' '.join(args)} exited with {process.returncode}")
            if time.perf_counter() - started > 120:
                raise TimeoutError(f"{' '.join(args)} did not answer within 120 s")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return Start(time.perf_counter() - started, rss_mb(process.pid), cpu_seconds(process.pid))
            except (urllib.error.URLError, OSError):
                time.sleep(0.02)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_mb(pid: int) -> float:
    """Resident memory of the process and its children (Linux /proc), in MB."""
    pids = [pid, *children(pid)]
    total = 0
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process and its children so far (Linux /proc/<pid>/stat)."""
    total = 0
    for one in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return total / CLOCK_TICKS


def children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []
    return found + [g for c in found for g in children(c)]


def measure(repetitions: int, app_dir: Path) -> tuple[dict[str, list[Start]], dict[str, Start]]:
    """The timed starts of each app, and each one's first (warm-up) start."""
    server_port = free_port()
    server_url = f"http://127.0.0.1:{server_port}"
    # Bytecode is written as on any machine (a shell's PYTHONDONTWRITEBYTECODE=1 would make the
    # playground compile its ~250 modules at every start, while Gradio's were compiled at install).
    plain = {k: v for k, v in base_env().items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {**plain, "HF_ENDPOINT": server_url, "HF_ROUTER_URL": server_url, "GRADIO_SERVER_NAME": "127.0.0.1", "PLAYGROUND_MODELS": MODEL}
    server_args = [sys.executable, "-m", "tests.protocol_server", "--port", str(server_port)]
    commands = {PLAYGROUND: ([sys.executable, "app.py"], app_dir), BARE: ([sys.executable, "benchmarks/bare_blocks_app.py"], ROOT)}
    runs: dict[str, list[Start]] = {name: [] for name in commands}
    log = Path("/tmp") / f"bench_startup_server_{os.getpid()}.log"
    with subprocess_serving(server_args, ROOT, base_env(), f"{server_url}/api/models/{MODEL}", log, 20):
        # Warm-up: the OS file cache, and the .pyc files a clean clone's first start writes.
        first = {name: start_once(args, cwd, env) for name, (args, cwd) in commands.items()}
        for repetition in range(repetitions):
            for name in commands if repetition % 2 == 0 else reversed(list(commands)):
                args, cwd = commands[name]
                runs[name].append(start_once(args, cwd, env))
            print(" | ".join(f"{n}: {r[-1].seconds:.2f} s, {r[-1].rss_mb:.0f} MB, {r[-1].cpu_s:.2f} s CPU" for n, r in runs.items()), flush=True)
    return runs, first


def report(runs: dict[str, list[Start]], first: dict[str, Start], command: str, label: str) -> str:
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    median = {field: {name: statistics.median(getattr(one, field) for one in r) for name, r in runs.items()} for field in Start._fields}
    ratio = {field: median[field][PLAYGROUND] / median[field][BARE] for field in Start._fields}
    verdict = {True: "PASS", False: "MISS"}
    spreads = "\n".join(
        f"- {name}: {_span(r, 'seconds', '.2f')} s, {_span(r, 'rss_mb', '.0f')} MB, {_span(r, 'cpu_s', '.2f')} s CPU" for name, r in runs.items()
    )
    # Each round starts both apps back to back, so a round's own ratio cancels a slow spell of the
    # shared machine that the medians above may split between the two.
    paired = sorted(a.seconds / b.seconds for a, b in zip(runs[PLAYGROUND], runs[BARE], strict=True))
    machine = f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, Python {platform.python_version()}, gradio {gradio.__version__}"
    seconds, memory, cpu = median["seconds"], median["rss_mb"], median["cpu_s"]
    return f"""# Start-up: `python app.py` vs a bare Gradio Blocks app

How it was run: `{command}` ({machine}). Time = spawn to the first HTTP 200 on `/`; RSS = resident memory of the
process (and any children) at that moment; CPU = the process's user + system CPU time by then, which other
work on the machine barely changes (the wall time it does). Medians of {len(runs[PLAYGROUND])} starts each, in alternating
order, after one warm-up start each. The Hub endpoint is a local protocol server. Target: at most {TARGET}x on time and RSS.
Load average when it ended: {" / ".join(f"{x:.1f}" for x in os.getloadavg())} (1 / 5 / 15 min).

| date | app | playground time | bare time | time ratio (<= {TARGET}) | playground RSS | bare RSS | RSS ratio (<= {TARGET}) | CPU ratio |
|---|---|---|---|---|---|---|---|---|
| {now} | {label} | {seconds[PLAYGROUND]:.2f} s | {seconds[BARE]:.2f} s | {ratio["seconds"]:.2f}x **{verdict[ratio["seconds"] <= TARGET]}** | {memory[PLAYGROUND]:.0f} MB | {memory[BARE]:.0f} MB | {ratio["rss_mb"]:.2f}x **{verdict[ratio["rss_mb"] <= TARGET]}** | {ratio["cpu_s"]:.2f}x ({cpu[PLAYGROUND]:.2f} s / {cpu[BARE]:.2f} s) |

Spread (min–max):
{spreads}
- time ratio of each round (playground / bare, started back to back): median {statistics.median(paired):.2f}x, {paired[0]:.2f}–{paired[-1]:.2f}x
- first start of each (not in the medians; it writes the .pyc files): {", ".join(f"{n} {one.seconds:.2f} s, {one.cpu_s:.2f} s CPU" for n, one in first.items())}
"""


def _span(starts: list[Start], field: str, spec: str) -> str:
    values = [getattr(one, field) for one in starts]
    return f"{min(values):{spec}}–{max(values):{spec}}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py starts (default: this one)")
    args = parser.parse_args()
    with time_limit(900):
        runs, first = measure(args.repetitions, args.app_dir.resolve())
    text = report(runs, first, f"python benchmarks/bench_startup.py --repetitions {args.repetitions}", args.label)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
