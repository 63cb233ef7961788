"""Share links: a link restores exactly the state it was made from, and a hostile one breaks nothing."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from playground.input.params import GenerationParams
from playground.input.request import MAX_PROMPT_CHARS, GenerationRequest, Mode
from playground.saved.share import parse_share_query, parse_share_url, share_query

TRICKY = "He said \"hi\" & left; x=1 #frag ?q %20 + $HOME `id`\n\n\tcafé ✓ 'end'"
DEFAULTS = GenerationRequest(model="default/model", prompt="")


def full_request(**changes: object) -> GenerationRequest:
    fields: dict = {
        "model": "test/chat-model",
        "prompt": TRICKY,
        "mode": Mode.CHAT,
        "provider": "together",
        "system_prompt": "Be brief.\nVery brief.",
        "params": GenerationParams(
            temperature=0.1 + 0.2,
            max_new_tokens=77,
            seed=2**32 - 1,
            top_p=0.9,
            top_k=40,
            repetition_penalty=1.15,
            stop=("\n\n", "END", "&x="),
        ),
        **changes,
    }
    return GenerationRequest(**fields)


@pytest.mark.parametrize(
    "request_",
    [
        full_request(),
        full_request(mode=Mode.COMPLETION, provider="auto", system_prompt="", params=GenerationParams()),
        full_request(model="https://my-endpoint.example.com/v1?key=a&b=c", prompt=""),
    ],
)
def test_opening_a_share_link_restores_exactly_the_shared_request(request_: GenerationRequest) -> None:
    state = parse_share_url("https://playground.example/?" + share_query(request_))
    assert state.problems == []
    assert state.apply_to(DEFAULTS) == request_


def test_the_link_holds_the_seed_actually_used() -> None:
    query = parse_qs(share_query(full_request(params=GenerationParams(seed=1234))))
    assert query["seed"] == ["1234"]


def test_a_random_seed_stays_random_in_the_link() -> None:
    state = parse_share_url(share_query(full_request(params=GenerationParams(seed=None))))
    assert state.params is not None and state.params.seed is None


def test_the_link_never_holds_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_secret_do_not_share")
    query = share_query(full_request())
    assert "hf_secret" not in query and "token=" not in query.replace("max_new_tokens=", "")
    assert set(parse_qs(query)) <= {"model", "provider", "mode", "system", "prompt", "stop", *GenerationParams.model_fields}


def test_a_plain_visit_restores_nothing() -> None:
    state = parse_share_query({})
    assert state.is_empty and state.apply_to(DEFAULTS) == DEFAULTS


def test_a_bad_value_is_reported_and_falls_back_while_the_rest_still_applies() -> None:
    query = parse_qs(share_query(full_request()))
    query["temperature"] = ["hot"]
    query["model"] = ["../../etc/passwd"]
    state = parse_share_query(query)
    restored = state.apply_to(DEFAULTS)
    assert restored.params.temperature == GenerationParams().temperature
    assert restored.model == DEFAULTS.model
    assert restored.params.seed == 2**32 - 1 and restored.prompt == TRICKY and restored.mode is Mode.CHAT
    assert [problem.split(":")[0] for problem in state.problems] == ["model", "temperature"]


@pytest.mark.parametrize(
    "key, value",
    [
        ("temperature", "nan"),
        ("temperature", "inf"),
        ("temperature", "-1"),
        ("max_new_tokens", "1e9"),
        ("max_new_tokens", "99999999999999999999999"),
        ("seed", "-5"),
        ("seed", str(2**32)),
        ("top_p", "0"),
        ("top_k", "3.5"),
        ("repetition_penalty", "__import__('os')"),
        ("model", "a/b/c"),
        ("model", "javascript:alert(1)"),
        ("model", "http://"),
        ("model", "x" * 5000),
        ("provider", "../../admin"),
        ("provider", "<script>"),
        ("mode", "Sudo"),
        ("prompt", "x" * (MAX_PROMPT_CHARS + 1)),
        ("system", "y" * (MAX_PROMPT_CHARS + 1)),
    ],
)
def test_hostile_values_give_a_problem_not_an_exception(key: str, value: str) -> None:
    state = parse_share_query({key: value, "prompt": "kept"} if key != "prompt" else {key: value})
    assert len(state.problems) == 1 and state.problems[0].startswith(key if key != "system" else "system prompt")
    assert len(state.problems[0]) < 200  # a long hostile value is not echoed back whole


def test_too_many_or_too_long_stop_sequences_fall_back_to_none() -> None:
    state = parse_share_query({"stop": ["a", "b", "c", "d", "e"], "seed": "3"})
    assert state.params == GenerationParams(seed=3)
    assert state.problems and state.problems[0].startswith("stop")


def test_unknown_keys_and_odd_shapes_are_ignored() -> None:
    state = parse_share_query(
        {"token": "hf_x", "api_key": "k", "__class__": "x", "seed": ["1", "2"], "prompt": ["a", "b"], "mode": [], "top_k": 5}
    )
    assert state.problems == []
    assert state.params == GenerationParams(seed=2) and state.prompt == "b" and state.mode is None


def test_empty_values_count_as_not_given() -> None:
    state = parse_share_url("seed=&temperature=&prompt=")
    assert state.problems == [] and state.params is None and state.prompt == ""


def test_a_starlette_query_with_repeated_stop_keys_is_read_whole() -> None:
    starlette = pytest.importorskip("starlette.datastructures")
    query = starlette.QueryParams(share_query(full_request()))
    assert parse_share_query(query).apply_to(DEFAULTS) == full_request()
