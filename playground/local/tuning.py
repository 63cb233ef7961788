"""The built-in model's configuration, chosen at first load and followed afterwards.

`Tuner.calibrate` runs once the engine is loaded and before it takes requests: it measures the
thread counts in the engine's own process (about half a second, see `probe`), keeps the fastest
and says it in the engine's note. The wait policy is the process's: an explicit OMP_WAIT_POLICY, or
OpenMP's default (`calibration.FIRST_LOAD_POLICY` says why PASSIVE is not measured). `Tuner.follow`
then watches the engine's runs: several in a row well below the calibrated speed, and it measures
the thread counts again and keeps the fastest.

    tuner = Tuner()
    engine = LocalEngine(model_path, threads=tuner.threads())
    tuner.calibrate(engine)                     # engine.note: "2 threads, OpenMP's default wait: ..."

Raises LocalModelUnavailable (from `threads`) for a LOCAL_MODEL_THREADS that is not a count.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping, MutableMapping

from playground.local.calibration import (
    FIRST_LOAD_POLICY,
    PASSIVE_RULED_OUT,
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
from playground.local.probe import measure_in_process
from playground.local.setup import THREADS_ENV, thread_override, usable_cpus

_TURN_WAIT_S = 30.0  # a re-calibration waits this long for the model between visitors' runs
_log = logging.getLogger(__name__)
Measure = Callable[[LocalEngine, list[Config]], list[Speeds]]


def process_policy(environ: Mapping[str, str]) -> str:
    """The wait policy OpenMP reads when llama.cpp loads: an explicit OMP_WAIT_POLICY, else its default."""
    policy = environ.get(WAIT_POLICY_ENV)
    return FIRST_LOAD_POLICY if policy is None else normal_policy(policy)


def first_choice(engine: LocalEngine, environ: Mapping[str, str], measure: Measure = measure_in_process) -> Choice:
    """The fastest candidate in this process, or the one the environment sets. Call while holding the
    engine's turn. Raises LocalModelUnavailable."""
    threads = thread_override(environ)
    configs = candidates(usable_cpus(), threads, process_policy(environ))
    set_by = " and ".join(_set_by(threads, environ))
    if len(configs) == 1:
        return Choice(configs[0], f"set by {set_by}")
    why = "the fastest at first load" + (f" ({set_by} set)" if set_by else "")
    choice = fastest(configs, measure(engine, configs), why)
    if WAIT_POLICY_ENV in environ:
        return choice
    return Choice(choice.config, f"{choice.why}; {PASSIVE_RULED_OUT}", choice.speeds)


def _set_by(threads: int | None, environ: Mapping[str, str]) -> list[str]:
    """What in the environment narrowed the candidates, in words."""
    named = [f"{THREADS_ENV}={threads}"] if threads is not None else []
    return named + ([f"{WAIT_POLICY_ENV}={environ[WAIT_POLICY_ENV]}"] if WAIT_POLICY_ENV in environ else [])


class Tuner:
    """One per service: the choice outlives a restart of the server, as the process's policy does."""

    def __init__(self, environ: MutableMapping[str, str] | None = None, measure: Measure = measure_in_process) -> None:
        self.choice: Choice | None = None
        self._environ = os.environ if environ is None else environ
        self._measure = measure
        self._slow: SlowRuns | None = None
        self._recalibrating = threading.Lock()

    def threads(self) -> int:
        """The thread count to load the engine with: the chosen one, or the most a calibration tries.
        Raises LocalModelUnavailable."""
        if self.choice is not None:
            return self.choice.config.threads
        return thread_override(self._environ) or usable_cpus()

    def calibrate(self, engine: LocalEngine) -> None:
        """At first load: measures, keeps the fastest and logs it. Then follows the engine's runs."""
        if self.choice is None:
            turn = engine.try_turn(wait_s=0.0)
            assert turn is not None, "a new engine, not serving yet: nobody else holds it"
            try:
                self.choice = first_choice(engine, self._environ, self._measure)
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
