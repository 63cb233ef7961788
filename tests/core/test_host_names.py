"""A host name no request could reach is an invalid model, worded, on every path that takes a model:
the IDNA encoding in the client and the resolver raised UnicodeError for it, which escaped as a crash."""

from __future__ import annotations

import pytest

from playground import errors as e
from playground.input.form_values import FormValues, request_from_form
from playground.input.model_ref import check_endpoint_allowed, check_model_syntax
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest
from playground.runs.compare import parse_pane
from playground.runs.preflight import Preflight
from playground.runs.sweep import parse_models
from playground.saved.history import add_run, new_entry, parse_history
from playground.saved.presets import presets_from_data
from playground.saved.share import parse_share_query
from tests.conftest import wait_for

LONG_LABEL = "http://" + "a" * 70 + ".example/"
BAD_HOSTS = [LONG_LABEL, "http://a..example/", "http://.example/", "https://" + "é" * 70 + ".example/v1",
             "http://" + ".".join(["a" * 60] * 5) + "/"]
FORM = dict(model="org/name", provider="auto", mode="Completion", system_prompt="", prompt="Hi", temperature=0.7,
            max_new_tokens=20, seed=7, random_seed=False, top_p=1.0, top_k=0, repetition_penalty=1.0, frequency_penalty=0.0,
            stop="")


@pytest.mark.parametrize("url", BAD_HOSTS)
def test_a_bad_host_name_is_an_invalid_model_with_a_reason(url: str) -> None:
    with pytest.raises(e.InvalidModelError, match="invalid host name"):
        check_model_syntax(url)


@pytest.mark.parametrize("url", ["http://" + "a" * 63 + ".example/", "http://münchen.example/v1", "http://a.example./",
                                 "http://ex_ample.example/", "http://127.0.0.1:8080/v1", "http://[::1]:80/"])
def test_good_host_names_still_pass(url: str) -> None:
    assert check_model_syntax(url) == url


def test_the_space_address_check_never_raises_unicode_error(no_foreign_connections: None) -> None:
    with pytest.raises(e.InvalidModelError):  # words, not a UnicodeError: a Space refuses what it can't resolve
        check_endpoint_allowed(LONG_LABEL, frozenset())


def test_every_path_that_takes_a_model_words_a_bad_host() -> None:
    with pytest.raises(e.InvalidModelError, match="invalid host name"):  # Generate and View code
        request_from_form(FormValues(**{**FORM, "model": LONG_LABEL}))
    with pytest.raises(e.InvalidParametersError, match="Model A: .*invalid host name"):  # Compare
        parse_pane("A", LONG_LABEL, "auto", "Completion")
    with pytest.raises(e.InvalidParametersError, match="Models: .*invalid host name"):  # Sweep
        parse_models(f"org/a, {LONG_LABEL}")
    shared = parse_share_query({"model": LONG_LABEL, "prompt": "Hi"})  # a share link
    assert shared.model is None and any("invalid host name" in problem for problem in shared.problems)
    loaded = presets_from_data([{"name": "p", "label": "P", "model": LONG_LABEL}])  # a preset
    assert not loaded.presets and "invalid host name" in str(loaded.problems[0])
    entry = add_run([], new_entry(GenerationRequest(model="org/name", prompt="Hi", params=GenerationParams(seed=1)), "out", {}))[0]
    assert parse_history([{**entry, "model": LONG_LABEL}]) == []  # a history entry


def test_check_models_reports_a_bad_host_without_probing_it() -> None:
    preflight = Preflight(backend=None, models=[LONG_LABEL], token=None).start()  # type: ignore[arg-type]
    assert wait_for(preflight.finished)
    [result] = preflight.results()
    assert isinstance(result.error, e.InvalidModelError) and "invalid host name" in result.error.detail
