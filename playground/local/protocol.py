"""What the local server accepts and what it sends: TGI text generation and OpenAI chat.

Requests are pydantic models, so a bad value becomes one 422 "Input validation error" as TGI gives.
Their bounds, and the sampler options they take, are those `playground.input.params.GenerationParams`
declares, the declaration the UI's controls are built from, so a value the UI can send is one this
server takes. Two leniencies over TGI, both because the UI sends them: temperature 0 means greedy,
and a sampler option at its declared "off" value (Top-k 0, Top-p 1) is off.

Answers and stream events are plain dicts; `sse` frames one. Token logprobs are sent when asked for
(TGI's `top_n_tokens`, chat's `logprobs`/`top_logprobs`), read by the engine from llama.cpp's logits;
otherwise null.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from playground.input.params import SEED_MAX, field_default
from playground.local import LOCAL_MODEL_NAME
from playground.local.engine import Generation, Sampling, Token
from playground.local.odds import top_tokens
from playground.local.options import declared, option_fields, sampler_options, sampling_filters

# The engine's own settings, read by name below; every other declared parameter with a llama.cpp
# name is a sampler option, whose body field is built from its declaration (`playground.local.options`).
MaxNewTokens = declared("max_new_tokens", int)
Temperature = declared("temperature", float)
Seed = declared("seed", int)
StopList = declared("stop", list[str])
Penalty = Annotated[float, Field(ge=-2.0, le=2.0)]
TopCount = Annotated[int, Field(ge=0, le=20)]  # alternatives per token: OpenAI's limit, also TGI's
DEFAULT_MAX_NEW_TOKENS: int = field_default("max_new_tokens")


class _Body(BaseModel):
    # Fields a client adds that change nothing here (TGI's `details` flags, OpenAI's `user`...) are ignored.
    model_config = ConfigDict(extra="ignore")

    # Field -> its "off" value. Features the engine lacks are refused when turned on, not ignored:
    # each would change the answer, and a silent difference is worse than a clear 422.
    _refused: ClassVar[dict[str, Any]] = {}

    @model_validator(mode="after")
    def _refuse_unsupported(self) -> _Body:
        for name, off in self._refused.items():
            if getattr(self, name) not in (None, off):
                raise ValueError(f"`{name}` is not supported by the local model")
        return self


class _TgiParameters(_Body):
    """TGI's `parameters`: the engine's own settings and the options the playground never sends
    (`TextGenerationParameters` adds the declared sampler options)."""

    max_new_tokens: MaxNewTokens | None = None
    temperature: Temperature | None = None
    typical_p: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    seed: Seed | None = None
    stop: StopList = []
    do_sample: bool | None = None
    details: bool = False
    return_full_text: bool = False
    best_of: int | None = None
    grammar: Any = None
    watermark: bool | None = None
    top_n_tokens: TopCount | None = None
    truncate: int | None = None
    adapter_id: str | None = None
    decoder_input_details: bool | None = None

    _refused: ClassVar[dict[str, Any]] = {
        "best_of": 1,
        "grammar": None,
        "watermark": False,
        "truncate": None,
        "adapter_id": None,
        "decoder_input_details": False,
    }

    def wants_sampling(self) -> bool:
        """TGI's rule: sample if asked to, or if any sampling filter is set; else greedy."""
        if self.temperature == 0:
            return False
        filters = [self.typical_p, *sampling_filters(self)]
        return bool(self.do_sample) or (self.temperature not in (None, 1.0)) or any(f is not None for f in filters)

    def to_sampling(self, rng: random.Random) -> Sampling:
        common = {"max_new_tokens": self.max_new_tokens or DEFAULT_MAX_NEW_TOKENS, "stop": tuple(self.stop),
                  "top_logprobs": self.top_n_tokens or 0}
        if not self.wants_sampling():
            return Sampling(temperature=0.0, options=sampler_options(self, "tgi", greedy=True), **common)
        return Sampling(
            seed=_seed(self.seed, rng),
            temperature=1.0 if self.temperature is None else self.temperature,
            options=sampler_options(self, "tgi", extra=("typical_p",)),
            **common,
        )


TextGenerationParameters = create_model("TextGenerationParameters", __base__=_TgiParameters, **option_fields("tgi"))


class TextGenerationRequest(_Body):
    inputs: str
    parameters: TextGenerationParameters = Field(default_factory=TextGenerationParameters)
    stream: bool = False


class ChatMessage(_Body):
    role: str
    content: str


class _ChatRequest(_Body):
    """OpenAI's chat body (`ChatRequest` adds the declared sampler options)."""

    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    max_tokens: MaxNewTokens | None = None
    temperature: Temperature | None = None
    seed: Seed | None = None
    stop: StopList | None = None
    presence_penalty: Penalty | None = None
    n: int | None = None
    logprobs: bool | None = None
    top_logprobs: TopCount | None = None
    tools: list[Any] | None = None
    response_format: dict[str, Any] | None = None
    stream_options: dict[str, Any] | None = None  # the last chunk always carries `usage`

    _refused: ClassVar[dict[str, Any]] = {"n": 1, "tools": []}

    @field_validator("response_format")
    @classmethod
    def _format_has_a_grammar(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        response_grammar(value)  # raises ValueError (a 422) for a format or schema it cannot follow
        return value

    @field_validator("stop", mode="before")
    @classmethod
    def _one_stop_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def to_sampling(self, rng: random.Random) -> Sampling:
        """OpenAI's defaults: temperature 1 when unset, 0 for greedy."""
        temperature = 1.0 if self.temperature is None else self.temperature
        return Sampling(
            max_new_tokens=self.max_tokens or DEFAULT_MAX_NEW_TOKENS,
            seed=_seed(self.seed, rng),
            temperature=temperature,
            options=sampler_options(self, "chat", extra=("presence_penalty",)),
            stop=tuple(self.stop or ()),
            grammar=response_grammar(self.response_format),
            # `logprobs` alone asks for each token's own log-probability: one is read, none listed.
            top_logprobs=max(1, self.top_logprobs or 0) if self.logprobs else 0,
        )

    def alternatives_listed(self) -> int:
        return (self.top_logprobs or 0) if self.logprobs else 0

    def message_dicts(self) -> list[dict[str, str]]:
        return [{"role": m.role, "content": m.content} for m in self.messages]


ChatRequest = create_model("ChatRequest", __base__=_ChatRequest, **option_fields("chat"))


def response_grammar(response_format: dict[str, Any] | None) -> str | None:
    """The GBNF grammar llama.cpp samples under for a `response_format`, or None for free text.

    Takes the shapes clients send: OpenAI's `{"type": "json_object"}` (any JSON) and
    `{"type": "json_schema", "json_schema": {"schema": ...}}`, and TGI's `{"type": "json_object" |
    "json", "value": schema}`, which huggingface_hub sends to an endpoint URL such as this server.
    Raises ValueError for another shape or a schema llama.cpp's converter cannot turn into a grammar.
    """
    if response_format is None or response_format.get("type") == "text":
        return None
    kind = response_format.get("type")
    if kind == "json_schema" and isinstance(response_format.get("json_schema"), dict):
        schema = response_format["json_schema"].get("schema")
    elif kind in ("json_object", "json"):
        schema = response_format.get("value")
    else:
        raise ValueError("`response_format` must be text, json_object or json_schema")
    from llama_cpp.llama_grammar import JSON_GBNF, json_schema_to_gbnf

    if schema is None:
        return JSON_GBNF
    try:
        return json_schema_to_gbnf(json.dumps(schema))
    except Exception as error:  # the converter raises assorted errors for schemas it cannot follow
        raise ValueError(f"the local model cannot follow this JSON schema: {error}") from error


def _seed(seed: int | None, rng: random.Random) -> int:
    # TGI's behaviour: no seed means a fresh one, reported in `details` so the run can be replayed.
    return rng.randint(0, SEED_MAX) if seed is None else seed


def validation_message(error: ValidationError | ValueError) -> str:
    """TGI's wording for a refused request, naming the first offending field."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        reason = str(first["msg"]).removeprefix("Value error, ")
        return f"Input validation error: `{where}`: {reason}" if where else f"Input validation error: {reason}"
    return f"Input validation error: {error}"


def error_body(message: str, error_type: str) -> dict[str, str]:
    return {"error": message, "error_type": error_type}


def sse(payload: dict[str, Any] | str) -> bytes:
    """One server-sent event. `data: ` with the space: the client's [DONE] check needs it."""
    return f"data: {payload if isinstance(payload, str) else json.dumps(payload)}\n\n".encode()


# ---- TGI answers --------------------------------------------------------------------------------


def tgi_details(generation: Generation) -> dict[str, Any]:
    return {
        "finish_reason": generation.finish_reason,
        "generated_tokens": generation.generated_tokens,
        "input_length": generation.input_length,
        "seed": None if generation.sampling.greedy else generation.sampling.seed,
    }


def token_dict(token: Token) -> dict[str, Any]:
    return {"id": token.id, "text": token.text, "logprob": token.logprob, "special": token.special}


def tgi_token_event(index: int, token: Token, generation: Generation, prefix: str) -> dict[str, Any]:
    """One token; the last one (finish_reason set) also carries the whole text and the details."""
    last = generation.finish_reason is not None
    return {
        "index": index,
        "token": token_dict(token),
        **({"top_tokens": top_tokens(token)} if token.logprob is not None else {}),
        "generated_text": prefix + generation.text if last else None,
        "details": tgi_details(generation) if last else None,
    }


def tgi_answer(generation: Generation, tokens: list[Token], prefix: str, details: bool) -> list[dict[str, Any]]:
    answer: dict[str, Any] = {"generated_text": prefix + generation.text}
    if details:
        answer["details"] = {**tgi_details(generation), "prefill": [], "tokens": [token_dict(t) for t in tokens]}
        if any(t.logprob is not None for t in tokens):
            answer["details"]["top_tokens"] = [top_tokens(t) for t in tokens]
    return [answer]


# ---- OpenAI chat answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatIds:
    id: str
    created: int

    @classmethod
    def new(cls) -> ChatIds:
        return cls(id=f"chatcmpl-{uuid.uuid4().hex}", created=int(time.time()))

    def envelope(self, kind: str) -> dict[str, Any]:
        return {"id": self.id, "object": kind, "created": self.created, "model": LOCAL_MODEL_NAME, "system_fingerprint": "llama-cpp-python"}


def chat_finish_reason(generation: Generation) -> str:
    return "length" if generation.finish_reason == "length" else "stop"


def chat_chunk(ids: ChatIds, text: str, finish_reason: str | None = None, logprobs: dict[str, Any] | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": {"role": "assistant", "content": text}, "logprobs": logprobs, "finish_reason": finish_reason}
    return {**ids.envelope("chat.completion.chunk"), "choices": [choice]}


def chat_usage(generation: Generation) -> dict[str, int]:
    return {
        "prompt_tokens": generation.input_length,
        "completion_tokens": generation.generated_tokens,
        "total_tokens": generation.input_length + generation.generated_tokens,
    }


def chat_answer(ids: ChatIds, generation: Generation) -> dict[str, Any]:
    message = {"role": "assistant", "content": generation.text}
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": chat_finish_reason(generation)}
    return {**ids.envelope("chat.completion"), "choices": [choice], "usage": chat_usage(generation)}
