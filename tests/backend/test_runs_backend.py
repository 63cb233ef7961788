"""Compare panes and sweep cells through the real backend, against the local protocol server.

Each run has its own retries and its own errors; the scheduler's limits hold on the wire; Stop
closes every stream.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from playground import errors as e
from playground.inference.backend import Backend
from playground.inference.events import Done, Token, Waiting
from playground.inference.retry import RetryPolicy
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from playground.local import LOCAL_MODEL_NAME
from playground.runs.compare import Pane, compare_jobs
from playground.runs.results import ResultSet, RunState
from playground.runs.scheduler import Failed, Job, Queued, Started, Stopped, Tagged, run_job_batches, run_jobs
from playground.runs.sweep import parse_grid, sweep_cells
from tests.conftest import TEST_TOKEN, wait_for
from tests.protocol_answers import generate
from tests.protocol_server import ProtocolServer, Reply

TOKEN_FOR = lambda model: TEST_TOKEN  # noqa: E731  (the scheduler asks per model)
BASE = GenerationRequest(model="test/tiny-gpt", prompt="Side by side", params=GenerationParams(temperature=0.5, max_new_tokens=8, seed=3))


@pytest.fixture
def backend(server: ProtocolServer) -> Backend:
    local = f"{server.url}/tgi/local"  # stands in for the built-in model's server
    return Backend(policy=RetryPolicy(deadline=30, first_delay=0.05), resolve_url=lambda m: local if m == LOCAL_MODEL_NAME else None)


def by_key(events: list[Tagged]) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for tagged in events:
        grouped.setdefault(tagged.key, []).append(tagged.event)
    return grouped


def text(events: list) -> str:
    return "".join(event.text for event in events if isinstance(event, Token))


def peak_running(events: list[Tagged], jobs: list[Job]) -> dict[str, int]:
    """The most runs of each model in flight at once, from the order of the merged events."""
    model = {job.key: job.request.model for job in jobs}
    running: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    for tagged in events:
        if isinstance(tagged.event, Started):
            running[model[tagged.key]] += 1
            peak[model[tagged.key]] = max(peak[model[tagged.key]], running[model[tagged.key]])
        elif isinstance(tagged.event, (Done, Failed, Stopped)):
            running[model[tagged.key]] -= 1
    return dict(peak)


def test_a_404_in_one_pane_never_stops_another(server: ProtocolServer, backend: Backend) -> None:
    jobs = compare_jobs(BASE, [Pane("A", "test/tiny-gpt", "auto", Mode.COMPLETION), Pane("B", "test/no-such-model", "auto", Mode.COMPLETION)])
    events = by_key(list(run_jobs(backend, jobs, TOKEN_FOR)))
    assert isinstance(events["A"][-1], Done)
    assert text(events["A"]) == generate("Side by side", seed=3, temperature=0.5, max_tokens=8).text
    assert isinstance(events["B"][-1], Failed) and isinstance(events["B"][-1].error, e.ModelNotFoundError)


def test_each_pane_retries_on_its_own(server: ProtocolServer, backend: Backend) -> None:
    server.add_model("test/cold-model")
    loading = Reply(status=503, body={"error": "Model test/cold-model is currently loading", "estimated_time": 0.3})
    server.script("test/cold-model", loading, loading)
    jobs = compare_jobs(BASE, [Pane("A", "test/cold-model", "auto", Mode.COMPLETION), Pane("B", "test/tiny-gpt", "auto", Mode.COMPLETION)])
    events = by_key(list(run_jobs(backend, jobs, TOKEN_FOR)))
    assert [w.attempt for w in events["A"] if isinstance(w, Waiting)][-1] == 3
    assert not any(isinstance(event, Waiting) for event in events["B"])
    assert isinstance(events["A"][-1], Done) and isinstance(events["B"][-1], Done)
    assert len(server.posts("test/cold-model")) == 3 and len(server.posts("test/tiny-gpt")) == 1


def test_a_sweep_sends_exactly_its_parameter_sets(server: ProtocolServer, backend: Backend) -> None:
    cells = sweep_cells(BASE, parse_grid("", "0.2, 0.7", "1, 2, 3"))
    results = ResultSet.for_jobs(Job(c.key, c.request) for c in cells)
    for batch in run_job_batches(backend, [Job(c.key, c.request) for c in cells], TOKEN_FOR):
        results.apply(batch)
    sent = sorted((p.body["parameters"]["temperature"], p.body["parameters"]["seed"]) for p in server.posts())
    assert sent == [(0.2, 1), (0.2, 2), (0.2, 3), (0.7, 1), (0.7, 2), (0.7, 3)]
    for cell in cells:
        assert results[cell.key].state is RunState.DONE
        assert results[cell.key].output == generate("Side by side", seed=cell.seed, temperature=cell.temperature, max_tokens=8).text


def test_at_most_four_runs_of_one_model_at_once(server: ProtocolServer, backend: Backend) -> None:
    server.token_delay = 0.02
    server.add_model("test/other")
    cells = sweep_cells(BASE, parse_grid("test/tiny-gpt, test/other", "", "1, 2, 3, 4, 5, 6"))
    jobs = [Job(c.key, c.request) for c in cells]
    events = list(run_jobs(backend, jobs, TOKEN_FOR))
    assert peak_running(events, jobs) == {"test/tiny-gpt": 4, "test/other": 4}
    assert server.peak_open_streams <= 8
    queued = {t.key for t in events if isinstance(t.event, Queued)}
    assert queued == {"5", "6", "11", "12"}  # the last two of each model wait their turn
    assert sum(isinstance(t.event, Done) for t in events) == 12


def test_built_in_model_runs_take_turns(server: ProtocolServer, backend: Backend) -> None:
    server.token_delay = 0.01
    cells = sweep_cells(BASE, parse_grid(LOCAL_MODEL_NAME, "", "1, 2, 3"))
    jobs = [Job(c.key, c.request) for c in cells]
    events = list(run_jobs(backend, jobs, TOKEN_FOR))
    assert peak_running(events, jobs) == {LOCAL_MODEL_NAME: 1}
    assert [t.key for t in events if isinstance(t.event, Queued)] == ["2", "3"]
    assert [t.key for t in events if isinstance(t.event, Done)] == ["1", "2", "3"]
    assert server.peak_open_streams == 1


def test_cancel_ends_every_run_and_closes_every_stream(server: ProtocolServer, backend: Backend) -> None:
    server.token_delay = 0.1
    slow = BASE.params.model_copy(update={"max_new_tokens": 200})
    jobs = compare_jobs(GenerationRequest(model="x/y", prompt="Stop me", params=slow),
                        [Pane(k, "test/tiny-gpt", "auto", Mode.COMPLETION) for k in "ABC"])
    cancel = threading.Event()
    results = ResultSet.for_jobs(jobs)
    for batch in run_job_batches(backend, jobs, TOKEN_FOR, cancel):
        results.apply(batch)
        if sum(len(r.output) > 0 for r in results) == 3:
            cancel.set()  # the iterator ends within a tick, without waiting for the runs
    assert not results.finished  # none of the 200-token answers got to its end
    assert wait_for(lambda: server.cancelled_streams == 3 and server.open_streams == 0)


def test_a_token_is_asked_for_each_model(server: ProtocolServer, backend: Backend) -> None:
    """Regression guard: each run gets the token its own model may receive."""
    asked: list[str] = []
    jobs = compare_jobs(BASE, [Pane("A", "test/tiny-gpt", "auto", Mode.COMPLETION), Pane("B", f"{server.url}/tgi/ep", "auto", Mode.COMPLETION)])
    list(run_jobs(backend, jobs, lambda model: asked.append(model) or (None if model.startswith("http") else TEST_TOKEN)))
    assert sorted(asked) == sorted(job.request.model for job in jobs)
    headers = {post.model: post.headers.get("authorization") for post in server.posts()}
    assert headers == {"test/tiny-gpt": f"Bearer {TEST_TOKEN}", "tgi/ep": None}


def test_leaving_the_event_stream_early_stops_every_run(server: ProtocolServer, backend: Backend) -> None:
    """Gradio's Stop closes the handler's generator: that alone must end every run."""
    server.token_delay = 0.1
    slow = BASE.params.model_copy(update={"max_new_tokens": 200})
    jobs = compare_jobs(GenerationRequest(model="x/y", prompt="Leave", params=slow), [Pane(k, "test/tiny-gpt", "auto", Mode.COMPLETION) for k in "AB"])
    events = run_job_batches(backend, jobs, TOKEN_FOR)
    tokens = 0
    for batch in events:
        tokens += sum(isinstance(t.event, Token) for t in batch)
        if tokens >= 4:
            break
    events.close()
    assert wait_for(lambda: server.cancelled_streams == 2 and server.open_streams == 0)


def test_batches_gather_many_tokens_into_one_update(server: ProtocolServer, backend: Backend) -> None:
    server.token_delay = 0.01
    long = BASE.params.model_copy(update={"max_new_tokens": 40})
    jobs = compare_jobs(GenerationRequest(model="x/y", prompt="Many tokens", params=long), [Pane(k, "test/tiny-gpt", "auto", Mode.COMPLETION) for k in "AB"])
    batches = list(run_job_batches(backend, jobs, TOKEN_FOR, interval=0.2))
    tokens = sum(isinstance(t.event, Token) for batch in batches for t in batch)
    assert tokens == 80 and len(batches) < tokens



def test_the_sweep_snippet_sends_exactly_the_sweeps_requests(server: ProtocolServer, backend: Backend, tmp_path) -> None:
    """View code for a sweep: running the loop sends the very bodies the app's cells sent, through temperature 0 too."""
    from playground.runs.code import sweep_snippet

    cells = sweep_cells(BASE, parse_grid("", "0, 0.9", "1, 2"))
    list(run_jobs(backend, [Job(c.key, c.request) for c in cells], TOKEN_FOR))
    app_bodies = sorted(str(post.body) for post in server.posts())
    server.reset()
    output = run_script(sweep_snippet([c.request for c in cells]), server, tmp_path)
    assert sorted(str(post.body) for post in server.posts()) == app_bodies and len(app_bodies) == 4
    assert output.count("--- test/tiny-gpt") == 4


def test_the_compare_snippet_gives_another_hosts_pane_the_endpoint_key_and_never_hf_token(
        server: ProtocolServer, tmp_path) -> None:
    """View code for a comparison with an endpoint on another host: that pane's client reads
    ENDPOINT_TOKEN (a placeholder when unset), the Hub pane HF_TOKEN; running it sends each only its own."""
    from playground.runs.code import compare_snippet
    from playground.saved.snippets import ENDPOINT_TOKEN_VARIABLE, HF_TOKEN_VARIABLE

    endpoint = f"{server.url}/tgi/local-model"
    jobs = compare_jobs(BASE, [Pane("A", "test/tiny-gpt", "auto", Mode.COMPLETION), Pane("B", endpoint, "auto", Mode.COMPLETION)])
    code = compare_snippet([job.request for job in jobs], server.url,
                           lambda model: ENDPOINT_TOKEN_VARIABLE if model == endpoint else HF_TOKEN_VARIABLE)
    output = run_script(code, server, tmp_path)
    assert "--- Pane A" in output and "--- Pane B" in output
    sent = {post.path.startswith("/tgi/"): post.headers.get("authorization", "") for post in server.posts()}
    assert sent[False] == f"Bearer {TEST_TOKEN}" and TEST_TOKEN not in sent[True]


def run_script(code: str, server: ProtocolServer, tmp_path) -> str:
    """Runs a snippet with HF_TOKEN set and router traffic sent to `server`; returns what it printed."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(f"from playground.hf.router import install_router\n\ninstall_router({server.url!r})\n")
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(root)]), "HF_ENDPOINT": server.url, "HF_TOKEN": TEST_TOKEN,
           "HF_HUB_DISABLE_TELEMETRY": "1"}
    env.pop("ENDPOINT_TOKEN", None)
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout
