"""The "Compare" tab: two to four panes side by side, one shared prompt, "Generate all" and "Stop".

Each pane has its own "Model A"…"Model D" with its own provider and mode (the mode follows the
model, as in the playground), its own retry card, "Output A"…"Output D" and stats line. All panes
stream at once through the scheduler (playground.runs); each succeeds or fails on its own. Updates
are batched (one per ~40 ms) and only the panes that changed are sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr

from components import compare_panes
from components.bakeoff_view import every_provider, visitor_token_or_none
from components.compare_panes import PaneView, build_pane
from components.context import (
    STOP_IDLE,
    RunContext,
    check_models_allowed,
    page_url,
    session_of,
    suggested_mode,
    visitor_token,
    visitor_tokens,
)
from components.form import Form
from components.messages import error_html, info_html
from components.page import Page
from components.run_words import status_text
from components.runs_form import arm_stop, called_request, form_request, token_for, wire_stop_and_code
from components.share_code import token_variable
from playground import errors as e
from playground.chat.conversation import Conversation
from playground.inference.clock import Heartbeat
from playground.input.form_values import PARAMETER_FIELDS
from playground.input.request import GenerationRequest, Mode, parse_request
from playground.runs.code import compare_snippet
from playground.runs.compare import DEFAULT_PANES, PANE_COUNTS, PANE_KEYS, Pane, compare_jobs, pane_count, parse_pane
from playground.runs.results import ResultSet, RunState
from playground.runs.saved import COMPARE, compare_share_query, new_group_entry
from playground.runs.scheduler import run_job_batches
from playground.runs.slots import Limits, Visitor, visitor_for


@dataclass(frozen=True)
class ComparePanel:
    count: gr.Radio
    panes: list[PaneView]
    prompt: gr.Textbox
    system_prompt: gr.Textbox
    generate: gr.Button
    stop: gr.Button
    status: gr.HTML
    share_link: gr.Textbox
    code: gr.Code
    show_code: gr.Button
    finished: gr.State  # the history entry of the last finished run
    live: gr.State  # the cancel flag of the run in progress: this tab's Stop sets it
    every_provider: gr.Button  # fills the panes with Model A on each live provider

    def pane(self, key: str) -> PaneView:
        return self.panes[PANE_KEYS.index(key)]

    def inputs(self, form: Form, tokens: dict[str, gr.Textbox]) -> dict[str, Any]:
        """`inputs_kwargs` of "Generate all": the names of the `/compare` API's inputs (`tokens`: the token fields)."""
        panes = {f"{name}_{p.key.lower()}": control for p in self.panes
                 for name, control in (("model", p.model), ("provider", p.provider), ("mode", p.mode))}
        return {"panes": self.count, **panes, "system_prompt": self.system_prompt, "prompt": self.prompt,
                **form.by_name(PARAMETER_FIELDS), **tokens}

    def run_outputs(self) -> list[Any]:
        return [self.status, self.share_link, self.code, self.finished, self.live,
                *[c for p in self.panes for c in (p.status, p.output, p.tint, p.stats)]]


def build(choices: list[tuple[str, str]], default_models: list[str]) -> ComparePanel:
    with gr.Row(equal_height=True):
        count = gr.Radio(choices=list(PANE_COUNTS), value=DEFAULT_PANES, label="Panes", elem_id="pg-compare-panes", scale=3)
        every_provider = gr.Button("Every provider", size="sm", scale=1, elem_id="pg-compare-every-provider")
    system_prompt = gr.Textbox(label="System prompt", lines=2, visible=False, elem_id="pg-compare-system",
                               placeholder="You are a helpful assistant.")
    prompt = gr.Textbox(label="Prompt", lines=3, elem_id="pg-compare-prompt", placeholder="The same prompt goes to every pane.")
    with gr.Row():
        generate = gr.Button("Generate all", variant="primary")
        stop = gr.Button("Stop", elem_id="pg-compare-stop", **STOP_IDLE)
    status = gr.HTML("", padding=False, elem_id="pg-compare-status")
    with gr.Row(equal_height=False):
        panes = [build_pane(key, index, choices, default_models) for index, key in enumerate(PANE_KEYS)]
    with gr.Accordion("Share this comparison and View code", open=False, elem_id="pg-compare-code-box"):
        share_link = gr.Textbox(label="Share link", interactive=False, buttons=["copy"], elem_id="pg-compare-share-link",
                                info="Opens the Compare tab with these panes, settings and prompt. Holds no token.")
        show_code = gr.Button("View code", size="sm")
        code = gr.Code(language="python", label="Python (huggingface_hub)", elem_id="pg-compare-code")
    return ComparePanel(count, panes, prompt, system_prompt, generate, stop, status, share_link, code, show_code,
                        gr.State(None), gr.State(None), every_provider)


def wire(ctx: RunContext, page: Page) -> None:
    """Wires the tab; "Generate all" joins `ctx.streams` (the page's Stop) and `ctx.group_runs`
    (the Compare and sweep history).

    The page's "Generate all" also reads the Playground's conversation, so Chat-mode panes
    continue it. A gr.State input would be demanded from `/compare`'s API callers as an extra,
    undocumented value, so, as for `/generate`, the API is the same handler on a hidden trigger
    without it."""
    panel, form, session_token = page.compare, page.form, page.auth.session_token
    panel.count.change(pane_visibility, inputs=panel.count, outputs=[p.column for p in panel.panes], queue=False,
                       api_visibility="undocumented")
    modes = [panel.count, *[p.mode for p in panel.panes]]
    for pane in panel.panes:
        _wire_pane_mode(ctx, pane, session_token)
    for control in modes:
        control.change(system_prompt_visibility, inputs=modes, outputs=panel.system_prompt, queue=False,
                       api_visibility="undocumented")
    inputs = panel.inputs(form, page.auth.inputs())
    handler = make_compare_handler(ctx, panel)
    api = gr.Button(visible=False, elem_id="pg-compare-api")
    ctx.streaming(api.click(handler, inputs_kwargs=inputs, outputs=panel.run_outputs(), api_name="compare"))
    page_inputs = {**inputs, "conversation": page.chat.state}
    arm_stop(panel.generate.click, panel.stop)
    event = ctx.streaming(panel.generate.click(handler, inputs_kwargs=page_inputs, outputs=panel.run_outputs(),
                                               api_visibility="undocumented"))
    ctx.for_group_history(event, panel.finished)

    def code_for(values: Mapping[str, Any], url: str) -> dict:
        return compare_code(ctx, panel, values, url)

    wire_stop_and_code(panel, inputs, code_for, event)
    _wire_every_provider(ctx, panel, session_token)


def _wire_every_provider(ctx: RunContext, panel: ComparePanel, session_token: gr.Textbox) -> None:
    """"Every provider": Model A on each provider the router lists as live for it, up to 4 panes."""
    first = panel.panes[0]
    outputs = [panel.count, panel.status, *[c for p in panel.panes for c in (p.model, p.provider, p.mode)]]

    def fill(model: str, mode: str, session: str | None, oauth_token: gr.OAuthToken | None = None) -> list:
        providers = every_provider(ctx, model, visitor_token_or_none(ctx, session, oauth_token))
        if len(providers) < 2:
            note = f"The router lists {len(providers) or 'no'} live provider{'' if len(providers) == 1 else 's'} for {model}."
            return [gr.skip(), info_html(note), *[gr.skip()] * (3 * len(panel.panes))]
        shown = providers[: len(panel.panes)]
        panes = [u for p in shown for u in (model, p, mode)] + [gr.skip()] * (3 * (len(panel.panes) - len(shown)))
        return [len(shown), "", *panes]

    first_inputs = [first.model, first.mode, session_token]
    panel.every_provider.click(fill, inputs=first_inputs, outputs=outputs, api_visibility="undocumented")


def _wire_pane_mode(ctx: RunContext, pane: PaneView, session_token: gr.Textbox) -> None:
    def suggested(model: str, session: str | None, current: str, oauth_token: gr.OAuthToken | None = None) -> str:
        try:
            token = visitor_token(ctx, session, oauth_token, check=True)
        except e.PlaygroundError:
            token = None
        return suggested_mode(model, token, current)

    pane.model.change(suggested, inputs=[pane.model, session_token, pane.mode], outputs=pane.mode, queue=False,
                      api_visibility="undocumented")


def shown_panes(count: Any) -> int:
    """The "Panes" choice, or the default for anything else (these steps are reachable through the API)."""
    try:
        return pane_count(count)
    except e.InvalidParametersError:
        return DEFAULT_PANES


def pane_visibility(count: Any) -> list[dict]:
    return [gr.update(visible=index < shown_panes(count)) for index in range(len(PANE_KEYS))]


def system_prompt_visibility(count: Any, *modes: Any) -> dict:
    return gr.update(visible=Mode.CHAT.value in modes[: shown_panes(count)])


def make_compare_handler(ctx: RunContext, panel: ComparePanel):
    """The "Generate all" handler: the form's parameters, the shared prompt and system prompt, and
    `panes`, `model_a`, `provider_a`, `mode_a`, ... `mode_d`, by name."""

    def generate_all(oauth_token: gr.OAuthToken | None = None, request: gr.Request = None, **values: Any) -> Iterator[dict]:
        runner = visitor_for(session_of(request), Limits.from_settings(ctx.settings))
        yield from run_compare(ctx, panel, values, oauth_token, page_url(request), runner)

    return generate_all


def checked_panes(ctx: RunContext, values: Mapping[str, Any]) -> tuple[GenerationRequest, list[Pane]]:
    """(the shared request, the panes in use). Raises PlaygroundError naming the control at fault."""
    shown = pane_count(values.get("panes"))
    panes = [parse_pane(key, *(values.get(f"{name}_{key.lower()}") for name in ("model", "provider", "mode")))
             for key in PANE_KEYS[:shown]]
    first = panes[0]
    base = form_request(ctx, values, model=first.model, provider=first.provider, mode=first.mode.value)
    check_models_allowed(ctx, [pane.model for pane in panes])
    return base, panes


def continuing(base: GenerationRequest, conversation: Any) -> GenerationRequest:
    """`base` after the Playground conversation's answered turns, so every Chat-mode pane continues
    the same conversation (Completion panes send the prompt alone). Raises InvalidParametersError
    when the conversation is too long to send."""
    if not isinstance(conversation, Conversation) or not conversation.answered_pairs():
        return base
    return parse_request({**base.model_dump(), "turns": conversation.answered_pairs()})


def run_compare(ctx: RunContext, panel: ComparePanel, values: Mapping[str, Any], oauth_token: gr.OAuthToken | None,
                page: str, runner: Visitor) -> Iterator[dict]:
    """Streams every pane at once; each update holds only what changed, and one comes at least
    every 0.5 s (see `Heartbeat`), so Stop closes the event at once."""
    try:
        base, panes = checked_panes(ctx, values)
        base = continuing(base, values.get("conversation"))
        tokens = visitor_tokens(ctx, values, oauth_token, check=True)
    except e.PlaygroundError as error:
        yield {panel.status: error_html(error)}  # the card is the one message: no toast repeats it
        return
    jobs = compare_jobs(base, panes)
    results, shown, cancel = ResultSet.for_jobs(jobs), {}, threading.Event()
    yield {panel.status: "", panel.live: cancel, panel.finished: None, **pane_updates(panel, results, list(results.results), shown)}
    pulse = Heartbeat()
    with closing(run_job_batches(ctx.backend, jobs, token_for(ctx, tokens), cancel, visitor=runner)) as batches:
        for batch in batches:
            if updates := pane_updates(panel, results, results.apply(batch), shown):
                pulse.beat()
                yield updates  # (an empty dict would read as one value, not as "nothing changed")
            elif pulse.due():
                yield {panel.status: ""}  # unchanged (an empty diff): the heartbeat
    stopped = [result.key for result in results if not result.state.finished]
    results.stop_unfinished()
    link, code = share_and_code(ctx, base, panes, page)
    # A stopped comparison is not kept, as a stopped run is not (RunState.STOPPED also comes from the workers).
    entry = None if any(result.state is RunState.STOPPED for result in results) else history_entry(base, results)
    yield {panel.share_link: link, panel.code: code, panel.finished: entry, panel.live: None, **pane_updates(panel, results, stopped, shown)}


def pane_updates(panel: ComparePanel, results: ResultSet, changed: list[str], shown: dict[Any, Any]) -> dict:
    """What changed in the panes (see `components.compare_panes.pane_updates`)."""
    return compare_panes.pane_updates(panel.panes, PANE_KEYS, results, changed, shown)


def history_entry(base: GenerationRequest, results: ResultSet) -> dict:
    statuses = {result.key: status_text(result) for result in results}
    return new_group_entry(COMPARE, base, results, statuses).model_dump(mode="json")


def share_and_code(ctx: RunContext, base: GenerationRequest, panes: list[Pane], page: str) -> list[str]:
    called = [called_request(ctx, job.request) for job in compare_jobs(base, panes)]
    return [f"{page}?{compare_share_query(base, panes)}", compare_snippet(called, ctx.settings.router_url, partial(token_variable, ctx))]


def compare_code(ctx: RunContext, panel: ComparePanel, values: Mapping[str, Any], page: str) -> dict:
    try:
        base, panes = checked_panes(ctx, values)
    except e.PlaygroundError as error:
        return {panel.status: error_html(error)}  # the card is the one message: no toast repeats it
    link, code = share_and_code(ctx, base, panes, page)
    return {panel.share_link: link, panel.code: code, panel.status: ""}
