"""Pure tests: parameters, form validation, the retry policy, model names, tokens, header parsing."""

from __future__ import annotations

import pytest

from playground import errors as e
from playground.config import Settings, load_settings
from playground.hf.tokens import pick_token
from playground.inference.http_errors import retry_after_seconds
from playground.inference.retry import RetryPolicy
from playground.input.form_values import FormValues, request_from_form
from playground.input.model_ref import check_endpoint_allowed, check_model_syntax
from playground.input.params import GenerationParams, field_bounds, field_label
from playground.input.request import Mode, client_call


def form(**changes: object) -> FormValues:
    values = dict(model="org/name", provider="auto", mode="Completion", system_prompt="", prompt="Hi", temperature=0.7,
                  max_new_tokens=20, seed=7, random_seed=False, top_p=1.0, top_k=0, repetition_penalty=1.0, frequency_penalty=0.0, stop="")
    return FormValues(**{**values, **changes})


def test_sliders_and_validation_share_one_declaration() -> None:
    import gradio as gr

    from components import parameters_panel

    with gr.Blocks():
        panel = parameters_panel.build()
    for name in ("temperature", "max_new_tokens", "top_k", "repetition_penalty"):
        slider = panel[name]
        assert (slider.minimum, slider.maximum) == field_bounds(name) and slider.label == field_label(name)
    assert field_bounds("temperature") == (0.0, 2.0)
    with pytest.raises(ValueError):
        GenerationParams(temperature=panel["temperature"].maximum + 0.01)
    GenerationParams(temperature=panel["temperature"].maximum)


def test_a_random_seed_is_resolved_to_a_concrete_number() -> None:
    assert request_from_form(form(random_seed=True)).params.seed is not None
    assert request_from_form(form(seed=99)).params.seed == 99


def test_stop_sequences_come_one_per_line() -> None:
    assert request_from_form(form(stop="###\n\nEND\n")).params.stop == ("###", "END")


@pytest.mark.parametrize("bad", [{"temperature": "hot"}, {"max_new_tokens": 10**9}, {"mode": "Rap"}, {"prompt": None}, {"system_prompt": 3}])
def test_out_of_range_or_odd_values_are_refused_by_name(bad: dict) -> None:
    with pytest.raises(e.InvalidParametersError):
        request_from_form(form(**bad))


def test_chat_mode_sends_openai_fields_and_completion_sends_tgi_fields() -> None:
    chat = client_call(request_from_form(form(mode="Chat", system_prompt="Be brief")))
    assert chat.method == "chat_completion" and chat.kwargs["max_tokens"] == 20
    assert chat.kwargs["messages"][0] == {"role": "system", "content": "Be brief"}
    completion = client_call(request_from_form(form()))
    assert completion.method == "text_generation" and completion.kwargs["max_new_tokens"] == 20
    assert Mode("Chat") is Mode.CHAT


@pytest.mark.parametrize("model", ["meta-llama/Llama-3.1-8B-Instruct", "https://x.endpoints.huggingface.cloud", "http://127.0.0.1:8080/v1"])
def test_hub_ids_and_endpoint_urls_are_accepted(model: str) -> None:
    assert check_model_syntax(f"  {model} ") == model


@pytest.mark.parametrize("model", ["", "noslash", "a/b/c", "../x/y", "org/name with space", "ftp://host/x", "http://", "org/" + "x" * 200])
def test_malformed_model_names_are_refused(model: str) -> None:
    with pytest.raises(e.InvalidModelError):
        check_model_syntax(model)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost/x", "http://10.0.0.5/", "http://[::1]:80/", "http://169.254.169.254/latest"])
def test_on_a_space_private_endpoints_are_refused(url: str) -> None:
    with pytest.raises(e.InvalidModelError, match="private or local"):
        check_endpoint_allowed(url, frozenset())


def test_the_allow_list_permits_a_private_endpoint() -> None:
    check_endpoint_allowed("http://10.0.0.5:8080/", frozenset({"10.0.0.5"}))


def test_a_public_endpoint_is_allowed_on_a_space() -> None:
    check_endpoint_allowed("http://93.184.215.14/", frozenset())


class TestRetryPolicy:
    policy = RetryPolicy(deadline=100, first_delay=1, max_delay=30, jitter=0)

    def test_the_servers_estimate_is_followed(self) -> None:
        assert self.policy.next_wait(e.ModelLoadingError(retry_after=14), attempt=1, elapsed=0) == 14

    def test_backoff_doubles_and_is_capped(self) -> None:
        waits = [self.policy.next_wait(e.ServiceUnavailableError(), attempt=n, elapsed=0) for n in range(1, 8)]
        assert waits == [1, 2, 4, 8, 16, 30, 30]

    def test_an_estimate_of_zero_still_waits_a_second_then_backs_off(self) -> None:
        """Guards issue 22.3: `estimated_time: 0` was honoured down to 0.1 s, about 130 requests in 15 s."""
        waits = [self.policy.next_wait(e.ModelLoadingError(retry_after=0), attempt=n, elapsed=0) for n in range(1, 5)]
        assert waits == [1, 2, 4, 8]

    def test_a_retry_after_longer_than_the_backoff_is_honoured(self) -> None:
        assert self.policy.next_wait(e.RateLimitedError(retry_after=45), attempt=1, elapsed=0) == 45

    def test_a_rate_limit_beyond_the_deadline_gives_up_at_once(self) -> None:
        assert self.policy.next_wait(e.RateLimitedError(retry_after=3600), attempt=1, elapsed=0) is None

    def test_no_wait_runs_past_the_deadline(self) -> None:
        assert self.policy.next_wait(e.ModelLoadingError(retry_after=20), attempt=3, elapsed=90) == 10
        assert self.policy.next_wait(e.ModelLoadingError(retry_after=20), attempt=4, elapsed=100) is None

    @pytest.mark.parametrize(("drawn", "factor"), [(0.0, 0.8), (0.5, 1.0), (0.999999, 1.2)])
    def test_jitter_spreads_each_wait_by_a_fifth_at_most(self, drawn: float, factor: float) -> None:
        policy = RetryPolicy(deadline=100, random=lambda: drawn)
        assert policy.next_wait(e.ServiceUnavailableError(), attempt=3, elapsed=0) == pytest.approx(4 * factor, rel=1e-5)
        assert policy.next_wait(e.ServiceUnavailableError(), attempt=1, elapsed=0) >= 1  # the floor holds under jitter


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({"retry-after": "7"}, 7.0), ({"ratelimit": '"api";r=0;t=55'}, 55.0), ({"retry-after": "soon"}, None), ({}, None)],
)
def test_retry_hints_are_read_from_headers(headers: dict, seconds: float | None) -> None:
    assert retry_after_seconds(headers) == seconds


def test_a_visitors_own_token_wins_and_the_servers_is_never_used_on_a_space() -> None:
    local, space = Settings(hf_token="hf_owner"), Settings(hf_token="hf_owner", on_space=True)
    assert pick_token("hf_mine", "hf_oauth", local) == "hf_mine"
    assert pick_token("", "hf_oauth", space) == "hf_oauth"
    assert pick_token(None, None, local) == "hf_owner"
    assert pick_token(None, None, space) is None


def test_settings_come_from_the_environment() -> None:
    settings = load_settings({"HF_ROUTER_URL": "http://proxy:9/", "SYSTEM": "spaces", "SPACE_ID": "me/app", "PLAYGROUND_ENDPOINT_ALLOWLIST": "A.internal, b",
                              "PLAYGROUND_RETRY_DEADLINE": "-4"})
    assert settings.router_url == "http://proxy:9" and settings.on_space
    assert settings.endpoint_allowlist == {"a.internal", "b"} and settings.retry_deadline == 300
    assert "hf_" not in repr(Settings(hf_token="hf_secret"))


def test_the_longest_accepted_prompt_can_still_be_kept_in_the_history() -> None:
    """Guards a crash: the form once accepted prompts the history refused, failing the finished run."""
    from playground.input.request import MAX_PROMPT_CHARS
    from playground.saved.history import new_entry

    request = request_from_form(form(prompt="x" * MAX_PROMPT_CHARS, system_prompt="y" * MAX_PROMPT_CHARS))
    assert new_entry(request, "answer", {}).prompt == request.prompt
    with pytest.raises(e.InvalidParametersError):
        request_from_form(form(prompt="x" * (MAX_PROMPT_CHARS + 1)))


def test_the_core_package_never_imports_gradio() -> None:
    """Guards the layering app.py -> components/ -> playground/: the core stays usable without a UI."""
    import ast
    from pathlib import Path

    for path in Path(__file__).parent.parent.parent.joinpath("playground").rglob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(name.split(".")[0] in {"gradio", "components"} for name in imported), path
