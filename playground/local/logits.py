"""A picked token's log-probability and the likeliest tokens at its place, read from llama.cpp's
raw logits (before temperature and filters), as llama-cpp-python's `create_completion(logprobs=N)`
reports them, so the two agree. Imported by the engine only when "Token probabilities" is on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Alternative:
    id: int
    text: str
    logprob: float


def token_odds(llm: Any, token_id: int, count: int) -> dict[str, Any]:
    """`{"logprob": ..., "top": (Alternative, ...)}` for the token just picked by `llm` (a `Llama`);
    `{}` when `count` (the alternatives asked for) is 0."""
    if count <= 0:
        return {}
    import numpy as np
    from llama_cpp import Llama, llama_get_logits_ith

    logits = np.ctypeslib.as_array(llama_get_logits_ith(llm.ctx, -1), shape=(llm.n_vocab(),))
    logprobs = Llama.logits_to_logprobs(logits)
    best = np.argsort(-logprobs, kind="stable")[:count]
    top = tuple(Alternative(int(i), _piece(llm, int(i)), float(logprobs[i])) for i in best)
    return {"logprob": float(logprobs[token_id]), "top": top}


def _piece(llm: Any, token_id: int) -> str:
    """A token's text on its own (a byte-level half character shows as a replacement mark)."""
    return llm.detokenize([token_id]).decode("utf-8", errors="replace")
