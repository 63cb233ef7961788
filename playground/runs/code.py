""""View code" for many runs: a sweep as a short Python loop over its grid, a comparison as a loop
over its panes, both with huggingface_hub's InferenceClient.

The keyword arguments come from `client_call`, the very call the backend makes for each cell, so
the loop sends each cell's exact request. What the loop varies (temperature, seed) is written as
loop variables; when the call's shape changes with the temperature (Completion mode at temperature
0 turns sampling off instead of sending 0), a small table gives each temperature its own arguments.
The token is never written: `os.environ["HF_TOKEN"]`, and for an endpoint on another host than
Hugging Face's (`token_variable_for` says which), `ENDPOINT_TOKEN`, as the single-run snippets do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from playground.config import DEFAULT_ROUTER_URL
from playground.input.request import GenerationRequest, Mode, client_call
from playground.saved.snippets import HF_TOKEN_VARIABLE, _python_value, _router_note_python, python_api_key, python_snippet

_VARIED = ("temperature", "seed")
_INPUT_KEYS = ("prompt", "messages")
TokenVariableFor = Callable[[str], str]  # model -> the environment variable its token comes from


def _hf_token_only(model: str) -> str:
    return HF_TOKEN_VARIABLE


def sweep_snippet(requests: Sequence[GenerationRequest], router_url: str = DEFAULT_ROUTER_URL,
                  token_variable_for: TokenVariableFor = _hf_token_only) -> str:
    """A script running every cell of the sweep (given in grid order), printing each answer.
    All requests share mode, provider, prompt and every parameter but temperature and seed."""
    first = requests[0]
    calls = [client_call(request).kwargs for request in requests]
    models = list(dict.fromkeys(r.model for r in requests))
    temperatures = list(dict.fromkeys(r.params.temperature for r in requests))
    seeds = list(dict.fromkeys(r.params.seed for r in requests))
    fixed, per_temperature = _split_arguments(requests, calls)
    lines = [
        *_header(router_url), *_input_lines(first, calls[0]),
        *_models_lines(models, token_variable_for), f"temperatures = {temperatures!r}", f"seeds = {seeds!r}",
        *_sampling_table(per_temperature),
        "",
        *_models_loop(models, first.provider, token_variable_for),
        "    for temperature in temperatures:",
        "        for seed in seeds:",
        *_call_lines(first, fixed, per_temperature, indent="            "),
        '            print(f"--- {model} · temperature {temperature} · seed {seed}")',
        f"            print({_joined_text(first.mode)})",
    ]
    return "\n".join(lines) + "\n"


def compare_snippet(requests: Sequence[GenerationRequest], router_url: str = DEFAULT_ROUTER_URL,
                    token_variable_for: TokenVariableFor = _hf_token_only) -> str:
    """A script running each pane's request in turn. Panes of one mode share a loop; panes whose
    modes differ get one script each, one after another."""
    if len({r.mode for r in requests}) > 1:
        return "\n".join(f"# Pane {chr(ord('A') + i)}: {r.model}\n{python_snippet(r, router_url, token_variable_for(r.model))}"
                         for i, r in enumerate(requests))
    first = requests[0]
    kwargs = client_call(first).kwargs
    panes = [(chr(ord("A") + i), r.model, r.provider) for i, r in enumerate(requests)]
    keys = [python_api_key(token_variable_for(r.model)) for r in requests]
    lines = [
        *_header(router_url), *_input_lines(first, kwargs), *_panes_loop(panes, keys),
        *_call_lines(first, {k: v for k, v in kwargs.items() if k not in _INPUT_KEYS}, {}, indent="    "),
        '    print(f"--- Pane {name}: {model}")',
        f"    print({_joined_text(first.mode)})",
    ]
    return "\n".join(lines) + "\n"


def _models_lines(models: list[str], token_variable_for: TokenVariableFor) -> list[str]:
    """`models = [...]`; with an endpoint on another host, each model beside its own key."""
    keys = [python_api_key(token_variable_for(model)) for model in models]
    if len(set(keys)) == 1:
        return [f"models = {models!r}"]
    return ["models = [", *[f"    ({model!r}, {key})," for model, key in zip(models, keys, strict=True)], "]"]


def _models_loop(models: list[str], provider: str, token_variable_for: TokenVariableFor) -> list[str]:
    keys = {python_api_key(token_variable_for(model)) for model in models}
    if len(keys) == 1:
        return ["for model in models:", f"    client = InferenceClient(model=model, provider={provider!r}, api_key={keys.pop()})"]
    return ["for model, api_key in models:", f"    client = InferenceClient(model=model, provider={provider!r}, api_key=api_key)"]


def _panes_loop(panes: list[tuple[str, str, str]], keys: list[str]) -> list[str]:
    """The panes and the loop over them; with an endpoint on another host, each pane with its own key."""
    if len(set(keys)) == 1:
        return ["panes = [", *[f"    {pane!r}," for pane in panes], "]", "",
                "for name, model, provider in panes:",
                f"    client = InferenceClient(model=model, provider=provider, api_key={keys[0]})"]
    return ["panes = [", *[f"    ({name!r}, {model!r}, {provider!r}, {key})," for (name, model, provider), key in zip(panes, keys, strict=True)],
            "]", "", "for name, model, provider, api_key in panes:",
            "    client = InferenceClient(model=model, provider=provider, api_key=api_key)"]


def _header(router_url: str) -> list[str]:
    return ["import os", "", "from huggingface_hub import InferenceClient", "", *_router_note_python(router_url)]


def _input_lines(request: GenerationRequest, kwargs: dict[str, Any]) -> list[str]:
    if request.mode is Mode.CHAT:
        return [f"messages = {_python_value(kwargs['messages'])}".replace("\n    ]", "\n]").replace("\n        ", "\n    ")]
    return [f"prompt = {request.prompt!r}"]


def _split_arguments(requests: Sequence[GenerationRequest], calls: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[float, dict[str, Any]]]:
    """(arguments every cell sends alike, {temperature: arguments that depend on it}); temperature
    and seed themselves are left to the loop when every cell sends them as they are."""
    keys = [key for key in dict.fromkeys(k for call in calls for k in call) if key not in _INPUT_KEYS]
    fixed: dict[str, Any] = {}
    per_temperature: dict[float, dict[str, Any]] = {}
    for key in keys:
        values = [call.get(key, _MISSING) for call in calls]
        if key in _VARIED and all(v == getattr(r.params, key) for v, r in zip(values, requests, strict=True)):
            fixed[key] = _LoopVariable(key)
        elif all(v == values[0] for v in values) and values[0] is not _MISSING:
            fixed[key] = values[0]
        else:
            for value, request in zip(values, requests, strict=True):
                if value is not _MISSING:
                    per_temperature.setdefault(request.params.temperature, {})[key] = value
    return fixed, per_temperature


class _LoopVariable(str):
    """Printed bare: `seed=seed`."""

    def __repr__(self) -> str:
        return str(self)


_MISSING = object()


def _sampling_table(per_temperature: dict[float, dict[str, Any]]) -> list[str]:
    if not per_temperature:
        return []
    return [
        "# Completion mode turns sampling off for temperature 0 (TGI refuses 0), so the arguments differ:",
        "sampling = {", *[f"    {t!r}: {args!r}," for t, args in per_temperature.items()], "}",
    ]


def _call_lines(request: GenerationRequest, fixed: dict[str, Any], per_temperature: dict[float, dict[str, Any]], indent: str) -> list[str]:
    call = client_call(request)
    source = "messages=messages" if request.mode is Mode.CHAT else "prompt=prompt"
    arguments = [source, *[f"{key}={_python_value(value)}" for key, value in fixed.items()]]
    if per_temperature:
        arguments.append("**sampling[temperature]")
    return [f"{indent}stream = client.{call.method}(", *[f"{indent}    {a}," for a in arguments], f"{indent}    stream=True,", f"{indent})"]


def _joined_text(mode: Mode) -> str:
    if mode is Mode.CHAT:
        return '"".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)'
    return '"".join(output.token.text for output in stream)'  # details=True: each item is a stream output
