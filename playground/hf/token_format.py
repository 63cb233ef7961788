"""A token's shape, checked before it is sent: an HTTP header can only carry printable ASCII.

A token with a line break, a space inside or a non-ASCII character (pasted with its surroundings)
would otherwise fail deep in the HTTP client and be reported as something else ("not served",
"cut off"). The message never quotes the token. An Endpoint token (a vLLM or TGI server's key) may
have any shape a header value can carry.
"""

from __future__ import annotations

import re

from playground.errors import InvalidParametersError, InvalidTokenError

_TOKEN = re.compile(r"[\x21-\x7e]+")
# An endpoint's key may have any shape a header value can carry: printable ASCII, spaces included.
_ENDPOINT_TOKEN = re.compile(r"[\x20-\x7e]+")
MAX_ENDPOINT_TOKEN = 4096


def check_token_format(token: str | None) -> None:
    """Raises InvalidTokenError when `token` (already trimmed) cannot be a Hugging Face token."""
    if token is not None and not _TOKEN.fullmatch(token):
        raise InvalidTokenError("it holds spaces, line breaks or non-ASCII characters, which a token never has; paste it again")


def check_endpoint_token_format(token: str | None) -> None:
    """Raises InvalidParametersError, naming the "Endpoint token" field, when `token` (already
    trimmed) holds line breaks, control or non-ASCII characters, or is longer than a header allows."""
    if not token:
        return
    if len(token) > MAX_ENDPOINT_TOKEN:
        raise InvalidParametersError(f"Endpoint token: longer than {MAX_ENDPOINT_TOKEN} characters; paste only the key")
    if not _ENDPOINT_TOKEN.fullmatch(token):
        raise InvalidParametersError("Endpoint token: it holds line breaks, control or non-ASCII characters; paste only the key")
