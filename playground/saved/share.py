"""Share links: the whole request in a URL query, and back.

A link holds the model (and an endpoint's served model), provider, mode, every parameter (with the seed), the stop sequences, the
system prompt and the prompt, so opening it restores exactly that state. It never holds a token:
`GenerationRequest` has no token to leak, and `share_query` reads nothing else.

Opening a link means trusting nothing in it. Each value goes through the same rules as Generate
(`GenerationRequest`'s fields and `GenerationParams`, checked one by one); a bad one is reported and
left at its default while the rest still applies, and unknown keys are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from pydantic import ValidationError

from playground.input.params import PARAMS, Control, GenerationParams
from playground.input.request import GenerationRequest, Mode, check_field
from playground.input.response_format import ResponseFormat

# A list parameter (one item per line on the page, the stop sequences) travels as repeated keys,
# one per item; every other parameter as one key.
LIST_PARAMS = tuple(name for name, param in PARAMS.items() if param.control is Control.TEXTBOX)
SCALAR_PARAMS = tuple(name for name in PARAMS if name not in LIST_PARAMS)


@dataclass(frozen=True)
class SharedState:
    """What a link asked for. `None` means the link did not say (or said something refused)."""

    model: str | None = None
    provider: str | None = None
    mode: Mode | None = None
    params: GenerationParams | None = None
    system_prompt: str | None = None
    prompt: str | None = None
    problems: list[str] = field(default_factory=list)
    turns: tuple[tuple[str, str], ...] | None = None  # Chat mode's conversation before the prompt
    response_format: Any = None
    json_schema: str | None = None
    served_model: str | None = None  # an OpenAI-compatible endpoint's "Served model"

    @property
    def is_empty(self) -> bool:
        """True for a plain visit: no known key in the link, so nothing to restore."""
        fields = (self.model, self.provider, self.mode, self.params, self.system_prompt, self.prompt, self.turns,
                  self.response_format, self.json_schema, self.served_model)
        return all(value is None for value in fields) and not self.problems

    def apply_to(self, base: GenerationRequest) -> GenerationRequest:
        """`base` (the app's defaults) with every field the link set laid over it."""
        return GenerationRequest(
            model=self.model if self.model is not None else base.model,
            served_model=self._served_model(base),
            prompt=self.prompt if self.prompt is not None else base.prompt,
            mode=self.mode or base.mode,
            provider=self.provider or base.provider,
            system_prompt=self.system_prompt if self.system_prompt is not None else base.system_prompt,
            params=self.params or base.params,
            turns=self.turns if self.turns is not None else base.turns,
            response_format=self.response_format or base.response_format,
            json_schema=self.json_schema if self.json_schema is not None else base.json_schema,
        )

    def _served_model(self, base: GenerationRequest) -> str:
        if self.served_model is not None:
            return self.served_model
        return base.served_model if self.model is None else ""  # another model: the base's name is not its


def share_query(request: GenerationRequest) -> str:
    """The request as a URL query string (no leading `?`). A seed of None (random) is left out."""
    pairs: list[tuple[str, str]] = [
        ("model", request.model),
        *([("served", request.served_model)] if request.served_model else []),
        ("provider", request.provider),
        ("mode", request.mode.value),
    ]
    for name in SCALAR_PARAMS:
        value = getattr(request.params, name)
        if value is not None:
            pairs.append((name, repr(value)))  # repr: floats come back bit for bit
    for name in LIST_PARAMS:
        pairs.extend((name, item) for item in getattr(request.params, name))
    if request.system_prompt:
        pairs.append(("system", request.system_prompt))
    for user, assistant in request.turns:  # in order: the n-th `user` goes with the n-th `assistant`
        pairs += [("user", user), ("assistant", assistant)]
    if request.response_format is not ResponseFormat.TEXT:
        pairs.append(("format", request.response_format.value))
    if request.json_schema:
        pairs.append(("schema", request.json_schema))
    pairs.append(("prompt", request.prompt))
    return urlencode(pairs, quote_via=quote, safe="/")


def parse_share_url(url: str) -> SharedState:
    """`parse_share_query` for a whole URL or a bare query string."""
    is_url = "://" in url or url.startswith(("/", "?"))
    try:
        query = urlsplit(url).query if is_url else url
    except ValueError:  # e.g. "http://[": not a URL at all, so nothing to restore
        return SharedState(problems=["the link is not a valid URL"])
    return parse_share_query(parse_qs(query, keep_blank_values=True))


def parse_share_query(query: Mapping[str, Any]) -> SharedState:
    """Reads a link's query: a mapping of key to value or list of values (`parse_qs`'s shape), or
    Starlette's `QueryParams` (repeated keys are read through its `getlist`). Never raises."""
    problems: list[str] = []
    model = _field("model", _last(query, "model"), "model", problems)
    provider = _field("provider", _last(query, "provider"), "provider", problems)
    mode = _field("mode", _last(query, "mode"), "mode", problems)
    params = _params(query, problems)
    system = _field("system_prompt", _last(query, "system"), "system prompt", problems)
    prompt = _field("prompt", _last(query, "prompt"), "prompt", problems)
    response_format = _field("response_format", _last(query, "format"), "format", problems)
    schema = _field("json_schema", _last(query, "schema"), "schema", problems)
    served = _field("served_model", _last(query, "served"), "served model", problems)
    return SharedState(model, provider, mode, params, system, prompt, problems, _turns(query, problems), response_format, schema, served)


def _turns(query: Mapping[str, Any], problems: list[str]) -> tuple[tuple[str, str], ...] | None:
    """The conversation: `user` and `assistant` keys in turn. One that doesn't add up is left out whole."""
    users, answers = _all(query, "user"), _all(query, "assistant")
    if not users and not answers:
        return None
    if len(users) != len(answers):
        problems.append("conversation: each user message needs its answer; left out")
        return None
    return _field("turns", list(zip(users, answers, strict=True)), "conversation", problems)


def _all(query: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(query, "getlist", None)
    values = getlist(key) if callable(getlist) else query.get(key)
    if values is None:
        return []
    values = values if isinstance(values, (list, tuple)) else [values]
    return [value for value in values if isinstance(value, str)]


def _last(query: Mapping[str, Any], key: str) -> str | None:
    """A key given twice counts once: the last value wins, as in most web frameworks."""
    values = _all(query, key)
    return values[-1] if values else None


def _field(name: str, value: str | None, key: str, problems: list[str]) -> Any:
    """`value` checked by the request's own rule for `name`; None (and a problem) when refused."""
    if value is None:
        return None
    try:
        return check_field(name, value)
    except ValidationError as error:
        problems.append(f"{key}: {_first_message(error)}; left out")
        return None


def _params(query: Mapping[str, Any], problems: list[str]) -> GenerationParams | None:
    """Each parameter is checked on its own, so one bad value falls back to its default alone."""
    raw: dict[str, object] = {name: value for name in SCALAR_PARAMS if (value := _last(query, name))}
    raw.update({name: tuple(_all(query, name)) for name in LIST_PARAMS if name in query})
    if not raw:
        return None
    accepted: dict[str, object] = {}
    for name, value in raw.items():
        try:
            GenerationParams.model_validate({name: value})
        except ValidationError as error:
            problems.append(f"{name}: {_first_message(error)}; using the default")
            continue
        accepted[name] = value
    return GenerationParams.model_validate(accepted)


def _first_message(error: ValidationError) -> str:
    # Capped: the message may quote the refused value, and the page shows it.
    return error.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")[:200]
