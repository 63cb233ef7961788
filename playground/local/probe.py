"""Measures the built-in model's decoding speed at given thread counts, in the engine's own process,
for `calibration` to choose.

OpenMP reads `OMP_WAIT_POLICY` once, when llama.cpp's library loads, so a process measures only its
own wait policy; the thread count it can change between tokens. One greedy continuation of a fixed
prompt runs throughout (the prompt is read once, during the warm-up); each thread count times the
next few tokens of it, in rising order, twice (so `fastest` can tell a steady host from a changing
one). With the model loaded this takes about half a second on 2 CPUs.

    engine = LocalEngine(path)
    turn = engine.try_turn(wait_s=30)
    rounds = measure_in_process(engine, candidates(2, None, "default"))
    choice = fastest(candidates(2, None, "default"), rounds)

Nothing here imports llama_cpp at import time.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator

from playground.local.calibration import Config, Speeds, tokens_per_s
from playground.local.engine import LocalEngine

PROMPT = "1, 2, 3, 4, 5,"
# Tokens per configuration and round. A SmolLM2 token takes 13-18 ms on 2 CPUs, so the two rounds
# of two thread counts take about 0.5 s in all; a host that changes meanwhile shows as unsteady rounds.
PROBE_TOKENS = 8
# Per configuration and round. Each token counts, from the moment it is asked for: a configuration
# that crawls (2 spinning threads beside a busy neighbour: 0.4 tokens/s) is done after one token.
PROBE_BUDGET_S = 0.25
# Reads the prompt and touches the weights just mapped, on 1 thread: 2 spinning threads beside a busy
# neighbour took seconds over it.
WARM_UP_TOKENS = 2
ROUNDS = 2


def others_cpu_use(seconds: float = 0.2) -> float | None:
    """How many of this process's CPUs other processes kept busy over the next `seconds` (0.0 to the
    CPU count), from /proc/stat less this process's own time; None where that can't be read."""
    try:
        before, own_before = _busy_s(), os.times()
        time.sleep(seconds)
        after, own_after = _busy_s(), os.times()
    except (OSError, ValueError, AttributeError):  # not Linux, or an unexpected /proc/stat
        return None
    own = (own_after.user + own_after.system) - (own_before.user + own_before.system)
    return min(float(len(os.sched_getaffinity(0))), max(0.0, (after - before - own) / seconds))


def _busy_s() -> float:
    """Seconds the CPUs this process may run on have spent busy since boot (steal counts as busy)."""
    cpus, busy = os.sched_getaffinity(0), 0
    with open("/proc/stat") as stat:
        for line in stat:
            name, *fields = line.split()
            if name[3:].isdigit() and name.startswith("cpu") and int(name[3:]) in cpus:
                ticks = [int(field) for field in fields[:8]]  # user nice system idle iowait irq softirq steal
                busy += sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def decode_speed(engine: LocalEngine, stream: Iterator[int], threads: int) -> float:
    """Tokens/s of the next PROBE_TOKENS tokens of `stream` (the prompt already read) on `threads` threads."""
    engine.set_threads(threads)
    return tokens_per_s(itertools.islice(stream, PROBE_TOKENS), budget_s=PROBE_BUDGET_S, started=time.perf_counter())


def measure_rounds(engine: LocalEngine, counts: list[int]) -> list[dict[int, float]]:
    """ROUNDS rounds of tokens/s by thread count, counts rising; later rounds only for `contenders`.
    Warms up at the lowest count first. Leaves the threads at the last count measured: the caller
    sets the chosen one."""
    engine.set_threads(min(counts))
    stream = engine.greedy_tokens(PROMPT)
    for _ in itertools.islice(stream, WARM_UP_TOKENS):
        pass
    rounds = [{count: decode_speed(engine, stream, count) for count in sorted(counts)}]
    for _ in range(ROUNDS - 1):
        rounds.append({count: decode_speed(engine, stream, count) for count in contenders(rounds[0])})
    return rounds


def measure_in_process(engine: LocalEngine, configs: list[Config]) -> list[Speeds]:
    """Calibration rounds over `configs`, which must all have this process's wait policy. Call while
    holding the engine's turn."""
    by_threads = {config.threads: config for config in configs}
    return [{by_threads[count]: speed for count, speed in speeds.items()} for speeds in measure_rounds(engine, list(by_threads))]


def contenders(first_round: dict[int, float]) -> list[int]:
    """Thread counts worth a second round: a count at a tenth of the best can't win, and on a busy
    host it is the one that crawls (2 spinning threads made 0.4 tokens/s against 20 for 1 thread)."""
    best = max(first_round.values())
    return [count for count, speed in first_round.items() if speed * 10 >= best]
