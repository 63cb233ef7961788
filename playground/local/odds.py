"""The built-in model's token probabilities on the wire: TGI's `top_tokens` and OpenAI's chat `logprobs`.

The engine reads them from llama.cpp's logits when a request asks (`Sampling.top_logprobs`); a
token without them (`logprob` None) is sent without.
"""

from __future__ import annotations

from typing import Any

from playground.local.engine import Token


def top_tokens(token: Token) -> list[dict[str, Any]]:
    """TGI's `top_tokens` at one place: the likeliest tokens, best first."""
    return [{"id": alt.id, "text": alt.text, "logprob": alt.logprob, "special": False} for alt in token.top]


def chat_logprobs(token: Token, listed: int) -> dict[str, Any] | None:
    """OpenAI's `logprobs` of one chunk: the token, its log-probability and `listed` alternatives."""
    if token.logprob is None:
        return None

    def entry(text: str, logprob: float) -> dict[str, Any]:
        return {"token": text, "logprob": logprob, "bytes": list(text.encode("utf-8"))}

    top = [entry(alt.text, alt.logprob) for alt in token.top[:listed]]
    return {"content": [{**entry(token.text, token.logprob), "top_logprobs": top}]}
