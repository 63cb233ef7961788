""""Search models": Hub models that providers serve, with the router's facts; a pick fills "Model".

Picking a result fills "Model" and limits "Provider" to auto plus the providers serving that model;
"Model" also offers the router's policies (`org/name:fastest`, `:cheapest`), which work in Chat mode
with provider auto. A failed lookup says so quietly: typing a model ID still works.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.context import RunContext, visitor_token
from components.page import Page
from playground.catalog.facts import ModelFacts, ProviderFacts, router_models
from playground.catalog.search import ModelHit, search_models
from playground.errors import LookupFailedError
from playground.input.policy import POLICIES, split_policy, with_policy
from playground.input.request import DEFAULT_PROVIDER, PROVIDER_CHOICES

LOOKUP_FAILED = "Model search isn't available right now; type a model ID in \"Model\" instead."
NO_HITS = "No served text-generation model matches that search; type a model ID in \"Model\" instead."
SERVING = ("live", "staging")  # a provider whose mapping is in error does not serve the model


@dataclass(frozen=True)
class SearchPanel:
    query: gr.Textbox
    results: gr.Radio
    note: gr.Markdown
    hits: gr.State  # the last results, as plain data: {model id: [providers serving it]}


def search_box() -> gr.Textbox:
    """The search field, not yet placed: the model panel renders it beside "Model"."""
    return gr.Textbox(label="Search models", placeholder="llama, qwen, … then Enter", scale=2, min_width=210, render=False,
                      elem_id="pg-search", info="Hosted text-generation models, trending first.")


def build(query: gr.Textbox) -> SearchPanel:
    results = gr.Radio(label="Search results", choices=[], visible=False, elem_id="pg-search-results",
                       info="Pick one to fill Model. Facts are the router's, per provider.")
    note = gr.Markdown(visible=False, elem_id="pg-search-note")
    return SearchPanel(query, results, note, gr.State({}))


def wire(ctx: RunContext, page: Page) -> None:
    """Enter searches; a pick fills "Model" and narrows "Provider", which follows "Model" from then on."""
    panel, model, session_token = page.search, page.model, page.auth.session_token
    hidden = {"queue": False, "api_visibility": "undocumented"}

    def search(text: str, session: str | None, oauth_token: gr.OAuthToken | None = None) -> dict[Any, Any]:
        return search_updates(panel, text, visitor_token(ctx, session, oauth_token))

    def pick(model_id: str | None, hits: dict) -> dict[Any, Any]:
        return pick_updates(page, model_id, hits)

    def follow(model_id: str, provider: str, hits: dict) -> dict[Any, Any]:
        return {model.provider: provider_choices(model_id, provider, hits)}

    panel.query.submit(search, inputs=[panel.query, session_token], outputs=[panel.results, panel.note, panel.hits],
                       api_visibility="undocumented")
    panel.results.input(pick, inputs=[panel.results, panel.hits], outputs=[model.model, model.provider], **hidden)
    model.model.change(follow, inputs=[model.model, model.provider, panel.hits], outputs=model.provider, **hidden)


def search_updates(panel: SearchPanel, text: str, token: str | None) -> dict[Any, Any]:
    """The results list for `text`, or a quiet note; never an error."""
    try:
        hits = search_models(text if isinstance(text, str) else "", token)
        facts = _facts_or_none(token)
    except LookupFailedError:
        return {panel.results: gr.update(visible=False), panel.note: gr.update(value=LOOKUP_FAILED, visible=True)}
    if not hits:
        return {panel.results: gr.update(choices=[], visible=False), panel.note: gr.update(value=NO_HITS, visible=True)}
    note = "" if facts is not None else "Provider facts (context, prices, speed) aren't available right now."
    labels = [(hit_label(hit, (facts or {}).get(hit.id)), hit.id) for hit in hits]
    return {panel.results: gr.update(choices=labels, value=None, visible=True),
            panel.note: gr.update(value=note, visible=bool(note)),
            panel.hits: {hit.id: serving_providers(hit) for hit in hits}}


def _facts_or_none(token: str | None) -> dict[str, ModelFacts] | None:
    try:
        return router_models(token)
    except LookupFailedError:
        return None  # the list still helps without the facts


def pick_updates(page: Page, model_id: Any, hits: Any) -> Any:
    """"Model" set to the pick, among its own choices and the router's policies for it; "Provider" narrowed."""
    model = page.model
    hits = hits if isinstance(hits, dict) else {}
    if not isinstance(model_id, str) or model_id not in hits:
        return gr.skip()
    policies = [(f"{model_id} — {policy} provider (router picks; Chat, provider auto)", with_policy(model_id, policy))
                for policy in POLICIES]
    offered = [*model.model.choices, (model_id, model_id), *policies]
    return {model.model: gr.update(choices=offered, value=model_id),
            model.provider: provider_choices(model_id, DEFAULT_PROVIDER, hits)}


def provider_choices(model_id: Any, current: Any, hits: Any) -> Any:
    """Auto plus the providers serving a picked model; every provider again for any other model."""
    # Values arrive untrusted through the API: anything but text and a mapping counts as "no pick".
    base, policy = split_policy(model_id if isinstance(model_id, str) else "")
    serving = hits.get(base) if isinstance(hits, dict) else None
    serving = [p for p in serving if p in PROVIDER_CHOICES] if isinstance(serving, list) else None
    allowed = [DEFAULT_PROVIDER] if policy else [DEFAULT_PROVIDER, *serving] if serving is not None else list(PROVIDER_CHOICES)
    return gr.update(choices=allowed, value=current if current in allowed else DEFAULT_PROVIDER)


def serving_providers(hit: ModelHit) -> list[str]:
    return [p.provider for p in hit.providers if p.status in SERVING]


def hit_label(hit: ModelHit, facts: ModelFacts | None) -> str:
    """E.g. "org/name — together (live): 32k context · $0.20 in / $0.60 out per 1M · 86 tok/s · 420 ms to first token"."""
    parts = [_provider_text(p.provider, p.status, facts.for_provider(p.provider) if facts else None) for p in hit.providers]
    return f"{hit.id} — " + ("; ".join(parts) if parts else "no provider listed")


def _provider_text(name: str, status: str, facts: ProviderFacts | None) -> str:
    details = facts_text(facts) if facts else ""
    return f"{name} ({status})" + (f": {details}" if details else "")


def facts_text(facts: ProviderFacts) -> str:
    """What the router says, leaving out whatever it doesn't."""
    parts = []
    if facts.context_length:
        parts.append(f"{_tokens(facts.context_length)} context")
    if facts.price_in is not None or facts.price_out is not None:
        parts.append(f"{_price(facts.price_in)} in / {_price(facts.price_out)} out per 1M")
    if facts.throughput is not None:
        parts.append(f"{facts.throughput:.0f} tok/s")
    if facts.first_token_latency_ms is not None:
        parts.append(f"{facts.first_token_latency_ms:.0f} ms to first token")
    return " · ".join(parts)


def _tokens(count: int) -> str:
    """32768 -> "32k", 131072 -> "128k" (context sizes are usually powers of two), 200000 -> "200k"."""
    if count < 1000:
        return str(count)
    return f"{count // 1024}k" if count % 1024 == 0 else f"{count / 1000:.0f}k"


def _price(value: float | None) -> str:
    return "?" if value is None else f"${value:.2f}"
