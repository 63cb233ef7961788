"""One validated request: the form, share links, history and presets accept exactly the same
values, by the same rules, and bad input of any kind gets a message instead of a crash."""

from __future__ import annotations

import gradio as gr
import pytest

from components.context import suggested_mode
from components.presets_panel import save_preset
from playground import errors as e
from playground.hf.token_format import check_token_format
from playground.input.form_values import FORM_FIELDS, PARAMETER_FIELDS, FormValues, form_values, request_from_form, settings_from_form
from playground.input.model_ref import check_model_syntax
from playground.input.params import GenerationParams
from playground.input.request import MAX_PROMPT_CHARS, PROVIDER_CHOICES, GenerationRequest, Mode
from playground.saved.history import add_run, entry_request, new_entry, parse_history
from playground.saved.presets import Preset, preset_from_request, presets_from_data, presets_from_yaml
from playground.saved.share import parse_share_query, parse_share_url, share_query

FORM = dict(model="org/name", provider="auto", mode="Completion", system_prompt="", prompt="Hi", temperature=0.7,
            max_new_tokens=20, seed=7, random_seed=False, top_p=1.0, top_k=0, repetition_penalty=1.0, frequency_penalty=0.0,
            stop="")


def form(**changes: object) -> FormValues:
    return FormValues(**{**FORM, **changes})


def history_entry(**changes: object) -> dict:
    request = GenerationRequest(model="org/name", prompt="Hi", params=GenerationParams(seed=1))
    return {**add_run([], new_entry(request, "out", {}))[0], **changes}


def test_the_form_fields_are_declared_once_in_the_api_order() -> None:
    assert FORM_FIELDS == ("model", "served_model", "provider", "mode", "system_prompt", "response_format", "json_schema", "prompt",
                           "temperature", "max_new_tokens", "seed", "random_seed", "top_p", "top_k", "repetition_penalty",
                           "frequency_penalty", "stop", "token_probabilities")
    request = request_from_form(form(mode="Chat", system_prompt="Be brief", stop="END"))
    assert request_from_form(FormValues(**form_values(request))) == request  # the form round-trips a request
    assert set(GenerationParams.model_fields) <= set(PARAMETER_FIELDS)  # every parameter has its control


def test_the_page_has_exactly_one_control_per_form_field() -> None:
    from components import format_panel, model_panel, parameters_panel
    from components.form import Form

    with gr.Blocks():
        built = Form.build(model_panel.build([("a/b", "a/b")], "a/b"), parameters_panel.build(), gr.Textbox(label="Prompt"),
                           format_panel.build(gr.Radio(["Completion", "Chat"], value="Completion")))
    assert list(built.controls) == list(FORM_FIELDS)
    assert built.updates({"prompt": "x"}) == {built["prompt"]: "x"}


# ---- providers: one list, not a list in the form and a regex in links and history ----------------


def test_a_share_link_with_a_provider_huggingface_hub_does_not_know_is_refused() -> None:
    """Guards the provider disagreement: links accepted any name matching a regex."""
    state = parse_share_query({"provider": "made-up-provider"})
    assert state.provider is None and state.problems[0].startswith("provider:")
    with pytest.raises(e.InvalidParametersError, match="Provider"):
        request_from_form(form(provider="made-up-provider"))


def test_a_history_entry_with_an_unknown_provider_is_dropped() -> None:
    """Guards the provider disagreement: history accepted any name matching the link regex."""
    assert parse_history([history_entry(provider="made-up-provider")]) == []


@pytest.mark.parametrize("provider", PROVIDER_CHOICES)
def test_every_listed_provider_survives_a_link_and_the_history(provider: str) -> None:
    request = GenerationRequest(model="org/name", prompt="Hi", provider=provider, params=GenerationParams(seed=3))
    assert parse_share_url(share_query(request)).apply_to(request).provider == provider
    assert entry_request(parse_history(add_run([], new_entry(request, "", {})))[0]) == request


# ---- the mode: matched exactly everywhere ---------------------------------------------------------


def test_a_share_link_with_a_lower_case_mode_is_refused_like_the_form_refuses_it() -> None:
    """Guards the mode disagreement: links matched "chat" case-insensitively, the form did not."""
    assert parse_share_query({"mode": "chat"}).mode is None
    assert parse_share_query({"mode": "Chat"}).mode is Mode.CHAT
    with pytest.raises(e.InvalidParametersError, match="Mode"):
        request_from_form(form(mode="chat"))


# ---- one prompt limit ---------------------------------------------------------------------------


def test_a_system_prompt_generate_accepts_can_be_saved_as_a_preset() -> None:
    """Guards the limit disagreement: presets allowed 20,000 characters, Generate 32,000."""
    long = "x" * 25_000
    request = settings_from_form(form(mode="Chat", system_prompt=long))
    assert preset_from_request("long", "Long", request).system_prompt == long
    assert presets_from_data([{"name": "ex", "label": "Ex", "examples": [long]}]).presets[0].examples == [long]


@pytest.mark.parametrize("field", ["prompt", "system_prompt"])
def test_one_character_over_the_limit_is_refused_everywhere(field: str) -> None:
    too_long = "x" * (MAX_PROMPT_CHARS + 1)
    with pytest.raises(e.InvalidParametersError, match="at most 32000"):
        request_from_form(form(**{field: too_long}))
    key = "system" if field == "system_prompt" else "prompt"
    assert getattr(parse_share_query({key: too_long}), field) is None
    assert parse_history([history_entry(**{field: too_long})]) == []
    assert parse_history([history_entry(**{field: "x" * MAX_PROMPT_CHARS})]) != []


# ---- bad input gets a message, not a crash -------------------------------------------------------


@pytest.mark.parametrize("model", ["http://[", "http://[::1", "https://host:port/"])
def test_a_malformed_url_as_the_model_is_refused_by_name(model: str) -> None:
    """Guards `http://[`: urlsplit's ValueError escaped as a crash."""
    with pytest.raises(e.InvalidModelError, match="not a valid URL"):
        check_model_syntax(model)
    with pytest.raises(e.InvalidModelError):
        request_from_form(form(model=model))


def test_the_mode_suggestion_never_fails_on_a_malformed_model() -> None:
    """Guards the Mode control turning into an error badge while `http://[` is typed."""
    assert suggested_mode("http://[", None, "Chat") == "Chat"
    assert suggested_mode(None, None, "Completion") == "Completion"  # type: ignore[arg-type]


def test_a_share_link_with_a_malformed_url_as_the_model_keeps_the_rest() -> None:
    state = parse_share_query({"model": "http://[", "prompt": "kept"})
    assert state.model is None and state.prompt == "kept" and state.problems[0].startswith("model:")
    assert parse_share_url("http://[?model=a/b").problems  # a page address that is not a URL at all


def test_a_lone_surrogate_in_the_system_prompt_is_refused_by_name() -> None:
    """Guards "\\ud800" reaching the HTTP client, which cannot encode it."""
    with pytest.raises(e.InvalidParametersError, match="System prompt: .*lone surrogate"):
        request_from_form(form(mode="Chat", system_prompt="Be \ud800 brief"))
    with pytest.raises(e.InvalidParametersError, match="Stop sequences"):
        request_from_form(form(stop="\udfff"))
    assert parse_share_query({"system": "\ud800"}).system_prompt is None


def test_saving_a_preset_without_a_name_says_so_and_keeps_the_stored_presets() -> None:
    """Guards the raw pydantic message shown for Save preset with an empty name."""
    for label in ("", "   ", None):
        with pytest.raises(gr.Error, match="Preset name") as raised:
            save_preset(label, [{"name": "mine", "label": "Mine"}], form())
        assert "validation error" not in str(raised.value).lower()


@pytest.mark.parametrize(("text", "words"), [("42", "is a number, not a preset"), ("{a: 1}", "is missing; every preset needs")])
def test_importing_yaml_that_is_not_a_preset_says_what_a_preset_is(text: str, words: str) -> None:
    """Guards "42" and "{a: 1}": raw schema jargon ("Field required", "not int") instead of advice."""
    load = presets_from_yaml(text)
    assert load.presets == [] and any(words in str(problem) for problem in load.problems)
    assert not any("Field required" in str(problem) or "not int" in str(problem) for problem in load.problems)
    assert Preset.model_fields  # the schema the advice names


@pytest.mark.parametrize("token", ["hf_abc\r\nX-Evil: 1", "hf_tökén", "hf_a b", "hf_tab\there"])
def test_a_token_a_header_cannot_carry_is_refused_without_quoting_it(token: str) -> None:
    with pytest.raises(e.InvalidTokenError) as raised:
        check_token_format(token)
    assert token not in str(raised.value) and "abc" not in raised.value.detail
    check_token_format("hf_" + "A1b2" * 8)
    check_token_format(None)
