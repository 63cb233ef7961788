"""Run history kept in the browser: newest first, capped, restorable, and robust to tampering."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from playground.saved.history import (
    HistoryEntry,
    add_run,
    entry_label,
    entry_request,
    find_entry,
    new_entry,
    parse_history,
)

STATS = {"tokens": 8, "seconds": 1.25, "tokens_per_second": 6.4, "time_to_first_token": None}


def run_request(prompt: str = "Tell me a story", **changes: object) -> GenerationRequest:
    fields: dict = {
        "model": "test/chat-model",
        "prompt": prompt,
        "mode": Mode.CHAT,
        "provider": "hf-inference",
        "system_prompt": "Be brief.",
        "params": GenerationParams(temperature=0.5, seed=None).with_resolved_seed(),
        **changes,
    }
    return GenerationRequest(**fields)


def entry(prompt: str = "Tell me a story", **changes: object) -> HistoryEntry:
    return new_entry(run_request(prompt, **changes), output=f"answer to {prompt}", stats=STATS)


def test_restoring_a_run_gives_back_the_same_request_with_the_seed_used() -> None:
    request = run_request()
    stored = add_run(None, new_entry(request, "Once upon a time", STATS))
    # What the browser keeps is JSON: go through it as localStorage would.
    (restored,) = parse_history(json.loads(json.dumps(stored)))
    assert entry_request(restored) == request
    assert restored.params.seed is not None and restored.params.seed == request.params.seed
    assert (restored.output, restored.stats) == ("Once upon a time", STATS)


def test_newest_run_comes_first() -> None:
    history: list = []
    for prompt in ["first", "second", "third"]:
        history = add_run(history, entry(prompt))
    assert [item.prompt for item in parse_history(history)] == ["third", "second", "first"]


def test_history_keeps_at_most_the_cap_dropping_the_oldest() -> None:
    history: list = []
    for number in range(7):
        history = add_run(history, entry(f"run {number}"), cap=5)
    assert [item.prompt for item in parse_history(history)] == ["run 6", "run 5", "run 4", "run 3", "run 2"]


def test_each_entry_records_when_it_ran() -> None:
    moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    item = new_entry(run_request(), "x", {}, now=moment)
    assert item.time == "2025-01-02T03:04:05+00:00"
    assert entry_label(item).startswith("2025-01-02 03:04 · test/chat-model · Tell me a story")


def test_one_click_finds_the_run_by_id() -> None:
    history = add_run(add_run([], entry("a")), entry("b"))
    wanted = parse_history(history)[1]
    assert find_entry(history, wanted.id) == wanted
    assert find_entry(history, "no-such-id") is None


@pytest.mark.parametrize("raw", [None, "not a list", 42, {"id": "x"}, [None, 1, "x", []], [{}]])
def test_garbage_from_the_browser_gives_an_empty_history_not_an_error(raw: object) -> None:
    assert parse_history(raw) == []
    assert len(add_run(raw, entry())) == 1


def test_a_tampered_entry_is_skipped_and_the_others_kept() -> None:
    good = add_run(add_run([], entry("older")), entry("newer"))
    broken = [
        {**good[0], "params": {"temperature": 99}},
        {**good[0], "model": "../../../etc"},
        {**good[0], "time": "yesterday"},
        {**good[0], "mode": "Shell"},
        {**good[0], "provider": "<script>"},
        {**good[0], "stats": {"tokens": "many"}},
        {**good[0], "prompt": "x" * 1_000_000},
        {key: value for key, value in good[0].items() if key != "prompt"},
    ]
    assert [item.prompt for item in parse_history([*broken, *good])] == ["newer", "older"]


def test_entries_from_another_app_version_still_load() -> None:
    request = run_request()
    stored = add_run([], new_entry(request, "x", {}))[0]
    stored |= {"rating": 5}
    stored["params"] = {**stored["params"], "retired_option": True}
    (loaded,) = parse_history([stored])
    assert entry_request(loaded) == request


def test_completion_runs_without_system_prompt_round_trip() -> None:
    request = run_request(
        mode=Mode.COMPLETION, system_prompt="", model="https://endpoint.example.com", params=GenerationParams(seed=7, stop=("\n",))
    )
    (restored,) = parse_history(add_run([], new_entry(request, "", {})))
    assert entry_request(restored) == request
