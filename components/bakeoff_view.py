"""The Sweep's provider bake-off, drawn: the "Providers" choices, the summary table, the two charts
(Gradio's own ScatterPlot) and "Push to Hub". The arithmetic is in `playground.runs` (pricing,
summary, dataset_card, hub_push); this module only turns it into components' values.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import gradio as gr
import pandas as pd

from components.context import RunContext, visitor_token
from playground import errors as e
from playground.catalog.facts import ModelFacts, model_facts
from playground.hf.tokens import Tokens
from playground.input.model_ref import is_endpoint_url
from playground.input.request import DEFAULT_PROVIDER, PROVIDER_CHOICES, GenerationRequest
from playground.local import LOCAL_MODEL_NAME
from playground.runs.dataset_card import dataset_card, runs_jsonl
from playground.runs.hub_push import PushError, push_sweep
from playground.runs.pricing import Claims, cost_per_thousand
from playground.runs.saved import grid_texts
from playground.runs.summary import summarise, summary_rows
from playground.runs.sweep import ALL_LIVE, Grid, LiveProviders

SPEED_X, SPEED_Y, COST_Y = "first token, s", "tokens/s", "$ per 1,000 output tokens"
CLAIM = " · claimed"
PRICE = " · listed price"


def router_facts(models: Iterable[str], tokens: Tokens | None, ctx: RunContext) -> dict[str, ModelFacts | None]:
    """The router's facts for each Hub model; None where it lists nothing or can't be asked now."""
    found: dict[str, ModelFacts | None] = {}
    for model in dict.fromkeys(models):
        if is_endpoint_url(model) or model == LOCAL_MODEL_NAME:
            continue
        token = tokens.for_model(model, ctx.settings) if tokens else None
        try:
            found[model] = model_facts(model, token)
        except e.LookupFailedError:
            found[model] = None
    return found


def live_providers(facts: Mapping[str, ModelFacts | None]) -> LiveProviders:
    """Each model's live providers that huggingface_hub can call, in the router's order."""
    usable = set(PROVIDER_CHOICES) - {DEFAULT_PROVIDER}
    return {model: tuple(p.provider for p in found.live() if p.provider in usable) for model, found in facts.items() if found}


def every_provider(ctx: RunContext, model: Any, token: str | None) -> tuple[str, ...]:
    """The live providers of one Hub model, for Compare's "Every provider"; () when none is known."""
    if not isinstance(model, str) or not model.strip():
        return ()
    model = model.strip()
    facts = router_facts([model], Tokens(token) if token else None, ctx)
    return live_providers(facts).get(model, ())


def visitor_token_or_none(ctx: RunContext, session_token: Any, oauth_token: gr.OAuthToken | None) -> str | None:
    """The token router facts are asked with; a malformed typed token asks anonymously (a run says why)."""
    try:
        return visitor_token(ctx, session_token, oauth_token, check=True)
    except e.PlaygroundError:
        return None


def provider_choices(live: LiveProviders) -> list[str]:
    """ALL_LIVE first, then every live provider of the picked models."""
    return [ALL_LIVE, *dict.fromkeys(p for providers in live.values() for p in providers)]


def charts(records: Sequence[Mapping[str, Any]], claims: Claims) -> tuple[list[list[Any]], dict, dict]:
    """(the summary table, the speed chart's update, the cost chart's update) for the runs so far."""
    pairs = {(r["model"], r["provider"]) for r in records}
    prices = {pair: facts.price_out for pair, facts in claims.items() if pair in pairs}
    return summary_rows(summarise(records)), chart_update(speed_frame(records)), chart_update(cost_frame(records, prices))


def bakeoff_state(base: GenerationRequest, grid: Grid, records: list[dict[str, Any]]) -> dict:
    """What Push to Hub saves: the runs, the grid as typed, the prompt. Never a token."""
    typed = grid_texts(grid)
    fields = {"Models": typed["models"] or base.model, "Providers": ", ".join(grid.providers) or base.provider,
              "Temperatures": typed["temperatures"], "Seeds": typed["seeds"], "Repeats": str(grid.repeats), "Mode": base.mode.value}
    title = f"Provider bake-off: {', '.join(grid.models or (base.model,))}"[:200]
    return {"title": title, "grid": fields, "prompt": base.prompt, "records": records}


def _label(record: Mapping[str, Any], several_models: bool) -> str:
    return f"{record['model']} · {record['provider']}" if several_models else str(record["provider"])


def speed_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One point per finished run, coloured by provider, and one per router claim."""
    several = len({r["model"] for r in records}) > 1
    points = [{SPEED_X: r["time_to_first_token"], SPEED_Y: r["tokens_per_second"], "provider": _label(r, several),
               "run": f"repeat {r['repeat']}"} for r in records if r["time_to_first_token"] is not None and r["tokens_per_second"]]
    claims = {_label(r, several): (r["claimed_time_to_first_token"], r["claimed_tokens_per_second"]) for r in records}
    points += [{SPEED_X: first, SPEED_Y: speed, "provider": label + CLAIM, "run": "router's claim"}
               for label, (first, speed) in claims.items() if first is not None and speed is not None]
    return pd.DataFrame(points, columns=[SPEED_X, SPEED_Y, "provider", "run"])


def cost_frame(records: Sequence[Mapping[str, Any]], prices: Mapping[tuple[str, str], float | None]) -> pd.DataFrame:
    """USD per 1,000 output tokens: one point per priced run, and the router's listed output price."""
    several = len({r["model"] for r in records}) > 1
    points = [{"provider": _label(r, several), COST_Y: cost_per_thousand(r["cost"], r["tokens"]), "run": f"repeat {r['repeat']}"}
              for r in records if cost_per_thousand(r["cost"], r["tokens"]) is not None]
    for (model, provider), price in prices.items():
        if price is not None:
            label = _label({"model": model, "provider": provider}, several)
            points.append({"provider": label + PRICE, COST_Y: price / 1000, "run": "listed price"})
    return pd.DataFrame(points, columns=["provider", COST_Y, "run"])


def chart_update(frame: pd.DataFrame) -> dict:
    """The plot's new points. Gradio 6.31's plot keeps the colours of its first drawing and only swaps
    the data after; naming the legend's entries makes it draw again, so a provider whose first run
    finishes later still gets its colour."""
    return gr.update(value=frame, colors_in_legend=list(dict.fromkeys(frame["provider"])))


def push_html(url: str) -> str:
    safe = html.escape(url, quote=True)
    return (f"<div class='pg-status pg-info' role='status'>Pushed. The dataset: "
            f"<a href='{safe}' target='_blank' rel='noopener' id='pg-sweep-dataset-link'>{safe}</a></div>")


def push_error_html(error: PushError) -> str:
    return f"<div class='pg-status pg-error' role='alert'>{html.escape(error.detail)}</div>"


def own_token(session_token: Any, oauth_token: gr.OAuthToken | None) -> str | None:
    """The visitor's own token: typed, else from "Sign in with Hugging Face". Never the server's
    HF_TOKEN (which `pick_token` would fall back to): a dataset goes in the visitor's account."""
    typed = session_token.strip() if isinstance(session_token, str) else ""
    return typed or (oauth_token.token if oauth_token else None)


def push(ctx: RunContext, bakeoff: Mapping[str, Any] | None, name: str, public: bool, token: str | None) -> str:
    """The push's outcome as the status line's HTML."""
    if not bakeoff:
        return push_error_html(PushError("Run a sweep to the end first; then Push to Hub saves its runs."))
    records = bakeoff["records"]
    card = dataset_card(bakeoff["title"], bakeoff["grid"], bakeoff["prompt"], summarise(records), len(records))
    try:
        url = push_sweep(token, name, not public, card, runs_jsonl(records), ctx.settings.hub_endpoint)
    except PushError as error:
        return push_error_html(error)
    return push_html(url)
