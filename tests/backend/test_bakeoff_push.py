"""Push to Hub against the protocol server's Hub API: whoami, create_repo, preupload, commit."""

from __future__ import annotations

import json

import pytest

from playground.runs.hub_push import READ_ONLY, PushError, push_sweep
from tests.conftest import TEST_TOKEN
from tests.protocol_server import READ_ONLY_TOKEN, ProtocolServer

VISITOR = "hf_visitor_write_token"
RUNS = "".join(json.dumps({"provider": p, "tokens_per_second": s}) + "\n" for p, s in (("together", 20.0), ("cerebras", 200.0)))


def test_push_creates_a_private_dataset_and_commits_the_card_and_every_run_with_the_visitors_token(server: ProtocolServer) -> None:
    url = push_sweep(VISITOR, "bakeoff-1", True, "---\npretty_name: x\n---\n# Card\n", RUNS, server.url)
    assert url == f"{server.url}/datasets/test-user/bakeoff-1"
    repo = server.repos["dataset/test-user/bakeoff-1"]
    assert repo["private"] is True and repo["commits"] == 1
    assert repo["files"]["README.md"].startswith(b"---\npretty_name") and repo["files"]["runs.jsonl"].decode() == RUNS
    hub = [r for r in server.requests if r.path.startswith("/api/")]
    assert [r.path for r in hub] == ["/api/whoami-v2", "/api/repos/create", "/api/validate-yaml", "/api/datasets/test-user/bakeoff-1/preupload/main",
                                     "/api/datasets/test-user/bakeoff-1/commit/main"]
    assert {r.headers.get("authorization") for r in hub} == {f"Bearer {VISITOR}"}  # never the server's token
    assert all(VISITOR.encode() not in content for content in repo["files"].values())


def test_public_is_asked_for_and_pushing_again_reuses_the_dataset(server: ProtocolServer) -> None:
    push_sweep(VISITOR, "again", False, "---\npretty_name: a\n---\ncard", RUNS, server.url)
    push_sweep(VISITOR, "again", False, "---\npretty_name: b\n---\n", RUNS, server.url)  # exist_ok: the 409 is no failure
    repo = server.repos["dataset/test-user/again"]
    assert repo["private"] is False and repo["commits"] == 2 and repo["files"]["README.md"] == b"---\npretty_name: b\n---\n"


def test_a_read_only_token_gets_a_clear_message_and_nothing_is_created(server: ProtocolServer) -> None:
    with pytest.raises(PushError) as raised:
        push_sweep(READ_ONLY_TOKEN, "nope", True, "card", RUNS, server.url)
    assert raised.value.detail == READ_ONLY and "write access" in READ_ONLY
    assert READ_ONLY_TOKEN not in raised.value.detail and server.repos == {}
    assert not any(r.path == "/api/repos/create" for r in server.requests)


def test_a_refused_token_says_so_without_echoing_it(server: ProtocolServer) -> None:
    with pytest.raises(PushError) as raised:
        push_sweep("hf_bad_token", "nope", True, "card", RUNS, server.url)
    assert "refused this token (401)" in raised.value.detail and "hf_bad_token" not in raised.value.detail
    assert TEST_TOKEN not in raised.value.detail
