"""The built-in model's configuration, chosen at first load and followed afterwards.

`Tuner.prepare` runs before llama.cpp loads: it picks OpenMP's wait policy from how busy the CPUs
are (0.2 s, `calibration.load_policy` says why it is not measured) and sets OMP_WAIT_POLICY for it,
which OpenMP reads once. `Tuner.calibrate` runs once the engine is loaded and before it takes
requests: it measures the thread counts in the engine's own process (about half a second, see
`probe`), keeps the fastest and says it in the engine's note. `Tuner.follow` then watches the
engine's runs: several in a row well below the calibrated speed, and it measures the thread counts
again and keeps the fastest.

    tuner = Tuner()
    engine = LocalEngine(model_path, threads=tuner.prepare())
    tuner.calibrate(engine)                     # engine.note: "2 threads, OpenMP's default wait: ..."

Raises LocalModelUnavailable (from `prepare`) for a LOCAL_MODEL_THREADS that is not a count.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping, MutableMapping

from playground.local.calibration import (
    DEFAULT_WAIT,
    WAIT_POLICY_ENV,
    Choice,
    Config,
    SlowRuns,
    Speeds,
    candidates,
    fastest,
    load_policy,
    normal_policy,
)
from playground.local.engine import LocalEngine
from playground.local.probe import measure_in_process, others_cpu_use
from playground.local.setup import THREADS_ENV, thread_override, usable_cpus

_TURN_WAIT_S = 30.0  # a re-calibration waits this long for the model between visitors' runs
_log = logging.getLogger(__name__)
Measure = Callable[[LocalEngine, list[Config]], list[Speeds]]
CpuUse = Callable[[], float | None]


def openmp_loaded() -> bool:
    """Whether OpenMP is already in this process (its wait policy is then fixed)."""
    try:
        with open("/proc/self/maps") as maps:
            return "libgomp" in maps.read()
    except OSError:  # not Linux: llama_cpp imported is the best sign there is
        return "llama_cpp" in sys.modules


def process_policy(environ: Mapping[str, str], others_busy: CpuUse) -> tuple[str, str]:
    """The wait policy llama.cpp will run with, and why the other is not measured ("" when set)."""
    if WAIT_POLICY_ENV in environ:
        return normal_policy(environ[WAIT_POLICY_ENV]), ""
    if openmp_loaded():  # OpenMP read its policy before we could choose one: the default stays
        return DEFAULT_WAIT, "OpenMP was already loaded in this process"
    return load_policy(others_busy())


def first_choice(engine: LocalEngine, environ: Mapping[str, str], policy: tuple[str, str], measure: Measure = measure_in_process) -> Choice:
    """The fastest candidate under `policy` (from `process_policy`), or the one the environment sets.
    Call while holding the engine's turn. Raises LocalModelUnavailable."""
    threads = thread_override(environ)
    configs = candidates(usable_cpus(), threads, policy[0])
    set_by = " and ".join(_set_by(threads, environ if not policy[1] else {}))
    if len(configs) == 1:
        return Choice(configs[0], f"set by {set_by}" + (f"; {policy[1]}" if policy[1] else ""))
    why = "the fastest at first load" + (f" ({set_by} set)" if set_by else "")
    choice = fastest(configs, measure(engine, configs), why)
    return Choice(choice.config, f"{choice.why}; {policy[1]}", choice.speeds) if policy[1] else choice


def _set_by(threads: int | None, environ: Mapping[str, str]) -> list[str]:
    """What in the environment narrowed the candidates, in words (`environ`: where a policy was set)."""
    named = [f"{THREADS_ENV}={threads}"] if threads is not None else []
    return named + ([f"{WAIT_POLICY_ENV}={environ[WAIT_POLICY_ENV]}"] if WAIT_POLICY_ENV in environ else [])


class Tuner:
    """One per service: the choice outlives a restart of the server, as the process's policy does."""

    def __init__(self, environ: MutableMapping[str, str] | None = None, measure: Measure = measure_in_process,
                 others_busy: CpuUse = others_cpu_use) -> None:
        self.choice: Choice | None = None
        self._environ = os.environ if environ is None else environ
        self._measure = measure
        self._others_busy = others_busy
        self._policy: tuple[str, str] | None = None
        self._slow: SlowRuns | None = None
        self._recalibrating = threading.Lock()

    def prepare(self) -> int:
        """Before llama.cpp loads: sets OMP_WAIT_POLICY as chosen, while OpenMP can still read it, and
        returns the thread count to load the engine with (the chosen one, or the most calibration
        tries). Raises LocalModelUnavailable."""
        if self._policy is None:
            self._policy = process_policy(self._environ, self._others_busy)
        if WAIT_POLICY_ENV not in self._environ and not openmp_loaded():
            self._environ.update(Config(1, self._policy[0]).environ({}))
        if self.choice is not None:
            return self.choice.config.threads
        return thread_override(self._environ) or usable_cpus()

    def calibrate(self, engine: LocalEngine) -> None:
        """At first load: measures, keeps the fastest and logs it. Then follows the engine's runs."""
        if self.choice is None:
            turn = engine.try_turn(wait_s=0.0)
            assert turn is not None, "a new engine, not serving yet: nobody else holds it"
            try:
                self.choice = first_choice(engine, self._environ, self._policy or process_policy(self._environ, self._others_busy), self._measure)
                engine.set_threads(self.choice.config.threads)
            finally:
                turn.release()
            _log.info("local model: %s", self.choice.note())
        self.follow(engine)

    def follow(self, engine: LocalEngine) -> None:
        """Shows the choice on the engine and re-measures when its runs slow down for good."""
        assert self.choice is not None, "calibrate() first"
        engine.note = self.choice.note()
        worth_watching = bool(self.choice.speed) and len(self._thread_candidates()) > 1
        self._slow = SlowRuns(self.choice.speed or 0.0) if worth_watching else None
        engine.on_run = lambda speed: self._on_run(engine, speed)

    def _on_run(self, engine: LocalEngine, speed: float) -> None:
        if self._slow is not None and self._slow.record(speed) and not self._recalibrating.locked():
            _log.info("local model: %.1f tokens/s, well below the calibrated %.1f; measuring again", speed, self._slow.calibrated)
            threading.Thread(target=self.recalibrate, args=(engine,), daemon=True, name="local-model-calibration").start()

    def recalibrate(self, engine: LocalEngine) -> None:
        """Measures this process's thread counts between runs and keeps the fastest."""
        configs = self._thread_candidates()
        with self._recalibrating:
            turn = engine.try_turn(wait_s=_TURN_WAIT_S)
            if turn is None:
                return  # busy all along: the next slow runs will ask again
            try:
                self.choice = fastest(configs, self._measure(engine, configs), "the fastest when measured again after slow runs")
                engine.set_threads(self.choice.config.threads)
            finally:
                turn.release()
        _log.info("local model: %s", self.choice.note())
        self.follow(engine)

    def _thread_candidates(self) -> list[Config]:
        """What this process can still change: the thread count, under its fixed wait policy."""
        assert self.choice is not None
        return candidates(usable_cpus(), thread_override(self._environ), normal_policy(self.choice.config.wait_policy))
