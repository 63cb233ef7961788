"""Compare and Sweep through gradio_client: the /compare and /sweep API endpoints of the running app."""

from __future__ import annotations

import pytest
from gradio_client import Client

from tests.api_forms import COMPARE, PARAMS, SWEEP
from tests.conftest import TEST_TOKEN
from tests.gradio_updates import last_values
from tests.protocol_answers import generate as expected_answer
from tests.protocol_server import ProtocolServer


@pytest.fixture
def app(app_url: str, server: ProtocolServer) -> Client:
    return Client(app_url, verbose=False)


def final_values(job) -> list[object]:
    """Each output's last value, once the job has finished."""
    job.result(timeout=120)
    return last_values(job.outputs())


def texts(values: list[object]) -> str:
    return " ".join(str(value) for value in values)


def test_compare_streams_every_pane_with_the_visitors_token(app: Client, server: ProtocolServer) -> None:
    values = final_values(app.submit(**{**COMPARE, "model_b": f"{server.url}/tgi/ep", "session_token": "hf_visitor"},
                                     api_name="/compare"))
    answer = expected_answer("Side by side", seed=5, temperature=0.7, max_tokens=6).text
    assert values.count(answer) == 2
    assert {post.headers.get("authorization") for post in server.posts()} == {"Bearer hf_visitor"}
    assert "hf_visitor" not in texts(values) and TEST_TOKEN not in texts(values)  # not in the link, the code, anything


def test_a_sweep_above_24_runs_is_refused_and_sends_nothing(app: Client, server: ProtocolServer) -> None:
    values = final_values(app.submit(**{**SWEEP, "models": ["test/tiny-gpt", "test/chat-model"], "temperatures": "0.1, 0.5, 0.9",
                                        "seeds": "1, 2, 3, 4, 5"}, api_name="/sweep"))
    assert "2 models × 3 temperatures × 5 seeds makes 30 runs; at most 24" in texts(values)
    assert server.posts() == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"seeds": "1, two"}, "Seeds: &#x27;two&#x27; is not a whole number"),
    ({"temperatures": "3"}, "Temperatures: 3"),
    ({"models": ["no slash"]}, "Models: &#x27;no slash&#x27;"),
    ({"prompt": "  "}, "Type a prompt first"),
])
def test_bad_sweep_fields_are_named_in_the_message(app: Client, server: ProtocolServer, changes: dict, message: str) -> None:
    values = final_values(app.submit(**{**SWEEP, **changes}, api_name="/sweep"))
    assert message in texts(values)
    assert server.posts() == []


def test_one_visitors_comparison_never_blocks_another_visitors_run(app: Client, app_url: str, server: ProtocolServer) -> None:
    server.token_delay = 0.05
    long = app.submit(**{**COMPARE, "panes": 4, "max_new_tokens": 200}, api_name="/compare")
    other = Client(app_url, verbose=False)
    quick = other.submit(model="test/tiny-gpt", provider="auto", mode="Completion", system_prompt="", prompt="Me too",
                         **{**PARAMS, "max_new_tokens": 3}, api_name="/generate")
    quick.result(timeout=120)
    assert not long.done()  # the 4-pane comparison (200 tokens each) is still streaming
    long.cancel()


def test_panes_that_pause_between_tokens_still_finish(app: Client, server: ProtocolServer) -> None:
    """Regression guard: a batch that changes nothing on screen (silence ticks) sent an empty update, which
    Gradio read as one value and failed the whole event."""
    server.token_delay = 0.6  # longer than the backend's tick: silence is reported between tokens
    values = final_values(app.submit(**{**COMPARE, "max_new_tokens": 3}, api_name="/compare"))
    assert values.count(expected_answer("Side by side", seed=5, temperature=0.7, max_tokens=3).text) == 2
