"""A sweep table row opened in full (components/sweep_results.py): its whole answer and the request it sent."""

from __future__ import annotations

import json

import gradio as gr

from components.sweep_results import show_row
from playground.inference.events import Done, RunStats, Token
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest
from playground.runs.results import ResultSet, export_records
from playground.runs.scheduler import Job, Tagged
from playground.runs.sweep import Grid, sweep_cells

BASE = GenerationRequest(model="org/base", prompt="Write a haiku", system_prompt="Be terse.",
                         params=GenerationParams(temperature=0.7, max_new_tokens=30, seed=5))


def records(*outputs: str) -> list[dict]:
    cells = sweep_cells(BASE, Grid(seeds=tuple(range(1, len(outputs) + 1))))
    results = ResultSet.for_jobs(Job(c.key, c.request) for c in cells)
    for cell, output in zip(cells, outputs, strict=True):
        results.apply([Tagged(cell.key, Token(output)),
                       Tagged(cell.key, Done(RunStats(time_to_first_token=0.1, total_time=1.0, tokens=3, seed=1, attempts=1)))])
    return export_records(results, lambda result: result.state.value)


def selected(row: int) -> gr.SelectData:
    return gr.SelectData(None, {"index": [row, 12], "value": ""})


def test_a_selected_sweep_row_shows_its_whole_answer_and_the_request_it_sent() -> None:
    answer, request = show_row(records("first", "a long answer\nover two lines"), selected(1))
    assert answer == "a long answer\nover two lines"
    sent = json.loads(request)
    assert (sent["prompt"], sent["system_prompt"], sent["seed"], sent["max_new_tokens"]) == ("Write a haiku", "Be terse.", 2, 30)
    assert {"mode", "temperature", "top_p", "top_k", "stop", "response_format", "json_schema"} <= set(sent)
    assert "output" not in sent and "tokens_per_second" not in sent  # the request, not what came back


def test_selecting_outside_the_rows_shows_nothing() -> None:
    assert show_row(records("only"), selected(9)) == ["", ""]
    assert show_row(None, selected(0)) == ["", ""]
