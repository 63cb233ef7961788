"""The "View code" JavaScript: an ES module using @huggingface/inference (`InferenceClient`'s
`textGenerationStream` / `chatCompletionStream`) with the arguments of `client_call`, like the
Python and cURL of `playground.saved.snippets`. The token is read from `process.env`, never written.
"""

from __future__ import annotations

import json
from typing import Any

from playground.input.model_ref import is_endpoint_url
from playground.input.request import ClientCall, GenerationRequest, Mode, client_call
from playground.saved.snippets import HF_TOKEN_VARIABLE, _without_none


def javascript_snippet(request: GenerationRequest, token_variable: str = HF_TOKEN_VARIABLE) -> str:
    """An ES module using @huggingface/inference that writes the streamed answer to stdout."""
    call = client_call(request)
    lines = ['import { InferenceClient } from "@huggingface/inference";', ""]
    lines.append(f"const client = new InferenceClient(process.env.{token_variable});")
    target = "client"
    if is_endpoint_url(request.model):
        lines.append(f"const endpoint = client.endpoint({_js(request.model)});")
        target = "endpoint"
    lines.append("")
    if request.mode is Mode.CHAT:
        lines += _js_chat(request, call, target)
    else:
        lines += _js_completion(request, call, target)
    return "\n".join(lines) + "\n"


def _js(value: Any) -> str:
    # JSON is valid JavaScript; U+2028/9 are escaped by ensure_ascii for older engines.
    return json.dumps(value, indent=4)


def _indent(text: str, prefix: str = "    ") -> str:
    return text.replace("\n", "\n" + prefix)


def _js_target_fields(request: GenerationRequest) -> list[str]:
    if is_endpoint_url(request.model):
        return []  # the endpoint URL replaces model and provider
    return [f"    model: {_js(request.model)},", f"    provider: {_js(request.provider)},"]


def _js_completion(request: GenerationRequest, call: ClientCall, target: str) -> list[str]:
    kwargs = dict(call.kwargs)
    prompt = kwargs.pop("prompt")
    parameters = _without_none(dict(sorted(kwargs.items())))
    return [
        f"const stream = {target}.textGenerationStream({{",
        *_js_target_fields(request),
        f"    inputs: {_indent(_js(prompt))},",
        f"    parameters: {_indent(_js(parameters))},",
        "});",
        "for await (const output of stream) {",
        "    process.stdout.write(output.token.text);",
        "}",
        'process.stdout.write("\\n");',
    ]


def _js_chat(request: GenerationRequest, call: ClientCall, target: str) -> list[str]:
    kwargs = dict(call.kwargs)
    messages = kwargs.pop("messages")
    parameters = _without_none(dict(sorted(kwargs.items())))
    return [
        f"const stream = {target}.chatCompletionStream({{",
        *_js_target_fields(request),
        f"    messages: {_indent(_js(messages))},",
        *[f"    {key}: {_indent(_js(value))}," for key, value in parameters.items()],
        "});",
        "for await (const chunk of stream) {",
        "    const text = chunk.choices[0]?.delta?.content;",
        "    if (text) process.stdout.write(text);",
        "}",
        'process.stdout.write("\\n");',
    ]

