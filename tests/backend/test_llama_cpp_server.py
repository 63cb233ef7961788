"""llama-cpp-python's real OpenAI-compatible server (`python -m llama_cpp.server`, no TGI route) as
an endpoint URL, started on loopback with the built-in model's GGUF file: its model listed and sent,
both modes answering, and the View code snippets printing the app's answer (issue 17).

Skipped only when llama-cpp-python or the server's extras are missing (requirements-dev.txt).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -r requirements-local.txt")
pytest.importorskip("sse_starlette", reason="the server's extras are missing: pip install -r requirements-dev.txt")
pytest.importorskip("starlette_context", reason="the server's extras are missing: pip install -r requirements-dev.txt")

from playground.endpoint.discovery import Protocol, forget_servers  # noqa: E402
from playground.inference.backend import Backend  # noqa: E402
from playground.inference.events import Done, Token  # noqa: E402
from playground.input.params import GenerationParams  # noqa: E402
from playground.input.request import GenerationRequest, Mode  # noqa: E402
from playground.local.setup import find_model_path  # noqa: E402
from playground.saved.snippets import curl_snippet, python_snippet  # noqa: E402
from tests.conftest import free_port, wait_for  # noqa: E402

ALIAS = "smollm2"
GREEDY = GenerationParams(temperature=0, max_new_tokens=12, seed=1)


@pytest.fixture(scope="module")
def llama_url() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(find_model_path()), "--model_alias", ALIAS,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1", "--verbose", "False"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_for(lambda: process.poll() is not None or _answers(url), seconds=120):
            pytest.fail("llama_cpp.server did not start")
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx2.get(f"{url}/v1/models", timeout=1).status_code == 200
    except httpx2.TransportError:
        time.sleep(0.1)
        return False


@pytest.fixture(autouse=True)
def fresh_lookups(server) -> None:  # `server`: huggingface_hub's client installed, as in the app
    forget_servers()


def app_answer(request: GenerationRequest) -> str:
    events = list(Backend().run(request, None))
    assert isinstance(events[-1], Done)
    text = "".join(event.text for event in events if isinstance(event, Token))
    assert text, "no answer: a comparison would prove nothing"
    return text


def test_the_servers_model_is_listed_as_served(llama_url: str) -> None:
    info = Backend().server_info(llama_url, None)
    assert info is not None and info.protocol is Protocol.OPENAI and info.models == (ALIAS,)


@pytest.mark.parametrize("mode", [Mode.COMPLETION, Mode.CHAT])
def test_both_modes_answer_with_the_url_or_the_url_plus_v1(llama_url: str, mode: Mode) -> None:
    for url in (llama_url, llama_url + "/v1"):
        assert app_answer(GenerationRequest(model=url, served_model=ALIAS, prompt="The capital of France is", mode=mode, params=GREEDY))


@pytest.mark.parametrize("mode", [Mode.COMPLETION, Mode.CHAT])
def test_the_python_snippet_prints_the_apps_answer(llama_url: str, mode: Mode, tmp_path: Path) -> None:
    request = GenerationRequest(model=llama_url, served_model=ALIAS, prompt="Name a colour.", mode=mode, params=GREEDY)
    script = tmp_path / "snippet.py"
    script.write_text(python_snippet(request, token_variable="ENDPOINT_TOKEN", openai_model=ALIAS), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("ENDPOINT_TOKEN", "OPENAI_API_KEY")}
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == app_answer(request) + "\n"


@pytest.mark.parametrize("mode", [Mode.COMPLETION, Mode.CHAT])
def test_the_curl_snippet_streams_the_apps_answer(llama_url: str, mode: Mode) -> None:
    request = GenerationRequest(model=llama_url, served_model=ALIAS, prompt="Name a colour.", mode=mode, params=GREEDY)
    command = curl_snippet(request, token_variable="ENDPOINT_TOKEN", openai_model=ALIAS)
    env = {key: value for key, value in os.environ.items() if key != "ENDPOINT_TOKEN"}
    result = subprocess.run(["bash", "-c", command], env=env, capture_output=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    assert _sse_text(result.stdout, chat=mode is Mode.CHAT) == app_answer(request)


def _sse_text(raw: str, chat: bool) -> str:
    """The text of an OpenAI event stream (completions or chat chunks)."""
    import json

    parts = []
    for payload in re.findall(r"^data: ?(.*)$", raw, flags=re.MULTILINE):
        if payload.strip() == "[DONE]":
            break
        choices = json.loads(payload).get("choices") or []
        if choices:
            parts.append((choices[0].get("delta", {}).get("content") or "") if chat else (choices[0].get("text") or ""))
    return "".join(parts)
