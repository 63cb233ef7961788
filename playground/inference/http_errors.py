"""Maps whatever InferenceClient (or the `openai` package, for OpenAI-compatible endpoints) raises
onto the typed tree in `playground.errors`.

This is the one place that knows status codes, error bodies and the client's exception classes.
Errors are recognised by class, status and body fields, never by matching message text.
"""

from __future__ import annotations

import email.utils
import json
import re
import sys
import time
from typing import TYPE_CHECKING, Any

import httpx2
from huggingface_hub.errors import (
    HfHubHTTPError,
    InferenceTimeoutError,
    OverloadedError,
    TextGenerationError,
)
from huggingface_hub.errors import ValidationError as TgiValidationError

from playground import errors as e

if TYPE_CHECKING:
    import openai

_STATUS_ERRORS: dict[int, type[e.PlaygroundError]] = {
    400: e.RequestRejectedError,
    401: e.InvalidTokenError,
    402: e.OutOfCreditsError,
    403: e.GatedModelError,
    404: e.ModelNotFoundError,
    408: e.TimedOutError,
    413: e.RequestRejectedError,
    422: e.RequestRejectedError,
    429: e.RateLimitedError,
    502: e.ServiceUnavailableError,
    503: e.ServiceUnavailableError,
    504: e.ServiceUnavailableError,
}
# A foreign server's words are shown as a short excerpt only (escaped by the UI): enough for an
# error message, too little to read out an internal page fetched on a visitor's behalf.
_MAX_DETAIL = 200


def to_playground_error(exc: BaseException) -> e.PlaygroundError:
    """The typed error for `exc`; anything unrecognised becomes a ServerError, never passes silently."""
    if isinstance(exc, e.PlaygroundError):
        return exc
    if isinstance(exc, TextGenerationError):
        return _from_tgi_error(exc)
    if isinstance(exc, HfHubHTTPError):
        return _from_http_error(exc)
    # Looked up, not imported: an openai error exists only once an endpoint run has imported `openai`
    # (playground.endpoint.openai_stream), and importing it here would cost every start-up.
    openai_module = sys.modules.get("openai")
    if openai_module is not None and isinstance(exc, openai_module.OpenAIError):
        return _from_openai_error(exc)
    return _from_transport_error(exc)


def is_dropped_connection(exc: BaseException) -> bool:
    """Whether the connection broke while the answer was being read: reset by the peer (an RST),
    or closed before the chunked body ended. After a token, that is a cut-off answer."""
    return isinstance(exc, (httpx2.ReadError, httpx2.RemoteProtocolError, ConnectionResetError))


def _from_tgi_error(exc: TextGenerationError) -> e.PlaygroundError:
    cause = exc.__cause__
    if isinstance(cause, HfHubHTTPError):  # raised for an HTTP error status whose body had error_type
        error = _from_http_error(cause)
        if isinstance(exc, TgiValidationError):
            return e.RequestRejectedError(error.detail, status=error.status, request_id=error.request_id)
        return error
    if isinstance(exc, OverloadedError):  # in-stream "overloaded" before any token: worth a retry
        return e.RateLimitedError(str(exc))
    if isinstance(exc, TgiValidationError):
        return e.RequestRejectedError(str(exc))
    return e.GenerationFailedError(_clip(str(exc)))


def _from_http_error(exc: HfHubHTTPError) -> e.PlaygroundError:
    response = exc.response
    status = response.status_code
    body = _json_body(response)
    detail = _clip(exc.server_message or str(body.get("error") or "") or _reason(status))
    kwargs: dict[str, Any] = {"status": status, "request_id": exc.request_id}
    if status == 503 and _estimated_time(body) is not None:
        return e.ModelLoadingError(detail, retry_after=_estimated_time(body), **kwargs)
    cls = _STATUS_ERRORS.get(status, e.ServerError)
    if issubclass(cls, e.RetryableError):
        return cls(detail, retry_after=retry_after_seconds(response.headers), **kwargs)
    return cls(detail, **kwargs)


def _from_openai_error(exc: openai.OpenAIError) -> e.PlaygroundError:
    """openai's errors: a status answered, a connection that failed (its cause is the transport's
    error, or the address guard's refusal), or an error event inside a started stream."""
    import openai  # already imported: `exc` is one of its errors
    if isinstance(exc, openai.APIStatusError):
        return _from_status(exc.response, _openai_message(exc.body) or exc.message, exc.request_id)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        if isinstance(cause, e.PlaygroundError):
            return cause
        return _from_transport_error(cause) if cause is not None else e.ConnectionFailedError("connection failed")
    return e.GenerationFailedError(_clip(_openai_message(getattr(exc, "body", None)) or str(exc)))


def _openai_message(body: object) -> str:
    """An OpenAI-style error body's message: `{"error": {"message": ...}}`, `{"message": ...}` or `{"error": "..."}`."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    if isinstance(body, dict):
        text = body.get("message") or body.get("error") or body.get("detail")
        return text if isinstance(text, str) else ""
    return ""


def _from_status(response: httpx2.Response, message: str, request_id: str | None) -> e.PlaygroundError:
    status = response.status_code
    kwargs: dict[str, Any] = {"status": status, "request_id": request_id}
    detail = _clip(message or _reason(status))
    cls = _STATUS_ERRORS.get(status, e.ServerError)
    if issubclass(cls, e.RetryableError):
        return cls(detail, retry_after=retry_after_seconds(response.headers), **kwargs)
    return cls(detail, **kwargs)


def _from_transport_error(exc: BaseException) -> e.PlaygroundError:
    # The client turns a timeout while opening the stream into InferenceTimeoutError (the httpx
    # error is its cause); a timeout while reading the stream arrives as a raw httpx2.ReadTimeout.
    timeout = exc.__cause__ if isinstance(exc, InferenceTimeoutError) and exc.__cause__ is not None else exc
    if isinstance(timeout, (httpx2.ConnectTimeout, httpx2.PoolTimeout)):
        return e.ConnectionFailedError("no connection within the connect timeout")
    if isinstance(timeout, httpx2.ReadTimeout):
        return e.TimedOutError("the server sent nothing within the read timeout")
    if isinstance(exc, (InferenceTimeoutError, httpx2.TimeoutException, TimeoutError)):
        return e.TimedOutError("the server stopped answering")
    if isinstance(exc, (httpx2.ConnectError, ConnectionError)):
        return e.ConnectionFailedError(_clip(str(exc)) or "connection failed")
    if isinstance(exc, (httpx2.TransportError, json.JSONDecodeError)):
        return e.ServerError(f"the answer was cut off or not in the expected format ({type(exc).__name__})")
    if isinstance(exc, ValueError):  # the client refuses a model/provider/task before sending anything
        return e.NotServedError(_clip(str(exc)))
    return e.ServerError(f"unexpected answer from the server ({type(exc).__name__})")


def retry_after_seconds(headers: httpx2.Headers | dict[str, str]) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or HTTP date) or IETF `RateLimit: ...;t=55`."""
    value = headers.get("retry-after")
    if value:
        return _parse_retry_after(value.strip())
    limit = headers.get("ratelimit")
    match = re.search(r"(?:^|;)\s*t=(\d+(?:\.\d+)?)", limit or "")
    return float(match.group(1)) if match else None


def _parse_retry_after(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _estimated_time(body: dict[str, Any]) -> float | None:
    value = body.get("estimated_time")
    return float(value) if isinstance(value, (int, float)) and value >= 0 else None


def _json_body(response: httpx2.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except Exception:  # not read, not JSON: the body is optional information here
        return {}
    return body if isinstance(body, dict) else {}


def _reason(status: int) -> str:
    return f"HTTP {status}"


def _clip(text: str) -> str:
    text = "".join(ch for ch in " ".join(text.split()) if ch.isprintable())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"
