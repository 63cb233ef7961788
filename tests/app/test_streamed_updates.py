"""What each streamed update carries (issue 8). Gradio diffs an output's value, so an unchanged one
costs nothing, but it rebuilds the component of every output an update leaves out, on its event
loop, at every update. So token updates give each display-only output its value. They leave out
only what the visitor may be editing meanwhile: in Chat mode, the Prompt (the next message). Stop's
"Stopped." has its own panel, which no stream writes to, so a token update still in flight after
Stop can't erase it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import gradio as gr

from components.chat_run import run_conversation
from components.generation import RunOutputs, render_run
from components.messages import FALLBACK_IDLE, STOPPED
from playground.chat.conversation import Conversation
from playground.chat.facts import ModelFacts
from playground.inference.events import Done, Event, RunStats, Silence, Token
from playground.input.request import GenerationRequest, Mode
from tests.chat_updates import chat_outputs, run_conversation_updates

PIECES = [f"w{i} " for i in range(5)]


class StepBackend:
    """A token at a time, then Done."""

    def run(self, request: GenerationRequest, token: str | None) -> Iterator[Event]:
        yield from (Token(piece) for piece in PIECES)
        yield Done(RunStats(time_to_first_token=0.01, total_time=0.02, tokens=len(PIECES), seed=1, attempts=1))


def completion_outputs() -> RunOutputs:
    with gr.Blocks():
        return RunOutputs(gr.Textbox(), gr.HTML(), gr.Markdown(), gr.State(), gr.Button(FALLBACK_IDLE), gr.HTML(STOPPED))


def completion_token_updates() -> tuple[RunOutputs, list[dict]]:
    out = completion_outputs()
    request = GenerationRequest(model="test/tiny-gpt", prompt="Hello", params={"seed": 1})
    updates = list(render_run(StepBackend().run(request, None), out, request))
    return out, [update for update in updates if out.finished not in update]  # the last one is Done's


def test_completion_token_updates_give_output_stats_and_the_hidden_button_plain_values() -> None:
    out, updates = completion_token_updates()
    assert len(updates) == len(PIECES)
    for update in updates:
        assert isinstance(update[out.output], str) and update[out.stats] == "" and update[out.fallback] == FALLBACK_IDLE
        assert update[out.stopped] == STOPPED  # its only value: a plain value can't show or hide it
    assert updates[-1][out.output] == "".join(PIECES)


def test_the_first_completion_token_hides_the_status_and_the_later_updates_keep_it_hidden_and_empty() -> None:
    out, updates = completion_token_updates()
    assert updates[0][out.status] == gr.update(value="", visible=False)  # "Sending…" is hidden once text arrives
    assert all(update[out.status] == "" for update in updates[1:])  # a plain value: nothing rebuilt, nothing shown
    request = GenerationRequest(model="test/tiny-gpt", prompt="Hello", params={"seed": 1})
    done = list(render_run(StepBackend().run(request, None), out, request))[-1]
    assert done[out.status] == "" and "tokens/s" in done[out.stats]  # the end too, when no notice came up


def test_with_probabilities_off_the_view_is_hidden_once_and_then_gets_plain_values_to_the_end() -> None:
    """The first token hides the "Token probabilities" view (a previous run's may be showing); every
    later update, Done's included, gives it a plain value, which rebuilds nothing."""
    with gr.Blocks():
        out = RunOutputs(gr.Textbox(), gr.HTML(), gr.Markdown(), gr.State(), gr.Button(FALLBACK_IDLE), gr.HTML(STOPPED), gr.HTML(), gr.State())
    request = GenerationRequest(model="test/tiny-gpt", prompt="Hello", params={"seed": 1})
    updates = list(render_run(StepBackend().run(request, None), out, request))
    assert updates[0][out.probs_view] == gr.update(value="", visible=False)
    assert all(update[out.probs_view] == "" for update in updates[1:])
    assert out.finished in updates[-1]  # Done is among them


def test_an_answer_with_no_text_still_hides_the_view_at_done() -> None:
    with gr.Blocks():
        out = RunOutputs(gr.Textbox(), gr.HTML(), gr.Markdown(), gr.State(), gr.Button(FALLBACK_IDLE), gr.HTML(STOPPED), gr.HTML(), gr.State())
    request = GenerationRequest(model="test/tiny-gpt", prompt="Hello", params={"seed": 1})
    done = Done(RunStats(time_to_first_token=0.01, total_time=0.02, tokens=0, seed=1, attempts=1))
    (update,) = list(render_run(iter([done]), out, request))
    assert update[out.probs_view] == gr.update(value="", visible=False)


def test_chat_token_updates_give_display_outputs_values_and_leave_the_prompt_alone() -> None:
    out = chat_outputs()
    updates = run_conversation_updates(out, interval=0.0, pieces=PIECES)
    token_updates = [update for update in updates[1:] if out.finished not in update]  # after "Sending…", before Done
    assert len(token_updates) == len(PIECES)
    for update in token_updates:
        assert update[out.stats] == "" and update[out.panel.verdict] == "" and update[out.panel.fit_notice] == ""
        assert out.prompt not in update  # the visitor may be typing the next message
        assert update[out.stopped] == STOPPED
    assert token_updates[0][out.status] == gr.update(value="", visible=False)
    assert all(update[out.status] == "" for update in token_updates[1:])


def test_the_generate_events_skip_gradios_value_processing_only_where_values_are_plain() -> None:
    """The Completion event takes the form's values as sent (GenerationRequest checks them) and
    returns plain strings, so Gradio's per-value worker-thread hops are skipped; the Chat event still
    needs its postprocess, for the Chatbot's messages."""
    from app import build_app
    from playground.config import Settings
    from playground.inference.backend import Backend

    demo = build_app(Settings(), Backend())
    completion = next(fn for fn in demo.fns.values() if fn.api_name == "generate")
    chat = next(fn for fn in demo.fns.values() if fn.name == "generate_chat")
    page_completion = next(fn for fn in demo.fns.values() if fn.name == "generate" and fn.outputs[-1].elem_id == "pg-stopped")
    assert (completion.preprocess, completion.postprocess) == (False, False)
    assert (page_completion.preprocess, page_completion.postprocess) == (False, False)
    assert (chat.preprocess, chat.postprocess) == (False, True)


def test_stop_shows_stopped_and_hides_the_status_rather_than_writing_to_it() -> None:
    """Stop's update may land before the stream's last one, and a plain value can't show or hide a
    panel: so the stream's later values change nothing the visitor sees."""
    from components.run_panel import stop_run

    status, stopped, _stop, running = stop_run(1)
    assert status == gr.update(visible=False) and stopped == gr.update(visible=True) and running == 0


def test_a_stop_with_nothing_running_changes_nothing() -> None:
    """Guards issue 20: pressed while nothing runs, Stop says nothing ("Stopped." stays hidden)."""
    from components.run_panel import stop_run

    assert stop_run(0) == [gr.skip()] * 4


def matplotlib_after_start(extra_path: str | None = None) -> str:
    """What `sys.modules["matplotlib"]` holds after the app's start-up step, in a fresh interpreter."""
    import subprocess
    import sys

    code = ("import sys; sys.path[:0] = [p for p in [sys.argv[1]] if p]; import app; "
            "from playground.patches.absent_modules import skip_absent_matplotlib; skip_absent_matplotlib(); "
            "print(repr(sys.modules.get('matplotlib', 'unset')))")
    done = subprocess.run([sys.executable, "-c", code, extra_path or ""], capture_output=True, text=True, check=True, timeout=120)
    return done.stdout.strip()


def test_an_absent_matplotlib_is_marked_absent_so_gradios_per_update_import_fails_at_once() -> None:
    import importlib.util

    assert importlib.util.find_spec("matplotlib") is None, "matplotlib is installed here: this test needs an environment without it"
    assert matplotlib_after_start() == "None"


def test_an_installed_matplotlib_is_left_alone(tmp_path) -> None:
    (tmp_path / "matplotlib").mkdir()
    (tmp_path / "matplotlib" / "__init__.py").write_text("")
    assert matplotlib_after_start(str(tmp_path)) == "'unset'"  # found, not imported, not touched


class PausingBackend:
    """One token, then a pause of 2 s between tokens, told as the backend tells it: a Silence per 0.25 s tick."""

    def run(self, request: GenerationRequest, token: str | None) -> Iterator[Event]:
        yield Token("first ")
        for tick in range(1, 9):
            time.sleep(0.25)
            yield Silence(seconds=tick * 0.25, first_token=False, limit=120)
        yield Token("second")
        yield Done(RunStats(time_to_first_token=0.01, total_time=2.1, tokens=2, seed=1, attempts=1))


def test_a_pause_in_a_completion_still_updates_the_page_twice_a_second_so_stop_closes_it_at_once() -> None:
    """Gradio closes a cancelled event only between two of its items: a pause under the 3 s notice
    used to send nothing at all. Each tick is at least 0.25 s apart, so each one is a heartbeat."""
    out = completion_outputs()
    request = GenerationRequest(model="test/tiny-gpt", prompt="Hello", params={"seed": 1})
    updates = list(render_run(PausingBackend().run(request, None), out, request))
    pause = updates[1:-2]  # between the first token's update and the second's (then Done's)
    assert len(pause) >= 4  # at least one per 0.5 s of the 2 s pause
    assert all(update == {out.stats: ""} for update in pause)  # an unchanged value: nothing moves on screen


def test_a_pause_in_a_chat_answer_still_updates_the_page_twice_a_second_so_stop_closes_it_at_once() -> None:
    out = chat_outputs()
    request = GenerationRequest(model="test/chat-model", prompt="Hello", mode=Mode.CHAT, params={"seed": 1})
    asked = Conversation().ask("Hello")
    updates = list(run_conversation(PausingBackend(), out, request, None, Conversation(), asked, ModelFacts()))
    heartbeats = [update for update in updates if update == {out.stats: ""}]
    assert len(heartbeats) >= 4


def test_the_retry_headline_counts_down_with_the_servers_estimate() -> None:
    """Guards issue 20: the headline stood at "about 3 s left" while the waited time climbed."""
    from components.messages import waiting_text
    from playground.inference.events import Waiting, WaitReason

    def at(seconds_left: float) -> str:
        return waiting_text(Waiting(attempt=2, reason=WaitReason.LOADING, seconds_left=seconds_left, wait_length=2.0,
                                    waited=2.0 - seconds_left, deadline_left=30.0, estimate=10.0))

    assert [at(2.0), at(1.0), at(0.1)] == [f"Model is loading — attempt 2, about {s} s left" for s in (10, 9, 8)]


def test_a_compare_or_sweep_stop_with_nothing_running_does_nothing_and_with_a_run_asks_it_to_stop() -> None:
    import threading

    from components.context import STOP_IDLE
    from components.runs_form import request_stop

    assert request_stop(None) == [gr.skip(), gr.skip()]  # nothing runs: Stop changes nothing
    live = threading.Event()
    assert request_stop(live) == [gr.skip(), gr.update(**STOP_IDLE)] and live.is_set()  # it goes quiet at once


def every_error_class(base: type) -> list[type]:
    return [base, *(found for sub in base.__subclasses__() for found in every_error_class(sub))]


def test_no_failure_tells_the_presenter_to_pick_a_suggested_model() -> None:
    """Guards issue 20: a suggested model can fail too, so no card sends the presenter back to the suggestions."""
    from components.messages import error_title_and_advice
    from playground import errors as e

    for error_class in every_error_class(e.PlaygroundError):
        error = error_class.__new__(error_class)  # the words depend on the class (and `on_space`), not on the detail
        for on_space in (False, True):
            error.on_space = on_space
            words = " ".join(error_title_and_advice(error)).lower()
            assert "suggested model" not in words, error_class.__name__
