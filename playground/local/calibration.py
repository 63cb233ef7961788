"""Which configuration the built-in model runs in: the decisions, in plain Python (nothing here runs
the model; `probe` measures, `tuning` applies).

A configuration is a thread count and an OpenMP wait policy. On a quiet 2-CPU machine llama.cpp made
78.8 tokens/s with 2 threads and OpenMP's default waiting, 57.2 with 1 thread; with a CPU-bound
neighbour 1 thread made 54.9 and the same 2 threads 20.2. No fixed thread count is right everywhere,
so the model measures each for a few tokens at first load and keeps the fastest:

    configs = candidates(2, threads=None, wait_policy=DEFAULT_WAIT)   # 1..2 threads, OpenMP's default wait
    choice = fastest(configs, rounds)                               # rounds: [{config: tokens/s}, ...]
    print(choice.note())                                            # "2 threads, OpenMP's default wait: ..."

The wait policy is not measured but chosen by how busy the CPUs are just before llama.cpp loads
(`load_policy`): OpenMP reads it once, when llama.cpp loads, so trying both means a second process
that imports llama-cpp-python and loads the weights again, 0.6 s or more on 2 CPUs before its first
token, and calibration must take under a second. 1 thread starts no OpenMP team, so its speed is
the same under both policies; with more threads, spinning (the default) won whenever the CPUs
were free and crawled whenever another process used one, and sleeping (PASSIVE) won only on a
host busy with several processes, where more threads get more of the CPUs' time. Medians, tokens/s,
2 CPUs, raw llama-cpp-python (benchmarks/results/local_engine.md, 2026-12-03):

                           1 thread   2 threads, default wait   2 threads, PASSIVE wait
    quiet                    57.2          78.8                      24.2
    one busy neighbour       54.9          20.2                      39.7
    several busy processes   14.9           1.3                      24.8   (load average 5-8)

`LOCAL_MODEL_THREADS` and an explicit `OMP_WAIT_POLICY` narrow the candidates to what they say.
`SlowRuns` says when to measure again: several runs in a row well below the calibrated speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

WAIT_POLICY_ENV = "OMP_WAIT_POLICY"
DEFAULT_WAIT = "default"  # OMP_WAIT_POLICY unset: libgomp spins a while, then sleeps
PASSIVE_WAIT = "PASSIVE"  # threads sleep at once while they wait for each other
Speeds = Mapping["Config", float]  # tokens/s per configuration, one calibration round

# Raw llama-cpp-python on SmolLM2-135M Q4_1, each configuration alone in its process, 128 tokens,
# median of 3, on a quiet 2-CPU machine (issue 21). Used when calibration is not decisive.
MEASURED_TABLE_NOTE = "measured on a quiet 2-CPU machine"
# Other processes' use of our CPUs at first load (in CPUs) from which spinning threads no longer pay.
BUSY_CPUS = 0.5
# A winner whose worst round is this far behind another's best was not measured on a steady host.
STEADY = 1.5


@dataclass(frozen=True, order=True)
class Config:
    threads: int
    wait_policy: str = DEFAULT_WAIT

    def label(self) -> str:
        waiting = "OpenMP's default wait" if self.wait_policy == DEFAULT_WAIT else f"{self.wait_policy} wait"
        return f"{self.threads} thread{'s' if self.threads != 1 else ''}, {waiting}"

    def environ(self, base: Mapping[str, str]) -> dict[str, str]:
        """`base` with OMP_WAIT_POLICY as this configuration needs it (unset for the default)."""
        env = {key: value for key, value in base.items() if key != WAIT_POLICY_ENV}
        return env if self.wait_policy == DEFAULT_WAIT else {**env, WAIT_POLICY_ENV: self.wait_policy}


MEASURED_TABLE: dict[Config, float] = {
    Config(1, DEFAULT_WAIT): 65.5,
    Config(1, PASSIVE_WAIT): 55.2,
    Config(2, DEFAULT_WAIT): 56.4,
    Config(2, PASSIVE_WAIT): 19.8,
}


@dataclass(frozen=True)
class Choice:
    """The configuration kept, why, and what was measured (tokens/s, best round per configuration)."""

    config: Config
    why: str
    speeds: Mapping[Config, float] = field(default_factory=dict)

    @property
    def speed(self) -> float | None:
        return self.speeds.get(self.config)

    def note(self) -> str:
        """One line for the log and the local model's note."""
        others = "; ".join(f"{c.label()}: {s:.0f}" for c, s in sorted(self.speeds.items()) if c != self.config)
        measured = f" ({self.speed:.0f} tokens/s; {others})" if self.speed is not None and others else ""
        return f"{self.config.label()}: {self.why}{measured}"


def candidates(cpus: int, threads: int | None, wait_policy: str | None) -> list[Config]:
    """Every configuration worth measuring: 1..cpus threads (or the set count) x default/PASSIVE (or the
    set policy). More threads than CPUs is never faster for llama.cpp, so it is not tried."""
    counts = [threads] if threads is not None else list(range(1, max(1, cpus) + 1))
    policies = [normal_policy(wait_policy)] if wait_policy is not None else [DEFAULT_WAIT, PASSIVE_WAIT]
    return [Config(count, policy) for policy in policies for count in counts]


def load_policy(others_busy: float | None) -> tuple[str, str]:
    """The wait policy to load llama.cpp with, given other processes' CPU use just before (in CPUs;
    None where it can't be read), and why the other policy is not measured, in words."""
    if others_busy is not None and others_busy >= BUSY_CPUS:
        return PASSIVE_WAIT, f"OpenMP's default wait not tried: other processes used {others_busy:.1f} CPUs at first load"
    return DEFAULT_WAIT, "PASSIVE wait not tried: the CPUs were free at first load"


def normal_policy(value: str) -> str:
    """OMP_WAIT_POLICY as libgomp reads it (case-insensitive ACTIVE/PASSIVE); anything else is its default."""
    upper = value.strip().upper()
    return upper if upper in ("ACTIVE", PASSIVE_WAIT) else DEFAULT_WAIT


def tokens_per_s(
    tokens: Iterable[object], clock: Callable[[], float] = time.perf_counter, budget_s: float | None = None, started: float | None = None
) -> float:
    """Decoding speed. Without `started`: tokens after the first, over the time from the first to the
    last, since the first token also pays for reading the prompt, which calibration must not weigh.
    With `started` (the clock when the first token was asked for, the prompt already read): every
    token, from then. With `budget_s`, stops once that long has passed since timing began: a
    configuration that crawls on a busy host (2 spinning threads made 0.4 tokens/s here) must not
    hold the model's start for half a minute. Raises ValueError when no token could be timed."""
    timed, begin, last = 0, started, started
    for _ in tokens:
        last = clock()
        if begin is None:
            begin = last
        else:
            timed += 1
        if budget_s is not None and timed and last - begin >= budget_s:
            break
    if not timed or begin is None or last is None or last <= begin:
        raise ValueError("too few tokens to time")
    return timed / (last - begin)


def fastest(configs: list[Config], rounds: list[Speeds], why: str = "the fastest at first load") -> Choice:
    """The configuration with the best speed in any round (noise only ever slows a run down).

    A round may leave out a configuration the earlier rounds found far behind. Not decisive when a
    candidate went unmeasured, or when the winner's worst round is more than STEADY behind another
    configuration's best (the host changed while it was measured): the pick then comes from
    MEASURED_TABLE, and the note says so.
    """
    measured = {c: [speeds[c] for speeds in rounds if speeds.get(c, 0.0) > 0] for c in configs}
    if any(not runs for runs in measured.values()):
        return from_table(configs, f"calibration could not measure every configuration, so picked from the table {MEASURED_TABLE_NOTE}")
    best = {c: max(runs) for c, runs in measured.items()}
    winner = max(configs, key=lambda c: best[c])
    rival = max((c for c in configs if c != winner), key=lambda c: best[c], default=winner)
    if min(measured[winner]) * STEADY < best[rival]:
        unsteady = f"the host was too unsteady to tell {winner.label()} from {rival.label()}"
        return from_table(configs, f"{unsteady}, so picked from the table {MEASURED_TABLE_NOTE}", best)
    return Choice(winner, why, best)


def from_table(configs: list[Config], why: str, measured: Speeds | None = None) -> Choice:
    """The candidate fastest in MEASURED_TABLE; one the table lacks counts as more threads than it knows."""

    def table_speed(config: Config) -> float:
        return MEASURED_TABLE.get(config, MEASURED_TABLE.get(Config(1, config.wait_policy), 0.0) / config.threads)

    return Choice(max(configs, key=table_speed), why, dict(measured or {}))


class SlowRuns:
    """Counts runs in a row that decode well below the calibrated speed: `record` says True once
    `runs` of them have come in a row, so a host that became busy is measured again. One normal run
    resets the count (a single slow run is noise)."""

    def __init__(self, calibrated: float, fraction: float = 0.5, runs: int = 3) -> None:
        self.calibrated = calibrated
        self._floor = calibrated * fraction
        self._runs = runs
        self._in_a_row = 0

    def record(self, speed: float) -> bool:
        self._in_a_row = self._in_a_row + 1 if speed < self._floor else 0
        if self._in_a_row >= self._runs:
            self._in_a_row = 0
            return True
        return False
