"""Model search and router facts, through huggingface_hub, against the local protocol server."""

from __future__ import annotations

import threading

import pytest

from playground.catalog import facts as facts_module
from playground.catalog import search as search_module
from playground.catalog.cache import TtlCache
from playground.catalog.facts import model_facts, parse_model, router_models
from playground.catalog.search import search_models
from playground.errors import InvalidModelError, LookupFailedError
from playground.input.model_ref import check_model_syntax
from playground.input.policy import check_policy_use, split_policy, with_policy
from tests.conftest import TEST_TOKEN
from tests.protocol_server import BAD_TOKEN, ROUTER_FACTS_EXAMPLE, ProtocolServer


@pytest.fixture
def fresh_caches(monkeypatch):
    """Each test starts with empty shared caches (they are module-level in the app)."""
    search_cache, facts_cache = TtlCache(ttl=300.0), TtlCache(ttl=300.0)
    monkeypatch.setattr(search_module, "_search_cache", search_cache)
    monkeypatch.setattr(facts_module, "_facts_cache", facts_cache)
    return search_cache, facts_cache


def test_a_search_lists_served_models_with_each_providers_status(server: ProtocolServer, fresh_caches) -> None:
    server.add_model("bars/warm", providers={"together": "conversational", "novita": "conversational"},
                     statuses={"novita": "staging"}, trending=9)
    server.add_model("bars/unserved", providers={})
    hits = search_models("Bars", TEST_TOKEN, cache=fresh_caches[0])
    assert [hit.id for hit in hits] == ["bars/warm"]
    assert [(p.provider, p.status) for p in hits[0].providers] == [("together", "live"), ("novita", "staging")]
    call = server.gets("/api/models")[-1]
    assert "inference_provider=all" in call.query and "pipeline_tag=text-generation" in call.query
    assert "expand=inferenceProviderMapping" in call.query and "search=bars" in call.query
    assert call.headers["authorization"] == f"Bearer {TEST_TOKEN}"


def test_a_search_without_a_token_sends_none(server: ProtocolServer, fresh_caches, monkeypatch) -> None:
    """Regression guard: the machine's own token (HF_TOKEN) must never be attached implicitly."""
    monkeypatch.setenv("HF_TOKEN", "hf_machine_token")
    search_models("tiny", None, cache=fresh_caches[0])
    assert "authorization" not in server.gets("/api/models")[-1].headers


def test_fifty_visitors_searching_the_same_text_cause_one_hub_call(server: ProtocolServer, fresh_caches) -> None:
    cache = fresh_caches[0]
    start = threading.Barrier(50)
    results = []

    def visitor(n: int) -> None:
        start.wait()
        results.append(search_models("  TINY ", f"hf_visitor_{n}", cache=cache))

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 50 and all(r == results[0] for r in results)
    assert len(server.gets("/api/models")) == 1


def test_after_the_cache_time_a_search_asks_the_hub_again(server: ProtocolServer) -> None:
    now = [0.0]
    cache = TtlCache(ttl=300.0, now=lambda: now[0])
    search_models("tiny", None, cache=cache)
    now[0] = 299.0
    search_models("tiny", None, cache=cache)
    assert len(server.gets("/api/models")) == 1
    now[0] = 301.0
    search_models("tiny", None, cache=cache)
    assert len(server.gets("/api/models")) == 2


def test_a_failed_search_raises_lookup_failed_and_is_not_cached(server: ProtocolServer, fresh_caches) -> None:
    with pytest.raises(LookupFailedError):
        search_models("tiny", BAD_TOKEN, cache=fresh_caches[0])
    assert search_models("tiny", TEST_TOKEN, cache=fresh_caches[0])  # the next visitor is not served the failure


def test_router_facts_give_context_price_throughput_and_latency_per_provider(server: ProtocolServer, fresh_caches) -> None:
    server.add_model("bars/warm", providers={"together": "conversational", "novita": "conversational"},
                     facts={"together": ROUTER_FACTS_EXAMPLE, "novita": {"context_length": 8192}})
    facts = model_facts("bars/warm:fastest", TEST_TOKEN)
    together = facts.for_provider("together")
    assert (together.context_length, together.price_in, together.price_out) == (32768, 0.2, 0.6)
    assert (together.throughput, together.first_token_latency_ms) == (85.5, 420.0)
    novita = facts.for_provider("novita")
    assert novita.context_length == 8192 and novita.price_in is None and novita.throughput is None
    assert facts.context_length("auto") == 8192  # any live provider may answer an auto request
    model_facts("test/tiny-gpt", TEST_TOKEN)
    assert len(server.gets("/v1/models")) == 1  # one list call serves every model


def test_router_facts_for_a_model_the_list_lacks_come_from_its_own_route(server: ProtocolServer, fresh_caches) -> None:
    router_models(None)
    server.add_model("bars/late", providers={"together": "conversational"}, facts={"together": {"context_length": 4096}})
    assert model_facts("bars/late", None).context_length("together") == 4096
    assert model_facts("nobody/nothing", None) is None
    assert [r.path for r in server.requests if r.path.startswith("/v1/models/")] == ["/v1/models/bars/late", "/v1/models/nobody/nothing"]


def test_router_facts_fetched_with_one_token_never_serve_another(server: ProtocolServer, fresh_caches) -> None:
    """Guards issue 22.7: facts fetched with visitor A's token (a model listed only for A) were served
    to visitor B and to anonymous visitors, and the reverse."""
    server.add_model("team/private", providers={"together": "conversational"}, readers=frozenset({"hf_visitor_a"}),
                     facts={"together": {"context_length": 777}})
    assert model_facts("team/private", "hf_visitor_a").context_length("together") == 777
    assert model_facts("team/private", "hf_visitor_b") is None
    assert model_facts("team/private", None) is None
    assert "team/private" in router_models("hf_visitor_a") and "team/private" not in router_models(None)
    list_calls = [r.headers.get("authorization") for r in server.gets("/v1/models")]
    assert list_calls == ["Bearer hf_visitor_a", "Bearer hf_visitor_b", None]  # one list per token, each with its own


def test_router_entries_with_odd_fields_keep_what_is_there() -> None:
    facts = parse_model({"id": "a/b", "providers": [
        {"provider": "x", "context_length": "big", "pricing": {"input": -1, "output": 2}, "throughput": True},
        {"no": "name"}, "junk",
    ]})  # fmt: skip
    assert facts.providers[0].context_length is None and facts.providers[0].price_out == 2.0
    assert facts.providers[0].price_in is None and facts.providers[0].throughput is None
    assert len(facts.providers) == 1
    assert parse_model({"providers": []}) is None


def test_provider_policies_are_accepted_only_where_huggingface_hub_passes_them_on() -> None:
    assert split_policy("org/name:fastest") == ("org/name", "fastest")
    assert split_policy("http://host:8080/x") == ("http://host:8080/x", None)
    assert with_policy("org/name:fastest", "cheapest") == "org/name:cheapest"
    assert check_model_syntax("org/name:cheapest") == "org/name:cheapest"
    with pytest.raises(InvalidModelError):
        check_model_syntax("org/name:slowest")
    check_policy_use("org/name:fastest", chat=True, provider="auto")
    with pytest.raises(InvalidModelError, match="Chat mode with provider auto"):
        check_policy_use("org/name:fastest", chat=False, provider="auto")
    with pytest.raises(InvalidModelError):
        check_policy_use("org/name:cheapest", chat=True, provider="together")


def test_provider_facts_for_the_chat_panel_are_none_when_the_router_cant_be_asked(server: ProtocolServer, fresh_caches) -> None:
    from playground.catalog.facts import provider_facts

    server.add_model("bars/warm", providers={"together": "conversational"}, facts={"together": {"context_length": 4096}})
    assert provider_facts("bars/warm", "together", BAD_TOKEN) is None  # 401: no facts, no error
    assert provider_facts("bars/warm", "together", TEST_TOKEN).context_length == 4096
    assert provider_facts("bars/warm", "novita", TEST_TOKEN) is None


def test_a_private_model_found_with_one_visitors_token_never_reaches_another_visitor(server: ProtocolServer, fresh_caches) -> None:
    """Regression guard: search results are cached for everyone, so they must hold public models only."""
    server.add_model("owner/secret-served", providers={"together": "conversational"}, readers=frozenset({"hf_owner"}))
    server.add_model("owner/public-served", providers={"together": "conversational"})
    assert [hit.id for hit in search_models("owner/", "hf_owner")] == ["owner/public-served"]
    assert "expand=private" in server.gets("/api/models")[-1].query
    assert [hit.id for hit in search_models("owner/", "hf_someone_else")] == ["owner/public-served"]
