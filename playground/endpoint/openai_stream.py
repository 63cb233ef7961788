"""An OpenAI-compatible endpoint's stream, through the `openai` package.

huggingface_hub has no completions call, and for a URL it rewrites a JSON schema into TGI's shape
and sends `"model": "dummy"`; vLLM and Ollama refuse both. The `openai` package is the maintained
client every such server is tested against, so both modes go through it here, with the call
`playground.input.request.openai_call` builds (which "View code" prints too).

The client is given the playground's own HTTP client (`playground.hf.router.endpoint_client`):
exactly the run scope's token or none (the placeholder key below never leaves), no redirects, the
address guard on a Space, and none of the `OPENAI_*` settings of this process. It never retries:
the backend's retry loop does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from playground.input.request import OPENAI_CHAT, ClientCall

if TYPE_CHECKING:
    import httpx2

# The client insists on a key; `playground.hf.outbound.guard_request` replaces it with the visitor's
# Endpoint token, or removes the header, before any request leaves.
_PLACEHOLDER_KEY = "replaced-by-the-run-scope"


def open_stream(base: str, call: ClientCall, http_client: httpx2.Client) -> Iterator[Any]:
    """Sends `call` to `<base>/v1` and returns the stream of chunks (chat or completion). Raises
    openai's errors (`APIStatusError`, `APIConnectionError`, ...), typed by `playground.inference.http_errors`."""
    from openai import OpenAI  # here, not at the top: `openai` alone takes longer to import than the page to build

    client = OpenAI(base_url=f"{base}/v1", api_key=_PLACEHOLDER_KEY, max_retries=0,
                    timeout=http_client.timeout, http_client=http_client)
    client.organization = client.project = None  # never the process's OPENAI_ORG_ID / OPENAI_PROJECT_ID
    create = client.chat.completions.create if call.method == OPENAI_CHAT else client.completions.create
    return create(**call.kwargs, stream=True)
