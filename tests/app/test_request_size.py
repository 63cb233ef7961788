"""Oversized requests: refused with 413 before Gradio reads them, and nothing kept in memory."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from playground.web.body_limit import MAX_BODY_BYTES
from tests.conftest import AppProcess

TEN_MB = 10 * 1024 * 1024
ENDPOINTS = ("gradio_api/call/generate", "gradio_api/queue/join")


def big_body(size: int) -> bytes:
    filler = b"x" * (size - 100)
    return b'{"data": ["test/tiny-gpt", "auto", "Completion", "", "' + filler + b'"], "fn_index": 0, "session_hash": "abcdefgh"}'


def in_chunks(body: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    """Sent as a generator, httpx uses chunked transfer encoding: no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_ten_oversized_bodies_are_refused_and_leave_the_app_no_bigger(space_app_process: AppProcess) -> None:
    """Guards C.8: ten 10 MB /generate bodies, refused by validation, left the process 119 MB
    larger. Half declare their length, half are chunked (no Content-Length)."""
    app = space_app_process
    with httpx.Client(base_url=app.url, timeout=60) as client:
        client.post(ENDPOINTS[0], json={"data": []})  # warm the route up before the baseline
        before = app.rss_bytes()
        for index in range(10):
            body = big_body(TEN_MB)
            content = body if index % 2 else in_chunks(body)
            response = client.post(ENDPOINTS[index % 2], content=content, headers={"content-type": "application/json"})
            assert response.status_code == 413
            assert "too large" in response.json()["detail"]
        after = app.rss_bytes()
    assert after - before < 40 * 1024 * 1024, f"the app grew by {(after - before) / 2**20:.0f} MB"


@pytest.mark.parametrize("chunked", [False, True])
def test_a_request_just_under_the_limit_still_reaches_the_app(space_app_process: AppProcess, chunked: bool) -> None:
    """The limit refuses only what is over it: Gradio answers (here: its own refusal of a body
    that is no valid event) instead of our 413."""
    body = big_body(MAX_BODY_BYTES - 1024)
    with httpx.Client(base_url=space_app_process.url, timeout=60) as client:
        response = client.post(ENDPOINTS[1], content=in_chunks(body) if chunked else body, headers={"content-type": "application/json"})
    assert response.status_code != 413
