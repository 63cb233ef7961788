"""A request as a share link and as code.

Used by the "Share and View code" panel, by History (a finished run's link and code) and by the
Compare and Sweep links. Neither links nor snippets ever hold a token: links carry settings, the
conversation and the prompt only, snippets read $HF_TOKEN ($ENDPOINT_TOKEN for another host's endpoint URL).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from components.chat_run import conversation_request
from components.context import RunContext
from playground.chat.conversation import Conversation
from playground.endpoint.discovery import Protocol, ServerInfo
from playground.errors import PlaygroundError
from playground.hf.tokens import is_foreign_endpoint
from playground.input.form_values import FormValues, request_from_form
from playground.input.request import GenerationRequest, Mode
from playground.saved.history import same_run
from playground.saved.javascript import javascript_snippet
from playground.saved.share import share_query
from playground.saved.snippets import ENDPOINT_TOKEN_VARIABLE, HF_TOKEN_VARIABLE, curl_snippet, python_snippet

LINK, HISTORY_ENTRY, PRESET = "This link", "This history entry", "This preset"  # what put a model on the page


def code_for_form(ctx: RunContext, form: FormValues, page_url: str, conversation: Any = None, info: ServerInfo | None = None,
                  finished: Any = None) -> list[str]:
    """`shown_request`'s code and link. `info` is what an endpoint URL speaks, if known.
    Raises InvalidModelError or InvalidParametersError."""
    return code_for_request(ctx, shown_request(form, conversation, finished), page_url, info)


def share_link_for_form(form: FormValues, page_url: str, conversation: Any = None, finished: Any = None) -> str:
    """`shown_request`'s share link, or "" while there is nothing to share (no prompt, a setting out of range)."""
    try:
        return f"{page_url}?{share_query(shown_request(form, conversation, finished))}"
    except PlaygroundError:
        return ""


def shown_request(form: FormValues, conversation: Any = None, finished: Any = None) -> GenerationRequest:
    """The request View code and the share link show. In Chat mode it carries the conversation:
    with the typed message, the one Generate would send; with none typed, the last one sent. With
    Random seed on, the seed of `finished` (the last finished run's entry) when that run sent this
    very request; else no seed, rather than one the next run will not use."""
    request = chat_code_request(form, conversation) if form.mode == Mode.CHAT.value else request_from_form(form)
    if form.random_seed is True:
        return same_run(request, finished) or request.model_copy(update={"params": request.params.unseeded()})
    return request


def chat_code_request(form: FormValues, conversation: Any) -> GenerationRequest:
    chat = conversation if isinstance(conversation, Conversation) else Conversation()
    chat = chat.with_system_prompt(form.system_prompt or "")
    typed = form.prompt if isinstance(form.prompt, str) else ""
    asked = chat.ask(typed) if typed.strip() or not chat.turns else chat.regenerate()
    settings = request_from_form(replace(form, prompt=asked.last_user_message))
    return conversation_request(settings, asked)


def code_for_request(ctx: RunContext, request: GenerationRequest, page_url: str, info: ServerInfo | None = None) -> list[str]:
    """[share link, Python, cURL, JavaScript] for exactly this request; for an OpenAI-compatible
    endpoint (`info`), the Python and cURL the app's own route takes, with its served model."""
    local_url = ctx.backend.resolve_url(request.model)
    # model_copy, not a validated copy: the local model's loopback URL is what the snippet must call.
    called = request.model_copy(update={"model": local_url}) if local_url else request
    router = ctx.settings.router_url
    link = f"{page_url}?{share_query(request)}"
    variable = token_variable(ctx, request.model)
    served = openai_model(request, info)
    return [link, python_snippet(called, router, variable, served), curl_snippet(called, router, variable, served),
            javascript_snippet(called, variable)]


def token_variable(ctx: RunContext, model: str) -> str:
    """The environment variable a snippet reads the token from: another host's URL gets the Endpoint
    token, never a Hugging Face token, as the app's own requests do."""
    return ENDPOINT_TOKEN_VARIABLE if is_foreign_endpoint(model, ctx.settings) else HF_TOKEN_VARIABLE


def openai_model(request: GenerationRequest, info: ServerInfo | None) -> str | None:
    """The name the app sends an OpenAI-compatible endpoint (as the backend picks it), or None."""
    if info is None or info.protocol is not Protocol.OPENAI:
        return None
    return request.served_model or (info.models[0] if info.models else "")


def first_foreign_host_note(ctx: RunContext, models: Any, source: str) -> str:
    """`foreign_host_note` for the first of `models` (Compare panes, Sweep models) that needs one, or ""."""
    return next((note for model in models if (note := foreign_host_note(ctx, model, source))), "")


def foreign_host_note(ctx: RunContext, model: str, source: str = LINK) -> str:
    """A link, a preset or a history entry (`source`) may name any host: say which one, and that no
    Hugging Face token goes there. Empty for a Hub ID or a Hugging Face host."""
    if not isinstance(model, str) or not is_foreign_endpoint(model, ctx.settings):
        return ""
    host = urlsplit(model).hostname or model
    return (f" {source} points at {host}. Nothing is sent until you press Generate, "
            "and your Hugging Face token is never sent there.")
