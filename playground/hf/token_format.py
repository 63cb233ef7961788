"""A token's shape, checked before it is sent: an HTTP header can only carry printable ASCII.

A token with a line break, a space inside or a non-ASCII character (pasted with its surroundings)
would otherwise fail deep in the HTTP client and be reported as something else ("not served",
"cut off"). The message never quotes the token.
"""

from __future__ import annotations

import re

from playground.errors import InvalidTokenError

_TOKEN = re.compile(r"[\x21-\x7e]+")


def check_token_format(token: str | None) -> None:
    """Raises InvalidTokenError when `token` (already trimmed) cannot be a Hugging Face token."""
    if token is not None and not _TOKEN.fullmatch(token):
        raise InvalidTokenError("it holds spaces, line breaks or non-ASCII characters, which a token never has; paste it again")
