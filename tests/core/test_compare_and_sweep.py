"""Pure tests of Compare and Sweep: the grid, the panes, results, exports, snippets, history, links."""

from __future__ import annotations

import ast
import csv
import io
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from playground import errors as e
from playground.inference.events import Done, RunStats, Token, Waiting, WaitReason
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode, client_call, parse_request
from playground.local import LOCAL_MODEL_NAME
from playground.runs.code import compare_snippet, sweep_snippet
from playground.runs.compare import Pane, compare_jobs, pane_count, parse_pane
from playground.runs.results import ResultSet, RunResult, RunState, identical_groups, table_rows, to_csv, to_json
from playground.runs.saved import (
    add_group,
    base_request,
    compare_share_query,
    find_group,
    group_label,
    new_group_entry,
    parse_group_query,
    parse_groups,
    sweep_share_query,
)
from playground.runs.scheduler import Failed, Job, Queued, Stopped, Tagged, model_limit
from playground.runs.sweep import MAX_CELLS, Grid, parse_grid, parse_models, parse_seeds, parse_temperatures, sweep_cells
from playground.saved.share import parse_share_query

BASE = GenerationRequest(model="org/base", prompt="Write a haiku", params=GenerationParams(temperature=0.7, max_new_tokens=30, seed=5))


def describe(result: RunResult) -> str:
    return result.state.value if result.error is None else f"failed: {result.error.detail}"


def stats(tokens: int = 3) -> RunStats:
    return RunStats(time_to_first_token=0.25, total_time=1.25, tokens=tokens, seed=1, attempts=1)


# ---- the grid --------------------------------------------------------------------------------


def test_seeds_and_temperatures_are_read_as_typed() -> None:
    assert parse_seeds("1, 2, 3") == (1, 2, 3)
    assert parse_seeds("7 8;9") == (7, 8, 9)
    assert parse_temperatures("0.2, 0.7, 1.2") == (0.2, 0.7, 1.2)
    assert parse_temperatures("") == () and parse_seeds("  ") == () and parse_seeds(None) == ()


def test_a_value_given_twice_runs_once() -> None:
    assert parse_seeds("1, 1, 2") == (1, 2)
    assert parse_temperatures("0.7, 0.70") == (0.7,)


@pytest.mark.parametrize(("field", "text", "words"), [
    ("Seeds", "1, two, 3", "'two' is not a whole number"),
    ("Seeds", "-1", "'-1' is not a whole number"),
    ("Seeds", "1.5", "'1.5' is not a whole number"),
    ("Seeds", str(2**32), "less than or equal"),
    ("Temperatures", "0.2, hot", "'hot' is not a number"),
    ("Temperatures", "2.5", "less than or equal to 2"),
    ("Temperatures", "-0.1", "greater than or equal to 0"),
    ("Models", "org/a, not a model", "'not a model'"),
])
def test_bad_values_are_refused_with_the_fields_label(field: str, text: str, words: str) -> None:
    with pytest.raises(e.InvalidParametersError) as raised:
        parse_grid(text if field == "Models" else "", text if field == "Temperatures" else "", text if field == "Seeds" else "")
    assert raised.value.detail.startswith(f"{field}: ") and words in raised.value.detail


def test_models_come_comma_separated_or_as_a_list() -> None:
    assert parse_models("org/a, org/b\norg/c") == ("org/a", "org/b", "org/c")
    assert parse_models(["org/a", "org/b, org/c", "org/a"]) == ("org/a", "org/b", "org/c")
    with pytest.raises(e.InvalidParametersError):
        parse_models(42)


def test_every_combination_becomes_one_request_derived_from_the_form() -> None:
    cells = sweep_cells(BASE, parse_grid("org/a, org/b", "0.2, 1.2", "1, 2, 3"))
    assert len(cells) == 12 and [c.key for c in cells] == [str(i) for i in range(1, 13)]
    assert [(c.request.model, c.temperature, c.seed) for c in cells[:4]] == [
        ("org/a", 0.2, 1), ("org/a", 0.2, 2), ("org/a", 0.2, 3), ("org/a", 1.2, 1)]
    for cell in cells:
        assert cell.request.prompt == BASE.prompt and cell.request.params.max_new_tokens == 30


def test_empty_fields_mean_the_current_values() -> None:
    (cell,) = sweep_cells(BASE, Grid())
    assert (cell.request.model, cell.temperature, cell.seed) == ("org/base", 0.7, 5)


def test_a_random_seed_on_the_form_is_drawn_once_for_the_whole_grid() -> None:
    base = GenerationRequest(model="org/base", prompt="x", params=GenerationParams(seed=None))
    seeds = {cell.seed for cell in sweep_cells(base, parse_grid("org/a, org/b", "0.1, 0.9", ""))}
    assert len(seeds) == 1 and None not in seeds


def test_more_than_24_cells_are_refused_with_the_arithmetic() -> None:
    sweep_cells(BASE, parse_grid("org/a, org/b", "0.1, 0.5, 0.9", "1, 2, 3, 4"))  # 24: accepted
    with pytest.raises(e.InvalidParametersError) as raised:
        sweep_cells(BASE, parse_grid("org/a, org/b", "0.1, 0.5, 0.9", "1, 2, 3, 4, 5"))
    assert "2 models × 3 temperatures × 5 seeds makes 30 runs; at most 24" in raised.value.detail
    assert MAX_CELLS == 24


# ---- compare panes and the scheduler's limits --------------------------------------------------


def test_panes_share_the_prompt_parameters_and_seed_but_not_the_model() -> None:
    base = GenerationRequest(model="org/base", prompt="Hi", system_prompt="Be brief", params=GenerationParams(seed=None))
    panes = [parse_pane("A", "org/a", "auto", "Completion"), parse_pane("B", "org/b", "together", "Chat")]
    a, b = compare_jobs(base, panes)
    assert (a.key, a.request.model, a.request.mode) == ("A", "org/a", Mode.COMPLETION)
    assert (b.key, b.request.model, b.request.provider, b.request.mode) == ("B", "org/b", "together", Mode.CHAT)
    assert a.request.params.seed is not None and a.request.params == b.request.params
    assert b.request.system_prompt == "Be brief" and b.request.prompt == "Hi"


@pytest.mark.parametrize(("values", "label"), [
    (("bad model", "auto", "Chat"), "Model C"), (("org/a", "nobody", "Chat"), "Provider C"), (("org/a", "auto", "Rap"), "Mode C")])
def test_a_bad_pane_is_named(values: tuple, label: str) -> None:
    with pytest.raises(e.InvalidParametersError) as raised:
        parse_pane("C", *values)
    assert raised.value.detail.startswith(label)


def test_panes_are_two_three_or_four() -> None:
    assert [pane_count(v) for v in (2, "3", 4.0)] == [2, 3, 4]
    for bad in (1, 5, "x", None, True):
        with pytest.raises(e.InvalidParametersError):
            pane_count(bad)


def test_the_local_model_runs_one_at_a_time_and_others_four() -> None:
    assert model_limit(LOCAL_MODEL_NAME) == 1 and model_limit("org/a") == 4


# ---- results ---------------------------------------------------------------------------------


def results_of(*outputs: str | None) -> ResultSet:
    """Finished cells with these outputs (None: a failed cell)."""
    cells = sweep_cells(BASE, Grid(seeds=tuple(range(1, len(outputs) + 1))))
    results = ResultSet.for_jobs(Job(c.key, c.request) for c in cells)
    for cell, output in zip(cells, outputs, strict=True):
        if output is None:
            results.apply([Tagged(cell.key, Failed(e.ModelNotFoundError("Model org/base does not exist", status=404)))])
        else:
            results.apply([Tagged(cell.key, Token(output)), Tagged(cell.key, Done(stats()))])
    return results


def test_a_result_follows_its_events() -> None:
    result = RunResult("1", BASE)
    result.apply(Queued())
    assert result.state is RunState.QUEUED and result.state.value == "waiting its turn"
    result.apply(Waiting(2, WaitReason.LOADING, 3.0, 4.0, 1.0, 50.0))
    assert result.state is RunState.RETRYING and result.waiting is not None
    result.apply(Token("Hello "))
    result.apply(Token("there"))
    assert (result.state, result.output, result.waiting) == (RunState.STREAMING, "Hello there", None)
    result.apply(Done(stats()))
    assert result.state is RunState.DONE and result.state.finished


def test_identical_outputs_share_a_mark_and_unique_ones_have_none() -> None:
    results = results_of("same text", "other", "same text", None, "other", "alone")
    assert identical_groups(results) == {"1": 1, "3": 1, "2": 2, "5": 2}
    rows = table_rows(results, describe)
    assert [row[11] for row in rows] == ["≡1", "≡2", "≡1", "", "≡2", ""]


def test_the_table_has_the_issues_columns_and_a_failed_cell_shows_its_reason() -> None:
    rows = table_rows(results_of("a b c", None), describe)
    assert rows[0] == ["org/base", "auto", 1, 0.7, 1, "done", "0.25", 3, "2.0", "1.25", "", "", "a b c"]
    assert rows[1][5] == "failed: Model org/base does not exist" and rows[1][6:] == ["", "", "", "", "", "", ""]


def test_csv_export_has_a_header_and_one_row_per_cell() -> None:
    text = to_csv(results_of("x, \"quoted\"\nnew line", "y", None), describe)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert rows[0]["output"] == "x, \"quoted\"\nnew line" and rows[0]["seed"] == "1" and rows[0]["temperature"] == "0.7"
    assert rows[2]["status"].startswith("failed") and rows[2]["tokens"] == ""


def test_json_export_holds_the_shared_settings_and_the_rows() -> None:
    data = json.loads(to_json(results_of("x", "x"), describe))
    assert data["prompt"] == "Write a haiku" and data["parameters"]["max_new_tokens"] == 30
    assert "seed" not in data["parameters"] and [r["seed"] for r in data["rows"]] == [1, 2]
    assert [r["same_output"] for r in data["rows"]] == [1, 1]


def test_unfinished_results_are_marked_stopped() -> None:
    results = ResultSet.for_jobs([Job("A", BASE), Job("B", BASE)])
    results.apply([Tagged("A", Token("half")), Tagged("B", Stopped())])
    results.stop_unfinished()
    assert results.finished and results["A"].state is RunState.STOPPED and results["A"].output == "half"


# ---- View code -------------------------------------------------------------------------------


def _calls(code: str) -> dict[str, ast.Call]:
    return {ast.unparse(node.func): node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call)}


def test_the_sweep_snippet_is_a_loop_over_the_grid_with_the_apps_arguments() -> None:
    requests = [c.request for c in sweep_cells(BASE, parse_grid("org/a, org/b", "0.2, 1.2", "1, 2, 3"))]
    code = sweep_snippet(requests)
    namespace: dict = {}
    for line in code.splitlines():
        if line.startswith(("models =", "temperatures =", "seeds =", "prompt =")):
            exec(line, namespace)  # the literal assignments only
    assert namespace["models"] == ["org/a", "org/b"] and namespace["temperatures"] == [0.2, 1.2] and namespace["seeds"] == [1, 2, 3]
    assert namespace["prompt"] == "Write a haiku"
    call = _calls(code)["client.text_generation"]
    written = {k.arg: ast.unparse(k.value) for k in call.keywords}
    assert written["seed"] == "seed" and written["temperature"] == "temperature" and written["max_new_tokens"] == "30"
    assert set(written) == {"prompt", *client_call(requests[0]).kwargs, "stream"}
    assert 'os.environ["HF_TOKEN"]' in code and "hf_" not in code


def test_a_sweep_through_temperature_0_gives_each_temperature_its_own_arguments() -> None:
    requests = [c.request for c in sweep_cells(BASE, parse_grid("", "0, 0.9", "1"))]
    code = sweep_snippet(requests)
    assert "**sampling[temperature]" in code
    table = next(line for line in code.splitlines() if line.strip().startswith("0.0:"))
    assert "'do_sample': False" in table


def test_a_chat_sweep_sends_the_messages() -> None:
    base = GenerationRequest(model="org/chat", prompt="Hi", mode=Mode.CHAT, system_prompt="Be brief", params=BASE.params)
    code = sweep_snippet([c.request for c in sweep_cells(base, parse_grid("", "0.3, 0.6", ""))])
    ast.parse(code)
    assert "client.chat_completion(" in code and "messages=messages" in code and "'Be brief'" in code


def test_the_compare_snippet_loops_over_the_panes() -> None:
    jobs = compare_jobs(BASE, [Pane("A", "org/a", "auto", Mode.COMPLETION), Pane("B", "org/b", "together", Mode.COMPLETION)])
    code = compare_snippet([job.request for job in jobs])
    assert "('A', 'org/a', 'auto')" in code and "('B', 'org/b', 'together')" in code
    ast.parse(code)
    mixed = compare_jobs(BASE, [Pane("A", "org/a", "auto", Mode.COMPLETION), Pane("B", "org/b", "auto", Mode.CHAT)])
    text = compare_snippet([job.request for job in mixed])
    assert "# Pane A: org/a" in text and "# Pane B: org/b" in text and "chat_completion" in text


# ---- history ---------------------------------------------------------------------------------


def test_a_sweep_goes_into_the_history_and_comes_back() -> None:
    grid = parse_grid("org/a", "0.2, 0.7", "1, 2, 3")
    cells = sweep_cells(BASE, grid)
    results = ResultSet.for_jobs(Job(c.key, c.request) for c in cells)
    results.apply([Tagged(c.key, Token(f"answer {c.key}")) for c in cells] + [Tagged(c.key, Done(stats())) for c in cells])
    entry = new_group_entry("sweep", BASE, results, {c.key: "done" for c in cells}, grid, now=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    stored = add_group(None, entry)
    again = find_group(json.loads(json.dumps(stored)), entry.id)
    assert again is not None and again.kind == "sweep" and len(again.runs) == 6
    assert again.grid == {"models": "org/a", "temperatures": "0.2, 0.7", "seeds": "1, 2, 3"}
    assert [r.output for r in again.runs][:2] == ["answer 1", "answer 2"]
    assert base_request(again) == BASE
    assert group_label(again).startswith("2026-01-02 03:04 · Sweep · 6 runs · Write a haiku")


def test_broken_history_entries_are_dropped_not_raised() -> None:
    results = ResultSet.for_jobs([Job("A", BASE)])
    good = new_group_entry("compare", BASE, results, {}).model_dump(mode="json")
    stored = [good, {"id": "x"}, "junk", {**good, "id": "y", "kind": "mystery"}, {**good, "id": "z", "runs": [{"model": "../etc"}]},
              {**good, "id": "w", "base": {**good["base"], "model": 3}}, {**good, "id": "v", "base": {**good["base"], "provider": "evil"}}]
    assert [entry.id for entry in parse_groups(stored)] == [good["id"]]
    assert parse_groups("not a list") == []


def test_the_history_keeps_the_newest_twenty() -> None:
    stored: list = []
    for _ in range(25):
        stored = add_group(stored, new_group_entry("compare", BASE, ResultSet.for_jobs([Job("A", BASE)]), {}))
    assert len(stored) == 20


def test_big_sweeps_are_dropped_oldest_first_to_stay_under_the_request_limit() -> None:
    """Regression guard: the browser sends the stored list back with events, and the app refuses requests over 1 MB."""
    cells = sweep_cells(BASE, parse_grid("", "", ",".join(str(i) for i in range(24))))
    results = ResultSet.for_jobs(Job(c.key, c.request) for c in cells)
    results.apply([Tagged(c.key, Token("x" * 5000)) for c in cells] + [Tagged(c.key, Done(stats())) for c in cells])
    stored: list = []
    for _ in range(10):
        stored = add_group(stored, new_group_entry("sweep", BASE, results, {}, Grid()))
    assert 1 <= len(stored) < 10 and len(json.dumps(stored).encode()) <= 512 * 1024


# ---- share links -----------------------------------------------------------------------------


def test_a_compare_link_holds_the_panes_and_the_shared_form() -> None:
    panes = [Pane("A", "org/a", "auto", Mode.COMPLETION), Pane("B", "org/b", "together", Mode.CHAT), Pane("C", "org/c", "auto", Mode.CHAT)]
    query = parse_qs(compare_share_query(BASE, panes))
    shared = parse_group_query(query)
    assert (shared.tab, shared.panes, shared.problems) == ("compare", 3, [])
    assert shared.pane_fields == {p.key: p for p in panes}
    assert parse_share_query(query).prompt == "Write a haiku"


def test_a_sweep_link_holds_the_grid_as_typed() -> None:
    query = sweep_share_query(BASE, parse_grid("org/a, org/b", "0.2, 0.7", "1, 2, 3"))
    assert query.endswith("&tab=sweep&models=org/a,%20org/b&temperatures=0.2,%200.7&seeds=1,%202,%203")  # readable
    shared = parse_group_query(parse_qs(query))
    assert (shared.tab, shared.grid) == ("sweep", {"models": "org/a, org/b", "temperatures": "0.2, 0.7", "seeds": "1, 2, 3"})
    assert parse_share_query(parse_qs(query)).params.seed == 5


def test_bad_values_in_a_link_are_reported_and_the_rest_applies() -> None:
    shared = parse_group_query(parse_qs("tab=sweep&models=org/a&temperatures=9&seeds=1,x"))
    assert shared.grid == {"models": "org/a"} and len(shared.problems) == 2
    compare = parse_group_query(parse_qs("tab=compare&panes=7&model_a=org/a&model_b=bad%20id"))
    assert compare.panes is None and list(compare.pane_fields) == ["A"] and len(compare.problems) == 2
    assert parse_group_query(parse_qs("prompt=hi")).tab is None
    assert parse_group_query(parse_qs("tab=evil")).problems


def test_no_token_can_reach_a_link_snippet_or_export(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_SecretThatMustNotLeak")
    grid = parse_grid("org/a", "0.2, 0.7", "1")
    cells = sweep_cells(BASE, grid)
    results = ResultSet.for_jobs(Job(c.key, c.request) for c in cells)
    texts = [sweep_share_query(BASE, grid), sweep_snippet([c.request for c in cells]), to_csv(results, describe),
             to_json(results, describe), json.dumps(add_group([], new_group_entry("sweep", BASE, results, {}, grid)))]
    assert all("hf_SecretThatMustNotLeak" not in text for text in texts)


def test_the_served_model_goes_only_to_panes_and_cells_of_its_own_endpoint() -> None:
    """"Served model" names what one server serves: a pane or cell on another model must not send it
    (that server answers 404 to a name it doesn't serve); the same URL keeps it."""
    endpoint = "http://127.0.0.1:8000/v1"
    base = parse_request({"model": endpoint, "served_model": "qwen-7b", "prompt": "Hi", "params": {"seed": 1}})
    jobs = compare_jobs(base, [Pane("A", endpoint, "auto", Mode.COMPLETION), Pane("B", "org/b", "auto", Mode.COMPLETION)])
    assert [job.request.served_model for job in jobs] == ["qwen-7b", ""]
    cells = sweep_cells(base, parse_grid(f"{endpoint}, org/b", "", ""))
    assert {(cell.request.model, cell.request.served_model) for cell in cells} == {(endpoint, "qwen-7b"), ("org/b", "")}


def test_a_csv_row_carries_the_whole_request() -> None:
    """Guards issue 20: the CSV left out the prompt, max_new_tokens and top_p."""
    row = next(csv.DictReader(io.StringIO(to_csv(results_of("x"), describe))))
    assert row["prompt"] == "Write a haiku" and row["max_new_tokens"] == "30" and "top_p" in row
    assert {"system_prompt", "mode", "stop", "repetition_penalty"} <= set(row)
    assert {"served_model", "response_format", "json_schema", "frequency_penalty", "token_probabilities"} <= set(row)
    data = json.loads(to_json(results_of("x"), describe))
    assert data["response_format"] == "Text" and "json_schema" in data

