"""The "View code" snippets: Python, cURL and JavaScript that send exactly the request the UI sends.

All three start from `client_call(request)`, the call the backend makes, so they cannot drift from
it. The cURL body and URL follow what huggingface_hub 2.4 builds for that call (read from its
source: `InferenceClient.text_generation` / `chat_completion` and the hf-inference and auto-router
provider helpers), and a test runs the Python and cURL snippets against the local protocol server
and compares the bodies it receives with the app's own.

The token is never written out: only `$HF_TOKEN`, `os.environ["HF_TOKEN"]` or `process.env.HF_TOKEN`;
for an endpoint URL on another host than Hugging Face's, the caller names `ENDPOINT_TOKEN` instead,
so running the snippet never sends a Hugging Face token there. (Its huggingface_hub Python
never passes None: given no token, huggingface_hub would send HF_TOKEN by itself; for another host
it passes the placeholder "EMPTY", which a server started without a key ignores.)

An OpenAI-compatible endpoint (`openai_model` given: the served model's name) gets what the app
sends it (`openai_call`): Python with the `openai` package, where the token is optional, and cURL
to the same `/v1` route, with an Authorization header only when `$ENDPOINT_TOKEN` is set.
"""

from __future__ import annotations

import json
import shlex
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from playground.config import DEFAULT_ROUTER_URL
from playground.endpoint.discovery import api_base
from playground.input.model_ref import is_endpoint_url
from playground.input.request import OPENAI_CHAT, ClientCall, GenerationRequest, Mode, client_call, openai_call

HF_INFERENCE = "hf-inference"
HF_TOKEN_VARIABLE = "HF_TOKEN"
ENDPOINT_TOKEN_VARIABLE = "ENDPOINT_TOKEN"
AUTO = "auto"


def python_snippet(request: GenerationRequest, router_url: str = DEFAULT_ROUTER_URL, token_variable: str = HF_TOKEN_VARIABLE,
                   openai_model: str | None = None) -> str:
    """A script using huggingface_hub's InferenceClient (the `openai` package for an OpenAI-compatible
    endpoint) that prints the streamed answer."""
    if openai_model is not None:
        return _openai_python(request, openai_model, token_variable)
    call = client_call(request)
    lines = [
        "import os",
        "",
        "from huggingface_hub import InferenceClient",
        "",
        *([] if is_endpoint_url(request.model) else _router_note_python(router_url)),
        "client = InferenceClient(",
        f"    model={request.model!r},",
        f"    provider={request.provider!r},",
        _python_api_key(token_variable),
        ")",
        "",
        f"stream = client.{call.method}(",
        *[f"    {key}={_python_value(value)}," for key, value in call.kwargs.items()],
        "    stream=True,",
        ")",
        *_python_print_loop(request.mode),
    ]
    return "\n".join(lines) + "\n"


def curl_snippet(request: GenerationRequest, router_url: str = DEFAULT_ROUTER_URL, token_variable: str = HF_TOKEN_VARIABLE,
                 openai_model: str | None = None) -> str:
    """A cURL command posting the same JSON body to the same URL; prints the raw event stream. For
    an endpoint URL the Authorization header is sent only when the variable is set."""
    url, body, note = openai_request(request, openai_model) if openai_model is not None else http_request(request, router_url)
    header = f'"Authorization: Bearer ${token_variable}"'
    optional = is_endpoint_url(request.model)
    lines = [f"# {line}" for line in note]
    lines += [
        f"curl -N {shlex.quote(url)} \\",
        "    -X POST \\",
        f"    ${{{token_variable}:+-H {header}}} \\" if optional else f"    -H {header} \\",
        "    -H 'Content-Type: application/json' \\",
        f"    -d {shlex.quote(json.dumps(body, indent=4, ensure_ascii=False))}",
    ]
    return "\n".join(lines) + "\n"


def http_request(request: GenerationRequest, router_url: str = DEFAULT_ROUTER_URL) -> tuple[str, dict[str, Any], list[str]]:
    """(url, JSON body, notes) that huggingface_hub 2.4 posts for `client_call(request)` with
    stream=True. Notes explain the cases where the client decides at run time (see below)."""
    call = client_call(request)
    router = router_url.rstrip("/")
    if request.mode is Mode.CHAT:
        return _chat_request(request, call, router)
    return _completion_request(request, call, router)


def openai_request(request: GenerationRequest, served_model: str) -> tuple[str, dict[str, Any], list[str]]:
    """(url, JSON body, notes) that the `openai` package posts for `openai_call(request, served_model)`."""
    call = openai_call(request, served_model)
    route = "/v1/chat/completions" if call.method == OPENAI_CHAT else "/v1/completions"
    return api_base(request.model) + route, {**call.kwargs, "stream": True}, []


def python_api_key(token_variable: str) -> str:
    """The InferenceClient's `api_key` expression: the Hugging Face token is required; an endpoint's
    key is optional, and its absence sends a placeholder rather than None (which would send HF_TOKEN)."""
    if token_variable == ENDPOINT_TOKEN_VARIABLE:
        return f'os.environ.get("{token_variable}", "EMPTY")'
    return f'os.environ["{token_variable}"]'


def _python_api_key(token_variable: str) -> str:
    comment = "  # a placeholder, never your Hugging Face token" if token_variable == ENDPOINT_TOKEN_VARIABLE else ""
    return f"    api_key={python_api_key(token_variable)},{comment}"


def _openai_python(request: GenerationRequest, served_model: str, token_variable: str) -> str:
    call = openai_call(request, served_model)
    base = api_base(request.model) + "/v1"
    lines = [
        "import os",
        "",
        "from openai import OpenAI",
        "",
        f"# {token_variable} is optional: a server started without a key ignores the placeholder.",
        f'client = OpenAI(base_url={base!r}, api_key=os.environ.get("{token_variable}", "EMPTY"))',
        "",
        f"stream = client.{call.method}(",
        *[f"    {key}={_python_value(value)}," for key, value in call.kwargs.items()],
        "    stream=True,",
        ")",
        "for chunk in stream:",
    ]
    if call.method == OPENAI_CHAT:
        lines += ["    if chunk.choices and chunk.choices[0].delta.content:",
                  '        print(chunk.choices[0].delta.content, end="", flush=True)']
    else:
        lines += ["    if chunk.choices:", '        print(chunk.choices[0].text, end="", flush=True)']
    return "\n".join([*lines, "print()"]) + "\n"


def _completion_request(request: GenerationRequest, call: ClientCall, router: str) -> tuple[str, dict[str, Any], list[str]]:
    kwargs = dict(call.kwargs)
    prompt = kwargs.pop("prompt")
    # huggingface_hub sends only the parameters that are set, in its own (alphabetical) order.
    body = {"inputs": prompt, "parameters": _without_none(dict(sorted(kwargs.items()))), "stream": True}
    if is_endpoint_url(request.model):
        return request.model, body, []
    if request.provider == HF_INFERENCE:
        return f"{router}/{HF_INFERENCE}/models/{request.model}", body, []
    if request.provider == AUTO:
        note = [
            "provider auto: huggingface_hub uses the first provider the Hub lists for this model;",
            "this is the request when that is hf-inference, the router's text-generation (TGI) route.",
        ]
        return f"{router}/{HF_INFERENCE}/models/{request.model}", body, note
    # Other providers take an OpenAI-style completions body (huggingface_hub's BaseTextGenerationTask)
    # with the ID the provider uses for the model, which the client looks up on the Hub when it
    # runs. The snippet shows that shape with the Hub ID and says so, rather than guess the lookup.
    note = [
        f"provider {request.provider}: huggingface_hub sends this provider's own ID for the model (looked",
        f"up at https://huggingface.co/api/models/{request.model}?expand=inferenceProviderMapping), and a",
        "few providers use another route. The Python snippet makes the exact call.",
    ]
    openai_body = {"prompt": prompt, **body["parameters"], "model": request.model, "stream": True}
    return f"{router}/{request.provider}/v1/completions", openai_body, note


def _chat_request(request: GenerationRequest, call: ClientCall, router: str) -> tuple[str, dict[str, Any], list[str]]:
    kwargs = dict(call.kwargs)
    messages = kwargs.pop("messages")
    parameters = _without_none(dict(sorted(kwargs.items())))
    if is_endpoint_url(request.model):
        # hf-inference replaces a URL in the body's "model" with this placeholder.
        return _chat_url(request.model), _chat_body("dummy", messages, _tgi_response_format(parameters)), []
    if request.provider == HF_INFERENCE:
        url = f"{router}/{HF_INFERENCE}/models/{request.model}/v1/chat/completions"
        return url, _chat_body(request.model, messages, _tgi_response_format(parameters)), []
    if request.provider == AUTO:
        return f"{router}/v1/chat/completions", _chat_body(request.model, messages, parameters), []
    # huggingface_hub would post to {router}/{provider}/v1/chat/completions with the provider's own
    # model ID from the Hub; the router's "model:provider" form picks the same provider and model
    # without that lookup, so the command works as written.
    note = [f"model {request.model}:{request.provider} asks the router for provider {request.provider}, as the app does."]
    body = _chat_body(f"{request.model}:{request.provider}", messages, parameters)
    return f"{router}/v1/chat/completions", body, note


def _tgi_response_format(parameters: dict[str, Any]) -> dict[str, Any]:
    """huggingface_hub's hf-inference helper (used for endpoint URLs too) sends a JSON schema in
    TGI's grammar shape, `{"type": "json_object", "value": schema}`."""
    asked = parameters.get("response_format")
    if not isinstance(asked, dict) or asked.get("type") != "json_schema":
        return parameters
    return {**parameters, "response_format": {"type": "json_object", "value": asked["json_schema"]["schema"]}}


def _chat_body(model: str, messages: list[dict[str, str]], parameters: dict[str, Any]) -> dict[str, Any]:
    # Same key order as huggingface_hub: model, messages, the parameters, stream last.
    return {"model": model, "messages": messages, **parameters, "stream": True}


def _chat_url(model_url: str) -> str:
    """huggingface_hub's rule: append `/v1/chat/completions`, or only `/chat/completions` after `/v1`."""
    parts = urlsplit(model_url)
    path = parts.path.rstrip("/")
    if path.endswith("/chat/completions"):
        return model_url
    path += "/chat/completions" if path.endswith("/v1") else "/v1/chat/completions"
    return urlunsplit(parts._replace(path=path))


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _router_note_python(router_url: str) -> list[str]:
    if router_url.rstrip("/") == DEFAULT_ROUTER_URL:
        return []
    return [
        f"# This playground sends router traffic to {router_url}. huggingface_hub has no setting",
        "# for that; to do the same, install a client factory (huggingface_hub.set_client_factory)",
        "# that rewrites router.huggingface.co to that address.",
        "",
    ]


def _python_value(value: Any) -> str:
    # repr gives valid Python literals for str, numbers and lists of them, quotes and newlines escaped.
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        items = "".join(f"        {item!r},\n" for item in value)
        return f"[\n{items}    ]"
    return repr(value)


def _python_print_loop(mode: Mode) -> list[str]:
    if mode is Mode.CHAT:
        return [
            "for chunk in stream:",
            "    if chunk.choices and chunk.choices[0].delta.content:",
            '        print(chunk.choices[0].delta.content, end="", flush=True)',
            "print()",
        ]
    return ["for output in stream:", '    print(output.token.text, end="", flush=True)', "print()"]
