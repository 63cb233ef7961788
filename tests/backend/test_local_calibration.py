"""The built-in model runs in the fastest configuration it measured, unless the environment says
otherwise; it measures again when its runs slow down for good. Decisions are tested with a fake
timer, fake measurements and a fake engine; one test runs the real probe, asserting only that it measured."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from playground.local import tuning
from playground.local.calibration import (
    DEFAULT_WAIT,
    PASSIVE_WAIT,
    Config,
    SlowRuns,
    Speeds,
    candidates,
    fastest,
    load_policy,
    tokens_per_s,
)
from playground.local.tuning import Tuner, first_choice, process_policy

ONE_DEFAULT = Config(1, DEFAULT_WAIT)
TWO_PASSIVE = Config(2, PASSIVE_WAIT)


class FakeTimer:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def tokens(timer: FakeTimer, seconds_each: float, count: int = 8) -> Iterator[int]:
    """`count` tokens, each taking `seconds_each` on the fake timer."""
    for token in range(count):
        timer.now += seconds_each
        yield token


def measured_with(timer: FakeTimer, seconds_each: dict[Config, float]) -> list[Speeds]:
    return [{config: tokens_per_s(tokens(timer, seconds), timer) for config, seconds in seconds_each.items()} for _ in range(2)]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two usable CPUs, no overrides, OpenMP not yet loaded: what a fresh app process on a small host sees."""
    monkeypatch.delenv("LOCAL_MODEL_THREADS", raising=False)
    monkeypatch.setattr(tuning, "usable_cpus", lambda: 2)
    monkeypatch.setattr(tuning, "openmp_loaded", lambda: False)


def set_by(environ: dict[str, str]) -> tuple[str, str]:
    """The wait policy as the environment sets it (CPU use is not read then)."""
    return process_policy(environ, lambda: pytest.fail("CPU use read although the policy was set"))


def test_calibration_keeps_the_faster_of_two_configurations() -> None:
    timer = FakeTimer()
    rounds = measured_with(timer, {ONE_DEFAULT: 0.05, TWO_PASSIVE: 0.02})
    choice = fastest([ONE_DEFAULT, TWO_PASSIVE], rounds)
    assert choice.config == TWO_PASSIVE
    assert choice.note().startswith("2 threads, PASSIVE wait: the fastest at first load (50 tokens/s")
    rounds = measured_with(timer, {ONE_DEFAULT: 0.02, TWO_PASSIVE: 0.05})
    assert fastest([ONE_DEFAULT, TWO_PASSIVE], rounds).config == ONE_DEFAULT


def test_the_first_token_which_also_reads_the_prompt_does_not_count() -> None:
    timer = FakeTimer()
    slow_first = itertools.chain(tokens(timer, 10.0, count=1), tokens(timer, 0.1, count=5))
    assert tokens_per_s(slow_first, timer) == pytest.approx(10.0)


def test_with_the_prompt_already_read_every_token_counts_and_a_crawl_ends_after_one() -> None:
    timer = FakeTimer()
    assert tokens_per_s(tokens(timer, 0.1, count=5), timer, started=0.0) == pytest.approx(10.0)
    crawl = tokens(timer, 2.0, count=5)
    assert tokens_per_s(crawl, timer, budget_s=0.25, started=timer.now) == pytest.approx(0.5)
    assert next(crawl) == 1  # the budget was spent on the first token: the second was never asked for


def test_an_unsteady_host_gets_the_measured_table_and_the_note_says_why() -> None:
    rounds: list[Speeds] = [{ONE_DEFAULT: 40.0, TWO_PASSIVE: 60.0}, {ONE_DEFAULT: 40.0, TWO_PASSIVE: 10.0}]
    choice = fastest([ONE_DEFAULT, TWO_PASSIVE], rounds)
    assert choice.config == ONE_DEFAULT  # the table's fastest on a quiet 2-CPU machine
    assert "too unsteady" in choice.note() and "table" in choice.note()


def test_a_configuration_the_probe_could_not_measure_sends_the_choice_to_the_table() -> None:
    choice = fastest([ONE_DEFAULT, TWO_PASSIVE], [{TWO_PASSIVE: 60.0}])
    assert choice.config == ONE_DEFAULT
    assert "could not measure" in choice.note()


def test_calibration_tries_every_thread_count_with_both_wait_policies() -> None:
    assert candidates(2, None, None) == [Config(1), Config(2), Config(1, PASSIVE_WAIT), Config(2, PASSIVE_WAIT)]


class RecordingMeasure:
    def __init__(self, winner: Config) -> None:
        self.winner = winner
        self.asked: list[Config] = []

    def __call__(self, engine: Any, configs: list[Config]) -> list[Speeds]:
        self.asked = configs
        return [{config: 100.0 if config == self.winner else 20.0 for config in configs}] * 2


class FakeEngine:
    """What the tuner uses of `LocalEngine`: its turn, its thread count, its note and run reports."""

    def __init__(self) -> None:
        self.threads = 2
        self.note = ""
        self.on_run: Callable[[float], None] | None = None
        self.held = False

    def try_turn(self, wait_s: float) -> Any:
        assert not self.held
        self.held = True
        return self

    def release(self) -> None:
        self.held = False

    def set_threads(self, threads: int) -> None:
        assert self.held, "threads change only while the turn is held"
        self.threads = threads


def test_local_model_threads_wins_over_calibration() -> None:
    measure = RecordingMeasure(Config(1))
    choice = first_choice(FakeEngine(), {"LOCAL_MODEL_THREADS": "3"}, load_policy(0.0), measure)
    assert measure.asked == []  # the wait policy is chosen before loading, so nothing is left to measure
    assert choice.config == Config(3)
    assert choice.note().startswith("3 threads, OpenMP's default wait: set by LOCAL_MODEL_THREADS=3")


def test_an_explicit_omp_wait_policy_wins_over_calibration() -> None:
    measure = RecordingMeasure(Config(1, PASSIVE_WAIT))
    environ = {"OMP_WAIT_POLICY": "passive"}
    choice = first_choice(FakeEngine(), environ, set_by(environ), measure)
    assert {config.wait_policy for config in measure.asked} == {PASSIVE_WAIT}
    assert choice.config == Config(1, PASSIVE_WAIT)
    assert "OMP_WAIT_POLICY=passive" in choice.note()
    assert "not tried" not in choice.note()


def test_both_overrides_skip_calibration() -> None:
    measure = RecordingMeasure(Config(1))
    environ = {"LOCAL_MODEL_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE"}
    choice = first_choice(FakeEngine(), environ, set_by(environ), measure)
    assert measure.asked == []
    assert choice.config == Config(2, PASSIVE_WAIT)
    assert choice.note() == "2 threads, PASSIVE wait: set by LOCAL_MODEL_THREADS=2 and OMP_WAIT_POLICY=PASSIVE"


def test_on_free_cpus_the_thread_counts_are_measured_under_openmps_default_wait_and_the_note_says_why() -> None:
    measure, engine, environ = RecordingMeasure(Config(1)), FakeEngine(), {}
    tuner = Tuner(environ, measure, others_busy=lambda: 0.1)
    assert tuner.prepare() == 2  # loaded with every CPU, then measured down
    assert "OMP_WAIT_POLICY" not in environ  # the default is OpenMP's when the variable is unset
    tuner.calibrate(engine)  # type: ignore[arg-type]
    assert measure.asked == [Config(1), Config(2)]
    assert engine.threads == 1 and not engine.held
    assert engine.note == (
        "1 thread, OpenMP's default wait: the fastest at first load; PASSIVE wait not tried: the CPUs were free at first load"
        " (100 tokens/s; 2 threads, OpenMP's default wait: 20)"
    )
    assert tuner.prepare() == 1  # a restarted server loads in the chosen configuration, without measuring again


def test_on_busy_cpus_the_passive_wait_is_set_before_the_engine_loads() -> None:
    measure, engine, environ = RecordingMeasure(Config(2, PASSIVE_WAIT)), FakeEngine(), {}
    tuner = Tuner(environ, measure, others_busy=lambda: 1.4)
    tuner.prepare()
    assert environ["OMP_WAIT_POLICY"] == PASSIVE_WAIT
    tuner.calibrate(engine)  # type: ignore[arg-type]
    assert measure.asked == [Config(1, PASSIVE_WAIT), Config(2, PASSIVE_WAIT)]
    assert "2 threads, PASSIVE wait: the fastest at first load; OpenMP's default wait not tried: other processes used 1.4 CPUs" in engine.note
    assert "set by" not in engine.note  # set by the tuner, not by the visitor's environment


def test_several_slow_runs_in_a_row_ask_for_a_new_calibration() -> None:
    slow = SlowRuns(calibrated=60.0)
    assert [slow.record(speed) for speed in (20.0, 20.0, 55.0, 20.0, 20.0)] == [False] * 5  # a normal run resets
    assert slow.record(20.0) is True
    assert slow.record(20.0) is False  # counting starts again


def test_the_real_probe_measures_every_thread_count_in_the_engines_process() -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -r requirements-local.txt")
    from playground.local.engine import LocalEngine
    from playground.local.probe import ROUNDS, measure_in_process
    from playground.local.setup import find_model_path

    configs = candidates(2, None, DEFAULT_WAIT)
    engine = LocalEngine(find_model_path(), n_ctx=256, threads=2)
    turn = engine.try_turn(wait_s=5.0)
    try:
        rounds = measure_in_process(engine, configs)
    finally:
        turn.release()
        engine.close()
    assert len(rounds) == ROUNDS and set(rounds[0]) == set(configs)
    assert all(speed > 0 for speeds in rounds for speed in speeds.values())
