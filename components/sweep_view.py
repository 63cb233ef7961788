"""The Sweep tab's panel as drawn: its components (see components/sweep_panel.py for its events).

Built twice per page: drawn in the tab the first time a visitor opens it, and once hidden, never
drawn, as the inputs and outputs of the public /sweep endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components import bakeoff_view as bake
from components.context import STOP_IDLE
from components.style import big_classes
from components.sweep_results import build_row_boxes
from components.sweep_tab import SweepFill
from playground.runs.results import COLUMNS
from playground.runs.summary import SUMMARY_COLUMNS
from playground.runs.sweep import ALL_LIVE, MAX_CELLS, MAX_REPEATS


@dataclass(frozen=True)
class SweepPanel:
    models: gr.Dropdown
    providers: gr.Dropdown
    repeats: gr.Slider
    temperatures: gr.Textbox
    seeds: gr.Textbox
    prompt: gr.Textbox
    run: gr.Button
    stop: gr.Button
    status: gr.HTML
    table: gr.Dataframe
    csv: gr.DownloadButton
    json: gr.DownloadButton
    share_link: gr.Textbox
    code: gr.Code
    show_code: gr.Button
    finished: gr.State  # the history entry of the last finished sweep
    live: gr.State  # the cancel flag of the sweep in progress: this tab's Stop sets it
    summary: gr.Dataframe
    speed_plot: gr.ScatterPlot
    cost_plot: gr.ScatterPlot
    dataset_name: gr.Textbox
    public: gr.Checkbox
    push: gr.Button
    push_status: gr.HTML
    bakeoff: gr.State  # the last finished sweep, as Push to Hub saves it (records, grid, prompt; no token)
    records: gr.State  # the table's rows in full, as exported: a selected row shows its answer and request
    row_output: gr.Textbox
    row_request: gr.Code

    def run_outputs(self) -> list[Any]:
        return [self.status, self.table, self.csv, self.json, self.share_link, self.code, self.finished, self.live,
                self.summary, self.speed_plot, self.cost_plot, self.push, self.push_status, self.bakeoff, self.records,
                self.row_output, self.row_request]


def build(choices: list[tuple[str, str]], start: SweepFill | None = None, big: bool = False, providers: list[str] | None = None,
          dataset: str = "provider-bakeoff") -> SweepPanel:
    """`start`: what the fields start with (as drawn from a link or history); `big`: Big text is on;
    `providers`: the Providers choices; `dataset`: the Dataset name."""
    start = start or SweepFill()
    models, providers, repeats, temperatures, seeds, prompt = _build_grid(choices, start, providers)
    with gr.Row():
        run = gr.Button("Run sweep", variant="primary")
        stop = gr.Button("Stop", elem_id="pg-sweep-stop", **STOP_IDLE)
    status = gr.HTML(start.status or "", padding=False, elem_id="pg-sweep-status")  # always shown, empty when idle (see compare_panel)
    # Narrow columns (700 px in all), so the table fits the tab at 1280 px and the output wraps in sight;
    # headers wrap rather than being cut (style.py).
    table = gr.Dataframe(headers=list(COLUMNS), value=start.table or [], elem_classes=big_classes(big), interactive=False, wrap=True,
                         elem_id="pg-sweep-table", max_height=640,
                         column_widths=[f"{width}px" for width in (85, 58, 32, 38, 38, 58, 48, 42, 42, 42, 50, 38, 129)],
                         label=f"Results (at most {MAX_CELLS} runs; ≡n marks identical outputs; select a row to read it in full)")
    row_output, row_request = build_row_boxes()
    summary = gr.Dataframe(headers=list(SUMMARY_COLUMNS), value=[], interactive=False, wrap=False, elem_id="pg-sweep-summary",
                           column_widths=_widths(SUMMARY_COLUMNS, {"model": 190, "provider": 120, "first token, s": 160,
                                                                   "tokens/s": 160, "total time, s": 160, "cost, $": 210}),
                           label="Summary per provider: median (lowest–highest) over the runs, the router's claims beside")
    # One chart a row, so the legend has room for each provider and its claim.
    speed_plot = gr.ScatterPlot(bake.speed_frame([]), x=bake.SPEED_X, y=bake.SPEED_Y, color="provider", elem_id="pg-sweep-speed-chart",
                                label="Speed: first token against tokens/s, one point per run, the router's claims beside", tooltip="all")
    cost_plot = gr.ScatterPlot(bake.cost_frame([], {}), x="provider", y=bake.COST_Y, color="provider", elem_id="pg-sweep-cost-chart",
                               label="Cost per 1,000 output tokens, one point per run, the listed price beside", tooltip="all")
    with gr.Row():
        csv = gr.DownloadButton("Download CSV", interactive=False, size="sm", elem_id="pg-sweep-csv")
        json = gr.DownloadButton("Download JSON", interactive=False, size="sm", elem_id="pg-sweep-json")
    with gr.Row(equal_height=True):
        dataset_name = gr.Textbox(label="Dataset name", value=dataset, interactive=True, elem_id="pg-sweep-dataset-name", scale=3,
                                  info="Saved in your own account, with your token (sign in, or a token with write access).")
        public = gr.Checkbox(label="Public", value=False, interactive=True, elem_id="pg-sweep-public", scale=1, info="Private unless ticked.")
        push = gr.Button("Push to Hub", interactive=False, elem_id="pg-sweep-push", scale=1)
    push_status = gr.HTML("", padding=False, elem_id="pg-sweep-push-status")
    with gr.Accordion("Share this sweep and View code", open=False, elem_id="pg-sweep-code-box"):
        share_link = gr.Textbox(label="Share link", interactive=False, buttons=["copy"], elem_id="pg-sweep-share-link",
                                info="Opens the Sweep tab with this grid, settings and prompt. Holds no token.")
        show_code = gr.Button("View code", size="sm")
        code = gr.Code(language="python", label="Python (huggingface_hub)", elem_id="pg-sweep-code")
    return SweepPanel(models, providers, repeats, temperatures, seeds, prompt, run, stop, status, table, csv, json, share_link,
                      code, show_code, gr.State(None), gr.State(None), summary, speed_plot, cost_plot, dataset_name, public,
                      push, push_status, gr.State(None), gr.State([]), row_output, row_request)


def _build_grid(choices: list[tuple[str, str]], start: SweepFill, offered: list[str] | None) -> tuple[Any, ...]:
    """(Models, Providers, Repeats, Temperatures, Seeds, Prompt); `offered`: the Providers choices."""
    # interactive=True: Gradio infers it from the events a box feeds, but not for one drawn by gr.render.
    models = gr.Dropdown(choices=choices, value=start.models or [], interactive=True, multiselect=True, allow_custom_value=True,
                         label="Models", elem_id="pg-sweep-models", info="One or more; type any Hub ID or endpoint URL and press Enter. Empty: the playground's model.")
    with gr.Row():
        providers = gr.Dropdown(choices=offered or [ALL_LIVE], value=[], interactive=True, multiselect=True, allow_custom_value=True,
                                label="Providers", elem_id="pg-sweep-providers", scale=3,
                                info="The providers serving the picked models, from the router. Empty: the playground's Provider.")
        repeats = gr.Slider(1, MAX_REPEATS, value=1, step=1, interactive=True, label="Repeats", elem_id="pg-sweep-repeats", scale=1,
                            info="Runs of each cell, to see the spread.")
    with gr.Row():
        temperatures = gr.Textbox(start.temperatures or "", label="Temperatures", interactive=True, placeholder="0.2, 0.7, 1.2",
                                  elem_id="pg-sweep-temperatures", info="Empty: the current Temperature.")
        seeds = gr.Textbox(start.seeds or "", label="Seeds", interactive=True, placeholder="1, 2, 3", elem_id="pg-sweep-seeds",
                           info="Empty: the current Seed.")
    prompt = gr.Textbox(start.prompt or "", label="Prompt", lines=3, interactive=True, elem_id="pg-sweep-prompt",
                        placeholder="Every cell sends this prompt.")
    return models, providers, repeats, temperatures, seeds, prompt


def _widths(columns: tuple[str, ...], fixed: Mapping[str, int]) -> list[str]:
    return [f"{fixed.get(name, 8 * len(name) + 28)}px" for name in columns]
