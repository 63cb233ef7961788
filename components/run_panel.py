"""The "Prompt", "Generate" / "Stop", the status panel (with "Run on <model>"), the "Output" and the stats line."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr


@dataclass(frozen=True)
class RunPanel:
    prompt: gr.Textbox
    generate: gr.Button
    stop: gr.Button
    status: gr.HTML
    fallback: gr.Button  # "Run on <model>", shown under an error a retry won't fix
    output: gr.Textbox
    stats: gr.Markdown


def build_run_panel() -> RunPanel:
    prompt = gr.Textbox(label="Prompt", lines=5, placeholder="Write a haiku about cold starts.")
    with gr.Row():
        generate = gr.Button("Generate", variant="primary")
        stop = gr.Button("Stop", variant="stop")
    status = gr.HTML(visible=False, elem_id="pg-status")
    fallback = gr.Button("Run on …", visible=False, variant="primary", elem_id="pg-fallback")
    output = gr.Textbox(label="Output", lines=12, interactive=False, buttons=["copy"], elem_id="pg-output")
    stats = gr.Markdown(elem_id="pg-stats")
    return RunPanel(prompt, generate, stop, status, fallback, output, stats)
