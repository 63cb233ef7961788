"""The built-in model's configuration, chosen at first load and followed afterwards.

`Tuner.prepare` runs before the engine exists: it measures the candidates in child processes (one
per OpenMP wait policy, see `probe`), keeps the fastest, and sets OMP_WAIT_POLICY in this process
for it, since OpenMP reads it once, when llama.cpp loads. `Tuner.follow` then watches the engine's
runs: several in a row well below the calibrated speed, and it measures the thread counts again in
this process (the wait policy cannot change any more) and keeps the fastest.

    tuner = Tuner()
    config = tuner.prepare(model_path)          # Config(threads=1, wait_policy="default")
    engine = LocalEngine(model_path, threads=config.threads)
    tuner.follow(engine)                        # engine.note: "1 thread, OpenMP's default wait: ..."

Raises LocalModelUnavailable (from `prepare`) for a LOCAL_MODEL_THREADS that is not a count.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, MutableMapping
from pathlib import Path

from playground.local.calibration import (
    DEFAULT_WAIT,
    WAIT_POLICY_ENV,
    Choice,
    Config,
    SlowRuns,
    Speeds,
    candidates,
    fastest,
    normal_policy,
)
from playground.local.engine import LocalEngine
from playground.local.probe import measure_in_children, measure_in_process
from playground.local.setup import THREADS_ENV, thread_override, usable_cpus

_TURN_WAIT_S = 30.0  # a re-calibration waits this long for the model between visitors' runs
_log = logging.getLogger(__name__)
ChildMeasure = Callable[[Path, list[Config], MutableMapping[str, str]], list[Speeds]]


def openmp_loaded() -> bool:
    """Whether OpenMP is already in this process (its wait policy is then fixed)."""
    try:
        with open("/proc/self/maps") as maps:
            return "libgomp" in maps.read()
    except OSError:  # not Linux: llama_cpp imported is the best sign there is
        return "llama_cpp" in sys.modules


def first_choice(path: Path, environ: MutableMapping[str, str], measure: ChildMeasure = measure_in_children) -> Choice:
    """The fastest candidate, or the one the environment sets. Raises LocalModelUnavailable."""
    threads, policy, fixed = thread_override(environ), environ.get(WAIT_POLICY_ENV), openmp_loaded()
    configs = candidates(usable_cpus(), threads, DEFAULT_WAIT if policy is None and fixed else policy)
    set_by = _set_by(threads, environ, fixed)
    if len(configs) == 1:
        return Choice(configs[0], f"set by {set_by}")
    return fastest(configs, measure(path, configs, environ), "the fastest at first load" + (f" ({set_by} set)" if set_by else ""))


def _set_by(threads: int | None, environ: MutableMapping[str, str], fixed: bool) -> str:
    """What in the environment narrowed the candidates, in words."""
    named = [f"{THREADS_ENV}={threads}"] if threads is not None else []
    if WAIT_POLICY_ENV in environ:
        named.append(f"{WAIT_POLICY_ENV}={environ[WAIT_POLICY_ENV]}")
    elif fixed:  # OpenMP read its policy before we could choose one: the default stays
        named.append("OpenMP already loaded in this process")
    return " and ".join(named)


class Tuner:
    """One per service: the choice outlives a restart of the server, as the process's policy does."""

    def __init__(self, environ: MutableMapping[str, str] | None = None, measure: ChildMeasure = measure_in_children) -> None:
        self.choice: Choice | None = None
        self._environ = os.environ if environ is None else environ
        self._measure = measure
        self._slow: SlowRuns | None = None
        self._recalibrating = threading.Lock()

    def prepare(self, path: Path) -> Config:
        """The configuration to load the engine in; sets OMP_WAIT_POLICY for it while it still can."""
        if self.choice is None:
            self.choice = first_choice(path, self._environ, self._measure)
            _log.info("local model: %s", self.choice.note())
        config = self.choice.config
        if not openmp_loaded():  # once OpenMP is in, it has read its policy for good
            if config.wait_policy == DEFAULT_WAIT:
                self._environ.pop(WAIT_POLICY_ENV, None)
            else:
                self._environ[WAIT_POLICY_ENV] = config.wait_policy
        return config

    def follow(self, engine: LocalEngine) -> None:
        """Shows the choice on the engine and re-measures when its runs slow down for good."""
        assert self.choice is not None, "prepare() first"
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
                self.choice = fastest(configs, measure_in_process(engine, configs), "the fastest when measured again after slow runs")
                engine.set_threads(self.choice.config.threads)
            finally:
                turn.release()
        _log.info("local model: %s", self.choice.note())
        self.follow(engine)

    def _thread_candidates(self) -> list[Config]:
        """What this process can still change: the thread count, under its fixed wait policy."""
        assert self.choice is not None
        return candidates(usable_cpus(), thread_override(self._environ), normal_policy(self.choice.config.wait_policy))
