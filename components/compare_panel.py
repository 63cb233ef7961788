"""The "Compare" tab: two to four panes side by side, one shared prompt, "Generate all" and "Stop".

Each pane has its own "Model A"…"Model D" with its own provider and mode (the mode follows the
model, as in the playground), its own retry card, "Output A"…"Output D" and stats line. All panes
stream at once through the scheduler (playground.runs); each succeeds or fails on its own. Updates
are batched (one per ~40 ms) and only the panes that changed are sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.code_panel import page_url
from components.generation import RunContext
from components.messages import error_html, error_text, stats_text
from components.model_panel import suggested_mode
from components.run_words import status_card, status_text
from components.runs_form import called_request, check_models_allowed, form_request, visitor_token
from playground import errors as e
from playground.form import PROVIDER_CHOICES
from playground.request import DEFAULT_PROVIDER, GenerationRequest, Mode
from playground.runs.code import compare_snippet
from playground.runs.compare import DEFAULT_PANES, PANE_COUNTS, PANE_KEYS, Pane, compare_jobs, pane_count, parse_pane
from playground.runs.results import ResultSet
from playground.runs.saved import COMPARE, compare_share_query, new_group_entry
from playground.runs.scheduler import run_job_batches

TAB_ID = "compare"


@dataclass(frozen=True)
class PaneView:
    key: str
    column: gr.Column
    model: gr.Dropdown
    provider: gr.Dropdown
    mode: gr.Radio
    status: gr.HTML
    output: gr.Textbox
    stats: gr.Markdown


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
    live: gr.State  # the ResultSet of the run in progress, for Stop

    def pane(self, key: str) -> PaneView:
        return self.panes[PANE_KEYS.index(key)]

    def pane_inputs(self) -> list[Any]:
        """Model, provider and mode of pane A, then of B, C and D."""
        return [c for p in self.panes for c in (p.model, p.provider, p.mode)]

    def run_outputs(self) -> list[Any]:
        return [self.status, self.share_link, self.code, self.finished, self.live,
                *[c for p in self.panes for c in (p.status, p.output, p.stats)]]


def build_compare_panel(choices: list[tuple[str, str]], default_models: list[str]) -> ComparePanel:
    count = gr.Radio(choices=list(PANE_COUNTS), value=DEFAULT_PANES, label="Panes", elem_id="pg-compare-panes")
    system_prompt = gr.Textbox(label="System prompt", lines=2, visible=False, elem_id="pg-compare-system",
                               placeholder="You are a helpful assistant.")
    prompt = gr.Textbox(label="Prompt", lines=3, elem_id="pg-compare-prompt", placeholder="The same prompt goes to every pane.")
    with gr.Row():
        generate = gr.Button("Generate all", variant="primary")
        stop = gr.Button("Stop", variant="stop", elem_id="pg-compare-stop")
    status = gr.HTML("", padding=False, elem_id="pg-compare-status")
    with gr.Row(equal_height=False):
        panes = [_build_pane(key, index, choices, default_models) for index, key in enumerate(PANE_KEYS)]
    with gr.Accordion("Share this comparison and View code", open=False, elem_id="pg-compare-code-box"):
        share_link = gr.Textbox(label="Share link", interactive=False, buttons=["copy"], elem_id="pg-compare-share-link",
                                info="Opens the Compare tab with these panes, settings and prompt. Holds no token.")
        show_code = gr.Button("View code", size="sm")
        code = gr.Code(language="python", label="Python (huggingface_hub)", elem_id="pg-compare-code")
    return ComparePanel(count, panes, prompt, system_prompt, generate, stop, status, share_link, code, show_code,
                        gr.State(None), gr.State(None))


def _build_pane(key: str, index: int, choices: list[tuple[str, str]], default_models: list[str]) -> PaneView:
    with gr.Column(visible=index < DEFAULT_PANES, min_width=240, elem_id=f"pg-pane-{key.lower()}") as column:
        model = gr.Dropdown(choices=choices, value=default_models[index % len(default_models)], label=f"Model {key}",
                            allow_custom_value=True)
        with gr.Row():
            provider = gr.Dropdown(choices=list(PROVIDER_CHOICES), value=DEFAULT_PROVIDER, label=f"Provider {key}", min_width=100)
            mode = gr.Radio(choices=[m.value for m in Mode], value=Mode.COMPLETION.value, label=f"Mode {key}", min_width=140)
        # Always shown, empty when there is nothing to say: toggling `visible` in quick succession
        # (hidden at the start, shown a few ms later) could leave the card unmounted in the page.
        status = gr.HTML("", padding=False, elem_id=f"pg-pane-{key.lower()}-status")
        output = gr.Textbox(label=f"Output {key}", lines=10, interactive=False, buttons=["copy"], elem_id=f"pg-pane-{key.lower()}-output")
        stats = gr.Markdown(elem_id=f"pg-pane-{key.lower()}-stats")
    return PaneView(key, column, model, provider, mode, status, output, stats)


def wire_compare_panel(ctx: RunContext, panel: ComparePanel, params: list[Any], session_token: gr.Textbox) -> Any:
    """Wires the tab; returns the "Generate all" event, for the page's Stop and the history."""
    panel.count.change(pane_visibility, inputs=panel.count, outputs=[p.column for p in panel.panes], queue=False)
    modes = [panel.count, *[p.mode for p in panel.panes]]
    for pane in panel.panes:
        _wire_pane_mode(ctx, pane, session_token)
    for control in modes:
        control.change(system_prompt_visibility, inputs=modes, outputs=panel.system_prompt, queue=False)
    inputs = [panel.count, *panel.pane_inputs(), panel.system_prompt, panel.prompt, *params, session_token]
    event = panel.generate.click(make_compare_handler(ctx, panel), inputs=inputs, outputs=panel.run_outputs(), api_name="compare")

    def stop(live: ResultSet | None) -> dict:
        return stopped_panes(panel, live)

    panel.stop.click(stop, inputs=panel.live, outputs=panel.run_outputs(), cancels=[event], queue=False)

    def view_code(*values: Any, request: gr.Request) -> dict:
        return compare_code(ctx, panel, values, page_url(request))

    panel.show_code.click(view_code, inputs=inputs[:-1], outputs=[panel.share_link, panel.code, panel.status])
    return event


def _wire_pane_mode(ctx: RunContext, pane: PaneView, session_token: gr.Textbox) -> None:
    def suggested(model: str, session: str | None, current: str, oauth_token: gr.OAuthToken | None = None) -> str:
        return suggested_mode(model, visitor_token(ctx, session, oauth_token), current)

    pane.model.change(suggested, inputs=[pane.model, session_token, pane.mode], outputs=pane.mode, queue=False)


def pane_visibility(count: Any) -> list[dict]:
    shown = count if count in PANE_COUNTS else DEFAULT_PANES
    return [gr.update(visible=index < shown) for index in range(len(PANE_KEYS))]


def system_prompt_visibility(count: Any, *modes: str) -> dict:
    shown = count if count in PANE_COUNTS else DEFAULT_PANES
    return gr.update(visible=Mode.CHAT.value in modes[:shown])


def make_compare_handler(ctx: RunContext, panel: ComparePanel):
    """The "Generate all" handler; its parameter names are the `/compare` API's inputs."""

    def generate_all(
        panes: int, model_a: str, provider_a: str, mode_a: str, model_b: str, provider_b: str, mode_b: str,
        model_c: str, provider_c: str, mode_c: str, model_d: str, provider_d: str, mode_d: str,
        system_prompt: str, prompt: str, temperature: float, max_new_tokens: int, seed: int | None, random_seed: bool,
        top_p: float, top_k: int, repetition_penalty: float, stop: str,
        session_token: str | None, oauth_token: gr.OAuthToken | None = None, request: gr.Request = None,
    ) -> Iterator[dict]:
        fields = [model_a, provider_a, mode_a, model_b, provider_b, mode_b, model_c, provider_c, mode_c, model_d, provider_d, mode_d]
        params = [temperature, max_new_tokens, seed, random_seed, top_p, top_k, repetition_penalty, stop]
        token = visitor_token(ctx, session_token, oauth_token)
        yield from run_compare(ctx, panel, panes, fields, system_prompt, prompt, params, token, page_url(request))

    return generate_all


def checked_panes(ctx: RunContext, count: Any, fields: list[Any], system_prompt: Any, prompt: Any,
                  params: list[Any]) -> tuple[GenerationRequest, list[Pane]]:
    """(the shared request, the panes in use). Raises PlaygroundError naming the control at fault."""
    shown = pane_count(count)
    panes = [parse_pane(key, *fields[3 * i: 3 * i + 3]) for i, key in enumerate(PANE_KEYS[:shown])]
    base = form_request(ctx, panes[0].model, panes[0].provider, panes[0].mode.value, system_prompt, prompt, params)
    check_models_allowed(ctx, [pane.model for pane in panes])
    return base, panes


def run_compare(ctx: RunContext, panel: ComparePanel, count: Any, fields: list[Any], system_prompt: Any, prompt: Any,
                params: list[Any], token: str | None, page: str) -> Iterator[dict]:
    """Streams every pane at once; each update holds only what changed."""
    try:
        base, panes = checked_panes(ctx, count, fields, system_prompt, prompt, params)
    except e.PlaygroundError as error:
        gr.Warning(error_text(error))
        yield {panel.status: error_html(error)}
        return
    jobs = compare_jobs(base, panes)
    results = ResultSet.for_jobs(jobs)
    yield {panel.status: "", panel.live: results, **pane_updates(panel, results, list(results.results), fresh=True)}
    for batch in run_job_batches(ctx.backend, jobs, token):
        changed = results.apply(batch)
        yield {panel.live: results, **pane_updates(panel, results, changed)}
    link, code = share_and_code(ctx, base, panes, page)
    yield {panel.share_link: link, panel.code: code, panel.finished: history_entry(base, results), panel.live: None}


def pane_updates(panel: ComparePanel, results: ResultSet, changed: list[str], fresh: bool = False) -> dict:
    """Status card, output and stats of the panes that changed. An output is replaced only once
    text arrives: a pane that fails keeps its earlier answer, as the playground does."""
    updates: dict = {}
    for key in changed:
        view, result = panel.pane(key), results[key]
        updates[view.status] = status_card(result)
        if result.output:
            updates[view.output] = result.output
        if result.stats or fresh:
            updates[view.stats] = stats_text(result.stats) if result.stats else ""
    return updates


def stopped_panes(panel: ComparePanel, live: ResultSet | None) -> dict:
    """Stop: every pane still running says so; finished panes keep their answer and card."""
    if live is None:
        return {panel.live: None}
    running = [result.key for result in live if not result.state.finished]
    live.stop_unfinished()
    return {panel.live: None, **pane_updates(panel, live, running)}


def history_entry(base: GenerationRequest, results: ResultSet) -> dict:
    statuses = {result.key: status_text(result) for result in results}
    return new_group_entry(COMPARE, base, results, statuses).model_dump(mode="json")


def share_and_code(ctx: RunContext, base: GenerationRequest, panes: list[Pane], page: str) -> list[str]:
    called = [called_request(ctx, job.request) for job in compare_jobs(base, panes)]
    return [f"{page}?{compare_share_query(base, panes)}", compare_snippet(called, ctx.settings.router_url)]


def compare_code(ctx: RunContext, panel: ComparePanel, values: tuple[Any, ...], page: str) -> dict:
    count, fields, system_prompt, prompt, params = values[0], list(values[1:13]), values[13], values[14], list(values[15:])
    try:
        base, panes = checked_panes(ctx, count, fields, system_prompt, prompt, params)
    except e.PlaygroundError as error:
        gr.Warning(error_text(error))
        return {panel.status: error_html(error)}
    link, code = share_and_code(ctx, base, panes, page)
    return {panel.share_link: link, panel.code: code, panel.status: ""}
