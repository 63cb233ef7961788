"""The Endpoint token, in the core: which model gets which token, the key's accepted shapes, the
pre-flight's left-out URLs, and the snippets' variable (issue 22, part 1)."""

from __future__ import annotations

import pytest

from playground import errors as e
from playground.config import Settings
from playground.hf.tokens import Tokens, is_foreign_endpoint, token_for_model
from playground.input.request import GenerationRequest
from playground.runs.preflight import left_out_until_run
from playground.saved.javascript import javascript_snippet
from playground.saved.snippets import ENDPOINT_TOKEN_VARIABLE, curl_snippet, python_snippet

VISITOR = "hf_visitorTyped"
KEY = "sk-endpointKeyCanary 42"  # an endpoint's key may hold a space
SETTINGS = Settings(hf_token="hf_serverOwn")
FOREIGN = "http://vllm.example:8000/v1"


@pytest.mark.parametrize(("model", "sent"), [
    ("org/model", VISITOR),  # a Hub ID: the router, with the Hugging Face token
    ("https://abc.us-east-1.aws.endpoints.huggingface.cloud", VISITOR),
    ("https://someone-app.hf.space/v1", VISITOR),
    (FOREIGN, KEY),  # another host: the Endpoint token, and nothing else
    ("https://someone-app.hf.space@evil.example/", KEY),
    ("http://someone-app.hf.space/", KEY),  # not HTTPS: not trusted as Hugging Face's
])
def test_each_model_gets_exactly_one_of_the_two_tokens(model: str, sent: str) -> None:
    assert Tokens(VISITOR, KEY).for_model(model, SETTINGS) == sent
    assert token_for_model(VISITOR, model, SETTINGS, KEY) == sent


def test_without_an_endpoint_token_another_host_gets_nothing() -> None:
    assert Tokens(VISITOR, None).for_model(FOREIGN, SETTINGS) is None
    assert Tokens("hf_serverOwn", None).for_model("https://x.hf.space/", SETTINGS) is None  # never the server's own
    assert Tokens(None, KEY).for_model("org/model", SETTINGS) is None  # a Hub model never gets the key


def test_the_configured_router_is_hugging_face_and_never_gets_the_key() -> None:
    settings = Settings(router_url="http://127.0.0.1:9000", hub_endpoint="http://127.0.0.1:9001")
    assert Tokens(VISITOR, KEY).for_model("http://127.0.0.1:9000/models/x", settings) == VISITOR
    assert Tokens(VISITOR, KEY).for_model("http://127.0.0.1:9002/x", settings) == KEY
    assert is_foreign_endpoint("http://127.0.0.1:9002/x", settings) and not is_foreign_endpoint("org/model", settings)


def test_tokens_never_show_in_their_repr() -> None:
    assert VISITOR not in repr(Tokens(VISITOR, KEY)) and KEY not in repr(Tokens(VISITOR, KEY))


@pytest.mark.parametrize("key", [KEY, "abc", "Basic-ish:key=/+", "x" * 4096])
def test_an_endpoint_key_may_have_any_shape_a_header_carries(key: str) -> None:
    assert Tokens(None, key).check().endpoint == key


@pytest.mark.parametrize("key", ["sk-a\r\nX-Evil: 1", "sk\x00b", "sk\tb", "clé", "x" * 4097])
def test_an_endpoint_key_no_header_can_carry_is_refused_without_being_quoted(key: str) -> None:
    with pytest.raises(e.InvalidParametersError) as refused:
        Tokens(None, key).check()
    assert refused.value.detail.startswith("Endpoint token:") and key not in refused.value.detail


def test_the_hugging_face_token_keeps_its_own_stricter_check() -> None:
    with pytest.raises(e.InvalidTokenError):
        Tokens("hf_two words", KEY).check()


def test_check_models_leaves_out_what_was_not_run_yet() -> None:
    def held(model: str) -> bool:
        return model.startswith("http://")

    kept, left_out = left_out_until_run(["org/a", " http://a/ ", "http://b/", "", None, "http://a/"], ["http://b/"], held)
    assert kept == ["org/a", "http://b/"] and left_out == ["http://a/"]


def test_a_snippet_for_another_hosts_url_reads_the_endpoint_variable_never_hf_token() -> None:
    request = GenerationRequest(model=FOREIGN, prompt="Hi")
    python = python_snippet(request, token_variable=ENDPOINT_TOKEN_VARIABLE)
    curl = curl_snippet(request, token_variable=ENDPOINT_TOKEN_VARIABLE)
    javascript = javascript_snippet(request, token_variable=ENDPOINT_TOKEN_VARIABLE)
    # Never None: given None, huggingface_hub would send HF_TOKEN by itself.
    assert 'api_key=os.environ.get("ENDPOINT_TOKEN", "EMPTY")' in python and "Bearer $ENDPOINT_TOKEN" in curl
    assert "process.env.ENDPOINT_TOKEN" in javascript
    assert not any("HF_TOKEN" in text for text in (python, curl, javascript))
