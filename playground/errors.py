"""Typed errors: every failure a run can meet, as one tree.

    PlaygroundError
    ├── InvalidInputError           refused before any request is sent
    │   ├── EmptyPromptError        the Prompt is empty
    │   ├── InvalidModelError       the "Model" field is neither `org/name` nor a usable URL
    │   └── InvalidParametersError  a parameter is out of range or of the wrong type
    ├── RetryableError              transient; the retry policy waits and tries again
    │   ├── ModelLoadingError       503 with "loading" / `estimated_time`: a cold model
    │   ├── RateLimitedError        429: rate limit, or a server too busy to queue the request
    │   ├── ServiceUnavailableError 502, 503 (no estimate), 504
    │   └── ConnectionFailedError   nothing answered (connection refused, DNS, reset)
    ├── MissingTokenError           no token, but the model needs one
    ├── LocalModelMissingError      the built-in model was picked, but it isn't installed here
    ├── InvalidTokenError           401
    │   └── EndpointTokenRefusedError  401 from an endpoint URL: the token it got (or none) was refused
    ├── GatedModelError             403: licence not accepted, or no access
    ├── OutOfCreditsError           402
    ├── ModelNotFoundError          404
    ├── NotServedError              the provider or task does not serve this model
    ├── NoRouteError                an endpoint URL with no TGI or OpenAI route, or that refuses
    │                               the served model's name (the URL and what was tried)
    ├── RequestRejectedError        400/422: the server refused the parameters or input
    ├── GenerationFailedError       an error event inside a started stream
    ├── EndpointRedirectError       an endpoint URL answered with a redirect, which is not followed
    ├── CutOffError                 the stream ended cleanly, but without its final event
    ├── TimedOutError               retry deadline reached, no first token in time, or a gap
    │                               between tokens longer than PLAYGROUND_FIRST_TOKEN_TIMEOUT
    ├── ServerError                 500s and answers that are not the protocol
    └── LookupFailedError           a model search or router-facts lookup failed (shown quietly)

Every error keeps the server's own message (`detail`) and, for HTTP failures, the status and
request ID. `playground.inference.http_errors` maps client exceptions onto this tree; the UI turns each class
into words once (components/messages.py).
"""

from __future__ import annotations


class PlaygroundError(Exception):
    def __init__(self, detail: str = "", *, status: int | None = None, request_id: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.request_id = request_id


class InvalidInputError(PlaygroundError):
    pass


class InvalidModelError(InvalidInputError):
    def __init__(self, model: str, reason: str = "is not a Hub model ID (org/name) or an http(s) URL") -> None:
        super().__init__(f"{model[:120]!r} {reason}")
        self.model = model
        self.reason = reason


class InvalidParametersError(InvalidInputError):
    pass


class EmptyPromptError(InvalidInputError):
    pass


class RetryableError(PlaygroundError):
    """`retry_after` is the server's own hint in seconds (estimated_time, Retry-After), if any."""

    def __init__(self, detail: str = "", *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(detail, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ModelLoadingError(RetryableError):
    pass


class RateLimitedError(RetryableError):
    pass


class ServiceUnavailableError(RetryableError):
    pass


class ConnectionFailedError(RetryableError):
    pass


class MissingTokenError(PlaygroundError):
    """`on_space`: the visitor can sign in with Hugging Face, and HF_TOKEN is not theirs to set."""

    def __init__(self, detail: str = "", *, on_space: bool = False, **kwargs: object) -> None:
        super().__init__(detail, **kwargs)  # type: ignore[arg-type]
        self.on_space = on_space


class LocalModelMissingError(PlaygroundError):
    pass


class InvalidTokenError(PlaygroundError):
    pass


class EndpointTokenRefusedError(InvalidTokenError):
    pass


class GatedModelError(PlaygroundError):
    pass


class OutOfCreditsError(PlaygroundError):
    pass


class ModelNotFoundError(PlaygroundError):
    pass


class NotServedError(PlaygroundError):
    pass


class NoRouteError(PlaygroundError):
    """An endpoint URL answered 404 (or 405) where a TGI or OpenAI-compatible route should be: the
    detail names the URL and what was tried. Not ModelNotFoundError: no model ID was misspelt."""


class RequestRejectedError(PlaygroundError):
    pass


class GenerationFailedError(PlaygroundError):
    pass


class EndpointRedirectError(PlaygroundError):
    pass


class CutOffError(PlaygroundError):
    """The connection closed after some tokens but before the model's last event (TGI's
    `generated_text`, a chat `finish_reason`): the answer is incomplete, not finished."""


class TimedOutError(PlaygroundError):
    pass


class ServerError(PlaygroundError):
    pass


class LookupFailedError(PlaygroundError):
    """Not a run failure: the catalog could not be read, and typing a model ID still works."""
