"""Measures the built-in model's decoding speed in given configurations, for `calibration` to choose.

OpenMP reads `OMP_WAIT_POLICY` once, when llama.cpp's library loads, so one process can only ever
measure one wait policy. The first calibration therefore runs one short-lived child process per
wait policy (`python -m playground.local.probe MODEL THREADS...`), each measuring its thread counts
in rising order; a later re-calibration measures thread counts inside the engine's own process,
whose policy is fixed by then.

    rounds = measure_in_children(path, candidates(2, None, None), os.environ)
    choice = fastest(candidates(2, None, None), rounds)

Nothing here imports llama_cpp at import time.
"""

from __future__ import annotations

import itertools
import json
import logging
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from playground.local.calibration import Config, Speeds, tokens_per_s
from playground.local.engine import LocalEngine

PROMPT = "1, 2, 3, 4, 5,"
PROBE_TOKENS = 12  # a few tokens each: the whole calibration is a handful of short runs
PROBE_BUDGET_S = 0.25  # per configuration and round, from its first token
ROUNDS = 2  # rounds of every thread count, so `fastest` can tell a steady host from a changing one
_CHILD_TIMEOUT_S = 60.0
_ROOT = Path(__file__).resolve().parents[2]
_log = logging.getLogger(__name__)


def decode_speed(engine: LocalEngine, threads: int, tokens: int = PROBE_TOKENS) -> float:
    """Tokens/s decoding `tokens` greedy tokens of a fixed prompt on `threads` threads."""
    engine.set_threads(threads)
    return tokens_per_s(itertools.islice(engine.greedy_tokens(PROMPT), tokens), budget_s=PROBE_BUDGET_S)


def measure_rounds(engine: LocalEngine, counts: list[int]) -> list[dict[int, float]]:
    """ROUNDS rounds of tokens/s by thread count, counts rising; later rounds only for `contenders`.
    Leaves the threads at the last count measured: the caller sets the chosen one."""
    rounds = [{count: decode_speed(engine, count) for count in sorted(counts)}]
    for _ in range(ROUNDS - 1):
        rounds.append({count: decode_speed(engine, count) for count in contenders(rounds[0])})
    return rounds


def measure_in_process(engine: LocalEngine, configs: list[Config]) -> list[Speeds]:
    """Calibration rounds over `configs`, which must all have this process's wait policy. Call while
    holding the engine's turn."""
    by_threads = {config.threads: config for config in configs}
    return [{by_threads[count]: speed for count, speed in speeds.items()} for speeds in measure_rounds(engine, list(by_threads))]


def measure_in_children(model_path: Path, configs: list[Config], environ: Mapping[str, str]) -> list[Speeds]:
    """One child process per wait policy; a child that fails leaves its configurations unmeasured
    (logged), which `fastest` reads as a calibration that could not be made."""
    rounds: list[dict[Config, float]] = [{} for _ in range(ROUNDS)]
    for policy in dict.fromkeys(config.wait_policy for config in configs):
        group = [config for config in configs if config.wait_policy == policy]
        for index, speeds in enumerate(_child_rounds(model_path, group, environ)):
            rounds[index].update(speeds)
    return rounds


def _child_rounds(model_path: Path, group: list[Config], environ: Mapping[str, str]) -> list[Speeds]:
    counts = sorted({config.threads for config in group})
    command = [sys.executable, "-m", "playground.local.probe", str(model_path), *map(str, counts)]
    try:
        done = subprocess.run(command, cwd=_ROOT, env=group[0].environ(environ), capture_output=True, text=True, timeout=_CHILD_TIMEOUT_S)
        measured = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        measured = None
    if measured is None:
        _log.warning("calibrating the local model: the probe for %s failed", group[0].label())
        return []
    by_threads = {config.threads: config for config in group}
    return [{by_threads[int(count)]: speed for count, speed in speeds.items()} for speeds in measured]


def contenders(first_round: dict[int, float]) -> list[int]:
    """Thread counts worth a second round: a count at a tenth of the best can't win, and on a busy
    host it is the one that crawls (2 spinning threads made 0.4 tokens/s against 20 for 1 thread)."""
    best = max(first_round.values())
    return [count for count, speed in first_round.items() if speed * 10 >= best]


def main(argv: list[str]) -> None:
    """Child side: loads the model, warms up, prints one JSON list of rounds, {threads: tokens/s}."""
    path, counts = Path(argv[0]), [int(count) for count in argv[1:]]
    engine = LocalEngine(path, n_ctx=256, threads=max(counts))
    decode_speed(engine, counts[0], tokens=4)  # warm-up: first-touch page faults, OpenMP's pool
    print(json.dumps(measure_rounds(engine, counts)))
    sys.stdout.flush()
    engine.close()


if __name__ == "__main__":
    main(sys.argv[1:])
