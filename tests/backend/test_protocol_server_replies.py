"""The protocol server's silent, cut-off and refusing replies, on the wire (raw HTTP, no client)."""

from __future__ import annotations

import json

import httpx
import pytest
from huggingface_hub.inference._client import MODEL_KWARGS_NOT_USED_REGEX

from tests.conftest import wait_for
from tests.protocol_server import ProtocolServer, Reply

TGI_BODY = {"inputs": "hello there", "parameters": {"max_new_tokens": 6, "seed": 1}, "stream": True}
CHAT_BODY = {"model": "test/chat-model", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 6, "stream": True}


def events(lines: list[str]) -> list[str]:
    return [line[len("data:"):].strip() for line in lines if line.startswith("data:")]



def test_a_stalled_stream_sends_its_tokens_then_nothing_until_the_client_leaves(server: ProtocolServer) -> None:
    server.script("test/tiny-gpt", Reply(stall_after=2))
    timeout = httpx.Timeout(5, read=0.5)
    with httpx.stream("POST", f"{server.url}/hf-inference/models/test/tiny-gpt", json=TGI_BODY, timeout=timeout) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        received = []
        with pytest.raises(httpx.ReadTimeout):
            for line in lines:
                received.append(line)
    assert len(events(received)) == 2
    assert wait_for(lambda: server.cancelled_streams == 1)


def test_no_answer_sends_not_even_a_status_line(server: ProtocolServer) -> None:
    server.script("test/tiny-gpt", Reply(no_answer=True))
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{server.url}/hf-inference/models/test/tiny-gpt", json=TGI_BODY, timeout=httpx.Timeout(5, read=0.5))
    assert wait_for(lambda: server.cancelled_streams == 1)


def test_a_cut_tgi_stream_ends_cleanly_without_its_final_event(server: ProtocolServer) -> None:
    server.script("test/tiny-gpt", Reply(cut_after=3))
    response = httpx.post(f"{server.url}/hf-inference/models/test/tiny-gpt", json=TGI_BODY)
    sent = [json.loads(event) for event in events(response.text.splitlines())]
    assert response.status_code == 200 and len(sent) == 3
    assert all(event["generated_text"] is None and event["details"] is None for event in sent)


def test_a_cut_chat_stream_has_no_finish_reason_and_no_done(server: ProtocolServer) -> None:
    server.script("test/chat-model", Reply(cut_after=3))
    response = httpx.post(f"{server.url}/v1/chat/completions", json=CHAT_BODY)
    sent = events(response.text.splitlines())
    assert len(sent) == 3 and "[DONE]" not in sent
    assert all(json.loads(event)["choices"][0]["finish_reason"] is None for event in sent)


def test_a_model_refuses_the_parameters_it_does_not_take_as_transformers_does(server: ProtocolServer) -> None:
    server.add_model("test/pipeline-model", refused_params=("seed", "top_k"))
    url = f"{server.url}/hf-inference/models/test/pipeline-model"
    refused = httpx.post(url, json=TGI_BODY)
    assert refused.status_code == 400
    match = MODEL_KWARGS_NOT_USED_REGEX.search(refused.json()["error"])
    assert match and [name.strip("' ") for name in match.group(1).split(",")] == ["seed"]  # only those sent
    answered = httpx.post(url, json={**TGI_BODY, "parameters": {"max_new_tokens": 6}})
    assert answered.status_code == 200
