"""The built-in model runs in the fastest configuration it measured, unless the environment says
otherwise; it measures again when its runs slow down for good. Decisions are tested with a fake
timer and fake measurements; one test runs the real probe, asserting only that it measured."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import pytest

from playground.local import tuning
from playground.local.calibration import DEFAULT_WAIT, PASSIVE_WAIT, Config, SlowRuns, Speeds, candidates, fastest, tokens_per_s
from playground.local.tuning import Tuner, first_choice

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

    def __call__(self, path: Path, configs: list[Config], environ: MutableMapping[str, str]) -> list[Speeds]:
        self.asked = configs
        return [{config: 100.0 if config == self.winner else 20.0 for config in configs}] * 2


def test_local_model_threads_wins_over_calibration() -> None:
    measure = RecordingMeasure(Config(3, PASSIVE_WAIT))
    choice = first_choice(Path("model.gguf"), {"LOCAL_MODEL_THREADS": "3"}, measure)
    assert {config.threads for config in measure.asked} == {3}
    assert choice.config == Config(3, PASSIVE_WAIT)
    assert "LOCAL_MODEL_THREADS=3" in choice.note()


def test_an_explicit_omp_wait_policy_wins_over_calibration() -> None:
    measure = RecordingMeasure(Config(1, PASSIVE_WAIT))
    choice = first_choice(Path("model.gguf"), {"OMP_WAIT_POLICY": "passive"}, measure)
    assert {config.wait_policy for config in measure.asked} == {PASSIVE_WAIT}
    assert choice.config == Config(1, PASSIVE_WAIT)
    assert "OMP_WAIT_POLICY=passive" in choice.note()


def test_both_overrides_skip_calibration() -> None:
    measure = RecordingMeasure(Config(1))
    choice = first_choice(Path("model.gguf"), {"LOCAL_MODEL_THREADS": "2", "OMP_WAIT_POLICY": "PASSIVE"}, measure)
    assert measure.asked == []
    assert choice.config == Config(2, PASSIVE_WAIT)
    assert choice.note() == "2 threads, PASSIVE wait: set by LOCAL_MODEL_THREADS=2 and OMP_WAIT_POLICY=PASSIVE"


def test_the_chosen_wait_policy_is_set_before_the_engine_loads() -> None:
    environ = {"OMP_WAIT_POLICY_UNRELATED": "x"}
    tuner = Tuner(environ, RecordingMeasure(Config(2, PASSIVE_WAIT)))
    assert tuner.prepare(Path("model.gguf")) == Config(2, PASSIVE_WAIT)
    assert environ["OMP_WAIT_POLICY"] == PASSIVE_WAIT
    environ = {}
    assert Tuner(environ, RecordingMeasure(Config(1))).prepare(Path("model.gguf")) == Config(1)
    assert "OMP_WAIT_POLICY" not in environ  # the default is OpenMP's when the variable is unset


def test_several_slow_runs_in_a_row_ask_for_a_new_calibration() -> None:
    slow = SlowRuns(calibrated=60.0)
    assert [slow.record(speed) for speed in (20.0, 20.0, 55.0, 20.0, 20.0)] == [False] * 5  # a normal run resets
    assert slow.record(20.0) is True
    assert slow.record(20.0) is False  # counting starts again


def test_the_real_probe_measures_every_configuration_in_its_own_process() -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -r requirements-local.txt")
    from playground.local.probe import measure_in_children
    from playground.local.setup import find_model_path

    configs = candidates(2, None, None)
    rounds = measure_in_children(find_model_path(), configs, dict(os.environ))
    assert set(rounds[0]) == set(configs)
    assert all(speed > 0 for speeds in rounds for speed in speeds.values())
