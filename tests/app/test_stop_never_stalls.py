"""Stop never stalls anyone, one visitor's work is bounded, and sessions are capped (issue 22).

Through gradio_client against the running app. Gradio closes a cancelled event's generator only
between two of its items, retrying for 60 s while holding an app-wide lock: a Sweep of silent cells
that never yielded stalled every visitor's Stop. Every long event now yields at least every 0.5 s.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from gradio_client import Client

from tests.api_forms import COMPARE, FORM, SWEEP
from tests.conftest import wait_for
from tests.protocol_server import ProtocolServer, Reply

MODELS = ("test/tiny-gpt", "test/slow-b", "test/slow-c")


def texts(job) -> str:
    return " ".join(str(update) for update in job.outputs())


def cancel_in_background(*jobs) -> None:
    """Stop, as the page sends it (each cancel is an HTTP call that may wait for Gradio's lock)."""
    for job in jobs:
        threading.Thread(target=job.cancel, daemon=True).start()


def test_a_silent_sweep_and_another_visitors_stream_both_stop_at_once(app_url: str, server: ProtocolServer) -> None:
    server.script("test/tiny-gpt", *[Reply(stall_after=0)] * 3)
    presenter, other = Client(app_url, verbose=False), Client(app_url, verbose=False)
    sweep = presenter.submit(**{**SWEEP, "seeds": "1, 2, 3"}, api_name="/sweep")
    assert wait_for(lambda: server.stalls == 3)  # three cells sent, and the model says nothing
    server.token_delay = 0.2
    stream = other.submit(**{**FORM, "max_new_tokens": 200}, api_name="/generate")
    assert wait_for(lambda: "Echo seed=5" in texts(stream))  # the other visitor's answer is streaming
    assert wait_for(lambda: "Waiting for the first token — 1 s" in texts(sweep))  # silent cells count their seconds
    cancel_in_background(sweep, stream)
    # Within a second, the model's server sees every stream closed: the sweep's three and the other one.
    assert wait_for(lambda: server.cancelled_streams == 4 and server.open_streams == 0, seconds=1)


def test_a_silent_comparison_stops_at_once(app_url: str, server: ProtocolServer) -> None:
    server.script("test/tiny-gpt", *[Reply(stall_after=0)] * 2)
    compare = Client(app_url, verbose=False).submit(**COMPARE, api_name="/compare")
    assert wait_for(lambda: server.stalls == 2)
    assert wait_for(lambda: "Waiting for the first token — 1 s" in texts(compare))  # each pane's card counts
    cancel_in_background(compare)
    assert wait_for(lambda: server.cancelled_streams == 2 and server.open_streams == 0, seconds=1)


def test_twenty_sweeps_from_one_session_stay_under_150_threads(app_url: str, server: ProtocolServer) -> None:
    for model in MODELS[1:]:
        server.add_model(model)
    server.token_delay = 0.5  # a model that answers slowly: every stream stays open for the whole test
    client = Client(app_url, verbose=False)
    grid = {**SWEEP, "models": list(MODELS), "temperatures": "0.2, 0.9", "seeds": "1, 2, 3, 4", "max_new_tokens": 200}
    sweeps = [client.submit(**grid, api_name="/sweep") for _ in range(20)]  # 20 × 24 cells
    peak = [threading.active_count()]

    def all_running() -> bool:
        peak.append(threading.active_count())
        return server.open_streams == 8 and all("waiting its turn" in texts(job) for job in sweeps)

    assert wait_for(all_running, seconds=60)
    peak.append(threading.active_count())
    assert max(peak) < 150, max(peak)  # was 916–983 with a thread per lane and per cell
    assert server.peak_open_streams == 8  # PLAYGROUND_RUNS_PER_VISITOR: the rest wait their turn
    cancel_in_background(*sweeps)
    assert wait_for(lambda: server.open_streams == 0, seconds=30)


def test_leaving_the_page_stops_that_visitors_sweep_only(server: ProtocolServer) -> None:
    """Gradio runs the page's unload events when a tab's connection closes (its heartbeat); here they
    are run as Gradio runs them, for one of two visitors, each with a sweep streaming."""

    server.token_delay = 0.2
    with running_app(server) as (demo, url):
        leaving, staying = Client(url, verbose=False), Client(url, verbose=False)
        left = leaving.submit(**{**SWEEP, "seeds": "1, 2", "max_new_tokens": 200}, api_name="/sweep")
        stays = staying.submit(**{**SWEEP, "seeds": "3", "max_new_tokens": 30}, api_name="/sweep")
        assert wait_for(lambda: server.open_streams == 3)
        run_unload_events(demo, leaving.session_hash)
        assert wait_for(lambda: server.cancelled_streams == 2)  # the leaving visitor's two cells, at once
        assert wait_for(left.done)
        assert "stopped" in texts(left)
        stays.result(timeout=60)
        assert "1 of 1 runs finished" in texts(stays) and server.cancelled_streams == 2


def test_a_silent_cell_says_how_long_it_has_waited() -> None:
    from components.run_words import status_card, status_text, turn_note
    from playground.inference.events import Silence
    from playground.input.request import GenerationRequest
    from playground.runs.results import RunResult
    from playground.runs.scheduler import Queued, Started
    from playground.runs.slots import Turn

    result = RunResult("1", GenerationRequest(model="org/a", prompt="x"))
    result.apply(Started())
    assert status_text(result) == "sending"
    result.apply(Silence(seconds=12.4, first_token=True, limit=120))
    assert status_text(result) == "Waiting for the first token — 12 s"
    assert "Gives up after 120 s; Stop cancels." in status_card(result)
    assert turn_note(Queued(Turn.VISITOR, 8)) == "Waiting its turn: at most 8 of your runs at once."
    assert turn_note(Queued()) == "Waiting its turn: at most 4 runs of one model at once."


def test_the_session_cap_comes_from_the_environment_and_reaches_gradio(server: ProtocolServer) -> None:
    from playground.config import DEFAULT_MAX_SESSIONS, load_settings

    assert load_settings({}).max_sessions == DEFAULT_MAX_SESSIONS == 2000
    assert load_settings({"PLAYGROUND_MAX_SESSIONS": "3"}).max_sessions == 3
    assert load_settings({"PLAYGROUND_MAX_SESSIONS": "none"}).max_sessions == DEFAULT_MAX_SESSIONS
    assert (load_settings({"PLAYGROUND_RUNS_PER_VISITOR": "2"}).runs_per_visitor, load_settings({}).max_streams) == (2, 64)
    with running_app(server, max_sessions=3) as (demo, url):
        with httpx.Client(base_url=f"{url}gradio_api/call/reset_parameters", timeout=30) as http:
            for _ in range(5):  # five calls, each with a session of its own
                event = http.post("", json={"data": []}).json()["event_id"]
                assert "event: complete" in http.get(f"/{event}").text
        sessions = demo.server_app.state_holder
        assert sessions.capacity == 3 and len(sessions.session_data) <= 3  # the oldest were dropped


def run_unload_events(demo: Any, session_hash: str) -> None:
    """What Gradio runs when a visitor's page goes away (its connection's heartbeat ends)."""
    import gradio as gr

    for fn in demo.fns.values():
        if any(target[1] == "unload" for target in fn.targets):
            fn.fn(gr.Request(session_hash=session_hash))


@contextmanager
def running_app(server: ProtocolServer, **settings: Any) -> Iterator[tuple[Any, str]]:
    """The playground launched as main() launches it (its launch options), with a server token,
    talking to the protocol server; closed afterwards."""
    from app import app_kwargs, build_app, launch_options
    from playground.config import Settings
    from playground.inference.backend import Backend
    from tests.conftest import TEST_TOKEN, free_port

    config = Settings(hf_token=TEST_TOKEN, hub_endpoint=server.url, router_url=server.url, default_model="test/tiny-gpt",
                      suggested_models=[("test/tiny-gpt", "test/tiny-gpt")], **settings)
    demo = build_app(config, Backend(), local_installed=False)
    demo.queue(default_concurrency_limit=config.concurrency_limit)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, app_kwargs=app_kwargs(),
                **launch_options(config))
    try:
        yield demo, f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture(autouse=True)
def _no_runs_left_behind():
    """Each test leaves no run in flight in the process-wide registry."""
    from playground.runs.slots import SLOTS

    yield
    assert wait_for(lambda: SLOTS.in_flight() == 0, seconds=30)


def test_leaving_the_page_stops_that_visitors_generate_only(server: ProtocolServer) -> None:
    """A single Generate too: the page's unload ends the leaving visitor's stream, and only theirs."""
    server.token_delay = 0.2
    with running_app(server) as (demo, url):
        leaving, staying = Client(url, verbose=False), Client(url, verbose=False)
        left = leaving.submit(**{**FORM, "max_new_tokens": 200}, api_name="/generate")
        stays = staying.submit(**{**FORM, "max_new_tokens": 12}, api_name="/generate")
        assert wait_for(lambda: server.open_streams == 2)
        run_unload_events(demo, leaving.session_hash)
        assert wait_for(lambda: server.cancelled_streams == 1)
        assert wait_for(left.done)
        stays.result(timeout=60)
        assert "tokens/s" in texts(stays) and server.cancelled_streams == 1


def test_leaving_the_page_ends_a_chat_answer() -> None:
    """The chat runners (Generate in Chat mode, Regenerate, an edit) take their backend's cancel flag
    from the visitor's session: the unload's `end_session` ends the answer where it is."""
    from components.chat_events import _start
    from components.context import RunContext
    from components.form import read_form
    from playground.chat.conversation import Conversation
    from playground.config import Settings
    from playground.hf.tokens import Tokens
    from playground.inference.events import Silence, Token
    from playground.runs.slots import SLOTS
    from tests.chat_updates import chat_outputs

    class EndlessBackend:
        """Answers forever, a token per tick, until its run's cancel flag is set."""

        def run(self, request, token, cancel=None):
            while not cancel.is_set():
                yield Token("more ")
                yield Silence(seconds=0.01, first_token=False, limit=120)

    ctx = RunContext(backend=EndlessBackend(), settings=Settings(hf_token=None))
    form = read_form({**FORM, "model": "http://127.0.0.1:9/", "mode": "Chat"})
    updates = _start(ctx, chat_outputs(), form, Tokens(None, None), Conversation(), lambda chat: chat.ask("Hi"),
                     session="visitor-leaving")
    for _ in range(5):
        next(updates)
    SLOTS.end_session("visitor-leaving")
    rest = list(itertools.islice(updates, 200))
    assert len(rest) < 200  # it ended (an endless answer fills the slice, an update per 40 ms)
