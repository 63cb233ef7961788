"""One Compare pane: its controls, and what it shows of its run (status card, output, tint, stats).

With "Token probabilities" on and a model that sends them, a pane shows its answer as tinted
tokens (`components/token_view.py`) under the plain output: while it streams, a text that only
grows (Gradio sends appends); once done, each token with its alternatives on click. Compare offers
no continuation: the alternatives are shown only. The stats line adds the summary figures, or says
that none came.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.messages import stats_text
from components.run_words import status_card
from components.style import big_classes
from components.token_view import answer_html, finished_summary, streaming_html
from playground.inference.probabilities import asks_for_probabilities
from playground.input.request import DEFAULT_PROVIDER, PROVIDER_CHOICES, Mode
from playground.runs.compare import DEFAULT_PANES
from playground.runs.results import ResultSet, RunResult


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
    tint: gr.HTML  # the answer as tinted tokens; empty unless the run carries probabilities


def build_pane(key: str, index: int, choices: list[tuple[str, str]], default_models: list[str], start: dict[str, str] | None = None,
               visible: bool | None = None, big: bool = False) -> PaneView:
    """`start`: the pane's fields to start with (components.compare_tab.PANE_FIELDS); `visible`: shown
    (the default: among the first DEFAULT_PANES); `big`: Big text is on."""
    start = start or {}
    shown = index < DEFAULT_PANES if visible is None else visible
    with gr.Column(visible=shown, min_width=240, elem_id=f"pg-pane-{key.lower()}") as column:
        # interactive=True: Gradio infers it from the events a control feeds, but not for one drawn by gr.render.
        model = gr.Dropdown(choices=choices, value=start.get("model") or default_models[index % len(default_models)], label=f"Model {key}",
                            allow_custom_value=True, interactive=True)
        with gr.Row():
            provider = gr.Dropdown(choices=list(PROVIDER_CHOICES), value=start.get("provider") or DEFAULT_PROVIDER, label=f"Provider {key}",
                                   min_width=100, interactive=True)
            mode = gr.Radio(choices=[m.value for m in Mode], value=start.get("mode") or Mode.COMPLETION.value, label=f"Mode {key}",
                            min_width=140, interactive=True)
        # Always shown, empty when there is nothing to say: toggling `visible` in quick succession
        # (hidden at the start, shown a few ms later) could leave the card unmounted in the page.
        status = gr.HTML("", padding=False, elem_id=f"pg-pane-{key.lower()}-status")
        output = gr.Textbox(start.get("output", ""), label=f"Output {key}", lines=10, interactive=False, buttons=["copy"],
                            elem_id=f"pg-pane-{key.lower()}-output", elem_classes=big_classes(big))
        tint = gr.HTML("", padding=False, elem_id=f"pg-pane-{key.lower()}-odds")  # always shown, as the card
        stats = gr.Markdown(start.get("stats", ""), elem_id=f"pg-pane-{key.lower()}-stats")
    return PaneView(key, column, model, provider, mode, status, output, stats, tint)


def pane_updates(panes: list[PaneView], keys: tuple[str, ...], results: ResultSet, changed: list[str],
                 shown: dict[Any, Any]) -> dict:
    """Status card, output, tint and stats of the panes that changed (`keys`: the pane keys in
    order), each sent only when it differs from what the page shows (`shown`, kept by the caller).
    An output (and its tint) is replaced only once text arrives: a pane that fails keeps its
    earlier answer, as the playground does."""
    updates: dict = {}
    for key in changed:
        view, result = panes[keys.index(key)], results[key]
        wanted = {view.status: status_card(result), view.stats: pane_stats(result)}
        if result.output:
            wanted[view.output] = result.output
            wanted[view.tint] = tint_html(result)
        for component, value in wanted.items():
            if shown.get(component) != value:
                shown[component] = updates[component] = value
    return updates


def tint_html(result: RunResult) -> str:
    """The pane's tinted answer: growing while it streams, with alternatives once finished; empty
    when the option is off or the model sent no probabilities (the plain output says it all)."""
    if not result.odds or not asks_for_probabilities(result.request.params):
        return ""
    return answer_html(result.odds, continuable=False, note=None) if result.state.finished else streaming_html(result.odds)


def pane_stats(result: RunResult) -> str:
    if not result.stats:
        return ""
    probs = finished_summary(result.request, result.odds)
    return f"{stats_text(result.stats)} · {probs}" if probs else stats_text(result.stats)
