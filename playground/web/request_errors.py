"""Answers for requests Gradio's API refuses: always encodable, and never a 500 for a caller's values.

- FastAPI answers a request it cannot parse into Gradio's shape (`{"data": "text"}` instead of a
  list, say) with a 422 that echoes the input. The input may hold a lone surrogate (`"\\udfff"` is
  valid JSON but not valid UTF-8), and then the default answer cannot be encoded: the caller got a
  500. `validation_error` writes the same 422 with every character outside ASCII escaped.
- Gradio's own error answer may echo such a value too (a Dropdown's "Value: ... is not in the list
  of choices"), and fails to encode it: `unencodable_answer` refuses the request with 422 instead.
- Gradio 6.31's direct-call routes (`/gradio_api/run/<name>` and `/gradio_api/api/<name>`, which
  the page uses for every `queue=False` event) catch whatever fails while the event runs and answer
  500 with Gradio's error payload (`{"error": ...}`), even for a value the caller sent outside a
  component's choices or range, too few values, or an event with no server-side function. The
  queue's route reports the same failures inside a 200 stream. `DirectCallErrors` gives that
  payload 422 instead, words unchanged. A fault in the playground's own code still leaves its
  traceback in the log (tests/app/test_fuzz_api.py reads it); an exception Gradio does not catch
  still answers 500.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DIRECT_CALL = re.compile(r"/gradio_api/(?:run|api)/")


async def validation_error(request: Request, error: Exception) -> Response:
    """FastAPI's 422 for `RequestValidationError`, encoded as ASCII JSON."""
    errors = error.errors() if isinstance(error, RequestValidationError) else [{"msg": "invalid request"}]
    body = json.dumps({"detail": jsonable_encoder(errors)}, ensure_ascii=True, default=repr)
    return Response(body, status_code=422, media_type="application/json")


async def unencodable_answer(request: Request, error: Exception) -> Response:
    """422 for an answer that could not be encoded: it echoed a lone surrogate only a caller can send
    (the playground's own text is valid Unicode)."""
    message = "The request holds text that is not valid Unicode (a lone surrogate)."
    return Response(json.dumps({"error": message}), status_code=422, media_type="application/json")


EXCEPTION_HANDLERS = {RequestValidationError: validation_error, UnicodeEncodeError: unencodable_answer}


class DirectCallErrors:
    """`DirectCallErrors(app)`, an ASGI middleware: on the direct-call routes, a 500 carrying
    Gradio's error payload is sent as 422; every other answer passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not DIRECT_CALL.search(scope["path"]):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []  # a 500's start and body so far, until its body ends

        async def send_judged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 500:
                held.append(message)
                return
            if not held or message["type"] != "http.response.body":
                await send(message)
                return
            held.append(message)
            if message.get("more_body", False):
                return
            body = b"".join(part.get("body", b"") for part in held[1:])
            status = 422 if _is_gradio_error(body) else 500
            await send({**held[0], "status": status})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_judged)


def _is_gradio_error(body: bytes) -> bool:
    """Whether `body` is Gradio's error payload (`gradio.utils.error_payload`): a JSON object with "error"."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return False
    return isinstance(payload, dict) and "error" in payload
