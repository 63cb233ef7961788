"""Silent, cut-off and parameter-refusing models, as the page (through gradio_client) sees them."""

from __future__ import annotations

import json
import threading

from gradio_client import Client

from components.parameters_panel import CHAT_UNSENT_INFO, chat_unsent_controls
from playground.config import load_settings
from playground.input.params import field_help
from playground.input.request import MAX_PROMPT_CHARS, GenerationRequest
from playground.saved.history import MAX_OUTPUT_CHARS, add_run, entry_label, new_entry, parse_history
from playground.web.body_limit import MAX_BODY_BYTES
from tests.conftest import wait_for
from tests.protocol_server import ProtocolServer, Reply

FORM = {
    "model": "test/tiny-gpt", "provider": "auto", "mode": "Completion", "system_prompt": "", "prompt": "Hello there",
    "temperature": 0.7, "max_new_tokens": 6, "seed": 5, "random_seed": False, "top_p": 1.0, "top_k": 0,
    "repetition_penalty": 1.0, "stop": "", "session_token": "",
}


def status_texts(updates: list) -> str:
    return " ".join(str(update[1].get("value", "")) for update in updates if isinstance(update[1], dict))



def test_generate_works_again_right_after_stop_on_a_hung_model(app_url: str, server: ProtocolServer) -> None:
    """Guards C.7: on a model that accepted the request and went silent, the page said "Sending…"
    forever, and after Stop it could not Generate again for about 60 s (Gradio retried closing
    the run while its thread sat in a socket read, holding the app's lock)."""
    client = Client(app_url, verbose=False)
    server.script("test/tiny-gpt", Reply(stall_after=0))
    before = set(threading.enumerate())
    job = client.submit(**FORM, api_name="/generate")
    assert wait_for(lambda: "Waiting for the first token — 1 s" in status_texts(job.outputs()))
    (reader,) = [thread for thread in threading.enumerate() if thread not in before and thread.name == "model-stream"]
    job.cancel()  # what Stop does: Gradio cancels the event and closes the handler
    assert wait_for(lambda: server.cancelled_streams == 1)  # the model's server saw the stream closed
    assert wait_for(lambda: not reader.is_alive())  # and no thread is left reading it
    again = client.submit(**FORM, api_name="/generate")
    assert again.result(timeout=30)[0].startswith("Echo seed=5 temp=0.7: Hello there")


def test_a_cut_off_answer_says_so_and_keeps_the_text(app_url: str, server: ProtocolServer) -> None:
    """Guards C.9: a stream closed cleanly after 3 tokens was shown as a finished answer."""
    client = Client(app_url, verbose=False)
    server.script("test/tiny-gpt", Reply(cut_after=3))
    updates = list(client.submit(**FORM, api_name="/generate"))
    assert "The answer was cut off" in status_texts(updates)
    assert updates[-1][0] == "Echo seed=5 temp=0.7: "  # the three tokens received are kept


def test_a_parameter_the_model_ignored_is_named_in_the_stats_line(app_url: str, server: ProtocolServer) -> None:
    """Guards item 14: huggingface_hub drops refused parameters; the run must say which."""
    server.add_model("test/pipeline-model", refused_params=("seed",))
    client = Client(app_url, verbose=False)
    updates = list(client.submit(**{**FORM, "model": "test/pipeline-model"}, api_name="/generate"))
    output, _, stats = updates[-1]
    assert output.startswith("Echo seed=None")  # the server never saw the seed
    assert "seed ignored by this model" in stats


def test_a_parameter_the_model_ignored_is_kept_in_the_history() -> None:
    """Guards item 14: the history entry (and its line in the list) says the replay is not exact."""
    entry = new_entry(GenerationRequest(model="test/pipeline-model", prompt="hi"), "text", {}, ignored_params=("seed",))
    stored = add_run(None, entry)
    (restored,) = parse_history(stored)
    assert restored.ignored_params == ("seed",)
    assert entry_label(restored).endswith("seed ignored by this model")
    assert not entry_label(new_entry(GenerationRequest(model="test/tiny-gpt", prompt="hi"), "text", {})).endswith("model")


def test_the_history_stays_under_the_request_size_limit() -> None:
    """The browser sends the history back with some events, and bodies over 1 MB are refused:
    the oldest runs are dropped so the stored list always fits."""
    big = "é" * MAX_OUTPUT_CHARS
    stored: list = []
    for _ in range(20):
        stored = add_run(stored, new_entry(GenerationRequest(model="test/tiny-gpt", prompt="p" * MAX_PROMPT_CHARS), big, {}))
    assert 1 < len(stored) < 20
    # As the page sends it: JSON.stringify keeps non-ASCII characters as UTF-8.
    assert len(json.dumps(stored, ensure_ascii=False).encode()) < MAX_BODY_BYTES - 64 * 1024


def test_top_k_and_repetition_penalty_are_disabled_in_chat_mode_with_the_reason() -> None:
    """Guards item 14: in Chat mode these two were silently not sent."""
    top_k, penalty = chat_unsent_controls("Chat")
    assert top_k["interactive"] is False and penalty["interactive"] is False
    assert top_k["info"] == penalty["info"] == CHAT_UNSENT_INFO
    top_k, penalty = chat_unsent_controls("Completion")
    assert top_k["interactive"] is True and top_k["info"] == field_help("top_k")
    assert penalty["interactive"] is True and penalty["info"] == field_help("repetition_penalty")


def test_the_silence_limit_comes_from_the_environment() -> None:
    assert load_settings({"PLAYGROUND_FIRST_TOKEN_TIMEOUT": "45"}).first_token_timeout == 45
    assert load_settings({"PLAYGROUND_FIRST_TOKEN_TIMEOUT": "soon"}).first_token_timeout == 120
    assert load_settings({}).first_token_timeout == 120


def test_switching_mode_updates_the_two_sliders_chat_does_not_send() -> None:
    """The wiring of the above: Mode's change event feeds Top-k and Repetition penalty."""
    import gradio as gr

    from app import build_app
    from playground.config import Settings
    from playground.inference.backend import Backend

    demo = build_app(Settings(), Backend())
    by_label = {getattr(block, "label", None): block for block in demo.blocks.values()}
    mode, top_k, penalty = by_label["Mode"], by_label["Top-k"], by_label["Repetition penalty"]
    assert isinstance(mode, gr.Radio)
    (wired,) = [fn for fn in demo.fns.values() if fn.fn is chat_unsent_controls]
    assert (mode._id, "change") in [(target[0], target[1]) for target in wired.targets]
    assert [block._id for block in wired.inputs] == [mode._id]
    assert [block._id for block in wired.outputs] == [top_k._id, penalty._id]
