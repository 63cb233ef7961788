"""What the "Model" field may hold: a Hub ID (`org/name`) or an endpoint URL.

Gradio exposes every event as an HTTP API, so this is checked on the server for each request, not
only in the browser. On a Space, a URL may not point at this machine or a private network (the app
would otherwise fetch from places only the Space can reach) unless the host is allow-listed. The
same rule is applied again where the connection is made (`playground.hf.address_guard`): a name may
answer differently the second time it is resolved.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx2
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from playground.errors import InvalidModelError
from playground.input.policy import split_policy

PRIVATE_ADDRESS = "points at a private or local address, which this Space does not allow"
UNRESOLVABLE = "can't be resolved"
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# socket.getaddrinfo's shape: (host, port) -> [(family, type, proto, canonname, sockaddr), ...]
Resolver = Callable[[str, int | None], Sequence[tuple[Any, ...]]]

HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


def is_endpoint_url(model: str) -> bool:
    return model.startswith(("http://", "https://"))


def check_model_syntax(value: str) -> str:
    """Returns the model field, trimmed. Raises InvalidModelError when it is neither form.

    A Hub ID may carry a router policy suffix (`org/name:fastest`, see `input.policy`)."""
    model = value.strip()
    if is_endpoint_url(model):
        return _check_url_syntax(model)
    base, _ = split_policy(model)
    if not HUB_ID.match(base) or ".." in base or base.endswith((".", "-")):
        raise InvalidModelError(model)
    return model


def _model_field(value: str) -> str:
    try:
        return check_model_syntax(value)
    except InvalidModelError as error:
        # A typed pydantic problem, so `request.input_error` can turn it back into InvalidModelError.
        raise PydanticCustomError("invalid_model", "{detail}", {"detail": error.detail, "reason": error.reason}) from None


# The "Model" field as a pydantic type, for stored data (history, presets) checked like the form.
ModelId = Annotated[str, AfterValidator(_model_field)]


def check_endpoint_allowed(url: str, allowlist: frozenset[str], resolver: Resolver = socket.getaddrinfo) -> None:
    """Raises InvalidModelError if `url`'s host is not allow-listed and resolves to nothing or to any
    address that is not global.

    Resolves the name only: nothing connects to the host here."""
    host = endpoint_host(url)
    if host not in allowlist:
        global_addresses(host, resolver, model=url)


def endpoint_host(url: str) -> str:
    """The host an endpoint URL names, as the allow-list holds it (lower case)."""
    return (urlsplit(url).hostname or "").lower()


def global_addresses(host: str, resolver: Resolver, model: str) -> list[Address]:
    """`host`'s addresses (each once, in the resolver's order), all of them global. Raises
    InvalidModelError, naming `model`, if it resolves to nothing or to any address that is not."""
    addresses = list(dict.fromkeys(_addresses(host, resolver)))
    if not addresses:
        raise InvalidModelError(model, reason=UNRESOLVABLE)
    if any(is_internal_address(address) for address in addresses):
        raise InvalidModelError(model, reason=PRIVATE_ADDRESS)
    return addresses


def _check_url_syntax(url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (parsing it raises ValueError for a port like ":x")
    except ValueError:  # e.g. "http://[" (an unclosed IPv6 address)
        raise InvalidModelError(url, reason="is not a valid URL") from None
    if not parts.hostname or len(url) > 2000 or any(ch.isspace() for ch in url):
        raise InvalidModelError(url)
    _check_host_name(url, parts.hostname)
    return url


def _check_host_name(url: str, host: str) -> None:
    """Raises InvalidModelError for a host name no request could reach: a label empty or over 63
    characters, or a name over 253. Checked here because the client and the resolver raise
    UnicodeError for them (in IDNA encoding), which is not an error the page can word."""
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    try:
        ascii_host = httpx2.URL(url).raw_host.decode("ascii")  # the client's IDNA 2008 for a non-ASCII name
    except (httpx2.InvalidURL, UnicodeError):
        raise InvalidModelError(url, reason="has an invalid host name") from None
    try:
        ascii_host.encode("idna")  # what the resolver checks, label by label
    except UnicodeError:
        raise InvalidModelError(url, reason="has an invalid host name (each part between dots must be 1 to 63 characters)") from None
    if len(ascii_host.rstrip(".")) > 253:
        raise InvalidModelError(url, reason="has an invalid host name (at most 253 characters)")


def _addresses(host: str, resolver: Resolver) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = resolver(host, None)
    except (OSError, UnicodeError):  # unresolvable, or a name the IDNA codec refuses
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def is_internal_address(address: Address) -> bool:
    """Anything not globally routable: private, loopback, link-local, shared (100.64.0.0/10) and every
    other special-purpose range `ipaddress` knows. An IPv4 address inside IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return is_internal_address(embedded)
    return not address.is_global or address.is_multicast or address.is_reserved
