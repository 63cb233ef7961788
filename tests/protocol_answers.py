"""The deterministic answers of the protocol server, and the JSON and SSE shapes that carry them.

Pure functions, no I/O: tests import `generate` to compute the exact text the server will send.
The text is a function of the prompt, seed, temperature, max tokens and stop sequences only, e.g.
`generate("hi there", seed=1, temperature=0.5, max_tokens=6).text == "Echo seed=1 temp=0.5: hi there lorem "`.
One token is one word with its following space.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_TOKENS = 20
FILLER = [
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod",
    "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua",
]  # fmt: skip
DONE = b"data: [DONE]\n\n"  # exactly this: the client's parser crashes on "data:[DONE]"
# Token probabilities, when asked for: token i was picked with PICKED[i % 4]; its alternatives share
# what is left by ALTERNATIVE_SHARES, so about a quarter of it stays "other".
PICKED = (0.6, 0.05, 0.9, 0.3)
ALTERNATIVES = ("maybe ", "perhaps ", "never ", "always ")
ALTERNATIVE_SHARES = (0.4, 0.2, 0.1, 0.05)


@dataclass(frozen=True)
class Generation:
    tokens: list[str]
    finish_reason: str  # TGI's words: "length" or "stop_sequence"

    @property
    def text(self) -> str:
        return "".join(self.tokens)


def generate(
    prompt: str, *, seed: Any = None, temperature: Any = None, max_tokens: int | None = None, stop: Any = ()
) -> Generation:
    """Echoes the settings and the prompt, pads with filler words, then cuts at max tokens and stop."""
    limit = DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens
    words = ["Echo", f"seed={seed}", f"temp={temperature}:", *prompt.split()]
    words += [FILLER[i % len(FILLER)] for i in range(max(0, limit - len(words)))]
    stops = [stop] if isinstance(stop, str) else list(stop or ())
    return _cut_at_stop([word + " " for word in words[:limit]], stops)


def _cut_at_stop(tokens: list[str], stops: list[str]) -> Generation:
    """Cuts just before the first stop sequence; a token the cut falls inside is shortened."""
    text = "".join(tokens)
    cut = min((text.find(s) for s in stops if s and s in text), default=-1)
    if cut < 0:
        return Generation(tokens, "length")
    kept: list[str] = []
    for token in tokens:
        room = cut - len("".join(kept))
        if room <= 0:
            break
        kept.append(token[:room])
    return Generation(kept, "stop_sequence")


def _content_text(content: Any) -> str:
    """A message's text: content may be a string or a list of typed parts."""
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def chat_prompt(messages: Any) -> str:
    """What the chat answer echoes: the text of the last user message."""
    user_messages = [m for m in messages or [] if isinstance(m, dict) and m.get("role") == "user"]
    return _content_text(user_messages[-1].get("content")) if user_messages else ""


def prompt_token_count(messages: Any) -> int:
    return sum(len(_content_text(m.get("content")).split()) for m in messages or [] if isinstance(m, dict))


def sse(payload: Any) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


def error_event(message: str, error_type: str) -> bytes:
    """TGI's in-stream error. The client raises the matching typed error (GenerationError, ...) for
    text generation AND for chat: `_format_chat_completion_stream_output` reads `error` and
    `error_type` the same way. The OpenAI form `{"error": {"message", "type"}}` would only give an
    UnknownError whose message is a dict, so the TGI form is used for both."""
    return sse({"error": message, "error_type": error_type})


def picked_probability(index: int) -> float:
    return PICKED[index % len(PICKED)]


def alternatives(index: int, text: str, count: int) -> list[tuple[str, float]]:
    """The top `count` (text, probability) at token `index`, best first, the picked token among them."""
    rest = 1 - picked_probability(index)
    found = [(text, picked_probability(index)), *((alt, rest * share) for alt, share in zip(ALTERNATIVES, ALTERNATIVE_SHARES, strict=True))]
    return sorted(found, key=lambda pair: -pair[1])[:count]


# ---- text generation (TGI) ------------------------------------------------------------------


def _tgi_token(index: int, text: str, probabilities: bool = False) -> dict[str, Any]:
    # TGI always sends a logprob; the deterministic one only when probabilities are asked for.
    logprob = math.log(picked_probability(index)) if probabilities else -0.1
    return {"id": index, "text": text, "logprob": logprob, "special": False}


def tgi_top_tokens(index: int, text: str, count: int) -> list[dict[str, Any]]:
    return [{"id": 1000 + i, "text": alt, "logprob": math.log(p), "special": False} for i, (alt, p) in enumerate(alternatives(index, text, count))]


def tgi_details(generation: Generation, seed: Any, *, with_tokens: bool) -> dict[str, Any]:
    details = {
        "finish_reason": generation.finish_reason,
        "generated_tokens": len(generation.tokens),
        "seed": seed,
    }
    if with_tokens:  # the non-stream answer lists its tokens, the stream already sent them
        details |= {"prefill": [], "tokens": [_tgi_token(i, t) for i, t in enumerate(generation.tokens)]}
    return details


def tgi_answer(generation: Generation, seed: Any, *, details: bool, prefix: str = "") -> list[dict[str, Any]]:
    """TGI wraps its one answer in a list. `prefix` is the prompt when return_full_text is set."""
    answer: dict[str, Any] = {"generated_text": prefix + generation.text}
    if details:
        answer["details"] = tgi_details(generation, seed, with_tokens=True)
    return [answer]


def tgi_stream(generation: Generation, seed: Any, *, prefix: str = "", top_n_tokens: int = 0) -> list[bytes]:
    """One event per token; only the last carries generated_text and details. No [DONE].
    `top_n_tokens`: each event also carries `top_tokens`, and the token its deterministic logprob."""
    events = []
    last = len(generation.tokens) - 1
    for index, text in enumerate(generation.tokens):
        final = index == last
        event = {
            "index": index,
            "token": _tgi_token(index, text, probabilities=top_n_tokens > 0),
            "generated_text": prefix + generation.text if final else None,
            "details": tgi_details(generation, seed, with_tokens=False) if final else None,
        }
        if top_n_tokens:
            event["top_tokens"] = tgi_top_tokens(index, text, top_n_tokens)
        events.append(sse(event))
    return events


# ---- chat (OpenAI) --------------------------------------------------------------------------


def _chat_finish_reason(generation: Generation) -> str:
    return "stop" if generation.finish_reason == "stop_sequence" else "length"


def chat_completion(generation: Generation, *, model: str, answer_id: str, prompt_tokens: int) -> dict[str, Any]:
    return {
        "id": answer_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "protocol-server",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": generation.text},
                "logprobs": None,
                "finish_reason": _chat_finish_reason(generation),
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(generation.tokens),
            "total_tokens": prompt_tokens + len(generation.tokens),
        },
    }


def chat_logprobs(index: int, text: str, top_logprobs: int) -> dict[str, Any]:
    """OpenAI's `logprobs` of one chunk: the token's deterministic logprob and its top alternatives."""

    def entry(token: str, probability: float) -> dict[str, Any]:
        return {"token": token, "logprob": math.log(probability), "bytes": list(token.encode())}

    top = [entry(alt, p) for alt, p in alternatives(index, text, top_logprobs)]
    return {"content": [{**entry(text, picked_probability(index)), "top_logprobs": top}]}


def chat_stream(generation: Generation, *, model: str, answer_id: str, top_logprobs: int | None = None) -> list[bytes]:
    """One chunk per token, the last with finish_reason (as TGI does; an empty answer still gets
    one chunk). The caller appends DONE: an in-stream error must come before it, instead of it.
    `top_logprobs` (not None when `logprobs` was asked for): each chunk carries its token's logprobs."""
    tokens = generation.tokens or [""]
    created = int(time.time())
    return [
        sse(
            {
                "id": answer_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "protocol-server",
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": text},
                        "logprobs": chat_logprobs(index, text, top_logprobs) if top_logprobs is not None and text else None,
                        "finish_reason": _chat_finish_reason(generation) if index == len(tokens) - 1 else None,
                    }
                ],
            }
        )
        for index, text in enumerate(tokens)
    ]


# ---- chat models that reason, answer in JSON, and report usage -----------------------------

THINKING = ["Let ", "me ", "think ", "about ", "it. "]


def completion_stream(generation: Generation, *, model: str, answer_id: str) -> list[bytes]:
    """An OpenAI completions stream: one `text_completion` chunk per token (`choices[0].text`), the
    last with finish_reason. The caller appends DONE."""
    tokens = generation.tokens or [""]
    created = int(time.time())
    finish = "length" if generation.finish_reason == "length" else "stop"
    return [
        sse({"id": answer_id, "object": "text_completion", "created": created, "model": model,
             "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": finish if index == len(tokens) - 1 else None}]})
        for index, text in enumerate(tokens)
    ]


def think_tokens(generation: Generation) -> Generation:
    """A `<think>` model's answer: the tags split across tokens (`<th` + `ink>`), as tokenizers do."""
    return Generation(["<th", "ink>", *THINKING, "</think>", "\n\n", *generation.tokens], generation.finish_reason)


def json_answer(messages: Any) -> Generation:
    """A JSON answer whose `year` is text: valid JSON, invalid against a schema that wants an integer."""
    text = json.dumps({"name": chat_prompt(messages), "year": "nineteen"})
    return Generation([text[i : i + 8] for i in range(0, len(text), 8)], "stop_sequence")


def _chunk(model: str, answer_id: str, created: int, delta: dict[str, Any], finish: str | None) -> bytes:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return sse({"id": answer_id, "object": "chat.completion.chunk", "created": created, "model": model,
                "system_fingerprint": "protocol-server", "choices": [choice]})


def reasoning_stream(generation: Generation, *, model: str, answer_id: str) -> list[bytes]:
    """Reasoning in the delta's `reasoning_content` field, one chunk per token, then the answer."""
    created = int(time.time())
    thinking = [_chunk(model, answer_id, created, {"role": "assistant", "content": None, "reasoning_content": t}, None) for t in THINKING]
    return thinking + chat_stream(generation, model=model, answer_id=answer_id)


def usage_chunk(*, model: str, answer_id: str, prompt_tokens: int, completion_tokens: int, reasoning_tokens: int | None) -> bytes:
    """OpenAI's last chunk for `stream_options={"include_usage": true}`: no choices, the run's usage."""
    usage: dict[str, Any] = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                             "total_tokens": prompt_tokens + completion_tokens}
    if reasoning_tokens is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return sse({"id": answer_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
                "system_fingerprint": "protocol-server", "choices": [], "usage": usage})
