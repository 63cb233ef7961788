"""The running app through gradio_client: what an API caller (or the page) gets back."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.api_forms import FORM
from tests.conftest import TEST_TOKEN, wait_for
from tests.protocol_server import ProtocolServer, Reply


@pytest.fixture
def app(app_url: str, server: ProtocolServer) -> Client:
    return Client(app_url, verbose=False)


def generate(client: Client, **changes: object) -> list[tuple]:
    """Every update the /generate event streamed, in order: (output, status, stats)."""
    job = client.submit(**{**FORM, **changes}, api_name="/generate")
    updates = list(job)
    return updates or [job.result()]


def refusal(client: Client, **changes: object) -> str:
    """The message a refused request shows: in the status panel (the form's values reach the
    handler as sent, and GenerationRequest checks them), or an error Gradio raises itself."""
    try:
        return status_texts(generate(client, **changes))
    except AppError as error:
        return str(error)


def status_texts(updates: list[tuple]) -> str:
    """Everything the status panel showed: updates (a value with visibility) and plain values alike."""
    return " ".join(str(status.get("value", "")) if isinstance(status, dict) else str(status) for _, status, _ in updates)


def final_output(updates: list[tuple]) -> object:
    return updates[-1][0]


def test_generate_streams_the_answer_and_shows_stats(app: Client, server: ProtocolServer) -> None:
    server.token_delay = 0.06  # slower than the page's update interval, so tokens are not merged
    updates = generate(app)
    outputs = [out for out, _, _ in updates if isinstance(out, str)]
    assert len(set(outputs)) >= 3  # arrived in pieces, not at once
    assert final_output(updates).startswith("Echo seed=5 temp=0.7: Hello there")
    assert "6 tokens" in updates[-1][2] and "seed 5" in updates[-1][2]


def test_a_random_seed_is_chosen_sent_and_shown(app: Client, server: ProtocolServer) -> None:
    updates = generate(app, random_seed=True)
    sent_seed = server.posts("test/tiny-gpt")[0].body["parameters"]["seed"]
    assert f"seed {sent_seed}" in updates[-1][2]


def test_the_request_carries_the_settings_from_the_form(app: Client, server: ProtocolServer) -> None:
    generate(app, temperature=1.3, max_new_tokens=9, seed=1234, top_k=40, stop="END")
    parameters = server.posts("test/tiny-gpt")[0].body["parameters"]
    # details: asked for by the backend to see the stream's final event (a cut-off answer shows).
    assert parameters == {"temperature": 1.3, "max_new_tokens": 9, "seed": 1234, "top_k": 40, "stop": ["END"], "details": True}


def test_a_loading_model_shows_the_retry_panel_then_answers(app: Client, server: ProtocolServer) -> None:
    loading = Reply(status=503, body={"error": "Model test/tiny-gpt is currently loading", "estimated_time": 0.6})
    server.script("test/tiny-gpt", loading, loading)
    updates = generate(app)
    assert "Model is loading — attempt 2" in status_texts(updates)
    assert "Model is loading — attempt 3" in status_texts(updates)
    assert final_output(updates).startswith("Echo seed=5")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"temperature": 7.5}, "Temperature: Input should be less than or equal to 2"),
        ({"max_new_tokens": 0}, "greater than or equal to 1"),
        ({"seed": -3, "random_seed": False}, "Seed: Input should be greater than or equal to 0"),
        ({"top_k": "many"}, "unable to parse string as an integer"),
        ({"stop": "a\nb\nc\nd\ne"}, "Stop sequences"),
        ({"model": "not a model id"}, "model name can"),
        ({"model": "../../etc/passwd"}, "model name can"),
        ({"model": "javascript:alert(1)"}, "model name can"),
        ({"provider": "evil-provider"}, "Provider: not a provider"),
        ({"prompt": "   "}, "Prompt"),
    ],
)
def test_bad_input_sent_straight_to_the_api_is_refused_with_a_message(app: Client, server: ProtocolServer, changes: dict, message: str) -> None:
    assert message in refusal(app, **changes)
    assert server.posts() == []


def test_an_unknown_model_says_not_found(app: Client, server: ProtocolServer) -> None:
    updates = generate(app, model="test/no-such-model")
    assert "Model not found" in status_texts(updates)


def test_the_visitors_own_token_is_used_for_their_request(app: Client, server: ProtocolServer) -> None:
    generate(app, session_token="hf_visitor_token")
    assert server.posts()[0].headers["authorization"] == "Bearer hf_visitor_token"


def test_four_visitors_on_a_slow_model_are_served_side_by_side(app: Client, app_url: str, server: ProtocolServer) -> None:
    """Served side by side, not one after another: the model sends several of their streams at once."""
    server.token_delay = 0.1
    finished: list[str] = []

    def one_visitor() -> None:
        finished.append(str(final_output(generate(Client(app_url, verbose=False), max_new_tokens=10))))

    threads = [threading.Thread(target=one_visitor) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(finished) == 4 and all(answer.startswith("Echo") for answer in finished)
    assert server.peak_open_streams >= 2


def test_suggested_mode_follows_the_provider_mapping(app: Client, server: ProtocolServer) -> None:
    assert app.predict("test/chat-model", TEST_TOKEN, "Completion", api_name="/suggested_mode") == "Chat"
    assert app.predict("test/tiny-gpt", TEST_TOKEN, "Chat", api_name="/suggested_mode") == "Completion"
    assert app.predict("test/unknown", TEST_TOKEN, "Chat", api_name="/suggested_mode") == "Chat"


def test_gradios_own_run_history_is_off_so_tokens_are_not_kept_in_the_browser(app_url: str) -> None:
    config = httpx.get(app_url + "config", timeout=10).json()
    assert config["run_history"] is False


def test_a_second_request_to_the_local_model_waits_its_turn(tokenless_app_url: str, local_service, server: ProtocolServer) -> None:
    local = {**FORM, "model": "local/SmolLM2-135M-Instruct", "prompt": "Count to twenty:", "max_new_tokens": 120}
    client = Client(tokenless_app_url, verbose=False)
    generate(client, **{**local, "max_new_tokens": 2})  # loads the weights first
    first = client.submit(**local, api_name="/generate")
    assert wait_for(lambda: any(isinstance(update[0], str) and update[0] for update in first.outputs()))  # the first is answering
    second = list(client.submit(**local, api_name="/generate"))
    first.result()
    assert "waiting its turn" in status_texts(second)
    assert isinstance(final_output(second), str) and final_output(second).strip()


def test_only_generate_view_code_compare_and_sweep_are_public_api_endpoints(app: Client, app_url: str) -> None:
    """Guards the API surface: internal steps (/record_1, /restore_run_1, /generate_1 ...) were public."""
    public = {"/generate", "/view_code", "/compare", "/sweep"}
    info = httpx.get(app_url + "gradio_api/info", timeout=10).json()
    assert set(info["named_endpoints"]) == public and not info["unnamed_endpoints"]
    assert set(app.view_api(return_format="dict", print_info=False)["named_endpoints"]) == public


def test_the_generate_api_takes_the_form_fields_in_their_declared_order(app_url: str) -> None:
    from playground.input.form_values import FORM_FIELDS

    info = httpx.get(app_url + "gradio_api/info", timeout=10).json()
    names = [parameter["parameter_name"] for parameter in info["named_endpoints"]["/generate"]["parameters"]]
    assert names == [*FORM_FIELDS, "session_token", "endpoint_token"]
    view_code = [parameter["parameter_name"] for parameter in info["named_endpoints"]["/view_code"]["parameters"]]
    assert view_code == list(FORM_FIELDS)


@pytest.mark.parametrize("token", ["hf_abc\r\ndef", "hf_tökén", "hf_two words"])
def test_a_malformed_token_is_called_refused_and_never_shown(app: Client, server: ProtocolServer, token: str) -> None:
    """Guards non-ASCII and CR/LF tokens, which were reported as "not served" or "cut off"."""
    updates = generate(app, session_token=token)
    texts = status_texts(updates)
    assert "The Hugging Face token was refused" in texts
    assert token not in texts and token.strip() not in str(updates)
    assert server.posts() == []


def test_a_malformed_url_as_the_model_is_refused_with_a_message(app: Client, server: ProtocolServer) -> None:
    """Guards `http://[`, which escaped as an unhandled ValueError."""
    assert "model name can" in refusal(app, model="http://[")
    assert app.predict("http://[", "", "Chat", api_name="/suggested_mode") == "Chat"
    assert server.posts() == []


def test_a_lone_surrogate_in_the_system_prompt_is_refused_by_its_label(app_url: str, server: ProtocolServer) -> None:
    """Guards "\\ud800" in the system prompt, which failed inside the HTTP client. Sent with httpx:
    gradio_client itself cannot encode a lone surrogate, a browser's JSON (escaped "\\ud800") can."""
    values = {**FORM, "mode": "Chat", "system_prompt": "Be \ud800 brief"}
    body = json.dumps({"data": list(values.values())})  # ensure_ascii: the surrogate travels escaped
    started = httpx.post(app_url + "gradio_api/call/generate", content=body, headers={"content-type": "application/json"}, timeout=10)
    answer = httpx.get(app_url + "gradio_api/call/generate/" + started.json()["event_id"], timeout=30).text
    assert "System prompt: holds a character that is not valid Unicode" in answer
    assert "event: complete" in answer and server.posts() == []
