"""The arena's "View code" and share link.

View code is a short script that plays one round as the tab does: it draws two contenders, asks
both the same thing with `InferenceClient`, prints "Answer A" and "Answer B" without names, takes a
vote and only then says who was who. The keyword arguments come from `client_call`, the very call
the backend makes. The token is never written: `os.environ["HF_TOKEN"]` (`ENDPOINT_TOKEN` for another host's endpoint).

A share link is the playground's link (prompt, parameters) plus `tab=arena` and one `contender` key
per row ("model|provider|mode"). It never holds votes or a token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from playground.arena.pairs import MAX_CONTENDERS, Contender, parse_contender
from playground.config import DEFAULT_ROUTER_URL
from playground.errors import InvalidParametersError
from playground.input.request import GenerationRequest, Mode, client_call
from playground.runs.code import TokenVariableFor, _header, _hf_token_only, _input_lines, _joined_text
from playground.saved.share import share_query
from playground.saved.snippets import python_api_key

ARENA = "arena"
_INPUT_KEYS = ("prompt", "messages")


def arena_snippet(base: GenerationRequest, contenders: Sequence[Contender], router_url: str = DEFAULT_ROUTER_URL,
                  token_variable_for: TokenVariableFor = _hf_token_only) -> str:
    """A script playing one round; a contender whose mode follows the model is written in `base`'s mode.
    Each contender's key is read as its requests get it: `HF_TOKEN`, or for an endpoint on another
    host than Hugging Face's, `ENDPOINT_TOKEN` (`token_variable_for`)."""
    modes = [contender.mode or base.mode for contender in contenders]
    rows = [f"    ({c.model!r}, {c.provider!r}, {mode.value!r}, {python_api_key(token_variable_for(c.model))}),"
            for c, mode in zip(contenders, modes, strict=True)]
    lines = [
        *_header(router_url)[:1], "import random", *_header(router_url)[1:],
        *[line for mode in Mode if mode in modes for line in _input_lines(_in_mode(base, mode), client_call(_in_mode(base, mode)).kwargs)],
        "contenders = [", *rows, "]",
        "",
        "",
        "def ask(model, provider, mode, api_key):",
        "    client = InferenceClient(model=model, provider=provider, api_key=api_key)",
        *[line for mode in Mode if mode in modes for line in _ask_lines(_in_mode(base, mode))],
        "",
        "",
        "a, b = random.sample(contenders, 2)  # two different contenders, either may be A",
        'print("--- Answer A"); print(ask(*a))',
        'print("--- Answer B"); print(ask(*b))',
        'vote = input("A is better, B is better, Tie or Both are bad? ")',
        'print(f"{vote} — A was {a[0]} ({a[1]}), B was {b[0]} ({b[1]})")',
    ]
    return "\n".join(lines) + "\n"


def _in_mode(base: GenerationRequest, mode: Mode) -> GenerationRequest:
    return base.model_copy(update={"mode": mode})


def _ask_lines(request: GenerationRequest) -> list[str]:
    call = client_call(request)
    source = "messages=messages" if request.mode is Mode.CHAT else "prompt=prompt"
    arguments = [source, *[f"{key}={value!r}" for key, value in call.kwargs.items() if key not in _INPUT_KEYS], "stream=True"]
    return [
        f"    if mode == {request.mode.value!r}:",
        f"        stream = client.{call.method}({', '.join(arguments)})",
        f"        return {_joined_text(request.mode)}",
    ]


def arena_share_query(base: GenerationRequest, contenders: Sequence[Contender]) -> str:
    """The link's query (no leading `?`): prompt, parameters and the contenders; never a vote or a token."""
    rows = [("contender", f"{c.model}|{c.provider}|{c.mode.value if c.mode else ''}") for c in contenders]
    return share_query(base) + "&" + urlencode([("tab", ARENA), *rows], quote_via=quote, safe="/")


@dataclass(frozen=True)
class SharedArena:
    """What a link asks of the Arena tab: `opens` False for any other link."""

    opens: bool = False
    contenders: list[Contender] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_arena_query(query: Mapping[str, Any]) -> SharedArena:
    """The arena part of a link (parse_qs's shape or Starlette's QueryParams). A bad row is reported
    and left out; the rest still applies. Never raises."""
    if ARENA not in _values(query, "tab")[-1:]:
        return SharedArena()
    contenders, problems = [], []
    for number, value in enumerate(_values(query, "contender")[:MAX_CONTENDERS], start=1):
        model, provider, mode = ([""] * 2 + value.rsplit("|", 2))[-3:] if value.count("|") >= 2 else (value, "", "")
        try:
            contenders.append(parse_contender(number, model.strip(), provider.strip(), mode.strip()))
        except InvalidParametersError as error:
            problems.append(error.detail)
    return SharedArena(True, contenders, problems)


def _values(query: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(query, "getlist", None)
    values = getlist(key) if callable(getlist) else query.get(key)
    values = values if isinstance(values, list | tuple) else [values]
    return [value for value in values if isinstance(value, str)]
