"""Refuses oversized request bodies with 413 before the web app reads them (an ASGI middleware).

Gradio 6.31 keeps what it has read: ten 10 MB `/generate` bodies, each refused by validation, left
the process 119 MB larger. The largest valid request is far smaller (two 32,000-character prompts,
even \\u-escaped, stay under 800 kB; the history the browser sends back is capped below the limit,
see `playground.saved.history`), so anything over `MAX_BODY_BYTES` is refused here, unread:

- a declared Content-Length over the limit is answered at once;
- a body without one (chunked) is counted as it arrives, and refused once it passes the limit.

Either way the rest of the body is read and dropped (up to `DRAIN_BYTES`, so a client that sends
its whole body before reading the answer gets the 413 instead of a broken connection), never kept.
The answer is JSON `{"detail": ...}`, which Gradio's page shows as the event's error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

MAX_BODY_BYTES = 1024 * 1024
DRAIN_BYTES = 64 * 1024 * 1024
TOO_LARGE = (
    "The request is too large (more than {limit} kB): shorten the prompt or the system prompt, "
    "or clear the history. Nothing was sent to the model."
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """`BodyLimit(app, max_bytes=...)`: passes requests through, refusing larger bodies with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        declared = _content_length(headers.get(b"content-length"))
        if declared is not None and declared <= self.max_bytes:
            await self.app(scope, receive, send)  # the server holds the body to its declared length
            return
        if declared is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body at all
            return
        body = await self._read_within_limit(receive, declared)
        if body is None:
            await self._refuse(send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_within_limit(self, receive: Receive, declared: int | None) -> bytes | None:
        """The whole body, or None (the rest drained) once it is known to pass the limit."""
        chunks: list[bytes] = []
        size = 0
        too_large = declared is not None and declared > self.max_bytes
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left
                return None if too_large else b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            too_large = too_large or size > self.max_bytes
            if not too_large:
                chunks.append(chunk)
            elif chunks:
                chunks.clear()  # nothing of an oversized body is kept
            if not message.get("more_body", False) or size > DRAIN_BYTES:
                return None if too_large else b"".join(chunks)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": TOO_LARGE.format(limit=self.max_bytes // 1024)}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _content_length(value: bytes | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body read so far, then whatever the client sends next
    (a disconnect), so the app can still notice a client that leaves."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
