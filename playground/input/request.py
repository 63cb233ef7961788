"""One generation request, the rules every entry point checks it by, and the exact InferenceClient call it becomes.

`GenerationRequest` is the one validated request: the form (Generate, View code, Save preset),
share links, the history and presets all build it, or its fields, from the shared annotated types
below (`ModelId`, `Provider`, `Mode`, `Prompt`, `SystemPrompt`) and one set of limits, so whatever
Generate accepts can also be saved, shared and restored, and nothing else can.

`client_call` is the single translation from what the user set to what goes on the wire: the
backend makes this call, and the "View code" snippets print it, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from playground.errors import InvalidModelError, InvalidParametersError
from playground.input.model_ref import ModelId
from playground.input.params import PARAMS, GenerationParams, Wire, field_label, sendable_text
from playground.input.response_format import MAX_SCHEMA_CHARS, ResponseFormat, parse_schema, response_format_body
from playground.patches.providers import provider_names


class Mode(str, Enum):
    """Matched exactly ("Chat", not "chat") everywhere: Gradio's Radio refuses anything else on /generate."""

    COMPLETION = "Completion"
    CHAT = "Chat"


DEFAULT_PROVIDER = "auto"
# The one list of providers, shown in the Provider dropdown and checked in links, history and presets.
PROVIDER_CHOICES: tuple[str, ...] = (DEFAULT_PROVIDER, "hf-inference", *sorted(p for p in provider_names() if p != "hf-inference"))
# One bound for prompts, system prompts and preset examples everywhere, so a run that was accepted
# can always be kept, shared and restored.
MAX_PROMPT_CHARS = 32_000
MAX_ANSWER_CHARS = 100_000  # an earlier answer in a conversation; as long as the history keeps
MAX_TURNS = 100
# Chat routes report the run's token counts in a last chunk when asked; OpenAI-compatible servers
# (the router, TGI, vLLM, llama.cpp) take this field.
STREAM_OPTIONS = {"include_usage": True}


def _known_provider(value: str) -> str:
    if value not in PROVIDER_CHOICES:
        raise ValueError("not a provider huggingface_hub knows")
    return value


Provider = Annotated[str, AfterValidator(_known_provider)]
Prompt = Annotated[str, Field(max_length=MAX_PROMPT_CHARS), BeforeValidator(sendable_text)]
SystemPrompt = Prompt
EarlierAnswer = Annotated[str, Field(max_length=MAX_ANSWER_CHARS), BeforeValidator(sendable_text)]
ChatTurn = tuple[Prompt, EarlierAnswer]  # (user message, assistant answer without its reasoning)


ServedModel = Annotated[str, Field(max_length=256), BeforeValidator(sendable_text)]


class GenerationRequest(BaseModel):
    """A validated request. `model` is a Hub ID (`org/name`) or an endpoint URL. An empty prompt is
    a valid request (settings saved as a preset, a link without a prompt); Generate refuses it.

    In Chat mode `prompt` is the newest user message and `turns` the conversation before it;
    `response_format` and `json_schema` (the schema editor's text, checked when it is used) shape
    the answer. `served_model` is the name an OpenAI-compatible endpoint URL serves ("Served
    model"); empty for a Hub ID, a TGI endpoint, or to let the server's first model answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: ModelId = Field(title="Model")
    served_model: ServedModel = Field("", title="Served model")
    prompt: Prompt = Field(title="Prompt")
    mode: Mode = Field(Mode.COMPLETION, title="Mode")
    provider: Provider = Field(DEFAULT_PROVIDER, title="Provider")
    system_prompt: SystemPrompt = Field("", title="System prompt")
    params: GenerationParams = Field(default_factory=GenerationParams)
    turns: tuple[ChatTurn, ...] = Field((), title="Conversation", max_length=MAX_TURNS)
    response_format: ResponseFormat = Field(ResponseFormat.TEXT, title="Response format")
    json_schema: str = Field("", title="Schema", max_length=MAX_SCHEMA_CHARS)

    @field_validator("json_schema")
    @classmethod
    def _schema_is_usable(cls, value: str, info: ValidationInfo) -> str:
        """A schema is checked when it is used: a broken one in the editor must not block a Text run."""
        if info.data.get("response_format") is ResponseFormat.JSON_SCHEMA:
            try:
                parse_schema(value)
            except InvalidParametersError as error:
                raise ValueError(str(error).removeprefix("Schema: ")) from None
        return value

    def for_model(self, model: str, **changes: Any) -> GenerationRequest:
        """This request sent to `model` (a pane's, a cell's), with `changes`. The served model's name
        was picked for this request's endpoint: it stays only where the model does."""
        served = self.served_model if model == self.model else ""
        return self.model_copy(update={"model": model, "served_model": served, **changes})


def parse_request(data: dict[str, Any]) -> GenerationRequest:
    """`data` as a request. Raises InvalidModelError (the model field) or InvalidParametersError,
    whose message names each refused control by its label."""
    try:
        return GenerationRequest.model_validate(data)
    except ValidationError as error:
        raise input_error(error, data) from None


def input_error(error: ValidationError, data: dict[str, Any]) -> InvalidModelError | InvalidParametersError:
    model_problem = next((p for p in error.errors() if p["type"] == "invalid_model"), None)
    if model_problem is not None:
        return InvalidModelError(str(data.get("model", "")).strip(), reason=model_problem["ctx"]["reason"])
    return InvalidParametersError(describe(error))


def describe(error: ValidationError) -> str:
    """E.g. "Temperature: Input should be less than or equal to 2; Prompt: ..."."""
    return "; ".join(f"{_label(problem['loc'])}: {_message(problem['msg'])}" for problem in error.errors())


def check_field(name: str, value: Any) -> Any:
    """One field of a request checked on its own (a share link's key). Raises ValidationError."""
    return _field_adapter(name).validate_python(value)


@cache
def _field_adapter(name: str) -> TypeAdapter:
    return TypeAdapter(GenerationRequest.model_fields[name].rebuild_annotation())


def _label(loc: tuple[int | str, ...]) -> str:
    names = [str(part) for part in loc]
    names = names[1:] if names[:1] == ["params"] and len(names) > 1 else names
    if names and names[0] in GenerationParams.model_fields:
        return field_label(names[0])
    if names and names[0] in GenerationRequest.model_fields:
        return GenerationRequest.model_fields[names[0]].title or names[0]
    return ".".join(names)


def _message(text: str) -> str:
    return text.removeprefix("Value error, ")


@dataclass(frozen=True)
class ClientCall:
    """`InferenceClient(model=..., provider=...).<method>(**kwargs)`; `stream=True` is always added."""

    method: str
    kwargs: dict[str, Any]


def client_call(request: GenerationRequest) -> ClientCall:
    if request.mode is Mode.CHAT:
        kwargs = {"messages": chat_messages(request), **chat_parameters(request.params)}
        response_format = chat_response_format(request)
        if response_format is not None:
            kwargs["response_format"] = response_format
        return ClientCall("chat_completion", {**kwargs, "stream_options": dict(STREAM_OPTIONS)})
    return ClientCall("text_generation", {"prompt": request.prompt, **completion_parameters(request.params)})


OPENAI_COMPLETIONS = "completions.create"
OPENAI_CHAT = "chat.completions.create"


def openai_call(request: GenerationRequest, served_model: str) -> ClientCall:
    """`OpenAI(base_url=<endpoint>/v1).<method>(**kwargs)` for an OpenAI-compatible endpoint URL:
    `served_model` as the body's `model`, the OpenAI parameter names (the chat ones, in both modes),
    and a JSON schema in OpenAI's own shape (huggingface_hub would send TGI's). `stream=True` is added."""
    parameters = {**chat_parameters(request.params), "stream_options": dict(STREAM_OPTIONS)}
    if request.mode is Mode.COMPLETION:
        return ClientCall(OPENAI_COMPLETIONS, {"model": served_model, "prompt": request.prompt, **parameters})
    kwargs = {"model": served_model, "messages": chat_messages(request), **parameters}
    response_format = chat_response_format(request)
    if response_format is not None:
        kwargs["response_format"] = response_format
    return ClientCall(OPENAI_CHAT, kwargs)


def chat_messages(request: GenerationRequest) -> list[dict[str, str]]:
    """System prompt, the conversation so far, then the new user message."""
    messages = [{"role": "system", "content": request.system_prompt}] if request.system_prompt.strip() else []
    for user, assistant in request.turns:
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return [*messages, {"role": "user", "content": request.prompt}]


def chat_response_format(request: GenerationRequest) -> dict[str, Any] | None:
    schema = json.loads(request.json_schema) if request.response_format is ResponseFormat.JSON_SCHEMA else None
    return response_format_body(request.response_format, schema)


def completion_parameters(params: GenerationParams) -> dict[str, Any]:
    """TGI parameters, as `Param` declares them. Options left at their "off" value are not sent, so
    servers that lack them still answer.

    `details` makes the stream's items carry TGI's final event (`generated_text`), so a stream that
    closes early is told apart from a finished one; a server that refuses it is answered without."""
    sent: dict[str, Any] = {**_declared_parameters(params, "tgi", first=True), "details": True}
    if params.greedy:
        # TGI refuses temperature 0 ("must be strictly positive"): greedy decoding is asked for by
        # turning sampling off instead.
        sent["do_sample"] = False
    return {**sent, **_declared_parameters(params, "tgi", first=False)}


def chat_parameters(params: GenerationParams) -> dict[str, Any]:
    """OpenAI-style chat parameters, as `Param` declares them: one with no chat name is not sent."""
    return {**_declared_parameters(params, "chat", first=True), **_declared_parameters(params, "chat", first=False)}


def _declared_parameters(params: GenerationParams, protocol: Wire, first: bool) -> dict[str, Any]:
    """The parameters this protocol sends, by their wire names, in declaration order; lists as lists."""
    greedy_tgi = protocol == "tgi" and params.greedy
    sent: dict[str, Any] = {}
    for name, param in PARAMS.items():
        if param.first is not first or (greedy_tgi and param.unsent_when_greedy):
            continue
        sent |= param.wire_values(protocol, getattr(params, name))
    return sent
