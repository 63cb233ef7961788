"""The "Prompt", "Generate" / "Stop", the status panel (with "Run on <model>"), the "Output" and the stats line.

There are two "Generate" buttons, one shown per mode (`show_generate`): Completion streams into
Output, Chat into the conversation. Each event then lists only the outputs its mode touches, and
that matters while it streams: Gradio rebuilds every output an update leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from components.messages import info_html
from playground.input.request import Mode

FALLBACK_IDLE = "Run on …"  # the hidden "Run on <model>" button's label between offers
STOPPED = info_html("Stopped.")  # the "Stopped." panel's only value: Stop and runs only show or hide it


@dataclass(frozen=True)
class RunPanel:
    prompt: gr.Textbox
    generate: gr.Button  # Completion mode; also the `/generate` API
    generate_chat: gr.Button  # Chat mode: the same label, in the same place
    stop: gr.Button
    status: gr.HTML
    stopped: gr.HTML  # "Stopped.": its own panel, which no stream writes to (see generation.wire_stop)
    fallback: gr.Button  # "Run on <model>", shown under an error a retry won't fix
    output: gr.Textbox
    stats: gr.Markdown


def build_run_panel(mode: gr.Radio) -> RunPanel:
    """`mode`: the page may open in either mode; its Generate button is the one shown."""
    chat = mode.value == Mode.CHAT.value
    prompt = gr.Textbox(label="Prompt", lines=5, placeholder="Write a haiku about cold starts.")
    with gr.Row():
        generate = gr.Button("Generate", variant="primary", visible=not chat, elem_id="pg-generate")
        generate_chat = gr.Button("Generate", variant="primary", visible=chat, elem_id="pg-generate-chat")
        stop = gr.Button("Stop", variant="stop")
    status = gr.HTML(visible=False, elem_id="pg-status")
    stopped = gr.HTML(STOPPED, visible=False, elem_id="pg-stopped")
    fallback = gr.Button(FALLBACK_IDLE, visible=False, variant="primary", elem_id="pg-fallback")
    output = gr.Textbox(label="Output", lines=12, interactive=False, buttons=["copy"], elem_id="pg-output")
    stats = gr.Markdown(elem_id="pg-stats")
    return RunPanel(prompt, generate, generate_chat, stop, status, stopped, fallback, output, stats)


def show_generate(mode: str) -> list[dict]:
    """[Generate (Completion), Generate (Chat)]: the one for `mode` is shown."""
    chat = mode == Mode.CHAT.value
    return [gr.update(visible=not chat), gr.update(visible=chat)]
